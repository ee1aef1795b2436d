package surveys_test

import (
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/surveys"
)

// TestPlanInputChecks: every bad plan is refused naming its field, and
// nothing is stored.
func TestPlanInputChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		with := func(f func(*surveys.PlanInput)) surveys.PlanInput {
			in := plan("三月满意度调查")
			f(&in)
			return in
		}
		q := func(qs ...surveys.QuestionInput) func(*surveys.PlanInput) {
			return func(in *surveys.PlanInput) { in.Questions = append([]surveys.QuestionInput{}, qs...) }
		}
		cases := []struct {
			name  string
			in    surveys.PlanInput
			field string
		}{
			{"no title", with(func(in *surveys.PlanInput) { in.Title = "  " }), "title"},
			{"a month 13", with(func(in *surveys.PlanInput) { in.Period = "2026-13" }), "period"},
			{"a quarter 5", with(func(in *surveys.PlanInput) { in.Period = "2026Q5" }), "period"},
			{"no due date", with(func(in *surveys.PlanInput) { in.DueOn = "" }), "due_on"},
			{"a bad due date", with(func(in *surveys.PlanInput) { in.DueOn = "2026-02-30" }), "due_on"},
			{"an unknown method", with(func(in *surveys.PlanInput) { in.Method = "fax" }), "method"},
			{"an unknown class", with(func(in *surveys.PlanInput) { in.ScopeClass = "E" }), "scope_class"},
			{"an unknown region", with(func(in *surveys.PlanInput) { in.ScopeRegionID = "01900000-0000-7000-8000-000000000000" }), "scope_region_id"},
			{"an unknown owner", with(func(in *surveys.PlanInput) { in.ScopeOwnerID = "01900000-0000-7000-8000-000000000000" }), "scope_owner_id"},
			{"no questions", with(q()), "questions"},
			{"an empty question", with(q(surveys.QuestionInput{Text: "", Kind: "score", Overall: true})), "questions[0].text"},
			{"an unknown kind", with(q(surveys.QuestionInput{Text: "总体", Kind: "stars", Overall: true})), "questions[0].kind"},
			{"a text question counted", with(q(surveys.QuestionInput{Text: "意见", Kind: "text", Overall: true})), "questions[0].overall"},
			{"two overall questions", with(q(surveys.QuestionInput{Text: "甲", Kind: "score", Overall: true}, surveys.QuestionInput{Text: "乙", Kind: "score", Overall: true})), "questions"},
			{"scores without an overall one", with(q(surveys.QuestionInput{Text: "甲", Kind: "score"})), "questions"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.CreatePlan(e.asMgr, c.in)
				wantErr(t, err, apperr.KindInvalid, c.field)
			})
		}
		if ps, err := e.svc.Plans(e.asMgr, surveys.PlanFilter{}); err != nil || len(ps) != 0 {
			t.Fatalf("plans after refusals: %v %v", ps, err)
		}
		// Text-only questionnaires need no overall score.
		if _, err := e.svc.CreatePlan(e.asMgr, with(q(surveys.QuestionInput{Text: "意见建议", Kind: "text"}))); err != nil {
			t.Fatalf("text-only plan: %v", err)
		}
	})
}

// TestPlanLifecycle: draft → open → closed by the manager only; issuing
// makes one task per active customer in scope for its owner; each step is
// audited; stale versions and wrong states are refused.
func TestPlanLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, err := e.svc.CreatePlan(e.asSpec1, plan("越权"))
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.CreatePlan(e.anon, plan("匿名"))
		wantErr(t, err, apperr.KindForbidden, "")

		d, err := e.svc.CreatePlan(e.asMgr, plan("一季度满意度调查"))
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != surveys.StatusDraft || d.Version != 1 || len(d.Questions) != 5 || d.Total != 0 || d.DueOn != "2026-03-20" ||
			!d.DueAt.Equal(time.Date(2026, 3, 21, 0, 0, 0, 0, shanghai)) {
			t.Fatalf("draft %+v", d.PlanView)
		}
		texts := []string{}
		for _, q := range d.Questions {
			texts = append(texts, q.Text)
		}
		if !slices.Equal(texts, []string{"服务态度", "响应速度", "维修质量", "总体满意度", "意见建议"}) || !d.Questions[3].Overall || d.Questions[4].Kind != "text" {
			t.Fatalf("default questions %+v", d.Questions)
		}

		// Update the draft: narrow to class A and region 国贸.
		in := plan("一季度 A 类客户满意度调查")
		in.ScopeClass, in.ScopeRegionID = "A", e.r1.ID
		_, err = e.svc.UpdatePlan(e.asMgr, d.ID, 7, in)
		wantErr(t, err, apperr.KindConflict, "version")
		_, err = e.svc.UpdatePlan(e.asSpec1, d.ID, d.Version, in)
		wantErr(t, err, apperr.KindForbidden, "")
		d, err = e.svc.UpdatePlan(e.asMgr, d.ID, d.Version, in)
		if err != nil || d.Version != 2 || d.Title != in.Title || d.ScopeClass != "A" || d.ScopeRegionName != "国贸" {
			t.Fatalf("update %+v %v", d, err)
		}

		// Issue: customer c only (A, 国贸); lost and other classes are out.
		_, err = e.svc.IssuePlan(e.asSpec1, d.ID, d.Version)
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.IssuePlan(e.asMgr, d.ID, 1)
		wantErr(t, err, apperr.KindConflict, "version")
		e.clock.Set(startTime.Add(time.Hour))
		d, err = e.svc.IssuePlan(e.asMgr, d.ID, d.Version)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != surveys.StatusOpen || d.Total != 1 || d.IssuedAt == nil || !d.IssuedAt.Equal(startTime.Add(time.Hour)) || *d.IssuedBy != e.mgr.ID {
			t.Fatalf("issued %+v", d.PlanView)
		}
		task := e.taskOf(d.ID, e.c)
		if *task.StaffID != e.spec1.ID || task.Class != "A" || *task.RegionID != e.r1.ID || task.Outcome != "" {
			t.Fatalf("task %+v", task)
		}
		_, err = e.svc.IssuePlan(e.asMgr, d.ID, d.Version)
		wantErr(t, err, apperr.KindConflict, "status")
		_, err = e.svc.UpdatePlan(e.asMgr, d.ID, d.Version, in)
		wantErr(t, err, apperr.KindConflict, "status")

		// The whole company: every active customer, the unowned one unassigned.
		all := e.issued(plan("全体客户调查"))
		if all.Total != 4 {
			t.Fatalf("all customers: %d tasks, want 4 (a, b, c, d; not the lost one)", all.Total)
		}
		if tk := e.taskOf(all.ID, e.d); tk.StaffID != nil {
			t.Fatalf("unowned customer's task assigned to %v", *tk.StaffID)
		}
		if tk := e.taskOf(all.ID, e.b); *tk.StaffID != e.spec2.ID {
			t.Fatal("b's task is not spec2's")
		}
		byOwner := plan("苏专员的客户")
		byOwner.ScopeOwnerID = e.spec2.ID
		if o := e.issued(byOwner); o.Total != 1 {
			t.Fatalf("owner scope: %d tasks, want 1", o.Total)
		}
		empty := plan("没有客户")
		empty.ScopeClass = "D"
		ed, err := e.svc.CreatePlan(e.asMgr, empty)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.IssuePlan(e.asMgr, ed.ID, ed.Version)
		wantErr(t, err, apperr.KindInvalid, "scope")
		_, err = e.svc.ClosePlan(e.asMgr, ed.ID, ed.Version)
		wantErr(t, err, apperr.KindConflict, "status")

		// Close.
		_, err = e.svc.ClosePlan(e.asSpec2, d.ID, d.Version)
		wantErr(t, err, apperr.KindForbidden, "")
		d, err = e.svc.ClosePlan(e.asMgr, d.ID, d.Version)
		if err != nil || d.Status != surveys.StatusClosed || d.ClosedAt == nil {
			t.Fatalf("close %+v %v", d, err)
		}
		_, err = e.svc.ClosePlan(e.asMgr, d.ID, d.Version)
		wantErr(t, err, apperr.KindConflict, "status")

		// Lists: everyone on the desk reads; the technician does not.
		if ps, err := e.svc.Plans(e.asSpec2, surveys.PlanFilter{Status: "open"}); err != nil || len(ps) != 2 {
			t.Fatalf("open plans %d %v", len(ps), err)
		}
		_, err = e.svc.Plans(e.asTech, surveys.PlanFilter{})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.Plan(e.asTech, d.ID)
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.Plans(e.asMgr, surveys.PlanFilter{Status: "done"})
		wantErr(t, err, apperr.KindInvalid, "status")
		_, err = e.svc.Plan(e.asMgr, "01900000-0000-7000-8000-000000000000")
		wantErr(t, err, apperr.KindNotFound, "")

		// Audit: create, update, issue, close of the plan, by the manager.
		entries, err := audit.List(e.sys, db.R(), audit.Filter{Entity: "survey_plan", EntityID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(entries) - 1; i >= 0; i-- {
			got = append(got, entries[i].Action+" "+entries[i].Summary)
			if entries[i].ActorID == nil || *entries[i].ActorID != e.mgr.ID {
				t.Errorf("audit entry %q by %v", entries[i].Summary, entries[i].ActorID)
			}
		}
		want := []string{"create 新建满意度调查计划 一季度满意度调查", "update 修改满意度调查计划 一季度 A 类客户满意度调查",
			"update 下发满意度调查计划 一季度 A 类客户满意度调查（1 位客户）", "update 结束满意度调查计划 一季度 A 类客户满意度调查"}
		if !slices.Equal(got, want) {
			t.Fatalf("audit %q, want %q", got, want)
		}
	})
}
