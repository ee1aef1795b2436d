package contracts

import (
	"context"
	"slices"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/rates"
)

// SpecialistRates is one specialist's 续约率 and 回款率 for a month, with
// the contracts and installments behind each (the appraisal's evidence).
type SpecialistRates struct {
	SpecialistID string           `json:"specialist_id"`
	Name         string           `json:"name"`
	Renewal      rates.Renewal    `json:"renewal"`
	Collection   rates.Collection `json:"collection"`
}

// RatesReport is every visible specialist's rates for one month.
type RatesReport struct {
	Month rates.Month `json:"month"`
	// AsOf is the day renewals are counted to ("signed by the time the
	// scorecard is computed").
	AsOf        calendar.Date     `json:"as_of"`
	Specialists []SpecialistRates `json:"specialists"`
}

// Rates computes the renewal and collection rates of month m as of asOf
// (zero = today) from the records, through the pure rates package. A
// specialist sees their own rates only; managers, executives and finance
// see everyone's.
func (s *Service) Rates(ctx context.Context, m rates.Month, asOf calendar.Date) (*RatesReport, error) {
	p := principal(ctx)
	if !p.Can(access.ContractRead) {
		return nil, apperr.Forbidden("无权查看业务指标")
	}
	if !m.IsValid() {
		return nil, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	if asOf.IsZero() {
		asOf = s.today()
	}
	only := ""
	if onlySpecialist(p) {
		only = p.StaffID
	}
	f, err := s.RateFacts(ctx, m)
	if err != nil {
		return nil, err
	}
	ren := rates.RenewalRates(f.Contracts, f.Owners, m, asOf)
	col := rates.CollectionRates(f.Installments, f.Allocations, f.Owners, m)
	// Every active specialist appears, with "nothing due" when so.
	var staff []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	if err := s.db.R().NewRaw(`SELECT s.id, s.name FROM staff s
		WHERE s.active = TRUE AND EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.role = ?)`,
		string(access.CSSpecialist)).Scan(ctx, &staff); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, st := range staff {
		names[st.ID] = st.Name
	}
	ids := map[string]bool{}
	for id := range names {
		ids[id] = true
	}
	for id := range ren {
		ids[id] = true
	}
	for id := range col {
		ids[id] = true
	}
	var missing []string
	for id := range ids {
		if _, ok := names[id]; !ok && id != "" {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		var more []struct {
			ID   string `bun:"id"`
			Name string `bun:"name"`
		}
		if err := s.db.R().NewRaw("SELECT id, name FROM staff WHERE id IN (?)", bunIn(missing)).Scan(ctx, &more); err != nil {
			return nil, err
		}
		for _, st := range more {
			names[st.ID] = st.Name
		}
	}
	rep := &RatesReport{Month: m, AsOf: asOf, Specialists: []SpecialistRates{}}
	for id := range ids {
		if only != "" && id != only {
			continue
		}
		r, ok := ren[id]
		if !ok {
			r = rates.Renewal{Specialist: id, Month: m, AsOf: asOf, Rows: []rates.RenewalRow{}}
		}
		c, ok := col[id]
		if !ok {
			c = rates.Collection{Specialist: id, Month: m, Rows: []rates.CollectionRow{}}
		}
		name := names[id]
		if id == "" {
			name = "（无分管客服）"
		}
		rep.Specialists = append(rep.Specialists, SpecialistRates{SpecialistID: id, Name: name, Renewal: r, Collection: c})
	}
	slices.SortFunc(rep.Specialists, func(a, b SpecialistRates) int {
		if (a.SpecialistID == "") != (b.SpecialistID == "") {
			if a.SpecialistID == "" {
				return 1
			}
			return -1
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.SpecialistID, b.SpecialistID)
	})
	return rep, nil
}

// RateFacts are the records the rates of one month are computed from.
type RateFacts struct {
	Contracts    []rates.Contract
	Installments []rates.Installment
	Allocations  []rates.Allocation
	Owners       rates.Owners
}

// RateFacts loads what the month's rates need: contracts ending in the
// month with their successors; installments due by its last day that were
// open at its start, with their allocations; and the owner history of the
// customers involved (from the archive's change log). It does no
// permission check: callers are Rates and the appraisal.
func (s *Service) RateFacts(ctx context.Context, m rates.Month) (*RateFacts, error) {
	db := s.db.R()
	first, last := m.First().String(), m.Last().String()
	var cs []struct {
		ID           string  `bun:"id"`
		Number       string  `bun:"number"`
		CustomerID   string  `bun:"customer_id"`
		CustomerName string  `bun:"customer_name"`
		State        string  `bun:"state"`
		SignedOn     *string `bun:"signed_on"`
		EndOn        string  `bun:"end_on"`
		RenewedFrom  *string `bun:"renewed_from"`
		Outcome      string  `bun:"outcome"`
		LostReason   string  `bun:"lost_reason"`
	}
	if err := db.NewRaw(`SELECT k.id, k.number, k.customer_id, cu.name AS customer_name, k.state, k.signed_on, k.end_on,
		k.renewed_from, k.outcome, k.lost_reason
		FROM contracts k JOIN customers cu ON cu.id = k.customer_id
		WHERE (k.end_on >= ? AND k.end_on <= ?)
		   OR k.renewed_from IN (SELECT p.id FROM contracts p WHERE p.end_on >= ? AND p.end_on <= ?)`,
		first, last, first, last).Scan(ctx, &cs); err != nil {
		return nil, err
	}
	f := &RateFacts{}
	customers := map[string]bool{}
	for _, c := range cs {
		rc := rates.Contract{ID: c.ID, Number: c.Number, CustomerID: c.CustomerID, CustomerName: c.CustomerName, State: c.State,
			RenewedFrom: deref(c.RenewedFrom), Outcome: c.Outcome, LostReason: c.LostReason}
		rc.End, _ = calendar.ParseDate(c.EndOn)
		if c.SignedOn != nil {
			rc.Signed, _ = calendar.ParseDate(*c.SignedOn)
		}
		f.Contracts = append(f.Contracts, rc)
		customers[c.CustomerID] = true
	}
	const openAtStart = `k.state <> 'draft' AND i.due_on <= ? AND (i.paid_fen < i.amount_fen OR EXISTS (
		SELECT 1 FROM payment_allocations a2 JOIN payments p2 ON p2.id = a2.payment_id
		WHERE a2.installment_id = i.id AND p2.received_on >= ?))`
	var is []struct {
		ID           string `bun:"id"`
		ContractID   string `bun:"contract_id"`
		Number       string `bun:"number"`
		CustomerID   string `bun:"customer_id"`
		CustomerName string `bun:"customer_name"`
		Seq          int    `bun:"seq"`
		DueOn        string `bun:"due_on"`
		AmountFen    int64  `bun:"amount_fen"`
	}
	if err := db.NewRaw(`SELECT i.id, i.contract_id, k.number, k.customer_id, cu.name AS customer_name, i.seq, i.due_on, i.amount_fen
		FROM installments i JOIN contracts k ON k.id = i.contract_id JOIN customers cu ON cu.id = k.customer_id
		WHERE `+openAtStart, last, first).Scan(ctx, &is); err != nil {
		return nil, err
	}
	for _, it := range is {
		ri := rates.Installment{ID: it.ID, ContractID: it.ContractID, ContractNumber: it.Number, CustomerID: it.CustomerID,
			CustomerName: it.CustomerName, Seq: it.Seq, Amount: it.AmountFen}
		ri.Due, _ = calendar.ParseDate(it.DueOn)
		f.Installments = append(f.Installments, ri)
		customers[it.CustomerID] = true
	}
	var as []struct {
		InstallmentID string `bun:"installment_id"`
		PaymentID     string `bun:"payment_id"`
		ReceivedOn    string `bun:"received_on"`
		AmountFen     int64  `bun:"amount_fen"`
	}
	if err := db.NewRaw(`SELECT a.installment_id, a.payment_id, p.received_on, a.amount_fen
		FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
		JOIN installments i ON i.id = a.installment_id JOIN contracts k ON k.id = i.contract_id
		WHERE p.received_on <= ? AND `+openAtStart, last, last, first).Scan(ctx, &as); err != nil {
		return nil, err
	}
	for _, a := range as {
		ra := rates.Allocation{InstallmentID: a.InstallmentID, PaymentID: a.PaymentID, Amount: a.AmountFen}
		ra.Received, _ = calendar.ParseDate(a.ReceivedOn)
		f.Allocations = append(f.Allocations, ra)
	}
	owners, err := s.ownerSpans(ctx, customers)
	if err != nil {
		return nil, err
	}
	f.Owners = rates.NewOwners(owners)
	return f, nil
}

// ownerSpans returns who owned each customer from which day: the owner
// after every archive change of the customer record, on the day it was
// recorded; a customer without history is owned by its current owner.
func (s *Service) ownerSpans(ctx context.Context, customers map[string]bool) ([]rates.OwnerSpan, error) {
	ids := make([]string, 0, len(customers))
	for id := range customers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var spans []rates.OwnerSpan
	seen := map[string]bool{}
	err := chunks(ids, 500, func(part []string) error {
		var rows []struct {
			CustomerID string  `bun:"customer_id"`
			OwnerID    *string `bun:"owner_id"`
			On         string  `bun:"recorded_on"`
		}
		if err := s.db.R().NewRaw(`SELECT customer_id, owner_id, recorded_on FROM archive_changes
			WHERE entity = 'customer' AND customer_id IN (?) ORDER BY customer_id, recorded_at, id`, bunIn(part)).Scan(ctx, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			d, err := calendar.ParseDate(r.On)
			if err != nil {
				continue
			}
			spans = append(spans, rates.OwnerSpan{CustomerID: r.CustomerID, OwnerID: deref(r.OwnerID), From: d})
			seen[r.CustomerID] = true
		}
		var cur []struct {
			ID      string  `bun:"id"`
			OwnerID *string `bun:"owner_id"`
		}
		if err := s.db.R().NewRaw("SELECT id, owner_id FROM customers WHERE id IN (?)", bunIn(part)).Scan(ctx, &cur); err != nil {
			return err
		}
		for _, c := range cur {
			if !seen[c.ID] {
				spans = append(spans, rates.OwnerSpan{CustomerID: c.ID, OwnerID: deref(c.OwnerID)})
			}
		}
		return nil
	})
	return spans, err
}
