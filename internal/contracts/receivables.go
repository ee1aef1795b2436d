package contracts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

// Ageing buckets of open installments (账龄) by days overdue: not due
// (due today or later), 1–30, 31–90 and more than 90 days.
var Buckets = []string{"not_due", "1_30", "31_90", "90_plus"}

// overdueFrom is the least number of days overdue of each bucket after
// not_due; a bucket ends the day before the next one starts. It is the
// only statement of the boundaries: a row's bucket, the bucket filter and
// the totals all derive their due-date ranges from it (ageingRanges).
var overdueFrom = []int{1, 31, 91}

// dueRange is the due dates of one bucket as of a day: due_on between lo
// and hi, both inclusive, "" for an open end (ISO dates compare as text).
type dueRange struct{ lo, hi string }

// ageingRanges is each bucket's due-date range as of today, in Buckets
// order. An installment due on d is days overdue today−d, so bucket k
// (days overdue from overdueFrom[k-1] up to overdueFrom[k]−1) holds the
// due dates today−(overdueFrom[k]−1) … today−overdueFrom[k-1].
func ageingRanges(today calendar.Date) []dueRange {
	out := make([]dueRange, len(Buckets))
	for k := range Buckets {
		if k > 0 {
			out[k].hi = today.AddDays(-overdueFrom[k-1]).String()
		}
		if k < len(overdueFrom) {
			out[k].lo = today.AddDays(-(overdueFrom[k] - 1)).String()
		}
	}
	return out
}

// holds says whether an installment due on due (ISO) is in the range.
func (r dueRange) holds(due string) bool {
	return (r.lo == "" || due >= r.lo) && (r.hi == "" || due <= r.hi)
}

// where is the range as SQL conditions on i.due_on and their arguments.
func (r dueRange) where() ([]string, []any) {
	var conds []string
	var args []any
	if r.lo != "" {
		conds, args = append(conds, "i.due_on >= ?"), append(args, r.lo)
	}
	if r.hi != "" {
		conds, args = append(conds, "i.due_on <= ?"), append(args, r.hi)
	}
	return conds, args
}

// bucketOfDue is the bucket of an open installment due on due (ISO).
func bucketOfDue(ranges []dueRange, due string) string {
	for k, r := range ranges {
		if r.holds(due) {
			return Buckets[k]
		}
	}
	return "" // unreachable: the ranges cover every date
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

// Receivables returns the open installments the caller may read, oldest
// due first, with totals per ageing bucket.
func (s *Service) Receivables(ctx context.Context, f ReceivableFilter) (*Receivables, error) {
	p := access.Caller(ctx)
	scope, ok := s.readScope(p)
	if !ok {
		return nil, apperr.Forbidden("无权查看应收款")
	}
	today := s.today()
	ranges := ageingRanges(today)
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
		if err := s.receivableTotals(ctx, r, ranges, twhere, targs, joined); err != nil {
			return nil, err
		}
	}
	if f.Bucket != "" {
		k := slices.Index(Buckets, f.Bucket)
		if k < 0 {
			return nil, apperr.Invalid("bucket", "账龄区间无效")
		}
		conds, a := ranges[k].where()
		where, args = append(where, conds...), append(args, a...)
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
		r.Rows[i].Bucket = bucketOfDue(ranges, r.Rows[i].DueOn)
	}
	if r.Rows == nil {
		r.Rows = []ReceivableRow{}
	}
	return r, nil
}

// receivableTotals sums the open amount per ageing bucket over the
// selection (where/args without bucket or cursor).
func (s *Service) receivableTotals(ctx context.Context, r *Receivables, ranges []dueRange, where []string, args []any, joined bool) error {
	from := "FROM installments i"
	if joined {
		from += " JOIN contracts k ON k.id = i.contract_id JOIN customers cu ON cu.id = k.customer_id"
	}
	sums := make([]string, len(Buckets))
	var sargs []any
	for k, rg := range ranges {
		conds, a := rg.where()
		sums[k] = fmt.Sprintf("COALESCE(SUM(CASE WHEN %s THEN i.amount_fen - i.paid_fen ELSE 0 END), 0) AS b%d", strings.Join(conds, " AND "), k)
		sargs = append(sargs, a...)
	}
	tot := make([]int64, len(Buckets))
	dest := make([]any, len(tot))
	for k := range tot {
		dest[k] = &tot[k]
	}
	err := s.db.R().NewRaw("SELECT "+strings.Join(sums, ", ")+" "+from+" WHERE "+strings.Join(where, " AND "),
		append(sargs, args...)...).Scan(ctx, dest...)
	if err != nil {
		return err
	}
	r.Totals = map[string]int64{}
	for k, v := range tot {
		r.Totals[Buckets[k]] = v
		r.Total += v
	}
	return nil
}
