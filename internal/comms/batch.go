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
//
// Its parameters are plain "?": a numbered one (?NNN) that every row
// would share makes modernc look each parameter's name up in a list as
// long as the statement's numbered parameters (sqlite3VListNumToName),
// which made a month's clocks three times slower to write.
type multiInsert struct {
	tx         preparer
	head, tail string // before VALUES' rows and after them (ON CONFLICT …)
	row        string // a row, "(?, ?, 'constant', …)": each "?" is one of its arguments
	width      int    // arguments per row
	stmts      map[int]*sql.Stmt
}

func newMultiInsert(tx preparer, head, row, tail string) *multiInsert {
	return &multiInsert{tx: tx, head: head, tail: tail, row: row, width: strings.Count(row, "?"), stmts: map[int]*sql.Stmt{}}
}

// statement is the text of an insert of rows rows.
func (m *multiInsert) statement(rows int) string {
	return m.head + " VALUES " + m.row + strings.Repeat(", "+m.row, rows-1) + " " + m.tail
}

// exec inserts the rows of args (width arguments each, at most
// rowsPerInsert rows) and says how many rows the database changed.
func (m *multiInsert) exec(ctx context.Context, args []any) (int64, error) {
	rows := len(args) / m.width
	st := m.stmts[rows]
	if st == nil {
		var err error
		if st, err = m.tx.PrepareContext(ctx, m.statement(rows)); err != nil {
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

func (m *multiInsert) close() {
	for _, st := range m.stmts {
		_ = st.Close()
	}
}
