package rates

import (
	"math/rand/v2"
	"testing"
)

// The speed target: every specialist's rates for a company with 20,000
// contracts and 200,000 installments and allocations, well under 200 ms.

func BenchmarkRenewalRates(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := mon("2026-03")
	data := genRenewal(rng, m, 2000, 20000)
	owners := NewOwners(data.spans)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(RenewalRates(data.cs, owners, m, data.asOf)) == 0 {
			b.Fatal("no rows")
		}
	}
}

func BenchmarkCollectionRates(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := mon("2026-03")
	data := genCollection(rng, m, 5000, 200000, 200000, false)
	owners := NewOwners(data.spans)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(CollectionRates(data.is, data.as, owners, m)) == 0 {
			b.Fatal("no rows")
		}
	}
}

func BenchmarkNewOwners(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	m := mon("2026-03")
	spans := genOwners(rng, 5000, m.First().AddDays(-120), 240)
	b.ReportAllocs()
	for b.Loop() {
		NewOwners(spans)
	}
}
