// Package apptest builds a whole kefu for tests: the app over a fresh
// SQLite file, or over PostgreSQL in a schema of its own when the test
// asks for it and KEFU_TEST_PG is set, served by an httptest server on
// loopback whose URL is the app's BaseURL (so cross-origin checks pass).
package apptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kefu/internal/app"
	"kefu/internal/config"
	"kefu/internal/store/storetest"
)

// Instance is a running test app.
type Instance struct {
	App *app.App
	URL string
}

// Each runs fn on a fresh app over SQLite and, when KEFU_TEST_PG is set,
// over PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, in *Instance)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, New(t, "")) })
	if dsn := os.Getenv(storetest.EnvPG); dsn != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, New(t, dsn)) })
	}
}

// EachWith is Each with the configuration changed by configure (a
// webhook URL, say) and opts applied to every app.
func EachWith(t *testing.T, configure func(*config.Config), opts []app.Option, fn func(t *testing.T, in *Instance)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, NewWith(t, "", configure, opts...)) })
	if dsn := os.Getenv(storetest.EnvPG); dsn != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, NewWith(t, dsn, configure, opts...)) })
	}
}

// New starts an app. pgDSN empty means SQLite.
func New(t testing.TB, pgDSN string, opts ...app.Option) *Instance {
	t.Helper()
	return NewWith(t, pgDSN, nil, opts...)
}

// NewWith is New with the configuration changed by configure (nil: as
// New) before the app starts.
func NewWith(t testing.TB, pgDSN string, configure func(*config.Config), opts ...app.Option) *Instance {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.DBURL = filepath.Join(dir, "kefu.db")
	cfg.SQLiteSync = "NORMAL"
	if pgDSN != "" {
		cfg.DBURL = freshSchema(t, pgDSN)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	if configure != nil {
		configure(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(ctx, cfg, logger, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Instance{App: a, URL: srv.URL}
}

// freshSchema creates a schema for one test and returns a DSN using it.
func freshSchema(t testing.TB, dsn string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "a_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
