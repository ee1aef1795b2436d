package customers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tabular"
)

// fileFormat turns a header and rows into the bytes of one kind of file.
type fileFormat struct {
	name     string // file name given to Import
	format   string // Table.Format reported
	encoding string // Table.Encoding reported
	encode   func(t *testing.T, headers []string, rows [][]string) []byte
}

func csvText(t *testing.T, headers []string, rows [][]string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	ok(t, w.Write(headers))
	for _, r := range rows {
		if len(r) == 0 {
			b.WriteString("\r\n") // an empty line, as Excel writes an empty row
			continue
		}
		ok(t, w.Write(r))
		w.Flush()
	}
	w.Flush()
	ok(t, w.Error())
	return b.String()
}

var formats = []fileFormat{
	{"客户.csv", tabular.FormatCSV, tabular.EncodingUTF8, func(t *testing.T, h []string, r [][]string) []byte {
		return []byte(csvText(t, h, r))
	}},
	{"客户-bom.csv", tabular.FormatCSV, tabular.EncodingUTF8, func(t *testing.T, h []string, r [][]string) []byte {
		return append([]byte("\xEF\xBB\xBF"), csvText(t, h, r)...)
	}},
	{"客户-gbk.csv", tabular.FormatCSV, tabular.EncodingGB18030, func(t *testing.T, h []string, r [][]string) []byte {
		s, err := simplifiedchinese.GBK.NewEncoder().String(csvText(t, h, r))
		ok(t, err)
		return []byte(s)
	}},
	{"客户.xlsx", tabular.FormatXLSX, "", func(t *testing.T, h []string, r [][]string) []byte {
		var b bytes.Buffer
		rows := make([][]string, len(r))
		for i, row := range r {
			rows[i] = row
			if len(row) == 0 {
				rows[i] = make([]string, len(h)) // an empty row
			}
		}
		ok(t, tabular.WriteXLSX(&b, h, rows))
		return b.Bytes()
	}},
}

func (e *env) importBytes(ctx context.Context, name string, data []byte, opts customers.ImportOptions) (*customers.ImportReport, error) {
	e.t.Helper()
	key, err := e.svc.StageImport(ctx, bytes.NewReader(data), 10<<20)
	if err != nil {
		return nil, err // staging checks the import permission too
	}
	return e.svc.Import(ctx, key, name, opts)
}

func (e *env) mustImport(ctx context.Context, name string, data []byte, opts customers.ImportOptions) *customers.ImportReport {
	e.t.Helper()
	rep, err := e.importBytes(ctx, name, data, opts)
	if err != nil {
		e.t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

func counts(rep *customers.ImportReport) string {
	return fmt.Sprintf("total %d created %d updated %d unchanged %d errors %d applied %v rejected %v",
		rep.Total, rep.Created, rep.Updated, rep.Unchanged, len(rep.Errors), rep.Applied, rep.Rejected)
}

func wantCounts(t *testing.T, what string, rep *customers.ImportReport, total, created, updated, unchanged, errs int, applied, rejected bool) {
	t.Helper()
	want := fmt.Sprintf("total %d created %d updated %d unchanged %d errors %d applied %v rejected %v",
		total, created, updated, unchanged, errs, applied, rejected)
	if got := counts(rep); got != want {
		t.Errorf("%s:\n got %s\nwant %s\nerrors: %v", what, got, want, rep.Errors)
	}
}

// byName finds customers by exact name (all regions).
func (e *env) byName(name string) []customers.CustomerView {
	e.t.Helper()
	p, err := e.svc.ListCustomers(e.sys, customers.ListFilter{Query: name, Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []customers.CustomerView
	for _, c := range p.Items {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

func (e *env) one(name string) customers.CustomerView {
	e.t.Helper()
	l := e.byName(name)
	if len(l) != 1 {
		e.t.Fatalf("%d customers named %q, want 1", len(l), name)
	}
	return l[0]
}

func (e *env) auditImports() int {
	e.t.Helper()
	n, err := e.db.R().NewSelect().Table("audit_log").Where("entity = 'import' AND action = 'import'").Count(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return int(n)
}

var customerHeaders = []string{"客户编号", "客户名称", "客户等级", "区域", "分管客服", "销售负责人", "地址", "状态", "备注"}

func TestImportCustomersFormats(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i, f := range formats {
			t.Run(f.name, func(t *testing.T) {
				p := fmt.Sprintf("F%d", i)
				rows := [][]string{
					{"", p + "国贸甲", "A", "国贸", "", "萨销售", "建国路 1 号", "服务中", "一号备注"},
					{strings.ToLower(p) + "-002", p + "望京乙", "b", "wj", "spec1", "", "望京街 2 号", "已流失", ""},
					{},
					{"", " " + p + "国贸丙 ", "C", "国贸", "苏专员", "sales", "", "", ""},
				}
				data := f.encode(t, customerHeaders, rows)

				before := e.snapshot()
				rep := e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportCustomers, DryRun: true})
				wantCounts(t, "dry run", rep, 3, 3, 0, 0, 0, false, false)
				if rep.Format != f.format || rep.Encoding != f.encoding || !rep.DryRun {
					t.Errorf("format %q encoding %q, want %q %q", rep.Format, rep.Encoding, f.format, f.encoding)
				}
				lines := []int{}
				for _, r := range rep.Rows {
					lines = append(lines, r.Line)
					if r.Action != "create" {
						t.Errorf("dry run row %d action %q", r.Line, r.Action)
					}
				}
				if !slices.Equal(lines, []int{2, 3, 5}) {
					t.Errorf("row lines %v, want Excel rows [2 3 5]", lines)
				}
				e.sameCounts(before, "dry run")

				rep = e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportCustomers})
				wantCounts(t, "apply", rep, 3, 3, 0, 0, 0, true, false)
				if n := e.count("customers"); n != before["customers"]+3 {
					t.Errorf("customers %d → %d", before["customers"], n)
				}
				a, b, c := e.one(p+"国贸甲"), e.one(p+"望京乙"), e.one(p+"国贸丙")
				// New customer without owner → the region's specialist.
				if a.RegionID != e.r1.ID || a.Class != "A" || deref(a.OwnerID) != e.spec1.ID || deref(a.SalesOwnerID) != e.sales.ID ||
					a.Address != "建国路 1 号" || a.Status != "active" || a.Notes != "一号备注" || !strings.HasPrefix(a.Code, "KH-") {
					t.Errorf("甲 imported as %+v", a.Customer)
				}
				if b.RegionID != e.r2.ID || b.Class != "B" || deref(b.OwnerID) != e.spec1.ID || b.SalesOwnerID != nil ||
					b.Status != "lost" || b.Code != p+"-002" {
					t.Errorf("乙 imported as %+v", b.Customer)
				}
				if c.RegionID != e.r1.ID || deref(c.OwnerID) != e.spec2.ID || deref(c.SalesOwnerID) != e.sales.ID || c.Status != "active" {
					t.Errorf("丙 imported as %+v", c.Customer)
				}
				// Imported creations are in the history, attributed to the owner.
				h := e.history(a.ID)
				if len(h) != 1 || h[0].Action != "create" || deref(h[0].RecordedBy) != e.mgr.ID || deref(h[0].OwnerID) != e.spec1.ID {
					t.Errorf("history of an imported customer: %+v", h)
				}

				// The same file again changes nothing; only the import itself is audited.
				e.clock.Advance(60e9)
				mid := e.snapshot()
				imports := e.auditImports()
				rep = e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportCustomers})
				wantCounts(t, "re-import", rep, 3, 0, 0, 3, 0, true, false)
				mid["audit_log"]++
				e.sameCounts(mid, "re-import")
				if n := e.auditImports(); n != imports+1 {
					t.Errorf("import audit entries %d → %d", imports, n)
				}
				if v := e.get(a.ID); v.Version != a.Version || !v.UpdatedAt.Equal(a.UpdatedAt) {
					t.Errorf("re-import touched 甲: version %d → %d", a.Version, v.Version)
				}
			})
		}
	})
}

func TestImportBadRows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.customer("已存在", e.r1, e.spec1)
		for i, f := range []fileFormat{formats[0], formats[3]} {
			t.Run(f.name, func(t *testing.T) {
				p := fmt.Sprintf("B%d", i)
				rows := [][]string{
					{"", p + "好甲", "A", "国贸", "", "", "", "", ""},  // 2
					{"", p + "坏等级", "E", "国贸", "", "", "", "", ""}, // 3
					{}, // 4 empty
					{"", p + "好乙", "B", "望京", "", "", "", "", ""},      // 5
					{"", p + "坏区域", "B", "火星", "", "", "", "", ""},     // 6
					{"", p + "坏客服", "B", "国贸", "无此人", "", "", "", ""},  // 7
					{"", p + "非专员", "B", "国贸", "tech", "", "", "", ""}, // 8
					{"", p + "好甲", "C", "国贸", "", "", "", "", ""},      // 9 duplicate of 2
					{"", p + "坏状态", "B", "国贸", "", "", "", "暂停", ""},   // 10
					{"", "", "B", "国贸", "", "", "", "", ""},            // 11 no name
					{"", p + "坏销售", "B", "国贸", "", "查无此人", "", "", ""}, // 12
				}
				data := f.encode(t, customerHeaders, rows)
				wantErrs := []struct {
					line   int
					column string
					reason string // substring
				}{
					{3, "客户等级", ""}, {6, "区域", ""}, {7, "分管客服", ""}, {8, "分管客服", ""},
					{9, "客户名称", "第 2 行"}, {10, "状态", ""}, {11, "客户名称", ""}, {12, "销售负责人", ""},
				}
				checkErrs := func(rep *customers.ImportReport) {
					t.Helper()
					if len(rep.Errors) != len(wantErrs) {
						t.Fatalf("errors %v, want %d", rep.Errors, len(wantErrs))
					}
					for i, w := range wantErrs {
						got := rep.Errors[i]
						if got.Line != w.line || got.Column != w.column || got.Reason == "" || !strings.Contains(got.Reason, w.reason) {
							t.Errorf("error %d: line %d column %q reason %q; want line %d column %q reason ~%q",
								i, got.Line, got.Column, got.Reason, w.line, w.column, w.reason)
						}
					}
				}

				before := e.snapshot()
				for _, dry := range []bool{true, false} {
					rep := e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportCustomers, DryRun: dry})
					wantCounts(t, fmt.Sprint("reject, dry ", dry), rep, 10, 2, 0, 0, len(wantErrs), false, true)
					checkErrs(rep)
				}
				e.sameCounts(before, "rejected file")
				if len(e.byName(p+"好甲")) != 0 {
					t.Errorf("a good row of a rejected file was written")
				}

				rep := e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: true, DryRun: true})
				wantCounts(t, "skip, dry", rep, 10, 2, 0, 0, len(wantErrs), false, false)
				e.sameCounts(before, "dry run skipping bad rows")

				rep = e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: true})
				wantCounts(t, "skip", rep, 10, 2, 0, 0, len(wantErrs), true, false)
				checkErrs(rep)
				if a := e.one(p + "好甲"); a.Class != "A" {
					t.Errorf("the first of two duplicate rows should win: class %s", a.Class)
				}
				e.one(p + "好乙")
				for _, bad := range []string{"坏等级", "坏区域", "坏客服", "非专员", "坏状态", "坏销售"} {
					if len(e.byName(p+bad)) != 0 {
						t.Errorf("bad row %s was written", bad)
					}
				}
				if n := e.count("customers"); n != before["customers"]+2 {
					t.Errorf("customers %d → %d", before["customers"], n)
				}
			})
		}
	})
}

func TestImportDuplicateCodeInFile(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		data := formats[0].encode(t, []string{"客户编号", "客户名称", "客户等级", "区域"}, [][]string{
			{"KH-DUP", "第一家", "A", "国贸"},
			{"kh-dup", "第二家", "B", "国贸"},
		})
		before := e.snapshot()
		rep := e.mustImport(e.asMgr, "dup.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers})
		if !rep.Rejected || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Column != "客户编号" ||
			!strings.Contains(rep.Errors[0].Reason, "第 2 行") {
			t.Errorf("two rows with one code: %s, errors %v", counts(rep), rep.Errors)
		}
		e.sameCounts(before, "rejected duplicate codes")
		rep = e.mustImport(e.asMgr, "dup.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: true})
		wantCounts(t, "skip", rep, 2, 1, 0, 0, 1, true, false)
		if c := e.one("第一家"); c.Code != "KH-DUP" || c.Class != "A" {
			t.Errorf("first row: %+v", c.Customer)
		}
		if len(e.byName("第二家")) != 0 {
			t.Errorf("second row with the same code was written")
		}
	})
}

// TestImportRenameCollision: a row that renames a customer (matched by
// code) to the name another customer has in the same region is a row error,
// not a failed import.
func TestImportRenameCollision(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.customer("甲方", e.r1, e.spec1, func(in *customers.CustomerInput) { in.Code = "KH-A" })
		e.customer("乙方", e.r1, e.spec1, func(in *customers.CustomerInput) { in.Code = "KH-B" })
		data := formats[0].encode(t, []string{"客户编号", "客户名称", "客户等级", "区域"}, [][]string{
			{"KH-A", "乙方", "A", "国贸"},
			{"KH-C", "丙方", "A", "国贸"},
		})
		before := e.snapshot()
		for _, skip := range []bool{false, true} {
			rep, err := e.importBytes(e.asMgr, "rename.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: skip, DryRun: true})
			if err != nil {
				t.Fatalf("skip %v: %v", skip, err)
			}
			if len(rep.Errors) != 1 || rep.Errors[0].Line != 2 || rep.Errors[0].Column != "客户名称" {
				t.Errorf("skip %v: errors %v", skip, rep.Errors)
			}
		}
		e.sameCounts(before, "dry runs")
		rep, err := e.importBytes(e.asMgr, "rename.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: true})
		if err != nil {
			t.Fatalf("import with a colliding rename: %v", err)
		}
		wantCounts(t, "skip", rep, 2, 1, 0, 0, 1, true, false)
		if v := e.get(a.ID); v.Name != "甲方" {
			t.Errorf("甲方 renamed to %q", v.Name)
		}
		e.one("丙方")
	})
}

func TestImportUpdateKeepsAbsentColumns(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("老客户", e.r1, e.spec1, func(in *customers.CustomerInput) {
			in.Code, in.Address, in.Notes, in.SalesOwnerID = "KH-OLD1", "原地址", "原备注", e.sales.ID
			in.PaperLocation, in.PaperReceivedBy, in.PaperReceivedOn = "柜 A", "档案员", "2026-01-02"
			in.Since = "2020-05-01"
		})
		e.clock.Advance(60e9)

		// Only name, class and region: class changes, all else stays.
		data := formats[0].encode(t, []string{"客户名称", "客户等级", "区域"}, [][]string{{"老客户", "D", "国贸"}})
		rep := e.mustImport(e.asMgr, "min.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers})
		wantCounts(t, "class only", rep, 1, 0, 1, 0, 0, true, false)
		got := e.get(c.ID)
		if got.Class != "D" || got.Code != "KH-OLD1" || got.Address != "原地址" || got.Notes != "原备注" ||
			deref(got.SalesOwnerID) != e.sales.ID || deref(got.OwnerID) != e.spec1.ID || got.PaperLocation != "柜 A" ||
			got.PaperReceivedBy != "档案员" || deref(got.PaperReceivedOn) != "2026-01-02" || deref(got.Since) != "2020-05-01" ||
			got.Status != "active" || got.Version != c.Version+1 {
			t.Errorf("after a partial import: %+v", got.Customer)
		}
		h := e.history(c.ID)
		if len(h) != 2 || !slices.Equal(fieldsOf(h[0]), []string{"class"}) || deref(h[0].OwnerID) != e.spec1.ID {
			t.Errorf("history after partial import: %+v", h)
		}

		// Matched by code: the name and the address (present, empty) change.
		data = formats[0].encode(t, []string{"客户编号", "客户名称", "客户等级", "区域", "地址"}, [][]string{{"kh-old1", "新名字", "D", "国贸", ""}})
		rep = e.mustImport(e.asMgr, "code.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers})
		wantCounts(t, "by code", rep, 1, 0, 1, 0, 0, true, false)
		got = e.get(c.ID)
		if got.Name != "新名字" || got.Address != "" || got.Notes != "原备注" || deref(got.SalesOwnerID) != e.sales.ID {
			t.Errorf("after an import by code: %+v", got.Customer)
		}
		// Reassigning the owner through an import is a managerial import.
		data = formats[0].encode(t, []string{"客户编号", "客户名称", "客户等级", "区域", "分管客服"}, [][]string{{"KH-OLD1", "新名字", "D", "国贸", "spec2"}})
		rep = e.mustImport(e.asMgr, "owner.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers})
		wantCounts(t, "owner", rep, 1, 0, 1, 0, 0, true, false)
		if got = e.get(c.ID); deref(got.OwnerID) != e.spec2.ID {
			t.Errorf("owner after import: %v", deref(got.OwnerID))
		}
		// 建档日期 in the file's own format; one that is no date is refused.
		data = formats[0].encode(t, []string{"客户编号", "客户名称", "客户等级", "区域", "建档日期"}, [][]string{{"KH-OLD1", "新名字", "D", "国贸", "2019/3/1"}})
		rep = e.mustImport(e.asMgr, "since.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers})
		wantCounts(t, "since", rep, 1, 0, 1, 0, 0, true, false)
		if got = e.get(c.ID); deref(got.Since) != "2019-03-01" {
			t.Errorf("since after import: %v", deref(got.Since))
		}
		in := customers.CustomerInput{Name: "新客户", Class: "C", RegionID: e.r1.ID, Since: "2020-13-01"}
		_, err := e.svc.CreateCustomer(e.asMgr, in)
		if ae, ok := apperr.As(err); !ok || ae.Field != "since" {
			t.Errorf("a 建档日期 that is no date: %v", err)
		}
	})
}

func TestImportContacts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.customer("联系人导入甲", e.r1, e.spec1)
		b := e.customer("联系人导入乙", e.r2, e.spec2, func(in *customers.CustomerInput) { in.Code = "KH-B" })
		e.customer("同名客户", e.r1, e.spec1)
		e.customer("同名客户", e.r2, e.spec2)
		existing, err := e.svc.AddContact(e.asMgr, a.ID, customers.ContactInput{Name: "老张", Title: "主任", Phone: "13700137000", Notes: "保留"})
		ok(t, err)
		e.clock.Advance(60e9)

		headers := []string{"客户编号", "客户名称", "联系人", "职务", "电话", "微信", "负责人", "在任"}
		rows := [][]string{
			{"", "联系人导入甲", "王经理", "物业经理", "+86 138-0013-8000", "wang_wx", "是", "是"}, // 2 create
			{"kh-b", "", "李工", "", "010-6543 2100", "", "否", ""},                    // 3 create by code
			{"", "联系人导入甲", "老张", "主任", "137 0013 7000", "", "", ""},                 // 4 unchanged
			{"", "同名客户", "赵六", "", "", "", "", ""},                                  // 5 ambiguous customer
			{"KH-NONE", "", "钱七", "", "", "", "", ""},                               // 6 unknown code
			{"", "联系人导入甲", "孙八", "", "12345", "", "", ""},                           // 7 bad phone
			{"", "联系人导入甲", "周九", "", "", "", "也许", ""},                              // 8 bad flag
			{"", "无此客户", "吴十", "", "", "", "", ""},                                  // 9 unknown customer
			{"", "联系人导入甲", "王经理", "", "", "", "", ""},                               // 10 duplicate of 2
		}
		wantErrs := [][2]any{{5, "客户名称"}, {6, "客户编号"}, {7, "电话"}, {8, "负责人"}, {9, "客户名称"}, {10, "联系人"}}
		for _, f := range []fileFormat{formats[2], formats[3]} { // GBK CSV and XLSX
			data := f.encode(t, headers, rows)
			before := e.snapshot()
			rep := e.mustImport(e.asMgr, f.name, data, customers.ImportOptions{Kind: customers.ImportContacts})
			wantCounts(t, f.name+" reject", rep, 9, 2, 0, 1, len(wantErrs), false, true)
			for i, w := range wantErrs {
				if i < len(rep.Errors) && (rep.Errors[i].Line != w[0] || rep.Errors[i].Column != w[1] || rep.Errors[i].Reason == "") {
					t.Errorf("%s error %d: %+v, want line %v column %v", f.name, i, rep.Errors[i], w[0], w[1])
				}
			}
			if len(rep.Errors) == len(wantErrs) && !strings.Contains(rep.Errors[5].Reason, "第 2 行") {
				t.Errorf("duplicate row reason %q does not name row 2", rep.Errors[5].Reason)
			}
			e.sameCounts(before, f.name+" rejected contacts")
		}

		data := formats[3].encode(t, headers, rows)
		rep := e.mustImport(e.asMgr, "contacts.xlsx", data, customers.ImportOptions{Kind: customers.ImportContacts, SkipBad: true})
		wantCounts(t, "skip", rep, 9, 2, 0, 1, len(wantErrs), true, false)
		list, err := e.svc.Contacts(e.asMgr, a.ID)
		ok(t, err)
		var wang *customers.Contact
		for i := range list {
			if list[i].Name == "王经理" {
				wang = &list[i]
			}
		}
		if len(list) != 2 || wang == nil || wang.Phone != "13800138000" || !wang.DecisionMaker || !wang.Active || wang.Title != "物业经理" || wang.WeChat != "wang_wx" {
			t.Errorf("contacts of 甲: %+v", list)
		}
		lb, err := e.svc.Contacts(e.asMgr, b.ID)
		ok(t, err)
		if len(lb) != 1 || lb[0].Phone != "010-65432100" || lb[0].DecisionMaker {
			t.Errorf("contacts of 乙: %+v", lb)
		}
		if st, _ := e.svc.Contact(e.asMgr, existing.ID); st.Version != existing.Version {
			t.Errorf("unchanged contact was written: version %d → %d", existing.Version, st.Version)
		}
		// Imported contacts are attributed to each customer's owner.
		for _, ch := range e.history(b.ID) {
			if ch.Entity == "contact" && deref(ch.OwnerID) != e.spec2.ID {
				t.Errorf("contact change of 乙 owned by %v", deref(ch.OwnerID))
			}
		}

		// Same file again: nothing new.
		mid := e.snapshot()
		rep = e.mustImport(e.asMgr, "contacts.xlsx", data, customers.ImportOptions{Kind: customers.ImportContacts, SkipBad: true})
		wantCounts(t, "again", rep, 9, 0, 0, 3, len(wantErrs), true, false)
		mid["audit_log"]++
		e.sameCounts(mid, "contacts re-import")

		// A partial file: 老张 leaves; phone, title and notes stay.
		part := formats[0].encode(t, []string{"客户名称", "联系人", "在任"}, [][]string{{"联系人导入甲", "老张", "否"}})
		rep = e.mustImport(e.asMgr, "leave.csv", part, customers.ImportOptions{Kind: customers.ImportContacts})
		wantCounts(t, "leave", rep, 1, 0, 1, 0, 0, true, false)
		st, err := e.svc.Contact(e.asMgr, existing.ID)
		ok(t, err)
		if st.Active || st.Phone != "13700137000" || st.Title != "主任" || st.Notes != "保留" {
			t.Errorf("after partial import: %+v", st)
		}

		// A contacts file without any customer column.
		noCust := formats[0].encode(t, []string{"联系人", "电话"}, [][]string{{"某人", "13800138000"}})
		_, err = e.importBytes(e.asMgr, "x.csv", noCust, customers.ImportOptions{Kind: customers.ImportContacts})
		wantErr(t, err, apperr.KindInvalid, "file")
	})
}

func TestImportEquipment(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.customer("设备导入甲", e.r1, e.spec1, func(in *customers.CustomerInput) { in.Code = "KH-EQ1" })
		headers := []string{"客户编号", "设备类型", "品牌", "型号", "序列号", "安装位置", "安装日期"}
		rows := [][]string{
			{"KH-EQ1", "冷水机组", "开利", "30XA", "SN-1", "B2 机房", "2020/6/1"}, // 2
			{"KH-EQ1", "风机盘管", "", "FP-68", "", "3 层", ""},                // 3 no serial
			{"KH-EQ1", "风机盘管", "", "FP-68", "", "4 层", "2021-05-06"},      // 4 other location: another unit
			{"KH-EQ1", "水泵", "", "", "SN-1", "", ""},                      // 5 duplicate serial of 2
			{"KH-EQ1", "冷却塔", "", "", "", "", "2021-02-30"},               // 6 bad date
			{"KH-EQ1", "", "", "", "SN-9", "", ""},                        // 7 no kind
		}
		data := formats[3].encode(t, headers, rows)
		before := e.snapshot()
		rep := e.mustImport(e.asMgr, "eq.xlsx", data, customers.ImportOptions{Kind: customers.ImportEquipment, DryRun: true, SkipBad: true})
		wantCounts(t, "dry", rep, 6, 3, 0, 0, 3, false, false)
		e.sameCounts(before, "equipment dry run")
		wantErrs := [][2]any{{5, "设备类型"}, {6, "安装日期"}, {7, "设备类型"}}
		for i, w := range wantErrs {
			if i < len(rep.Errors) && (rep.Errors[i].Line != w[0] || rep.Errors[i].Column != w[1]) {
				t.Errorf("error %d: %+v, want %v", i, rep.Errors[i], w)
			}
		}
		if len(rep.Errors) > 0 && !strings.Contains(rep.Errors[0].Reason, "第 2 行") {
			t.Errorf("duplicate reason %q", rep.Errors[0].Reason)
		}

		rep = e.mustImport(e.asMgr, "eq.xlsx", data, customers.ImportOptions{Kind: customers.ImportEquipment, SkipBad: true})
		wantCounts(t, "apply", rep, 6, 3, 0, 0, 3, true, false)
		list, err := e.svc.EquipmentOf(e.asMgr, a.ID)
		ok(t, err)
		if len(list) != 3 {
			t.Fatalf("equipment: %+v", list)
		}
		for _, u := range list {
			if u.Serial == "SN-1" && (deref(u.InstalledOn) != "2020-06-01" || u.Brand != "开利" || u.Location != "B2 机房") {
				t.Errorf("chiller: %+v", u)
			}
		}
		mid := e.snapshot()
		rep = e.mustImport(e.asMgr, "eq.xlsx", data, customers.ImportOptions{Kind: customers.ImportEquipment, SkipBad: true})
		wantCounts(t, "again", rep, 6, 0, 0, 3, 3, true, false)
		mid["audit_log"]++
		e.sameCounts(mid, "equipment re-import")

		// Update by serial, brand absent from the file: kept.
		upd := formats[1].encode(t, []string{"客户编号", "设备类型", "序列号", "参数"}, [][]string{{"KH-EQ1", "冷水机组", "SN-1", "制冷量 1000kW"}})
		rep = e.mustImport(e.asMgr, "upd.csv", upd, customers.ImportOptions{Kind: customers.ImportEquipment})
		wantCounts(t, "update", rep, 1, 0, 1, 0, 0, true, false)
		list, _ = e.svc.EquipmentOf(e.asMgr, a.ID)
		for _, u := range list {
			if u.Serial == "SN-1" && (u.Params != "制冷量 1000kW" || u.Brand != "开利" || u.Model != "30XA" || deref(u.InstalledOn) != "2020-06-01") {
				t.Errorf("after update by serial: %+v", u)
			}
		}
	})
}

func TestImportRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		good := formats[0].encode(t, []string{"客户名称", "客户等级", "区域"}, [][]string{{"导入权限", "A", "国贸"}})
		before := e.snapshot()
		for name, ctx := range map[string]context.Context{"specialist": e.asSpec1, "technician": e.asTech, "sales": e.asSales} {
			for _, dry := range []bool{true, false} {
				_, err := e.importBytes(ctx, "a.csv", good, customers.ImportOptions{Kind: customers.ImportCustomers, DryRun: dry})
				if !apperr.Is(err, apperr.KindForbidden) {
					t.Errorf("%s importing (dry %v): %v, want forbidden", name, dry, err)
				}
			}
		}
		bad := []struct {
			name  string
			data  []byte
			kind  customers.ImportKind
			field string
		}{
			{"png.csv", pngBytes, customers.ImportCustomers, "file"},
			{"a.pdf", pdfBytes, customers.ImportCustomers, "file"},
			{"old.xls", xlsBytes, customers.ImportCustomers, "file"},
			{"empty.csv", nil, customers.ImportCustomers, "file"},
			{"html.xls", []byte("<html><table><tr><td>客户名称</td></tr></table></html>"), customers.ImportCustomers, "file"},
			{"missing-columns.csv", []byte("客户名称,地址\n某客户,某地\n"), customers.ImportCustomers, "file"},
			{"dup-columns.csv", []byte("客户名称,名称,客户等级,区域\n甲,乙,A,国贸\n"), customers.ImportCustomers, "file"},
			{"kind.csv", good, "contracts", "kind"},
		}
		for _, tc := range bad {
			_, err := e.importBytes(e.asMgr, tc.name, tc.data, customers.ImportOptions{Kind: tc.kind})
			if ae, _ := apperr.As(err); ae == nil || ae.Kind != apperr.KindInvalid || ae.Field != tc.field {
				t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
			}
		}
		_, err := e.svc.Import(e.asMgr, strings.Repeat("0", 64), "gone.csv", customers.ImportOptions{Kind: customers.ImportCustomers})
		wantErr(t, err, apperr.KindInvalid, "key")
		_, err = e.svc.Import(e.asMgr, "../../etc/passwd", "gone.csv", customers.ImportOptions{Kind: customers.ImportCustomers})
		wantErr(t, err, apperr.KindInvalid, "key")
		_, err = e.svc.StageImport(e.asMgr, bytes.NewReader(make([]byte, 2048)), 1024)
		wantErr(t, err, apperr.KindTooLarge, "file")
		e.sameCounts(before, "refused imports")

		// The manager (and admin) may.
		rep := e.mustImport(e.sys, "a.csv", good, customers.ImportOptions{Kind: customers.ImportCustomers})
		wantCounts(t, "system", rep, 1, 1, 0, 0, 0, true, false)
	})
}

// TestImportTenThousand imports 10,000 generated customers in one run.
func TestImportTenThousand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const n = 10_000
		regions := []string{"国贸", "望京"}
		classes := []string{"A", "B", "C", "D"}
		rows := make([][]string, n)
		for i := range rows {
			rows[i] = []string{fmt.Sprintf("批量客户%05d", i), classes[i%4], regions[i%2], fmt.Sprintf("测试路 %d 号", i)}
		}
		data := formats[1].encode(t, []string{"客户名称", "客户等级", "区域", "地址"}, rows)
		before := e.count("customers")
		rep := e.mustImport(e.asMgr, "big.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers})
		wantCounts(t, "10k", rep, n, n, 0, 0, 0, true, false)
		if got := e.count("customers"); got != before+n {
			t.Errorf("customers %d → %d", before, got)
		}
		if got := e.count("archive_changes"); got < n {
			t.Errorf("archive changes %d for %d created customers", got, n)
		}
		p, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{RegionID: e.r2.ID, OwnerID: e.spec2.ID, Class: "B", Limit: 200})
		ok(t, err)
		if len(p.Items) != 200 || p.Next == "" {
			t.Errorf("region 2 class B page: %d items", len(p.Items))
		}
		// Re-importing is a no-op, also at this size.
		rep = e.mustImport(e.asMgr, "big.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers, DryRun: true})
		wantCounts(t, "10k again", rep, n, 0, 0, n, 0, false, false)
	})
}

// A row that finds a customer by name but carries another code is an
// error, not a silent renumbering.
func TestImportCodeMismatchIsARowError(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c, err := e.svc.CreateCustomer(e.asMgr, customers.CustomerInput{Code: "KH-OLD1", Name: "编号核对大厦", Class: "B", RegionID: e.r1.ID})
		if err != nil {
			t.Fatal(err)
		}
		data := formats[0].encode(t, []string{"客户编号", "客户名称", "客户等级", "区域"}, [][]string{{"KH-NEW9", c.Name, "B", e.r1.Name}})
		rep := e.mustImport(e.asMgr, "a.csv", data, customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: true})
		if len(rep.Errors) != 1 || rep.Errors[0].Column != "客户编号" || rep.Created+rep.Updated != 0 {
			t.Fatalf("report %+v", rep)
		}
		if got := e.get(c.ID); got.Code != "KH-OLD1" {
			t.Fatalf("code changed to %q", got.Code)
		}
	})
}

// The importer reads only the matching columns of the stored customers and
// whole rows of the ones a file matches: every column a file leaves out
// must still be kept, and the history must show only what changed, for
// rows matched by code (any case) and by region and name (any case and
// spacing), among many stored customers the file does not touch.
func TestImportReadsWholeRowsOfMatches(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var cs []*customers.Customer
		for i := range 30 {
			r := e.r1
			if i%2 == 1 {
				r = e.r2
			}
			cs = append(cs, e.customer(fmt.Sprintf("Acme 客户 %02d", i), r, e.spec1, func(in *customers.CustomerInput) {
				in.Code, in.Address, in.Notes, in.SalesOwnerID = fmt.Sprintf("KH-M%02d", i), fmt.Sprintf("地址 %d", i), fmt.Sprintf("备注 %d", i), e.sales.ID
				in.PaperLocation, in.PaperReceivedBy, in.PaperReceivedOn = fmt.Sprintf("柜 %d", i), "档案员", "2026-01-02"
			}))
		}
		if cs[6].RegionID != e.r1.ID || cs[9].RegionID != e.r2.ID {
			t.Fatal("unexpected regions")
		}
		e.clock.Advance(60e9)
		headers := []string{"客户编号", "客户名称", "客户等级", "区域", "地址"}
		rows := [][]string{
			{"kh-m05", "Acme 客户 05", "D", "望京", "地址 5"}, // by code: class changes
			{"", "  Acme 客户 06 ", "B", "国贸", "新地址"},     // by region and name: address changes
			{"", "ACME 客户 08", "B", "国贸", "地址 8"},       // by region and name in another case: renamed
			{"KH-M09", "Acme 客户 09", "B", "望京", "地址 9"}, // unchanged
			{"", "Acme 客户 09", "B", "国贸", "另一区域的同名客户"},  // same name, other region: new
		}
		for _, dry := range []bool{true, false} {
			rep := e.mustImport(e.asMgr, "few.csv", formats[0].encode(t, headers, rows), customers.ImportOptions{Kind: customers.ImportCustomers, DryRun: dry})
			wantCounts(t, fmt.Sprintf("dry run %v", dry), rep, 5, 1, 3, 1, 0, !dry, false)
		}
		cs[8].Name = "ACME 客户 08"
		for i, want := range map[int][]string{5: {"class"}, 6: {"address"}, 8: {"name"}} {
			c := cs[i]
			got := e.get(c.ID)
			if got.Notes != c.Notes || deref(got.SalesOwnerID) != e.sales.ID || got.PaperLocation != c.PaperLocation ||
				got.PaperReceivedBy != "档案员" || deref(got.PaperReceivedOn) != "2026-01-02" || deref(got.OwnerID) != e.spec1.ID ||
				got.Code != c.Code || got.Name != c.Name || got.Version != c.Version+1 {
				t.Errorf("customer %d after the import: %+v", i, got.Customer)
			}
			if h := e.history(c.ID); len(h) != 2 || !slices.Equal(fieldsOf(h[0]), want) {
				t.Errorf("customer %d history: %v, want %v", i, fieldsOf(h[0]), want)
			}
		}
		if got := e.get(cs[9].ID); got.Version != cs[9].Version {
			t.Errorf("unchanged customer written: version %d", got.Version)
		}
		if l := e.byName("Acme 客户 09"); len(l) != 2 {
			t.Errorf("%d customers named Acme 客户 09, want 2", len(l))
		}
	})
}
