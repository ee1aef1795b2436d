-- +goose Up
-- 工单 · 投诉 · 回访 (SPEC §5.2): tickets with their lifecycle, escalation,
-- complaints (三不放过) and callbacks with the manager's quarterly re-call
-- sample. Times are UTC (store.Time); ids are UUIDv7 text.

-- 工单编号 GD-YYYYMMDD-NNNN: one counter per company day, taken with an
-- upsert so two tickets of the same second never get the same number.
CREATE TABLE ticket_counters (
    day  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE tickets (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    customer_id      TEXT REFERENCES customers (id),
    contact_id       TEXT REFERENCES contacts (id),
    -- An unmatched caller (number or name) when no customer is known yet.
    caller           TEXT NOT NULL DEFAULT '',
    type             TEXT NOT NULL CHECK (type IN ('consultation', 'repair', 'complaint', 'help', 'suggestion')),
    channel          TEXT NOT NULL,
    received_at      TIMESTAMP NOT NULL,
    -- 首问责任人: who received it; stays accountable until closed.
    first_owner_id   TEXT NOT NULL REFERENCES staff (id),
    assignee_id      TEXT REFERENCES staff (id),
    urgency          TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('urgent', 'normal')),
    description      TEXT NOT NULL DEFAULT '',
    -- 登记要素 (seed 001 接待记录 / 投诉记录).
    address          TEXT NOT NULL DEFAULT '',
    repair_object    TEXT NOT NULL DEFAULT '',
    model_spec       TEXT NOT NULL DEFAULT '',
    appointment_at   TIMESTAMP,
    special_needs    TEXT NOT NULL DEFAULT '',
    cause            TEXT NOT NULL DEFAULT '',
    incident_who     TEXT NOT NULL DEFAULT '',
    incident_what    TEXT NOT NULL DEFAULT '',
    incident_when    TEXT NOT NULL DEFAULT '',
    demand           TEXT NOT NULL DEFAULT '',
    -- 登记不全: computed on every save; missing lists the field names.
    incomplete       BOOLEAN NOT NULL DEFAULT FALSE,
    missing          TEXT NOT NULL DEFAULT '',
    promised_at      TIMESTAMP,
    status           TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'in_progress', 'dispatched', 'resolved', 'callback_done', 'closed')),
    resolved_at      TIMESTAMP,
    closed_at        TIMESTAMP,
    -- 问题升级: specialist → tech_specialist → tech_department.
    escalation_level TEXT NOT NULL DEFAULT 'specialist' CHECK (escalation_level IN ('specialist', 'tech_specialist', 'tech_department')),
    created_by       TEXT REFERENCES staff (id),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX tickets_customer ON tickets (customer_id, received_at);
CREATE INDEX tickets_first_owner ON tickets (first_owner_id, received_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);
CREATE INDEX tickets_status ON tickets (status, promised_at);
CREATE INDEX tickets_received ON tickets (received_at, id);
CREATE INDEX tickets_incomplete ON tickets (received_at) WHERE incomplete;

-- Every status change with who, when and why.
CREATE TABLE ticket_transitions (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets (id),
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    reopen      BOOLEAN NOT NULL DEFAULT FALSE,
    at          TIMESTAMP NOT NULL,
    by_id       TEXT REFERENCES staff (id),
    note        TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_transitions_ticket ON ticket_transitions (ticket_id, at, id);

CREATE TABLE ticket_escalations (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    from_level TEXT NOT NULL,
    to_level   TEXT NOT NULL CHECK (to_level IN ('tech_specialist', 'tech_department')),
    to_staff_id TEXT REFERENCES staff (id),
    to_text    TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL,
    by_id      TEXT REFERENCES staff (id),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_escalations_ticket ON ticket_escalations (ticket_id, at);

-- 投诉: one row per complaint ticket.
CREATE TABLE ticket_complaints (
    ticket_id         TEXT PRIMARY KEY REFERENCES tickets (id),
    nature            TEXT NOT NULL DEFAULT 'other' CHECK (nature IN ('quality', 'attitude', 'other')),
    against_staff_id  TEXT REFERENCES staff (id),
    against_text      TEXT NOT NULL DEFAULT '',
    severity          TEXT NOT NULL DEFAULT 'general' CHECK (severity IN ('general', 'major')),
    justified         TEXT NOT NULL DEFAULT 'undecided' CHECK (justified IN ('yes', 'no', 'undecided')),
    judged_by         TEXT REFERENCES staff (id),
    judged_at         TIMESTAMP,
    -- 重大投诉: escalated to the manager, answered within 1 working day.
    escalated_to      TEXT REFERENCES staff (id),
    escalated_at      TIMESTAMP,
    reply_due_at      TIMESTAMP,
    replied_at        TIMESTAMP,
    replied_by        TEXT REFERENCES staff (id),
    reply_note        TEXT NOT NULL DEFAULT '',
    -- 三不放过
    root_cause        TEXT NOT NULL DEFAULT '',
    responsibility    TEXT NOT NULL DEFAULT '',
    corrective_action TEXT NOT NULL DEFAULT '',
    preventive_action TEXT NOT NULL DEFAULT '',
    -- The attitude_complaint event in force (withdrawn events stay in events).
    event_id          TEXT REFERENCES events (id),
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX ticket_complaints_against ON ticket_complaints (against_staff_id);
CREATE INDEX ticket_complaints_reply ON ticket_complaints (reply_due_at) WHERE replied_at IS NULL;

-- 回访: due on every resolution of a repair or complaint ticket; a reopen
-- cancels the open one (a later resolution makes a new one).
CREATE TABLE callbacks (
    id               TEXT PRIMARY KEY,
    ticket_id        TEXT NOT NULL REFERENCES tickets (id),
    kind             TEXT NOT NULL CHECK (kind IN ('repair', 'complaint', 'other')),
    -- The specialist the callback rate charges.
    staff_id         TEXT REFERENCES staff (id),
    resolved_at      TIMESTAMP NOT NULL,
    due_at           TIMESTAMP,
    done_at          TIMESTAMP,
    done_by          TEXT REFERENCES staff (id),
    result           TEXT NOT NULL DEFAULT '',
    satisfaction     INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    communication_id TEXT REFERENCES communications (id),
    cancelled_at     TIMESTAMP,
    cancel_reason    TEXT NOT NULL DEFAULT '',
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX callbacks_ticket ON callbacks (ticket_id, created_at);
CREATE INDEX callbacks_due ON callbacks (due_at) WHERE done_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX callbacks_staff ON callbacks (staff_id, due_at);
CREATE INDEX callbacks_done ON callbacks (done_at);

-- 经理季度 20% 回访抽查: the sample of a quarter's completed callbacks.
CREATE TABLE callback_resamples (
    id           TEXT PRIMARY KEY,
    quarter      TEXT NOT NULL,
    callback_id  TEXT NOT NULL REFERENCES callbacks (id),
    done_at      TIMESTAMP,
    done_by      TEXT REFERENCES staff (id),
    result       TEXT NOT NULL DEFAULT '',
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    created_by   TEXT REFERENCES staff (id),
    created_at   TIMESTAMP NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (quarter, callback_id)
);

-- +goose Down
DROP TABLE callback_resamples;
DROP TABLE callbacks;
DROP TABLE ticket_complaints;
DROP TABLE ticket_escalations;
DROP TABLE ticket_transitions;
DROP TABLE tickets;
DROP TABLE ticket_counters;
