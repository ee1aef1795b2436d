package api_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// pdf is a tiny file that sniffs as application/pdf.
var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// TestArchiveAPI: contacts, equipment, WeChat groups and members, files,
// and the archive lists, on a customer of lin.wen's made for this test.
func TestArchiveAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		c := e.newCustomer(t, unique("档案测试"))
		vars := map[string]string{"c": c["id"].(string), "lin": e.staff["lin.wen"], "su": e.staff["su.yue"],
			"threeDaysAgo": e.daysAgo(3), "yesterday": e.daysAgo(1)}
		// Ids created by earlier rows are picked up by later ones.
		keep := func(name string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) { vars[name] = r.obj(t)["id"].(string) }
		}
		recordedAt := e.app.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
		e.run(t, vars, []scenario{
			// Contacts.
			{name: "add a contact; phones are normalised", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/contacts", status: 201,
				body: map[string]any{"name": "王建国", "title": "物业经理", "phone": "139 1234 5678", "decision_maker": true},
				check: func(t *testing.T, r response) {
					ct := r.obj(t)
					if ct["phone"] != "13912345678" || ct["active"] != true || ct["decision_maker"] != true || num(ct["version"]) != 1 {
						t.Errorf("contact %v", ct)
					}
					vars["ct"] = ct["id"].(string)
				}},
			{name: "add a second contact", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/contacts", status: 201,
				body: map[string]any{"name": "李秀英", "phone": "010-6512 3456"}, check: keep("ct2")},
			{name: "list contacts: decision makers first", as: "ma.tao", method: "GET", path: "/api/v1/customers/{{c}}/contacts", status: 200,
				check: func(t *testing.T, r response) {
					cs := r.items(t)
					if len(cs) != 2 || cs[0]["name"] != "王建国" || cs[1]["phone"] != "010-65123456" {
						t.Errorf("contacts %v", cs)
					}
				}},
			{name: "get a contact", as: "ma.tao", method: "GET", path: "/api/v1/contacts/{{ct}}", status: 200},
			{name: "a contact update known 3 days ago is late", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 200,
				body: `{"version":1,"phone":"13800138000","known_on":"{{threeDaysAgo}}"}`,
				check: func(t *testing.T, r response) {
					ct := r.obj(t)
					if ct["phone"] != "13800138000" || ct["name"] != "王建国" || ct["title"] != "物业经理" || num(ct["version"]) != 2 {
						t.Errorf("contact %v", ct)
					}
				}},
			{name: "the late list shows it with late_days 3", as: "manager", method: "GET",
				path: "/api/v1/archive/late?owner_id={{lin}}&from={{threeDaysAgo}}", status: 200,
				check: func(t *testing.T, r response) {
					for _, ch := range r.items(t) {
						if ch["entity_id"] == vars["ct"] {
							if num(ch["late_days"]) != 3 || ch["known_on"] != vars["threeDaysAgo"] || ch["recorded_on"] != e.daysAgo(0) || ch["owner_name"] != "林雯" {
								t.Errorf("late change %v", ch)
							}
							return
						}
					}
					t.Errorf("the late contact change is not listed")
				}},
			{name: "a specialist's late list defaults to their own", as: "lin.wen", method: "GET", path: "/api/v1/archive/late", status: 200,
				check: func(t *testing.T, r response) {
					for _, ch := range r.items(t) {
						if ch["owner_id"] != vars["lin"] {
							t.Fatalf("lin.wen sees %v's late change", ch["owner_name"])
						}
					}
				}},
			{name: "su.yue's late list does not show it", as: "su.yue", method: "GET", path: "/api/v1/archive/late", status: 200,
				check: func(t *testing.T, r response) {
					if slices.ContainsFunc(r.items(t), func(ch map[string]any) bool { return ch["entity_id"] == vars["ct"] }) {
						t.Errorf("su.yue sees lin.wen's late change")
					}
				}},
			{name: "late list: a bad date names it", as: "manager", method: "GET", path: "/api/v1/archive/late?from=2026-13-01", status: 400, code: "invalid", field: "from"},
			{name: "known_on after today is refused", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 400, code: "invalid", field: "known_on",
				body: `{"version":2,"title":"未来","known_on":"2999-01-01"}`, same: []string{"/api/v1/contacts/{{ct}}"}},
			{name: "a specialist cannot back-date recorded_at", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 403, code: "forbidden",
				body: `{"version":2,"title":"补录","recorded_at":"` + recordedAt + `"}`, same: []string{"/api/v1/contacts/{{ct}}"}},
			{name: "the manager migrates history with recorded_at", as: "manager", method: "PUT", path: "/api/v1/contacts/{{ct2}}", status: 200,
				body: `{"version":1,"title":"工程部","known_on":"{{threeDaysAgo}}","recorded_at":"` + recordedAt + `"}`,
				check: func(t *testing.T, r response) {
					hist := e.must(t, 200, "manager", "GET", "/api/v1/customers/"+vars["c"]+"/changes", nil).items(t)
					for _, ch := range hist {
						if ch["entity_id"] == vars["ct2"] && ch["action"] == "update" {
							at, _ := time.Parse(time.RFC3339, ch["recorded_at"].(string))
							if !at.Equal(mustTime(recordedAt)) || num(ch["late_days"]) != 1 || ch["recorded_on"] != e.daysAgo(2) {
								t.Errorf("migrated change %v", ch)
							}
							return
						}
					}
					t.Errorf("migrated change not in the history")
				}},
			{name: "a contact who left", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct2}}", status: 200,
				body: `{"version":2,"active":false}`,
				check: func(t *testing.T, r response) {
					if ct := r.obj(t); ct["active"] != false || ct["title"] != "工程部" {
						t.Errorf("contact %v", ct)
					}
				}},

			// Equipment.
			{name: "add equipment", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/equipment", status: 201,
				body:  map[string]any{"kind": "冷水机组", "brand": "开利", "model": "30XA-1002", "serial": "SN-001", "installed_on": "2020-06-01"},
				check: keep("eq")},
			{name: "update equipment; left-out fields are kept", as: "lin.wen", method: "PUT", path: "/api/v1/equipment/{{eq}}", status: 200,
				body: `{"version":1,"location":"地下二层机房"}`,
				check: func(t *testing.T, r response) {
					eq := r.obj(t)
					if eq["location"] != "地下二层机房" || eq["serial"] != "SN-001" || eq["installed_on"] != "2020-06-01" || num(eq["version"]) != 2 {
						t.Errorf("equipment %v", eq)
					}
				}},
			{name: "list equipment", as: "xu.jing", method: "GET", path: "/api/v1/customers/{{c}}/equipment", status: 200,
				check: func(t *testing.T, r response) {
					if eq := r.items(t); len(eq) != 1 || eq[0]["model"] != "30XA-1002" {
						t.Errorf("equipment %v", eq)
					}
				}},
			{name: "equipment: stale version", as: "lin.wen", method: "PUT", path: "/api/v1/equipment/{{eq}}", status: 409, code: "conflict", field: "version",
				body: `{"version":1,"location":"x"}`, same: []string{"/api/v1/customers/{{c}}/equipment"}},
			{name: "equipment: a bad date names it", as: "lin.wen", method: "PUT", path: "/api/v1/equipment/{{eq}}", status: 400, code: "invalid", field: "installed_on",
				body: `{"version":2,"installed_on":"2020/06/01"}`, same: []string{"/api/v1/customers/{{c}}/equipment"}},
			{name: "equipment: unknown id", as: "lin.wen", method: "PUT", path: "/api/v1/equipment/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found", field: "id",
				body: `{"version":1}`},

			// WeChat groups and members.
			{name: "create a WeChat group", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/wechat-groups", status: 201,
				body: map[string]any{"name": "华暖-测试客户服务群", "created_on": "2025-01-02"}, check: keep("g")},
			{name: "rename the group", as: "lin.wen", method: "PUT", path: "/api/v1/wechat-groups/{{g}}", status: 200,
				body: `{"version":1,"name":"华暖-测试服务群"}`,
				check: func(t *testing.T, r response) {
					if g := r.obj(t); g["name"] != "华暖-测试服务群" || g["created_on"] != "2025-01-02" || g["active"] != true {
						t.Errorf("group %v", g)
					}
				}},
			{name: "add the leaver as a member", as: "lin.wen", method: "POST", path: "/api/v1/wechat-groups/{{g}}/members", status: 201,
				body: map[string]any{"display_name": "李秀英", "side": "customer", "contact_id": "{{ct2}}"}, check: keep("m1")},
			{name: "add a staff member", as: "lin.wen", method: "POST", path: "/api/v1/wechat-groups/{{g}}/members", status: 201,
				body: map[string]any{"display_name": "华暖-林雯", "side": "staff", "staff_id": "{{lin}}", "joined_on": "2025-01-02"}},
			{name: "a member of another customer's contact is refused", as: "lin.wen", method: "POST", path: "/api/v1/wechat-groups/{{g}}/members", status: 400,
				code: "invalid", field: "contact_id", body: map[string]any{"display_name": "x", "side": "customer", "contact_id": "01900000-0000-7000-8000-000000000000"}},
			{name: "a bad side names it", as: "lin.wen", method: "POST", path: "/api/v1/wechat-groups/{{g}}/members", status: 400,
				code: "invalid", field: "side", body: map[string]any{"display_name": "x", "side": "robot"}},
			{name: "groups with members and validity", as: "ma.tao", method: "GET", path: "/api/v1/customers/{{c}}/wechat-groups", status: 200,
				check: func(t *testing.T, r response) {
					gs := r.items(t)
					if len(gs) != 1 {
						t.Fatalf("groups %v", gs)
					}
					ms := gs[0]["members"].([]any)
					if len(ms) != 2 {
						t.Fatalf("members %v", ms)
					}
					for _, m := range ms {
						m := m.(map[string]any)
						if m["id"] == vars["m1"] && (m["valid"] != false || m["reason"] != "联系人已离任") {
							t.Errorf("the leaver %v", m)
						}
						if m["side"] == "staff" && m["valid"] != true {
							t.Errorf("the staff member %v", m)
						}
					}
				}},
			{name: "members to remove lists the leaver", as: "lin.wen", method: "GET", path: "/api/v1/archive/members-to-remove", status: 200,
				check: func(t *testing.T, r response) {
					if !slices.ContainsFunc(r.items(t), func(m map[string]any) bool { return m["id"] == vars["m1"] && m["customer_id"] == vars["c"] }) {
						t.Errorf("the leaver is not listed")
					}
				}},
			{name: "remove the leaver, on the day known", as: "lin.wen", method: "POST", path: "/api/v1/wechat-members/{{m1}}/remove", status: 204,
				body: `{"known_on":"{{yesterday}}"}`},
			{name: "removing twice is a conflict", as: "lin.wen", method: "POST", path: "/api/v1/wechat-members/{{m1}}/remove", status: 409, code: "conflict", field: "removed_on"},
			{name: "members to remove no longer lists them", as: "manager", method: "GET", path: "/api/v1/archive/members-to-remove?owner_id={{lin}}", status: 200,
				check: func(t *testing.T, r response) {
					if slices.ContainsFunc(r.items(t), func(m map[string]any) bool { return m["id"] == vars["m1"] }) {
						t.Errorf("the removed member is still listed")
					}
				}},

			// Files.
			{name: "upload a PDF with its known date", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/files", status: 201,
				form: []part{field("category", "合同"), field("known_on", e.daysAgo(1)), file("file", "维保合同 2026.pdf", pdf)},
				check: func(t *testing.T, r response) {
					f := r.obj(t)
					if f["name"] != "维保合同 2026.pdf" || f["content_type"] != "application/pdf" || num(f["size"]) != int64(len(pdf)) || f["customer_id"] != vars["c"] {
						t.Errorf("file %v", f)
					}
					vars["f"] = f["id"].(string)
				}},
			{name: "list files", as: "ma.tao", method: "GET", path: "/api/v1/customers/{{c}}/files", status: 200,
				check: func(t *testing.T, r response) {
					if fs := r.items(t); len(fs) != 1 || fs[0]["category"] != "合同" {
						t.Errorf("files %v", fs)
					}
				}},
			{name: "download the file", as: "ma.tao", method: "GET", path: "/api/v1/files/{{f}}", status: 200,
				check: func(t *testing.T, r response) {
					if !bytes.Equal(r.body, pdf) || r.header.Get("Content-Type") != "application/pdf" ||
						!strings.Contains(r.header.Get("Content-Disposition"), "attachment; filename*=UTF-8''") {
						t.Errorf("download: %q %v", r.body, r.header)
					}
				}},
			{name: "an executable is refused", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/files", status: 400, code: "invalid", field: "file",
				form: []part{file("file", "setup.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"))}, same: []string{"/api/v1/customers/{{c}}/files"}},
			{name: "the upload without a file names it", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/files", status: 400, code: "invalid", field: "file",
				form: []part{field("category", "合同")}},
			{name: "a JSON body is not an upload", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/files", status: 400, code: "invalid", field: "body",
				body: `{"file":"x"}`},
			{name: "unknown file is 404", as: "manager", method: "GET", path: "/api/v1/files/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found", field: "id"},

			// Every write above is in the history.
			{name: "the history has every change", as: "manager", method: "GET", path: "/api/v1/customers/{{c}}/changes", status: 200,
				check: func(t *testing.T, r response) {
					got := map[string]int{}
					for _, ch := range r.items(t) {
						got[fmt.Sprint(ch["entity"], " ", ch["action"])]++
					}
					want := map[string]int{"customer create": 1, "contact create": 2, "contact update": 3, "equipment create": 1, "equipment update": 1,
						"wechat_group create": 1, "wechat_group update": 1, "wechat_member create": 2, "wechat_member update": 1, "file create": 1}
					for k, n := range want {
						if got[k] != n {
							t.Errorf("%s: %d entries, want %d (all: %v)", k, got[k], n, got)
						}
					}
				}},
		})
	})
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
