-- +goose Up
-- 客户档案: customers, contacts, equipment, electronic files, WeChat service
-- groups, and the change log that carries 知悉日期 for the same-day rule.
CREATE TABLE customers (
    id                 TEXT PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    class              TEXT NOT NULL CHECK (class IN ('A', 'B', 'C', 'D')),
    region_id          TEXT NOT NULL REFERENCES regions (id),
    owner_id           TEXT REFERENCES staff (id),
    sales_owner_id     TEXT REFERENCES staff (id),
    address            TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost')),
    notes              TEXT NOT NULL DEFAULT '',
    paper_location     TEXT NOT NULL DEFAULT '',
    paper_received_by  TEXT NOT NULL DEFAULT '',
    paper_received_on  TEXT,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    UNIQUE (region_id, name)
);
CREATE INDEX customers_name ON customers (name, id);
CREATE INDEX customers_owner ON customers (owner_id, name, id);
CREATE INDEX customers_region ON customers (region_id, name, id);
CREATE INDEX customers_class ON customers (class, name, id);
CREATE INDEX customers_sales ON customers (sales_owner_id);

CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers (id),
    name           TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    phone2         TEXT NOT NULL DEFAULT '',
    wechat         TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    decision_maker BOOLEAN NOT NULL DEFAULT FALSE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    notes          TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id, name);
CREATE INDEX contacts_phone ON contacts (phone);
CREATE INDEX contacts_wechat ON contacts (wechat);

CREATE TABLE equipment (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    kind         TEXT NOT NULL,
    brand        TEXT NOT NULL DEFAULT '',
    model        TEXT NOT NULL DEFAULT '',
    serial       TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    params       TEXT NOT NULL DEFAULT '',
    installed_on TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    notes        TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX equipment_customer ON equipment (customer_id, kind);
CREATE INDEX equipment_serial ON equipment (customer_id, serial);

-- 电子档案: attachments, content-addressed in the blob store by sha256.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    owner_kind   TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    category     TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT REFERENCES staff (id),
    uploaded_at  TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, uploaded_at);

-- 客户服务微信群
CREATE TABLE wechat_groups (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name        TEXT NOT NULL,
    external_id TEXT NOT NULL DEFAULT '',
    created_on  TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX wechat_groups_customer ON wechat_groups (customer_id);

CREATE TABLE wechat_members (
    id           TEXT PRIMARY KEY,
    group_id     TEXT NOT NULL REFERENCES wechat_groups (id),
    display_name TEXT NOT NULL,
    side         TEXT NOT NULL CHECK (side IN ('customer', 'staff')),
    contact_id   TEXT REFERENCES contacts (id),
    staff_id     TEXT REFERENCES staff (id),
    joined_on    TEXT,
    removed_on   TEXT,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX wechat_members_group ON wechat_members (group_id);

-- 档案变更记录: every archive change with the day it became known
-- (知悉日期) and when it was recorded; late = recorded on a later day than
-- known (company time), an archive_late appraisal event.
CREATE TABLE archive_changes (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    diff_json   TEXT NOT NULL DEFAULT '',
    known_on    TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT REFERENCES staff (id),
    owner_id    TEXT REFERENCES staff (id),
    late_days   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX archive_changes_customer ON archive_changes (customer_id, recorded_at);
CREATE INDEX archive_changes_late ON archive_changes (late_days, recorded_at);
CREATE INDEX archive_changes_entity ON archive_changes (entity, entity_id, recorded_at);

-- +goose Down
DROP TABLE archive_changes;
DROP TABLE wechat_members;
DROP TABLE wechat_groups;
DROP TABLE attachments;
DROP TABLE equipment;
DROP TABLE contacts;
DROP TABLE customers;
