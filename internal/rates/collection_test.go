package rates

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// inst is a shorthand installment of contract "HT-<contract>".
func inst(id, contract string, seq int, cust, due string, amount int64) Installment {
	return Installment{ID: id, ContractID: contract, ContractNumber: "HT-" + contract, CustomerID: cust, CustomerName: "客户" + cust,
		Seq: seq, Due: d(due), Amount: amount}
}

// pay is a shorthand allocation.
func pay(payment, installment, received string, amount int64) Allocation {
	return Allocation{InstallmentID: installment, PaymentID: payment, Received: d(received), Amount: amount}
}

type rowWant struct {
	ID        string
	Open, Got int64
	Carried   bool
	Payments  []string // payment ids
}

type collWant struct {
	Num, Den int64
	Rows     []rowWant
}

func TestCollectionRates(t *testing.T) {
	owners := []OwnerSpan{
		span("c1", "s1", "2020-01-01"),
		span("c2", "s2", "2020-01-01"),
		span("c3", "s1", "2020-01-01"),
		span("c3", "s2", "2026-03-16"), // changes owner mid-March
		span("c4", "s1", "2020-01-01"),
		span("c4", "s2", "2026-03-20"), // changes owner on a due date
		span("c5", "", "2020-01-01"),   // explicitly nobody
		// c9 has no span: unowned
	}
	tests := []struct {
		name  string
		month string
		is    []Installment
		as    []Allocation
		want  map[string]collWant
	}{
		{
			name:  "nothing due",
			month: "2026-03",
			is:    []Installment{inst("i1", "A", 1, "c1", "2026-04-01", 10000)},
			as:    []Allocation{pay("p1", "i1", "2026-03-10", 10000)},
			want:  map[string]collWant{},
		},
		{
			name:  "partial payment of an installment due in the month",
			month: "2026-03",
			is:    []Installment{inst("i1", "A", 1, "c1", "2026-03-15", 10000)},
			as:    []Allocation{pay("p1", "i1", "2026-03-20", 4000)},
			want: map[string]collWant{"s1": {4000, 10000, []rowWant{
				{ID: "i1", Open: 10000, Got: 4000, Payments: []string{"p1"}}}}},
		},
		{
			name:  "unpaid installment due in the month",
			month: "2026-03",
			is:    []Installment{inst("i1", "A", 1, "c1", "2026-03-15", 10000)},
			want: map[string]collWant{"s1": {0, 10000, []rowWant{
				{ID: "i1", Open: 10000}}}},
		},
		{
			name:  "payments spread over earlier months, the month and later",
			month: "2026-03",
			is:    []Installment{inst("i1", "A", 1, "c1", "2026-01-10", 10000)},
			as: []Allocation{
				pay("p1", "i1", "2026-01-10", 1000), pay("p2", "i1", "2026-02-28", 2000), // before: open 7000
				pay("p4", "i1", "2026-03-31", 500), pay("p3", "i1", "2026-03-01", 1500), // in March: 2000
				pay("p5", "i1", "2026-04-01", 4500), // after: ignored
			},
			want: map[string]collWant{"s1": {2000, 7000, []rowWant{
				{ID: "i1", Open: 7000, Got: 2000, Carried: true, Payments: []string{"p3", "p4"}}}}},
		},
		{
			name:  "prepayment against an installment not yet due is excluded",
			month: "2026-03",
			is: []Installment{
				inst("i1", "A", 1, "c1", "2026-03-10", 10000),
				inst("i2", "A", 2, "c1", "2026-04-10", 10000),
			},
			as: []Allocation{pay("p1", "i2", "2026-03-05", 10000), pay("p2", "i1", "2026-03-05", 3000)},
			want: map[string]collWant{"s1": {3000, 10000, []rowWant{
				{ID: "i1", Open: 10000, Got: 3000, Payments: []string{"p2"}}}}},
		},
		{
			name:  "installment due in the month but prepaid in full is not unpaid at the start",
			month: "2026-03",
			is: []Installment{
				inst("i1", "A", 1, "c1", "2026-03-10", 10000),
				inst("i2", "A", 2, "c1", "2026-03-20", 8000),
			},
			as: []Allocation{
				pay("p1", "i1", "2026-02-25", 6000), pay("p2", "i1", "2026-01-05", 4000), // i1 prepaid in full
				pay("p3", "i2", "2026-02-25", 5000), // i2 partly prepaid: 3000 open
				pay("p4", "i2", "2026-03-20", 3000),
				pay("p5", "i1", "2026-03-10", 100), // a stray payment on a settled installment
			},
			want: map[string]collWant{"s1": {3000, 3000, []rowWant{
				{ID: "i2", Open: 3000, Got: 3000, Payments: []string{"p4"}}}}},
		},
		{
			name:  "overdue carried in from earlier months",
			month: "2026-03",
			is: []Installment{
				inst("old", "A", 1, "c1", "2025-11-30", 20000),
				inst("feb", "A", 2, "c1", "2026-02-28", 10000),
				inst("mar", "A", 3, "c1", "2026-03-01", 10000),
			},
			as: []Allocation{pay("p1", "old", "2026-03-03", 20000), pay("p2", "mar", "2026-03-02", 10000)},
			want: map[string]collWant{"s1": {30000, 40000, []rowWant{
				{ID: "old", Open: 20000, Got: 20000, Carried: true, Payments: []string{"p1"}},
				{ID: "feb", Open: 10000, Carried: true},
				{ID: "mar", Open: 10000, Got: 10000, Payments: []string{"p2"}}}}},
		},
		{
			name:  "an overpayment counts only up to the open amount",
			month: "2026-03",
			is: []Installment{
				inst("i1", "A", 1, "c1", "2026-02-10", 10000),
				inst("i2", "A", 2, "c1", "2026-03-10", 10000),
			},
			as: []Allocation{
				pay("p0", "i1", "2026-02-10", 5000),
				pay("p1", "i1", "2026-03-10", 8000),                                      // 8000 against 5000 open
				pay("p2", "i2", "2026-03-10", 6000), pay("p3", "i2", "2026-03-11", 6000), // 12000 against 10000
			},
			want: map[string]collWant{"s1": {15000, 15000, []rowWant{
				{ID: "i1", Open: 5000, Got: 5000, Carried: true, Payments: []string{"p1"}},
				{ID: "i2", Open: 10000, Got: 10000, Payments: []string{"p2", "p3"}}}}},
		},
		{
			name:  "owner at the due date is accountable; the other specialist gets nothing",
			month: "2026-03",
			is: []Installment{
				inst("early", "C", 1, "c3", "2026-03-15", 10000), // s1 owns c3 until the 15th
				inst("late", "C", 2, "c3", "2026-03-16", 10000),  // s2 from the 16th
				inst("older", "C", 0, "c3", "2026-01-15", 10000), // carried in: still s1's
			},
			as: []Allocation{pay("p1", "early", "2026-03-20", 10000), pay("p2", "late", "2026-03-20", 5000)},
			want: map[string]collWant{
				"s1": {10000, 20000, []rowWant{
					{ID: "older", Open: 10000, Carried: true},
					{ID: "early", Open: 10000, Got: 10000, Payments: []string{"p1"}}}},
				"s2": {5000, 10000, []rowWant{
					{ID: "late", Open: 10000, Got: 5000, Payments: []string{"p2"}}}},
			},
		},
		{
			name:  "owner change exactly on the due date",
			month: "2026-03",
			is: []Installment{
				inst("on", "D", 2, "c4", "2026-03-20", 10000),
				inst("before", "D", 1, "c4", "2026-03-19", 10000),
			},
			want: map[string]collWant{
				"s1": {0, 10000, []rowWant{{ID: "before", Open: 10000}}},
				"s2": {0, 10000, []rowWant{{ID: "on", Open: 10000}}},
			},
		},
		{
			name:  "unowned customers",
			month: "2026-03",
			is: []Installment{
				inst("i5", "E", 1, "c5", "2026-03-05", 10000),
				inst("i9", "F", 1, "c9", "2026-03-05", 30000),
			},
			as: []Allocation{pay("p1", "i9", "2026-03-06", 30000)},
			want: map[string]collWant{"": {30000, 40000, []rowWant{
				{ID: "i5", Open: 10000},
				{ID: "i9", Open: 30000, Got: 30000, Payments: []string{"p1"}}}}},
		},
		{
			name:  "December: 31 December is in, 1 January is out",
			month: "2025-12",
			is: []Installment{
				inst("d31", "A", 1, "c1", "2025-12-31", 10000),
				inst("j1", "A", 2, "c1", "2026-01-01", 10000),
			},
			as: []Allocation{
				pay("p1", "d31", "2025-11-30", 1000), // before December
				pay("p2", "d31", "2025-12-01", 2000), // first day of December
				pay("p3", "d31", "2025-12-31", 3000), // last day of December
				pay("p4", "d31", "2026-01-01", 4000), // January: not December's
				pay("p5", "j1", "2025-12-31", 10000), // prepayment: excluded
			},
			want: map[string]collWant{"s1": {5000, 9000, []rowWant{
				{ID: "d31", Open: 9000, Got: 5000, Payments: []string{"p2", "p3"}}}}},
		},
		{
			name:  "January: 31 December is before the month",
			month: "2026-01",
			is: []Installment{
				inst("d31", "A", 1, "c1", "2025-12-31", 10000),
				inst("j1", "A", 2, "c1", "2026-01-01", 10000),
				inst("j31", "A", 3, "c1", "2026-01-31", 10000),
				inst("f1", "A", 4, "c1", "2026-02-01", 10000),
			},
			as: []Allocation{
				pay("p1", "d31", "2025-12-31", 3000),
				pay("p2", "d31", "2026-01-01", 7000),
				pay("p3", "j1", "2025-12-31", 10000), // paid in full the day before the month
				pay("p4", "j31", "2026-01-31", 2500),
			},
			want: map[string]collWant{"s1": {9500, 17000, []rowWant{
				{ID: "d31", Open: 7000, Got: 7000, Carried: true, Payments: []string{"p2"}},
				{ID: "j31", Open: 10000, Got: 2500, Payments: []string{"p4"}}}}},
		},
		{
			name:  "February of a leap year includes the 29th",
			month: "2024-02",
			is: []Installment{
				inst("f29", "A", 1, "c1", "2024-02-29", 10000),
				inst("m1", "A", 2, "c1", "2024-03-01", 10000),
			},
			as: []Allocation{pay("p1", "f29", "2024-02-29", 10000), pay("p2", "f29", "2024-03-01", 1)},
			want: map[string]collWant{"s1": {10000, 10000, []rowWant{
				{ID: "f29", Open: 10000, Got: 10000, Payments: []string{"p1"}}}}},
		},
		{
			name:  "March 2024 carries February 29th in",
			month: "2024-03",
			is:    []Installment{inst("f29", "A", 1, "c1", "2024-02-29", 10000)},
			as:    []Allocation{pay("p1", "f29", "2024-02-29", 4000), pay("p2", "f29", "2024-03-01", 1000)},
			want: map[string]collWant{"s1": {1000, 6000, []rowWant{
				{ID: "f29", Open: 6000, Got: 1000, Carried: true, Payments: []string{"p2"}}}}},
		},
		{
			name:  "allocations that do not count",
			month: "2026-03",
			is: []Installment{
				inst("i1", "A", 1, "c1", "2026-03-10", 10000),
				{ID: "nodue", ContractID: "A", ContractNumber: "HT-A", CustomerID: "c1", Seq: 2, Amount: 10000}, // no due date: not scheduled
				inst("zero", "A", 3, "c1", "2026-03-10", 0),
			},
			as: []Allocation{
				pay("p1", "ghost", "2026-03-10", 10000),               // unknown installment
				{InstallmentID: "i1", PaymentID: "p2", Amount: 10000}, // no received date
				pay("p3", "i1", "2026-04-01", 10000),                  // after the month
				pay("p4", "nodue", "2026-03-10", 10000),
			},
			want: map[string]collWant{"s1": {0, 10000, []rowWant{{ID: "i1", Open: 10000}}}},
		},
		{
			name:  "rows by due date, contract number, sequence",
			month: "2026-03",
			is: []Installment{
				inst("b2", "B", 2, "c1", "2026-03-10", 100),
				inst("a9", "A", 9, "c1", "2026-03-10", 100),
				inst("b1", "B", 1, "c1", "2026-03-10", 100),
				inst("z", "Z", 1, "c1", "2026-03-01", 100),
			},
			as: []Allocation{
				pay("p2", "a9", "2026-03-10", 10), pay("p1", "a9", "2026-03-10", 10), pay("p0", "a9", "2026-03-11", 10),
			},
			want: map[string]collWant{"s1": {30, 400, []rowWant{
				{ID: "z", Open: 100},
				{ID: "a9", Open: 100, Got: 30, Payments: []string{"p1", "p2", "p0"}},
				{ID: "b1", Open: 100},
				{ID: "b2", Open: 100}}}},
		},
		{
			name:  "reversals (negative allocations) never open more than the amount nor collect less than 0",
			month: "2026-03",
			is: []Installment{
				inst("i1", "A", 1, "c1", "2026-02-10", 10000),
				inst("i2", "A", 2, "c1", "2026-03-10", 10000),
			},
			as: []Allocation{
				pay("p1", "i1", "2026-02-10", 3000), pay("r1", "i1", "2026-02-11", -5000), // net −2000 before March
				pay("r2", "i2", "2026-03-11", -1000), // a reversal in March
			},
			want: map[string]collWant{"s1": {0, 20000, []rowWant{
				{ID: "i1", Open: 10000, Carried: true},
				{ID: "i2", Open: 10000, Payments: []string{"r2"}}}}},
		},
		{
			name:  "huge amounts saturate instead of wrapping",
			month: "2026-03",
			is: []Installment{
				inst("i1", "A", 1, "c1", "2026-03-10", math.MaxInt64),
				inst("i2", "A", 2, "c1", "2026-03-11", math.MaxInt64),
			},
			as: []Allocation{pay("p1", "i1", "2026-03-10", math.MaxInt64), pay("p2", "i1", "2026-03-11", math.MaxInt64)},
			want: map[string]collWant{"s1": {math.MaxInt64, math.MaxInt64, []rowWant{
				{ID: "i1", Open: math.MaxInt64, Got: math.MaxInt64, Payments: []string{"p1", "p2"}},
				{ID: "i2", Open: math.MaxInt64}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mon(tt.month)
			o := NewOwners(owners)
			got := CollectionRates(tt.is, tt.as, o, m)
			if diff := cmp.Diff(tt.want, summariseCollections(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for who, c := range got {
				if c.Specialist != who || c.Month != m {
					t.Errorf("%q: header %q %v", who, c.Specialist, c.Month)
				}
				for _, row := range c.Rows {
					if row.Owner != who || row.CarriedIn != row.Installment.Due.Before(m.First()) {
						t.Errorf("%q: inconsistent row %+v", who, row)
					}
					for _, p := range row.Payments {
						if p.InstallmentID != row.Installment.ID || !m.Contains(p.Received) {
							t.Errorf("%q: payment %+v does not belong to row %s", who, p, row.Installment.ID)
						}
					}
				}
			}
			for _, who := range []string{"s1", "s2", "", "nobody"} {
				one := CollectionRate(who, tt.is, tt.as, o, m)
				want, ok := got[who]
				if !ok {
					want = Collection{Specialist: who, Month: m}
					if !one.Ratio.NothingDue() || one.Ratio.Points(15) != 1500 || one.Ratio.Percent() != "100.00%" {
						t.Errorf("%q: nothing due should score full, got %v", who, one.Ratio)
					}
				}
				if diff := cmp.Diff(want, one); diff != "" {
					t.Errorf("CollectionRate(%q) differs from CollectionRates (-all +one):\n%s", who, diff)
				}
			}
		})
	}
}

func summariseCollections(got map[string]Collection) map[string]collWant {
	out := make(map[string]collWant)
	for who, c := range got {
		w := collWant{Num: c.Ratio.Num, Den: c.Ratio.Den}
		for _, row := range c.Rows {
			r := rowWant{ID: row.Installment.ID, Open: row.OpenAtStart, Got: row.Collected, Carried: row.CarriedIn}
			for _, p := range row.Payments {
				r.Payments = append(r.Payments, p.PaymentID)
			}
			w.Rows = append(w.Rows, r)
		}
		out[who] = w
	}
	return out
}

func TestCollectionPoints(t *testing.T) {
	// The scorecard line of the default scheme: 15 × rate, in hundredths.
	o := NewOwners([]OwnerSpan{span("c1", "s1", "2020-01-01")})
	is := []Installment{inst("i1", "A", 1, "c1", "2026-03-10", 80000)}
	as := []Allocation{pay("p1", "i1", "2026-03-10", 70000)}
	c := CollectionRate("s1", is, as, o, mon("2026-03"))
	if c.Ratio != (Ratio{70000, 80000}) || c.Ratio.Percent() != "87.50%" || c.Ratio.Points(15) != 1313 {
		t.Errorf("got %v, %s, %d", c.Ratio, c.Ratio.Percent(), c.Ratio.Points(15))
	}
}

func TestCollectionRowsAreCopies(t *testing.T) {
	o := NewOwners([]OwnerSpan{span("c1", "s1", "2020-01-01")})
	is := []Installment{inst("i1", "A", 1, "c1", "2026-03-10", 100)}
	as := []Allocation{pay("p1", "i1", "2026-03-10", 10)}
	c := CollectionRate("s1", is, as, o, mon("2026-03"))
	is[0].Amount, as[0].Amount = 1, 1
	if c.Rows[0].Installment.Amount != 100 || c.Rows[0].Payments[0].Amount != 10 {
		t.Errorf("rows alias the input: %+v", c.Rows[0])
	}
}
