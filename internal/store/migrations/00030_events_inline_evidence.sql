-- +goose Up
-- The evidence of an event may be carried on its row (evidence_refs, a
-- JSON array of {"kind", "id", "role"}) instead of in event_evidence.
-- The response clocks' breach and near-breach events use it: their
-- evidence is fixed by their clock (the start record and the stop
-- record), nobody looks them up by record (event_evidence_ref serves the
-- flagged and ticket events), and a month's first derivation writes
-- 200,000 of them with 400,000 evidence rows — three b-trees and a lookup
-- of the event each, about a fifth of that derivation on SQLite. Readers
-- take both: the rows of event_evidence and the array (events.Evidence).
-- Evidence rows written before this stay until their event is written
-- again.
ALTER TABLE events ADD COLUMN evidence_refs TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE events DROP COLUMN evidence_refs;
