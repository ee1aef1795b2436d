package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// contractBody is a valid maintenance contract for customer: ¥120,000.00
// in two installments, the first due on dueFirst, the second at the end.
func contractBody(customer, number, start, end, dueFirst string) map[string]any {
	return map[string]any{
		"number": number, "customer_id": customer, "kind": "maintenance", "title": "中央空调维保", "signed_on": start,
		"start_on": start, "end_on": end, "amount_fen": 12_000_000,
		"scope": []map[string]any{
			{"equipment": "冷水机组 1#", "service_type": "inspection", "frequency": "monthly", "times": 1},
			{"equipment": "空调系统", "service_type": "seasonal", "frequency": "seasonal", "times": 1},
		},
		"installments": []map[string]any{
			{"due_on": dueFirst, "amount_fen": 6_000_000},
			{"due_on": end, "amount_fen": 6_000_000},
		},
	}
}

// with returns a copy of body with the given fields replaced.
func with(body map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// newContract creates a contract through the API as login.
func (e *env) newContract(t *testing.T, login string, body map[string]any) map[string]any {
	t.Helper()
	return e.must(t, 201, login, "POST", "/api/v1/contracts", body).obj(t)
}

// objects is a JSON array of objects.
func objects(t *testing.T, v any) []map[string]any {
	t.Helper()
	xs, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is not a list", v)
	}
	out := make([]map[string]any, len(xs))
	for i, x := range xs {
		out[i] = x.(map[string]any)
	}
	return out
}

// TestContractsAPI: create, read, list with filters and paging, update
// with version, state, renewal outcome and contacts; roles, ownership and
// bad input.
func TestContractsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		lin := e.staff["lin.wen"]
		mine := e.newCustomer(t, unique("合同客户"))
		other := e.customersOf(t, "su.yue")[0]
		start, end := e.daysAgo(30), e.daysAgo(-335)
		number := strings.ToUpper(unique("HT-"))
		base := contractBody(mine["id"].(string), number, start, end, e.daysAgo(-10))
		vars := map[string]string{"cust": mine["id"].(string), "other": other["id"].(string), "lin": lin, "number": number,
			"start": start, "end": end, "none": "01900000-0000-7000-8000-000000000000"}
		// The contract every later row works on, created by the first rows.
		var id string
		detail := "/api/v1/contracts/{{id}}"
		setID := func(t *testing.T, r response) {
			c := r.obj(t)
			id = c["id"].(string)
			vars["id"] = id
		}
		listed := func(want bool) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				found := slices.ContainsFunc(r.items(t), func(c map[string]any) bool { return c["id"] == id })
				if found != want {
					t.Errorf("contract listed = %v, want %v", found, want)
				}
			}
		}
		all := "/api/v1/contracts?customer_id={{cust}}"

		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "GET", path: "/api/v1/contracts", status: 401, code: "unauthorized"},
			{name: "a technician cannot read contracts", as: "ma.tao", method: "GET", path: "/api/v1/contracts", status: 403, code: "forbidden"},
			{name: "finance cannot create a contract", as: "xu.jing", method: "POST", path: "/api/v1/contracts", status: 403, code: "forbidden",
				body: base, same: []string{all}},
			{name: "the executive cannot create a contract", as: "gm", method: "POST", path: "/api/v1/contracts", status: 403, code: "forbidden",
				body: base, same: []string{all}},
			{name: "a specialist cannot enter a contract for another's customer", as: "su.yue", method: "POST", path: "/api/v1/contracts", status: 403, code: "forbidden",
				body: base, same: []string{all}},

			// Bad input: the field is named and nothing is stored.
			{name: "a negative amount", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "amount_fen",
				body: with(base, "amount_fen", -1, "installments", []any{}), same: []string{all}},
			{name: "an amount in yuan with decimals is not fen", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "amount_fen",
				body: with(base, "amount_fen", 120000.5), same: []string{all}},
			{name: "an amount as a string", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "amount_fen",
				body: with(base, "amount_fen", "12000000"), same: []string{all}},
			{name: "amount instead of amount_fen is an unknown field", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "amount",
				body: with(base, "amount", 120000), same: []string{all}},
			{name: "a string for activate", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "activate",
				body: with(base, "activate", "yes"), same: []string{all}},
			{name: "malformed JSON", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "body",
				body: `{"number":"半截`, same: []string{all}},
			{name: "an end before the start", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "end_on",
				body: with(base, "end_on", e.daysAgo(31), "installments", []any{}), same: []string{all}},
			{name: "a malformed date", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "start_on",
				body: with(base, "start_on", "2026/01/01"), same: []string{all}},
			{name: "an installment due after the end", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "installments[1].due_on",
				body: with(base, "installments", []map[string]any{{"due_on": start, "amount_fen": 6_000_000}, {"due_on": e.daysAgo(-400), "amount_fen": 6_000_000}}),
				same: []string{all}},
			{name: "installments that do not add up", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "installments",
				body: with(base, "installments", []map[string]any{{"due_on": start, "amount_fen": 100}}), same: []string{all}},
			{name: "a maintenance contract without scope", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "scope",
				body: with(base, "scope", []any{}), same: []string{all}},
			{name: "an unknown kind", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "kind",
				body: with(base, "kind", "lease"), same: []string{all}},
			{name: "an unknown customer", as: "manager", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "customer_id",
				body: with(base, "customer_id", "{{none}}"), same: []string{all}},

			{name: "the owner enters a draft", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 201, body: base,
				check: func(t *testing.T, r response) {
					setID(t, r)
					c := r.obj(t)
					if c["number"] != number || c["status"] != "draft" || c["state"] != "draft" || c["outcome"] != "pending" || num(c["version"]) != 1 ||
						num(c["amount_fen"]) != 12_000_000 || c["owner_id"] != lin || c["owner_name"] != "林雯" || c["customer_name"] != mine["name"] {
						t.Errorf("created %v", c)
					}
					insts := objects(t, c["installments"])
					if len(insts) != 2 || num(insts[0]["amount_fen"]) != 6_000_000 || num(insts[0]["open_fen"]) != 6_000_000 || len(objects(t, c["scope"])) != 2 {
						t.Errorf("installments %v, scope %v", c["installments"], c["scope"])
					}
				}},
			{name: "a duplicate number is a conflict", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 409, code: "conflict", field: "number",
				body: with(base, "number", strings.ToLower(number)), same: []string{all}},

			// Reading.
			{name: "finance reads the contract", as: "xu.jing", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["id"] != id || c["payments"] == nil || c["invoices"] == nil {
						t.Errorf("detail %v", c)
					}
				}},
			{name: "another specialist reads it (read-all is on)", as: "su.yue", method: "GET", path: detail, status: 200},
			{name: "a technician cannot read it", as: "ma.tao", method: "GET", path: detail, status: 403, code: "forbidden"},
			{name: "an unknown contract is 404", as: "manager", method: "GET", path: "/api/v1/contracts/{{none}}", status: 404, code: "not_found", field: "id"},
			{name: "filter by customer", as: "gm", method: "GET", path: all, status: 200, check: listed(true)},
			{name: "filter by owner and kind", as: "manager", method: "GET", path: "/api/v1/contracts?owner_id={{lin}}&kind=maintenance&limit=200", status: 200,
				check: func(t *testing.T, r response) {
					for _, c := range r.items(t) {
						if c["owner_id"] != lin || c["kind"] != "maintenance" {
							t.Errorf("contract %v does not match the filter", c["number"])
						}
					}
				}},
			{name: "filter by status draft", as: "manager", method: "GET", path: all + "&status=draft", status: 200, check: listed(true)},
			{name: "filter by status active leaves the draft out", as: "manager", method: "GET", path: all + "&status=active", status: 200, check: listed(false)},
			{name: "filter by end dates", as: "manager", method: "GET", path: all + "&end_from={{end}}&end_to={{end}}", status: 200, check: listed(true)},
			{name: "an end range that misses it", as: "manager", method: "GET", path: all + "&end_to={{start}}", status: 200, check: listed(false)},
			{name: "search by number", as: "manager", method: "GET", path: "/api/v1/contracts?q=" + url.QueryEscape(number), status: 200, check: listed(true)},
			{name: "a bad kind filter names it", as: "manager", method: "GET", path: "/api/v1/contracts?kind=lease", status: 400, code: "invalid", field: "kind"},
			{name: "a bad status filter names it", as: "manager", method: "GET", path: "/api/v1/contracts?status=open", status: 400, code: "invalid", field: "status"},
			{name: "a bad date filter names it", as: "manager", method: "GET", path: "/api/v1/contracts?end_from=tomorrow", status: 400, code: "invalid", field: "end_from"},
			{name: "a bad limit names it", as: "manager", method: "GET", path: "/api/v1/contracts?limit=201", status: 400, code: "invalid", field: "limit"},
			{name: "a bad cursor names it", as: "manager", method: "GET", path: "/api/v1/contracts?after=nonsense", status: 400, code: "invalid", field: "after"},

			// Updating.
			{name: "the owner updates; left-out fields and lists are kept", as: "lin.wen", method: "PUT", path: detail, status: 200,
				body: `{"version":1,"title":"中央空调全年维保","notes":"已盖章"}`,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["title"] != "中央空调全年维保" || c["notes"] != "已盖章" || num(c["version"]) != 2 || c["end_on"] != end ||
						len(objects(t, c["installments"])) != 2 || len(objects(t, c["scope"])) != 2 {
						t.Errorf("updated %v", c)
					}
				}},
			{name: "a stale version is a conflict", as: "lin.wen", method: "PUT", path: detail, status: 409, code: "conflict", field: "version",
				body: `{"version":1,"title":"晚到的修改"}`, same: []string{detail}},
			{name: "an update without version is refused", as: "lin.wen", method: "PUT", path: detail, status: 400, code: "invalid", field: "version",
				body: `{"title":"无版本"}`, same: []string{detail}},
			{name: "a string for the version", as: "lin.wen", method: "PUT", path: detail, status: 400, code: "invalid", field: "version",
				body: `{"version":"2"}`, same: []string{detail}},
			{name: "an update moving the end before an installment", as: "lin.wen", method: "PUT", path: detail, status: 400, code: "invalid", field: "installments[1].due_on",
				body: `{"version":2,"end_on":"` + e.daysAgo(-300) + `"}`, same: []string{detail}},
			{name: "another specialist cannot update it", as: "su.yue", method: "PUT", path: detail, status: 403, code: "forbidden",
				body: `{"version":2,"notes":"越权"}`, same: []string{detail}},
			{name: "finance cannot update it", as: "xu.jing", method: "PUT", path: detail, status: 403, code: "forbidden",
				body: `{"version":2,"notes":"财务"}`, same: []string{detail}},
			{name: "updating an unknown contract is 404", as: "manager", method: "PUT", path: "/api/v1/contracts/{{none}}", status: 404, code: "not_found", field: "id",
				body: `{"version":1}`},

			// State.
			{name: "a state that does not exist", as: "lin.wen", method: "POST", path: detail + "/state", status: 400, code: "invalid", field: "state",
				body: `{"version":2,"state":"paused"}`, same: []string{detail}},
			{name: "a draft cannot be terminated", as: "lin.wen", method: "POST", path: detail + "/state", status: 409, code: "conflict", field: "state",
				body: `{"version":2,"state":"terminated","reason":"客户取消"}`, same: []string{detail}},
			{name: "another specialist cannot activate it", as: "su.yue", method: "POST", path: detail + "/state", status: 403, code: "forbidden",
				body: `{"version":2,"state":"active"}`, same: []string{detail}},
			{name: "the owner activates the draft", as: "lin.wen", method: "POST", path: detail + "/state", status: 200,
				body: `{"version":2,"state":"active"}`,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["state"] != "active" || c["status"] != "active" || num(c["version"]) != 3 {
						t.Errorf("after activating: %v", c)
					}
				}},
			{name: "activating twice is a conflict", as: "lin.wen", method: "POST", path: detail + "/state", status: 409, code: "conflict", field: "state",
				body: `{"version":3,"state":"active"}`, same: []string{detail}},
			{name: "terminating at a stale version", as: "lin.wen", method: "POST", path: detail + "/state", status: 409, code: "conflict", field: "version",
				body: `{"version":2,"state":"terminated","reason":"客户取消"}`, same: []string{detail}},

			// Renewal outcome.
			{name: "lost without a reason", as: "lin.wen", method: "POST", path: detail + "/outcome", status: 400, code: "invalid", field: "reason",
				body: `{"version":3,"outcome":"lost"}`, same: []string{detail}},
			{name: "renewed is not set by hand", as: "lin.wen", method: "POST", path: detail + "/outcome", status: 400, code: "invalid", field: "outcome",
				body: `{"version":3,"outcome":"renewed"}`, same: []string{detail}},
			{name: "an outcome without version", as: "lin.wen", method: "POST", path: detail + "/outcome", status: 400, code: "invalid", field: "version",
				body: `{"outcome":"pending"}`, same: []string{detail}},
			{name: "another specialist cannot set the outcome", as: "su.yue", method: "POST", path: detail + "/outcome", status: 403, code: "forbidden",
				body: `{"version":3,"outcome":"lost","reason":"越权"}`, same: []string{detail}},
			{name: "the owner records a lost renewal", as: "lin.wen", method: "POST", path: detail + "/outcome", status: 200,
				body: `{"version":3,"outcome":"lost","reason":"客户改用物业自修"}`,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["outcome"] != "lost" || c["lost_reason"] != "客户改用物业自修" || num(c["version"]) != 4 {
						t.Errorf("after lost: %v", c)
					}
				}},
			{name: "an outcome at a stale version", as: "lin.wen", method: "POST", path: detail + "/outcome", status: 409, code: "conflict", field: "version",
				body: `{"version":3,"outcome":"pending"}`, same: []string{detail}},
			{name: "the manager reopens it", as: "manager", method: "POST", path: detail + "/outcome", status: 200,
				body: `{"version":4,"outcome":"pending"}`,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["outcome"] != "pending" || c["lost_reason"] != "" || num(c["version"]) != 5 {
						t.Errorf("after reopening: %v", c)
					}
				}},

			// Communications.
			{name: "the owner logs a renewal contact", as: "lin.wen", method: "POST", path: detail + "/communications", status: 201,
				body: map[string]any{"tag": "renewal", "channel": "phone_out", "summary": "与王总沟通续签意向"},
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["contract_id"] != id || c["staff_id"] != lin || c["direction"] != "out" || !slices.Equal(strs(c["tags"]), []string{"renewal"}) {
						t.Errorf("communication %v", c)
					}
				}},
			{name: "an unknown tag", as: "lin.wen", method: "POST", path: detail + "/communications", status: 400, code: "invalid", field: "tag",
				body: map[string]any{"tag": "quote", "channel": "phone_out", "summary": "x"}, same: []string{detail + "/communications"}},
			{name: "a contact without tag", as: "lin.wen", method: "POST", path: detail + "/communications", status: 400, code: "invalid", field: "tag",
				body: map[string]any{"channel": "phone_out", "summary": "x"}, same: []string{detail + "/communications"}},
			{name: "an unknown channel", as: "lin.wen", method: "POST", path: detail + "/communications", status: 400, code: "invalid", field: "channel",
				body: map[string]any{"tag": "dunning", "channel": "pigeon", "summary": "x"}, same: []string{detail + "/communications"}},
			{name: "a contact in the future", as: "lin.wen", method: "POST", path: detail + "/communications", status: 400, code: "invalid", field: "occurred_at",
				body: map[string]any{"tag": "dunning", "channel": "phone_out", "summary": "x", "occurred_at": "2999-01-01T09:00:00+08:00"},
				same: []string{detail + "/communications"}},
			{name: "a contact person of another customer", as: "lin.wen", method: "POST", path: detail + "/communications", status: 400, code: "invalid", field: "contact_id",
				body: map[string]any{"tag": "renewal", "channel": "visit", "summary": "x", "contact_id": "{{none}}"}, same: []string{detail + "/communications"}},
			{name: "another specialist cannot log on it", as: "su.yue", method: "POST", path: detail + "/communications", status: 403, code: "forbidden",
				body: map[string]any{"tag": "renewal", "channel": "phone_out", "summary": "越权"}, same: []string{detail + "/communications"}},
			{name: "finance cannot log on it", as: "xu.jing", method: "POST", path: detail + "/communications", status: 403, code: "forbidden",
				body: map[string]any{"tag": "dunning", "channel": "phone_out", "summary": "财务"}, same: []string{detail + "/communications"}},
			{name: "the contacts are listed", as: "gm", method: "GET", path: detail + "/communications", status: 200,
				check: func(t *testing.T, r response) {
					cs := r.items(t)
					if len(cs) != 1 || cs[0]["summary"] != "与王总沟通续签意向" || cs[0]["staff_name"] != "林雯" {
						t.Errorf("communications %v", cs)
					}
				}},
			{name: "a technician cannot list them", as: "ma.tao", method: "GET", path: detail + "/communications", status: 403, code: "forbidden"},
			{name: "contacts of an unknown contract", as: "manager", method: "GET", path: "/api/v1/contracts/{{none}}/communications", status: 404, code: "not_found", field: "id"},

			// Termination ends the edits.
			{name: "terminating needs a reason", as: "lin.wen", method: "POST", path: detail + "/state", status: 400, code: "invalid", field: "reason",
				body: `{"version":5,"state":"terminated"}`, same: []string{detail}},
			{name: "the owner terminates it", as: "lin.wen", method: "POST", path: detail + "/state", status: 200,
				body: `{"version":5,"state":"terminated","terminated_on":"` + e.daysAgo(0) + `","reason":"客户搬迁"}`,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["status"] != "terminated" || c["terminated_on"] != e.daysAgo(0) || c["terminate_reason"] != "客户搬迁" {
						t.Errorf("after terminating: %v", c)
					}
				}},
			{name: "a terminated contract cannot be changed", as: "lin.wen", method: "PUT", path: detail, status: 409, code: "conflict", field: "state",
				body: `{"version":6,"notes":"终止后"}`, same: []string{detail}},
		})

		t.Run("keyset pages follow the end date", func(t *testing.T) {
			c2 := e.newCustomer(t, unique("分页客户"))
			for i := range 3 {
				e.newContract(t, "manager", contractBody(c2["id"].(string), strings.ToUpper(unique("PG-")), start, e.daysAgo(-100-i), start))
			}
			path := "/api/v1/contracts?limit=2&customer_id=" + c2["id"].(string)
			var p1, p2 struct {
				Items []map[string]any `json:"items"`
				Next  string           `json:"next"`
			}
			e.must(t, 200, "manager", "GET", path, nil).decode(t, &p1)
			if len(p1.Items) != 2 || p1.Next == "" {
				t.Fatalf("first page: %d items, next %q", len(p1.Items), p1.Next)
			}
			e.must(t, 200, "manager", "GET", path+"&after="+url.QueryEscape(p1.Next), nil).decode(t, &p2)
			if len(p2.Items) != 1 || p2.Next != "" {
				t.Fatalf("second page: %d items, next %q", len(p2.Items), p2.Next)
			}
			ends := []string{p1.Items[0]["end_on"].(string), p1.Items[1]["end_on"].(string), p2.Items[0]["end_on"].(string)}
			if !slices.IsSorted(ends) || ends[0] == ends[2] {
				t.Errorf("end dates %v not in order", ends)
			}
		})
	})
}

// strs is a JSON array of strings.
func strs(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i], _ = x.(string)
	}
	return out
}

// TestMoneyAPI: payments received and invoices (finance only), their
// allocation to installments, the ageing report, and that a schedule with
// money against it cannot silently lose it.
func TestMoneyAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		lin := e.staff["lin.wen"]
		cust := e.newCustomer(t, unique("回款客户"))
		start, end, due1 := e.daysAgo(100), e.daysAgo(-200), e.daysAgo(40)
		c := e.newContract(t, "manager", with(contractBody(cust["id"].(string), strings.ToUpper(unique("HK-")), start, end, due1), "activate", true))
		draft := e.newContract(t, "lin.wen", contractBody(cust["id"].(string), strings.ToUpper(unique("CG-")), start, end, due1))
		insts := objects(t, c["installments"])
		ref := unique("BANK-")
		vars := map[string]string{"c": c["id"].(string), "draft": draft["id"].(string), "i1": insts[0]["id"].(string), "i2": insts[1]["id"].(string),
			"today": e.daysAgo(0), "yesterday": e.daysAgo(1), "due1": due1, "end": end, "ref": ref, "inv": unique("FP-"),
			"none": "01900000-0000-7000-8000-000000000000"}
		detail := "/api/v1/contracts/{{c}}"
		var payID, payID2 string
		pay := func(kv ...any) map[string]any {
			return with(map[string]any{"contract_id": "{{c}}", "received_on": "{{yesterday}}", "amount_fen": 2_000_000, "method": "transfer", "reference": "{{ref}}"}, kv...)
		}

		e.run(t, vars, []scenario{
			{name: "anonymous cannot record a payment", method: "POST", path: "/api/v1/payments", status: 401, code: "unauthorized", body: pay()},
			{name: "a specialist cannot record a payment", as: "lin.wen", method: "POST", path: "/api/v1/payments", status: 403, code: "forbidden",
				body: pay(), same: []string{detail}},
			{name: "the manager cannot record a payment", as: "manager", method: "POST", path: "/api/v1/payments", status: 403, code: "forbidden",
				body: pay(), same: []string{detail}},
			{name: "finance records a payment", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 201, body: pay(),
				check: func(t *testing.T, r response) {
					p := r.obj(t)
					payID = p["id"].(string)
					vars["pay"] = payID
					as := objects(t, p["allocations"])
					if num(p["amount_fen"]) != 2_000_000 || p["source"] != "manual" || len(as) != 1 || as[0]["installment_id"] != vars["i1"] ||
						num(as[0]["amount_fen"]) != 2_000_000 || num(p["credit_fen"]) != 0 || p["recorded_by"] != e.staff["xu.jing"] {
						t.Errorf("payment %v", p)
					}
				}},
			{name: "the same reference again is a conflict", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 409, code: "conflict", field: "reference",
				body: pay(), same: []string{detail}},
			{name: "a negative amount", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "amount_fen",
				body: pay("amount_fen", -100, "reference", "neg"), same: []string{detail}},
			{name: "a zero amount", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "amount_fen",
				body: pay("amount_fen", 0, "reference", "zero"), same: []string{detail}},
			{name: "an amount in yuan with decimals", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "amount_fen",
				body: pay("amount_fen", 200.5, "reference", "dec"), same: []string{detail}},
			{name: "an amount as a string", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "amount_fen",
				body: pay("amount_fen", "2000000", "reference", "str"), same: []string{detail}},
			{name: "a payment received tomorrow", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "received_on",
				body: pay("received_on", e.daysAgo(-1), "reference", "future"), same: []string{detail}},
			{name: "a payment without a day", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "received_on",
				body: pay("received_on", "", "reference", "noday"), same: []string{detail}},
			{name: "an unknown method", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "method",
				body: pay("method", "bitcoin", "reference", "btc"), same: []string{detail}},
			{name: "a payment on a draft", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "contract_id",
				body: pay("contract_id", "{{draft}}", "reference", "draft"), same: []string{"/api/v1/contracts/{{draft}}"}},
			{name: "a payment on an unknown contract", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "contract_id",
				body: pay("contract_id", "{{none}}", "reference", "none")},
			{name: "a payment to an installment of another contract", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "installment_id",
				body: pay("installment_id", "{{none}}", "reference", "inst"), same: []string{detail}},
			{name: "more than is open without a credit reason", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "amount_fen",
				body: pay("amount_fen", 20_000_000, "reference", "over"), same: []string{detail}},
			{name: "malformed JSON", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 400, code: "invalid", field: "body",
				body: `{"contract_id":`, same: []string{detail}},
			{name: "a second payment goes to the named installment", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 201,
				body: pay("installment_id", "{{i2}}", "amount_fen", 1_000_000, "reference", ""),
				check: func(t *testing.T, r response) {
					p := r.obj(t)
					payID2 = p["id"].(string)
					vars["pay2"] = payID2
					if as := objects(t, p["allocations"]); len(as) != 1 || as[0]["installment_id"] != vars["i2"] {
						t.Errorf("allocations %v", as)
					}
				}},

			// Invoices.
			{name: "a specialist cannot record an invoice", as: "lin.wen", method: "POST", path: "/api/v1/invoices", status: 403, code: "forbidden",
				body: map[string]any{"installment_id": "{{i1}}", "number": "{{inv}}", "issued_on": "{{today}}", "amount_fen": 6_000_000}, same: []string{detail}},
			{name: "finance records an invoice", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 201,
				body: map[string]any{"installment_id": "{{i1}}", "number": "{{inv}}", "issued_on": "{{today}}", "amount_fen": 6_000_000},
				check: func(t *testing.T, r response) {
					inv := r.obj(t)
					if inv["contract_id"] != vars["c"] || num(inv["amount_fen"]) != 6_000_000 || inv["issued_on"] != vars["today"] {
						t.Errorf("invoice %v", inv)
					}
				}},
			{name: "an invoice for an unknown installment", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 400, code: "invalid", field: "installment_id",
				body: map[string]any{"installment_id": "{{none}}", "number": unique("FP-"), "issued_on": "{{today}}", "amount_fen": 100}},
			{name: "an invoice beyond the installment", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 400, code: "invalid", field: "amount_fen",
				body: map[string]any{"installment_id": "{{i1}}", "number": unique("FP-"), "issued_on": "{{today}}", "amount_fen": 1}, same: []string{detail}},
			{name: "a negative invoice", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 400, code: "invalid", field: "amount_fen",
				body: map[string]any{"installment_id": "{{i2}}", "number": unique("FP-"), "issued_on": "{{today}}", "amount_fen": -5}, same: []string{detail}},
			{name: "an invoice number twice", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 409, code: "conflict", field: "number",
				body: map[string]any{"installment_id": "{{i2}}", "number": "{{inv}}", "issued_on": "{{today}}", "amount_fen": 100}, same: []string{detail}},
			{name: "an invoice with a bad date", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 400, code: "invalid", field: "issued_on",
				body: map[string]any{"installment_id": "{{i2}}", "number": unique("FP-"), "issued_on": "20260101", "amount_fen": 100}, same: []string{detail}},
			{name: "an invoice with a numeric number", as: "xu.jing", method: "POST", path: "/api/v1/invoices", status: 400, code: "invalid", field: "number",
				body: `{"installment_id":"{{i2}}","number":12345,"issued_on":"{{today}}","amount_fen":100}`, same: []string{detail}},

			// The contract shows the money.
			{name: "the detail shows paid and invoiced amounts", as: "lin.wen", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					is := objects(t, c["installments"])
					if num(c["paid_fen"]) != 3_000_000 || num(is[0]["paid_fen"]) != 2_000_000 || num(is[0]["invoiced_fen"]) != 6_000_000 ||
						num(is[0]["open_fen"]) != 4_000_000 || num(is[0]["days_overdue"]) != 40 || num(is[1]["paid_fen"]) != 1_000_000 || len(objects(t, c["payments"])) != 2 {
						t.Errorf("contract money: paid %v, installments %v", c["paid_fen"], is)
					}
				}},

			// The schedule keeps the money on its installments.
			{name: "a schedule sent without ids would drop paid installments", as: "lin.wen", method: "PUT", path: detail, status: 400, code: "invalid", field: "installments",
				body: map[string]any{"version": 1, "installments": []map[string]any{{"due_on": "{{due1}}", "amount_fen": 6_000_000}, {"due_on": "{{end}}", "amount_fen": 6_000_000}}},
				same: []string{detail}},
			{name: "an installment cannot go below what was paid", as: "lin.wen", method: "PUT", path: detail, status: 400, code: "invalid", field: "installments[0].amount_fen",
				body: map[string]any{"version": 1, "schedule_differs": true, "schedule_note": "调整", "installments": []map[string]any{
					{"id": "{{i1}}", "due_on": "{{due1}}", "amount_fen": 100}, {"id": "{{i2}}", "due_on": "{{end}}", "amount_fen": 6_000_000}}},
				same: []string{detail}},
			{name: "the schedule is moved with its ids", as: "lin.wen", method: "PUT", path: detail, status: 200,
				body: map[string]any{"version": 1, "installments": []map[string]any{
					{"id": "{{i1}}", "due_on": "{{due1}}", "amount_fen": 6_000_000, "notes": "首期"}, {"id": "{{i2}}", "due_on": "{{end}}", "amount_fen": 6_000_000}}},
				check: func(t *testing.T, r response) {
					is := objects(t, r.obj(t)["installments"])
					if is[0]["id"] != vars["i1"] || is[0]["notes"] != "首期" || num(is[0]["paid_fen"]) != 2_000_000 || is[1]["id"] != vars["i2"] {
						t.Errorf("installments %v", is)
					}
				}},

			// Ageing.
			{name: "the ageing report of the contract", as: "xu.jing", method: "GET", path: "/api/v1/receivables?contract_id={{c}}", status: 200,
				check: func(t *testing.T, r response) {
					var rep struct {
						AsOf   string           `json:"as_of"`
						Totals map[string]int64 `json:"totals"`
						Total  int64            `json:"total"`
						Rows   []map[string]any `json:"rows"`
						Next   string           `json:"next"`
					}
					r.decode(t, &rep)
					if rep.AsOf != vars["today"] || rep.Total != 9_000_000 || rep.Totals["31_90"] != 4_000_000 || rep.Totals["not_due"] != 5_000_000 || rep.Next != "" {
						t.Errorf("report as of %s: total %d, totals %v", rep.AsOf, rep.Total, rep.Totals)
					}
					if len(rep.Rows) != 2 || rep.Rows[0]["bucket"] != "31_90" || num(rep.Rows[0]["open_fen"]) != 4_000_000 || rep.Rows[0]["owner_id"] != lin {
						t.Errorf("rows %v", rep.Rows)
					}
				}},
			{name: "one bucket; the totals stay whole", as: "manager", method: "GET", path: "/api/v1/receivables?contract_id={{c}}&bucket=not_due", status: 200,
				check: func(t *testing.T, r response) {
					o := r.obj(t)
					if rows := objects(t, o["rows"]); len(rows) != 1 || rows[0]["id"] != vars["i2"] || num(o["total"]) != 9_000_000 {
						t.Errorf("not_due: %v", o)
					}
				}},
			{name: "paging the ageing report", as: "manager", method: "GET", path: "/api/v1/receivables?contract_id={{c}}&limit=1", status: 200,
				check: func(t *testing.T, r response) {
					o := r.obj(t)
					next, _ := o["next"].(string)
					if len(objects(t, o["rows"])) != 1 || next == "" {
						t.Fatalf("first page %v", o)
					}
					o2 := e.must(t, 200, "manager", "GET", "/api/v1/receivables?limit=1&contract_id="+vars["c"]+"&after="+url.QueryEscape(next), nil).obj(t)
					if rows := objects(t, o2["rows"]); len(rows) != 1 || rows[0]["id"] != vars["i2"] {
						t.Errorf("second page %v", o2)
					}
				}},
			{name: "a specialist sees only their own receivables", as: "lin.wen", method: "GET", path: "/api/v1/receivables?limit=500", status: 200,
				check: func(t *testing.T, r response) {
					rows := objects(t, r.obj(t)["rows"])
					if !slices.ContainsFunc(rows, func(x map[string]any) bool { return x["id"] == vars["i1"] }) {
						t.Errorf("own installment missing")
					}
					for _, x := range rows {
						if x["owner_id"] != lin {
							t.Errorf("row of %v in lin.wen's list", x["owner_id"])
						}
					}
				}},
			{name: "another specialist's default list leaves it out", as: "su.yue", method: "GET", path: "/api/v1/receivables?contract_id={{c}}", status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); len(objects(t, o["rows"])) != 0 || num(o["total"]) != 0 {
						t.Errorf("su.yue sees %v", o)
					}
				}},
			{name: "a bad bucket names it", as: "manager", method: "GET", path: "/api/v1/receivables?bucket=old", status: 400, code: "invalid", field: "bucket"},
			{name: "a bad limit names it", as: "manager", method: "GET", path: "/api/v1/receivables?limit=501", status: 400, code: "invalid", field: "limit"},
			{name: "a technician cannot read receivables", as: "ma.tao", method: "GET", path: "/api/v1/receivables", status: 403, code: "forbidden"},

			// Dunning.
			{name: "the owner logs a dunning call", as: "lin.wen", method: "POST", path: detail + "/communications", status: 201,
				body: map[string]any{"tag": "dunning", "channel": "phone_out", "summary": "催收首期余款"}},

			// Deleting a payment gives the money back to the installments.
			{name: "deleting needs a reason", as: "xu.jing", method: "DELETE", path: "/api/v1/payments/{{pay}}", status: 400, code: "invalid", field: "reason",
				same: []string{detail}},
			{name: "a specialist cannot delete a payment", as: "lin.wen", method: "DELETE", path: "/api/v1/payments/{{pay}}?reason=x", status: 403, code: "forbidden",
				same: []string{detail}},
			{name: "a malformed body", as: "xu.jing", method: "DELETE", path: "/api/v1/payments/{{pay}}", status: 400, code: "invalid", field: "body",
				body: `{"reason":`, same: []string{detail}},
			{name: "deleting an unknown payment", as: "xu.jing", method: "DELETE", path: "/api/v1/payments/{{none}}?reason=x", status: 404, code: "not_found", field: "id"},
			{name: "finance deletes with the reason in the query", as: "xu.jing", method: "DELETE", path: "/api/v1/payments/{{pay}}?reason=" + url.QueryEscape("重复登记"),
				status: 204},
			{name: "finance deletes with the reason in the body", as: "xu.jing", method: "DELETE", path: "/api/v1/payments/{{pay2}}", status: 204,
				body: map[string]any{"reason": "金额有误"}},
			{name: "the installments are open again", as: "manager", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					is := objects(t, c["installments"])
					if num(c["paid_fen"]) != 0 || num(is[0]["paid_fen"]) != 0 || num(is[1]["paid_fen"]) != 0 || len(objects(t, c["payments"])) != 0 {
						t.Errorf("after deleting: paid %v, installments %v", c["paid_fen"], is)
					}
				}},
			{name: "the same reference may be recorded again after deleting", as: "xu.jing", method: "POST", path: "/api/v1/payments", status: 201, body: pay()},
		})
	})
}

// TestRenewalsAPI: the renewal desk, a successor contract, and the
// contracts policy.
func TestRenewalsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		lin := e.staff["lin.wen"]
		cust := e.newCustomer(t, unique("续约客户"))
		e.must(t, 201, "lin.wen", "POST", "/api/v1/customers/"+cust["id"].(string)+"/contacts",
			map[string]any{"name": "王总", "title": "总经理", "phone": "13800138000", "decision_maker": true})
		start, end := e.daysAgo(355), e.daysAgo(-10)
		a := e.newContract(t, "lin.wen", with(contractBody(cust["id"].(string), strings.ToUpper(unique("XY-")), start, end, start), "activate", true))
		next := with(contractBody(cust["id"].(string), strings.ToUpper(unique("XY-")), e.daysAgo(-11), e.daysAgo(-375), e.daysAgo(-11)),
			"activate", true, "renewed_from", a["id"])
		vars := map[string]string{"a": a["id"].(string), "lin": lin}
		detail := "/api/v1/contracts/{{a}}"
		item := func(t *testing.T, r response) map[string]any {
			t.Helper()
			for _, it := range r.items(t) {
				if it["contract_id"] == vars["a"] {
					return it
				}
			}
			return nil
		}
		onDesk := func(want bool) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				if got := item(t, r) != nil; got != want {
					t.Errorf("contract on the desk = %v, want %v", got, want)
				}
			}
		}
		pol := e.must(t, 200, "manager", "GET", "/api/v1/settings/contracts-policy", nil).obj(t)
		t.Cleanup(func() { e.must(t, 200, "admin", "PUT", "/api/v1/settings/contracts-policy", pol) })
		policy := "/api/v1/settings/contracts-policy"

		e.run(t, vars, []scenario{
			{name: "the desk lists the contract in its window, flagged", as: "manager", method: "GET", path: "/api/v1/renewals", status: 200,
				check: func(t *testing.T, r response) {
					it := item(t, r)
					if it == nil {
						t.Fatal("contract not on the desk")
					}
					dms := objects(t, it["decision_makers"])
					if num(it["days_left"]) != 10 || it["outcome"] != "pending" || it["no_timely_contact"] != true || len(dms) != 1 || dms[0]["name"] != "王总" ||
						it["owner_id"] != lin || num(it["amount_fen"]) != 12_000_000 || it["window_opened"] == "" {
						t.Errorf("desk item %v", it)
					}
				}},
			{name: "flagged only", as: "manager", method: "GET", path: "/api/v1/renewals?flagged=true", status: 200, check: onDesk(true)},
			{name: "lost only leaves it out", as: "manager", method: "GET", path: "/api/v1/renewals?outcome=lost", status: 200, check: onDesk(false)},
			{name: "the owner's desk defaults to their own contracts", as: "lin.wen", method: "GET", path: "/api/v1/renewals", status: 200,
				check: func(t *testing.T, r response) {
					onDesk(true)(t, r)
					for _, it := range r.items(t) {
						if it["owner_id"] != lin {
							t.Errorf("%v of %v on lin.wen's desk", it["number"], it["owner_id"])
						}
					}
				}},
			{name: "another specialist's desk leaves it out", as: "su.yue", method: "GET", path: "/api/v1/renewals", status: 200, check: onDesk(false)},
			{name: "another specialist asks for everyone's", as: "su.yue", method: "GET", path: "/api/v1/renewals?owner_id=", status: 200, check: onDesk(true)},
			{name: "a bad outcome filter names it", as: "manager", method: "GET", path: "/api/v1/renewals?outcome=won", status: 400, code: "invalid", field: "outcome"},
			{name: "a bad flag names it", as: "manager", method: "GET", path: "/api/v1/renewals?flagged=maybe", status: 400, code: "invalid", field: "flagged"},
			{name: "a technician cannot read the desk", as: "ma.tao", method: "GET", path: "/api/v1/renewals", status: 403, code: "forbidden"},
			{name: "anonymous cannot read the desk", method: "GET", path: "/api/v1/renewals", status: 401, code: "unauthorized"},
			{name: "the owner logs the renewal contact", as: "lin.wen", method: "POST", path: detail + "/communications", status: 201,
				body: map[string]any{"tag": "renewal", "channel": "visit", "summary": "上门洽谈续签"}},
			{name: "the desk counts the contact", as: "lin.wen", method: "GET", path: "/api/v1/renewals", status: 200,
				check: func(t *testing.T, r response) {
					if it := item(t, r); it == nil || num(it["renewal_contacts"]) != 1 || it["last_renewal_at"] == nil || it["last_contact_at"] == nil {
						t.Errorf("desk item %v", it)
					}
				}},
			{name: "another specialist cannot renew it", as: "su.yue", method: "POST", path: "/api/v1/contracts", status: 403, code: "forbidden",
				body: next, same: []string{detail}},
			{name: "a successor must come after it", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 400, code: "invalid", field: "renewed_from",
				body: with(next, "start_on", start, "signed_on", start), same: []string{detail}},
			{name: "the owner enters the successor", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 201, body: next,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if p, _ := c["predecessor"].(map[string]any); p == nil || p["id"] != vars["a"] {
						t.Errorf("predecessor %v", c["predecessor"])
					}
				}},
			{name: "a second successor is a conflict", as: "lin.wen", method: "POST", path: "/api/v1/contracts", status: 409, code: "conflict", field: "renewed_from",
				body: with(next, "number", strings.ToUpper(unique("XY-"))), same: []string{detail}},
			{name: "the old contract is renewed", as: "gm", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["status"] != "renewed" || c["outcome"] != "renewed" || c["successor_number"] != next["number"] {
						t.Errorf("after renewal: %v", c)
					}
				}},
			{name: "a renewed contract cannot be marked lost", as: "lin.wen", method: "POST", path: detail + "/outcome", status: 409, code: "conflict", field: "outcome",
				body: `{"version":2,"outcome":"lost","reason":"x"}`, same: []string{detail}},
			{name: "the desk shows the successor and no flag", as: "manager", method: "GET", path: "/api/v1/renewals?outcome=renewed", status: 200,
				check: func(t *testing.T, r response) {
					if it := item(t, r); it == nil || it["successor_number"] != next["number"] || it["no_timely_contact"] != false {
						t.Errorf("desk item %v", it)
					}
				}},

			// Policy.
			{name: "anyone who reads contracts reads the policy", as: "lin.wen", method: "GET", path: policy, status: 200,
				check: func(t *testing.T, r response) {
					if p := r.obj(t); num(p["renewal_window_months"]) < 1 || num(p["renewal_contact_days"]) < 1 {
						t.Errorf("policy %v", p)
					}
				}},
			{name: "a technician cannot read the policy", as: "ma.tao", method: "GET", path: policy, status: 403, code: "forbidden"},
			{name: "a specialist cannot change the policy", as: "lin.wen", method: "PUT", path: policy, status: 403, code: "forbidden",
				body: `{"due_soon_days":10}`, same: []string{policy}},
			{name: "finance cannot change the policy", as: "xu.jing", method: "PUT", path: policy, status: 403, code: "forbidden",
				body: `{"due_soon_days":10}`, same: []string{policy}},
			{name: "a window out of range", as: "manager", method: "PUT", path: policy, status: 400, code: "invalid", field: "renewal_window_months",
				body: `{"renewal_window_months":13}`, same: []string{policy}},
			{name: "a number as a string", as: "manager", method: "PUT", path: policy, status: 400, code: "invalid", field: "renewal_contact_days",
				body: `{"renewal_contact_days":"7"}`, same: []string{policy}},
			{name: "an unknown policy field", as: "manager", method: "PUT", path: policy, status: 400, code: "invalid", field: "renewal_days",
				body: `{"renewal_days":7}`, same: []string{policy}},
			{name: "the manager changes one field; the rest is kept", as: "manager", method: "PUT", path: policy, status: 200,
				body: `{"due_soon_days":10}`,
				check: func(t *testing.T, r response) {
					p := r.obj(t)
					if num(p["due_soon_days"]) != 10 || num(p["renewal_window_months"]) != num(pol["renewal_window_months"]) ||
						num(p["renewal_contact_days"]) != num(pol["renewal_contact_days"]) {
						t.Errorf("policy %v", p)
					}
				}},
			{name: "the change is audited", as: "manager", method: "GET", path: "/api/v1/audit?entity=setting&limit=1", status: 200,
				check: func(t *testing.T, r response) {
					if es := r.items(t); len(es) != 1 || es[0]["entity_id"] != "contracts.policy" {
						t.Errorf("audit %v", es)
					}
				}},
		})
	})
}
