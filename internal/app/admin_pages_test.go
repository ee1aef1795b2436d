package app_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/config"
	"kefu/internal/customers"
	"kefu/internal/org"
)

// platformWorld is a small company for the platform's forms (issue 2):
// an admin signed in through a cookie session (so the flash messages
// that follow a redirect can be read), and API tokens for the others.
type platformWorld struct {
	t        *testing.T
	in       *apptest.Instance
	staff    map[string]*org.Staff
	tokens   map[string]string
	admin    *browser
	region   *org.Region
	customer *customers.Customer
	contact  *customers.Contact
}

// eachPlatform runs fn on both databases with a cookie that works over
// plain HTTP and a 1 MB upload limit (so an oversized file is cheap).
func eachPlatform(t *testing.T, fn func(t *testing.T, w *platformWorld)) {
	eachConfigured(t, func(c *config.Config) { c.CookieSecure, c.MaxUploadSize = false, 1<<20 }, func(t *testing.T, in *apptest.Instance) {
		fn(t, newPlatformWorld(t, in))
	})
}

func newPlatformWorld(t *testing.T, in *apptest.Instance) *platformWorld {
	t.Helper()
	a := in.App
	ctx := access.With(context.Background(), access.System())
	w := &platformWorld{t: t, in: in, staff: map[string]*org.Staff{}, tokens: map[string]string{}}
	for _, p := range []struct {
		login, name string
		role        access.Role
	}{
		{"admin", "系统管理员", access.Admin}, {"mgr", "钱经理", access.CSManager}, {"spec", "李客服", access.CSSpecialist},
		{"spec2", "赵客服", access.CSSpecialist}, {"sup", "张主管", access.MaintSupervisor},
	} {
		st, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: p.login, Name: p.name, Roles: []access.Role{p.role}})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := a.Auth.CreateToken(ctx, st.ID, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		w.staff[p.login], w.tokens[p.login] = st, tok
	}
	if err := a.Auth.SetPassword(ctx, w.staff["admin"].ID, "Admin-Secret-2026", false); err != nil {
		t.Fatal(err)
	}
	w.admin = newBrowser(t, in.URL)
	if status, to := w.admin.login("admin", "Admin-Secret-2026"); status != http.StatusSeeOther || to != "/" {
		t.Fatalf("admin login: %d to %q", status, to)
	}
	var err error
	if w.region, err = a.Org.SaveRegion(ctx, "", 0, org.UnitInput{Name: "国贸", Code: "GM", SpecialistID: w.staff["spec"].ID}); err != nil {
		t.Fatal(err)
	}
	if w.customer, err = a.Customers.CreateCustomer(ctx, customers.CustomerInput{Name: "甲大厦", Class: "A", RegionID: w.region.ID,
		OwnerID: w.staff["spec"].ID}); err != nil {
		t.Fatal(err)
	}
	if w.contact, err = a.Customers.AddContact(ctx, w.customer.ID, customers.ContactInput{Name: "王总", Phone: "13800000001"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *platformWorld) sys() context.Context {
	return access.With(context.Background(), access.System())
}

// send runs req as login: "admin" through the signed-in browser, anyone
// else with their Bearer token. It returns the status, the redirect
// target and the unescaped body.
func (w *platformWorld) send(login string, req *http.Request) (int, string, string) {
	w.t.Helper()
	c := noRedirect
	if login == "admin" {
		c = w.admin.c
	} else {
		req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	}
	resp, err := c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), html.UnescapeString(string(b))
}

// get opens a page as login.
func (w *platformWorld) get(login, path string) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.in.URL+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	status, _, body := w.send(login, req)
	return status, body
}

// post sends a form as login.
func (w *platformWorld) post(login, path string, form url.Values) (int, string, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.in.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.send(login, req)
}

// upload posts a multipart form with one file (none when name is "").
func (w *platformWorld) upload(login, path string, fields url.Values, name string, content []byte) (int, string, string) {
	w.t.Helper()
	var files []upFile
	if name != "" {
		files = append(files, upFile{name, content})
	}
	body, ctype := multipartBody(w.t, fields, files...)
	req, err := http.NewRequest(http.MethodPost, w.in.URL+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	return w.send(login, req)
}

var flashRE = regexp.MustCompile(`role="status">([^<]*)</div>`)

// landed follows the admin's redirect after a form post (want 303) and
// returns the page it lands on and the flash message shown there.
func (w *platformWorld) landed(status int, to, body string) (page, flash string) {
	w.t.Helper()
	if status != http.StatusSeeOther {
		w.t.Fatalf("status %d, want 303: %s", status, errorText(body))
	}
	_, page = w.get("admin", to)
	if m := flashRE.FindStringSubmatch(page); m != nil {
		flash = m[1]
	}
	return page, flash
}

// TestStaffAdminForms creates, edits and lets go a staff member through
// /admin/staff: roles, department and supervisor are stored and shown
// by name; bad input and a stale version are refused naming the problem
// with nothing changed; a manager may not do any of it; every change is
// in the audit log under the admin's name.
func TestStaffAdminForms(t *testing.T) {
	eachPlatform(t, func(t *testing.T, w *platformWorld) {
		a, ctx := w.in.App, w.sys()
		dept, err := a.Org.SaveDepartment(ctx, "", 0, org.UnitInput{Name: "客服部"})
		if err != nil {
			t.Fatal(err)
		}
		mgr := w.staff["mgr"]
		if status, body := w.get("admin", "/admin/staff/new"); status != http.StatusOK ||
			!strings.Contains(body, `<option value="`+dept.ID+`">客服部</option>`) || !strings.Contains(body, `<option value="`+mgr.ID+`">钱经理</option>`) {
			t.Fatalf("new-staff form: status %d, lacks the department or supervisor choices", status)
		}
		form := url.Values{"login": {"li.si"}, "name": {"李四"}, "phone": {"13900000002"}, "title": {"客服主管"},
			"roles": {string(access.CSSpecialist), string(access.MaintSupervisor)}, "department_id": {dept.ID},
			"supervisor_id": {mgr.ID}, "locale": {"zh-CN"}, "password": {"Init-Secret-2026"}}
		count := func() int {
			all, err := a.Org.ListStaff(ctx, org.StaffFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(all)
		}
		before := count()

		// Bad input comes back on the form naming the field; nothing is stored.
		for _, tc := range []struct {
			name, field, value string
			status             int
			want               string
		}{
			{"taken login", "login", "spec", http.StatusConflict, "登录名：登录名已存在"},
			{"bad login", "login", "Li Si!", http.StatusBadRequest, "登录名："},
			{"bad phone", "phone", "12ab", http.StatusBadRequest, "电话：电话号码格式不正确"},
			{"no role", "roles", "", http.StatusBadRequest, "角色：至少需要一个角色"},
			{"unknown role", "roles", "king", http.StatusBadRequest, "角色："},
			{"unknown department", "department_id", "nope", http.StatusBadRequest, "部门：引用的记录不存在"},
		} {
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set(tc.field, tc.value)
			if tc.value == "" {
				bad.Del(tc.field)
			}
			status, _, body := w.post("admin", "/admin/staff", bad)
			if status != tc.status || !strings.Contains(errorText(body), tc.want) {
				t.Errorf("%s: status %d %q, want %d with %q", tc.name, status, errorText(body), tc.status, tc.want)
			}
			// The form comes back as typed, choices included.
			for _, want := range []string{`name="name" value="李四"`, `<option value="` + mgr.ID + `" selected>钱经理</option>`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the form again lacks %s", tc.name, want)
				}
			}
			if tc.field != "department_id" && !strings.Contains(body, `<option value="`+dept.ID+`" selected>客服部</option>`) {
				t.Errorf("%s: the form again lost the department", tc.name)
			}
		}
		if n := count(); n != before {
			t.Fatalf("refused forms stored staff: %d → %d", before, n)
		}

		status, to, body := w.post("admin", "/admin/staff", form)
		if _, flash := w.landed(status, to, body); to != "/admin/staff" || flash != "已保存" {
			t.Errorf("create: to %q flash %q", to, flash)
		}
		st, err := a.Org.StaffByLogin(ctx, "li.si")
		if err != nil {
			t.Fatal(err)
		}
		if st.Name != "李四" || st.Phone != "13900000002" || len(st.Roles) != 2 || deref(st.DepartmentID) != dept.ID ||
			deref(st.SupervisorID) != mgr.ID || !st.Active {
			t.Errorf("stored staff %+v", st)
		}
		// The initial password works.
		if status, _ := newBrowser(t, w.in.URL).login("li.si", "Init-Secret-2026"); status != http.StatusSeeOther {
			t.Errorf("login with the initial password: status %d", status)
		}
		// The list shows the department and the supervisor by name.
		_, list := w.get("admin", "/admin/staff?q=li.si")
		if !regexp.MustCompile(`李四</a></td><td class="mono">li.si</td>\s*<td><span[^>]*>客服专员</span><span[^>]*>维修主管[^<]*</span></td>\s*<td>客服部</td><td>钱经理</td>`).MatchString(list) {
			t.Errorf("staff list row lacks roles, department or supervisor by name:\n%s", rowOf(list, "li.si"))
		}

		// Edit at the version read; then the same stale version is refused.
		if _, body := w.get("admin", "/admin/staff/"+st.ID); !strings.Contains(body, `name="version" value="1"`) {
			t.Fatal("edit form lacks the version")
		}
		edit := url.Values{"version": {"1"}, "login": {"li.si"}, "name": {"李思"}, "phone": {"13900000002"}, "roles": {string(access.CSSpecialist)},
			"department_id": {dept.ID}, "supervisor_id": {""}, "locale": {"zh-CN"}}
		status, to, body = w.post("admin", "/admin/staff/"+st.ID, edit)
		if _, flash := w.landed(status, to, body); flash != "已保存" {
			t.Errorf("edit: flash %q", flash)
		}
		edit.Set("name", "李斯")
		edit.Set("roles", string(access.Technician))
		status, _, body = w.post("admin", "/admin/staff/"+st.ID, edit)
		if status != http.StatusConflict || !strings.Contains(errorText(body), "记录已被他人修改") {
			t.Errorf("stale edit: status %d %q, want 409 naming the conflict", status, errorText(body))
		}
		st, _ = a.Org.GetStaff(ctx, st.ID)
		if st.Name != "李思" || st.Version != 2 || len(st.Roles) != 1 || st.Roles[0] != access.CSSpecialist || st.SupervisorID != nil {
			t.Errorf("after the stale edit: %+v, want the first edit kept", st)
		}

		// A manager reads the staff list but may change nothing.
		if status, _ := w.get("mgr", "/admin/staff"); status != http.StatusOK {
			t.Errorf("manager reads the staff list: status %d", status)
		}
		for _, tc := range []struct {
			path string
			form url.Values
		}{
			{"/admin/staff", url.Values{"login": {"x.y"}, "name": {"X"}, "roles": {"admin"}}},
			{"/admin/staff/" + st.ID, url.Values{"version": {"2"}, "login": {"li.si"}, "name": {"改名"}, "roles": {"admin"}}},
			{"/admin/staff/" + st.ID + "/active", url.Values{"version": {"2"}, "active": {"0"}}},
			{"/admin/staff/" + st.ID + "/password", url.Values{"password": {"Other-Secret-2026"}}},
		} {
			if status, _, _ := w.post("mgr", tc.path, tc.form); status != http.StatusForbidden {
				t.Errorf("manager posts %s: status %d, want 403", tc.path, status)
			}
		}
		if status, _ := w.get("mgr", "/admin/staff/new"); status != http.StatusForbidden {
			t.Errorf("manager opens the new-staff form: status %d", status)
		}
		if again, _ := a.Org.GetStaff(ctx, st.ID); again.Version != 2 || again.Name != "李思" || !again.Active || count() != before+1 {
			t.Errorf("the manager's posts changed something: %+v", again)
		}

		// Let the person go: their token is refused at once.
		_, tok, err := a.Auth.CreateToken(ctx, st.ID, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens["li.si"] = tok
		if status, _ := w.get("li.si", "/api/v1/customers"); status != http.StatusOK {
			t.Fatalf("before leaving: status %d", status)
		}
		status, to, body = w.post("admin", "/admin/staff/"+st.ID+"/active", url.Values{"version": {"2"}, "active": {"0"}, "left_on": {"2026-01-31"}})
		if page, flash := w.landed(status, to, body); flash != "已保存" || !strings.Contains(page, "离职 2026-01-31") {
			t.Errorf("mark left: flash %q, page does not say 离职 2026-01-31", flash)
		}
		st, _ = a.Org.GetStaff(ctx, st.ID)
		if st.Active || deref(st.LeftOn) != "2026-01-31" {
			t.Errorf("stored: active %v left_on %v", st.Active, deref(st.LeftOn))
		}
		if status, _ := w.get("li.si", "/api/v1/customers"); status != http.StatusUnauthorized {
			t.Errorf("the token of a person who left: status %d, want 401", status)
		}
		// The admin may not let themself go.
		admin := w.staff["admin"]
		status, _, body = w.post("admin", "/admin/staff/"+admin.ID+"/active", url.Values{"version": {"1"}, "active": {"0"}})
		if status != http.StatusBadRequest || !strings.Contains(errorText(body), "不能将自己设为离职") {
			t.Errorf("admin lets themself go: status %d %q", status, errorText(body))
		}

		// Every change is audited under the admin's name, with before and after.
		entries, err := audit.List(ctx, a.DB().R(), audit.Filter{Entity: "staff", EntityID: st.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Action+" "+e.Summary)
			if deref(e.ActorID) != admin.ID {
				t.Errorf("audit entry %q: actor %v, want the admin", e.Summary, deref(e.ActorID))
			}
			if e.Action != "password" && (e.AfterJSON == nil || (e.Action == "update" && e.BeforeJSON == nil)) {
				t.Errorf("audit entry %q: before or after missing", e.Summary)
			}
		}
		want := []string{"update 员工离职 李思 2026-01-31", "update 修改员工 李思", "password 设置密码 li.si", "create 新增员工 李四 (li.si)"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("audit entries %q, want %q", got, want)
		}
		if _, page := w.get("admin", "/admin/audit?entity=staff&q=李思"); !strings.Contains(page, "员工离职 李思 2026-01-31") ||
			!strings.Contains(page, "修改员工 李思") {
			t.Error("the audit page does not list the staff changes")
		}
	})
}

// rowOf is the table row of page that mentions text, for failure messages.
func rowOf(page, text string) string {
	i := strings.Index(page, text)
	if i < 0 {
		return "(no row mentions " + text + ")"
	}
	start := strings.LastIndex(page[:i], "<tr")
	end := strings.Index(page[i:], "</tr>")
	if start < 0 || end < 0 {
		return page[i:min(len(page), i+300)]
	}
	return page[start : i+end]
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestOrgAdminForms saves departments, maintenance groups and regions
// through /admin/org/{kind}: created, renamed at their version, shown
// with their supervisor and specialist by name; a duplicate name or a
// stale version is refused with a message naming it and nothing changes.
func TestOrgAdminForms(t *testing.T) {
	eachPlatform(t, func(t *testing.T, w *platformWorld) {
		a, ctx := w.in.App, w.sys()
		sup, spec := w.staff["sup"], w.staff["spec"]
		// Creates, in order (a region names the group created before it).
		for _, tc := range []struct {
			kind, name string
			form       url.Values
		}{
			{"departments", "工程部", url.Values{}},
			{"departments", "客服部", url.Values{}},
			{"groups", "维修一组", url.Values{"supervisor_id": {sup.ID}}},
			{"groups", "维修二组", url.Values{}},
			{"regions", "望京", url.Values{"code": {"WJ"}, "specialist_id": {spec.ID}}},
		} {
			tc.form.Set("name", tc.name)
			if tc.kind == "regions" {
				tc.form.Set("group_id", groupID(t, w, "维修一组"))
			}
			status, to, body := w.post("admin", "/admin/org/"+tc.kind, tc.form)
			if _, flash := w.landed(status, to, body); to != "/admin/org" || flash != "已保存" {
				t.Errorf("create %s %s: to %q flash %q", tc.kind, tc.name, to, flash)
			}
		}
		_, page := w.get("admin", "/admin/org")
		if !regexp.MustCompile(`<td>望京</td><td>WJ</td><td>维修一组</td>\s*<td>张主管</td><td>李客服</td>`).MatchString(page) {
			t.Errorf("region row lacks its group, group supervisor or specialist by name:\n%s", rowOf(page, "望京"))
		}
		if !strings.Contains(page, "<tr><td>维修一组</td><td>张主管</td></tr>") {
			t.Errorf("group row lacks its supervisor:\n%s", rowOf(page, "维修一组"))
		}
		regions, _ := a.Org.Regions(ctx)
		var wj *org.Region
		for i := range regions {
			if regions[i].Name == "望京" {
				wj = &regions[i]
			}
		}
		if wj == nil || wj.Code != "WJ" || deref(wj.SpecialistID) != spec.ID || deref(wj.GroupID) != groupID(t, w, "维修一组") {
			t.Fatalf("stored region %+v", wj)
		}

		// Edits: rename at the version read, then refusals.
		deps, _ := a.Org.Departments(ctx)
		var eng org.Department
		for _, d := range deps {
			if d.Name == "工程部" {
				eng = d
			}
		}
		grp2 := groupID(t, w, "维修二组")
		type edit struct {
			name      string
			kind      string
			form      url.Values
			wantFlash string
		}
		for _, tc := range []edit{
			{"rename department", "departments", url.Values{"id": {eng.ID}, "version": {"1"}, "name": {"工程技术部"}}, "已保存"},
			{"stale department", "departments", url.Values{"id": {eng.ID}, "version": {"1"}, "name": {"工程二部"}}, "✗ 记录已被他人修改，请刷新后重试"},
			{"duplicate department", "departments", url.Values{"id": {eng.ID}, "version": {"2"}, "name": {"客服部"}}, "✗ 部门名称已存在"},
			{"new duplicate department", "departments", url.Values{"name": {"客服部"}}, "✗ 部门名称已存在"},
			{"duplicate group", "groups", url.Values{"id": {grp2}, "version": {"1"}, "name": {"维修一组"}}, "✗ 维修组名称已存在"},
			{"region to group 2", "regions", url.Values{"id": {wj.ID}, "version": {"1"}, "name": {"望京"}, "code": {"WJ2"},
				"group_id": {grp2}, "specialist_id": {w.staff["spec2"].ID}}, "已保存"},
			{"duplicate region", "regions", url.Values{"name": {"国贸"}}, "✗ 区域名称已存在"},
			{"region without a name", "regions", url.Values{"name": {"  "}}, "✗ 不能为空"},
			{"region with an unknown group", "regions", url.Values{"name": {"中关村"}, "group_id": {"nope"}}, "✗ 引用的记录不存在"},
		} {
			status, to, body := w.post("admin", "/admin/org/"+tc.kind, tc.form)
			if _, flash := w.landed(status, to, body); flash != tc.wantFlash {
				t.Errorf("%s: flash %q, want %q", tc.name, flash, tc.wantFlash)
			}
		}
		deps, _ = a.Org.Departments(ctx)
		var names []string
		for _, d := range deps {
			names = append(names, d.Name)
		}
		if strings.Join(names, ",") != "客服部,工程技术部" && strings.Join(names, ",") != "工程技术部,客服部" {
			t.Errorf("departments %v, want 工程技术部 and 客服部 only", names)
		}
		groups, _ := a.Org.Groups(ctx)
		regions, _ = a.Org.Regions(ctx)
		if len(groups) != 2 || len(regions) != 2 {
			t.Errorf("%d groups, %d regions, want 2 and 2", len(groups), len(regions))
		}
		_, page = w.get("admin", "/admin/org")
		if !regexp.MustCompile(`<td>望京</td><td>WJ2</td><td>维修二组</td>\s*<td></td><td>赵客服</td>`).MatchString(page) {
			t.Errorf("edited region row:\n%s", rowOf(page, "望京"))
		}

		// A manager sees the page but may not save.
		if status, _ := w.get("mgr", "/admin/org"); status != http.StatusOK {
			t.Errorf("manager reads the organisation: status %d", status)
		}
		for _, kind := range []string{"departments", "groups", "regions"} {
			if status, _, _ := w.post("mgr", "/admin/org/"+kind, url.Values{"name": {"经理建的"}}); status != http.StatusForbidden {
				t.Errorf("manager saves %s: status %d, want 403", kind, status)
			}
		}
		if status, _, _ := w.post("admin", "/admin/org/planets", url.Values{"name": {"火星"}}); status != http.StatusNotFound {
			t.Errorf("unknown kind: status %d, want 404", status)
		}
	})
}

func groupID(t *testing.T, w *platformWorld, name string) string {
	t.Helper()
	groups, err := w.in.App.Org.Groups(w.sys())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if g.Name == name {
			return g.ID
		}
	}
	t.Fatalf("no group %s", name)
	return ""
}

// TestCalendarAdminForms saves the working hours and days (the page
// shows them and the calendar works by them), adds, changes and deletes
// a holiday, and imports a holiday file in the README's format: a bad
// file names its lines and reasons and changes nothing.
func TestCalendarAdminForms(t *testing.T) {
	eachPlatform(t, func(t *testing.T, w *platformWorld) {
		a, ctx := w.in.App, w.sys()
		tz := a.Location().String()
		settings := func() string {
			st, err := a.Calendar.Settings(ctx, tz)
			if err != nil {
				t.Fatal(err)
			}
			var days []string
			for _, d := range st.Weekdays {
				days = append(days, itoa(int64(d)))
			}
			return st.TimeZone + " " + strings.Join(st.Windows, ",") + " " + strings.Join(days, ",")
		}
		good := url.Values{"year": {"2027"}, "time_zone": {"Asia/Shanghai"}, "windows": {"08:00-12:00, 13:30-17:00"},
			"weekdays": {"1", "2", "3", "4", "5", "6"}}
		status, to, body := w.post("admin", "/admin/calendar/settings", good)
		page, flash := w.landed(status, to, body)
		if to != "/admin/calendar?year=2027" || flash != "已保存" {
			t.Errorf("settings: to %q flash %q", to, flash)
		}
		if !strings.Contains(page, `name="windows" value="08:00-12:00, 13:30-17:00"`) || !strings.Contains(page, `value="6" checked`) ||
			strings.Contains(page, `value="0" checked`) {
			t.Error("the calendar page does not show the saved hours and days")
		}
		const saved = "Asia/Shanghai 08:00-12:00,13:30-17:00 1,2,3,4,5,6"
		if got := settings(); got != saved {
			t.Fatalf("stored settings %q, want %q", got, saved)
		}
		// The calendar works by them: a Saturday morning is working time,
		// the lunch break and a Sunday are not.
		cal, err := a.Calendar.Calendar(ctx, tz)
		if err != nil {
			t.Fatal(err)
		}
		sh, _ := time.LoadLocation("Asia/Shanghai")
		for _, tc := range []struct {
			at      string
			working bool
		}{
			{"2027-03-06 09:00", true}, {"2027-03-08 12:30", false}, {"2027-03-08 13:45", true}, {"2027-03-08 17:15", false},
			{"2027-03-07 10:00", false},
		} {
			at, _ := time.ParseInLocation("2006-01-02 15:04", tc.at, sh)
			if got := cal.IsWorkingTime(at); got != tc.working {
				t.Errorf("%s working time: %v, want %v", tc.at, got, tc.working)
			}
		}
		// Bad settings are refused naming the problem and change nothing.
		for _, tc := range []struct {
			name, field string
			value       []string
			want        string
		}{
			{"bad window", "windows", []string{"25:00-26:00"}, "✗ "},
			{"no window", "windows", []string{" "}, "✗ 至少需要一个工作时段"},
			{"no weekday", "weekdays", nil, "✗ 至少需要一个工作日"},
			{"unknown zone", "time_zone", []string{"Mars/Olympus"}, "✗ 未知时区 Mars/Olympus"},
		} {
			bad := url.Values{}
			for k, v := range good {
				bad[k] = v
			}
			bad[tc.field] = tc.value
			status, to, body := w.post("admin", "/admin/calendar/settings", bad)
			if _, flash := w.landed(status, to, body); !strings.HasPrefix(flash, tc.want) || len(flash) <= len("✗ ") {
				t.Errorf("%s: flash %q, want %q", tc.name, flash, tc.want)
			}
		}
		if got := settings(); got != saved {
			t.Errorf("refused settings changed the stored ones: %q", got)
		}

		// A holiday added, changed, deleted.
		holiday := func(day string) string {
			hs, err := a.Calendar.Holidays(ctx, 2027)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if h.Day == day {
					return h.Name + " " + h.Kind + " " + h.Source
				}
			}
			return ""
		}
		rowRE := func(day, name, kind string) *regexp.Regexp {
			return regexp.MustCompile(`<td class="mono">` + day + `</td><td>` + regexp.QuoteMeta(name) + `</td><td><span[^>]*>` + kind + `</span>`)
		}
		status, to, body = w.post("admin", "/admin/calendar/holidays", url.Values{"year": {"2027"}, "day": {"2027-10-11"}, "name": {"公司庆典"}, "kind": {"holiday"}})
		if page, flash := w.landed(status, to, body); flash != "已保存" || !rowRE("2027-10-11", "公司庆典", "放假").MatchString(page) {
			t.Errorf("add holiday: flash %q, the 2027 page lacks the row", flash)
		}
		if got := holiday("2027-10-11"); got != "公司庆典 holiday admin" {
			t.Errorf("stored %q", got)
		}
		status, to, body = w.post("admin", "/admin/calendar/holidays", url.Values{"year": {"2027"}, "day": {"2027-10-11"}, "name": {"庆典补班"}, "kind": {"workday"}})
		if page, flash := w.landed(status, to, body); flash != "已保存" || !rowRE("2027-10-11", "庆典补班", "调休上班").MatchString(page) ||
			strings.Contains(page, "公司庆典") {
			t.Errorf("change holiday: flash %q, the page does not show the change", flash)
		}
		if got := holiday("2027-10-11"); got != "庆典补班 workday admin" {
			t.Errorf("stored %q", got)
		}
		for _, tc := range []struct{ name, day, hname, kind, want string }{
			{"bad day", "2027-02-30", "X", "holiday", "✗ 日期格式应为 YYYY-MM-DD"},
			{"no name", "2027-10-12", " ", "holiday", "✗ 名称不能为空且不超过 30 字"},
			{"bad kind", "2027-10-12", "X", "sometimes", "✗ 类型须为 holiday（放假）或 workday（调休上班）"},
		} {
			status, to, body := w.post("admin", "/admin/calendar/holidays", url.Values{"year": {"2027"}, "day": {tc.day}, "name": {tc.hname}, "kind": {tc.kind}})
			if _, flash := w.landed(status, to, body); flash != tc.want {
				t.Errorf("%s: flash %q, want %q", tc.name, flash, tc.want)
			}
		}
		if got := holiday("2027-10-12"); got != "" {
			t.Errorf("a refused holiday was stored: %q", got)
		}
		status, to, body = w.post("admin", "/admin/calendar/holidays/2027-10-11/delete", url.Values{"year": {"2027"}})
		if page, flash := w.landed(status, to, body); flash != "已保存" || strings.Contains(page, "2027-10-11") {
			t.Errorf("delete: flash %q, the page still lists the day", flash)
		}
		if got := holiday("2027-10-11"); got != "" {
			t.Errorf("deleted day still stored: %q", got)
		}
		status, to, body = w.post("admin", "/admin/calendar/holidays/2027-10-11/delete", url.Values{"year": {"2027"}})
		if _, flash := w.landed(status, to, body); !strings.HasPrefix(flash, "✗ ") {
			t.Errorf("delete again: flash %q, want an error", flash)
		}

		// Import a file for a later year (README: CSV date,name,kind).
		file := "date,name,kind\n2031-01-01,元旦,holiday\n2031-01-25,春节调休,workday\n2031/1/28,春节,休\n"
		status, to, body = w.upload("admin", "/admin/calendar/import", url.Values{"year": {"2031"}}, "2031.csv", []byte(file))
		page, flash = w.landed(status, to, body)
		if flash != "已保存" || !rowRE("2031-01-01", "元旦", "放假").MatchString(page) || !rowRE("2031-01-25", "春节调休", "调休上班").MatchString(page) ||
			!rowRE("2031-01-28", "春节", "放假").MatchString(page) || !strings.Contains(page, "导入") {
			t.Errorf("import: flash %q, the 2031 page lacks the imported days", flash)
		}
		cal, _ = a.Calendar.Calendar(ctx, tz)
		if !cal.IsWorkingDay(calendar.Date{Year: 2031, Month: 1, Day: 25}) || cal.IsWorkingDay(calendar.Date{Year: 2031, Month: 1, Day: 1}) {
			t.Error("the imported make-up day or holiday does not change the calendar")
		}
		// A bad file: each bad line named with its reason; nothing stored.
		bad := "date,name,kind\n2032-01-01,元旦,holiday\n2032-02-30,春节,holiday\n2032-03-01,植树,sometimes\n2032-01-01,又一个,holiday\n"
		status, to, body = w.upload("admin", "/admin/calendar/import", url.Values{"year": {"2032"}}, "2032.csv", []byte(bad))
		page, flash = w.landed(status, to, body)
		for _, want := range []string{"✗ ", "第 3 行 date 列", "2032-02-30", "第 4 行 kind 列", `"sometimes"`, "第 5 行 date 列", "duplicate date"} {
			if !strings.Contains(flash, want) {
				t.Errorf("bad file: flash %q lacks %q", flash, want)
			}
		}
		if hs, _ := a.Calendar.Holidays(ctx, 2032); len(hs) != 0 || strings.Contains(page, `<td class="mono">2032-01-01</td>`) {
			t.Errorf("a bad file stored %d days", len(hs))
		}
		for _, tc := range []struct{ name, content, want string }{
			{"no header", "2033-01-01,元旦,holiday\n", "missing header"},
			{"empty", "date,name,kind\n", "✗ 文件中没有节假日"},
		} {
			status, to, body := w.upload("admin", "/admin/calendar/import", url.Values{"year": {"2033"}}, "x.csv", []byte(tc.content))
			if _, flash := w.landed(status, to, body); !strings.Contains(flash, tc.want) {
				t.Errorf("%s: flash %q, want %q", tc.name, flash, tc.want)
			}
		}
		status, to, body = w.upload("admin", "/admin/calendar/import", url.Values{"year": {"2033"}}, "", nil)
		if _, flash := w.landed(status, to, body); flash != "✗ 请选择 CSV 文件（不超过 1 MB）" {
			t.Errorf("no file: flash %q", flash)
		}

		// A manager reads the calendar but may change nothing.
		if status, body := w.get("mgr", "/admin/calendar?year=2031"); status != http.StatusOK || !strings.Contains(body, "春节调休") ||
			strings.Contains(body, `action="/admin/calendar/holidays"`) {
			t.Errorf("manager's calendar page: status %d, or it offers the holiday form", status)
		}
		for _, tc := range []struct {
			path string
			form url.Values
		}{
			{"/admin/calendar/settings", good},
			{"/admin/calendar/holidays", url.Values{"day": {"2031-05-05"}, "name": {"X"}, "kind": {"holiday"}}},
			{"/admin/calendar/holidays/2031-01-01/delete", url.Values{}},
		} {
			if status, _, _ := w.post("mgr", tc.path, tc.form); status != http.StatusForbidden {
				t.Errorf("manager posts %s: status %d, want 403", tc.path, status)
			}
		}
		if status, _, _ := w.upload("mgr", "/admin/calendar/import", nil, "x.csv", []byte(file)); status != http.StatusForbidden {
			t.Errorf("manager imports holidays: status %d, want 403", status)
		}
		if hs, _ := a.Calendar.Holidays(ctx, 2031); len(hs) != 3 {
			t.Errorf("after the manager's posts 2031 has %d days, want 3", len(hs))
		}
	})
}

var newTokenRE = regexp.MustCompile(`data-testid="new-token">.*?<div class="mono user-select-all mt-1">(kf_[A-Za-z0-9_-]+)</div>`)

// TestTokenAdminForms creates an API token on /admin/tokens (the secret
// is shown on that response only and works), revokes it (the list says
// so and the secret is refused), and refuses bad input and non-admins.
func TestTokenAdminForms(t *testing.T) {
	eachPlatform(t, func(t *testing.T, w *platformWorld) {
		a, ctx := w.in.App, w.sys()
		spec := w.staff["spec"]
		status, _, body := w.post("admin", "/admin/tokens", url.Values{"name": {"呼叫中心 PBX"}, "staff_id": {spec.ID}})
		m := newTokenRE.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil {
			t.Fatalf("create: status %d, no secret shown: %s", status, errorText(body))
		}
		secret := m[1]
		w.tokens["pbx"] = secret
		if status, _ := w.get("pbx", "/api/v1/customers"); status != http.StatusOK {
			t.Errorf("the new token: status %d, want 200", status)
		}
		_, list := w.get("admin", "/admin/tokens")
		if strings.Contains(list, secret) || strings.Contains(list, `data-testid="new-token"`) {
			t.Error("the token list shows the secret again")
		}
		if !regexp.MustCompile(`<td>呼叫中心 PBX</td><td>李客服</td><td class="mono">kf_[^<]+_…</td>`).MatchString(list) ||
			!strings.Contains(rowOf(list, "呼叫中心 PBX"), "有效") {
			t.Errorf("the list lacks the token with its staff name and 有效:\n%s", rowOf(list, "呼叫中心 PBX"))
		}
		var id string
		toks, _ := a.Auth.Tokens(ctx)
		for _, tk := range toks {
			if tk.Name == "呼叫中心 PBX" {
				id = tk.ID
			}
		}
		if id == "" || !strings.HasPrefix(secret, "kf_") {
			t.Fatal("token not stored")
		}

		// Bad input: the form again with the field named; nothing stored.
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"no name", url.Values{"name": {" "}, "staff_id": {spec.ID}}, "名称：名称不能为空且不超过 50 字"},
			{"unknown staff", url.Values{"name": {"X"}, "staff_id": {"nope"}}, "员工不存在或已停用"},
			{"expired", url.Values{"name": {"X"}, "staff_id": {spec.ID}, "expires_on": {"2020-01-01"}}, "过期时间须晚于现在"},
			{"not a date", url.Values{"name": {"X"}, "staff_id": {spec.ID}, "expires_on": {"2027/13/01"}}, "日期格式应为 YYYY-MM-DD"},
		} {
			status, _, body := w.post("admin", "/admin/tokens", tc.form)
			if status != http.StatusBadRequest || !strings.Contains(errorText(body), tc.want) || newTokenRE.MatchString(body) {
				t.Errorf("%s: status %d %q, want 400 with %q and no secret", tc.name, status, errorText(body), tc.want)
			}
		}
		if after, _ := a.Auth.Tokens(ctx); len(after) != len(toks) {
			t.Errorf("refused forms stored tokens: %d → %d", len(toks), len(after))
		}
		// Only the admin manages tokens.
		if status, _, _ := w.post("mgr", "/admin/tokens", url.Values{"name": {"X"}, "staff_id": {w.staff["mgr"].ID}}); status != http.StatusForbidden {
			t.Errorf("manager creates a token: status %d, want 403", status)
		}
		if status, _, _ := w.post("mgr", "/admin/tokens/"+id+"/revoke", url.Values{}); status != http.StatusForbidden {
			t.Errorf("manager revokes a token: status %d, want 403", status)
		}
		if status, _ := w.get("pbx", "/api/v1/customers"); status != http.StatusOK {
			t.Errorf("after the manager's revoke: status %d, want the token still valid", status)
		}

		status, to, body := w.post("admin", "/admin/tokens/"+id+"/revoke", url.Values{})
		page, flash := w.landed(status, to, body)
		if to != "/admin/tokens" || flash != "令牌已吊销" {
			t.Errorf("revoke: to %q flash %q", to, flash)
		}
		if row := rowOf(page, "呼叫中心 PBX"); !strings.Contains(row, "已吊销") || strings.Contains(row, "/revoke") {
			t.Errorf("the list does not show the token revoked:\n%s", row)
		}
		if status, _ := w.get("pbx", "/api/v1/customers"); status != http.StatusUnauthorized {
			t.Errorf("the revoked token: status %d, want 401", status)
		}
		if status, _, _ := w.post("admin", "/admin/tokens/nope/revoke", url.Values{}); status != http.StatusNotFound {
			t.Errorf("revoke an unknown token: status %d, want 404", status)
		}
	})
}
