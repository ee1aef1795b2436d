package events

import (
	"context"
	"regexp"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
)

// Event is one appraisal event as the lists show it, with the records
// that prove it (SPEC §8.2, §8.5).
type Event struct {
	ID             string     `bun:"id" json:"id"`
	Type           string     `bun:"type" json:"type"`
	Rule           string     `bun:"rule" json:"rule"`
	StaffID        *string    `bun:"staff_id" json:"staff_id"`
	StaffName      string     `bun:"staff_name" json:"staff_name"`
	CustomerID     *string    `bun:"customer_id" json:"customer_id"`
	CustomerName   string     `bun:"customer_name" json:"customer_name"`
	OccurredAt     time.Time  `bun:"occurred_at" json:"occurred_at"`
	Quantity       int64      `bun:"quantity" json:"quantity"`
	Detail         string     `bun:"detail" json:"detail"`
	Source         string     `bun:"source" json:"source"` // computed / flagged
	FlaggedBy      *string    `bun:"flagged_by" json:"flagged_by"`
	Reason         string     `bun:"reason" json:"reason"`
	WithdrawnAt    *time.Time `bun:"withdrawn_at" json:"withdrawn_at"`
	WithdrawnBy    *string    `bun:"withdrawn_by" json:"withdrawn_by"`
	WithdrawReason string     `bun:"withdraw_reason" json:"withdraw_reason"`
	CreatedAt      time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at" json:"updated_at"`
	Evidence       []Ref      `bun:"-" json:"evidence"`
	// InlineRefs is the evidence carried on the row (evidence_refs),
	// merged into Evidence.
	InlineRefs string `bun:"evidence_refs" json:"-"`
}

// Filter selects events.
type Filter struct {
	StaffID string
	// From, To: occurred_at in [From, To); zero is open.
	From, To time.Time
	Type     string
	// Withdrawn includes withdrawn events (standing ones only otherwise).
	Withdrawn bool
	Limit     int // default 500, at most 5000
}

var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// List returns the events of f, oldest first, each with its evidence.
// Events are visible to the staff member they concern (SPEC §8.2) and to
// their direct supervisor (直属上级); managers, admins and executives see
// everyone's. Asking for someone else's events without that right is
// Forbidden; without StaffID a staff member gets their own and their
// direct reports'.
func List(ctx context.Context, db bun.IDB, f Filter) ([]Event, error) {
	p := access.Caller(ctx)
	if f.Type != "" && !typePattern.MatchString(f.Type) {
		return nil, apperr.Invalid("type", "事件类型应为小写字母、数字与下划线 (an event type such as no_contact_month)")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, apperr.Invalid("to", "结束日期须不早于开始日期 (to must not be before from)")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	if limit > 5000 {
		return nil, apperr.Invalid("limit", "每页最多 5000 条 (at most 5000)")
	}
	q := db.NewSelect().TableExpr("events AS e").
		ColumnExpr("e.id, e.type, e.rule, e.staff_id, COALESCE(s.name, '') AS staff_name, e.customer_id, COALESCE(c.name, '') AS customer_name").
		ColumnExpr("e.occurred_at, e.quantity, e.detail, e.source, e.flagged_by, e.reason, e.withdrawn_at, e.withdrawn_by, e.withdraw_reason, e.created_at, e.updated_at, e.evidence_refs").
		Join("LEFT JOIN staff AS s ON s.id = e.staff_id").
		Join("LEFT JOIN customers AS c ON c.id = e.customer_id")
	if !p.IsManagerial() && !p.Has(access.Executive) {
		if p.StaffID == "" {
			return nil, apperr.Forbidden("无权查看考核事件")
		}
		var visible []string
		if err := db.NewRaw("SELECT id FROM staff WHERE supervisor_id = ? ORDER BY id", p.StaffID).Scan(ctx, &visible); err != nil {
			return nil, err
		}
		visible = append(visible, p.StaffID)
		if f.StaffID != "" && !slices.Contains(visible, f.StaffID) {
			return nil, apperr.Forbidden("只能查看本人及直属下级的考核事件")
		}
		if f.StaffID == "" {
			q = q.Where("e.staff_id IN (?)", bun.In(visible))
		}
	}
	if f.StaffID != "" {
		q = q.Where("e.staff_id = ?", f.StaffID)
	}
	if !f.From.IsZero() {
		q = q.Where("e.occurred_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("e.occurred_at < ?", f.To.UTC())
	}
	if f.Type != "" {
		q = q.Where("e.type = ?", f.Type)
	}
	if !f.Withdrawn {
		q = q.Where("e.withdrawn_at IS NULL")
	}
	out := []Event{}
	if err := q.OrderExpr("e.occurred_at, e.id").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, err
	}
	at := make(map[string]int, len(out))
	ids := make([]string, len(out))
	for i := range out {
		refs, err := DecodeRefs(out[i].InlineRefs)
		if err != nil {
			return nil, err
		}
		out[i].Evidence = append([]Ref{}, refs...)
		at[out[i].ID], ids[i] = i, out[i].ID
	}
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		var refs []struct {
			EventID string `bun:"event_id"`
			Kind    string `bun:"kind"`
			RefID   string `bun:"ref_id"`
			Role    string `bun:"role"`
		}
		if err := db.NewRaw("SELECT event_id, kind, ref_id, role FROM event_evidence WHERE event_id IN (?) ORDER BY event_id, kind, ref_id",
			bun.In(part)).Scan(ctx, &refs); err != nil {
			return nil, err
		}
		for _, r := range refs {
			i := at[r.EventID]
			out[i].Evidence = append(out[i].Evidence, Ref{Kind: r.Kind, ID: r.RefID, Role: r.Role})
		}
	}
	for i := range out {
		if out[i].InlineRefs != "" {
			sortRefs(out[i].Evidence)
		}
	}
	return out, nil
}
