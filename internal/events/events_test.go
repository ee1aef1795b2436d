package events_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/events"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type stored struct {
	ID          string     `bun:"id"`
	Quantity    int64      `bun:"quantity"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
	Reason      string     `bun:"withdraw_reason"`
}

// Put keys events: a second put updates the first, a system withdrawal is
// undone, a person's is not, evidence accumulates; WithdrawStale
// withdraws the standing events of the types that are no longer found.
func TestPutAndWithdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		write := func(fn func(ctx context.Context, tx bun.Tx) error) {
			t.Helper()
			if err := db.Transact(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		get := func(key string) stored {
			t.Helper()
			var s stored
			if err := db.R().NewRaw("SELECT id, quantity, withdrawn_at, withdraw_reason FROM events WHERE computed_key = ?", key).Scan(ctx, &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		evidence := func(id string) int {
			t.Helper()
			var n int
			if err := db.R().NewRaw("SELECT COUNT(*) FROM event_evidence WHERE event_id = ?", id).Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		ev := func(key string, q int64, ref string) events.Computed {
			return events.Computed{Key: key, Type: "dispatch_overdue", Rule: "dispatch_overdue", OccurredAt: now, Quantity: q, Detail: "late",
				Evidence: []events.Ref{{Kind: "work_order", ID: ref, Role: "deadline"}}}
		}
		write(func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{ev("a", 1, "w1"), ev("b", 1, "w2")}, now)
		})
		a := get("a")
		write(func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{ev("a", 3, "w1b")}, now)
		})
		if again := get("a"); again.ID != a.ID || again.Quantity != 3 || evidence(a.ID) != 2 {
			t.Fatalf("a put again: %+v (was %+v), %d evidence", again, a, evidence(a.ID))
		}
		// The same again writes nothing: not the row, not its evidence; a
		// key derived twice in one put is one event.
		var before time.Time
		if err := db.R().NewRaw("SELECT updated_at FROM events WHERE computed_key = 'a'").Scan(ctx, &before); err != nil {
			t.Fatal(err)
		}
		write(func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{ev("a", 3, "w1"), ev("a", 3, "w1b")}, now.Add(time.Hour))
		})
		var after time.Time
		if err := db.R().NewRaw("SELECT updated_at FROM events WHERE computed_key = 'a'").Scan(ctx, &after); err != nil {
			t.Fatal(err)
		}
		if !after.Equal(before) || evidence(a.ID) != 2 {
			t.Fatalf("an unchanged put rewrote the event (updated %v → %v) or its evidence (%d)", before, after, evidence(a.ID))
		}
		// Withdrawn by the system: comes back; by a person: stays.
		if _, err := db.SQLDB().Exec("UPDATE events SET withdrawn_at = created_at, withdraw_reason = 'sys' WHERE computed_key = 'a'"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQLDB().Exec("INSERT INTO staff (id, login, name, created_at, updated_at) VALUES ('p1', 'p1', 'P', '2026-03-05 00:00:00', '2026-03-05 00:00:00')"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQLDB().Exec("UPDATE events SET withdrawn_at = created_at, withdrawn_by = 'p1', withdraw_reason = 'person' WHERE computed_key = 'b'"); err != nil {
			t.Fatal(err)
		}
		write(func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{ev("a", 3, "w1"), ev("b", 2, "w2")}, now)
		})
		if s := get("a"); s.WithdrawnAt != nil {
			t.Fatalf("a system withdrawal stands: %+v", s)
		}
		if s := get("b"); s.WithdrawnAt == nil || s.Quantity != 2 {
			t.Fatalf("a person's withdrawal was undone (or the event not updated): %+v", s)
		}
		// c is put, then the rule finds only a: c is withdrawn, a stays.
		write(func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{ev("c", 1, "w3")}, now)
		})
		var n int
		write(func(ctx context.Context, tx bun.Tx) error {
			var err error
			n, err = events.WithdrawStale(ctx, tx, []string{"dispatch_overdue"}, map[string]bool{"a": true}, now, "no longer late")
			return err
		})
		if c := get("c"); n != 1 || c.WithdrawnAt == nil || c.Reason != "no longer late" {
			t.Fatalf("withdraw stale: %d, c %+v", n, c)
		}
		if a := get("a"); a.WithdrawnAt != nil {
			t.Fatalf("a kept event was withdrawn: %+v", a)
		}
	})
}

// Evidence is read from both places it is kept: event_evidence rows and
// the row's evidence_refs (migration 00030), merged by kind then id, by
// Evidence and by List; a put of the same key keeps the inline refs in
// the comparison (nothing to add).
func TestEvidenceBothPlaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := access.With(context.Background(), access.System())
		now := store.Time(time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC))
		inline := events.EncodeRefs([]events.Ref{{Kind: "communication", ID: "c2", Role: "stop"}, {Kind: "communication", ID: "c1", Role: "start"}})
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewRaw(`INSERT INTO events (id, type, occurred_at, rule, detail, source, computed_key, created_at, updated_at, evidence_refs)
				VALUES ('e1', 'wechat_timeout', ?, 'wechat_timeout', '', 'computed', 'k1', ?, ?, ?)`, now, now, now, inline).Exec(ctx); err != nil {
				return err
			}
			_, err := tx.NewRaw(`INSERT INTO event_evidence (event_id, kind, ref_id, role) VALUES ('e1', 'ticket', 't1', 'request')`).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want := []events.Ref{{Kind: "communication", ID: "c1", Role: "start"}, {Kind: "communication", ID: "c2", Role: "stop"}, {Kind: "ticket", ID: "t1", Role: "request"}}
		got, err := events.Evidence(ctx, db.R(), "e1")
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Evidence = %+v, %v; want %+v", got, err, want)
		}
		list, err := events.List(ctx, db.R(), events.Filter{})
		if err != nil || len(list) != 1 || !slices.Equal(list[0].Evidence, want) {
			t.Fatalf("List = %+v, %v", list, err)
		}
		// The same key put with one of its inline refs adds no row.
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{{Key: "k1", Type: "wechat_timeout", Rule: "wechat_timeout", OccurredAt: now,
				Quantity: 1, Evidence: []events.Ref{{Kind: "communication", ID: "c1", Role: "start"}}}}, now)
		}); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM event_evidence WHERE event_id = 'e1'").Scan(ctx, &rows); err != nil || rows != 1 {
			t.Fatalf("evidence rows %d, %v", rows, err)
		}
	})
}

// Many new events in one Put (more than one prepared statement's rows on
// SQLite, the last one short): every event is stored as computed, with
// its times to the microsecond, its nullable columns and its evidence;
// putting them again with one more reference each adds only that.
func TestPutMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := access.With(context.Background(), access.System())
		now := time.Date(2026, 3, 5, 2, 0, 0, 123456000, time.UTC)
		const n = 2*64 + 7
		var evs []events.Computed
		for i := range n {
			e := events.Computed{Key: fmt.Sprintf("many|%03d", i), Type: "dispatch_overdue", Rule: "dispatch_overdue",
				OccurredAt: now.Add(-time.Duration(i) * time.Minute), Quantity: int64(i + 1), Detail: fmt.Sprintf("第 %d 单超期", i),
				Evidence: []events.Ref{{Kind: "work_order", ID: fmt.Sprintf("w%03d", i), Role: "deadline"}}}
			evs = append(evs, e)
		}
		put := func(evs []events.Computed) {
			t.Helper()
			if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return events.Put(ctx, tx, evs, now) }); err != nil {
				t.Fatal(err)
			}
		}
		put(evs)
		list, err := events.List(ctx, db.R(), events.Filter{Type: "dispatch_overdue", Limit: 5000})
		if err != nil || len(list) != n {
			t.Fatalf("List: %d events, %v; want %d", len(list), err, n)
		}
		for _, e := range list {
			var i int
			if _, err := fmt.Sscanf(e.Detail, "第 %d 单超期", &i); err != nil {
				t.Fatalf("detail %q: %v", e.Detail, err)
			}
			want := evs[i]
			if !e.OccurredAt.Equal(want.OccurredAt) || e.Quantity != want.Quantity || e.Source != "computed" || e.StaffID != nil ||
				!e.CreatedAt.Equal(now) || !e.UpdatedAt.Equal(now) || !slices.Equal(e.Evidence, want.Evidence) {
				t.Fatalf("event %d stored as %+v, want %+v", i, e, want)
			}
		}
		for i := range evs {
			evs[i].Evidence = append(evs[i].Evidence, events.Ref{Kind: "ticket", ID: fmt.Sprintf("t%03d", i), Role: "request"})
		}
		put(evs)
		var rows, distinct int
		if err := db.R().NewRaw("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM event_evidence").Scan(ctx, &rows, &distinct); err != nil || rows != 2*n || distinct != n {
			t.Fatalf("evidence rows %d of %d events (%v), want %d of %d", rows, distinct, err, 2*n, n)
		}
	})
}

// TestPutFailsWhole: the statements of events.Put on SQLite are INSERT
// OR FAIL (no statement journal), which leave the rows before a failing
// one in place; the transaction they run in is what takes them all back.
// A row refused in the third statement (a trigger stands in for a
// constraint) leaves no event of the put, nor of the statements before.
func TestPutFailsWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.SQLite {
			return // OR FAIL and the multi-row statements are SQLite's path
		}
		ctx := access.With(context.Background(), access.System())
		now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
		var evs []events.Computed
		for i := range 3*64 + 5 {
			evs = append(evs, events.Computed{Key: fmt.Sprintf("fail|%03d", i), Type: "dispatch_overdue", Rule: "dispatch_overdue",
				OccurredAt: now.Add(-time.Duration(i) * time.Minute), Quantity: 1, Detail: "超期",
				Evidence: []events.Ref{{Kind: "work_order", ID: fmt.Sprintf("w%03d", i), Role: "deadline"}}})
		}
		err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TEMP TRIGGER refuse_one BEFORE INSERT ON events WHEN NEW.computed_key = 'fail|150'
				BEGIN SELECT RAISE(FAIL, 'refused'); END`); err != nil {
				return err
			}
			defer func() { _, _ = tx.ExecContext(ctx, "DROP TRIGGER temp.refuse_one") }()
			return events.Put(ctx, tx, evs, now)
		})
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("Put with a refused row: %v", err)
		}
		var n, m int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE computed_key LIKE 'fail|%'").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if err := db.R().NewRaw("SELECT COUNT(*) FROM event_evidence WHERE ref_id LIKE 'w%'").Scan(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if n != 0 || m != 0 {
			t.Errorf("after the failed put: %d events and %d evidence rows stored, want none", n, m)
		}
	})
}

// EncodeRefs writes JSON that DecodeRefs (and encoding/json) reads back,
// whatever the strings hold; a column that is not such JSON is an error.
func TestEncodeRefs(t *testing.T) {
	for _, refs := range [][]events.Ref{
		nil,
		{{Kind: "communication", ID: "0192f0e4-8a4b-7c3d-9e2f-1a2b3c4d5e6f", Role: "start"}},
		{{Kind: "k\"ind", ID: `a\b`, Role: "停止\n"}, {Kind: "<x>&", ID: "\x00\x7f", Role: ""}},
	} {
		s := events.EncodeRefs(refs)
		got, err := events.DecodeRefs(s)
		if err != nil || !slices.Equal(got, refs) {
			t.Fatalf("EncodeRefs(%+v) = %q, read back %+v, %v", refs, s, got, err)
		}
		if s != "" && !json.Valid([]byte(s)) {
			t.Fatalf("EncodeRefs(%+v) = %q: not JSON", refs, s)
		}
	}
	if _, err := events.DecodeRefs("[{"); err == nil {
		t.Fatal("DecodeRefs of broken JSON: no error")
	}
}

func FuzzEncodeRefs(f *testing.F) {
	f.Add("communication", "0192f0e4-8a4b", "start")
	f.Add("k\"", "\\", "\x01")
	f.Fuzz(func(t *testing.T, kind, id, role string) {
		if !utf8.ValidString(kind) || !utf8.ValidString(id) || !utf8.ValidString(role) {
			t.Skip() // JSON carries text: invalid UTF-8 comes back replaced
		}
		refs := []events.Ref{{Kind: kind, ID: id, Role: role}}
		got, err := events.DecodeRefs(events.EncodeRefs(refs))
		if err != nil || !slices.Equal(got, refs) {
			t.Fatalf("round trip of %q: %q, %v", refs, got, err)
		}
	})
}
