package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestMigrateAndTransact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		v, err := db.MigrationVersion(ctx)
		if err != nil || v < 4 {
			t.Fatalf("migration version = %d, %v; want >= 4", v, err)
		}
		// Migrating again is a no-op.
		if err := db.Migrate(ctx, nil); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		now := store.Time(time.Now())
		insert := func(ctx context.Context, tx bun.Tx, key string) error {
			_, err := tx.NewRaw("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", key, "v", now).Exec(ctx)
			return err
		}
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		err = db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			if err := insert(ctx, tx, "rolled-back"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Transact error = %v, want boom", err)
		}
		var n int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM settings WHERE key = ?", "rolled-back").Scan(ctx, &n); err != nil || n != 0 {
			t.Fatalf("rolled-back row count = %d, %v", n, err)
		}
		// Duplicate keys are recognised as unique violations on both databases.
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return insert(ctx, tx, "k") }); err != nil {
			t.Fatal(err)
		}
		err = db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return insert(ctx, tx, "k") })
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert error = %v, want unique violation", err)
		}
		// Timestamps round-trip to the microsecond, in UTC.
		var got time.Time
		if err := db.R().NewRaw("SELECT updated_at FROM settings WHERE key = ?", "k").Scan(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(now) {
			t.Fatalf("timestamp round trip: got %v want %v", got, now)
		}
	})
}

func TestConcurrentWritesAllLand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					errs <- db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
						_, err := tx.NewRaw("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
							store.NewID(), string(rune('a'+w))+string(rune('a'+i%26)), store.Time(time.Now())).Exec(ctx)
						return err
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM settings").Scan(ctx, &n); err != nil || n != workers*each {
			t.Fatalf("rows = %d, %v; want %d", n, err, workers*each)
		}
	})
}

func TestNewIDIsOrderedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for range 10000 {
		id := store.NewID()
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		if id <= prev {
			t.Fatalf("ids not increasing: %s after %s", id, prev)
		}
		seen[id], prev = true, id
	}
}

func TestChanged(t *testing.T) {
	db := storetest.SQLite(t)
	var a, b []string
	db.Changed("nobody", "listens") // no subscriber: nothing happens
	db.OnChanged(func(topic, id string) { a = append(a, topic+":"+id) })
	db.OnChanged(func(topic, id string) { b = append(b, topic+":"+id) })
	db.Changed(store.ChangeStaff, "s1")
	db.Changed(store.ChangeAPIToken, "t1")
	want := []string{"staff:s1", "api_token:t1"}
	if !slices.Equal(a, want) || !slices.Equal(b, want) {
		t.Fatalf("subscribers saw %v and %v, want %v", a, b, want)
	}
	// Another handle (another process) is not told.
	other := storetest.SQLite(t)
	other.Changed(store.ChangeStaff, "s2")
	if len(a) != 2 {
		t.Fatalf("a change on another handle reached this one: %v", a)
	}
}

// TestConnectionSettings: foreign keys are enforced and recognised on both
// databases; on SQLite the writer and the readers run in WAL mode with a
// busy timeout (a reader never blocks the writer, a brief lock waits
// instead of failing) and the readers cannot write.
func TestConnectionSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)", "no-such-staff", "admin").Exec(ctx)
			return err
		})
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("a dangling reference: %v, want a foreign-key violation", err)
		}
		if store.IsForeignKeyViolation(errors.New("UNIQUE constraint failed: x")) || store.IsUniqueViolation(err) {
			t.Error("unique and foreign-key violations confused")
		}
		if db.Dialect() != store.SQLite {
			return
		}
		pragma := func(q bun.IDB, name string) string {
			var v string
			if err := q.NewRaw("PRAGMA "+name).Scan(ctx, &v); err != nil {
				t.Fatalf("PRAGMA %s: %v", name, err)
			}
			return v
		}
		want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"}
		for name, v := range want {
			if got := pragma(db.R(), name); got != v {
				t.Errorf("reader %s = %s, want %s", name, got, v)
			}
		}
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			for name, v := range want {
				if got := pragma(tx, name); got != v {
					t.Errorf("writer %s = %s, want %s", name, got, v)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.R().NewRaw("INSERT INTO settings (key, value, updated_at) VALUES ('r', 'v', ?)", store.Time(time.Now())).Exec(ctx); err == nil {
			t.Error("a reader connection wrote")
		}
	})
}

// TestAuditLogIsAppendOnly: the database itself refuses to change or delete
// an audit entry (migration 00026), on both databases; adding one works.
func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := store.Time(time.Now())
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("INSERT INTO audit_log (id, at, action, entity, summary) VALUES (?, ?, 'update', 'payment', '原记录')", "a1", at).Exec(ctx)
			return err
		}); err != nil {
			t.Fatalf("appending an entry: %v", err)
		}
		for _, q := range []string{
			"UPDATE audit_log SET summary = '改过' WHERE id = 'a1'",
			"DELETE FROM audit_log WHERE id = 'a1'",
			"DELETE FROM audit_log",
		} {
			err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw(q).Exec(ctx)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		if db.Dialect() == store.Postgres {
			err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw("TRUNCATE audit_log").Exec(ctx)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("TRUNCATE: %v, want refused as append-only", err)
			}
		}
		var summary string
		if err := db.R().NewRaw("SELECT summary FROM audit_log WHERE id = 'a1'").Scan(ctx, &summary); err != nil || summary != "原记录" {
			t.Errorf("the entry after the attempts: %q, %v", summary, err)
		}
	})
}

// A new SQLite database has 8 KB pages and is in WAL mode from its first
// byte; a database created before with 4 KB pages keeps them and its rows.
func TestSQLitePageSize(t *testing.T) {
	ctx := context.Background()
	pageSize := func(db *store.DB) (int, string) {
		t.Helper()
		var n int
		var mode string
		if err := db.R().NewRaw("PRAGMA page_size").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if err := db.R().NewRaw("PRAGMA journal_mode").Scan(ctx, &mode); err != nil {
			t.Fatal(err)
		}
		return n, mode
	}
	fresh, err := store.Open(ctx, filepath.Join(t.TempDir(), "data", "kefu.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if n, mode := pageSize(fresh); n != 8192 || mode != "wal" {
		t.Errorf("a new database: page_size %d, journal_mode %s; want 8192, wal", n, mode)
	}

	old := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+old+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('旧数据')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := store.Open(ctx, old, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if n, _ := pageSize(db); n != 4096 {
		t.Errorf("an existing database: page_size %d, want 4096 (kept)", n)
	}
	if err := db.R().NewRaw("SELECT v FROM kept").Scan(ctx, &v); err != nil || v != "旧数据" {
		t.Errorf("an existing database's row: %q, %v", v, err)
	}
}
