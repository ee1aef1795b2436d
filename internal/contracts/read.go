package contracts

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

const viewSelect = `SELECT k.*, cu.name AS customer_name, cu.code AS customer_code, cu.owner_id,
	COALESCE(o.name, '') AS owner_name, r.name AS region_name,
	s.id AS successor_id, s.number AS successor_number,
	COALESCE((SELECT SUM(p.amount_fen - p.credit_fen) FROM payments p WHERE p.contract_id = k.id), 0) AS paid_fen
FROM contracts k
	JOIN customers cu ON cu.id = k.customer_id
	JOIN regions r ON r.id = cu.region_id
	LEFT JOIN staff o ON o.id = cu.owner_id
	LEFT JOIN contracts s ON s.renewed_from = k.id AND s.state <> 'draft'`

func (v *ContractView) derive(today string) {
	v.Status = status(&v.Contract, v.SuccessorID != nil, today)
}

// GetContract returns one contract with everything on its page.
func (s *Service) GetContract(ctx context.Context, id string) (*ContractDetail, error) {
	p := access.Caller(ctx)
	d := new(ContractDetail)
	if err := s.db.R().NewRaw(viewSelect+" WHERE k.id = ?", id).Scan(ctx, &d.ContractView); err != nil {
		return nil, notFound(err, "contract")
	}
	if !s.canReadFor(p, d.OwnerID) {
		return nil, apperr.Forbidden("无权查看该合同")
	}
	today := s.today()
	d.derive(today.String())
	db := s.db.R()
	if err := db.NewSelect().Model(&d.Scope).Where("contract_id = ?", id).Order("seq").Scan(ctx); err != nil {
		return nil, err
	}
	insts, err := installmentViews(ctx, db, today, "i.contract_id = ?", id)
	if err != nil {
		return nil, err
	}
	d.Installments = insts
	if err := db.NewSelect().Model(&d.Invoices).Where("contract_id = ?", id).Order("issued_on", "number").Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&d.Payments).Where("contract_id = ?", id).Order("received_on", "recorded_at").Scan(ctx); err != nil {
		return nil, err
	}
	if err := attachAllocations(ctx, db, d.Payments); err != nil {
		return nil, err
	}
	if d.RenewedFrom != nil {
		ref := new(ContractRef)
		if err := db.NewSelect().Table("contracts").Column("id", "number").Where("id = ?", *d.RenewedFrom).Scan(ctx, ref); err == nil {
			d.Predecessor = ref
		}
	}
	if d.Scope == nil {
		d.Scope = []ScopeItem{}
	}
	if d.Invoices == nil {
		d.Invoices = []Invoice{}
	}
	if d.Payments == nil {
		d.Payments = []Payment{}
	}
	return d, nil
}

// installmentViews returns installments with paid and invoiced amounts.
func installmentViews(ctx context.Context, db bun.IDB, today calendar.Date, where string, args ...any) ([]InstallmentView, error) {
	var out []InstallmentView
	err := db.NewRaw(`SELECT i.*,
		COALESCE((SELECT SUM(v.amount_fen) FROM invoices v WHERE v.installment_id = i.id), 0) AS invoiced_fen
		FROM installments i WHERE `+where+` ORDER BY i.contract_id, i.seq`, args...).Scan(ctx, &out)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].fill(today)
	}
	if out == nil {
		out = []InstallmentView{}
	}
	return out, nil
}

func (v *InstallmentView) fill(today calendar.Date) {
	v.OpenFen = max(v.AmountFen-v.PaidFen, 0)
	if due, err := calendar.ParseDate(v.DueOn); err == nil && v.OpenFen > 0 && due.Before(today) {
		v.DaysOverdue = today.Sub(due)
	}
}

func attachAllocations(ctx context.Context, db bun.IDB, ps []Payment) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	var all []Allocation
	if err := db.NewSelect().Model(&all).Where("payment_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return err
	}
	by := map[string][]Allocation{}
	for _, a := range all {
		by[a.PaymentID] = append(by[a.PaymentID], a)
	}
	for i := range ps {
		ps[i].Allocations = by[ps[i].ID]
		if ps[i].Allocations == nil {
			ps[i].Allocations = []Allocation{}
		}
	}
	return nil
}

// ListFilter selects contracts.
type ListFilter struct {
	Query      string // number, title or customer name contains
	CustomerID string
	OwnerID    string
	Kind       string
	Status     string // derived status
	EndFrom    string // end date on or after
	EndTo      string // end date on or before
	After      string // keyset cursor: "end_on|id" of the last row seen
	Limit      int
}

// ContractPage is one page of contracts.
type ContractPage struct {
	Items []ContractView `json:"items"`
	// Next is the cursor of the next page, "" on the last.
	Next string `json:"next"`
}

// ListContracts returns contracts the caller may read, by end date.
func (s *Service) ListContracts(ctx context.Context, f ListFilter) (*ContractPage, error) {
	p := access.Caller(ctx)
	scope, ok := s.readScope(p)
	if !ok {
		return nil, apperr.Forbidden("无权查看合同")
	}
	today := s.today().String()
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if scope != "" {
		add("cu.owner_id = ?", scope)
	}
	if f.OwnerID != "" {
		add("cu.owner_id = ?", f.OwnerID)
	}
	if f.CustomerID != "" {
		add("k.customer_id = ?", f.CustomerID)
	}
	if f.Kind != "" {
		add("k.kind = ?", f.Kind)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pat := store.ContainsPattern(strings.ToLower(q))
		add(`(LOWER(k.number) LIKE ? ESCAPE '\' OR LOWER(k.title) LIKE ? ESCAPE '\' OR LOWER(cu.name) LIKE ? ESCAPE '\')`, pat, pat, pat)
	}
	if f.EndFrom != "" {
		add("k.end_on >= ?", f.EndFrom)
	}
	if f.EndTo != "" {
		add("k.end_on <= ?", f.EndTo)
	}
	switch f.Status {
	case "":
	case "draft", "terminated":
		add("k.state = ?", f.Status)
	case "renewed":
		add("k.state = 'active' AND s.id IS NOT NULL")
	case "expired":
		add("k.state = 'active' AND s.id IS NULL AND k.end_on < ?", today)
	case "active":
		add("k.state = 'active' AND s.id IS NULL AND k.end_on >= ?", today)
	default:
		return nil, apperr.Invalid("status", "状态无效")
	}
	if f.After != "" {
		end, id, ok := strings.Cut(f.After, "|")
		if !ok {
			return nil, apperr.Invalid("after", "分页参数无效")
		}
		add("(k.end_on, k.id) > (?, ?)", end, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := viewSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY k.end_on, k.id LIMIT ?"
	args = append(args, limit+1)
	var items []ContractView
	if err := s.db.R().NewRaw(q, args...).Scan(ctx, &items); err != nil {
		return nil, err
	}
	page := &ContractPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.Next = last.EndOn + "|" + last.ID
	}
	for i := range page.Items {
		page.Items[i].derive(today)
	}
	if page.Items == nil {
		page.Items = []ContractView{}
	}
	return page, nil
}
