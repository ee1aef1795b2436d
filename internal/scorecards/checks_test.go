package scorecards_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// weeklyCheck is the 督办记录表 kept weekly (周检), as a company would
// draft it: one checklist item the manager grades.
const weeklyCheck = `{"key": "weekly_check", "version": 1, "name": "周检", "role": "cs_specialist", "period": "weekly", "check": true, "total": 10,
  "categories": [{"key": "c", "name": "接待", "items": [
    {"key": "desk", "name": "前台接待", "points": 10, "method": "checklist", "rater": "客服经理",
     "sub_items": [{"key": "greet", "name": "问候语", "points": 5}, {"key": "record", "name": "登记", "points": 5}]}]}]}`

// TestChecks: a rater opens a check (督办记录表 by the manager, the chat
// sampling by the supervisor, a weekly check by its Monday), grades it —
// checklist grades, sample days — and the check never takes the place of
// the monthly card, on the board or in the monthly export; every bad input
// is refused with its field and nothing changed.
func TestChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		ctx := context.Background()
		if _, err := appraisal.ParseScheme([]byte(weeklyCheck)); err != nil {
			t.Fatal(err)
		}
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw(`INSERT INTO appraisal_schemes (id, code, version, name, applies_to, period, effective_from, document, status, created_at, approved_at)
				VALUES ('weekly-check', 'weekly_check', 1, '周检', 'cs_specialist', 'weekly', '2000-01-01', ?, 'approved', ?, ?)`,
				weeklyCheck, store.Time(w.now), store.Time(w.now)).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		open := func(by *org.Staff, staffID, scheme, period string) func() error {
			return func() error {
				_, err := w.svc.OpenCheck(w.as(by), scorecards.CheckInput{StaffID: staffID, Scheme: scheme, Period: period})
				return err
			}
		}
		// What each may open for 甲: the manager the 督办记录表 and the
		// weekly check (客服经理) and the sampling (客服主管); 甲's supervisor
		// only the sampling; 甲 nothing.
		for _, c := range []struct {
			who  *org.Staff
			want string
		}{{w.mgr, "chat_sampling supervision_checklist weekly_check"}, {w.zu, "chat_sampling"}, {w.jia, ""}} {
			opts, err := w.svc.CheckOptions(w.as(c.who), w.jia.ID, "2026-03-31")
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, o := range opts {
				codes = append(codes, o.Code)
			}
			if got := strings.Join(codes, " "); got != c.want {
				t.Errorf("%s may open %q, want %q", c.who.Login, got, c.want)
			}
		}

		for _, c := range []struct {
			name  string
			f     func() error
			kind  apperr.Kind
			field string
		}{
			{"甲 checks themself", open(w.jia, w.jia.ID, "chat_sampling", "2026-03"), apperr.KindForbidden, ""},
			{"乙 checks 甲", open(w.yi, w.jia.ID, "chat_sampling", "2026-03"), apperr.KindForbidden, ""},
			{"the supervisor opens a 客服经理 check", open(w.zu, w.jia.ID, "supervision_checklist", "2026-03"), apperr.KindForbidden, ""},
			{"the monthly scheme as a check", open(w.mgr, w.jia.ID, appraisal.DefaultKey, "2026-03"), apperr.KindInvalid, "scheme"},
			{"an unknown scheme", open(w.mgr, w.jia.ID, "nope", "2026-03"), apperr.KindInvalid, "scheme"},
			{"no scheme", open(w.mgr, w.jia.ID, "", "2026-03"), apperr.KindInvalid, "scheme"},
			{"no staff", open(w.mgr, "", "chat_sampling", "2026-03"), apperr.KindInvalid, "staff_id"},
			{"an unknown staff member", open(w.mgr, "nobody", "chat_sampling", "2026-03"), apperr.KindInvalid, "staff_id"},
			{"a week for a monthly check", open(w.mgr, w.jia.ID, "supervision_checklist", "2026-03-02"), apperr.KindInvalid, "period"},
			{"a month for a weekly check", open(w.mgr, w.jia.ID, "weekly_check", "2026-03"), apperr.KindInvalid, "period"},
			{"a week from a Tuesday", open(w.mgr, w.jia.ID, "weekly_check", "2026-03-03"), apperr.KindInvalid, "period"},
			{"a bad period", open(w.mgr, w.jia.ID, "chat_sampling", "2026-3"), apperr.KindInvalid, "period"},
			{"a scheme for another role", open(w.mgr, w.gm.ID, "chat_sampling", "2026-03"), apperr.KindInvalid, "staff_id"},
		} {
			w.refused(t, c.name, c.kind, c.field, c.f)
		}

		// The 督办记录表: opened by the manager, graded item by item.
		check, err := w.svc.OpenCheck(w.as(w.mgr), scorecards.CheckInput{StaffID: w.jia.ID, Scheme: "supervision_checklist", Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		if check.Status != scorecards.StatusDraft || check.Complete || check.Card.Max != appraisal.P(100) {
			t.Errorf("opened check: %s complete %v max %s", check.Status, check.Complete, check.Card.Max)
		}
		w.refused(t, "the same check twice", apperr.KindConflict, "period", open(w.mgr, w.jia.ID, "supervision_checklist", "2026-03"))
		if got := w.notices(t, w.jia, check.ID); len(got) != 1 || got[0] != "scorecard_check" {
			t.Errorf("甲's notices of the check: %v", got)
		}
		main, err := w.svc.Card(w.as(w.jia), w.jia.ID, "2026-03")
		if err != nil || main.ID != w.jiaCard {
			t.Fatalf("the monthly card after a check opened: %v %v", main, err)
		}
		grades := map[string]map[string]string{}
		for _, it := range w.card(t, check.ID).Items {
			g := map[string]string{}
			for _, sub := range it.SubItems {
				g[sub.Key] = appraisal.GradeFull
			}
			grades[it.Item] = g
		}
		grades["reception_record"]["appointment"] = appraisal.GradeMostly // 8 × 0.8 = 6.40
		grades["complaint_handling"]["three_nots"] = appraisal.GradeNone  // 0 of 6
		w.refused(t, "the supervisor grades a 客服经理 item", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Rate(w.as(w.zu), check.ID, w.card(t, check.ID).Version, "reception_record", appraisal.Rating{Grades: grades["reception_record"]})
			return err
		})
		for _, item := range []string{"reception_record", "consult_repair", "complaint_handling"} {
			if _, err := w.svc.Rate(w.as(w.mgr), check.ID, w.card(t, check.ID).Version, item, appraisal.Rating{Grades: grades[item]}); err != nil {
				t.Fatalf("grade %s: %v", item, err)
			}
		}
		// 100 − 1.60 − 6 = 92.40.
		if d := w.card(t, check.ID); d.Final.String() != "92.40" || !d.Complete {
			t.Errorf("graded check %s complete %v", d.Final, d.Complete)
		}

		// The chat sampling: the supervisor records days; a day with 4 or
		// more failing loses a point; a day recorded again is corrected.
		sampling, err := w.svc.OpenCheck(w.as(w.zu), scorecards.CheckInput{StaffID: w.jia.ID, Scheme: "chat_sampling", Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		record := func(by *org.Staff, in scorecards.SampleInput) func() error {
			return func() error {
				_, err := w.svc.RecordSample(w.as(by), sampling.ID, w.card(t, sampling.ID).Version, in)
				return err
			}
		}
		zu, jia, yi := w.zu, w.jia, w.yi
		day := func(date string, checked, failed int64) scorecards.SampleInput {
			return scorecards.SampleInput{Item: "chat_records", Date: date, Checked: checked, Failed: failed}
		}
		for _, c := range []struct {
			name  string
			f     func() error
			kind  apperr.Kind
			field string
		}{
			{"甲 samples themself", record(jia, day("2026-03-02", 20, 0)), apperr.KindForbidden, ""},
			{"乙 samples 甲", record(yi, day("2026-03-02", 20, 0)), apperr.KindForbidden, ""},
			{"a day outside the month", record(zu, day("2026-04-01", 20, 0)), apperr.KindInvalid, "date"},
			{"a bad date", record(zu, day("2026-3-2", 20, 0)), apperr.KindInvalid, "date"},
			{"nothing checked", record(zu, day("2026-03-02", 0, 0)), apperr.KindInvalid, "checked"},
			{"more failing than checked", record(zu, day("2026-03-02", 20, 21)), apperr.KindInvalid, "failed"},
			{"negative failing", record(zu, day("2026-03-02", 20, -1)), apperr.KindInvalid, "failed"},
			{"an item that is no sample", record(zu, scorecards.SampleInput{Item: "nope", Date: "2026-03-02", Checked: 20}), apperr.KindInvalid, "item"},
			{"evidence that is no record", record(zu, scorecards.SampleInput{Item: "chat_records", Date: "2026-03-02", Checked: 20, Failed: 4,
				Evidence: []string{"no-such-message"}}), apperr.KindInvalid, "evidence[0]"},
			{"more evidence than failing", record(zu, scorecards.SampleInput{Item: "chat_records", Date: "2026-03-02", Checked: 20, Failed: 1,
				Evidence: []string{"a", "b"}}), apperr.KindInvalid, "evidence"},
			{"a stale version", func() error {
				_, err := w.svc.RecordSample(w.as(w.zu), sampling.ID, 99, day("2026-03-02", 20, 0))
				return err
			}, apperr.KindConflict, "version"},
		} {
			w.refused(t, c.name, c.kind, c.field, c.f)
		}
		for _, in := range []scorecards.SampleInput{day("2026-03-02", 20, 4), day("2026-03-03", 20, 1), day("2026-03-04", 18, 5)} {
			if err := record(zu, in)(); err != nil {
				t.Fatalf("record %s: %v", in.Date, err)
			}
		}
		d := w.card(t, sampling.ID)
		if d.Final.String() != "24.00" || !d.Complete || len(d.Items) != 1 || len(d.Items[0].Days) != 3 {
			t.Errorf("sampling: %s complete %v items %+v", d.Final, d.Complete, d.Items)
		}
		if l := d.Card.Lines[0]; len(l.Deductions) != 2 || !strings.Contains(l.Note, "2026-03-04 仅抽查 18 条") {
			t.Errorf("sampling line: %+v", l)
		}
		if err := record(zu, day("2026-03-02", 20, 2))(); err != nil { // corrected
			t.Fatal(err)
		}
		if d := w.card(t, sampling.ID); d.Final.String() != "25.00" || len(d.Items[0].Days) != 3 {
			t.Errorf("corrected sampling: %s %+v", d.Final, d.Items[0].Days)
		}
		if got := w.audits(t, "scorecard", sampling.ID); strings.Join(got, " ") != "create sample sample sample sample" {
			t.Errorf("sampling audit: %v", got)
		}

		// A weekly check by its Monday.
		week, err := w.svc.OpenCheck(w.as(w.mgr), scorecards.CheckInput{StaffID: w.jia.ID, Scheme: "weekly_check", Period: "2026-03-09"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Rate(w.as(w.mgr), week.ID, week.Version, "desk",
			appraisal.Rating{Grades: map[string]string{"greet": appraisal.GradeFull, "record": appraisal.GradePartly}}); err != nil {
			t.Fatal(err)
		}
		if d := w.card(t, week.ID); d.Final.String() != "8.00" {
			t.Errorf("weekly check %s", d.Final)
		}

		// Listed as the month's checks, never as the monthly card.
		checks, err := w.svc.Checks(w.as(w.jia), w.jia.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range checks {
			got = append(got, c.Period+" "+c.SchemeCode)
		}
		if strings.Join(got, ", ") != "2026-03 chat_sampling, 2026-03 supervision_checklist, 2026-03-09 weekly_check" {
			t.Errorf("checks: %v", got)
		}
		if _, err := w.svc.Checks(w.as(w.yi), w.jia.ID, "2026-03"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("乙 lists 甲's checks: %v", err)
		}
		if c, err := w.svc.Checks(w.as(w.zu), w.jia.ID, "2026-04"); err != nil || len(c) != 0 {
			t.Errorf("April's checks: %v %v", c, err)
		}
		board, err := w.svc.BoardCards(w.as(w.mgr), "2026-03", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range board {
			if b.StaffID == w.jia.ID && b.ID != w.jiaCard {
				t.Errorf("a check on the board: %+v", b.Scorecard.SchemeID)
			}
		}
		// The year-end counts the checks, each as a percentage of its total.
		ye, err := w.svc.YearEnd(w.as(w.mgr), w.jia.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		var pcts []string
		for _, c := range ye.Checks {
			pcts = append(pcts, c.Period+"="+c.Score.String())
		}
		if strings.Join(pcts, " ") != "2026-03=92.40 2026-03=96.15 2026-03-09=80.00" {
			t.Errorf("year-end checks: %v", pcts)
		}
	})
}
