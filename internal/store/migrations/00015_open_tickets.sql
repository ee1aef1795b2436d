-- +goose Up
-- The live queue lists the open tickets, urgent first, then by promised
-- deadline (none last), received time and id: this index holds the open
-- ones only, in that order, so the page reads its first hundred rows
-- instead of sorting every open ticket.
CREATE INDEX tickets_open ON tickets (
    (CASE WHEN urgency = 'urgent' THEN 0 ELSE 1 END),
    (CASE WHEN promised_at IS NULL THEN 1 ELSE 0 END),
    promised_at, received_at, id)
    WHERE status NOT IN ('resolved', 'callback_done', 'closed');

-- +goose Down
DROP INDEX tickets_open;
