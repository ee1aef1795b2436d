package api_test

import (
	"bytes"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kefu/internal/contracts"
	"kefu/internal/tabular"
	"kefu/internal/tabular/tabulartest"
)

// xlsxRows parses an XLSX download and returns its first sheet's rows.
func xlsxRows(t *testing.T, r response) [][]string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.Contains(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("not an XLSX workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("an empty workbook")
	}
	return rows
}

// typedRowOf finds the row of an XLSX download whose first cell is key
// and renders its cells as tabulartest does (s:text, n:value [format]
// shown), a date's serial number left out so the check does not depend
// on the day the test runs.
func typedRowOf(t *testing.T, body []byte, key string) []string {
	t.Helper()
	for _, row := range tabulartest.Cells(t, body) {
		if len(row) == 0 || row[0].Raw != key {
			continue
		}
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = c.String()
			if c.Type == "n" && strings.HasPrefix(c.Format, "yyyy") {
				out[i] = "n:[" + c.Format + "] " + c.Shown
			}
		}
		return out
	}
	t.Fatalf("no row %s", key)
	return nil
}

func xlsx(t *testing.T, headers []string, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tabular.WriteXLSX(&b, headers, rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestContractImportAPI: a contract file and a payment file through dry
// run, apply and a second import that changes nothing; bad files and
// options, who may import which kind, and the templates.
func TestContractImportAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("导入合同客户"))
		number := strings.ToUpper(unique("DR-"))
		start, end := e.daysAgo(60), e.daysAgo(-304)
		contractFile := xlsx(t, []string{"合同编号", "客户名称", "合同类型", "合同名称", "签订日期", "开始日期", "结束日期", "合同金额", "状态",
			"服务类型", "设备", "频次", "次数", "付款日期", "付款金额"},
			[]string{number, cust["name"].(string), "维保", "空调维保", start, start, end, "120,000.00", "生效", "巡检", "冷水机组 1#", "每月", "1", e.daysAgo(30), "60,000.00"},
			[]string{number, "", "", "", "", "", "", "", "", "换季保养", "空调系统", "换季", "1", end, "60,000.00"})
		ref := unique("BANK-")
		paymentCSV := []byte("合同编号,回款日期,回款金额,付款方式,凭证号\n" + number + "," + e.daysAgo(1) + ",\"10,000.00\",转账," + ref + "\n")
		lookup := "/api/v1/contracts/by-number?number=" + url.QueryEscape(number)
		report := func(t *testing.T, r response) importReport {
			t.Helper()
			if r.status != 200 {
				t.Fatalf("import: %s", r)
			}
			var rep importReport
			r.decode(t, &rep)
			return rep
		}

		t.Run("a dry run of the contracts reports and writes nothing", func(t *testing.T) {
			rep := report(t, e.upload(t, "manager", "/api/v1/imports/contracts", field("dry_run", "true"), file("file", "合同.xlsx", contractFile)))
			if rep.Kind != "contracts" || rep.Created != 1 || !rep.DryRun || rep.Applied || rep.Rejected || len(rep.Errors) != 0 || rep.Key == "" || rep.Mode != "reject" {
				t.Fatalf("dry run %+v", rep)
			}
			e.must(t, 404, "manager", "GET", lookup, nil)
			t.Run("apply the staged file", func(t *testing.T) {
				rep := report(t, e.do(t, "manager", "POST", "/api/v1/imports/contracts/"+rep.Key+"/apply", map[string]any{"name": "合同.xlsx"}))
				if rep.Created != 1 || !rep.Applied || rep.DryRun {
					t.Errorf("apply %+v", rep)
				}
				c := e.must(t, 200, "manager", "GET", lookup, nil).obj(t)
				if c["status"] != "active" || num(c["amount_fen"]) != 12_000_000 || len(objects(t, c["installments"])) != 2 || len(objects(t, c["scope"])) != 2 {
					t.Errorf("imported contract %v", c)
				}
			})
		})
		t.Run("the same contract file again changes nothing", func(t *testing.T) {
			before := e.snapshot(t, lookup)
			rep := report(t, e.upload(t, "manager", "/api/v1/imports/contracts", file("file", "合同.xlsx", contractFile)))
			if rep.Unchanged != 1 || rep.Created != 0 || !rep.Applied {
				t.Errorf("second import %+v", rep)
			}
			if !jsonEqual(before, e.snapshot(t, lookup)) {
				t.Errorf("the contract changed")
			}
		})
		t.Run("payments: dry run, apply, and the same file again is unchanged", func(t *testing.T) {
			rep := report(t, e.upload(t, "xu.jing", "/api/v1/imports/payments", field("dry_run", "true"), file("file", "回款.csv", paymentCSV)))
			if rep.Kind != "payments" || rep.Created != 1 || !rep.DryRun || rep.Applied {
				t.Fatalf("dry run %+v", rep)
			}
			if c := e.must(t, 200, "xu.jing", "GET", lookup, nil).obj(t); num(c["paid_fen"]) != 0 {
				t.Fatalf("the dry run paid %v", c["paid_fen"])
			}
			rep = report(t, e.do(t, "xu.jing", "POST", "/api/v1/imports/payments/"+rep.Key+"/apply", map[string]any{"name": "回款.csv"}))
			if rep.Created != 1 || !rep.Applied {
				t.Fatalf("apply %+v", rep)
			}
			before := e.snapshot(t, lookup)
			rep = report(t, e.upload(t, "xu.jing", "/api/v1/imports/payments", file("file", "回款.csv", paymentCSV)))
			if rep.Unchanged != 1 || rep.Created != 0 || len(rep.Errors) != 0 || !rep.Applied {
				t.Errorf("second import %+v", rep)
			}
			c := e.snapshot(t, lookup)
			if !jsonEqual(before, c) {
				t.Errorf("a repeated payment import changed the contract")
			}
			cm := c.(map[string]any)
			ps := objects(t, cm["payments"])
			if num(cm["paid_fen"]) != 1_000_000 || len(ps) != 1 || ps[0]["source"] != "import" || ps[0]["reference"] != ref {
				t.Errorf("paid %v, payments %v", cm["paid_fen"], ps)
			}
		})
		t.Run("a bad payment row rejects the file and is named", func(t *testing.T) {
			before := e.snapshot(t, lookup)
			bad := []byte("合同编号,回款日期,回款金额\n" + number + "," + e.daysAgo(2) + ",500.00\nNO-SUCH-CONTRACT," + e.daysAgo(2) + ",500.00\n")
			rep := report(t, e.upload(t, "xu.jing", "/api/v1/imports/payments", file("file", "bad.csv", bad)))
			if !rep.Rejected || rep.Applied || len(rep.Errors) != 1 {
				t.Fatalf("report %+v", rep)
			}
			if got := rep.Errors[0]; got.Row != 3 || got.Column != "合同编号" || got.Value != "NO-SUCH-CONTRACT" || got.Reason == "" {
				t.Errorf("error %+v", got)
			}
			if !jsonEqual(before, e.snapshot(t, lookup)) {
				t.Errorf("a rejected file changed the contract")
			}
			rep = report(t, e.upload(t, "xu.jing", "/api/v1/imports/payments", field("mode", "skip"), file("file", "bad.csv", bad)))
			if rep.Rejected || !rep.Applied || rep.Created != 1 || len(rep.Errors) != 1 || rep.Mode != "skip" {
				t.Errorf("skip report %+v", rep)
			}
		})

		all := "/api/v1/contracts?customer_id=" + cust["id"].(string)
		other := xlsx(t, []string{"合同编号", "客户名称", "开始日期", "结束日期", "合同金额"}, []string{strings.ToUpper(unique("DR-")), cust["name"].(string), start, end, "1.00"})
		e.run(t, map[string]string{}, []scenario{
			{name: "a specialist cannot import contracts", as: "lin.wen", method: "POST", path: "/api/v1/imports/contracts", status: 403, code: "forbidden",
				form: []part{file("file", "合同.xlsx", other)}, same: []string{all}},
			{name: "finance cannot import contracts", as: "xu.jing", method: "POST", path: "/api/v1/imports/contracts", status: 403, code: "forbidden",
				form: []part{file("file", "合同.xlsx", other)}, same: []string{all}},
			{name: "the manager cannot import payments", as: "manager", method: "POST", path: "/api/v1/imports/payments", status: 403, code: "forbidden",
				form: []part{file("file", "回款.csv", paymentCSV)}, same: []string{lookup}},
			{name: "a specialist cannot apply a staged payment file", as: "lin.wen", method: "POST", path: "/api/v1/imports/payments/" + strings.Repeat("0", 64) + "/apply",
				status: 403, code: "forbidden", body: map[string]any{}},
			{name: "an image is not a spreadsheet", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "file",
				form: []part{file("file", "合同.xlsx", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))}, same: []string{all}},
			{name: "a PDF is not a spreadsheet", as: "xu.jing", method: "POST", path: "/api/v1/imports/payments", status: 400, code: "invalid", field: "file",
				form: []part{file("file", "回款.csv", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"))}, same: []string{lookup}},
			{name: "a file without the required columns", as: "xu.jing", method: "POST", path: "/api/v1/imports/payments", status: 400, code: "invalid", field: "file",
				form: []part{file("file", "回款.csv", []byte("备注\n随便\n"))}, same: []string{lookup}},
			{name: "a path-traversal file name", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "file",
				form: []part{file("file", "../../etc/passwd", other)}, same: []string{all}},
			{name: "no file", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "file",
				form: []part{field("dry_run", "true")}, same: []string{all}},
			{name: "a bad mode", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "mode",
				form: []part{field("mode", "sometimes"), file("file", "合同.xlsx", other)}, same: []string{all}},
			{name: "a bad dry_run", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "dry_run",
				form: []part{field("dry_run", "perhaps"), file("file", "合同.xlsx", other)}, same: []string{all}},
			{name: "a bad mapping", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "mapping",
				form: []part{field("mapping", "{not json"), file("file", "合同.xlsx", other)}, same: []string{all}},
			{name: "JSON instead of a form", as: "manager", method: "POST", path: "/api/v1/imports/contracts", status: 400, code: "invalid", field: "body",
				body: map[string]any{"file": "x"}, same: []string{all}},
			{name: "an unknown staged key", as: "manager", method: "POST", path: "/api/v1/imports/contracts/" + strings.Repeat("0", 64) + "/apply",
				status: 400, code: "invalid", field: "key", body: map[string]any{}},
			{name: "a bad mode on apply", as: "manager", method: "POST", path: "/api/v1/imports/contracts/" + strings.Repeat("0", 64) + "/apply",
				status: 400, code: "invalid", field: "mode", body: map[string]any{"mode": "sometimes"}},
			{name: "kind is in the path, not the body", as: "manager", method: "POST", path: "/api/v1/imports/contracts/" + strings.Repeat("0", 64) + "/apply",
				status: 400, code: "invalid", field: "kind", body: map[string]any{"kind": "contracts"}},
		})
		t.Run("an upload above the limit", func(t *testing.T) {
			before := e.snapshot(t, lookup)
			big := part{name: "file", fileName: "big.csv", content: io.MultiReader(strings.NewReader("合同编号,回款日期,回款金额\n"), io.LimitReader(zeros{}, 50<<20))}
			checkTooLarge(t, e.upload(t, "xu.jing", "/api/v1/imports/payments", big))
			if !jsonEqual(before, e.snapshot(t, lookup)) {
				t.Errorf("the contract changed")
			}
		})

		// Templates.
		template := func(kind string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				want, _, err := contracts.ImportTemplate(contracts.ImportKind(kind))
				if err != nil {
					t.Fatal(err)
				}
				rows := xlsxRows(t, r)
				if !slices.Equal(rows[0], want) || len(rows) < 2 {
					t.Errorf("template rows %v, want headers %v and an example", rows, want)
				}
			}
		}
		e.run(t, map[string]string{}, []scenario{
			{name: "the contracts template", as: "manager", method: "GET", path: "/api/v1/imports/contracts/template", status: 200, check: template("contracts")},
			{name: "the payments template", as: "xu.jing", method: "GET", path: "/api/v1/imports/payments/template", status: 200, check: template("payments")},
			{name: "a customer template", as: "manager", method: "GET", path: "/api/v1/imports/contacts/template", status: 200,
				check: func(t *testing.T, r response) {
					if rows := xlsxRows(t, r); !slices.Contains(rows[0], "联系人") {
						t.Errorf("headers %v", rows[0])
					}
				}},
			{name: "the manager cannot have the payments template", as: "manager", method: "GET", path: "/api/v1/imports/payments/template", status: 403, code: "forbidden"},
			{name: "finance cannot have the contracts template", as: "xu.jing", method: "GET", path: "/api/v1/imports/contracts/template", status: 403, code: "forbidden"},
			{name: "a specialist cannot have a customer template", as: "lin.wen", method: "GET", path: "/api/v1/imports/customers/template", status: 403, code: "forbidden"},
			{name: "an unknown kind", as: "manager", method: "GET", path: "/api/v1/imports/orders/template", status: 404, code: "not_found", field: "kind"},
			{name: "a specialist cannot have the contracts template", as: "lin.wen", method: "GET", path: "/api/v1/imports/contracts/template", status: 403, code: "forbidden"},
			{name: "anonymous cannot have a template", method: "GET", path: "/api/v1/imports/contracts/template", status: 401, code: "unauthorized"},
		})
	})
}

// TestExportsAPI: the ageing report and the renewal desk as XLSX.
func TestExportsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("导出客户"))
		k := e.newContract(t, "lin.wen", with(contractBody(cust["id"].(string), strings.ToUpper(unique("DC-")), e.daysAgo(355), e.daysAgo(-10), e.daysAgo(40)),
			"activate", true))
		vars := map[string]string{"k": k["id"].(string)}
		number := k["number"].(string)
		rowOf := func(t *testing.T, rows [][]string) []string {
			t.Helper()
			for _, r := range rows[1:] {
				if len(r) > 0 && r[0] == number {
					return r
				}
			}
			t.Fatalf("no row for %s in %v", number, rows)
			return nil
		}
		e.run(t, vars, []scenario{
			{name: "the ageing report of one contract", as: "xu.jing", method: "GET", path: "/api/v1/receivables/export?contract_id={{k}}", status: 200,
				check: func(t *testing.T, r response) {
					rows := xlsxRows(t, r)
					if want := []string{"合同编号", "客户", "分管客服", "期次", "应收日期", "应收金额", "已收金额", "未收金额", "逾期天数", "账龄"}; !slices.Equal(rows[0], want) {
						t.Errorf("headers %v", rows[0])
					}
					if r := rowOf(t, rows); r[1] != cust["name"] || r[2] != "林雯" || r[4] != e.daysAgo(40) || r[5] != "60,000.00" || r[8] != "40" || r[9] != "逾期31–90天" {
						t.Errorf("row %v", r)
					}
					// Money, counts and dates are number cells a spreadsheet can sum.
					typed := typedRowOf(t, r.body, number)
					for i, want := range map[int]string{0: "s:" + number, 3: "n:1 [0] 1", 4: "n:[yyyy-mm-dd] " + e.daysAgo(40), 5: "n:60000.00 [#,##0.00] 60,000.00",
						6: "n:0.00 [#,##0.00] 0.00", 7: "n:60000.00 [#,##0.00] 60,000.00", 8: "n:40 [0] 40"} {
						if got := typed[i]; got != want {
							t.Errorf("cell %d = %q, want %q", i, got, want)
						}
					}
					if !strings.Contains(r.header.Get("Content-Disposition"), "receivables-"+e.daysAgo(0)) {
						t.Errorf("Content-Disposition %q", r.header.Get("Content-Disposition"))
					}
				}},
			{name: "the renewal desk", as: "manager", method: "GET", path: "/api/v1/renewals/export?flagged=true", status: 200,
				check: func(t *testing.T, r response) {
					rows := xlsxRows(t, r)
					if rows[0][0] != "合同编号" || rows[0][4] != "剩余天数" || rows[0][5] != "合同金额" || len(rows[0]) != 15 {
						t.Errorf("headers %v", rows[0])
					}
					if r := rowOf(t, rows); r[1] != cust["name"] || r[3] != e.daysAgo(-10) || r[4] != "10" || r[5] != "120,000.00" || r[11] != "是" {
						t.Errorf("row %v", r)
					}
					typed := typedRowOf(t, r.body, number)
					for i, want := range map[int]string{3: "n:[yyyy-mm-dd] " + e.daysAgo(-10), 4: "n:10 [0] 10", 5: "n:120000.00 [#,##0.00] 120,000.00", 10: "n:0 [0] 0", 11: "s:是"} {
						if got := typed[i]; got != want {
							t.Errorf("cell %d = %q, want %q", i, got, want)
						}
					}
				}},
			{name: "another specialist's export leaves it out", as: "su.yue", method: "GET", path: "/api/v1/renewals/export", status: 200,
				check: func(t *testing.T, r response) {
					for _, row := range xlsxRows(t, r)[1:] {
						if len(row) > 0 && row[0] == number {
							t.Errorf("su.yue's export has %v", row)
						}
					}
				}},
			{name: "a bad bucket names it", as: "xu.jing", method: "GET", path: "/api/v1/receivables/export?bucket=old", status: 400, code: "invalid", field: "bucket"},
			{name: "a bad outcome names it", as: "manager", method: "GET", path: "/api/v1/renewals/export?outcome=won", status: 400, code: "invalid", field: "outcome"},
			{name: "a technician cannot export", as: "ma.tao", method: "GET", path: "/api/v1/receivables/export", status: 403, code: "forbidden"},
			{name: "anonymous cannot export", method: "GET", path: "/api/v1/renewals/export", status: 401, code: "unauthorized"},
		})
	})
}
