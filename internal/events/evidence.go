package events

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// EncodeRefs is the evidence_refs column of an event that carries its
// evidence on its row (migration 00030): a JSON array of refs, "" for
// none. A writer of many events (the response clocks') calls it on its
// deriving goroutines.
func EncodeRefs(refs []Ref) string {
	if len(refs) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(refs) * 72)
	b.WriteByte('[')
	for i, r := range refs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"kind":`)
		writeJSONString(&b, r.Kind)
		b.WriteString(`,"id":`)
		writeJSONString(&b, r.ID)
		b.WriteString(`,"role":`)
		writeJSONString(&b, r.Role)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String()
}

// writeJSONString writes s as a JSON string: as it is when it needs no
// escaping (ids, kinds and roles do not), else through encoding/json.
func writeJSONString(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			out, _ := json.Marshal(s) // a string always marshals
			b.Write(out)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// DecodeRefs reads an evidence_refs column ("" is none).
func DecodeRefs(s string) ([]Ref, error) {
	if s == "" {
		return nil, nil
	}
	var refs []Ref
	if err := json.Unmarshal([]byte(s), &refs); err != nil {
		return nil, fmt.Errorf("events: evidence_refs %q: %w", s, err)
	}
	return refs, nil
}

// sortRefs orders evidence as the lists show it: by kind, then id.
func sortRefs(refs []Ref) {
	slices.SortFunc(refs, func(a, b Ref) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) })
}

// Evidence returns the records that prove the event id, from both places
// evidence is kept (event_evidence and the row's evidence_refs), by kind
// and id.
func Evidence(ctx context.Context, db bun.IDB, id string) ([]Ref, error) {
	refs := []Ref{}
	if err := db.NewRaw("SELECT kind, ref_id AS id, role FROM event_evidence WHERE event_id = ?", id).Scan(ctx, &refs); err != nil {
		return nil, err
	}
	var inline []string
	if err := db.NewRaw("SELECT evidence_refs FROM events WHERE id = ?", id).Scan(ctx, &inline); err != nil {
		return nil, err
	}
	for _, s := range inline {
		more, err := DecodeRefs(s)
		if err != nil {
			return nil, err
		}
		refs = append(refs, more...)
	}
	sortRefs(refs)
	return refs, nil
}
