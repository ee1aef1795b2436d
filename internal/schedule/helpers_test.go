package schedule

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"kefu/internal/calendar"
)

func d(tb testing.TB, s string) calendar.Date {
	tb.Helper()
	v, err := calendar.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// office is the company calendar of the calendar package's tests: Asia/Shanghai,
// Monday–Friday, PRC holidays and 调休 working weekends 2024–2027.
func office(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := calendar.New(calendar.Config{Location: loc, Overrides: calendar.PRCHolidays(2024, 2027)})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func contract(tb testing.TB, start, end string, lines ...Line) Contract {
	return Contract{Start: d(tb, start), End: d(tb, end), Lines: lines}
}

func line(freq string, times int) Line {
	return Line{ID: "L1", ServiceType: TypeInspection, Frequency: freq, Times: times, Equipment: "1# 冷水机组"}
}

// brief renders occurrences as "key@date" (and "~nominal" when moved), one per
// element, for readable table tests.
func brief(os []Occurrence) []string {
	out := make([]string, 0, len(os))
	for _, o := range os {
		s := o.Key + "@" + o.Date.String()
		if o.Date != o.Nominal {
			s += "~" + o.Nominal.String()
		}
		out = append(out, s)
	}
	return out
}

func keys(os []Occurrence) []string {
	out := make([]string, 0, len(os))
	for _, o := range os {
		out = append(out, o.Key)
	}
	return out
}

func existingKeys(es []Existing) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Key)
	}
	return out
}

func mustGenerate(tb testing.TB, c Contract, opt Options) []Occurrence {
	tb.Helper()
	os, err := Generate(c, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return os
}

func join(ss []string) string { return strings.Join(ss, " ") }

// checkInvariants checks what every plan must satisfy whatever the input.
func checkInvariants(tb testing.TB, c Contract, opt Options, os []Occurrence) {
	tb.Helper()
	contractW := Window{c.Start, c.End}
	seen := map[string]bool{}
	lines := map[string]Line{}
	for _, l := range c.Lines {
		lines[l.ID] = l
	}
	for i, o := range os {
		if !contractW.Contains(o.Date) || !contractW.Contains(o.Nominal) {
			tb.Fatalf("%s: %v (nominal %v) outside the contract %v..%v", o.Key, o.Date, o.Nominal, c.Start, c.End)
		}
		if !o.Window.Contains(o.Date) || !o.Window.Contains(o.Nominal) {
			tb.Fatalf("%s: %v (nominal %v) outside its window %v..%v", o.Key, o.Date, o.Nominal, o.Window.From, o.Window.To)
		}
		if !contractW.Contains(o.Window.From) || !contractW.Contains(o.Window.To) {
			tb.Fatalf("%s: window %v..%v leaves the contract", o.Key, o.Window.From, o.Window.To)
		}
		if seen[o.Key] {
			tb.Fatalf("duplicate key %s", o.Key)
		}
		seen[o.Key] = true
		want := o.LineID + "|" + o.Label
		if o.Seq > 1 {
			want += fmt.Sprintf("#%d", o.Seq)
		}
		if o.Key != want || o.Seq < 1 {
			tb.Fatalf("key %q, want %q (seq %d)", o.Key, want, o.Seq)
		}
		l, ok := lines[o.LineID]
		if !ok || l.ServiceType != o.ServiceType || l.Equipment != o.Equipment {
			tb.Fatalf("%s: line fields not copied: %+v vs %+v", o.Key, o, l)
		}
		if o.Seq > max(l.Times, 1) {
			tb.Fatalf("%s: seq %d > times %d", o.Key, o.Seq, l.Times)
		}
		if l.ServiceType == TypeRepair || l.Frequency == FreqNone || l.Frequency == FreqOnDemand {
			tb.Fatalf("%s: planned for %s/%q", o.Key, l.ServiceType, l.Frequency)
		}
		if opt.Calendar == nil && o.Date != o.Nominal {
			tb.Fatalf("%s moved without a calendar", o.Key)
		}
		if cal := opt.Calendar; cal != nil && o.Date != o.Nominal {
			if cal.IsWorkingDay(o.Nominal) || !cal.IsWorkingDay(o.Date) {
				tb.Fatalf("%s moved from %v to %v", o.Key, o.Nominal, o.Date)
			}
		}
		if i > 0 && compareOccurrence(os[i-1], o) >= 0 {
			tb.Fatalf("not sorted at %d: %s then %s", i, os[i-1].Key, o.Key)
		}
	}
}

// calendarDate builds a Date without normalising it (for invalid dates).
func calendarDate(y int, m time.Month, day int) calendar.Date {
	return calendar.Date{Year: y, Month: m, Day: day}
}
