package calendar

import (
	"strings"
	"testing"
	"time"
)

func TestNewDefaults(t *testing.T) {
	c := mustNew(t, Config{})
	if c.Location().String() != "Asia/Shanghai" {
		t.Errorf("default location %v", c.Location())
	}
	if ws := c.Windows(); len(ws) != 1 || ws[0] != (Window{510, 1050}) {
		t.Errorf("default windows %v", ws)
	}
	if c.AllDay() {
		t.Error("default is not AllDay")
	}
	for d, want := range map[string]bool{"2025-09-22": true, "2025-09-26": true, "2025-09-27": false, "2025-09-28": false, "2025-10-01": true} {
		// No overrides in the default: only the weekday rule.
		if got := c.IsWorkingDay(date(t, d)); got != want {
			t.Errorf("default IsWorkingDay(%s) = %v", d, got)
		}
	}
	if !c.IsWorkingTime(at(t, shanghai, "2025-09-22 08:30")) || c.IsWorkingTime(at(t, shanghai, "2025-09-22 17:30")) {
		t.Error("default hours are not 08:30–17:30")
	}
}

func TestNewErrors(t *testing.T) {
	d := Date{2025, 10, 1}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"overlap", Config{Windows: []Window{{510, 720}, {700, 1050}}}, "windows overlap: 08:30-12:00 and 11:40-17:30"},
		{"unsorted", Config{Windows: []Window{{780, 1050}, {510, 720}}}, "windows not sorted"},
		{"empty window", Config{Windows: []Window{{600, 600}}}, "invalid window 1: need 0 <= start < end <= 1440 minutes (00:00..24:00), got 600..600"},
		{"reversed", Config{Windows: []Window{{510, 720}, {1000, 900}}}, "invalid window 2"},
		{"negative", Config{Windows: []Window{{-10, 600}}}, "invalid window"},
		{"past 24:00", Config{Windows: []Window{{600, 1441}}}, "invalid window"},
		{"no weekdays", Config{WorkWeekdays: []time.Weekday{}}, "WorkWeekdays is empty"},
		{"duplicate weekday", Config{WorkWeekdays: []time.Weekday{time.Monday, time.Monday}}, "Monday listed twice"},
		{"bad weekday", Config{WorkWeekdays: []time.Weekday{7}}, "invalid weekday 7"},
		{"bad override date", Config{Overrides: []Holiday{{Date: Date{2025, 2, 29}, Kind: KindHoliday}}}, "override 1: invalid date"},
		{"zero override date", Config{Overrides: []Holiday{{Kind: KindHoliday}}}, "override 1: invalid date"},
		{"bad kind", Config{Overrides: []Holiday{{Date: d, Name: "x"}}}, "override 1 (2025-10-01): invalid kind"},
		{"duplicate", Config{Overrides: []Holiday{{Date: d, Kind: KindHoliday, Name: "国庆"}, {Date: d, Kind: KindWorkday}}}, `override 2: duplicate date 2025-10-01 (already holiday "国庆")`},
	}
	for _, tc := range tests {
		c, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, %v; want error containing %q", tc.name, c, err, tc.want)
		}
	}
	// 24x7 needs no working weekday; touching windows are allowed.
	if _, err := New(Config{AllDay: true, WorkWeekdays: []time.Weekday{}}); err != nil {
		t.Errorf("AllDay with no weekdays: %v", err)
	}
	if _, err := New(Config{Windows: []Window{{480, 720}, {720, 780}}}); err != nil {
		t.Errorf("touching windows: %v", err)
	}
}

func TestCalendarIsImmutable(t *testing.T) {
	ws := []Window{{510, 720}, {780, 1050}}
	wd := []time.Weekday{time.Monday}
	ov := []Holiday{{Date: Date{2025, 9, 22}, Kind: KindHoliday}}
	c := mustNew(t, Config{Location: shanghai, Windows: ws, WorkWeekdays: wd, Overrides: ov})
	ws[0], wd[0], ov[0].Kind = Window{0, 1440}, time.Sunday, KindWorkday
	c.Windows()[0] = Window{0, 1}
	if c.Windows()[0] != (Window{510, 720}) || c.IsWorkingDay(date(t, "2025-09-28")) || c.IsWorkingDay(date(t, "2025-09-22")) || !c.IsWorkingDay(date(t, "2025-09-29")) {
		t.Error("calendar changed after New through caller's slices")
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := office(t)
	tests := []struct {
		d    string
		want bool
		why  string
	}{
		{"2025-09-26", true, "Friday"},
		{"2025-09-27", false, "Saturday"},
		{"2025-09-28", true, "调休 Sunday before National Day"},
		{"2025-09-30", true, "Tuesday before National Day"},
		{"2025-10-01", false, "国庆"}, {"2025-10-02", false, "国庆"}, {"2025-10-03", false, "国庆"},
		{"2025-10-04", false, "国庆 Saturday"}, {"2025-10-05", false, "国庆 Sunday"},
		{"2025-10-06", false, "国庆 Monday"}, {"2025-10-07", false, "国庆"}, {"2025-10-08", false, "国庆 Wednesday"},
		{"2025-10-09", true, "Thursday after"}, {"2025-10-10", true, "Friday after"},
		{"2025-10-11", true, "调休 Saturday"}, {"2025-10-12", false, "Sunday"},
		{"2025-01-26", true, "春节 调休 Sunday"}, {"2025-02-08", true, "春节 调休 Saturday"},
		{"2025-01-28", false, "除夕"}, {"2025-02-04", false, "春节 last day"},
		{"2026-01-01", false, "元旦"}, {"2026-01-02", false, "元旦 Friday"}, {"2026-01-04", true, "元旦 调休 Sunday"},
		{"2026-02-13", true, "Friday before 春节"}, {"2026-02-14", true, "春节 调休 Saturday"},
		{"2026-02-15", false, "春节"}, {"2026-02-17", false, "春节 初一"}, {"2026-02-23", false, "春节 Monday"},
		{"2026-02-24", true, "after 春节"}, {"2026-02-28", true, "春节 调休 Saturday"}, {"2026-03-01", false, "Sunday"},
		{"2027-01-01", true, "Friday: 2027 not in the data, weekday rule"},
	}
	for _, tc := range tests {
		if got := c.IsWorkingDay(date(t, tc.d)); got != tc.want {
			t.Errorf("IsWorkingDay(%s) [%s] = %v, want %v", tc.d, tc.why, got, tc.want)
		}
	}
	if h, ok := c.Override(date(t, "2025-10-11")); !ok || h.Kind != KindWorkday || h.Name != "国庆中秋" {
		t.Errorf("Override(2025-10-11) = %+v, %v", h, ok)
	}
	if _, ok := c.Override(date(t, "2025-10-10")); ok {
		t.Error("Override(2025-10-10) found")
	}
	if !c.IsWorkingDay(Date{2025, 9, 58}) { // normalised: 2025-10-28 Tuesday
		t.Error("unnormalised date")
	}
	// A six-day week (Mon–Sat) with a holiday on Saturday.
	six := mustNew(t, Config{Location: shanghai, WorkWeekdays: []time.Weekday{1, 2, 3, 4, 5, 6},
		Overrides: []Holiday{{Date: date(t, "2025-09-20"), Kind: KindHoliday}}})
	for d, want := range map[string]bool{"2025-09-13": true, "2025-09-20": false, "2025-09-21": false} {
		if got := six.IsWorkingDay(date(t, d)); got != want {
			t.Errorf("six-day IsWorkingDay(%s) = %v", d, got)
		}
	}
	all := mustNew(t, Config{AllDay: true, Overrides: PRCHolidays(2025, 2025)})
	for _, d := range []string{"2025-10-01", "2025-09-27", "2025-09-28"} {
		if !all.IsWorkingDay(date(t, d)) {
			t.Errorf("AllDay IsWorkingDay(%s) = false", d)
		}
	}
}

func TestIsWorkingTime(t *testing.T) {
	c := office(t)
	tests := []struct {
		at   string
		want bool
	}{
		{"2025-09-25 08:29:59.999999999", false},
		{"2025-09-25 08:30", true},
		{"2025-09-25 10:00", true},
		{"2025-09-25 11:59:59.999999999", true},
		{"2025-09-25 12:00", false}, // window end is exclusive
		{"2025-09-25 12:30", false}, // lunch
		{"2025-09-25 12:59:59", false},
		{"2025-09-25 13:00", true},
		{"2025-09-25 17:29:59", true},
		{"2025-09-25 17:30", false},
		{"2025-09-25 23:59:59", false},
		{"2025-09-26 00:00", false},
		{"2025-09-27 10:00", false}, // Saturday
		{"2025-09-28 10:00", true},  // 调休 Sunday
		{"2025-09-28 12:30", false}, // lunch on a 调休 day
		{"2025-10-01 10:00", false}, // 国庆
		{"2025-10-11 16:00", true},  // 调休 Saturday
	}
	for _, tc := range tests {
		tt := at(t, shanghai, tc.at)
		if got := c.IsWorkingTime(tt); got != tc.want {
			t.Errorf("IsWorkingTime(%s) = %v, want %v", tc.at, got, tc.want)
		}
		// Same instant given in UTC and in New York time.
		if got := c.IsWorkingTime(tt.UTC()); got != tc.want {
			t.Errorf("IsWorkingTime(%s as UTC) = %v", tc.at, got)
		}
		if got := c.IsWorkingTime(tt.In(newYork)); got != tc.want {
			t.Errorf("IsWorkingTime(%s as New York) = %v", tc.at, got)
		}
	}
	// 2025-09-25T00:30Z is 08:30 in Shanghai, but 2025-09-24 20:30 in New York.
	if !c.IsWorkingTime(time.Date(2025, 9, 25, 0, 30, 0, 0, time.UTC)) {
		t.Error("UTC 00:30 is 08:30 CST: working")
	}
	all := mustNew(t, Config{AllDay: true})
	if !all.IsWorkingTime(at(t, shanghai, "2025-10-01 03:00")) {
		t.Error("AllDay: every instant is working time")
	}
}

func TestNextWorkingTime(t *testing.T) {
	c := office(t)
	tests := []struct{ from, want string }{
		{"2025-09-25 07:00", "2025-09-25 08:30"},
		{"2025-09-25 08:29:59.999999999", "2025-09-25 08:30"},
		{"2025-09-25 11:59:59.999999999", "2025-09-25 11:59:59.999999999"},
		{"2025-09-25 08:30", "2025-09-25 08:30"},
		{"2025-09-25 10:15:07", "2025-09-25 10:15:07"},
		{"2025-09-25 12:00", "2025-09-25 13:00"},
		{"2025-09-25 12:59:59.999999999", "2025-09-25 13:00"},
		{"2025-09-25 17:30", "2025-09-26 08:30"},
		{"2025-09-25 23:59", "2025-09-26 08:30"},
		{"2025-09-26 17:30", "2025-09-28 08:30"}, // Friday evening → 调休 Sunday
		{"2025-09-30 17:30", "2025-10-09 08:30"}, // over National Day
		{"2025-10-10 18:00", "2025-10-11 08:30"}, // 调休 Saturday
		{"2026-02-14 17:30", "2026-02-24 08:30"}, // over Spring Festival
	}
	for _, tc := range tests {
		got := c.NextWorkingTime(at(t, shanghai, tc.from).UTC())
		if want := at(t, shanghai, tc.want); !got.Equal(want) || got.Location() != shanghai {
			t.Errorf("NextWorkingTime(%s) = %s, want %s", tc.from, fmtT(got), tc.want)
		}
	}
	all := mustNew(t, Config{AllDay: true})
	if x := at(t, shanghai, "2025-10-01 03:00"); !all.NextWorkingTime(x).Equal(x) {
		t.Error("AllDay NextWorkingTime")
	}
}
