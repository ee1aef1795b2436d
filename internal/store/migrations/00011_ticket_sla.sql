-- +goose Up
-- Ticket SLA (SPEC §5.3): the first-response deadline (new → acknowledged)
-- set from the matching rule of the tickets policy, the rule and its
-- calendar ('24x7' or 'working'; '' when no rule matched), and the pause
-- while waiting on the customer (等待客户): paused_at while paused,
-- paused_total_s the time already paused, counted on the rule's calendar
-- (working seconds on 'working'). Pause and resume rows of
-- ticket_transitions carry kind 'pause' / 'resume' (from = to status).
ALTER TABLE tickets ADD COLUMN first_response_due TIMESTAMP;
ALTER TABLE tickets ADD COLUMN paused_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN paused_total_s BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_calendar TEXT NOT NULL DEFAULT '' CHECK (sla_calendar IN ('', '24x7', 'working'));
ALTER TABLE ticket_transitions ADD COLUMN kind TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'pause', 'resume'));
CREATE INDEX tickets_first_response ON tickets (first_response_due) WHERE first_response_due IS NOT NULL;

-- +goose Down
DROP INDEX tickets_first_response;
ALTER TABLE ticket_transitions DROP COLUMN kind;
ALTER TABLE tickets DROP COLUMN sla_calendar;
ALTER TABLE tickets DROP COLUMN sla_rule;
ALTER TABLE tickets DROP COLUMN paused_total_s;
ALTER TABLE tickets DROP COLUMN paused_at;
ALTER TABLE tickets DROP COLUMN first_response_due;
