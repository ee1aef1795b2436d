package api_test

import (
	"slices"
	"testing"

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
