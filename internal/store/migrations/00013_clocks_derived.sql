-- +goose Up
-- response_clocks is a projection derived from the communication records
-- (comms.Recompute rebuilds it and deletes what the records no longer
-- produce), and a month's re-derivation writes some 300,000 rows of it in
-- one transaction. It keeps no foreign keys (four lookups per row, the
-- records are never deleted) and indexes the running clocks — the
-- sweeper's — partially: most clocks stop, and a stopped clock then costs
-- only the key and the conversation index. Nothing reads clocks by staff
-- (the appraisal reads the events, which are indexed by staff), so that
-- index goes.
CREATE TABLE response_clocks_derived (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    conversation TEXT NOT NULL,
    customer_id  TEXT,
    staff_id     TEXT,
    start_id     TEXT NOT NULL,
    stop_id      TEXT,
    started_at   TIMESTAMP NOT NULL,
    near_at      TIMESTAMP,
    deadline     TIMESTAMP NOT NULL,
    stopped_at   TIMESTAMP,
    state        TEXT NOT NULL CHECK (state IN ('running', 'met', 'breached')),
    late_s       BIGINT NOT NULL DEFAULT 0,
    derived_at   TIMESTAMP NOT NULL
);
INSERT INTO response_clocks_derived (key, kind, conversation, customer_id, staff_id, start_id, stop_id, started_at, near_at, deadline,
    stopped_at, state, late_s, derived_at)
SELECT key, kind, conversation, customer_id, staff_id, start_id, stop_id, started_at, near_at, deadline, stopped_at, state, late_s, derived_at
FROM response_clocks;
DROP TABLE response_clocks;
ALTER TABLE response_clocks_derived RENAME TO response_clocks;
CREATE INDEX response_clocks_conversation ON response_clocks (conversation, started_at);
CREATE INDEX response_clocks_open ON response_clocks (deadline, key) WHERE stop_id IS NULL;
CREATE INDEX response_clocks_running ON response_clocks (deadline) WHERE state = 'running';
CREATE INDEX response_clocks_near ON response_clocks (near_at) WHERE state = 'running';
-- The open clocks of a customer: a call back by customer stops them.
CREATE INDEX response_clocks_open_customer ON response_clocks (customer_id, started_at) WHERE stop_id IS NULL;

-- +goose Down
CREATE TABLE response_clocks_fk (
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
INSERT INTO response_clocks_fk SELECT key, kind, conversation, customer_id, staff_id, start_id, stop_id, started_at, near_at, deadline,
    stopped_at, state, late_s, derived_at FROM response_clocks;
DROP TABLE response_clocks;
ALTER TABLE response_clocks_fk RENAME TO response_clocks;
CREATE INDEX response_clocks_state ON response_clocks (state, deadline);
CREATE INDEX response_clocks_staff ON response_clocks (staff_id, started_at);
CREATE INDEX response_clocks_conversation ON response_clocks (conversation, started_at);
CREATE INDEX response_clocks_open ON response_clocks (deadline, key) WHERE stop_id IS NULL;
CREATE INDEX response_clocks_near ON response_clocks (state, near_at);
