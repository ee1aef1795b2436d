package comms

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/rates"
	"kefu/internal/store"
)

// NoContact is an active customer with no communication record involving
// our staff in a month (当月客户无沟通记录, SPEC §5.1).
type NoContact struct {
	CustomerID    string     `bun:"id" json:"customer_id"`
	Code          string     `bun:"code" json:"code"`
	Name          string     `bun:"name" json:"name"`
	Class         string     `bun:"class" json:"class"`
	OwnerID       *string    `bun:"owner_id" json:"owner_id"`
	OwnerName     string     `bun:"owner_name" json:"owner_name"`
	LastContactAt *time.Time `bun:"last_contact_at" json:"last_contact_at"`
}

// NoContactMonth lists, for month m, the active customers with no record
// in which a staff member took part (one we sent, or one a staff member
// is named on), by owning specialist. For the current month it is live:
// the list shrinks as contacts are made. A specialist sees their own
// customers.
func (s *Service) NoContactMonth(ctx context.Context, m rates.Month, ownerID string) ([]NoContact, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看沟通记录")
	}
	// A specialist's list is their own customers, whatever the read-all
	// setting: it is their to-do list.
	scope := ""
	if p.OnlySpecialist() {
		scope = p.StaffID
	}
	if !m.IsValid() {
		return nil, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	if scope != "" {
		ownerID = scope
	}
	return s.noContact(ctx, s.db.R(), m, ownerID, false)
}

// noContact is the rule of 当月客户无沟通记录, shared by the report and
// the no_contact_month events: the active customers with no record in
// month m in which a staff member took part — one with a staff member
// named on it, or one we sent (direction out) — of ownerID ("" all, by
// the current owner). wholeMonth keeps only customers that were ours for
// the whole month (on the platform before it began, and with no 建档日期
// or one before it): a customer taken on or entered mid-month is not
// late in that month, and months before a customer was entered (migrated
// customers) are not charged. Each
// carries its last such contact up to now (LastContactAt).
func (s *Service) noContact(ctx context.Context, db bun.IDB, m rates.Month, ownerID string, wholeMonth bool) ([]NoContact, error) {
	from := store.Time(m.First().In(s.loc))
	to := store.Time(m.Next().First().In(s.loc))
	q := `SELECT c.id, c.code, c.name, c.class, c.owner_id, COALESCE(o.name, '') AS owner_name,
		(SELECT MAX(x.occurred_at) FROM communications x WHERE x.customer_id = c.id AND (x.staff_id IS NOT NULL OR x.direction = 'out')) AS last_contact_at
		FROM customers c LEFT JOIN staff o ON o.id = c.owner_id
		WHERE c.status = 'active' AND NOT EXISTS (SELECT 1 FROM communications m WHERE m.customer_id = c.id
			AND m.occurred_at >= ? AND m.occurred_at < ? AND (m.staff_id IS NOT NULL OR m.direction = 'out'))`
	args := []any{from, to}
	if wholeMonth {
		q += " AND c.created_at < ? AND (c.since IS NULL OR c.since < ?)"
		args = append(args, from, m.First().String())
	}
	if ownerID != "" {
		q += " AND c.owner_id = ?"
		args = append(args, ownerID)
	}
	out := []NoContact{}
	err := db.NewRaw(q+" ORDER BY o.name, c.name, c.id", args...).Scan(ctx, &out)
	return out, err
}
