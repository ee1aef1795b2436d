package comms

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// putClocks inserts the clocks it is told are fresh (INSERT OR FAIL … DO
// NOTHING on SQLite) and upserts the others; a fresh clock that is stored
// after all is upserted again with the statement it was in, and nothing
// is lost or doubled.
func TestPutClocksFreshStoredAfterAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := &Service{db: db}
		at := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
		clock := func(i int, state string) clockRow {
			c := &StoredClock{Key: fmt.Sprintf("wechat_response|g|%03d", i), Kind: "wechat_response", Conversation: "g",
				StartID: fmt.Sprintf("r%03d", i), StartedAt: at, Deadline: at.Add(3 * time.Minute), State: state, DerivedAt: at}
			return clockRow{c: c, fresh: true}
		}
		put := func(rows []clockRow) {
			t.Helper()
			if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return s.putClocks(ctx, tx, rows) }); err != nil {
				t.Fatal(err)
			}
		}
		const n = 2*store.RowsPerInsert + 10
		var first []clockRow
		for i := range n {
			first = append(first, clock(i, "running"))
		}
		put(first)
		// The writer's view is stale for one key of the second statement:
		// it is written as fresh although stored; the others are new or,
		// marked so, updates.
		var again []clockRow
		for i := range n + 5 {
			r := clock(i, "breached")
			r.fresh = i >= n || i == store.RowsPerInsert+3
			if i >= n {
				r.c.State = "running"
			}
			again = append(again, r)
		}
		put(again)
		var rows []struct {
			Key   string `bun:"key"`
			State string `bun:"state"`
		}
		if err := db.R().NewRaw("SELECT key, state FROM response_clocks ORDER BY key").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != n+5 {
			t.Fatalf("%d clocks stored, want %d", len(rows), n+5)
		}
		for i, r := range rows {
			want := "breached"
			if i >= n {
				want = "running"
			}
			if r.Key != again[i].c.Key || r.State != want {
				t.Errorf("clock %d: %s %s, want %s %s", i, r.Key, r.State, again[i].c.Key, want)
			}
		}
	})
}
