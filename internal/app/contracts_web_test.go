package app_test

import (
	"context"
	"io"
	"net/http"
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
