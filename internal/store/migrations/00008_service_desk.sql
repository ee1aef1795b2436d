-- +goose Up
-- 客服受理 (SPEC §5): communication records from every source, the
-- response clocks derived from them, and the appraisal events (§8.2)
-- those clocks and other detectors produce.
ALTER TABLE communications ADD COLUMN source TEXT NOT NULL DEFAULT 'ui';
ALTER TABLE communications ADD COLUMN duration_s BIGINT;
-- content_hash tells a re-sent record (same external id, same content:
-- unchanged) from a conflicting one (same id, other content: refused).
ALTER TABLE communications ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
-- A supervisor flags a request found here that was never registered as a
-- ticket (相关事项未登记).
ALTER TABLE communications ADD COLUMN unregistered_at TIMESTAMP;
ALTER TABLE communications ADD COLUMN unregistered_by TEXT REFERENCES staff (id);
ALTER TABLE communications ADD COLUMN unregistered_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX communications_conversation ON communications (conversation, occurred_at);
CREATE INDEX communications_occurred ON communications (occurred_at, id);
CREATE INDEX communications_unmatched ON communications (occurred_at) WHERE customer_id IS NULL;

-- 响应计时: derived from the records (recomputable), stored for the queue
-- and the reports. key is deterministic: kind + conversation + start record.
CREATE TABLE response_clocks (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    conversation TEXT NOT NULL,
    customer_id  TEXT REFERENCES customers (id),
    staff_id     TEXT REFERENCES staff (id),
    start_id     TEXT NOT NULL REFERENCES communications (id),
    stop_id      TEXT REFERENCES communications (id),
    started_at   TIMESTAMP NOT NULL,
    near_at      TIMESTAMP,
    deadline     TIMESTAMP NOT NULL,
    stopped_at   TIMESTAMP,
    state        TEXT NOT NULL CHECK (state IN ('running', 'met', 'breached')),
    late_s       BIGINT NOT NULL DEFAULT 0,
    derived_at   TIMESTAMP NOT NULL
);
CREATE INDEX response_clocks_state ON response_clocks (state, deadline);
CREATE INDEX response_clocks_staff ON response_clocks (staff_id, started_at);

-- 考核事件 (SPEC §8.2): one row per occurrence, with its evidence. Computed
-- events carry a deterministic key so a recomputation updates instead of
-- duplicating; flagged ones are entered by a rater with a reason. Nothing
-- is deleted: a wrong event is withdrawn with a reason.
CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    type            TEXT NOT NULL,
    staff_id        TEXT REFERENCES staff (id),
    customer_id     TEXT REFERENCES customers (id),
    occurred_at     TIMESTAMP NOT NULL,
    quantity        BIGINT NOT NULL DEFAULT 1,
    rule            TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL CHECK (source IN ('computed', 'flagged')),
    computed_key    TEXT UNIQUE,
    flagged_by      TEXT REFERENCES staff (id),
    reason          TEXT NOT NULL DEFAULT '',
    withdrawn_at    TIMESTAMP,
    withdrawn_by    TEXT REFERENCES staff (id),
    withdraw_reason TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX events_staff ON events (staff_id, occurred_at);
CREATE INDEX events_type ON events (type, occurred_at);

-- The records that prove an event (a message, a call, a ticket, …).
CREATE TABLE event_evidence (
    event_id TEXT NOT NULL REFERENCES events (id),
    kind     TEXT NOT NULL,
    ref_id   TEXT NOT NULL,
    role     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, kind, ref_id)
);
CREATE INDEX event_evidence_ref ON event_evidence (kind, ref_id);

-- +goose Down
DROP TABLE event_evidence;
DROP TABLE events;
DROP TABLE response_clocks;
DROP INDEX communications_unmatched;
DROP INDEX communications_occurred;
DROP INDEX communications_conversation;
ALTER TABLE communications DROP COLUMN unregistered_reason;
ALTER TABLE communications DROP COLUMN unregistered_by;
ALTER TABLE communications DROP COLUMN unregistered_at;
ALTER TABLE communications DROP COLUMN content_hash;
ALTER TABLE communications DROP COLUMN duration_s;
ALTER TABLE communications DROP COLUMN source;
