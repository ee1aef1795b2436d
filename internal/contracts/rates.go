package contracts

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

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
	p := access.Caller(ctx)
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
	if p.OnlySpecialist() {
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

// StaffRates is one staff member's 续约率 and 回款率 of month m as of asOf
// (zero = today) — the same as their row of Rates, computed from the
// contracts of the customers they own or ever owned only (the appraisal
// of one person). It does no permission check: the appraisal calls it.
func (s *Service) StaffRates(ctx context.Context, m rates.Month, asOf calendar.Date, staffID string) (rates.Renewal, rates.Collection, error) {
	if asOf.IsZero() {
		asOf = s.today()
	}
	var ids []string
	if err := s.db.R().NewRaw(`SELECT id FROM customers WHERE owner_id = ?
		UNION SELECT customer_id FROM archive_changes WHERE entity = 'customer' AND owner_id = ?`, staffID, staffID).Scan(ctx, &ids); err != nil {
		return rates.Renewal{}, rates.Collection{}, err
	}
	if ids == nil {
		ids = []string{}
	}
	f, err := s.rateFacts(ctx, m, ids)
	if err != nil {
		return rates.Renewal{}, rates.Collection{}, err
	}
	return rates.RenewalRate(staffID, f.Contracts, f.Owners, m, asOf), rates.CollectionRate(staffID, f.Installments, f.Allocations, f.Owners, m), nil
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
	return s.rateFacts(ctx, m, nil)
}

// rateFacts is RateFacts, limited to the contracts of the customers only
// when only is not nil (one specialist's: the customers they own or ever
// owned — the rates attribute each row by the owner at its date).
func (s *Service) rateFacts(ctx context.Context, m rates.Month, only []string) (*RateFacts, error) {
	db := s.db.R()
	first, last := m.First().String(), m.Last().String()
	if only != nil && len(only) == 0 {
		return &RateFacts{Owners: rates.NewOwners(nil)}, nil
	}
	var cs []struct {
		ID           string    `bun:"id"`
		Number       string    `bun:"number"`
		CustomerID   string    `bun:"customer_id"`
		CustomerName string    `bun:"customer_name"`
		State        string    `bun:"state"`
		SignedOn     *string   `bun:"signed_on"`
		EndOn        string    `bun:"end_on"`
		RenewedFrom  *string   `bun:"renewed_from"`
		Outcome      string    `bun:"outcome"`
		LostReason   string    `bun:"lost_reason"`
		TerminatedOn *string   `bun:"terminated_on"`
		CreatedAt    time.Time `bun:"created_at"`
	}
	// The contracts ending in the month and their successors (a successor
	// may be another customer's: it is read whoever the customer).
	q, args := `SELECT k.id, k.number, k.customer_id, cu.name AS customer_name, k.state, k.signed_on, k.end_on,
		k.renewed_from, k.outcome, k.lost_reason, k.terminated_on, k.created_at
		FROM contracts k JOIN customers cu ON cu.id = k.customer_id
		WHERE (k.end_on >= ? AND k.end_on <= ?)
		   OR k.renewed_from IN (SELECT p.id FROM contracts p WHERE p.end_on >= ? AND p.end_on <= ?)`, []any{first, last, first, last}
	if only != nil {
		q = `SELECT k.id, k.number, k.customer_id, cu.name AS customer_name, k.state, k.signed_on, k.end_on,
		k.renewed_from, k.outcome, k.lost_reason, k.terminated_on, k.created_at
		FROM contracts k JOIN customers cu ON cu.id = k.customer_id
		WHERE (k.end_on >= ? AND k.end_on <= ? AND k.customer_id IN (?))
		   OR k.renewed_from IN (SELECT p.id FROM contracts p WHERE p.end_on >= ? AND p.end_on <= ? AND p.customer_id IN (?))`
		args = []any{first, last, bunIn(only), first, last, bunIn(only)}
	}
	if err := db.NewRaw(q, args...).Scan(ctx, &cs); err != nil {
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
		if c.TerminatedOn != nil {
			rc.TerminatedOn, _ = calendar.ParseDate(*c.TerminatedOn)
		}
		rc.Recorded = calendar.DateOf(c.CreatedAt, s.loc)
		f.Contracts = append(f.Contracts, rc)
		customers[c.CustomerID] = true
	}
	if err := s.monthInstallments(ctx, f, m, customers, only); err != nil {
		return nil, err
	}
	owners, err := s.ownerSpans(ctx, customers)
	if err != nil {
		return nil, err
	}
	f.Owners = rates.NewOwners(owners)
	return f, nil
}

// eachRow runs a query and calls fn for each row.
func eachRow(ctx context.Context, db bun.IDB, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
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
	var mu sync.Mutex
	err := chunksParallel(ids, 500, func(part []string) error {
		var mine []rates.OwnerSpan
		seen := map[string]bool{}
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
			mine = append(mine, rates.OwnerSpan{CustomerID: r.CustomerID, OwnerID: deref(r.OwnerID), From: d})
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
				mine = append(mine, rates.OwnerSpan{CustomerID: c.ID, OwnerID: deref(c.OwnerID)})
			}
		}
		mu.Lock()
		spans = append(spans, mine...)
		mu.Unlock()
		return nil
	})
	return spans, err
}

// monthInstallments adds to f the installments of month m's collection —
// due by its last day and open at its first: those open now, and those
// paid off by money received since the first — with the allocations the
// pure function needs. Only money received since the first is read: what
// an installment had received before it is its amount paid now minus
// that, given to the rates as one allocation dated the day before the
// month (it never shows as a payment of the month). Four indexed reads
// instead of joining every installment's history.
func (s *Service) monthInstallments(ctx context.Context, f *RateFacts, m rates.Month, customers map[string]bool, only []string) error {
	db := s.db.R()
	first, last := m.First().String(), m.Last().String()
	// With only, the installments and allocations of those customers'
	// contracts.
	sinceQ, sinceArgs := `SELECT a.installment_id, a.payment_id, p.received_on, a.amount_fen
			FROM payments p JOIN payment_allocations a ON a.payment_id = p.id WHERE p.received_on >= ?`, []any{first}
	openQ, openArgs := `SELECT i.id, i.contract_id, i.seq, i.due_on, i.amount_fen, i.paid_fen FROM installments i
		WHERE i.paid_fen < i.amount_fen AND i.due_on <= ?`, []any{last}
	if only != nil {
		sinceQ += ` AND a.installment_id IN (SELECT i.id FROM installments i JOIN contracts k ON k.id = i.contract_id WHERE k.customer_id IN (?))`
		sinceArgs = append(sinceArgs, bunIn(only))
		openQ += ` AND i.contract_id IN (SELECT k.id FROM contracts k WHERE k.customer_id IN (?))`
		openArgs = append(openArgs, bunIn(only))
	}
	type inst struct {
		ID         string `bun:"id"`
		ContractID string `bun:"contract_id"`
		Seq        int    `bun:"seq"`
		DueOn      string `bun:"due_on"`
		AmountFen  int64  `bun:"amount_fen"`
		PaidFen    int64  `bun:"paid_fen"`
	}
	// These reads return tens of thousands of rows: they scan into plain
	// structs without bun's reflection.
	scanInst := func(rows *sql.Rows, out *[]inst) error {
		var it inst
		if err := rows.Scan(&it.ID, &it.ContractID, &it.Seq, &it.DueOn, &it.AmountFen, &it.PaidFen); err != nil {
			return err
		}
		*out = append(*out, it)
		return nil
	}
	// The open installments and the money received since the first are
	// read at the same time, on two reader connections.
	var open []inst
	type alloc struct {
		InstallmentID, PaymentID, ReceivedOn string
		AmountFen                            int64
	}
	var since []alloc
	sinceErr := make(chan error, 1)
	go func() {
		sinceErr <- eachRow(ctx, db, func(r *sql.Rows) error {
			var a alloc
			if err := r.Scan(&a.InstallmentID, &a.PaymentID, &a.ReceivedOn, &a.AmountFen); err != nil {
				return err
			}
			since = append(since, a)
			return nil
		}, sinceQ, sinceArgs...)
	}()
	err := eachRow(ctx, db, func(r *sql.Rows) error { return scanInst(r, &open) }, openQ, openArgs...)
	if serr := <-sinceErr; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	set := make(map[string]*inst, len(open)+len(since))
	for i := range open {
		set[open[i].ID] = &open[i]
	}
	var more []string
	for _, a := range since {
		if _, ok := set[a.InstallmentID]; !ok {
			set[a.InstallmentID] = nil
			more = append(more, a.InstallmentID)
		}
	}
	slices.Sort(more)
	var mu sync.Mutex
	err = chunksParallel(more, 500, func(part []string) error {
		var paid []inst
		if err := eachRow(ctx, db, func(r *sql.Rows) error { return scanInst(r, &paid) },
			`SELECT i.id, i.contract_id, i.seq, i.due_on, i.amount_fen, i.paid_fen FROM installments i
			WHERE i.id IN (?) AND i.due_on <= ?`, bunIn(part), last); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for i := range paid {
			set[paid[i].ID] = &paid[i]
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Contracts (not drafts) and customers of the set.
	contractIDs := map[string]bool{}
	for _, it := range set {
		if it != nil {
			contractIDs[it.ContractID] = true
		}
	}
	ids := make([]string, 0, len(contractIDs))
	for id := range contractIDs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	type contractRow struct{ ID, Number, CustomerID, CustomerName string }
	byID := make(map[string]contractRow, len(ids))
	if err := chunksParallel(ids, 500, func(part []string) error {
		return eachRow(ctx, db, func(r *sql.Rows) error {
			var c contractRow
			if err := r.Scan(&c.ID, &c.Number, &c.CustomerID, &c.CustomerName); err != nil {
				return err
			}
			mu.Lock()
			byID[c.ID] = c
			mu.Unlock()
			return nil
		}, `SELECT k.id, k.number, k.customer_id, cu.name FROM contracts k
			JOIN customers cu ON cu.id = k.customer_id WHERE k.id IN (?) AND k.state <> 'draft'`, bunIn(part))
	}); err != nil {
		return err
	}
	receivedSince := map[string]int64{}
	for _, a := range since {
		it := set[a.InstallmentID]
		if it == nil {
			continue
		}
		if _, ok := byID[it.ContractID]; !ok {
			continue
		}
		receivedSince[a.InstallmentID] += a.AmountFen
		if a.ReceivedOn > last {
			continue // after the month: counted above, not a payment of it
		}
		ra := rates.Allocation{InstallmentID: a.InstallmentID, PaymentID: a.PaymentID, Amount: a.AmountFen}
		ra.Received, _ = calendar.ParseDate(a.ReceivedOn)
		f.Allocations = append(f.Allocations, ra)
	}
	dayBefore := m.First().AddDays(-1)
	for _, it := range set {
		if it == nil {
			continue
		}
		c, ok := byID[it.ContractID]
		if !ok {
			continue
		}
		ri := rates.Installment{ID: it.ID, ContractID: it.ContractID, ContractNumber: c.Number, CustomerID: c.CustomerID,
			CustomerName: c.CustomerName, Seq: it.Seq, Amount: it.AmountFen}
		ri.Due, _ = calendar.ParseDate(it.DueOn)
		f.Installments = append(f.Installments, ri)
		customers[c.CustomerID] = true
		if before := it.PaidFen - receivedSince[it.ID]; before > 0 {
			f.Allocations = append(f.Allocations, rates.Allocation{InstallmentID: it.ID, PaymentID: "", Received: dayBefore, Amount: before})
		}
	}
	return nil
}
