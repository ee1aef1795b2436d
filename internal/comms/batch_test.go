package comms

import (
	"testing"

	"kefu/internal/store"
)

// A clock's and an event's arguments fill their rows of the multi-row
// inserts.
func TestSQLiteArgsFillTheRow(t *testing.T) {
	key := "k"
	if c, e := len((&StoredClock{}).sqliteArgs()), len((&event{ComputedKey: &key}).sqliteArgs()); c != clockArgs || e != eventArgs ||
		c != store.NewMultiInsert(nil, "", clockValues, "").Width() || e != store.NewMultiInsert(nil, "", eventValues, "").Width() {
		t.Fatalf("sqliteArgs: a clock's %d (clockArgs %d, row %q), an event's %d (eventArgs %d, row %q)", c, clockArgs, clockValues, e, eventArgs, eventValues)
	}
}
