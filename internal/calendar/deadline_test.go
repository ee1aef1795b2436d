package calendar

import (
	"testing"
	"time"
)

func TestStartAndEndOfDay(t *testing.T) {
	c := office(t)
	d := date(t, "2025-03-25")
	if got := c.EndOfDay(d); !got.Equal(at(t, shanghai, "2025-03-26 00:00")) || got.Location() != shanghai {
		t.Errorf("EndOfDay(the 25th) = %s, want next midnight", fmtT(got))
	}
	if got := c.StartOfDay(d); !got.Equal(at(t, shanghai, "2025-03-25 00:00")) {
		t.Errorf("StartOfDay = %s", fmtT(got))
	}
	if got := c.EndOfDay(date(t, "2025-12-31")); !got.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("EndOfDay(year end) = %s", fmtT(got))
	}
	if got := c.DateOf(time.Date(2025, 3, 24, 16, 0, 0, 0, time.UTC)); got != d {
		t.Errorf("DateOf = %v", got)
	}
	// Everything on the 25th is on time, the next instant is late.
	deadline := c.EndOfDay(d)
	for _, tc := range []struct {
		done string
		late bool
	}{{"2025-03-25 23:59:59.999999999", false}, {"2025-03-26 00:00", false}, {"2025-03-26 00:00:00.000000001", true}, {"2025-03-26 00:00:01", true}} {
		if got := IsOverdue(deadline, at(t, shanghai, tc.done)); got != tc.late {
			t.Errorf("IsOverdue(end of 25th, %s) = %v", tc.done, got)
		}
	}
	ny := mustNew(t, Config{Location: newYork})
	if got := ny.EndOfDay(date(t, "2025-03-09")).Sub(ny.StartOfDay(date(t, "2025-03-09"))); got != 23*time.Hour {
		t.Errorf("NY spring-forward day length %v", got)
	}
	scl := mustNew(t, Config{Location: mustLoc(t, "America/Santiago")})
	if got := scl.EndOfDay(date(t, "2025-09-06")); !got.Equal(time.Date(2025, 9, 7, 4, 0, 0, 0, time.UTC)) {
		t.Errorf("Santiago EndOfDay before a midnight jump = %s", fmtT(got))
	}
}

func TestWorkingDaysDeadline(t *testing.T) {
	c := office(t)
	tests := []struct {
		name string
		from string
		n    int
		want string // the working day whose end is the deadline
	}{
		{"Friday + 1 → Monday", "2025-09-19 10:00", 1, "2025-09-22"},
		{"Friday late evening + 1 → Monday", "2025-09-19 23:59:59", 1, "2025-09-22"},
		{"Thursday + 1 → Friday", "2025-09-18 16:00", 1, "2025-09-19"},
		{"Monday + 3 → Thursday", "2025-09-15 08:00", 3, "2025-09-18"},
		{"Friday + 1 → 调休 Sunday", "2025-09-26 10:00", 1, "2025-09-28"},
		{"received on Saturday + 1 → 调休 Sunday", "2025-09-27 10:00", 1, "2025-09-28"},
		{"received on 调休 Sunday + 1 → Monday", "2025-09-28 10:00", 1, "2025-09-29"},
		{"before National Day + 1 skips the week", "2025-09-30 10:00", 1, "2025-10-09"},
		{"before National Day + 2", "2025-09-30 10:00", 2, "2025-10-10"},
		{"before National Day + 3 → 调休 Saturday", "2025-09-30 10:00", 3, "2025-10-11"},
		{"received during the holiday + 1", "2025-10-03 10:00", 1, "2025-10-09"},
		{"Spring Festival: Friday + 1 → 调休 Saturday", "2026-02-13 10:00", 1, "2026-02-14"},
		{"Spring Festival: Friday + 2 → after the holiday", "2026-02-13 10:00", 2, "2026-02-24"},
		{"callback within 3 working days", "2026-02-12 10:00", 3, "2026-02-24"},
		{"n = 0 is the same day", "2025-09-27 10:00", 0, "2025-09-27"},
		{"n < 0 is the same day", "2025-09-25 10:00", -3, "2025-09-25"},
		{"month end", "2025-01-24 10:00", 1, "2025-01-26"}, // 调休 Sunday before 春节
	}
	for _, tc := range tests {
		from := at(t, shanghai, tc.from)
		want := c.EndOfDay(date(t, tc.want))
		for _, in := range []time.Time{from, from.UTC()} {
			if got := c.WorkingDaysDeadline(in, tc.n); !got.Equal(want) || got.Location() != shanghai {
				t.Errorf("%s: WorkingDaysDeadline(%s, %d) = %s, want end of %s", tc.name, tc.from, tc.n, fmtT(got), tc.want)
			}
		}
		if got := c.NthWorkingDayAfter(c.DateOf(from), tc.n); got != date(t, tc.want) {
			t.Errorf("%s: NthWorkingDayAfter = %v", tc.name, got)
		}
	}
	// The company date decides, not UTC: 2025-09-25T16:30Z is Friday 00:30 in Shanghai.
	if got := c.WorkingDaysDeadline(time.Date(2025, 9, 25, 16, 30, 0, 0, time.UTC), 1); !got.Equal(c.EndOfDay(date(t, "2025-09-28"))) {
		t.Errorf("UTC evening = Shanghai Friday: %s", fmtT(got))
	}
	all := mustNew(t, Config{AllDay: true, Overrides: PRCHolidays(2025, 2025)})
	if got := all.WorkingDaysDeadline(at(t, shanghai, "2025-09-19 10:00"), 1); !got.Equal(at(t, shanghai, "2025-09-21 00:00")) {
		t.Errorf("AllDay: every day counts: %s", fmtT(got))
	}
}

func TestCalendarDaysDeadline(t *testing.T) {
	c := office(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2025-01-30 10:00", 1, "2025-01-31"},
		{"2025-01-31 10:00", 1, "2025-02-01"},
		{"2024-02-28 10:00", 1, "2024-02-29"},
		{"2025-12-31 23:59", 1, "2026-01-01"},
		{"2025-09-30 10:00", 2, "2025-10-02"}, // holidays count as days
		{"2025-09-25 10:00", 0, "2025-09-25"},
		{"2025-09-25 10:00", -5, "2025-09-25"},
		{"2025-09-25 00:00", 30, "2025-10-25"},
	}
	for _, tc := range tests {
		if got := c.CalendarDaysDeadline(at(t, shanghai, tc.from).UTC(), tc.n); !got.Equal(c.EndOfDay(date(t, tc.want))) {
			t.Errorf("CalendarDaysDeadline(%s, %d) = %s, want end of %s", tc.from, tc.n, fmtT(got), tc.want)
		}
	}
}
