package contracts_test

import (
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestPaymentsAllocateOldestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		in := maint("HT-1", c, "2026-01-01", "2026-12-31")
		in.Installments = []contracts.InstallmentInput{
			{DueOn: "2026-01-15", AmountFen: 4_000_000}, {DueOn: "2026-04-15", AmountFen: 4_000_000}, {DueOn: "2026-07-15", AmountFen: 4_000_000},
		}
		k := e.contract(e.asMgr, in)
		pay := func(amount int64, inst, ref, credit string) (*contracts.Payment, error) {
			return e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01", AmountFen: amount,
				InstallmentID: inst, Reference: ref, CreditReason: credit})
		}
		// Only finance records money.
		for name, ctx := range map[string]any{"manager": e.asMgr, "specialist": e.asSpec1, "executive": e.asExec, "anonymous": e.anon} {
			_, err := e.svc.RecordPayment(ctxOf(ctx), contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01", AmountFen: 1})
			if !apperr.Is(err, apperr.KindForbidden) {
				t.Fatalf("%s records a payment: %v", name, err)
			}
		}
		// ¥50,000 covers the first installment and ¥10,000 of the second.
		p1, err := pay(5_000_000, "", "BANK-001", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Allocations) != 2 || p1.Allocations[0].AmountFen != 4_000_000 || p1.Allocations[1].AmountFen != 1_000_000 || p1.CreditFen != 0 {
			t.Fatalf("allocations %+v", p1.Allocations)
		}
		d := e.detail(k.ID)
		if got := []int64{d.Installments[0].OpenFen, d.Installments[1].OpenFen, d.Installments[2].OpenFen}; got[0] != 0 || got[1] != 3_000_000 || got[2] != 4_000_000 {
			t.Fatalf("open after first payment: %v", got)
		}
		if d.PaidFen != 5_000_000 {
			t.Fatalf("paid %d", d.PaidFen)
		}
		// Naming an installment pays it first.
		p2, err := pay(1_000_000, d.Installments[2].ID, "BANK-002", "")
		if err != nil || len(p2.Allocations) != 1 || p2.Allocations[0].InstallmentID != d.Installments[2].ID {
			t.Fatalf("named installment: %+v %v", p2, err)
		}
		// The same bank reference twice is one payment.
		_, err = pay(1_000_000, d.Installments[2].ID, "BANK-002", "")
		wantErr(t, err, apperr.KindConflict, "reference")
		// More than is open needs a reason and is kept as credit.
		_, err = pay(7_000_000, "", "BANK-003", "")
		wantErr(t, err, apperr.KindInvalid, "amount_fen")
		p3, err := pay(7_000_000, "", "BANK-003", "客户预付下年度费用")
		if err != nil || p3.CreditFen != 1_000_000 {
			t.Fatalf("overpayment: %+v %v", p3, err)
		}
		d = e.detail(k.ID)
		for _, it := range d.Installments {
			if it.OpenFen != 0 || it.PaidFen != it.AmountFen {
				t.Fatalf("installment %d open %d paid %d", it.Seq, it.OpenFen, it.PaidFen)
			}
		}
		// Everything paid: a further payment is all credit and needs a reason.
		_, err = pay(100, "", "BANK-004", "")
		wantErr(t, err, apperr.KindInvalid, "amount_fen")
		_, err = pay(100, d.Installments[0].ID, "BANK-004", "x")
		wantErr(t, err, apperr.KindInvalid, "installment_id")
		// Deleting a payment gives the money back to its installments.
		if err := e.svc.DeletePayment(e.asFin, p1.ID, ""); !apperr.Is(err, apperr.KindInvalid) {
			t.Fatalf("delete without reason: %v", err)
		}
		if err := e.svc.DeletePayment(e.asFin, p1.ID, "重复登记"); err != nil {
			t.Fatal(err)
		}
		d = e.detail(k.ID)
		if d.Installments[0].OpenFen != 4_000_000 || d.Installments[1].OpenFen != 1_000_000 || len(d.Payments) != 2 {
			t.Fatalf("after delete: open %d %d, %d payments", d.Installments[0].OpenFen, d.Installments[1].OpenFen, len(d.Payments))
		}
	})
}

func TestPaymentBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		draft, err := e.svc.CreateContract(e.asMgr, maint("HT-D", c, "2027-01-01", "2027-12-31"), false)
		if err != nil {
			t.Fatal(err)
		}
		other := e.contract(e.asMgr, maint("HT-2", c, "2025-01-01", "2025-12-31"))
		od := e.detail(other.ID)
		cases := []struct {
			name  string
			in    contracts.PaymentInput
			field string
		}{
			{"no contract", contracts.PaymentInput{ReceivedOn: "2026-03-01", AmountFen: 1}, "contract_id"},
			{"unknown contract", contracts.PaymentInput{ContractID: "x", ReceivedOn: "2026-03-01", AmountFen: 1}, "contract_id"},
			{"draft contract", contracts.PaymentInput{ContractID: draft.ID, ReceivedOn: "2026-03-01", AmountFen: 1}, "contract_id"},
			{"zero", contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01"}, "amount_fen"},
			{"negative", contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01", AmountFen: -5}, "amount_fen"},
			{"future", contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-06", AmountFen: 1}, "received_on"},
			{"bad date", contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "1/3/2026", AmountFen: 1}, "received_on"},
			{"bad method", contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01", AmountFen: 1, Method: "bitcoin"}, "method"},
			{"installment of another contract", contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01", AmountFen: 1, InstallmentID: od.Installments[0].ID}, "installment_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.RecordPayment(e.asFin, tc.in)
				wantErr(t, err, apperr.KindInvalid, tc.field)
			})
		}
		if d := e.detail(k.ID); len(d.Payments) != 0 || d.PaidFen != 0 {
			t.Fatalf("rejected payments left %d rows", len(d.Payments))
		}
	})
}

func TestInvoices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		d := e.detail(k.ID)
		first := d.Installments[0]
		inv := func(number string, amount int64, inst string) error {
			_, err := e.svc.RecordInvoice(e.asFin, contracts.InvoiceInput{InstallmentID: inst, Number: number, IssuedOn: "2026-01-10", AmountFen: amount})
			return err
		}
		if _, err := e.svc.RecordInvoice(e.asSpec1, contracts.InvoiceInput{InstallmentID: first.ID, Number: "F1", IssuedOn: "2026-01-10", AmountFen: 1}); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist invoices: %v", err)
		}
		wantErr(t, inv("F1", 1, "nope"), apperr.KindInvalid, "installment_id")
		wantErr(t, inv("F1", 0, first.ID), apperr.KindInvalid, "amount_fen")
		if err := inv("F1", 4_000_000, first.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, inv("F1", 1, first.ID), apperr.KindConflict, "number")
		wantErr(t, inv("F2", 2_000_001, first.ID), apperr.KindInvalid, "amount_fen") // over the installment
		if err := inv("F2", 2_000_000, first.ID); err != nil {
			t.Fatal(err)
		}
		d = e.detail(k.ID)
		if d.Installments[0].InvoicedFen != 6_000_000 || len(d.Invoices) != 2 {
			t.Fatalf("invoiced %d, %d invoices", d.Installments[0].InvoicedFen, len(d.Invoices))
		}
		// An invoiced installment cannot be removed or reduced below it.
		in := maint("HT-1", c, "2026-01-01", "2026-12-31")
		in.Installments = []contracts.InstallmentInput{{DueOn: "2026-12-31", AmountFen: 12_000_000}}
		_, err := e.svc.UpdateContract(e.asMgr, k.ID, d.Version, in)
		wantErr(t, err, apperr.KindInvalid, "installments")
		in.Installments = []contracts.InstallmentInput{{ID: first.ID, DueOn: "2026-02-01", AmountFen: 5_000_000}, {DueOn: "2026-12-31", AmountFen: 7_000_000}}
		_, err = e.svc.UpdateContract(e.asMgr, k.ID, d.Version, in)
		wantErr(t, err, apperr.KindInvalid, "installments[0].amount_fen")
		// Moving it keeps its invoices.
		in.Installments = []contracts.InstallmentInput{{ID: first.ID, DueOn: "2026-02-01", AmountFen: 6_000_000}, {DueOn: "2026-12-31", AmountFen: 6_000_000}}
		if _, err := e.svc.UpdateContract(e.asMgr, k.ID, d.Version, in); err != nil {
			t.Fatal(err)
		}
		d = e.detail(k.ID)
		if d.Installments[0].ID != first.ID || d.Installments[0].DueOn != "2026-02-01" || d.Installments[0].InvoicedFen != 6_000_000 {
			t.Fatalf("kept installment %+v", d.Installments[0])
		}
	})
}

func TestReceivablesAgeing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // today 2026-03-05
		a := e.customer("国贸物业", e.r1, e.spec1)
		b := e.customer("望京写字楼", e.r2, e.spec2)
		in := maint("HT-A", a, "2025-06-01", "2026-05-31")
		in.Installments = []contracts.InstallmentInput{
			{DueOn: "2025-10-01", AmountFen: 1_000_000}, // 155 days: 90+
			{DueOn: "2026-01-04", AmountFen: 2_000_000}, // 60 days: 31–90
			{DueOn: "2026-02-03", AmountFen: 3_000_000}, // 30 days: 1–30
			{DueOn: "2026-03-05", AmountFen: 4_000_000}, // due today: not due
			{DueOn: "2026-05-31", AmountFen: 2_000_000}, // not due
		}
		ka := e.contract(e.asMgr, in)
		e.contract(e.asMgr, maint("HT-B", b, "2026-01-01", "2026-12-31")) // 60,000 overdue 63 days + 60,000 not due
		if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: ka.ID, ReceivedOn: "2026-03-01", AmountFen: 500_000}); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Receivables(e.asMgr, contracts.ReceivableFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"90_plus": 500_000, "31_90": 2_000_000 + 6_000_000, "1_30": 3_000_000, "not_due": 6_000_000 + 6_000_000}
		for b, w := range want {
			if r.Totals[b] != w {
				t.Errorf("bucket %s = %d, want %d", b, r.Totals[b], w)
			}
		}
		if r.Total != 23_500_000 || len(r.Rows) != 7 || r.Rows[0].OpenFen != 500_000 || r.Rows[0].Bucket != "90_plus" || r.Rows[0].DaysOverdue != 155 {
			t.Fatalf("total %d, %d rows, first %+v", r.Total, len(r.Rows), r.Rows[0])
		}
		// A specialist sees their own customers only; buckets filter; pages chain.
		mine, err := e.svc.Receivables(e.asSpec2, contracts.ReceivableFilter{})
		if err != nil || mine.Total != 12_000_000 || len(mine.Rows) != 2 {
			t.Fatalf("spec2 receivables: %+v %v", mine, err)
		}
		b30, _ := e.svc.Receivables(e.asMgr, contracts.ReceivableFilter{Bucket: "1_30"})
		if len(b30.Rows) != 1 || b30.Rows[0].DueOn != "2026-02-03" {
			t.Fatalf("1–30 rows: %d", len(b30.Rows))
		}
		var seen int
		for cur := ""; ; {
			pg, err := e.svc.Receivables(e.asMgr, contracts.ReceivableFilter{Limit: 3, After: cur})
			if err != nil {
				t.Fatal(err)
			}
			seen += len(pg.Rows)
			if pg.Next == "" {
				break
			}
			cur = pg.Next
		}
		if seen != 7 {
			t.Fatalf("paged %d rows", seen)
		}
		if _, err := e.svc.Receivables(e.asTech, contracts.ReceivableFilter{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("technician reads receivables: %v", err)
		}
	})
}

func TestRenewalDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // today 2026-03-05
		a := e.customer("国贸物业", e.r1, e.spec1)
		dm, err := e.cust.AddContact(e.asMgr, a.ID, contactInput("王总", "13800000001", true))
		if err != nil {
			t.Fatal(err)
		}
		soon := e.contract(e.asMgr, maint("HT-SOON", a, "2025-03-20", "2026-03-20"))   // window opened 02-20: 13 days ago
		fresh := e.contract(e.asMgr, maint("HT-FRESH", a, "2025-04-04", "2026-04-04")) // window opens 03-04
		e.contract(e.asMgr, maint("HT-LATER", a, "2025-05-01", "2026-05-01"))          // not yet in window
		desk, err := e.svc.RenewalDesk(e.asSpec1, contracts.RenewalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(desk) != 2 || desk[0].Number != "HT-SOON" || desk[0].DaysLeft != 15 || desk[1].Number != "HT-FRESH" {
			t.Fatalf("desk %+v", desk)
		}
		if !desk[0].NoTimelyContact || desk[0].WindowOpened != "2026-02-20" || desk[0].ContactDueBy != "2026-02-26" {
			t.Fatalf("soon: flagged %v opened %s due %s", desk[0].NoTimelyContact, desk[0].WindowOpened, desk[0].ContactDueBy)
		}
		if desk[1].NoTimelyContact || len(desk[0].DecisionMakers) != 1 || desk[0].DecisionMakers[0].ID != dm.ID {
			t.Fatalf("fresh flagged %v, decision makers %+v", desk[1].NoTimelyContact, desk[0].DecisionMakers)
		}
		// A renewal contact made late still counts as a contact but not as timely.
		at := startTime.Add(-time.Hour)
		if _, err := e.svc.LogContractContact(e.asSpec1, soon.ID, contracts.TagRenewal, contracts.CommunicationInput{
			Channel: "phone_out", Summary: "与王总沟通续签意向", ContactID: dm.ID, OccurredAt: &at}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.LogContractContact(e.asSpec2, soon.ID, contracts.TagRenewal, contracts.CommunicationInput{
			Channel: "phone_out", Summary: "x"}); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 logs on spec1's contract: %v", err)
		}
		if _, err := e.svc.LogContractContact(e.asSpec1, fresh.ID, contracts.TagRenewal, contracts.CommunicationInput{
			Channel: "visit", Summary: "上门拜访"}); err != nil {
			t.Fatal(err)
		}
		desk, _ = e.svc.RenewalDesk(e.asSpec1, contracts.RenewalFilter{})
		if desk[0].RenewalContacts != 1 || !desk[0].NoTimelyContact || desk[0].LastContactAt == nil || desk[1].RenewalContacts != 1 || desk[1].NoTimelyContact {
			t.Fatalf("after contacts: %+v", desk)
		}
		flagged, _ := e.svc.RenewalDesk(e.asMgr, contracts.RenewalFilter{Flagged: true})
		if len(flagged) != 1 || flagged[0].Number != "HT-SOON" {
			t.Fatalf("flagged %+v", flagged)
		}
		// Lost needs a reason; renewed comes only from a successor.
		_, err = e.svc.SetRenewalOutcome(e.asSpec1, fresh.ID, 1, "lost", "")
		wantErr(t, err, apperr.KindInvalid, "reason")
		_, err = e.svc.SetRenewalOutcome(e.asSpec1, fresh.ID, 1, "renewed", "")
		wantErr(t, err, apperr.KindInvalid, "outcome")
		if _, err := e.svc.SetRenewalOutcome(e.asSpec1, fresh.ID, 1, "lost", "客户改用其他服务商"); err != nil {
			t.Fatal(err)
		}
		in := maint("HT-SOON-2", a, "2026-03-21", "2027-03-20")
		in.RenewedFrom = soon.ID
		e.contract(e.asSpec1, in)
		desk, _ = e.svc.RenewalDesk(e.asSpec1, contracts.RenewalFilter{})
		if desk[0].Outcome != "renewed" || desk[0].SuccessorNumber == nil || desk[0].NoTimelyContact || desk[1].Outcome != "lost" {
			t.Fatalf("after outcomes: %+v", desk)
		}
		pending, _ := e.svc.RenewalDesk(e.asSpec1, contracts.RenewalFilter{Outcome: "pending"})
		if len(pending) != 0 {
			t.Fatalf("pending %+v", pending)
		}
		others, _ := e.svc.RenewalDesk(e.asSpec2, contracts.RenewalFilter{})
		if len(others) != 0 {
			t.Fatalf("spec2 sees %d renewals", len(others))
		}
	})
}

func TestRecentPaymentsAndLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.customer("国贸物业", e.r1, e.spec1)
		b := e.customer("望京写字楼", e.r2, e.spec2)
		ka := e.contract(e.asMgr, maint("HT-A", a, "2026-01-01", "2026-12-31"))
		kb := e.contract(e.asMgr, maint("HT-B", b, "2026-01-01", "2026-12-31"))
		for _, k := range []*contracts.Contract{ka, kb} {
			if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01", AmountFen: 100}); err != nil {
				t.Fatal(err)
			}
		}
		all, err := e.svc.RecentPayments(e.asFin, 0)
		if err != nil || len(all) != 2 || all[0].RecordedByName != "范财务" || len(all[0].Allocations) != 1 {
			t.Fatalf("finance sees %+v %v", all, err)
		}
		mine, _ := e.svc.RecentPayments(e.asSpec1, 0)
		if len(mine) != 1 || mine[0].ContractNumber != "HT-A" {
			t.Fatalf("spec1 sees %+v", mine)
		}
		d, err := e.svc.ContractByNumber(e.asFin, " ht-b ")
		if err != nil || d.ID != kb.ID {
			t.Fatalf("lookup %v %v", d, err)
		}
		if _, err := e.svc.ContractByNumber(e.asSpec1, "HT-B"); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec1 looks up spec2's contract: %v", err)
		}
		if _, err := e.svc.ContractByNumber(e.asFin, "HT-Z"); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("unknown number: %v", err)
		}
	})
}
