-- +goose Up
-- 组织: departments, staff (every user is a staff member), roles, maintenance
-- groups and regions.
CREATE TABLE departments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    parent_id  TEXT REFERENCES departments (id),
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE maint_groups (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    supervisor_id TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    department_id TEXT REFERENCES departments (id),
    supervisor_id TEXT REFERENCES staff (id),
    group_id      TEXT REFERENCES maint_groups (id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    left_on       TEXT,
    locale        TEXT NOT NULL DEFAULT 'zh-CN',
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX staff_name ON staff (name, id);

CREATE TABLE staff_roles (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);
CREATE INDEX staff_roles_role ON staff_roles (role, staff_id);

-- 区域: each region has its maintenance group and its owning specialist (分管客服).
CREATE TABLE regions (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    code          TEXT NOT NULL DEFAULT '',
    group_id      TEXT REFERENCES maint_groups (id),
    specialist_id TEXT REFERENCES staff (id),
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- Credentials are owned by auth; one row per staff member who can log in.
CREATE TABLE credentials (
    staff_id        TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    password_hash   TEXT NOT NULL,
    changed_at      TIMESTAMP NOT NULL,
    must_change     BOOLEAN NOT NULL DEFAULT FALSE,
    failed_count    BIGINT NOT NULL DEFAULT 0,
    last_failed_at  TIMESTAMP,
    locked_until    TIMESTAMP
);

-- API tokens for machine clients (PBX, chat archive, finance). Only the
-- SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE credentials;
DROP TABLE regions;
DROP TABLE staff_roles;
DROP TABLE staff;
DROP TABLE maint_groups;
DROP TABLE departments;
