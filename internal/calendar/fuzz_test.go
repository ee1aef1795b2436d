package calendar

import (
	"testing"
	"time"
)

type fuzzCal struct {
	name  string
	c     *Calendar
	ref   *naive // nil where DST-transition hours make the wall-clock reference ambiguous
	nDays int    // cap for working-day deadlines
}

func fuzzCalendars(tb testing.TB) []fuzzCal {
	allWeek := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	prc := PRCHolidays(2000, 2030)
	mk := func(name string, cfg Config, withRef bool) fuzzCal {
		fc := fuzzCal{name: name, c: mustNew(tb, cfg), nDays: 15}
		if withRef {
			fc.ref = newNaive(cfg)
		}
		return fc
	}
	return []fuzzCal{
		mk("office Shanghai, lunch break, PRC", Config{Location: shanghai, Windows: officeWindows, Overrides: prc}, true),
		mk("default Shanghai, PRC", Config{Overrides: prc}, true),
		mk("New York business hours", Config{Location: newYork}, true),
		mk("New York windows on the DST hours", Config{Location: newYork, WorkWeekdays: allWeek,
			Windows: []Window{{60, 180}, {720, 721}, {1410, 1440}}}, false),
		mk("24x7", Config{Location: shanghai, AllDay: true}, true),
		mk("Sydney weekends, touching windows", Config{Location: mustLoc(tb, "Australia/Sydney"),
			WorkWeekdays: []time.Weekday{time.Saturday, time.Sunday}, Windows: []Window{{0, 120}, {120, 150}, {150, 1440}}}, false),
		mk("Santiago nights (midnight DST)", Config{Location: mustLoc(tb, "America/Santiago"),
			Windows: []Window{{0, 480}, {1200, 1440}}}, false),
	}
}

var (
	fuzzEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	fuzzSpan  = uint64(30 * 365 * 24 * time.Hour) // instants in 2000–2030
)

func wrap(v int64, span uint64) time.Duration { return time.Duration(uint64(v) % span) }

// FuzzCalendarInvariants checks the algebra of business time on several
// calendars (time zones with and without DST, lunch breaks, PRC holidays, 24x7):
//
//	go test -run=^$ -fuzz=FuzzCalendarInvariants -fuzztime=60s ./internal/calendar
func FuzzCalendarInvariants(f *testing.F) {
	cals := fuzzCalendars(f)
	seed := func(which uint8, t time.Time, d time.Duration, b, c time.Duration) {
		f.Add(which, int64(t.Sub(fuzzEpoch)), int64(d), int64(b), int64(c), uint8(3))
	}
	seed(0, time.Date(2025, 9, 26, 9, 0, 0, 0, time.UTC), time.Hour, 30*time.Hour, 200*time.Hour)     // Friday 17:00 CST
	seed(0, time.Date(2025, 9, 30, 4, 0, 0, 0, time.UTC), 80*time.Hour, time.Minute, 11*24*time.Hour) // National Day
	seed(2, time.Date(2025, 3, 7, 22, 0, 0, 0, time.UTC), 9*time.Hour+1, 2*time.Hour, 70*time.Hour)   // NY spring forward
	seed(3, time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC), 90*time.Minute, time.Hour, 2*time.Hour)    // NY fall back
	seed(5, time.Date(2025, 10, 4, 15, 0, 0, 0, time.UTC), 2*time.Hour, 90*time.Minute, 30*time.Hour) // Sydney gap
	seed(6, time.Date(2025, 9, 6, 23, 0, 0, 0, time.UTC), 5*time.Hour+7, 5*time.Hour, 26*time.Hour)   // Santiago midnight gap
	seed(4, time.Date(2026, 2, 14, 9, 0, 0, 0, time.UTC), -3*time.Hour, 1, 1)                         // 24x7
	seed(1, time.Date(2026, 2, 13, 9, 29, 59, 999999999, time.UTC), -40*time.Hour, 17*time.Hour, 1)   // Spring Festival, backwards

	f.Fuzz(func(t *testing.T, which uint8, tOff, dRaw, bOff, cOff int64, nRaw uint8) {
		fc := cals[int(which)%len(cals)]
		c := fc.c
		t0 := fuzzEpoch.Add(wrap(tOff, fuzzSpan))
		const maxD = 90 * 24 * time.Hour
		d := time.Duration(dRaw % int64(maxD)) // working time, either sign
		// Random instants rarely hit the edges, so some inputs are snapped to a
		// DST transition or to whole minutes (window boundaries), ± a few ns.
		jitter := time.Duration(bOff%5) - 2
		switch mode := nRaw >> 4; {
		case mode >= 12: // within ±3h of the next zone transition
			if _, end := t0.In(c.Location()).ZoneBounds(); !end.IsZero() {
				t0 = end.Add(time.Duration(tOff%int64(3*time.Hour)) + jitter)
			}
		case mode >= 6: // on a window start or end, d in whole minutes
			ws := c.Windows()
			w := ws[int(uint64(cOff)%uint64(len(ws)))]
			edge := w.Start
			if cOff&1 == 1 {
				edge = w.End
			}
			t0 = wallTime(c.DateOf(t0), edge, c.Location()).Add(jitter)
			d = d.Truncate(time.Minute) + time.Duration(cOff%3) - 1
		}
		ns := time.Nanosecond

		// AddWorkingDuration / WorkingTimeBetween are inverse, and the result is
		// the earliest (latest, going back) instant that uses up exactly |d|.
		r := c.AddWorkingDuration(t0, d)
		if r.Location() != c.Location() {
			t.Fatalf("%s: result in %v", fc.name, r.Location())
		}
		switch {
		case d == 0:
			if !r.Equal(t0) {
				t.Fatalf("%s: Add(t, 0) = %s, want t = %s", fc.name, fmtT(r), fmtT(t0))
			}
		case d > 0:
			if r.Before(t0) || c.WorkingTimeBetween(t0, r) != d {
				t.Fatalf("%s: Add(%s, %v) = %s, W = %v", fc.name, fmtT(t0), d, fmtT(r), c.WorkingTimeBetween(t0, r))
			}
			if w := c.WorkingTimeBetween(t0, r.Add(-ns)); w != d-ns {
				t.Fatalf("%s: Add(%s, %v) = %s is not the earliest (W to r-1ns = %v)", fc.name, fmtT(t0), d, fmtT(r), w)
			}
			// The result is working time or a window end: the last nanosecond was worked.
			if !c.IsWorkingTime(r.Add(-ns)) {
				t.Fatalf("%s: Add(%s, %v) = %s is neither inside nor at the end of a window", fc.name, fmtT(t0), d, fmtT(r))
			}
			// Going back the same amount lands at or after t, with no working time in between.
			if back := c.AddWorkingDuration(r, -d); back.Before(t0) || c.WorkingTimeBetween(t0, back) != 0 {
				t.Fatalf("%s: Add(Add(%s, %v), -d) = %s", fc.name, fmtT(t0), d, fmtT(back))
			}
		case d < 0:
			if r.After(t0) || c.WorkingTimeBetween(r, t0) != -d {
				t.Fatalf("%s: Add(%s, %v) = %s, W = %v", fc.name, fmtT(t0), d, fmtT(r), c.WorkingTimeBetween(r, t0))
			}
			if w := c.WorkingTimeBetween(r.Add(ns), t0); w != -d-ns {
				t.Fatalf("%s: Add(%s, %v) = %s is not the latest", fc.name, fmtT(t0), d, fmtT(r))
			}
			if !c.IsWorkingTime(r) {
				t.Fatalf("%s: Add(%s, %v) = %s is not working time", fc.name, fmtT(t0), d, fmtT(r))
			}
		}

		// Monotonic in d.
		d2 := d + time.Duration(bOff%int64(maxD)).Abs()
		if r2 := c.AddWorkingDuration(t0, d2); r2.Before(r) {
			t.Fatalf("%s: Add(t, %v) = %s before Add(t, %v) = %s", fc.name, d2, fmtT(r2), d, fmtT(r))
		}

		// WorkingTimeBetween: bounded by the wall clock, additive, consistent with IsWorkingTime.
		const maxGap = 40 * 24 * time.Hour
		a := t0
		b := a.Add(wrap(bOff, uint64(maxGap)))
		e := b.Add(wrap(cOff, uint64(maxGap)))
		wab, wbe, wae := c.WorkingTimeBetween(a, b), c.WorkingTimeBetween(b, e), c.WorkingTimeBetween(a, e)
		if wab < 0 || wab > b.Sub(a) || wae > e.Sub(a) {
			t.Fatalf("%s: W out of bounds: W(a,b) = %v for %v wall", fc.name, wab, b.Sub(a))
		}
		if wab+wbe != wae {
			t.Fatalf("%s: W(a,b)+W(b,c) = %v+%v != W(a,c) = %v (a=%s b=%s c=%s)", fc.name, wab, wbe, wae, fmtT(a), fmtT(b), fmtT(e))
		}
		if c.WorkingTimeBetween(b, a) != 0 && b.After(a) {
			t.Fatalf("%s: reversed W not 0", fc.name)
		}
		if up := c.AddWorkingDuration(a, wab); up.After(b) {
			t.Fatalf("%s: Add(a, W(a,b)) = %s after b = %s", fc.name, fmtT(up), fmtT(b))
		}
		for _, u := range []time.Time{a, b, r} {
			working := c.IsWorkingTime(u)
			if got := c.WorkingTimeBetween(u, u.Add(ns)) == ns; got != working {
				t.Fatalf("%s: IsWorkingTime(%s) = %v but W(u, u+1ns) says %v", fc.name, fmtT(u), working, got)
			}
			next := c.NextWorkingTime(u)
			if next.Before(u) || !c.IsWorkingTime(next) || c.WorkingTimeBetween(u, next) != 0 || (working && !next.Equal(u)) {
				t.Fatalf("%s: NextWorkingTime(%s) = %s", fc.name, fmtT(u), fmtT(next))
			}
			if fc.ref != nil && fc.ref.working(u) != working {
				t.Fatalf("%s: IsWorkingTime(%s) = %v, naive %v", fc.name, fmtT(u), working, !working)
			}
		}
		if fc.ref != nil {
			end := a.Add(wrap(cOff, uint64(26*time.Hour)))
			if got, want := c.WorkingTimeBetween(a, end), fc.ref.between(a, end); got != want {
				t.Fatalf("%s: W(%s, %s) = %v, naive %v", fc.name, fmtT(a), fmtT(end), got, want)
			}
		}

		// Working-day deadlines: the end of the n-th working day after a's date.
		n := int(nRaw) % fc.nDays
		dl := c.WorkingDaysDeadline(a, n)
		last := c.DateOf(dl.Add(-ns))
		if !dl.After(a) || !dl.Equal(c.EndOfDay(last)) {
			t.Fatalf("%s: WorkingDaysDeadline(%s, %d) = %s is not a day end after t", fc.name, fmtT(a), n, fmtT(dl))
		}
		count := 0
		for day := c.DateOf(a).AddDays(1); !day.After(last); day = day.AddDays(1) {
			if c.IsWorkingDay(day) {
				count++
			}
		}
		if count != n || (n > 0 && !c.IsWorkingDay(last)) {
			t.Fatalf("%s: WorkingDaysDeadline(%s, %d) = %s spans %d working days", fc.name, fmtT(a), n, fmtT(dl), count)
		}
		if cd := c.CalendarDaysDeadline(a, n); !cd.Equal(c.EndOfDay(c.DateOf(a).AddDays(n))) || dl.Before(cd) {
			t.Fatalf("%s: CalendarDaysDeadline(%s, %d) = %s (working %s)", fc.name, fmtT(a), n, fmtT(cd), fmtT(dl))
		}

		// Overdue counting, with the thing done at e.
		checkStarts := func(kind string, starts []time.Time, count int) {
			if len(starts) != count {
				t.Fatalf("%s: %s: %d starts for %d days", fc.name, kind, len(starts), count)
			}
			for i, s := range starts {
				if s.Before(dl) || !s.Before(e) || (i > 0 && !starts[i-1].Before(s)) {
					t.Fatalf("%s: %s start %d = %s (deadline %s, done %s)", fc.name, kind, i, fmtT(s), fmtT(dl), fmtT(e))
				}
			}
		}
		days := DaysOverdue(dl, e)
		if late := e.Sub(dl); (late <= 0 && days != 0) || (late > 0 && (time.Duration(days-1)*24*time.Hour >= late || time.Duration(days)*24*time.Hour < late)) {
			t.Fatalf("%s: DaysOverdue(%v late) = %d", fc.name, late, days)
		}
		checkStarts("calendar days", OverdueDayStarts(dl, e), days)
		wdays := c.WorkingDaysOverdue(dl, e)
		if (wdays == 0) != !IsOverdue(dl, e) {
			t.Fatalf("%s: WorkingDaysOverdue = %d, overdue %v", fc.name, wdays, IsOverdue(dl, e))
		}
		checkStarts("working days", c.WorkingOverdueDayStarts(dl, e), wdays)
	})
}
