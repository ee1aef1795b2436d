-- +goose Up
-- Field work (SPEC §6): 立项 · 派工 · 工作跟进 · 验收 · 25日汇总.

-- 立项: a project per contract, its verification (核实方案) and its items,
-- which must cover the contract's scope (不得有漏项) unless a manager
-- overrides with a reason.
CREATE TABLE projects (
    id                       TEXT PRIMARY KEY,
    contract_id              TEXT NOT NULL UNIQUE REFERENCES contracts (id),
    customer_id              TEXT NOT NULL REFERENCES customers (id),
    owner_id                 TEXT REFERENCES staff (id),
    received_on              TEXT NOT NULL,
    dispatch_due             TIMESTAMP NOT NULL,
    verified_with            TEXT NOT NULL DEFAULT '' CHECK (verified_with IN ('', 'region_head', 'tech_department')),
    verifier_name            TEXT NOT NULL DEFAULT '',
    verified_at              TIMESTAMP,
    verify_result            TEXT NOT NULL DEFAULT '' CHECK (verify_result IN ('', 'confirmed', 'changed', 'rejected')),
    verify_note              TEXT NOT NULL DEFAULT '',
    coverage_override_by     TEXT REFERENCES staff (id),
    coverage_override_at     TIMESTAMP,
    coverage_override_reason TEXT NOT NULL DEFAULT '',
    dispatched_at            TIMESTAMP,
    created_by               TEXT REFERENCES staff (id),
    version                  BIGINT NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL
);
CREATE INDEX projects_customer ON projects (customer_id);
CREATE INDEX projects_owner ON projects (owner_id, received_on);

CREATE TABLE project_items (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    seq          INTEGER NOT NULL,
    service_type TEXT NOT NULL CHECK (service_type IN ('inspection', 'seasonal', 'repair', 'construction', 'other')),
    equipment    TEXT NOT NULL DEFAULT '',
    frequency    TEXT NOT NULL DEFAULT '',
    times        INTEGER NOT NULL DEFAULT 1,
    notes        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX project_items_project ON project_items (project_id, seq);

-- 派工单: dispatched to the maintenance group of the customer's region.
-- planned → dispatched → (returned → dispatched) → completed → accepted;
-- cancelled from planned/dispatched/returned.
CREATE TABLE work_orders (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    type              TEXT NOT NULL CHECK (type IN ('inspection', 'seasonal', 'repair', 'construction', 'other')),
    project_id        TEXT REFERENCES projects (id),
    project_item_id   TEXT REFERENCES project_items (id),
    schedule_key      TEXT,
    ticket_id         TEXT REFERENCES tickets (id),
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    owner_id          TEXT REFERENCES staff (id),
    region_id         TEXT REFERENCES regions (id),
    group_id          TEXT REFERENCES maint_groups (id),
    supervisor_id     TEXT REFERENCES staff (id),
    site_address      TEXT NOT NULL DEFAULT '',
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_phone     TEXT NOT NULL DEFAULT '',
    equipment         TEXT NOT NULL DEFAULT '',
    parts             TEXT NOT NULL DEFAULT '[]',
    content           TEXT NOT NULL DEFAULT '',
    planned_on        TEXT,
    deadline_on       TEXT,
    requested_at      TIMESTAMP,
    dispatch_due      TIMESTAMP,
    status            TEXT NOT NULL CHECK (status IN ('planned', 'dispatched', 'returned', 'completed', 'accepted', 'cancelled')),
    dispatched_by     TEXT REFERENCES staff (id),
    dispatched_at     TIMESTAMP,
    completed_at      TIMESTAMP,
    completed_by      TEXT REFERENCES staff (id),
    group_posted_at   TIMESTAMP,
    group_posted_by   TEXT REFERENCES staff (id),
    paper_received_on TEXT,
    paper_received_by TEXT REFERENCES staff (id),
    callback_at       TIMESTAMP,
    callback_by       TEXT REFERENCES staff (id),
    callback_result   TEXT NOT NULL DEFAULT '',
    satisfaction      INTEGER NOT NULL DEFAULT 0,
    accepted_at       TIMESTAMP,
    accepted_by       TEXT REFERENCES staff (id),
    cancel_reason     TEXT NOT NULL DEFAULT '',
    created_by        TEXT REFERENCES staff (id),
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX work_orders_schedule ON work_orders (project_id, schedule_key);
CREATE INDEX work_orders_customer ON work_orders (customer_id, created_at);
CREATE INDEX work_orders_board ON work_orders (planned_on, region_id);
CREATE INDEX work_orders_owner ON work_orders (owner_id, status);
CREATE INDEX work_orders_project ON work_orders (project_id);
CREATE INDEX work_orders_ticket ON work_orders (ticket_id);
CREATE INDEX work_orders_undispatched ON work_orders (dispatch_due) WHERE dispatched_at IS NULL;

CREATE TABLE work_order_technicians (
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    staff_id      TEXT NOT NULL REFERENCES staff (id),
    PRIMARY KEY (work_order_id, staff_id)
);
CREATE INDEX work_order_technicians_staff ON work_order_technicians (staff_id);

CREATE TABLE work_order_counters (
    day  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- 派单错误: a supervisor or technician returns a dispatch with the wrong
-- fields marked and 1 or 2 points chosen with a reason (dispatch_error).
CREATE TABLE work_order_returns (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    dispatcher_id TEXT REFERENCES staff (id),
    returned_by   TEXT NOT NULL REFERENCES staff (id),
    returned_at   TIMESTAMP NOT NULL,
    fields        TEXT NOT NULL DEFAULT '[]',
    points        INTEGER NOT NULL CHECK (points IN (1, 2)),
    reason        TEXT NOT NULL,
    resolved_at   TIMESTAMP,
    withdrawn_at  TIMESTAMP,
    withdrawn_by  TEXT REFERENCES staff (id),
    withdraw_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_order_returns_order ON work_order_returns (work_order_id, returned_at);

-- +goose Down
DROP TABLE work_order_returns;
DROP TABLE work_order_counters;
DROP TABLE work_order_technicians;
DROP TABLE work_orders;
DROP TABLE project_items;
DROP TABLE projects;
