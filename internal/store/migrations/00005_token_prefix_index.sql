-- +goose Up
-- Bearer authentication looks tokens up by their public prefix on every
-- request: index it (unique, so a prefix names one token).
CREATE UNIQUE INDEX api_tokens_prefix ON api_tokens (prefix);

-- +goose Down
DROP INDEX api_tokens_prefix;
