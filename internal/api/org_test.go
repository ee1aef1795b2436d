package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kefu/internal/demo"
)

// TestOrgAPI: the caller, staff and roles, departments, maintenance
// groups and regions.
func TestOrgAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		login := strings.ToLower(unique("new."))
		vars := map[string]string{"lin": e.staff["lin.wen"], "login": login, "dept": unique("测试部"), "group": unique("测试维修组"),
			"region": unique("测试区域"), "supervisor": e.staff["du.gang"]}
		keep := func(name string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) { vars[name] = r.obj(t)["id"].(string) }
		}
		hasRole := func(role string) func(map[string]any) bool {
			return func(st map[string]any) bool { return slices.Contains(st["roles"].([]any), any(role)) }
		}
		e.run(t, vars, []scenario{
			{name: "me", as: "lin.wen", method: "GET", path: "/api/v1/me", status: 200,
				check: func(t *testing.T, r response) {
					m := r.obj(t)
					if m["login"] != "lin.wen" || m["name"] != "林雯" || m["via"] != "token" || m["staff_id"] != vars["lin"] ||
						!slices.Equal(m["roles"].([]any), []any{"cs_specialist"}) {
						t.Errorf("me = %v", m)
					}
				}},
			{name: "me needs a login", method: "GET", path: "/api/v1/me", status: 401, code: "unauthorized"},
			{name: "change one's password: the old one must match", as: "jiang.xin", method: "POST", path: "/api/v1/me/password", status: 400,
				code: "invalid", field: "old_password", body: map[string]any{"old_password": "wrong-password-1", "new_password": "Neu-passwort-2026"}},
			{name: "change one's password: a weak new one names it", as: "jiang.xin", method: "POST", path: "/api/v1/me/password", status: 400,
				code: "invalid", field: "new_password", body: map[string]any{"old_password": demo.DefaultPassword, "new_password": "short"}},
			{name: "change one's password", as: "jiang.xin", method: "POST", path: "/api/v1/me/password", status: 204,
				body: map[string]any{"old_password": demo.DefaultPassword, "new_password": "Neu-passwort-2026"}},

			{name: "staff list for a manager", as: "manager", method: "GET", path: "/api/v1/staff", status: 200,
				check: func(t *testing.T, r response) {
					if n := len(r.items(t)); n < 20 {
						t.Errorf("%d staff", n)
					}
				}},
			{name: "staff by role", as: "su.yue", method: "GET", path: "/api/v1/staff?role=technician", status: 200,
				check: func(t *testing.T, r response) {
					st := r.items(t)
					if len(st) < 8 {
						t.Errorf("%d technicians", len(st))
					}
					for _, s := range st {
						if !hasRole("technician")(s) {
							t.Errorf("%v is no technician", s["login"])
						}
					}
				}},
			{name: "staff who left", as: "manager", method: "GET", path: "/api/v1/staff?active=false", status: 200,
				check: func(t *testing.T, r response) {
					if st := r.items(t); !slices.ContainsFunc(st, func(s map[string]any) bool { return s["login"] == "wei.dong" }) {
						t.Errorf("wei.dong (left) not listed: %v", st)
					}
				}},
			{name: "a bad role filter names it", as: "manager", method: "GET", path: "/api/v1/staff?role=boss", status: 400, code: "invalid", field: "role"},
			{name: "a technician cannot list staff", as: "ma.tao", method: "GET", path: "/api/v1/staff", status: 403, code: "forbidden"},
			{name: "get one", as: "xu.jing", method: "GET", path: "/api/v1/staff/{{lin}}", status: 200,
				check: func(t *testing.T, r response) {
					if st := r.obj(t); st["login"] != "lin.wen" || st["supervisor_id"] != e.staff["manager"] {
						t.Errorf("staff %v", st)
					}
				}},
			{name: "a manager cannot create staff", as: "manager", method: "POST", path: "/api/v1/staff", status: 403, code: "forbidden",
				body: map[string]any{"login": "{{login}}", "name": "新同事", "roles": []string{"technician"}}},
			{name: "a weak first password creates nobody", as: "admin", method: "POST", path: "/api/v1/staff", status: 400, code: "invalid", field: "password",
				body: map[string]any{"login": "{{login}}", "name": "新同事", "roles": []string{"technician"}, "password": "123"},
				same: []string{"/api/v1/staff?q={{login}}"}},
			{name: "an unknown role names it", as: "admin", method: "POST", path: "/api/v1/staff", status: 400, code: "invalid", field: "roles",
				body: map[string]any{"login": "{{login}}", "name": "新同事", "roles": []string{"boss"}}},
			{name: "the admin creates staff with a first password", as: "admin", method: "POST", path: "/api/v1/staff", status: 201,
				body: map[string]any{"login": "{{login}}", "name": "新同事", "phone": "13700001111", "roles": []string{"technician"},
					"supervisor_id": "{{supervisor}}", "password": "Erstes-Passwort-1"},
				check: func(t *testing.T, r response) {
					st := r.obj(t)
					vars["st"] = st["id"].(string)
					if st["active"] != true || num(st["version"]) != 1 || st["supervisor_id"] != vars["supervisor"] {
						t.Errorf("staff %v", st)
					}
					// The password works on the login page, which asks to change it.
					lr := e.send(t, "", "POST", "/login", "application/x-www-form-urlencoded",
						strings.NewReader(url.Values{"login": {login}, "password": {"Erstes-Passwort-1"}}.Encode()))
					if lr.status != http.StatusSeeOther || lr.header.Get("Location") != "/account/password" {
						t.Errorf("login with the first password: %d → %q", lr.status, lr.header.Get("Location"))
					}
				}},
			{name: "a duplicate login is a conflict", as: "admin", method: "POST", path: "/api/v1/staff", status: 409, code: "conflict", field: "login",
				body: map[string]any{"login": "{{login}}", "name": "重复", "roles": []string{"technician"}}},
			{name: "update staff; left-out fields are kept", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}", status: 200,
				body: `{"version":1,"title":"维修技师"}`,
				check: func(t *testing.T, r response) {
					st := r.obj(t)
					if st["title"] != "维修技师" || st["phone"] != "13700001111" || st["login"] != login || num(st["version"]) != 2 {
						t.Errorf("staff %v", st)
					}
				}},
			{name: "staff: stale version", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}", status: 409, code: "conflict", field: "version",
				body: `{"version":1,"title":"x"}`, same: []string{"/api/v1/staff/{{st}}"}},
			{name: "staff: an invalid phone names it", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}", status: 400, code: "invalid", field: "phone",
				body: `{"version":2,"phone":"12"}`, same: []string{"/api/v1/staff/{{st}}"}},
			{name: "set roles", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}/roles", status: 200,
				body: `{"version":2,"roles":["technician","maint_supervisor"]}`,
				check: func(t *testing.T, r response) {
					if st := r.obj(t); !slices.Equal(st["roles"].([]any), []any{"maint_supervisor", "technician"}) || num(st["version"]) != 3 {
						t.Errorf("staff %v", st)
					}
				}},
			{name: "roles cannot be empty", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}/roles", status: 400, code: "invalid", field: "roles",
				body: `{"version":3,"roles":[]}`, same: []string{"/api/v1/staff/{{st}}"}},
			{name: "set a password", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}/password", status: 204,
				body: map[string]any{"password": "Zweites-Passwort-2", "must_change": false}},
			{name: "mark as left with the day", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}/active", status: 200,
				body: `{"version":3,"active":false,"left_on":"2026-01-31"}`,
				check: func(t *testing.T, r response) {
					if st := r.obj(t); st["active"] != false || st["left_on"] != "2026-01-31" {
						t.Errorf("staff %v", st)
					}
				}},
			{name: "active is required", as: "admin", method: "PUT", path: "/api/v1/staff/{{st}}/active", status: 400, code: "invalid", field: "active",
				body: `{"version":4}`},
			{name: "unknown staff", as: "admin", method: "PUT", path: "/api/v1/staff/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found", field: "id",
				body: `{"version":1}`},

			// Departments, groups, regions.
			{name: "departments", as: "manager", method: "GET", path: "/api/v1/departments", status: 200},
			{name: "create a department", as: "admin", method: "POST", path: "/api/v1/departments", status: 201,
				body: map[string]any{"name": "{{dept}}"}, check: keep("d")},
			{name: "a duplicate department is a conflict", as: "admin", method: "POST", path: "/api/v1/departments", status: 409, code: "conflict", field: "name",
				body: map[string]any{"name": "{{dept}}"}, same: []string{"/api/v1/departments"}},
			{name: "a manager cannot create departments", as: "manager", method: "POST", path: "/api/v1/departments", status: 403, code: "forbidden",
				body: map[string]any{"name": "x"}},
			{name: "rename a department", as: "admin", method: "PUT", path: "/api/v1/departments/{{d}}", status: 200,
				body: `{"version":1,"name":"{{dept}}二"}`,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["name"] != vars["dept"]+"二" || num(d["version"]) != 2 {
						t.Errorf("department %v", d)
					}
				}},
			{name: "department: stale version", as: "admin", method: "PUT", path: "/api/v1/departments/{{d}}", status: 409, code: "conflict", field: "version",
				body: `{"version":1,"name":"x"}`, same: []string{"/api/v1/departments"}},
			{name: "department: itself as parent", as: "admin", method: "PUT", path: "/api/v1/departments/{{d}}", status: 400, code: "invalid", field: "parent_id",
				body: `{"version":2,"parent_id":"{{d}}"}`, same: []string{"/api/v1/departments"}},
			{name: "create a maintenance group", as: "admin", method: "POST", path: "/api/v1/groups", status: 201,
				body: map[string]any{"name": "{{group}}", "supervisor_id": "{{supervisor}}"}, check: keep("g")},
			{name: "update the group", as: "admin", method: "PUT", path: "/api/v1/groups/{{g}}", status: 200,
				body: `{"version":1,"supervisor_id":""}`,
				check: func(t *testing.T, r response) {
					if g := r.obj(t); g["supervisor_id"] != nil || g["name"] != vars["group"] {
						t.Errorf("group %v", g)
					}
				}},
			{name: "groups", as: "xu.jing", method: "GET", path: "/api/v1/groups", status: 200,
				check: func(t *testing.T, r response) {
					if gs := r.items(t); len(gs) < 4 || !slices.ContainsFunc(gs, func(g map[string]any) bool { return g["id"] == vars["g"] }) {
						t.Errorf("groups %v: want the 3 demo groups and the new one", gs)
					}
				}},
			{name: "create a region", as: "admin", method: "POST", path: "/api/v1/regions", status: 201,
				body: map[string]any{"name": "{{region}}", "code": "TR", "group_id": "{{g}}", "specialist_id": "{{lin}}"}, check: keep("r")},
			{name: "region: unknown group names it", as: "admin", method: "PUT", path: "/api/v1/regions/{{r}}", status: 400, code: "invalid", field: "group_id",
				body: `{"version":1,"group_id":"01900000-0000-7000-8000-000000000000"}`, same: []string{"/api/v1/regions"}},
			{name: "update the region", as: "admin", method: "PUT", path: "/api/v1/regions/{{r}}", status: 200,
				body: `{"version":1,"code":"TR2"}`,
				check: func(t *testing.T, r response) {
					if reg := r.obj(t); reg["code"] != "TR2" || reg["specialist_id"] != vars["lin"] || reg["group_id"] != vars["g"] {
						t.Errorf("region %v", reg)
					}
				}},
			{name: "unknown region", as: "admin", method: "PUT", path: "/api/v1/regions/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found", field: "id",
				body: `{"version":1}`},
		})
	})
}
