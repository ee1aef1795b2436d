package contracts_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/rates"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// The rates read from the records: owner history from the archive,
// allocations from payments, successors from renewals.
func TestRatesFromRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.clock.Set(time.Date(2026, 1, 10, 9, 0, 0, 0, shanghai))
		a := e.customer("国贸物业", e.r1, e.spec1)
		b := e.customer("望京写字楼", e.r2, e.spec2)
		inA := maint("HT-A", a, "2025-04-01", "2026-03-31")
		inA.Installments = []contracts.InstallmentInput{
			{DueOn: "2026-01-31", AmountFen: 6_000_000}, // carried in, partly paid in February
			{DueOn: "2026-03-05", AmountFen: 6_000_000}, // due in March
		}
		ka := e.contract(e.asMgr, inA)
		inB := maint("HT-B", b, "2025-03-16", "2026-03-15")
		inB.Installments = []contracts.InstallmentInput{{DueOn: "2026-03-15", AmountFen: 12_000_000}} // paid in full in February
		kb := e.contract(e.asMgr, inB)

		e.clock.Set(time.Date(2026, 2, 20, 9, 0, 0, 0, shanghai))
		if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: ka.ID, ReceivedOn: "2026-02-20", AmountFen: 2_000_000}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: kb.ID, ReceivedOn: "2026-02-20", AmountFen: 12_000_000}); err != nil {
			t.Fatal(err)
		}
		// 3-10: the manager gives 国贸物业 to spec2.
		e.clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, shanghai))
		in := customers.CustomerInput{Code: a.Code, Name: a.Name, Class: a.Class, RegionID: a.RegionID, OwnerID: e.spec2.ID, Status: a.Status}
		if _, err := e.cust.UpdateCustomer(e.asMgr, a.ID, a.Version, in); err != nil {
			t.Fatal(err)
		}
		// 3-12: finance records ¥50,000 on HT-A (pays the old one, ¥10,000 onto the March one).
		e.clock.Set(time.Date(2026, 3, 12, 9, 0, 0, 0, shanghai))
		if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: ka.ID, ReceivedOn: "2026-03-12", AmountFen: 5_000_000}); err != nil {
			t.Fatal(err)
		}
		// 4-02: HT-B was renewed on 4-01 (after its end, before the scorecard); HT-A was not.
		// The customer prepays the successor's first installment (due 9-30) on 3-31.
		e.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, shanghai))
		r := maint("HT-B2", b, "2026-03-16", "2027-03-15")
		r.RenewedFrom, r.SignedOn = kb.ID, "2026-04-01"
		r.Installments = []contracts.InstallmentInput{{DueOn: "2026-09-30", AmountFen: 6_000_000}, {DueOn: "2027-03-15", AmountFen: 6_000_000}}
		kb2 := e.contract(e.asSpec2, r)
		if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: kb2.ID, ReceivedOn: "2026-03-31", AmountFen: 3_000_000}); err != nil {
			t.Fatal(err)
		}

		m, _ := rates.ParseMonth("2026-03")
		rep, err := e.svc.Rates(e.asMgr, m, calendar.Date{})
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]contracts.SpecialistRates{}
		for _, sr := range rep.Specialists {
			by[sr.SpecialistID] = sr
		}
		s1, s2 := by[e.spec1.ID], by[e.spec2.ID]
		// Collection: both HT-A installments were spec1's on their due dates: open at 3-01 ¥40,000 + ¥60,000, collected ¥50,000.
		if s1.Collection.Ratio != (rates.Ratio{Num: 5_000_000, Den: 10_000_000}) || len(s1.Collection.Rows) != 2 || !s1.Collection.Rows[0].CarriedIn {
			t.Fatalf("spec1 collection %+v", s1.Collection)
		}
		// Renewal: HT-A ends 3-31 when spec2 owns the customer; HT-B (spec2) renewed after its end.
		if s2.Renewal.Ratio != (rates.Ratio{Num: 1, Den: 2}) || len(s2.Renewal.Rows) != 2 {
			t.Fatalf("spec2 renewal %+v", s2.Renewal)
		}
		if !s1.Renewal.Ratio.NothingDue() || s1.Renewal.Ratio.Percent() != "100.00%" {
			t.Fatalf("spec1 renewal %+v", s1.Renewal)
		}
		// HT-B was paid before March and the prepayment on HT-B2 (due 9-30) is not due: nothing in March.
		if !s2.Collection.Ratio.NothingDue() {
			t.Fatalf("spec2 collection %+v", s2.Collection)
		}
		// As of 3-31, HT-B's renewal had not been signed yet.
		early, _ := e.svc.Rates(e.asMgr, m, calendar.NewDate(2026, 3, 31))
		for _, sr := range early.Specialists {
			if sr.SpecialistID == e.spec2.ID && sr.Renewal.Ratio != (rates.Ratio{Num: 0, Den: 2}) {
				t.Fatalf("as of 3-31: %+v", sr.Renewal.Ratio)
			}
		}
		// One specialist's rates (the appraisal of one person) are their row
		// of the whole report, owner change and renewal after the end included.
		for _, sp := range []*org.Staff{e.spec1, e.spec2} {
			ren, col, err := e.svc.StaffRates(context.Background(), m, calendar.Date{}, sp.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := by[sp.ID]
			if diff := cmp.Diff(want.Renewal, ren, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s renewal alone differs (-report +alone):\n%s", sp.Login, diff)
			}
			if diff := cmp.Diff(want.Collection, col, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s collection alone differs (-report +alone):\n%s", sp.Login, diff)
			}
		}
		// A specialist sees only their own line; a technician nothing.
		mine, err := e.svc.Rates(e.asSpec1, m, calendar.Date{})
		if err != nil || len(mine.Specialists) != 1 || mine.Specialists[0].SpecialistID != e.spec1.ID {
			t.Fatalf("spec1 sees %+v %v", mine, err)
		}
		if _, err := e.svc.Rates(e.asTech, m, calendar.Date{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("technician: %v", err)
		}
	})
}
