package api_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestCommunicationsAPI: a machine feed posts a batch (idempotent on the
// external id), a specialist logs a record, records are listed, matched;
// roles, ownership and bad input.
func TestCommunicationsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("沟通客户")) // owned by lin.wen
		phone := fmt.Sprintf("139%08d", rand.IntN(100_000_000))
		contact := e.must(t, 201, "manager", "POST", "/api/v1/customers/"+cust["id"].(string)+"/contacts",
			map[string]any{"name": "王经理", "phone": phone}).obj(t)
		at := e.today().Add(-2 * time.Hour)
		x1, x2, x3 := unique("pbx-"), unique("pbx-"), unique("pbx-")
		vars := map[string]string{"cust": cust["id"].(string), "contact": contact["id"].(string), "x1": x1, "x2": x2, "x3": x3,
			"phone": phone, "t1": at.Format(time.RFC3339), "t2": at.Add(5 * time.Minute).Format("2006-01-02 15:04:05"),
			"future": e.today().Add(time.Hour).Format(time.RFC3339)}
		batch := `[{"external_id":"{{x1}}","channel":"phone_missed","occurred_at":"{{t1}}","counterpart":"{{phone}}"},
			{"external_id":"{{x2}}","channel":"phone_out","occurred_at":"{{t2}}","counterpart":"{{phone}}","staff_login":"lin.wen","duration_s":80},
			{"external_id":"{{x3}}","channel":"phone_in","occurred_at":"{{t2}}","counterpart":"010-55550000"}]`
		var first map[string]any
		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "POST", path: "/api/v1/communications", body: batch, status: 401, code: "unauthorized"},
			{name: "a specialist cannot feed records", as: "lin.wen", method: "POST", path: "/api/v1/communications", body: batch, status: 403, code: "forbidden"},
			{name: "the information centre feeds a batch", as: "jiang.xin", method: "POST", path: "/api/v1/communications", body: batch, status: 201,
				check: func(t *testing.T, r response) {
					first = r.obj(t)
					if num(first["created"]) != 3 || num(first["unmatched"]) != 1 {
						t.Errorf("ingest %v", first)
					}
				}},
			{name: "the same batch again changes nothing", as: "jiang.xin", method: "POST", path: "/api/v1/communications", body: batch, status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); num(o["created"]) != 0 || num(o["unchanged"]) != 3 {
						t.Errorf("again %v", o)
					}
				}},
			{name: "a known id with other content is a conflict", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body: `{"external_id":"{{x1}}","channel":"phone_missed","occurred_at":"{{t1}}","counterpart":"010-12345678"}`, status: 409, code: "conflict", field: "external_id"},
			{name: "one bad record refuses the batch, naming it", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body:   `[{"external_id":"ok-{{x1}}","channel":"sms","direction":"in","occurred_at":"{{t1}}"},{"external_id":"bad-{{x1}}","channel":"fax","occurred_at":"{{t1}}"}]`,
				status: 400, code: "invalid", field: "records[1].channel",
				same: []string{"/api/v1/communications?limit=500"}},
			{name: "a time in the future is refused", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body: `{"channel":"sms","direction":"in","occurred_at":"{{future}}"}`, status: 400, code: "invalid", field: "occurred_at"},
			{name: "a bad body is refused", as: "jiang.xin", method: "POST", path: "/api/v1/communications", body: `[{"channel":`, status: 400, code: "invalid", field: "body"},
			{name: "the matched call is the contact's", as: "manager", method: "GET", path: "/api/v1/communications?customer_id={{cust}}", status: 200,
				check: func(t *testing.T, r response) {
					items := r.items(t)
					if len(items) != 2 || items[0]["contact_id"] != vars["contact"] || items[0]["channel"] != "phone_out" || items[0]["staff_name"] == "" {
						t.Errorf("customer's records %v", items)
					}
				}},
			{name: "the specialist logs a visit", as: "lin.wen", method: "POST", path: "/api/v1/communications/log",
				body: map[string]any{"channel": "visit", "direction": "out", "occurred_at": "{{t1}}", "customer_id": "{{cust}}", "summary": "上门回访", "tags": []string{"callback"}}, status: 201},
			{name: "another specialist cannot log for this customer", as: "su.yue", method: "POST", path: "/api/v1/communications/log",
				body: map[string]any{"channel": "visit", "direction": "out", "occurred_at": "{{t1}}", "customer_id": "{{cust}}"}, status: 403},
			{name: "a technician cannot read records", as: "ma.tao", method: "GET", path: "/api/v1/communications", status: 403},
			{name: "a bad channel filter names it", as: "manager", method: "GET", path: "/api/v1/communications?channel=fax", status: 400, code: "invalid", field: "channel"},
		})
		unmatched := ""
		for _, r := range first["results"].([]any) {
			if m := r.(map[string]any); m["matched"] == false {
				unmatched = m["id"].(string)
			}
		}
		vars["u"] = unmatched
		e.run(t, vars, []scenario{
			{name: "the unmatched call is listed", as: "manager", method: "GET", path: "/api/v1/communications?unmatched=true&limit=500", status: 200,
				check: func(t *testing.T, r response) {
					found := false
					for _, it := range r.items(t) {
						found = found || it["id"] == vars["u"]
					}
					if !found {
						t.Error("the unmatched record is not listed")
					}
				}},
			{name: "another specialist cannot match it to this customer", as: "su.yue", method: "POST", path: "/api/v1/communications/{{u}}/match",
				body: map[string]any{"customer_id": "{{cust}}"}, status: 403},
			{name: "the owner matches it", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{u}}/match",
				body: map[string]any{"customer_id": "{{cust}}"}, status: 200},
			{name: "it cannot be matched twice", as: "manager", method: "POST", path: "/api/v1/communications/{{u}}/match",
				body: map[string]any{"customer_id": "{{cust}}"}, status: 409},
			{name: "one record", as: "lin.wen", method: "GET", path: "/api/v1/communications/{{u}}", status: 200},
		})
	})
}
