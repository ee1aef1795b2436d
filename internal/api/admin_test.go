package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCalendarAPI: working-hours settings and the holidays table.
func TestCalendarAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		year := "2031"
		if e.db == "postgres" {
			year = "2032" // the two databases are separate, but keep their files apart too
		}
		vars := map[string]string{"y": year}
		csvFile := "date,name,kind\n" + year + "-01-01,元旦,休\n" + year + "-02-08,春节调休,班\n"
		e.run(t, vars, []scenario{
			{name: "settings", as: "manager", method: "GET", path: "/api/v1/calendar/settings", status: 200,
				check: func(t *testing.T, r response) {
					st := r.obj(t)
					if st["time_zone"] != "Asia/Shanghai" || len(st["weekdays"].([]any)) != 5 {
						t.Errorf("settings %v", st)
					}
				}},
			{name: "a technician cannot read settings", as: "ma.tao", method: "GET", path: "/api/v1/calendar/settings", status: 403, code: "forbidden"},
			{name: "a manager cannot change settings", as: "manager", method: "PUT", path: "/api/v1/calendar/settings", status: 403, code: "forbidden",
				body: `{"windows":["08:30-12:00"]}`},
			{name: "a bad window names it", as: "admin", method: "PUT", path: "/api/v1/calendar/settings", status: 400, code: "invalid", field: "windows",
				body: `{"windows":["25:00-26:00"]}`, same: []string{"/api/v1/calendar/settings"}},
			{name: "a bad time zone names it", as: "admin", method: "PUT", path: "/api/v1/calendar/settings", status: 400, code: "invalid", field: "time_zone",
				body: `{"time_zone":"Mars/Base"}`, same: []string{"/api/v1/calendar/settings"}},
			{name: "lunch break; left-out fields are kept", as: "admin", method: "PUT", path: "/api/v1/calendar/settings", status: 200,
				body: `{"windows":["08:30-12:00","13:00-17:30"]}`,
				check: func(t *testing.T, r response) {
					st := r.obj(t)
					if !slices.Equal(st["windows"].([]any), []any{"08:30-12:00", "13:00-17:30"}) || len(st["weekdays"].([]any)) != 5 {
						t.Errorf("settings %v", st)
					}
				}},
			{name: "this year's holidays are seeded", as: "su.yue", method: "GET", path: "/api/v1/calendar/holidays?year=2026", status: 200,
				check: func(t *testing.T, r response) {
					hs := r.items(t)
					if len(hs) < 20 || !slices.ContainsFunc(hs, func(h map[string]any) bool { return h["day"] == "2026-01-01" && h["kind"] == "holiday" }) ||
						!slices.ContainsFunc(hs, func(h map[string]any) bool { return h["kind"] == "workday" }) {
						t.Errorf("2026 holidays: %v", hs)
					}
				}},
			{name: "a bad year names it", as: "manager", method: "GET", path: "/api/v1/calendar/holidays?year=abc", status: 400, code: "invalid", field: "year"},
			{name: "set a day", as: "admin", method: "PUT", path: "/api/v1/calendar/holidays/{{y}}-10-01", status: 200,
				body: map[string]any{"name": "国庆节", "kind": "holiday"},
				check: func(t *testing.T, r response) {
					if h := r.obj(t); h["day"] != year+"-10-01" || h["name"] != "国庆节" || h["source"] != "admin" {
						t.Errorf("holiday %v", h)
					}
				}},
			{name: "a bad kind names it", as: "admin", method: "PUT", path: "/api/v1/calendar/holidays/{{y}}-10-02", status: 400, code: "invalid", field: "kind",
				body: map[string]any{"name": "x", "kind": "party"}, same: []string{"/api/v1/calendar/holidays?year={{y}}"}},
			{name: "a bad day names it", as: "admin", method: "PUT", path: "/api/v1/calendar/holidays/tomorrow", status: 400, code: "invalid", field: "day",
				body: map[string]any{"name": "x", "kind": "holiday"}},
			{name: "delete the day", as: "admin", method: "DELETE", path: "/api/v1/calendar/holidays/{{y}}-10-01", status: 204},
			{name: "deleting it again is 404", as: "admin", method: "DELETE", path: "/api/v1/calendar/holidays/{{y}}-10-01", status: 404, code: "not_found", field: "day"},
			{name: "a bad CSV changes nothing and names the file", as: "admin", method: "POST", path: "/api/v1/calendar/holidays/import", status: 400,
				code: "invalid", field: "file", form: []part{file("file", "h.csv", []byte(csvFile+year+"-13-01,坏日期,休\n"))},
				same: []string{"/api/v1/calendar/holidays?year={{y}}"}},
			{name: "import a CSV file", as: "admin", method: "POST", path: "/api/v1/calendar/holidays/import", status: 200,
				form: []part{file("file", "h.csv", []byte(csvFile))},
				check: func(t *testing.T, r response) {
					if n := num(r.obj(t)["imported"]); n != 2 {
						t.Errorf("imported %d", n)
					}
					hs := e.must(t, 200, "admin", "GET", "/api/v1/calendar/holidays?year="+year, nil).items(t)
					if len(hs) != 2 || hs[1]["kind"] != "workday" || hs[1]["source"] != "import" {
						t.Errorf("holidays %v", hs)
					}
				}},
			{name: "a JSON body is not a CSV", as: "admin", method: "POST", path: "/api/v1/calendar/holidays/import", status: 400, code: "invalid", field: "body",
				body: `{}`},
		})
		t.Run("import a CSV body", func(t *testing.T) {
			r := e.send(t, "admin", "POST", "/api/v1/calendar/holidays/import", "text/csv; charset=utf-8",
				strings.NewReader("日期,名称,类型\n"+year+"-05-01,劳动节,休\n"))
			if r.status != 200 || num(r.obj(t)["imported"]) != 1 {
				t.Fatalf("got %s", r)
			}
		})
		// Leave the settings as they were for other tests.
		e.must(t, 200, "admin", "PUT", "/api/v1/calendar/settings", `{"windows":["08:30-17:30"]}`)
	})
}

// TestTokensAPI: tokens are listed without secrets; the secret is shown
// once and works; a revoked token does not.
func TestTokensAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		vars := map[string]string{"xu": e.staff["xu.jing"], "name": unique("财务对账")}
		var secret string
		e.run(t, vars, []scenario{
			{name: "a manager cannot manage tokens", as: "manager", method: "GET", path: "/api/v1/tokens", status: 403, code: "forbidden"},
			{name: "a name is required", as: "admin", method: "POST", path: "/api/v1/tokens", status: 400, code: "invalid", field: "name",
				body: map[string]any{"staff_id": "{{xu}}"}, same: []string{"/api/v1/tokens"}},
			{name: "a past expiry names it", as: "admin", method: "POST", path: "/api/v1/tokens", status: 400, code: "invalid", field: "expires_at",
				body: map[string]any{"staff_id": "{{xu}}", "name": "x", "expires_at": "2001-01-01T00:00:00Z"}},
			{name: "create a token for finance", as: "admin", method: "POST", path: "/api/v1/tokens", status: 201,
				body: map[string]any{"staff_id": "{{xu}}", "name": "{{name}}"},
				check: func(t *testing.T, r response) {
					tk := r.obj(t)
					secret, _ = tk["secret"].(string)
					vars["tk"] = tk["id"].(string)
					if !strings.HasPrefix(secret, "kf_") || tk["staff_id"] != vars["xu"] || tk["hash"] != nil {
						t.Errorf("token %v", tk)
					}
				}},
			{name: "the list has it without a secret", as: "admin", method: "GET", path: "/api/v1/tokens", status: 200,
				check: func(t *testing.T, r response) {
					for _, tk := range r.items(t) {
						if tk["secret"] != nil || tk["hash"] != nil {
							t.Errorf("token list leaks a secret: %v", tk)
						}
					}
					if !strings.Contains(string(r.body), vars["name"]) {
						t.Errorf("new token not listed")
					}
					if strings.Contains(string(r.body), secret) {
						t.Errorf("the secret is in the list")
					}
				}},
		})
		t.Run("use, revoke, refused", func(t *testing.T) {
			me := e.send(t, "", "GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+secret)
			if me.status != 200 || me.obj(t)["login"] != "xu.jing" {
				t.Fatalf("with the new token: %s", me)
			}
			e.must(t, 204, "admin", "POST", "/api/v1/tokens/"+vars["tk"]+"/revoke", nil)
			r := e.send(t, "", "GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+secret)
			if r.status != 401 || r.apiErr(t).Code != "unauthorized" {
				t.Errorf("revoked token: %s", r)
			}
			e.must(t, 404, "admin", "POST", "/api/v1/tokens/01900000-0000-7000-8000-000000000000/revoke", nil)
		})
		t.Run("malformed tokens are 401 JSON", func(t *testing.T) {
			for _, h := range []string{"Bearer kf_nope", "Basic YWRtaW46YWRtaW4=", "Bearer " + strings.Repeat("x", 80)} {
				r := e.send(t, "", "GET", "/api/v1/customers", "", nil, "Authorization", h)
				if r.status != 401 || r.apiErr(t).Code != "unauthorized" {
					t.Errorf("%q: %s", h, r)
				}
			}
		})
	})
}

// TestAuditAPI: filters and keyset paging of the audit log.
func TestAuditAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		c := e.newCustomer(t, unique("审计客户"))
		vars := map[string]string{"c": c["id"].(string), "manager": e.staff["manager"]}
		e.run(t, vars, []scenario{
			{name: "a specialist cannot read the audit log", as: "lin.wen", method: "GET", path: "/api/v1/audit", status: 403, code: "forbidden"},
			{name: "pages follow each other without overlap", as: "manager", method: "GET", path: "/api/v1/audit?limit=7", status: 200,
				check: func(t *testing.T, r response) {
					seen := map[string]bool{}
					next, pages := "", 0
					for range 4 {
						path := "/api/v1/audit?limit=7"
						if next != "" {
							path += "&after=" + url.QueryEscape(next)
						}
						var p struct {
							Items []map[string]any `json:"items"`
							Next  string           `json:"next"`
						}
						e.must(t, 200, "manager", "GET", path, nil).decode(t, &p)
						if len(p.Items) != 7 || p.Next == "" {
							t.Fatalf("page %d: %d items, next %q", pages, len(p.Items), p.Next)
						}
						for i, it := range p.Items {
							if seen[it["id"].(string)] {
								t.Fatalf("entry %v on two pages", it["id"])
							}
							seen[it["id"].(string)] = true
							// Compare instants, not strings: RFC 3339 drops trailing zeros of
							// the fraction, so "…:00.5Z" sorts before "…:00Z" as text.
							if i > 0 && atOf(t, it).After(atOf(t, p.Items[i-1])) {
								t.Errorf("not newest first: %v after %v", it["at"], p.Items[i-1]["at"])
							}
						}
						next, pages = p.Next, pages+1
					}
				}},
			{name: "filter by entity and actor", as: "manager", method: "GET", path: "/api/v1/audit?entity=customer&entity_id={{c}}&actor_id={{manager}}", status: 200,
				check: func(t *testing.T, r response) {
					es := r.items(t)
					if len(es) != 1 || es[0]["action"] != "create" || es[0]["actor_name"] != "沈雅琴" {
						t.Fatalf("entries %v", es)
					}
					after, ok := es[0]["after"].(map[string]any)
					if !ok || after["id"] != vars["c"] {
						t.Errorf("after is not the customer as JSON: %v", es[0]["after"])
					}
				}},
			{name: "filter by text and day", as: "admin", method: "GET", path: "/api/v1/audit?q=" + url.QueryEscape(c["name"].(string)) +
				"&from=" + e.daysAgo(0) + "&to=" + e.daysAgo(0), status: 200,
				check: func(t *testing.T, r response) {
					if es := r.items(t); len(es) != 1 {
						t.Errorf("entries %v", es)
					}
				}},
			{name: "a day range before it finds nothing", as: "admin", method: "GET", path: "/api/v1/audit?entity_id={{c}}&to=" + e.daysAgo(1), status: 200,
				check: func(t *testing.T, r response) {
					if es := r.items(t); len(es) != 0 {
						t.Errorf("entries %v", es)
					}
				}},
			{name: "a bad from names it", as: "admin", method: "GET", path: "/api/v1/audit?from=yesterday", status: 400, code: "invalid", field: "from"},
			{name: "a bad cursor names it", as: "admin", method: "GET", path: "/api/v1/audit?after=bm9wZQ", status: 400, code: "invalid", field: "after"},
			{name: "a bad limit names it", as: "admin", method: "GET", path: "/api/v1/audit?limit=1000", status: 400, code: "invalid", field: "limit"},
		})
	})
}

// atOf parses an audit entry's "at".
func atOf(t *testing.T, it map[string]any) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, it["at"].(string))
	if err != nil {
		t.Fatalf("at %v: %v", it["at"], err)
	}
	return at
}
