package schedule

import (
	"fmt"
	"time"

	"kefu/internal/apperr"
)

// MonthDay is a day of the year without the year, e.g. 05-15.
type MonthDay struct {
	Month time.Month
	Day   int
}

// ParseMonthDay parses "MM-DD" (e.g. "05-15"); 02-29 is refused because it does
// not exist every year.
func ParseMonthDay(s string) (MonthDay, error) {
	digits := func(t string) (int, bool) {
		if len(t) != 2 || t[0] < '0' || t[0] > '9' || t[1] < '0' || t[1] > '9' {
			return 0, false
		}
		return int(t[0]-'0')*10 + int(t[1]-'0'), true
	}
	if len(s) == 5 && s[2] == '-' {
		m, ok1 := digits(s[:2])
		d, ok2 := digits(s[3:])
		if md := (MonthDay{time.Month(m), d}); ok1 && ok2 && md.valid() {
			return md, nil
		}
	}
	return MonthDay{}, fmt.Errorf("schedule: invalid month-day %q (want MM-DD, not 02-29)", s)
}

// String returns "MM-DD".
func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day) }

// valid reports whether md is a day of every year (02-29 is not).
func (md MonthDay) valid() bool {
	return md.Month >= time.January && md.Month <= time.December && md.Day >= 1 && md.Day <= daysIn(2001, md.Month)
}

// MarshalText implements [encoding.TextMarshaler] ("05-15").
func (md MonthDay) MarshalText() ([]byte, error) {
	if !md.valid() {
		return nil, fmt.Errorf("schedule: cannot marshal invalid month-day %d-%d", int(md.Month), md.Day)
	}
	return []byte(md.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] via [ParseMonthDay].
func (md *MonthDay) UnmarshalText(b []byte) error {
	v, err := ParseMonthDay(string(b))
	if err != nil {
		return err
	}
	*md = v
	return nil
}

// Seasons configures seasonal maintenance (换季保养): the first day of the cooling
// season (制冷季) and of the heating season (供暖季), and how many days before each
// the visit is planned. A company outside Beijing sets its own.
type Seasons struct {
	Cooling  MonthDay `json:"cooling_start"`
	Heating  MonthDay `json:"heating_start"`
	LeadDays int      `json:"lead_days"`
}

// DefaultSeasons is northern China, Beijing: cooling from 05-15, heating from
// 11-15 (北京法定供暖期 11-15 至次年 03-15), seasonal maintenance planned 15 days
// before each (04-30 and 10-31), leaving two weeks to finish before the switch.
func DefaultSeasons() Seasons {
	return Seasons{
		Cooling:  MonthDay{time.May, 15},
		Heating:  MonthDay{time.November, 15},
		LeadDays: 15,
	}
}

// Validate reports a season start that is not a day of every year, two seasons
// starting on the same day, or a lead outside 0..MaxLeadDays.
func (s Seasons) Validate() error {
	switch {
	case !s.Cooling.valid():
		return apperr.Invalid("seasons.cooling_start", "制冷季开始日期无效（格式 MM-DD，不能是 02-29）")
	case !s.Heating.valid():
		return apperr.Invalid("seasons.heating_start", "供暖季开始日期无效（格式 MM-DD，不能是 02-29）")
	case s.Cooling == s.Heating:
		return apperr.Invalid("seasons.heating_start", "供暖季与制冷季不能同一天开始")
	case s.LeadDays < 0 || s.LeadDays > MaxLeadDays:
		return apperr.Invalid("seasons.lead_days", fmt.Sprintf("换季保养提前天数须在 0–%d 之间", MaxLeadDays))
	}
	return nil
}
