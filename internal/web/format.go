package web

import (
	"fmt"
	"strings"
	"time"
)

// formatting helpers shared by templates (DESIGN §6: dates as
// 2026-03-05 21:07, money as ¥12,345.00, durations as 3分12秒).

func formatTime(loc *time.Location, t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(loc).Format("2006-01-02 15:04")
	case *time.Time:
		if v == nil || v.IsZero() {
			return ""
		}
		return v.In(loc).Format("2006-01-02 15:04")
	}
	return ""
}

// formatDue shows a deadline: one at midnight (the end of a day, SPEC §2)
// as 23:59 of that day, not 00:00 of the next; "" without one.
func formatDue(loc *time.Location, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	if l := t.In(loc); l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return formatTime(loc, l.Add(-time.Second))
	}
	return formatTime(loc, *t)
}

// Money formats integer fen as ¥12,345.00.
func Money(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	yuan := fmt.Sprint(fen / 100)
	var b strings.Builder
	for i, r := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	s := fmt.Sprintf("¥%s.%02d", b.String(), fen%100)
	if neg {
		s = "-" + s
	}
	return s
}

// Duration formats d as 3分12秒 / 1小时5分 / 2天3小时.
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d秒", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d分%d秒", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%d小时%d分", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d天%d小时", int(d.Hours())/24, int(d.Hours())%24)
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
