package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// DefaultLocation is the company time zone used when Config.Location is nil.
const DefaultLocation = "Asia/Shanghai"

// defaultWindow is the default working-hours window, 08:30–17:30.
var defaultWindow = Window{Start: 8*60 + 30, End: 17*60 + 30}

// Config describes a work calendar. The zero Config is the SPEC default: Asia/
// Shanghai, Monday–Friday 08:30–17:30, no holidays.
type Config struct {
	// Location is the company time zone; nil means Asia/Shanghai. If the
	// system has no time-zone database, the default falls back to a fixed UTC+8
	// zone named "Asia/Shanghai" (identical since China dropped DST in 1991);
	// import time/tzdata in the binary to avoid depending on the system.
	Location *time.Location
	// Windows are the daily working-hours windows, sorted and non-overlapping,
	// e.g. 08:30–12:00 and 13:00–17:30 for a lunch break. Empty means 08:30–17:30.
	Windows []Window
	// WorkWeekdays are the normal working days of the week. nil means Monday–
	// Friday; a non-nil empty slice is an error unless AllDay is set.
	WorkWeekdays []time.Weekday
	// Overrides are holidays (休) and adjusted working days (调休上班, 班); an
	// override wins over the weekday rule. At most one entry per date.
	Overrides []Holiday
	// AllDay makes the calendar 24x7: every instant is working time and every
	// day is a working day; Windows, WorkWeekdays and Overrides are still
	// validated but do not affect the arithmetic.
	AllDay bool
}

// Calendar is an immutable work calendar (工作日历). Build it with [New]; it is
// safe for concurrent use.
type Calendar struct {
	loc       *time.Location
	windows   []Window
	weekdays  [7]bool
	overrides map[Date]Holiday
	allDay    bool
}

// New validates cfg and builds a Calendar. The returned errors name the
// offending window, weekday or override.
func New(cfg Config) (*Calendar, error) {
	c := &Calendar{loc: cfg.Location, allDay: cfg.AllDay, overrides: make(map[Date]Holiday, len(cfg.Overrides))}
	if c.loc == nil {
		loc, err := time.LoadLocation(DefaultLocation)
		if err != nil {
			loc = time.FixedZone(DefaultLocation, 8*3600)
		}
		c.loc = loc
	}

	c.windows = slices.Clone(cfg.Windows)
	if len(c.windows) == 0 {
		c.windows = []Window{defaultWindow}
	}
	if err := validateWindows(c.windows); err != nil {
		return nil, err
	}

	if cfg.WorkWeekdays == nil {
		for wd := time.Monday; wd <= time.Friday; wd++ {
			c.weekdays[wd] = true
		}
	} else {
		for _, wd := range cfg.WorkWeekdays {
			if wd < time.Sunday || wd > time.Saturday {
				return nil, fmt.Errorf("calendar: invalid weekday %d in WorkWeekdays", int(wd))
			}
			if c.weekdays[wd] {
				return nil, fmt.Errorf("calendar: weekday %v listed twice in WorkWeekdays", wd)
			}
			c.weekdays[wd] = true
		}
		if len(cfg.WorkWeekdays) == 0 && !cfg.AllDay {
			return nil, errors.New("calendar: WorkWeekdays is empty: a calendar needs at least one working weekday (use nil for Monday–Friday)")
		}
	}

	for i, h := range cfg.Overrides {
		if !h.Date.IsValid() {
			return nil, fmt.Errorf("calendar: override %d: invalid date %v", i+1, h.Date)
		}
		if h.Kind != KindHoliday && h.Kind != KindWorkday {
			return nil, fmt.Errorf("calendar: override %d (%v): invalid kind %v", i+1, h.Date, h.Kind)
		}
		if prev, dup := c.overrides[h.Date]; dup {
			return nil, fmt.Errorf("calendar: override %d: duplicate date %v (already %s %q)", i+1, h.Date, prev.Kind, prev.Name)
		}
		c.overrides[h.Date] = h
	}
	return c, nil
}

// Location returns the company time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Windows returns a copy of the daily working-hours windows.
func (c *Calendar) Windows() []Window { return slices.Clone(c.windows) }

// AllDay reports whether the calendar is 24x7.
func (c *Calendar) AllDay() bool { return c.allDay }

// Override returns the holiday or adjusted working day configured for d, if any.
func (c *Calendar) Override(d Date) (Holiday, bool) {
	h, ok := c.overrides[d.norm()]
	return h, ok
}

// IsWorkingDay reports whether d is a working day: an override decides if there
// is one (休 → false, 班 → true), otherwise the weekday rule. In AllDay mode every
// day is a working day.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if c.allDay {
		return true
	}
	return c.isWorkingDay(d.norm())
}

func (c *Calendar) isWorkingDay(d Date) bool {
	if h, ok := c.overrides[d]; ok {
		return h.Kind == KindWorkday
	}
	return c.weekdays[d.Weekday()]
}

// IsWorkingTime reports whether instant t lies inside a working-hours window
// [start, end) of a working day (always true in AllDay mode).
func (c *Calendar) IsWorkingTime(t time.Time) bool {
	if c.allDay {
		return true
	}
	var buf [8]span
	for _, s := range c.spans(c.dayContaining(t), buf[:0]) {
		if !t.Before(s.start) && t.Before(s.end) {
			return true
		}
	}
	return false
}

// NextWorkingTime returns t itself if it is working time, otherwise the start of
// the next working-hours window: the moment a business-hours clock started at t
// begins to run.
func (c *Calendar) NextWorkingTime(t time.Time) time.Time {
	t = t.In(c.loc)
	if c.allDay {
		return t
	}
	var buf [8]span
	for d := c.dayContaining(t); ; d = d.AddDays(1) {
		for _, s := range c.spans(d, buf[:0]) {
			if t.Before(s.end) {
				if t.Before(s.start) {
					return s.start
				}
				return t
			}
		}
	}
}

// span is one working interval [start, end) as instants.
type span struct{ start, end time.Time }

// spans appends the non-empty working intervals of day d (normalised) to buf.
// They are sorted, disjoint and lie within [d.In(loc), d.AddDays(1).In(loc)].
// Non-working days have none.
func (c *Calendar) spans(d Date, buf []span) []span {
	if !c.isWorkingDay(d) {
		return buf
	}
	for _, w := range c.windows {
		s := span{wallTime(d, w.Start, c.loc), wallTime(d, w.End, c.loc)}
		if s.start.Before(s.end) {
			buf = append(buf, s)
		}
	}
	return buf
}

// dayContaining returns the day d with d.In(loc) <= t < d.AddDays(1).In(loc).
// It is DateOf(t) except, defensively, in a zone whose clock would fall back
// across midnight (no current zone does), where the day partition and the
// wall-clock date disagree for up to the size of the jump.
func (c *Calendar) dayContaining(t time.Time) Date {
	d := DateOf(t, c.loc)
	if t.Before(wallTime(d, 0, c.loc)) {
		return d.AddDays(-1)
	}
	if !t.Before(wallTime(d, MinutesPerDay, c.loc)) {
		return d.AddDays(1)
	}
	return d
}
