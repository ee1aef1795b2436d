package contracts_test

import (
	"time"

	"testing"

	"kefu/internal/calendar"
	"kefu/internal/contracts"
)

// FuzzEMCSchedule checks the owner-fee schedule's invariants for any
// period: the periods are contiguous, start on the contract's start, end
// on its end, each is due on its last day and lies within the contract;
// every period but the last charges the fee, the last its days' share of
// a full period (the fee when it is whole), at least one fen; and a
// monthly contract from one month end to another, or from a month's first
// day to a month's last, has no stub.
func FuzzEMCSchedule(f *testing.F) {
	f.Add(2026, 1, 31, 400, int64(150_000), false)
	f.Add(2024, 2, 29, 1000, int64(1), true)
	f.Add(2026, 12, 31, 1, int64(5), false)
	f.Add(2026, 1, 31, 150, int64(150_000), false) // 2026-01-31..2026-06-30
	f.Fuzz(func(t *testing.T, y, m, d, days int, fee int64, quarterly bool) {
		start := calendar.NewDate(2000+abs(y)%100, timeMonth(m), 1+abs(d)%31)
		end := start.AddDays(1 + abs(days)%3000)
		cycle, per, minFull, maxFull := "monthly", 1, int64(28), int64(31)
		if quarterly {
			cycle, per, minFull, maxFull = "quarterly", 3, 89, 92
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
			if from != next || to.Before(from) || it.DueOn != it.PeriodTo || it.Kind != "emc_fee" || to.After(end) {
				t.Fatalf("installment %d %+v (expected from %s, end %s)", i, it, next, end)
			}
			last := i == len(got)-1
			if !last && it.AmountFen != fee || it.AmountFen < 1 || it.AmountFen > fee {
				t.Fatalf("installment %d of %d charges %d, fee %d: %+v", i, len(got), it.AmountFen, fee, it)
			}
			// The last period (not also the first, which a month-end start
			// lengthens) is charged its days' share of a full period of
			// minFull..maxFull days, give or take the rounding.
			if days, amt := int64(to.Sub(from)+1), it.AmountFen; last && i > 0 &&
				(2*amt*minFull > 2*fee*days+minFull && amt != 1 || 2*amt*maxFull < 2*fee*days-maxFull) {
				t.Fatalf("a %d-day last period charges %d of the fee %d: %+v", days, amt, fee, it)
			}
			next = to.AddDays(1)
		}
		if last, _ := calendar.ParseDate(got[len(got)-1].PeriodTo); last != end {
			t.Fatalf("schedule ends %s, contract %s", last, end)
		}
		months := (end.Year-start.Year)*12 + int(end.Month) - int(start.Month) + 1
		if len(got) > months/per+2 {
			t.Fatalf("%d installments for %d months", len(got), months)
		}
		// Month end to month end (or first to last): whole periods only.
		monthEnd := func(d calendar.Date) bool { return d.AddDays(1).Day == 1 }
		if !quarterly && monthEnd(end) && (monthEnd(start) || start.Day == 1) {
			for i, it := range got {
				if it.AmountFen != fee {
					t.Fatalf("%s..%s: installment %d charges %d, not the fee %d", start, end, i, it.AmountFen, fee)
				}
			}
			whole := months
			if monthEnd(start) {
				whole-- // the start day goes with the next month
			}
			if len(got) != max(whole, 1) {
				t.Fatalf("%s..%s: %d installments, want %d", start, end, len(got), max(whole, 1))
			}
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
