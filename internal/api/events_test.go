package api_test

import (
	"slices"
	"testing"
	"time"

	"kefu/internal/access"
)

// The events list: a specialist sees their own events only, the manager
// everyone's; each event carries its evidence; bad filters are 400 with
// the field; the detectors run on demand for managers only.
func TestEventsList(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		var specs []string
		for _, l := range e.demo.Logins {
			if l.Active && slices.Equal(l.Roles, []access.Role{access.CSSpecialist}) {
				specs = append(specs, l.Login)
			}
		}
		if len(specs) < 2 {
			t.Fatalf("demo specialists %v", specs)
		}
		spec, other := specs[0], specs[1]
		e.must(t, 403, spec, "POST", "/api/v1/archive/late/derive", nil)
		e.must(t, 403, spec, "POST", "/api/v1/tickets/derive-registration", nil)
		e.must(t, 403, spec, "POST", "/api/v1/reports/no-contact/derive", nil)
		if n := e.must(t, 200, "manager", "POST", "/api/v1/archive/late/derive", nil).obj(t); num(n["late"]) == 0 {
			t.Fatalf("the demo's late archive changes give no events: %v", n)
		}
		e.must(t, 200, "manager", "POST", "/api/v1/tickets/derive-registration", nil)
		e.must(t, 200, "manager", "POST", "/api/v1/reports/no-contact/derive?months=2", nil)
		if r := e.do(t, "manager", "POST", "/api/v1/reports/no-contact/derive?months=25", nil); r.status != 400 || r.apiErr(t).Field != "months" {
			t.Fatalf("25 months: %v", r)
		}

		all := e.must(t, 200, "manager", "GET", "/api/v1/events?type=archive_late", nil).items(t)
		staff := map[string]bool{}
		for _, ev := range all {
			staff[ev["staff_id"].(string)] = true
			if ev["type"] != "archive_late" || len(ev["evidence"].([]any)) != 2 {
				t.Fatalf("event %v", ev)
			}
		}
		if len(all) == 0 || len(staff) < 2 {
			t.Fatalf("the manager sees %d events of %d people", len(all), len(staff))
		}
		mine := e.must(t, 200, spec, "GET", "/api/v1/events", nil).items(t)
		for _, ev := range mine {
			if ev["staff_id"] != e.staff[spec] {
				t.Fatalf("%s sees %v", spec, ev)
			}
		}
		e.must(t, 200, spec, "GET", "/api/v1/events?staff_id="+e.staff[spec], nil)
		e.must(t, 403, spec, "GET", "/api/v1/events?staff_id="+e.staff[other], nil)
		e.must(t, 200, "manager", "GET", "/api/v1/events?staff_id="+e.staff[other]+"&withdrawn=true&from="+e.daysAgo(400)+"&to="+e.daysAgo(0), nil)

		for _, c := range []struct{ query, field string }{
			{"from=2026-13-01", "from"}, {"to=yesterday", "to"}, {"type=No-Contact", "type"},
			{"from=2026-03-05&to=2026-03-01", "to"}, {"withdrawn=maybe", "withdrawn"}, {"limit=0", "limit"},
		} {
			if r := e.do(t, "manager", "GET", "/api/v1/events?"+c.query, nil); r.status != 400 || r.apiErr(t).Field != c.field {
				t.Errorf("%s: %v, want 400 on %s", c.query, r, c.field)
			}
		}
	})
}

// Near-breaches are listed with the breaches: a missed call called back
// after its near moment (25 minutes, on time) is a
// missed_call_timeout_near event with the call and the call back as
// evidence, and no breach; one never called back is both.
func TestEventsListNearBreaches(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cid, phone := e.newCustomerWithPhone(t, unique("临近超时客户")) // owned by lin.wen
		at := e.today().Add(-3 * time.Hour).Truncate(time.Second)
		e.must(t, 201, "jiang.xin", "POST", "/api/v1/communications", []map[string]any{
			{"external_id": unique("near-"), "channel": "phone_missed", "occurred_at": at.Format(time.RFC3339), "counterpart": phone},
			{"external_id": unique("near-"), "channel": "phone_out", "occurred_at": at.Add(25 * time.Minute).Format(time.RFC3339), "counterpart": phone,
				"staff_login": "lin.wen"},
			{"external_id": unique("near-"), "channel": "phone_missed", "occurred_at": at.Add(time.Hour).Format(time.RFC3339), "counterpart": phone},
		})
		recs := e.must(t, 200, "manager", "GET", "/api/v1/communications?customer_id="+cid, nil).items(t)
		ids := map[string]string{} // occurred_at → id
		for _, r := range recs {
			ts, err := time.Parse(time.RFC3339, r["occurred_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			ids[ts.Sub(at).String()] = r["id"].(string)
		}
		if len(ids) != 3 {
			t.Fatalf("records %v", recs)
		}
		ofCustomer := func(typ string) []map[string]any {
			var out []map[string]any
			for _, ev := range e.must(t, 200, "manager", "GET", "/api/v1/events?type="+typ+"&staff_id="+e.staff["lin.wen"]+"&from="+e.daysAgo(1), nil).items(t) {
				if ev["customer_id"] == cid {
					out = append(out, ev)
				}
			}
			return out
		}
		near := ofCustomer("missed_call_timeout_near")
		if len(near) != 2 {
			t.Fatalf("near-breaches of the customer %v, want 2", near)
		}
		first, second := near[0], near[1]
		wantAt := func(ev map[string]any, d time.Duration) {
			t.Helper()
			if ts, err := time.Parse(time.RFC3339, ev["occurred_at"].(string)); err != nil || !ts.Equal(at.Add(d)) {
				t.Errorf("near-breach at %v, want %v", ev["occurred_at"], at.Add(d))
			}
		}
		wantAt(first, 20*time.Minute)
		wantAt(second, time.Hour+20*time.Minute)
		evidence := func(ev map[string]any) map[string]string {
			out := map[string]string{}
			for _, x := range ev["evidence"].([]any) {
				ref := x.(map[string]any)
				if ref["kind"] != "communication" {
					t.Errorf("evidence %v", ref)
				}
				out[ref["id"].(string)] = ref["role"].(string)
			}
			return out
		}
		if ev := evidence(first); len(ev) != 2 || ev[ids["0s"]] != "start" || ev[ids["25m0s"]] != "stop" {
			t.Errorf("evidence of the near-breach called back %v (records %v)", ev, ids)
		}
		if ev := evidence(second); len(ev) != 1 || ev[ids["1h0m0s"]] != "start" {
			t.Errorf("evidence of the near-breach never called back %v (records %v)", ev, ids)
		}
		if first["rule"] != "missed_call_timeout_near" || first["staff_name"] == "" || num(first["quantity"]) != 1 || first["source"] != "computed" {
			t.Errorf("near-breach %v", first)
		}
		if br := ofCustomer("missed_call_timeout"); len(br) != 1 || evidence(br[0])[ids["1h0m0s"]] != "start" {
			t.Errorf("breaches of the customer %v, want the call never called back", br)
		}
		// The specialist sees their own near-breaches.
		mine := e.must(t, 200, "lin.wen", "GET", "/api/v1/events?type=missed_call_timeout_near&from="+e.daysAgo(1), nil).items(t)
		found := 0
		for _, ev := range mine {
			if ev["customer_id"] == cid {
				found++
			}
		}
		if found != 2 {
			t.Errorf("lin.wen sees %d of her 2 near-breaches", found)
		}
	})
}

// A manager derives a month again: after the missed-call target is
// shortened, a missed call returned after 12 minutes is a breach, and
// withdrawn with a reason when the target is back; a specialist may not,
// a bad month names its field.
func TestDeskDerive(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		e.must(t, 403, "lin.wen", "POST", "/api/v1/desk/derive", nil)
		for _, m := range []string{"2026-13", "2026-1", "26-01"} {
			if r := e.do(t, "manager", "POST", "/api/v1/desk/derive?month="+m, nil); r.status != 400 || r.apiErr(t).Field != "month" {
				t.Fatalf("month %s: %v", m, r)
			}
		}
		// Its own records (the shared app's demo has no desk traffic): a
		// missed call of a customer of lin.wen's, called back in 12
		// minutes.
		cid, phone := e.newCustomerWithPhone(t, unique("重算客户"))
		at := e.today().Add(-2 * time.Hour).Truncate(time.Second)
		e.must(t, 201, "jiang.xin", "POST", "/api/v1/communications", []map[string]any{
			{"external_id": unique("derive-"), "channel": "phone_missed", "occurred_at": at.Format(time.RFC3339), "counterpart": phone},
			{"external_id": unique("derive-"), "channel": "phone_out", "occurred_at": at.Add(12 * time.Minute).Format(time.RFC3339), "counterpart": phone,
				"staff_login": "lin.wen"},
		})
		// standing is the customer's missed-call breaches in force.
		standing := func() []map[string]any {
			var out []map[string]any
			for _, ev := range e.must(t, 200, "manager", "GET", "/api/v1/events?type=missed_call_timeout&from="+e.daysAgo(1), nil).items(t) {
				if ev["customer_id"] == cid {
					out = append(out, ev)
				}
			}
			return out
		}
		if got := standing(); len(got) != 0 {
			t.Fatalf("a call returned in 12 minutes breached the 30-minute target: %v", got)
		}
		policy := e.must(t, 200, "manager", "GET", "/api/v1/settings/response-policy", nil).obj(t)
		t.Cleanup(func() { e.must(t, 200, "manager", "PUT", "/api/v1/settings/response-policy", policy) })
		e.must(t, 200, "manager", "PUT", "/api/v1/settings/response-policy",
			map[string]any{"missed_call": map[string]any{"limit_s": 60, "near_s": 30, "working_time": false}})
		// A setting changes nothing stored until the month is derived.
		if got := standing(); len(got) != 0 {
			t.Fatalf("breaches before the month is derived again: %v", got)
		}
		month := at.Format("2006-01")
		n := e.must(t, 200, "manager", "POST", "/api/v1/desk/derive?month="+month, nil).obj(t)
		c, tk := n["clocks"].(map[string]any), n["tickets"].(map[string]any)
		if tk["full"] != true || n["registration"] == nil || num(c["clocks"]) == 0 || num(c["breaches"]) == 0 {
			t.Fatalf("derive %s: %v", month, n)
		}
		got := standing()
		if len(got) != 1 || num(got[0]["quantity"]) != 11 {
			t.Fatalf("after deriving with a 1-minute target, the customer's breaches %v, want one of 11 minutes late", got)
		}
		// Back to 30 minutes: derived again, the call returned in 12
		// minutes is on time and its breach withdrawn, with the reason.
		e.must(t, 200, "manager", "PUT", "/api/v1/settings/response-policy", policy)
		if n := e.must(t, 200, "manager", "POST", "/api/v1/desk/derive?month="+month, nil).obj(t); num(n["clocks"].(map[string]any)["withdrawn"]) == 0 {
			t.Fatalf("derive %s again: %v", month, n)
		}
		if got := standing(); len(got) != 0 {
			t.Fatalf("breaches standing after the target is back: %v", got)
		}
		var withdrawn map[string]any
		for _, ev := range e.must(t, 200, "manager", "GET", "/api/v1/events?type=missed_call_timeout&withdrawn=true&from="+e.daysAgo(1), nil).items(t) {
			if ev["id"] == got[0]["id"] {
				withdrawn = ev
			}
		}
		if withdrawn == nil || withdrawn["withdrawn_at"] == nil || withdrawn["withdraw_reason"] == "" {
			t.Fatalf("the breach after the target is back: %v", withdrawn)
		}
	})
}
