package fieldwork_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestDailySummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.work("2026-03-09", "2026-03-09", e.tech1.ID, e.tech2.ID)
		e.work("2026-03-10", "2026-03-10", e.tech1.ID)
		e.clock.Set(at("2026-03-09", 17, 0))
		if _, err := e.svc.ReportDay(e.asTech1, w.ID, fieldwork.ReportInput{Status: fieldwork.ReportBlocked, Notes: "缺少填料，明日补料"}); err != nil {
			t.Fatal(err)
		}
		pb, err := e.svc.RecordProblem(e.asSpec1, fieldwork.ProblemInput{WorkOrderID: w.ID, Type: fieldwork.ProblemOverdue, TechnicianID: e.tech1.ID,
			Description: "缺料导致进度延误", Evidence: "田师傅 17:00 反馈"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DailySummary(e.asSpec2, e.spec1.ID, "2026-03-09"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist's summary: %v", err)
		}
		if _, err := e.svc.DailySummary(e.asTech1, e.spec1.ID, "2026-03-09"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician: %v", err)
		}
		s, err := e.svc.DailySummary(e.asSpec1, e.spec1.ID, "2026-03-09")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Lines) != 1 || s.Version != 0 || s.Late || !s.DueAt.Equal(at("2026-03-09", 20, 0)) {
			t.Fatalf("summary %+v", s)
		}
		ln := s.Lines[0]
		if ln.Number != w.Number || ln.CustomerName != e.a.Name || ln.TypeLabel != "施工" || len(ln.Technicians) != 2 ||
			len(ln.Reports) != 1 || ln.Reports[0].Status != fieldwork.ReportBlocked || ln.Reports[0].Name != e.tech1.Name ||
			len(ln.Missing) != 1 || ln.Missing[0].ID != e.tech2.ID || len(ln.Problems) != 1 || ln.Problems[0].ID != pb.ID {
			t.Fatalf("line %+v", ln)
		}
		if other, err := e.svc.DailySummary(e.asMgr, e.spec1.ID, "2026-03-06"); err != nil || len(other.Lines) != 0 {
			t.Fatalf("a day without work: %+v, %v", other, err)
		}

		if _, err := e.svc.SubmitDailySummary(e.asSpec1, "2026-03-10", 0, ""); err == nil {
			t.Errorf("submitting tomorrow: want an error")
		}
		s, err = e.svc.SubmitDailySummary(e.asSpec1, "2026-03-09", 0, "已催补料")
		if err != nil {
			t.Fatal(err)
		}
		first := *s.Submitted.SubmittedAt
		if s.Version != 1 || len(s.SubmittedLines) != 1 || s.Submitted.Note != "已催补料" {
			t.Fatalf("submitted %+v", s)
		}
		if _, err := e.svc.SubmitDailySummary(e.asSpec1, "2026-03-09", 0, ""); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("a second first submission: %v, want conflict", err)
		}
		// A correction later keeps the first submission time.
		e.clock.Set(at("2026-03-09", 21, 0))
		if _, err := e.svc.ReportDay(e.asTech2, w.ID, fieldwork.ReportInput{Day: "2026-03-09", Status: fieldwork.ReportInProgress}); err != nil {
			t.Fatal(err)
		}
		s, err = e.svc.SubmitDailySummary(e.asSpec1, "2026-03-09", 1, "补充谭师傅反馈")
		if err != nil {
			t.Fatal(err)
		}
		if s.Version != 2 || !s.Submitted.SubmittedAt.Equal(first) || len(s.SubmittedLines[0].Reports) != 2 || s.Late {
			t.Fatalf("corrected %+v", s)
		}
		e.deriveProgress()
		if got := e.standing("summary_missing"); len(got) != 0 {
			t.Fatalf("submitted on time, corrected later: %v", got)
		}
	})
}

func TestMonthlySummaryLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		key := "monthly_summary_late|" + e.spec1.ID + "|2026-03"
		quantity := func() int64 {
			t.Helper()
			e.deriveProgress()
			ev, ok := e.events("monthly_summary_late")[key]
			if !ok || ev.Withdrawn != nil {
				return 0
			}
			if ev.StaffID == nil || *ev.StaffID != e.spec1.ID {
				t.Fatalf("event %+v: want it against spec1", ev)
			}
			return ev.Quantity
		}
		for _, c := range []struct {
			now  time.Time
			want int64
		}{
			{at("2026-03-25", 23, 59), 0},
			{at("2026-03-26", 0, 30), 1},
			{at("2026-03-27", 10, 0), 2},
			{at("2026-03-28", 10, 0), 3},
			{at("2026-03-28", 10, 0), 3}, // the same again
		} {
			e.clock.Set(c.now)
			if got := quantity(); got != c.want {
				t.Fatalf("at %v: %d days, want %d", c.now, got, c.want)
			}
		}
		if n := len(e.events("monthly_summary_late")); n != 1 {
			t.Fatalf("%d events, want one (keyed by specialist and month)", n)
		}
		s, err := e.svc.SubmitMonthlySummary(e.asSpec1, "2026-03", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if s.Submitted.SubmittedTo != "总经理" || s.DaysLate != 3 || s.DueOn != "2026-03-25" {
			t.Fatalf("submitted %+v", s.Submitted)
		}
		e.clock.Set(at("2026-04-02", 9, 0))
		if got := quantity(); got != 3 {
			t.Fatalf("after submitting on the 28th: %d days, want 3", got)
		}
	})
}

func TestMonthlySummaryWithdrawnWhenNothingOwed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		e.clock.Set(at("2026-03-27", 10, 0))
		e.deriveProgress()
		if got := e.standing("monthly_summary_late"); len(got) != 1 {
			t.Fatalf("late: %v", got)
		}
		// The work order was entered by mistake and is cancelled: spec1 had
		// no work in March, the late summary is withdrawn.
		if _, err := e.svc.CancelWorkOrder(e.asSpec1, w.ID, w.Version, "重复录入"); err != nil {
			t.Fatal(err)
		}
		n := e.deriveProgress()
		if got := e.standing("monthly_summary_late"); len(got) != 0 || n.MonthlySummariesLate != 0 {
			t.Fatalf("after the cancellation: %v", got)
		}
		// On time: never an event.
		e2 := newEnv(t, storetest.SQLite(t))
		e2.work("2026-03-09", "2026-03-09", e2.tech1.ID)
		e2.clock.Set(at("2026-03-25", 18, 0))
		if _, err := e2.svc.SubmitMonthlySummary(e2.asSpec1, "2026-03", 0, "总经理 王总"); err != nil {
			t.Fatal(err)
		}
		e2.clock.Set(at("2026-04-10", 9, 0))
		e2.deriveProgress()
		if got := e2.standing("monthly_summary_late"); len(got) != 0 {
			t.Fatalf("submitted on the 25th: %v", got)
		}
	})
}

func TestMonthlySummaryAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		done := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		open := e.work("2026-03-12", "2026-03-13", e.tech1.ID)
		gone := e.work("2026-03-20", "2026-03-20", e.tech2.ID)
		accepted := e.work("2026-03-16", "2026-03-16", e.tech2.ID)
		e.work("2026-04-02", "2026-04-02", e.tech1.ID) // April: not in March
		e.clock.Set(at("2026-03-09", 16, 0))
		if _, err := e.svc.CompleteWorkOrder(e.asTech1, done.ID, done.Version, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CancelWorkOrder(e.asSpec1, gone.ID, gone.Version, "客户取消"); err != nil {
			t.Fatal(err)
		}
		// Accepted with its original in (the acceptance itself is tested elsewhere).
		if err := e.db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw(`UPDATE work_orders SET status = 'accepted', completed_at = ?, accepted_at = ?, paper_received_on = '2026-03-18'
				WHERE id = ?`, at("2026-03-16", 15, 0).UTC(), at("2026-03-17", 9, 0).UTC(), accepted.ID).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at("2026-03-20", 10, 0))
		for _, in := range []fieldwork.ProblemInput{
			{WorkOrderID: open.ID, Type: fieldwork.ProblemQuality, Description: "保温层破损", Evidence: "照片", OccurredAt: "2026-03-12 15:00"},
			{WorkOrderID: open.ID, Type: fieldwork.ProblemQuality, Description: "填料不合格", Evidence: "照片", OccurredAt: "2026-03-13 15:00"},
			{WorkOrderID: done.ID, Type: fieldwork.ProblemComplaint, Description: "噪音大", Evidence: "客户来电", OccurredAt: "2026-03-10 09:00"},
			{CustomerID: e.a.ID, Type: fieldwork.ProblemWarranty, Description: "上年保修", Evidence: "函件", OccurredAt: "2026-02-27 09:00"},
		} {
			if _, err := e.svc.RecordProblem(e.asSpec1, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.MonthlySummary(e.asSpec2, e.spec1.ID, "2026-03"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist: %v", err)
		}
		_, err := e.svc.MonthlySummary(e.asSpec1, e.spec1.ID, "2026-3")
		wantField(t, err, "month", "a bad month")
		s, err := e.svc.MonthlySummary(e.asSpec1, e.spec1.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if want := (fieldwork.OrderCounts{Planned: 3, Done: 2, Accepted: 1, Open: 1, Cancelled: 1}); s.Orders != want {
			t.Errorf("orders %+v, want %+v", s.Orders, want)
		}
		if s.Problems["quality"].Count != 2 || s.Problems["complaint"].Count != 1 || s.Problems["warranty"].Count != 0 {
			t.Errorf("problems %+v", s.Problems)
		}
		if len(s.PaperOutstanding) != 1 || s.PaperOutstanding[0].ID != done.ID || len(s.OpenOrders) != 1 || s.OpenOrders[0].ID != open.ID {
			t.Errorf("paper %+v open %+v", s.PaperOutstanding, s.OpenOrders)
		}

		e.clock.Set(at("2026-03-25", 16, 30))
		if _, err := e.svc.SubmitMonthlySummary(e.asSpec1, "2026-03", 0, ""); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := e.svc.ExportMonthlySummary(e.asMgr, &buf, e.spec1.ID, "2026-03"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); !slices.Equal(got, []string{"月度汇总", "未完成派工单", "未交原件"}) {
			t.Fatalf("sheets %v", got)
		}
		wantRows(t, f, "月度汇总", [][]string{
			{"项目", "数值"}, {"客服专员", e.spec1.Name}, {"月份", "2026-03"}, {"上报截止日", "2026-03-25"},
			{"上报时间", "2026-03-25 16:30"}, {"上报对象", "总经理"}, {"逾期天数", "0"},
			{"计划派工单", "3"}, {"已完工", "2"}, {"已验收", "1"}, {"未完成", "1"}, {"已取消", "1"},
			{"逾期问题", "0"}, {"投诉问题", "1"}, {"质量问题", "2"}, {"验收问题", "0"}, {"质保问题", "0"}, {"未交原件", "1"},
		})
		wantRows(t, f, "未完成派工单", [][]string{
			{"派工单号", "类型", "客户", "计划日期", "状态", "完工时间"},
			{open.Number, "施工", e.a.Name, "2026-03-12", "已派工"},
		})
		wantRows(t, f, "未交原件", [][]string{
			{"派工单号", "类型", "客户", "计划日期", "状态", "完工时间"},
			{done.Number, "施工", e.a.Name, "2026-03-09", "已完工", "2026-03-09 16:00"},
		})
	})
}

func wantRows(t *testing.T, f *excelize.File, sheet string, want [][]string) {
	t.Helper()
	got, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("sheet %s:\n got %q\nwant %q", sheet, got, want)
	}
}
