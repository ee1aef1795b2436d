package contracts_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tabular"
	"kefu/internal/workcal"
)

func csvBytes(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importEnv is env with a service that can stage files.
func importEnv(t *testing.T, db *store.DB) *env {
	e := newEnv(t, db)
	blobs, err := blob.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	e.svc = contracts.NewService(db, workcal.NewService(db, e.clock.Now), e.clock.Now, contracts.Options{Location: shanghai, Blobs: blobs})
	return e
}

func (e *env) importFile(ctxKey string, kind contracts.ImportKind, name string, data []byte, opts contracts.ImportOptions) *contracts.ImportReport {
	e.t.Helper()
	ctx := e.asMgr
	if kind == contracts.ImportPayments {
		ctx = e.asFin
	}
	key, err := e.svc.StageImport(ctx, kind, bytes.NewReader(data), 10<<20)
	if err != nil {
		e.t.Fatalf("stage: %v", err)
	}
	opts.Kind = kind
	rep, err := e.svc.Import(ctx, key, name, opts)
	if err != nil {
		e.t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

func TestImportPayments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		e.contract(e.asMgr, maint("HT-2", c, "2025-01-01", "2025-12-31"))
		good := [][]string{
			{"合同编号", "回款日期", "回款金额", "付款方式", "银行流水号", "期次", "多付原因", "备注"},
			{"HT-1", "2026/1/20", "30,000.00", "转账", "B-001", "", "", ""},
			{"ht-1", "46060", "30000", "承兑", "B-002", "1", "", "Excel 日期序号"}, // 46060 = 2026-02-07
			{"HT-2", "2025-12-31", "￥120,000.00", "", "B-003", "", "", ""},
		}
		bad := append(append([][]string{}, good...),
			[]string{"HT-9", "2026-01-20", "100", "", "B-004", "", "", ""},    // unknown contract
			[]string{"HT-1", "2026-13-01", "100", "", "B-005", "", "", ""},    // bad date
			[]string{"HT-1", "2026-01-21", "-100", "", "B-006", "", "", ""},   // negative
			[]string{"HT-1", "2026-01-21", "100", "比特币", "B-007", "", "", ""}, // method
			[]string{"HT-1", "2026-01-21", "100", "", "B-008", "5", "", ""},   // no such installment
			[]string{"HT-2", "2026-01-21", "100", "", "B-009", "", "", ""},    // overpaid, no reason
			[]string{"HT-1", "2026-12-01", "100", "", "B-010", "", "", ""},    // in the future (today 2026-03-05)
			[]string{"HT-1", "2026/1/21", "1.005", "", "B-011", "", "", ""},   // three decimals
		)
		wantErrs := []struct {
			line int
			col  string
		}{{5, "合同编号"}, {6, "回款日期"}, {7, "回款金额"}, {8, "付款方式"}, {9, "期次"}, {10, "回款金额"}, {11, "回款日期"}, {12, "回款金额"}}

		// GBK CSV with bad rows, reject mode: nothing written, every error located.
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(csvBytes(t, bad))
		if err != nil {
			t.Fatal(err)
		}
		rep := e.importFile("fin", contracts.ImportPayments, "回款.csv", gbk, contracts.ImportOptions{})
		if !rep.Rejected || rep.Applied || len(rep.Errors) != len(wantErrs) || rep.Created != 3 {
			t.Fatalf("reject: %+v", rep)
		}
		for i, w := range wantErrs {
			if rep.Errors[i].Line != w.line || rep.Errors[i].Column != w.col || rep.Errors[i].Reason == "" {
				t.Errorf("error %d = %+v, want line %d column %s", i, rep.Errors[i], w.line, w.col)
			}
		}
		if d := e.detail(k.ID); len(d.Payments) != 0 {
			t.Fatalf("rejected file wrote %d payments", len(d.Payments))
		}
		// Dry run of the good file: reports, writes nothing.
		rep = e.importFile("fin", contracts.ImportPayments, "回款.csv", csvBytes(t, good), contracts.ImportOptions{DryRun: true})
		if rep.Created != 3 || rep.Applied || len(rep.Errors) != 0 {
			t.Fatalf("dry run: %+v", rep)
		}
		if d := e.detail(k.ID); len(d.Payments) != 0 {
			t.Fatal("dry run wrote payments")
		}
		// Skip bad rows: the good ones land.
		rep = e.importFile("fin", contracts.ImportPayments, "回款.csv", gbk, contracts.ImportOptions{SkipBad: true})
		if !rep.Applied || rep.Created != 3 || len(rep.Errors) != len(wantErrs) {
			t.Fatalf("skip bad: %+v", rep)
		}
		d := e.detail(k.ID)
		if len(d.Payments) != 2 || d.PaidFen != 6_000_000 || d.Installments[0].OpenFen != 0 || d.Payments[1].ReceivedOn != "2026-02-07" || d.Payments[1].Method != "acceptance" {
			t.Fatalf("after import: paid %d, payments %+v", d.PaidFen, d.Payments)
		}
		// Importing again, as XLSX this time, changes nothing.
		var xb bytes.Buffer
		if err := tabular.WriteXLSX(&xb, good[0], good[1:]); err != nil {
			t.Fatal(err)
		}
		rep = e.importFile("fin", contracts.ImportPayments, "回款.xlsx", xb.Bytes(), contracts.ImportOptions{})
		if rep.Created != 0 || rep.Unchanged != 3 || !rep.Applied {
			t.Fatalf("second import: %+v", rep)
		}
		if d2 := e.detail(k.ID); len(d2.Payments) != 2 || d2.PaidFen != d.PaidFen {
			t.Fatalf("second import changed payments: %d", len(d2.Payments))
		}
		// Only finance imports payments.
		if _, err := e.svc.StageImport(e.asSpec1, contracts.ImportPayments, bytes.NewReader(gbk), 1<<20); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist stages payments: %v", err)
		}
		// Not a spreadsheet.
		key, err := e.svc.StageImport(e.asFin, contracts.ImportPayments, strings.NewReader("%PDF-1.4 binary"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Import(e.asFin, key, "x.pdf", contracts.ImportOptions{Kind: contracts.ImportPayments})
		wantErr(t, err, apperr.KindInvalid, "file")
	})
}

func TestImportContracts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		head := []string{"合同编号", "客户编号", "客户名称", "合同类型", "签订日期", "开始日期", "结束日期", "合同金额", "状态", "续签自", "服务类型", "设备", "频次", "次数", "付款日期", "付款金额"}
		rows := [][]string{head,
			{"HT-A", "", "国贸物业", "维保", "", "2025-01-01", "2025-12-31", "100,000", "生效", "", "巡检", "冷水机组", "每月", "1", "2025-01-15", "50,000"},
			{"HT-A", "", "", "", "", "", "", "", "", "", "换季保养", "空调系统", "换季", "2", "2025-07-15", "50,000"},
			{"HT-B", c.Code, "", "维保", "2025/12/20", "2026-01-01", "2026-12-31", "120000", "", "HT-A", "巡检", "冷水机组", "每月", "1", "2026-06-30", "120000"},
			{"HT-C", "", "不存在的客户", "维保", "", "2026-01-01", "2026-12-31", "1", "", "", "巡检", "x", "", "", "2026-01-01", "1"},
			{"HT-D", "", "国贸物业", "工程", "", "2026-01-01", "2026-12-31", "100", "", "", "", "", "", "", "2026-01-01", "60"}, // sum differs
			{"HT-E", "", "国贸物业", "维保", "", "2026-01-01", "2026-12-31", "100", "", "", "清洁", "x", "", "", "", ""},          // bad service type
			{"HT-F", "", "国贸物业", "工程", "", "2026-01-01", "2026-12-31", "100", "", "", "", "", "", "", "2026-01-01", "40"},
			{"HT-F", "", "", "", "", "", "", "", "", "", "", "", "", "", "2027-02-01", "60"}, // after the end
		}
		data := csvBytes(t, rows)
		rep := e.importFile("mgr", contracts.ImportContracts, "合同.csv", data, contracts.ImportOptions{SkipBad: true})
		if rep.Created != 2 || len(rep.Errors) != 4 {
			t.Fatalf("import: %+v", rep)
		}
		want := []struct {
			line int
			col  string
		}{{5, "客户名称"}, {6, "合同金额"}, {7, "服务类型"}, {9, "付款日期"}}
		for i, w := range want {
			if rep.Errors[i].Line != w.line || rep.Errors[i].Column != w.col {
				t.Errorf("error %d = %+v, want line %d %s", i, rep.Errors[i], w.line, w.col)
			}
		}
		a, b := e.byNumber("HT-A"), e.byNumber("HT-B")
		da := e.detail(a.ID)
		if len(da.Scope) != 2 || da.Scope[1].Times != 2 || da.Scope[1].Frequency != "seasonal" || len(da.Installments) != 2 || da.Status != "renewed" {
			t.Fatalf("HT-A %+v", da)
		}
		if b.RenewedFrom == nil || *b.RenewedFrom != a.ID {
			t.Fatalf("HT-B renews %v", b.RenewedFrom)
		}
		again := e.importFile("mgr", contracts.ImportContracts, "合同.csv", data, contracts.ImportOptions{SkipBad: true})
		if again.Created != 0 || again.Unchanged != 2 || len(again.Errors) != 4 {
			t.Fatalf("second import: %+v", again)
		}
		page, _ := e.svc.ListContracts(e.asMgr, contracts.ListFilter{})
		if len(page.Items) != 2 {
			t.Fatalf("%d contracts after two imports", len(page.Items))
		}
		// A changed period for an existing number is an error, not a silent change.
		rows[1][6] = "2025-11-30"
		rep = e.importFile("mgr", contracts.ImportContracts, "合同.csv", csvBytes(t, rows[:3]), contracts.ImportOptions{})
		if !rep.Rejected || len(rep.Errors) != 1 || rep.Errors[0].Column != "合同编号" {
			t.Fatalf("changed contract: %+v", rep)
		}
		// XLSX round trip of the template parses.
		hs, ex, err := contracts.ImportTemplate(contracts.ImportContracts)
		if err != nil || len(ex) != 2 || len(hs) != len(ex[0]) {
			t.Fatalf("template %v %v", hs, err)
		}
	})
}

// Dates in contract and payment files: 2026-03-01, 2026/3/1 and Excel dates
// between 2000 and 2099; anything else is refused with the row, the column
// and the reason.
func TestImportDates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		tests := []struct {
			in     string
			want   string // stored day; "" = refused
			reason string
		}{
			{"2026-03-01", "2026-03-01", ""},
			{"2026/3/1", "2026-03-01", ""},
			{"2026-3-1", "2026-03-01", ""},
			{"46082", "2026-03-01", ""},
			{"2026.3.1", "", "日期格式不正确"},
			{"2026年3月1日", "", "日期格式不正确"},
			{"20260301", "", "日期格式不正确"},
			{"2026-03-01 10:30", "", "不能带时间"},
			{"1", "", "超出范围"}, // Excel's 1900-01-01
			{"1999/12/31", "", "超出范围"},
			{"2026-02-30", "", "日期不存在"},
		}
		for _, tc := range tests {
			t.Run(tc.in, func(t *testing.T) {
				// A payment's 回款日期.
				pay := csvBytes(t, [][]string{{"合同编号", "回款日期", "回款金额", "凭证号"}, {"HT-1", tc.in, "100", "D-" + tc.in}})
				rep := e.importFile("fin", contracts.ImportPayments, "回款.csv", pay, contracts.ImportOptions{DryRun: true})
				checkDate(t, rep, "回款日期", tc.in, tc.want, tc.reason)
				// A contract's 开始日期 and an installment's 付款日期.
				for _, col := range []string{"开始日期", "付款日期"} {
					row := map[string]string{"合同编号": "HT-D", "客户名称": "国贸物业", "合同类型": "工程", "开始日期": "2026-01-01",
						"结束日期": "2026-12-31", "合同金额": "100", "付款日期": "2026-06-30", "付款金额": "100"}
					row[col] = tc.in
					head := []string{"合同编号", "客户名称", "合同类型", "开始日期", "结束日期", "合同金额", "付款日期", "付款金额"}
					vals := make([]string, len(head))
					for i, h := range head {
						vals[i] = row[h]
					}
					rep := e.importFile("mgr", contracts.ImportContracts, "合同.csv", csvBytes(t, [][]string{head, vals}), contracts.ImportOptions{DryRun: true})
					checkDate(t, rep, col, tc.in, tc.want, tc.reason)
				}
			})
		}
	})
}

func checkDate(t *testing.T, rep *contracts.ImportReport, col, in, want, reason string) {
	t.Helper()
	if want != "" {
		if len(rep.Errors) != 0 || rep.Created != 1 {
			t.Errorf("%s %q: %+v", col, in, rep)
		} else if col == "回款日期" && !strings.Contains(rep.Rows[0].Summary, want) {
			t.Errorf("%s %q read as %q, want %s", col, in, rep.Rows[0].Summary, want)
		}
		return
	}
	if rep.Created != 0 || len(rep.Errors) != 1 {
		t.Fatalf("%s %q: want one error, got %+v", col, in, rep)
	}
	ce := rep.Errors[0]
	if ce.Line != 2 || ce.Column != col || ce.Value != in || !strings.Contains(ce.Reason, reason) {
		t.Errorf("%s %q: error %+v, want line 2, reason %q", col, in, ce, reason)
	}
}

// A contract whose schedule differs from its amount is imported with the
// form's two fields: 付款计划与合同金额不一致 (是/否) and 不一致原因.
func TestImportScheduleDiffers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		e.customer("国贸物业", e.r1, e.spec1)
		head := []string{"合同编号", "客户名称", "合同类型", "签订日期", "开始日期", "结束日期", "合同金额", "付款计划与合同金额不一致", "不一致原因", "续签自", "付款日期", "付款金额"}
		rows := [][]string{head,
			{"HT-S1", "国贸物业", "工程", "2025-12-20", "2026-01-01", "2026-12-31", "100", "是", "尾款按验收结算", "", "2026-01-01", "60"},
			{"HT-S2", "国贸物业", "工程", "", "2026-01-01", "2026-12-31", "100", "是", "", "", "2026-01-01", "60"},
			{"HT-S3", "国贸物业", "工程", "", "2026-01-01", "2026-12-31", "100", "否", "", "", "2026-01-01", "60"},
			{"HT-S4", "国贸物业", "工程", "", "2026-01-01", "2026-12-31", "100", "", "尾款另议", "", "2026-01-01", "60"},
			{"HT-S5", "国贸物业", "工程", "", "2026-01-01", "2026-12-31", "100", "也许", "尾款另议", "", "2026-01-01", "60"},
			{"HT-S7", "国贸物业", "工程", "", "2027-01-01", "2027-12-31", "100", "", "", "HT-S1", "2027-01-01", "100"}, // a renewal without its signed date
		}
		rep := e.importFile("mgr", contracts.ImportContracts, "合同.csv", csvBytes(t, rows), contracts.ImportOptions{SkipBad: true})
		want := []struct {
			line int
			col  string
		}{{3, "不一致原因"}, {4, "合同金额"}, {5, "付款计划与合同金额不一致"}, {6, "付款计划与合同金额不一致"}, {7, "签订日期"}}
		if rep.Created != 1 || len(rep.Errors) != len(want) {
			t.Fatalf("import: %+v", rep)
		}
		for i, w := range want {
			if got := rep.Errors[i]; got.Line != w.line || got.Column != w.col || got.Reason == "" {
				t.Errorf("error %d = %+v, want line %d column %s", i, got, w.line, w.col)
			}
		}
		d := e.detail(e.byNumber("HT-S1").ID)
		if !d.ScheduleDiffers || d.ScheduleNote != "尾款按验收结算" || d.AmountFen != 10_000 || len(d.Installments) != 1 || d.Installments[0].AmountFen != 6_000 {
			t.Fatalf("HT-S1 %+v", d.Contract)
		}
		// Again: unchanged. The shorter header is understood too.
		again := e.importFile("mgr", contracts.ImportContracts, "合同.csv", csvBytes(t, rows[:2]), contracts.ImportOptions{})
		if again.Unchanged != 1 || again.Created != 0 || !again.Applied {
			t.Fatalf("second import: %+v", again)
		}
		short := [][]string{{"合同编号", "客户名称", "合同类型", "开始日期", "结束日期", "合同金额", "付款计划与金额不一致", "不一致原因", "付款日期", "付款金额"},
			{"HT-S8", "国贸物业", "其他", "2026-01-01", "2026-12-31", "100", "Y", "按实结算", "2026-06-30", "30"}}
		rep = e.importFile("mgr", contracts.ImportContracts, "合同.csv", csvBytes(t, short), contracts.ImportOptions{})
		if rep.Created != 1 || len(rep.Errors) != 0 {
			t.Fatalf("short header: %+v", rep)
		}
		if d := e.detail(e.byNumber("HT-S8").ID); !d.ScheduleDiffers || d.ScheduleNote != "按实结算" {
			t.Fatalf("HT-S8 %+v", d.Contract)
		}
		// The template carries the two columns.
		hs, ex, err := contracts.ImportTemplate(contracts.ImportContracts)
		if err != nil || !slices.Contains(hs, "付款计划与合同金额不一致") || !slices.Contains(hs, "不一致原因") || len(ex[0]) != len(hs) || len(ex[1]) != len(hs) {
			t.Fatalf("template %v %v", hs, err)
		}
	})
}

// Two rows of one payment file with the same contract, day and amount and
// no reference are not folded into one payment silently: the second is
// reported as a duplicate of the first. With the same reference they are
// one payment listed twice. Importing the file again changes nothing.
func TestImportDuplicatePaymentRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		file := csvBytes(t, [][]string{{"合同编号", "回款日期", "回款金额", "凭证号"},
			{"HT-1", "2026-01-20", "1,000.00", ""},
			{"HT-1", "2026/1/20", "1000", ""}, // the same, written differently
			{"HT-1", "2026-01-21", "500", "B-9"},
			{"HT-1", "2026-01-21", "500.00", "B-9"},
			{"HT-1", "2026-01-20", "1000", "B-10"}, // a reference tells it apart
		})
		dup := func(t *testing.T, rep *contracts.ImportReport) {
			t.Helper()
			if len(rep.Errors) != 1 {
				t.Fatalf("errors %+v", rep.Errors)
			}
			if ce := rep.Errors[0]; ce.Line != 3 || ce.Column != "凭证号" || !strings.Contains(ce.Reason, "与本文件第 2 行重复") {
				t.Fatalf("duplicate error %+v", ce)
			}
		}
		rep := e.importFile("fin", contracts.ImportPayments, "回款.csv", file, contracts.ImportOptions{})
		dup(t, rep)
		if !rep.Rejected || len(e.detail(k.ID).Payments) != 0 {
			t.Fatalf("reject: %+v", rep)
		}
		rep = e.importFile("fin", contracts.ImportPayments, "回款.csv", file, contracts.ImportOptions{SkipBad: true})
		dup(t, rep)
		if rep.Created != 3 || rep.Unchanged != 1 || !strings.Contains(rep.Rows[2].Summary, "与本文件第 4 行重复") {
			t.Fatalf("skip: %+v", rep)
		}
		if d := e.detail(k.ID); len(d.Payments) != 3 || d.PaidFen != 250_000 {
			t.Fatalf("payments %d, paid %d", len(d.Payments), d.PaidFen)
		}
		rep = e.importFile("fin", contracts.ImportPayments, "回款.csv", file, contracts.ImportOptions{SkipBad: true})
		dup(t, rep)
		if rep.Created != 0 || rep.Unchanged != 4 {
			t.Fatalf("again: %+v", rep)
		}
		if d := e.detail(k.ID); len(d.Payments) != 3 || d.PaidFen != 250_000 {
			t.Fatalf("again: payments %d, paid %d", len(d.Payments), d.PaidFen)
		}
	})
}
