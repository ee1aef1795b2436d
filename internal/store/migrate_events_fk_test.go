package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// Migration 00032 drops the foreign keys of events: at 00031 an event
// naming a person who does not exist is refused; after 00032 the events
// stored before are all there and such an event is taken (the services
// check the references they are given); down is refused while one
// exists, and once it is gone puts the foreign keys back, enforced again
// — on both databases.
func TestEventsForeignKeysMigration(t *testing.T) {
	storetest.EachUnmigrated(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, 31); err != nil {
			t.Fatal(err)
		}
		at := store.Time(time.Date(2026, 3, 5, 1, 2, 3, 0, time.UTC))
		exec := execIn(ctx, db)
		if err := exec("INSERT INTO staff (id, login, name, created_at, updated_at) VALUES ('s1', 'lin.wen', '林雯', ?, ?)", at, at); err != nil {
			t.Fatal(err)
		}
		event := func(id, staff, flaggedBy string) error {
			return exec(`INSERT INTO events (id, type, staff_id, occurred_at, quantity, rule, source, flagged_by, reason, created_at, updated_at)
				VALUES (?, 'unregistered', ?, ?, 1, 'unregistered', 'flagged', ?, '未登记', ?, ?)`, id, staff, at, flaggedBy, at, at)
		}
		isFK := func(err error) bool {
			return err != nil && strings.Contains(strings.ToLower(err.Error()), "foreign key")
		}
		if err := event("e1", "s1", "s1"); err != nil {
			t.Fatalf("an event at 00031: %v", err)
		}
		if err := event("e2", "nobody", "s1"); !isFK(err) {
			t.Fatalf("an event of no one at 00031: %v, want a foreign key error", err)
		}
		if err := db.MigrateTo(ctx, 32); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE id = 'e1' AND staff_id = 's1' AND flagged_by = 's1' AND reason = '未登记'").Scan(ctx, &n); err != nil || n != 1 {
			t.Fatalf("the event stored before 00032: %d, %v", n, err)
		}
		if err := event("e2", "s1", "nobody"); err != nil {
			t.Fatalf("after 00032 the foreign keys are gone, yet: %v", err)
		}
		// The rest of the schema kept its foreign keys.
		if err := exec("INSERT INTO staff_roles (staff_id, role) VALUES ('nobody', 'admin')"); !isFK(err) {
			t.Errorf("staff_roles after 00032: %v, want a foreign key error", err)
		}
		if err := db.MigrateDownTo(ctx, 31); err == nil || !strings.Contains(err.Error(), "reference a missing row") && !isFK(err) {
			t.Fatalf("down with an event flagged by no one: %v, want refused", err)
		}
		if err := exec("DELETE FROM events WHERE id = 'e2'"); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDownTo(ctx, 31); err != nil {
			t.Fatalf("down: %v", err)
		}
		if err := event("e3", "s1", "nobody"); !isFK(err) {
			t.Errorf("after 00032 down: %v, want a foreign key error", err)
		}
		if err := event("e3", "s1", "s1"); err != nil {
			t.Errorf("after 00032 down: %v", err)
		}
	})
}
