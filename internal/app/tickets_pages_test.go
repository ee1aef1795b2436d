package app_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
	"kefu/internal/calendar"
	"kefu/internal/comms"
	"kefu/internal/tickets"
)

// postTicket posts the registration form as login and returns the ticket
// it redirected to.
func (w *contractWorld) postTicket(login string, form url.Values) string {
	w.t.Helper()
	resp, body := w.post("/tickets", login, form)
	id, ok := strings.CutPrefix(resp.Header.Get("Location"), "/tickets/")
	if resp.StatusCode != http.StatusSeeOther || !ok || id == "" {
		w.t.Fatalf("ticket form: status %d to %q: %s", resp.StatusCode, resp.Header.Get("Location"), errorText(body))
	}
	return id
}

// version is a ticket's current version, for the next form post.
func (w *contractWorld) ticketVersion(id string) string {
	w.t.Helper()
	d, err := w.in.App.Tickets.Get(w.as("mgr"), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return itoa(d.Version)
}

// move posts a transition of ticket id to state to as login.
func (w *contractWorld) move(id, to, login string) (int, string) {
	w.t.Helper()
	return w.do(http.MethodPost, "/tickets/"+id+"/transitions", login, url.Values{"version": {w.ticketVersion(id)}, "to": {to}, "note": {"→ " + to}})
}

// TestTicketPagesRender opens each ticket, callback and manager page as
// roles that may see it and as roles that may not.
func TestTicketPagesRender(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		repair, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: cid, Type: "repair", Channel: "phone_in",
			Description: "3号冷水机组不制冷", Address: "国贸三期 B1 机房", RepairObject: "冷水机组", ModelSpec: "约克 YK-500", AppointmentAt: in.App.Now().Add(time.Hour).Format(time.RFC3339),
			SpecialNeeds: "无", Urgency: "urgent"})
		if err != nil {
			t.Fatal(err)
		}
		complaint, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: cid, Type: "complaint", Channel: "wechat_group",
			Description: "维修人员态度差"})
		if err != nil {
			t.Fatal(err)
		}
		at, _ := commsAt(in)
		if _, err := in.App.Comms.Add(w.as("spec"), comms.Input{CustomerID: cid, Channel: "phone_in", Direction: "in", OccurredAt: at,
			Summary: "客户来电报修新风机"}); err != nil {
			t.Fatal(err)
		}
		quarter := thisQuarter(in)
		for _, tc := range []struct {
			path    string
			allowed map[string][]string // login → texts the page shows
			absent  map[string][]string // login → texts the page must not show
			refused []string
		}{
			{"/tickets", map[string][]string{
				"mgr":  {repair.Number, complaint.Number, "甲大厦", "报修", "投诉", "紧急", "新建", `data-testid="ticket-new"`, `href="/complaints/analysis"`},
				"spec": {repair.Number, `data-testid="ticket-new"`, `href="/tickets"`, `href="/callbacks"`, "登记不全"},
				"exec": {repair.Number},
			}, map[string][]string{"exec": {`data-testid="ticket-new"`}, "spec": {`href="/complaints/analysis"`}}, []string{"tech", "fin"}},
			{"/tickets?type=complaint&open=1&incomplete=1", map[string][]string{"mgr": {complaint.Number, `value="1" checked`}},
				map[string][]string{"mgr": {repair.Number}}, nil},
			{"/tickets/new?customer_id=" + cid, map[string][]string{"spec": {`data-testid="ticket-form"`, `value="` + cid + `" selected`, "王总", "报修对象", "型号规格", "预约时间", "特殊需求"}},
				map[string][]string{"spec": {"客户诉求"}}, []string{"exec", "tech", "fin"}},
			{"/tickets/new?type=complaint&customer_id=" + cid, map[string][]string{"spec": {"客户诉求", "涉及人员", "事件经过"}},
				map[string][]string{"spec": {"型号规格"}}, nil},
			{"/tickets/" + repair.ID, map[string][]string{
				"spec":  {repair.Number, "3号冷水机组不制冷", "约克 YK-500", `data-testid="transition-form"`, `value="acknowledged"`, `data-testid="escalate-form"`, "客户来电报修新风机", "登记工单"},
				"exec":  {repair.Number},
				"spec2": {repair.Number},
			}, map[string][]string{"exec": {`data-testid="transition-form"`, `data-testid="ticket-edit"`}, "spec2": {`data-testid="transition-form"`},
				"spec": {`data-testid="ticket-incomplete-warning"`, `data-testid="complaint"`}}, []string{"tech", "fin"}},
			{"/tickets/" + repair.ID + "/edit", map[string][]string{"spec": {`data-testid="ticket-form"`, "约克 YK-500", `name="version"`}}, nil, []string{"exec", "tech"}},
			{"/tickets/" + complaint.ID, map[string][]string{"spec": {`data-testid="complaint"`, `data-testid="complaint-form"`, "是否合理由客服经理判定", "登记不全"},
				"mgr": {`data-testid="complaint-justified"`, `href="/tickets/` + complaint.ID + `/capa"`}}, nil, nil},
			{"/tickets/" + complaint.ID + "/capa", map[string][]string{"mgr": {`data-testid="capa-report"`, "纠正与预防措施报告", complaint.Number, "甲大厦"},
				"exec": {`data-testid="capa-report"`}}, nil, []string{"tech"}},
			{"/callbacks", map[string][]string{"spec": {`data-testid="callback-table"`, `data-testid="callback-rates"`}, "exec": {`data-testid="callback-rates"`},
				"mgr": {`href="/resamples/`}}, nil, []string{"tech", "fin"}},
			{"/complaints/analysis?quarter=" + quarter, map[string][]string{"mgr": {`data-testid="analysis-nature"`, "服务态度", `data-quarter="` + quarter + `"`}},
				nil, []string{"spec", "exec", "tech"}},
			{"/resamples/" + quarter, map[string][]string{"mgr": {`data-testid="resample-generate"`}}, nil, []string{"spec", "exec", "tech"}},
			{"/admin/tickets-policy", map[string][]string{"mgr": {`data-testid="ticket-policy-form"`, `value="3"`, `value="20"`, "工单与回访规则"}},
				nil, []string{"spec", "exec", "fin"}},
			{"/admin/staff", map[string][]string{"mgr": {`href="/admin/tickets-policy"`}}, map[string][]string{"spec": {`href="/admin/tickets-policy"`}}, nil},
			{"/customers/" + cid, map[string][]string{"spec": {`href="/tickets/new?customer_id=` + cid + `"`, `href="/tickets?customer=` + cid + `"`}}, nil, nil},
			{"/communications", map[string][]string{"spec": {`data-testid="comm-to-ticket"`}}, map[string][]string{"exec": {`data-testid="comm-to-ticket"`}}, nil},
		} {
			for login, texts := range tc.allowed {
				status, body := w.do(http.MethodGet, tc.path, login, nil)
				if status != http.StatusOK {
					t.Errorf("%s as %s: status %d, want 200: %s", tc.path, login, status, errorText(body))
					continue
				}
				for _, want := range texts {
					if !strings.Contains(html.UnescapeString(body), want) {
						t.Errorf("%s as %s: page lacks %q", tc.path, login, want)
					}
				}
			}
			for login, texts := range tc.absent {
				status, body := w.do(http.MethodGet, tc.path, login, nil)
				if status != http.StatusOK {
					t.Errorf("%s as %s: status %d, want 200", tc.path, login, status)
				}
				for _, not := range texts {
					if strings.Contains(html.UnescapeString(body), not) {
						t.Errorf("%s as %s: page shows %q", tc.path, login, not)
					}
				}
			}
			for _, login := range tc.refused {
				if status, _ := w.do(http.MethodGet, tc.path, login, nil); status != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403", tc.path, login, status)
				}
			}
		}
		// A repair has no CAPA report; the manager's actions are refused to
		// specialists.
		if status, _ := w.do(http.MethodGet, "/tickets/"+repair.ID+"/capa", "mgr", nil); status != http.StatusNotFound {
			t.Errorf("CAPA of a repair: status %d, want 404", status)
		}
		for path, form := range map[string]url.Values{
			"/resamples/" + quarter:                         {},
			"/tickets/" + complaint.ID + "/complaint/reply": {"version": {"1"}, "note": {"已致电客户致歉"}},
			"/admin/tickets-policy":                         {"repair_callback_working_days": {"5"}},
		} {
			if status, _ := w.do(http.MethodPost, path, "spec", form); status != http.StatusForbidden {
				t.Errorf("POST %s as spec: status %d, want 403", path, status)
			}
		}
		if status, _ := w.do(http.MethodGet, "/complaints/analysis?quarter=2026Q5", "mgr", nil); status != http.StatusBadRequest {
			t.Errorf("bad quarter: status %d, want 400", status)
		}
	})
}

// TestTicketRegistration registers a repair without its model and
// appointment (saved, marked 登记不全 with the missing fields named), then
// completes it; and registers a ticket from a communication record (转工单),
// which links the record.
func TestTicketRegistration(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		now, _ := commsAt(in)
		form := url.Values{"type": {"repair"}, "channel": {"phone_in"}, "received_at": {now}, "urgency": {"normal"}, "customer_id": {cid},
			"description": {"空调不制冷"}, "repair_object": {"分体空调"}, "address": {"国贸三期 12 层"}}
		id := w.postTicket("spec", form)
		_, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil)
		for _, want := range []string{`data-testid="ticket-incomplete-warning"`, "登记不全", "型号规格、预约时间、特殊需求", "分体空调", "空调不制冷"} {
			if !strings.Contains(body, want) {
				t.Errorf("incomplete repair: page lacks %q", want)
			}
		}
		d, err := in.App.Tickets.Get(w.as("spec"), id)
		if err != nil || !d.Incomplete || strings.Join(d.MissingFields, ",") != "model_spec,appointment_at,special_needs" ||
			d.FirstOwnerID != w.staff["spec"].ID || d.Address != "国贸三期 12 层" {
			t.Fatalf("stored ticket: %v %+v", err, d)
		}
		_, body = w.do(http.MethodGet, "/tickets?incomplete=1", "mgr", nil)
		if !strings.Contains(body, d.Number) || !strings.Contains(body, `title="缺少：型号规格、预约时间、特殊需求"`) {
			t.Errorf("incomplete list: the ticket and its missing fields on hover expected")
		}

		// A bad time comes back with what was typed.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("promised_at", "2026-13-40T10:00")
		bad.Set("description", "时间写错的报修")
		status, body := w.do(http.MethodPost, "/tickets", "spec", bad)
		if status != http.StatusBadRequest || !strings.Contains(body, "解决方案期限：") || !strings.Contains(body, "时间写错的报修") ||
			!strings.Contains(body, `value="2026-13-40T10:00"`) {
			t.Errorf("bad promised time: status %d, error %q", status, errorText(body))
		}

		// Completed: the warning goes.
		form.Set("version", itoa(d.Version))
		form.Set("model_spec", "格力 KFR-35")
		form.Set("appointment_at", now)
		form.Set("special_needs", "无")
		if resp, body := w.post("/tickets/"+id, "spec", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("complete the ticket: status %d: %s", resp.StatusCode, errorText(body))
		}
		if _, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil); strings.Contains(body, `data-testid="ticket-incomplete-warning"`) || !strings.Contains(body, "格力 KFR-35") {
			t.Error("completed ticket still incomplete")
		}
		// A stale version is a conflict.
		if status, _ := w.do(http.MethodPost, "/tickets/"+id, "spec", form); status != http.StatusConflict {
			t.Errorf("stale edit: status %d, want 409", status)
		}

		// 转工单: from a communication record.
		rec, err := in.App.Comms.Add(w.as("spec"), comms.Input{CustomerID: cid, Channel: "wechat_private", Direction: "in", OccurredAt: now,
			Summary: "微信反馈冷却塔漏水"})
		if err != nil {
			t.Fatal(err)
		}
		_, body = w.do(http.MethodGet, "/tickets/new?communication_id="+rec.ID, "spec", nil)
		for _, want := range []string{`data-testid="ticket-from-comm"`, `value="` + rec.ID + `"`, "微信反馈冷却塔漏水", `value="wechat_private" selected`, `value="` + cid + `" selected`} {
			if !strings.Contains(body, want) {
				t.Errorf("ticket from a record: form lacks %q", want)
			}
		}
		id2 := w.postTicket("spec", url.Values{"type": {"consultation"}, "channel": {"wechat_private"}, "received_at": {now},
			"customer_id": {cid}, "description": {"微信反馈冷却塔漏水"}, "communication_id": {rec.ID}})
		got, err := in.App.Comms.Get(w.as("mgr"), rec.ID)
		if err != nil || got.TicketID == nil || *got.TicketID != id2 {
			t.Fatalf("the record is not linked to the new ticket: %v %+v", err, got)
		}
		if _, body := w.do(http.MethodGet, "/tickets/"+id2, "spec", nil); !strings.Contains(body, `data-testid="comm-unlink"`) {
			t.Error("the linked record is not on the ticket page")
		}
		if _, body := w.do(http.MethodGet, "/communications", "spec", nil); !strings.Contains(body, `href="/tickets/`+id2+`"`) {
			t.Error("the record's row does not link its ticket")
		}
		// Unlink, and link again from the ticket page.
		if resp, _ := w.post("/tickets/"+id2+"/communications/"+rec.ID+"/unlink", "spec", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unlink: status %d", resp.StatusCode)
		}
		if resp, body := w.post("/tickets/"+id2+"/communications", "spec", url.Values{"communication_id": {rec.ID}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("link: status %d: %s", resp.StatusCode, errorText(body))
		}
		if status, _ := w.do(http.MethodPost, "/tickets/"+id2+"/communications", "spec2", url.Values{"communication_id": {rec.ID}}); status != http.StatusForbidden {
			t.Errorf("spec2 links to spec's ticket: status %d, want 403", status)
		}
	})
}

// TestTicketLifecycle moves a ticket with the buttons of its allowed next
// states; a forbidden move shows the error naming the allowed ones; a
// resolved repair gets its callback, recorded on the ticket page.
func TestTicketLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		tk, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: w.customer.ID, Type: "repair", Channel: "phone_in",
			Description: "风机盘管漏水"})
		if err != nil {
			t.Fatal(err)
		}
		id := tk.ID
		status, body := w.move(id, "resolved", "spec")
		if status != http.StatusBadRequest || !strings.Contains(body, "可转为：acknowledged（已受理）") || !strings.Contains(body, "目标状态：") {
			t.Fatalf("new → resolved: status %d, error %q", status, errorText(body))
		}
		if status, body := w.move(id, "acknowledged", "spec"); status != http.StatusSeeOther {
			t.Fatalf("→ acknowledged: status %d: %s", status, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/tickets/"+id, "spec", nil)
		if !strings.Contains(body, `data-status="acknowledged"`) || !strings.Contains(body, `data-testid="transition-in_progress"`) ||
			strings.Contains(body, `data-testid="transition-acknowledged"`) || !strings.Contains(body, "→ acknowledged") {
			t.Error("acknowledged: status badge, the next button and the transition note expected")
		}
		if status, _ := w.move(id, "in_progress", "spec2"); status != http.StatusForbidden {
			t.Errorf("spec2 moves spec's ticket: status %d, want 403", status)
		}
		// Escalation to the technical specialist.
		if resp, body := w.post("/tickets/"+id+"/escalations", "spec", url.Values{"version": {w.ticketVersion(id)}, "to_level": {"tech_specialist"},
			"to_staff_id": {w.staff["mgr"].ID}, "note": {"需要技术支持"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate: status %d: %s", resp.StatusCode, errorText(body))
		}
		for _, to := range []string{"in_progress", "resolved"} {
			if status, body := w.move(id, to, "spec"); status != http.StatusSeeOther {
				t.Fatalf("→ %s: status %d: %s", to, status, errorText(body))
			}
		}
		_, body = w.do(http.MethodGet, "/tickets/"+id, "spec", nil)
		for _, want := range []string{`data-testid="ticket-escalations"`, "技术专员", "需要技术支持", `data-testid="awaits-callback"`, `data-testid="callback-form"`,
			`data-testid="reopen-form"`, `data-testid="transition-in_progress"`} {
			if want == `data-testid="transition-in_progress"` {
				if strings.Contains(body, want) {
					t.Error("resolved: in_progress offered as a plain move, not as reopen")
				}
				continue
			}
			if !strings.Contains(body, want) {
				t.Errorf("resolved: page lacks %q", want)
			}
		}
		// The callback, first without a satisfaction (the error on the
		// ticket page), then recorded: the ticket is called back.
		d, _ := in.App.Tickets.Get(w.as("spec"), id)
		if len(d.Callbacks) != 1 {
			t.Fatalf("callbacks: %d", len(d.Callbacks))
		}
		cb := d.Callbacks[0]
		form := url.Values{"version": {itoa(cb.Version)}, "back": {"/tickets/" + id}, "result": {"已修复，客户满意"}}
		status, body = w.do(http.MethodPost, "/callbacks/"+cb.ID, "spec", form)
		if status != http.StatusBadRequest || !strings.Contains(body, "满意度：") || !strings.Contains(body, "已修复，客户满意") {
			t.Errorf("callback without satisfaction: status %d, error %q", status, errorText(body))
		}
		if _, body := w.do(http.MethodGet, "/callbacks", "spec", nil); !strings.Contains(body, d.Number) || !strings.Contains(body, `data-testid="callback-form"`) {
			t.Error("the due callback is not on the callbacks page with its form")
		} else if due := cb.DueAt.In(in.App.Location()).Add(-time.Second).Format("2006-01-02 15:04"); !strings.HasSuffix(due, "23:59") || !strings.Contains(body, due) {
			t.Errorf("the callback deadline (the end of a day) is not shown as %s", due)
		}
		form.Set("satisfaction", "5")
		if resp, body := w.post("/callbacks/"+cb.ID, "spec", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets/"+id {
			t.Fatalf("record callback: status %d: %s", resp.StatusCode, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/tickets/"+id, "spec", nil)
		if !strings.Contains(body, `data-status="callback_done"`) || !strings.Contains(body, `data-testid="transition-closed"`) {
			t.Error("called back: the status and the close button expected")
		}
		if _, body := w.do(http.MethodGet, "/callbacks?view=done", "mgr", nil); !strings.Contains(body, "已修复，客户满意") {
			t.Error("the done callback is not listed")
		}
		// Reopen needs a reason.
		if status, body := w.do(http.MethodPost, "/tickets/"+id+"/reopen", "spec", url.Values{"version": {w.ticketVersion(id)}, "reason": {""}}); status != http.StatusBadRequest ||
			!strings.Contains(body, `data-testid="reopen-form"`) {
			t.Errorf("reopen without a reason: status %d, error %q", status, errorText(body))
		}
		if resp, body := w.post("/tickets/"+id+"/reopen", "spec", url.Values{"version": {w.ticketVersion(id)}, "reason": {"客户反映又漏水"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reopen: status %d: %s", resp.StatusCode, errorText(body))
		}
		if _, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil); !strings.Contains(body, "客户反映又漏水") || !strings.Contains(body, `data-status="in_progress"`) {
			t.Error("reopened: the reason in the history and the status expected")
		}
	})
}

// TestComplaintClose: a complaint is not closed before 三不放过 is
// recorded (the error names what is missing); the manager judges it and it
// closes; the CAPA report shows what was stored.
func TestComplaintClose(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		tk, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: w.customer.ID, Type: "complaint", Channel: "phone_in",
			Description: "维修人员迟到两小时", IncidentWho: "tech", IncidentWhat: "约定 9 点上门，11 点才到", IncidentWhen: "昨天上午",
			Cause: "派工延误", Demand: "道歉并说明原因"})
		if err != nil {
			t.Fatal(err)
		}
		id := tk.ID
		for _, to := range []string{"acknowledged", "in_progress", "resolved"} {
			if status, body := w.move(id, to, "spec"); status != http.StatusSeeOther {
				t.Fatalf("→ %s: status %d: %s", to, status, errorText(body))
			}
		}
		d, _ := in.App.Tickets.Get(w.as("spec"), id)
		if resp, body := w.post("/callbacks/"+d.Callbacks[0].ID, "spec", url.Values{"version": {itoa(d.Callbacks[0].Version)},
			"back": {"/tickets/" + id}, "result": {"客户接受道歉"}, "satisfaction": {"4"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback: status %d: %s", resp.StatusCode, errorText(body))
		}
		_, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil)
		if !strings.Contains(body, `data-testid="complaint-close-missing"`) || !strings.Contains(body, "是否合理、问题原因、责任、纠正措施") {
			t.Errorf("the complaint's page does not say what closing needs")
		}
		status, body := w.move(id, "closed", "spec")
		if status != http.StatusBadRequest || !strings.Contains(body, "三不放过") || !strings.Contains(body, "root_cause（问题原因）") {
			t.Fatalf("close before 三不放过: status %d, error %q", status, errorText(body))
		}
		// The specialist records 三不放过; judging it is the manager's.
		three := url.Values{"version": {w.ticketVersion(id)}, "nature": {"attitude"}, "against_staff_id": {w.staff["tech"].ID}, "severity": {"general"},
			"justified": {"undecided"}, "root_cause": {"派工未考虑路程"}, "responsibility": {"派工人员"}, "corrective_action": {"当面致歉"},
			"preventive_action": {"派工预留路程时间"}}
		if resp, body := w.post("/tickets/"+id+"/complaint", "spec", three); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("spec records 三不放过: status %d: %s", resp.StatusCode, errorText(body))
		}
		three.Set("version", w.ticketVersion(id))
		three.Set("justified", "yes")
		if status, _ := w.do(http.MethodPost, "/tickets/"+id+"/complaint", "spec", three); status != http.StatusForbidden {
			t.Errorf("spec judges the complaint: status %d, want 403", status)
		}
		three.Set("reason", "核实属实")
		if resp, body := w.post("/tickets/"+id+"/complaint", "mgr", three); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("manager judges: status %d: %s", resp.StatusCode, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/tickets/"+id, "mgr", nil)
		for _, want := range []string{`data-testid="ticket-events"`, "服务态度投诉", "核实属实", "合理"} {
			if !strings.Contains(body, want) {
				t.Errorf("judged complaint: page lacks %q", want)
			}
		}
		if status, body := w.move(id, "closed", "spec"); status != http.StatusSeeOther {
			t.Fatalf("close: status %d: %s", status, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/tickets/"+id+"/capa", "spec", nil)
		for _, want := range []string{`data-testid="capa-report"`, "派工未考虑路程", "派工人员", "当面致歉", "派工预留路程时间", "约定 9 点上门，11 点才到",
			"道歉并说明原因", "客户接受道歉", "服务态度", "已关闭"} {
			if !strings.Contains(body, want) {
				t.Errorf("CAPA report lacks %q", want)
			}
		}
		if resp, css := w.get("/static/kefu.css", "spec"); resp.StatusCode != http.StatusOK || !strings.Contains(string(css), "@media print") ||
			!strings.Contains(string(css), ".capa-table") {
			t.Error("the stylesheet has no print rules for the report")
		}
		// Closed: no more edits of the complaint.
		if _, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil); strings.Contains(body, `data-testid="complaint-form"`) || strings.Contains(body, `data-testid="ticket-edit"`) {
			t.Error("a closed complaint still offers its forms")
		}
	})
}

// thisQuarter is the current quarter ("2026Q1") in the company's zone.
func thisQuarter(in *apptest.Instance) string {
	return tickets.QuarterOf(calendar.DateOf(in.App.Now(), in.App.Location())).String()
}

// TestResampleAndPolicyPages: the manager draws the quarter's re-call
// sample, records a re-call, and changes the callback rules.
func TestResampleAndPolicyPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		tk, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: w.customer.ID, Type: "repair", Channel: "phone_in",
			Description: "冷却塔异响"})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{"acknowledged", "in_progress", "resolved"} {
			if status, body := w.move(tk.ID, to, "spec"); status != http.StatusSeeOther {
				t.Fatalf("→ %s: status %d: %s", to, status, errorText(body))
			}
		}
		d, _ := in.App.Tickets.Get(w.as("spec"), tk.ID)
		if _, err := in.App.Tickets.RecordCallback(w.as("spec"), d.Callbacks[0].ID, d.Callbacks[0].Version,
			tickets.CallbackInput{Result: "已处理", Satisfaction: 4}); err != nil {
			t.Fatal(err)
		}
		quarter := thisQuarter(in)
		resp, body := w.post("/resamples/"+quarter, "mgr", url.Values{})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/resamples/"+quarter {
			t.Fatalf("generate: status %d: %s", resp.StatusCode, errorText(body))
		}
		_, body = w.do(http.MethodGet, "/resamples/"+quarter, "mgr", nil)
		if !strings.Contains(body, d.Number) || !strings.Contains(body, `data-testid="resample-form"`) || strings.Contains(body, `data-testid="resample-generate"`) {
			t.Fatal("the sample with its record form expected")
		}
		set, err := in.App.Tickets.ResampleSet(w.as("mgr"), quarter)
		if err != nil || len(set.Items) != 1 {
			t.Fatalf("sample: %v %+v", err, set)
		}
		item := set.Items[0]
		status, body := w.do(http.MethodPost, "/resamples/items/"+item.ID, "mgr", url.Values{"version": {itoa(item.Version)}, "quarter": {quarter}, "satisfaction": {"4"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "回访结果：") {
			t.Errorf("re-call without a result: status %d, error %q", status, errorText(body))
		}
		if resp, body := w.post("/resamples/items/"+item.ID, "mgr", url.Values{"version": {itoa(item.Version)}, "quarter": {quarter},
			"satisfaction": {"4"}, "result": {"客户确认已回访"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("re-call: status %d: %s", resp.StatusCode, errorText(body))
		}
		if _, body := w.do(http.MethodGet, "/resamples/"+quarter, "mgr", nil); !strings.Contains(body, "客户确认已回访") {
			t.Error("the re-call is not shown")
		}

		status, body = w.do(http.MethodPost, "/admin/tickets-policy", "mgr", url.Values{"repair_callback_working_days": {"0"},
			"complaint_callback_days": {"2"}, "major_reply_working_days": {"1"}, "resample_percent": {"20"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "报修回访期限（工作日）：") {
			t.Errorf("bad policy: status %d, error %q", status, errorText(body))
		}
		if resp, body := w.post("/admin/tickets-policy", "mgr", url.Values{"repair_callback_working_days": {"5"},
			"complaint_callback_days": {"2"}, "major_reply_working_days": {"1"}, "resample_percent": {"25"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("policy: status %d: %s", resp.StatusCode, errorText(body))
		}
		pol, _ := in.App.Tickets.Policy(w.as("mgr"))
		if pol.RepairCallbackWorkingDays != 5 || pol.ResamplePercent != 25 {
			t.Errorf("policy not saved: %+v", pol)
		}
	})
}

// TestMajorComplaintReplyForm: the manager's reply to a major complaint
// takes the time it was really given (a phone reply logged later), not
// only now; a time before the complaint or in the future comes back on
// the form with what was typed.
func TestMajorComplaintReplyForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		received, _ := commsAt(in) // an hour ago
		tk, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: w.customer.ID, Type: "complaint", Channel: "phone_in",
			ReceivedAt: received, Description: "冷机故障三天未修复", IncidentWho: "tech", IncidentWhat: "报修后无人上门", IncidentWhen: "上周五",
			Cause: "未派工", Demand: "经理回复"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.App.Tickets.SaveComplaint(w.as("spec"), tk.ID, tk.Version, tickets.ComplaintInput{Nature: "quality", Severity: "major"}); err != nil {
			t.Fatal(err)
		}
		_, page := w.do(http.MethodGet, "/tickets/"+tk.ID, "mgr", nil)
		if !strings.Contains(page, `data-testid="reply-form"`) || !strings.Contains(page, `name="at"`) {
			t.Fatal("the manager's reply form has no time field")
		}
		loc := in.App.Location()
		at := in.App.Now().In(loc).Add(-30 * time.Minute).Truncate(time.Second)
		for _, bad := range []string{
			in.App.Now().In(loc).Add(-2 * time.Hour).Format("2006-01-02T15:04:05"), // before the complaint came in
			in.App.Now().In(loc).Add(2 * time.Hour).Format("2006-01-02T15:04:05"),  // in the future
		} {
			status, body := w.do(http.MethodPost, "/tickets/"+tk.ID+"/complaint/reply", "mgr",
				url.Values{"version": {w.ticketVersion(tk.ID)}, "note": {"已电话致歉并安排明早上门"}, "at": {bad}})
			if status != http.StatusBadRequest || !strings.Contains(body, `value="`+bad+`"`) || !strings.Contains(body, "已电话致歉并安排明早上门") {
				t.Errorf("reply at %s: status %d %q, want 400 with the form kept", bad, status, errorText(body))
			}
		}
		if resp, body := w.post("/tickets/"+tk.ID+"/complaint/reply", "mgr",
			url.Values{"version": {w.ticketVersion(tk.ID)}, "note": {"已电话致歉并安排明早上门"}, "at": {at.Format("2006-01-02T15:04:05")}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: status %d: %s", resp.StatusCode, errorText(body))
		}
		d, err := in.App.Tickets.Get(w.as("mgr"), tk.ID)
		if err != nil || d.Complaint == nil || d.Complaint.RepliedAt == nil || !d.Complaint.RepliedAt.Equal(at) {
			t.Fatalf("stored reply: %v %+v", err, d.Complaint)
		}
		if _, page := w.do(http.MethodGet, "/tickets/"+tk.ID, "mgr", nil); !strings.Contains(page, at.Format(time.DateTime)[:16]) {
			t.Errorf("the page does not show the reply at %s", at.Format(time.DateTime))
		}
	})
}
