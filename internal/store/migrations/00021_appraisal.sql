-- +goose Up
-- 绩效考核 (SPEC §8): scheme versions as documents, monthly scorecards with
-- their lines, the ratings of rubric/manual/checklist items, comments and
-- appeals. A scheme version in use is never edited (a new version takes
-- effect from a date); a published card changes only through an appeal
-- decision.
CREATE TABLE appraisal_schemes (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    applies_to     TEXT NOT NULL DEFAULT '',
    period         TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    document       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'retired')),
    created_by     TEXT REFERENCES staff (id),
    created_at     TIMESTAMP NOT NULL,
    approved_by    TEXT REFERENCES staff (id),
    approved_at    TIMESTAMP,
    row_version    BIGINT NOT NULL DEFAULT 1,
    UNIQUE (code, version)
);
CREATE INDEX appraisal_schemes_effective ON appraisal_schemes (code, status, effective_from);

CREATE TABLE scorecards (
    id            TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff (id),
    scheme_id     TEXT NOT NULL REFERENCES appraisal_schemes (id),
    period        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'self_review', 'rating', 'approval', 'published', 'final')),
    total         BIGINT NOT NULL DEFAULT 0,
    bonus         BIGINT NOT NULL DEFAULT 0,
    final_score   BIGINT NOT NULL DEFAULT 0,
    complete      BOOLEAN NOT NULL DEFAULT FALSE,
    card          TEXT NOT NULL DEFAULT '{}',
    computed_at   TIMESTAMP NOT NULL,
    self_comment  TEXT NOT NULL DEFAULT '',
    self_at       TIMESTAMP,
    rated_by      TEXT REFERENCES staff (id),
    rated_at      TIMESTAMP,
    approved_by   TEXT REFERENCES staff (id),
    approved_at   TIMESTAMP,
    published_at  TIMESTAMP,
    appeal_until  TIMESTAMP,
    finalized_at  TIMESTAMP,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (staff_id, period, scheme_id)
);
CREATE INDEX scorecards_period ON scorecards (period, status);

-- 上级评价: a rater's level, score or checklist grades for one item.
CREATE TABLE scorecard_ratings (
    scorecard_id TEXT NOT NULL REFERENCES scorecards (id),
    item_key     TEXT NOT NULL,
    value        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    rated_by     TEXT NOT NULL REFERENCES staff (id),
    rated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (scorecard_id, item_key)
);

-- 自评意见 and 申诉: a comment on a line, or an appeal of it with its decision.
CREATE TABLE scorecard_appeals (
    id           TEXT PRIMARY KEY,
    scorecard_id TEXT NOT NULL REFERENCES scorecards (id),
    item_key     TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('comment', 'appeal')),
    text         TEXT NOT NULL,
    filed_by     TEXT NOT NULL REFERENCES staff (id),
    filed_at     TIMESTAMP NOT NULL,
    decision     TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'upheld', 'rejected')),
    adjustment   BIGINT NOT NULL DEFAULT 0,
    decided_by   TEXT REFERENCES staff (id),
    decided_at   TIMESTAMP,
    decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scorecard_appeals_card ON scorecard_appeals (scorecard_id, filed_at);

-- +goose Down
DROP TABLE scorecard_appeals;
DROP TABLE scorecard_ratings;
DROP TABLE scorecards;
DROP TABLE appraisal_schemes;
