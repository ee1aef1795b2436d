package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
)

// auditEntry is an audit entry with its before/after states as JSON
// values rather than strings holding JSON.
type auditEntry struct {
	audit.Entry
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// auditTime reads from/to: a date in the company's time zone (to is
// inclusive: the end of that day) or an RFC 3339 instant.
func (s *Server) auditTime(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, s.Loc); err == nil {
		if name == "to" {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, apperr.Invalid(name, "须为日期 YYYY-MM-DD 或 RFC 3339 时间 (a date or an RFC 3339 time)")
	}
	return t, nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), ActorID: q.Get("actor_id"),
		Action: q.Get("action"), Query: q.Get("q")}
	var err error
	if f.From, err = s.auditTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.auditTime(r, "to"); err != nil {
		return err
	}
	if a := q.Get("after"); a != "" {
		if f.BeforeAt, f.BeforeID, err = decodeCursor(a); err != nil {
			return err
		}
	}
	limit, err := queryInt(r, "limit", 100, 1, 200)
	if err != nil {
		return err
	}
	f.Limit = limit + 1 // one more tells whether there is a next page
	es, err := audit.List(r.Context(), s.DB.R(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(es) > limit {
		es = es[:limit]
		last := es[limit-1]
		next = encodeCursor(last.At, last.ID)
	}
	out := make([]auditEntry, len(es))
	for i, e := range es {
		out[i] = auditEntry{Entry: e, Before: rawJSON(e.BeforeJSON), After: rawJSON(e.AfterJSON)}
	}
	return ok(w, paged(out, next))
}

func rawJSON(s *string) json.RawMessage {
	if s == nil || !json.Valid([]byte(*s)) {
		return nil
	}
	return json.RawMessage(*s)
}
