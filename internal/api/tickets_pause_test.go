package api_test

import (
	"fmt"
	"testing"
)

// TestTicketPauseAPI: waiting on the customer pauses a ticket with a
// reason; resuming ends it; refusals name the field.
func TestTicketPauseAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("暂停客户"))
		tk := e.must(t, 201, "lin.wen", "POST", "/api/v1/tickets", map[string]any{"customer_id": cust["id"], "type": "repair", "channel": "phone_in"}).obj(t)
		vars := map[string]string{"id": tk["id"].(string), "v": fmt.Sprint(num(tk["version"]))}
		var version float64
		e.run(t, vars, []scenario{
			{name: "a pause needs a reason", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{id}}/pause", body: `{"version":{{v}}}`, status: 400, code: "invalid", field: "reason"},
			{name: "another specialist cannot pause it", as: "su.yue", method: "POST", path: "/api/v1/tickets/{{id}}/pause", body: `{"version":{{v}},"reason":"x"}`, status: 403},
			{name: "the owner pauses it", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{id}}/pause", body: `{"version":{{v}},"reason":"等客户确认维修方案"}`, status: 200,
				check: func(t *testing.T, r response) {
					o := r.obj(t)
					if o["paused_at"] == nil {
						t.Errorf("not paused: %v", o)
					}
					version = o["version"].(float64)
				}},
		})
		vars["v"] = fmt.Sprint(int64(version))
		e.run(t, vars, []scenario{
			{name: "twice is refused", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{id}}/pause", body: `{"version":{{v}},"reason":"again"}`, status: 400, code: "invalid", field: "status"},
			{name: "a stale version", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{id}}/resume", body: `{"version":1}`, status: 409},
			{name: "resume", as: "lin.wen", method: "POST", path: "/api/v1/tickets/{{id}}/resume", body: `{"version":{{v}}}`, status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); o["paused_at"] != nil {
						t.Errorf("still paused: %v", o)
					}
				}},
		})
	})
}
