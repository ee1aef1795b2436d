package contracts_test

import (
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestContractValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		base := func() contracts.ContractInput { return maint("HT-2026-001", c, "2026-01-01", "2026-12-31") }
		cases := []struct {
			name  string
			mod   func(*contracts.ContractInput)
			kind  apperr.Kind
			field string
		}{
			{"no number", func(in *contracts.ContractInput) { in.Number = " " }, apperr.KindInvalid, "number"},
			{"no customer", func(in *contracts.ContractInput) { in.CustomerID = "" }, apperr.KindInvalid, "customer_id"},
			{"unknown customer", func(in *contracts.ContractInput) { in.CustomerID = "nope" }, apperr.KindInvalid, "customer_id"},
			{"bad kind", func(in *contracts.ContractInput) { in.Kind = "lease" }, apperr.KindInvalid, "kind"},
			{"end before start", func(in *contracts.ContractInput) { in.EndOn = "2025-12-31" }, apperr.KindInvalid, "end_on"},
			{"end equals start", func(in *contracts.ContractInput) { in.EndOn = in.StartOn }, apperr.KindInvalid, "end_on"},
			{"slashed date", func(in *contracts.ContractInput) { in.StartOn = "2026/1/1" }, apperr.KindInvalid, "start_on"},
			{"negative amount", func(in *contracts.ContractInput) { in.AmountFen = -1 }, apperr.KindInvalid, "amount_fen"},
			{"schedule sum differs", func(in *contracts.ContractInput) { in.Installments[1].AmountFen = 5_000_000 }, apperr.KindInvalid, "installments"},
			{"differs without reason", func(in *contracts.ContractInput) { in.ScheduleDiffers = true }, apperr.KindInvalid, "schedule_note"},
			{"installment after end", func(in *contracts.ContractInput) { in.Installments[1].DueOn = "2027-01-15" }, apperr.KindInvalid, "installments[1].due_on"},
			{"zero installment", func(in *contracts.ContractInput) { in.Installments[0].AmountFen = 0 }, apperr.KindInvalid, "installments[0].amount_fen"},
			{"bad due date", func(in *contracts.ContractInput) { in.Installments[0].DueOn = "2026-02-30" }, apperr.KindInvalid, "installments[0].due_on"},
			{"maintenance without scope", func(in *contracts.ContractInput) { in.Scope = nil }, apperr.KindInvalid, "scope"},
			{"bad service type", func(in *contracts.ContractInput) { in.Scope[0].ServiceType = "cleaning" }, apperr.KindInvalid, "scope[0].service_type"},
			{"bad frequency", func(in *contracts.ContractInput) { in.Scope[1].Frequency = "daily" }, apperr.KindInvalid, "scope[1].frequency"},
			{"empty scope line", func(in *contracts.ContractInput) { in.Scope[0].Equipment = "" }, apperr.KindInvalid, "scope[0].equipment"},
			{"foreign equipment", func(in *contracts.ContractInput) { in.Scope[0].EquipmentID = "x" }, apperr.KindInvalid, "scope[0].equipment_id"},
			{"emc fee on maintenance", func(in *contracts.ContractInput) { in.EMCFeeFen, in.EMCCycle = 100, "monthly" }, apperr.KindInvalid, "emc_cycle"},
			{"unknown predecessor", func(in *contracts.ContractInput) { in.RenewedFrom = "nope" }, apperr.KindInvalid, "renewed_from"},
			{"overlong title", func(in *contracts.ContractInput) { in.Title = strings.Repeat("合", 201) }, apperr.KindInvalid, "title"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := base()
				tc.mod(&in)
				_, err := e.svc.CreateContract(e.asMgr, in, true)
				wantErr(t, err, tc.kind, tc.field)
			})
		}
		// Nothing was written by any of them.
		page, err := e.svc.ListContracts(e.asMgr, contracts.ListFilter{})
		if err != nil || len(page.Items) != 0 {
			t.Fatalf("contracts after rejected input: %v %v", page, err)
		}
		// A schedule that differs with a reason is accepted; the project kind needs no scope.
		in := base()
		in.Kind, in.Scope, in.ScheduleDiffers, in.ScheduleNote = "project", nil, true, "尾款按验收结算"
		in.Installments = in.Installments[:1]
		if _, err := e.svc.CreateContract(e.asMgr, in, false); err != nil {
			t.Fatalf("differing schedule with reason: %v", err)
		}
		_, err = e.svc.CreateContract(e.asMgr, base(), true)
		wantErr(t, err, apperr.KindConflict, "number")
	})
}

func TestContractLifecycleAndOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		mine := e.customer("国贸物业", e.r1, e.spec1)
		theirs := e.customer("望京写字楼", e.r2, e.spec2)

		// A specialist enters contracts only for own customers.
		if _, err := e.svc.CreateContract(e.asSpec1, maint("HT-1", theirs, "2026-01-01", "2026-12-31"), false); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist on another's customer: %v", err)
		}
		for name, ctx := range map[string]any{"finance": e.asFin, "executive": e.asExec, "technician": e.asTech, "anonymous": e.anon} {
			_, err := e.svc.CreateContract(ctxOf(ctx), maint("HT-X", mine, "2026-01-01", "2026-12-31"), false)
			if !apperr.Is(err, apperr.KindForbidden) {
				t.Fatalf("%s creates a contract: %v", name, err)
			}
		}
		k, err := e.svc.CreateContract(e.asSpec1, maint("ht-2026-001", mine, "2026-01-01", "2026-12-31"), false)
		if err != nil {
			t.Fatal(err)
		}
		if k.Number != "HT-2026-001" || k.State != "draft" || k.Version != 1 {
			t.Fatalf("created %+v", k)
		}
		d := e.detail(k.ID)
		if d.Status != "draft" || len(d.Scope) != 2 || len(d.Installments) != 2 || d.OwnerName != "石专员" || d.CustomerName != "国贸物业" {
			t.Fatalf("detail %+v", d)
		}
		// Reads: the other specialist sees nothing of it (reads limited to own customers).
		if _, err := e.svc.GetContract(e.asSpec2, k.ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 reads spec1's contract: %v", err)
		}
		if _, err := e.svc.GetContract(e.asTech, k.ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("technician reads a contract: %v", err)
		}
		for name, ctx := range map[string]any{"finance": e.asFin, "executive": e.asExec, "owner": e.asSpec1} {
			if _, err := e.svc.GetContract(ctxOf(ctx), k.ID); err != nil {
				t.Fatalf("%s reads: %v", name, err)
			}
		}
		page, _ := e.svc.ListContracts(e.asSpec2, contracts.ListFilter{})
		if len(page.Items) != 0 {
			t.Fatalf("spec2 lists %d contracts", len(page.Items))
		}
		// Another specialist cannot change it; a stale version is refused.
		in := maint("HT-2026-001", mine, "2026-01-01", "2026-12-31")
		in.Title = "年度维保"
		if _, err := e.svc.UpdateContract(e.asSpec2, k.ID, 1, in); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 updates: %v", err)
		}
		k2, err := e.svc.UpdateContract(e.asSpec1, k.ID, 1, in)
		if err != nil || k2.Version != 2 || k2.Title != "年度维保" {
			t.Fatalf("update: %+v %v", k2, err)
		}
		in.Title = "lost update"
		wantErr(t, func() error { _, err := e.svc.UpdateContract(e.asMgr, k.ID, 1, in); return err }(), apperr.KindConflict, "version")
		if got := e.detail(k.ID); got.Title != "年度维保" {
			t.Fatalf("stale update changed the title to %q", got.Title)
		}
		// Activate, then terminate with a reason.
		k3, err := e.svc.SetState(e.asSpec1, k.ID, 2, "active", "", "")
		if err != nil || k3.State != "active" {
			t.Fatalf("activate: %+v %v", k3, err)
		}
		if got := e.detail(k.ID); got.Status != "active" {
			t.Fatalf("status %q", got.Status)
		}
		_, err = e.svc.SetState(e.asSpec1, k.ID, 3, "terminated", "2026-06-30", "")
		wantErr(t, err, apperr.KindInvalid, "reason")
		if _, err := e.svc.SetState(e.asSpec1, k.ID, 3, "terminated", "2026-06-30", "客户搬迁"); err != nil {
			t.Fatal(err)
		}
		if got := e.detail(k.ID); got.Status != "terminated" || got.TerminateReason != "客户搬迁" {
			t.Fatalf("terminated: %+v", got.Contract)
		}
		_, err = e.svc.UpdateContract(e.asMgr, k.ID, 4, in)
		wantErr(t, err, apperr.KindConflict, "state")
	})
}

func TestContractStatusDerived(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		old := e.contract(e.asMgr, maint("HT-2025", c, "2025-01-01", "2025-12-31"))
		e.contract(e.asMgr, maint("HT-2024", c, "2024-01-01", "2024-12-31"))
		e.contract(e.asMgr, maint("HT-2026", c, "2026-01-01", "2026-12-31"))
		in := maint("HT-2026-R", c, "2026-01-01", "2026-12-31")
		in.RenewedFrom = old.ID
		// HT-2026 is not a renewal; HT-2026-R renews HT-2025 and overlaps nothing.
		if _, err := e.svc.CreateContract(e.asMgr, in, true); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"HT-2025": "renewed", "HT-2024": "expired", "HT-2026": "active", "HT-2026-R": "active"}
		page, err := e.svc.ListContracts(e.asMgr, contracts.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Items {
			if want[v.Number] != v.Status {
				t.Errorf("%s status %q, want %q", v.Number, v.Status, want[v.Number])
			}
		}
		for status, n := range map[string]int{"renewed": 1, "expired": 1, "active": 2, "draft": 0} {
			p, err := e.svc.ListContracts(e.asMgr, contracts.ListFilter{Status: status})
			if err != nil || len(p.Items) != n {
				t.Errorf("status %s: %d items, %v", status, len(p.Items), err)
			}
		}
		if d := e.detail(old.ID); d.Outcome != "renewed" || d.SuccessorNo == nil || *d.SuccessorNo != "HT-2026-R" {
			t.Fatalf("predecessor after renewal: outcome %q successor %v", d.Outcome, d.SuccessorNo)
		}
	})
}

func TestRenewalChains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		other := e.customer("望京写字楼", e.r2, e.spec2)
		a := e.contract(e.asMgr, maint("A", c, "2025-01-01", "2025-12-31"))
		renew := func(number, from string, cust string, start, end string) error {
			in := maint(number, e.cust2(cust), start, end)
			in.RenewedFrom = from
			_, err := e.svc.CreateContract(e.asMgr, in, true)
			return err
		}
		wantErr(t, renew("X1", a.ID, other.ID, "2026-01-01", "2026-12-31"), apperr.KindInvalid, "renewed_from")
		wantErr(t, renew("X2", a.ID, c.ID, "2025-01-01", "2026-12-31"), apperr.KindInvalid, "renewed_from") // same start: overlaps
		wantErr(t, renew("X3", a.ID, c.ID, "2025-06-01", "2025-11-30"), apperr.KindInvalid, "renewed_from") // ends earlier
		if err := renew("B", a.ID, c.ID, "2026-01-01", "2026-12-31"); err != nil {
			t.Fatal(err)
		}
		// A second successor of A is refused; the chain continues from B.
		wantErr(t, renew("C1", a.ID, c.ID, "2027-01-01", "2027-12-31"), apperr.KindConflict, "renewed_from")
		if err := renew("C", e.byNumber("B").ID, c.ID, "2027-01-01", "2027-12-31"); err != nil {
			t.Fatal(err)
		}
		// A may not be changed into renewing C (a cycle A→C→B→A).
		in := maint("A", c, "2028-01-01", "2028-12-31")
		in.RenewedFrom = e.byNumber("C").ID
		_, err := e.svc.UpdateContract(e.asMgr, a.ID, e.detail(a.ID).Version, in)
		wantErr(t, err, apperr.KindInvalid, "renewed_from")
		// A draft cannot be renewed.
		d, err := e.svc.CreateContract(e.asMgr, maint("D", c, "2030-01-01", "2030-12-31"), false)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, renew("E", d.ID, c.ID, "2031-01-01", "2031-12-31"), apperr.KindInvalid, "renewed_from")
	})
}

func TestEMCSchedule(t *testing.T) {
	type inst struct {
		from, to string // the period; due on its last day
		fen      int64
	}
	tests := []struct {
		name       string
		start, end string
		fee        int64
		cycle      string
		want       []inst
	}{
		{"month-end start is anchored to month ends: no stub", "2026-01-31", "2026-06-30", 150_000, "monthly", []inst{
			{"2026-01-31", "2026-02-28", 150_000}, {"2026-03-01", "2026-03-31", 150_000}, {"2026-04-01", "2026-04-30", 150_000},
			{"2026-05-01", "2026-05-31", 150_000}, {"2026-06-01", "2026-06-30", 150_000}}},
		{"February end anchors to month ends too", "2026-02-28", "2026-05-31", 100_000, "monthly", []inst{
			{"2026-02-28", "2026-03-31", 100_000}, {"2026-04-01", "2026-04-30", 100_000}, {"2026-05-01", "2026-05-31", 100_000}}},
		{"calendar months", "2026-01-01", "2026-03-31", 100_000, "monthly", []inst{
			{"2026-01-01", "2026-01-31", 100_000}, {"2026-02-01", "2026-02-28", 100_000}, {"2026-03-01", "2026-03-31", 100_000}}},
		{"mid-month start: periods from the start's day", "2026-01-15", "2026-04-14", 100_000, "monthly", []inst{
			{"2026-01-15", "2026-02-14", 100_000}, {"2026-02-15", "2026-03-14", 100_000}, {"2026-03-15", "2026-04-14", 100_000}}},
		{"a genuine stub is pro rata: 16 of 31 days", "2026-01-15", "2026-03-30", 150_000, "monthly", []inst{
			{"2026-01-15", "2026-02-14", 150_000}, {"2026-02-15", "2026-03-14", 150_000}, {"2026-03-15", "2026-03-30", 77_419}}}, // of 03-15..04-14: 150,000 × 16 ÷ 31 = 77,419.35
		{"a one-day stub costs a day", "2026-01-01", "2026-04-01", 310_000, "monthly", []inst{
			{"2026-01-01", "2026-01-31", 310_000}, {"2026-02-01", "2026-02-28", 310_000}, {"2026-03-01", "2026-03-31", 310_000},
			{"2026-04-01", "2026-04-01", 10_333}}}, // 310,000 ÷ 30 = 10,333.3
		{"pro rata rounds half up, at least one fen", "2026-01-01", "2026-01-01", 1, "monthly", []inst{{"2026-01-01", "2026-01-01", 1}}},
		{"quarters of a calendar year", "2026-01-01", "2026-12-31", 900_000, "quarterly", []inst{
			{"2026-01-01", "2026-03-31", 900_000}, {"2026-04-01", "2026-06-30", 900_000}, {"2026-07-01", "2026-09-30", 900_000},
			{"2026-10-01", "2026-12-31", 900_000}}},
		{"quarters from a month end, stub of 61 of 92 days", "2026-01-31", "2026-06-30", 900_000, "quarterly", []inst{
			{"2026-01-31", "2026-04-30", 900_000}, {"2026-05-01", "2026-06-30", 596_739}}}, // 900,000 × 61 ÷ 92 = 596,739.13
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := contracts.EMCSchedule(tc.start, tc.end, tc.fee, tc.cycle)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d installments: %+v", len(got), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.DueOn != w.to || g.PeriodFrom != w.from || g.PeriodTo != w.to || g.AmountFen != w.fen || g.Kind != "emc_fee" {
					t.Errorf("installment %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
	if contracts.EMCSchedule("2026-01-01", "2026-12-31", 0, "monthly") != nil {
		t.Fatal("zero fee generates installments")
	}
}

func TestEMCContractGeneratesOwnerFees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		in := contracts.ContractInput{Number: "EMC-1", CustomerID: c.ID, Kind: "emc", StartOn: "2026-01-01", EndOn: "2026-12-31",
			EMCFeeFen: 250_000, EMCCycle: "monthly"}
		k := e.contract(e.asMgr, in)
		d := e.detail(k.ID)
		if len(d.Installments) != 12 || d.AmountFen != 3_000_000 || d.Installments[11].DueOn != "2026-12-31" {
			t.Fatalf("EMC contract: amount %d, %d installments", d.AmountFen, len(d.Installments))
		}
	})
}
