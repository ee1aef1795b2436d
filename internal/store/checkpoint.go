package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies the committed pages of a SQLite database's WAL into
// the database file (a checkpoint) on a connection of its own, so that a
// commit only appends to the WAL (and syncs it, synchronous FULL) instead
// of also copying it: the writer runs with wal_autocheckpoint(0). Left to
// SQLite, the commit that takes the WAL past 1,000 pages checkpoints it
// before returning — after a month's derivation, some hundred megabytes
// written into the database file and synced while the single writer
// waits, and every few batches of an ingest. A checkpoint here is
// PASSIVE (SQLite's own kind): it copies what no reader still needs and
// never blocks the writer or the readers; what it could not copy is
// copied by a later one.
//
// It runs after each commit that asked for it (Transact kicks it), at
// most once per interval, and after an interval without one regardless
// (writes made through SQLDB).
type checkpointer struct {
	db       *sql.DB
	interval time.Duration
	kick     chan struct{}
	stop     chan struct{}
	wg       sync.WaitGroup
}

// checkpointInterval is the least time between two checkpoints.
const checkpointInterval = 500 * time.Millisecond

func newCheckpointer(db *sql.DB, interval time.Duration) *checkpointer {
	c := &checkpointer{db: db, interval: interval, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Go(c.run)
	return c
}

// committed tells the checkpointer that a transaction committed.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-time.After(c.interval):
		}
		// A failed checkpoint (the database busy with another
		// checkpoint, a disk error) is tried again at the next one; the
		// WAL keeps every committed page until then.
		_, _ = c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		select {
		case <-c.stop:
			return
		case <-time.After(c.interval):
		}
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.db.Close()
}
