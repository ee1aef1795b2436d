package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"kefu/internal/demo"
)

// TestBadInput: the "Bad input" list of the issue. Every bad request gets
// a JSON error naming the field at fault, and nothing stored changes.
func TestBadInput(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		c := e.newCustomer(t, unique("坏输入"))
		other := e.newCustomer(t, unique("同名"))
		ct := e.must(t, 201, "lin.wen", "POST", "/api/v1/customers/"+c["id"].(string)+"/contacts", map[string]any{"name": "张工", "phone": "13811112222"}).obj(t)
		vars := map[string]string{"c": c["id"].(string), "cname": c["name"].(string), "other": other["id"].(string), "ct": ct["id"].(string),
			"gm": e.regionID(t, "国贸"), "wj": e.regionID(t, "望京"), "long": strings.Repeat("长", 101), "none": "01900000-0000-7000-8000-000000000000"}
		cust := []string{"/api/v1/customers/{{c}}", "/api/v1/customers/{{c}}/contacts", "/api/v1/customers/{{c}}/changes"}
		all := "/api/v1/customers?limit=200&region_id={{gm}}"
		e.run(t, vars, []scenario{
			// Malformed JSON.
			{name: "malformed JSON on create", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "body",
				body: `{"name":"半截`, same: []string{all}},
			{name: "malformed JSON on update", as: "manager", method: "PUT", path: "/api/v1/customers/{{c}}", status: 400, code: "invalid", field: "body",
				body: `{version: 1}`, same: cust},
			{name: "two JSON values", as: "manager", method: "PUT", path: "/api/v1/customers/{{c}}", status: 400, code: "invalid", field: "body",
				body: `{"version":1}{"version":1}`, same: cust},
			{name: "an empty body", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "body",
				body: ``, same: []string{all}},
			{name: "an unknown field is named", as: "manager", method: "PUT", path: "/api/v1/customers/{{c}}", status: 400, code: "invalid", field: "nmae",
				body: `{"version":1,"nmae":"拼错"}`, same: cust},

			// Wrong types. The field is the JSON name even inside embedded
			// structs (ContactInput embeds Change, updates embed the input):
			// "a string for a flag" and "a number for the known date" fail
			// while httpx.DecodeJSON reports UnmarshalTypeError.Field as is,
			// which prefixes the Go names of embedded structs
			// ("ContactInput.decision_maker", "Change.known_on").
			{name: "a number for a name", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "name",
				body: `{"name":5,"class":"B","region_id":"{{gm}}"}`, same: []string{all}},
			{name: "a string for the version", as: "manager", method: "PUT", path: "/api/v1/customers/{{c}}", status: 400, code: "invalid", field: "version",
				body: `{"version":"1","name":"x"}`, same: cust},
			{name: "a string for a flag", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 400, code: "invalid", field: "decision_maker",
				body: `{"version":1,"decision_maker":"yes"}`, same: cust},
			{name: "a number for the known date", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/contacts", status: 400, code: "invalid", field: "known_on",
				body: `{"name":"x","known_on":20260101}`, same: cust},
			{name: "an array for a name", as: "admin", method: "POST", path: "/api/v1/departments", status: 400, code: "invalid", field: "name",
				body: `{"name":["a"]}`, same: []string{"/api/v1/departments"}},

			// Missing required fields.
			{name: "a customer without name", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "name",
				body: `{"class":"B","region_id":"{{gm}}"}`, same: []string{all}},
			{name: "a customer without class", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "class",
				body: `{"name":"无等级","region_id":"{{gm}}"}`, same: []string{all}},
			{name: "a customer without region", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "region_id",
				body: `{"name":"无区域","class":"B"}`, same: []string{all}},
			{name: "a customer in an unknown region", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "region_id",
				body: `{"name":"无区域","class":"B","region_id":"{{none}}"}`, same: []string{all}},
			{name: "blanking the name on update", as: "manager", method: "PUT", path: "/api/v1/customers/{{c}}", status: 400, code: "invalid", field: "name",
				body: `{"version":1,"name":"  "}`, same: cust},
			{name: "a contact without name", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/contacts", status: 400, code: "invalid", field: "name",
				body: `{"phone":"13811112222"}`, same: cust},
			{name: "equipment without kind", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/equipment", status: 400, code: "invalid", field: "kind",
				body: `{"model":"X"}`, same: []string{"/api/v1/customers/{{c}}/equipment"}},
			{name: "a WeChat group without name", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/wechat-groups", status: 400, code: "invalid", field: "name",
				body: `{}`, same: []string{"/api/v1/customers/{{c}}/wechat-groups"}},
			{name: "staff without login", as: "admin", method: "POST", path: "/api/v1/staff", status: 400, code: "invalid", field: "login",
				body: `{"name":"无登录名","roles":["technician"]}`},

			// Overlong strings.
			{name: "an overlong customer name", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "name",
				body: `{"name":"{{long}}","class":"B","region_id":"{{gm}}"}`, same: []string{all}},
			{name: "an overlong address on update", as: "manager", method: "PUT", path: "/api/v1/customers/{{c}}", status: 400, code: "invalid", field: "address",
				body: `{"version":1,"address":"{{long}}{{long}}"}`, same: cust},
			{name: "an overlong contact title", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 400, code: "invalid", field: "title",
				body: `{"version":1,"title":"{{long}}"}`, same: cust},

			// Invalid phone numbers.
			{name: "a short phone", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/contacts", status: 400, code: "invalid", field: "phone",
				body: `{"name":"电话错","phone":"12345"}`, same: cust},
			{name: "letters in a phone", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 400, code: "invalid", field: "phone",
				body: `{"version":1,"phone":"call me"}`, same: cust},
			{name: "a bad second phone", as: "lin.wen", method: "PUT", path: "/api/v1/contacts/{{ct}}", status: 400, code: "invalid", field: "phone2",
				body: `{"version":1,"phone2":"1.38E+10"}`, same: cust},

			// Duplicate customer names in one region.
			{name: "a duplicate name in one region", as: "manager", method: "POST", path: "/api/v1/customers", status: 409, code: "conflict", field: "name",
				body: `{"name":"{{cname}}","class":"B","region_id":"{{gm}}"}`, same: []string{all}},
			{name: "renaming onto another customer's name", as: "manager", method: "PUT", path: "/api/v1/customers/{{other}}", status: 409, code: "conflict", field: "name",
				body: `{"version":1,"name":"{{cname}}"}`, same: []string{"/api/v1/customers/{{other}}", "/api/v1/customers/{{c}}"}},
			{name: "the same name in another region is fine", as: "manager", method: "POST", path: "/api/v1/customers", status: 201,
				body: `{"name":"{{cname}}","class":"B","region_id":"{{wj}}"}`},

			// Unknown ids.
			{name: "unknown customer", as: "manager", method: "GET", path: "/api/v1/customers/{{none}}", status: 404, code: "not_found", field: "id"},
			{name: "update an unknown customer", as: "manager", method: "PUT", path: "/api/v1/customers/{{none}}", status: 404, code: "not_found", field: "id", body: `{"version":1}`},
			{name: "contacts of an unknown customer", as: "manager", method: "GET", path: "/api/v1/customers/{{none}}/contacts", status: 404, code: "not_found", field: "id"},
			{name: "a contact for an unknown customer", as: "manager", method: "POST", path: "/api/v1/customers/{{none}}/contacts", status: 404, code: "not_found", field: "id", body: `{"name":"x"}`},
			{name: "unknown contact", as: "manager", method: "PUT", path: "/api/v1/contacts/{{none}}", status: 404, code: "not_found", field: "id", body: `{"version":1}`},
			{name: "unknown WeChat group", as: "manager", method: "PUT", path: "/api/v1/wechat-groups/{{none}}", status: 404, code: "not_found", field: "id", body: `{"version":1}`},
			{name: "a member for an unknown group", as: "manager", method: "POST", path: "/api/v1/wechat-groups/{{none}}/members", status: 404, code: "not_found", field: "id",
				body: `{"display_name":"x","side":"customer"}`},
			{name: "removing an unknown member", as: "manager", method: "POST", path: "/api/v1/wechat-members/{{none}}/remove", status: 404, code: "not_found", field: "id"},
			{name: "unknown staff", as: "manager", method: "GET", path: "/api/v1/staff/{{none}}", status: 404, code: "not_found", field: "id"},
			{name: "unknown department", as: "admin", method: "PUT", path: "/api/v1/departments/{{none}}", status: 404, code: "not_found", field: "id", body: `{"version":1}`},
			{name: "unknown endpoint", as: "manager", method: "GET", path: "/api/v1/nothing-here", status: 404, code: "not_found"},
			{name: "a wrong method is 405 in JSON", as: "manager", method: "DELETE", path: "/api/v1/customers/{{c}}", status: 405, code: "method_not_allowed",
				same: cust, check: func(t *testing.T, r response) {
					if a := r.header.Get("Allow"); a != "GET, PUT" {
						t.Errorf("Allow: %q", a)
					}
				}},

			// Wrong content type.
			{name: "a form post to a JSON endpoint", as: "manager", method: "POST", path: "/api/v1/customers", status: 400, code: "invalid", field: "body",
				form: []part{field("name", "表单")}, same: []string{all}},

			// Files: not XLSX/CSV, too large, path traversal.
			{name: "an image is not an import file", as: "manager", method: "POST", path: "/api/v1/imports", status: 400, code: "invalid", field: "file",
				form: []part{field("kind", "customers"), file("file", "客户.xlsx", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))}, same: []string{all}},
			{name: "a PDF is not an import file", as: "manager", method: "POST", path: "/api/v1/imports", status: 400, code: "invalid", field: "file",
				form: []part{field("kind", "customers"), file("file", "客户.csv", pdf)}, same: []string{all}},
			{name: "an old .xls is not an import file", as: "manager", method: "POST", path: "/api/v1/imports", status: 400, code: "invalid", field: "file",
				form: []part{field("kind", "customers"), file("file", "客户.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"))}, same: []string{all}},
			{name: "a path-traversal file name", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/files", status: 400, code: "invalid", field: "file",
				form: []part{file("file", "../../etc/passwd", pdf)}, same: []string{"/api/v1/customers/{{c}}/files"}},
			{name: "a Windows path-traversal file name", as: "lin.wen", method: "POST", path: "/api/v1/customers/{{c}}/files", status: 400, code: "invalid", field: "file",
				form: []part{file("file", `..\..\windows\win.ini`, pdf)}, same: []string{"/api/v1/customers/{{c}}/files"}},
			{name: "a path-traversal import name", as: "manager", method: "POST", path: "/api/v1/imports", status: 400, code: "invalid", field: "file",
				form: []part{field("kind", "customers"), file("file", "../../etc/passwd", []byte("客户名称,客户等级,区域\n穿越,B,国贸\n"))}, same: []string{all}},
			{name: "a file for an unknown customer", as: "manager", method: "POST", path: "/api/v1/customers/{{none}}/files", status: 404, code: "not_found", field: "id",
				form: []part{file("file", "a.pdf", pdf)}},
		})

		big := func(name string) part {
			// 50 MB streamed, never held in memory: a PDF header then zeros.
			return part{name: "file", fileName: name, content: io.MultiReader(bytes.NewReader(pdf), io.LimitReader(zeros{}, 50<<20))}
		}
		t.Run("a 50 MB file upload", func(t *testing.T) {
			before := e.snapshot(t, expand("/api/v1/customers/{{c}}/files", vars))
			r := e.upload(t, "lin.wen", "/api/v1/customers/"+vars["c"]+"/files", big("big.pdf"))
			checkTooLarge(t, r)
			if !jsonEqual(before, e.snapshot(t, expand("/api/v1/customers/{{c}}/files", vars))) {
				t.Errorf("files changed")
			}
		})
		t.Run("a 50 MB import", func(t *testing.T) {
			before := e.snapshot(t, expand(all, vars))
			r := e.upload(t, "manager", "/api/v1/imports", field("kind", "customers"), big("big.csv"))
			checkTooLarge(t, r)
			if !jsonEqual(before, e.snapshot(t, expand(all, vars))) {
				t.Errorf("customers changed")
			}
		})
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func checkTooLarge(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusRequestEntityTooLarge && r.status != http.StatusBadRequest {
		t.Fatalf("got %s, want 413 or 400", r)
	}
	if f := r.apiErr(t).Field; f != "file" {
		t.Errorf("field %q, want file", f)
	}
}

// TestConcurrentEdit: two saves of the same customer at the same version
// — exactly one wins, the other is a conflict, and the stored row is the
// winner's, never a silent overwrite.
func TestConcurrentEdit(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		for round := range 4 {
			c := e.newCustomer(t, unique("并发"))
			id := c["id"].(string)
			names := []string{unique("甲方案"), unique("乙方案")}
			start := make(chan struct{})
			results := make([]response, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, who := range []string{"lin.wen", "manager"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i], errs[i] = e.try(who, "PUT", "/api/v1/customers/"+id, "application/json",
						strings.NewReader(fmt.Sprintf(`{"version":1,"name":%q}`, names[i])))
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			winner := -1
			for i, r := range results {
				switch r.status {
				case 200:
					if winner >= 0 {
						t.Fatalf("round %d: both saves succeeded", round)
					}
					winner = i
				case 409:
					if f := r.apiErr(t).Field; f != "version" {
						t.Errorf("round %d: conflict names %q", round, f)
					}
				default:
					t.Fatalf("round %d: save %d got %s", round, i, r)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: no save succeeded: %s / %s", round, results[0], results[1])
			}
			got := e.must(t, 200, "admin", "GET", "/api/v1/customers/"+id, nil).obj(t)
			if got["name"] != names[winner] || num(got["version"]) != 2 {
				t.Errorf("round %d: stored %v (version %v), want the winner's %q at version 2", round, got["name"], got["version"], names[winner])
			}
		}
	})
}

// TestCrossOrigin: a browser's cross-site write with the session cookie is
// refused; a machine client's Bearer request without browser headers works.
func TestCrossOrigin(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		lr := e.send(t, "", "POST", "/login", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"login": {"lin.wen"}, "password": {demo.DefaultPassword}}.Encode()))
		var cookie string
		for _, ck := range (&http.Response{Header: lr.header}).Cookies() {
			if ck.Name == "kefu_session" {
				cookie = ck.Name + "=" + ck.Value
			}
		}
		if lr.status != http.StatusSeeOther || cookie == "" {
			t.Fatalf("login: %s", lr)
		}
		c := e.customersOf(t, "lin.wen")[0]
		path := "/api/v1/customers/" + c["id"].(string) + "/contacts"
		contact := func(name string) io.Reader { return strings.NewReader(fmt.Sprintf(`{"name":%q}`, name)) }

		me := e.send(t, "", "GET", "/api/v1/me", "", nil, "Cookie", cookie)
		if me.status != 200 || me.obj(t)["via"] != "session" {
			t.Fatalf("session read: %s", me)
		}
		before := e.snapshot(t, path)
		for _, h := range [][]string{
			{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"},
			{"Cookie", cookie, "Origin", "https://evil.example"},
		} {
			r := e.send(t, "", "POST", path, "application/json", contact("跨站"), h...)
			if r.status != http.StatusForbidden {
				t.Errorf("cross-origin session POST %v: got %s, want 403", h[2:], r)
			}
		}
		if !jsonEqual(before, e.snapshot(t, path)) {
			t.Errorf("a refused cross-origin request changed the contacts")
		}
		if r := e.send(t, "", "POST", path, "application/json", contact("同源"), "Cookie", cookie, "Sec-Fetch-Site", "same-origin"); r.status != 201 {
			t.Errorf("same-origin session POST: %s", r)
		}
		if r := e.send(t, "lin.wen", "POST", path, "application/json", contact("令牌")); r.status != 201 {
			t.Errorf("Bearer POST without browser headers: %s", r)
		}
		if r := e.send(t, "", "POST", path, "application/json", contact("无凭据")); r.status != 401 {
			t.Errorf("POST without credentials: %s", r)
		}
	})
}
