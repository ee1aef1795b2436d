package calendar

import (
	"testing"
	"time"
)

// naive is the textbook definition of working time, independent of the
// package's span machinery: t is working time if its local wall clock falls in
// a window on a working day. It agrees with the Calendar away from DST-transition
// hours.
type naive struct {
	cfg      Config
	weekdays map[time.Weekday]bool
	ov       map[Date]DayKind
}

func newNaive(cfg Config) *naive {
	n := &naive{cfg: cfg, weekdays: map[time.Weekday]bool{}, ov: map[Date]DayKind{}}
	wds := cfg.WorkWeekdays
	if wds == nil {
		wds = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	for _, wd := range wds {
		n.weekdays[wd] = true
	}
	for _, h := range cfg.Overrides {
		n.ov[h.Date] = h.Kind
	}
	if n.cfg.Location == nil {
		n.cfg.Location = shanghai
	}
	if len(n.cfg.Windows) == 0 {
		n.cfg.Windows = []Window{{510, 1050}}
	}
	return n
}

func (n *naive) working(t time.Time) bool {
	if n.cfg.AllDay {
		return true
	}
	lt := t.In(n.cfg.Location)
	d := DateOf(t, n.cfg.Location)
	working := n.weekdays[d.Weekday()]
	if k, ok := n.ov[d]; ok {
		working = k == KindWorkday
	}
	if !working {
		return false
	}
	m := lt.Hour()*60 + lt.Minute()
	for _, w := range n.cfg.Windows {
		if m >= w.Start && m < w.End {
			return true
		}
	}
	return false
}

// between sums working time in [a, b) minute by minute (zone offsets and
// windows are whole minutes, so working-ness is constant within a UTC minute).
func (n *naive) between(a, b time.Time) time.Duration {
	var total time.Duration
	for u := a; u.Before(b); {
		next := u.Truncate(time.Minute).Add(time.Minute)
		if next.After(b) {
			next = b
		}
		if n.working(u) {
			total += next.Sub(u)
		}
		u = next
	}
	return total
}

func TestNaiveReferenceAgrees(t *testing.T) {
	cfgs := map[string]Config{
		"office":  {Location: shanghai, Windows: officeWindows, Overrides: PRCHolidays(2025, 2026)},
		"newyork": {Location: newYork},
		"sixday":  {Location: shanghai, WorkWeekdays: []time.Weekday{1, 2, 3, 4, 5, 6}, Windows: []Window{{0, 60}, {1380, 1440}}},
	}
	for name, cfg := range cfgs {
		c, ref := mustNew(t, cfg), newNaive(cfg)
		start := time.Date(2025, 9, 20, 0, 0, 7, 0, time.UTC)
		// Seven weeks: National Day and the US DST end (2025-11-02), every 7m13s.
		for u := start; u.Before(start.Add(50 * 24 * time.Hour)); u = u.Add(7*time.Minute + 13*time.Second) {
			if got, want := c.IsWorkingTime(u), ref.working(u); got != want {
				t.Fatalf("%s: IsWorkingTime(%s) = %v, naive %v", name, fmtT(u.In(cfg.Location)), got, want)
			}
		}
		for _, span := range []time.Duration{time.Hour, 26 * time.Hour, 10 * 24 * time.Hour} {
			a := start.Add(11 * time.Hour)
			if got, want := c.WorkingTimeBetween(a, a.Add(span)), ref.between(a, a.Add(span)); got != want {
				t.Errorf("%s: WorkingTimeBetween(+%v) = %v, naive %v", name, span, got, want)
			}
		}
	}
}
