package schedule

import (
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

var (
	fuzzFrequencies = []string{FreqNone, FreqOnce, FreqWeekly, FreqMonthly, FreqQuarterly, FreqHalfYearly, FreqYearly, FreqSeasonal, FreqOnDemand, "daily"}
	fuzzTypes       = []string{TypeInspection, TypeSeasonal, TypeRepair, TypeConstruction, TypeOther, "cleaning"}
	fuzzFirstDay    = calendar.NewDate(1, time.January, 1)
	fuzzDays        = int64(calendar.NewDate(9999, time.December, 31).Sub(fuzzFirstDay) + 1) // 0001-01-01..9999-12-31
	fuzzMaxLength   = int32(MaxYears*366 + 60)                                               // a little over the limit
)

func wrapInt(v, n int64) int64 { return (v%n + n) % n }

// fuzzContract builds a contract and options from fuzzed values; some of them
// are invalid on purpose (a negative length, more than 30 years, a bad line id,
// frequency, service type or times, bad seasons, a bad once lead).
func fuzzContract(startDay int64, length int32, lines []byte, seasons uint32, onceAfter int16) (Contract, Options) {
	start := fuzzFirstDay.AddDays(int(wrapInt(startDay, fuzzDays)))
	c := Contract{Start: start, End: start.AddDays(int(wrapInt(int64(length), int64(fuzzMaxLength))) - 5)}
	for i := 0; i+3 <= len(lines) && i/3 < 6; i += 3 {
		l := Line{
			ID:          "L" + strconv.Itoa(i/3),
			Frequency:   fuzzFrequencies[int(lines[i])%len(fuzzFrequencies)],
			Times:       int(lines[i+1] % 40), // 32..39: too many, then made negative below
			ServiceType: fuzzTypes[int(lines[i+2])%len(fuzzTypes)],
			Equipment:   "设备 " + strconv.Itoa(int(lines[i+1])),
		}
		if l.Times >= 36 {
			l.Times = 35 - l.Times
		}
		switch lines[i+2] / 6 % 32 {
		case 28:
			l.ID = ""
		case 29:
			l.ID = "a|b"
		case 30:
			l.ID = "L0" // a duplicate, unless it is the first line
		case 31:
			l.ID = "x#1"
		}
		c.Lines = append(c.Lines, l)
	}
	var opt Options
	if seasons != 0 {
		opt.Seasons = Seasons{
			Cooling:  MonthDay{time.Month(seasons & 15 % 13), int(seasons >> 4 & 31)},
			Heating:  MonthDay{time.Month(seasons >> 9 & 15 % 13), int(seasons >> 13 & 31)},
			LeadDays: int(seasons>>18&127) - 5,
		}
	}
	opt.OnceAfterDays = int(wrapInt(int64(onceAfter), 405)) - 3
	return c, opt
}

// wantInvalid is the field Generate must report for c and opt, or "" when the
// input is valid; it restates the documented limits independently.
func wantInvalid(c Contract, opt Options) string {
	switch {
	case c.Start.Year < 1 || c.Start.Year > 9999:
		return "start_on"
	case c.End.Year < 1 || c.End.Year > 9999 || c.End.Before(c.Start):
		return "end_on"
	}
	// 30 years from the start, on the start's day or the last day of its month.
	y, m := c.Start.Year+MaxYears, c.Start.Month
	last := time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
	if !c.End.Before(calendar.NewDate(y, m, min(c.Start.Day, last))) {
		return "end_on"
	}
	seen := map[string]bool{}
	for i, l := range c.Lines {
		field := "scope[" + strconv.Itoa(i) + "]."
		switch {
		case l.ID == "" || l.ID == "a|b" || l.ID == "x#1" || seen[l.ID]:
			return field + "id"
		case l.ServiceType == "cleaning":
			return field + "service_type"
		case l.Frequency == "daily":
			return field + "frequency"
		case l.Times < 0 || l.Times > 31 || l.Frequency == FreqWeekly && l.Times > 7:
			return field + "times"
		}
		seen[l.ID] = true
	}
	if s := opt.Seasons; s != (Seasons{}) {
		everyYear := func(md MonthDay) bool {
			return md.Month >= 1 && md.Month <= 12 && md.Day >= 1 && md.Day <= time.Date(2001, md.Month+1, 0, 12, 0, 0, 0, time.UTC).Day()
		}
		switch {
		case !everyYear(s.Cooling):
			return "seasons.cooling_start"
		case !everyYear(s.Heating) || s.Heating == s.Cooling:
			return "seasons.heating_start"
		case s.LeadDays < 0 || s.LeadDays > 90:
			return "seasons.lead_days"
		}
	}
	if opt.OnceAfterDays < 0 || opt.OnceAfterDays > 366 {
		return "once_after_days"
	}
	return ""
}

// FuzzGenerate checks the plan's invariants on contracts built from fuzzed
// values, valid and invalid:
//
//	go test ./internal/schedule -run XXX -fuzz FuzzGenerate -fuzztime 60s
func FuzzGenerate(f *testing.F) {
	cal := office(f)
	day := func(s string) int64 { return int64(d(f, s).Sub(fuzzFirstDay)) }
	span := func(from, to string) int32 { return int32(d(f, to).Sub(d(f, from)) + 5) }
	// Lines are 3 bytes: frequency index, times, service type index (+ 6·28..31
	// for a bad or duplicate id).
	all := []byte{3, 1, 0, 7, 1, 1, 4, 1, 4, 2, 1, 3, 8, 1, 2, 1, 2, 0} // monthly, seasonal, quarterly, weekly, on-demand repair, once ×2
	beijing := uint32(5 | 15<<4 | 11<<9 | 15<<13 | 20<<18)              // 05-15, 11-15, 15 days ahead
	for _, s := range []struct {
		start, end string
		extend     uint16
		lines      []byte
		seasons    uint32
		onceAfter  int16
		cal        bool
	}{
		{"2026-01-01", "2026-12-31", 90, all, 0, 3, true},
		{"2026-03-20", "2027-03-19", 400, []byte{3, 3, 0, 7, 4, 1}, 0, 13, true},
		{"2028-02-29", "2031-02-28", 1, []byte{6, 4, 0, 5, 2, 4}, 0, 3, false},
		{"2026-01-31", "2026-03-30", 31, []byte{3, 31, 0, 2, 7, 0}, 0, 3, true},
		{"2026-09-19", "2026-10-07", 7, []byte{3, 4, 0, 1, 31, 3}, 0, 33, true}, // 国庆; once lead past the end
		{"2026-05-16", "2027-05-15", 0, []byte{7, 3, 1}, beijing, 3, true},
		{"2026-01-01", "2055-12-31", 0, []byte{2, 7, 0}, 0, 3, false}, // 30 years, weekly ×7
		{"0001-01-01", "0002-01-31", 3, all, 0, 3, false},             // the first year
		{"9999-06-01", "9999-12-31", 300, []byte{2, 2, 0, 7, 2, 1}, 0, 3, false},
		{"2026-01-01", "2026-12-31", 3, nil, 0, 3, true},
		// Invalid.
		{"2026-01-01", "2056-01-01", 0, []byte{2, 7, 0}, 0, 3, false},
		{"2026-01-01", "2025-12-31", 3, all, 0, 3, true},
		{"2026-01-01", "2026-12-31", 3, []byte{3, 1, 0, 9, 1, 0}, 0, 3, true},   // unknown frequency
		{"2026-01-01", "2026-12-31", 3, []byte{3, 1, 5}, 0, 3, true},            // unknown type
		{"2026-01-01", "2026-12-31", 3, []byte{3, 1, 0, 3, 1, 180}, 0, 3, true}, // duplicate id
		{"2026-01-01", "2026-12-31", 3, []byte{3, 38, 0}, 0, 3, true},           // negative times
		{"2026-01-01", "2026-12-31", 3, []byte{2, 8, 0}, 0, 3, true},            // 8 a week
		{"2026-01-01", "2026-12-31", 3, []byte{3, 1, 0}, 2 | 29<<4 | 11<<9 | 15<<13, 3, true},
		{"2026-01-01", "2026-12-31", 3, []byte{1, 1, 0}, 0, -1, true}, // once lead -1
	} {
		f.Add(day(s.start), span(s.start, s.end), s.extend, s.lines, s.seasons, s.onceAfter+3, s.cal)
	}
	f.Fuzz(func(t *testing.T, startDay int64, length int32, extend uint16, lines []byte, seasons uint32, onceAfter int16, useCal bool) {
		c, opt := fuzzContract(startDay, length, lines, seasons, onceAfter)
		if useCal {
			opt.Calendar = cal
		}
		plan, err := Generate(c, opt)
		if field := wantInvalid(c, opt); field != "" {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Field != field || e.Message == "" || plan != nil {
				t.Fatalf("%v..%v %+v %+v: err = %v, %d occurrences; want invalid %s", c.Start, c.End, c.Lines, opt.Seasons, err, len(plan), field)
			}
			return
		}
		if err != nil {
			t.Fatalf("%v..%v %+v %+v: %v", c.Start, c.End, c.Lines, opt.Seasons, err)
		}
		checkInvariants(t, c, opt, plan)

		again, err := Generate(c, opt)
		if err != nil || !slices.Equal(again, plan) {
			t.Fatalf("not deterministic: %v\n%v\n%v", err, brief(plan), brief(again))
		}

		// The calendar moves days, never keys, nominal days or windows.
		if opt.Calendar != nil {
			plain := opt
			plain.Calendar = nil
			byKey := map[string]Occurrence{}
			for _, o := range mustGenerate(t, c, plain) {
				byKey[o.Key] = o
			}
			for _, o := range plan {
				p, ok := byKey[o.Key]
				if !ok || p.Nominal != o.Nominal || p.Window != o.Window {
					t.Fatalf("%s: with the calendar %+v, without %+v", o.Key, o, p)
				}
				delete(byKey, o.Key)
			}
			if len(byKey) != 0 {
				t.Fatalf("%d keys only without the calendar", len(byKey))
			}
		}

		// Regenerating against what was stored from the plan changes nothing,
		// whatever the rows' statuses.
		status := map[string]Status{}
		for i, o := range plan {
			switch i % 4 {
			case 1:
				status[o.Key] = StatusDone
			case 2:
				status[o.Key] = StatusDispatched
			}
		}
		for _, rows := range [][]Existing{stored(plan, nil), stored(plan, status)} {
			add, keep, cancel := Diff(rows, plan)
			if len(add) != 0 || len(cancel) != 0 || !slices.Equal(keep, plan) {
				t.Fatalf("Diff against itself: add %v, cancel %v, keep %d of %d", keys(add), existingKeys(cancel), len(keep), len(plan))
			}
		}

		// A longer contract keeps every key of the shorter one: extending adds
		// only, shortening cancels only, and never a dispatched or done row.
		long := c
		long.End = c.End.AddDays(int(extend))
		if wantInvalid(long, opt) != "" {
			return
		}
		longPlan := mustGenerate(t, long, opt)
		add, keep, cancel := Diff(stored(plan, status), longPlan)
		checkDiff(t, stored(plan, status), longPlan, add, keep, cancel)
		if len(cancel) != 0 || !slices.Equal(sorted(keys(keep)), sorted(keys(plan))) {
			t.Fatalf("extended to %v: cancel %v, kept %d of %d", long.End, existingKeys(cancel), len(keep), len(plan))
		}
		freq := map[string]string{}
		for _, l := range c.Lines {
			freq[l.ID] = l.Frequency
		}
		for _, o := range add {
			// What is added lies after the old end; a seasonal visit may start
			// before it when its season starts after it.
			if !o.Nominal.After(c.End) && (freq[o.LineID] != FreqSeasonal || !o.Window.To.After(c.End)) {
				t.Fatalf("extended to %v: added %s on %v, within the old contract", long.End, o.Key, o.Nominal)
			}
		}
		// Shortening back: the rows of the longer plan beyond the shorter one are
		// cancelled unless dispatched or done (some are, ahead of time).
		longStatus := maps.Clone(status)
		inPlan := map[string]bool{}
		for _, o := range plan {
			inPlan[o.Key] = true
		}
		wantCancel := 0
		for i, o := range longPlan {
			switch {
			case inPlan[o.Key]:
			case i%3 == 1:
				longStatus[o.Key] = StatusDispatched
			case i%3 == 2:
				longStatus[o.Key] = StatusDone
			default:
				wantCancel++
			}
		}
		add, keep, cancel = Diff(stored(longPlan, longStatus), plan)
		checkDiff(t, stored(longPlan, longStatus), plan, add, keep, cancel)
		if len(add) != 0 || !slices.Equal(keep, plan) || len(cancel) != wantCancel {
			t.Fatalf("shortened to %v: add %v, keep %d of %d, cancel %d, want %d", c.End, keys(add), len(keep), len(plan), len(cancel), wantCancel)
		}
	})
}

// countDoneOrDispatchedAfter counts the occurrences of long not in short whose
// status is done or dispatched (they are not cancelled).
func countDoneOrDispatchedAfter(long, short []Occurrence, status map[string]Status) int {
	in := map[string]bool{}
	for _, o := range short {
		in[o.Key] = true
	}
	n := 0
	for _, o := range long {
		if s := status[o.Key]; !in[o.Key] && (s == StatusDone || s == StatusDispatched) {
			n++
		}
	}
	return n
}
