package app_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/rates"
)

// as is a context acting as one of the world's logins.
func (w *contractWorld) as(login string) context.Context {
	st := w.staff[login]
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Name: st.Name, Roles: st.Roles})
}

// upload posts a multipart form with one file (none when name is "").
func (w *contractWorld) upload(path, login string, fields url.Values, name, content string) (int, string) {
	w.t.Helper()
	var files []upFile
	if name != "" {
		files = append(files, upFile{name, []byte(content)})
	}
	resp, body := w.sendMultipart(path, login, fields, files...)
	return resp.StatusCode, body
}

// sendMultipart posts a multipart form with fields and files as login and
// returns the response and its body as sent.
func (w *contractWorld) sendMultipart(path, login string, fields url.Values, files ...upFile) (*http.Response, string) {
	w.t.Helper()
	body, ctype := multipartBody(w.t, fields, files...)
	req, err := http.NewRequest(http.MethodPost, w.in.URL+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// get fetches path as login and returns the response (body read).
func (w *contractWorld) get(path, login string) (*http.Response, []byte) {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.in.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestNeedsRatesOrphansPagesRender opens each page of the needs, rates,
// orphans, notifications and imports as a role that may see it and as
// roles that may not.
func TestNeedsRatesOrphansPagesRender(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		spec, cid := w.staff["spec"].ID, w.customer.ID
		need, err := in.App.Contracts.CreateNeed(w.as("spec"), contracts.NeedInput{CustomerID: cid, Title: "增加新风机组维保"})
		if err != nil {
			t.Fatal(err)
		}
		// An orphan: a customer whose sales owner has left.
		sys := access.With(context.Background(), access.System())
		sales, err := in.App.Org.CreateStaff(sys, org.StaffInput{Login: "sales", Name: "离职销售", Roles: []access.Role{access.CSSpecialist}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.App.Customers.CreateCustomer(sys, customers.CustomerInput{Name: "乙医院", Class: "B", RegionID: w.customer.RegionID,
			OwnerID: spec, SalesOwnerID: sales.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := in.App.Org.SetActive(sys, sales.ID, sales.Version, false, ""); err != nil {
			t.Fatal(err)
		}
		month := rates.MonthOf(calendar.DateOf(in.App.Now(), in.App.Location())).String()
		for _, tc := range []struct {
			path    string
			allowed map[string][]string
			refused []string
		}{
			{"/needs", map[string][]string{"mgr": {"增加新风机组维保", "甲大厦"}, "spec": {"增加新风机组维保"}, "exec": {"增加新风机组维保"}}, []string{"tech"}},
			{"/needs/new?customer_id=" + cid, map[string][]string{"spec": {"甲大厦", `data-testid="need-form"`}}, []string{"fin", "exec", "tech"}},
			{"/needs/" + need.ID, map[string][]string{"spec": {"增加新风机组维保", `data-testid="quote-form"`, `data-testid="follow-up-form"`, "王总"},
				"exec": {"增加新风机组维保"}}, []string{"tech"}},
			{"/rates", map[string][]string{"mgr": {`id="rates"`, `data-specialist-id="` + spec + `"`, `class="renewal-rate`, `class="collection-rate`},
				"fin": {`id="rates"`}, "spec": {`data-specialist-id="` + spec + `"`}}, []string{"tech"}},
			{"/rates?month=" + month, map[string][]string{"mgr": {`value="` + month + `"`, `data-month="` + month + `"`}}, nil},
			{"/rates/" + spec + "?month=" + month, map[string][]string{"mgr": {"HT-2026-001", `data-testid="collection-rows"`, `data-testid="renewal-rows"`}},
				[]string{"tech"}},
			{"/orphans", map[string][]string{"mgr": {`data-testid="orphan-table"`, "乙医院", "离职销售", `data-testid="reassign"`}}, []string{"spec", "fin", "exec", "tech"}},
			{"/notifications", map[string][]string{"tech": {`data-testid="notification-list"`}, "mgr": {`data-testid="notification-list"`}}, nil},
			{"/contracts/import", map[string][]string{"mgr": {`action="/contracts/import"`, "/contracts/import/template"}}, []string{"spec", "fin", "exec", "tech"}},
			{"/customers/" + cid, map[string][]string{"spec": {"/needs/new?customer_id=" + cid}}, nil},
		} {
			for login, texts := range tc.allowed {
				status, body := w.do(http.MethodGet, tc.path, login, nil)
				if status != http.StatusOK {
					t.Errorf("%s as %s: status %d, want 200: %s", tc.path, login, status, errorText(body))
					continue
				}
				for _, want := range texts {
					if !strings.Contains(body, want) {
						t.Errorf("%s as %s: page lacks %q", tc.path, login, want)
					}
				}
			}
			for _, login := range tc.refused {
				if status, _ := w.do(http.MethodGet, tc.path, login, nil); status != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403", tc.path, login, status)
				}
			}
		}
		if status, _ := w.do(http.MethodGet, "/rates?month=2026-13", "mgr", nil); status != http.StatusBadRequest {
			t.Errorf("bad month: status %d, want 400", status)
		}
		// Another specialist may read the need but not work on it.
		if _, body := w.do(http.MethodGet, "/needs/"+need.ID, "spec2", nil); strings.Contains(body, `data-testid="quote-form"`) {
			t.Error("another specialist's need offers the quote form")
		}
	})
}

// TestQuoteForm posts a quote with a bad unit price (the field's error
// comes back with what was typed), then a good one with lines in yuan,
// sends it, follows it up and closes the need.
func TestQuoteForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		form := url.Values{"customer_id": {w.customer.ID}, "title": {"冷却塔改造"}, "description": {"两台冷却塔更换填料"}}
		status, _ := w.do(http.MethodPost, "/needs", "spec", form)
		if status != http.StatusSeeOther {
			t.Fatalf("new need: status %d", status)
		}
		needs, err := in.App.Contracts.ListNeeds(w.as("mgr"), contracts.NeedFilter{CustomerID: w.customer.ID})
		if err != nil || len(needs) != 1 {
			t.Fatalf("need not created: %v %d", err, len(needs))
		}
		id := needs[0].ID

		quote := url.Values{"number": {"bj-2026-001"}, "valid_until": {""}, "notes": {""},
			"line_item": {"冷却塔填料", "人工"}, "line_quantity": {"2", "3"}, "line_unit": {"台", "工日"}, "line_unit_price": {"1,200.50", "8o0"}}
		status, body := w.do(http.MethodPost, "/needs/"+id+"/quotes", "spec", quote)
		if status != http.StatusBadRequest {
			t.Fatalf("bad unit price: status %d, want 400", status)
		}
		for _, want := range []string{`data-testid="form-error"`, "报价明细 第 2 行 · 单价：", `value="8o0"`, `value="冷却塔填料"`, `value="BJ-2026-001"`} {
			if want == `value="BJ-2026-001"` {
				want = `value="bj-2026-001"`
			}
			if !strings.Contains(body, want) {
				t.Errorf("bad unit price: page lacks %q (error %q)", want, errorText(body))
			}
		}

		quote["line_unit_price"] = []string{"1,200.50", "800"}
		quote.Set("send", "on")
		if status, body := w.do(http.MethodPost, "/needs/"+id+"/quotes", "spec", quote); status != http.StatusSeeOther {
			t.Fatalf("good quote: status %d: %s", status, errorText(body))
		}
		d, err := in.App.Contracts.GetNeed(w.as("mgr"), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.QuoteList) != 1 || d.QuoteList[0].TotalFen != 2*120050+3*80000 || d.QuoteList[0].SentAt == nil || d.Status != "quoted" {
			t.Fatalf("stored quote: %+v status %s", d.QuoteList, d.Status)
		}
		_, body = w.do(http.MethodGet, "/needs/"+id, "spec", nil)
		for _, want := range []string{"BJ-2026-001", "¥4,801.00", "¥2,401.00", "¥1,200.50"} {
			if !strings.Contains(body, want) {
				t.Errorf("need page lacks %q", want)
			}
		}

		// An unsent quote is sent from the page.
		quote.Set("number", "BJ-2026-002")
		quote.Del("send")
		if status, _ := w.do(http.MethodPost, "/needs/"+id+"/quotes", "spec", quote); status != http.StatusSeeOther {
			t.Fatal("second quote refused")
		}
		d, _ = in.App.Contracts.GetNeed(w.as("mgr"), id)
		if status, body := w.do(http.MethodPost, "/quotes/"+d.QuoteList[1].ID+"/send", "spec", url.Values{"need_id": {id}}); status != http.StatusSeeOther {
			t.Fatalf("send: status %d: %s", status, errorText(body))
		}
		if status, _ := w.do(http.MethodPost, "/quotes/"+d.QuoteList[1].ID+"/send", "spec", url.Values{"need_id": {id}}); status != http.StatusConflict {
			t.Errorf("send twice: status %d, want 409", status)
		}

		fu := url.Values{"channel": {"phone_out"}, "direction": {"out"}, "summary": {"客户在比价，下周答复"}}
		if status, body := w.do(http.MethodPost, "/needs/"+id+"/follow-ups", "spec", fu); status != http.StatusSeeOther {
			t.Fatalf("follow-up: status %d: %s", status, errorText(body))
		}
		if status, _ := w.do(http.MethodPost, "/needs/"+id+"/follow-ups", "spec2", fu); status != http.StatusForbidden {
			t.Errorf("another specialist follows up: status %d, want 403", status)
		}
		d, _ = in.App.Contracts.GetNeed(w.as("mgr"), id)
		lost := url.Values{"version": {"0"}, "outcome": {"lost"}, "reason": {"价格偏高"}}
		if status, _ := w.do(http.MethodPost, "/needs/"+id+"/close", "spec", lost); status != http.StatusConflict {
			t.Errorf("stale version: status %d, want 409", status)
		}
		won := url.Values{"version": {itoa(d.Version)}, "outcome": {"won"}, "contract_id": {""}}
		if status, body := w.do(http.MethodPost, "/needs/"+id+"/close", "spec", won); status != http.StatusBadRequest || !strings.Contains(body, "成交合同：") {
			t.Errorf("won without contract: status %d, error %q", status, errorText(body))
		}
		won.Set("contract_id", w.contract.ID)
		if status, body := w.do(http.MethodPost, "/needs/"+id+"/close", "spec", won); status != http.StatusSeeOther {
			t.Fatalf("won: status %d: %s", status, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/needs/"+id, "spec", nil)
		if !strings.Contains(body, "客户在比价") || !strings.Contains(body, `href="/contracts/`+w.contract.ID+`">HT-2026-001`) || strings.Contains(body, `data-testid="quote-form"`) {
			t.Error("closed need page: follow-up, won contract or closed forms wrong")
		}
	})
}

var collectionCellRE = regexp.MustCompile(`(?s)<tr data-specialist-id="([^"]*)">.*?<td class="collection-rate[^"]*">([^<]*)</td>`)

// collectionOnPage reads a specialist's 回款率 from the rates page.
func collectionOnPage(t *testing.T, w *contractWorld, month, specialist string) string {
	t.Helper()
	status, body := w.do(http.MethodGet, "/rates?month="+month, "fin", nil)
	if status != http.StatusOK {
		t.Fatalf("rates page: status %d", status)
	}
	for _, m := range collectionCellRE.FindAllStringSubmatch(body, -1) {
		if m[1] == specialist {
			return strings.TrimSpace(m[2])
		}
	}
	t.Fatalf("rates page has no row for %s", specialist)
	return ""
}

var hiddenKeyRE = regexp.MustCompile(`name="key" value="([^"]+)"`)

// TestPaymentImportMovesCollectionRate uploads finance's statement: the
// dry run reports the good and bad rows and changes nothing; importing
// with bad rows skipped records the payment, and the rates page shows the
// specialist's collection rate move by exactly that.
func TestPaymentImportMovesCollectionRate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		spec := w.staff["spec"].ID
		today := calendar.DateOf(in.App.Now(), in.App.Location())
		m := rates.MonthOf(today)
		ratio := func() rates.Ratio {
			rep, err := in.App.Contracts.Rates(w.as("mgr"), m, calendar.Date{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range rep.Specialists {
				if s.SpecialistID == spec {
					return s.Collection.Ratio
				}
			}
			t.Fatal("no rates for the specialist")
			return rates.Ratio{}
		}
		before := ratio()
		if got := collectionOnPage(t, w, m.String(), spec); got != before.Percent() {
			t.Fatalf("rates page shows %q, the records say %s", got, before.Percent())
		}

		csv := "合同编号,回款日期,回款金额,付款方式,凭证号\n" +
			"HT-2026-001," + today.String() + ",\"1,000.00\",转账,IMP-1\n" +
			"NO-SUCH," + today.String() + ",5.00,转账,IMP-2\n" +
			"HT-2026-001," + today.String() + ",12x,转账,IMP-3\n"
		status, body := w.upload("/finance/import", "fin", url.Values{"step": {"preview"}}, "回款.csv", csv)
		if status != http.StatusOK {
			t.Fatalf("dry run: status %d: %s", status, errorText(body))
		}
		for _, want := range []string{`data-testid="import-report"`, `data-testid="import-created">1<`, `data-testid="import-error-count">2<`,
			"NO-SUCH", "12x", "回款金额", `data-testid="import-apply-skip"`} {
			if !strings.Contains(body, want) {
				t.Errorf("dry run report lacks %q", want)
			}
		}
		km := hiddenKeyRE.FindStringSubmatch(body)
		if km == nil {
			t.Fatal("dry run carries no staged key")
		}
		if got := ratio(); got != before {
			t.Fatalf("the dry run changed the records: %v → %v", before, got)
		}

		apply := url.Values{"step": {"apply"}, "key": {html.UnescapeString(km[1])}, "name": {"回款.csv"}, "mode": {"reject"}}
		status, body = w.upload("/finance/import", "fin", apply, "", "")
		if status != http.StatusOK || !strings.Contains(body, "文件被拒绝") {
			t.Fatalf("import only if no errors: status %d, not rejected: %s", status, errorText(body))
		}
		if got := ratio(); got != before {
			t.Fatalf("the rejected file changed the records: %v → %v", before, got)
		}
		apply.Set("mode", "skip")
		status, body = w.upload("/finance/import", "fin", apply, "", "")
		if status != http.StatusOK || !strings.Contains(body, "已导入") || !strings.Contains(body, `data-testid="import-created">1<`) {
			t.Fatalf("import skipping bad rows: status %d: %s", status, errorText(body))
		}
		after := ratio()
		if after.Num != before.Num+100000 || after.Den != before.Den {
			t.Fatalf("collection after the import %v, want %d/%d", after, before.Num+100000, before.Den)
		}
		got := collectionOnPage(t, w, m.String(), spec)
		if got != after.Percent() || got == before.Percent() {
			t.Fatalf("rates page shows %q after the import, want %s (was %s)", got, after.Percent(), before.Percent())
		}
		// The same file again changes nothing.
		status, body = w.upload("/finance/import", "fin", url.Values{"step": {"preview"}}, "回款.csv", csv)
		if status != http.StatusOK || !strings.Contains(body, `data-testid="import-created">0<`) || !strings.Contains(body, `data-testid="import-unchanged">1<`) {
			t.Errorf("second dry run: status %d, not all unchanged", status)
		}
		// The finance page lists the imported payment.
		if _, body := w.do(http.MethodGet, "/finance", "fin", nil); !strings.Contains(body, "IMP-1") {
			t.Error("finance page does not list the imported payment")
		}
		// No file, or a specialist: refused.
		if status, body := w.upload("/finance/import", "fin", url.Values{"step": {"preview"}}, "", ""); status != http.StatusBadRequest ||
			!strings.Contains(body, "请选择要导入的文件") {
			t.Errorf("no file: status %d", status)
		}
		if status, _ := w.upload("/finance/import", "spec", url.Values{"step": {"preview"}}, "回款.csv", csv); status != http.StatusForbidden {
			t.Errorf("specialist imports payments: status %d, want 403", status)
		}
	})
}

// TestContractImportPage imports a contract through /contracts/import.
func TestContractImportPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		csv := "合同编号,客户名称,合同类型,开始日期,结束日期,合同金额,服务类型,设备,付款日期,付款金额\n" +
			"HT-2026-IMP,甲大厦,维保,2026-01-01,2026-12-31,\"2,000.00\",巡检,冷水机组,2026-03-31,\"2,000.00\"\n"
		status, body := w.upload("/contracts/import", "mgr", url.Values{"step": {"preview"}}, "合同.csv", csv)
		if status != http.StatusOK || !strings.Contains(body, `data-testid="import-created">1<`) {
			t.Fatalf("dry run: status %d: %s", status, errorText(body))
		}
		km := hiddenKeyRE.FindStringSubmatch(body)
		if km == nil {
			t.Fatal("no staged key")
		}
		apply := url.Values{"step": {"apply"}, "key": {km[1]}, "name": {"合同.csv"}, "mode": {"reject"}}
		if status, body := w.upload("/contracts/import", "mgr", apply, "", ""); status != http.StatusOK || !strings.Contains(body, "已导入") {
			t.Fatalf("apply: status %d: %s", status, errorText(body))
		}
		page, err := in.App.Contracts.ListContracts(w.as("mgr"), contracts.ListFilter{Query: "HT-2026-IMP"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("imported contract not found: %v", err)
		}
		resp, b := w.get("/contracts/import/template", "mgr")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("template: status %d", resp.StatusCode)
		}
		assertXLSXHeader(t, b, "合同编号")
		resp, b = w.get("/finance/import/template", "fin")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("payment template: status %d", resp.StatusCode)
		}
		assertXLSXHeader(t, b, "合同编号")
	})
}

// assertXLSXHeader opens b as a workbook and checks its first header.
func assertXLSXHeader(t *testing.T, b []byte, first string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an XLSX: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) == 0 {
		t.Fatalf("no rows: %v", err)
	}
	if rows[0][0] != first {
		t.Errorf("header %v, want it to start with %q", rows[0], first)
	}
	return rows
}

// TestReceivablesAndRenewalsExport downloads both lists as XLSX.
func TestReceivablesAndRenewalsExport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		for _, tc := range []struct{ path, header, disposition string }{
			{"/receivables/export", "未收金额", "receivables-"},
			{"/renewals/export?owner=" + w.staff["spec"].ID, "剩余天数", "renewals-"},
		} {
			resp, b := w.get(tc.path, "mgr")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", tc.path, resp.StatusCode)
			}
			if !strings.Contains(resp.Header.Get("Content-Disposition"), tc.disposition) {
				t.Errorf("%s: disposition %q", tc.path, resp.Header.Get("Content-Disposition"))
			}
			rows := assertXLSXHeader(t, b, "合同编号")
			if !strings.Contains(strings.Join(rows[0], ","), tc.header) {
				t.Errorf("%s: header %v lacks %s", tc.path, rows[0], tc.header)
			}
			if len(rows) < 2 || rows[1][0] != "HT-2026-001" {
				t.Errorf("%s: first row %v, want HT-2026-001", tc.path, rows[1:])
			}
		}
		if status, _ := w.do(http.MethodGet, "/receivables/export", "tech", nil); status != http.StatusForbidden {
			t.Errorf("technician exports receivables: status %d", status)
		}
		_, body := w.do(http.MethodGet, "/receivables?bucket=31_90", "mgr", nil)
		if !strings.Contains(body, "/receivables/export?bucket=31_90") {
			t.Error("receivables page has no export button with its filter")
		}
	})
}

var unreadRE = regexp.MustCompile(`data-testid="unread-count">(\d+)<`)

// TestNotificationBell shows the unread count in the top bar, lists the
// notice and marks it read on the way to what it is about.
func TestNotificationBell(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		ctx := context.Background()
		for i, title := range []string{"合同 HT-2026-001 进入续约期", "报价待跟进"} {
			err := in.App.DB().Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
				_, err := notify.Add(ctx, tx, in.App.Now().Add(time.Duration(i)*time.Second), notify.Notification{RecipientID: w.staff["spec"].ID,
					Kind: "renewal_window", Title: title, Link: "/contracts/" + w.contract.ID, DedupKey: "t|" + itoa(int64(i))})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		_, body := w.do(http.MethodGet, "/customers", "spec", nil)
		if m := unreadRE.FindStringSubmatch(body); m == nil || m[1] != "2" {
			t.Fatalf("bell shows %v, want 2 unread", m)
		}
		if _, body := w.do(http.MethodGet, "/customers", "spec2", nil); unreadRE.MatchString(body) || !strings.Contains(body, `data-testid="bell"`) {
			t.Error("another user's bell is wrong")
		}
		_, body = w.do(http.MethodGet, "/notifications", "spec", nil)
		if !strings.Contains(body, "进入续约期") || !strings.Contains(body, "报价待跟进") {
			t.Fatal("notifications page lacks the notices")
		}
		list, err := in.App.Notify.List(w.as("spec"), false, 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %v %d", err, len(list))
		}
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/notifications/"+list[0].ID+"/read", strings.NewReader(url.Values{"next": {list[0].Link}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+w.tokens["spec"])
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contracts/"+w.contract.ID {
			t.Fatalf("open notice: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = w.do(http.MethodGet, "/customers", "spec", nil)
		if m := unreadRE.FindStringSubmatch(body); m == nil || m[1] != "1" {
			t.Fatalf("after reading one the bell shows %v, want 1", m)
		}
		if status, _ := w.do(http.MethodPost, "/notifications/read", "spec", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("mark all read: status %d", status)
		}
		_, body = w.do(http.MethodGet, "/customers", "spec", nil)
		if unreadRE.MatchString(body) {
			t.Error("the bell still counts after marking all read")
		}
		// An htmx partial renders no bell.
		req, _ = http.NewRequest(http.MethodGet, in.URL+"/customers?q=甲", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("Authorization", "Bearer "+w.tokens["spec"])
		resp, err = noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `data-testid="bell"`) {
			t.Error("an htmx partial carries the bell")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
