package calendar

import (
	"fmt"
	"time"
)

// DateLayout is the text form of a [Date]: "2006-01-02".
const DateLayout = "2006-01-02"

// Date is a civil (calendar) date without a time of day or a time zone, e.g. a
// holiday or a deadline day. The zero Date is "no date"; use [ParseDate] or
// [DateOf] to make one. Dates compare with ==, [Date.Compare], [Date.Before] etc.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalising out-of-range values the way
// [time.Date] does (2025-02-30 becomes 2025-03-02).
func NewDate(year int, month time.Month, day int) Date {
	return dateOfUTC(time.Date(year, month, day, 12, 0, 0, 0, time.UTC))
}

// ParseDate parses "2006-01-02" strictly (four-digit year, two-digit month and
// day, a day that exists in that month).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || len(s) != len(DateLayout) {
		return Date{}, fmt.Errorf("calendar: invalid date %q (want YYYY-MM-DD)", s)
	}
	return dateOfUTC(t), nil
}

// DateOf returns the civil date of instant t in loc (the company's time zone).
// It panics if loc is nil, like [time.Time.In].
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String returns "2006-01-02" (the zero Date gives "0000-00-00").
func (d Date) String() string {
	if d.Year >= 0 && d.Year <= 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return fmt.Sprintf("%d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a real day (month 1–12, day within the month).
func (d Date) IsValid() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && NewDate(d.Year, d.Month, d.Day) == d
}

// AddDays returns the date n days after d (n may be negative).
func (d Date) AddDays(n int) Date {
	return NewDate(d.Year, d.Month, d.Day+n)
}

// Sub returns the number of days from u to d (d - u).
func (d Date) Sub(u Date) int {
	return int((d.utcNoon().Unix() - u.utcNoon().Unix()) / 86400) // UTC days are 86400 s
}

// Compare returns -1, 0 or +1 as d is before, equal to or after u.
func (d Date) Compare(u Date) int {
	switch {
	case d.Year != u.Year:
		return cmpInt(d.Year, u.Year)
	case d.Month != u.Month:
		return cmpInt(int(d.Month), int(u.Month))
	default:
		return cmpInt(d.Day, u.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before u.
func (d Date) Before(u Date) bool { return d.Compare(u) < 0 }

// After reports whether d is after u.
func (d Date) After(u Date) bool { return d.Compare(u) > 0 }

// Equal reports whether d and u are the same day (same as d == u).
func (d Date) Equal(u Date) bool { return d == u }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utcNoon().Weekday() }

// In returns the first instant of d in loc: midnight, or, if midnight does not
// exist on that day because of a DST jump, the instant the clock jumps. It panics
// if loc is nil.
func (d Date) In(loc *time.Location) time.Time { return wallTime(d.norm(), 0, loc) }

func (d Date) utcNoon() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
}

func (d Date) norm() Date { return NewDate(d.Year, d.Month, d.Day) }

// MarshalText implements [encoding.TextMarshaler] ("2006-01-02"; the zero Date
// is the empty string). JSON therefore encodes a Date as "2006-01-02".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.IsValid() || d.Year < 1 || d.Year > 9999 {
		return nil, fmt.Errorf("calendar: cannot marshal invalid date %d-%d-%d", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; it accepts what
// MarshalText produces (the empty string gives the zero Date).
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// wallTime returns the instant at which the wall clock in loc shows date d
// (normalised) at minute-of-day min (0..1440; 1440 is the next midnight). A wall
// time skipped by a DST jump maps to the instant of the jump; a repeated wall time
// maps to its first occurrence. wallTime is non-decreasing in (d, min) (assuming
// zone transitions are at least a day apart).
func wallTime(d Date, min int, loc *time.Location) time.Time {
	if min >= 24*60 {
		d, min = d.AddDays(1), min-24*60
	}
	t := time.Date(d.Year, d.Month, d.Day, min/60, min%60, 0, 0, loc)
	if !showsWall(t, d, min) {
		// A DST gap: the first instant at or after the requested wall time is the
		// jump. Go normalises backwards west of UTC (02:30 → 01:30 EST, the jump is
		// the end of t's zone period) and forwards east of UTC (02:30 → 03:30 AEDT,
		// the jump is the start of t's zone period).
		start, end := t.ZoneBounds()
		if wallAfter(t, d, min) {
			if !start.IsZero() && start.Before(t) {
				t = start.In(loc)
			}
		} else if end.After(t) {
			t = end.In(loc)
		}
		return t
	}
	// A repeated wall time (DST fall-back): Go may pick the second occurrence
	// (it does for zones east of UTC); prefer the first.
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		_, off := t.Zone()
		_, prevOff := start.Add(-time.Nanosecond).Zone()
		if prevOff > off {
			if cand := t.Add(-time.Duration(prevOff-off) * time.Second).In(loc); cand.Before(start) && showsWall(cand, d, min) {
				t = cand
			}
		}
	}
	return t
}

// wallAfter reports whether t's wall clock reads later than d at minute min.
func wallAfter(t time.Time, d Date, min int) bool {
	y, m, dd := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, m, dd, h, mi, sec, t.Nanosecond(), time.UTC).After(time.Date(d.Year, d.Month, d.Day, 0, min, 0, 0, time.UTC))
}

func showsWall(t time.Time, d Date, min int) bool {
	y, m, dd := t.Date()
	return y == d.Year && m == d.Month && dd == d.Day && t.Hour()*60+t.Minute() == min && t.Second() == 0 && t.Nanosecond() == 0
}
