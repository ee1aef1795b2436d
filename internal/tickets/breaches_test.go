package tickets_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

// Deadlines missed become events with days overdue, updated as time
// passes and withdrawn when the record is corrected.
func TestDeriveBreaches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 2026-03-05 10:00
		in := repair(e.a)
		in.PromisedAt = "2026-03-05 12:00:00"
		tk := e.ticket(e.asSpec1, in)
		if _, err := e.svc.DeriveBreaches(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist runs it: %v", err)
		}
		n, err := e.svc.DeriveBreaches(e.sys)
		if err != nil || n != (tickets.BreachCounts{}) {
			t.Fatalf("before the deadline %+v %v", n, err)
		}
		events := func() []struct {
			Type        string     `bun:"type"`
			Quantity    int64      `bun:"quantity"`
			StaffID     *string    `bun:"staff_id"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
		} {
			var out []struct {
				Type        string     `bun:"type"`
				Quantity    int64      `bun:"quantity"`
				StaffID     *string    `bun:"staff_id"`
				WithdrawnAt *time.Time `bun:"withdrawn_at"`
			}
			if err := db.R().NewRaw("SELECT type, quantity, staff_id, withdrawn_at FROM events WHERE source = 'computed' AND type <> 'first_response_overdue' ORDER BY type").Scan(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		e.clock.Set(time.Date(2026, 3, 5, 12, 0, 1, 0, shanghai))
		if n, _ := e.svc.DeriveBreaches(e.sys); n.Solution != 1 {
			t.Fatalf("one second late: %+v", n)
		}
		if ev := events(); len(ev) != 1 || ev[0].Quantity != 1 || *ev[0].StaffID != e.spec1.ID {
			t.Fatalf("events %+v", ev)
		}
		e.clock.Set(time.Date(2026, 3, 7, 12, 30, 0, 0, shanghai))
		if _, err := e.svc.DeriveBreaches(e.sys); err != nil {
			t.Fatal(err)
		}
		if ev := events(); len(ev) != 1 || ev[0].Quantity != 3 {
			t.Fatalf("2 days 30 minutes late: %+v", ev)
		}
		// Resolved (backdated to before the deadline): the breach is withdrawn.
		for _, st := range []struct{ to, at string }{{"acknowledged", "2026-03-05 10:05:00"}, {"in_progress", "2026-03-05 10:10:00"}, {"resolved", "2026-03-05 11:59:00"}} {
			d := e.detail(tk.ID)
			if _, err := e.svc.Transition(e.asSpec1, tk.ID, d.Version, tickets.TransitionInput{To: st.to, At: st.at}); err != nil {
				t.Fatal(err)
			}
		}
		// (Its first-response breach, acknowledged at 10:05, is withdrawn too;
		// sla_test.go covers those.)
		n, err = e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Withdrawn != 2 {
			t.Fatalf("after the backdated resolution %+v %v", n, err)
		}
		if ev := events(); ev[0].WithdrawnAt == nil {
			t.Fatalf("not withdrawn: %+v", ev)
		}
		// Its callback, due within 3 working days (by the end of Tuesday 3-10), is not done by Thursday noon.
		e.clock.Set(time.Date(2026, 3, 12, 12, 0, 0, 0, shanghai))
		n, err = e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Callback != 1 {
			t.Fatalf("callback overdue %+v %v", n, err)
		}
		for _, ev := range events() {
			if ev.Type == tickets.EventCallbackOverdue && (ev.Quantity != 2 || ev.WithdrawnAt != nil) {
				t.Fatalf("callback event %+v", ev)
			}
		}
	})
}
