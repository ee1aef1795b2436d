package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// specialistOf returns the entry of a rates report for one specialist.
func specialistOf(t *testing.T, r response, id string) map[string]any {
	t.Helper()
	for _, sp := range objects(t, r.obj(t)["specialists"]) {
		if sp["specialist_id"] == id {
			return sp
		}
	}
	return nil
}

// TestRatesAPI: last month's renewal and collection rates of a specialist
// of its own, with the rows behind them; as_of, nothing due, who sees
// whose rates, and bad input.
func TestRatesAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		login, sid := e.newSpecialist(t, unique("考核专员"))
		cust := e.must(t, 201, "manager", "POST", "/api/v1/customers", map[string]any{"name": unique("考核客户"), "class": "A",
			"region_id": e.regionID(t, "国贸"), "owner_id": sid}).obj(t)
		cid := cust["id"].(string)
		first := time.Date(e.today().Year(), e.today().Month()-1, 1, 0, 0, 0, 0, time.UTC)
		month := first.Format("2006-01")
		day := func(d int) string { return first.AddDate(0, 0, d-1).Format(time.DateOnly) }
		yearBefore := first.AddDate(-1, 0, 0).Format(time.DateOnly)
		// A ends on the 15th and is renewed by B (signed the 16th); C ends
		// on the 20th and is not renewed. A and C each owe ¥60,000.00 on
		// the 5th and on their end date; B owes nothing in the month.
		a := e.newContract(t, "manager", with(contractBody(cid, strings.ToUpper(unique("KH-A")), yearBefore, day(15), day(5)), "activate", true))
		c := e.newContract(t, "manager", with(contractBody(cid, strings.ToUpper(unique("KH-C")), yearBefore, day(20), day(5)), "activate", true))
		b := e.newContract(t, "manager", with(contractBody(cid, strings.ToUpper(unique("KH-B")), day(16), first.AddDate(1, 0, 15).Format(time.DateOnly),
			first.AddDate(0, 1, 15).Format(time.DateOnly)),
			"activate", true, "renewed_from", a["id"]))
		pay := e.must(t, 201, "xu.jing", "POST", "/api/v1/payments", map[string]any{"contract_id": a["id"], "received_on": day(10),
			"amount_fen": 3_000_000, "method": "transfer", "reference": unique("R-")}).obj(t)
		vars := map[string]string{"month": month, "sid": sid, "lin": e.staff["lin.wen"]}
		rates := "/api/v1/rates?month={{month}}&specialist_id={{sid}}"

		e.run(t, vars, []scenario{
			{name: "the specialist's rates with their evidence", as: "manager", method: "GET", path: rates, status: 200,
				check: func(t *testing.T, r response) {
					rep := r.obj(t)
					if rep["month"] != month || rep["as_of"] != e.daysAgo(0) || len(objects(t, rep["specialists"])) != 1 {
						t.Fatalf("report %v", rep)
					}
					sp := specialistOf(t, r, sid)
					ren, col := sp["renewal"].(map[string]any), sp["collection"].(map[string]any)
					if num(ren["num"]) != 1 || num(ren["den"]) != 2 || ren["percent"] != "50.00%" || ren["nothing_due"] != false {
						t.Errorf("renewal %v/%v %v", ren["num"], ren["den"], ren["percent"])
					}
					rows := objects(t, ren["rows"])
					if len(rows) != 2 || rows[0]["contract_id"] != a["id"] || rows[0]["renewed"] != true || rows[0]["successor_number"] != b["number"] ||
						rows[0]["successor_signed_on"] != day(16) || rows[0]["end_on"] != day(15) || rows[0]["owner_id"] != sid ||
						rows[1]["contract_id"] != c["id"] || rows[1]["renewed"] != false || rows[1]["successor_id"] != nil {
						t.Errorf("renewal rows %v", rows)
					}
					if num(col["den"]) != 24_000_000 || num(col["num"]) != 3_000_000 || col["percent"] != "12.50%" {
						t.Errorf("collection %v/%v %v", col["num"], col["den"], col["percent"])
					}
					crows := objects(t, col["rows"])
					if len(crows) != 4 {
						t.Fatalf("collection rows %v", crows)
					}
					var paid map[string]any
					for _, row := range crows {
						if num(row["collected_fen"]) > 0 {
							paid = row
						}
						if num(row["open_at_start_fen"]) != 6_000_000 || row["carried_in"] != false || row["owner_id"] != sid {
							t.Errorf("collection row %v", row)
						}
					}
					if paid == nil || paid["contract_id"] != a["id"] || paid["due_on"] != day(5) || num(paid["collected_fen"]) != 3_000_000 {
						t.Fatalf("paid row %v", paid)
					}
					if ps := objects(t, paid["payments"]); len(ps) != 1 || ps[0]["payment_id"] != pay["id"] || ps[0]["received_on"] != day(10) ||
						num(ps[0]["amount_fen"]) != 3_000_000 {
						t.Errorf("evidence payments %v", ps)
					}
				}},
			{name: "as of the 1st the renewal was not yet signed", as: "manager", method: "GET", path: rates + "&as_of=" + day(1), status: 200,
				check: func(t *testing.T, r response) {
					ren := specialistOf(t, r, sid)["renewal"].(map[string]any)
					if r.obj(t)["as_of"] != day(1) || num(ren["num"]) != 0 || num(ren["den"]) != 2 || ren["percent"] != "0.00%" {
						t.Errorf("renewal as of the 1st: %v", ren)
					}
				}},
			{name: "a month with nothing due counts as 100%", as: "manager", method: "GET", path: "/api/v1/rates?month=2001-02&specialist_id={{sid}}", status: 200,
				check: func(t *testing.T, r response) {
					sp := specialistOf(t, r, sid)
					if sp == nil {
						t.Fatal("an active specialist without anything due is missing")
					}
					for _, k := range []string{"renewal", "collection"} {
						x := sp[k].(map[string]any)
						if x["nothing_due"] != true || x["percent"] != "100.00%" || num(x["den"]) != 0 || len(objects(t, x["rows"])) != 0 {
							t.Errorf("%s %v", k, x)
						}
					}
				}},
			{name: "finance reads everyone's", as: "xu.jing", method: "GET", path: "/api/v1/rates?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					if specialistOf(t, r, sid) == nil || specialistOf(t, r, vars["lin"]) == nil {
						t.Errorf("finance misses a specialist")
					}
				}},
			{name: "the specialist sees their own", as: login, method: "GET", path: "/api/v1/rates?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					sps := objects(t, r.obj(t)["specialists"])
					if len(sps) != 1 || sps[0]["specialist_id"] != sid {
						t.Errorf("specialists %v", sps)
					}
				}},
			{name: "another specialist sees only their own", as: "lin.wen", method: "GET", path: rates, status: 200,
				check: func(t *testing.T, r response) {
					if sps := objects(t, r.obj(t)["specialists"]); len(sps) != 0 {
						t.Errorf("lin.wen sees %v", sps)
					}
				}},
			{name: "the default month is this one", as: "manager", method: "GET", path: "/api/v1/rates?specialist_id={{sid}}", status: 200,
				check: func(t *testing.T, r response) {
					if m := r.obj(t)["month"]; m != e.today().Format("2006-01") {
						t.Errorf("month %v", m)
					}
				}},
			{name: "a month 13", as: "manager", method: "GET", path: "/api/v1/rates?month=2026-13", status: 400, code: "invalid", field: "month"},
			{name: "a month without its zero", as: "manager", method: "GET", path: "/api/v1/rates?month=2026-3", status: 400, code: "invalid", field: "month"},
			{name: "a day for the month", as: "manager", method: "GET", path: "/api/v1/rates?month=2026-03-01", status: 400, code: "invalid", field: "month"},
			{name: "a bad as_of", as: "manager", method: "GET", path: "/api/v1/rates?as_of=tomorrow", status: 400, code: "invalid", field: "as_of"},
			{name: "a technician cannot read rates", as: "ma.tao", method: "GET", path: "/api/v1/rates", status: 403, code: "forbidden"},
			{name: "anonymous cannot read rates", method: "GET", path: "/api/v1/rates", status: 401, code: "unauthorized"},
		})
	})
}

// TestOrphansAPI: a customer whose sales owner left is listed for the
// manager with its running contract and the money it owes.
func TestOrphansAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		sales := e.must(t, 201, "admin", "POST", "/api/v1/staff", map[string]any{"login": strings.ToLower(unique("sales.")), "name": unique("销售"),
			"roles": []string{"executive"}}).obj(t)
		cust := e.must(t, 201, "manager", "POST", "/api/v1/customers", map[string]any{"name": unique("孤儿客户"), "class": "B",
			"region_id": e.regionID(t, "国贸"), "owner_id": e.staff["lin.wen"], "sales_owner_id": sales["id"]}).obj(t)
		k := e.newContract(t, "manager", with(contractBody(cust["id"].(string), strings.ToUpper(unique("GE-")), e.daysAgo(100), e.daysAgo(-265), e.daysAgo(10)),
			"activate", true))
		vars := map[string]string{"sales": sales["id"].(string), "cust": cust["id"].(string)}
		orphan := func(t *testing.T, r response) map[string]any {
			t.Helper()
			for _, o := range r.items(t) {
				if o["customer_id"] == vars["cust"] {
					return o
				}
			}
			return nil
		}
		e.run(t, vars, []scenario{
			{name: "while the sales owner works the customer is no orphan", as: "manager", method: "GET", path: "/api/v1/orphans", status: 200,
				check: func(t *testing.T, r response) {
					if o := orphan(t, r); o != nil {
						t.Errorf("listed %v", o)
					}
				}},
			{name: "the sales owner leaves", as: "admin", method: "PUT", path: "/api/v1/staff/{{sales}}/active", status: 200,
				body: map[string]any{"version": sales["version"], "active": false, "left_on": e.daysAgo(1)}},
			{name: "the manager sees the orphan with its contract and money", as: "manager", method: "GET", path: "/api/v1/orphans", status: 200,
				check: func(t *testing.T, r response) {
					o := orphan(t, r)
					if o == nil {
						t.Fatal("orphan not listed")
					}
					if o["sales_owner_name"] != sales["name"] || o["sales_left_on"] != e.daysAgo(1) || num(o["active_contracts"]) != 1 ||
						o["next_end_on"] != k["end_on"] || num(o["open_fen"]) != 12_000_000 || num(o["overdue_fen"]) != 6_000_000 || o["owner_name"] != "林雯" {
						t.Errorf("orphan %v", o)
					}
				}},
			{name: "the admin sees it too", as: "admin", method: "GET", path: "/api/v1/orphans", status: 200},
			{name: "a specialist cannot list orphans", as: "lin.wen", method: "GET", path: "/api/v1/orphans", status: 403, code: "forbidden"},
			{name: "finance cannot list orphans", as: "xu.jing", method: "GET", path: "/api/v1/orphans", status: 403, code: "forbidden"},
			{name: "the executive cannot list orphans", as: "gm", method: "GET", path: "/api/v1/orphans", status: 403, code: "forbidden"},
		})
	})
}

// TestPaymentListAndLookupAPI: the recent payments and the lookup of a
// contract by its number.
func TestPaymentListAndLookupAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("回款列表"))
		number := strings.ToUpper(unique("LB-"))
		k := e.newContract(t, "manager", with(contractBody(cust["id"].(string), number, e.daysAgo(30), e.daysAgo(-335), e.daysAgo(-10)), "activate", true))
		p := e.must(t, 201, "xu.jing", "POST", "/api/v1/payments", map[string]any{"contract_id": k["id"], "received_on": e.daysAgo(0),
			"amount_fen": 1_234_500, "method": "transfer", "reference": unique("R-")}).obj(t)
		vars := map[string]string{"k": k["id"].(string), "number": url.QueryEscape(strings.ToLower(number))}
		has := func(want bool) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				ps := r.items(t)
				i := slices.IndexFunc(ps, func(x map[string]any) bool { return x["id"] == p["id"] })
				if (i >= 0) != want {
					t.Fatalf("payment listed = %v, want %v", i >= 0, want)
				}
				if i >= 0 {
					x := ps[i]
					if x["contract_number"] != number || x["customer_name"] != cust["name"] || x["recorded_by_name"] != "许静" || num(x["amount_fen"]) != 1_234_500 ||
						len(objects(t, x["allocations"])) != 1 {
						t.Errorf("payment %v", x)
					}
				}
			}
		}
		e.run(t, vars, []scenario{
			{name: "finance lists the latest payments", as: "xu.jing", method: "GET", path: "/api/v1/payments", status: 200, check: has(true)},
			{name: "the manager lists them", as: "manager", method: "GET", path: "/api/v1/payments?limit=500", status: 200, check: has(true)},
			{name: "limit 1 is the newest", as: "xu.jing", method: "GET", path: "/api/v1/payments?limit=1", status: 200,
				check: func(t *testing.T, r response) {
					if ps := r.items(t); len(ps) != 1 {
						t.Errorf("%d payments", len(ps))
					}
				}},
			{name: "a bad limit names it", as: "xu.jing", method: "GET", path: "/api/v1/payments?limit=501", status: 400, code: "invalid", field: "limit"},
			{name: "a technician cannot list payments", as: "ma.tao", method: "GET", path: "/api/v1/payments", status: 403, code: "forbidden"},
			{name: "a contract by its number, any case", as: "xu.jing", method: "GET", path: "/api/v1/contracts/by-number?number={{number}}", status: 200,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["id"] != vars["k"] || c["number"] != number || len(objects(t, c["payments"])) != 1 {
						t.Errorf("contract %v", c)
					}
				}},
			{name: "an unknown number is 404", as: "xu.jing", method: "GET", path: "/api/v1/contracts/by-number?number=NO-SUCH-1", status: 404, code: "not_found"},
			{name: "the number is required", as: "xu.jing", method: "GET", path: "/api/v1/contracts/by-number", status: 400, code: "invalid", field: "number"},
			{name: "a technician cannot look contracts up", as: "ma.tao", method: "GET", path: "/api/v1/contracts/by-number?number={{number}}", status: 403, code: "forbidden"},
		})
	})
}
