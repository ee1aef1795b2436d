-- +goose Up
-- The live queue lists the open callbacks soonest due first, the first
-- hundred (tickets.Callbacks: ORDER BY due_at, id). callbacks_due held
-- the open ones by due_at alone, and "done_at IS NULL" matched
-- callbacks_done (done_at) as an equality: SQLite read every open
-- callback through it, joined each to its ticket, customer and staff
-- member, and sorted them — 15 ms of the manager's page with 4,000 open
-- callbacks. Now callbacks_due holds (due_at, id), the page's order, and
-- callbacks_done only the done ones (the ranges of done_at that read it
-- imply done_at IS NOT NULL on both databases), so the page reads its
-- hundred rows in order and stops.
DROP INDEX callbacks_due;
CREATE INDEX callbacks_due ON callbacks (due_at, id) WHERE done_at IS NULL AND cancelled_at IS NULL;
DROP INDEX callbacks_done;
CREATE INDEX callbacks_done ON callbacks (done_at) WHERE done_at IS NOT NULL;

-- +goose Down
DROP INDEX callbacks_done;
CREATE INDEX callbacks_done ON callbacks (done_at);
DROP INDEX callbacks_due;
CREATE INDEX callbacks_due ON callbacks (due_at) WHERE done_at IS NULL AND cancelled_at IS NULL;
