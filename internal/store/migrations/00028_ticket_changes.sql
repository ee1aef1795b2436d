-- +goose Up
-- The ticket deadlines' incremental derivation (tickets.DeriveBreaches)
-- re-reads, besides the open deadlines, the tickets and callbacks changed
-- since its previous run, ten minutes ago: these indexes find them
-- without reading every ticket and callback of the history.
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX callbacks_updated ON callbacks (updated_at);

-- +goose Down
DROP INDEX callbacks_updated;
DROP INDEX tickets_updated;
