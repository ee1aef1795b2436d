package schedule

import (
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		lines      []Line
		opt        Options
		want       []string
	}{
		{"monthly, calendar year", "2026-01-01", "2026-12-31", []Line{line(FreqMonthly, 1)}, Options{}, []string{
			"L1|2026-01@2026-01-01", "L1|2026-02@2026-02-01", "L1|2026-03@2026-03-01", "L1|2026-04@2026-04-01",
			"L1|2026-05@2026-05-01", "L1|2026-06@2026-06-01", "L1|2026-07@2026-07-01", "L1|2026-08@2026-08-01",
			"L1|2026-09@2026-09-01", "L1|2026-10@2026-10-01", "L1|2026-11@2026-11-01", "L1|2026-12@2026-12-01"}},
		{"monthly from the 31st, leap year: Feb 29, the day never drifts", "2028-01-31", "2028-06-30", []Line{line(FreqMonthly, 0)}, Options{}, []string{
			"L1|2028-01@2028-01-31", "L1|2028-02@2028-02-29", "L1|2028-03@2028-03-31", "L1|2028-04@2028-04-30",
			"L1|2028-05@2028-05-31", "L1|2028-06@2028-06-30"}}, // the last day is in the contract: a visit
		{"monthly from the 31st, common year: Feb 28", "2026-01-31", "2026-03-31", []Line{line(FreqMonthly, 1)}, Options{}, []string{
			"L1|2026-01@2026-01-31", "L1|2026-02@2026-02-28", "L1|2026-03@2026-03-31"}},
		{"monthly from Feb 29: the 29th afterwards, Feb 28 in common years", "2028-02-29", "2029-03-28", []Line{line(FreqMonthly, 1)}, Options{}, []string{
			"L1|2028-02@2028-02-29", "L1|2028-03@2028-03-29", "L1|2028-04@2028-04-29", "L1|2028-05@2028-05-29",
			"L1|2028-06@2028-06-29", "L1|2028-07@2028-07-29", "L1|2028-08@2028-08-29", "L1|2028-09@2028-09-29",
			"L1|2028-10@2028-10-29", "L1|2028-11@2028-11-29", "L1|2028-12@2028-12-29", "L1|2029-01@2029-01-29",
			"L1|2029-02@2029-02-28"}},
		{"monthly mid-month, one year: 12, not 13", "2026-03-20", "2027-03-19", []Line{line(FreqMonthly, 1)}, Options{}, []string{
			"L1|2026-03@2026-03-20", "L1|2026-04@2026-04-20", "L1|2026-05@2026-05-20", "L1|2026-06@2026-06-20",
			"L1|2026-07@2026-07-20", "L1|2026-08@2026-08-20", "L1|2026-09@2026-09-20", "L1|2026-10@2026-10-20",
			"L1|2026-11@2026-11-20", "L1|2026-12@2026-12-20", "L1|2027-01@2027-01-20", "L1|2027-02@2027-02-20"}},
		{"monthly twice: spread over each month", "2026-04-01", "2026-05-31", []Line{line(FreqMonthly, 2)}, Options{}, []string{
			"L1|2026-04@2026-04-01", "L1|2026-04#2@2026-04-16", "L1|2026-05@2026-05-01", "L1|2026-05#2@2026-05-16"}},
		{"monthly three times, contract cut short: the visit after the end is dropped", "2026-04-01", "2026-04-20", []Line{line(FreqMonthly, 3)}, Options{}, []string{
			"L1|2026-04@2026-04-01", "L1|2026-04#2@2026-04-11"}},
		{"one-day contract", "2026-07-15", "2026-07-15", []Line{line(FreqMonthly, 2), {ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, []string{
			"L1|2026-07@2026-07-15"}},
		{"quarterly from mid-February", "2026-02-15", "2027-02-14", []Line{line(FreqQuarterly, 1)}, Options{}, []string{
			"L1|2026Q1@2026-02-15", "L1|2026Q2@2026-05-15", "L1|2026Q3@2026-08-15", "L1|2026Q4@2026-11-15"}},
		{"quarterly three times = monthly-ish", "2026-01-01", "2026-03-31", []Line{line(FreqQuarterly, 3)}, Options{}, []string{
			"L1|2026Q1@2026-01-01", "L1|2026Q1#2@2026-01-31", "L1|2026Q1#3@2026-03-02"}},
		{"half-yearly over two years", "2026-01-01", "2027-12-31", []Line{line(FreqHalfYearly, 1)}, Options{}, []string{
			"L1|2026H1@2026-01-01", "L1|2026H2@2026-07-01", "L1|2027H1@2027-01-01", "L1|2027H2@2027-07-01"}},
		{"half-yearly from August: labels by the half the period begins in", "2026-08-10", "2027-08-09", []Line{line(FreqHalfYearly, 1)}, Options{}, []string{
			"L1|2026H2@2026-08-10", "L1|2027H1@2027-02-10"}},
		{"yearly over three years from July", "2026-07-01", "2029-06-30", []Line{line(FreqYearly, 1)}, Options{}, []string{
			"L1|2026@2026-07-01", "L1|2027@2027-07-01", "L1|2028@2028-07-01"}},
		{"yearly twice", "2026-01-01", "2026-12-31", []Line{line(FreqYearly, 2)}, Options{}, []string{
			"L1|2026@2026-01-01", "L1|2026#2@2026-07-02"}},
		{"weekly from a Monday", "2026-01-05", "2026-01-31", []Line{line(FreqWeekly, 1)}, Options{}, []string{
			"L1|2026-W02@2026-01-05", "L1|2026-W03@2026-01-12", "L1|2026-W04@2026-01-19", "L1|2026-W05@2026-01-26"}},
		{"weekly across the year: ISO weeks (2026 has 53; 2025-12-29 is 2026-W01)", "2025-12-29", "2026-01-11", []Line{line(FreqWeekly, 1)}, Options{}, []string{
			"L1|2026-W01@2025-12-29", "L1|2026-W02@2026-01-05"}},
		{"weekly across 2026/2027", "2026-12-28", "2027-01-10", []Line{line(FreqWeekly, 1)}, Options{}, []string{
			"L1|2026-W53@2026-12-28", "L1|2027-W01@2027-01-04"}},
		{"weekly from a Thursday: the week label is the visit's", "2026-01-01", "2026-01-14", []Line{line(FreqWeekly, 1)}, Options{}, []string{
			"L1|2026-W01@2026-01-01", "L1|2026-W02@2026-01-08"}},
		{"weekly twice", "2026-01-05", "2026-01-11", []Line{line(FreqWeekly, 2)}, Options{}, []string{
			"L1|2026-W02@2026-01-05", "L1|2026-W02#2@2026-01-08"}},
		{"once, on the start", "2026-03-01", "2027-02-28", []Line{line(FreqOnce, 0)}, Options{}, []string{"L1|once@2026-03-01"}},
		{"once, ten days in", "2026-03-01", "2027-02-28", []Line{line(FreqOnce, 1)}, Options{OnceAfterDays: 10}, []string{"L1|once@2026-03-11"}},
		{"once, lead beyond a short contract: on the last day", "2026-03-01", "2026-03-05", []Line{line(FreqOnce, 1)}, Options{OnceAfterDays: 10}, []string{"L1|once@2026-03-05"}},
		{"once twice: spread over the contract", "2026-03-01", "2027-02-28", []Line{line(FreqOnce, 2)}, Options{}, []string{"L1|once@2026-03-01", "L1|once#2@2026-08-30"}},
		{"seasonal, calendar year, Beijing defaults", "2026-01-01", "2026-12-31", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, []string{
			"S|2026-cooling@2026-04-30", "S|2026-heating@2026-10-31"}},
		{"seasonal: a season starting just after the contract start is planned on the start", "2026-05-10", "2027-05-09", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, []string{
			"S|2026-cooling@2026-05-10", "S|2026-heating@2026-10-31"}},
		{"seasonal: a season starting on the contract start", "2026-05-15", "2027-05-14", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, []string{
			"S|2026-cooling@2026-05-15", "S|2026-heating@2026-10-31"}},
		{"seasonal: a season starting on the contract end", "2026-05-16", "2027-05-15", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, []string{
			"S|2026-heating@2026-10-31", "S|2027-cooling@2027-04-30"}},
		{"seasonal: a season starting after the contract end is not planned, even when its lead falls inside", "2026-01-01", "2026-05-14", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, nil},
		{"seasonal across years", "2026-11-01", "2028-10-31", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}}, Options{}, []string{
			"S|2026-heating@2026-11-01", "S|2027-cooling@2027-04-30", "S|2027-heating@2027-10-31", "S|2028-cooling@2028-04-30"}},
		{"seasonal, own seasons, no lead, twice", "2026-01-01", "2026-12-31", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal, Times: 2}},
			Options{Seasons: Seasons{Cooling: MonthDay{time.June, 1}, Heating: MonthDay{time.December, 1}}}, []string{
				"S|2026-cooling@2026-06-01", "S|2026-cooling#2@2026-06-01", "S|2026-heating@2026-12-01", "S|2026-heating#2@2026-12-01"}},
		{"seasonal twice, 15 days ahead: spread over the 16-day window", "2026-01-01", "2026-12-31", []Line{{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal, Times: 2}}, Options{}, []string{
			"S|2026-cooling@2026-04-30", "S|2026-cooling#2@2026-05-08", "S|2026-heating@2026-10-31", "S|2026-heating#2@2026-11-08"}},
		{"inspection before each season: the frequency decides, the type is copied", "2026-01-01", "2026-12-31", []Line{{ID: "I", ServiceType: TypeInspection, Frequency: FreqSeasonal}}, Options{}, []string{
			"I|2026-cooling@2026-04-30", "I|2026-heating@2026-10-31"}},
		{"nothing for on_demand, unstated frequency and repair", "2026-01-01", "2026-12-31", []Line{
			{ID: "A", ServiceType: TypeInspection, Frequency: FreqOnDemand, Times: 3},
			{ID: "B", ServiceType: TypeConstruction, Frequency: FreqNone},
			{ID: "C", ServiceType: TypeRepair, Frequency: FreqMonthly},
			{ID: "D", ServiceType: TypeRepair, Frequency: FreqOnce}}, Options{}, nil},
		{"several lines: sorted by day, then key", "2026-01-01", "2026-03-31", []Line{
			{ID: "Q", ServiceType: TypeOther, Frequency: FreqQuarterly},
			{ID: "M", ServiceType: TypeInspection, Frequency: FreqMonthly},
			{ID: "C", ServiceType: TypeConstruction, Frequency: FreqOnce, Times: 1}}, Options{}, []string{
			"C|once@2026-01-01", "M|2026-01@2026-01-01", "Q|2026Q1@2026-01-01", "M|2026-02@2026-02-01", "M|2026-03@2026-03-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := contract(t, tt.start, tt.end, tt.lines...)
			got := mustGenerate(t, c, tt.opt)
			if !slices.Equal(brief(got), tt.want) {
				t.Errorf("got  %v\nwant %v", brief(got), tt.want)
			}
			checkInvariants(t, c, tt.opt, got)
		})
	}
}

// A one-year contract from any day plans 12 monthly, 4 quarterly, 2 half-yearly,
// 1 yearly and 2 seasonal visits.
func TestGenerateOneYearCounts(t *testing.T) {
	lines := []Line{
		{ID: "M", ServiceType: TypeInspection, Frequency: FreqMonthly},
		{ID: "Q", ServiceType: TypeInspection, Frequency: FreqQuarterly},
		{ID: "H", ServiceType: TypeInspection, Frequency: FreqHalfYearly},
		{ID: "Y", ServiceType: TypeInspection, Frequency: FreqYearly},
		{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal},
	}
	want := map[string]int{"M": 12, "Q": 4, "H": 2, "Y": 1, "S": 2}
	start := d(t, "2027-01-01")
	for i := range 731 { // two years of start days, a leap day among them
		s := start.AddDays(i)
		c := Contract{Start: s, End: addMonths(s, 12, s.Day).AddDays(-1), Lines: lines}
		got := map[string]int{}
		for _, o := range mustGenerate(t, c, Options{}) {
			got[o.LineID]++
		}
		for id, n := range want {
			if got[id] != n {
				t.Errorf("contract %v..%v: %s has %d visits, want %d", c.Start, c.End, id, got[id], n)
			}
		}
	}
}

func TestGenerateWindows(t *testing.T) {
	c := contract(t, "2026-01-31", "2026-04-15", line(FreqMonthly, 1), Line{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal},
		Line{ID: "O", ServiceType: TypeConstruction, Frequency: FreqOnce})
	got := mustGenerate(t, c, Options{Seasons: Seasons{Cooling: MonthDay{time.April, 10}, Heating: MonthDay{time.October, 10}, LeadDays: 80}})
	want := map[string]Window{
		"L1|2026-01":     {d(t, "2026-01-31"), d(t, "2026-02-27")},
		"L1|2026-02":     {d(t, "2026-02-28"), d(t, "2026-03-30")},
		"L1|2026-03":     {d(t, "2026-03-31"), d(t, "2026-04-15")}, // cut at the contract end
		"S|2026-cooling": {d(t, "2026-01-31"), d(t, "2026-04-10")}, // cut at the contract start
		"O|once":         {d(t, "2026-01-31"), d(t, "2026-04-15")},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", brief(got))
	}
	for _, o := range got {
		if w, ok := want[o.Key]; !ok || o.Window != w {
			t.Errorf("%s: window %v..%v, want %v..%v", o.Key, o.Window.From, o.Window.To, w.From, w.To)
		}
		if o.Equipment == "" && o.LineID == "L1" {
			t.Errorf("%s: equipment not copied", o.Key)
		}
	}
}

func TestGenerateInvalid(t *testing.T) {
	ok := line(FreqMonthly, 1)
	tests := []struct {
		name  string
		c     Contract
		opt   Options
		field string
	}{
		{"end before start", contract(t, "2026-02-01", "2026-01-31", ok), Options{}, "end_on"},
		{"no start", Contract{End: d(t, "2026-01-31")}, Options{}, "start_on"},
		{"no end", Contract{Start: d(t, "2026-01-31")}, Options{}, "end_on"},
		{"Feb 30", Contract{Start: d(t, "2026-01-01"), End: calendarDate(2026, 2, 30)}, Options{}, "end_on"},
		{"longer than 30 years", contract(t, "2026-01-01", "2056-01-01", ok), Options{}, "end_on"},
		{"empty line id", contract(t, "2026-01-01", "2026-12-31", Line{ServiceType: TypeInspection, Frequency: FreqMonthly}), Options{}, "scope[0].id"},
		{"line id with |", contract(t, "2026-01-01", "2026-12-31", ok, Line{ID: "a|b", ServiceType: TypeInspection}), Options{}, "scope[1].id"},
		{"line id with #", contract(t, "2026-01-01", "2026-12-31", Line{ID: "a#b", ServiceType: TypeInspection}), Options{}, "scope[0].id"},
		{"duplicate line id", contract(t, "2026-01-01", "2026-12-31", ok, ok), Options{}, "scope[1].id"},
		{"unknown frequency", contract(t, "2026-01-01", "2026-12-31", line("daily", 1)), Options{}, "scope[0].frequency"},
		{"unknown service type", contract(t, "2026-01-01", "2026-12-31", Line{ID: "x", ServiceType: "cleaning", Frequency: FreqMonthly}), Options{}, "scope[0].service_type"},
		{"negative times", contract(t, "2026-01-01", "2026-12-31", line(FreqMonthly, -1)), Options{}, "scope[0].times"},
		{"too many times", contract(t, "2026-01-01", "2026-12-31", line(FreqMonthly, MaxTimes+1)), Options{}, "scope[0].times"},
		{"eight times a week", contract(t, "2026-01-01", "2026-12-31", line(FreqWeekly, 8)), Options{}, "scope[0].times"},
		{"cooling season on Feb 29", contract(t, "2026-01-01", "2026-12-31", ok), Options{Seasons: Seasons{Cooling: MonthDay{time.February, 29}, Heating: MonthDay{time.November, 15}}}, "seasons.cooling_start"},
		{"heating season on 13-01", contract(t, "2026-01-01", "2026-12-31", ok), Options{Seasons: Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{13, 1}}}, "seasons.heating_start"},
		{"both seasons on one day", contract(t, "2026-01-01", "2026-12-31", ok), Options{Seasons: Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.May, 15}}}, "seasons.heating_start"},
		{"lead too long", contract(t, "2026-01-01", "2026-12-31", ok), Options{Seasons: Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.November, 15}, LeadDays: MaxLeadDays + 1}}, "seasons.lead_days"},
		{"negative lead", contract(t, "2026-01-01", "2026-12-31", ok), Options{Seasons: Seasons{Cooling: MonthDay{time.May, 15}, Heating: MonthDay{time.November, 15}, LeadDays: -1}}, "seasons.lead_days"},
		{"negative once lead", contract(t, "2026-01-01", "2026-12-31", ok), Options{OnceAfterDays: -1}, "once_after_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Generate(tt.c, tt.opt)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Field != tt.field || e.Message == "" {
				t.Fatalf("err = %v (%d occurrences), want invalid %s", err, len(got), tt.field)
			}
			if got != nil {
				t.Errorf("occurrences with an error: %v", brief(got))
			}
		})
	}
	// The limits themselves are accepted.
	for _, c := range []Contract{
		contract(t, "2026-01-01", "2055-12-31", line(FreqMonthly, MaxTimes)),
		contract(t, "2026-01-01", "2026-12-31", line(FreqWeekly, MaxWeeklyTimes)),
	} {
		if _, err := Generate(c, Options{OnceAfterDays: 366, Seasons: Seasons{Cooling: MonthDay{time.March, 1}, Heating: MonthDay{time.February, 28}, LeadDays: MaxLeadDays}}); err != nil {
			t.Errorf("%v..%v: %v", c.Start, c.End, err)
		}
	}
}

func TestMonthDay(t *testing.T) {
	for _, s := range []string{"05-15", "11-15", "01-01", "12-31", "02-28"} {
		md, err := ParseMonthDay(s)
		if err != nil || md.String() != s {
			t.Errorf("ParseMonthDay(%q) = %v, %v", s, md, err)
		}
		b, err := md.MarshalText()
		var back MonthDay
		if err != nil || back.UnmarshalText(b) != nil || back != md {
			t.Errorf("%q does not round-trip: %s, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "5-15", "05/15", "02-29", "13-01", "00-10", "04-31", "05-00", "0a-15", "05-15 ", "+5-15"} {
		if md, err := ParseMonthDay(s); err == nil {
			t.Errorf("ParseMonthDay(%q) = %v, want an error", s, md)
		}
	}
	if _, err := (MonthDay{time.February, 29}).MarshalText(); err == nil {
		t.Error("02-29 marshalled")
	}
	if err := DefaultSeasons().Validate(); err != nil {
		t.Error(err)
	}
}
