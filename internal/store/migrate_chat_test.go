package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// Migration 00025 lets a communication record be online chat: a database
// at 00024 with records (and rows referencing them) keeps every row, takes
// chat afterwards and still refuses an unknown channel; going down is
// refused while chat records exist and narrows the constraint again once
// they are gone.
func TestChatChannelMigration(t *testing.T) {
	storetest.EachUnmigrated(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, 24); err != nil {
			t.Fatal(err)
		}
		at := store.Time(time.Date(2026, 3, 5, 1, 2, 3, 0, time.UTC))
		exec := execIn(ctx, db)
		insert := func(id, channel string) error {
			return exec(`INSERT INTO communications (id, external_id, channel, direction, occurred_at,
				conversation, counterpart, summary, created_at, source, content_hash) VALUES (?, ?, ?, 'in', ?, 'g1', '13800000001', ?, ?, 'api', 'h')`,
				id, "ext-"+id, channel, at, "摘要 "+id, at)
		}
		for i, ch := range []string{"wechat_group", "phone_missed", "visit", "other"} {
			if err := insert(string(rune('a'+i)), ch); err != nil {
				t.Fatalf("record at 00024: %v", err)
			}
		}
		if err := exec("INSERT INTO communication_tags (communication_id, tag) VALUES (?, ?), (?, ?)", "a", "complaint", "b", "callback"); err != nil {
			t.Fatal(err)
		}
		if err := insert("c0", "chat"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "check") {
			t.Fatalf("chat before 00025: %v, want the CHECK to refuse it", err)
		}
		type row struct {
			ID         string    `bun:"id"`
			ExternalID string    `bun:"external_id"`
			Channel    string    `bun:"channel"`
			OccurredAt time.Time `bun:"occurred_at"`
			Summary    string    `bun:"summary"`
		}
		read := func() (string, []row) {
			t.Helper()
			var rs []row
			if err := db.R().NewRaw("SELECT id, external_id, channel, occurred_at, summary FROM communications ORDER BY id").Scan(ctx, &rs); err != nil {
				t.Fatal(err)
			}
			var tags []string
			if err := db.R().NewRaw("SELECT communication_id || ':' || tag FROM communication_tags ORDER BY 1").Scan(ctx, &tags); err != nil {
				t.Fatal(err)
			}
			return strings.Join(tags, ","), rs
		}
		tagsBefore, before := read()

		if err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if v, err := db.MigrationVersion(ctx); err != nil || v < 25 {
			t.Fatalf("version %d, %v", v, err)
		}
		tagsAfter, after := read()
		if len(after) != 4 || tagsAfter != tagsBefore || tagsAfter != "a:complaint,b:callback" {
			t.Fatalf("after 00025: %d records, tags %q (before %q)", len(after), tagsAfter, tagsBefore)
		}
		for i := range before {
			if before[i].ID != after[i].ID || before[i].ExternalID != after[i].ExternalID || before[i].Channel != after[i].Channel ||
				!before[i].OccurredAt.Equal(after[i].OccurredAt) || before[i].Summary != after[i].Summary {
				t.Errorf("record %d: %+v, was %+v", i, after[i], before[i])
			}
		}
		if err := insert("e", "chat"); err != nil {
			t.Fatalf("chat after 00025: %v", err)
		}
		if err := insert("f", "fax"); err == nil {
			t.Fatal("an unknown channel is taken after 00025")
		}
		// The readers see the record (on SQLite they reload the schema).
		var n int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM communications WHERE channel = 'chat'").Scan(ctx, &n); err != nil || n != 1 {
			t.Fatalf("chat records read: %d, %v", n, err)
		}
		if db.Dialect() == store.SQLite {
			var fk []string
			if err := db.R().NewRaw("SELECT \"table\" FROM pragma_foreign_key_check").Scan(ctx, &fk); err != nil || len(fk) != 0 {
				t.Fatalf("foreign keys after 00025: %v, %v", fk, err)
			}
			var ok string
			if err := db.R().NewRaw("PRAGMA integrity_check").Scan(ctx, &ok); err != nil || ok != "ok" {
				t.Fatalf("integrity after 00025: %q, %v", ok, err)
			}
		}

		// Down is refused while a chat record exists, and changes nothing.
		if err := db.MigrateDownTo(ctx, 24); err == nil || !strings.Contains(err.Error(), "chat") {
			t.Fatalf("down with a chat record: %v", err)
		}
		if v, _ := db.MigrationVersion(ctx); v < 25 {
			t.Fatalf("a refused down left version %d", v)
		}
		if err := exec("DELETE FROM communications WHERE channel = 'chat'"); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDownTo(ctx, 24); err != nil {
			t.Fatal(err)
		}
		if err := insert("g", "chat"); err == nil {
			t.Fatal("chat taken after going down to 00024")
		}
		if tags, rs := read(); len(rs) != 4 || tags != tagsBefore {
			t.Fatalf("after down: %d records, tags %q", len(rs), tags)
		}
		// And up again.
		if err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := insert("h", "chat"); err != nil {
			t.Fatalf("chat after up again: %v", err)
		}
	})
}

// execIn runs one statement in its own transaction on db (what a
// migration test writes between migrations).
func execIn(ctx context.Context, db *store.DB) func(q string, args ...any) error {
	return func(q string, args ...any) error {
		return db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw(q, args...).Exec(ctx)
			return err
		})
	}
}
