-- +goose Up
-- The ageing page orders open installments by (due_on, id) and reads their
-- money, the month's rates read them by due date: a covering partial index
-- serves both without a sort or a table lookup; the invoiced amount per
-- installment needs its own index.
DROP INDEX installments_open;
CREATE INDEX installments_open ON installments (due_on, id, contract_id, seq, amount_fen, paid_fen) WHERE paid_fen < amount_fen;
CREATE INDEX invoices_installment ON invoices (installment_id);
-- A month's collection reads the allocations of the payments received
-- since its first day: both indexes cover that read.
DROP INDEX payments_received;
CREATE INDEX payments_received ON payments (received_on, id);
CREATE INDEX payment_allocations_cover ON payment_allocations (payment_id, installment_id, amount_fen);

-- +goose Down
DROP INDEX payment_allocations_cover;
DROP INDEX payments_received;
CREATE INDEX payments_received ON payments (received_on);
DROP INDEX invoices_installment;
DROP INDEX installments_open;
CREATE INDEX installments_open ON installments (due_on, contract_id) WHERE paid_fen < amount_fen;
