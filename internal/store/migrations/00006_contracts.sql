-- +goose Up
-- 合同 · 续约 · 应收 · 老客户新需求 (SPEC §4). Money is integer fen; calendar
-- dates are YYYY-MM-DD text; ids are UUIDv7 text.
CREATE TABLE contracts (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    kind             TEXT NOT NULL CHECK (kind IN ('maintenance', 'project', 'emc', 'other')),
    title            TEXT NOT NULL DEFAULT '',
    -- Stored lifecycle; "expired" and "renewed" are derived from the end
    -- date and the successor contract when read.
    state            TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'terminated')),
    signed_on        TEXT,
    received_on      TEXT,
    start_on         TEXT NOT NULL,
    end_on           TEXT NOT NULL,
    amount_fen       BIGINT NOT NULL CHECK (amount_fen >= 0),
    -- The payment schedule may differ from the amount only when marked so,
    -- with a reason.
    schedule_differs BOOLEAN NOT NULL DEFAULT FALSE,
    schedule_note    TEXT NOT NULL DEFAULT '',
    -- 续签: the contract this one renews; one successor per contract.
    renewed_from     TEXT UNIQUE REFERENCES contracts (id),
    outcome          TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'renewed', 'lost')),
    lost_reason      TEXT NOT NULL DEFAULT '',
    terminated_on    TEXT,
    terminate_reason TEXT NOT NULL DEFAULT '',
    -- EMC 业主收费: the recurring owner fee the schedule is generated from.
    emc_fee_fen      BIGINT NOT NULL DEFAULT 0 CHECK (emc_fee_fen >= 0),
    emc_cycle        TEXT NOT NULL DEFAULT '' CHECK (emc_cycle IN ('', 'monthly', 'quarterly')),
    notes            TEXT NOT NULL DEFAULT '',
    created_by       TEXT REFERENCES staff (id),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX contracts_customer ON contracts (customer_id, end_on);
CREATE INDEX contracts_end ON contracts (end_on, number);

-- 服务内容: what the contract covers.
CREATE TABLE contract_scope_items (
    id           TEXT PRIMARY KEY,
    contract_id  TEXT NOT NULL REFERENCES contracts (id),
    seq          INTEGER NOT NULL,
    equipment_id TEXT REFERENCES equipment (id),
    equipment    TEXT NOT NULL DEFAULT '',
    service_type TEXT NOT NULL CHECK (service_type IN ('inspection', 'seasonal', 'repair', 'construction', 'other')),
    frequency    TEXT NOT NULL DEFAULT '' CHECK (frequency IN ('', 'once', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'seasonal', 'on_demand')),
    times        INTEGER NOT NULL DEFAULT 1 CHECK (times >= 0),
    notes        TEXT NOT NULL DEFAULT '',
    UNIQUE (contract_id, seq)
);

-- 付款计划: installments; EMC owner fees are installments of kind emc_fee.
CREATE TABLE installments (
    id          TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    seq         INTEGER NOT NULL,
    due_on      TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL CHECK (amount_fen > 0),
    -- paid_fen is the sum of the allocations, kept in the payment's
    -- transaction so the receivables pages read only open installments.
    paid_fen    BIGINT NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    kind        TEXT NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'emc_fee')),
    period_from TEXT,
    period_to   TEXT,
    notes       TEXT NOT NULL DEFAULT '',
    UNIQUE (contract_id, seq)
);
CREATE INDEX installments_due ON installments (due_on, contract_id);
CREATE INDEX installments_open ON installments (due_on, contract_id) WHERE paid_fen < amount_fen;

-- 开票
CREATE TABLE invoices (
    id             TEXT PRIMARY KEY,
    contract_id    TEXT NOT NULL REFERENCES contracts (id),
    installment_id TEXT NOT NULL REFERENCES installments (id),
    number         TEXT NOT NULL UNIQUE,
    issued_on      TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    notes          TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT REFERENCES staff (id),
    recorded_at    TIMESTAMP NOT NULL
);
CREATE INDEX invoices_contract ON invoices (contract_id, issued_on);

-- 回款: a payment is allocated to installments (oldest due first unless one
-- is named); what exceeds the open amount is a credit, allowed only with a
-- reason. dedup_key makes finance's re-imports idempotent on
-- (contract, date, amount, reference).
CREATE TABLE payments (
    id            TEXT PRIMARY KEY,
    contract_id   TEXT NOT NULL REFERENCES contracts (id),
    received_on   TEXT NOT NULL,
    amount_fen    BIGINT NOT NULL CHECK (amount_fen > 0),
    method        TEXT NOT NULL CHECK (method IN ('transfer', 'cash', 'cheque', 'acceptance', 'other')),
    reference     TEXT NOT NULL DEFAULT '',
    credit_fen    BIGINT NOT NULL DEFAULT 0 CHECK (credit_fen >= 0),
    credit_reason TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'import', 'api')),
    dedup_key     TEXT UNIQUE,
    notes         TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT REFERENCES staff (id),
    recorded_at   TIMESTAMP NOT NULL
);
CREATE INDEX payments_contract ON payments (contract_id, received_on);
CREATE INDEX payments_received ON payments (received_on);

CREATE TABLE payment_allocations (
    payment_id     TEXT NOT NULL REFERENCES payments (id),
    installment_id TEXT NOT NULL REFERENCES installments (id),
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    PRIMARY KEY (payment_id, installment_id)
);
CREATE INDEX payment_allocations_installment ON payment_allocations (installment_id);

-- 沟通记录 (SPEC §5.1). The contracts capability writes renewal, dunning
-- and quote follow-up records; the service desk builds the rest on the
-- same table.
CREATE TABLE communications (
    id           TEXT PRIMARY KEY,
    external_id  TEXT UNIQUE,
    channel      TEXT NOT NULL CHECK (channel IN ('wechat_group', 'wechat_private', 'phone_in', 'phone_out', 'phone_missed', 'visit', 'email', 'sms', 'other')),
    direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    occurred_at  TIMESTAMP NOT NULL,
    staff_id     TEXT REFERENCES staff (id),
    customer_id  TEXT REFERENCES customers (id),
    contact_id   TEXT REFERENCES contacts (id),
    conversation TEXT NOT NULL DEFAULT '',
    counterpart  TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    ticket_id    TEXT,
    contract_id  TEXT REFERENCES contracts (id),
    need_id      TEXT,
    created_by   TEXT REFERENCES staff (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX communications_customer ON communications (customer_id, occurred_at);
CREATE INDEX communications_contract ON communications (contract_id, occurred_at);
CREATE INDEX communications_need ON communications (need_id, occurred_at);
CREATE INDEX communications_staff ON communications (staff_id, occurred_at);

CREATE TABLE communication_tags (
    communication_id TEXT NOT NULL REFERENCES communications (id),
    tag              TEXT NOT NULL,
    PRIMARY KEY (communication_id, tag)
);
CREATE INDEX communication_tags_tag ON communication_tags (tag, communication_id);

-- 老客户新需求 → 报价方案 → 跟进 → 成交 / 未成交
CREATE TABLE needs (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    raised_on       TEXT NOT NULL,
    owner_id        TEXT REFERENCES staff (id),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'quoted', 'won', 'lost')),
    lost_reason     TEXT NOT NULL DEFAULT '',
    won_contract_id TEXT REFERENCES contracts (id),
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX needs_customer ON needs (customer_id, raised_on);
CREATE INDEX needs_owner ON needs (owner_id, status);

CREATE TABLE quotes (
    id          TEXT PRIMARY KEY,
    need_id     TEXT NOT NULL REFERENCES needs (id),
    number      TEXT NOT NULL UNIQUE,
    total_fen   BIGINT NOT NULL CHECK (total_fen >= 0),
    valid_until TEXT,
    sent_at     TIMESTAMP,
    notes       TEXT NOT NULL DEFAULT '',
    created_by  TEXT REFERENCES staff (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX quotes_need ON quotes (need_id, created_at);

CREATE TABLE quote_lines (
    quote_id       TEXT NOT NULL REFERENCES quotes (id),
    seq            INTEGER NOT NULL,
    item           TEXT NOT NULL,
    quantity       BIGINT NOT NULL CHECK (quantity > 0),
    unit           TEXT NOT NULL DEFAULT '',
    unit_price_fen BIGINT NOT NULL CHECK (unit_price_fen >= 0),
    amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (quote_id, seq)
);

-- 站内通知: reminders and other notices. dedup_key makes the reminder job
-- idempotent (one notice per recipient, subject and occasion).
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    recipient_id TEXT NOT NULL REFERENCES staff (id),
    kind         TEXT NOT NULL,
    subject_kind TEXT NOT NULL DEFAULT '',
    subject_id   TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    dedup_key    TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    read_at      TIMESTAMP
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE quote_lines;
DROP TABLE quotes;
DROP TABLE needs;
DROP TABLE communication_tags;
DROP TABLE communications;
DROP TABLE payment_allocations;
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE installments;
DROP TABLE contract_scope_items;
DROP TABLE contracts;
