package comms

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/events"
	"kefu/internal/rates"
	"kefu/internal/store"
)

// EventNoContactMonth (当月客户无沟通记录, seed 000 客户服务效率与质量: −5
// per customer): an active customer with no communication from our side
// in a whole calendar month; one per customer and month, against the
// customer's owning specialist at the end of that month.
const EventNoContactMonth = "no_contact_month"

// Window of months DeriveNoContactEvents derives: the closed months
// before the current one.
const (
	DefaultNoContactMonths = 3
	MaxNoContactMonths     = 24
)

// NoContactCounts says what a derivation recorded.
type NoContactCounts struct {
	From      string `json:"from"` // first month derived, YYYY-MM
	To        string `json:"to"`   // last month derived (the month before the current one)
	Events    int    `json:"events"`
	Withdrawn int    `json:"withdrawn"`
}

// DeriveNoContactEvents derives no_contact_month for the last
// DefaultNoContactMonths closed months (see DeriveNoContactMonths). The
// app runs it every few minutes.
func (s *Service) DeriveNoContactEvents(ctx context.Context) (NoContactCounts, error) {
	return s.DeriveNoContactMonths(ctx, DefaultNoContactMonths)
}

// DeriveNoContactMonths records the no_contact_month events of the last
// months closed calendar months (1 to MaxNoContactMonths; the current
// month gives none until it has ended) from the records as of now, by
// the same rule as the 月度未联系客户 report (NoContactMonth), limited to
// customers that were ours for the whole month. Each event is against the
// customer's owner at the end of the month (分管客服 history), keyed by
// customer and month, with the customer and the last contact before the
// month ended (if any) as evidence. An event of a month in the window the
// rule no longer finds (a contact recorded later with its real, earlier
// time; the customer lost) is withdrawn with a reason; months outside the
// window are left as they stand. Managers or the system only.
func (s *Service) DeriveNoContactMonths(ctx context.Context, months int) (NoContactCounts, error) {
	var n NoContactCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	if months < 1 || months > MaxNoContactMonths {
		return n, apperr.Invalid("months", fmt.Sprintf("月数须为 1 到 %d (1 to %d months)", MaxNoContactMonths, MaxNoContactMonths))
	}
	now := store.Time(s.now())
	cur := rates.MonthOf(calendar.DateOf(now, s.loc))
	first := cur
	for range months {
		first = first.Prev()
	}
	n.From, n.To = first.String(), cur.Prev().String()
	db := s.db.R()
	type found struct {
		m rates.Month
		c NoContact
	}
	var all []found
	customers := map[string]bool{}
	for m := first; m.Compare(cur) < 0; m = m.Next() {
		list, err := s.noContact(ctx, db, m, "", true)
		if err != nil {
			return n, err
		}
		for _, c := range list {
			all = append(all, found{m, c})
			customers[c.CustomerID] = true
		}
	}
	ids := make([]string, 0, len(customers))
	for id := range customers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var owners *rates.Owners
	if s.owners != nil && len(ids) > 0 {
		spans, err := s.owners.OwnerSpans(ctx, ids)
		if err != nil {
			return n, err
		}
		o := rates.NewOwners(spans)
		owners = &o
	}
	last := map[string]map[string]lastContact{} // month → customer → last contact before its end
	for m := first; m.Compare(cur) < 0; m = m.Next() {
		var mine []string
		for _, f := range all {
			if f.m == m {
				mine = append(mine, f.c.CustomerID)
			}
		}
		lc, err := s.lastContactsBefore(ctx, db, mine, store.Time(m.Next().First().In(s.loc)))
		if err != nil {
			return n, err
		}
		last[m.String()] = lc
	}
	evs := make([]events.Computed, 0, len(all))
	for _, f := range all {
		end := store.Time(f.m.Next().First().In(s.loc)).Add(-time.Second)
		var staff *string
		if owners != nil {
			if o := owners.At(f.c.CustomerID, f.m.Last()); o != "" {
				staff = &o
			}
		} else {
			staff = f.c.OwnerID
		}
		customer := f.c.CustomerID
		refs := []events.Ref{{Kind: "customer", ID: customer, Role: "customer"}}
		since := "此前无我方沟通记录"
		if lc, ok := last[f.m.String()][customer]; ok {
			refs = append(refs, events.Ref{Kind: "communication", ID: lc.ID, Role: "last_contact"})
			since = "上次联系 " + lc.At.In(s.loc).Format("2006-01-02 15:04")
		}
		evs = append(evs, events.Computed{Key: EventNoContactMonth + "|" + customer + "|" + f.m.String(), Type: EventNoContactMonth,
			Rule: EventNoContactMonth, StaffID: staff, CustomerID: &customer, OccurredAt: end, Quantity: 1,
			Detail:   fmt.Sprintf("客户 %s（%s）%s 全月无我方沟通记录（%s）", f.c.Name, f.c.Code, f.m.String(), since),
			Evidence: refs})
	}
	n.Events = len(evs)
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		keep := make(map[string]bool, len(evs))
		for _, e := range evs {
			keep[e.Key] = true
		}
		if err := events.Put(ctx, tx, evs, now); err != nil {
			return err
		}
		var err error
		n.Withdrawn, err = events.WithdrawStaleBetween(ctx, tx, []string{EventNoContactMonth},
			store.Time(first.First().In(s.loc)), store.Time(cur.First().In(s.loc)), keep, now,
			"重新计算后该月已有我方沟通记录（补录），或客户不再计入（已流失、建档日期更正）")
		return err
	})
	return n, err
}

type lastContact struct {
	ID string
	At time.Time
}

// lastContactsBefore returns each customer's last record before t in
// which a staff member took part (the rule of noContact).
func (s *Service) lastContactsBefore(ctx context.Context, db bun.IDB, customerIDs []string, t time.Time) (map[string]lastContact, error) {
	out := map[string]lastContact{}
	for len(customerIDs) > 0 {
		part := customerIDs[:min(len(customerIDs), 500)]
		customerIDs = customerIDs[len(part):]
		var rows []struct {
			CustomerID string    `bun:"customer_id"`
			ID         string    `bun:"id"`
			At         time.Time `bun:"occurred_at"`
		}
		if err := db.NewRaw(`SELECT x.customer_id, x.id, x.occurred_at FROM communications x
			WHERE x.customer_id IN (?) AND (x.staff_id IS NOT NULL OR x.direction = 'out')
				AND x.occurred_at = (SELECT MAX(y.occurred_at) FROM communications y WHERE y.customer_id = x.customer_id
					AND y.occurred_at < ? AND (y.staff_id IS NOT NULL OR y.direction = 'out'))
			ORDER BY x.customer_id, x.id`, bun.In(part), t).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if _, ok := out[r.CustomerID]; !ok {
				out[r.CustomerID] = lastContact{ID: r.ID, At: r.At}
			}
		}
	}
	return out, nil
}
