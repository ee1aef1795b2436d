package calendar

import (
	"strings"
	"testing"
)

func TestParseWindow(t *testing.T) {
	good := []struct {
		in   string
		want Window
		str  string
	}{
		{"08:30-12:00", Window{510, 720}, "08:30-12:00"},
		{" 13:00 - 17:30 ", Window{780, 1050}, "13:00-17:30"},
		{"8:30-17:30", Window{510, 1050}, "08:30-17:30"},
		{"00:00-24:00", Window{0, 1440}, "00:00-24:00"},
		{"22:00–24:00", Window{1320, 1440}, "22:00-24:00"},
		{"09:00~18:00", Window{540, 1080}, "09:00-18:00"},
		{"09:00～18:00", Window{540, 1080}, "09:00-18:00"},
		{"00:00-00:01", Window{0, 1}, "00:00-00:01"},
	}
	for _, tc := range good {
		got, err := ParseWindow(tc.in)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseWindow(%q) = %v (%s), %v; want %v", tc.in, got, got, err, tc.want)
		}
	}
	bad := []string{"", "08:30", "08:30-", "-12:00", "12:00-08:30", "08:30-08:30", "25:00-26:00", "08:60-09:00",
		"08:30-24:01", "8-12", "08.30-12.00", "0830-1200", "08:3-12:00", "+8:30-12:00", "08:30-12:00-13:00", "a:bc-12:00"}
	for _, in := range bad {
		if w, err := ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q) = %v, want error", in, w)
		}
	}
}

func TestParseWindows(t *testing.T) {
	ws, err := ParseWindows("08:30-12:00, 13:00-17:30")
	if err != nil || len(ws) != 2 || ws[0] != (Window{510, 720}) || ws[1] != (Window{780, 1050}) {
		t.Fatalf("ParseWindows = %v, %v", ws, err)
	}
	if ws, err := ParseWindows("08:30-12:00；13:00-17:30"); err != nil || len(ws) != 2 {
		t.Errorf("full-width separator: %v, %v", ws, err)
	}
	for in, want := range map[string]string{
		"":                        "no working-hours windows",
		"13:00-17:30,08:30-12:00": "not sorted",
		"08:30-12:00,11:00-17:30": "overlap",
		"08:30-12:00,nonsense":    "invalid window",
	} {
		if _, err := ParseWindows(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseWindows(%q) error = %v, want %q", in, err, want)
		}
	}
}
