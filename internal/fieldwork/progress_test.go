package fieldwork_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// work creates a construction work order of customer a (spec1's) planned
// on planned with deadline deadline, and dispatches it now to techs.
func (e *env) work(planned, deadline string, techs ...string) *fieldwork.WorkOrderDetail {
	e.t.Helper()
	w, err := e.svc.CreateWorkOrder(e.asSpec1, fieldwork.WorkOrderInput{Type: "construction", CustomerID: e.a.ID, Content: "更换冷却塔填料",
		PlannedOn: planned, DeadlineOn: deadline, ContactName: "李工", ContactPhone: "13900000001"})
	if err != nil {
		e.t.Fatalf("create work order: %v", err)
	}
	w, err = e.svc.DispatchWorkOrder(e.asSpec1, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: techs})
	if err != nil {
		e.t.Fatalf("dispatch: %v", err)
	}
	return w
}

func at(day string, hour, minute int) time.Time {
	t, err := time.ParseInLocation("2006-01-02", day, shanghai)
	if err != nil {
		panic(err)
	}
	return t.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

func missingNames(rows []fieldwork.MissingReport) map[string][]string {
	out := map[string][]string{}
	for _, r := range rows {
		for _, p := range r.Missing {
			out[r.Number] = append(out[r.Number], p.Name)
		}
		slices.Sort(out[r.Number])
	}
	return out
}

func TestReportDayAndMissingReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		solo := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		pair := e.work("2026-03-09", "2026-03-10", e.tech1.ID, e.tech2.ID)
		e.clock.Set(at("2026-03-09", 17, 0))

		missing := func(ctx context.Context, day string) map[string][]string {
			t.Helper()
			rows, err := e.svc.MissingReports(ctx, day)
			if err != nil {
				t.Fatalf("missing reports %s: %v", day, err)
			}
			return missingNames(rows)
		}
		got := missing(e.asSpec1, "2026-03-09")
		if len(got) != 2 || !slices.Equal(got[solo.Number], []string{e.tech1.Name}) || len(got[pair.Number]) != 2 {
			t.Fatalf("before any report: %v", got)
		}
		if got := missing(e.asSpec2, "2026-03-09"); len(got) != 0 {
			t.Errorf("another specialist sees %v, want nothing (not their customers)", got)
		}
		if got := missing(e.asMgr, "2026-03-09"); len(got) != 2 {
			t.Errorf("the manager sees %v, want both orders", got)
		}
		if got := missing(e.asSpec1, "2026-03-06"); len(got) != 0 {
			t.Errorf("a day with no work: %v", got)
		}

		ok := fieldwork.ReportInput{Day: "2026-03-09", Status: fieldwork.ReportDone, Notes: "填料更换完毕"}
		for _, c := range []struct {
			name string
			ctx  context.Context
			in   fieldwork.ReportInput
			kind apperr.Kind
			fld  string
		}{
			{"a technician not sent", e.asTech2, ok, apperr.KindForbidden, ""},
			{"the specialist", e.asSpec1, ok, apperr.KindForbidden, ""},
			{"an unknown status", e.asTech1, fieldwork.ReportInput{Day: "2026-03-09", Status: "half"}, apperr.KindInvalid, "status"},
			{"blocked without a reason", e.asTech1, fieldwork.ReportInput{Day: "2026-03-09", Status: fieldwork.ReportBlocked}, apperr.KindInvalid, "notes"},
			{"tomorrow", e.asTech1, fieldwork.ReportInput{Day: "2026-03-10", Status: fieldwork.ReportDone}, apperr.KindInvalid, "day"},
			{"before the dispatch", e.asTech1, fieldwork.ReportInput{Day: "2026-03-04", Status: fieldwork.ReportDone}, apperr.KindInvalid, "day"},
			{"a time in the future", e.asTech1, fieldwork.ReportInput{Day: "2026-03-09", Status: fieldwork.ReportDone, At: "2026-03-09 18:00"}, apperr.KindInvalid, "at"},
			{"a technician reporting for another", e.asTech1, fieldwork.ReportInput{Day: "2026-03-09", Status: fieldwork.ReportDone, TechnicianID: e.tech2.ID}, apperr.KindForbidden, ""},
		} {
			_, err := e.svc.ReportDay(c.ctx, solo.ID, c.in)
			if c.name == "a technician reporting for another" {
				_, err = e.svc.ReportDay(c.ctx, pair.ID, c.in)
			}
			wantKind(t, err, c.kind, c.name)
			if c.fld != "" {
				wantField(t, err, c.fld, c.name)
			}
		}

		r, err := e.svc.ReportDay(e.asTech1, solo.ID, ok)
		if err != nil {
			t.Fatal(err)
		}
		if r.StaffID != e.tech1.ID || r.Day != "2026-03-09" || !r.ReportedAt.Equal(at("2026-03-09", 17, 0)) {
			t.Fatalf("report %+v", r)
		}
		// Reporting again corrects the same report.
		ok.Notes = "填料更换完毕，已试机"
		if r2, err := e.svc.ReportDay(e.asTech1, solo.ID, ok); err != nil || r2.ID != r.ID || r2.Notes != ok.Notes {
			t.Fatalf("correction: %+v, %v", r2, err)
		}
		if _, err := e.svc.ReportDay(e.asTech1, pair.ID, fieldwork.ReportInput{Status: fieldwork.ReportInProgress, Notes: "完成一半"}); err != nil {
			t.Fatal(err)
		}
		got = missing(e.asSpec1, "2026-03-09")
		if len(got) != 1 || !slices.Equal(got[pair.Number], []string{e.tech2.Name}) {
			t.Fatalf("after tech1's reports: %v, want only tech2 on the pair", got)
		}
		// The supervisor reports for tech2 by name; then nothing is missing.
		r, err = e.svc.ReportDay(e.asSup, pair.ID, fieldwork.ReportInput{Status: fieldwork.ReportInProgress, TechnicianID: e.tech2.ID})
		if err != nil || r.StaffID != e.tech2.ID || r.RecordedBy == nil || *r.RecordedBy != e.sup.ID {
			t.Fatalf("supervisor for tech2: %+v, %v", r, err)
		}
		if got := missing(e.asSpec1, "2026-03-09"); len(got) != 0 {
			t.Fatalf("all reported: %v", got)
		}
		reps, err := e.svc.Reports(e.asSpec1, pair.ID)
		if err != nil || len(reps) != 2 {
			t.Fatalf("reports of the pair: %v, %v", reps, err)
		}

		// The next day only the pair is worked; the supervisor's own report
		// stands for the whole group.
		e.clock.Set(at("2026-03-10", 17, 30))
		if got := missing(e.asSup, "2026-03-10"); len(got) != 1 || len(got[pair.Number]) != 2 {
			t.Fatalf("day two: %v, want the pair with both technicians", got)
		}
		if _, err := e.svc.ReportDay(e.asSup, pair.ID, fieldwork.ReportInput{Status: fieldwork.ReportDone, Notes: "全部完工"}); err != nil {
			t.Fatal(err)
		}
		if got := missing(e.asSpec1, "2026-03-10"); len(got) != 0 {
			t.Fatalf("after the group report: %v", got)
		}
	})
}

func TestWorkDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.work("2026-03-09", "2026-03-12", e.tech1.ID)
		// Completed on the 10th: the 11th and 12th are no longer work days.
		e.clock.Set(at("2026-03-10", 15, 0))
		if _, err := e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, ""); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at("2026-03-13", 9, 0))
		for day, want := range map[string]int{"2026-03-08": 0, "2026-03-09": 1, "2026-03-10": 1, "2026-03-11": 0, "2026-03-12": 0} {
			rows, err := e.svc.MissingReports(e.asSpec1, day)
			if err != nil || len(rows) != want {
				t.Errorf("%s: %d orders (%v), want %d", day, len(rows), err, want)
			}
		}
		// Planned, not dispatched: no work.
		if _, err := e.svc.CreateWorkOrder(e.asSpec1, fieldwork.WorkOrderInput{Type: "inspection", CustomerID: e.a.ID, PlannedOn: "2026-03-13",
			ContactName: "李工", ContactPhone: "13900000001"}); err != nil {
			t.Fatal(err)
		}
		if rows, err := e.svc.MissingReports(e.asSpec1, "2026-03-13"); err != nil || len(rows) != 0 {
			t.Errorf("an undispatched order: %d rows, %v", len(rows), err)
		}
	})
}

func TestRecordFollowup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		e.clock.Set(at("2026-03-09", 18, 0))
		in := fieldwork.FollowupInput{CustomerID: e.a.ID, Kind: fieldwork.FollowupReminder, Note: "提醒田师傅拍照上传"}
		for _, c := range []struct {
			name string
			ctx  context.Context
			in   fieldwork.FollowupInput
			kind apperr.Kind
			fld  string
		}{
			{"another specialist", e.asSpec2, in, apperr.KindForbidden, ""},
			{"a technician", e.asTech1, in, apperr.KindForbidden, ""},
			{"an unknown kind", e.asSpec1, fieldwork.FollowupInput{CustomerID: e.a.ID, Kind: "call"}, apperr.KindInvalid, "kind"},
			{"no customer", e.asSpec1, fieldwork.FollowupInput{Kind: fieldwork.FollowupReminder}, apperr.KindInvalid, "customer_id"},
			{"another customer's order", e.asSpec1, fieldwork.FollowupInput{CustomerID: e.b.ID, WorkOrderID: w.ID, Kind: fieldwork.FollowupReminder}, apperr.KindInvalid, "work_order_id"},
			{"a future day", e.asSpec1, fieldwork.FollowupInput{CustomerID: e.a.ID, Kind: fieldwork.FollowupReminder, Day: "2026-03-10"}, apperr.KindInvalid, "day"},
		} {
			_, err := e.svc.RecordFollowup(c.ctx, c.in)
			wantKind(t, err, c.kind, c.name)
			if c.fld != "" {
				wantField(t, err, c.fld, c.name)
			}
		}
		f, err := e.svc.RecordFollowup(e.asSpec1, in)
		if err != nil {
			t.Fatal(err)
		}
		if f.Day != "2026-03-09" || f.StaffID == nil || *f.StaffID != e.spec1.ID {
			t.Fatalf("follow-up %+v", f)
		}
		g, err := e.svc.RecordFollowup(e.asMgr, fieldwork.FollowupInput{WorkOrderID: w.ID, Kind: fieldwork.FollowupGroupFeedback, At: "2026-03-09 17:45"})
		if err != nil || g.CustomerID != e.a.ID {
			t.Fatalf("the manager, from the order: %+v, %v", g, err)
		}
		list, err := e.svc.Followups(e.asSpec1, e.a.ID, "2026-03-09", "2026-03-09")
		if err != nil || len(list) != 2 || list[0].Kind != fieldwork.FollowupGroupFeedback {
			t.Fatalf("follow-ups %+v, %v", list, err)
		}
	})
}

func TestProgressPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		pol, err := e.svc.ProgressPolicy(e.asSpec1)
		if err != nil || pol != fieldwork.DefaultProgressPolicy() {
			t.Fatalf("default %+v, %v", pol, err)
		}
		pol.SummaryDueHour = 18
		if _, err := e.svc.SaveProgressPolicy(e.asSpec1, pol); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist: %v", err)
		}
		for _, bad := range []fieldwork.ProgressPolicy{{SummaryDueHour: 0, MonthlySummaryDay: 25}, {SummaryDueHour: 20, MonthlySummaryDay: 31},
			{SummaryDueHour: 20, MonthlySummaryDay: 25, ProblemForwardWorkingDays: -1}, {SummaryDueHour: 20, MonthlySummaryDay: 25, TrackFrom: "3月1日"}} {
			if _, err := e.svc.SaveProgressPolicy(e.asMgr, bad); !apperr.Is(err, apperr.KindInvalid) {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
		if _, err := e.svc.SaveProgressPolicy(e.asMgr, pol); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.ProgressPolicy(e.asMgr); got.SummaryDueHour != 18 || got.MonthlySummaryDay != 25 {
			t.Fatalf("saved %+v", got)
		}
	})
}
