package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// newSpecialist creates a customer-service specialist with an API token
// for one test, so what the test counts (rates, reminders) is theirs
// alone and not shared with the demo logins other tests write for.
func (e *env) newSpecialist(t *testing.T, name string) (login, id string) {
	t.Helper()
	login = strings.ToLower(unique("t."))
	st := e.must(t, 201, "admin", "POST", "/api/v1/staff", map[string]any{"login": login, "name": name, "roles": []string{"cs_specialist"}}).obj(t)
	id = st["id"].(string)
	tok := e.must(t, 201, "admin", "POST", "/api/v1/tokens", map[string]any{"staff_id": id, "name": "api test " + login}).obj(t)
	envMu.Lock()
	e.tokens[login], e.staff[login] = tok["secret"].(string), id
	envMu.Unlock()
	return login, id
}

// quoteBody is a quote of two lines: 2 × ¥1,500.00 and 1 × ¥800.00.
func quoteBody(number string, kv ...any) map[string]any {
	return with(map[string]any{"number": number, "valid_until": time.Now().AddDate(0, 1, 0).Format(time.DateOnly), "lines": []map[string]any{
		{"item": "冷却塔填料更换", "quantity": 2, "unit": "台", "unit_price_fen": 150_000},
		{"item": "人工费", "quantity": 1, "unit": "项", "unit_price_fen": 80_000},
	}}, kv...)
}

// TestNeedsAPI: a need of an existing customer through quotes, sending,
// follow-ups and closing; roles, ownership and bad input.
func TestNeedsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		lin := e.staff["lin.wen"]
		cust := e.newCustomer(t, unique("需求客户"))
		other := e.newCustomer(t, unique("别家客户"))
		won := e.newContract(t, "lin.wen", contractBody(cust["id"].(string), strings.ToUpper(unique("XQ-")), e.daysAgo(0), e.daysAgo(-364), e.daysAgo(-30)))
		foreign := e.newContract(t, "lin.wen", contractBody(other["id"].(string), strings.ToUpper(unique("XQ-")), e.daysAgo(0), e.daysAgo(-364), e.daysAgo(-30)))
		q1, q2 := strings.ToUpper(unique("BJ-")), strings.ToUpper(unique("BJ-"))
		vars := map[string]string{"cust": cust["id"].(string), "lin": lin, "won": won["id"].(string), "foreign": foreign["id"].(string),
			"q1": q1, "q2": q2, "today": e.daysAgo(0), "none": "01900000-0000-7000-8000-000000000000"}
		need := map[string]any{"customer_id": "{{cust}}", "title": "冷却塔改造", "description": "客户希望更换两台冷却塔填料"}
		detail := "/api/v1/needs/{{n}}"
		mine := "/api/v1/needs?customer_id={{cust}}"
		listed := func(want bool) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				found := slices.ContainsFunc(r.items(t), func(n map[string]any) bool { return n["id"] == vars["n"] })
				if found != want {
					t.Errorf("need listed = %v, want %v", found, want)
				}
			}
		}

		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "GET", path: "/api/v1/needs", status: 401, code: "unauthorized"},
			{name: "a technician cannot read needs", as: "ma.tao", method: "GET", path: "/api/v1/needs", status: 403, code: "forbidden"},
			{name: "finance cannot record a need", as: "xu.jing", method: "POST", path: "/api/v1/needs", status: 403, code: "forbidden",
				body: need, same: []string{mine}},
			{name: "another specialist cannot record a need for lin.wen's customer", as: "su.yue", method: "POST", path: "/api/v1/needs", status: 403, code: "forbidden",
				body: need, same: []string{mine}},
			{name: "a need without title", as: "lin.wen", method: "POST", path: "/api/v1/needs", status: 400, code: "invalid", field: "title",
				body: with(need, "title", " "), same: []string{mine}},
			{name: "a need without customer", as: "lin.wen", method: "POST", path: "/api/v1/needs", status: 400, code: "invalid", field: "customer_id",
				body: with(need, "customer_id", ""), same: []string{mine}},
			{name: "a need of an unknown customer", as: "manager", method: "POST", path: "/api/v1/needs", status: 400, code: "invalid", field: "customer_id",
				body: with(need, "customer_id", "{{none}}")},
			{name: "a malformed raised_on", as: "lin.wen", method: "POST", path: "/api/v1/needs", status: 400, code: "invalid", field: "raised_on",
				body: with(need, "raised_on", "昨天"), same: []string{mine}},
			{name: "an unknown field", as: "lin.wen", method: "POST", path: "/api/v1/needs", status: 400, code: "invalid", field: "owner_id",
				body: with(need, "owner_id", "{{lin}}"), same: []string{mine}},
			{name: "the owner records the need", as: "lin.wen", method: "POST", path: "/api/v1/needs", status: 201, body: need,
				check: func(t *testing.T, r response) {
					n := r.obj(t)
					vars["n"] = n["id"].(string)
					if n["status"] != "open" || num(n["version"]) != 1 || n["owner_id"] != lin || n["raised_on"] != vars["today"] ||
						n["customer_name"] != cust["name"] || n["owner_name"] != "林雯" || len(objects(t, n["quote_list"])) != 0 || n["follow_up_overdue"] != false {
						t.Errorf("created %v", n)
					}
				}},

			// Reading.
			{name: "the executive reads it", as: "gm", method: "GET", path: detail, status: 200},
			{name: "a technician cannot read it", as: "ma.tao", method: "GET", path: detail, status: 403, code: "forbidden"},
			{name: "an unknown need is 404", as: "manager", method: "GET", path: "/api/v1/needs/{{none}}", status: 404, code: "not_found", field: "id"},
			{name: "filter by customer", as: "manager", method: "GET", path: mine, status: 200, check: listed(true)},
			{name: "filter by status open", as: "manager", method: "GET", path: mine + "&status=open", status: 200, check: listed(true)},
			{name: "filter by status won leaves it out", as: "manager", method: "GET", path: mine + "&status=won", status: 200, check: listed(false)},
			{name: "the owner's list defaults to their own", as: "lin.wen", method: "GET", path: "/api/v1/needs", status: 200, check: listed(true)},
			{name: "another specialist's default list leaves it out", as: "su.yue", method: "GET", path: "/api/v1/needs", status: 200, check: listed(false)},
			{name: "another specialist asks for everyone's", as: "su.yue", method: "GET", path: "/api/v1/needs?owner_id=", status: 200, check: listed(true)},
			{name: "a bad status filter names it", as: "manager", method: "GET", path: "/api/v1/needs?status=closed", status: 400, code: "invalid", field: "status"},
			{name: "a bad overdue flag names it", as: "manager", method: "GET", path: "/api/v1/needs?follow_up_overdue=perhaps", status: 400, code: "invalid", field: "follow_up_overdue"},

			// Quotes: bad input names the line and field.
			{name: "a quote line with quantity 0", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "lines[1].quantity",
				body: with(quoteBody(q1), "lines", []map[string]any{{"item": "填料", "quantity": 1, "unit_price_fen": 100}, {"item": "人工", "quantity": 0, "unit_price_fen": 100}}),
				same: []string{detail}},
			{name: "a negative unit price", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "lines[0].unit_price_fen",
				body: with(quoteBody(q1), "lines", []map[string]any{{"item": "填料", "quantity": 1, "unit_price_fen": -1}}), same: []string{detail}},
			{name: "a unit price in yuan with decimals is not fen", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "lines.unit_price_fen",
				body: with(quoteBody(q1), "lines", []map[string]any{{"item": "填料", "quantity": 1, "unit_price_fen": 1500.5}}), same: []string{detail}},
			{name: "a line without item", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "lines[0].item",
				body: with(quoteBody(q1), "lines", []map[string]any{{"quantity": 1, "unit_price_fen": 100}}), same: []string{detail}},
			{name: "a quote without lines", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "lines",
				body: with(quoteBody(q1), "lines", []any{}), same: []string{detail}},
			{name: "a quote without number", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "number",
				body: with(quoteBody(q1), "number", ""), same: []string{detail}},
			{name: "a quote sent in the future", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 400, code: "invalid", field: "sent_at",
				body: quoteBody(q1, "sent_at", "2999-01-01T09:00:00+08:00"), same: []string{detail}},
			{name: "another specialist cannot quote", as: "su.yue", method: "POST", path: detail + "/quotes", status: 403, code: "forbidden",
				body: quoteBody(q1), same: []string{detail}},
			{name: "finance cannot quote", as: "xu.jing", method: "POST", path: detail + "/quotes", status: 403, code: "forbidden",
				body: quoteBody(q1), same: []string{detail}},
			{name: "a quote for an unknown need", as: "manager", method: "POST", path: "/api/v1/needs/{{none}}/quotes", status: 404, code: "not_found", field: "id",
				body: quoteBody(q1)},
			{name: "the owner adds a quote; amounts are quantity × unit price", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 201,
				body: quoteBody(q1),
				check: func(t *testing.T, r response) {
					q := r.obj(t)
					vars["quote1"] = q["id"].(string)
					ls := objects(t, q["lines"])
					if q["number"] != q1 || num(q["total_fen"]) != 380_000 || q["sent_at"] != nil || q["need_id"] != vars["n"] || q["created_by"] != lin ||
						len(ls) != 2 || num(ls[0]["amount_fen"]) != 300_000 || num(ls[0]["seq"]) != 1 || num(ls[1]["amount_fen"]) != 80_000 {
						t.Errorf("quote %v", q)
					}
				}},
			{name: "the need is quoted", as: "manager", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					n := r.obj(t)
					if n["status"] != "quoted" || num(n["version"]) != 2 || num(n["quotes"]) != 1 || len(objects(t, n["quote_list"])) != 1 || n["follow_up_due"] != nil {
						t.Errorf("need %v", n)
					}
				}},
			{name: "a quote number twice is a conflict", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 409, code: "conflict", field: "number",
				body: quoteBody(strings.ToLower(q1)), same: []string{detail}},
			{name: "another specialist cannot send it", as: "su.yue", method: "POST", path: "/api/v1/quotes/{{quote1}}/send", status: 403, code: "forbidden",
				same: []string{detail}},
			{name: "sending an unknown quote", as: "lin.wen", method: "POST", path: "/api/v1/quotes/{{none}}/send", status: 404, code: "not_found", field: "id"},
			{name: "the owner sends it", as: "lin.wen", method: "POST", path: "/api/v1/quotes/{{quote1}}/send", status: 200,
				check: func(t *testing.T, r response) {
					if q := r.obj(t); q["sent_at"] == nil || q["id"] != vars["quote1"] {
						t.Errorf("sent quote %v", q)
					}
				}},
			{name: "sending twice is a conflict", as: "lin.wen", method: "POST", path: "/api/v1/quotes/{{quote1}}/send", status: 409, code: "conflict", field: "sent_at",
				same: []string{detail}},
			{name: "the follow-up clock runs", as: "manager", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					if n := r.obj(t); n["last_sent_at"] == nil || n["follow_up_due"] == nil || n["follow_up_overdue"] != false {
						t.Errorf("need %v", n)
					}
				}},
			{name: "just sent is not overdue", as: "manager", method: "GET", path: mine + "&follow_up_overdue=true", status: 200, check: listed(false)},
			{name: "a second quote sent at once", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 201, body: quoteBody(q2, "send", true),
				check: func(t *testing.T, r response) {
					if q := r.obj(t); q["sent_at"] == nil {
						t.Errorf("quote %v not sent", q)
					}
				}},

			// Follow-ups.
			{name: "a follow-up with an unknown channel", as: "lin.wen", method: "POST", path: detail + "/follow-ups", status: 400, code: "invalid", field: "channel",
				body: map[string]any{"channel": "pigeon", "summary": "x"}, same: []string{detail}},
			{name: "a follow-up without summary", as: "lin.wen", method: "POST", path: detail + "/follow-ups", status: 400, code: "invalid", field: "summary",
				body: map[string]any{"channel": "phone_out"}, same: []string{detail}},
			{name: "a follow-up with a tag is an unknown field", as: "lin.wen", method: "POST", path: detail + "/follow-ups", status: 400, code: "invalid", field: "tag",
				body: map[string]any{"tag": "quote", "channel": "phone_out", "summary": "x"}, same: []string{detail}},
			{name: "another specialist cannot follow up", as: "su.yue", method: "POST", path: detail + "/follow-ups", status: 403, code: "forbidden",
				body: map[string]any{"channel": "phone_out", "summary": "越权"}, same: []string{detail}},
			{name: "the owner follows up", as: "lin.wen", method: "POST", path: detail + "/follow-ups", status: 201,
				body: map[string]any{"channel": "phone_out", "summary": "客户在比价，下周答复"},
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["need_id"] != vars["n"] || c["staff_id"] != lin || !slices.Equal(strs(c["tags"]), []string{"quote"}) {
						t.Errorf("follow-up %v", c)
					}
				}},
			{name: "the need shows its quotes and follow-ups", as: "gm", method: "GET", path: detail, status: 200,
				check: func(t *testing.T, r response) {
					n := r.obj(t)
					if len(objects(t, n["quote_list"])) != 2 || len(objects(t, n["follow_ups"])) != 1 || n["last_follow_up"] == nil {
						t.Errorf("need %v", n)
					}
				}},

			// Closing.
			{name: "closing without version", as: "lin.wen", method: "POST", path: detail + "/close", status: 400, code: "invalid", field: "version",
				body: map[string]any{"outcome": "lost", "reason": "x"}, same: []string{detail}},
			{name: "an unknown outcome", as: "lin.wen", method: "POST", path: detail + "/close", status: 400, code: "invalid", field: "outcome",
				body: map[string]any{"version": 3, "outcome": "maybe"}, same: []string{detail}},
			{name: "won without a contract", as: "lin.wen", method: "POST", path: detail + "/close", status: 400, code: "invalid", field: "contract_id",
				body: map[string]any{"version": 3, "outcome": "won"}, same: []string{detail}},
			{name: "won with another customer's contract", as: "lin.wen", method: "POST", path: detail + "/close", status: 400, code: "invalid", field: "contract_id",
				body: map[string]any{"version": 3, "outcome": "won", "contract_id": "{{foreign}}"}, same: []string{detail}},
			{name: "lost without a reason", as: "lin.wen", method: "POST", path: detail + "/close", status: 400, code: "invalid", field: "reason",
				body: map[string]any{"version": 3, "outcome": "lost"}, same: []string{detail}},
			{name: "a stale version", as: "lin.wen", method: "POST", path: detail + "/close", status: 409, code: "conflict", field: "version",
				body: map[string]any{"version": 1, "outcome": "won", "contract_id": "{{won}}"}, same: []string{detail}},
			{name: "another specialist cannot close it", as: "su.yue", method: "POST", path: detail + "/close", status: 403, code: "forbidden",
				body: map[string]any{"version": 3, "outcome": "lost", "reason": "越权"}, same: []string{detail}},
			{name: "the owner closes it as won", as: "lin.wen", method: "POST", path: detail + "/close", status: 200,
				body: map[string]any{"version": 3, "outcome": "won", "contract_id": "{{won}}"},
				check: func(t *testing.T, r response) {
					n := r.obj(t)
					if n["status"] != "won" || n["won_contract_id"] != vars["won"] || num(n["version"]) != 4 || n["follow_up_due"] != nil {
						t.Errorf("closed %v", n)
					}
				}},
			{name: "a closed need takes no quotes", as: "lin.wen", method: "POST", path: detail + "/quotes", status: 409, code: "conflict", field: "status",
				body: quoteBody(strings.ToUpper(unique("BJ-"))), same: []string{detail}},
			{name: "filter by status won", as: "manager", method: "GET", path: mine + "&status=won", status: 200, check: listed(true)},
		})

		t.Run("the owner closes a quoted need as lost with a reason", func(t *testing.T) {
			n := e.must(t, 201, "lin.wen", "POST", "/api/v1/needs", with(need, "customer_id", vars["cust"], "title", "水处理外包")).obj(t)
			lv := map[string]string{"n": n["id"].(string), "cust": vars["cust"], "lin": lin}
			e.must(t, 201, "lin.wen", "POST", "/api/v1/needs/"+lv["n"]+"/quotes", quoteBody(strings.ToUpper(unique("BJ-")), "send", true))
			e.run(t, lv, []scenario{
				{name: "another specialist cannot close it as lost", as: "su.yue", method: "POST", path: detail + "/close", status: 403, code: "forbidden",
					body: map[string]any{"version": 2, "outcome": "lost", "reason": "越权"}, same: []string{detail}},
				{name: "lost with a reason", as: "lin.wen", method: "POST", path: detail + "/close", status: 200,
					body: map[string]any{"version": 2, "outcome": "lost", "reason": " 客户预算取消 "},
					check: func(t *testing.T, r response) {
						n := r.obj(t)
						if n["status"] != "lost" || n["lost_reason"] != "客户预算取消" || n["won_contract_id"] != nil || num(n["version"]) != 3 {
							t.Errorf("closed %v", n)
						}
					}},
				{name: "the stored need is lost, no longer waiting for a follow-up", as: "manager", method: "GET", path: detail, status: 200,
					check: func(t *testing.T, r response) {
						n := r.obj(t)
						if n["status"] != "lost" || n["lost_reason"] != "客户预算取消" || n["follow_up_due"] != nil || n["follow_up_overdue"] != false {
							t.Errorf("need %v", n)
						}
					}},
				{name: "filter by status lost", as: "manager", method: "GET", path: mine + "&status=lost", status: 200,
					check: func(t *testing.T, r response) {
						if !slices.ContainsFunc(r.items(t), func(x map[string]any) bool { return x["id"] == lv["n"] }) {
							t.Error("the lost need is not listed under status=lost")
						}
					}},
				{name: "the audit log has the change by the owner", as: "manager", method: "GET", path: "/api/v1/audit?entity=need&entity_id={{n}}&action=update", status: 200,
					check: func(t *testing.T, r response) {
						es := r.items(t)
						if len(es) == 0 || es[0]["actor_id"] != lin || !strings.Contains(es[0]["summary"].(string), "lost") {
							t.Fatalf("entries %v", es)
						}
						before, _ := es[0]["before"].(map[string]any)
						after, _ := es[0]["after"].(map[string]any)
						if before["status"] != "quoted" || after["status"] != "lost" || after["lost_reason"] != "客户预算取消" {
							t.Errorf("before %v after %v", before, after)
						}
					}},
				{name: "a lost need cannot be closed again", as: "lin.wen", method: "POST", path: detail + "/close", status: 409, code: "conflict", field: "status",
					body: map[string]any{"version": 3, "outcome": "won", "contract_id": vars["won"]}, same: []string{detail}},
			})
		})

		t.Run("a quote sent long ago and not followed up is overdue", func(t *testing.T) {
			n := e.must(t, 201, "lin.wen", "POST", "/api/v1/needs", with(need, "customer_id", vars["cust"], "title", "水泵更换")).obj(t)
			sent := e.today().AddDate(0, 0, -20).Format(time.RFC3339)
			e.must(t, 201, "lin.wen", "POST", "/api/v1/needs/"+n["id"].(string)+"/quotes", quoteBody(strings.ToUpper(unique("BJ-")), "sent_at", sent))
			var found map[string]any
			for _, x := range e.must(t, 200, "manager", "GET", "/api/v1/needs?follow_up_overdue=true&customer_id="+vars["cust"], nil).items(t) {
				if x["id"] == n["id"] {
					found = x
				}
			}
			if found == nil || found["follow_up_overdue"] != true || found["follow_up_due"] == nil {
				t.Fatalf("overdue need not listed: %v", found)
			}
		})
	})
}
