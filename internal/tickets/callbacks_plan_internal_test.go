package tickets

import (
	"context"
	"strings"
	"testing"

	"kefu/internal/store/storetest"
)

// The queue's open callbacks, the first hundred soonest due, come from
// callbacks_due in its order — SQLite neither reads every open callback
// nor sorts them (it did through callbacks_done before migration 00031);
// narrowed to one person they come through that person's index; the
// ranges of done_at (the quarterly sample, the satisfaction summary)
// still read callbacks_done. Plans are SQLite's (EXPLAIN QUERY PLAN).
func TestCallbacksQueryPlan(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	plan := func(q string, args ...any) string {
		t.Helper()
		rows, err := db.R().QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "\n")
	}
	for _, c := range []struct {
		name      string
		q         string
		want, not string
	}{
		{"open, everyone's", callbacksQuery(db.R(), CallbackFilter{Open: true}).String(), "USING INDEX callbacks_due", "TEMP B-TREE"},
		{"open, one person's", callbacksQuery(db.R(), CallbackFilter{Open: true, StaffID: "s1"}).String(), "USING INDEX callbacks_staff (staff_id=?)", "callbacks_done"},
		{"done in a range", `SELECT id FROM callbacks AS cb WHERE cb.done_at >= '2026-01-01' AND cb.done_at < '2026-04-01' AND cb.cancelled_at IS NULL`,
			"USING INDEX callbacks_done (done_at>? AND done_at<?)", "SCAN"},
	} {
		got := plan(c.q)
		if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("%s: plan\n%s\nwant %q and no %q", c.name, got, c.want, c.not)
		}
	}
}
