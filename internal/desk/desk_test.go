package desk_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/desk"
	"kefu/internal/tickets"
)

// side is the meeting point of the two fakes: the clocks wait (a while)
// for the tickets to be derived, which only happens at once if Derive
// runs them side by side.
type side struct {
	clocksStarted, ticketsDone chan struct{}
	overlap                    atomic.Bool
}

func newSide() *side {
	return &side{clocksStarted: make(chan struct{}), ticketsDone: make(chan struct{})}
}

type clocks struct {
	s    *side
	err  error
	from time.Time
}

func (c *clocks) Recompute(ctx context.Context, from, to time.Time, conversations ...string) (comms.RecomputeCounts, error) {
	c.from = from
	close(c.s.clocksStarted)
	select {
	case <-c.s.ticketsDone:
		c.s.overlap.Store(true)
	case <-time.After(5 * time.Second):
	}
	return comms.RecomputeCounts{Clocks: 3, Breaches: 1}, c.err
}

type ticketsFake struct {
	s      *side
	err    error
	regErr error
	reg    bool
	// regBeside: the registration events were derived while the clocks
	// were being derived.
	regBeside bool
}

func (t *ticketsFake) DeriveBreachesFull(ctx context.Context) (tickets.BreachCounts, error) {
	select {
	case <-t.s.clocksStarted:
	case <-time.After(5 * time.Second):
	}
	close(t.s.ticketsDone)
	return tickets.BreachCounts{Solution: 2, Full: true}, t.err
}

func (t *ticketsFake) DeriveRegistrationEvents(ctx context.Context) (tickets.RegistrationCounts, error) {
	select {
	case <-t.s.clocksStarted:
		t.regBeside = true
	case <-time.After(5 * time.Second):
	}
	t.reg = true
	return tickets.RegistrationCounts{Incomplete: 4}, t.regErr
}

// Derive runs the clocks, the ticket deadlines and the registration
// events side by side for managers, and says what each found; an error
// of one comes back with the others' counts.
func TestDerive(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	mgr := access.With(context.Background(), &access.Principal{StaffID: "m", Roles: []access.Role{access.CSManager}})
	spec := access.With(context.Background(), &access.Principal{StaffID: "s", Roles: []access.Role{access.CSSpecialist}})

	sd := newSide()
	c, tk := &clocks{s: sd}, &ticketsFake{s: sd}
	n, err := desk.Derive(mgr, c, tk, from, to)
	if err != nil || n.Clocks.Clocks != 3 || n.Tickets.Solution != 2 || !n.Tickets.Full || n.Registration.Incomplete != 4 || !c.from.Equal(from) {
		t.Fatalf("Derive = %+v, %v", n, err)
	}
	if !sd.overlap.Load() || !tk.regBeside {
		t.Errorf("derived while the clocks were: deadlines %v, registration %v", sd.overlap.Load(), tk.regBeside)
	}
	again := func() {
		sd = newSide()
		c.s, tk.s = sd, sd
	}
	again()

	if _, err := desk.Derive(spec, c, tk, from, to); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("a specialist: %v, want forbidden", err)
	}
	if _, err := desk.Derive(mgr, c, tk, to, from); apperr.KindOf(err) != apperr.KindInvalid {
		t.Errorf("to before from: %v, want invalid", err)
	}

	boom := errors.New("disk full")
	again()
	c.err, tk.reg = boom, false
	n, err = desk.Derive(mgr, c, tk, from, to)
	if !errors.Is(err, boom) || n.Tickets.Solution != 2 || !tk.reg {
		t.Errorf("clocks failing: %+v, %v (the tickets still derived: %v)", n, err, tk.reg)
	}
	again()
	c.err, tk.err, tk.reg = nil, boom, false
	if n, err = desk.Derive(mgr, c, tk, from, to); !errors.Is(err, boom) || n.Clocks.Clocks != 3 || !tk.reg || n.Registration.Incomplete != 4 {
		t.Errorf("deadlines failing: %+v, %v (registration derived beside: %v)", n, err, tk.reg)
	}
	again()
	regBoom := errors.New("registration: disk full")
	tk.err, tk.regErr = nil, regBoom
	if n, err = desk.Derive(mgr, c, tk, from, to); !errors.Is(err, regBoom) || n.Clocks.Clocks != 3 || n.Tickets.Solution != 2 {
		t.Errorf("registration failing: %+v, %v", n, err)
	}
}
