package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/org"
)

// contractWorld is a company with one contract in its renewal window,
// part paid and part overdue, and a login per role that matters.
type contractWorld struct {
	t        *testing.T
	in       *apptest.Instance
	tokens   map[string]string
	staff    map[string]*org.Staff
	customer *customers.Customer
	contract *contracts.Contract
}

func newContractWorld(t *testing.T, in *apptest.Instance) *contractWorld {
	t.Helper()
	a := in.App
	ctx := access.With(context.Background(), access.System())
	w := &contractWorld{t: t, in: in, tokens: map[string]string{}, staff: map[string]*org.Staff{}}
	staff := w.staff
	for login, role := range map[string]access.Role{"mgr": access.CSManager, "spec": access.CSSpecialist, "spec2": access.CSSpecialist,
		"fin": access.Finance, "tech": access.Technician, "exec": access.Executive} {
		st, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: login, Name: login, Roles: []access.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := a.Auth.CreateToken(ctx, st.ID, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		staff[login], w.tokens[login] = st, tok
	}
	region, err := a.Org.SaveRegion(ctx, "", 0, org.UnitInput{Name: "国贸"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Customers.CreateCustomer(ctx, customers.CustomerInput{Name: "甲大厦", Class: "A", RegionID: region.ID, OwnerID: staff["spec"].ID})
	if err != nil {
		t.Fatal(err)
	}
	w.customer = c
	if _, err := a.Customers.AddContact(ctx, c.ID, customers.ContactInput{Name: "王总", Title: "物业经理", Phone: "13800000001", DecisionMaker: true}); err != nil {
		t.Fatal(err)
	}
	today := a.Now().In(a.Location())
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	w.contract, err = a.Contracts.CreateContract(ctx, contracts.ContractInput{Number: "HT-2026-001", CustomerID: c.ID, Kind: "maintenance",
		Title: "中央空调维保", StartOn: day(-340), EndOn: day(20), AmountFen: 1000000,
		Scope:        []contracts.ScopeItemInput{{Equipment: "冷水机组", ServiceType: "inspection", Frequency: "monthly"}},
		Installments: []contracts.InstallmentInput{{DueOn: day(-40), AmountFen: 500000}, {DueOn: day(10), AmountFen: 500000}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	fin := access.With(context.Background(), &access.Principal{StaffID: staff["fin"].ID, Name: "fin", Roles: []access.Role{access.Finance}})
	if _, err := a.Contracts.RecordPayment(fin, contracts.PaymentInput{ContractID: w.contract.ID, ReceivedOn: day(-1), AmountFen: 200000,
		Reference: "B-1"}); err != nil {
		t.Fatal(err)
	}
	return w
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request as login ("" = anonymous) and returns status and body.
func (w *contractWorld) do(method, path, login string, form url.Values) (int, string) {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.in.URL+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestContractPagesRenderForPermittedRoles opens each contract page as a
// role that may see it (it renders with its data) and as roles that may
// not (403).
func TestContractPagesRenderForPermittedRoles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		id, cid := w.contract.ID, w.customer.ID
		for _, tc := range []struct {
			path    string
			allowed map[string][]string // login → texts the page shows
			refused []string
		}{
			{"/contracts", map[string][]string{"mgr": {"HT-2026-001", "甲大厦", "¥10,000.00", "¥2,000.00"}, "fin": {"HT-2026-001"}, "exec": {"HT-2026-001"}},
				[]string{"tech"}},
			{"/contracts?customer=" + cid + "&status=active", map[string][]string{"spec": {"HT-2026-001"}}, nil},
			{"/contracts/" + id, map[string][]string{
				"mgr":  {"HT-2026-001", "冷水机组", "¥5,000.00", "¥3,000.00", "逾期 40 天", "B-1", `data-testid="contract-edit"`, `data-testid="contract-renew"`},
				"spec": {`data-testid="contact-form"`, "王总"},
				"fin":  {`data-testid="payment-form"`, `data-testid="invoice-form"`},
			}, []string{"tech"}},
			{"/contracts/new?customer_id=" + cid, map[string][]string{"spec": {"甲大厦", `name="inst_amount"`, "scope-row-template"}}, []string{"fin", "exec", "tech"}},
			{"/contracts/new?renewed_from=" + id, map[string][]string{"spec": {"HT-2026-001", `name="renewed_from"`}}, nil},
			{"/contracts/" + id + "/edit", map[string][]string{"spec": {`value="10,000.00"`, `value="5,000.00"`}, "mgr": {"HT-2026-001"}},
				[]string{"spec2", "fin", "tech"}},
			{"/renewals", map[string][]string{"mgr": {"HT-2026-001", "王总", "13800000001"}, "spec": {"HT-2026-001"}}, []string{"tech"}},
			{"/receivables", map[string][]string{"mgr": {"HT-2026-001", "¥3,000.00", "¥8,000.00"}, "fin": {"HT-2026-001"}}, []string{"tech"}},
			{"/finance", map[string][]string{"fin": {`data-testid="finance-payment-form"`, "HT-2026-001", `data-testid="payment-import"`, `action="/finance/import"`}},
				[]string{"spec", "mgr", "exec", "tech"}},
			{"/admin/contract-policy", map[string][]string{"mgr": {`name="renewal_window_months"`}}, []string{"spec", "fin", "exec"}},
			{"/customers/" + cid, map[string][]string{"spec": {"/contracts/new?customer_id=" + cid}}, nil},
		} {
			for login, texts := range tc.allowed {
				status, body := w.do(http.MethodGet, tc.path, login, nil)
				if status != http.StatusOK {
					t.Errorf("%s as %s: status %d, want 200", tc.path, login, status)
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
			if status, _ := w.do(http.MethodGet, tc.path, "", nil); status != http.StatusSeeOther {
				t.Errorf("%s anonymous: status %d, want 303 to the login page", tc.path, status)
			}
		}
		// Only the owner's page offers the new-contract button.
		if _, body := w.do(http.MethodGet, "/customers/"+cid, "spec2", nil); strings.Contains(body, `data-testid="new-contract"`) {
			t.Error("another specialist's customer page offers 新建合同")
		}
	})
}

// TestContractFormMoney posts the contract form: a bad amount comes back
// with the field's error and what was typed; a good one is stored in fen.
func TestContractFormMoney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		form := url.Values{"number": {"HT-2026-002"}, "customer_id": {w.customer.ID}, "kind": {"maintenance"}, "start_on": {"2026-01-01"},
			"end_on": {"2026-12-31"}, "amount": {"12,34x.60"},
			"scope_equipment_id": {"", ""}, "scope_equipment": {"冷却塔", ""}, "scope_service_type": {"seasonal", "inspection"},
			"scope_frequency": {"seasonal", ""}, "scope_times": {"2", ""}, "scope_notes": {"", ""},
			"inst_id": {"", ""}, "inst_due_on": {"2026-03-31", "2026-09-30"}, "inst_amount": {"6,172.80", "6,172.80"},
			"inst_kind": {"regular", "regular"}, "inst_period_from": {"", ""}, "inst_period_to": {"", ""}, "inst_notes": {"", ""}}
		status, body := w.do(http.MethodPost, "/contracts", "spec", form)
		if status != http.StatusBadRequest {
			t.Fatalf("bad amount: status %d, want 400", status)
		}
		for _, want := range []string{`data-testid="form-error"`, "金额：", `value="12,34x.60"`, `value="冷却塔"`} {
			if !strings.Contains(body, want) {
				t.Errorf("bad amount: page lacks %q", want)
			}
		}

		form.Set("amount", "12,345.60")
		form["inst_amount"] = []string{"6,172.80", "abc"}
		status, body = w.do(http.MethodPost, "/contracts", "spec", form)
		if status != http.StatusBadRequest || !strings.Contains(body, "付款计划 第 2 行 · 金额") {
			t.Fatalf("bad installment amount: status %d, error not on row 2", status)
		}

		form["inst_amount"] = []string{"6,172.80", "6,172.80"}
		form.Set("activate", "on")
		status, _ = w.do(http.MethodPost, "/contracts", "spec", form)
		if status != http.StatusSeeOther {
			t.Fatalf("good form: status %d, want 303", status)
		}
		ctx := access.With(context.Background(), access.System())
		page, err := in.App.Contracts.ListContracts(ctx, contracts.ListFilter{Query: "HT-2026-002"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("created contract not found: %v", err)
		}
		d, err := in.App.Contracts.GetContract(ctx, page.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.AmountFen != 1234560 || d.State != "active" || len(d.Scope) != 1 || d.Scope[0].Times != 2 || len(d.Installments) != 2 ||
			d.Installments[1].AmountFen != 617280 {
			t.Errorf("stored: amount %d state %s scope %+v installments %+v", d.AmountFen, d.State, d.Scope, d.Installments)
		}

		// Editing keeps the paid installment by its id.
		first := w.contract.ID
		orig, err := in.App.Contracts.GetContract(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		edit := url.Values{"version": {"1"}, "number": {"HT-2026-001"}, "customer_id": {w.customer.ID}, "kind": {"maintenance"},
			"start_on": {orig.StartOn}, "end_on": {orig.EndOn}, "amount": {"10,000.00"}, "title": {"改名"},
			"scope_equipment_id": {""}, "scope_equipment": {"冷水机组"}, "scope_service_type": {"inspection"}, "scope_frequency": {"monthly"},
			"scope_times": {"1"}, "scope_notes": {""},
			"inst_id": {orig.Installments[0].ID, orig.Installments[1].ID}, "inst_due_on": {orig.Installments[0].DueOn, orig.Installments[1].DueOn},
			"inst_amount": {"5,000.00", "5,000.00"}, "inst_kind": {"regular", "regular"}, "inst_period_from": {"", ""},
			"inst_period_to": {"", ""}, "inst_notes": {"", ""}}
		edit.Set("version", strconv.FormatInt(orig.Version, 10))
		if status, body := w.do(http.MethodPost, "/contracts/"+first, "spec", edit); status != http.StatusSeeOther {
			t.Fatalf("edit: status %d: %s", status, errorText(body))
		}
		after, err := in.App.Contracts.GetContract(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if after.Title != "改名" || after.Installments[0].ID != orig.Installments[0].ID || after.Installments[0].PaidFen != 200000 {
			t.Errorf("edit lost the paid installment: %+v", after.Installments)
		}
	})
}

// TestFinancePaymentByNumber records a payment on the finance page by
// contract number and sees it listed.
func TestFinancePaymentByNumber(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		today := in.App.Now().In(in.App.Location()).Format(time.DateOnly)
		form := url.Values{"contract": {"ht-2026-001"}, "received_on": {today}, "amount": {"1,000.50"}, "method": {"transfer"}, "reference": {"B-2"}}
		if status, body := w.do(http.MethodPost, "/finance/payments", "fin", form); status != http.StatusSeeOther {
			t.Fatalf("status %d: %s", status, errorText(body))
		}
		_, body := w.do(http.MethodGet, "/finance", "fin", nil)
		if !strings.Contains(body, "¥1,000.50") || !strings.Contains(body, "B-2") {
			t.Error("finance page does not list the payment just recorded")
		}
		form.Set("contract", "NO-SUCH")
		if status, body := w.do(http.MethodPost, "/finance/payments", "fin", form); status != http.StatusBadRequest || !strings.Contains(body, "找不到合同") {
			t.Errorf("unknown contract: status %d", status)
		}
		// The specialist may not record money.
		if status, _ := w.do(http.MethodPost, "/contracts/"+w.contract.ID+"/payments", "spec", form); status != http.StatusForbidden {
			t.Errorf("specialist records a payment: status %d, want 403", status)
		}
		// A renewal contact logged from the contract page shows on the desk.
		contact := url.Values{"tag": {"renewal"}, "channel": {"phone_out"}, "direction": {"out"}, "summary": {"询问续约意向"}}
		if status, body := w.do(http.MethodPost, "/contracts/"+w.contract.ID+"/contacts", "spec", contact); status != http.StatusSeeOther {
			t.Fatalf("log contact: status %d: %s", status, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/contracts/"+w.contract.ID, "spec", nil)
		if !strings.Contains(body, "询问续约意向") {
			t.Error("contract page lacks the contact just logged")
		}
	})
}

// errorText is the form error of a page, for failure messages.
func errorText(body string) string {
	_, rest, ok := strings.Cut(body, `data-testid="form-error">`)
	if !ok {
		if len(body) > 300 {
			return body[:300]
		}
		return body
	}
	msg, _, _ := strings.Cut(rest, "<")
	return msg
}

// postFollow posts a form as login with a cookie jar of its own and, when
// the answer is a redirect, loads the page it leads to with the same
// jar, so the flash message the redirect left is on that page.
func (w *contractWorld) postFollow(path, login string, form url.Values) (status int, location, page string) {
	w.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: noRedirect.CheckRedirect}
	send := func(method, target string, body io.Reader) *http.Response {
		req, err := http.NewRequest(method, target, body)
		if err != nil {
			w.t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Authorization", "Bearer "+w.tokens[login])
		resp, err := client.Do(req)
		if err != nil {
			w.t.Fatal(err)
		}
		return resp
	}
	resp := send(http.MethodPost, w.in.URL+path, strings.NewReader(form.Encode()))
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	status, location, page = resp.StatusCode, resp.Header.Get("Location"), string(b)
	if status == http.StatusSeeOther && location != "" {
		next := send(http.MethodGet, w.in.URL+location, nil)
		b, _ = io.ReadAll(next.Body)
		next.Body.Close()
		page = string(b)
	}
	return status, location, page
}

// TestContractFormsStoreTheirEffect posts each form of the contract,
// finance and policy pages as the role that may use it — it redirects
// back with 已保存 and stores its effect — after the roles that may not
// have been refused with 403 and changed nothing. A form with bad input
// comes back 400 with the error and changes nothing either.
func TestContractFormsStoreTheirEffect(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		ctx := access.With(context.Background(), access.System())
		id := w.contract.ID
		today := in.App.Now().In(in.App.Location()).Format(time.DateOnly)
		detail := func() *contracts.ContractDetail {
			t.Helper()
			d, err := in.App.Contracts.GetContract(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		first := detail()
		inst1, inst2, pay := first.Installments[0], first.Installments[1], first.Payments[0]
		version := func() string { return strconv.FormatInt(detail().Version, 10) }
		seq := map[string]int{inst1.ID: 1, inst2.ID: 2}
		// What each form changes, as text.
		invoices := func() string {
			var out []string
			for _, v := range detail().Invoices {
				out = append(out, fmt.Sprintf("%s 第%d期 %d %s", v.Number, seq[v.InstallmentID], v.AmountFen, v.IssuedOn))
			}
			return strings.Join(out, "; ")
		}
		outcome := func() string { d := detail(); return d.Outcome + " " + d.LostReason }
		payments := func() string {
			d := detail()
			var out []string
			for _, p := range d.Payments {
				out = append(out, fmt.Sprintf("%s %d", p.Reference, p.AmountFen))
			}
			return fmt.Sprintf("[%s] paid %d+%d", strings.Join(out, "; "), d.Installments[0].PaidFen, d.Installments[1].PaidFen)
		}
		state := func() string {
			d := detail()
			on := ""
			if d.TerminatedOn != nil {
				on = *d.TerminatedOn
			}
			return fmt.Sprintf("%s %s %s", d.State, on, d.TerminateReason)
		}
		policy := func() string {
			p, err := in.App.Contracts.Policy(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%d %d %d %d", p.RenewalWindowMonths, p.RenewalContactDays, p.QuoteFollowupWorkingDays, p.DueSoonDays)
		}
		back := "/contracts/" + id
		for _, tc := range []struct {
			name    string
			path    string
			form    func() url.Values
			as      string
			refused []string
			probe   func() string
			// status is the permitted post's answer: 303 to redirect
			// with 已保存 (the default) or 400 with texts on the page.
			status        int
			redirect      string
			texts         []string
			before, after string
		}{
			{name: "finance records an invoice", path: back + "/invoices", as: "fin", refused: []string{"spec", "mgr", "exec", "tech"},
				form: func() url.Values {
					return url.Values{"installment_id": {inst1.ID}, "number": {"FP-2026-001"}, "issued_on": {today}, "amount": {"3,000.00"}}
				},
				probe: invoices, redirect: back, before: "", after: "FP-2026-001 第1期 300000 " + today},
			{name: "an invoice of a bad amount comes back with the form open", path: back + "/invoices", as: "fin",
				form: func() url.Values {
					return url.Values{"installment_id": {inst2.ID}, "number": {"FP-2026-002"}, "issued_on": {today}, "amount": {"三千"}}
				},
				probe: invoices, status: http.StatusBadRequest, texts: []string{`data-testid="form-error"`, `value="三千"`, `value="FP-2026-002"`},
				before: "FP-2026-001 第1期 300000 " + today, after: "FP-2026-001 第1期 300000 " + today},
			{name: "the owner records the renewal as lost", path: back + "/outcome", as: "spec", refused: []string{"fin", "spec2", "exec", "tech"},
				form: func() url.Values {
					return url.Values{"version": {version()}, "outcome": {"lost"}, "lost_reason": {"客户改用其他服务商"}}
				},
				probe: outcome, redirect: back, before: "pending ", after: "lost 客户改用其他服务商"},
			{name: "lost without a reason comes back with the error", path: back + "/outcome", as: "spec",
				form: func() url.Values {
					return url.Values{"version": {version()}, "outcome": {"lost"}, "lost_reason": {" "}}
				},
				probe: outcome, status: http.StatusBadRequest, texts: []string{`data-testid="form-error"`},
				before: "lost 客户改用其他服务商", after: "lost 客户改用其他服务商"},
			{name: "finance deletes a payment from the contract page", path: "/payments/" + pay.ID + "/delete", as: "fin", refused: []string{"spec", "mgr", "exec"},
				form:  func() url.Values { return url.Values{"contract_id": {id}, "reason": {"重复登记"}} },
				probe: payments, redirect: back, before: "[B-1 200000] paid 200000+0", after: "[] paid 0+0"},
			{name: "the manager terminates the contract", path: back + "/state", as: "mgr", refused: []string{"fin", "spec2", "exec", "tech"},
				form: func() url.Values {
					return url.Values{"version": {version()}, "state": {"terminated"}, "terminated_on": {today}, "reason": {"客户搬迁"}}
				},
				probe: state, redirect: back, before: "active  ", after: "terminated " + today + " 客户搬迁"},
			{name: "the manager saves the contract rules", path: "/admin/contract-policy", as: "mgr", refused: []string{"spec", "fin", "exec"},
				form: func() url.Values {
					return url.Values{"renewal_window_months": {"2"}, "renewal_contact_days": {"10"}, "quote_followup_working_days": {"5"}, "due_soon_days": {"14"}}
				},
				probe: policy, redirect: "/admin/contract-policy", texts: []string{`name="renewal_window_months" value="2"`, `value="14"`},
				before: "1 7 3 7", after: "2 10 5 14"},
			{name: "a rule out of range comes back with the field's error", path: "/admin/contract-policy", as: "mgr",
				form: func() url.Values {
					return url.Values{"renewal_window_months": {"13"}, "renewal_contact_days": {"10"}, "quote_followup_working_days": {"5"}, "due_soon_days": {"14"}}
				},
				probe: policy, status: http.StatusBadRequest, texts: []string{`data-testid="form-error"`, "续约窗口须为 1 到 12 个月"},
				before: "2 10 5 14", after: "2 10 5 14"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := tc.probe(); got != tc.before {
					t.Fatalf("before: %q, want %q", got, tc.before)
				}
				for _, login := range tc.refused {
					if status, _ := w.do(http.MethodPost, tc.path, login, tc.form()); status != http.StatusForbidden {
						t.Errorf("%s: status %d, want 403", login, status)
					}
					if got := tc.probe(); got != tc.before {
						t.Fatalf("%s's refused post changed %q to %q", login, tc.before, got)
					}
				}
				want := tc.status
				if want == 0 {
					want = http.StatusSeeOther
				}
				status, location, page := w.postFollow(tc.path, tc.as, tc.form())
				if status != want {
					t.Fatalf("%s: status %d, want %d: %s", tc.as, status, want, errorText(page))
				}
				if want == http.StatusSeeOther {
					if location != tc.redirect {
						t.Errorf("redirect to %q, want %q", location, tc.redirect)
					}
					if !strings.Contains(page, `role="status">已保存<`) {
						t.Errorf("the page after the redirect has no 已保存 flash")
					}
				}
				for _, text := range tc.texts {
					if !strings.Contains(page, text) {
						t.Errorf("page lacks %q", text)
					}
				}
				if got := tc.probe(); got != tc.after {
					t.Errorf("after: %q, want %q", got, tc.after)
				}
			})
		}
	})
}

// TestFinanceInstallmentsSelect: the finance form's contract field
// loads the select of that contract's open installments, labelled by
// number, due date and what is still open; only finance may ask.
func TestFinanceInstallmentsSelect(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		d, err := in.App.Contracts.GetContract(access.With(context.Background(), access.System()), w.contract.ID)
		if err != nil {
			t.Fatal(err)
		}
		status, body := w.do(http.MethodGet, "/finance/installments?contract=ht-2026-001", "fin", nil)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		for _, want := range []string{`name="installment_id"`, `value="` + d.Installments[0].ID + `"`, "第 1 期（" + d.Installments[0].DueOn + "）", "¥3,000.00",
			`value="` + d.Installments[1].ID + `"`, "第 2 期（" + d.Installments[1].DueOn + "）", "¥5,000.00"} {
			if !strings.Contains(body, want) {
				t.Errorf("select lacks %q: %s", want, body)
			}
		}
		// An unknown contract gives the select with only 自动分配.
		if status, body := w.do(http.MethodGet, "/finance/installments?contract=NO-SUCH", "fin", nil); status != http.StatusOK || strings.Count(body, "<option") != 1 {
			t.Errorf("unknown contract: status %d, %d options", status, strings.Count(body, "<option"))
		}
		for _, login := range []string{"spec", "mgr", "exec", "tech"} {
			if status, _ := w.do(http.MethodGet, "/finance/installments?contract=ht-2026-001", login, nil); status != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", login, status)
			}
		}
	})
}

// table is the table of a page marked data-testid=testid.
func table(t *testing.T, page, testid string) string {
	t.Helper()
	s := section(page, `data-testid="`+testid+`"`, "</tbody></table>\n")
	if s == "" {
		t.Fatalf("page has no %s", testid)
	}
	return s
}

// TestContractPageShowsMoneyAndHistory renders a contract with an
// invoice and payments: the invoice and payment tables and the history
// show installment labels, names and ¥ amounts, never raw ids or fen.
func TestContractPageShowsMoneyAndHistory(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		d, err := in.App.Contracts.GetContract(access.With(context.Background(), access.System()), w.contract.ID)
		if err != nil {
			t.Fatal(err)
		}
		inst1, inst2 := d.Installments[0], d.Installments[1]
		if _, err := in.App.Contracts.RecordInvoice(w.as("fin"), contracts.InvoiceInput{InstallmentID: inst2.ID, Number: "FP-2026-009",
			IssuedOn: inst1.DueOn, AmountFen: 412_345}); err != nil {
			t.Fatal(err)
		}
		if _, err := in.App.Contracts.RecordPayment(w.as("fin"), contracts.PaymentInput{ContractID: w.contract.ID, InstallmentID: inst2.ID,
			ReceivedOn: inst1.DueOn, AmountFen: 123_456, Method: "cheque", Reference: "ZP-7"}); err != nil {
			t.Fatal(err)
		}
		status, page := w.do(http.MethodGet, "/contracts/"+w.contract.ID, "mgr", nil)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		label1, label2 := "第 1 期（"+inst1.DueOn+"）", "第 2 期（"+inst2.DueOn+"）"
		for _, tc := range []struct {
			testid string
			want   []string
		}{
			{"invoice-table", []string{"FP-2026-009", inst1.DueOn, label2, "¥4,123.45"}},
			{"payment-table", []string{"¥2,000.00", "B-1", label1 + "：¥2,000.00", "¥1,234.56", "ZP-7", "支票", label2 + "：¥1,234.56"}},
			// History: who did what, newest first, amounts and installments by name.
			{"contract-history", []string{"新建合同 HT-2026-001", "合同 HT-2026-001 回款 2,000.00 元", "开票 FP-2026-009：4,123.45 元",
				"合同 HT-2026-001 回款 1,234.56 元", ">fin<", "¥4,123.45", "¥1,234.56", label2, label1 + "：¥2,000.00", label2 + "：¥1,234.56",
				">支票<", ">银行转账<", ">执行中<", ">维保<", "金额：¥5,000.00，应付日期：" + inst1.DueOn + "，普通分期", "冷水机组，每月，巡检"}},
		} {
			s := table(t, page, tc.testid)
			for _, want := range tc.want {
				if !strings.Contains(s, want) {
					t.Errorf("%s lacks %q", tc.testid, want)
				}
			}
			for _, raw := range []string{w.contract.ID, inst1.ID, inst2.ID, w.staff["fin"].ID, w.customer.ID, "412345", "123456", ">cheque<", ">transfer<"} {
				if i := strings.Index(s, raw); i >= 0 {
					t.Errorf("%s shows the raw %q: …%s…", tc.testid, raw, s[max(0, i-300):min(len(s), i+100)])
				}
			}
		}
		h := table(t, page, "contract-history")
		if i, j := strings.Index(h, "开票 FP-2026-009"), strings.Index(h, "新建合同"); i < 0 || j < 0 || i > j {
			t.Errorf("history is not newest first (invoice at %d, creation at %d)", i, j)
		}
	})
}
