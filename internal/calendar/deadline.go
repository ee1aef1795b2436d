package calendar

import "time"

// StartOfDay returns the first instant of d in company time (midnight).
func (c *Calendar) StartOfDay(d Date) time.Time { return wallTime(d.norm(), 0, c.loc) }

// EndOfDay returns the deadline "by the end of d" (当天内, "the 25th"): the first
// instant of the next day, i.e. next midnight in company time, exclusive in the
// sense that any moment on d is before it. Together with the on-time rule
// done <= deadline (see [IsOverdue]) everything done on d is on time and
// everything after it is overdue. We return next midnight, never 23:59:59.
func (c *Calendar) EndOfDay(d Date) time.Time { return wallTime(d.norm(), MinutesPerDay, c.loc) }

// DateOf returns the company-time date of t.
func (c *Calendar) DateOf(t time.Time) Date { return DateOf(t, c.loc) }

// NthWorkingDayAfter returns the n-th working day after d (d itself never
// counts; n <= 0 returns d). Holidays are skipped, 调休 working weekends count.
func (c *Calendar) NthWorkingDayAfter(d Date, n int) Date {
	d = d.norm()
	for k := 0; k < n; {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			k++
		}
	}
	return d
}

// WorkingDaysDeadline is "within n working days of t" (N个工作日内): the end of the
// n-th working day after t's company-time date (SPEC §2). Received on a Friday
// with n = 1 → end of Monday (Tuesday 00:00); a holiday is skipped and a 调休
// Saturday counts. The time of day of t does not matter. n <= 0 means "the same
// day": the end of t's date. In AllDay mode every day is a working day.
func (c *Calendar) WorkingDaysDeadline(t time.Time, n int) time.Time {
	return c.EndOfDay(c.NthWorkingDayAfter(c.DateOf(t), n))
}

// CalendarDaysDeadline is "within n days of t" (N天内): the end of the day n
// calendar days after t's company-time date; n <= 0 means the end of t's date.
func (c *Calendar) CalendarDaysDeadline(t time.Time, n int) time.Time {
	return c.EndOfDay(c.DateOf(t).AddDays(max(n, 0)))
}
