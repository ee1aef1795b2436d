// Package events writes computed appraisal events (考核事件, SPEC §8.2): the
// rows of the events table a rule derives from the records, each keyed so
// that deriving again updates it instead of adding another, with the
// records that prove it in event_evidence. Nothing is deleted: an event
// the records no longer support is withdrawn with a reason, and one a
// person withdrew stays withdrawn.
package events

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
)

// Ref is a record that proves an event: its kind (ticket, work_order,
// communication, …), its id and its role (deadline, start, stop, …).
type Ref struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Role string `json:"role"`
}

// Computed is an event a rule derived.
type Computed struct {
	Key        string // deterministic: the same occurrence always has the same key
	Type       string
	Rule       string
	StaffID    *string
	CustomerID *string
	OccurredAt time.Time
	Quantity   int64 // minutes late, days overdue, …
	Detail     string
	Evidence   []Ref
}

type row struct {
	ID          string    `bun:"id,pk"`
	Type        string    `bun:"type"`
	StaffID     *string   `bun:"staff_id"`
	CustomerID  *string   `bun:"customer_id"`
	OccurredAt  time.Time `bun:"occurred_at"`
	Quantity    int64     `bun:"quantity"`
	Rule        string    `bun:"rule"`
	Detail      string    `bun:"detail"`
	Source      string    `bun:"source"`
	ComputedKey *string   `bun:"computed_key"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`

	bun.BaseModel `bun:"table:events"`
}

// Put writes evs in db: new, or updated in place (the quantity of
// something still late grows); an event the system withdrew comes back,
// one a person withdrew does not. Evidence is added, never removed.
func Put(ctx context.Context, db bun.IDB, evs []Computed, now time.Time) error {
	now = store.Time(now)
	for _, e := range evs {
		key := e.Key
		r := &row{ID: store.NewID(), Type: e.Type, StaffID: e.StaffID, CustomerID: e.CustomerID, OccurredAt: store.Time(e.OccurredAt),
			Quantity: e.Quantity, Rule: e.Rule, Detail: e.Detail, Source: "computed", ComputedKey: &key, CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(r).On("CONFLICT (computed_key) DO UPDATE").
			Set("staff_id = EXCLUDED.staff_id, customer_id = EXCLUDED.customer_id, occurred_at = EXCLUDED.occurred_at").
			Set("quantity = EXCLUDED.quantity, detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
			return err
		}
		if _, err := db.NewRaw(`UPDATE events SET withdrawn_at = NULL, withdraw_reason = '' WHERE computed_key = ? AND withdrawn_at IS NOT NULL AND withdrawn_by IS NULL`,
			key).Exec(ctx); err != nil {
			return err
		}
		for _, ref := range e.Evidence {
			if _, err := db.NewRaw(`INSERT INTO event_evidence (event_id, kind, ref_id, role)
				SELECT id, ?, ?, ? FROM events WHERE computed_key = ? ON CONFLICT DO NOTHING`, ref.Kind, ref.ID, ref.Role, key).Exec(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// WithdrawStale withdraws, with reason, the standing computed events of
// types whose key is not in keep (the rule no longer finds them), and
// says how many.
func WithdrawStale(ctx context.Context, db bun.IDB, types []string, keep map[string]bool, now time.Time, reason string) (int, error) {
	return withdrawStale(ctx, db, types, time.Time{}, time.Time{}, keep, now, reason)
}

// WithdrawStaleBetween is WithdrawStale for a rule that derives only a
// window of time: it withdraws only the events that occurred in [from,
// to), leaving those outside the window as the last derivation that
// covered them left them.
func WithdrawStaleBetween(ctx context.Context, db bun.IDB, types []string, from, to time.Time, keep map[string]bool, now time.Time, reason string) (int, error) {
	return withdrawStale(ctx, db, types, store.Time(from), store.Time(to), keep, now, reason)
}

func withdrawStale(ctx context.Context, db bun.IDB, types []string, from, to time.Time, keep map[string]bool, now time.Time, reason string) (int, error) {
	var old []struct {
		ID  string `bun:"id"`
		Key string `bun:"computed_key"`
	}
	q := `SELECT id, computed_key FROM events WHERE source = 'computed' AND withdrawn_at IS NULL AND type IN (?)`
	args := []any{bun.In(types)}
	if !from.IsZero() || !to.IsZero() {
		q += " AND occurred_at >= ? AND occurred_at < ?"
		args = append(args, from, to)
	}
	if err := db.NewRaw(q, args...).Scan(ctx, &old); err != nil {
		return 0, err
	}
	n := 0
	for _, o := range old {
		if keep[o.Key] {
			continue
		}
		if _, err := db.NewRaw(`UPDATE events SET withdrawn_at = ?, withdraw_reason = ?, updated_at = ? WHERE id = ?`,
			store.Time(now), reason, store.Time(now), o.ID).Exec(ctx); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
