package calendar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestPRCHolidaysSpotChecks(t *testing.T) {
	byDate := map[Date]Holiday{}
	for _, h := range PRCHolidays(2025, 2026) {
		byDate[h.Date] = h
	}
	want := []struct {
		d    string
		name string
		kind DayKind
	}{
		{"2025-01-01", "元旦节", KindHoliday},
		{"2025-01-26", "春节", KindWorkday}, {"2025-01-28", "春节", KindHoliday}, {"2025-02-04", "春节", KindHoliday}, {"2025-02-08", "春节", KindWorkday},
		{"2025-04-04", "清明节", KindHoliday},
		{"2025-04-27", "劳动节", KindWorkday}, {"2025-05-01", "劳动节", KindHoliday}, {"2025-05-05", "劳动节", KindHoliday},
		{"2025-05-31", "端午节", KindHoliday}, {"2025-06-02", "端午节", KindHoliday},
		{"2025-09-28", "国庆中秋", KindWorkday},
		{"2025-10-01", "国庆中秋", KindHoliday}, {"2025-10-02", "国庆中秋", KindHoliday}, {"2025-10-03", "国庆中秋", KindHoliday},
		{"2025-10-04", "国庆中秋", KindHoliday}, {"2025-10-05", "国庆中秋", KindHoliday}, {"2025-10-06", "国庆中秋", KindHoliday},
		{"2025-10-07", "国庆中秋", KindHoliday}, {"2025-10-08", "国庆中秋", KindHoliday},
		{"2025-10-11", "国庆中秋", KindWorkday},
		{"2026-01-01", "元旦节", KindHoliday}, {"2026-01-02", "元旦节", KindHoliday}, {"2026-01-03", "元旦节", KindHoliday}, {"2026-01-04", "元旦节", KindWorkday},
		{"2026-02-14", "春节", KindWorkday},
		{"2026-02-15", "春节", KindHoliday}, {"2026-02-16", "春节", KindHoliday}, {"2026-02-17", "春节", KindHoliday}, {"2026-02-18", "春节", KindHoliday},
		{"2026-02-19", "春节", KindHoliday}, {"2026-02-20", "春节", KindHoliday}, {"2026-02-21", "春节", KindHoliday}, {"2026-02-22", "春节", KindHoliday},
		{"2026-02-23", "春节", KindHoliday},
		{"2026-02-28", "春节", KindWorkday},
		{"2026-05-09", "劳动节", KindWorkday},
		{"2026-09-20", "国庆节", KindWorkday}, {"2026-09-25", "中秋节", KindHoliday}, {"2026-10-01", "国庆节", KindHoliday},
		{"2026-10-07", "国庆节", KindHoliday}, {"2026-10-10", "国庆节", KindWorkday},
	}
	for _, w := range want {
		h, ok := byDate[date(t, w.d)]
		if !ok || h.Name != w.name || h.Kind != w.kind {
			t.Errorf("%s: got %+v (found %v), want %s %v", w.d, h, ok, w.name, w.kind)
		}
	}
	for _, d := range []string{"2025-09-27", "2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10", "2025-10-12", "2026-02-13", "2026-02-24"} {
		if h, ok := byDate[date(t, d)]; ok {
			t.Errorf("%s should be an ordinary day, got %+v", d, h)
		}
	}
	counts := map[int]map[DayKind]int{}
	for _, h := range PRCHolidays(2025, 2026) {
		if counts[h.Date.Year] == nil {
			counts[h.Date.Year] = map[DayKind]int{}
		}
		counts[h.Date.Year][h.Kind]++
	}
	if counts[2025][KindHoliday] != 28 || counts[2025][KindWorkday] != 5 || counts[2026][KindWorkday] != 6 {
		t.Errorf("counts %v", counts)
	}
}

func TestPRCHolidaysRange(t *testing.T) {
	all := PRCHolidays(2001, 2026)
	perYear := map[int]int{}
	for i, h := range all {
		perYear[h.Date.Year]++
		if i > 0 && !all[i-1].Date.Before(h.Date) {
			t.Fatalf("not sorted/unique at %v after %v", h.Date, all[i-1].Date)
		}
		if !h.Date.IsValid() || h.Name == "" || (h.Kind != KindHoliday && h.Kind != KindWorkday) {
			t.Errorf("bad entry %+v", h)
		}
		// An adjusted working day is a weekend day in the State Council notices;
		// lunar-go also marks two ordinary weekdays as 班 (redundant, harmless).
		redundant := h.Date == Date{2012, 5, 2} || h.Date == Date{2012, 10, 8}
		if wd := h.Date.Weekday(); h.Kind == KindWorkday && wd != time.Saturday && wd != time.Sunday && !redundant {
			t.Errorf("%v: workday on %v", h.Date, wd)
		}
	}
	for y := 2002; y <= 2026; y++ {
		if perYear[y] < 20 {
			t.Errorf("%d: only %d entries", y, perYear[y])
		}
	}
	if perYear[2001] != 2 { // data starts 2001-12-29
		t.Errorf("2001: %d entries", perYear[2001])
	}
	if len(all) < 800 {
		t.Errorf("2001–2026: %d entries", len(all))
	}
	for _, tc := range []struct{ from, to int }{{2027, 2030}, {2026, 2025}, {1990, 2000}, {-5, 0}} {
		if got := PRCHolidays(tc.from, tc.to); len(got) != 0 {
			t.Errorf("PRCHolidays(%d, %d) = %d entries", tc.from, tc.to, len(got))
		}
	}
	if a, b := PRCHolidays(2025, 2025), PRCHolidays(2025, 2025); &a[0] == &b[0] {
		t.Error("PRCHolidays must return a fresh slice")
	}
	// The whole range builds a valid calendar.
	if _, err := New(Config{Overrides: all}); err != nil {
		t.Fatal(err)
	}
}

func TestDayKind(t *testing.T) {
	for in, want := range map[string]DayKind{"holiday": KindHoliday, "HOLIDAY": KindHoliday, " 休 ": KindHoliday, "workday": KindWorkday, "Workday": KindWorkday, "班": KindWorkday} {
		if got, err := ParseDayKind(in); err != nil || got != want {
			t.Errorf("ParseDayKind(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "work", "假", "holidays", "1"} {
		if _, err := ParseDayKind(in); err == nil {
			t.Errorf("ParseDayKind(%q) accepted", in)
		}
	}
	if KindHoliday.String() != "holiday" || KindWorkday.String() != "workday" || DayKind(9).String() != "DayKind(9)" {
		t.Error("String")
	}
	b, err := json.Marshal(Holiday{Date: date(t, "2025-10-01"), Name: "国庆中秋", Kind: KindHoliday})
	if err != nil || string(b) != `{"date":"2025-10-01","name":"国庆中秋","kind":"holiday"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var h Holiday
	if err := json.Unmarshal([]byte(`{"date":"2025-10-11","name":"国庆中秋","kind":"班"}`), &h); err != nil || h.Kind != KindWorkday || h.Date != date(t, "2025-10-11") {
		t.Errorf("Unmarshal = %+v, %v", h, err)
	}
	if _, err := json.Marshal(Holiday{Date: date(t, "2025-10-01")}); err == nil {
		t.Error("zero kind marshalled")
	}
	if err := json.Unmarshal([]byte(`{"kind":"rest"}`), &h); err == nil {
		t.Error("bad kind unmarshalled")
	}
}
