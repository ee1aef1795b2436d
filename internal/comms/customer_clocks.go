package comms

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/sla"
	"kefu/internal/store"
)

// RecomputeCustomer re-derives, as of now, the response clocks that a
// record of customerID dated at can change, for records written outside
// this service (the contracts domain's renewal, dunning and quote
// follow-up contacts) or without a conversation: the clocks started in
// [at − 24h, now] — or since the customer's oldest clock still open,
// within a month — in the conversations the customer has records in over
// that span. A call back recorded with the customer but no number is
// such a record: it stops the customer's missed-call clocks, including
// those opened by a call with a number (sla stops by number or by
// customer).
//
// When the customer has records without a conversation in the span, ""
// is one of the conversations: Recompute then also reads every other
// customer's records without a conversation in the span (and theirs),
// which costs a wider read but derives the same clocks, and lets a clock
// keyed on no conversation that the records no longer produce be deleted.
//
// It changes derived data only (clocks and computed events) and checks
// no permission: callers are services that have checked theirs.
func (s *Service) RecomputeCustomer(ctx context.Context, customerID string, at time.Time) (RecomputeCounts, error) {
	customerID = strings.TrimSpace(customerID)
	if customerID == "" {
		return RecomputeCounts{}, apperr.Invalid("customer_id", "客户不能为空")
	}
	if at.IsZero() {
		return RecomputeCounts{}, apperr.Invalid("at", "沟通时间不能为空")
	}
	from, to, convs, err := s.customerWindow(ctx, s.db.R(), customerID, at)
	if err != nil || len(convs) == 0 {
		return RecomputeCounts{}, err
	}
	return s.Recompute(ctx, from, to, convs...)
}

// recomputeCustomerTx is RecomputeCustomer inside tx, reading what tx
// has written (a record just matched to the customer).
func (s *Service) recomputeCustomerTx(ctx context.Context, tx bun.IDB, customerID string, at time.Time) (RecomputeCounts, error) {
	from, to, convs, err := s.customerWindow(ctx, tx, customerID, at)
	if err != nil || len(convs) == 0 {
		return RecomputeCounts{}, err
	}
	inTx := func(ctx context.Context, fn func(context.Context, bun.IDB) error) error { return fn(ctx, tx) }
	return s.recompute(ctx, tx, inTx, false, from, to, convs...)
}

// customerWindow is what a re-derivation for a record of customerID dated
// at covers: the window and the conversations the customer has records
// in over it (none: nothing of theirs opens or stops a clock).
func (s *Service) customerWindow(ctx context.Context, db bun.IDB, customerID string, at time.Time) (from, to time.Time, convs []string, err error) {
	now := store.Time(s.now())
	from, to = store.Time(at).Add(-lookback), now.Add(time.Second)
	if !from.Before(to) {
		return from, to, nil, nil
	}
	// The channels whose records open or stop a clock (an answered
	// inbound call, a visit, an e-mail or an SMS does neither).
	channels := []string{sla.ChannelWeChatGroup, sla.ChannelWeChatPrivate, sla.ChannelChat, sla.ChannelPhoneOut, sla.ChannelPhoneMissed}
	if err := db.NewRaw(`SELECT DISTINCT conversation FROM communications
		WHERE customer_id = ? AND occurred_at >= ? AND occurred_at < ? AND channel IN (?) ORDER BY conversation`,
		customerID, from, to, bun.In(channels)).Scan(ctx, &convs); err != nil {
		return from, to, nil, err
	}
	if len(convs) == 0 {
		// Nothing of the customer's can open or stop a clock (and no
		// conversations would mean the whole window to Recompute).
		return from, to, nil, nil
	}
	// Reaching back to the customer's clocks still open (a call back two
	// days after a missed call stops it).
	from, err = openSince(ctx, db, []string{customerID}, convs, from)
	return from, to, convs, err
}
