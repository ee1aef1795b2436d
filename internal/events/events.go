// Package events writes computed appraisal events (考核事件, SPEC §8.2): the
// rows of the events table a rule derives from the records, each keyed so
// that deriving again updates it instead of adding another, with the
// records that prove it in event_evidence (or, for an event whose
// evidence is fixed, in its row's evidence_refs). Nothing is deleted: an event
// the records no longer support is withdrawn with a reason, and one a
// person withdrew stays withdrawn.
package events

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

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
//
// It reads what is stored for the keys first and writes only what
// differs: deriving again over unchanged records writes nothing, which is
// what the periodic detectors do almost every time.
func Put(ctx context.Context, db bun.IDB, evs []Computed, now time.Time) error {
	if len(evs) == 0 {
		return nil
	}
	now = store.Time(now)
	evs = lastOfEachKey(evs)
	stored, err := storedByKey(ctx, db, evs)
	if err != nil {
		return err
	}
	var fresh []*row
	var revive []string
	for i := range evs {
		e := &evs[i]
		key := e.Key
		at := store.Time(e.OccurredAt)
		st, ok := stored[key]
		if !ok {
			fresh = append(fresh, &row{ID: store.NewID(), Type: e.Type, StaffID: e.StaffID, CustomerID: e.CustomerID, OccurredAt: at,
				Quantity: e.Quantity, Rule: e.Rule, Detail: e.Detail, Source: "computed", ComputedKey: &key, CreatedAt: now, UpdatedAt: now})
			continue
		}
		if st.Withdrawn && !st.ByPerson {
			revive = append(revive, st.ID)
		}
		if st.same(e, at) {
			continue
		}
		if _, err := db.NewRaw(`UPDATE events SET staff_id = ?, customer_id = ?, occurred_at = ?, quantity = ?, detail = ?, updated_at = ?
			WHERE id = ?`, e.StaffID, e.CustomerID, at, e.Quantity, e.Detail, now, st.ID).Exec(ctx); err != nil {
			return err
		}
	}
	if err := insertFresh(ctx, db, fresh); err != nil {
		return err
	}
	for start := 0; start < len(revive); start += 500 {
		if _, err := db.NewRaw(`UPDATE events SET withdrawn_at = NULL, withdraw_reason = '', updated_at = ? WHERE id IN (?)`,
			now, bun.In(revive[start:min(start+500, len(revive))])).Exec(ctx); err != nil {
			return err
		}
	}
	idOf := make(map[string]string, len(evs))
	for k, st := range stored {
		idOf[k] = st.ID
	}
	for _, r := range fresh {
		idOf[*r.ComputedKey] = r.ID
	}
	var refs []evidenceRow
	seen := map[[3]string]bool{}
	for _, e := range evs {
		var have map[[2]string]bool
		if st := stored[e.Key]; st != nil {
			have = st.refs
		}
		for _, ref := range e.Evidence {
			k := [3]string{idOf[e.Key], ref.Kind, ref.ID}
			if have[[2]string{ref.Kind, ref.ID}] || seen[k] {
				continue
			}
			seen[k] = true
			refs = append(refs, evidenceRow{EventID: idOf[e.Key], Kind: ref.Kind, RefID: ref.ID, Role: ref.Role})
		}
	}
	return insertEvidence(ctx, db, refs)
}

// insertFresh inserts new events' rows. On SQLite, inside a transaction,
// they go store.RowsPerInsert to a prepared statement: a manager's
// derivation of the ticket deadlines writes some 50,000 events with their
// evidence while the writer waits, and bun's statements of 500 rows,
// formatted and parsed each time, took a third of that. OR FAIL: see
// store.MultiInsert.
func insertFresh(ctx context.Context, db bun.IDB, fresh []*row) error {
	if p, ok := sqliteTx(db); ok {
		ins := store.NewMultiInsert(p, `INSERT OR FAIL INTO events (id, type, staff_id, customer_id, occurred_at, quantity, rule, detail, source,
			computed_key, created_at, updated_at)`, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "")
		defer ins.Close()
		return ins.ExecRows(ctx, len(fresh), func(i int, args []any) []any {
			r := fresh[i]
			return append(args, r.ID, r.Type, store.Nullable(r.StaffID), store.Nullable(r.CustomerID), store.FormatSQLiteTime(r.OccurredAt), r.Quantity,
				r.Rule, r.Detail, r.Source, store.Nullable(r.ComputedKey), store.FormatSQLiteTime(r.CreatedAt), store.FormatSQLiteTime(r.UpdatedAt))
		})
	}
	for start := 0; start < len(fresh); start += 500 {
		part := fresh[start:min(start+500, len(fresh))]
		if _, err := db.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// insertEvidence inserts evidence rows, those already stored left as
// they are (as insertFresh on SQLite).
func insertEvidence(ctx context.Context, db bun.IDB, refs []evidenceRow) error {
	if p, ok := sqliteTx(db); ok {
		ins := store.NewMultiInsert(p, `INSERT OR FAIL INTO event_evidence (event_id, kind, ref_id, role)`, "(?, ?, ?, ?)", "ON CONFLICT DO NOTHING")
		defer ins.Close()
		return ins.ExecRows(ctx, len(refs), func(i int, args []any) []any {
			r := refs[i]
			return append(args, r.EventID, r.Kind, r.RefID, r.Role)
		})
	}
	for start := 0; start < len(refs); start += 500 {
		part := refs[start:min(start+500, len(refs))]
		if _, err := db.NewInsert().Model(&part).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// sqliteTx is db as a SQLite transaction that prepares statements.
func sqliteTx(db bun.IDB) (store.Preparer, bool) {
	if db.Dialect().Name() != dialect.SQLite {
		return nil, false
	}
	tx, ok := db.(bun.Tx)
	return tx, ok
}

// lastOfEachKey keeps the last event of each key, in order (a rule that
// derived a key twice meant the later one).
func lastOfEachKey(evs []Computed) []Computed {
	last := make(map[string]int, len(evs))
	for i, e := range evs {
		last[e.Key] = i
	}
	if len(last) == len(evs) {
		return evs
	}
	out := make([]Computed, 0, len(last))
	for i, e := range evs {
		if last[e.Key] == i {
			out = append(out, e)
		}
	}
	return out
}

type evidenceRow struct {
	EventID string `bun:"event_id"`
	Kind    string `bun:"kind"`
	RefID   string `bun:"ref_id"`
	Role    string `bun:"role"`

	bun.BaseModel `bun:"table:event_evidence"`
}

// storedEvent is what is stored for a computed key.
type storedEvent struct {
	ID                  string
	StaffID, CustomerID *string
	OccurredAt          time.Time
	Quantity            int64
	Detail              string
	Withdrawn, ByPerson bool
	refs                map[[2]string]bool // kind, ref id (the evidence key with the event)
}

func (st *storedEvent) same(e *Computed, at time.Time) bool {
	return eq(st.StaffID, e.StaffID) && eq(st.CustomerID, e.CustomerID) && st.OccurredAt.Equal(at) &&
		st.Quantity == e.Quantity && st.Detail == e.Detail
}

func eq(a, b *string) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// storedByKey reads the stored events of evs' keys with their evidence.
func storedByKey(ctx context.Context, db bun.IDB, evs []Computed) (map[string]*storedEvent, error) {
	keys := make([]string, len(evs))
	for i, e := range evs {
		keys[i] = e.Key
	}
	out := make(map[string]*storedEvent, len(evs))
	byID := map[string]*storedEvent{}
	for start := 0; start < len(keys); start += 500 {
		var rows []struct {
			ID          string     `bun:"id"`
			Key         string     `bun:"computed_key"`
			StaffID     *string    `bun:"staff_id"`
			CustomerID  *string    `bun:"customer_id"`
			OccurredAt  time.Time  `bun:"occurred_at"`
			Quantity    int64      `bun:"quantity"`
			Detail      string     `bun:"detail"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
			WithdrawnBy *string    `bun:"withdrawn_by"`
			Refs        string     `bun:"evidence_refs"`
		}
		if err := db.NewRaw(`SELECT id, computed_key, staff_id, customer_id, occurred_at, quantity, detail, withdrawn_at, withdrawn_by, evidence_refs
			FROM events WHERE computed_key IN (?)`, bun.In(keys[start:min(start+500, len(keys))])).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			st := &storedEvent{ID: r.ID, StaffID: r.StaffID, CustomerID: r.CustomerID, OccurredAt: r.OccurredAt, Quantity: r.Quantity,
				Detail: r.Detail, Withdrawn: r.WithdrawnAt != nil, ByPerson: r.WithdrawnBy != nil, refs: map[[2]string]bool{}}
			inline, err := DecodeRefs(r.Refs)
			if err != nil {
				return nil, err
			}
			for _, ref := range inline {
				st.refs[[2]string{ref.Kind, ref.ID}] = true
			}
			out[r.Key], byID[r.ID] = st, st
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	for start := 0; start < len(ids); start += 500 {
		var refs []evidenceRow
		if err := db.NewRaw(`SELECT event_id, kind, ref_id, role FROM event_evidence WHERE event_id IN (?)`,
			bun.In(ids[start:min(start+500, len(ids))])).Scan(ctx, &refs); err != nil {
			return nil, err
		}
		for _, r := range refs {
			byID[r.EventID].refs[[2]string{r.Kind, r.RefID}] = true
		}
	}
	return out, nil
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

// WithdrawKeys withdraws, with reason, the standing computed events of
// types among keys (a rule that re-read them and no longer finds them),
// and says how many. Keys of other types, or not stored, are ignored.
func WithdrawKeys(ctx context.Context, db bun.IDB, types, keys []string, now time.Time, reason string) (int, error) {
	n := 0
	now = store.Time(now)
	for start := 0; start < len(keys); start += 500 {
		res, err := db.NewRaw(`UPDATE events SET withdrawn_at = ?, withdraw_reason = ?, updated_at = ?
			WHERE source = 'computed' AND withdrawn_at IS NULL AND type IN (?) AND computed_key IN (?)`,
			now, reason, now, bun.In(types), bun.In(keys[start:min(start+500, len(keys))])).Exec(ctx)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}
