package contracts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// PaymentInput is a payment received (回款). Without InstallmentID the
// money goes to the contract's open installments oldest due first; with
// it, to that installment first. What exceeds everything open is kept as
// a credit (预收/多付) and needs CreditReason.
type PaymentInput struct {
	ContractID    string `json:"contract_id"`
	InstallmentID string `json:"installment_id"`
	ReceivedOn    string `json:"received_on"`
	AmountFen     int64  `json:"amount_fen"`
	Method        string `json:"method"`
	Reference     string `json:"reference"`
	CreditReason  string `json:"credit_reason"`
	Notes         string `json:"notes"`
}

func (in *PaymentInput) normalise(today string) error {
	in.ContractID, in.InstallmentID = strings.TrimSpace(in.ContractID), strings.TrimSpace(in.InstallmentID)
	in.ReceivedOn, in.Method = strings.TrimSpace(in.ReceivedOn), strings.TrimSpace(in.Method)
	in.Reference, in.CreditReason, in.Notes = strings.TrimSpace(in.Reference), strings.TrimSpace(in.CreditReason), strings.TrimSpace(in.Notes)
	if in.Method == "" {
		in.Method = "transfer"
	}
	if in.ContractID == "" {
		return apperr.Invalid("contract_id", "请选择合同")
	}
	if err := firstErr(day("received_on", in.ReceivedOn, true), text("reference", in.Reference, 0, 100),
		text("credit_reason", in.CreditReason, 0, 500), text("notes", in.Notes, 0, 500)); err != nil {
		return err
	}
	if in.ReceivedOn > today {
		return apperr.Invalid("received_on", "回款日期不能晚于今天")
	}
	if in.AmountFen <= 0 {
		return apperr.Invalid("amount_fen", "回款金额须大于 0")
	}
	if !slices.Contains(PaymentMethods, in.Method) {
		return apperr.Invalid("method", "付款方式须为 transfer、cash、cheque、acceptance 或 other")
	}
	return nil
}

// dedupKey is the idempotency key of finance's re-imports: contract, day,
// amount and reference. Manual payments without a reference have none
// (two equal payments on one day can be real).
func dedupKey(in PaymentInput, source string) *string {
	if in.Reference == "" && source == "manual" {
		return nil
	}
	k := fmt.Sprintf("%s|%s|%d|%s", in.ContractID, in.ReceivedOn, in.AmountFen, in.Reference)
	return &k
}

// ErrDuplicatePayment reports a payment already recorded with the same
// contract, day, amount and reference.
var ErrDuplicatePayment = apperr.Conflict("reference", "该回款已登记（同一合同、日期、金额和凭证号）")

// RecordPayment records a payment and allocates it to installments.
func (s *Service) RecordPayment(ctx context.Context, in PaymentInput) (*Payment, error) {
	return s.recordPayment(ctx, in, "manual")
}

func (s *Service) recordPayment(ctx context.Context, in PaymentInput, source string) (*Payment, error) {
	p := access.Caller(ctx)
	if !p.Can(access.FinanceWrite) {
		return nil, apperr.Forbidden("只有财务可以登记回款")
	}
	if err := in.normalise(s.today().String()); err != nil {
		return nil, err
	}
	var out *Payment
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.insertPayment(ctx, tx, in, source)
		return err
	})
	return out, err
}

// insertPayment writes one payment with its allocations and audit entry
// inside tx.
func (s *Service) insertPayment(ctx context.Context, tx bun.IDB, in PaymentInput, source string) (*Payment, error) {
	if err := lockContract(ctx, tx, in.ContractID); err != nil {
		return nil, err
	}
	c, err := getContract(ctx, tx, in.ContractID)
	if err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return nil, apperr.Invalid("contract_id", "合同不存在")
		}
		return nil, err
	}
	if c.State == "draft" {
		return nil, apperr.Invalid("contract_id", "合同 "+c.Number+" 仍是草稿，不能登记回款")
	}
	key := dedupKey(in, source)
	if key != nil {
		n, err := tx.NewSelect().Table("payments").Where("dedup_key = ?", *key).Count(ctx)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, ErrDuplicatePayment
		}
	}
	var open []Installment
	if err := tx.NewSelect().Model(&open).Where("contract_id = ? AND paid_fen < amount_fen", c.ID).
		Order("due_on", "seq").Scan(ctx); err != nil {
		return nil, err
	}
	if in.InstallmentID != "" {
		i := slices.IndexFunc(open, func(it Installment) bool { return it.ID == in.InstallmentID })
		if i < 0 {
			n, err := tx.NewSelect().Table("installments").Where("id = ? AND contract_id = ?", in.InstallmentID, c.ID).Count(ctx)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, apperr.Invalid("installment_id", "分期不存在或不属于该合同")
			}
			return nil, apperr.Invalid("installment_id", "该期已付清")
		}
		named := open[i]
		open = append([]Installment{named}, slices.Delete(open, i, i+1)...)
	}
	now := store.Time(s.now())
	pay := &Payment{ID: store.NewID(), ContractID: c.ID, ReceivedOn: in.ReceivedOn, AmountFen: in.AmountFen, Method: in.Method,
		Reference: in.Reference, Source: source, DedupKey: key, Notes: in.Notes, RecordedAt: now}
	if id := access.Caller(ctx).StaffID; id != "" {
		pay.RecordedBy = &id
	}
	rest := in.AmountFen
	for _, it := range open {
		if rest == 0 {
			break
		}
		a := min(rest, it.AmountFen-it.PaidFen)
		pay.Allocations = append(pay.Allocations, Allocation{PaymentID: pay.ID, InstallmentID: it.ID, AmountFen: a})
		rest -= a
	}
	if rest > 0 {
		if in.CreditReason == "" {
			return nil, apperr.Invalid("amount_fen", fmt.Sprintf("回款金额超出合同 %s 未付金额 %s 元；如为预收或多付，请填写原因",
				c.Number, FormatYuan(in.AmountFen-rest)))
		}
		pay.CreditFen, pay.CreditReason = rest, in.CreditReason
	}
	if _, err := tx.NewInsert().Model(pay).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, ErrDuplicatePayment
		}
		return nil, err
	}
	for _, a := range pay.Allocations {
		if _, err := tx.NewInsert().Model(&a).Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := tx.NewUpdate().Table("installments").Set("paid_fen = paid_fen + ?", a.AmountFen).
			Where("id = ?", a.InstallmentID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if pay.Allocations == nil {
		pay.Allocations = []Allocation{}
	}
	return pay, audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "payment", EntityID: pay.ID,
		Summary: fmt.Sprintf("合同 %s 回款 %s 元（%s）", c.Number, FormatYuan(pay.AmountFen), pay.ReceivedOn), After: pay})
}

// DeletePayment removes a wrongly recorded payment (with a reason) and
// gives its allocations back to the installments.
func (s *Service) DeletePayment(ctx context.Context, id, reason string) error {
	p := access.Caller(ctx)
	if !p.Can(access.FinanceWrite) {
		return apperr.Forbidden("只有财务可以删除回款")
	}
	reason = strings.TrimSpace(reason)
	if err := text("reason", reason, 1, 500); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pay := new(Payment)
		if err := tx.NewSelect().Model(pay).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err, "payment")
		}
		if err := lockContract(ctx, tx, pay.ContractID); err != nil {
			return err
		}
		number := ""
		if err := tx.NewSelect().Table("contracts").Column("number").Where("id = ?", pay.ContractID).Scan(ctx, &number); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&pay.Allocations).Where("payment_id = ?", id).Scan(ctx); err != nil {
			return err
		}
		for _, a := range pay.Allocations {
			if _, err := tx.NewUpdate().Table("installments").Set("paid_fen = paid_fen - ?", a.AmountFen).
				Where("id = ?", a.InstallmentID).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := tx.NewDelete().Table("payment_allocations").Where("payment_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Table("payments").Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		// Recorded on the contract: the payment itself is gone, its
		// contract's history keeps the deletion.
		return audit.Record(ctx, tx, store.Time(s.now()), audit.Change{Action: "delete_payment", Entity: "contract", EntityID: pay.ContractID,
			Summary: fmt.Sprintf("合同 %s 删除回款 %s 元（%s）：%s", number, FormatYuan(pay.AmountFen), pay.ReceivedOn, reason), Before: pay})
	})
}

// InvoiceInput is an invoice issued (开票) against one installment.
type InvoiceInput struct {
	InstallmentID string `json:"installment_id"`
	Number        string `json:"number"`
	IssuedOn      string `json:"issued_on"`
	AmountFen     int64  `json:"amount_fen"`
	Notes         string `json:"notes"`
}

// RecordInvoice records an invoice. The installment must exist and the
// invoices against it may not exceed its amount.
func (s *Service) RecordInvoice(ctx context.Context, in InvoiceInput) (*Invoice, error) {
	p := access.Caller(ctx)
	if !p.Can(access.FinanceWrite) {
		return nil, apperr.Forbidden("只有财务可以登记发票")
	}
	in.InstallmentID, in.Number = strings.TrimSpace(in.InstallmentID), strings.TrimSpace(in.Number)
	in.IssuedOn, in.Notes = strings.TrimSpace(in.IssuedOn), strings.TrimSpace(in.Notes)
	if err := firstErr(text("number", in.Number, 1, 50), day("issued_on", in.IssuedOn, true), text("notes", in.Notes, 0, 500)); err != nil {
		return nil, err
	}
	if in.AmountFen <= 0 {
		return nil, apperr.Invalid("amount_fen", "发票金额须大于 0")
	}
	if in.InstallmentID == "" {
		return nil, apperr.Invalid("installment_id", "请选择分期")
	}
	inv := &Invoice{ID: store.NewID(), InstallmentID: in.InstallmentID, Number: in.Number, IssuedOn: in.IssuedOn,
		AmountFen: in.AmountFen, Notes: in.Notes, RecordedAt: store.Time(s.now())}
	if p.StaffID != "" {
		id := p.StaffID
		inv.RecordedBy = &id
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		it := new(Installment)
		if err := tx.NewSelect().Model(it).Where("id = ?", in.InstallmentID).Scan(ctx); err != nil {
			if apperr.Is(notFound(err, "installment"), apperr.KindNotFound) {
				return apperr.Invalid("installment_id", "分期不存在")
			}
			return err
		}
		if err := lockContract(ctx, tx, it.ContractID); err != nil {
			return err
		}
		c, err := getContract(ctx, tx, it.ContractID)
		if err != nil {
			return err
		}
		if c.State == "draft" {
			return apperr.Invalid("installment_id", "合同 "+c.Number+" 仍是草稿，不能开票")
		}
		var invoiced int64
		if err := tx.NewSelect().Table("invoices").ColumnExpr("COALESCE(SUM(amount_fen), 0)").
			Where("installment_id = ?", it.ID).Scan(ctx, &invoiced); err != nil {
			return err
		}
		if invoiced+in.AmountFen > it.AmountFen {
			return apperr.Invalid("amount_fen", fmt.Sprintf("该期金额 %s 元，已开票 %s 元，本次最多可开 %s 元",
				FormatYuan(it.AmountFen), FormatYuan(invoiced), FormatYuan(it.AmountFen-invoiced)))
		}
		inv.ContractID = it.ContractID
		if _, err := tx.NewInsert().Model(inv).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("number", "发票号已存在")
			}
			return err
		}
		return audit.Record(ctx, tx, inv.RecordedAt, audit.Change{Action: "create", Entity: "invoice", EntityID: inv.ID,
			Summary: fmt.Sprintf("开票 %s：%s 元", inv.Number, FormatYuan(inv.AmountFen)), After: inv})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// PaymentView is a payment with its contract and customer.
type PaymentView struct {
	Payment        `bun:",extend"`
	ContractNumber string `bun:"contract_number" json:"contract_number"`
	CustomerName   string `bun:"customer_name" json:"customer_name"`
	RecordedByName string `bun:"recorded_by_name" json:"recorded_by_name"`
}

// RecentPayments lists the latest recorded payments (finance's page),
// newest first; limited to the caller's customers for a specialist.
func (s *Service) RecentPayments(ctx context.Context, limit int) ([]PaymentView, error) {
	scope, ok := s.readScope(access.Caller(ctx))
	if !ok {
		return nil, apperr.Forbidden("无权查看回款")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT p.*, k.number AS contract_number, cu.name AS customer_name, COALESCE(st.name, '') AS recorded_by_name
		FROM payments p JOIN contracts k ON k.id = p.contract_id JOIN customers cu ON cu.id = k.customer_id
		LEFT JOIN staff st ON st.id = p.recorded_by`
	args := []any{}
	if scope != "" {
		q += " WHERE cu.owner_id = ?"
		args = append(args, scope)
	}
	q += " ORDER BY p.recorded_at DESC, p.id DESC LIMIT ?"
	out := []PaymentView{}
	if err := s.db.R().NewRaw(q, append(args, limit)...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	ps := make([]Payment, len(out))
	for i := range out {
		ps[i] = out[i].Payment
	}
	if err := attachAllocations(ctx, s.db.R(), ps); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Allocations = ps[i].Allocations
	}
	return out, nil
}

// ContractByNumber returns the contract with this number (any case) with
// everything on its page, if the caller may read it.
func (s *Service) ContractByNumber(ctx context.Context, number string) (*ContractDetail, error) {
	var id string
	err := s.db.R().NewSelect().Table("contracts").Column("id").Where("number = ?", strings.ToUpper(strings.TrimSpace(number))).Scan(ctx, &id)
	if err != nil {
		return nil, notFound(err, "contract")
	}
	return s.GetContract(ctx, id)
}
