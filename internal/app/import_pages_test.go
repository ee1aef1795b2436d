package app_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/customers"
	"kefu/internal/tabular"
)

var importCountRE = regexp.MustCompile(`<div class="h2 mb-0[^"]*">(\d+)</div><div class="text-secondary small">([^<]+)</div>`)

// importCounts reads the report's figures: 数据行, 新增, 更新, 无变化, 错误.
func importCounts(body string) map[string]int {
	out := map[string]int{}
	for _, m := range importCountRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[1])
		out[m[2]] = n
	}
	return out
}

func countsAre(got map[string]int, total, created, updated, unchanged, errs int) bool {
	return got["数据行"] == total && got["新增"] == created && got["更新"] == updated && got["无变化"] == unchanged && got["错误"] == errs
}

// customerByName finds a customer by its exact name (nil if none).
func (w *platformWorld) customerByName(name string) *customers.CustomerView {
	w.t.Helper()
	page, err := w.in.App.Customers.ListCustomers(w.sys(), customers.ListFilter{Query: name, Limit: 50})
	if err != nil {
		w.t.Fatal(err)
	}
	for i := range page.Items {
		if page.Items[i].Name == name {
			return &page.Items[i]
		}
	}
	return nil
}

// TestCustomerImportPage takes a customer file through /import as CSV
// (UTF-8 and GBK) and XLSX: the dry run lists what it would create and
// update and every bad cell by row, column and reason, and writes
// nothing; "reject the file" then imports nothing, "skip bad rows" the
// good rows; importing the same file again changes nothing.
func TestCustomerImportPage(t *testing.T) {
	eachPlatform(t, func(t *testing.T, w *platformWorld) {
		a, ctx := w.in.App, w.sys()
		headers := []string{"客户名称", "客户等级", "区域", "分管客服"}
		rowsOf := func(tag string) [][]string {
			return [][]string{
				{"乙大厦" + tag, "B", "国贸", "spec"}, // line 2: new
				{"老客户" + tag, "C", "国贸", ""},     // line 3: class A → C
				{"丙大厦" + tag, "E", "国贸", ""},     // line 4: bad class
				{"丁大厦" + tag, "B", "火星", ""},     // line 5: unknown region
				{"戊大厦" + tag, "B", "国贸", "张主管"},  // line 6: owner not a specialist
			}
		}
		csvOf := func(rows [][]string) string {
			var b strings.Builder
			b.WriteString(strings.Join(headers, ",") + "\n")
			for _, r := range rows {
				b.WriteString(strings.Join(r, ",") + "\n")
			}
			return b.String()
		}
		for _, tc := range []struct {
			name, tag, format string
			file              func(rows [][]string) []byte
		}{
			{"客户.csv", "U", "csv · utf-8", func(rows [][]string) []byte { return []byte(csvOf(rows)) }},
			{"客户-gbk.csv", "G", "csv · gb18030", func(rows [][]string) []byte {
				b, err := simplifiedchinese.GBK.NewEncoder().String(csvOf(rows))
				if err != nil {
					t.Fatal(err)
				}
				return []byte(b)
			}},
			{"客户.xlsx", "X", "xlsx", func(rows [][]string) []byte {
				var buf bytes.Buffer
				if err := tabular.WriteXLSX(&buf, headers, rows); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}},
		} {
			old, err := a.Customers.CreateCustomer(ctx, customers.CustomerInput{Name: "老客户" + tc.tag, Class: "A", RegionID: w.region.ID,
				OwnerID: w.staff["spec"].ID})
			if err != nil {
				t.Fatal(err)
			}
			file := tc.file(rowsOf(tc.tag))
			preview := func(mode string) string {
				t.Helper()
				status, _, body := w.upload("mgr", "/import", url.Values{"step": {"preview"}, "kind": {"customers"}, "mode": {mode}}, tc.name, file)
				if status != http.StatusOK || !strings.Contains(body, `data-testid="import-report"`) {
					t.Fatalf("%s preview (%s): status %d: %s", tc.name, mode, status, errorText(body))
				}
				return body
			}
			apply := func(key, mode string) string {
				t.Helper()
				status, _, body := w.upload("mgr", "/import", url.Values{"step": {"apply"}, "key": {key}, "name": {tc.name},
					"kind": {"customers"}, "mode": {mode}}, "", nil)
				if status != http.StatusOK {
					t.Fatalf("%s apply (%s): status %d: %s", tc.name, mode, status, errorText(body))
				}
				return body
			}

			body := preview("skip")
			if !strings.Contains(body, "预览：将要进行的修改 · "+tc.name) || !strings.Contains(body, tc.format) {
				t.Errorf("%s: the report is not a dry run of %s", tc.name, tc.format)
			}
			if got := importCounts(body); !countsAre(got, 5, 1, 1, 0, 3) {
				t.Errorf("%s dry run: counts %v, want 5 rows: 1 new, 1 updated, 3 errors", tc.name, got)
			}
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`<tr><td>4</td><td>客户等级</td><td class="mono">E</td><td>客户等级须为 A、B、C 或 D</td></tr>`),
				regexp.MustCompile(`<tr><td>5</td><td>区域</td><td class="mono">火星</td><td>找不到该区域</td></tr>`),
				regexp.MustCompile(`<tr><td>6</td><td>分管客服</td><td class="mono">张主管</td><td>分管客服须为客服专员</td></tr>`),
				regexp.MustCompile(`<tr><td>2</td><td><span[^>]*>新增</span></td><td>新建客户 乙大厦` + tc.tag + `</td></tr>`),
				regexp.MustCompile(`<tr><td>3</td><td><span[^>]*>更新</span></td><td>更新客户 老客户` + tc.tag + `</td></tr>`),
			} {
				if !want.MatchString(body) {
					t.Errorf("%s dry run: the report lacks %s", tc.name, want)
				}
			}
			km := hiddenKeyRE.FindStringSubmatch(body)
			if km == nil || !strings.Contains(body, `name="mode" value="skip"`) {
				t.Fatalf("%s: the dry run offers no confirmation with skip bad rows", tc.name)
			}
			key := km[1]
			if w.customerByName("乙大厦"+tc.tag) != nil {
				t.Fatalf("%s: the dry run stored a customer", tc.name)
			}

			// "Reject the file": the preview says so and offers nothing to
			// confirm; confirming anyway imports nothing.
			body = preview("reject")
			if !strings.Contains(body, "文件被拒绝，未做任何修改") || strings.Contains(body, `name="step" value="apply"`) {
				t.Errorf("%s: the reject-mode preview does not say the file is rejected, or offers to confirm", tc.name)
			}
			body = apply(key, "reject")
			if !strings.Contains(body, "文件被拒绝，未做任何修改") || w.customerByName("乙大厦"+tc.tag) != nil ||
				w.customerByName("老客户"+tc.tag).Class != "A" {
				t.Errorf("%s: reject the file: the report does not say rejected, or something was stored", tc.name)
			}

			// "Skip bad rows": the good rows are stored.
			body = apply(key, "skip")
			if !strings.Contains(body, "已导入 · "+tc.name) || !countsAre(importCounts(body), 5, 1, 1, 0, 3) {
				t.Errorf("%s: apply: not reported imported with 1 new, 1 updated: %v", tc.name, importCounts(body))
			}
			created := w.customerByName("乙大厦" + tc.tag)
			if created == nil || created.Class != "B" || created.RegionID != w.region.ID || deref(created.OwnerID) != w.staff["spec"].ID {
				t.Fatalf("%s: imported customer %+v", tc.name, created)
			}
			updated := w.customerByName("老客户" + tc.tag)
			if updated.Class != "C" || updated.Version != old.Version+1 {
				t.Errorf("%s: updated customer class %s version %d", tc.name, updated.Class, updated.Version)
			}
			for _, bad := range []string{"丙大厦", "丁大厦", "戊大厦"} {
				if w.customerByName(bad+tc.tag) != nil {
					t.Errorf("%s: bad row %s was stored", tc.name, bad+tc.tag)
				}
			}

			// The same file again: nothing to do, and confirming changes nothing.
			body = preview("skip")
			if got := importCounts(body); !countsAre(got, 5, 0, 0, 2, 3) || strings.Contains(body, `name="step" value="apply"`) {
				t.Errorf("%s again: counts %v, want 2 unchanged and nothing to confirm", tc.name, got)
			}
			apply(key, "skip")
			again, again2 := w.customerByName("乙大厦"+tc.tag), w.customerByName("老客户"+tc.tag)
			if again.Version != created.Version || again2.Version != updated.Version || again.Code != created.Code {
				t.Errorf("%s: importing the same file again changed the customers", tc.name)
			}
			page, _ := a.Customers.ListCustomers(ctx, customers.ListFilter{Query: tc.tag, Limit: 50})
			n := 0
			for _, c := range page.Items {
				if strings.HasSuffix(c.Name, tc.tag) {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%s: %d customers named …%s, want 2", tc.name, n, tc.tag)
			}
		}

		// Contacts import: a bad phone is named by row and column.
		contacts := "客户名称,联系人,职务,电话\n老客户U,张工,工程部,13900000009\n老客户U,李工,,12ab\n无此客户,赵工,,\n"
		status, _, body := w.upload("mgr", "/import", url.Values{"step": {"preview"}, "kind": {"contacts"}, "mode": {"skip"}}, "联系人.csv", []byte(contacts))
		if status != http.StatusOK || !countsAre(importCounts(body), 3, 1, 0, 0, 2) ||
			!regexp.MustCompile(`<tr><td>3</td><td>电话</td><td class="mono">12ab</td><td>[^<]+</td></tr>`).MatchString(body) ||
			!regexp.MustCompile(`<tr><td>4</td><td>客户名称</td><td class="mono">无此客户</td><td>[^<]+</td></tr>`).MatchString(body) {
			t.Errorf("contacts dry run: status %d counts %v, or the bad phone and customer are not named", status, importCounts(body))
		}
		km := hiddenKeyRE.FindStringSubmatch(body)
		if km == nil {
			t.Fatal("contacts: nothing to confirm")
		}
		w.upload("mgr", "/import", url.Values{"step": {"apply"}, "key": {km[1]}, "name": {"联系人.csv"}, "kind": {"contacts"}, "mode": {"skip"}}, "", nil)
		list, err := a.Customers.Contacts(ctx, w.customerByName("老客户U").ID)
		if err != nil || len(list) != 1 || list[0].Name != "张工" || list[0].Phone != "13900000009" {
			t.Errorf("imported contacts %+v (%v), want 张工 only", list, err)
		}

		// Files it cannot take, and people who may not import.
		big := append([]byte(strings.Join(headers, ",")+"\n"), bytes.Repeat([]byte("大厦,B,国贸,\n"), 100_000)...)
		for _, tc := range []struct {
			name, login, file string
			content           []byte
			status            int
			want              string
		}{
			{"no file", "mgr", "", nil, http.StatusBadRequest, "文件：请选择要导入的文件"},
			{"not a spreadsheet", "mgr", "合同.pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n"), http.StatusBadRequest, "文件："},
			{"binary as csv", "mgr", "x.csv", []byte{0x7f, 'E', 'L', 'F', 0, 0, 0, 1, 2, 3}, http.StatusBadRequest, "文件："},
			{"over the limit", "mgr", "大.csv", big, http.StatusBadRequest, "文件：文件超过 1 MB"},
			{"specialist", "spec", "客户.csv", []byte(csvOf(rowsOf("S"))), http.StatusForbidden, ""},
		} {
			status, _, body := w.upload(tc.login, "/import", url.Values{"step": {"preview"}, "kind": {"customers"}, "mode": {"skip"}}, tc.file, tc.content)
			if status != tc.status || !strings.Contains(errorText(body), tc.want) || strings.Contains(body, `data-testid="import-report"`) {
				t.Errorf("%s: status %d %q, want %d with %q and no report", tc.name, status, errorText(body), tc.status, tc.want)
			}
		}
		if w.customerByName("乙大厦S") != nil {
			t.Error("the specialist's refused import stored a customer")
		}
	})
}
