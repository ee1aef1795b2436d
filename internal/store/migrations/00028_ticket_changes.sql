-- +goose Up
-- The ticket deadlines' incremental derivation (tickets.DeriveBreaches)
-- re-reads, besides the open deadlines, the tickets and callbacks changed
-- since its previous run, ten minutes ago: these indexes find them
-- without reading every ticket and callback of the history.
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX callbacks_updated ON callbacks (updated_at);
-- A ticket's first acknowledgement (new → acknowledged), which decides its
-- first-response breach: one index entry per ticket, read without the
-- transition rows (a full derivation asks for every ticket's).
CREATE INDEX ticket_transitions_ack ON ticket_transitions (ticket_id, at)
    WHERE from_status = 'new' AND to_status = 'acknowledged';

-- +goose Down
DROP INDEX ticket_transitions_ack;
DROP INDEX callbacks_updated;
DROP INDEX tickets_updated;
