package customers

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/calendar"
	"kefu/internal/rates"
)

// OwnerSpans returns who owned each of the customers from which day (分管
// 客服 history): the owner after every change of the customer record, on
// the day it was recorded; a customer without history is owned by its
// current owner. Computations use it to hold the owner at the time
// accountable (renewals, collection, response clocks); it reads no
// customer data beyond that, so it does not check the caller.
func (s *Service) OwnerSpans(ctx context.Context, customerIDs []string) ([]rates.OwnerSpan, error) {
	ids := slices.Clone(customerIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var spans []rates.OwnerSpan
	for len(ids) > 0 {
		n := min(len(ids), 500)
		part := ids[:n]
		ids = ids[n:]
		var rows []struct {
			CustomerID string  `bun:"customer_id"`
			OwnerID    *string `bun:"owner_id"`
			On         string  `bun:"recorded_on"`
		}
		if err := s.db.R().NewRaw(`SELECT customer_id, owner_id, recorded_on FROM archive_changes
			WHERE entity = 'customer' AND customer_id IN (?) ORDER BY customer_id, recorded_at, id`, bun.In(part)).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
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
		if err := s.db.R().NewRaw("SELECT id, owner_id FROM customers WHERE id IN (?)", bun.In(part)).Scan(ctx, &cur); err != nil {
			return nil, err
		}
		for _, c := range cur {
			if !seen[c.ID] {
				spans = append(spans, rates.OwnerSpan{CustomerID: c.ID, OwnerID: deref(c.OwnerID)})
			}
		}
	}
	return spans, nil
}

// OwnerChanges is OwnerSpans to the instant: the owner after every change
// of the customer record from the moment it was recorded (recorded_at; a
// manager's backfill gives its own time), in the order recorded; a
// customer without history is owned by its current owner from always
// (zero At). The response clocks use it, so that a handover at 14:00
// leaves the morning's clocks with the owner of the morning.
func (s *Service) OwnerChanges(ctx context.Context, customerIDs []string) ([]rates.OwnerChange, error) {
	ids := slices.Clone(customerIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []rates.OwnerChange
	for len(ids) > 0 {
		n := min(len(ids), 500)
		part := ids[:n]
		ids = ids[n:]
		var rows []struct {
			CustomerID string    `bun:"customer_id"`
			OwnerID    *string   `bun:"owner_id"`
			At         time.Time `bun:"recorded_at"`
		}
		if err := s.db.R().NewRaw(`SELECT customer_id, owner_id, recorded_at FROM archive_changes
			WHERE entity = 'customer' AND customer_id IN (?) ORDER BY customer_id, recorded_at, id`, bun.In(part)).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, r := range rows {
			out = append(out, rates.OwnerChange{CustomerID: r.CustomerID, OwnerID: deref(r.OwnerID), At: r.At})
			seen[r.CustomerID] = true
		}
		var cur []struct {
			ID      string  `bun:"id"`
			OwnerID *string `bun:"owner_id"`
		}
		if err := s.db.R().NewRaw("SELECT id, owner_id FROM customers WHERE id IN (?)", bun.In(part)).Scan(ctx, &cur); err != nil {
			return nil, err
		}
		for _, c := range cur {
			if !seen[c.ID] {
				out = append(out, rates.OwnerChange{CustomerID: c.ID, OwnerID: deref(c.OwnerID)})
			}
		}
	}
	return out, nil
}
