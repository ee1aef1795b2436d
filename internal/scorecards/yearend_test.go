package scorecards_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestYearEnd: seed 004's year-end — 20% checks + 30% monthly + 50% year-end
// review (with its bonus) — to the cent, the 优秀员工 note above 100, the
// year's table and its workbook.
func TestYearEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newExportEnv(t, db)
		e.workedMarch(t)                         // 甲 81.00
		e.card(t, e.jia, "2026-01", nil)         // unrated: 72.00, incomplete
		e.card(t, e.jia, "2026-02", fullRatings) // 92.00
		ye, err := e.svc.YearEnd(e.as(e.jia), "", 2026)
		if err != nil {
			t.Fatal(err)
		}
		var finals []string
		for _, m := range ye.Monthly {
			finals = append(finals, m.Period+"="+m.Final.String())
		}
		if got := strings.Join(finals, " "); got != "2026-01=72.00 2026-02=92.00 2026-03=81.00" {
			t.Errorf("monthly finals %s", got)
		}
		if ye.MonthlyMean == nil || ye.MonthlyMean.String() != "81.67" {
			t.Errorf("monthly mean %v, want 81.67", ye.MonthlyMean)
		}
		if ye.Result != nil || !slices.Equal(ye.Missing, []string{"周检和月检（加权平均）", "年终考评"}) || ye.Scheme == "" {
			t.Errorf("without checks and review: result %v missing %v scheme %q", ye.Result, ye.Missing, ye.Scheme)
		}
		// The manager enters the review: 95 + 5 bonus, paper checks 90.
		checks := appraisal.P(90)
		in := scorecards.YearEndReviewInput{StaffID: e.jia.ID, Year: 2026, Score: appraisal.P(95), Bonus: appraisal.P(5), Checks: &checks, Reason: "年度表现良好，获公司嘉奖"}
		if _, err := e.svc.SaveYearEndReview(e.as(e.jia), in); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist reviewing: %v, want forbidden", err)
		}
		bad := in
		bad.Bonus = appraisal.P(11)
		if _, err := e.svc.SaveYearEndReview(e.as(e.mgr), bad); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("bonus 11: %v, want invalid", err)
		}
		bad = in
		bad.Reason = ""
		if _, err := e.svc.SaveYearEndReview(e.as(e.mgr), bad); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("no reason below 100: %v, want invalid", err)
		}
		rv, err := e.svc.SaveYearEndReview(e.as(e.mgr), in)
		if err != nil {
			t.Fatal(err)
		}
		ye, err = e.svc.YearEnd(e.as(e.mgr), e.jia.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		// 20% × 90 + 30% × 245/3 + 50% × 100 = 18 + 24.5 + 50 = 92.50
		if ye.Result == nil || ye.Result.Score.String() != "92.50" || ye.Result.Excellent || !ye.Provisional {
			t.Fatalf("year-end %+v: %+v", ye, ye.Result)
		}
		// Raised: 100 + 10 and checks 105 → 21 + 24.5 + 55 = 100.50 > 100: 优秀员工.
		checks = appraisal.P(105)
		in.Score, in.Bonus, in.Checks, in.Version = appraisal.P(100), appraisal.P(10), &checks, &rv.Version
		if _, err := e.svc.SaveYearEndReview(e.as(e.mgr), in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveYearEndReview(e.as(e.mgr), in); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("a stale version: %v, want conflict", err)
		}
		ye, err = e.svc.YearEnd(e.as(e.mgr), e.jia.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if ye.Result == nil || ye.Result.Score.String() != "100.50" || !ye.Result.Excellent || !strings.Contains(ye.Note, "优秀员工") {
			t.Fatalf("year-end above 100: %+v", ye.Result)
		}
		if _, err := e.svc.YearEnd(e.as(e.yi), e.jia.ID, 2026); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("乙 reading 甲's year-end: %v, want forbidden", err)
		}
		var buf bytes.Buffer
		if err := e.svc.ExportYearStatistics(e.as(e.exec), &buf, 2026); err != nil {
			t.Fatal(err)
		}
		goldenText(t, "year-2026.golden.txt", dumpWorkbook(t, buf.Bytes()))
		// A chat-sampling check card on record (24 of 26 points = 92.31 on
		// 100) replaces the paper checks: 20% × 92.31 + 24.5 + 55 = 97.96.
		var sampling string
		if err := db.R().NewRaw("SELECT id FROM appraisal_schemes WHERE code = 'chat_sampling'").Scan(context.Background(), &sampling); err != nil {
			t.Fatal(err)
		}
		check := &scorecards.Scorecard{ID: store.NewID(), StaffID: e.jia.ID, SchemeID: sampling, Period: "2026-02", Status: scorecards.StatusFinal,
			Total: 2400, Final: 2400, Complete: true, Card: appraisal.Card{Scheme: "chat_sampling", Max: appraisal.P(26), Total: 2400, Final: 2400, Complete: true},
			ComputedAt: store.Time(e.now), CreatedAt: store.Time(e.now), UpdatedAt: store.Time(e.now), Version: 1}
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewInsert().Model(check).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ye, err = e.svc.YearEnd(e.as(e.jia), e.jia.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if ye.Result == nil || ye.Result.Score.String() != "97.96" || len(ye.Checks) != 1 || ye.Checks[0].Score.String() != "92.31" || len(ye.Monthly) != 3 {
			t.Fatalf("with a check card: %+v %+v", ye.Result, ye.Checks)
		}
	})
}

// TestDepartmentView: March by department — finals, average, distribution.
func TestDepartmentView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newExportEnv(t, db)
		_, yi := e.workedMarch(t)
		v, err := e.svc.Department(e.as(e.exec), "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Departments) != 1 {
			t.Fatalf("departments %+v", v.Departments)
		}
		d := v.Departments[0]
		// 甲 81.00, 乙 its own final: the mean rounded once.
		sum := appraisal.P(81) + yi.Final
		want := appraisal.Points((2*int64(sum) + 2) / 4)
		if d.Name != "客服中心" || d.Count != 2 || d.Average != want || d.People[0].Final < d.People[1].Final {
			t.Errorf("department %+v, want average %s", d, want)
		}
		var bands []string
		for _, b := range d.Distribution {
			bands = append(bands, fmt.Sprintf("%s:%d", b.Label, b.Count))
		}
		t.Logf("乙 %s, bands %v", yi.Final, bands)
		total := 0
		for _, b := range d.Distribution {
			total += b.Count
		}
		if total != 2 || d.Distribution[1].Count < 1 {
			t.Errorf("distribution %v", bands)
		}
	})
}

// TestPurge: records are kept 2 years; an administrator purges older ones
// explicitly, audited with the counts.
func TestPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newExportEnv(t, db)
		e.card(t, e.jia, "2024-01", map[string]int64{"other": 5})
		e.card(t, e.jia, "2024-05", nil)
		e.workedMarch(t)
		if _, err := e.svc.PurgeBefore(e.as(e.mgr), "2024-02"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a manager purging: %v, want forbidden", err)
		}
		// Today is 2026-04-02: the latest cutoff is 2024-04.
		for _, c := range []string{"2024-05", "2026-03", "2024-5"} {
			if _, err := e.svc.PurgeBefore(e.as(e.admin), c); !apperr.Is(err, apperr.KindInvalid) {
				t.Errorf("cutoff %s: %v, want invalid", c, err)
			}
		}
		n, err := e.svc.PurgeBefore(e.as(e.admin), "2024-04")
		if err != nil {
			t.Fatal(err)
		}
		if n.Cards != 1 || n.Ratings != 1 || n.Appeals != 0 || n.Reviews != 0 {
			t.Errorf("purged %+v, want the 2024-01 card and its rating", n)
		}
		var left []string
		if err := db.R().NewRaw("SELECT period FROM scorecards ORDER BY period").Scan(context.Background(), &left); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(left, []string{"2024-05", "2026-03", "2026-03"}) {
			t.Errorf("left %v", left)
		}
		var summary string
		if err := db.R().NewRaw("SELECT summary FROM audit_log WHERE action = 'purge'").Scan(context.Background(), &summary); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(summary, "考核表 1 张") {
			t.Errorf("audit %q", summary)
		}
	})
}
