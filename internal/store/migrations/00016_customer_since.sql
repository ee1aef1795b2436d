-- +goose Up
-- 建档日期: the day the company's relationship with a customer began, as
-- the archive records it (YYYY-MM-DD, optional). Communication records
-- and tickets dated before it are refused: they would be about a customer
-- that did not exist yet.
ALTER TABLE customers ADD COLUMN since TEXT;

-- +goose Down
ALTER TABLE customers DROP COLUMN since;
