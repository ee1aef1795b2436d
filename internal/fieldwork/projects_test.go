package fieldwork_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type eventRow struct {
	Key       string     `bun:"computed_key"`
	Type      string     `bun:"type"`
	StaffID   *string    `bun:"staff_id"`
	Quantity  int64      `bun:"quantity"`
	Withdrawn *time.Time `bun:"withdrawn_at"`
}

func (e *env) events(typ string) map[string]eventRow {
	e.t.Helper()
	var rows []eventRow
	if err := e.db.R().NewRaw("SELECT computed_key, type, staff_id, quantity, withdrawn_at FROM events WHERE type = ?", typ).
		Scan(context.Background(), &rows); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]eventRow{}
	for _, r := range rows {
		out[r.Key] = r
	}
	return out
}

func (e *env) derive() fieldwork.EventCounts {
	e.t.Helper()
	n, err := e.svc.DeriveEvents(e.sys)
	if err != nil {
		e.t.Fatalf("derive events: %v", err)
	}
	return n
}

func countBy(rows []fieldwork.WorkOrderRow, status, typ string) int {
	n := 0
	for _, r := range rows {
		if r.Status == status && (typ == "" || r.Type == typ) {
			n++
		}
	}
	return n
}

func TestCreateProject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		k := e.contract(e.asSpec1, maintenance(e.a, "WB-2026-001", "2026-03-05"))

		if _, err := e.svc.CreateProject(e.asSpec2, verified(k.ID)); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist's customer: %v, want forbidden", err)
		}
		if _, err := e.svc.CreateProject(e.asTech1, verified(k.ID)); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician: %v, want forbidden", err)
		}
		p, err := e.svc.CreateProject(e.asSpec1, verified(k.ID))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 3 || !p.Coverage.OK() || !p.CoverageOK {
			t.Errorf("items %+v coverage %+v: want the contract's three lines, covered", p.Items, p.Coverage)
		}
		// Received Thursday 03-05: due by the end of Friday 03-06.
		if want := time.Date(2026, 3, 6, 23, 59, 59, 0, shanghai); !p.DispatchDue.Equal(want) && !p.DispatchDue.Equal(want.Add(time.Second)) {
			t.Errorf("dispatch due %v, want the end of 2026-03-06", p.DispatchDue.In(shanghai))
		}
		if _, err := e.svc.CreateProject(e.asSpec1, verified(k.ID)); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("a second project of the contract: %v, want conflict", err)
		}

		draft := maintenance(e.a, "WB-2026-002", "2026-03-05")
		dk, err := e.con.CreateContract(e.asSpec1, draft, false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CreateProject(e.asSpec1, verified(dk.ID))
		wantField(t, err, "contract_id", "a draft contract")

		norecv := e.contract(e.asSpec1, maintenance(e.a, "WB-2026-003", ""))
		_, err = e.svc.CreateProject(e.asSpec1, verified(norecv.ID))
		wantField(t, err, "contract_id", "a contract with no received date")

		bad := verified(k.ID)
		bad.VerifyResult, bad.VerifiedWith = fieldwork.VerifyConfirmed, ""
		_, err = e.svc.CreateProject(e.asSpec1, bad)
		wantField(t, err, "verified_with", "a result without whom it was verified with")
		bad = verified(k.ID)
		bad.Items = []fieldwork.ItemInput{}
		_, err = e.svc.CreateProject(e.asSpec1, bad)
		wantField(t, err, "items", "an empty item list")
	})
}

func TestProjectCoverageBlocksDispatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		k := e.contract(e.asSpec1, maintenance(e.a, "WB-2026-010", "2026-03-05"))
		in := verified(k.ID)
		// The project forgets the seasonal maintenance and adds a cleaning.
		in.Items = []fieldwork.ItemInput{
			{ServiceType: "inspection", Equipment: "冷水机组　１＃", Frequency: "monthly", Times: 1}, // full-width: same equipment
			{ServiceType: "repair", Equipment: "全部设备", Frequency: "on_demand"},
			{ServiceType: "other", Equipment: "冷却塔清洗", Frequency: "once"},
		}
		p, err := e.svc.CreateProject(e.asSpec1, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Coverage.Missing) != 1 || p.Coverage.Missing[0].Line.ServiceType != "seasonal" ||
			len(p.Coverage.Extra) != 1 || p.Coverage.Extra[0].Line.Equipment != "冷却塔清洗" || p.CoverageOK {
			t.Fatalf("coverage %+v: want the seasonal line missing and the cleaning extra", p.Coverage)
		}
		_, err = e.svc.DispatchProject(e.asSpec1, p.ID, p.Version)
		wantField(t, err, "items", "dispatch with gaps")
		if _, err := e.svc.OverrideCoverage(e.asSpec1, p.ID, p.Version, "客户口头同意"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist overriding: %v, want forbidden", err)
		}
		_, err = e.svc.OverrideCoverage(e.asMgr, p.ID, p.Version, "  ")
		wantField(t, err, "reason", "an override without a reason")
		p, err = e.svc.OverrideCoverage(e.asMgr, p.ID, p.Version, "换季保养由业主自行负责，合同补充协议待签")
		if err != nil {
			t.Fatal(err)
		}
		if !p.CoverageOK || p.CoverageOverrideReason == "" {
			t.Fatalf("after the override: coverage ok %v reason %q", p.CoverageOK, p.CoverageOverrideReason)
		}
		// Editing the items again drops the override: it was for the old ones.
		in.Items = append(in.Items, fieldwork.ItemInput{ServiceType: "other", Equipment: "水处理", Frequency: "quarterly"})
		p, err = e.svc.UpdateProject(e.asSpec1, p.ID, p.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.CoverageOK || p.CoverageOverrideAt != nil {
			t.Errorf("the override survived an item change")
		}
		// Fixed to match the contract: dispatch goes.
		in.Items = nil
		in.Items = []fieldwork.ItemInput{
			{ServiceType: "inspection", Equipment: "冷水机组 1#", Frequency: "monthly"},
			{ServiceType: "seasonal", Equipment: "空调箱", Frequency: "seasonal"},
			{ServiceType: "repair", Equipment: "全部设备", Frequency: "on_demand"},
		}
		if p, err = e.svc.UpdateProject(e.asSpec1, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		if !p.Coverage.OK() {
			t.Fatalf("coverage %+v after the fix", p.Coverage)
		}
		if _, err := e.svc.DispatchProject(e.asSpec1, p.ID, p.Version-1); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("a stale version: %v, want conflict", err)
		}
		if _, err := e.svc.DispatchProject(e.asSpec1, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDispatchProjectNeedsVerificationAndGroup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		k := e.contract(e.asSpec1, maintenance(e.a, "WB-2026-020", "2026-03-05"))
		p, err := e.svc.CreateProject(e.asSpec1, fieldwork.ProjectInput{ContractID: k.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.DispatchProject(e.asSpec1, p.ID, p.Version)
		wantField(t, err, "verify_result", "dispatch before the plan is verified")
		in := verified(k.ID)
		in.VerifyResult = fieldwork.VerifyRejected
		if p, err = e.svc.UpdateProject(e.asSpec1, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.DispatchProject(e.asSpec1, p.ID, p.Version)
		wantField(t, err, "verify_result", "dispatch of a rejected plan")

		// Customer b's region has no maintenance group.
		kb := e.contract(e.asSpec2, maintenance(e.b, "WB-2026-021", "2026-03-05"))
		pb, err := e.svc.CreateProject(e.asSpec2, verified(kb.ID))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.DispatchProject(e.asSpec2, pb.ID, pb.Version)
		wantField(t, err, "region_id", "dispatch to a region without a group")
	})
}

func TestProjectSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		k := e.contract(e.asSpec1, maintenance(e.a, "WB-2026-030", "2026-03-05"))
		p, err := e.svc.CreateProject(e.asSpec1, verified(k.ID))
		if err != nil {
			t.Fatal(err)
		}
		if p, err = e.svc.DispatchProject(e.asSpec1, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		if p.DispatchedAt == nil || p.DaysLate != 0 {
			t.Fatalf("dispatched at %v, %d days late", p.DispatchedAt, p.DaysLate)
		}
		// A year of monthly inspections and two seasonal maintenances
		// (before cooling and before heating); repairs come from tickets.
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "inspection"); n != 12 {
			t.Errorf("%d planned inspections, want 12", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "seasonal"); n != 2 {
			t.Errorf("%d planned seasonal maintenances, want 2", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "repair"); n != 0 {
			t.Errorf("%d planned repairs, want none", n)
		}
		for _, w := range p.WorkOrders {
			if w.PlannedOn == nil || *w.PlannedOn < "2026-03-01" || *w.PlannedOn > "2027-02-28" || w.DispatchDue == nil || w.SiteAddress == "" {
				t.Fatalf("planned order %+v: want a day in the contract, a dispatch deadline and the site", w.WorkOrder)
			}
		}
		// Dispatch the first inspection; then change inspections to quarterly.
		first := p.WorkOrders[0]
		if _, err := e.svc.DispatchWorkOrder(e.asSpec1, first.ID, first.Version, fieldwork.DispatchInput{TechnicianIDs: []string{e.tech1.ID}}); err != nil {
			t.Fatal(err)
		}
		in := verified(k.ID)
		in.Items = []fieldwork.ItemInput{
			{ServiceType: "inspection", Equipment: "冷水机组 1#", Frequency: "quarterly"},
			{ServiceType: "seasonal", Equipment: "空调箱", Frequency: "seasonal"},
			{ServiceType: "repair", Equipment: "全部设备", Frequency: "on_demand"},
		}
		p, err = e.svc.GetProject(e.asSpec1, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p, err = e.svc.UpdateProject(e.asSpec1, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusCancelled, "inspection"); n != 11 {
			t.Errorf("%d monthly inspections cancelled, want the 11 not dispatched", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "inspection"); n != 4 {
			t.Errorf("%d quarterly inspections planned, want 4", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusDispatched, ""); n != 1 {
			t.Errorf("%d dispatched orders, want the first kept", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "seasonal"); n != 2 {
			t.Errorf("%d seasonal planned, want the 2 untouched", n)
		}
		// The same items again change nothing.
		before := len(p.WorkOrders)
		if p, err = e.svc.UpdateProject(e.asSpec1, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		if len(p.WorkOrders) != before {
			t.Errorf("%d work orders after the same items again, want %d", len(p.WorkOrders), before)
		}
	})
}

func TestProjectDispatchOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Received Thursday 03-05, due the end of Friday 03-06.
		k := e.contract(e.asSpec1, maintenance(e.a, "WB-2026-040", "2026-03-05"))
		p, err := e.svc.CreateProject(e.asSpec1, verified(k.ID))
		if err != nil {
			t.Fatal(err)
		}
		key := "dispatch_overdue|project|" + p.ID
		e.derive()
		if _, ok := e.events("dispatch_overdue")[key]; ok {
			t.Fatal("an event before the deadline")
		}
		// Monday 03-09 10:00: one working day late (the weekend does not count).
		e.clock.Set(time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai))
		e.derive()
		if ev := e.events("dispatch_overdue")[key]; ev.Quantity != 1 || ev.StaffID == nil || *ev.StaffID != e.spec1.ID {
			t.Fatalf("event %+v: want 1 day against spec1", ev)
		}
		// Still not dispatched on Tuesday: 2; dispatched then, it stays 2.
		e.clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, shanghai))
		if _, err := e.svc.DispatchProject(e.asSpec1, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai))
		e.derive()
		if ev := e.events("dispatch_overdue")[key]; ev.Quantity != 2 || ev.Withdrawn != nil {
			t.Fatalf("event %+v: want 2 days, standing", ev)
		}
		// Deterministic: deriving again changes nothing.
		e.derive()
		if ev := e.events("dispatch_overdue")[key]; ev.Quantity != 2 {
			t.Fatalf("event %+v after a second derivation", ev)
		}
		if _, err := e.svc.DeriveEvents(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist deriving: %v, want forbidden", err)
		}
	})
}

// A contract changed after its project was dispatched re-plans the
// project: a shorter period cancels the visits after it (dispatched work
// kept), a termination cancels those after the day it ends.
func TestContractChangeReplans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		in := maintenance(e.a, "WB-2026-050", "2026-03-05")
		k := e.contract(e.asSpec1, in)
		p, err := e.svc.CreateProject(e.asSpec1, verified(k.ID))
		if err != nil {
			t.Fatal(err)
		}
		if p, err = e.svc.DispatchProject(e.asSpec1, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		// The last inspection (February 2027) is dispatched early.
		var last fieldwork.WorkOrderRow
		for _, w := range p.WorkOrders {
			if w.Type == "inspection" && (last.PlannedOn == nil || *w.PlannedOn > *last.PlannedOn) {
				last = w
			}
		}
		if _, err := e.svc.DispatchWorkOrder(e.asSpec1, last.ID, last.Version, fieldwork.DispatchInput{}); err != nil {
			t.Fatal(err)
		}
		in.EndOn = "2026-08-31" // six months
		if _, err := e.con.UpdateContract(e.asSpec1, k.ID, k.Version, in); err != nil {
			t.Fatal(err)
		}
		p, err = e.svc.GetProject(e.asSpec1, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "inspection"); n != 6 {
			t.Errorf("%d inspections planned in March–August, want 6", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusCancelled, "inspection"); n != 5 {
			t.Errorf("%d inspections cancelled, want the 5 of September–January not dispatched", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusDispatched, "inspection"); n != 1 {
			t.Errorf("%d dispatched, want February's kept", n)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "seasonal"); n != 1 {
			t.Errorf("%d seasonal planned, want the cooling season's only", n)
		}
		// Terminated at the end of May: June–August cancelled too.
		k2, err := e.con.GetContract(e.asSpec1, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.con.SetState(e.asSpec1, k.ID, k2.Version, "terminated", "2026-05-31", "客户搬迁"); err != nil {
			t.Fatal(err)
		}
		if p, err = e.svc.GetProject(e.asSpec1, p.ID); err != nil {
			t.Fatal(err)
		}
		if n := countBy(p.WorkOrders, fieldwork.StatusPlanned, "inspection"); n != 3 {
			t.Errorf("%d inspections planned after the termination, want March–May", n)
		}
	})
}
