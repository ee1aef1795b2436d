package customers

import (
	"context"
	"encoding/base64"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// ListFilter selects customers. Zero fields match everything.
type ListFilter struct {
	Query    string // name, code, address, or a contact's name or phone contains
	RegionID string
	Class    string
	OwnerID  string
	Status   string
	Orphan   bool // only orphan customers (sales owner left)
	After    string
	Limit    int
}

// Page is one page of a keyset-paginated list. Next is empty on the last page.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// cursor encodes the (name, id) of the last row of a page.
func encodeCursor(name, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(name + "\x00" + id))
}

func decodeCursor(s string) (name, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", apperr.Invalid("after", "分页游标无效")
	}
	name, id, ok := strings.Cut(string(b), "\x00")
	if !ok {
		return "", "", apperr.Invalid("after", "分页游标无效")
	}
	return name, id, nil
}

// ListCustomers returns customers ordered by name with keyset paging: the
// cost of a page does not grow with the table, and no total is counted.
func (s *Service) ListCustomers(ctx context.Context, f ListFilter) (Page[CustomerView], error) {
	p := access.Caller(ctx)
	if !p.Can(access.CustomerRead) {
		return Page[CustomerView]{}, apperr.Forbidden("无权查看客户")
	}
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if !s.specialistReadAll && p.OnlySpecialist() {
		add("c.owner_id = ?", p.StaffID)
	}
	if f.RegionID != "" {
		add("c.region_id = ?", f.RegionID)
	}
	if f.Class != "" {
		add("c.class = ?", f.Class)
	}
	if f.OwnerID != "" {
		add("c.owner_id = ?", f.OwnerID)
	}
	if f.Status != "" {
		add("c.status = ?", f.Status)
	}
	if f.Orphan {
		add("so.active = FALSE")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pat := store.ContainsPattern(strings.ToLower(q))
		add(`(LOWER(c.name) LIKE ? ESCAPE '\' OR LOWER(c.code) LIKE ? ESCAPE '\' OR LOWER(c.address) LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.customer_id = c.id
				AND (LOWER(ct.name) LIKE ? ESCAPE '\' OR ct.phone LIKE ? ESCAPE '\' OR ct.phone2 LIKE ? ESCAPE '\')))`,
			pat, pat, pat, pat, pat, pat)
	}
	if f.After != "" {
		name, id, err := decodeCursor(f.After)
		if err != nil {
			return Page[CustomerView]{}, err
		}
		// A row-value comparison, not "name > ? OR (name = ? AND id > ?)":
		// both databases turn it into a range on the (…, name, id) indexes
		// (customers_name, customers_region, customers_owner,
		// customers_class), where PostgreSQL cannot use the OR as an index
		// bound and walks the index from the start. It compares with the
		// columns' own collation, as the ORDER BY does.
		add("(c.name, c.id) > (?, ?)", name, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	sql := "SELECT " + viewColumns + " " + viewJoins
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY c.name, c.id LIMIT ?"
	args = append(args, limit+1)
	var items []CustomerView
	if err := s.db.R().NewRaw(sql, args...).Scan(ctx, &items); err != nil {
		return Page[CustomerView]{}, err
	}
	page := Page[CustomerView]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.Next = encodeCursor(last.Name, last.ID)
	}
	return page, nil
}
