package customers

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/calendar"
	"kefu/internal/rates"
)

// ownerChange is one recorded change of a customer's owner.
type ownerChange struct {
	CustomerID string    `bun:"customer_id"`
	OwnerID    *string   `bun:"owner_id"`
	On         string    `bun:"recorded_on"`
	At         time.Time `bun:"recorded_at"`
}

// ownerHistory reads the owner after every change of the customers'
// records, in the order recorded, and calls change for each; a customer
// without history calls always with its current owner. It reads 500
// customers a query.
func (s *Service) ownerHistory(ctx context.Context, customerIDs []string, change func(ownerChange) error, always func(customerID, ownerID string)) error {
	ids := slices.Clone(customerIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		part := ids[:n]
		ids = ids[n:]
		var rows []ownerChange
		if err := s.db.R().NewRaw(`SELECT customer_id, owner_id, recorded_on, recorded_at FROM archive_changes
			WHERE entity = 'customer' AND customer_id IN (?) ORDER BY customer_id, recorded_at, id`, bun.In(part)).Scan(ctx, &rows); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if err := change(r); err != nil {
				continue // a change with an unreadable day is skipped, as if not recorded
			}
			seen[r.CustomerID] = true
		}
		var cur []struct {
			ID      string  `bun:"id"`
			OwnerID *string `bun:"owner_id"`
		}
		if err := s.db.R().NewRaw("SELECT id, owner_id FROM customers WHERE id IN (?)", bun.In(part)).Scan(ctx, &cur); err != nil {
			return err
		}
		for _, c := range cur {
			if !seen[c.ID] {
				always(c.ID, deref(c.OwnerID))
			}
		}
	}
	return nil
}

// OwnerSpans returns who owned each of the customers from which day (分管
// 客服 history): the owner after every change of the customer record, on
// the day it was recorded; a customer without history is owned by its
// current owner. Computations use it to hold the owner at the time
// accountable (renewals, collection, response clocks); it reads no
// customer data beyond that, so it does not check the caller.
func (s *Service) OwnerSpans(ctx context.Context, customerIDs []string) ([]rates.OwnerSpan, error) {
	var spans []rates.OwnerSpan
	err := s.ownerHistory(ctx, customerIDs, func(r ownerChange) error {
		d, err := calendar.ParseDate(r.On)
		if err != nil {
			return err
		}
		spans = append(spans, rates.OwnerSpan{CustomerID: r.CustomerID, OwnerID: deref(r.OwnerID), From: d})
		return nil
	}, func(customerID, ownerID string) {
		spans = append(spans, rates.OwnerSpan{CustomerID: customerID, OwnerID: ownerID})
	})
	return spans, err
}

// OwnerChanges is OwnerSpans to the instant: the owner after every change
// of the customer record from the moment it was recorded (recorded_at; a
// manager's backfill gives its own time), in the order recorded; a
// customer without history is owned by its current owner from always
// (zero At). The response clocks use it, so that a handover at 14:00
// leaves the morning's clocks with the owner of the morning.
func (s *Service) OwnerChanges(ctx context.Context, customerIDs []string) ([]rates.OwnerChange, error) {
	var out []rates.OwnerChange
	err := s.ownerHistory(ctx, customerIDs, func(r ownerChange) error {
		out = append(out, rates.OwnerChange{CustomerID: r.CustomerID, OwnerID: deref(r.OwnerID), At: r.At})
		return nil
	}, func(customerID, ownerID string) {
		out = append(out, rates.OwnerChange{CustomerID: customerID, OwnerID: ownerID})
	})
	return out, err
}
