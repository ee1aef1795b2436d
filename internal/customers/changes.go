package customers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// ArchiveChange is one entry of a customer's change history. LateDays > 0
// means it was recorded that many days after it became known: an
// archive_late event (档案未当日更新) for the owning specialist.
type ArchiveChange struct {
	ID         string    `bun:"id,pk" json:"id"`
	CustomerID string    `bun:"customer_id" json:"customer_id"`
	Entity     string    `bun:"entity" json:"entity"`
	EntityID   string    `bun:"entity_id" json:"entity_id"`
	Action     string    `bun:"action" json:"action"`
	Summary    string    `bun:"summary" json:"summary"`
	DiffJSON   string    `bun:"diff_json" json:"-"`
	KnownOn    string    `bun:"known_on" json:"known_on"`
	RecordedOn string    `bun:"recorded_on" json:"recorded_on"`
	RecordedAt time.Time `bun:"recorded_at" json:"recorded_at"`
	RecordedBy *string   `bun:"recorded_by" json:"recorded_by"`
	OwnerID    *string   `bun:"owner_id" json:"owner_id"`
	LateDays   int64     `bun:"late_days" json:"late_days"`

	bun.BaseModel `bun:"table:archive_changes"`
}

// FieldChange is one changed field: [before, after].
type FieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// Diff decodes the field changes.
func (c *ArchiveChange) Diff() []FieldChange {
	var m map[string][2]any
	if json.Unmarshal([]byte(c.DiffJSON), &m) != nil {
		return nil
	}
	out := make([]FieldChange, 0, len(m))
	for k, v := range m {
		out = append(out, FieldChange{Field: k, Before: v[0], After: v[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// ArchiveChangeView adds names for display.
type ArchiveChangeView struct {
	ArchiveChange  `bun:",extend"`
	CustomerName   string        `bun:"customer_name" json:"customer_name"`
	RecordedByName string        `bun:"recorded_by_name" json:"recorded_by_name"`
	OwnerName      string        `bun:"owner_name" json:"owner_name"`
	Changes        []FieldChange `bun:"-" json:"changes"`
}

// recording is when and by whom a change is recorded, and when it became known.
type recording struct {
	at         time.Time
	by         *string
	knownOn    string
	recordedOn string
	lateDays   int64
}

func (s *Service) recording(p *access.Principal, ch Change) (recording, error) {
	at := s.now()
	if ch.RecordedAt != nil {
		if !p.IsManagerial() {
			return recording{}, apperr.Forbidden("只有客服经理或管理员可以补录历史时间")
		}
		if ch.RecordedAt.After(at) {
			return recording{}, apperr.Invalid("recorded_at", "记录时间不能晚于现在")
		}
		at = *ch.RecordedAt
	}
	at = store.Time(at)
	rec := recording{at: at, recordedOn: at.In(s.loc).Format(time.DateOnly)}
	if p.StaffID != "" {
		id := p.StaffID
		rec.by = &id
	}
	rec.knownOn = strings.TrimSpace(ch.KnownOn)
	if rec.knownOn == "" {
		rec.knownOn = rec.recordedOn
	}
	known, err := time.ParseInLocation(time.DateOnly, rec.knownOn, s.loc)
	if err != nil {
		return recording{}, apperr.Invalid("known_on", "知悉日期格式应为 YYYY-MM-DD")
	}
	recorded, _ := time.ParseInLocation(time.DateOnly, rec.recordedOn, s.loc)
	if known.After(recorded) {
		return recording{}, apperr.Invalid("known_on", "知悉日期不能晚于记录日期")
	}
	// Whole calendar days between the two dates (DST-safe: round).
	rec.lateDays = int64(recorded.Sub(known).Round(24*time.Hour) / (24 * time.Hour))
	return rec, nil
}

// logChange writes the archive history entry and the audit entry for one
// change, in the caller's transaction.
func (s *Service) logChange(ctx context.Context, tx bun.IDB, rec recording, customerID, entity, entityID, action, summary string,
	before, after any, ownerID *string) error {
	ch, entry, err := buildChange(ctx, rec, customerID, entity, entityID, action, summary, before, after, ownerID)
	if err != nil || ch == nil {
		return err
	}
	if _, err := tx.NewInsert().Model(ch).Exec(ctx); err != nil {
		return fmt.Errorf("customers: archive change: %w", err)
	}
	if _, err := tx.NewInsert().Model(entry).Exec(ctx); err != nil {
		return fmt.Errorf("customers: audit: %w", err)
	}
	return nil
}

// buildChange makes the history entry and the audit entry of one change;
// both are nil for an update that changed nothing.
func buildChange(ctx context.Context, rec recording, customerID, entity, entityID, action, summary string,
	before, after any, ownerID *string) (*ArchiveChange, *audit.Entry, error) {
	diff, err := diffJSON(before, after)
	if err != nil {
		return nil, nil, err
	}
	if action == "update" && diff == "{}" {
		return nil, nil, nil // nothing changed: nothing to record
	}
	ch := &ArchiveChange{
		ID: store.NewID(), CustomerID: customerID, Entity: entity, EntityID: entityID, Action: action,
		Summary: summary, DiffJSON: diff, KnownOn: rec.knownOn, RecordedOn: rec.recordedOn, RecordedAt: rec.at,
		RecordedBy: rec.by, OwnerID: ownerID, LateDays: rec.lateDays,
	}
	entry, err := audit.Build(ctx, rec.at, audit.Change{Action: action, Entity: entity, EntityID: entityID,
		Summary: summary, Before: before, After: after})
	return ch, entry, err
}

// ignoredFields never count as an archive change.
var ignoredFields = map[string]bool{"id": true, "customer_id": true, "group_id": true, "version": true, "updated_at": true, "created_at": true}

// diffJSON returns {"field": [before, after]} for the fields that differ.
func diffJSON(before, after any) (string, error) {
	b, err := toMap(before)
	if err != nil {
		return "", err
	}
	a, err := toMap(after)
	if err != nil {
		return "", err
	}
	out := map[string][2]any{}
	for k, av := range a {
		if ignoredFields[k] {
			continue
		}
		bv, ok := b[k]
		if !ok && before == nil {
			if av == nil || av == "" || av == false {
				continue
			}
		}
		if fmt.Sprint(bv) != fmt.Sprint(av) {
			out[k] = [2]any{bv, av}
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok && !ignoredFields[k] && after == nil {
			out[k] = [2]any{bv, nil}
		}
	}
	j, err := json.Marshal(out)
	return string(j), err
}

func toMap(v any) (map[string]any, error) {
	m := map[string]any{}
	if v == nil {
		return m, nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return m, json.Unmarshal(j, &m)
}

// ChangeFilter selects archive changes.
type ChangeFilter struct {
	CustomerID string
	OwnerID    string
	LateOnly   bool
	From, To   string // recorded_on range [From, To], YYYY-MM-DD
	Limit      int
}

// Changes lists archive changes newest first (a customer's history, or the
// late-update list 档案未当日更新 for the appraisal).
func (s *Service) Changes(ctx context.Context, f ChangeFilter) ([]ArchiveChangeView, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CustomerRead) {
		return nil, apperr.Forbidden("无权查看档案变更")
	}
	if f.CustomerID != "" {
		if err := s.readable(ctx, f.CustomerID); err != nil {
			return nil, err
		}
	}
	q := s.db.R().NewSelect().TableExpr("archive_changes AS ac").
		ColumnExpr("ac.*, c.name AS customer_name, COALESCE(rb.name, '') AS recorded_by_name, COALESCE(o.name, '') AS owner_name").
		Join("JOIN customers AS c ON c.id = ac.customer_id").
		Join("LEFT JOIN staff AS rb ON rb.id = ac.recorded_by").
		Join("LEFT JOIN staff AS o ON o.id = ac.owner_id")
	if !s.specialistReadAll && p.OnlySpecialist() {
		q = q.Where("c.owner_id = ?", p.StaffID)
	}
	if f.CustomerID != "" {
		q = q.Where("ac.customer_id = ?", f.CustomerID)
	}
	if f.OwnerID != "" {
		q = q.Where("ac.owner_id = ?", f.OwnerID)
	}
	if f.LateOnly {
		q = q.Where("ac.late_days > 0")
	}
	if f.From != "" {
		q = q.Where("ac.recorded_on >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("ac.recorded_on <= ?", f.To)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []ArchiveChangeView
	if err := q.OrderExpr("ac.recorded_at DESC, ac.id DESC").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Changes = out[i].Diff()
	}
	return out, nil
}
