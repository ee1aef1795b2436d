package store

import "time"

// SQLiteTimeLayout is how bun writes a time on SQLite, in UTC: the
// columns are compared and ordered as text, so every writer that binds a
// time as text (MultiInsert's callers) must write it so.
const SQLiteTimeLayout = "2006-01-02 15:04:05.999999-07:00"

// FormatSQLiteTime is t.UTC().Format(SQLiteTimeLayout) without the
// layout's interpretation: a month's derivation formats some two million
// times.
func FormatSQLiteTime(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(SQLiteTimeLayout)
	}
	h, mi, s := t.Clock()
	var b [32]byte
	buf := b[:0]
	two := func(n int) { buf = append(buf, byte('0'+n/10), byte('0'+n%10)) }
	buf = append(buf, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	two(int(mo))
	buf = append(buf, '-')
	two(d)
	buf = append(buf, ' ')
	two(h)
	buf = append(buf, ':')
	two(mi)
	buf = append(buf, ':')
	two(s)
	if us := t.Nanosecond() / 1000; us != 0 {
		buf = append(buf, '.')
		for div := 100000; div > 0 && us != 0; div /= 10 {
			buf = append(buf, byte('0'+us/div))
			us %= div
		}
	}
	buf = append(buf, "+00:00"...)
	return string(buf)
}
