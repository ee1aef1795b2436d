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
// The three (clocks, deadlines, registration) share no rows but the
// events table: their reads run at once on the reader pool while one of
// them writes, and only their writes wait for each other (SQLite has one
// writer). The registration events are derived beside the deadlines, not
// after them: the clocks' transaction holds the writer for most of the
// month's derivation, and what is read after it ends is time on one
// core. Each part commits on its own; an error of any is returned, with
// what the others did.
func Derive(ctx context.Context, c Clocks, t Tickets, from, to time.Time) (Counts, error) {
	var n Counts
	if !access.Caller(ctx).Can(access.DeskManage) {
		return n, apperr.Forbidden("只有客服经理可以重新计算")
	}
	if !from.Before(to) {
		return n, apperr.Invalid("to", "结束时间须晚于开始时间 (to must be after from)")
	}
	var errClocks, errTickets, errRegistration error
	var wg sync.WaitGroup
	wg.Go(func() { n.Clocks, errClocks = c.Recompute(ctx, from, to) })
	wg.Go(func() { n.Tickets, errTickets = t.DeriveBreachesFull(ctx) })
	wg.Go(func() { n.Registration, errRegistration = t.DeriveRegistrationEvents(ctx) })
	wg.Wait()
	return n, errors.Join(errClocks, errTickets, errRegistration)
}
