package calendar

import (
	"math"
	"testing"
	"time"
)

func TestAddWorkingDuration(t *testing.T) {
	c := office(t) // 08:30–12:00, 13:00–17:30, PRC holidays
	h, m, s := time.Hour, time.Minute, time.Second
	tests := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"inside a window", "2025-09-25 09:00", h, "2025-09-25 10:00"},
		{"exact to the second", "2025-09-25 09:00:00", 3*m + 7*s, "2025-09-25 09:03:07"},
		{"sub-second", "2025-09-25 09:00", time.Nanosecond, "2025-09-25 09:00:00.000000001"},
		{"over lunch", "2025-09-25 11:30", h, "2025-09-25 13:30"},
		{"ends exactly at lunch", "2025-09-25 11:30", 30 * m, "2025-09-25 12:00"},
		{"one second past lunch start", "2025-09-25 11:30", 30*m + s, "2025-09-25 13:00:01"},
		{"starts at window end", "2025-09-25 12:00", s, "2025-09-25 13:00:01"},
		{"starts during lunch", "2025-09-25 12:30", h, "2025-09-25 14:00"},
		{"starts before hours", "2025-09-25 07:00", h, "2025-09-25 09:30"},
		{"starts at 00:00", "2025-09-25 00:00", 8 * h, "2025-09-25 17:30"},
		{"full day ends at 17:30 not next morning", "2025-09-25 08:30", 8 * h, "2025-09-25 17:30"},
		{"full day + 1s", "2025-09-25 08:30", 8*h + s, "2025-09-26 08:30:01"},
		{"crosses midnight", "2025-09-25 17:00", h, "2025-09-26 09:00"},
		{"starts late evening", "2025-09-25 23:00", h, "2025-09-26 09:30"},
		{"Friday → 调休 Sunday", "2025-09-26 17:00", h, "2025-09-28 09:00"},
		{"Saturday → 调休 Sunday", "2025-09-27 10:00", time.Nanosecond, "2025-09-28 08:30:00.000000001"},
		{"over the National Day week", "2025-09-30 17:00", h, "2025-10-09 09:00"},
		{"over the National Day week, full day", "2025-09-30 17:00", 8 * h, "2025-10-09 17:00"},
		{"two days after the holiday", "2025-10-09 08:30", 16 * h, "2025-10-10 17:30"},
		{"into the 调休 Saturday", "2025-10-09 08:30", 16*h + s, "2025-10-11 08:30:01"},
		{"over Spring Festival 2026", "2026-02-13 17:00", h, "2026-02-14 09:00"},
		{"调休 Saturday → after 春节", "2026-02-14 17:00", h, "2026-02-24 09:00"},
		{"40 working hours = 5 days", "2025-09-22 08:30", 40 * h, "2025-09-26 17:30"},
		{"zero inside", "2025-09-25 10:00", 0, "2025-09-25 10:00"},
		{"zero at lunch stays", "2025-09-25 12:30", 0, "2025-09-25 12:30"},
		{"zero on Saturday stays", "2025-09-27 10:00", 0, "2025-09-27 10:00"},
		{"back inside", "2025-09-25 10:00", -h, "2025-09-25 09:00"},
		{"back over lunch", "2025-09-25 13:30", -h, "2025-09-25 11:30"},
		{"back to window start", "2025-09-25 13:30", -30 * m, "2025-09-25 13:00"},
		{"back from window start", "2025-09-25 13:00", -time.Nanosecond, "2025-09-25 11:59:59.999999999"},
		{"back over midnight", "2025-09-25 09:00", -h, "2025-09-24 17:00"},
		{"back from evening", "2025-09-25 20:00", -h, "2025-09-25 16:30"},
		{"back over the holiday", "2025-10-09 09:00", -h, "2025-09-30 17:00"},
		{"back to 调休 Saturday", "2025-10-13 08:30", -h, "2025-10-11 16:30"},
	}
	for _, tc := range tests {
		from, want := at(t, shanghai, tc.from), at(t, shanghai, tc.want)
		for _, in := range []time.Time{from, from.UTC(), from.In(newYork)} {
			got := c.AddWorkingDuration(in, tc.d)
			if !got.Equal(want) || got.Location() != shanghai {
				t.Errorf("%s: AddWorkingDuration(%s, %v) = %s, want %s", tc.name, fmtT(in), tc.d, fmtT(got), tc.want)
			}
		}
		// The clock really ran d between the two instants.
		lo, hi := from, want
		if tc.d < 0 {
			lo, hi = want, from
		}
		if got := c.WorkingTimeBetween(lo, hi); got != tc.d.Abs() {
			t.Errorf("%s: WorkingTimeBetween = %v, want %v", tc.name, got, tc.d.Abs())
		}
	}
}

func TestAddWorkingDurationLong(t *testing.T) {
	c := office(t)
	start := at(t, shanghai, "2025-01-01 00:00")
	end := at(t, shanghai, "2026-01-01 00:00")
	// 2025 has 248 working days (365 − 104 weekend − 18 weekday holidays + 5 调休).
	if got := c.WorkingTimeBetween(start, end); got != 248*8*time.Hour {
		t.Errorf("2025 working time = %v (%v days)", got, got/(8*time.Hour))
	}
	n := 0
	for d := date(t, "2025-01-01"); d.Year == 2025; d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	if n != 248 {
		t.Errorf("2025 working days = %d", n)
	}
	// 248 working days from New Year's Day ends at the last working day's 17:30.
	if got, want := c.AddWorkingDuration(start, 248*8*time.Hour), at(t, shanghai, "2025-12-31 17:30"); !got.Equal(want) {
		t.Errorf("Add(2025, 248 days) = %s", fmtT(got))
	}
	if got, want := c.AddWorkingDuration(end, -248*8*time.Hour), at(t, shanghai, "2025-01-02 08:30"); !got.Equal(want) {
		t.Errorf("Add(2026, −248 days) = %s", fmtT(got))
	}
}

func TestAddWorkingDurationExtreme(t *testing.T) {
	// The largest durations terminate and are exact. A 24h window every day in UTC
	// is continuous working time, so the result equals plain t.Add(d).
	allWeek := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	c := mustNew(t, Config{Location: time.UTC, WorkWeekdays: allWeek, Windows: []Window{{0, 720}, {720, 1440}}})
	t0 := time.Date(2025, 9, 25, 10, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{math.MaxInt64, math.MinInt64 + 1, math.MinInt64} {
		want := t0.Add(d)
		if d == math.MinInt64 {
			want = t0.Add(-math.MaxInt64) // −MinInt64 overflows: clamped by 1 ns
		}
		if got := c.AddWorkingDuration(t0, d); !got.Equal(want) {
			t.Errorf("Add(%v) = %v, want %v", d, got, want)
		}
	}
	if got := c.WorkingTimeBetween(t0.Add(math.MinInt64), t0.Add(math.MaxInt64)); got != math.MaxInt64 {
		t.Errorf("saturating WorkingTimeBetween = %v", got)
	}
}

func TestWorkingTimeBetween(t *testing.T) {
	c := office(t)
	h, m := time.Hour, time.Minute
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"same instant", "2025-09-25 10:00", "2025-09-25 10:00", 0},
		{"reversed", "2025-09-25 11:00", "2025-09-25 10:00", 0},
		{"inside a window", "2025-09-25 09:00", "2025-09-25 11:15", 2*h + 15*m},
		{"over lunch", "2025-09-25 11:00", "2025-09-25 14:00", 2 * h},
		{"lunch only", "2025-09-25 12:00", "2025-09-25 13:00", 0},
		{"whole day", "2025-09-25 00:00", "2025-09-26 00:00", 8 * h},
		{"evening to morning", "2025-09-25 17:30", "2025-09-26 08:30", 0},
		{"overnight", "2025-09-25 17:00", "2025-09-26 09:00", h},
		{"weekend only", "2025-09-20 00:00", "2025-09-22 00:00", 0},
		{"Friday to 调休 Sunday", "2025-09-26 17:00", "2025-09-28 09:00", h},
		{"National Day week", "2025-10-01 00:00", "2025-10-09 00:00", 0},
		{"Sep 29 – Oct 12", "2025-09-29 00:00", "2025-10-13 00:00", 5 * 8 * h},      // 29, 30, 9, 10, 11
		{"Spring Festival 2026", "2026-02-14 00:00", "2026-03-01 00:00", 6 * 8 * h}, // 14, 24, 25, 26, 27, 28
		{"a week", "2025-09-15 00:00", "2025-09-22 00:00", 40 * h},
	}
	for _, tc := range tests {
		a, b := at(t, shanghai, tc.from), at(t, shanghai, tc.to)
		if got := c.WorkingTimeBetween(a.UTC(), b.In(newYork)); got != tc.want {
			t.Errorf("%s: WorkingTimeBetween = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTimeZones(t *testing.T) {
	// A Shanghai calendar given UTC instants: 2025-09-26T09:00Z is Friday 17:00 CST.
	c := office(t)
	got := c.AddWorkingDuration(time.Date(2025, 9, 26, 9, 0, 0, 0, time.UTC), time.Hour)
	if want := time.Date(2025, 9, 28, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("UTC input: %s", fmtT(got))
	}

	// New York, 08:30–17:30 Mon–Fri, across the DST start (Sunday 2025-03-09 02:00).
	ny := mustNew(t, Config{Location: newYork})
	fri := at(t, newYork, "2025-03-07 17:00") // EST
	mon := at(t, newYork, "2025-03-10 09:00") // EDT
	if got := ny.AddWorkingDuration(fri, time.Hour); !got.Equal(mon) {
		t.Errorf("NY over DST: %s", fmtT(got))
	}
	if got := ny.WorkingTimeBetween(fri, mon); got != time.Hour {
		t.Errorf("NY working time over DST = %v", got)
	}
	if wall := mon.Sub(fri); wall != 63*time.Hour {
		t.Errorf("wall-clock difference = %v, want 63h (one hour lost)", wall)
	}
	if got := ny.AddWorkingDuration(mon, -time.Hour); !got.Equal(fri) {
		t.Errorf("NY back over DST: %s", fmtT(got))
	}
	// Fall back (Sunday 2025-11-02): still 9 h per working day.
	if got := ny.WorkingTimeBetween(at(t, newYork, "2025-10-31 00:00"), at(t, newYork, "2025-11-04 00:00")); got != 2*9*time.Hour { // Fri 31, Mon 3
		t.Errorf("NY over fall-back = %v", got)
	}

	// Windows covering the whole day or the transition hour see the real length.
	allWeek := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	full := mustNew(t, Config{Location: newYork, WorkWeekdays: allWeek, Windows: []Window{{0, 1440}}})
	night := mustNew(t, Config{Location: newYork, WorkWeekdays: allWeek, Windows: []Window{{60, 180}}})
	gap := mustNew(t, Config{Location: newYork, WorkWeekdays: allWeek, Windows: []Window{{120, 150}, {600, 660}}})
	dst := []struct {
		name string
		c    *Calendar
		day  string
		want time.Duration
	}{
		{"00:00–24:00 on spring-forward day", full, "2025-03-09", 23 * time.Hour},
		{"00:00–24:00 on fall-back day", full, "2025-11-02", 25 * time.Hour},
		{"00:00–24:00 normal day", full, "2025-03-10", 24 * time.Hour},
		{"01:00–03:00 spring forward", night, "2025-03-09", time.Hour},
		{"01:00–03:00 fall back", night, "2025-11-02", 3 * time.Hour},
		{"02:00–02:30 does not exist", gap, "2025-03-09", time.Hour},
		{"02:00–02:30 normal day", gap, "2025-03-10", 90 * time.Minute},
	}
	for _, tc := range dst {
		d := date(t, tc.day)
		if got := tc.c.WorkingTimeBetween(d.In(newYork), d.AddDays(1).In(newYork)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if !night.IsWorkingTime(time.Date(2025, 11, 2, 6, 30, 0, 0, time.UTC)) { // 01:30 EST, second pass
		t.Error("01:30 EST on fall-back day is inside 01:00 EDT–03:00 EST")
	}
	if got := full.AddWorkingDuration(at(t, newYork, "2025-03-08 12:00"), 24*time.Hour); !got.Equal(at(t, newYork, "2025-03-09 13:00")) {
		t.Errorf("24h over spring forward = %s", fmtT(got))
	}

	// A day that does not exist (Samoa skipped 2011-12-30) has no working time.
	apia := mustLoc(t, "Pacific/Apia")
	sam := mustNew(t, Config{Location: apia, WorkWeekdays: allWeek, Windows: []Window{{0, 1440}}})
	if got := sam.WorkingTimeBetween(date(t, "2011-12-29").In(apia), date(t, "2012-01-01").In(apia)); got != 48*time.Hour {
		t.Errorf("Samoa 29–31 Dec 2011 = %v, want 48h", got)
	}
}

func TestAllDay(t *testing.T) {
	c := mustNew(t, Config{Location: newYork, AllDay: true, Overrides: PRCHolidays(2025, 2025)})
	sat := at(t, newYork, "2025-03-08 12:00")
	tests := []struct {
		d    time.Duration
		want string
	}{
		{24 * time.Hour, "2025-03-09 13:00"}, // 24 elapsed hours over spring forward
		{0, "2025-03-08 12:00"},
		{-36 * time.Hour, "2025-03-07 00:00"},
		{3 * time.Minute, "2025-03-08 12:03"},
	}
	for _, tc := range tests {
		if got := c.AddWorkingDuration(sat, tc.d); !got.Equal(at(t, newYork, tc.want)) {
			t.Errorf("AllDay Add(%v) = %s", tc.d, fmtT(got))
		}
	}
	if got := c.WorkingTimeBetween(sat, sat.Add(90*time.Minute)); got != 90*time.Minute {
		t.Errorf("AllDay between = %v", got)
	}
	if got := c.WorkingTimeBetween(sat, sat.Add(-time.Minute)); got != 0 {
		t.Errorf("AllDay reversed = %v", got)
	}
}

func BenchmarkAddWorkingDurationQuarter(b *testing.B) {
	c := office(b)
	t0 := at(b, shanghai, "2025-09-25 10:00")
	for b.Loop() {
		c.AddWorkingDuration(t0, 60*8*time.Hour) // ~3 months of working time
	}
}
