package schedule

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"kefu/internal/cpumeter"
)

// meter reports the process CPU time per operation (it does not grow when
// other processes compete for the cores, ns/op does) and the share of the
// machine other processes used meanwhile (others-%: above a few percent, ns/op
// measures the neighbours too), read with internal/cpumeter like
// internal/bench's.
type meter struct {
	t0          time.Time
	cpu0, busy0 time.Duration
}

func startMeter() meter { return meter{time.Now(), cpumeter.Process(), cpumeter.Machine()} }

func (m meter) report(b *testing.B, n int) {
	el, cpu, busy := time.Since(m.t0), cpumeter.Process()-m.cpu0, cpumeter.Machine()-m.busy0
	if cpu > 0 && n > 0 {
		b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
	}
	if busy > 0 && el > 0 {
		b.ReportMetric(cpumeter.Others(el, busy, cpu, runtime.NumCPU()), "others-%")
	}
}

// benchContracts returns n one-year contracts starting on a day of 2026, each
// with 1–4 scope lines mixed as a maintenance company's book is: monthly
// inspection (once or twice a month), seasonal maintenance, quarterly
// inspection, weekly inspection for some sites, on-demand repair. Line ids are
// 36 characters, like the contracts domain's UUIDs. Deterministic.
func benchContracts(tb testing.TB, n int) []Contract {
	tb.Helper()
	rng := rand.New(rand.NewPCG(5000, 2026))
	first := d(tb, "2026-01-01")
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-7%03x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), 0x8000|rng.IntN(1<<14), rng.Uint64()&(1<<48-1))
	}
	equipment := []string{"1# 冷水机组", "2# 冷水机组", "空调末端", "锅炉", "冷却塔", "新风机组", "配电柜", "电梯"}
	cs := make([]Contract, n)
	for i := range cs {
		start := first.AddDays(rng.IntN(365))
		c := Contract{Start: start, End: addMonths(start, 12, start.Day).AddDays(-1)}
		for range 1 + rng.IntN(4) {
			l := Line{ID: uuid(), ServiceType: TypeInspection, Times: 1, Equipment: equipment[rng.IntN(len(equipment))]}
			switch k := rng.IntN(100); {
			case k < 35:
				l.Frequency = FreqMonthly
			case k < 45:
				l.Frequency, l.Times = FreqMonthly, 2
			case k < 65:
				l.ServiceType, l.Frequency = TypeSeasonal, FreqSeasonal
			case k < 80:
				l.Frequency = FreqQuarterly
			case k < 88:
				l.Frequency = FreqWeekly
			default:
				l.ServiceType, l.Frequency, l.Times = TypeRepair, FreqOnDemand, 0
			}
			c.Lines = append(c.Lines, l)
		}
		cs[i] = c
	}
	return cs
}

// BenchmarkYearFor5000Contracts measures issue 5's target, "generating a year
// of schedules for 5,000 contracts < 5 s", with the office calendar moving
// visits off weekends and holidays:
//
//	go test ./internal/schedule -run XXX -bench . -benchmem -count 3
//
// generate plans all 5,000 contracts; diff compares, for all of them, the rows
// stored from the first plan (done before 2026-09-01, dispatched for two weeks
// after, planned later) with the plan regenerated after a change (every tenth
// contract renewed for a further year, every tenth shortened by three months,
// the rest unchanged); regenerate does both, as a regeneration of every
// contract would.
func BenchmarkYearFor5000Contracts(b *testing.B) {
	contracts := benchContracts(b, 5000)
	opt := Options{Calendar: office(b)}
	generateAll := func(cs []Contract) ([][]Occurrence, int) {
		plans, n := make([][]Occurrence, len(cs)), 0
		for i, c := range cs {
			p, err := Generate(c, opt)
			if err != nil {
				b.Fatal(err)
			}
			plans[i], n = p, n+len(p)
		}
		return plans, n
	}

	b.Run("generate", func(b *testing.B) {
		var n, ops int
		m := startMeter()
		for b.Loop() {
			_, n = generateAll(contracts)
			ops++
		}
		m.report(b, ops)
		b.ReportMetric(float64(n), "occurrences/op")
	})

	plans, _ := generateAll(contracts)
	today, dispatchedUntil := d(b, "2026-09-01"), d(b, "2026-09-15")
	stored := make([][]Existing, len(plans))
	for i, p := range plans {
		for _, o := range p {
			s := StatusPlanned
			switch {
			case o.Date.Before(today):
				s = StatusDone
			case o.Date.Before(dispatchedUntil):
				s = StatusDispatched
			}
			stored[i] = append(stored[i], Existing{Key: o.Key, Status: s})
		}
	}
	changed := make([]Contract, len(contracts))
	for i, c := range contracts {
		switch i % 10 {
		case 0:
			c.End = addMonths(c.Start, 24, c.Start.Day).AddDays(-1)
		case 5:
			c.End = addMonths(c.Start, 9, c.Start.Day).AddDays(-1)
		}
		changed[i] = c
	}
	replans, _ := generateAll(changed)

	diffAll := func(replans [][]Occurrence) (add, keep, cancel int) {
		for i, p := range replans {
			a, k, c := Diff(stored[i], p)
			add, keep, cancel = add+len(a), keep+len(k), cancel+len(c)
		}
		return add, keep, cancel
	}
	report := func(b *testing.B, add, keep, cancel int) {
		b.ReportMetric(float64(add+keep), "occurrences/op")
		b.ReportMetric(float64(add), "adds/op")
		b.ReportMetric(float64(cancel), "cancels/op")
	}

	b.Run("diff", func(b *testing.B) {
		var add, keep, cancel, ops int
		m := startMeter()
		for b.Loop() {
			ops++
			add, keep, cancel = diffAll(replans)
		}
		m.report(b, ops)
		report(b, add, keep, cancel)
	})

	b.Run("regenerate", func(b *testing.B) {
		var add, keep, cancel, ops int
		m := startMeter()
		for b.Loop() {
			ops++
			replans, _ := generateAll(changed)
			add, keep, cancel = diffAll(replans)
		}
		m.report(b, ops)
		report(b, add, keep, cancel)
	})
}
