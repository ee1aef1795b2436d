package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestFieldworkAPI: a specialist makes the project of a contract of a
// customer they own, cannot dispatch it while its items miss part of the
// contract, the manager overrides with a reason, the dispatch plans the
// year's work; a work order is dispatched to the region's group, returned
// by a technician sent on it (dispatch_error), corrected and sent again,
// completed; roles, ownership, bad input and stale versions are refused
// without change.
func TestFieldworkAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("API 立项客户"))
		today := e.today().Format("2006-01-02")
		contract := e.must(t, http.StatusCreated, "lin.wen", http.MethodPost, "/api/v1/contracts", map[string]any{
			"number": unique("WB-API-"), "customer_id": cust["id"], "kind": "maintenance", "title": "维保", "signed_on": today,
			"received_on": today, "start_on": today, "end_on": e.today().AddDate(1, 0, -1).Format("2006-01-02"), "amount_fen": 0, "activate": true,
			"scope": []map[string]any{
				{"equipment": "冷水机组 1#", "service_type": "inspection", "frequency": "monthly", "times": 1},
				{"equipment": "空调箱", "service_type": "seasonal", "frequency": "seasonal", "times": 1},
			}}).obj(t)
		vars := map[string]string{"contract": contract["id"].(string), "customer": cust["id"].(string), "ma": e.staff["ma.tao"],
			"song": e.staff["song.kai"], "planned": e.today().AddDate(0, 0, 10).Format("2006-01-02")}
		project := map[string]any{"contract_id": "{{contract}}", "verified_with": "region_head", "verifier_name": "杜刚",
			"verified_at": e.today().Add(-time.Hour).Format("2006-01-02 15:04"), "verify_result": "confirmed",
			"items": []map[string]any{{"equipment": "冷水机组 1#", "service_type": "inspection", "frequency": "monthly"}}}
		pp, wp := "/api/v1/projects/{{project}}", "/api/v1/work-orders/{{order}}"
		order := map[string]any{"type": "construction", "customer_id": "{{customer}}", "content": "更换冷却塔填料", "planned_on": "{{planned}}",
			"contact_name": "李工", "contact_phone": "13900000001"}
		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "GET", path: "/api/v1/projects", status: 401, code: "unauthorized"},
			{name: "finance cannot read projects", as: "xu.jing", method: "GET", path: "/api/v1/projects", status: 403, code: "forbidden"},
			{name: "a technician cannot make a project", as: "ma.tao", method: "POST", path: "/api/v1/projects", body: project, status: 403, code: "forbidden"},
			{name: "another specialist's customer", as: "su.yue", method: "POST", path: "/api/v1/projects", body: project, status: 403, code: "forbidden"},
			{name: "no contract", as: "lin.wen", method: "POST", path: "/api/v1/projects", body: map[string]any{"verify_result": "confirmed"}, status: 400, code: "invalid", field: "contract_id"},
			{name: "an unknown verifier", as: "lin.wen", method: "POST", path: "/api/v1/projects", body: with(project, "verified_with", "boss"), status: 400, code: "invalid", field: "verified_with"},
			{name: "the specialist makes the project, one line short", as: "lin.wen", method: "POST", path: "/api/v1/projects", body: project, status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					cov := d["coverage"].(map[string]any)
					if d["coverage_ok"] != false || len(cov["missing"].([]any)) != 1 || d["dispatched_at"] != nil {
						t.Fatalf("project %v", d)
					}
					vars["project"] = d["id"].(string)
				}},
			{name: "dispatch with a gap is refused", as: "lin.wen", method: "POST", path: pp + "/dispatch", body: `{"version":1}`, status: 400, code: "invalid", field: "items", same: []string{pp}},
			{name: "a specialist cannot override", as: "lin.wen", method: "POST", path: pp + "/override", body: `{"version":1,"reason":"x"}`, status: 403, code: "forbidden", same: []string{pp}},
			{name: "an override needs a reason", as: "manager", method: "POST", path: pp + "/override", body: `{"version":1,"reason":""}`, status: 400, code: "invalid", field: "reason", same: []string{pp}},
			{name: "the manager overrides", as: "manager", method: "POST", path: pp + "/override", body: `{"version":1,"reason":"换季保养由业主自管，补充协议在签"}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["coverage_ok"] != true || num(d["version"]) != 2 {
						t.Fatalf("after the override %v", d)
					}
				}},
			{name: "a stale dispatch", as: "lin.wen", method: "POST", path: pp + "/dispatch", body: `{"version":1}`, status: 409, code: "conflict", field: "version", same: []string{pp}},
			{name: "the specialist dispatches the project: a year of monthly inspections planned", as: "lin.wen", method: "POST", path: pp + "/dispatch", body: `{"version":2}`, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					wos := objects(t, d["work_orders"])
					if d["dispatched_at"] == nil || len(wos) < 12 || len(wos) > 13 || wos[0]["status"] != "planned" || wos[0]["type"] != "inspection" {
						t.Fatalf("dispatched project %v with %d orders", d["dispatched_at"], len(wos))
					}
				}},
			{name: "a work order with a bad date", as: "lin.wen", method: "POST", path: "/api/v1/work-orders", body: with(order, "planned_on", "下周"), status: 400, code: "invalid", field: "planned_on"},
			{name: "the specialist creates a work order", as: "lin.wen", method: "POST", path: "/api/v1/work-orders", body: order, status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "planned" || d["dispatch_due"] == nil || d["site_address"] == "" {
						t.Fatalf("work order %v", d)
					}
					vars["order"] = d["id"].(string)
				}},
			{name: "a technician cannot dispatch", as: "ma.tao", method: "POST", path: wp + "/dispatch", body: `{"version":1}`, status: 403, code: "forbidden", same: []string{wp}},
			{name: "the specialist dispatches to 国贸维修项目组", as: "lin.wen", method: "POST", path: wp + "/dispatch", body: `{"version":1,"technician_ids":["{{ma}}"]}`, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "dispatched" || d["group_name"] != "国贸维修项目组" || len(objects(t, d["technicians"])) != 1 {
						t.Fatalf("dispatched %v", d)
					}
				}},
			{name: "a technician not sent cannot return it", as: "song.kai", method: "POST", path: wp + "/return",
				body: `{"version":2,"fields":["site_address"],"points":1,"reason":"地址错"}`, status: 403, code: "forbidden", same: []string{wp}},
			{name: "three points is not a choice", as: "ma.tao", method: "POST", path: wp + "/return",
				body: `{"version":2,"fields":["site_address"],"points":3,"reason":"地址错"}`, status: 400, code: "invalid", field: "points", same: []string{wp}},
			{name: "the technician sent returns it", as: "ma.tao", method: "POST", path: wp + "/return",
				body: `{"version":2,"fields":["site_address","contact"],"points":2,"reason":"地址应为一期，联系人已离职"}`, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					rets := objects(t, d["returns"])
					if d["status"] != "returned" || len(rets) != 1 || num(rets[0]["points"]) != 2 {
						t.Fatalf("returned %v", d)
					}
				}},
			{name: "the specialist corrects it", as: "lin.wen", method: "PUT", path: wp, body: `{"version":3,"site_address":"国贸一期 B2","contact_name":"赵工"}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["site_address"] != "国贸一期 B2" || d["content"] != "更换冷却塔填料" || d["status"] != "returned" {
						t.Fatalf("corrected %v", d)
					}
				}},
			{name: "and sends it again", as: "lin.wen", method: "POST", path: wp + "/dispatch", body: `{"version":4,"technician_ids":["{{ma}}","{{song}}"]}`, status: 200},
			{name: "completion in the future is refused", as: "ma.tao", method: "POST", path: wp + "/complete", body: `{"version":5,"at":"2099-01-01 10:00"}`, status: 400, code: "invalid", field: "completed_at", same: []string{wp}},
			{name: "the technician reports it done", as: "ma.tao", method: "POST", path: wp + "/complete", body: `{"version":5}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["status"] != "completed" || d["completed_at"] == nil {
						t.Fatalf("completed %v", d)
					}
				}},
			{name: "the technician's list has it", as: "ma.tao", method: "GET", path: "/api/v1/work-orders?status=completed", status: 200,
				check: func(t *testing.T, r response) {
					found := false
					for _, it := range r.items(t) {
						found = found || it["id"] == vars["order"]
					}
					if !found {
						t.Fatal("the completed order is not on the technician's list")
					}
				}},
			{name: "another specialist reads it (read-all) but cannot cancel it", as: "su.yue", method: "POST", path: wp + "/cancel",
				body: `{"version":6,"reason":"客户取消"}`, status: 403, code: "forbidden", same: []string{wp}},
			{name: "done work cannot be cancelled", as: "lin.wen", method: "POST", path: wp + "/cancel",
				body: `{"version":6,"reason":"客户取消"}`, status: 400, code: "invalid", field: "status", same: []string{wp}},
			{name: "the board", as: "du.gang", method: "GET", path: "/api/v1/dispatch-board?from={{planned}}", status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if days := objects(t, d["days"]); len(days) != 7 || days[0]["day"] != vars["planned"] {
						t.Fatalf("board %v", d)
					}
				}},
			{name: "a board of two months", as: "manager", method: "GET", path: "/api/v1/dispatch-board?from=2026-01-01&to=2026-03-31", status: 400, code: "invalid", field: "to"},
			{name: "a specialist cannot change the rules", as: "lin.wen", method: "PUT", path: "/api/v1/fieldwork/settings", body: `{"dispatch":{"repair_minutes":60}}`, status: 403, code: "forbidden"},
			{name: "a bad rule", as: "manager", method: "PUT", path: "/api/v1/fieldwork/settings", body: `{"dispatch":{"repair_minutes":0}}`, status: 400, code: "invalid", field: "dispatch.repair_minutes"},
			{name: "the manager derives the events", as: "manager", method: "POST", path: "/api/v1/fieldwork/derive", status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); num(d["dispatch_errors"]) < 1 {
						t.Fatalf("counts %v: want the return counted", d)
					}
				}},
		})
	})
}

// TestFieldworkProgressAPI: the technician sent reports the day, the
// specialist records the reminder and the group feedback, reviews and
// submits the day's summary, records a quality problem and forwards it;
// the month's summary and statistics read back (and export); roles and
// bad input are refused.
func TestFieldworkProgressAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("API 跟进客户"))
		today := e.today().Format("2006-01-02")
		w := e.must(t, http.StatusCreated, "lin.wen", http.MethodPost, "/api/v1/work-orders", map[string]any{
			"type": "repair", "customer_id": cust["id"], "content": "2# 冷机高压报警", "planned_on": today}).obj(t)
		e.must(t, http.StatusOK, "lin.wen", http.MethodPost, "/api/v1/work-orders/"+w["id"].(string)+"/dispatch",
			map[string]any{"version": 1, "technician_ids": []string{e.staff["ma.tao"]}})
		vars := map[string]string{"order": w["id"].(string), "customer": cust["id"].(string), "today": today, "month": today[:7],
			"lin": e.staff["lin.wen"], "ma": e.staff["ma.tao"]}
		e.run(t, vars, []scenario{
			{name: "a technician not sent cannot report", as: "song.kai", method: "POST", path: "/api/v1/work-orders/{{order}}/reports",
				body: `{"status":"done","notes":"x"}`, status: 403, code: "forbidden"},
			{name: "a bad status", as: "ma.tao", method: "POST", path: "/api/v1/work-orders/{{order}}/reports",
				body: `{"status":"finished"}`, status: 400, code: "invalid", field: "status"},
			{name: "the technician reports the day", as: "ma.tao", method: "POST", path: "/api/v1/work-orders/{{order}}/reports",
				body: `{"status":"in_progress","notes":"更换高压开关，明日试机"}`, status: 201},
			{name: "the reports", as: "lin.wen", method: "GET", path: "/api/v1/work-orders/{{order}}/reports", status: 200,
				check: func(t *testing.T, r response) {
					if items := r.items(t); len(items) != 1 || items[0]["status"] != "in_progress" {
						t.Fatalf("reports %v", items)
					}
				}},
			{name: "a technician cannot record follow-ups", as: "ma.tao", method: "POST", path: "/api/v1/followups",
				body: `{"customer_id":"{{customer}}","kind":"reminder","day":"{{today}}"}`, status: 403, code: "forbidden"},
			{name: "an unknown kind", as: "lin.wen", method: "POST", path: "/api/v1/followups",
				body: `{"customer_id":"{{customer}}","kind":"visit","day":"{{today}}"}`, status: 400, code: "invalid", field: "kind"},
			{name: "the reminder", as: "lin.wen", method: "POST", path: "/api/v1/followups",
				body: `{"customer_id":"{{customer}}","work_order_id":"{{order}}","kind":"reminder","day":"{{today}}","note":"提醒马涛带高压开关"}`, status: 201},
			{name: "the group feedback", as: "lin.wen", method: "POST", path: "/api/v1/followups",
				body: `{"customer_id":"{{customer}}","work_order_id":"{{order}}","kind":"group_feedback","day":"{{today}}","note":"已在客户群反馈进度"}`, status: 201},
			{name: "both on record", as: "lin.wen", method: "GET", path: "/api/v1/followups?customer_id={{customer}}", status: 200,
				check: func(t *testing.T, r response) {
					if n := len(r.items(t)); n != 2 {
						t.Fatalf("%d follow-ups, want 2", n)
					}
				}},
			{name: "the day's summary lists the work", as: "lin.wen", method: "GET", path: "/api/v1/daily-summaries/{{today}}", status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					found := false
					for _, l := range objects(t, d["lines"]) {
						found = found || l["work_order_id"] == vars["order"]
					}
					if !found {
						t.Fatalf("summary %v lacks the work order", d)
					}
					vars["sv"] = fmt.Sprint(num(d["version"]))
				}},
			{name: "another specialist cannot read it", as: "su.yue", method: "GET", path: "/api/v1/daily-summaries/{{today}}?staff_id={{lin}}", status: 403, code: "forbidden"},
			{name: "the specialist submits it", as: "lin.wen", method: "POST", path: "/api/v1/daily-summaries/{{today}}/submit",
				body: `{"version":{{sv}},"note":"已审核"}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["submitted"] == nil || d["submitted"] == false {
						t.Fatalf("submitted %v", d["submitted"])
					}
				}},
			{name: "a problem without evidence", as: "lin.wen", method: "POST", path: "/api/v1/problems",
				body: `{"work_order_id":"{{order}}","type":"quality","description":"试机后仍报警"}`, status: 400, code: "invalid", field: "evidence"},
			{name: "a quality problem", as: "lin.wen", method: "POST", path: "/api/v1/problems",
				body: `{"work_order_id":"{{order}}","type":"quality","technician_id":"{{ma}}","description":"试机后仍报警","evidence":"客户群截图 12:05"}`, status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["forward_due"] == nil || d["group_id"] == nil {
						t.Fatalf("problem %v", d)
					}
					vars["problem"] = d["id"].(string)
				}},
			{name: "forwarded to the technician", as: "lin.wen", method: "POST", path: "/api/v1/problems/{{problem}}/forward",
				body: `{"version":1,"to_staff_id":"{{ma}}","note":"请复查高压开关"}`, status: 200},
			{name: "the month's statistics count it", as: "manager", method: "GET", path: "/api/v1/fieldwork/statistics?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); len(objects(t, d["by_technician"])) == 0 {
						t.Fatalf("statistics %v", d)
					}
				}},
			{name: "the statistics export", as: "manager", method: "GET", path: "/api/v1/fieldwork/statistics/export?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					if !bytes.HasPrefix(r.body, []byte("PK")) {
						t.Fatal("not an XLSX file")
					}
				}},
			{name: "the month's summary", as: "lin.wen", method: "GET", path: "/api/v1/monthly-summaries/{{month}}", status: 200},
			{name: "a bad month", as: "lin.wen", method: "GET", path: "/api/v1/monthly-summaries/三月", status: 400, code: "invalid", field: "month"},
			{name: "a specialist cannot change the progress rules", as: "lin.wen", method: "PUT", path: "/api/v1/fieldwork/progress-policy",
				body: `{"summary_due_hour":18}`, status: 403, code: "forbidden"},
			{name: "the manager derives the progress events", as: "manager", method: "POST", path: "/api/v1/fieldwork/derive-progress", status: 200},
		})
	})
}
