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

// registration_incomplete: a ticket incomplete when its grace (1 working
// day after receipt) ends is one event against its first-contact owner,
// still standing when completed later; one completed within the grace
// gives none; a longer grace withdraws an event not yet due.
func TestDeriveRegistrationEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // Thursday 2026-03-05 10:00: the grace ends with Friday 03-06
		incomplete := func() tickets.TicketInput {
			in := repair(e.a)
			in.ModelSpec = ""
			in.ReceivedAt = "2026-03-05 10:00:00"
			return in
		}
		complete := func(tk *tickets.Ticket) {
			t.Helper()
			in := repair(e.a)
			in.ReceivedAt = "2026-03-05 10:00:00"
			d := e.detail(tk.ID)
			if got, err := e.svc.UpdateTicket(e.asSpec1, tk.ID, d.Version, in); err != nil || got.Incomplete {
				t.Fatalf("complete: %+v %v", got, err)
			}
		}
		whole := e.ticket(e.asSpec1, repair(e.a))
		never := e.ticket(e.asSpec1, incomplete())
		inGrace := e.ticket(e.asSpec1, incomplete())
		late := e.ticket(e.asSpec1, incomplete())
		if whole.Incomplete || !never.Incomplete {
			t.Fatalf("completeness: %v %v", whole.Incomplete, never.Incomplete)
		}
		type ev struct {
			Key         string     `bun:"computed_key"`
			StaffID     *string    `bun:"staff_id"`
			OccurredAt  time.Time  `bun:"occurred_at"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
		}
		read := func() map[string]ev {
			t.Helper()
			var evs []ev
			if err := db.R().NewRaw("SELECT computed_key, staff_id, occurred_at, withdrawn_at FROM events WHERE type = ?",
				tickets.EventRegistrationIncomplete).Scan(context.Background(), &evs); err != nil {
				t.Fatal(err)
			}
			out := map[string]ev{}
			for _, x := range evs {
				out[x.Key] = x
			}
			return out
		}
		key := func(tk *tickets.Ticket) string { return "registration_incomplete|" + tk.ID }
		derive := func(want tickets.RegistrationCounts) {
			t.Helper()
			n, err := e.svc.DeriveRegistrationEvents(e.sys)
			if err != nil || n != want {
				t.Fatalf("derive: %+v %v, want %+v", n, err, want)
			}
		}
		if _, err := e.svc.DeriveRegistrationEvents(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist runs it: %v", err)
		}
		// Within the grace: nothing yet.
		e.clock.Set(time.Date(2026, 3, 6, 15, 0, 0, 0, shanghai))
		complete(inGrace)
		derive(tickets.RegistrationCounts{})
		// After the grace (Saturday): the two still incomplete.
		e.clock.Set(time.Date(2026, 3, 7, 1, 0, 0, 0, shanghai))
		derive(tickets.RegistrationCounts{Incomplete: 2})
		got := read()
		if len(got) != 2 {
			t.Fatalf("events %+v", got)
		}
		for _, tk := range []*tickets.Ticket{never, late} {
			x, ok := got[key(tk)]
			if !ok || x.StaffID == nil || *x.StaffID != e.spec1.ID || x.WithdrawnAt != nil ||
				!x.OccurredAt.Equal(time.Date(2026, 3, 7, 0, 0, 0, 0, shanghai)) {
				t.Fatalf("event of %s: %+v", tk.Number, x)
			}
		}
		// Completed on Monday, after the grace: the event stands; deriving
		// again changes nothing.
		e.clock.Set(time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai))
		complete(late)
		derive(tickets.RegistrationCounts{Incomplete: 1, CompletedLate: 1})
		derive(tickets.RegistrationCounts{Incomplete: 1, CompletedLate: 1})
		if x := read()[key(late)]; x.WithdrawnAt != nil {
			t.Fatalf("completed late, withdrawn: %+v", x)
		}
		// A grace of 3 working days (to the end of Tuesday 03-10): neither
		// is late yet on Monday: both withdrawn.
		pol, err := e.svc.Policy(e.asMgr)
		if err != nil {
			t.Fatal(err)
		}
		pol.RegistrationGraceWorkingDays = 3
		if err := e.svc.SavePolicy(e.asMgr, pol); err != nil {
			t.Fatal(err)
		}
		derive(tickets.RegistrationCounts{Withdrawn: 2})
		for k, x := range read() {
			if x.WithdrawnAt == nil {
				t.Fatalf("%s not withdrawn", k)
			}
		}
		// Wednesday: the one never completed is late again, the one
		// completed on Monday (within three days) is not.
		e.clock.Set(time.Date(2026, 3, 11, 9, 0, 0, 0, shanghai))
		derive(tickets.RegistrationCounts{Incomplete: 1})
		if x := read()[key(never)]; x.WithdrawnAt != nil {
			t.Fatalf("late again, still withdrawn: %+v", x)
		}
		// Saving the policy without the grace keeps it; a bad one is refused.
		pol.RegistrationGraceWorkingDays = 0
		if err := e.svc.SavePolicy(e.asMgr, pol); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Policy(e.asMgr); p.RegistrationGraceWorkingDays != 3 {
			t.Fatalf("grace after saving 0: %d", p.RegistrationGraceWorkingDays)
		}
		pol.RegistrationGraceWorkingDays = 11
		wantErr(t, e.svc.SavePolicy(e.asMgr, pol), apperr.KindInvalid, "registration_grace_working_days")
	})
}
