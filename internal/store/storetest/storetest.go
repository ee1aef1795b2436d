// Package storetest runs a test against every configured database: SQLite
// always (a fresh file in t.TempDir), PostgreSQL when KEFU_TEST_PG holds a
// DSN (a fresh schema per test, dropped afterwards). Each gets all
// migrations applied.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"kefu/internal/store"
)

// EnvPG names the environment variable holding the PostgreSQL test DSN.
const EnvPG = "KEFU_TEST_PG"

// Each runs fn as a subtest per database: "sqlite" and, when KEFU_TEST_PG
// is set, "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(EnvPG) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// EachUnmigrated is Each with empty databases, for the tests of a
// migration (they migrate to the version before it, store rows, and go on).
func EachUnmigrated(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	if os.Getenv(EnvPG) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
	}
}

// Open returns one migrated database: PostgreSQL when KEFU_TEST_PG is set
// and KEFU_TEST_DB=postgres, SQLite otherwise. Use it for tests that need
// one database and benchmarks.
func Open(t testing.TB) *store.DB {
	if os.Getenv("KEFU_TEST_DB") == "postgres" && os.Getenv(EnvPG) != "" {
		return Postgres(t)
	}
	return SQLite(t)
}

// SQLite returns a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db := openSQLite(t)
	if err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kefu.db"), store.Options{SQLiteSync: "NORMAL"})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres returns a migrated PostgreSQL database in a schema of its own.
// It skips the test when KEFU_TEST_PG is not set.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db := openPostgres(t)
	if err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

func openPostgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := os.Getenv(EnvPG)
	if dsn == "" {
		t.Skip("KEFU_TEST_PG not set")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	db, err := store.Open(ctx, dsn, store.Options{SearchPath: schema})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
