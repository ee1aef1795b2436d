package comms

import "testing"

// A multi-row statement repeats the row; its width is the row's "?".
func TestMultiInsertStatement(t *testing.T) {
	for _, c := range []struct {
		row   string
		rows  int
		want  string
		width int
	}{
		{"(?, ?)", 1, "INSERT INTO t (a, b) VALUES (?, ?) TAIL", 2},
		{"(?, 'k')", 3, "INSERT INTO t (a, b) VALUES (?, 'k'), (?, 'k'), (?, 'k') TAIL", 1},
	} {
		m := newMultiInsert(nil, "INSERT INTO t (a, b)", c.row, "TAIL")
		if got := m.statement(c.rows); got != c.want || m.width != c.width {
			t.Errorf("%q × %d: %q (width %d), want %q (width %d)", c.row, c.rows, got, m.width, c.want, c.width)
		}
	}
	key := "k"
	if c, e := len((&StoredClock{}).sqliteArgs()), len((&event{ComputedKey: &key}).sqliteArgs()); c != clockArgs || e != eventArgs ||
		c != newMultiInsert(nil, "", clockValues, "").width || e != newMultiInsert(nil, "", eventValues, "").width {
		t.Fatalf("sqliteArgs: a clock's %d (clockArgs %d, row %q), an event's %d (eventArgs %d, row %q)", c, clockArgs, clockValues, e, eventArgs, eventValues)
	}
}
