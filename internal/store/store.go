// Package store is kefu's database platform: it opens SQLite (default, pure
// Go) or PostgreSQL behind one ctx-first wrapper, runs the embedded goose
// migrations and retries transactions that fail for transient reasons.
// Domain packages own their SQL; this package owns only the plumbing.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the database kind behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the handle domains use. Reads go to R (a pool of readers on SQLite),
// writes go through Transact (the single writer on SQLite).
type DB struct {
	dialect Dialect
	writer  *bun.DB
	reader  *bun.DB
	ckpt    *checkpointer // SQLite file databases: checkpoints the WAL off the writer

	changeMu  sync.RWMutex
	onChanged []func(topic, id string)
}

// Options tune Open.
type Options struct {
	// SQLiteSync is FULL (durable across power loss) or NORMAL (durable
	// across process crashes, faster). Default FULL.
	SQLiteSync string
	// SearchPath sets the PostgreSQL schema (used by storetest).
	SearchPath string
}

// Open opens the database named by rawURL: "postgres://…" or
// "postgresql://…" for PostgreSQL, anything else is a SQLite file path
// (optionally prefixed "sqlite:" or "file:"). Parent directories of a SQLite
// file are created.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return openPostgres(ctx, rawURL, opts)
	}
	return openSQLite(ctx, rawURL, opts)
}

func openPostgres(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.SearchPath != "" {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, fmt.Errorf("store: parse postgres url: %w", err)
		}
		q := u.Query()
		q.Set("search_path", opts.SearchPath)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	sqldb.SetMaxOpenConns(max(4, 4*runtime.NumCPU()))
	sqldb.SetMaxIdleConns(max(4, 4*runtime.NumCPU()))
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	bdb := bun.NewDB(sqldb, pgdialect.New())
	return &DB{dialect: Postgres, writer: bdb, reader: bdb}, nil
}

func openSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite:"), "file:")
	if path == "" {
		return nil, errors.New("store: empty sqlite path")
	}
	memory := path == ":memory:"
	if !memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
		if err := createSQLite(ctx, path); err != nil {
			return nil, err
		}
	}
	sync := opts.SQLiteSync
	if sync == "" {
		sync = "FULL"
	}
	// Every pool names its own cache_size, once: the driver runs the
	// _pragma values sorted as text, not in the order given, so of two
	// cache_size values the one that sorts last wins ("-32000" after
	// "-131072") — the writer's cache had been the readers' 32 MB.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(" + sync + ")&_pragma=temp_store(MEMORY)"
	// The writer is a single connection: SQLite allows one writer at a time,
	// and queueing in database/sql beats spinning on SQLITE_BUSY.
	// It maps the file too, and keeps more pages of its own: a month's
	// re-derivation writes hundreds of thousands of index entries in one
	// transaction.
	// Its commits do not checkpoint the WAL (checkpointer).
	wpragmas := pragmas + "&_txlock=immediate&_pragma=mmap_size(" + mmapSize + ")&_pragma=cache_size(-131072)"
	if !memory {
		wpragmas += "&_pragma=wal_autocheckpoint(0)"
	}
	w, err := sql.Open("sqlite", "file:"+path+"?"+wpragmas)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	writer := bun.NewDB(w, sqlitedialect.New())
	if memory {
		// An in-memory database exists per connection: read through the writer.
		return &DB{dialect: SQLite, writer: writer, reader: writer}, nil
	}
	// Readers map the file: pages come from the OS page cache, shared by
	// all of them, without a pread each. Each reader's own 32 MB cache is
	// smaller than an archive of 100,000 customers.
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)&_pragma=mmap_size("+mmapSize+")&_pragma=cache_size(-32000)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	c, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-2000)")
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	return &DB{dialect: SQLite, writer: writer, reader: bun.NewDB(r, sqlitedialect.New()), ckpt: newCheckpointer(c, checkpointInterval)}, nil
}

// sqlitePageSize is the page size of a new SQLite database: 8 KB, not
// SQLite's 4 KB. A month's derivation inserts some 500,000 clocks and
// events into b-trees on the one writer; with pages twice as large it
// splits and rebalances half as many pages, and the month took about 1 s
// (10 %) less, paired on one machine (docs/benchmarks.md). A database
// keeps the page size it was created with (SQLite changes it only by
// VACUUM outside WAL mode), so older files stay at 4 KB and work as before.
const sqlitePageSize = 8192

// createSQLite creates the database file at path, if there is none yet
// (or it is empty), with sqlitePageSize pages and in WAL mode: the page
// size must be set before anything is written, and setting WAL writes
// the header — the pools' pragmas, which set WAL first, cannot.
func createSQLite(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=page_size("+strconv.Itoa(sqlitePageSize)+")")
	if err != nil {
		return fmt.Errorf("store: create sqlite: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return fmt.Errorf("store: create sqlite: %w", err)
	}
	return db.Close()
}

// mmapSize is how much of a SQLite database file each connection maps
// (SQLite's largest, 2 GB): a month of a million communication records
// takes more than a gigabyte, and a page beyond the mapping costs a
// pread.
const mmapSize = "2147418112"

// Dialect reports the database kind.
func (db *DB) Dialect() Dialect { return db.dialect }

// R returns the read handle. On SQLite it is a pool of read-only
// connections that see every committed write (WAL).
func (db *DB) R() bun.IDB { return db.reader }

// SQLDB returns the writer's *sql.DB for migrations and bulk tools.
func (db *DB) SQLDB() *sql.DB { return db.writer.DB }

// Close closes both pools.
func (db *DB) Close() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	err = errors.Join(err, db.writer.Close())
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Topics of Changed.
const (
	// ChangeStaff: a staff member's login, name, locale, roles, active flag
	// or password changed; the id is the staff id.
	ChangeStaff = "staff"
	// ChangeAPIToken: an API token was revoked; the id is the token id.
	ChangeAPIToken = "api_token"
)

// Changed tells the caches of this process that rows named by topic and id
// changed in a transaction that has committed, so that they drop what they
// hold for them. Call it after the commit. Other processes sharing the
// database are not told: a cache of such rows must expire on its own.
func (db *DB) Changed(topic, id string) {
	db.changeMu.RLock()
	fns := db.onChanged
	db.changeMu.RUnlock()
	for _, fn := range fns {
		fn(topic, id)
	}
}

// OnChanged registers fn to be called by every Changed on this handle.
// fn must be quick and must not call Changed.
func (db *DB) OnChanged(fn func(topic, id string)) {
	db.changeMu.Lock()
	defer db.changeMu.Unlock()
	db.onChanged = append(db.onChanged[:len(db.onChanged):len(db.onChanged)], fn)
}

// Transact runs fn in one transaction on the writer. The transaction
// commits when fn returns nil and rolls back otherwise. Serialization
// failures, deadlocks (PostgreSQL) and busy errors (SQLite) are retried a few
// times with a short backoff, so fn must be safe to run again.
func (db *DB) Transact(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	const attempts = 5
	var err error
	for i := range attempts {
		if db.dialect == SQLite {
			err = db.transactOnConn(ctx, fn)
		} else {
			err = db.writer.RunInTx(ctx, nil, fn)
		}
		if err == nil && db.ckpt != nil {
			db.ckpt.committed()
		}
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(1<<i) * 10 * time.Millisecond):
		}
	}
	return err
}

// transactOnConn is one attempt of Transact on SQLite: the transaction
// runs on a connection held for it (there is one writer connection
// either way), and fn's context carries them both, so that a
// MultiInsert of the transaction runs its statements on the driver's
// connection (rawTx).
func (db *DB) transactOnConn(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	c, err := db.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(context.WithValue(ctx, rawTxKey{}, &rawTx{tx: tx.Tx, conn: c.Conn}), tx)
	})
}

// IsRetryable reports whether err is one Transact retries (a serialization
// failure or deadlock on PostgreSQL, a busy database on SQLite): code that
// handles a statement's failure inside a transaction (a savepoint) should
// let such an error end the transaction so that it is run again.
func IsRetryable(err error) bool { return err != nil && retryable(err) }

func retryable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40001") || // serialization_failure
		strings.Contains(msg, "SQLSTATE 40P01") || // deadlock_detected
		strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23503") || strings.Contains(msg, "FOREIGN KEY constraint failed")
}

// NewID returns a new application-generated id: a UUIDv7, time-ordered so
// that indexes stay append-mostly, unique across processes without
// coordination.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Time normalises t for storage: UTC, microsecond precision (PostgreSQL's),
// so both databases round-trip the same instant.
func Time(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// ErrNoRows is re-exported so domains can test for it without importing database/sql.
var ErrNoRows = sql.ErrNoRows

// ContainsPattern returns a LIKE pattern matching values that contain s,
// with %, _ and \ escaped; use it as `col LIKE ? ESCAPE '\'` (portable).
func ContainsPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}
