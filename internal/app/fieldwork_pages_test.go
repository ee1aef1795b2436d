package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/tickets"
)

// fieldworkWorld adds to the contract world a maintenance group with its
// supervisor and technician, a region of that group, a customer of spec
// in it and a contract received today.
type fieldworkWorld struct {
	*contractWorld
	group    *org.Group
	customer *customers.Customer
	contract *contracts.Contract
}

func newFieldworkWorld(t *testing.T, in *apptest.Instance) *fieldworkWorld {
	t.Helper()
	w := &fieldworkWorld{contractWorld: newContractWorld(t, in)}
	a := in.App
	sys := access.With(context.Background(), access.System())
	person := func(login, name string, role access.Role, group string) {
		st, err := a.Org.CreateStaff(sys, org.StaffInput{Login: login, Name: name, Roles: []access.Role{role}, GroupID: group})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := a.Auth.CreateToken(sys, st.ID, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		w.staff[login], w.tokens[login] = st, tok
	}
	person("sup", "单主管", access.MaintSupervisor, "")
	var err error
	if w.group, err = a.Org.SaveGroup(sys, "", 0, org.UnitInput{Name: "东区维修项目组", SupervisorID: w.staff["sup"].ID}); err != nil {
		t.Fatal(err)
	}
	person("tech2", "田师傅", access.Technician, w.group.ID)
	region, err := a.Org.SaveRegion(sys, "", 0, org.UnitInput{Name: "东区", Code: "DQ", GroupID: w.group.ID})
	if err != nil {
		t.Fatal(err)
	}
	if w.customer, err = a.Customers.CreateCustomer(sys, customers.CustomerInput{Name: "丙大厦", Class: "A", RegionID: region.ID,
		OwnerID: w.staff["spec"].ID, Address: "北京市朝阳区丙路 1 号"}); err != nil {
		t.Fatal(err)
	}
	today := a.Now().In(a.Location())
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	if w.contract, err = a.Contracts.CreateContract(sys, contracts.ContractInput{Number: "HT-FW-001", CustomerID: w.customer.ID,
		Kind: "maintenance", Title: "中央空调维保", ReceivedOn: day(0), StartOn: day(-5), EndOn: day(360), AmountFen: 1200000,
		ScheduleDiffers: true, ScheduleNote: "测试",
		Scope: []contracts.ScopeItemInput{{Equipment: "冷水机组", ServiceType: "inspection", Frequency: "monthly", Times: 1},
			{Equipment: "空调箱", ServiceType: "seasonal", Frequency: "seasonal", Times: 1}}}, true); err != nil {
		t.Fatal(err)
	}
	return w
}

// page opens path as login and wants 200.
func (w *fieldworkWorld) page(path, login string) string {
	w.t.Helper()
	status, body := w.do(http.MethodGet, path, login, nil)
	if status != http.StatusOK {
		w.t.Fatalf("%s as %s: status %d: %s", path, login, status, errorText(body))
	}
	return html.UnescapeString(body)
}

// postOK posts form to path as login and wants a redirect; it returns
// where to.
func (w *fieldworkWorld) postOK(path, login string, form url.Values) string {
	w.t.Helper()
	resp, body := w.post(path, login, form)
	if resp.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("POST %s as %s: status %d: %s", path, login, resp.StatusCode, errorText(body))
	}
	return resp.Header.Get("Location")
}

// postBad posts form to path as login and wants status with an error
// message on the form containing want.
func (w *fieldworkWorld) postBad(path, login string, form url.Values, status int, want string) {
	w.t.Helper()
	got, body := w.do(http.MethodPost, path, login, form)
	if got != status || !strings.Contains(html.UnescapeString(errorText(body)), want) {
		w.t.Errorf("POST %s as %s: status %d, error %q; want %d with %q", path, login, got, errorText(body), status, want)
	}
}

func has(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, s := range wants {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

func hasNot(t *testing.T, what, body string, nots ...string) {
	t.Helper()
	for _, s := range nots {
		if strings.Contains(body, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

// TestFieldworkPages walks the field-work pages: a project made from a
// contract on the page (coverage lists, verification, the manager's
// override, dispatch), a work order created, dispatched, returned by its
// technician, the return withdrawn by a manager, completed; the dispatch
// board; the rules; who is offered which form and who is refused.
func TestFieldworkPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newFieldworkWorld(t, in)
		a := in.App
		now := a.Now().In(a.Location())
		kid := w.contract.ID

		// Who may open what.
		for _, c := range []struct {
			path, login string
			want        int
		}{
			{"/projects", "spec", 200}, {"/projects", "tech", 200}, {"/projects", "exec", 200}, {"/projects", "fin", 403},
			{"/projects/new?contract_id=" + kid, "tech", 403}, {"/projects/new?contract_id=" + kid, "exec", 403},
			{"/work-orders", "sup", 200}, {"/work-orders", "fin", 403}, {"/work-orders/new", "tech", 403}, {"/work-orders/new", "spec", 200},
			{"/dispatch-board", "tech2", 200}, {"/dispatch-board", "fin", 403},
			{"/admin/fieldwork", "mgr", 200}, {"/admin/fieldwork", "spec", 403}, {"/admin/fieldwork", "exec", 403},
		} {
			if status, body := w.do(http.MethodGet, c.path, c.login, nil); status != c.want {
				t.Errorf("GET %s as %s: status %d, want %d: %s", c.path, c.login, status, c.want, errorText(body))
			}
		}
		has(t, "the navigation", w.page("/", "tech2"), `href="/projects"`, `href="/work-orders"`, `href="/dispatch-board"`, "现场工作")
		hasNot(t, "finance's navigation", w.page("/", "fin"), `href="/dispatch-board"`)

		// 立项 from the contract page.
		has(t, "the contract page", w.page("/contracts/"+kid, "spec"), `data-testid="contract-project-new"`)
		body := w.page("/projects/new?contract_id="+kid, "spec")
		has(t, "the new project form", body, "HT-FW-001", `value="冷水机组"`, `value="空调箱"`, "item-row-template", `name="verified_with"`)

		// A verification result without whom is refused on the form.
		form := url.Values{"contract_id": {kid}, "verify_result": {"confirmed"}, "items_present": {"1"},
			"item_service_type": {"inspection", "inspection"}, "item_equipment": {"冷水机组", "冷却塔"},
			"item_frequency": {"monthly", "monthly"}, "item_times": {"1", ""}, "item_notes": {"", ""}}
		w.postBad("/projects", "spec", form, http.StatusBadRequest, "核实对象")
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("verify_result", "")
		bad["item_times"] = []string{"一", ""}
		w.postBad("/projects", "spec", bad, http.StatusBadRequest, "立项内容 第 1 行 · 次数")
		form.Set("verify_result", "")
		loc := w.postOK("/projects", "spec", form)
		pid := strings.TrimPrefix(loc, "/projects/")
		if pid == loc || pid == "" {
			t.Fatalf("create project: redirected to %q", loc)
		}
		w.postBad("/projects", "spec", form, http.StatusConflict, "已立项")
		has(t, "the contract page", w.page("/contracts/"+kid, "spec"), `data-testid="contract-project"`, `href="/projects/`+pid+`"`)

		// The coverage lists; the override only for a manager.
		body = w.page("/projects/"+pid, "spec")
		has(t, "the project page", body, "合同有而立项缺少", "立项有而合同没有", `data-testid="coverage-bad"`, "空调箱 换季保养（换季）×1",
			"冷却塔 巡检（每月）×1", `data-testid="verify-form"`, `data-testid="items-form"`, `data-testid="project-dispatch"`)
		missing, extra := section(body, `data-testid="coverage-missing"`, "</ul>"), section(body, `data-testid="coverage-extra"`, "</ul>")
		if !strings.Contains(missing, "空调箱") || strings.Contains(missing, "冷却塔") || !strings.Contains(extra, "冷却塔") || strings.Contains(extra, "空调箱") {
			t.Errorf("coverage lists wrong: missing %q, extra %q", missing, extra)
		}
		hasNot(t, "the specialist's project page", body, `data-testid="override-form"`)
		has(t, "the manager's project page", w.page("/projects/"+pid, "mgr"), `data-testid="override-form"`)
		body = w.page("/projects/"+pid, "exec")
		hasNot(t, "the executive's project page", body, `data-testid="override-form"`, `data-testid="verify-form"`, `data-testid="project-dispatch"`)
		if status, _ := w.do(http.MethodGet, "/projects/"+pid, "spec2", nil); status != http.StatusNotFound && status != http.StatusOK {
			t.Errorf("another specialist opens the project: status %d", status)
		}

		// Dispatch waits for the verification, then for the coverage.
		w.postBad("/projects/"+pid+"/dispatch", "spec", url.Values{"version": {"1"}}, http.StatusBadRequest, "核实")
		w.postOK("/projects/"+pid, "spec", url.Values{"version": {"1"}, "verified_with": {"region_head"}, "verifier_name": {"王工"},
			"verified_at": {now.Add(-time.Hour).Format("2006-01-02T15:04:05")}, "verify_result": {"confirmed"}, "verify_note": {"方案无误"}})
		w.postBad("/projects/"+pid+"/dispatch", "spec", url.Values{"version": {"2"}}, http.StatusBadRequest, "不一致")
		if status, _ := w.do(http.MethodPost, "/projects/"+pid+"/override", "spec", url.Values{"version": {"2"}, "reason": {"x"}}); status != http.StatusForbidden {
			t.Errorf("a specialist overrides: status %d", status)
		}
		w.postBad("/projects/"+pid+"/override", "mgr", url.Values{"version": {"2"}, "reason": {" "}}, http.StatusBadRequest, "理由")
		// Fixing the items instead: the contract's two lines.
		w.postOK("/projects/"+pid, "spec", url.Values{"version": {"2"}, "items_present": {"1"},
			"item_service_type": {"inspection", "seasonal"}, "item_equipment": {"冷水机组", "空调箱"},
			"item_frequency": {"monthly", "seasonal"}, "item_times": {"1", "1"}, "item_notes": {"", ""}})
		body = w.page("/projects/"+pid, "spec")
		has(t, "the fixed project", body, `data-testid="coverage-ok"`, "王工", "方案无误")
		w.postOK("/projects/"+pid+"/dispatch", "spec", url.Values{"version": {"3"}})
		body = w.page("/projects/"+pid, "spec")
		has(t, "the dispatched project", body, `data-testid="project-dispatched"`, `data-testid="work-order-table"`, "巡检")
		hasNot(t, "the dispatched project", body, `data-testid="project-dispatch"`)
		has(t, "the pending list", w.page("/projects", "spec"), "HT-FW-001")
		hasNot(t, "the pending list", w.page("/projects?pending=1", "spec"), "HT-FW-001")

		// A work order for the customer, from the form.
		has(t, "the new work order form", w.page("/work-orders/new", "spec"), "丙大厦", `name="customer_id"`)
		planned := now.AddDate(0, 0, 3).Format(time.DateOnly)
		wform := url.Values{"customer_id": {w.customer.ID}, "type": {"repair"}, "planned_on": {"下周"}, "contact_name": {"李工"},
			"contact_phone": {"13900000000"}, "equipment": {"冷却塔"}, "content": {"冷却塔风机异响"}}
		w.postBad("/work-orders", "spec", wform, http.StatusBadRequest, "计划日期")
		wform.Set("planned_on", planned)
		if status, _ := w.do(http.MethodPost, "/work-orders", "spec2", wform); status != http.StatusForbidden {
			t.Errorf("another specialist's work order: status %d", status)
		}
		loc = w.postOK("/work-orders", "spec", wform)
		wid := strings.TrimPrefix(loc, "/work-orders/")
		body = w.page("/work-orders/"+wid, "spec")
		has(t, "the new work order", body, "冷却塔风机异响", "北京市朝阳区丙路 1 号", `data-testid="dispatch-form"`, "田师傅",
			`data-testid="work-order-edit"`, `data-testid="cancel-form"`, "计划")
		hasNot(t, "the specialist's work order", body, `data-testid="return-form"`)
		has(t, "the edit form", w.page("/work-orders/"+wid+"/edit", "spec"), `value="李工"`, "冷却塔风机异响")
		w.postBad("/work-orders/"+wid, "spec", url.Values{"version": {"1"}, "type": {"repair"}, "planned_on": {planned},
			"deadline_on": {now.Format(time.DateOnly)}}, http.StatusBadRequest, "完成期限")
		w.postOK("/work-orders/"+wid, "spec", url.Values{"version": {"1"}, "type": {"repair"}, "planned_on": {planned},
			"site_address": {"丙大厦 屋顶"}, "contact_name": {"李工"}, "equipment": {"冷却塔"}, "content": {"冷却塔风机异响，请带轴承"}})

		// Dispatch to the group's technician.
		w.postOK("/work-orders/"+wid+"/dispatch", "spec", url.Values{"version": {"2"}, "technician_ids": {w.staff["tech2"].ID}})
		body = w.page("/work-orders/"+wid, "tech2")
		has(t, "the technician's work order", body, "东区维修项目组", "单主管", "田师傅", `data-testid="return-form"`, `data-testid="complete-form"`, "已派工")
		hasNot(t, "the technician's work order", body, `data-testid="dispatch-form"`, `data-testid="withdraw-form"`)
		has(t, "my open work", w.page("/work-orders?mine=1", "tech2"), wid)
		has(t, "the list by status", w.page("/work-orders?status=dispatched", "spec"), wid)
		hasNot(t, "the list by status", w.page("/work-orders?status=planned&from="+planned+"&to="+planned, "spec"), wid)
		if status, _ := w.do(http.MethodGet, "/work-orders?from=昨天", "spec", nil); status != http.StatusBadRequest {
			t.Errorf("a bad from day: status %d", status)
		}

		// The board shows it on its day under the group.
		body = w.page("/dispatch-board", "spec")
		day := section(body, `data-day="`+planned+`"`, "</section>")
		has(t, "the board's day", day, "东区维修项目组", wid)
		has(t, "the board", body, `data-testid="board-overdue"`, `data-testid="board-prev"`, `data-testid="board-next"`)
		has(t, "the supervisor's board", w.page("/dispatch-board?group_id="+w.group.ID, "sup"), wid)
		if status, _ := w.do(http.MethodGet, "/dispatch-board?from=x", "spec", nil); status != http.StatusBadRequest {
			t.Errorf("a bad board day: status %d", status)
		}

		// The technician returns it: fields and a reason are required.
		w.postBad("/work-orders/"+wid+"/return", "tech2", url.Values{"version": {"3"}, "points": {"2"}, "reason": {"电话错"}},
			http.StatusBadRequest, "有误的项目")
		if status, _ := w.do(http.MethodPost, "/work-orders/"+wid+"/return", "tech", url.Values{"version": {"3"}, "fields": {"contact"},
			"points": {"1"}, "reason": {"x"}}); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("a technician not sent returns it: status %d", status)
		}
		w.postOK("/work-orders/"+wid+"/return", "tech2", url.Values{"version": {"3"}, "fields": {"contact", "site_address"},
			"points": {"2"}, "reason": {"联系人电话错误"}})
		body = w.page("/work-orders/"+wid, "mgr")
		has(t, "the returned work order", body, "退回更正", "现场联系人、现场地址", "联系人电话错误", `data-testid="withdraw-form"`, `data-testid="dispatch-form"`)
		hasNot(t, "the specialist's returned work order", w.page("/work-orders/"+wid, "spec"), `data-testid="withdraw-form"`)
		ret, err := a.Fieldwork.GetWorkOrder(w.as("mgr"), wid)
		if err != nil || len(ret.Returns) != 1 {
			t.Fatalf("returns %+v %v", ret, err)
		}
		w.postBad("/work-order-returns/"+ret.Returns[0].ID+"/withdraw", "mgr", url.Values{"work_order_id": {wid}, "reason": {""}},
			http.StatusBadRequest, "撤销理由")
		w.postOK("/work-order-returns/"+ret.Returns[0].ID+"/withdraw", "mgr", url.Values{"work_order_id": {wid}, "reason": {"技术员误报"}})
		has(t, "the withdrawn return", w.page("/work-orders/"+wid, "spec"), "已撤销", "技术员误报")

		// Dispatched again, completed by the technician; no more forms.
		w.postOK("/work-orders/"+wid+"/dispatch", "spec", url.Values{"version": {"4"}, "technician_ids": {w.staff["tech2"].ID}})
		w.postBad("/work-orders/"+wid+"/complete", "tech2", url.Values{"version": {"5"}, "completed_at": {now.AddDate(0, 0, 1).Format("2006-01-02T15:04")}},
			http.StatusBadRequest, "完工时间")
		w.postOK("/work-orders/"+wid+"/complete", "tech2", url.Values{"version": {"5"}})
		body = w.page("/work-orders/"+wid, "spec")
		has(t, "the completed work order", body, "已完工")
		hasNot(t, "the completed work order", body, `data-testid="work-order-edit"`, `data-testid="cancel-form"`, `data-testid="complete-form"`)
		w.postBad("/work-orders/"+wid+"/cancel", "spec", url.Values{"version": {"6"}, "reason": {""}}, http.StatusBadRequest, "取消原因")

		// A repair ticket's work order: the ticket page links to it.
		tk, err := a.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: w.customer.ID, Type: "repair", Channel: "phone_in",
			Description: "机房漏水", Address: "丙大厦 B2 机房", RepairObject: "冷冻水管"})
		if err != nil {
			t.Fatal(err)
		}
		has(t, "the repair ticket", w.page("/tickets/"+tk.ID, "spec"), `data-testid="ticket-work-order"`)
		body = w.page("/work-orders/new?ticket_id="+tk.ID, "spec")
		has(t, "the work order form from a ticket", body, tk.Number, `value="丙大厦 B2 机房"`, `value="冷冻水管"`, "机房漏水")
		loc = w.postOK("/work-orders", "spec", url.Values{"ticket_id": {tk.ID}, "type": {"repair"}, "site_address": {"丙大厦 B2 机房"},
			"equipment": {"冷冻水管"}, "content": {"机房漏水"}})
		rd, err := a.Fieldwork.GetWorkOrder(w.as("spec"), strings.TrimPrefix(loc, "/work-orders/"))
		if err != nil || rd.TicketID == nil || *rd.TicketID != tk.ID || rd.DispatchDue == nil {
			t.Fatalf("the ticket's work order %+v %v", rd, err)
		}

		// The rules: a manager's, each field checked.
		body = w.page("/admin/fieldwork", "mgr")
		has(t, "the rules page", body, `name="dispatch.repair_minutes" value="30"`, `name="seasons.cooling_start" value="05-15"`, "现场工作规则")
		rules := url.Values{"dispatch.project_working_days": {"2"}, "dispatch.planned_lead_days": {"3"}, "dispatch.repair_minutes": {"0"},
			"acceptance.upload_days": {"7"}, "acceptance.paper_day": {"25"}, "seasons.lead_days": {"15"},
			"seasons.cooling_start": {"05-01"}, "seasons.heating_start": {"11-15"}}
		w.postBad("/admin/fieldwork", "mgr", rules, http.StatusBadRequest, "报修派工时限")
		rules.Set("dispatch.repair_minutes", "45")
		rules.Set("seasons.cooling_start", "13-01")
		w.postBad("/admin/fieldwork", "mgr", rules, http.StatusBadRequest, "制冷季开始")
		rules.Set("seasons.cooling_start", "05-01")
		w.postOK("/admin/fieldwork", "mgr", rules)
		st, err := a.Fieldwork.Settings(w.as("mgr"))
		if err != nil || st.Dispatch.RepairMinutes != 45 || st.Dispatch.ProjectWorkingDays != 2 || st.Seasons.Cooling.String() != "05-01" {
			t.Errorf("settings %+v %v", st, err)
		}
		has(t, "the settings pills", w.page("/admin/staff", "mgr"), `href="/admin/fieldwork"`)
		hasNot(t, "the specialist's settings pills", w.page("/admin/staff", "spec"), `href="/admin/fieldwork"`)
	})
}

// section is the part of body from marker to the next end, for checking
// what a list or a day holds.
func section(body, marker, end string) string {
	_, rest, ok := strings.Cut(body, marker)
	if !ok {
		return ""
	}
	if i := strings.Index(rest, end); i >= 0 {
		return rest[:i]
	}
	return rest
}
