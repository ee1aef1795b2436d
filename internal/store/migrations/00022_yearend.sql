-- +goose Up
-- 年终考评 (seed 004 §4.6): the manager's year-end review of a staff member,
-- the 50% component of the year-end score (20% checks + 30% monthly
-- appraisals + 50% year-end review). score is in hundredths of a point
-- (0–100.00); bonus is the commendation (嘉奖 +1…+10, §4.9) added to it;
-- checks is the mean of the year's weekly/monthly checks (周检、月检) when
-- they were kept on paper (no check cards on record), NULL otherwise.
-- Kept at least 2 years like the cards (§4.12); purged with them.
CREATE TABLE year_end_reviews (
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    year       INTEGER NOT NULL,
    score      BIGINT NOT NULL,
    bonus      BIGINT NOT NULL DEFAULT 0,
    checks     BIGINT,
    reason     TEXT NOT NULL DEFAULT '',
    rated_by   TEXT NOT NULL REFERENCES staff (id),
    rated_at   TIMESTAMP NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (staff_id, year)
);

-- +goose Down
DROP TABLE year_end_reviews;
