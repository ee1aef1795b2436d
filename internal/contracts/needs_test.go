package contracts_test

import (
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestNeedsQuotesAndFollowUps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Thursday 2026-04-30 10:00: 5月1日–5日 are holidays, Saturday 5-9 is a 调休 working day.
		e.clock.Set(time.Date(2026, 4, 30, 10, 0, 0, 0, shanghai))
		c := e.customer("国贸物业", e.r1, e.spec1)
		if _, err := e.svc.CreateNeed(e.asSpec2, contracts.NeedInput{CustomerID: c.ID, Title: "x"}); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 raises a need for spec1's customer: %v", err)
		}
		_, err := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: c.ID})
		wantErr(t, err, apperr.KindInvalid, "title")
		n, err := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: c.ID, Title: "新增冷却塔清洗", Description: "两台冷却塔"})
		if err != nil || n.Status != "open" || n.OwnerID == nil || *n.OwnerID != e.spec1.ID || n.RaisedOn != "2026-04-30" {
			t.Fatalf("need %+v %v", n, err)
		}
		_, err = e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "BJ-1"})
		wantErr(t, err, apperr.KindInvalid, "lines")
		_, err = e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "BJ-1", Lines: []contracts.QuoteLineInput{{Item: "清洗", Quantity: 0, UnitPriceFen: 1}}})
		wantErr(t, err, apperr.KindInvalid, "lines[0].quantity")
		q, err := e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "bj-1", ValidUntil: "2026-05-31", Send: true, Lines: []contracts.QuoteLineInput{
			{Item: "冷却塔清洗", Quantity: 2, Unit: "台", UnitPriceFen: 350_000}, {Item: "水处理药剂", Quantity: 10, Unit: "桶", UnitPriceFen: 12_050}}})
		if err != nil || q.TotalFen != 820_500 || q.Number != "BJ-1" || q.SentAt == nil {
			t.Fatalf("quote %+v %v", q, err)
		}
		_, err = e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "BJ-1", Lines: []contracts.QuoteLineInput{{Item: "x", Quantity: 1}}})
		wantErr(t, err, apperr.KindConflict, "number")

		// 3 working days from Thursday 4-30: 5-6 (Wed), 5-7, 5-8 … the deadline is the end of the 3rd working day after.
		check := func(now time.Time, overdue bool) {
			t.Helper()
			e.clock.Set(now)
			list, err := e.svc.ListNeeds(e.asSpec1, contracts.NeedFilter{})
			if err != nil || len(list) != 1 {
				t.Fatalf("needs %+v %v", list, err)
			}
			if list[0].FollowUpOverdue != overdue || list[0].FollowUpDue == nil {
				t.Fatalf("at %s: overdue %v (due %v), want %v", now, list[0].FollowUpOverdue, list[0].FollowUpDue, overdue)
			}
		}
		check(time.Date(2026, 5, 8, 23, 59, 0, 0, shanghai), false)
		check(time.Date(2026, 5, 9, 0, 0, 1, 0, shanghai), true)
		flagged, _ := e.svc.ListNeeds(e.asMgr, contracts.NeedFilter{FollowUpOverdue: true})
		if len(flagged) != 1 {
			t.Fatalf("flagged %d", len(flagged))
		}
		if _, err := e.svc.LogFollowUp(e.asSpec1, n.ID, contracts.CommunicationInput{Channel: "phone_out", Summary: "客户在走审批"}); err != nil {
			t.Fatal(err)
		}
		check(time.Date(2026, 5, 9, 10, 0, 0, 0, shanghai), false)
		d, err := e.svc.GetNeed(e.asSpec1, n.ID)
		if err != nil || len(d.QuoteList) != 1 || len(d.QuoteList[0].Lines) != 2 || len(d.FollowUps) != 1 || d.FollowUps[0].Tags[0] != "quote" || d.Status != "quoted" {
			t.Fatalf("detail %+v %v", d, err)
		}
		// Won needs a contract of the same customer.
		other := e.customer("望京写字楼", e.r2, e.spec2)
		ko := e.contract(e.asMgr, maint("HT-O", other, "2026-06-01", "2027-05-31"))
		_, err = e.svc.CloseNeed(e.asSpec1, n.ID, d.Version, "won", ko.ID, "")
		wantErr(t, err, apperr.KindInvalid, "contract_id")
		k := e.contract(e.asSpec1, maint("HT-N", c, "2026-06-01", "2027-05-31"))
		won, err := e.svc.CloseNeed(e.asSpec1, n.ID, d.Version, "won", k.ID, "")
		if err != nil || won.Status != "won" || *won.WonContractID != k.ID {
			t.Fatalf("won %+v %v", won, err)
		}
		_, err = e.svc.CloseNeed(e.asSpec1, n.ID, won.Version, "lost", "", "改主意")
		wantErr(t, err, apperr.KindConflict, "status")
		_, err = e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "BJ-2", Lines: []contracts.QuoteLineInput{{Item: "x", Quantity: 1}}})
		wantErr(t, err, apperr.KindConflict, "status")
		if list, _ := e.svc.ListNeeds(e.asSpec2, contracts.NeedFilter{}); len(list) != 0 {
			t.Fatalf("spec2 sees %d needs", len(list))
		}
	})
}
