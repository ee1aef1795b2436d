package comms

import (
	"fmt"
	"time"

	"kefu/internal/store"
)

// sqliteTime writes a time as bun does on SQLite (store.FormatSQLiteTime).
func sqliteTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.FormatSQLiteTime(*t)
}

// scanTime is a time column read as text on SQLite (an expression such as
// CAST(occurred_at AS TEXT), which the driver hands over as it is stored,
// instead of trying its layouts one after the other for each of a
// million records) or as a time on PostgreSQL.
type scanTime struct{ t *time.Time }

func (x scanTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*x.t = v
		return nil
	case string:
		t, err := parseSQLiteTime(v)
		*x.t = t
		return err
	case []byte:
		t, err := parseSQLiteTime(string(v))
		*x.t = t
		return err
	}
	return fmt.Errorf("comms: a time read as %T", v)
}

// parseSQLiteTime reads "2006-01-02 15:04:05[.frac]±hh:mm" (or "Z", or a
// "T" between date and time), the forms stored on SQLite, in UTC.
func parseSQLiteTime(s string) (time.Time, error) {
	num := func(i, n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	bad := func() (time.Time, error) {
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("comms: %q is not a stored time", s)
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return bad()
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return bad()
	}
	i, ns := 19, 0
	if s[i] == '.' {
		i++
		digits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				ns = ns*10 + int(s[i]-'0')
				digits++
			}
			i++
		}
		if digits == 0 {
			return bad()
		}
		for ; digits < 9; digits++ {
			ns *= 10
		}
	}
	off := 0
	switch rest := s[i:]; {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := num(i+1, 2)
		om, okm := num(i+4, 2)
		if !okh || !okm {
			return bad()
		}
		off = (oh*60 + om) * 60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return bad()
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // 2026-02-30
		return bad()
	}
	return t.Add(-time.Duration(off) * time.Second), nil
}
