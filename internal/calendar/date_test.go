package calendar

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	good := []struct {
		in   string
		want Date
	}{
		{"2026-03-05", Date{2026, time.March, 5}},
		{"2024-02-29", Date{2024, time.February, 29}},
		{"0001-01-01", Date{1, time.January, 1}},
		{"9999-12-31", Date{9999, time.December, 31}},
	}
	for _, tc := range good {
		got, err := ParseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("ParseDate(%q).String() = %q", tc.in, got.String())
		}
	}
	for _, in := range []string{"", "2026-3-5", "2026/03/05", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-03-05", "2026-03-05T00:00:00Z", " 2026-03-05", "2026-03-05 ", "+2026-03-05", "20260305"} {
		if d, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v, want error", in, d)
		} else if !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("ParseDate(%q) error %q does not say the format", in, err)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		d    string
		n    int
		want string
	}{
		{"2025-01-31", 1, "2025-02-01"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2025-02-28", 1, "2025-03-01"},
		{"2025-12-31", 1, "2026-01-01"},
		{"2026-01-01", -1, "2025-12-31"},
		{"2025-03-01", -1, "2025-02-28"},
		{"2025-10-01", 0, "2025-10-01"},
		{"2025-01-01", 365, "2026-01-01"},
		{"2024-01-01", 366, "2025-01-01"},
		{"2025-03-09", 1, "2025-03-10"}, // US DST day: dates are not instants
	}
	for _, tc := range tests {
		d, want := date(t, tc.d), date(t, tc.want)
		if got := d.AddDays(tc.n); got != want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", d, tc.n, got, want)
		}
		if got := want.Sub(d); got != tc.n {
			t.Errorf("%v.Sub(%v) = %d, want %d", want, d, got, tc.n)
		}
	}
	if got := NewDate(2025, time.February, 30); got != date(t, "2025-03-02") {
		t.Errorf("NewDate normalisation = %v", got)
	}
	if got := date(t, "0001-01-01").Sub(date(t, "9999-12-31")); got != -3652058 {
		t.Errorf("long Sub = %d", got)
	}
}

func TestDateCompareAndWeekday(t *testing.T) {
	a, b := date(t, "2025-09-30"), date(t, "2025-10-01")
	if !a.Before(b) || a.After(b) || a.Equal(b) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 || !a.Equal(a) {
		t.Error("Compare/Before/After/Equal wrong for 2025-09-30 vs 2025-10-01")
	}
	for _, tc := range []struct {
		a, b string
		want int
	}{{"2024-12-31", "2025-01-01", -1}, {"2025-02-01", "2025-01-31", 1}, {"2025-01-02", "2025-01-01", 1}} {
		if got := date(t, tc.a).Compare(date(t, tc.b)); got != tc.want {
			t.Errorf("%s.Compare(%s) = %d", tc.a, tc.b, got)
		}
	}
	weekdays := map[string]time.Weekday{
		"2025-09-28": time.Sunday, "2025-10-11": time.Saturday, "2025-10-01": time.Wednesday,
		"2026-02-17": time.Tuesday, "2024-02-29": time.Thursday, "2000-01-01": time.Saturday,
	}
	for s, want := range weekdays {
		if got := date(t, s).Weekday(); got != want {
			t.Errorf("%s.Weekday() = %v, want %v", s, got, want)
		}
	}
	if (Date{}).IsZero() != true || a.IsZero() {
		t.Error("IsZero")
	}
	for _, tc := range []struct {
		d    Date
		want bool
	}{{Date{2025, 2, 28}, true}, {Date{2025, 2, 29}, false}, {Date{2024, 2, 29}, true}, {Date{2025, 0, 1}, false}, {Date{2025, 13, 1}, false}, {Date{2025, 1, 0}, false}, {Date{}, false}} {
		if got := tc.d.IsValid(); got != tc.want {
			t.Errorf("%v.IsValid() = %v", tc.d, got)
		}
	}
}

func TestDateOfAndIn(t *testing.T) {
	santiago, havana := mustLoc(t, "America/Santiago"), mustLoc(t, "America/Havana")
	tests := []struct {
		name string
		t    time.Time
		loc  *time.Location
		want string
	}{
		{"UTC afternoon is next day in Shanghai", time.Date(2025, 3, 4, 16, 0, 0, 0, time.UTC), shanghai, "2025-03-05"},
		{"one ns earlier", time.Date(2025, 3, 4, 15, 59, 59, 999999999, time.UTC), shanghai, "2025-03-04"},
		{"New York is behind", time.Date(2025, 3, 5, 3, 0, 0, 0, time.UTC), newYork, "2025-03-04"},
		{"month end", time.Date(2025, 1, 31, 16, 0, 0, 0, time.UTC), shanghai, "2025-02-01"},
	}
	for _, tc := range tests {
		if got := DateOf(tc.t, tc.loc); got != date(t, tc.want) {
			t.Errorf("%s: DateOf = %v, want %s", tc.name, got, tc.want)
		}
	}

	starts := []struct {
		d    string
		loc  *time.Location
		want time.Time
	}{
		{"2025-03-05", shanghai, time.Date(2025, 3, 4, 16, 0, 0, 0, time.UTC)},
		{"2025-03-09", newYork, time.Date(2025, 3, 9, 5, 0, 0, 0, time.UTC)},  // EST
		{"2025-03-10", newYork, time.Date(2025, 3, 10, 4, 0, 0, 0, time.UTC)}, // EDT
		// Midnight does not exist: the day starts when the clock jumps to 01:00.
		{"2025-09-07", santiago, time.Date(2025, 9, 7, 4, 0, 0, 0, time.UTC)},
		{"2024-03-10", havana, time.Date(2024, 3, 10, 5, 0, 0, 0, time.UTC)},
		// Midnight happens twice (clock falls back from 24:00 to 23:00): first one.
		{"2025-04-06", santiago, time.Date(2025, 4, 6, 4, 0, 0, 0, time.UTC)},
	}
	for _, tc := range starts {
		got := date(t, tc.d).In(tc.loc)
		if !got.Equal(tc.want) {
			t.Errorf("%s.In(%v) = %s, want %s", tc.d, tc.loc, fmtT(got), fmtT(tc.want.In(tc.loc)))
		}
		if got.Location() != tc.loc {
			t.Errorf("%s.In: location %v", tc.d, got.Location())
		}
		if DateOf(got, tc.loc) != date(t, tc.d) || DateOf(got.Add(-time.Nanosecond), tc.loc) == date(t, tc.d) {
			t.Errorf("%s.In(%v) = %s is not the first instant of the day", tc.d, tc.loc, fmtT(got))
		}
	}
}

func TestWallTimeDST(t *testing.T) {
	sydney := mustLoc(t, "Australia/Sydney")
	tests := []struct {
		name string
		d    string
		min  int
		loc  *time.Location
		want time.Time
	}{
		{"NY gap 02:30 → 03:00 EDT", "2025-03-09", 150, newYork, time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC)},
		{"NY 01:59 EST", "2025-03-09", 119, newYork, time.Date(2025, 3, 9, 6, 59, 0, 0, time.UTC)},
		{"NY repeated 01:30 → EDT (first)", "2025-11-02", 90, newYork, time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC)},
		{"Sydney repeated 02:30 → AEDT (first)", "2025-04-06", 150, sydney, time.Date(2025, 4, 5, 15, 30, 0, 0, time.UTC)},
		{"Sydney gap 02:30 → 03:00 AEDT", "2025-10-05", 150, sydney, time.Date(2025, 10, 4, 16, 0, 0, 0, time.UTC)},
		{"24:00 is next midnight", "2025-12-31", 1440, shanghai, time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		if got := wallTime(date(t, tc.d), tc.min, tc.loc); !got.Equal(tc.want) {
			t.Errorf("%s: wallTime = %s, want %s", tc.name, fmtT(got), fmtT(tc.want.In(tc.loc)))
		}
	}
	// Non-decreasing minute by minute across both transitions in both hemispheres.
	for _, loc := range []*time.Location{newYork, sydney, mustLoc(t, "America/Santiago")} {
		for _, ds := range []string{"2025-03-08", "2025-03-09", "2025-04-05", "2025-04-06", "2025-09-06", "2025-09-07", "2025-10-05", "2025-11-02"} {
			d := date(t, ds)
			prev := wallTime(d, 0, loc)
			for m := 1; m <= MinutesPerDay; m++ {
				cur := wallTime(d, m, loc)
				if cur.Before(prev) {
					t.Fatalf("%v %s minute %d: %s before %s", loc, ds, m, fmtT(cur), fmtT(prev))
				}
				prev = cur
			}
		}
	}
}

func TestDateText(t *testing.T) {
	type row struct {
		D Date  `json:"d"`
		P *Date `json:"p,omitempty"`
	}
	d := date(t, "2026-03-05")
	b, err := json.Marshal(row{D: d, P: &d})
	if err != nil || string(b) != `{"d":"2026-03-05","p":"2026-03-05"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back row
	if err := json.Unmarshal(b, &back); err != nil || back.D != d || *back.P != d {
		t.Fatalf("Unmarshal = %+v, %v", back, err)
	}
	if b, err := json.Marshal(row{}); err != nil || string(b) != `{"d":""}` {
		t.Errorf("zero Marshal = %s, %v", b, err)
	}
	var z row
	if err := json.Unmarshal([]byte(`{"d":""}`), &z); err != nil || !z.D.IsZero() {
		t.Errorf("zero Unmarshal = %+v, %v", z, err)
	}
	for _, bad := range []string{`{"d":"2026-02-30"}`, `{"d":"05.03.2026"}`, `{"d":20260305}`} {
		if err := json.Unmarshal([]byte(bad), &z); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
	for _, bad := range []Date{{2025, 2, 30}, {10000, 1, 1}, {0, 1, 1}, {2025, 0, 0}} {
		if _, err := bad.MarshalText(); err == nil {
			t.Errorf("MarshalText(%#v) accepted", bad)
		}
	}
	var m map[Date]int
	if err := json.Unmarshal([]byte(`{"2025-10-01":1}`), &m); err != nil || m[date(t, "2025-10-01")] != 1 {
		t.Errorf("map key: %v %v", m, err)
	}
}
