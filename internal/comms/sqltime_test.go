package comms

import (
	"testing"
	"time"

	"kefu/internal/store"
)

// store.FormatSQLiteTime writes what the layout writes, and parseSQLiteTime
// reads back the instant, for times across the range and at every
// precision.
func TestSQLiteTimeRoundTrip(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, tm := range []time.Time{
		time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 5, 9, 0, 0, 1000, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 120000000, shanghai),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 500, time.UTC),
		time.Date(2000, 2, 29, 12, 30, 5, 100, time.UTC),
	} {
		checkSQLiteTime(t, tm)
	}
}

func checkSQLiteTime(t *testing.T, tm time.Time) {
	t.Helper()
	want := tm.UTC().Format(store.SQLiteTimeLayout)
	got := store.FormatSQLiteTime(tm)
	if got != want {
		t.Fatalf("store.FormatSQLiteTime(%v) = %q, want %q", tm, got, want)
	}
	back, err := parseSQLiteTime(got)
	if err != nil || !back.Equal(tm.Truncate(time.Microsecond)) || back.Location() != time.UTC {
		t.Fatalf("parseSQLiteTime(%q) = %v, %v; want %v", got, back, err, tm.Truncate(time.Microsecond))
	}
}

// parseSQLiteTime takes the other stored forms and refuses what is not a
// time.
func TestParseSQLiteTime(t *testing.T) {
	for s, want := range map[string]time.Time{
		"2026-03-05 17:00:00+08:00":           time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC),
		"2026-03-05T09:00:00Z":                time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC),
		"2026-03-05 09:00:00.5-01:30":         time.Date(2026, 3, 5, 10, 30, 0, 500000000, time.UTC),
		"2026-03-05 09:00:00.123456789+00:00": time.Date(2026, 3, 5, 9, 0, 0, 123456789, time.UTC),
	} {
		if got, err := parseSQLiteTime(s); err != nil || !got.Equal(want) {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026-03-05", "2026-02-30 09:00:00+00:00", "2026-03-05 25:00:00+00:00", "2026-03-05 09:00:00.+00:00",
		"2026-03-05 09:00:00+0800", "2026-03-05 09:00:00 +08:00 CST", "２０２６-03-05 09:00:00+00:00"} {
		if got, err := parseSQLiteTime(s); err == nil {
			t.Errorf("parseSQLiteTime(%q) = %v, want an error", s, got)
		}
	}
}

func FuzzSQLiteTime(f *testing.F) {
	f.Add(int64(1772701200), int64(0))
	f.Add(int64(-62135596800), int64(999999999))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec%253402300800, nsec%1000000000).UTC()
		if tm.Year() < 0 || tm.Year() > 9999 {
			t.Skip()
		}
		checkSQLiteTime(t, tm)
	})
}
