package fieldwork

import (
	"testing"
	"time"
)

func TestDeadlineText(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 3, 11, 0, 0, 0, 0, loc), "2026-03-10 24:00"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, loc), "2026-02-28 24:00"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, loc), "2025-12-31 24:00"},
		{time.Date(2026, 3, 10, 17, 30, 0, 0, loc), "2026-03-10 17:30"},
		{time.Date(2026, 3, 10, 0, 0, 1, 0, loc), "2026-03-10 00:00"},
		{time.Date(2026, 3, 10, 8, 0, 0, 0, loc), "2026-03-10 08:00"},
	} {
		if got := deadlineText(c.at); got != c.want {
			t.Errorf("deadlineText(%s) = %q, want %q", c.at, got, c.want)
		}
	}
}
