// Package desk derives again what the service desk (客服受理) derives from
// its records for a month: the response clocks of the communication
// records and their breach and near-breach events, and the tickets'
// deadline and registration events. A manager runs it after changing
// the response targets or the tickets policy, or after importing a
// month's history; the app keeps them current on its own (each ingest,
// the sweeper, the 10-minute run).
package desk

import (
	"context"
	"errors"
	"sync"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/tickets"
)

// Clocks derives the response clocks started in a window (comms.Service).
type Clocks interface {
	Recompute(ctx context.Context, from, to time.Time, conversations ...string) (comms.RecomputeCounts, error)
}

// Tickets derives the tickets' events (tickets.Service).
type Tickets interface {
	DeriveBreachesFull(ctx context.Context) (tickets.BreachCounts, error)
	DeriveRegistrationEvents(ctx context.Context) (tickets.RegistrationCounts, error)
}

// Counts says what a derivation found and changed.
type Counts struct {
	Clocks       comms.RecomputeCounts      `json:"clocks"`
	Tickets      tickets.BreachCounts       `json:"tickets"`
	Registration tickets.RegistrationCounts `json:"registration"`
}

// Derive derives the response clocks started in [from, to) with their
// events and, alongside them, the tickets' deadline and registration
// events (over the whole history, DeriveBreachesFull: the ticket rules
// are not windowed).
// The two share no rows but the events table: their reads run at once
// on the reader pool while one of them writes, and only their writes
// wait for each other (SQLite has one writer). Each part commits on its
// own; an error of either is returned, with what the other did.
func Derive(ctx context.Context, c Clocks, t Tickets, from, to time.Time) (Counts, error) {
	var n Counts
	if !access.Caller(ctx).Can(access.DeskManage) {
		return n, apperr.Forbidden("只有客服经理可以重新计算")
	}
	if !from.Before(to) {
		return n, apperr.Invalid("to", "结束时间须晚于开始时间 (to must be after from)")
	}
	var errClocks, errTickets error
	var wg sync.WaitGroup
	wg.Go(func() { n.Clocks, errClocks = c.Recompute(ctx, from, to) })
	wg.Go(func() {
		if n.Tickets, errTickets = t.DeriveBreachesFull(ctx); errTickets != nil {
			return
		}
		n.Registration, errTickets = t.DeriveRegistrationEvents(ctx)
	})
	wg.Wait()
	return n, errors.Join(errClocks, errTickets)
}
