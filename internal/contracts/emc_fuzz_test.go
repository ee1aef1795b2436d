package contracts_test

import (
	"time"

	"testing"

	"kefu/internal/calendar"
	"kefu/internal/contracts"
)

// FuzzEMCSchedule checks the owner-fee schedule's invariants for any
// period: the periods are contiguous, start on the contract's start, end
// on its end, each is due on its last day, within the contract, and each
// charges the fee.
func FuzzEMCSchedule(f *testing.F) {
	f.Add(2026, 1, 31, 400, int64(150_000), false)
	f.Add(2024, 2, 29, 1000, int64(1), true)
	f.Add(2026, 12, 31, 1, int64(5), false)
	f.Fuzz(func(t *testing.T, y, m, d, days int, fee int64, quarterly bool) {
		start := calendar.NewDate(2000+abs(y)%100, timeMonth(m), 1+abs(d)%31)
		end := start.AddDays(1 + abs(days)%3000)
		cycle := "monthly"
		if quarterly {
			cycle = "quarterly"
		}
		fee = 1 + abs64(fee)%1_000_000_00
		got := contracts.EMCSchedule(start.String(), end.String(), fee, cycle)
		if len(got) == 0 {
			t.Fatalf("no installments for %s..%s", start, end)
		}
		next := start
		for i, it := range got {
			from, _ := calendar.ParseDate(it.PeriodFrom)
			to, _ := calendar.ParseDate(it.PeriodTo)
			if from != next || to.Before(from) || it.DueOn != it.PeriodTo || it.AmountFen != fee || it.Kind != "emc_fee" || to.After(end) {
				t.Fatalf("installment %d %+v (expected from %s, end %s)", i, it, next, end)
			}
			next = to.AddDays(1)
		}
		if last, _ := calendar.ParseDate(got[len(got)-1].PeriodTo); last != end {
			t.Fatalf("schedule ends %s, contract %s", last, end)
		}
		per := 1
		if quarterly {
			per = 3
		}
		months := (end.Year-start.Year)*12 + int(end.Month) - int(start.Month) + 1
		if len(got) > months/per+2 {
			t.Fatalf("%d installments for %d months", len(got), months)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func timeMonth(m int) time.Month { return time.Month(1 + abs(m)%12) }
