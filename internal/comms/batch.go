package comms

import (
	"context"
	"database/sql"
	"strings"
)

// preparer is a transaction that prepares statements (bun.Tx, *sql.Tx).
type preparer interface {
	PrepareContext(context.Context, string) (*sql.Stmt, error)
}

// rowsPerInsert is how many rows one prepared INSERT of a month's
// derivation takes on SQLite. One row per statement spent a third of the
// time on the statement around the row (database/sql, binding, opening
// and closing the b-tree cursors); a multi-row statement formatted as
// text each time (bun's) spent as much parsing it. A statement of 64 rows
// is prepared once and run again with new arguments.
const rowsPerInsert = 64

// multiInsert runs "INSERT … VALUES (…), (…) …" with up to rowsPerInsert
// rows per statement, each statement prepared once for its number of
// rows.
type multiInsert struct {
	tx         preparer
	head, tail string // before VALUES' rows and after them (ON CONFLICT …)
	width      int    // arguments per row
	stmts      map[int]*sql.Stmt
}

func newMultiInsert(tx preparer, head string, width int, tail string) *multiInsert {
	return &multiInsert{tx: tx, head: head, tail: tail, width: width, stmts: map[int]*sql.Stmt{}}
}

// exec inserts the rows of args (width arguments each, at most
// rowsPerInsert rows) and says how many rows the database changed.
func (m *multiInsert) exec(ctx context.Context, args []any) (int64, error) {
	rows := len(args) / m.width
	st := m.stmts[rows]
	if st == nil {
		row := "(?" + strings.Repeat(", ?", m.width-1) + ")"
		var err error
		if st, err = m.tx.PrepareContext(ctx, m.head+" VALUES "+row+strings.Repeat(", "+row, rows-1)+" "+m.tail); err != nil {
			return 0, err
		}
		m.stmts[rows] = st
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// all inserts rows (width arguments each, any number of them) in
// statements of rowsPerInsert rows.
func (m *multiInsert) all(ctx context.Context, args []any) error {
	for part := args; len(part) > 0; {
		k := min(len(part), rowsPerInsert*m.width)
		if _, err := m.exec(ctx, part[:k]); err != nil {
			return err
		}
		part = part[k:]
	}
	return nil
}

func (m *multiInsert) close() {
	for _, st := range m.stmts {
		_ = st.Close()
	}
}
