package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

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
