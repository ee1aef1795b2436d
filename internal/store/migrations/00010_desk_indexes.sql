-- +goose Up
-- An ingest re-derives the clocks of the conversations it touched, the
-- queue reads the open clocks soonest deadline first, the sweeper the ones
-- coming near: each gets its index.
CREATE INDEX response_clocks_conversation ON response_clocks (conversation, started_at);
CREATE INDEX response_clocks_open ON response_clocks (deadline, key) WHERE stop_id IS NULL;
CREATE INDEX response_clocks_near ON response_clocks (state, near_at);
CREATE INDEX events_computed ON events (type, occurred_at) WHERE source = 'computed';

-- +goose Down
DROP INDEX events_computed;
DROP INDEX response_clocks_near;
DROP INDEX response_clocks_open;
DROP INDEX response_clocks_conversation;
