-- +goose Up
-- Acceptance evidence (SPEC §6.4, seed 000 附件一): the photos of each slot
-- (部位 × 前/中/后/运行参数) and the signed sheet of a work order. The bytes
-- are in the blob store by SHA-256 (original and a JPEG thumbnail); the row
-- keeps what was read from them (EXIF time, GPS, the date flags) and whether
-- the uploader confirmed the date and place watermark (确认水印). Files are
-- never deleted: a wrong one is marked removed, with who and why.
CREATE TABLE work_order_files (
    id                     TEXT PRIMARY KEY,
    work_order_id          TEXT NOT NULL REFERENCES work_orders (id),
    kind                   TEXT NOT NULL CHECK (kind IN ('photo', 'sheet')),
    slot                   TEXT NOT NULL DEFAULT '',
    name                   TEXT NOT NULL,
    content_type           TEXT NOT NULL,
    size                   BIGINT NOT NULL,
    sha256                 TEXT NOT NULL,
    thumb_key              TEXT NOT NULL DEFAULT '',
    width                  INTEGER NOT NULL DEFAULT 0,
    height                 INTEGER NOT NULL DEFAULT 0,
    taken_at               TIMESTAMP,
    gps_lat                DOUBLE PRECISION,
    gps_lon                DOUBLE PRECISION,
    flags                  TEXT NOT NULL DEFAULT '',
    watermark_confirmed    BOOLEAN NOT NULL DEFAULT FALSE,
    watermark_confirmed_by TEXT REFERENCES staff (id),
    watermark_confirmed_at TIMESTAMP,
    uploaded_by            TEXT REFERENCES staff (id),
    uploaded_at            TIMESTAMP NOT NULL,
    removed_at             TIMESTAMP,
    removed_by             TEXT REFERENCES staff (id),
    remove_reason          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_order_files_order ON work_order_files (work_order_id, kind, slot);

-- +goose Down
DROP TABLE work_order_files;
