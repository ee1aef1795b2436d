-- +goose Up
-- Progress (SPEC §6.3, 工作跟进), the monthly statistics (§6.5) and the 25th
-- (§6.6): the technicians' end-of-day reports, the specialist's reminders
-- and WeChat-group feedback, the daily summary, problems passed to the
-- party concerned, and the monthly summary to the general manager.

-- 施工人下班前反馈: one report per work order, technician and day; the
-- group's supervisor may report for the group (staff_id = the supervisor).
CREATE TABLE work_reports (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    staff_id      TEXT NOT NULL REFERENCES staff (id),
    day           TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'done', 'blocked')),
    notes         TEXT NOT NULL DEFAULT '',
    reported_at   TIMESTAMP NOT NULL,
    recorded_by   TEXT REFERENCES staff (id),
    recorded_at   TIMESTAMP NOT NULL,
    UNIQUE (work_order_id, staff_id, day)
);
CREATE INDEX work_reports_day ON work_reports (day, work_order_id);

-- 施工提醒 (reminder) and 微信群反馈 (group_feedback) of a customer's work day.
CREATE TABLE followups (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    work_order_id TEXT REFERENCES work_orders (id),
    day           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('reminder', 'group_feedback')),
    staff_id      TEXT REFERENCES staff (id),
    at            TIMESTAMP NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    recorded_at   TIMESTAMP NOT NULL
);
CREATE INDEX followups_customer_day ON followups (customer_id, day, kind);
CREATE INDEX followups_day ON followups (day);

-- 当日施工/维保汇总: the specialist's reviewed summary of a day (body: the
-- lines as submitted, JSON).
CREATE TABLE daily_summaries (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    day          TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '{}',
    note         TEXT NOT NULL DEFAULT '',
    due_at       TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    submitted_by TEXT REFERENCES staff (id),
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (staff_id, day)
);

-- 问题: overdue progress, complaint, quality, acceptance, warranty (逾期、投诉、
-- 质量、验收、质保), with what proves it, against a work order / group /
-- technician, passed to the party concerned (当事人) by forward_due.
CREATE TABLE problems (
    id                    TEXT PRIMARY KEY,
    work_order_id         TEXT REFERENCES work_orders (id),
    customer_id           TEXT NOT NULL REFERENCES customers (id),
    type                  TEXT NOT NULL CHECK (type IN ('overdue', 'complaint', 'quality', 'acceptance', 'warranty')),
    region_id             TEXT REFERENCES regions (id),
    group_id              TEXT REFERENCES maint_groups (id),
    technician_id         TEXT REFERENCES staff (id),
    description           TEXT NOT NULL,
    evidence              TEXT NOT NULL DEFAULT '',
    occurred_at           TIMESTAMP NOT NULL,
    recorded_by           TEXT REFERENCES staff (id),
    recorded_at           TIMESTAMP NOT NULL,
    forward_due           TIMESTAMP NOT NULL,
    forwarded_to_staff_id TEXT REFERENCES staff (id),
    forwarded_to_party    TEXT NOT NULL DEFAULT '',
    forwarded_at          TIMESTAMP,
    forwarded_by          TEXT REFERENCES staff (id),
    forward_note          TEXT NOT NULL DEFAULT '',
    resolved_at           TIMESTAMP,
    resolved_by           TEXT REFERENCES staff (id),
    resolution            TEXT NOT NULL DEFAULT '',
    staff_id              TEXT REFERENCES staff (id),
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX problems_occurred ON problems (occurred_at);
CREATE INDEX problems_order ON problems (work_order_id);
CREATE INDEX problems_unforwarded ON problems (forward_due) WHERE forwarded_at IS NULL;

-- 25日汇总: the month's maintenance results reported to the general manager.
CREATE TABLE monthly_summaries (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    month        TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '{}',
    note         TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMP,
    submitted_by TEXT REFERENCES staff (id),
    submitted_to TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (staff_id, month)
);

-- +goose Down
DROP TABLE monthly_summaries;
DROP TABLE problems;
DROP TABLE daily_summaries;
DROP TABLE followups;
DROP TABLE work_reports;
