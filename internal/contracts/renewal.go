package contracts

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// RenewalItem is one line of the renewal desk (续约台): a contract whose
// renewal window has opened.
type RenewalItem struct {
	ContractID   string  `json:"contract_id"`
	Number       string  `json:"number"`
	Version      int64   `json:"version"`
	CustomerID   string  `json:"customer_id"`
	CustomerName string  `json:"customer_name"`
	OwnerID      *string `json:"owner_id"`
	OwnerName    string  `json:"owner_name"`
	EndOn        string  `json:"end_on"`
	AmountFen    int64   `json:"amount_fen"`
	// DaysLeft until the end date (negative once it has passed).
	DaysLeft     int    `json:"days_left"`
	WindowOpened string `json:"window_opened"`
	// ContactDueBy is the last day for the first renewal contact.
	ContactDueBy   string          `json:"contact_due_by"`
	DecisionMakers []DecisionMaker `json:"decision_makers"`
	// LastContactAt is the customer's most recent communication record.
	LastContactAt   *time.Time `json:"last_contact_at"`
	RenewalContacts int        `json:"renewal_contacts"`
	LastRenewalAt   *time.Time `json:"last_renewal_at"`
	// NoTimelyContact: the window opened more than the policy's days ago
	// without a renewal contact in those days.
	NoTimelyContact bool    `json:"no_timely_contact"`
	Outcome         string  `json:"outcome"`
	LostReason      string  `json:"lost_reason"`
	SuccessorID     *string `json:"successor_id"`
	SuccessorNumber *string `json:"successor_number"`
}

// DecisionMaker is a customer contact flagged 负责人.
type DecisionMaker struct {
	ID    string `bun:"id" json:"id"`
	Name  string `bun:"name" json:"name"`
	Title string `bun:"title" json:"title"`
	Phone string `bun:"phone" json:"phone"`
}

// RenewalFilter selects renewal-desk lines.
type RenewalFilter struct {
	OwnerID string
	Outcome string // pending / renewed / lost; "" = all
	Flagged bool   // only contracts without a timely renewal contact
}

// windowOpens is the first day of a contract's renewal window.
func windowOpens(end calendar.Date, months int) calendar.Date { return addMonths(end, -months) }

// RenewalDesk lists the contracts in their renewal window that the caller
// may read, sorted by days left. Contracts that ended up to 90 days ago
// stay on the desk while their outcome is open.
func (s *Service) RenewalDesk(ctx context.Context, f RenewalFilter) ([]RenewalItem, error) {
	p := access.Caller(ctx)
	scope, ok := s.readScope(p)
	if !ok {
		return nil, apperr.Forbidden("无权查看续约台")
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	q := viewSelect + ` WHERE k.state = 'active' AND k.end_on >= ? AND k.end_on <= ?`
	args := []any{today.AddDays(-90).String(), addMonths(today, pol.RenewalWindowMonths).AddDays(3).String()}
	if scope != "" {
		q += " AND cu.owner_id = ?"
		args = append(args, scope)
	}
	if f.OwnerID != "" {
		q += " AND cu.owner_id = ?"
		args = append(args, f.OwnerID)
	}
	var views []ContractView
	if err := s.db.R().NewRaw(q+" ORDER BY k.end_on, k.number", args...).Scan(ctx, &views); err != nil {
		return nil, err
	}
	items := make([]RenewalItem, 0, len(views))
	for _, v := range views {
		end, err := calendar.ParseDate(v.EndOn)
		if err != nil {
			continue
		}
		open := windowOpens(end, pol.RenewalWindowMonths)
		if open.After(today) {
			continue
		}
		if end.Before(today) && v.Outcome != "pending" && v.SuccessorID == nil {
			continue // decided and over
		}
		items = append(items, RenewalItem{ContractID: v.ID, Number: v.Number, Version: v.Version, CustomerID: v.CustomerID,
			CustomerName: v.CustomerName, OwnerID: v.OwnerID, OwnerName: v.OwnerName, EndOn: v.EndOn, AmountFen: v.AmountFen,
			DaysLeft: end.Sub(today), WindowOpened: open.String(), ContactDueBy: open.AddDays(pol.RenewalContactDays - 1).String(),
			Outcome: v.Outcome, LostReason: v.LostReason, SuccessorID: v.SuccessorID, SuccessorNumber: v.SuccessorNo,
			DecisionMakers: []DecisionMaker{}})
	}
	if err := s.fillRenewalContacts(ctx, items, today); err != nil {
		return nil, err
	}
	out := items[:0]
	for _, it := range items {
		if (f.Outcome == "" || it.Outcome == f.Outcome) && (!f.Flagged || it.NoTimelyContact) {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b RenewalItem) int {
		if a.DaysLeft != b.DaysLeft {
			return a.DaysLeft - b.DaysLeft
		}
		return strings.Compare(a.Number, b.Number)
	})
	return out, nil
}

// fillRenewalContacts adds decision makers, the last contact and the
// renewal contacts made in the window to each item.
func (s *Service) fillRenewalContacts(ctx context.Context, items []RenewalItem, today calendar.Date) error {
	if len(items) == 0 {
		return nil
	}
	db := s.db.R()
	var contractIDs, customerIDs []string
	for _, it := range items {
		contractIDs = append(contractIDs, it.ContractID)
		customerIDs = append(customerIDs, it.CustomerID)
	}
	var dms []struct {
		DecisionMaker
		CustomerID string `bun:"customer_id"`
	}
	if err := db.NewRaw(`SELECT id, name, title, phone, customer_id FROM contacts
		WHERE decision_maker = TRUE AND active = TRUE AND customer_id IN (?) ORDER BY name`, bun.In(customerIDs)).Scan(ctx, &dms); err != nil {
		return err
	}
	var last []struct {
		CustomerID string    `bun:"customer_id"`
		At         time.Time `bun:"at"`
	}
	if err := db.NewRaw(`SELECT customer_id, MAX(occurred_at) AS at FROM communications
		WHERE customer_id IN (?) GROUP BY customer_id`, bun.In(customerIDs)).Scan(ctx, &last); err != nil {
		return err
	}
	var renewals []struct {
		ContractID string    `bun:"contract_id"`
		At         time.Time `bun:"occurred_at"`
	}
	if err := db.NewRaw(`SELECT m.contract_id, m.occurred_at FROM communications m
		JOIN communication_tags t ON t.communication_id = m.id AND t.tag = ?
		WHERE m.contract_id IN (?) ORDER BY m.occurred_at`, TagRenewal, bun.In(contractIDs)).Scan(ctx, &renewals); err != nil {
		return err
	}
	idx := map[string][]int{}
	for i, it := range items {
		idx[it.CustomerID] = append(idx[it.CustomerID], i)
	}
	byContract := map[string]int{}
	for i, it := range items {
		byContract[it.ContractID] = i
	}
	for _, d := range dms {
		for _, i := range idx[d.CustomerID] {
			items[i].DecisionMakers = append(items[i].DecisionMakers, d.DecisionMaker)
		}
	}
	for _, l := range last {
		for _, i := range idx[l.CustomerID] {
			at := l.At
			items[i].LastContactAt = &at
		}
	}
	timely := map[string]bool{}
	for _, r := range renewals {
		i := byContract[r.ContractID]
		it := &items[i]
		opened, _ := calendar.ParseDate(it.WindowOpened)
		dueBy, _ := calendar.ParseDate(it.ContactDueBy)
		d := calendar.DateOf(r.At, s.loc)
		if d.Before(opened) {
			continue // before the window: not a contact in the window
		}
		it.RenewalContacts++
		at := r.At
		it.LastRenewalAt = &at
		if !d.After(dueBy) {
			timely[it.ContractID] = true
		}
	}
	for i := range items {
		dueBy, _ := calendar.ParseDate(items[i].ContactDueBy)
		items[i].NoTimelyContact = today.After(dueBy) && !timely[items[i].ContractID] && items[i].SuccessorID == nil
	}
	return nil
}

// SetRenewalOutcome records that a contract will not be renewed (lost,
// with a reason) or puts it back to pending. "renewed" is set by entering
// the successor contract.
func (s *Service) SetRenewalOutcome(ctx context.Context, id string, version int64, outcome, reason string) (*Contract, error) {
	outcome, reason = strings.TrimSpace(outcome), strings.TrimSpace(reason)
	switch outcome {
	case "lost":
		if err := text("reason", reason, 1, 500); err != nil {
			return nil, err
		}
	case "pending":
		reason = ""
	case "renewed":
		return nil, apperr.Invalid("outcome", "续签请录入新合同并选择被续签的合同")
	default:
		return nil, apperr.Invalid("outcome", "结果须为 lost 或 pending")
	}
	var out *Contract
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := writableContract(ctx, tx, access.Caller(ctx), id)
		if err != nil {
			return err
		}
		if before.State != "active" {
			return apperr.Conflict("state", "只有生效的合同有续约结果")
		}
		n, err := tx.NewSelect().Table("contracts").Where("renewed_from = ? AND state <> 'draft'", id).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("outcome", "该合同已续签")
		}
		after := *before
		after.Outcome, after.LostReason = outcome, reason
		after.Version, after.UpdatedAt = version+1, store.Time(s.now())
		res, err := tx.NewUpdate().Model(&after).Column("outcome", "lost_reason", "version", "updated_at").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		out = &after
		return audit.Record(ctx, tx, after.UpdatedAt, audit.Change{Action: "update", Entity: "contract", EntityID: id,
			Summary: "合同 " + after.Number + " 续约结果：" + outcome, Before: before, After: &after})
	})
	return out, err
}
