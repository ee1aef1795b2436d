package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Preparer is a transaction that prepares statements (bun.Tx, *sql.Tx).
type Preparer interface {
	PrepareContext(context.Context, string) (*sql.Stmt, error)
}

// RowsPerInsert is how many rows one prepared MultiInsert statement
// takes. On SQLite one row per statement spent a third of the time on the
// statement around the row (database/sql, binding, opening and closing
// the b-tree cursors); a multi-row statement formatted as text each time
// (bun's) spent as much parsing it. A statement of 64 rows is prepared
// once and run again with new arguments.
const RowsPerInsert = 64

// MultiInsert runs "INSERT … VALUES (…), (…) …" with up to RowsPerInsert
// rows per statement, each statement prepared once for its number of
// rows: the bulk writes of a derivation on SQLite (a month's response
// clocks and their events, the ticket deadlines' events).
//
// The derivations insert their new rows with INSERT OR FAIL (SQLite): a
// multi-row statement whose constraint might fail half-way keeps a
// statement journal to undo its own earlier rows (ABORT, the default), a
// page copied for every page it changes; with FAIL it stops where it
// failed and returns the error, and the caller's transaction, which every
// derivation gives up on any error, is rolled back as a whole. ON
// CONFLICT … DO NOTHING still applies to its key. An upsert's DO UPDATE
// keeps the journal whatever the statement says.
//
// Its parameters are plain "?": a numbered one (?NNN) that every row
// would share makes modernc look each parameter's name up in a list as
// long as the statement's numbered parameters (sqlite3VListNumToName),
// which made a month's clocks three times slower to write.
//
// Inside a transaction of Transact on SQLite the statements run on the
// driver's connection (rawTx): database/sql copied each of a month's
// some seven million arguments into a NamedValue of its own, a third of
// a gigabyte of garbage and a tenth of the writer's time, where one
// buffer per MultiInsert does.
type MultiInsert struct {
	tx         Preparer
	head, tail string // before VALUES' rows and after them (ON CONFLICT …)
	row        string // a row, "(?, ?, 'constant', …)": each "?" is one of its arguments
	width      int    // arguments per row
	stmts      map[int]*sql.Stmt

	raw      *rawTx              // the transaction's connection, once a statement ran on it
	rawStmts map[int]driver.Stmt // the statements prepared on it, by rows
	values   []driver.NamedValue // the arguments of the statement being run
}

// NewMultiInsert returns the inserts of rows like row into head's table,
// tail after the rows; Close releases its statements.
func NewMultiInsert(tx Preparer, head, row, tail string) *MultiInsert {
	return &MultiInsert{tx: tx, head: head, tail: tail, row: row, width: strings.Count(row, "?"), stmts: map[int]*sql.Stmt{}}
}

// rawTxKey is the context key of the rawTx that Transact runs on SQLite.
type rawTxKey struct{}

// rawTx is a transaction with the connection it runs on.
type rawTx struct {
	tx   *sql.Tx
	conn *sql.Conn
}

// rawFor returns the rawTx of ctx if tx is its transaction (a
// MultiInsert on another transaction, or outside Transact, goes through
// database/sql).
func rawFor(ctx context.Context, tx Preparer) *rawTx {
	r, _ := ctx.Value(rawTxKey{}).(*rawTx)
	if r == nil {
		return nil
	}
	var t *sql.Tx
	switch p := tx.(type) {
	case bun.Tx:
		t = p.Tx
	case *bun.Tx:
		t = p.Tx
	case *sql.Tx:
		t = p
	}
	if t != r.tx {
		return nil
	}
	return r
}

// Width is the number of arguments of a row.
func (m *MultiInsert) Width() int { return m.width }

// statement is the text of an insert of rows rows.
func (m *MultiInsert) statement(rows int) string {
	return m.head + " VALUES " + m.row + strings.Repeat(", "+m.row, rows-1) + " " + m.tail
}

// Exec inserts the rows of args (Width arguments each, at most
// RowsPerInsert rows) and says how many rows the database changed.
func (m *MultiInsert) Exec(ctx context.Context, args []any) (int64, error) {
	rows := len(args) / m.width
	if r := rawFor(ctx, m.tx); r != nil && (m.raw == nil || m.raw == r) {
		return m.execRaw(ctx, r, rows, args)
	}
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

// execRaw is Exec on the driver's connection of r.
func (m *MultiInsert) execRaw(ctx context.Context, r *rawTx, rows int, args []any) (changed int64, err error) {
	m.raw = r
	err = r.conn.Raw(func(dc any) error {
		// database/sql rolls a transaction back when its context ends,
		// under the connection's lock, which this holds: with the context
		// still live here the transaction is too, and a statement cannot
		// land outside it (in autocommit, after the rollback).
		if err := ctx.Err(); err != nil {
			return err
		}
		st := m.rawStmts[rows]
		if st == nil {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return fmt.Errorf("store: driver connection %T cannot prepare with a context", dc)
			}
			var err error
			if st, err = p.PrepareContext(ctx, m.statement(rows)); err != nil {
				return err
			}
			if m.rawStmts == nil {
				m.rawStmts = map[int]driver.Stmt{}
			}
			m.rawStmts[rows] = st
		}
		ex, ok := st.(driver.StmtExecContext)
		if !ok {
			return fmt.Errorf("store: driver statement %T cannot run with a context", st)
		}
		m.values = m.values[:0]
		for i, a := range args {
			v, err := driverValue(a)
			if err != nil {
				return fmt.Errorf("store: argument %d: %w", i+1, err)
			}
			m.values = append(m.values, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
		res, err := ex.ExecContext(ctx, m.values)
		if err != nil {
			return err
		}
		changed, err = res.RowsAffected()
		return err
	})
	return changed, err
}

// driverValue is a's value as database/sql would pass it to the driver.
func driverValue(a any) (driver.Value, error) {
	switch a.(type) {
	case nil, string, int64, float64, bool, []byte, time.Time:
		return a, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// ExecRows inserts n rows, RowsPerInsert to a statement, appending row
// i's arguments to buf with row.
func (m *MultiInsert) ExecRows(ctx context.Context, n int, row func(i int, buf []any) []any) error {
	_, err := m.InsertRows(ctx, n, row)
	return err
}

// InsertRows is ExecRows, and says which rows went in statements that
// changed fewer rows than they had (an ON CONFLICT … DO NOTHING that met
// stored keys): the ranges [from, to) of those statements, for the caller
// to write otherwise.
func (m *MultiInsert) InsertRows(ctx context.Context, n int, row func(i int, buf []any) []any) (short [][2]int, err error) {
	buf := make([]any, 0, m.width*RowsPerInsert)
	for start := 0; start < n; start += RowsPerInsert {
		end := min(n, start+RowsPerInsert)
		buf = buf[:0]
		for i := start; i < end; i++ {
			buf = row(i, buf)
		}
		changed, err := m.Exec(ctx, buf)
		if err != nil {
			return short, err
		}
		if int(changed) < end-start {
			short = append(short, [2]int{start, end})
		}
	}
	return short, nil
}

// Nullable is a nullable text column's argument: nil for no value.
func Nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// Close releases the prepared statements.
func (m *MultiInsert) Close() {
	for _, st := range m.stmts {
		_ = st.Close()
	}
	if m.raw != nil && len(m.rawStmts) > 0 {
		_ = m.raw.conn.Raw(func(any) error {
			for _, st := range m.rawStmts {
				_ = st.Close()
			}
			return nil
		})
	}
	m.rawStmts = nil
}
