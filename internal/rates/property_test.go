package rates

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"kefu/internal/calendar"
)

// naiveCollection is the definition of SPEC §4 written as plainly as
// possible, quadratic, to check the fast implementation against.
func naiveCollection(is []Installment, as []Allocation, owners Owners, m Month) map[string]Collection {
	out := map[string]Collection{}
	for _, in := range is {
		if in.Due.IsZero() || in.Due.After(m.Last()) {
			continue
		}
		var before, during int64
		var pays []Allocation
		for _, a := range as {
			if a.InstallmentID != in.ID || a.Received.IsZero() {
				continue
			}
			switch {
			case a.Received.Before(m.First()):
				before += a.Amount
			case m.Contains(a.Received):
				during += a.Amount
				pays = append(pays, a)
			}
		}
		open := min(max(in.Amount-before, 0), in.Amount)
		if open <= 0 {
			continue
		}
		owner := owners.At(in.CustomerID, in.Due)
		slices.SortFunc(pays, compareAllocation)
		row := CollectionRow{Installment: in, Owner: owner, OpenAtStart: open, Collected: min(max(during, 0), open),
			CarriedIn: in.Due.Before(m.First()), Payments: pays}
		c := out[owner]
		c.Specialist, c.Month = owner, m
		c.Rows = append(c.Rows, row)
		c.Ratio.Num += row.Collected
		c.Ratio.Den += row.OpenAtStart
		out[owner] = c
	}
	for k, c := range out {
		slices.SortFunc(c.Rows, compareCollectionRow)
		out[k] = c
	}
	return out
}

func naiveRenewal(cs []Contract, owners Owners, m Month, asOf calendar.Date) map[string]Renewal {
	out := map[string]Renewal{}
	for _, c := range cs {
		if c.State == StateDraft || !m.Contains(c.End) {
			continue
		}
		if c.State == StateTerminated && (c.TerminatedOn.IsZero() || c.TerminatedOn.Before(m.First())) {
			continue
		}
		var best *Contract
		for _, s := range cs {
			signed := s.Signed
			if signed.IsZero() {
				signed = s.Recorded
			}
			bestSigned := calendar.Date{}
			if best != nil {
				bestSigned = best.Signed
				if bestSigned.IsZero() {
					bestSigned = best.Recorded
				}
			}
			if s.RenewedFrom == c.ID && s.ID != c.ID && s.State != StateDraft && !signed.IsZero() && !signed.After(asOf) {
				if best == nil || signed.Before(bestSigned) || signed == bestSigned && s.Number < best.Number ||
					signed == bestSigned && s.Number == best.Number && compareContract(&s, best) < 0 {
					best = &s
				}
			}
		}
		owner := owners.At(c.CustomerID, c.End)
		r := out[owner]
		r.Specialist, r.Month, r.AsOf = owner, m, asOf
		r.Rows = append(r.Rows, RenewalRow{Contract: c, Owner: owner, Renewed: best != nil, Successor: best})
		r.Ratio.Den++
		if best != nil {
			r.Ratio.Num++
		}
		out[owner] = r
	}
	for k, r := range out {
		slices.SortFunc(r.Rows, func(a, b RenewalRow) int {
			return cmp.Or(a.Contract.End.Compare(b.Contract.End), cmp.Compare(a.Contract.Number, b.Contract.Number),
				compareContract(&a.Contract, &b.Contract))
		})
		out[k] = r
	}
	return out
}

// emptyNil makes nil and empty slices compare equal.
var emptyNil = gocmp.Comparer(func(a, b []Allocation) bool { return slices.Equal(a, b) })

// noLower fails when some specialist's rate in after is below the one in before.
func noLower[T Renewal | Collection](t *testing.T, what string, before, after map[string]T) {
	t.Helper()
	for _, who := range specialists {
		if b, a := ratioOf(before, who), ratioOf(after, who); a.Compare(b) < 0 {
			t.Fatalf("%s lowered the rate of %q from %v to %v", what, who, b, a)
		}
	}
}

func checkCollection(t *testing.T, rng *rand.Rand, data collectionData) {
	t.Helper()
	owners := NewOwners(data.spans)
	got := CollectionRates(data.is, data.as, owners, data.m)

	// The definition.
	if diff := gocmp.Diff(naiveCollection(data.is, data.as, owners, data.m), got, emptyNil); diff != "" {
		t.Fatalf("differs from the naive definition (-naive +fast):\n%s", diff)
	}

	// Input order does not matter.
	again := CollectionRates(shuffled(rng, data.is), shuffled(rng, data.as), NewOwners(shuffled(rng, data.spans)), data.m)
	if diff := gocmp.Diff(got, again); diff != "" {
		t.Fatalf("shuffled input changes the result (-first +shuffled):\n%s", diff)
	}

	// Bounds, and the parts add up to everyone's total.
	var num, den int64
	for who, c := range got {
		if c.Ratio.Num < 0 || c.Ratio.Num > c.Ratio.Den || c.Ratio.Den <= 0 || len(c.Rows) == 0 {
			t.Fatalf("%q: ratio %v out of bounds", who, c.Ratio)
		}
		for _, max := range []int64{1, 15, 100} {
			if p := c.Ratio.Points(max); p < 0 || p > max*100 {
				t.Fatalf("%q: Points(%d) = %d", who, max, p)
			}
		}
		for _, row := range c.Rows {
			if row.OpenAtStart <= 0 || row.OpenAtStart > row.Installment.Amount || row.Collected < 0 || row.Collected > row.OpenAtStart {
				t.Fatalf("%q: row out of bounds: %+v", who, row)
			}
		}
		num += c.Ratio.Num
		den += c.Ratio.Den
		if one := CollectionRate(who, data.is, data.as, owners, data.m); !gocmp.Equal(one, c) {
			t.Fatalf("CollectionRate(%q) differs from CollectionRates", who)
		}
	}
	everyone := CollectionRates(data.is, data.as, Owners{}, data.m)[""]
	if everyone.Ratio != (Ratio{num, den}) || len(got) == 0 && len(everyone.Rows) != 0 {
		t.Fatalf("specialists sum to %d/%d, everyone has %v", num, den, everyone.Ratio)
	}

	// Adding a payment received in the month never lowers anyone's rate,
	// even an overpayment.
	for range 5 {
		if len(data.is) == 0 {
			break
		}
		in := data.is[rng.IntN(len(data.is))]
		a := Allocation{InstallmentID: in.ID, PaymentID: "extra", Received: randDay(rng, data.m.First(), data.m.Last().Day),
			Amount: rng.Int64N(in.Amount*2) + 1}
		noLower(t, "a payment in the month", got, CollectionRates(data.is, append(slices.Clip(data.as), a), owners, data.m))
	}
	// Adding a payment on any day — before, in or after the month — never
	// lowers anyone's rate when no installment is paid more than its amount.
	// (Without that, a payment received before the month can: an installment
	// overpaid in the month then weighs less in the denominator.)
	if data.ledger {
		paid := map[string]int64{}
		for _, a := range data.as {
			paid[a.InstallmentID] += a.Amount
		}
		for range 10 {
			if len(data.is) == 0 {
				break
			}
			in := data.is[rng.IntN(len(data.is))]
			left := in.Amount - paid[in.ID]
			if left <= 0 {
				continue
			}
			a := Allocation{InstallmentID: in.ID, PaymentID: "extra", Received: randDay(rng, data.m.First().AddDays(-120), 240),
				Amount: rng.Int64N(left) + 1}
			noLower(t, "a payment ("+a.Received.String()+")", got, CollectionRates(data.is, append(slices.Clip(data.as), a), owners, data.m))
		}
	}
}

func checkRenewal(t *testing.T, rng *rand.Rand, data renewalData) {
	t.Helper()
	owners := NewOwners(data.spans)
	got := RenewalRates(data.cs, owners, data.m, data.asOf)
	if diff := gocmp.Diff(naiveRenewal(data.cs, owners, data.m, data.asOf), got); diff != "" {
		t.Fatalf("differs from the naive definition (-naive +fast):\n%s", diff)
	}
	again := RenewalRates(shuffled(rng, data.cs), NewOwners(shuffled(rng, data.spans)), data.m, data.asOf)
	if diff := gocmp.Diff(got, again); diff != "" {
		t.Fatalf("shuffled input changes the result (-first +shuffled):\n%s", diff)
	}
	var num, den int64
	for who, r := range got {
		if r.Ratio.Num < 0 || r.Ratio.Num > r.Ratio.Den || r.Ratio.Den != int64(len(r.Rows)) {
			t.Fatalf("%q: ratio %v out of bounds", who, r.Ratio)
		}
		if p := r.Ratio.Points(15); p < 0 || p > 1500 {
			t.Fatalf("%q: Points(15) = %d", who, p)
		}
		num += r.Ratio.Num
		den += r.Ratio.Den
		if one := RenewalRate(who, data.cs, owners, data.m, data.asOf); !gocmp.Equal(one, r) {
			t.Fatalf("RenewalRate(%q) differs from RenewalRates", who)
		}
	}
	if everyone := RenewalRates(data.cs, Owners{}, data.m, data.asOf)[""]; everyone.Ratio != (Ratio{num, den}) {
		t.Fatalf("specialists sum to %d/%d, everyone has %v", num, den, everyone.Ratio)
	}
	// A later asOf, or one more signed successor, never lowers a rate.
	noLower(t, "a later asOf", got, RenewalRates(data.cs, owners, data.m, data.asOf.AddDays(rng.IntN(40)+1)))
	if len(data.cs) > 0 {
		prev := data.cs[rng.IntN(len(data.cs))]
		s := Contract{ID: "extra", Number: "HT-extra", CustomerID: prev.CustomerID, State: StateActive,
			Signed: data.asOf.AddDays(-rng.IntN(60)), End: data.asOf.AddDays(365), RenewedFrom: prev.ID}
		noLower(t, "a successor", got, RenewalRates(append(slices.Clip(data.cs), s), owners, data.m, data.asOf))
	}
}

var propertyMonths = []string{"2026-03", "2025-12", "2026-01", "2024-02", "2025-02"}

func TestCollectionProperties(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := mon(propertyMonths[seed%uint64(len(propertyMonths))])
		n := rng.IntN(60) + 1
		checkCollection(t, rng, genCollection(rng, m, rng.IntN(12)+1, n, rng.IntN(2*n+1), seed%2 == 0))
	}
}

func TestRenewalProperties(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 8))
		m := mon(propertyMonths[seed%uint64(len(propertyMonths))])
		checkRenewal(t, rng, genRenewal(rng, m, rng.IntN(12)+1, rng.IntN(80)+1))
	}
}

func FuzzCollection(f *testing.F) {
	f.Add(uint64(1), uint8(20), uint8(5), uint8(30), false)
	f.Add(uint64(2), uint8(50), uint8(3), uint8(100), true)
	f.Add(uint64(3), uint8(1), uint8(1), uint8(0), true)
	f.Fuzz(func(t *testing.T, seed uint64, nInst, nCust, nAlloc uint8, ledger bool) {
		rng := rand.New(rand.NewPCG(seed, 9))
		m := mon(propertyMonths[seed%uint64(len(propertyMonths))])
		checkCollection(t, rng, genCollection(rng, m, int(nCust)%20+1, int(nInst)%100+1, int(nAlloc), ledger))
	})
}

func FuzzRenewal(f *testing.F) {
	f.Add(uint64(1), uint8(20), uint8(5))
	f.Add(uint64(2), uint8(200), uint8(2))
	f.Fuzz(func(t *testing.T, seed uint64, n, nCust uint8) {
		rng := rand.New(rand.NewPCG(seed, 10))
		m := mon(propertyMonths[seed%uint64(len(propertyMonths))])
		checkRenewal(t, rng, genRenewal(rng, m, int(nCust)%20+1, int(n)+1))
	})
}
