package surveys_test

import (
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/notify"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/surveys"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRecordResponse: who may record which task, what a response needs,
// the communication record it stores (tagged satisfaction, linked), the
// audit entry, and the states that refuse a response.
func TestRecordResponse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.issued(plan("三月满意度调查"))
		e.clock.Set(startTime.Add(2 * time.Hour))
		ta := e.taskOf(p.ID, e.a) // spec1's
		tb := e.taskOf(p.ID, e.b) // spec2's
		good := surveys.ResponseInput{Outcome: "answered", ContactName: "王经理", Answers: answers(ta, 4, "夜间报修响应可以再快些")}
		with := func(f func(*surveys.ResponseInput)) surveys.ResponseInput {
			in := good
			in.Answers = slices.Clone(good.Answers)
			f(&in)
			return in
		}
		cases := []struct {
			name  string
			ctx   string
			task  *surveys.TaskDetail
			ver   int64
			in    surveys.ResponseInput
			kind  apperr.Kind
			field string
		}{
			{"another specialist's task", "spec2", ta, 1, good, apperr.KindForbidden, ""},
			{"a technician", "tech", ta, 1, good, apperr.KindForbidden, ""},
			{"nobody logged in", "anon", ta, 1, good, apperr.KindForbidden, ""},
			{"a stale version", "spec1", ta, 2, good, apperr.KindConflict, "version"},
			{"an unknown outcome", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Outcome = "maybe" }), apperr.KindInvalid, "outcome"},
			{"an unknown channel", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Channel = "fax" }), apperr.KindInvalid, "channel"},
			{"no contact person", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.ContactName = "" }), apperr.KindInvalid, "contact_name"},
			{"a score missing", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Answers = in.Answers[1:] }), apperr.KindInvalid, "answers"},
			{"a score of 6", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Answers[0].Score = 6 }), apperr.KindInvalid, "answers"},
			{"a score on a text question", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Answers[4].Score = 3 }), apperr.KindInvalid, "answers"},
			{"another plan's question", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Answers[0].QuestionID = tb.ID }), apperr.KindInvalid, "answers[0].question_id"},
			{"a question twice", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Answers[1].QuestionID = in.Answers[0].QuestionID }), apperr.KindInvalid, "answers[1].question_id"},
			{"in the future", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.At = "2026-03-05 13:00:00" }), apperr.KindInvalid, "at"},
			{"before the plan was issued", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.At = "2026-03-05 09:00:00" }), apperr.KindInvalid, "at"},
			{"a malformed time", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.At = "上午" }), apperr.KindInvalid, "at"},
			{"unreachable without a note", "spec1", ta, 1, surveys.ResponseInput{Outcome: "unreachable"}, apperr.KindInvalid, "note"},
			{"refused with scores", "spec1", ta, 1, with(func(in *surveys.ResponseInput) { in.Outcome, in.Note = "refused", "不愿意" }), apperr.KindInvalid, "answers"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx := map[string]context.Context{"spec1": e.asSpec1, "spec2": e.asSpec2, "tech": e.asTech, "anon": e.anon}[c.ctx]
				_, err := e.svc.RecordResponse(ctx, c.task.ID, c.ver, c.in)
				wantErr(t, err, c.kind, c.field)
			})
		}
		// Nothing was stored by the refusals: no record, task unchanged.
		if tk := e.taskOf(p.ID, e.a); tk.Outcome != "" || tk.Version != 1 || tk.CommunicationID != nil {
			t.Fatalf("task after refusals %+v", tk.Task)
		}
		if n, _ := db.R().NewSelect().Table("communications").Count(e.sys); n != 0 {
			t.Fatalf("%d communication records after refusals", n)
		}

		// The owner records the answer, at an explicit earlier time.
		in := with(func(in *surveys.ResponseInput) { in.At = "2026-03-05 11:30:00"; in.Channel = "wechat" })
		d, err := e.svc.RecordResponse(e.asSpec1, ta.ID, 1, in)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 5, 11, 30, 0, 0, shanghai)
		if d.Outcome != "answered" || d.Version != 2 || d.OverallScore == nil || *d.OverallScore != 4 || !d.AnsweredAt.Equal(at) ||
			d.ContactName != "王经理" || d.Channel != "wechat" || *d.RecordedBy != e.spec1.ID || len(d.Answers) != 5 || d.CanRecord {
			t.Fatalf("recorded %+v", d)
		}
		rec, err := e.comms.Get(e.asMgr, *d.CommunicationID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Channel != "wechat_private" || rec.Direction != "out" || *rec.CustomerID != e.a.ID || *rec.StaffID != e.spec1.ID ||
			!rec.OccurredAt.Equal(at) || !slices.Equal(rec.Tags, []string{"satisfaction"}) ||
			rec.Summary != "满意度调查「三月满意度调查」：已答复，总体满意度 4 分（受访人 王经理）" {
			t.Fatalf("communication record %+v", rec)
		}
		_, err = e.svc.RecordResponse(e.asSpec1, ta.ID, 2, good)
		wantErr(t, err, apperr.KindConflict, "outcome")

		// A manager records for anyone: b could not be reached.
		d, err = e.svc.RecordResponse(e.asMgr, tb.ID, 1, surveys.ResponseInput{Outcome: "unreachable", Note: "电话三次无人接听"})
		if err != nil || d.Outcome != "unreachable" || d.OverallScore != nil || len(d.Answers) != 0 || d.Channel != "phone" {
			t.Fatalf("unreachable %+v %v", d, err)
		}
		entries, err := audit.List(e.sys, db.R(), audit.Filter{Entity: "survey_task"})
		if err != nil || len(entries) != 2 || entries[1].Summary != "登记满意度调查 三月满意度调查 · 国贸物业：已答复" || *entries[0].ActorID != e.mgr.ID {
			t.Fatalf("audit %+v %v", entries, err)
		}

		// A specialist reads only their own tasks (read-all is off here).
		_, err = e.svc.Task(e.asSpec2, ta.ID)
		wantErr(t, err, apperr.KindForbidden, "")
		mine, err := e.svc.Tasks(e.asSpec2, surveys.TaskFilter{StaffID: e.spec1.ID})
		if err != nil || len(mine) != 1 || mine[0].ID != tb.ID {
			t.Fatalf("spec2's tasks %+v %v", mine, err)
		}
		_, err = e.svc.Tasks(e.asMgr, surveys.TaskFilter{State: "late"})
		wantErr(t, err, apperr.KindInvalid, "state")

		// Closed: no more responses.
		pl, _ := e.svc.Plan(e.asMgr, p.ID)
		if _, err := e.svc.ClosePlan(e.asMgr, p.ID, pl.Version); err != nil {
			t.Fatal(err)
		}
		tc := e.taskOf(p.ID, e.c)
		_, err = e.svc.RecordResponse(e.asSpec1, tc.ID, tc.Version, surveys.ResponseInput{Outcome: "answered", ContactName: "李工", Answers: answers(tc, 5, "")})
		wantErr(t, err, apperr.KindConflict, "status")
	})
}

// TestProgressResultsAndReminders: completion per specialist as exact
// ratios, overdue once the due date passed, per-question averages, the
// groups and low scores; reminders due soon and overdue, once each.
func TestProgressResultsAndReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.issued(plan("三月满意度调查")) // a, b, c (spec1, spec2, spec1), d (nobody); due 03-20
		e.clock.Set(startTime.Add(time.Hour))
		record := func(c, ctx string, in surveys.ResponseInput) {
			t.Helper()
			cust := map[string]*surveys.TaskDetail{"a": e.taskOf(p.ID, e.a), "b": e.taskOf(p.ID, e.b), "c": e.taskOf(p.ID, e.c)}[c]
			if in.Outcome == "answered" && in.Answers == nil {
				t.Fatal("no answers")
			}
			x := map[string]context.Context{"spec1": e.asSpec1, "spec2": e.asSpec2, "mgr": e.asMgr}[ctx]
			if _, err := e.svc.RecordResponse(x, cust.ID, cust.Version, in); err != nil {
				t.Fatalf("record %s: %v", c, err)
			}
		}
		ta, tb := e.taskOf(p.ID, e.a), e.taskOf(p.ID, e.b)
		// a: 5,4,2,4 + remark; b: 1,2,3,1.
		aAns := answers(ta, 0, "希望保养前电话通知")
		for i, s := range []int{5, 4, 2, 4} {
			aAns[i].Score = s
		}
		bAns := answers(tb, 0, "")
		for i, s := range []int{1, 2, 3, 1} {
			bAns[i].Score = s
		}
		record("a", "spec1", surveys.ResponseInput{Outcome: "answered", ContactName: "王经理", Answers: aAns})
		record("b", "spec2", surveys.ResponseInput{Outcome: "answered", ContactName: "赵主任", Answers: bAns})

		// Reminders: nothing before 03-17; due soon from 03-17, once.
		if n, err := e.svc.RunReminders(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist runs reminders: %v %v", n, err)
		}
		if n, err := e.svc.RunReminders(e.sys); err != nil || n != (surveys.ReminderCounts{}) {
			t.Fatalf("reminders on 03-05: %+v %v", n, err)
		}
		e.clock.Set(time.Date(2026, 3, 17, 9, 0, 0, 0, shanghai))
		if n, err := e.svc.RunReminders(e.sys); err != nil || n != (surveys.ReminderCounts{DueSoon: 1}) {
			t.Fatalf("reminders on 03-17: %+v %v", n, err) // spec1 has c open; spec2 is done; d has nobody
		}
		if n, _ := e.svc.RunReminders(e.sys); n != (surveys.ReminderCounts{}) {
			t.Fatalf("second run added %+v", n)
		}
		list, err := notify.NewService(db, e.clock.Now).List(e.asSpec1, false, 10)
		if err != nil || len(list) != 1 || list[0].Kind != "survey_due" || list[0].Link != "/survey-tasks?plan="+p.ID ||
			!strings.Contains(list[0].Body, "还有 1 位客户未调查") {
			t.Fatalf("spec1's notices %+v %v", list, err)
		}

		// Not overdue on the due day; overdue from the next.
		e.clock.Set(time.Date(2026, 3, 20, 23, 59, 0, 0, shanghai))
		if d, _ := e.svc.Plan(e.asMgr, p.ID); d.Overdue || len(d.Progress.OverdueTasks) != 0 {
			t.Fatalf("overdue on the due day: %+v", d.Progress)
		}
		e.clock.Set(time.Date(2026, 3, 21, 0, 0, 0, 0, shanghai))
		if n, _ := e.svc.RunReminders(e.sys); n != (surveys.ReminderCounts{Overdue: 1}) {
			t.Fatalf("overdue reminders %+v", n)
		}
		d, err := e.svc.Plan(e.asSpec2, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		pr := d.Progress
		if pr.Total.Total != 4 || pr.Total.Done != 2 || pr.Total.Pending != 2 || pr.Total.Overdue != 2 || pr.Total.Percent != "50.00%" ||
			pr.Total.Completion.Num != 2 || pr.Total.Completion.Den != 4 || !d.Overdue {
			t.Fatalf("total progress %+v", pr.Total)
		}
		got := map[string]string{}
		for _, g := range pr.BySpecialist {
			got[g.Name] = g.Percent
		}
		if len(pr.BySpecialist) != 3 || got["石专员"] != "50.00%" || got["苏专员"] != "100.00%" || got["（未分配）"] != "0.00%" {
			t.Fatalf("by specialist %+v", pr.BySpecialist)
		}
		if len(pr.OverdueTasks) != 2 {
			t.Fatalf("overdue tasks %+v", pr.OverdueTasks)
		}
		over, err := e.svc.Tasks(e.asMgr, surveys.TaskFilter{PlanID: p.ID, State: "overdue"})
		if err != nil || len(over) != 2 {
			t.Fatalf("overdue list %d %v", len(over), err)
		}

		r := d.Results
		avgs := []string{}
		for _, q := range r.Questions {
			avgs = append(avgs, q.Avg)
		}
		// (5+1)/2, (4+2)/2, (2+3)/2, (4+1)/2; the text question has no average.
		if !slices.Equal(avgs, []string{"3.00", "3.00", "2.50", "2.50", "—"}) || r.Questions[4].Count != 1 || !slices.Equal(r.Questions[0].Scores, []int{1, 0, 0, 0, 1}) {
			t.Fatalf("questions %+v", r.Questions)
		}
		if len(r.ByRegion) != 2 || r.ByRegion[0].Label != "国贸" || r.ByRegion[0].Total != 2 || r.ByRegion[0].Avg != "4.00" || r.ByRegion[1].Avg != "1.00" || r.ByRegion[1].Low != 1 {
			t.Fatalf("by region %+v", r.ByRegion)
		}
		if len(r.ByClass) != 3 || r.ByClass[0].Key != "A" || r.ByClass[0].Answered != 1 || r.ByClass[0].Avg != "1.00" {
			t.Fatalf("by class %+v", r.ByClass)
		}
		lows := []string{}
		for _, l := range r.LowScores {
			lows = append(lows, l.CustomerName+" "+l.Question+" "+string(rune('0'+l.Score)))
		}
		if !slices.Equal(lows, []string{"国贸物业 维修质量 2", "望京写字楼 服务态度 1", "望京写字楼 响应速度 2", "望京写字楼 总体满意度 1"}) ||
			r.LowScores[0].Remarks != "希望保养前电话通知" || len(r.Remarks) != 1 {
			t.Fatalf("low scores %q %+v", lows, r.LowScores)
		}

		// The monthly summary counts the survey responses beside callbacks.
		sum, err := e.tickets.SatisfactionMonth(e.asMgr, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total.Count != 0 || sum.Surveys.Total.Count != 2 || sum.Surveys.Total.Avg != "2.50" || len(sum.Surveys.BySpecialist) != 2 ||
			len(sum.Surveys.ByRegion) != 2 || sum.Surveys.Total.SatisfiedPercent != "50.00%" {
			t.Fatalf("summary %+v", sum)
		}
		if apr, _ := e.tickets.SatisfactionMonth(e.asMgr, "2026-04"); apr.Surveys.Total.Count != 0 {
			t.Fatalf("april counts march's responses: %+v", apr.Surveys)
		}
		_, err = e.svc.ScoreFacts(e.asTech, startTime, startTime.AddDate(0, 1, 0))
		wantErr(t, err, apperr.KindForbidden, "")

		// Closing ends the reminders and the overdue marks.
		if _, err := e.svc.ClosePlan(e.asMgr, p.ID, d.Version); err != nil {
			t.Fatal(err)
		}
		if d, _ := e.svc.Plan(e.asMgr, p.ID); d.Overdue || d.Progress.Total.Overdue != 0 {
			t.Fatalf("closed plan still overdue %+v", d.Progress.Total)
		}
	})
}

// golden compares a sheet, rendered as CSV, with testdata/name.
func golden(t *testing.T, name string, sh *surveys.Sheet) {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(sh.Headers)
	_ = w.WriteAll(sh.Rows)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if b.String() != string(want) {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", name, b.String(), want)
	}
}

func TestResponsesSheetGolden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.issued(plan("三月满意度调查"))
		e.clock.Set(startTime.Add(time.Hour))
		ta, tb := e.taskOf(p.ID, e.a), e.taskOf(p.ID, e.b)
		if _, err := e.svc.RecordResponse(e.asSpec1, ta.ID, 1, surveys.ResponseInput{Outcome: "answered", ContactName: "王经理",
			At: "2026-03-05 10:45", Answers: answers(ta, 5, "=HYPERLINK(\"x\") 很好")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordResponse(e.asSpec2, tb.ID, 1, surveys.ResponseInput{Outcome: "refused", Note: "客户表示很忙", Channel: "visit"}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 23, 9, 0, 0, 0, shanghai))
		sh, err := e.svc.ResponsesSheet(e.asMgr, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "responses.golden.csv", sh)
		_, err = e.svc.ResponsesSheet(e.asTech, p.ID)
		wantErr(t, err, apperr.KindForbidden, "")
	})
}
