package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

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

// openFile opens a new SQLite database file, closed with the test: the
// twin of storetest.SQLite, which package store's own tests cannot
// import (storetest imports store).
func openFile(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kefu.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Inside Transact on SQLite a MultiInsert runs its statements on the
// driver's connection: the rows, the changed counts of an ON CONFLICT …
// DO NOTHING and a failed statement are as through database/sql, and the
// transaction still commits or rolls back as a whole. A transaction not
// begun by Transact goes through database/sql.
func TestMultiInsertOnTheConnection(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	if _, err := db.SQLDB().Exec(`CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)`); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := db.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(ctx context.Context, tx Preparer, from, to int, wantRaw bool) ([][2]int, error) {
		t.Helper()
		m := NewMultiInsert(tx, "INSERT OR FAIL INTO t (k, n, note)", "(?, ?, ?)", "ON CONFLICT (k) DO NOTHING")
		defer m.Close()
		short, err := m.InsertRows(ctx, to-from, func(i int, buf []any) []any {
			var note *string
			if i%2 == 0 {
				s := fmt.Sprintf("第%d行", from+i)
				note = &s
			}
			// An int, not an int64: converted as database/sql would.
			return append(buf, fmt.Sprintf("k%04d", from+i), from+i, Nullable(note))
		})
		if got := m.raw != nil; got != wantRaw {
			t.Errorf("rows %d–%d on the driver's connection: %v, want %v", from, to, got, wantRaw)
		}
		return short, err
	}

	// 150 rows: statements of 64, 64 and 22 rows.
	if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		short, err := insert(ctx, tx, 0, 150, true)
		if len(short) != 0 {
			t.Errorf("fresh rows: short statements %v", short)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 150 {
		t.Fatalf("%d rows stored, want 150", n)
	}
	var n int64
	var note sql.NullString
	if err := db.R().QueryRowContext(ctx, "SELECT n, note FROM t WHERE k = 'k0100'").Scan(&n, &note); err != nil || n != 100 || note.String != "第100行" {
		t.Fatalf("k0100: %d %v (%v), want 100 第100行", n, note, err)
	}
	if err := db.R().QueryRowContext(ctx, "SELECT note FROM t WHERE k = 'k0101'").Scan(&note); err != nil || note.Valid {
		t.Fatalf("k0101: note %v (%v), want NULL", note, err)
	}

	// Rows 100–249: the first statement meets 50 stored keys (64 rows,
	// 14 changed), the second and the third none.
	if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		short, err := insert(ctx, tx, 100, 250, true)
		if want := [][2]int{{0, 64}}; fmt.Sprint(short) != fmt.Sprint(want) {
			t.Errorf("short statements %v, want %v", short, want)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 250 {
		t.Fatalf("%d rows stored, want 250", n)
	}

	// A row refused in the second statement: the error comes back and
	// the transaction keeps nothing, the first statement's rows neither.
	err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		m := NewMultiInsert(tx, "INSERT OR FAIL INTO t (k, n, note)", "(?, ?, ?)", "")
		defer m.Close()
		return m.ExecRows(ctx, 100, func(i int, buf []any) []any {
			if i == 80 {
				return append(buf, fmt.Sprintf("x%d", i), nil, nil)
			}
			return append(buf, fmt.Sprintf("x%d", i), i, "")
		})
	})
	if err == nil || !strings.Contains(err.Error(), "NOT NULL") {
		t.Fatalf("a NULL n: %v, want the NOT NULL constraint's error", err)
	}
	if n := count(); n != 250 {
		t.Fatalf("%d rows stored after the failed transaction, want 250", n)
	}

	// The transaction's context ends between two statements:
	// database/sql rolls the transaction back, and the next statement
	// fails rather than run on the connection outside it.
	cctx, cancel := context.WithCancel(ctx)
	err = db.Transact(cctx, func(ctx context.Context, tx bun.Tx) error {
		m := NewMultiInsert(tx, "INSERT OR FAIL INTO t (k, n, note)", "(?, ?, ?)", "")
		defer m.Close()
		if _, err := m.Exec(ctx, []any{"c1", 1, nil}); err != nil {
			return err
		}
		cancel()
		time.Sleep(20 * time.Millisecond) // the rollback of database/sql's watcher
		_, err := m.Exec(ctx, []any{"c2", 2, nil})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a statement after the context ended: %v, want context.Canceled", err)
	}
	if n := count(); n != 250 {
		t.Fatalf("%d rows stored after the cancelled transaction, want 250", n)
	}

	// A transaction of its own (not Transact's), and one run with
	// another transaction's context: through database/sql.
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := insert(ctx, tx, 250, 260, false); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Transact's context with another transaction, and a transaction
	// without it.
	if err := db.Transact(ctx, func(txCtx context.Context, tx bun.Tx) error {
		if rawFor(txCtx, tx) == nil || rawFor(txCtx, &tx) == nil || rawFor(txCtx, tx.Tx) == nil {
			t.Error("Transact's own transaction: not on its connection")
		}
		if rawFor(txCtx, bun.Tx{}) != nil || rawFor(ctx, tx) != nil {
			t.Error("another transaction, or no Transact's context: on the connection")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 260 {
		t.Fatalf("%d rows stored, want 260", n)
	}
}

// Each SQLite pool has the page cache it names: the driver runs a DSN's
// pragmas sorted as text, so a cache_size given twice kept whichever
// sorted last (the writer had had the readers' 32 MB).
func TestSQLiteCacheSizes(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	for _, c := range []struct {
		pool string
		db   interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}
		want int
	}{
		{"writer", db.writer, -131072},
		{"readers", db.reader, -32000},
		{"checkpointer", db.ckpt.db, -2000},
	} {
		var got int
		if err := c.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: cache_size %d, want %d", c.pool, got, c.want)
		}
	}
}
