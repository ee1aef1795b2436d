package rates

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"kefu/internal/calendar"
)

// Random data sets for the property tests, the fuzz targets and the benchmarks.

var specialists = []string{"s1", "s2", "s3", "s4", "s5", ""}

// randDay returns a day between from and from+span-1 days.
func randDay(rng *rand.Rand, from calendar.Date, span int) calendar.Date {
	return from.AddDays(rng.IntN(span))
}

// genOwners gives most of nCust customers one to three owner spans; some none.
func genOwners(rng *rand.Rand, nCust int, from calendar.Date, span int) []OwnerSpan {
	var out []OwnerSpan
	for c := range nCust {
		n := rng.IntN(4) // 0 = unknown customer
		for range n {
			out = append(out, OwnerSpan{
				CustomerID: fmt.Sprintf("c%d", c),
				OwnerID:    specialists[rng.IntN(len(specialists))],
				From:       randDay(rng, from, span),
			})
		}
	}
	return out
}

type collectionData struct {
	m      Month
	spans  []OwnerSpan
	is     []Installment
	as     []Allocation
	ledger bool // allocations never exceed their installment's amount
}

// genCollection builds nInst installments and about as many allocations
// around month m. With ledger, the allocations of an installment never sum
// to more than its amount (what the contracts domain guarantees); without,
// there are overpayments, unknown installments, duplicate ids and zero dates.
func genCollection(rng *rand.Rand, m Month, nCust, nInst, nAlloc int, ledger bool) collectionData {
	from := m.First().AddDays(-120)
	const span = 240
	data := collectionData{m: m, spans: genOwners(rng, nCust, from, span), ledger: ledger}
	data.is = make([]Installment, nInst)
	for i := range data.is {
		c := rng.IntN(nCust)
		contract := fmt.Sprintf("K%d", rng.IntN(nInst/3+1))
		id := fmt.Sprintf("i%d", i)
		if !ledger && rng.IntN(50) == 0 && i > 0 {
			id = fmt.Sprintf("i%d", rng.IntN(i)) // a duplicate id
		}
		data.is[i] = Installment{
			ID: id, ContractID: contract, ContractNumber: "HT-" + contract,
			CustomerID: fmt.Sprintf("c%d", c), CustomerName: fmt.Sprintf("客户%d", c),
			Seq: rng.IntN(6) + 1, Due: randDay(rng, from, span), Amount: 100 * (rng.Int64N(1000) + 1),
		}
		if !ledger && rng.IntN(40) == 0 {
			data.is[i].Due = calendar.Date{}
		}
	}
	left := make(map[string]int64, nInst) // ledger: what each installment may still receive
	for _, in := range data.is {
		left[in.ID] = in.Amount
	}
	for j := 0; j < nAlloc; j++ {
		in := data.is[rng.IntN(nInst)]
		a := Allocation{
			InstallmentID: in.ID, PaymentID: fmt.Sprintf("p%d", rng.IntN(nAlloc)),
			Received: randDay(rng, from, span), Amount: 100 * (rng.Int64N(600) + 1),
		}
		if ledger {
			if left[in.ID] == 0 {
				continue
			}
			a.Amount = min(a.Amount, left[in.ID])
			left[in.ID] -= a.Amount
		} else {
			switch rng.IntN(40) {
			case 0:
				a.InstallmentID = "ghost"
			case 1:
				a.Received = calendar.Date{}
			case 2:
				a.Amount = in.Amount * 2 // overpayment
			case 3:
				a.Amount = -a.Amount // a reversal
			}
		}
		data.as = append(data.as, a)
	}
	return data
}

type renewalData struct {
	m     Month
	asOf  calendar.Date
	spans []OwnerSpan
	cs    []Contract
}

var states = []string{StateActive, StateActive, StateActive, StateDraft, StateTerminated}

// genRenewal builds nContracts contracts ending around m, about half of them
// with successors signed around the end date.
func genRenewal(rng *rand.Rand, m Month, nCust, nContracts int) renewalData {
	from := m.First().AddDays(-90)
	const span = 180
	data := renewalData{m: m, asOf: m.Last().AddDays(rng.IntN(30) - 5), spans: genOwners(rng, nCust, from, span)}
	for i := range nContracts {
		c := rng.IntN(nCust)
		ct := Contract{
			ID: fmt.Sprintf("k%d", i), Number: fmt.Sprintf("HT-%05d", rng.IntN(nContracts*2)),
			CustomerID: fmt.Sprintf("c%d", c), CustomerName: fmt.Sprintf("客户%d", c),
			State: states[rng.IntN(len(states))], End: randDay(rng, from, span),
		}
		ct.Signed = ct.End.AddDays(-365)
		ct.Recorded = ct.Signed.AddDays(rng.IntN(10))
		if rng.IntN(10) == 0 {
			ct.Signed = calendar.Date{}
		}
		if rng.IntN(20) == 0 {
			ct.Recorded = calendar.Date{}
		}
		if ct.State == StateTerminated && rng.IntN(8) != 0 {
			ct.TerminatedOn = ct.End.AddDays(-rng.IntN(90))
		}
		if i > 0 && rng.IntN(2) == 0 {
			prev := &data.cs[rng.IntN(i)]
			ct.RenewedFrom = prev.ID
			ct.Signed = prev.End.AddDays(rng.IntN(60) - 30)
			ct.Recorded = ct.Signed.AddDays(rng.IntN(5))
			if rng.IntN(6) == 0 {
				ct.Signed = calendar.Date{} // entered without a signed date
			}
		}
		if rng.IntN(30) == 0 {
			ct.RenewedFrom = ct.ID // self-reference
		}
		data.cs = append(data.cs, ct)
	}
	return data
}

func shuffled[T any](rng *rand.Rand, s []T) []T {
	s = slices.Clone(s)
	rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}
