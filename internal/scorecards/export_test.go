package scorecards_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/events"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// exportEnv is a small department with cards: 甲 (jia) and 乙 (yi),
// specialists of 客服中心 under 孟经理, and 丙 (bing), an executive.
type exportEnv struct {
	db           *store.DB
	svc          *scorecards.Service
	now          time.Time
	mgr, jia, yi *org.Staff
	exec, admin  *org.Staff
}

func (e *exportEnv) as(st *org.Staff) context.Context {
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
}

func newExportEnv(t *testing.T, db *store.DB) *exportEnv {
	t.Helper()
	e := &exportEnv{db: db, now: time.Date(2026, 4, 2, 10, 0, 0, 0, shanghai)}
	clock := func() time.Time { return e.now }
	sys := access.With(context.Background(), access.System())
	o := org.NewService(db, clock)
	dept, err := o.SaveDepartment(sys, "", 0, org.UnitInput{Name: "客服中心"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(login, name, title, sup string, role access.Role) *org.Staff {
		st, err := o.CreateStaff(sys, org.StaffInput{Login: login, Name: name, Title: title, DepartmentID: dept.ID, SupervisorID: sup, Roles: []access.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	e.mgr = mk("mgr", "孟经理", "客服经理", "", access.CSManager)
	e.jia = mk("jia", "甲", "", e.mgr.ID, access.CSSpecialist)
	e.yi = mk("yi", "乙", "客服专员", e.mgr.ID, access.CSSpecialist)
	e.exec = mk("boss", "丙", "总经理", "", access.Executive)
	e.admin = mk("root", "管理员", "", "", access.Admin)
	e.svc = scorecards.NewService(db, clock, scorecards.Options{Location: shanghai, Rates: fixedRates{
		e.jia.ID: {"renewal": {Num: 2, Den: 3}, "collection": {Num: 2_400_000, Den: 3_000_000}},
		e.yi.ID:  {"renewal": {Num: 1, Den: 1}, "collection": {Num: 1, Den: 2}},
	}})
	if _, err := e.svc.EnsureShipped(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// events stores computed events of staff.
func (e *exportEnv) events(t *testing.T, evs ...events.Computed) {
	t.Helper()
	if err := e.db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error { return events.Put(ctx, tx, evs, e.now) }); err != nil {
		t.Fatal(err)
	}
}

// card computes st's card of period and rates the given items.
func (e *exportEnv) card(t *testing.T, st *org.Staff, period string, ratings map[string]int64) *scorecards.Scorecard {
	t.Helper()
	if _, err := e.svc.Compute(e.as(e.mgr), period, st.ID); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Card(e.as(e.mgr), st.ID, period)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(ratings))
	for k := range ratings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		r := appraisal.Rating{Points: appraisal.P(ratings[k])}
		if k == "other" && ratings[k] < 5 {
			r.Reason = "临时任务延误"
		}
		if c, err = e.svc.Rate(e.as(e.mgr), c.ID, c.Version, k, r); err != nil {
			t.Fatalf("rate %s: %v", k, err)
		}
	}
	return c
}

var fullRatings = map[string]int64{"other": 5, "initiative": 3, "enthusiasm": 3, "execution": 3, "dedication": 3, "responsibility": 3}

// workedMarch is SPEC §8.3's worked example for 甲 (81.00) and a plainer
// month for 乙, who has one dispatch error.
func (e *exportEnv) workedMarch(t *testing.T) (jia, yi *scorecards.Scorecard) {
	t.Helper()
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, shanghai) }
	j, y := e.jia.ID, e.yi.ID
	e.events(t,
		events.Computed{Key: "d1", Type: "dispatch_overdue", StaffID: &j, OccurredAt: at(5, 18), Quantity: 1},
		events.Computed{Key: "w1", Type: "wechat_timeout", StaffID: &j, OccurredAt: at(9, 10), Quantity: 1},
		events.Computed{Key: "w2", Type: "wechat_timeout", StaffID: &j, OccurredAt: at(17, 15), Quantity: 1},
		events.Computed{Key: "n1", Type: "no_contact_month", StaffID: &j, OccurredAt: at(31, 23), Quantity: 1},
		events.Computed{Key: "s1", Type: "summary_missing", StaffID: &j, OccurredAt: at(20, 20), Quantity: 1},
		events.Computed{Key: "y1", Type: "dispatch_error", StaffID: &y, OccurredAt: at(12, 11), Quantity: 2},
	)
	jia = e.card(t, e.jia, "2026-03", map[string]int64{"other": 5, "initiative": 3, "enthusiasm": 3, "execution": 2, "dedication": 3, "responsibility": 3})
	yi = e.card(t, e.yi, "2026-03", map[string]int64{"other": 4, "initiative": 3})
	return jia, yi
}

// dump renders a workbook as text: per sheet its rows (as Excel shows
// them, number formats applied) and its merged ranges.
func dumpWorkbook(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sh)
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			for j := range r {
				r[j] = strings.ReplaceAll(r[j], "\n", `\n`)
			}
			fmt.Fprintf(&b, "%d: %s\n", i+1, strings.Join(r, " | "))
		}
		merged, err := f.GetMergeCells(sh)
		if err != nil {
			t.Fatal(err)
		}
		var ms []string
		for _, m := range merged {
			ms = append(ms, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		slices.Sort(ms)
		fmt.Fprintf(&b, "merged: %s\n", strings.Join(ms, " "))
	}
	return b.String()
}

// golden compares got with testdata/name (-update rewrites it).
func goldenText(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestExportMonthRecords: 员工月绩效考核记录表 of March — one sheet per
// person in seed 000's layout, the cells as golden text; points are
// numbers whose stored value is the card's exact decimal text.
func TestExportMonthRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newExportEnv(t, db)
		jia, _ := e.workedMarch(t)
		if jia.Final.String() != "81.00" {
			t.Fatalf("甲's March: %s, want 81.00", jia.Final)
		}
		// 甲's card went through self-review and approval (the lifecycle
		// sets these; here directly).
		self, rated := time.Date(2026, 4, 3, 9, 0, 0, 0, shanghai), time.Date(2026, 4, 5, 16, 0, 0, 0, shanghai)
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("UPDATE scorecards SET status = 'published', self_at = ?, approved_by = ?, approved_at = ? WHERE id = ?",
				store.Time(self), e.mgr.ID, store.Time(rated), jia.ID).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := e.svc.ExportMonthRecords(e.as(e.mgr), &buf, "2026-03", nil); err != nil {
			t.Fatal(err)
		}
		goldenText(t, "records-2026-03.golden.txt", dumpWorkbook(t, buf.Bytes()))
		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// The final score cell: a number stored as "81.00", shown as 81.00.
		rows, _ := f.GetRows("甲（jia）")
		var finalRow int
		for i, r := range rows {
			if len(r) > 0 && r[0] == "最终得分" {
				finalRow = i + 1
			}
		}
		cell := fmt.Sprintf("F%d", finalRow)
		raw, err := f.GetCellValue("甲（jia）", cell, excelize.Options{RawCellValue: true})
		if err != nil || raw != "81.00" {
			t.Errorf("final cell %s raw %q %v, want 81.00", cell, raw, err)
		}
		if typ, _ := f.GetCellType("甲（jia）", cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("final cell type %v, want a number", typ)
		}

		// A specialist exports their own card only; asking for another's is refused.
		buf.Reset()
		if err := e.svc.ExportMonthRecords(e.as(e.jia), &buf, "2026-03", nil); err != nil {
			t.Fatal(err)
		}
		if got := sheetNames(t, buf.Bytes()); !slices.Equal(got, []string{"甲（jia）"}) {
			t.Errorf("甲's own export: sheets %v", got)
		}
		if err := e.svc.ExportMonthRecords(e.as(e.jia), &buf, "2026-03", []string{e.yi.ID}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("甲 exporting 乙's: %v, want forbidden", err)
		}
		// The executive reads everyone's; a month without cards says so.
		buf.Reset()
		if err := e.svc.ExportMonthRecords(e.as(e.exec), &buf, "2026-03", []string{e.yi.ID}); err != nil {
			t.Fatal(err)
		}
		if got := sheetNames(t, buf.Bytes()); !slices.Equal(got, []string{"乙（yi）"}) {
			t.Errorf("乙's export: sheets %v", got)
		}
		buf.Reset()
		if err := e.svc.ExportMonthRecords(e.as(e.mgr), &buf, "2026-02", nil); err != nil {
			t.Fatal(err)
		}
		goldenText(t, "records-empty.golden.txt", dumpWorkbook(t, buf.Bytes()))
		if err := e.svc.ExportMonthRecords(e.as(e.mgr), &buf, "2026-3", nil); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("bad month: %v, want invalid", err)
		}
	})
}

func sheetNames(t *testing.T, data []byte) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.GetSheetList()
}

// TestExportMonthStatistics: 员工月/年绩效考核情况统计表 of March, one row per
// person, ranked; a specialist's own row only.
func TestExportMonthStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newExportEnv(t, db)
		e.workedMarch(t)
		var buf bytes.Buffer
		if err := e.svc.ExportMonthStatistics(e.as(e.mgr), &buf, "2026-03"); err != nil {
			t.Fatal(err)
		}
		goldenText(t, "statistics-2026-03.golden.txt", dumpWorkbook(t, buf.Bytes()))
		st, err := e.svc.MonthStatistics(e.as(e.yi), "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rows) != 1 || st.Rows[0].StaffID != e.yi.ID {
			t.Errorf("乙's statistics: %+v, want their own row", st.Rows)
		}
	})
}

// TestExportCarriedLines: a carried line (上期补记) of April — a March
// timeout found after March was approved — is a row of 员工月绩效考核记录表
// after the bonus lines, with its words and signed points, and counts in
// the final score.
func TestExportCarriedLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newExportEnv(t, db)
		jia, _ := e.workedMarch(t)
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("UPDATE scorecards SET status = 'published' WHERE id = ?", jia.ID).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		j := e.jia.ID
		e.events(t, events.Computed{Key: "w3", Type: "wechat_timeout", StaffID: &j, OccurredAt: time.Date(2026, 3, 25, 10, 0, 0, 0, shanghai), Quantity: 1})
		april := e.card(t, e.jia, "2026-04", fullRatings)
		if len(april.Card.Carried) != 1 || april.Final != april.Total+april.Bonus-appraisal.P(1) {
			t.Fatalf("April carried %+v final %s total %s", april.Card.Carried, april.Final, april.Total)
		}
		var buf bytes.Buffer
		if err := e.svc.ExportMonthRecords(e.as(e.mgr), &buf, "2026-04", []string{j}); err != nil {
			t.Fatal(err)
		}
		goldenText(t, "records-2026-04-carried.golden.txt", dumpWorkbook(t, buf.Bytes()))
		// The month's statistics gain a 上期补记 column, so the row adds up.
		buf.Reset()
		if err := e.svc.ExportMonthStatistics(e.as(e.mgr), &buf, "2026-04"); err != nil {
			t.Fatal(err)
		}
		goldenText(t, "statistics-2026-04-carried.golden.txt", dumpWorkbook(t, buf.Bytes()))
	})
}
