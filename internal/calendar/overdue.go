package calendar

import "time"

// day24 is the length of an overdue "day" for calendar-day rules.
const day24 = 24 * time.Hour

// IsOverdue reports whether something done at done missed deadline. Done
// exactly at the deadline is on time.
func IsOverdue(deadline, done time.Time) bool { return done.After(deadline) }

// DaysOverdue is 逾期天数 for calendar-day rules (SPEC §2, "每逾期一天"): the
// number of started 24-hour periods between deadline and done. 0 if done <=
// deadline; 2h late → 1; exactly 24h late → 1; 24h+1s → 2; 40h → 2. For a thing
// not yet done pass the current time. The periods are exact 24-hour spans of
// elapsed time, independent of time zone and DST.
func DaysOverdue(deadline, done time.Time) int {
	if !done.After(deadline) {
		return 0
	}
	late := done.Sub(deadline)
	return int((late-1)/day24) + 1
}

// OverdueDayStarts returns the start of each overdue day counted by
// [DaysOverdue]: deadline, deadline+24h, … (len == DaysOverdue). Each overdue day
// belongs to the appraisal month in which it starts, so a thing late across a
// month end costs in both months, never twice. With a date deadline
// ([Calendar.EndOfDay]) the starts are midnights in company time. The times keep
// deadline's Location; convert with [DateOf] in company time to find the month.
func OverdueDayStarts(deadline, done time.Time) []time.Time {
	n := DaysOverdue(deadline, done)
	if n == 0 {
		return nil
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = deadline.Add(time.Duration(i) * day24)
	}
	return out
}

// WorkingDaysOverdue is 逾期工作日数 for rules counted in working days: the number
// of working days that began (at company-time midnight) at or after deadline and
// before done. A thing that is late at all is at least 1 day overdue, even when no
// working day has begun yet (due at the end of Friday, done on Saturday → 1).
// Examples with Mon–Fri and deadline = end of Monday: done Tuesday 10:00 → 1;
// Wednesday 00:00 exactly → 1; Wednesday 00:00:01 → 2; Saturday → 4 (Tue–Fri);
// the next Monday 09:00 → 5. Holidays do not count, 调休 working days do. A
// deadline inside a day (Tuesday 15:00) does not make the rest of that day a
// separate overdue day: done Tuesday 16:00 → 1, Wednesday 10:00 → 1, Thursday
// 10:00 → 2, as with 24-hour periods.
func (c *Calendar) WorkingDaysOverdue(deadline, done time.Time) int {
	return len(c.WorkingOverdueDayStarts(deadline, done))
}

// WorkingOverdueDayStarts returns the start of each overdue working day counted
// by [Calendar.WorkingDaysOverdue], in the calendar's Location: the midnight
// starting each such working day, or, in the at-least-one case, the deadline
// itself. Assign each to the appraisal month in which it starts.
func (c *Calendar) WorkingOverdueDayStarts(deadline, done time.Time) []time.Time {
	if !done.After(deadline) {
		return nil
	}
	var out []time.Time
	last := c.dayContaining(done)
	for d := c.dayContaining(deadline); !d.After(last); d = d.AddDays(1) {
		start := c.StartOfDay(d)
		if start.Before(deadline) || !start.Before(done) || !c.IsWorkingDay(d) {
			continue
		}
		out = append(out, start)
	}
	if len(out) == 0 {
		out = append(out, deadline.In(c.loc))
	}
	return out
}
