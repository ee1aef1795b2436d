package contracts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// customerOwner returns the owning specialist of a customer.
func customerOwner(ctx context.Context, db bun.IDB, customerID string) (*string, error) {
	var row struct {
		OwnerID *string `bun:"owner_id"`
	}
	err := db.NewSelect().Table("customers").Column("owner_id").Where("id = ?", customerID).Scan(ctx, &row)
	if errors.Is(err, store.ErrNoRows) {
		return nil, apperr.Invalid("customer_id", "客户不存在")
	}
	return row.OwnerID, err
}

// lockContract takes the contract's row lock for the rest of tx, so that
// money writes on one contract (payments, invoices, schedule changes)
// are serialised on PostgreSQL too (SQLite has one writer anyway).
func lockContract(ctx context.Context, tx bun.IDB, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.NewRaw("UPDATE contracts SET version = version WHERE id IN (?)", bun.In(ids)).Exec(ctx)
	return err
}

func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNoRows) {
		return apperr.NotFound(what)
	}
	return err
}

func staleVersion() error {
	return apperr.Conflict("version", "记录已被他人修改，请刷新后重试")
}

func getContract(ctx context.Context, db bun.IDB, id string) (*Contract, error) {
	c := new(Contract)
	if err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "contract")
	}
	return c, nil
}

// writableContract loads a contract inside tx and checks p may change it.
func writableContract(ctx context.Context, tx bun.IDB, p *access.Principal, id string) (*Contract, error) {
	c, err := getContract(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	owner, err := customerOwner(ctx, tx, c.CustomerID)
	if err != nil {
		return nil, err
	}
	if !canWriteFor(p, owner) {
		return nil, apperr.Forbidden("只能修改自己分管客户的合同")
	}
	return c, nil
}

func contractConflict(err error) error {
	if store.IsUniqueViolation(err) {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "renewed_from"):
			return apperr.Conflict("renewed_from", "该合同已有续签合同")
		default:
			return apperr.Conflict("number", "合同编号已存在")
		}
	}
	return err
}

func (in *ContractInput) apply(c *Contract) {
	c.Number, c.CustomerID, c.Kind, c.Title = in.Number, in.CustomerID, in.Kind, in.Title
	c.SignedOn, c.ReceivedOn = optional(in.SignedOn), optional(in.ReceivedOn)
	c.StartOn, c.EndOn, c.AmountFen = in.StartOn, in.EndOn, in.AmountFen
	c.ScheduleDiffers, c.ScheduleNote = in.ScheduleDiffers, in.ScheduleNote
	if !in.ScheduleDiffers {
		c.ScheduleNote = ""
	}
	c.RenewedFrom = optional(in.RenewedFrom)
	c.EMCFeeFen, c.EMCCycle, c.Notes = in.EMCFeeFen, in.EMCCycle, in.Notes
}

// checkRefs checks what the input refers to: the customer (which the
// caller must be allowed to write for), the predecessor contract and the
// equipment of scope lines.
func checkRefs(ctx context.Context, tx bun.IDB, p *access.Principal, selfID string, in *ContractInput) error {
	owner, err := customerOwner(ctx, tx, in.CustomerID)
	if err != nil {
		return err
	}
	if !canWriteFor(p, owner) {
		return apperr.Forbidden("只能为自己分管的客户录入合同")
	}
	if in.RenewedFrom != "" {
		if err := checkPredecessor(ctx, tx, selfID, in); err != nil {
			return err
		}
	}
	for i, it := range in.Scope {
		if it.EquipmentID == "" {
			continue
		}
		n, err := tx.NewSelect().Table("equipment").Where("id = ? AND customer_id = ?", it.EquipmentID, in.CustomerID).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Invalid(fmt.Sprintf("scope[%d].equipment_id", i), "设备不存在或不属于该客户")
		}
	}
	return nil
}

// checkPredecessor enforces the renewal chain: the predecessor exists, is
// the same customer's, is not this contract or one of its successors (no
// cycles), ends before this one and started before it (no overlapping
// chains), and has no other successor.
func checkPredecessor(ctx context.Context, tx bun.IDB, selfID string, in *ContractInput) error {
	prev, err := getContract(ctx, tx, in.RenewedFrom)
	if err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return apperr.Invalid("renewed_from", "被续签的合同不存在")
		}
		return err
	}
	if prev.CustomerID != in.CustomerID {
		return apperr.Invalid("renewed_from", "续签合同须与原合同属于同一客户")
	}
	if prev.State == "draft" {
		return apperr.Invalid("renewed_from", "原合同仍是草稿，不能续签")
	}
	if in.StartOn <= prev.StartOn || in.EndOn <= prev.EndOn {
		return apperr.Invalid("renewed_from", "续签合同的期间须在原合同 "+prev.Number+" 之后（"+prev.StartOn+" 至 "+prev.EndOn+"）")
	}
	// Walk back from the predecessor: reaching this contract is a cycle.
	for cur, steps := prev, 0; cur != nil && steps < 1000; steps++ {
		if cur.ID == selfID {
			return apperr.Invalid("renewed_from", "续签关系不能成环")
		}
		if cur.RenewedFrom == nil {
			break
		}
		if cur, err = getContract(ctx, tx, *cur.RenewedFrom); err != nil {
			return err
		}
	}
	var other []string
	err = tx.NewSelect().Table("contracts").Column("number").
		Where("renewed_from = ? AND id <> ?", in.RenewedFrom, selfID).Scan(ctx, &other)
	if err != nil {
		return err
	}
	if len(other) > 0 {
		return apperr.Conflict("renewed_from", "合同 "+prev.Number+" 已由 "+other[0]+" 续签")
	}
	return nil
}

// renewalSigned checks that a renewal (a contract with renewed_from) that is
// not a draft has its signed date: the desk shows such a contract's
// predecessor as renewed, and the renewal rate counts it from the day it
// was signed (SPEC §4), so the two agree only when that day is known.
func renewalSigned(state string, renewedFrom, signedOn *string) error {
	if state != "draft" && deref(renewedFrom) != "" && deref(signedOn) == "" {
		return apperr.Invalid("signed_on", "续签合同生效时须填写签订日期（续约率按签订日期计）")
	}
	return nil
}

// CreateContract adds a contract as a draft (or active when activate is
// set) with its scope and payment schedule.
func (s *Service) CreateContract(ctx context.Context, in ContractInput, activate bool) (*Contract, error) {
	p := access.Caller(ctx)
	if !p.Can(access.ContractWrite) {
		return nil, apperr.Forbidden("无权录入合同")
	}
	if err := in.normalise(); err != nil {
		return nil, err
	}
	var c *Contract
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		c, err = s.insertContract(ctx, tx, p, in, activate)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// insertContract writes a normalised contract input inside tx.
func (s *Service) insertContract(ctx context.Context, tx bun.IDB, p *access.Principal, in ContractInput, activate bool) (*Contract, error) {
	now := store.Time(s.now())
	c := &Contract{ID: store.NewID(), State: "draft", Outcome: "pending", Version: 1, CreatedAt: now, UpdatedAt: now}
	if activate {
		c.State = "active"
	}
	if p.StaffID != "" {
		id := p.StaffID
		c.CreatedBy = &id
	}
	in.apply(c)
	if err := renewalSigned(c.State, c.RenewedFrom, c.SignedOn); err != nil {
		return nil, err
	}
	if err := checkRefs(ctx, tx, p, c.ID, &in); err != nil {
		return nil, err
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, contractConflict(err)
	}
	scope, insts, err := replaceLists(ctx, tx, c.ID, in, nil)
	if err != nil {
		return nil, err
	}
	if err := s.markPredecessor(ctx, tx, c); err != nil {
		return nil, err
	}
	return c, audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "contract", EntityID: c.ID,
		Summary: "新建合同 " + c.Number, After: contractSnapshot{c, scope, insts}})
}

// contractSnapshot is what the audit log keeps of a contract.
type contractSnapshot struct {
	*Contract
	Scope        []ScopeItem   `json:"scope"`
	Installments []Installment `json:"installments"`
}

// markPredecessor sets the renewal outcome of the contract c renews once c
// is no longer a draft.
func (s *Service) markPredecessor(ctx context.Context, tx bun.IDB, c *Contract) error {
	if c.RenewedFrom == nil || c.State == "draft" {
		return nil
	}
	_, err := tx.NewUpdate().Table("contracts").Set("outcome = 'renewed'").Set("lost_reason = ''").
		Set("version = version + 1").Set("updated_at = ?", store.Time(s.now())).
		Where("id = ?", *c.RenewedFrom).Exec(ctx)
	return err
}

// loadLists returns a contract's scope and installments.
func loadLists(ctx context.Context, db bun.IDB, id string) ([]ScopeItem, []Installment, error) {
	var scope []ScopeItem
	if err := db.NewSelect().Model(&scope).Where("contract_id = ?", id).Order("seq").Scan(ctx); err != nil {
		return nil, nil, err
	}
	var insts []Installment
	if err := db.NewSelect().Model(&insts).Where("contract_id = ?", id).Order("seq").Scan(ctx); err != nil {
		return nil, nil, err
	}
	return scope, insts, nil
}

// replaceLists writes the scope and the schedule of the input.
// Installments named by id are kept, so their invoices and payments stay
// attached; one that has money against it can be neither removed nor
// reduced below what was paid or invoiced.
func replaceLists(ctx context.Context, tx bun.IDB, id string, in ContractInput, old []Installment) ([]ScopeItem, []Installment, error) {
	if _, err := tx.NewDelete().Table("contract_scope_items").Where("contract_id = ?", id).Exec(ctx); err != nil {
		return nil, nil, err
	}
	scope := make([]ScopeItem, len(in.Scope))
	for i, it := range in.Scope {
		scope[i] = ScopeItem{ID: store.NewID(), ContractID: id, Seq: i + 1, EquipmentID: optional(it.EquipmentID),
			Equipment: it.Equipment, ServiceType: it.ServiceType, Frequency: it.Frequency, Times: it.Times, Notes: it.Notes}
	}
	if len(scope) > 0 {
		if _, err := tx.NewInsert().Model(&scope).Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	used, err := moneyAgainst(ctx, tx, old)
	if err != nil {
		return nil, nil, err
	}
	oldByID := make(map[string]Installment, len(old))
	for _, o := range old {
		oldByID[o.ID] = o
	}
	kept := map[string]bool{}
	insts := make([]Installment, len(in.Installments))
	for i, it := range in.Installments {
		insts[i] = Installment{ID: store.NewID(), ContractID: id, Seq: i + 1, DueOn: it.DueOn, AmountFen: it.AmountFen,
			Kind: it.Kind, PeriodFrom: optional(it.PeriodFrom), PeriodTo: optional(it.PeriodTo), Notes: it.Notes}
		if it.ID == "" {
			continue
		}
		o, ok := oldByID[it.ID]
		if !ok || kept[it.ID] {
			return nil, nil, apperr.Invalid(fmt.Sprintf("installments[%d].id", i), "分期不属于该合同")
		}
		kept[it.ID] = true
		insts[i].ID, insts[i].PaidFen = o.ID, o.PaidFen
		if u := used[o.ID]; it.AmountFen < u {
			return nil, nil, apperr.Invalid(fmt.Sprintf("installments[%d].amount_fen", i),
				fmt.Sprintf("该期已有回款或发票 %s 元，金额不能低于此数", FormatYuan(u)))
		}
	}
	for _, o := range old {
		if kept[o.ID] {
			continue
		}
		if used[o.ID] > 0 {
			return nil, nil, apperr.Invalid("installments", fmt.Sprintf("原第 %d 期（%s）已有回款或发票，不能删除", o.Seq, o.DueOn))
		}
		if _, err := tx.NewDelete().Table("installments").Where("id = ?", o.ID).Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	// Kept rows move out of the way of the (contract, seq) key first.
	if len(kept) > 0 {
		if _, err := tx.NewUpdate().Table("installments").Set("seq = -seq").Where("contract_id = ?", id).Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	for i := range insts {
		if kept[insts[i].ID] {
			if _, err := tx.NewUpdate().Model(&insts[i]).WherePK().Exec(ctx); err != nil {
				return nil, nil, err
			}
			continue
		}
		if _, err := tx.NewInsert().Model(&insts[i]).Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	return scope, insts, nil
}

// moneyAgainst returns, per installment, the larger of what was paid and
// what was invoiced against it.
func moneyAgainst(ctx context.Context, db bun.IDB, insts []Installment) (map[string]int64, error) {
	out := map[string]int64{}
	if len(insts) == 0 {
		return out, nil
	}
	ids := make([]string, len(insts))
	for i, it := range insts {
		ids[i] = it.ID
	}
	for _, q := range []string{
		"SELECT installment_id AS id, SUM(amount_fen) AS fen FROM payment_allocations WHERE installment_id IN (?) GROUP BY installment_id",
		"SELECT installment_id AS id, SUM(amount_fen) AS fen FROM invoices WHERE installment_id IN (?) GROUP BY installment_id",
	} {
		var rows []struct {
			ID  string `bun:"id"`
			Fen int64  `bun:"fen"`
		}
		if err := db.NewRaw(q, bun.In(ids)).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = max(out[r.ID], r.Fen)
		}
	}
	return out, nil
}

// UpdateContract changes a contract at the version the caller read.
func (s *Service) UpdateContract(ctx context.Context, id string, version int64, in ContractInput) (*Contract, error) {
	p := access.Caller(ctx)
	if _, err := writableContract(ctx, s.db.R(), p, id); err != nil {
		return nil, err // who may not write learns nothing about their input
	}
	if err := in.normalise(); err != nil {
		return nil, err
	}
	var out *Contract
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := writableContract(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if before.State == "terminated" {
			return apperr.Conflict("state", "已终止的合同不能修改")
		}
		if in.CustomerID != before.CustomerID {
			n, err := tx.NewSelect().Table("payments").Where("contract_id = ?", id).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return apperr.Invalid("customer_id", "已有回款的合同不能改为其他客户")
			}
		}
		if err := checkRefs(ctx, tx, p, id, &in); err != nil {
			return err
		}
		oldScope, oldInsts, err := loadLists(ctx, tx, id)
		if err != nil {
			return err
		}
		after := *before
		in.apply(&after)
		if err := renewalSigned(after.State, after.RenewedFrom, after.SignedOn); err != nil {
			return err
		}
		if after.EndOn != before.EndOn && before.EndOn < s.today().String() && !p.IsManagerial() {
			// Moving an expired contract's end date would move it out of the
			// renewal rate of the month it ended in.
			return apperr.Forbidden("合同已到期，结束日期只能由经理修改")
		}
		after.Version, after.UpdatedAt = version+1, store.Time(s.now())
		res, err := tx.NewUpdate().Model(&after).ExcludeColumn("id", "created_at", "created_by").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return contractConflict(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		scope, insts, err := replaceLists(ctx, tx, id, in, oldInsts)
		if err != nil {
			return err
		}
		if before.RenewedFrom != nil && deref(after.RenewedFrom) != *before.RenewedFrom {
			if err := resetOutcome(ctx, tx, *before.RenewedFrom, s); err != nil {
				return err
			}
		}
		if err := s.markPredecessor(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return audit.Record(ctx, tx, after.UpdatedAt, audit.Change{Action: "update", Entity: "contract", EntityID: id,
			Summary: "修改合同 " + after.Number, Before: contractSnapshot{before, oldScope, oldInsts}, After: contractSnapshot{&after, scope, insts}})
	})
	if err == nil {
		s.replanWork(ctx, id)
	}
	return out, err
}

// resetOutcome puts a contract that lost its successor back to pending.
func resetOutcome(ctx context.Context, tx bun.IDB, id string, s *Service) error {
	_, err := tx.NewUpdate().Table("contracts").Set("outcome = 'pending'").
		Set("version = version + 1").Set("updated_at = ?", store.Time(s.now())).
		Where("id = ? AND outcome = 'renewed'", id).Exec(ctx)
	return err
}

// SetState activates a draft contract or terminates an active one (with
// the day and a reason). A contract that ended in a month stays in that
// month's renewal rate unless it was terminated before the month began
// (rates.Contract), so a specialist may neither terminate a contract that
// has already ended nor date a termination before the current month's
// first day: both are for a manager, with the reason on record.
func (s *Service) SetState(ctx context.Context, id string, version int64, state, on, reason string) (*Contract, error) {
	p := access.Caller(ctx)
	state, on, reason = strings.TrimSpace(state), strings.TrimSpace(on), strings.TrimSpace(reason)
	if state != "active" && state != "terminated" {
		return nil, apperr.Invalid("state", "状态须为 active 或 terminated")
	}
	var out *Contract
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := writableContract(ctx, tx, p, id)
		if err != nil {
			return err
		}
		after := *before
		switch {
		case state == "active" && before.State == "draft":
			after.State = "active"
			if err := renewalSigned(after.State, after.RenewedFrom, after.SignedOn); err != nil {
				return err
			}
		case state == "terminated" && before.State == "active":
			today := s.today()
			if before.EndOn < today.String() && !p.IsManagerial() {
				return apperr.Forbidden("合同已于 " + before.EndOn + " 到期，不能再终止；未续约请在续约台登记原因（确需终止请联系经理）")
			}
			if on == "" {
				on = today.String()
			}
			if err := firstErr(day("terminated_on", on, true), text("reason", reason, 1, 500)); err != nil {
				return err
			}
			if on < before.StartOn || on > before.EndOn {
				return apperr.Invalid("terminated_on", "终止日期须在合同期间内（"+before.StartOn+" 至 "+before.EndOn+"）")
			}
			if monthStart := calendar.NewDate(today.Year, today.Month, 1).String(); on < monthStart && !p.IsManagerial() {
				return apperr.Invalid("terminated_on", "终止日期不能早于本月 1 日（"+monthStart+"）；更早的日期须由经理登记")
			}
			after.State, after.TerminatedOn, after.TerminateReason = "terminated", &on, reason
		default:
			return apperr.Conflict("state", fmt.Sprintf("合同状态 %s 不能变为 %s", before.State, state))
		}
		after.Version, after.UpdatedAt = version+1, store.Time(s.now())
		res, err := tx.NewUpdate().Model(&after).Column("state", "terminated_on", "terminate_reason", "version", "updated_at").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		if err := s.markPredecessor(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return audit.Record(ctx, tx, after.UpdatedAt, audit.Change{Action: "update", Entity: "contract", EntityID: id,
			Summary: "合同 " + after.Number + " 状态改为 " + after.State, Before: before, After: &after})
	})
	if err == nil {
		s.replanWork(ctx, id)
	}
	return out, err
}
