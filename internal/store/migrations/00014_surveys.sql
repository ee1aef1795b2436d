-- +goose Up
-- 满意度调查 (SPEC §7, seed 003 按计划进行客户满意度调查): the manager's
-- survey plans, one task per customer in scope assigned at issue to the
-- customer's owning specialist, and the recorded responses. Times are UTC
-- (store.Time); ids are UUIDv7 text; due_on is a company calendar date.

CREATE TABLE survey_plans (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    -- The period surveyed as people name it: 2026-03 or 2026Q1.
    period          TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    -- The instant the plan is overdue: the start of the day after due_on.
    due_at          TIMESTAMP NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('phone', 'wechat', 'visit', 'questionnaire')),
    -- Scope: active customers, narrowed by class, region and owner ('' / NULL = all).
    scope_class     TEXT NOT NULL DEFAULT '' CHECK (scope_class IN ('', 'A', 'B', 'C', 'D')),
    scope_region_id TEXT REFERENCES regions (id),
    scope_owner_id  TEXT REFERENCES staff (id),
    notes           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    created_by      TEXT REFERENCES staff (id),
    issued_at       TIMESTAMP,
    issued_by       TEXT REFERENCES staff (id),
    closed_at       TIMESTAMP,
    closed_by       TEXT REFERENCES staff (id),
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX survey_plans_status ON survey_plans (status, due_at);
CREATE INDEX survey_plans_created ON survey_plans (created_at, id);

-- The questions of a plan, in order; replaced as a whole while a draft.
-- overall marks the score question the monthly summary counts.
CREATE TABLE survey_questions (
    id      TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES survey_plans (id),
    seq     INTEGER NOT NULL,
    text    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('score', 'text')),
    overall BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (plan_id, seq)
);

-- One task per customer of an issued plan. staff_id, region_id and class
-- are as they were at issue: the results stay as the plan was worked.
CREATE TABLE survey_tasks (
    id               TEXT PRIMARY KEY,
    plan_id          TEXT NOT NULL REFERENCES survey_plans (id),
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    staff_id         TEXT REFERENCES staff (id),
    region_id        TEXT REFERENCES regions (id),
    class            TEXT NOT NULL DEFAULT '',
    -- '' pending; answered 已答复, unreachable 无法联系, refused 拒绝.
    outcome          TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'answered', 'unreachable', 'refused')),
    contact_name     TEXT NOT NULL DEFAULT '',
    answered_at      TIMESTAMP,
    channel          TEXT NOT NULL DEFAULT '' CHECK (channel IN ('', 'phone', 'wechat', 'visit', 'questionnaire')),
    note             TEXT NOT NULL DEFAULT '',
    -- The score of the plan's overall question (for 客户满意度汇总表).
    overall_score    INTEGER CHECK (overall_score BETWEEN 1 AND 5),
    communication_id TEXT REFERENCES communications (id),
    recorded_by      TEXT REFERENCES staff (id),
    recorded_at      TIMESTAMP,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    UNIQUE (plan_id, customer_id)
);
CREATE INDEX survey_tasks_staff ON survey_tasks (staff_id, plan_id);
CREATE INDEX survey_tasks_answered ON survey_tasks (answered_at);

CREATE TABLE survey_answers (
    task_id     TEXT NOT NULL REFERENCES survey_tasks (id),
    question_id TEXT NOT NULL REFERENCES survey_questions (id),
    score       INTEGER CHECK (score BETWEEN 1 AND 5),
    text        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (task_id, question_id)
);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_tasks;
DROP TABLE survey_questions;
DROP TABLE survey_plans;
