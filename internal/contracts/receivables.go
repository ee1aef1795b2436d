package contracts

import (
	"context"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

// Ageing buckets of open installments (账龄).
var Buckets = []string{"not_due", "1_30", "31_90", "90_plus"}

// bucketOf is the ageing bucket of an installment days overdue.
func bucketOf(daysOverdue int) string {
	switch {
	case daysOverdue <= 0:
		return "not_due"
	case daysOverdue <= 30:
		return "1_30"
	case daysOverdue <= 90:
		return "31_90"
	default:
		return "90_plus"
	}
}

// ReceivableRow is one open installment with its contract and customer.
type ReceivableRow struct {
	InstallmentView `bun:",extend"`
	ContractNumber  string  `bun:"contract_number" json:"contract_number"`
	CustomerID      string  `bun:"customer_id" json:"customer_id"`
	CustomerName    string  `bun:"customer_name" json:"customer_name"`
	OwnerID         *string `bun:"owner_id" json:"owner_id"`
	OwnerName       string  `bun:"owner_name" json:"owner_name"`
	Bucket          string  `bun:"-" json:"bucket"`
}

// Receivables is the ageing report (应收账龄) as of today.
type Receivables struct {
	AsOf string `json:"as_of"`
	// Totals per bucket of the open amount, in fen, over every row the
	// filter selects (not only this page). Only the first page (no
	// cursor) carries them; later pages leave them empty.
	Totals map[string]int64 `json:"totals"`
	Total  int64            `json:"total"`
	Rows   []ReceivableRow  `json:"rows"`
	Next   string           `json:"next"`
}

// ReceivableFilter selects open installments.
type ReceivableFilter struct {
	OwnerID    string
	CustomerID string
	ContractID string
	Bucket     string
	After      string // keyset cursor "due_on|id"
	Limit      int
}

// bucketRange is the due-date range of a bucket as of today.
func bucketRange(b string, today calendar.Date) (from, to string) {
	switch b {
	case "not_due":
		return today.String(), ""
	case "1_30":
		return today.AddDays(-30).String(), today.AddDays(-1).String()
	case "31_90":
		return today.AddDays(-90).String(), today.AddDays(-31).String()
	case "90_plus":
		return "", today.AddDays(-91).String()
	}
	return "", ""
}

// Receivables returns the open installments the caller may read, oldest
// due first, with totals per ageing bucket.
func (s *Service) Receivables(ctx context.Context, f ReceivableFilter) (*Receivables, error) {
	p := access.Caller(ctx)
	scope, ok := s.readScope(p)
	if !ok {
		return nil, apperr.Forbidden("无权查看应收款")
	}
	today := s.today()
	where := []string{"i.paid_fen < i.amount_fen", "k.state <> 'draft'"}
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
	if f.ContractID != "" {
		add("i.contract_id = ?", f.ContractID)
	}
	from := ` FROM installments i JOIN contracts k ON k.id = i.contract_id JOIN customers cu ON cu.id = k.customer_id`
	r := &Receivables{AsOf: today.String(), Totals: map[string]int64{}}
	if f.After == "" {
		// Everyone's totals are an index-only scan of the open
		// installments, without joining each to its contract and customer.
		joined := scope != "" || f.OwnerID != "" || f.CustomerID != ""
		twhere, targs := where, args
		if !joined {
			twhere = []string{"i.paid_fen < i.amount_fen", "i.contract_id NOT IN (SELECT d.id FROM contracts d WHERE d.state = 'draft')"}
			targs = nil
			if f.ContractID != "" {
				twhere, targs = append(twhere, "i.contract_id = ?"), []any{f.ContractID}
			}
		}
		if err := s.receivableTotals(ctx, r, today, twhere, targs, joined); err != nil {
			return nil, err
		}
	}
	if f.Bucket != "" {
		lo, hi := bucketRange(f.Bucket, today)
		if lo == "" && hi == "" {
			return nil, apperr.Invalid("bucket", "账龄区间无效")
		}
		if lo != "" {
			add("i.due_on >= ?", lo)
		}
		if hi != "" {
			add("i.due_on <= ?", hi)
		}
	}
	if f.After != "" {
		due, id, ok := strings.Cut(f.After, "|")
		if !ok {
			return nil, apperr.Invalid("after", "分页参数无效")
		}
		add("(i.due_on, i.id) > (?, ?)", due, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT i.*, COALESCE((SELECT SUM(v.amount_fen) FROM invoices v WHERE v.installment_id = i.id), 0) AS invoiced_fen, k.number AS contract_number, k.customer_id, cu.name AS customer_name, cu.owner_id,
		COALESCE(o.name, '') AS owner_name` + from + ` LEFT JOIN staff o ON o.id = cu.owner_id WHERE ` +
		strings.Join(where, " AND ") + " ORDER BY i.due_on, i.id LIMIT ?"
	if err := s.db.R().NewRaw(q, append(args, limit+1)...).Scan(ctx, &r.Rows); err != nil {
		return nil, err
	}
	if len(r.Rows) > limit {
		r.Rows = r.Rows[:limit]
		last := r.Rows[limit-1]
		r.Next = last.DueOn + "|" + last.ID
	}
	for i := range r.Rows {
		r.Rows[i].fill(today)
		r.Rows[i].Bucket = bucketOf(r.Rows[i].DaysOverdue)
	}
	if r.Rows == nil {
		r.Rows = []ReceivableRow{}
	}
	return r, nil
}

// receivableTotals sums the open amount per ageing bucket over the
// selection (where/args without bucket or cursor).
func (s *Service) receivableTotals(ctx context.Context, r *Receivables, today calendar.Date, where []string, args []any, joined bool) error {
	d30, d90 := today.AddDays(-30).String(), today.AddDays(-90).String()
	from := "FROM installments i"
	if joined {
		from += " JOIN contracts k ON k.id = i.contract_id JOIN customers cu ON cu.id = k.customer_id"
	}
	var tot struct {
		NotDue int64 `bun:"not_due"`
		B30    int64 `bun:"b30"`
		B90    int64 `bun:"b90"`
		Older  int64 `bun:"older"`
	}
	err := s.db.R().NewRaw(`SELECT
		COALESCE(SUM(CASE WHEN i.due_on >= ? THEN i.amount_fen - i.paid_fen ELSE 0 END), 0) AS not_due,
		COALESCE(SUM(CASE WHEN i.due_on < ? AND i.due_on >= ? THEN i.amount_fen - i.paid_fen ELSE 0 END), 0) AS b30,
		COALESCE(SUM(CASE WHEN i.due_on < ? AND i.due_on >= ? THEN i.amount_fen - i.paid_fen ELSE 0 END), 0) AS b90,
		COALESCE(SUM(CASE WHEN i.due_on < ? THEN i.amount_fen - i.paid_fen ELSE 0 END), 0) AS older
		`+from+` WHERE `+strings.Join(where, " AND "),
		append([]any{today.String(), today.String(), d30, d30, d90, d90}, args...)...).Scan(ctx, &tot)
	if err != nil {
		return err
	}
	r.Totals = map[string]int64{"not_due": tot.NotDue, "1_30": tot.B30, "31_90": tot.B90, "90_plus": tot.Older}
	r.Total = tot.NotDue + tot.B30 + tot.B90 + tot.Older
	return nil
}
