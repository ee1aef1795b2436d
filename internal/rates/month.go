package rates

import (
	"fmt"
	"time"

	"kefu/internal/calendar"
)

// MonthLayout is the text form of a [Month]: "2006-01".
const MonthLayout = "2006-01"

// Month is a calendar month, the appraisal period (考核月).
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth parses "YYYY-MM" strictly (four-digit year, two-digit month 01–12).
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse(MonthLayout, s)
	if err != nil || len(s) != len(MonthLayout) {
		return Month{}, fmt.Errorf("rates: invalid month %q (want YYYY-MM)", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf returns the month that contains d.
func MonthOf(d calendar.Date) Month { return Month{d.Year, d.Month} }

// norm folds an out-of-range Month (e.g. month 13) into a real one, the way
// [time.Date] does.
func (m Month) norm() Month {
	i := m.index()
	return fromIndex(i)
}

func (m Month) index() int { return m.Year*12 + int(m.Month) - 1 }

func fromIndex(i int) Month {
	y, mo := i/12, i%12
	if mo < 0 {
		y, mo = y-1, mo+12
	}
	return Month{y, time.Month(mo + 1)}
}

// IsValid reports whether the month number is 1–12.
func (m Month) IsValid() bool { return m.Month >= time.January && m.Month <= time.December }

// First returns the first day of m.
func (m Month) First() calendar.Date {
	n := m.norm()
	return calendar.Date{Year: n.Year, Month: n.Month, Day: 1}
}

// Last returns the last day of m (28, 29, 30 or 31).
func (m Month) Last() calendar.Date {
	n := m.norm()
	return calendar.Date{Year: n.Year, Month: n.Month, Day: daysIn(n.Year, n.Month)}
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.April, time.June, time.September, time.November:
		return 30
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// Contains reports whether d is a day of m.
func (m Month) Contains(d calendar.Date) bool {
	return !d.Before(m.First()) && !d.After(m.Last())
}

// Next returns the month after m.
func (m Month) Next() Month { return fromIndex(m.index() + 1) }

// Prev returns the month before m.
func (m Month) Prev() Month { return fromIndex(m.index() - 1) }

// Compare returns -1, 0 or +1 as m is before, equal to or after n.
func (m Month) Compare(n Month) int {
	a, b := m.index(), n.index()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String returns "2006-01".
func (m Month) String() string {
	n := m.norm()
	if n.Year >= 0 && n.Year <= 9999 {
		return fmt.Sprintf("%04d-%02d", n.Year, int(n.Month))
	}
	return fmt.Sprintf("%d-%02d", n.Year, int(n.Month))
}

// MarshalText implements [encoding.TextMarshaler] ("2006-01"; the zero Month
// is the empty string).
func (m Month) MarshalText() ([]byte, error) {
	if m == (Month{}) {
		return []byte{}, nil
	}
	if !m.IsValid() || m.Year < 1 || m.Year > 9999 {
		return nil, fmt.Errorf("rates: cannot marshal invalid month %d-%d", m.Year, int(m.Month))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; it accepts what
// MarshalText produces.
func (m *Month) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Month{}
		return nil
	}
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
