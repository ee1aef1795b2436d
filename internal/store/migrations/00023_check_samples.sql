-- +goose Up
-- 检查考核 (checks): the daily samples of a sample item (seed 002 聊天记录
-- 考核: 20 chat records a day, 4 failing → −1) recorded on a check card, one
-- row per card, item and day; evidence is a JSON array of the failing
-- records' ids. Check cards themselves are scorecards of a check scheme
-- (period YYYY-MM, or a week's Monday YYYY-MM-DD).
CREATE TABLE scorecard_samples (
    scorecard_id TEXT NOT NULL REFERENCES scorecards (id),
    item_key     TEXT NOT NULL,
    day          TEXT NOT NULL,
    checked      INTEGER NOT NULL CHECK (checked >= 0),
    failed       INTEGER NOT NULL CHECK (failed >= 0 AND failed <= checked),
    evidence     TEXT NOT NULL DEFAULT '[]',
    note         TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL REFERENCES staff (id),
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (scorecard_id, item_key, day)
);

-- +goose Down
DROP TABLE scorecard_samples;
