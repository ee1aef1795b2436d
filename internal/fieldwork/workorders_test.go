package fieldwork_test

import (
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

func TestRepairDispatchTimeliness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tk, err := e.tk.CreateTicket(e.asSpec1, tickets.TicketInput{CustomerID: e.a.ID, Type: tickets.TypeRepair, Channel: "phone_in",
			Description: "3 号机组不制冷", RepairObject: "冷水机组 3#", ModelSpec: "约克 YK-500", AppointmentAt: "2026-03-06 09:00",
			SpecialNeeds: "无", Address: "国贸三期 B3 机房"})
		if err != nil {
			t.Fatal(err)
		}
		w, err := e.svc.CreateWorkOrder(e.asSpec1, fieldwork.WorkOrderInput{TicketID: tk.ID, ContactName: "李工", ContactPhone: "13900000001"})
		if err != nil {
			t.Fatal(err)
		}
		if w.Type != fieldwork.TypeRepair || w.CustomerID != e.a.ID || w.SiteAddress != "国贸三期 B3 机房" || w.Equipment != "冷水机组 3#" ||
			w.TicketNumber != tk.Number || w.Status != fieldwork.StatusPlanned {
			t.Fatalf("work order from the ticket: %+v", w.WorkOrder)
		}
		if want := tk.ReceivedAt.Add(30 * time.Minute); w.DispatchDue == nil || !w.DispatchDue.Equal(want) {
			t.Fatalf("dispatch due %v, want 30 minutes after the ticket (%v)", w.DispatchDue, want)
		}
		// Dispatched 45 minutes after the ticket: one (started) day late.
		e.clock.Set(tk.ReceivedAt.Add(45 * time.Minute))
		w, err = e.svc.DispatchWorkOrder(e.asSpec1, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: []string{e.tech1.ID, e.tech2.ID, e.tech1.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if w.Status != fieldwork.StatusDispatched || w.GroupID == nil || *w.GroupID != e.group.ID || w.SupervisorID == nil ||
			*w.SupervisorID != e.sup.ID || len(w.Technicians) != 2 {
			t.Fatalf("dispatched: %+v technicians %v", w.WorkOrder, w.Technicians)
		}
		n := e.derive()
		ev := e.events("dispatch_overdue")["dispatch_overdue|work_order|"+w.ID]
		if n.WorkOrdersLate != 1 || ev.Quantity != 1 || ev.StaffID == nil || *ev.StaffID != e.spec1.ID {
			t.Fatalf("counts %+v event %+v: want one day late against spec1", n, ev)
		}
	})
}

func TestPlannedDispatchAndReturn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		in := fieldwork.WorkOrderInput{Type: "construction", CustomerID: e.a.ID, Content: "更换冷却塔填料", PlannedOn: "2026-03-12",
			DeadlineOn: "2026-03-13", ContactName: "李工", ContactPhone: "13900000001"}
		if _, err := e.svc.CreateWorkOrder(e.asSpec2, in); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist's customer: %v, want forbidden", err)
		}
		bad := in
		bad.DeadlineOn = "2026-03-11"
		_, err := e.svc.CreateWorkOrder(e.asSpec1, bad)
		wantField(t, err, "deadline_on", "a deadline before the planned day")
		bad = in
		bad.Type = "painting"
		_, err = e.svc.CreateWorkOrder(e.asSpec1, bad)
		wantField(t, err, "type", "an unknown type")

		w, err := e.svc.CreateWorkOrder(e.asSpec1, in)
		if err != nil {
			t.Fatal(err)
		}
		// Planned for Thursday 03-12: dispatch by the end of Tuesday 03-10.
		if w.DispatchDue == nil || !w.DispatchDue.Equal(time.Date(2026, 3, 11, 0, 0, 0, 0, shanghai)) {
			t.Fatalf("dispatch due %v, want the end of 2026-03-10", w.DispatchDue)
		}
		if w.SiteAddress != "北京市朝阳区国贸物业" {
			t.Errorf("site %q: want the customer's address by default", w.SiteAddress)
		}
		e.clock.Set(time.Date(2026, 3, 10, 16, 0, 0, 0, shanghai))
		w, err = e.svc.DispatchWorkOrder(e.asSpec1, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: []string{e.tech1.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DispatchWorkOrder(e.asSpec1, w.ID, w.Version, fieldwork.DispatchInput{}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("dispatching twice: %v, want invalid", err)
		}

		// Returns: only the group's supervisor or an assigned technician.
		ret := fieldwork.ReturnInput{Fields: []string{"site_address", "contact"}, Points: 2, Reason: "地址应为国贸一期，联系人已离职"}
		if _, err := e.svc.ReturnWorkOrder(e.asTech2, w.ID, w.Version, ret); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician not sent: %v, want forbidden", err)
		}
		if _, err := e.svc.ReturnWorkOrder(e.asSpec1, w.ID, w.Version, ret); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("the specialist: %v, want forbidden", err)
		}
		for _, c := range []struct {
			field string
			in    fieldwork.ReturnInput
		}{
			{"fields", fieldwork.ReturnInput{Points: 1, Reason: "x"}},
			{"fields", fieldwork.ReturnInput{Fields: []string{"colour"}, Points: 1, Reason: "x"}},
			{"points", fieldwork.ReturnInput{Fields: []string{"content"}, Points: 3, Reason: "x"}},
			{"reason", fieldwork.ReturnInput{Fields: []string{"content"}, Points: 1, Reason: " "}},
		} {
			_, err := e.svc.ReturnWorkOrder(e.asTech1, w.ID, w.Version, c.in)
			wantField(t, err, c.field, "a bad return")
		}
		w, err = e.svc.ReturnWorkOrder(e.asTech1, w.ID, w.Version, ret)
		if err != nil {
			t.Fatal(err)
		}
		if w.Status != fieldwork.StatusReturned || len(w.Returns) != 1 || !slices.Equal(w.Returns[0].Fields, []string{"contact", "site_address"}) {
			t.Fatalf("returned: status %s returns %+v", w.Status, w.Returns)
		}
		e.derive()
		errKey := "dispatch_error|" + w.Returns[0].ID
		if ev := e.events("dispatch_error")[errKey]; ev.Quantity != 2 || ev.StaffID == nil || *ev.StaffID != e.spec1.ID {
			t.Fatalf("dispatch_error %+v: want 2 points against the dispatcher", ev)
		}
		// Corrected and sent again: the first dispatch time stays (it was on time).
		in.SiteAddress, in.ContactName = "国贸一期 B2 机房", "赵工"
		if w, err = e.svc.UpdateWorkOrder(e.asSpec1, w.ID, w.Version, in); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 11, 9, 0, 0, 0, shanghai))
		if w, err = e.svc.DispatchWorkOrder(e.asSpec1, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: []string{e.tech1.ID}}); err != nil {
			t.Fatal(err)
		}
		if w.Returns[0].ResolvedAt == nil || w.DispatchedAt.In(shanghai).Day() != 10 {
			t.Errorf("after the re-dispatch: return %+v, dispatched at %v", w.Returns[0], w.DispatchedAt)
		}
		e.derive()
		if _, late := e.events("dispatch_overdue")["dispatch_overdue|work_order|"+w.ID]; late {
			t.Error("a dispatch on time then corrected counted late")
		}
		// A manager withdraws the return: its event is withdrawn.
		if err := e.svc.WithdrawReturn(e.asSpec1, w.Returns[0].ID, "误退"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist withdrawing: %v, want forbidden", err)
		}
		if err := e.svc.WithdrawReturn(e.asMgr, w.Returns[0].ID, "技术员看错了地址"); err != nil {
			t.Fatal(err)
		}
		if n := e.derive(); n.Withdrawn != 1 {
			t.Errorf("withdrawn %d, want 1", n.Withdrawn)
		}
		if ev := e.events("dispatch_error")[errKey]; ev.Withdrawn == nil {
			t.Error("the withdrawn return's event stands")
		}

		// Completion by the technician, not before the dispatch, not in the future.
		_, err = e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-09 10:00")
		wantField(t, err, "completed_at", "completion before dispatch")
		_, err = e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-11 10:00")
		wantField(t, err, "completed_at", "completion in the future")
		if _, err := e.svc.CompleteWorkOrder(e.asTech2, w.ID, w.Version, ""); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician not sent completing: %v, want forbidden", err)
		}
		if w, err = e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-11 08:30"); err != nil {
			t.Fatal(err)
		}
		if w.Status != fieldwork.StatusCompleted {
			t.Errorf("status %s after completion", w.Status)
		}
		if _, err := e.svc.CancelWorkOrder(e.asSpec1, w.ID, w.Version, "客户取消"); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("cancelling completed work: %v, want invalid", err)
		}
	})
}

func TestWorkOrderVisibilityAndBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		mk := func(day string) *fieldwork.WorkOrderDetail {
			w, err := e.svc.CreateWorkOrder(e.asSpec1, fieldwork.WorkOrderInput{Type: "inspection", CustomerID: e.a.ID, PlannedOn: day})
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		w1, w2, w3 := mk("2026-03-09"), mk("2026-03-09"), mk("2026-03-20")
		if _, err := e.svc.DispatchWorkOrder(e.asSpec1, w1.ID, w1.Version, fieldwork.DispatchInput{TechnicianIDs: []string{e.tech1.ID}}); err != nil {
			t.Fatal(err)
		}
		// Dispatch to region r2 (no group) is refused.
		wb, err := e.svc.CreateWorkOrder(e.asSpec2, fieldwork.WorkOrderInput{Type: "inspection", CustomerID: e.b.ID, PlannedOn: "2026-03-09"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.DispatchWorkOrder(e.asSpec2, wb.ID, wb.Version, fieldwork.DispatchInput{})
		wantField(t, err, "region_id", "dispatch to a region without a group")

		if _, err := e.svc.GetWorkOrder(e.asTech1, w1.ID); err != nil {
			t.Errorf("the technician sent: %v", err)
		}
		if _, err := e.svc.GetWorkOrder(e.asTech2, w1.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("a technician not sent: %v, want not found", err)
		}
		if _, err := e.svc.GetWorkOrder(e.asSup, w1.ID); err != nil {
			t.Errorf("the group's supervisor: %v", err)
		}
		if _, err := e.svc.GetWorkOrder(e.asSpec2, w2.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("another specialist: %v, want not found", err)
		}
		mine, err := e.svc.ListWorkOrders(e.asTech1, fieldwork.WorkOrderFilter{})
		if err != nil || len(mine) != 1 || mine[0].ID != w1.ID {
			t.Errorf("the technician's list: %d rows, %v", len(mine), err)
		}

		b, err := e.svc.DispatchBoard(e.asMgr, fieldwork.BoardFilter{From: "2026-03-09"})
		if err != nil {
			t.Fatal(err)
		}
		if b.To != "2026-03-15" || len(b.Days) != 7 || b.Days[0].Day != "2026-03-09" {
			t.Fatalf("board span %s–%s, %d days", b.From, b.To, len(b.Days))
		}
		day := b.Days[0]
		// Undispatched first (no group), then the group.
		if len(day.Groups) != 2 || day.Groups[0].GroupID != "" || len(day.Groups[0].Orders) != 2 ||
			day.Groups[1].GroupName != "维修一组" || len(day.Groups[1].Orders) != 1 {
			t.Fatalf("2026-03-09 on the board: %+v", day.Groups)
		}
		for _, d := range b.Days[1:] {
			if len(d.Groups) != 0 {
				t.Errorf("%s has work: %+v", d.Day, d.Groups)
			}
		}
		// On Sunday 03-08 w2 (for 03-09, due by the end of 03-07) is overdue.
		e.clock.Set(time.Date(2026, 3, 8, 9, 0, 0, 0, shanghai))
		b, err = e.svc.DispatchBoard(e.asSpec1, fieldwork.BoardFilter{From: "2026-03-09", To: "2026-03-31"})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Overdue) != 1 || b.Overdue[0].ID != w2.ID {
			t.Errorf("overdue on spec1's board: %d rows, want w2 only", len(b.Overdue))
		}
		if last := b.Days[len(b.Days)-1]; last.Day != "2026-03-31" {
			t.Errorf("last day %s", last.Day)
		}
		if n := len(b.Days[11].Groups); n != 1 || b.Days[11].Groups[0].Orders[0].ID != w3.ID {
			t.Errorf("2026-03-20 on the board: %+v", b.Days[11].Groups)
		}
		_, err = e.svc.DispatchBoard(e.asMgr, fieldwork.BoardFilter{From: "2026-03-01", To: "2026-04-30"})
		wantField(t, err, "to", "a board of two months")
	})
}
