package contracts_test

import (
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/notify"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // today Thursday 2026-03-05
		c := e.customer("国贸物业", e.r1, e.spec1)
		in := maint("HT-1", c, "2025-03-20", "2026-03-20") // window opened 02-20
		in.Installments = []contracts.InstallmentInput{
			{DueOn: "2025-12-01", AmountFen: 4_000_000}, // overdue
			{DueOn: "2026-03-10", AmountFen: 4_000_000}, // due in 5 days
			{DueOn: "2026-03-20", AmountFen: 4_000_000}, // later than 7 days
		}
		e.contract(e.asMgr, in)
		n, err := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: c.ID, Title: "加装新风"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai)) // quote sent Monday; 3 working days → end of Thursday
		if _, err := e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "Q1", Send: true, Lines: []contracts.QuoteLineInput{{Item: "新风机", Quantity: 1, UnitPriceFen: 100}}}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(startTime)
		if _, err := e.svc.RunReminders(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist runs reminders: %v", err)
		}
		got, err := e.svc.RunReminders(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		want := contracts.ReminderCounts{RenewalWindow: 1, InstallmentDue: 1, Overdue: 1, QuoteFollowUp: 1}
		if got != want {
			t.Fatalf("first run %+v, want %+v", got, want)
		}
		// Running again adds nothing.
		if again, err := e.svc.RunReminders(e.sys); err != nil || again != (contracts.ReminderCounts{}) {
			t.Fatalf("second run %+v %v", again, err)
		}
		ns := notify.NewService(db, e.clock.Now)
		list, err := ns.List(e.asSpec1, true, 0)
		if err != nil || len(list) != 4 {
			t.Fatalf("spec1 notifications %d %v", len(list), err)
		}
		if others, _ := ns.List(e.asSpec2, false, 0); len(others) != 0 {
			t.Fatalf("spec2 got %d notifications", len(others))
		}
		if err := ns.MarkRead(e.asSpec2, list[0].ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("spec2 marks spec1's notice: %v", err)
		}
		if u, _ := ns.Unread(e.asSpec1); u != 4 {
			t.Fatalf("another's MarkRead changed spec1's unread to %d", u)
		}
		if err := ns.MarkRead(e.asSpec1, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := ns.Unread(e.asSpec1); u != 3 {
			t.Fatalf("unread %d", u)
		}
		if err := ns.MarkRead(e.asSpec1, ""); err != nil {
			t.Fatal(err)
		}
		if u, _ := ns.Unread(e.asSpec1); u != 0 {
			t.Fatalf("unread after all %d", u)
		}
		if _, err := ns.List(e.anon, false, 0); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Fatalf("anonymous list: %v", err)
		}
	})
}
