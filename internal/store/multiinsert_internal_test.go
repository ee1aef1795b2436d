package store

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
		m := NewMultiInsert(nil, "INSERT INTO t (a, b)", c.row, "TAIL")
		if got := m.statement(c.rows); got != c.want || m.Width() != c.width {
			t.Errorf("%q × %d: %q (width %d), want %q (width %d)", c.row, c.rows, got, m.Width(), c.want, c.width)
		}
	}
}
