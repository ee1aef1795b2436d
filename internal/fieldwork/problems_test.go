package fieldwork_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestProblemLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		good := fieldwork.ProblemInput{WorkOrderID: w.ID, Type: fieldwork.ProblemAcceptance, TechnicianID: e.tech1.ID,
			Description: "验收单缺客户签字", Evidence: "群内照片 2026-03-05"}
		for _, c := range []struct {
			name string
			ctx  context.Context
			in   func(fieldwork.ProblemInput) fieldwork.ProblemInput
			kind apperr.Kind
			fld  string
		}{
			{"another specialist", e.asSpec2, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { return in }, apperr.KindForbidden, ""},
			{"a technician", e.asTech1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { return in }, apperr.KindForbidden, ""},
			{"an unknown type", e.asSpec1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { in.Type = "noise"; return in }, apperr.KindInvalid, "type"},
			{"no evidence", e.asSpec1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { in.Evidence = " "; return in }, apperr.KindInvalid, "evidence"},
			{"no description", e.asSpec1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { in.Description = ""; return in }, apperr.KindInvalid, "description"},
			{"a technician not sent", e.asSpec1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { in.TechnicianID = e.tech2.ID; return in }, apperr.KindInvalid, "technician_id"},
			{"the order of another customer", e.asSpec1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { in.CustomerID = e.b.ID; return in }, apperr.KindInvalid, "work_order_id"},
			{"in the future", e.asSpec1, func(in fieldwork.ProblemInput) fieldwork.ProblemInput { in.OccurredAt = "2026-03-06 10:00"; return in }, apperr.KindInvalid, "occurred_at"},
		} {
			_, err := e.svc.RecordProblem(c.ctx, c.in(good))
			wantKind(t, err, c.kind, c.name)
			if c.fld != "" {
				wantField(t, err, c.fld, c.name)
			}
		}
		pb, err := e.svc.RecordProblem(e.asSpec1, good)
		if err != nil {
			t.Fatal(err)
		}
		if pb.CustomerID != e.a.ID || pb.GroupID == nil || *pb.GroupID != e.group.ID || pb.RegionID == nil || *pb.RegionID != e.r1.ID ||
			pb.StaffID == nil || *pb.StaffID != e.spec1.ID || pb.Version != 1 {
			t.Fatalf("problem %+v", pb)
		}
		_, err = e.svc.ForwardProblem(e.asSpec1, pb.ID, pb.Version, fieldwork.ForwardInput{})
		wantField(t, err, "to_party", "forwarding to nobody")
		if _, err := e.svc.ForwardProblem(e.asSpec2, pb.ID, pb.Version, fieldwork.ForwardInput{ToParty: "维修一组"}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist forwarding: %v", err)
		}
		if _, err := e.svc.ForwardProblem(e.asSpec1, pb.ID, pb.Version+1, fieldwork.ForwardInput{ToParty: "维修一组"}); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("a stale version: %v", err)
		}
		pb, err = e.svc.ForwardProblem(e.asSpec1, pb.ID, pb.Version, fieldwork.ForwardInput{ToStaffID: e.sup.ID, Note: "请补签"})
		if err != nil {
			t.Fatal(err)
		}
		if pb.ForwardedToParty != e.sup.Name || pb.ForwardedAt == nil || pb.Version != 2 {
			t.Fatalf("forwarded %+v", pb)
		}
		_, err = e.svc.ForwardProblem(e.asSpec1, pb.ID, pb.Version, fieldwork.ForwardInput{ToParty: "技术部"})
		wantField(t, err, "forwarded_at", "forwarding twice")
		// The supervisor it went to sees it.
		if _, err := e.svc.GetProblem(e.asSup, pb.ID); err != nil {
			t.Errorf("the supervisor forwarded to: %v", err)
		}
		if _, err := e.svc.GetProblem(e.asTech2, pb.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("an unrelated technician: %v", err)
		}
		_, err = e.svc.ResolveProblem(e.asSpec1, pb.ID, pb.Version, fieldwork.ResolveInput{})
		wantField(t, err, "resolution", "resolving without saying how")
		pb, err = e.svc.ResolveProblem(e.asSpec1, pb.ID, pb.Version, fieldwork.ResolveInput{Resolution: "已补签"})
		if err != nil || pb.ResolvedAt == nil || pb.Version != 3 {
			t.Fatalf("resolved %+v, %v", pb, err)
		}
		list, err := e.svc.ListProblems(e.asSpec1, fieldwork.ProblemFilter{WorkOrderID: w.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v, %v", list, err)
		}
	})
}

func TestMonthlyStatisticsAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w1 := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
		w2 := e.work("2026-03-10", "2026-03-10", e.tech2.ID)
		e.clock.Set(at("2026-03-20", 10, 0))
		record := func(ctx context.Context, in fieldwork.ProblemInput) string {
			t.Helper()
			in.Description, in.Evidence = "问题", "见证资料"
			pb, err := e.svc.RecordProblem(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return pb.ID
		}
		q1 := record(e.asSpec1, fieldwork.ProblemInput{WorkOrderID: w1.ID, Type: fieldwork.ProblemQuality, TechnicianID: e.tech1.ID, OccurredAt: "2026-03-09 15:00"})
		q2 := record(e.asSpec1, fieldwork.ProblemInput{WorkOrderID: w2.ID, Type: fieldwork.ProblemQuality, TechnicianID: e.tech2.ID, OccurredAt: "2026-03-10 15:00"})
		o1 := record(e.asSpec1, fieldwork.ProblemInput{WorkOrderID: w1.ID, Type: fieldwork.ProblemOverdue, TechnicianID: e.tech1.ID, OccurredAt: "2026-03-11 09:00"})
		c1 := record(e.asSpec2, fieldwork.ProblemInput{CustomerID: e.b.ID, Type: fieldwork.ProblemComplaint, OccurredAt: "2026-03-12 09:00"})
		record(e.asSpec1, fieldwork.ProblemInput{WorkOrderID: w1.ID, Type: fieldwork.ProblemWarranty, OccurredAt: "2026-02-28 09:00"}) // February

		if _, err := e.svc.MonthlyStatistics(e.asTech1, "2026-03"); err != nil {
			t.Errorf("a technician reads the counts of their own appraisal: %v", err)
		}
		if _, err := e.svc.MonthlyStatistics(context.Background(), "2026-03"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("no caller: %v, want forbidden", err)
		}
		st, err := e.svc.MonthlyStatistics(e.asMgr, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		type cell struct {
			row, typ string
			ids      []string
		}
		check := func(dim string, rows []fieldwork.StatRow, want []cell, names []string) {
			t.Helper()
			var got []string
			for _, r := range rows {
				got = append(got, r.Name)
			}
			if !slices.Equal(got, names) {
				t.Fatalf("%s rows %v, want %v", dim, got, names)
			}
			for _, c := range want {
				i := slices.Index(names, c.row)
				ids := rows[i].Cells[c.typ].ProblemIDs
				slices.Sort(ids)
				wantIDs := slices.Sorted(slices.Values(c.ids))
				if rows[i].Cells[c.typ].Count != len(c.ids) || !slices.Equal(ids, wantIDs) {
					t.Errorf("%s %s %s: %+v, want %v", dim, c.row, c.typ, rows[i].Cells[c.typ], c.ids)
				}
			}
		}
		check("region", st.ByRegion, []cell{{"国贸", "quality", []string{q1, q2}}, {"国贸", "overdue", []string{o1}}, {"望京", "complaint", []string{c1}},
			{"望京", "quality", nil}}, []string{"国贸", "望京"})
		check("group", st.ByGroup, []cell{{"维修一组", "quality", []string{q1, q2}}, {"（未指定）", "complaint", []string{c1}}}, []string{"维修一组", "（未指定）"})
		check("technician", st.ByTechnician, []cell{{e.tech1.Name, "quality", []string{q1}}, {e.tech1.Name, "overdue", []string{o1}},
			{e.tech2.Name, "quality", []string{q2}}, {"（未指定）", "complaint", []string{c1}}}, []string{e.tech1.Name, e.tech2.Name, "（未指定）"})
		if st.Total.Total.Count != 4 || st.Total.Cells["warranty"].Count != 0 {
			t.Errorf("total %+v", st.Total)
		}

		var buf bytes.Buffer
		if err := e.svc.ExportMonthlyStatistics(e.asMgr, &buf, "2026-03"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); !slices.Equal(got, []string{"按区域", "按项目组", "按技术人员"}) {
			t.Fatalf("sheets %v", got)
		}
		head := []string{"逾期", "投诉", "质量", "验收", "质保", "合计"}
		wantRows(t, f, "按区域", [][]string{
			append([]string{"区域"}, head...),
			{"国贸", "1", "0", "2", "0", "0", "3"},
			{"望京", "0", "1", "0", "0", "0", "1"},
			{"合计", "1", "1", "2", "0", "0", "4"},
		})
		wantRows(t, f, "按技术人员", [][]string{
			append([]string{"技术人员"}, head...),
			{e.tech1.Name, "1", "0", "1", "0", "0", "2"},
			{e.tech2.Name, "0", "0", "1", "0", "0", "1"},
			{"（未指定）", "0", "1", "0", "0", "0", "1"},
			{"合计", "1", "1", "2", "0", "0", "4"},
		})
	})
}
