package contracts

import (
	"context"

	"kefu/internal/access"
	"kefu/internal/apperr"
)

// OrphanCustomer is a customer whose sales owner has left (孤儿客户), with
// what the manager needs to decide who takes it: the contracts still
// running and the money still owed.
type OrphanCustomer struct {
	CustomerID     string  `bun:"id" json:"customer_id"`
	Code           string  `bun:"code" json:"code"`
	Name           string  `bun:"name" json:"name"`
	Class          string  `bun:"class" json:"class"`
	RegionName     string  `bun:"region_name" json:"region_name"`
	OwnerID        *string `bun:"owner_id" json:"owner_id"`
	OwnerName      string  `bun:"owner_name" json:"owner_name"`
	SalesOwnerName string  `bun:"sales_owner_name" json:"sales_owner_name"`
	SalesLeftOn    *string `bun:"sales_left_on" json:"sales_left_on"`
	// NextEndOn is the earliest end date of the customer's running
	// contracts; ActiveContracts counts them.
	NextEndOn       *string `bun:"next_end_on" json:"next_end_on"`
	ActiveContracts int     `bun:"active_contracts" json:"active_contracts"`
	OpenFen         int64   `bun:"open_fen" json:"open_fen"`
	OverdueFen      int64   `bun:"overdue_fen" json:"overdue_fen"`
}

// Orphans lists the orphan customers, soonest contract end first
// (customers without running contracts last). Managers and admins.
func (s *Service) Orphans(ctx context.Context) ([]OrphanCustomer, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CustomerAssign) {
		return nil, apperr.Forbidden("只有客服经理可以查看和分配孤儿客户")
	}
	today := s.today().String()
	var out []OrphanCustomer
	err := s.db.R().NewRaw(`SELECT * FROM (SELECT c.id, c.code, c.name, c.class, r.name AS region_name, c.owner_id,
		COALESCE(o.name, '') AS owner_name, so.name AS sales_owner_name, so.left_on AS sales_left_on,
		(SELECT MIN(k.end_on) FROM contracts k WHERE k.customer_id = c.id AND k.state = 'active' AND k.end_on >= ?) AS next_end_on,
		(SELECT COUNT(*) FROM contracts k WHERE k.customer_id = c.id AND k.state = 'active' AND k.end_on >= ?) AS active_contracts,
		COALESCE((SELECT SUM(i.amount_fen - i.paid_fen) FROM installments i JOIN contracts k ON k.id = i.contract_id
			WHERE k.customer_id = c.id AND k.state <> 'draft' AND i.paid_fen < i.amount_fen), 0) AS open_fen,
		COALESCE((SELECT SUM(i.amount_fen - i.paid_fen) FROM installments i JOIN contracts k ON k.id = i.contract_id
			WHERE k.customer_id = c.id AND k.state <> 'draft' AND i.paid_fen < i.amount_fen AND i.due_on < ?), 0) AS overdue_fen
		FROM customers c
		JOIN regions r ON r.id = c.region_id
		JOIN staff so ON so.id = c.sales_owner_id AND so.active = FALSE
		LEFT JOIN staff o ON o.id = c.owner_id) x
		ORDER BY CASE WHEN x.next_end_on IS NULL THEN 1 ELSE 0 END, x.next_end_on, x.name, x.id`, today, today, today).Scan(ctx, &out)
	if out == nil {
		out = []OrphanCustomer{}
	}
	return out, err
}
