package calendar

import (
	"math"
	"time"
)

// AddWorkingDuration returns the deadline that lies d of working time after t:
// the earliest instant u >= t such that WorkingTimeBetween(t, u) == d. It is
// exact to the nanosecond and loops per day, not per minute.
//
// Boundaries:
//   - If t is outside working time the clock starts at the next window start:
//     Friday 18:00 + 1h = Monday 09:30 with 08:30–17:30 hours.
//   - A deadline that is used up exactly at a window end is that window end
//     (08:30 + 9h = 17:30 the same day, not 08:30 the next working day), so a
//     reply at 17:30:00 is on time.
//   - d == 0 returns t itself (in the calendar's Location), even outside working
//     time: no working time has to elapse. Use [Calendar.NextWorkingTime] for
//     "when does the clock start".
//   - d < 0 goes backwards: the latest instant u <= t with
//     WorkingTimeBetween(u, t) == -d (a result used up exactly at a window start
//     is that window start).
//
// In AllDay mode the result is t.Add(d).
func (c *Calendar) AddWorkingDuration(t time.Time, d time.Duration) time.Time {
	t = t.In(c.loc)
	switch {
	case d == 0:
		return t
	case c.allDay:
		return t.Add(d)
	case d < 0:
		if d == math.MinInt64 {
			d++
		}
		return c.subWorking(t, -d)
	}
	rem := d
	var buf [8]span
	for day := c.dayContaining(t); ; day = day.AddDays(1) {
		for _, s := range c.spans(day, buf[:0]) {
			if !t.Before(s.end) {
				continue
			}
			start := s.start
			if t.After(start) {
				start = t
			}
			avail := s.end.Sub(start)
			if rem <= avail {
				return start.Add(rem)
			}
			rem -= avail
		}
	}
}

// subWorking is AddWorkingDuration for a negative duration -d (d > 0).
func (c *Calendar) subWorking(t time.Time, d time.Duration) time.Time {
	rem := d
	var buf [8]span
	for day := c.dayContaining(t); ; day = day.AddDays(-1) {
		ss := c.spans(day, buf[:0])
		for i := len(ss) - 1; i >= 0; i-- {
			s := ss[i]
			if !s.start.Before(t) {
				continue
			}
			end := s.end
			if t.Before(end) {
				end = t
			}
			avail := end.Sub(s.start)
			if rem <= avail {
				return end.Add(-rem)
			}
			rem -= avail
		}
	}
}

// WorkingTimeBetween returns the working time in [t1, t2): how much a
// business-hours clock runs from t1 to t2. It is 0 if t2 <= t1, equals
// t2.Sub(t1) in AllDay mode, and is additive: W(a,b)+W(b,c) == W(a,c) for
// a <= b <= c. Spans longer than ~290 years saturate like [time.Time.Sub].
func (c *Calendar) WorkingTimeBetween(t1, t2 time.Time) time.Duration {
	if !t2.After(t1) {
		return 0
	}
	if c.allDay {
		return t2.Sub(t1)
	}
	var total time.Duration
	var buf [8]span
	last := c.dayContaining(t2)
	for day := c.dayContaining(t1); !day.After(last); day = day.AddDays(1) {
		for _, s := range c.spans(day, buf[:0]) {
			start, end := s.start, s.end
			if t1.After(start) {
				start = t1
			}
			if t2.Before(end) {
				end = t2
			}
			if start.Before(end) {
				total = satAdd(total, end.Sub(start))
			}
		}
	}
	return total
}

func satAdd(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
