package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestNotificationsAPI: the reminder job (managers only) notifies a
// specialist of their contracts and quotes; each caller reads and marks
// only their own notifications, and /me counts the unread ones.
func TestNotificationsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		login, sid := e.newSpecialist(t, unique("提醒专员"))
		cust := e.must(t, 201, "manager", "POST", "/api/v1/customers", map[string]any{"name": unique("提醒客户"), "class": "B",
			"region_id": e.regionID(t, "国贸"), "owner_id": sid}).obj(t)
		// In its renewal window (ends in 30 days), its first installment 5 days overdue.
		e.newContract(t, "manager", with(contractBody(cust["id"].(string), strings.ToUpper(unique("TX-")), e.daysAgo(335), e.daysAgo(-30), e.daysAgo(5)),
			"activate", true))
		need := e.must(t, 201, login, "POST", "/api/v1/needs", map[string]any{"customer_id": cust["id"], "title": "加装新风"}).obj(t)
		e.must(t, 201, login, "POST", "/api/v1/needs/"+need["id"].(string)+"/quotes",
			quoteBody(strings.ToUpper(unique("BJ-")), "sent_at", e.today().AddDate(0, 0, -20).Format(time.RFC3339)))
		vars := map[string]string{"sid": sid}
		mine := "/api/v1/notifications?limit=200"
		unread := func(want int64) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				if n := num(r.obj(t)["unread_notifications"]); n != want {
					t.Errorf("unread_notifications = %d, want %d", n, want)
				}
			}
		}
		var first string
		e.run(t, vars, []scenario{
			{name: "a specialist cannot run the reminders", as: "lin.wen", method: "POST", path: "/api/v1/reminders/run", status: 403, code: "forbidden"},
			{name: "finance cannot run the reminders", as: "xu.jing", method: "POST", path: "/api/v1/reminders/run", status: 403, code: "forbidden"},
			{name: "the executive cannot run the reminders", as: "gm", method: "POST", path: "/api/v1/reminders/run", status: 403, code: "forbidden"},
			{name: "anonymous cannot run the reminders", method: "POST", path: "/api/v1/reminders/run", status: 401, code: "unauthorized"},
			{name: "nothing yet", as: login, method: "GET", path: "/api/v1/me", status: 200, check: unread(0)},
			{name: "the manager runs the reminders", as: "manager", method: "POST", path: "/api/v1/reminders/run", status: 200,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if num(c["renewal_window"]) < 1 || num(c["overdue"]) < 1 || num(c["quote_follow_up"]) < 1 {
						t.Errorf("counts %v", c)
					}
				}},
			{name: "the specialist has three unread", as: login, method: "GET", path: "/api/v1/me", status: 200, check: unread(3)},
			{name: "the specialist's notifications", as: login, method: "GET", path: mine, status: 200,
				check: func(t *testing.T, r response) {
					ns := r.items(t)
					var kinds []string
					for _, n := range ns {
						kinds = append(kinds, n["kind"].(string))
						if n["recipient_id"] != sid || n["read_at"] != nil || n["title"] == "" || n["link"] == "" {
							t.Errorf("notification %v", n)
						}
					}
					slices.Sort(kinds)
					if !slices.Equal(kinds, []string{"installment_overdue", "quote_follow_up", "renewal_window"}) {
						t.Fatalf("kinds %v", kinds)
					}
					first = ns[0]["id"].(string)
					vars["first"] = first
				}},
			{name: "the admin may run them again: nothing is added twice", as: "admin", method: "POST", path: "/api/v1/reminders/run", status: 200},
			{name: "still three", as: login, method: "GET", path: mine, status: 200,
				check: func(t *testing.T, r response) {
					if ns := r.items(t); len(ns) != 3 {
						t.Errorf("%d notifications", len(ns))
					}
				}},
			{name: "another's list has none of them", as: "lin.wen", method: "GET", path: mine, status: 200,
				check: func(t *testing.T, r response) {
					for _, n := range r.items(t) {
						if n["recipient_id"] != e.staff["lin.wen"] {
							t.Errorf("lin.wen sees %v", n)
						}
					}
				}},
			{name: "another cannot mark it read", as: "lin.wen", method: "POST", path: "/api/v1/notifications/{{first}}/read", status: 404},
			{name: "it is still unread", as: login, method: "GET", path: "/api/v1/me", status: 200, check: unread(3)},
			{name: "the specialist marks it read", as: login, method: "POST", path: "/api/v1/notifications/{{first}}/read", status: 204},
			{name: "two unread", as: login, method: "GET", path: "/api/v1/me", status: 200, check: unread(2)},
			{name: "unread only", as: login, method: "GET", path: "/api/v1/notifications?unread_only=true", status: 200,
				check: func(t *testing.T, r response) {
					ns := r.items(t)
					if len(ns) != 2 || slices.ContainsFunc(ns, func(n map[string]any) bool { return n["id"] == first }) {
						t.Errorf("unread %v", ns)
					}
				}},
			{name: "the read one has its time", as: login, method: "GET", path: "/api/v1/notifications?limit=3", status: 200,
				check: func(t *testing.T, r response) {
					for _, n := range r.items(t) {
						if (n["id"] == first) != (n["read_at"] != nil) {
							t.Errorf("notification %v", n)
						}
					}
				}},
			{name: "marking all read", as: login, method: "POST", path: "/api/v1/notifications/read-all", status: 204},
			{name: "none unread", as: login, method: "GET", path: "/api/v1/me", status: 200, check: unread(0)},
			{name: "a bad unread_only names it", as: login, method: "GET", path: "/api/v1/notifications?unread_only=perhaps", status: 400, code: "invalid", field: "unread_only"},
			{name: "a bad limit names it", as: login, method: "GET", path: "/api/v1/notifications?limit=0", status: 400, code: "invalid", field: "limit"},
			{name: "anonymous has no notifications", method: "GET", path: "/api/v1/notifications", status: 401, code: "unauthorized"},
			{name: "anonymous cannot mark all read", method: "POST", path: "/api/v1/notifications/read-all", status: 401, code: "unauthorized"},
		})
	})
}
