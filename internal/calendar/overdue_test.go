package calendar

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDaysOverdue(t *testing.T) {
	deadline := at(t, shanghai, "2025-03-26 00:00") // end of the 25th
	h := time.Hour
	tests := []struct {
		name string
		late time.Duration
		want int
	}{
		{"early", -h, 0},
		{"exactly at the deadline", 0, 0},
		{"1 ns late", time.Nanosecond, 1},
		{"1 s late", time.Second, 1},
		{"2 h late", 2 * h, 1},
		{"23:59:59 late", 24*h - time.Second, 1},
		{"exactly 24 h", 24 * h, 1},
		{"24 h + 1 s", 24*h + time.Second, 2},
		{"24 h + 1 ns", 24*h + time.Nanosecond, 2},
		{"40 h", 40 * h, 2},
		{"exactly 48 h", 48 * h, 2},
		{"48 h + 1 s", 48*h + time.Second, 3},
		{"10 days", 240 * h, 10},
		{"a year", 365 * 24 * h, 365},
	}
	for _, tc := range tests {
		done := deadline.Add(tc.late)
		if got := DaysOverdue(deadline, done); got != tc.want {
			t.Errorf("%s: DaysOverdue = %d, want %d", tc.name, got, tc.want)
		}
		starts := OverdueDayStarts(deadline, done)
		if len(starts) != tc.want {
			t.Errorf("%s: %d starts, want %d", tc.name, len(starts), tc.want)
		}
		for i, s := range starts {
			if !s.Equal(deadline.Add(time.Duration(i) * 24 * h)) {
				t.Errorf("%s: start %d = %s", tc.name, i, fmtT(s))
			}
		}
	}
}

// months maps each start to its company-time month "2006-01".
func months(starts []time.Time) []string {
	var out []string
	for _, s := range starts {
		out = append(out, s.In(shanghai).Format("2006-01"))
	}
	return out
}

func stamps(starts []time.Time) []string {
	var out []string
	for _, s := range starts {
		out = append(out, s.In(shanghai).Format("2006-01-02 15:04"))
	}
	return out
}

func TestOverdueDayStartsMonths(t *testing.T) {
	c := office(t)
	tests := []struct {
		name     string
		deadline time.Time
		done     string
		starts   []string
		months   []string
	}{
		{"due end of Jan 30, done Feb 2", c.EndOfDay(date(t, "2025-01-30")), "2025-02-02 10:00",
			[]string{"2025-01-31 00:00", "2025-02-01 00:00", "2025-02-02 00:00"}, []string{"2025-01", "2025-02", "2025-02"}},
		{"due end of Jan 31, done Feb 1", c.EndOfDay(date(t, "2025-01-31")), "2025-02-01 09:00",
			[]string{"2025-02-01 00:00"}, []string{"2025-02"}},
		{"due mid-day Jan 31, done Feb 1 16:00 (25 h)", at(t, shanghai, "2025-01-31 15:00"), "2025-02-01 16:00",
			[]string{"2025-01-31 15:00", "2025-02-01 15:00"}, []string{"2025-01", "2025-02"}},
		{"across the year end", c.EndOfDay(date(t, "2025-12-30")), "2026-01-01 00:00:01",
			[]string{"2025-12-31 00:00", "2026-01-01 00:00"}, []string{"2025-12", "2026-01"}},
		{"on time", c.EndOfDay(date(t, "2025-12-30")), "2025-12-31 00:00", nil, nil},
		{"leap February", c.EndOfDay(date(t, "2024-02-28")), "2024-03-01 08:00",
			[]string{"2024-02-29 00:00", "2024-03-01 00:00"}, []string{"2024-02", "2024-03"}},
	}
	for _, tc := range tests {
		starts := OverdueDayStarts(tc.deadline, at(t, shanghai, tc.done))
		if diff := cmp.Diff(tc.starts, stamps(starts)); diff != "" {
			t.Errorf("%s: starts (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.months, months(starts)); diff != "" {
			t.Errorf("%s: months (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestWorkingDaysOverdue(t *testing.T) {
	c := office(t)
	endMon := c.EndOfDay(date(t, "2025-09-22")) // Tuesday 2025-09-23 00:00
	endFri := c.EndOfDay(date(t, "2025-09-19"))
	tests := []struct {
		name     string
		deadline time.Time
		done     string
		starts   []string
	}{
		{"on time (last instant of Monday)", endMon, "2025-09-22 23:59:59", nil},
		{"exactly at the deadline", endMon, "2025-09-23 00:00", nil},
		{"Tuesday 10:00", endMon, "2025-09-23 10:00", []string{"2025-09-23 00:00"}},
		{"Tuesday 1 ns after", endMon, "2025-09-23 00:00:00.000000001", []string{"2025-09-23 00:00"}},
		{"Wednesday 00:00 exactly", endMon, "2025-09-24 00:00", []string{"2025-09-23 00:00"}},
		{"Wednesday 00:00:01", endMon, "2025-09-24 00:00:01", []string{"2025-09-23 00:00", "2025-09-24 00:00"}},
		{"Saturday: Tue–Fri", endMon, "2025-09-27 15:00", []string{"2025-09-23 00:00", "2025-09-24 00:00", "2025-09-25 00:00", "2025-09-26 00:00"}},
		{"调休 Sunday counts", endMon, "2025-09-28 09:00", []string{"2025-09-23 00:00", "2025-09-24 00:00", "2025-09-25 00:00", "2025-09-26 00:00", "2025-09-28 00:00"}},
		{"due Friday, done Saturday → at least 1", endFri, "2025-09-20 10:00", []string{"2025-09-20 00:00"}},
		{"due Friday, done Sunday → 1", endFri, "2025-09-21 23:00", []string{"2025-09-20 00:00"}},
		{"due Friday, done Monday → 1", endFri, "2025-09-22 10:00", []string{"2025-09-22 00:00"}},
		{"due Friday, done Tuesday → 2", endFri, "2025-09-23 10:00", []string{"2025-09-22 00:00", "2025-09-23 00:00"}},
		{"across National Day and the month end", c.EndOfDay(date(t, "2025-09-30")), "2025-10-11 10:00",
			[]string{"2025-10-09 00:00", "2025-10-10 00:00", "2025-10-11 00:00"}},
		{"due end of Sep 29, done Oct 9", c.EndOfDay(date(t, "2025-09-29")), "2025-10-09 10:00",
			[]string{"2025-09-30 00:00", "2025-10-09 00:00"}},
		{"mid-day deadline, same day", at(t, shanghai, "2025-09-23 15:00"), "2025-09-23 16:00", []string{"2025-09-23 15:00"}},
		{"mid-day deadline, next day", at(t, shanghai, "2025-09-23 15:00"), "2025-09-24 10:00", []string{"2025-09-24 00:00"}},
		{"mid-day deadline, two days", at(t, shanghai, "2025-09-23 15:00"), "2025-09-25 10:00", []string{"2025-09-24 00:00", "2025-09-25 00:00"}},
		{"Spring Festival 2026", c.EndOfDay(date(t, "2026-02-13")), "2026-02-25 08:00",
			[]string{"2026-02-14 00:00", "2026-02-24 00:00", "2026-02-25 00:00"}},
	}
	for _, tc := range tests {
		done := at(t, shanghai, tc.done)
		starts := c.WorkingOverdueDayStarts(tc.deadline.UTC(), done.UTC())
		if diff := cmp.Diff(tc.starts, stamps(starts)); diff != "" {
			t.Errorf("%s: starts (-want +got):\n%s", tc.name, diff)
		}
		if got := c.WorkingDaysOverdue(tc.deadline, done); got != len(tc.starts) {
			t.Errorf("%s: WorkingDaysOverdue = %d, want %d", tc.name, got, len(tc.starts))
		}
		for _, s := range starts {
			if s.Location() != shanghai {
				t.Errorf("%s: start not in company time", tc.name)
			}
		}
	}
	if diff := cmp.Diff([]string{"2025-09", "2025-10", "2025-10"}, months(c.WorkingOverdueDayStarts(c.EndOfDay(date(t, "2025-09-29")), at(t, shanghai, "2025-10-10 10:00")))); diff != "" {
		t.Errorf("month attribution (-want +got):\n%s", diff)
	}
}
