package api_test

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCustomersAPI: list with filters and keyset paging, get, create,
// update with version, ownership, and the history of a customer.
func TestCustomersAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		lin, su := e.staff["lin.wen"], e.staff["su.yue"]
		mine := e.newCustomer(t, unique("林的客户"))
		other := e.customersOf(t, "su.yue")[0]
		gm, wj := e.regionID(t, "国贸"), e.regionID(t, "望京")
		vars := map[string]string{"mine": mine["id"].(string), "other": other["id"].(string), "lin": lin, "su": su,
			"gm": gm, "wj": wj, "newname": unique("新建客户"), "linname": unique("专员新建"), "renamed": unique("改名客户")}

		eachItem := func(pred func(c map[string]any) bool) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				cs := r.items(t)
				if len(cs) == 0 {
					t.Fatal("no customers")
				}
				for _, c := range cs {
					if !pred(c) {
						t.Errorf("customer %v does not match the filter", c["name"])
					}
				}
			}
		}
		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "GET", path: "/api/v1/customers", status: 401, code: "unauthorized"},
			{name: "a technician reads the list", as: "ma.tao", method: "GET", path: "/api/v1/customers?limit=5", status: 200,
				check: func(t *testing.T, r response) {
					var p struct {
						Items []map[string]any `json:"items"`
						Next  string           `json:"next"`
					}
					r.decode(t, &p)
					if len(p.Items) != 5 || p.Next == "" {
						t.Fatalf("got %d items, next %q; want 5 and a cursor", len(p.Items), p.Next)
					}
					// The next page continues after the last name, in order.
					r2 := e.must(t, 200, "ma.tao", "GET", "/api/v1/customers?limit=5&after="+url.QueryEscape(p.Next), nil)
					var p2 struct {
						Items []map[string]any `json:"items"`
					}
					r2.decode(t, &p2)
					if len(p2.Items) == 0 {
						t.Fatal("second page empty")
					}
					names := []string{}
					for _, c := range append(p.Items, p2.Items...) {
						names = append(names, c["name"].(string))
					}
					if !slices.IsSorted(names) || slices.Compact(slices.Clone(names)) == nil {
						t.Errorf("pages not in name order: %v", names)
					}
					if p.Items[4]["id"] == p2.Items[0]["id"] {
						t.Errorf("the second page repeats the last row of the first")
					}
				}},
			{name: "the last page has an empty next", as: "manager", method: "GET", path: "/api/v1/customers?limit=200", status: 200,
				check: func(t *testing.T, r response) {
					if r.obj(t)["next"] != "" {
						t.Errorf("next = %v on the last page", r.obj(t)["next"])
					}
				}},
			{name: "filter by owner", as: "manager", method: "GET", path: "/api/v1/customers?owner_id={{lin}}", status: 200,
				check: eachItem(func(c map[string]any) bool { return c["owner_id"] == lin })},
			{name: "filter by region and class", as: "manager", method: "GET", path: "/api/v1/customers?region_id={{wj}}&class=B", status: 200,
				check: eachItem(func(c map[string]any) bool { return c["region_id"] == wj && c["class"] == "B" })},
			{name: "search by name", as: "su.yue", method: "GET", path: "/api/v1/customers?q=" + url.QueryEscape("医院"), status: 200,
				check: func(t *testing.T, r response) {
					if cs := r.items(t); !slices.ContainsFunc(cs, func(c map[string]any) bool { return strings.Contains(c["name"].(string), "医院") }) {
						t.Errorf("no hospital among %d results", len(cs))
					}
				}},
			{name: "a bad class filter names it", as: "manager", method: "GET", path: "/api/v1/customers?class=Z", status: 400, code: "invalid", field: "class"},
			{name: "a bad limit names it", as: "manager", method: "GET", path: "/api/v1/customers?limit=0", status: 400, code: "invalid", field: "limit"},
			{name: "a bad orphan flag names it", as: "manager", method: "GET", path: "/api/v1/customers?orphan=maybe", status: 400, code: "invalid", field: "orphan"},
			{name: "a bad cursor names it", as: "manager", method: "GET", path: "/api/v1/customers?after=!!!", status: 400, code: "invalid", field: "after"},
			{name: "get one with names", as: "xu.jing", method: "GET", path: "/api/v1/customers/{{other}}", status: 200,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["owner_name"] != "苏悦" || c["region_name"] != "望京" || c["version"] == nil {
						t.Errorf("customer %v", c)
					}
				}},
			{name: "unknown id is 404", as: "manager", method: "GET", path: "/api/v1/customers/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found", field: "id"},
			{name: "the manager creates a customer", as: "manager", method: "POST", path: "/api/v1/customers", status: 201,
				body: map[string]any{"name": "{{newname}}", "class": "a", "region_id": "{{wj}}", "owner_id": "{{su}}", "address": " 望京街 9 号 "},
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["class"] != "A" || c["owner_id"] != su || c["address"] != "望京街 9 号" || num(c["version"]) != 1 || c["status"] != "active" {
						t.Errorf("created %v", c)
					}
					if code, _ := c["code"].(string); !strings.HasPrefix(code, "KH-") {
						t.Errorf("code %q, want a generated KH- number", code)
					}
				}},
			{name: "a specialist's new customer is their own", as: "lin.wen", method: "POST", path: "/api/v1/customers", status: 201,
				body: map[string]any{"name": "{{linname}}", "class": "C", "region_id": "{{gm}}"},
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["owner_id"] != lin {
						t.Errorf("owner %v, want lin.wen", c["owner_id"])
					}
				}},
			{name: "a specialist cannot create for another", as: "lin.wen", method: "POST", path: "/api/v1/customers", status: 403, code: "forbidden",
				body: map[string]any{"name": unique("越权"), "class": "C", "region_id": "{{gm}}", "owner_id": "{{su}}"}},
			{name: "a technician cannot create", as: "ma.tao", method: "POST", path: "/api/v1/customers", status: 403, code: "forbidden",
				body: map[string]any{"name": unique("技术员"), "class": "C", "region_id": "{{gm}}"}},
			{name: "the owner updates their customer; left-out fields are kept", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{mine}}", status: 200,
				body: `{"version":1,"name":"{{renamed}}","notes":"改名"}`,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["name"] != vars["renamed"] || c["notes"] != "改名" || num(c["version"]) != 2 || c["address"] != "北京市朝阳区测试路 1 号" || c["owner_id"] != lin {
						t.Errorf("updated %v", c)
					}
				}},
			{name: "a stale version is a conflict", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{mine}}", status: 409, code: "conflict", field: "version",
				body: `{"version":1,"name":"晚到的修改"}`, same: []string{"/api/v1/customers/{{mine}}"}},
			{name: "an update without version is refused", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{mine}}", status: 400, code: "invalid", field: "version",
				body: `{"name":"无版本"}`, same: []string{"/api/v1/customers/{{mine}}"}},
			{name: "a specialist cannot update another's customer", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{other}}", status: 403, code: "forbidden",
				body: `{"version":1,"notes":"越权修改"}`, same: []string{"/api/v1/customers/{{other}}"}},
			{name: "a specialist cannot reassign their customer", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{mine}}", status: 403, code: "forbidden",
				body: `{"version":2,"owner_id":"{{su}}"}`, same: []string{"/api/v1/customers/{{mine}}"}},
			{name: "a technician cannot update", as: "ma.tao", method: "PUT", path: "/api/v1/customers/{{mine}}", status: 403, code: "forbidden",
				body: `{"version":2,"notes":"技术员"}`, same: []string{"/api/v1/customers/{{mine}}"}},
			{name: "the manager reassigns", as: "manager", method: "PUT", path: "/api/v1/customers/{{mine}}", status: 200,
				body: `{"version":2,"owner_id":"{{su}}","known_on":"` + e.daysAgo(0) + `"}`,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["owner_id"] != su || c["owner_name"] != "苏悦" {
						t.Errorf("after reassigning: %v", c)
					}
				}},
			{name: "the history lists each change newest first", as: "ma.tao", method: "GET", path: "/api/v1/customers/{{mine}}/changes", status: 200,
				check: func(t *testing.T, r response) {
					cs := r.items(t)
					if len(cs) != 3 {
						t.Fatalf("%d changes, want create + 2 updates", len(cs))
					}
					if cs[2]["action"] != "create" || cs[0]["action"] != "update" {
						t.Errorf("actions %v, %v, %v", cs[0]["action"], cs[1]["action"], cs[2]["action"])
					}
					changed := map[string]bool{}
					for _, f := range cs[1]["changes"].([]any) {
						changed[f.(map[string]any)["field"].(string)] = true
					}
					if !changed["name"] || !changed["notes"] || len(changed) != 2 {
						t.Errorf("fields of the rename: %v", changed)
					}
					if cs[0]["recorded_by_name"] != "沈雅琴" || cs[0]["known_on"] != e.daysAgo(0) {
						t.Errorf("latest change %v", cs[0])
					}
				}},
			{name: "history of an unknown customer is 404", as: "manager", method: "GET", path: "/api/v1/customers/01900000-0000-7000-8000-000000000000/changes", status: 404, code: "not_found", field: "id"},
		})
	})
}

// TestOwnership: a specialist edits the archive of the customers they own
// and nothing else; a technician writes nothing.
func TestOwnership(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		linC := e.customersOf(t, "lin.wen")[1]
		suC := e.customersOf(t, "su.yue")[1]
		vars := map[string]string{"lin": linC["id"].(string), "linv": jsonNum(linC["version"]), "su": suC["id"].(string), "suv": jsonNum(suC["version"])}
		suContact := e.must(t, 200, "admin", "GET", "/api/v1/customers/"+vars["su"]+"/contacts", nil).items(t)[0]
		vars["suct"], vars["suctv"] = suContact["id"].(string), jsonNum(suContact["version"])
		sameSu := []string{"/api/v1/customers/{{su}}", "/api/v1/customers/{{su}}/contacts", "/api/v1/customers/{{su}}/equipment"}
		e.run(t, vars, []scenario{
			{name: "lin.wen updates her own 国贸 customer", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{lin}}", status: 200,
				body: `{"version":{{linv}},"notes":"专员本人修改"}`},
			{name: "lin.wen adds a contact to her own customer", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{lin}}/contacts", status: 201,
				body: map[string]any{"name": "新联系人", "phone": "13912345678"}},
			{name: "lin.wen cannot update su.yue's customer", as: "lin.wen", method: "PUT", path: "/api/v1/customers/{{su}}", status: 403, code: "forbidden",
				body: `{"version":{{suv}},"notes":"越权"}`, same: sameSu},
			{name: "lin.wen cannot add a contact there", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{su}}/contacts", status: 403, code: "forbidden",
				body: map[string]any{"name": "越权联系人"}, same: sameSu},
			{name: "lin.wen cannot edit a contact there", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{suct}}", status: 403, code: "forbidden",
				body: `{"version":{{suctv}},"title":"越权"}`, same: sameSu},
			{name: "lin.wen cannot add equipment there", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{su}}/equipment", status: 403, code: "forbidden",
				body: map[string]any{"kind": "冷却塔"}, same: sameSu},
			{name: "lin.wen still reads it", as: "lin.wen", method: "GET", path: "/api/v1/customers/{{su}}/contacts", status: 200},
			{name: "a technician cannot update", as: "ma.tao", method: "PUT", path: "/api/v1/customers/{{lin}}", status: 403, code: "forbidden",
				body: `{"version":1,"notes":"x"}`},
			{name: "a technician cannot add a contact", as: "ma.tao", method: "POST", path: "/api/v1/customers/{{lin}}/contacts", status: 403, code: "forbidden",
				body: map[string]any{"name": "x"}, same: []string{"/api/v1/customers/{{lin}}/contacts"}},
			{name: "a technician cannot add equipment", as: "ma.tao", method: "POST", path: "/api/v1/customers/{{lin}}/equipment", status: 403, code: "forbidden",
				body: map[string]any{"kind": "x"}},
			{name: "a technician cannot upload", as: "ma.tao", method: "POST", path: "/api/v1/customers/{{lin}}/files", status: 403, code: "forbidden",
				form: []part{file("file", "a.pdf", []byte("%PDF-1.4\n"))}},
			{name: "a technician cannot import", as: "ma.tao", method: "POST", path: "/api/v1/imports", status: 403, code: "forbidden",
				form: []part{field("kind", "customers"), file("file", "a.csv", []byte("客户名称\n甲\n"))}},
			{name: "a technician cannot create staff", as: "ma.tao", method: "POST", path: "/api/v1/staff", status: 403, code: "forbidden",
				body: map[string]any{"login": "x.y", "name": "x", "roles": []string{"technician"}}},
			{name: "a specialist cannot import", as: "lin.wen", method: "POST", path: "/api/v1/imports", status: 403, code: "forbidden",
				form: []part{field("kind", "customers"), file("file", "a.csv", []byte("客户名称\n甲\n"))}},
		})
	})
}

func jsonNum(v any) string { return strconv.FormatInt(num(v), 10) }
