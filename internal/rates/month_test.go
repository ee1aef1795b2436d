package rates

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseMonth(t *testing.T) {
	good := map[string]Month{
		"2026-03": {2026, time.March},
		"2024-02": {2024, time.February},
		"0001-01": {1, time.January},
		"9999-12": {9999, time.December},
	}
	for s, want := range good {
		got, err := ParseMonth(s)
		if err != nil || got != want {
			t.Errorf("ParseMonth(%q) = %v, %v; want %v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("ParseMonth(%q).String() = %q", s, got.String())
		}
	}
	for _, s := range []string{"", "2026-3", "2026-13", "2026-00", "26-03", "2026-03-01", " 2026-03", "2026-03 ", "2026/03", "20260-3", "abcd-ef", "-026-03"} {
		if got, err := ParseMonth(s); err == nil {
			t.Errorf("ParseMonth(%q) = %v, want an error", s, got)
		}
	}
}

func TestMonthBounds(t *testing.T) {
	tests := []struct {
		m           string
		first, last string
		prev, next  string
	}{
		{"2026-01", "2026-01-01", "2026-01-31", "2025-12", "2026-02"},
		{"2025-12", "2025-12-01", "2025-12-31", "2025-11", "2026-01"},
		{"2024-02", "2024-02-01", "2024-02-29", "2024-01", "2024-03"}, // leap year
		{"2025-02", "2025-02-01", "2025-02-28", "2025-01", "2025-03"},
		{"2000-02", "2000-02-01", "2000-02-29", "2000-01", "2000-03"}, // divisible by 400
		{"1900-02", "1900-02-01", "1900-02-28", "1900-01", "1900-03"}, // divisible by 100
		{"2026-04", "2026-04-01", "2026-04-30", "2026-03", "2026-05"},
		{"2026-03", "2026-03-01", "2026-03-31", "2026-02", "2026-04"},
	}
	for _, tt := range tests {
		m := mon(tt.m)
		if got := m.First(); got != d(tt.first) {
			t.Errorf("%s.First() = %v, want %s", tt.m, got, tt.first)
		}
		if got := m.Last(); got != d(tt.last) {
			t.Errorf("%s.Last() = %v, want %s", tt.m, got, tt.last)
		}
		if got := m.Prev(); got != mon(tt.prev) {
			t.Errorf("%s.Prev() = %v, want %s", tt.m, got, tt.prev)
		}
		if got := m.Next(); got != mon(tt.next) {
			t.Errorf("%s.Next() = %v, want %s", tt.m, got, tt.next)
		}
		if m.Next().Prev() != m || m.Compare(m.Next()) != -1 || m.Next().Compare(m) != 1 || m.Compare(m) != 0 {
			t.Errorf("%s: Next/Prev/Compare inconsistent", tt.m)
		}
		last := d(tt.last)
		if last.AddDays(1) != m.Next().First() || m.First().AddDays(-1) != m.Prev().Last() {
			t.Errorf("%s: months do not tile the calendar", tt.m)
		}
		for _, c := range []struct {
			day  string
			want bool
		}{
			{tt.first, true}, {tt.last, true},
			{m.First().AddDays(-1).String(), false}, {last.AddDays(1).String(), false},
		} {
			if got := m.Contains(d(c.day)); got != c.want {
				t.Errorf("%s.Contains(%s) = %v, want %v", tt.m, c.day, got, c.want)
			}
			if got := MonthOf(d(c.day)) == m; got != c.want {
				t.Errorf("MonthOf(%s) == %s is %v, want %v", c.day, tt.m, got, c.want)
			}
		}
	}
	var zero Month
	if zero.Contains(d("2026-01-01")) {
		t.Error("zero month contains a real day")
	}
}

func TestMonthDaysInEveryMonth(t *testing.T) {
	// Cross-check Last against the standard library for 400 years (a full
	// Gregorian cycle).
	for y := 1800; y < 2200; y++ {
		for mo := time.January; mo <= time.December; mo++ {
			want := time.Date(y, mo+1, 0, 12, 0, 0, 0, time.UTC).Day()
			if got := (Month{y, mo}).Last().Day; got != want {
				t.Fatalf("%d-%02d has %d days, want %d", y, mo, got, want)
			}
		}
	}
}

func TestMonthText(t *testing.T) {
	b, err := json.Marshal(struct{ M Month }{mon("2026-03")})
	fatalIf(t, err)
	if string(b) != `{"M":"2026-03"}` {
		t.Errorf("json = %s", b)
	}
	var v struct{ M Month }
	fatalIf(t, json.Unmarshal([]byte(`{"M":"2024-02"}`), &v))
	if v.M != mon("2024-02") {
		t.Errorf("unmarshal = %v", v.M)
	}
	if err := json.Unmarshal([]byte(`{"M":"2024-2"}`), &v); err == nil {
		t.Error("unmarshal of a bad month succeeded")
	}
	if _, err := (Month{2026, 13}).MarshalText(); err == nil {
		t.Error("marshal of month 13 succeeded")
	}
	if b, err := (Month{}).MarshalText(); err != nil || len(b) != 0 {
		t.Errorf("zero month marshals to %q, %v", b, err)
	}
}
