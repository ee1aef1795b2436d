package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"testing"
	"time"
)

// TestCommsImportQueueAndPolicyAPI: a call log imported in two steps
// (dry run, apply) and again (nothing new), the missed call on the queue,
// the no-contact report, the response targets.
func TestCommsImportQueueAndPolicyAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		custID, phone := e.newCustomerWithPhone(t, unique("话单客户"))
		at := e.today().Add(-5 * time.Minute)
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.WriteAll([][]string{{"主叫号码", "被叫号码", "开始时间", "是否接通", "通话时长"},
			{phone, "8001", at.Format("2006-01-02 15:04:05"), "否", "0"},
			{"01012345678", "8001", "2026-13-01 10:00", "是", "10"}})
		file := func() part { return part{name: "file", fileName: "话单.csv", content: bytes.NewReader(b.Bytes())} }
		vars := map[string]string{"cust": custID}
		var key string
		e.run(t, vars, []scenario{
			{name: "a specialist cannot import call logs", as: "lin.wen", method: "POST", path: "/api/v1/imports/communications",
				form: []part{file(), field("kind", "pbx")}, status: 403},
			{name: "a dry run with a bad row, skipping it", as: "jiang.xin", method: "POST", path: "/api/v1/imports/communications",
				form:   []part{file(), field("kind", "pbx"), field("mode", "skip"), field("dry_run", "true"), field("source", "总机")},
				status: 200, check: func(t *testing.T, r response) {
					o := r.obj(t)
					key = o["key"].(string)
					errs := o["errors"].([]any)
					if num(o["created"]) != 1 || len(errs) != 1 || num(errs[0].(map[string]any)["row"]) != 3 || o["applied"] != false {
						t.Errorf("dry run %v", o)
					}
					if h := fmt.Sprint(o["headers"]); h != "[主叫号码 被叫号码 开始时间 是否接通 通话时长]" {
						t.Errorf("dry run headers %s", h)
					}
				}},
		})
		vars["key"] = key
		e.run(t, vars, []scenario{
			{name: "apply the staged file", as: "jiang.xin", method: "POST", path: "/api/v1/imports/communications/{{key}}/apply",
				body: map[string]any{"kind": "pbx", "mode": "skip", "source": "总机", "name": "话单.csv"}, status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); num(o["created"]) != 1 || o["applied"] != true {
						t.Errorf("apply %v", o)
					}
				}},
			{name: "again: nothing new", as: "jiang.xin", method: "POST", path: "/api/v1/imports/communications/{{key}}/apply",
				body: map[string]any{"kind": "pbx", "mode": "skip", "source": "总机"}, status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); num(o["created"]) != 0 || num(o["unchanged"]) != 1 {
						t.Errorf("again %v", o)
					}
				}},
			{name: "the missed call is on the owner's queue", as: "lin.wen", method: "GET", path: "/api/v1/queue", status: 200,
				check: func(t *testing.T, r response) {
					found := false
					for _, it := range r.items(t) {
						if it["customer_id"] == vars["cust"] && it["kind"] == "missed_call" && num(it["seconds_left"]) > 0 {
							found = true
						}
					}
					if !found {
						t.Error("the missed call is not on the queue")
					}
				}},
			{name: "a technician has no queue", as: "ma.tao", method: "GET", path: "/api/v1/queue", status: 403},
			{name: "the call-log template", as: "jiang.xin", method: "GET", path: "/api/v1/imports/communications/template/pbx", status: 200,
				check: func(t *testing.T, r response) {
					if rows := xlsxRows(t, r); rows[0][0] != "主叫号码" || len(rows) != 3 {
						t.Errorf("template %v", rows)
					}
				}},
			{name: "an unknown template", as: "jiang.xin", method: "GET", path: "/api/v1/imports/communications/template/fax", status: 404},
			{name: "the no-contact report", as: "manager", method: "GET", path: "/api/v1/reports/no-contact", status: 200},
			{name: "a bad month names it", as: "manager", method: "GET", path: "/api/v1/reports/no-contact?month=2026-13", status: 400, code: "invalid", field: "month"},
			{name: "the response targets", as: "lin.wen", method: "GET", path: "/api/v1/settings/response-policy", status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); num(o["wechat"].(map[string]any)["limit_s"]) != 180 {
						t.Errorf("policy %v", o)
					}
				}},
			{name: "a specialist cannot change them", as: "lin.wen", method: "PUT", path: "/api/v1/settings/response-policy",
				body: map[string]any{"wechat": map[string]any{"limit_s": 600}}, status: 403},
			{name: "a near warning after the limit is refused", as: "manager", method: "PUT", path: "/api/v1/settings/response-policy",
				body: map[string]any{"wechat": map[string]any{"limit_s": 180, "near_s": 200}}, status: 400, code: "invalid", field: "wechat.near_s"},
		})
	})
}

// TestUnregisteredFlagAPI: the manager flags a matched record as a request
// never registered, and takes the flag back.
func TestUnregisteredFlagAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("未登记客户"))
		x := unique("wx-")
		res := e.must(t, 201, "jiang.xin", "POST", "/api/v1/communications", map[string]any{"external_id": x, "channel": "visit", "direction": "in",
			"occurred_at": e.today().Add(-time.Hour).Format(time.RFC3339), "customer_id": cust["id"], "summary": "客户来访要求检修"}).obj(t)
		vars := map[string]string{"id": res["results"].([]any)[0].(map[string]any)["id"].(string)}
		e.run(t, vars, []scenario{
			{name: "a specialist cannot flag", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{id}}/unregistered", body: map[string]any{"reason": "x"}, status: 403},
			{name: "a flag needs a reason", as: "manager", method: "POST", path: "/api/v1/communications/{{id}}/unregistered", body: map[string]any{}, status: 400, code: "invalid", field: "reason"},
			{name: "the manager flags it", as: "manager", method: "POST", path: "/api/v1/communications/{{id}}/unregistered", body: map[string]any{"reason": "来访报修未登记工单"}, status: 204},
			{name: "twice is a conflict", as: "manager", method: "POST", path: "/api/v1/communications/{{id}}/unregistered", body: map[string]any{"reason": "again"}, status: 409},
			{name: "the record shows the flag", as: "manager", method: "GET", path: "/api/v1/communications/{{id}}", status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); o["unregistered_at"] == nil || o["unregistered_reason"] != "来访报修未登记工单" {
						t.Errorf("record %v", o)
					}
				}},
			{name: "the manager takes it back", as: "manager", method: "DELETE", path: "/api/v1/communications/{{id}}/unregistered?reason=已补登", status: 204},
			{name: "an unknown record", as: "manager", method: "POST", path: "/api/v1/communications/01900000-0000-7000-8000-000000000000/unregistered", body: map[string]any{"reason": "x"}, status: 404},
		})
	})
}

// TestDeskExportsAPI: tickets, communication records and the satisfaction
// summary as XLSX, and the summary as JSON.
func TestDeskExportsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		header := func(first string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				if rows := xlsxRows(t, r); rows[0][0] != first {
					t.Errorf("header %v", rows[0])
				}
			}
		}
		e.run(t, map[string]string{}, []scenario{
			{name: "tickets", as: "manager", method: "GET", path: "/api/v1/tickets/export", status: 200, check: header("工单号")},
			{name: "communication records", as: "lin.wen", method: "GET", path: "/api/v1/communications/export", status: 200, check: header("时间")},
			{name: "satisfaction summary", as: "manager", method: "GET", path: "/api/v1/reports/satisfaction/export?month=2026-03", status: 200, check: header("来源")},
			{name: "the summary as JSON", as: "manager", method: "GET", path: "/api/v1/reports/satisfaction?month=2026-03", status: 200,
				check: func(t *testing.T, r response) {
					o := r.obj(t)
					if sv, _ := o["surveys"].(map[string]any); o["month"] != "2026-03" || o["total"] == nil || sv["total"] == nil {
						t.Errorf("summary %v", o)
					}
				}},
			{name: "a bad month names it", as: "manager", method: "GET", path: "/api/v1/reports/satisfaction?month=03-2026", status: 400, code: "invalid", field: "month"},
			{name: "a technician cannot export records", as: "ma.tao", method: "GET", path: "/api/v1/communications/export", status: 403},
			{name: "a bad status filter", as: "manager", method: "GET", path: "/api/v1/tickets/export?status=lost", status: 400, code: "invalid", field: "status"},
		})
	})
}
