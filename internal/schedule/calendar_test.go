package schedule

import (
	"slices"
	"testing"
	"time"
)

// Moves on the PRC calendar (Mon–Fri, 法定节假日, 调休上班). 2026: 元旦 01-01..03 off,
// Sun 01-04 worked; 春节 02-15..23 off, Sat 02-14 and Sat 02-28 worked; 劳动节
// 05-01..05 off, Sat 05-09 worked; 中秋 09-25..27 off; 国庆 10-01..07 off, Sun 09-20
// and Sat 10-10 worked.
func TestGenerateCalendarMoves(t *testing.T) {
	cal := office(t)
	seasonal := func(times int) Line {
		return Line{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal, Times: times}
	}
	tests := []struct {
		name       string
		start, end string
		lines      []Line
		seasons    Seasons
		want       []string // key@date~nominal when moved
	}{
		{"monthly on the 1st, 2026", "2026-01-01", "2026-12-31", []Line{line(FreqMonthly, 1)}, Seasons{}, []string{
			"L1|2026-01@2026-01-04~2026-01-01", // 元旦 to the 调休 Sunday
			"L1|2026-02@2026-02-02~2026-02-01", // Sunday
			"L1|2026-03@2026-03-02~2026-03-01", // Sunday
			"L1|2026-04@2026-04-01",
			"L1|2026-05@2026-05-06~2026-05-01", // 劳动节
			"L1|2026-06@2026-06-01",
			"L1|2026-07@2026-07-01",
			"L1|2026-08@2026-08-03~2026-08-01", // Saturday
			"L1|2026-09@2026-09-01",
			"L1|2026-10@2026-10-08~2026-10-01", // 国庆
			"L1|2026-11@2026-11-02~2026-11-01", // Sunday
			"L1|2026-12@2026-12-01"}},
		{"weekly on Saturdays over 春节: 调休 Saturdays stay", "2026-02-07", "2026-03-13", []Line{line(FreqWeekly, 1)}, Seasons{}, []string{
			"L1|2026-W06@2026-02-09~2026-02-07", // an ordinary Saturday → Monday
			"L1|2026-W07@2026-02-14",            // 调休上班
			"L1|2026-W08@2026-02-24~2026-02-21", // 春节 → the first working day after it
			"L1|2026-W09@2026-02-28",            // 调休上班
			"L1|2026-W10@2026-03-09~2026-03-07"}},
		{"weekly on Saturdays over 中秋 and 国庆", "2026-09-19", "2026-10-16", []Line{line(FreqWeekly, 1)}, Seasons{}, []string{
			"L1|2026-W38@2026-09-20~2026-09-19", // to the 调休 Sunday
			"L1|2026-W39@2026-09-28~2026-09-26", // 中秋
			"L1|2026-W40@2026-10-08~2026-10-03", // 国庆
			"L1|2026-W41@2026-10-10"}},          // 调休上班
		{"no working day left in the window: back to the previous working day", "2026-09-19", "2026-10-07", []Line{line(FreqMonthly, 2)}, Seasons{}, []string{
			"L1|2026-09@2026-09-20~2026-09-19",
			"L1|2026-09#2@2026-09-30~2026-10-04"}}, // 10-05..07 are 国庆, the contract ends 10-07
		{"no working day in the window at all: stays", "2026-10-03", "2026-10-05", []Line{line(FreqMonthly, 1)}, Seasons{}, []string{
			"L1|2026-10@2026-10-03"}},
		{"a move never leaves the window: a weekend at the end of the week goes back to Friday", "2026-01-05", "2026-01-11", []Line{line(FreqWeekly, 7)}, Seasons{}, []string{
			"L1|2026-W02@2026-01-05", "L1|2026-W02#2@2026-01-06", "L1|2026-W02#3@2026-01-07", "L1|2026-W02#4@2026-01-08",
			"L1|2026-W02#5@2026-01-09",
			"L1|2026-W02#6@2026-01-09~2026-01-10", // two visits may share a day; the keys differ
			"L1|2026-W02#7@2026-01-09~2026-01-11"}},
		{"a start on a Saturday moves into the next month when its period runs there", "2026-01-31", "2026-03-31", []Line{line(FreqMonthly, 1)}, Seasons{}, []string{
			"L1|2026-01@2026-02-02~2026-01-31", // the period is 01-31..02-27
			"L1|2026-02@2026-02-28",            // 调休上班 Saturday
			"L1|2026-03@2026-03-31"}},
		{"seasonal 14 days ahead: 05-01 劳动节 → 05-06, before the season", "2026-01-01", "2026-12-31", []Line{seasonal(1)},
			Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.November, 15}, LeadDays: 14}, []string{
				"S|2026-cooling@2026-05-06~2026-05-01",
				"S|2026-heating@2026-11-02~2026-11-01"}},
		{"seasonal, default seasons: 04-30 and 10-31 (Saturday)", "2026-01-01", "2026-12-31", []Line{seasonal(1)}, Seasons{}, []string{
			"S|2026-cooling@2026-04-30",
			"S|2026-heating@2026-11-02~2026-10-31"}},
		{"seasonal the day before a Sunday season start: no working day up to the season, stays", "2026-01-01", "2026-12-31", []Line{seasonal(1)},
			Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.November, 15}, LeadDays: 1}, []string{
				"S|2026-cooling@2026-05-14",
				"S|2026-heating@2026-11-14"}}, // Saturday; 11-15 is a Sunday
		{"seasonal on a working day: nothing to move; the second visit falls in 国庆 and goes back to 09-30", "2026-01-01", "2026-12-31", []Line{seasonal(2)},
			Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.October, 7}, LeadDays: 8}, []string{
				"S|2026-cooling@2026-05-07",
				"S|2026-cooling#2@2026-05-11", // 05-07 + 4
				"S|2026-heating@2026-09-29",
				"S|2026-heating#2@2026-09-30~2026-10-03"}}, // window 09-29..10-07, nothing after 10-03 works
		{"seasonal window all holiday: stays", "2026-01-01", "2026-12-31", []Line{seasonal(1)},
			Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.October, 7}, LeadDays: 3}, []string{
				"S|2026-cooling@2026-05-12",
				"S|2026-heating@2026-10-04"}}, // window 10-04..10-07
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := contract(t, tt.start, tt.end, tt.lines...)
			opt := Options{Calendar: cal, Seasons: tt.seasons}
			got := mustGenerate(t, c, opt)
			if !slices.Equal(brief(got), tt.want) {
				t.Errorf("got  %v\nwant %v", brief(got), tt.want)
			}
			checkInvariants(t, c, opt, got)
			// The calendar moves days, never keys or windows.
			plain := mustGenerate(t, c, Options{Seasons: tt.seasons})
			if !slices.Equal(sorted(keys(plain)), sorted(keys(got))) {
				t.Errorf("keys differ with the calendar: %v vs %v", keys(plain), keys(got))
			}
		})
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
