package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/tickets"
)

// ticket reads a ticket as admin.
func (e *env) ticket(t *testing.T, id string) map[string]any {
	t.Helper()
	return e.must(t, 200, "admin", "GET", "/api/v1/tickets/"+id, nil).obj(t)
}

// ticketIs checks a ticket answer's status and version.
func ticketIs(status string, version int64) func(t *testing.T, r response) {
	return func(t *testing.T, r response) {
		t.Helper()
		if tk := r.obj(t); tk["status"] != status || num(tk["version"]) != version {
			t.Errorf("ticket status %v version %v, want %s %d", tk["status"], tk["version"], status, version)
		}
	}
}

// hasItem reports whether a list answer holds the record id.
func hasItem(t *testing.T, r response, id string) bool {
	t.Helper()
	return slices.ContainsFunc(r.items(t), func(m map[string]any) bool { return m["id"] == id })
}

func listed(id *string, want bool) func(t *testing.T, r response) {
	return func(t *testing.T, r response) {
		t.Helper()
		if got := hasItem(t, r, *id); got != want {
			t.Errorf("listed = %v, want %v", got, want)
		}
	}
}

// quarter is the app's current company quarter ("2026Q1").
func (e *env) quarter() string {
	return tickets.QuarterOf(calendar.DateOf(e.app.Now(), e.app.Location())).String()
}

// TestTicketsAPI: a repair registered incomplete and completed, taken
// through the lifecycle with an escalation, a linked communication
// record, its callback, closing and a reopen; history times read in the
// company's zone; roles, ownership, bad input and stale versions.
func TestTicketsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		loc := e.app.Location()
		cust := e.newCustomer(t, unique("工单客户")) // owned by lin.wen
		other := e.customersOf(t, "su.yue")[0]
		now := e.today()
		past := now.AddDate(0, 0, -2)
		at := func(h, m int) string {
			return time.Date(past.Year(), past.Month(), past.Day(), h, m, 0, 0, loc).Format("2006-01-02 15:04:05")
		}
		vars := map[string]string{"cust": cust["id"].(string), "other": other["id"].(string), "lin": e.staff["lin.wen"],
			"su": e.staff["su.yue"], "du": e.staff["du.gang"], "none": "01900000-0000-7000-8000-000000000000",
			"future": now.Add(2 * time.Hour).Format(time.RFC3339), "appt": now.AddDate(0, 0, 1).Format("2006-01-02") + " 15:00:00",
			"h0900": at(9, 0), "h0830": at(8, 30), "h0930": at(9, 30), "h1000": at(10, 0)}
		var tk, hist, cb string
		repair := map[string]any{"customer_id": "{{cust}}", "type": "repair", "channel": "phone_in", "description": "3 号机组不制冷"}
		mine := "/api/v1/tickets?customer_id={{cust}}"
		detail := "/api/v1/tickets/{{tk}}"

		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "GET", path: "/api/v1/tickets", status: 401, code: "unauthorized"},
			{name: "a technician cannot read tickets", as: "ma.tao", method: "GET", path: "/api/v1/tickets", status: 403, code: "forbidden"},
			{name: "a technician cannot register a ticket", as: "ma.tao", method: "POST", path: "/api/v1/tickets", body: repair, status: 403, code: "forbidden"},
			{name: "the information centre cannot register a ticket", as: "jiang.xin", method: "POST", path: "/api/v1/tickets", body: repair,
				status: 403, code: "forbidden", same: []string{mine}},

			// Bad input: the field is named and nothing is stored.
			{name: "an unknown type", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "type", "praise"),
				status: 400, code: "invalid", field: "type", same: []string{mine}},
			{name: "an unknown channel", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "channel", "fax"),
				status: 400, code: "invalid", field: "channel", same: []string{mine}},
			{name: "a type that is not a string", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "type", 2),
				status: 400, code: "invalid", field: "type", same: []string{mine}},
			{name: "received in the future", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "received_at", "{{future}}"),
				status: 400, code: "invalid", field: "received_at", same: []string{mine}},
			{name: "a malformed time", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "received_at", "昨天上午"),
				status: 400, code: "invalid", field: "received_at", same: []string{mine}},
			{name: "an unknown field", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "priority", "high"),
				status: 400, code: "invalid", field: "priority", same: []string{mine}},
			{name: "malformed JSON", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: `{"type":"repair",`,
				status: 400, code: "invalid", field: "body", same: []string{mine}},
			{name: "neither customer nor caller", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: with(repair, "customer_id", ""),
				status: 400, code: "invalid", field: "customer_id", same: []string{mine}},
			{name: "a specialist cannot name another first-contact owner", as: "lin.wen", method: "POST", path: "/api/v1/tickets",
				body: with(repair, "first_owner_id", "{{su}}"), status: 403, code: "forbidden", same: []string{mine}},

			// Registration: incomplete, listed as such, then completed.
			{name: "the specialist registers an incomplete repair", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: repair, status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					tk = d["id"].(string)
					vars["tk"] = tk
					if d["status"] != "new" || num(d["version"]) != 1 || d["first_owner_id"] != vars["lin"] || d["incomplete"] != true ||
						!strings.HasPrefix(d["number"].(string), "GD-") || d["address"] != cust["address"] || d["can_work"] != true {
						t.Errorf("registered %v", d)
					}
					if got := strs(d["missing"]); !slices.Equal(got, []string{"repair_object", "model_spec", "appointment_at", "special_needs"}) {
						t.Errorf("missing %v", got)
					}
					if !slices.Equal(strs(d["allowed_next"]), []string{"acknowledged"}) || len(objects(t, d["transitions"])) != 1 ||
						len(objects(t, d["events"])) != 0 || len(objects(t, d["communications"])) != 0 {
						t.Errorf("history %v", d)
					}
				}},
			{name: "it is listed as incomplete", as: "manager", method: "GET", path: mine + "&incomplete=true", status: 200,
				check: func(t *testing.T, r response) {
					items := r.items(t)
					if len(items) != 1 || items[0]["id"] != tk || !slices.Contains(strs(items[0]["missing"]), "model_spec") || items[0]["customer_name"] != cust["name"] {
						t.Errorf("incomplete list %v", items)
					}
				}},
			{name: "filters by type, status, open and staff", as: "gm", method: "GET", path: mine + "&type=repair&status=new&open=true&staff_id={{lin}}", status: 200,
				check: listed(&tk, true)},
			{name: "a filter that misses it", as: "manager", method: "GET", path: mine + "&type=complaint", status: 200, check: listed(&tk, false)},
			{name: "a bad status filter names it", as: "manager", method: "GET", path: "/api/v1/tickets?status=done", status: 400, code: "invalid", field: "status"},
			{name: "a bad open filter names it", as: "manager", method: "GET", path: "/api/v1/tickets?open=maybe", status: 400, code: "invalid", field: "open"},
			{name: "a bad from filter names it", as: "manager", method: "GET", path: "/api/v1/tickets?from=yesterday", status: 400, code: "invalid", field: "from"},
			{name: "a bad offset names it", as: "manager", method: "GET", path: "/api/v1/tickets?offset=-1", status: 400, code: "invalid", field: "offset"},
			{name: "another specialist reads it (read-all is on)", as: "su.yue", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					if r.obj(t)["can_work"] != false {
						t.Error("su.yue may work lin.wen's ticket")
					}
				}},
			{name: "a technician cannot read it", as: "ma.tao", method: "GET", path: detail, status: 403, code: "forbidden"},
			{name: "an unknown ticket is 404", as: "manager", method: "GET", path: "/api/v1/tickets/{{none}}", status: 404, code: "not_found", field: "id"},
			{name: "another specialist cannot update it", as: "su.yue", method: "PUT", path: detail, body: `{"version":1,"description":"越权"}`,
				status: 403, code: "forbidden", same: []string{detail}},
			{name: "an update without version", as: "lin.wen", method: "PUT", path: detail, body: `{"description":"无版本"}`,
				status: 400, code: "invalid", field: "version", same: []string{detail}},
			{name: "an appointment before the receipt", as: "lin.wen", method: "PUT", path: detail, body: `{"version":1,"appointment_at":"2001-01-01 10:00"}`,
				status: 400, code: "invalid", field: "appointment_at", same: []string{detail}},
			{name: "the owner completes the registration; left-out fields are kept", as: "lin.wen", method: "PUT", path: detail, status: 200,
				body: map[string]any{"version": 1, "repair_object": "冷水机组 3#", "model_spec": "约克 YK-500", "appointment_at": "{{appt}}", "special_needs": "需带梯子"},
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["incomplete"] != false || len(strs(d["missing"])) != 0 || num(d["version"]) != 2 || d["description"] != "3 号机组不制冷" ||
						d["channel"] != "phone_in" || d["first_owner_id"] != vars["lin"] {
						t.Errorf("updated %v", d)
					}
					want, _ := time.ParseInLocation("2006-01-02 15:04:05", vars["appt"], loc)
					if got, err := time.Parse(time.RFC3339, d["appointment_at"].(string)); err != nil || !got.Equal(want) {
						t.Errorf("appointment_at %v, want %v (company time)", d["appointment_at"], want)
					}
				}},
			{name: "no longer listed as incomplete", as: "manager", method: "GET", path: mine + "&incomplete=true", status: 200, check: listed(&tk, false)},
			{name: "an update at a stale version", as: "lin.wen", method: "PUT", path: detail, body: `{"version":1,"description":"晚到的修改"}`,
				status: 409, code: "conflict", field: "version", same: []string{detail}},

			// The lifecycle.
			{name: "a forbidden transition names the allowed states", as: "lin.wen", method: "POST", path: detail + "/transitions",
				body: `{"version":2,"to":"resolved"}`, status: 400, code: "invalid", field: "to", same: []string{detail},
				check: func(t *testing.T, r response) {
					if msg := r.apiErr(t).Message; !strings.Contains(msg, "acknowledged") {
						t.Errorf("message %q does not name acknowledged", msg)
					}
				}},
			{name: "an unknown status", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":2,"to":"paused"}`,
				status: 400, code: "invalid", field: "to", same: []string{detail}},
			{name: "a transition without to", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":2}`,
				status: 400, code: "invalid", field: "to", same: []string{detail}},
			{name: "another specialist cannot move it", as: "su.yue", method: "POST", path: detail + "/transitions", body: `{"version":2,"to":"acknowledged"}`,
				status: 403, code: "forbidden", same: []string{detail}},
			{name: "a transition in the future", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":2,"to":"acknowledged","at":"{{future}}"}`,
				status: 400, code: "invalid", field: "at", same: []string{detail}},
			{name: "acknowledged", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":2,"to":"acknowledged"}`,
				status: 200, check: ticketIs("acknowledged", 3)},
			{name: "a transition at a stale version", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":2,"to":"in_progress"}`,
				status: 409, code: "conflict", field: "version", same: []string{detail}},
			{name: "in progress", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":3,"to":"in_progress","note":"联系维修组"}`,
				status: 200, check: ticketIs("in_progress", 4)},
			{name: "escalating past the next level", as: "lin.wen", method: "POST", path: detail + "/escalations",
				body: `{"version":4,"to_level":"tech_department","to_text":"技术部"}`, status: 400, code: "invalid", field: "to_level", same: []string{detail}},
			{name: "escalating to nobody", as: "lin.wen", method: "POST", path: detail + "/escalations",
				body: `{"version":4,"to_level":"tech_specialist"}`, status: 400, code: "invalid", field: "to_staff_id", same: []string{detail}},
			{name: "escalated to the technical specialist", as: "lin.wen", method: "POST", path: detail + "/escalations",
				body: `{"version":4,"to_level":"tech_specialist","to_staff_id":"{{du}}","note":"压缩机异响"}`, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					es := objects(t, d["escalations"])
					if d["escalation_level"] != "tech_specialist" || num(d["version"]) != 5 || len(es) != 1 || es[0]["to_staff_id"] != vars["du"] ||
						d["first_owner_id"] != vars["lin"] {
						t.Errorf("escalated %v", d)
					}
				}},
			{name: "dispatched", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":5,"to":"dispatched"}`,
				status: 200, check: ticketIs("dispatched", 6)},
			{name: "reopening an open ticket is refused", as: "lin.wen", method: "POST", path: detail + "/reopen", body: `{"version":6,"reason":"误操作"}`,
				status: 400, code: "invalid", field: "status", same: []string{detail}},
			{name: "resolved: the callback is due", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":6,"to":"resolved"}`,
				status: 200, check: func(t *testing.T, r response) {
					d := r.obj(t)
					cbs := objects(t, d["callbacks"])
					if d["status"] != "resolved" || num(d["version"]) != 7 || d["resolved_at"] == nil || len(cbs) != 1 || cbs[0]["done_at"] != nil ||
						cbs[0]["staff_id"] != vars["lin"] || cbs[0]["due_at"] == nil || !slices.Equal(strs(d["allowed_next"]), []string{"callback_done", "in_progress"}) {
						t.Errorf("resolved %v", d)
					}
					cb = cbs[0]["id"].(string)
					vars["cb"] = cb
				}},
			{name: "closing a repair before its callback", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":7,"to":"closed"}`,
				status: 400, code: "invalid", field: "to", same: []string{detail}},
			{name: "the callback is open in the owner's queue", as: "lin.wen", method: "GET", path: "/api/v1/callbacks?open=true&staff_id={{lin}}&limit=500",
				status: 200, check: func(t *testing.T, r response) {
					i := slices.IndexFunc(r.items(t), func(m map[string]any) bool { return m["id"] == cb })
					if i < 0 {
						t.Fatal("the due callback is not listed")
					}
					if it := r.items(t)[i]; it["ticket_id"] != tk || it["type"] != "repair" || it["customer_name"] != cust["name"] || it["staff_name"] != "林雯" {
						t.Errorf("callback %v", it)
					}
				}},
			{name: "it is due within a week", as: "manager", method: "GET", path: "/api/v1/callbacks?due_to=" + now.AddDate(0, 0, 7).Format(time.DateOnly) + "&limit=500",
				status: 200, check: listed(&cb, true)},
			{name: "it is not due by yesterday", as: "manager", method: "GET", path: "/api/v1/callbacks?due_to=" + e.daysAgo(1) + "&limit=500",
				status: 200, check: listed(&cb, false)},
			{name: "a bad due_to names it", as: "manager", method: "GET", path: "/api/v1/callbacks?due_to=soon", status: 400, code: "invalid", field: "due_to"},
			{name: "a technician cannot list callbacks", as: "ma.tao", method: "GET", path: "/api/v1/callbacks", status: 403, code: "forbidden"},

			// Linked communication records.
			{name: "linking needs the record", as: "lin.wen", method: "POST", path: detail + "/communications", body: `{}`,
				status: 400, code: "invalid", field: "communication_id", same: []string{detail}},
			{name: "linking an unknown record", as: "lin.wen", method: "POST", path: detail + "/communications", body: `{"communication_id":"{{none}}"}`,
				status: 400, code: "invalid", field: "communication_id", same: []string{detail}},
		})

		// Communication records: one of the ticket's customer, one of another.
		occurred := now.Add(-time.Hour).Format(time.RFC3339)
		rec := e.must(t, 201, "lin.wen", "POST", "/api/v1/communications/log", map[string]any{"channel": "phone_in", "direction": "in",
			"occurred_at": occurred, "customer_id": vars["cust"], "summary": "客户来电报修"}).obj(t)
		foreign := e.must(t, 201, "su.yue", "POST", "/api/v1/communications/log", map[string]any{"channel": "phone_out", "direction": "out",
			"occurred_at": occurred, "customer_id": vars["other"], "summary": "别的客户"}).obj(t)
		vars["rec"], vars["foreign"] = rec["id"].(string), foreign["id"].(string)

		e.run(t, vars, []scenario{
			{name: "a record of another customer cannot be linked", as: "lin.wen", method: "POST", path: detail + "/communications",
				body: `{"communication_id":"{{foreign}}"}`, status: 400, code: "invalid", field: "communication_id", same: []string{detail}},
			{name: "another specialist cannot link", as: "su.yue", method: "POST", path: detail + "/communications",
				body: `{"communication_id":"{{rec}}"}`, status: 403, code: "forbidden", same: []string{detail}},
			{name: "the owner links the call", as: "lin.wen", method: "POST", path: detail + "/communications", body: `{"communication_id":"{{rec}}"}`,
				status: 200, check: func(t *testing.T, r response) {
					cs := objects(t, r.obj(t)["communications"])
					if len(cs) != 1 || cs[0]["id"] != vars["rec"] || cs[0]["summary"] != "客户来电报修" {
						t.Errorf("linked %v", cs)
					}
				}},
			{name: "another specialist cannot unlink", as: "su.yue", method: "DELETE", path: detail + "/communications/{{rec}}",
				status: 403, code: "forbidden", same: []string{detail}},
			{name: "the owner unlinks it", as: "lin.wen", method: "DELETE", path: detail + "/communications/{{rec}}", status: 204},
			{name: "unlinking twice", as: "lin.wen", method: "DELETE", path: detail + "/communications/{{rec}}", status: 400, code: "invalid", field: "communication_id"},
			{name: "linked again", as: "lin.wen", method: "POST", path: detail + "/communications", body: `{"communication_id":"{{rec}}"}`, status: 200},

			// The callback, closing, reopening.
			{name: "a callback without satisfaction", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":1,"result":"已修复"}`,
				status: 400, code: "invalid", field: "satisfaction", same: []string{detail}},
			{name: "a satisfaction out of range", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":1,"result":"已修复","satisfaction":6}`,
				status: 400, code: "invalid", field: "satisfaction", same: []string{detail}},
			{name: "a satisfaction as a string", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":1,"result":"已修复","satisfaction":"5"}`,
				status: 400, code: "invalid", field: "satisfaction", same: []string{detail}},
			{name: "a callback without version", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"result":"已修复","satisfaction":5}`,
				status: 400, code: "invalid", field: "version", same: []string{detail}},
			{name: "a callback at a stale version", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":2,"result":"已修复","satisfaction":5}`,
				status: 409, code: "conflict", field: "version", same: []string{detail}},
			{name: "a callback in the future", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":1,"result":"已修复","satisfaction":5,"at":"{{future}}"}`,
				status: 400, code: "invalid", field: "at", same: []string{detail}},
			{name: "another specialist cannot record it", as: "su.yue", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":1,"result":"已修复","satisfaction":5}`,
				status: 403, code: "forbidden", same: []string{detail}},
			{name: "an unknown callback", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{none}}", body: `{"version":1,"result":"已修复","satisfaction":5}`,
				status: 404, code: "not_found", field: "id"},
			{name: "the owner records the callback", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}",
				body: `{"version":1,"result":"已修复，客户满意","satisfaction":5,"communication_id":"{{rec}}"}`, status: 200,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["done_at"] == nil || num(c["satisfaction"]) != 5 || num(c["version"]) != 2 || c["done_by"] != vars["lin"] || c["communication_id"] != vars["rec"] {
						t.Errorf("callback %v", c)
					}
				}},
			{name: "the ticket is called back", as: "lin.wen", method: "GET", path: detail, status: 200, check: ticketIs("callback_done", 8)},
			{name: "recording it twice", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":2,"result":"再次","satisfaction":5}`,
				status: 409, code: "conflict", field: "done_at", same: []string{detail}},
			{name: "closed", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":8,"to":"closed"}`, status: 200, check: ticketIs("closed", 9)},
			{name: "a closed ticket is not edited", as: "lin.wen", method: "PUT", path: detail, body: `{"version":9,"description":"关闭后"}`,
				status: 400, code: "invalid", field: "status", same: []string{detail}},
			{name: "reopening needs a reason", as: "lin.wen", method: "POST", path: detail + "/reopen", body: `{"version":9}`,
				status: 400, code: "invalid", field: "reason", same: []string{detail}},
			{name: "reopening at a stale version", as: "lin.wen", method: "POST", path: detail + "/reopen", body: `{"version":8,"reason":"复发"}`,
				status: 409, code: "conflict", field: "version", same: []string{detail}},
			{name: "another specialist cannot reopen it", as: "su.yue", method: "POST", path: detail + "/reopen", body: `{"version":9,"reason":"复发"}`,
				status: 403, code: "forbidden", same: []string{detail}},
			{name: "the owner reopens it", as: "lin.wen", method: "POST", path: detail + "/reopen", body: `{"version":9,"reason":"机组再次停机"}`, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					trs := objects(t, d["transitions"])
					last := trs[len(trs)-1]
					if d["status"] != "in_progress" || num(d["version"]) != 10 || d["closed_at"] != nil || d["resolved_at"] != nil ||
						last["reopen"] != true || last["from"] != "closed" || last["note"] != "机组再次停机" || last["by_name"] != "林雯" {
						t.Errorf("reopened %v", d)
					}
					if got := len(trs); got != 8 {
						t.Errorf("%d transitions, want 8 (registration, 6 moves, reopen)", got)
					}
				}},
			{name: "resolved again: a second callback is due", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":10,"to":"resolved"}`,
				status: 200, check: func(t *testing.T, r response) {
					cbs := objects(t, r.obj(t)["callbacks"])
					if len(cbs) != 2 || cbs[0]["done_at"] == nil || cbs[1]["done_at"] != nil {
						t.Errorf("callbacks %v", cbs)
					}
				}},
		})

		// The month of the callback's last allowed day counts it.
		d := e.ticket(t, tk)
		due, err := time.Parse(time.RFC3339, objects(t, d["callbacks"])[0]["due_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		vars["month"] = due.Add(-time.Nanosecond).In(loc).Format("2006-01")
		e.run(t, vars, []scenario{
			{name: "the callback rate counts it for the owner", as: "manager", method: "GET", path: "/api/v1/callbacks/rates?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					type rate struct {
						StaffID string           `json:"staff_id"`
						Num     int64            `json:"num"`
						Den     int64            `json:"den"`
						Percent string           `json:"percent"`
						Rows    []map[string]any `json:"rows"`
					}
					var rep struct {
						Month string `json:"month"`
						Staff []rate `json:"staff"`
					}
					r.decode(t, &rep)
					i := slices.IndexFunc(rep.Staff, func(s rate) bool { return s.StaffID == vars["lin"] })
					if rep.Month != vars["month"] || i < 0 {
						t.Fatalf("rates %s", r)
					}
					lin := rep.Staff[i]
					if lin.Num < 1 || lin.Den < lin.Num || lin.Percent == "" ||
						!slices.ContainsFunc(lin.Rows, func(m map[string]any) bool { return m["id"] == cb && m["done_at"] != nil }) {
						t.Errorf("lin.wen's rate %+v", lin)
					}
				}},
			{name: "a specialist sees only their own rate", as: "su.yue", method: "GET", path: "/api/v1/callbacks/rates?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					for _, s := range objects(t, r.obj(t)["staff"]) {
						if s["staff_id"] != vars["su"] {
							t.Errorf("su.yue sees %v", s["staff_id"])
						}
					}
				}},
			{name: "a bad month names it", as: "manager", method: "GET", path: "/api/v1/callbacks/rates?month=2026-13", status: 400, code: "invalid", field: "month"},
			{name: "a technician cannot read rates", as: "ma.tao", method: "GET", path: "/api/v1/callbacks/rates", status: 403, code: "forbidden"},
		})

		// History: times without a zone are company time.
		e.run(t, vars, []scenario{
			{name: "a migrated ticket keeps its time", as: "lin.wen", method: "POST", path: "/api/v1/tickets", status: 201,
				body: with(repair, "type", "consultation", "received_at", "{{h0900}}", "description", "咨询保养周期"),
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					hist = d["id"].(string)
					vars["hist"] = hist
					want, _ := time.ParseInLocation("2006-01-02 15:04:05", vars["h0900"], loc)
					got, err := time.Parse(time.RFC3339, d["received_at"].(string))
					if err != nil || !got.Equal(want) || d["incomplete"] != false {
						t.Errorf("received_at %v, want %v; ticket %v", d["received_at"], want, d)
					}
					if day := want.In(loc).Format("20060102"); !strings.HasPrefix(d["number"].(string), "GD-"+day) {
						t.Errorf("number %v is not of the day received", d["number"])
					}
				}},
			{name: "a transition before the receipt", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{hist}}/transitions",
				body: `{"version":1,"to":"acknowledged","at":"{{h0830}}"}`, status: 400, code: "invalid", field: "at", same: []string{"/api/v1/tickets/{{hist}}"}},
			{name: "a migrated transition", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{hist}}/transitions",
				body: `{"version":1,"to":"acknowledged","at":"{{h0930}}"}`, status: 200,
				check: func(t *testing.T, r response) {
					trs := objects(t, r.obj(t)["transitions"])
					want, _ := time.ParseInLocation("2006-01-02 15:04:05", vars["h0930"], loc)
					if got, err := time.Parse(time.RFC3339, trs[1]["at"].(string)); err != nil || !got.Equal(want) {
						t.Errorf("at %v, want %v", trs[1]["at"], want)
					}
				}},
			{name: "received after its first transition", as: "lin.wen", method: "PUT", path: "/api/v1/tickets/{{hist}}",
				body: `{"version":2,"received_at":"{{h1000}}"}`, status: 400, code: "invalid", field: "received_at", same: []string{"/api/v1/tickets/{{hist}}"}},
			{name: "a consultation closes straight from resolved", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{hist}}/transitions",
				body: `{"version":2,"to":"in_progress","at":"{{h1000}}"}`, status: 200, check: ticketIs("in_progress", 3)},
			{name: "resolved without a callback", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{hist}}/transitions",
				body: `{"version":3,"to":"resolved"}`, status: 200, check: func(t *testing.T, r response) {
					if d := r.obj(t); len(objects(t, d["callbacks"])) != 0 || !slices.Contains(strs(d["allowed_next"]), "closed") {
						t.Errorf("resolved consultation %v", d)
					}
				}},
		})
	})
}

// TestTicketComplaintsAPI: a complaint's judgement (the manager's), the
// attitude_complaint event it adds and its withdrawal, the major
// complaint's reply, the 三不放过 rule before closing, the quarterly
// analysis; roles and bad input.
func TestTicketComplaintsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("投诉客户")) // owned by lin.wen
		vars := map[string]string{"cust": cust["id"].(string), "su": e.staff["su.yue"], "lin": e.staff["lin.wen"], "mgr": e.staff["manager"],
			"quarter": e.quarter()}
		complaint := map[string]any{"customer_id": "{{cust}}", "type": "complaint", "channel": "wechat_group", "description": "客户投诉客服态度",
			"incident_who": "客服苏悦", "incident_what": "电话中语气生硬", "incident_when": "昨天下午", "cause": "催款沟通", "demand": "道歉"}
		var ct string
		detail := "/api/v1/tickets/{{ct}}"
		events := func(want int, check func(t *testing.T, ev map[string]any)) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				evs := objects(t, r.obj(t)["events"])
				if len(evs) != want {
					t.Fatalf("%d events, want %d: %v", len(evs), want, evs)
				}
				if check != nil {
					check(t, evs[0])
				}
			}
		}
		complaintOf := func(t *testing.T, r response) map[string]any {
			t.Helper()
			c, ok := r.obj(t)["complaint"].(map[string]any)
			if !ok {
				t.Fatalf("no complaint in %s", r)
			}
			return c
		}

		e.run(t, vars, []scenario{
			{name: "the specialist registers a complaint", as: "lin.wen", method: "POST", path: "/api/v1/tickets", body: complaint, status: 201,
				check: func(t *testing.T, r response) {
					ct = r.obj(t)["id"].(string)
					vars["ct"] = ct
					c := complaintOf(t, r)
					if c["nature"] != "other" || c["severity"] != "general" || c["justified"] != "undecided" || r.obj(t)["incomplete"] != false {
						t.Errorf("complaint %v", r.obj(t))
					}
				}},
			{name: "the specialist cannot judge it", as: "lin.wen", method: "PUT", path: detail + "/complaint",
				body: `{"version":1,"nature":"attitude","against_staff_id":"{{su}}","justified":"yes"}`, status: 403, code: "forbidden", same: []string{detail}},
			{name: "an unknown nature", as: "lin.wen", method: "PUT", path: detail + "/complaint", body: `{"version":1,"nature":"rude"}`,
				status: 400, code: "invalid", field: "nature", same: []string{detail}},
			{name: "a complaint without version", as: "lin.wen", method: "PUT", path: detail + "/complaint", body: `{"nature":"attitude"}`,
				status: 400, code: "invalid", field: "version", same: []string{detail}},
			{name: "the specialist records whom it is about", as: "lin.wen", method: "PUT", path: detail + "/complaint",
				body: `{"version":1,"nature":"attitude","against_staff_id":"{{su}}","against_text":"客服苏悦"}`, status: 200,
				check: func(t *testing.T, r response) {
					c := complaintOf(t, r)
					if c["nature"] != "attitude" || c["against_staff_id"] != vars["su"] || c["justified"] != "undecided" || num(r.obj(t)["version"]) != 2 {
						t.Errorf("complaint %v", c)
					}
					events(0, nil)(t, r)
				}},
			{name: "a complaint at a stale version", as: "lin.wen", method: "PUT", path: detail + "/complaint", body: `{"version":1,"severity":"major"}`,
				status: 409, code: "conflict", field: "version", same: []string{detail}},
			{name: "acknowledged", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":2,"to":"acknowledged"}`, status: 200},
			{name: "in progress", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":3,"to":"in_progress"}`, status: 200},
			{name: "resolved", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":4,"to":"resolved"}`, status: 200,
				check: func(t *testing.T, r response) {
					cbs := objects(t, r.obj(t)["callbacks"])
					if len(cbs) != 1 || cbs[0]["kind"] != "complaint" {
						t.Fatalf("callbacks %v", cbs)
					}
					vars["cb"] = cbs[0]["id"].(string)
				}},
			{name: "the complaint is called back", as: "lin.wen", method: "POST", path: "/api/v1/callbacks/{{cb}}", body: `{"version":1,"result":"客户接受道歉","satisfaction":3}`, status: 200},
			{name: "closing before the three nots is refused", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":6,"to":"closed"}`,
				status: 400, code: "invalid", field: "complaint", same: []string{detail},
				check: func(t *testing.T, r response) {
					msg := r.apiErr(t).Message
					for _, f := range []string{"justified", "root_cause", "responsibility", "corrective_action"} {
						if !strings.Contains(msg, f) {
							t.Errorf("message %q misses %s", msg, f)
						}
					}
				}},
			{name: "the manager judges it justified: an event for the person", as: "manager", method: "PUT", path: detail + "/complaint",
				body: `{"version":6,"justified":"yes","reason":"录音证实语气生硬"}`, status: 200,
				check: events(1, func(t *testing.T, ev map[string]any) {
					if ev["type"] != "attitude_complaint" || ev["staff_id"] != vars["su"] || ev["reason"] != "录音证实语气生硬" || ev["withdrawn_at"] != nil ||
						ev["flagged_by"] != vars["mgr"] {
						t.Errorf("event %v", ev)
					}
				})},
			{name: "the event shows on the ticket", as: "manager", method: "GET", path: detail, status: 200, check: events(1, nil)},
			{name: "it becomes major: escalated with a reply deadline", as: "lin.wen", method: "PUT", path: detail + "/complaint", body: `{"version":7,"severity":"major"}`,
				status: 200, check: func(t *testing.T, r response) {
					c := complaintOf(t, r)
					if c["severity"] != "major" || c["reply_due_at"] == nil || c["escalated_to"] == nil || c["justified"] != "yes" || c["replied_at"] != nil {
						t.Errorf("major complaint %v", c)
					}
					events(1, nil)(t, r)
				}},
			{name: "the specialist cannot reply", as: "lin.wen", method: "POST", path: detail + "/complaint/reply", body: `{"version":8,"note":"已道歉"}`,
				status: 403, code: "forbidden", same: []string{detail}},
			{name: "a reply needs a note", as: "manager", method: "POST", path: detail + "/complaint/reply", body: `{"version":8}`,
				status: 400, code: "invalid", field: "note", same: []string{detail}},
			{name: "the manager replies", as: "manager", method: "POST", path: detail + "/complaint/reply", body: `{"version":8,"note":"已致电客户致歉并约谈当事人"}`,
				status: 200, check: func(t *testing.T, r response) {
					c := complaintOf(t, r)
					if c["replied_at"] == nil || c["replied_by"] != vars["mgr"] || c["reply_note"] != "已致电客户致歉并约谈当事人" || num(r.obj(t)["version"]) != 9 {
						t.Errorf("replied %v", c)
					}
				}},
			{name: "a second reply is a conflict", as: "manager", method: "POST", path: detail + "/complaint/reply", body: `{"version":9,"note":"再次"}`,
				status: 409, code: "conflict", field: "replied_at", same: []string{detail}},
			{name: "judged but without root cause it still cannot close", as: "lin.wen", method: "POST", path: detail + "/transitions",
				body: `{"version":9,"to":"closed"}`, status: 400, code: "invalid", field: "complaint", same: []string{detail}},
			{name: "the three nots are recorded; the judgement stands", as: "lin.wen", method: "PUT", path: detail + "/complaint",
				body: `{"version":9,"root_cause":"催款话术不当","responsibility":"苏悦","corrective_action":"沟通礼仪培训"}`, status: 200,
				check: func(t *testing.T, r response) {
					if c := complaintOf(t, r); c["justified"] != "yes" || c["severity"] != "major" || c["root_cause"] != "催款话术不当" {
						t.Errorf("complaint %v", c)
					}
					events(1, func(t *testing.T, ev map[string]any) {
						if ev["withdrawn_at"] != nil {
							t.Error("the event was withdrawn")
						}
					})(t, r)
				}},
			{name: "judged unjustified: the event is withdrawn", as: "manager", method: "PUT", path: detail + "/complaint",
				body: `{"version":10,"justified":"no","reason":"复核录音后认定不属实"}`, status: 200,
				check: events(1, func(t *testing.T, ev map[string]any) {
					if ev["withdrawn_at"] == nil || ev["withdraw_reason"] != "复核录音后认定不属实" || ev["withdrawn_by"] != vars["mgr"] {
						t.Errorf("event %v", ev)
					}
				})},
			{name: "now it closes", as: "lin.wen", method: "POST", path: detail + "/transitions", body: `{"version":11,"to":"closed"}`, status: 200,
				check: ticketIs("closed", 12)},
			{name: "a closed complaint is not changed", as: "manager", method: "PUT", path: detail + "/complaint", body: `{"version":12,"preventive_action":"x"}`,
				status: 400, code: "invalid", field: "status", same: []string{detail}},

			// The quarterly analysis.
			{name: "the specialist cannot read the analysis", as: "lin.wen", method: "GET", path: "/api/v1/complaints/analysis", status: 403, code: "forbidden"},
			{name: "the analysis counts it", as: "manager", method: "GET", path: "/api/v1/complaints/analysis?quarter={{quarter}}", status: 200,
				check: func(t *testing.T, r response) {
					a := r.obj(t)
					nat := objects(t, a["by_nature"])
					if a["quarter"] != vars["quarter"] || num(a["total"]) < 1 || num(a["major"]) < 1 || len(nat) != 3 || nat[1]["key"] != "attitude" || num(nat[1]["total"]) < 1 {
						t.Errorf("analysis %v", a)
					}
					if !slices.ContainsFunc(objects(t, a["by_person"]), func(c map[string]any) bool { return c["key"] == vars["su"] && c["label"] == "苏悦" }) {
						t.Errorf("by_person %v", a["by_person"])
					}
				}},
			{name: "the analysis defaults to this quarter", as: "admin", method: "GET", path: "/api/v1/complaints/analysis", status: 200,
				check: func(t *testing.T, r response) {
					if q := r.obj(t)["quarter"]; q != vars["quarter"] {
						t.Errorf("quarter %v", q)
					}
				}},
			{name: "a bad quarter names it", as: "manager", method: "GET", path: "/api/v1/complaints/analysis?quarter=2026Q5", status: 400, code: "invalid", field: "quarter"},
		})

		rp := e.must(t, 201, "lin.wen", "POST", "/api/v1/tickets", map[string]any{"customer_id": vars["cust"], "type": "repair", "channel": "phone_in"}).obj(t)
		vars["rp"] = rp["id"].(string)
		e.run(t, vars, []scenario{
			{name: "a repair has no complaint part", as: "manager", method: "PUT", path: "/api/v1/tickets/{{rp}}/complaint", body: `{"version":1,"nature":"quality"}`,
				status: 400, code: "invalid", field: "type", same: []string{"/api/v1/tickets/{{rp}}"}},
			{name: "a repair has nothing to reply to", as: "manager", method: "POST", path: "/api/v1/tickets/{{rp}}/complaint/reply", body: `{"version":1,"note":"x"}`,
				status: 404, code: "not_found", field: "id", same: []string{"/api/v1/tickets/{{rp}}"}},
		})
	})
}

// TestTicketsPolicyAndResampleAPI: the policy (read by the desk, changed
// by managers), the manager's quarterly re-call sample drawn from the
// callbacks done and recorded.
func TestTicketsPolicyAndResampleAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("抽查客户"))
		vars := map[string]string{"quarter": e.quarter()}
		policy := "/api/v1/settings/tickets-policy"
		e.run(t, vars, []scenario{
			{name: "the desk reads the policy", as: "lin.wen", method: "GET", path: policy, status: 200,
				check: func(t *testing.T, r response) {
					if p := r.obj(t); num(p["repair_callback_working_days"]) != 3 || num(p["resample_percent"]) != 20 {
						t.Errorf("policy %v", p)
					}
				}},
			{name: "a technician cannot read it", as: "ma.tao", method: "GET", path: policy, status: 403, code: "forbidden"},
			{name: "a specialist cannot change it", as: "lin.wen", method: "PUT", path: policy, body: `{"resample_percent":50}`, status: 403, code: "forbidden", same: []string{policy}},
			{name: "a share out of range", as: "manager", method: "PUT", path: policy, body: `{"resample_percent":0}`,
				status: 400, code: "invalid", field: "resample_percent", same: []string{policy}},
			{name: "a share as a string", as: "manager", method: "PUT", path: policy, body: `{"resample_percent":"30"}`,
				status: 400, code: "invalid", field: "resample_percent", same: []string{policy}},
			{name: "the manager changes one rule; the others are kept", as: "manager", method: "PUT", path: policy, body: `{"major_reply_working_days":2}`, status: 200,
				check: func(t *testing.T, r response) {
					if p := r.obj(t); num(p["major_reply_working_days"]) != 2 || num(p["complaint_callback_days"]) != 2 || num(p["resample_percent"]) != 20 {
						t.Errorf("policy %v", p)
					}
				}},
			{name: "and back", as: "admin", method: "PUT", path: policy, body: `{"major_reply_working_days":1}`, status: 200},
		})

		// A callback done this quarter.
		tk := e.must(t, 201, "lin.wen", "POST", "/api/v1/tickets", map[string]any{"customer_id": cust["id"], "type": "repair", "channel": "phone_in"}).obj(t)
		id := tk["id"].(string)
		for v, to := range []string{"acknowledged", "in_progress", "resolved"} {
			e.must(t, 200, "lin.wen", "POST", "/api/v1/tickets/"+id+"/transitions", map[string]any{"version": v + 1, "to": to})
		}
		cb := objects(t, e.ticket(t, id)["callbacks"])[0]["id"].(string)
		e.must(t, 200, "lin.wen", "POST", "/api/v1/callbacks/"+cb, map[string]any{"version": 1, "result": "正常", "satisfaction": 4})

		sample := "/api/v1/resamples/{{quarter}}"
		e.run(t, vars, []scenario{
			{name: "a specialist cannot draw the sample", as: "lin.wen", method: "POST", path: sample, status: 403, code: "forbidden"},
			{name: "the executive cannot draw it", as: "gm", method: "POST", path: sample, status: 403, code: "forbidden"},
			{name: "a bad quarter names it", as: "manager", method: "POST", path: "/api/v1/resamples/2026Q9", status: 400, code: "invalid", field: "quarter"},
			{name: "the manager draws the sample", as: "manager", method: "POST", path: sample, status: 200,
				check: func(t *testing.T, r response) {
					s := r.obj(t)
					items := objects(t, s["items"])
					if s["quarter"] != vars["quarter"] || len(items) == 0 || num(s["done"])+num(s["pending"]) != int64(len(items)) {
						t.Fatalf("sample %v", s)
					}
					for _, it := range items {
						if it["done_at"] == nil {
							vars["item"] = it["id"].(string)
						}
					}
				}},
			{name: "drawing again returns the same sample", as: "manager", method: "POST", path: sample, status: 200, same: []string{sample}},
			{name: "a specialist cannot read it", as: "lin.wen", method: "GET", path: sample, status: 403, code: "forbidden"},
		})
		if vars["item"] == "" {
			t.Skip("every sampled callback was re-called already (a repeated run on the same app)")
		}
		e.run(t, vars, []scenario{
			{name: "a re-call without result", as: "manager", method: "POST", path: "/api/v1/resamples/items/{{item}}", body: `{"version":1,"satisfaction":4}`,
				status: 400, code: "invalid", field: "result", same: []string{sample}},
			{name: "a re-call at a stale version", as: "manager", method: "POST", path: "/api/v1/resamples/items/{{item}}", body: `{"version":2,"result":"满意","satisfaction":4}`,
				status: 409, code: "conflict", field: "version", same: []string{sample}},
			{name: "a specialist cannot record it", as: "lin.wen", method: "POST", path: "/api/v1/resamples/items/{{item}}", body: `{"version":1,"result":"满意","satisfaction":4}`,
				status: 403, code: "forbidden", same: []string{sample}},
			{name: "the manager records the re-call", as: "manager", method: "POST", path: "/api/v1/resamples/items/{{item}}",
				body: `{"version":1,"result":"客户确认已回访，满意","satisfaction":5}`, status: 200,
				check: func(t *testing.T, r response) {
					if rs := r.obj(t); rs["done_at"] == nil || num(rs["satisfaction"]) != 5 || num(rs["version"]) != 2 {
						t.Errorf("re-call %v", rs)
					}
				}},
			{name: "the sample shows it done", as: "manager", method: "GET", path: sample, status: 200,
				check: func(t *testing.T, r response) {
					s := r.obj(t)
					if !slices.ContainsFunc(objects(t, s["items"]), func(it map[string]any) bool { return it["id"] == vars["item"] && it["done_at"] != nil }) ||
						num(s["done"]) < 1 {
						t.Errorf("sample %v", s)
					}
				}},
		})
	})
}
