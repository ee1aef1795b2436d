package contracts_test

import (
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
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

// TestCloseNeedLost closes a quoted need as lost with a reason: the
// status and reason are stored, the follow-up flag stops, the audit log
// has the change, and the closed need takes nothing more.
func TestCloseNeedLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		n, err := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: c.ID, Title: "冷却塔改造"})
		if err != nil {
			t.Fatal(err)
		}
		sent := startTime.AddDate(0, 0, -20) // long overdue for a follow-up
		if _, err := e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "BJ-L", SentAt: &sent,
			Lines: []contracts.QuoteLineInput{{Item: "填料", Quantity: 2, UnitPriceFen: 150_000}}}); err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.GetNeed(e.asSpec1, n.ID)
		if err != nil || d.Status != "quoted" || !d.FollowUpOverdue {
			t.Fatalf("before closing: %+v %v", d, err)
		}
		_, err = e.svc.CloseNeed(e.asSpec2, n.ID, d.Version, "lost", "", "越权")
		wantErr(t, err, apperr.KindForbidden, "")
		lost, err := e.svc.CloseNeed(e.asSpec1, n.ID, d.Version, "lost", "", "  客户选择了报价更低的厂家  ")
		if err != nil {
			t.Fatal(err)
		}
		if lost.Status != "lost" || lost.LostReason != "客户选择了报价更低的厂家" || lost.WonContractID != nil || lost.Version != d.Version+1 {
			t.Fatalf("closed %+v", lost)
		}
		got, err := e.svc.GetNeed(e.asMgr, n.ID)
		if err != nil || got.Status != "lost" || got.LostReason != "客户选择了报价更低的厂家" || got.FollowUpOverdue || got.FollowUpDue != nil {
			t.Fatalf("stored %+v %v", got, err)
		}
		if flagged, _ := e.svc.ListNeeds(e.asMgr, contracts.NeedFilter{FollowUpOverdue: true}); len(flagged) != 0 {
			t.Fatalf("a lost need is still flagged: %+v", flagged)
		}
		if listed, _ := e.svc.ListNeeds(e.asMgr, contracts.NeedFilter{Status: "lost"}); len(listed) != 1 || listed[0].ID != n.ID {
			t.Fatalf("status filter lost: %+v", listed)
		}
		entries, err := audit.List(e.asMgr, db.R(), audit.Filter{Entity: "need", EntityID: n.ID, Action: "update"})
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, en := range entries {
			if strings.Contains(en.Summary, "lost") && en.ActorID != nil && *en.ActorID == e.spec1.ID && en.AfterJSON != nil &&
				strings.Contains(*en.AfterJSON, "客户选择了报价更低的厂家") && en.BeforeJSON != nil && strings.Contains(*en.BeforeJSON, `"quoted"`) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no audit entry for closing as lost: %+v", entries)
		}
		_, err = e.svc.CloseNeed(e.asSpec1, n.ID, lost.Version, "won", "", "")
		wantErr(t, err, apperr.KindConflict, "status")
		_, err = e.svc.LogFollowUp(e.asSpec1, n.ID, contracts.CommunicationInput{Channel: "phone_out", Summary: "再问问"})
		wantErr(t, err, apperr.KindConflict, "status")
	})
}
