package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// Settings are JSON under a key: nothing stored leaves the defaults, a
// stored value fills what it has, each write bumps the version.
func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		type pol struct {
			A int    `json:"a"`
			B string `json:"b"`
		}
		v := pol{A: 1, B: "default"}
		if found, err := store.GetSetting(ctx, db.R(), "test.pol", &v); err != nil || found || v != (pol{1, "default"}) {
			t.Fatalf("nothing stored: %v %v %+v", found, err, v)
		}
		at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
		for i, want := range []pol{{2, "x"}, {3, "y"}} {
			if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return store.PutSetting(ctx, tx, "test.pol", want, at) }); err != nil {
				t.Fatal(err)
			}
			got := pol{}
			if found, err := store.GetSetting(ctx, db.R(), "test.pol", &got); err != nil || !found || got != want {
				t.Fatalf("after write %d: %v %v %+v", i, found, err, got)
			}
			var version int
			if err := db.R().NewRaw("SELECT version FROM settings WHERE key = 'test.pol'").Scan(ctx, &version); err != nil || version != i+1 {
				t.Fatalf("version after write %d: %d %v", i, version, err)
			}
		}
		// A stored value without a field keeps the caller's default for it.
		if _, err := db.SQLDB().Exec(`UPDATE settings SET value = '{"a": 7}' WHERE key = 'test.pol'`); err != nil {
			t.Fatal(err)
		}
		got := pol{B: "default"}
		if _, err := store.GetSetting(ctx, db.R(), "test.pol", &got); err != nil || got != (pol{7, "default"}) {
			t.Fatalf("partial value: %+v %v", got, err)
		}
		// A value that is not JSON is an error naming the key.
		if _, err := db.SQLDB().Exec(`UPDATE settings SET value = 'not json' WHERE key = 'test.pol'`); err != nil {
			t.Fatal(err)
		}
		if _, err := store.GetSetting(ctx, db.R(), "test.pol", &got); err == nil {
			t.Fatal("a broken value read without an error")
		}
	})
}
