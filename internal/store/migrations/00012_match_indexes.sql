-- +goose Up
-- A communication record that names no customer is matched by the
-- contact's second phone number or the WeChat group's external id or
-- name; without these indexes every ingest scanned contacts and groups.
CREATE INDEX contacts_phone2 ON contacts (phone2);
CREATE INDEX wechat_groups_external ON wechat_groups (external_id);
CREATE INDEX wechat_groups_name ON wechat_groups (name);

-- +goose Down
DROP INDEX wechat_groups_name;
DROP INDEX wechat_groups_external;
DROP INDEX contacts_phone2;
