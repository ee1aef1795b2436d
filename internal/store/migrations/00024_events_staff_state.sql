-- +goose Up
-- The carry-over (上期补记, internal/scorecards/carry.go) checks on every
-- computation of an open card whether anything about the staff member's
-- frozen months changed: how many events, how many withdrawn, their
-- quantities' sum and the latest updated_at of the staff member's events
-- of each month. With this index that is read from the index alone; with
-- events_staff (staff_id, occurred_at) it fetched every row of the month
-- (~1,000 a person and month for 1,000,000 records, three months back for
-- everyone: as slow as reading the events themselves).
CREATE INDEX events_staff_state ON events (staff_id, occurred_at, updated_at, quantity, withdrawn_at);

-- +goose Down
DROP INDEX events_staff_state;
