package rates

import (
	"testing"

	"kefu/internal/calendar"

	"github.com/google/go-cmp/cmp"
)

// ct is a shorthand contract: active, customer cust, ends on end.
func ct(id, cust, end string) Contract {
	return Contract{ID: id, Number: "HT-" + id, CustomerID: cust, CustomerName: "客户" + cust, State: StateActive, Signed: d("2025-01-01"), End: d(end)}
}

// succ is a successor of from, signed on signed (state active).
func succ(id, from, cust, signed string) Contract {
	c := ct(id, cust, "2027-12-31")
	c.RenewedFrom, c.Signed = from, d(signed)
	return c
}

func with(c Contract, f func(*Contract)) Contract { f(&c); return c }

// renewalWant is one specialist's expected result: the contracts (ids) in row
// order, the renewed ones marked with their successor id.
type renewalWant struct {
	rows []string          // contract ids in order
	succ map[string]string // contract id → successor id (renewed rows only)
}

func TestRenewalRates(t *testing.T) {
	owners := []OwnerSpan{
		span("c1", "s1", "2020-01-01"),
		span("c2", "s2", "2020-01-01"),
		span("c3", "s1", "2020-01-01"),
		span("c3", "s2", "2026-03-16"), // changes owner mid-March
		span("c4", "s1", "2020-01-01"),
		span("c4", "s2", "2026-03-20"), // changes owner on an end date
		span("c5", "", "2020-01-01"),   // explicitly nobody
		// c9 has no span at all: unowned
	}
	const asOf = "2026-04-05"
	tests := []struct {
		name  string
		month string
		asOf  string
		cs    []Contract
		want  map[string]renewalWant
	}{
		{
			name:  "nothing due",
			month: "2026-03",
			cs:    []Contract{ct("a", "c1", "2026-02-28"), ct("b", "c1", "2026-04-01"), succ("x", "a", "c1", "2026-02-01")},
			want:  map[string]renewalWant{},
		},
		{
			name:  "renewed before the end date",
			month: "2026-03",
			cs:    []Contract{ct("a", "c1", "2026-03-31"), succ("x", "a", "c1", "2026-03-10")},
			want:  map[string]renewalWant{"s1": {rows: []string{"a"}, succ: map[string]string{"a": "x"}}},
		},
		{
			name:  "renewal signed after the end date but before asOf",
			month: "2026-03",
			cs:    []Contract{ct("a", "c1", "2026-03-10"), succ("x", "a", "c1", "2026-04-02")},
			want:  map[string]renewalWant{"s1": {rows: []string{"a"}, succ: map[string]string{"a": "x"}}},
		},
		{
			name:  "renewal signed exactly on asOf",
			month: "2026-03",
			cs:    []Contract{ct("a", "c1", "2026-03-10"), succ("x", "a", "c1", asOf)},
			want:  map[string]renewalWant{"s1": {rows: []string{"a"}, succ: map[string]string{"a": "x"}}},
		},
		{
			name:  "renewal signed after asOf",
			month: "2026-03",
			cs:    []Contract{ct("a", "c1", "2026-03-10"), succ("x", "a", "c1", "2026-04-06")},
			want:  map[string]renewalWant{"s1": {rows: []string{"a"}}},
		},
		{
			name:  "successor still a draft",
			month: "2026-03",
			cs: []Contract{ct("a", "c1", "2026-03-10"),
				with(succ("x", "a", "c1", "2026-03-01"), func(c *Contract) { c.State = StateDraft })},
			want: map[string]renewalWant{"s1": {rows: []string{"a"}}},
		},
		{
			name:  "successor without a signed date or a recorded day",
			month: "2026-03",
			cs: []Contract{ct("a", "c1", "2026-03-10"),
				with(succ("x", "a", "c1", "2026-03-01"), func(c *Contract) { c.Signed = calendar.Date{} })},
			want: map[string]renewalWant{"s1": {rows: []string{"a"}}},
		},
		{
			// The desk shows any successor that is not a draft as renewed; the
			// rate agrees, taking the day it was entered for the signed date.
			name:  "successor without a signed date counts from the day it was recorded",
			month: "2026-03",
			cs: []Contract{ct("a", "c1", "2026-03-10"), ct("b", "c1", "2026-03-11"),
				with(succ("x", "a", "c1", "2026-03-01"), func(c *Contract) { c.Signed, c.Recorded = calendar.Date{}, d("2026-03-20") }),
				with(succ("y", "b", "c1", "2026-03-01"), func(c *Contract) { c.Signed, c.Recorded = calendar.Date{}, d("2026-04-06") })},
			want: map[string]renewalWant{"s1": {rows: []string{"a", "b"}, succ: map[string]string{"a": "x"}}},
		},
		{
			name:  "the signed date wins over the recorded day",
			month: "2026-03",
			cs: []Contract{ct("a", "c1", "2026-03-10"),
				with(succ("x", "a", "c1", "2026-04-20"), func(c *Contract) { c.Recorded = d("2026-03-01") })},
			want: map[string]renewalWant{"s1": {rows: []string{"a"}}},
		},
		{
			name:  "between successors the recorded day stands in for the signed date",
			month: "2026-03",
			cs: []Contract{ct("a", "c1", "2026-03-10"),
				succ("x1", "a", "c1", "2026-03-05"),
				with(succ("x2", "a", "c1", "2026-03-01"), func(c *Contract) { c.Signed, c.Recorded = calendar.Date{}, d("2026-03-02") })},
			want: map[string]renewalWant{"s1": {rows: []string{"a"}, succ: map[string]string{"a": "x2"}}},
		},
		{
			name:  "successor signed then terminated still counts",
			month: "2026-03",
			cs: []Contract{ct("a", "c1", "2026-03-10"),
				with(succ("x", "a", "c1", "2026-03-01"), func(c *Contract) { c.State = StateTerminated })},
			want: map[string]renewalWant{"s1": {rows: []string{"a"}, succ: map[string]string{"a": "x"}}},
		},
		{
			name:  "a contract renewing itself is no renewal",
			month: "2026-03",
			cs:    []Contract{with(ct("a", "c1", "2026-03-10"), func(c *Contract) { c.RenewedFrom = "a" })},
			want:  map[string]renewalWant{"s1": {rows: []string{"a"}}},
		},
		{
			name:  "contracts terminated before the month and drafts are not up for renewal",
			month: "2026-03",
			cs: []Contract{
				with(ct("t", "c1", "2026-03-10"), func(c *Contract) { c.State, c.TerminatedOn = StateTerminated, d("2026-01-15") }),
				with(ct("t0", "c1", "2026-03-10"), func(c *Contract) { c.State = StateTerminated }), // day unknown
				with(ct("d", "c1", "2026-03-11"), func(c *Contract) { c.State = StateDraft }),
				ct("a", "c1", "2026-03-12"),
				succ("x", "t", "c1", "2026-03-01"), // a successor does not bring them back
			},
			want: map[string]renewalWant{"s1": {rows: []string{"a"}}},
		},
		{
			// Terminating a contract that is due cannot shrink the denominator.
			name:  "a contract terminated on or after the month's first day still counts",
			month: "2026-03",
			cs: []Contract{
				with(ct("feb28", "c1", "2026-03-20"), func(c *Contract) { c.State, c.TerminatedOn = StateTerminated, d("2026-02-28") }),
				with(ct("mar1", "c1", "2026-03-20"), func(c *Contract) { c.State, c.TerminatedOn = StateTerminated, d("2026-03-01") }),
				with(ct("onend", "c1", "2026-03-21"), func(c *Contract) { c.State, c.TerminatedOn = StateTerminated, d("2026-03-21") }),
				with(ct("renewed", "c1", "2026-03-22"), func(c *Contract) { c.State, c.TerminatedOn = StateTerminated, d("2026-03-15") }),
				succ("x", "renewed", "c1", "2026-03-10"),
			},
			want: map[string]renewalWant{"s1": {rows: []string{"mar1", "onend", "renewed"}, succ: map[string]string{"renewed": "x"}}},
		},
		{
			name:  "only the end date in the month counts",
			month: "2026-03",
			cs: []Contract{
				ct("feb", "c1", "2026-02-28"), ct("first", "c1", "2026-03-01"),
				ct("last", "c1", "2026-03-31"), ct("apr", "c1", "2026-04-01"),
				with(ct("noend", "c1", "2026-03-15"), func(c *Contract) { c.End = calendar.Date{} }),
			},
			want: map[string]renewalWant{"s1": {rows: []string{"first", "last"}}},
		},
		{
			name:  "owner at the end date is accountable; the previous owner gets nothing",
			month: "2026-03",
			cs: []Contract{
				ct("early", "c3", "2026-03-15"), // s1 still owns c3
				ct("late", "c3", "2026-03-16"),  // s2 owns c3 from the 16th
				succ("x", "late", "c3", "2026-03-01"),
			},
			want: map[string]renewalWant{
				"s1": {rows: []string{"early"}},
				"s2": {rows: []string{"late"}, succ: map[string]string{"late": "x"}},
			},
		},
		{
			name:  "owner change exactly on the end date",
			month: "2026-03",
			cs:    []Contract{ct("a", "c4", "2026-03-20"), ct("b", "c4", "2026-03-19")},
			want: map[string]renewalWant{
				"s1": {rows: []string{"b"}},
				"s2": {rows: []string{"a"}},
			},
		},
		{
			name:  "unowned customers",
			month: "2026-03",
			cs:    []Contract{ct("a", "c5", "2026-03-05"), ct("b", "c9", "2026-03-04"), succ("x", "b", "c9", "2026-03-01")},
			want:  map[string]renewalWant{"": {rows: []string{"b", "a"}, succ: map[string]string{"b": "x"}}},
		},
		{
			name:  "several successors: earliest signed, then lowest number",
			month: "2026-03",
			cs: []Contract{
				ct("a", "c1", "2026-03-05"), ct("b", "c1", "2026-03-06"),
				succ("x3", "a", "c1", "2026-03-02"),
				succ("x2", "a", "c1", "2026-03-01"),
				succ("x1", "a", "c1", "2026-04-10"), // after asOf: ignored
				with(succ("y2", "b", "c1", "2026-03-01"), func(c *Contract) { c.Number = "HT-B" }),
				with(succ("y1", "b", "c1", "2026-03-01"), func(c *Contract) { c.Number = "HT-C" }),
			},
			want: map[string]renewalWant{"s1": {rows: []string{"a", "b"}, succ: map[string]string{"a": "x2", "b": "y2"}}},
		},
		{
			name:  "rows by end date, then number",
			month: "2026-03",
			cs: []Contract{
				with(ct("a", "c1", "2026-03-20"), func(c *Contract) { c.Number = "HT-1" }),
				with(ct("b", "c1", "2026-03-05"), func(c *Contract) { c.Number = "HT-9" }),
				with(ct("c", "c1", "2026-03-20"), func(c *Contract) { c.Number = "HT-0" }),
			},
			want: map[string]renewalWant{"s1": {rows: []string{"b", "c", "a"}}},
		},
		{
			name:  "December ends in December; 1 January belongs to January",
			month: "2025-12",
			asOf:  "2026-01-10",
			cs: []Contract{ct("dec31", "c1", "2025-12-31"), ct("jan1", "c1", "2026-01-01"), ct("nov30", "c1", "2025-11-30"),
				succ("x", "dec31", "c1", "2026-01-10")},
			want: map[string]renewalWant{"s1": {rows: []string{"dec31"}, succ: map[string]string{"dec31": "x"}}},
		},
		{
			name:  "January",
			month: "2026-01",
			cs:    []Contract{ct("dec31", "c1", "2025-12-31"), ct("jan1", "c1", "2026-01-01"), ct("jan31", "c1", "2026-01-31"), ct("feb1", "c1", "2026-02-01")},
			want:  map[string]renewalWant{"s1": {rows: []string{"jan1", "jan31"}}},
		},
		{
			name:  "February of a leap year ends on the 29th",
			month: "2024-02",
			asOf:  "2024-03-01",
			cs: []Contract{ct("f28", "c1", "2024-02-28"), ct("f29", "c1", "2024-02-29"), ct("m1", "c1", "2024-03-01"),
				succ("x", "f29", "c1", "2024-03-01"), succ("y", "f28", "c1", "2024-03-02")},
			want: map[string]renewalWant{"s1": {rows: []string{"f28", "f29"}, succ: map[string]string{"f29": "x"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asOfDay := d(asOf)
			if tt.asOf != "" {
				asOfDay = d(tt.asOf)
			}
			m := mon(tt.month)
			o := NewOwners(owners)
			got := RenewalRates(tt.cs, o, m, asOfDay)
			if diff := cmp.Diff(tt.want, summariseRenewals(got), cmp.AllowUnexported(renewalWant{})); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			for who, w := range tt.want {
				r := got[who]
				want := Ratio{Num: int64(len(w.succ)), Den: int64(len(w.rows))}
				if r.Ratio != want {
					t.Errorf("%q: ratio %v, want %v", who, r.Ratio, want)
				}
				if r.Specialist != who || r.Month != m || r.AsOf != asOfDay {
					t.Errorf("%q: header %q %v %v", who, r.Specialist, r.Month, r.AsOf)
				}
				for _, row := range r.Rows {
					if row.Owner != who || row.Renewed != (row.Successor != nil) {
						t.Errorf("%q: inconsistent row %+v", who, row)
					}
				}
			}
			// The single-specialist form agrees, including for specialists
			// with nothing due.
			for _, who := range []string{"s1", "s2", "", "nobody"} {
				one := RenewalRate(who, tt.cs, o, m, asOfDay)
				want, ok := got[who]
				if !ok {
					want = Renewal{Specialist: who, Month: m, AsOf: asOfDay}
					if !one.Ratio.NothingDue() || one.Ratio.Points(15) != 1500 || one.Ratio.Percent() != "100.00%" {
						t.Errorf("%q: nothing due should score full, got %v", who, one.Ratio)
					}
				}
				if diff := cmp.Diff(want, one); diff != "" {
					t.Errorf("RenewalRate(%q) differs from RenewalRates (-all +one):\n%s", who, diff)
				}
			}
		})
	}
}

func summariseRenewals(got map[string]Renewal) map[string]renewalWant {
	out := make(map[string]renewalWant)
	for who, r := range got {
		var w renewalWant
		for _, row := range r.Rows {
			w.rows = append(w.rows, row.Contract.ID)
			if row.Renewed {
				if w.succ == nil {
					w.succ = make(map[string]string)
				}
				w.succ[row.Contract.ID] = row.Successor.ID
			}
		}
		out[who] = w
	}
	return out
}

func TestRenewalRowIsACopy(t *testing.T) {
	cs := []Contract{ct("a", "c1", "2026-03-10"), succ("x", "a", "c1", "2026-03-01")}
	got := RenewalRate("s1", cs, NewOwners([]OwnerSpan{span("c1", "s1", "2020-01-01")}), mon("2026-03"), d("2026-04-01"))
	cs[0].Number, cs[1].Number = "changed", "changed"
	if got.Rows[0].Contract.Number != "HT-a" || got.Rows[0].Successor.Number != "HT-x" {
		t.Errorf("rows alias the input: %+v", got.Rows[0])
	}
}
