-- +goose Up
-- 节假日: statutory holidays (kind holiday) and make-up working days
-- (调休上班, kind workday). The table is the source of truth; it is seeded
-- from lunar-go and edited or imported by admins for later years.
CREATE TABLE holidays (
    day        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    source     TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE holidays;
