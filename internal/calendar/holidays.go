package calendar

import (
	"fmt"
	"slices"
	"strings"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// DayKind says how a calendar override changes a day.
type DayKind uint8

const (
	// KindHoliday (休) is a day off: a statutory holiday (法定节假日) or a rest day
	// moved by 调休. No working time even if it falls on a working weekday.
	KindHoliday DayKind = iota + 1
	// KindWorkday (班) is an adjusted working day (调休上班): e.g. a Saturday or
	// Sunday on which everybody works, with the normal working-hours windows.
	KindWorkday
)

// String returns "holiday" or "workday" (the import/export spelling).
func (k DayKind) String() string {
	switch k {
	case KindHoliday:
		return "holiday"
	case KindWorkday:
		return "workday"
	}
	return fmt.Sprintf("DayKind(%d)", uint8(k))
}

// ParseDayKind accepts "holiday"/"休" and "workday"/"班" (case-insensitive,
// surrounding space ignored).
func ParseDayKind(s string) (DayKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "holiday", "休", "放假":
		return KindHoliday, nil
	case "workday", "班", "调休上班", "上班":
		return KindWorkday, nil
	}
	return 0, fmt.Errorf("calendar: unknown day kind %q (want holiday/workday/休/班)", s)
}

// MarshalText implements [encoding.TextMarshaler].
func (k DayKind) MarshalText() ([]byte, error) {
	if k != KindHoliday && k != KindWorkday {
		return nil, fmt.Errorf("calendar: cannot marshal invalid %v", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] via [ParseDayKind].
func (k *DayKind) UnmarshalText(b []byte) error {
	v, err := ParseDayKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Holiday is one calendar override: a day off (KindHoliday) or an adjusted
// working day (KindWorkday, 调休上班). Name is e.g. "国庆节" or "春节".
type Holiday struct {
	Date Date    `json:"date"`
	Name string  `json:"name"`
	Kind DayKind `json:"kind"`
}

// PRCHolidays returns the PRC statutory holidays (法定节假日) and adjusted working
// days (调休上班) dated in the years fromYear..toYear inclusive, sorted by date with
// one entry per date.
//
// Source: lunar-go v1.4.6 HolidayUtil (github.com/6tail/lunar-go), which follows
// the State Council notices and covers 2001-12-29 through 2026; later years
// return nothing and must be added by an administrator from the State Council's
// notice (see [ParseHolidaysCSV]). Names are lunar-go's (e.g. "国庆中秋" for the
// combined 2025 National Day/Mid-Autumn break).
func PRCHolidays(fromYear, toYear int) []Holiday {
	var out []Holiday
	seen := map[Date]bool{}
	for y := fromYear; y <= toYear; y++ {
		if y < 1 || y > 9999 {
			continue
		}
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok || h == nil {
				continue
			}
			d, err := ParseDate(h.GetDay())
			if err != nil || d.Year != y || seen[d] {
				continue
			}
			seen[d] = true
			kind := KindHoliday
			if h.IsWork() {
				kind = KindWorkday
			}
			out = append(out, Holiday{Date: d, Name: h.GetName(), Kind: kind})
		}
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}
