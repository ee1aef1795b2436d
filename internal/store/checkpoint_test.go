package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
)

// TestCheckpointOffTheWriter: on a SQLite file the writer's commits do
// not checkpoint the WAL (wal_autocheckpoint 0), and the checkpointer
// copies what they committed into the database file soon after, without
// another write.
func TestCheckpointOffTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kefu.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	const rows, width = 2000, 4000 // some 8 MB: 2,000 WAL pages, twice SQLite's own threshold
	if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		var auto int
		if err := tx.NewRaw("PRAGMA wal_autocheckpoint").Scan(ctx, &auto); err != nil {
			return err
		}
		if auto != 0 {
			t.Errorf("writer wal_autocheckpoint = %d, want 0", auto)
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE filler (v TEXT NOT NULL)"); err != nil {
			return err
		}
		for range rows {
			if _, err := tx.ExecContext(ctx, "INSERT INTO filler (v) VALUES (?)", strings.Repeat("x", width)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := size()
	deadline := time.Now().Add(10 * time.Second)
	for size() < rows*width && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := size(); got < rows*width {
		t.Fatalf("database file %d bytes 10 s after the commit (%d right after), want the %d bytes committed checkpointed into it", got, before, rows*width)
	}
	var n int
	if err := db.R().NewRaw("SELECT count(*) FROM filler").Scan(ctx, &n); err != nil || n != rows {
		t.Fatalf("rows read after the checkpoint: %d, %v", n, err)
	}
}
