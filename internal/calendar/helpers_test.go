package calendar

import (
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

var (
	shanghai = func() *time.Location { l, _ := time.LoadLocation("Asia/Shanghai"); return l }()
	newYork  = func() *time.Location { l, _ := time.LoadLocation("America/New_York"); return l }()
)

// at parses "2006-01-02 15:04[:05[.999999999]]" in loc.
func at(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	tb.Fatalf("bad time %q", s)
	return time.Time{}
}

func date(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustNew(tb testing.TB, cfg Config) *Calendar {
	tb.Helper()
	c, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// officeWindows is the two-window day with a lunch break: 08:30–12:00, 13:00–17:30.
var officeWindows = []Window{{510, 720}, {780, 1050}}

// office is Asia/Shanghai, Mon–Fri 08:30–12:00 + 13:00–17:30, PRC holidays
// 2024–2026: the company calendar most tests use (8 working hours a day).
func office(tb testing.TB) *Calendar {
	return mustNew(tb, Config{Location: shanghai, Windows: officeWindows, Overrides: PRCHolidays(2024, 2026)})
}

// fmtT formats an instant (in its own location) for failure messages.
func fmtT(t time.Time) string { return t.Format("2006-01-02 15:04:05.999999999 MST Mon") }
