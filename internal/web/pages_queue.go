package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/org"
	"kefu/internal/tickets"
)

// 待响应: the specialist's live queue — unanswered WeChat conversations
// and missed calls waiting for a call back, each with a countdown to the
// second (kefu.js runs it from data-deadline; the rows come again from
// the server every 5 s by htmx polling) — and below it the open tickets
// by promised deadline and the callbacks due. A manager sees the team,
// or one person.

// queueSoon is how close a ticket's promised deadline or a callback's due
// time must be to show as near (amber) on the queue page.
const queueSoon = 24 * time.Hour

type queuePage struct {
	Page
	// Team: the viewer sees the whole team and may narrow it to Staff.
	Team      bool
	Staff     string
	People    []org.Staff
	Items     []comms.QueueItem
	Tickets   []tickets.View
	Callbacks []tickets.CallbackView
	// At is when the queue was read (the rows' data-now, so that a
	// browser whose clock is off still counts down from the server's).
	At time.Time
}

// queueStaff is whose queue the viewer sees: a specialist their own, a
// manager (or another reader of the whole desk) everyone's or the one
// person chosen.
func queueStaff(p *access.Principal, chosen string) (staff string, team bool) {
	if p.Has(access.CSSpecialist) && !p.IsManagerial() {
		return p.StaffID, false
	}
	return chosen, true
}

// ClockState is a queue item's state as the row shows it: running, near
// (past the near-breach warning) or breached (past the deadline).
func (p *queuePage) ClockState(it comms.QueueItem) string {
	switch {
	case it.State == "breached" || it.SecondsLeft < 0:
		return "breached"
	case it.Near:
		return "near"
	}
	return "running"
}

// Countdown is the countdown as of the time the queue was read; kefu.js
// takes over from there (the same words and format).
func (p *queuePage) Countdown(it comms.QueueItem) string {
	if it.SecondsLeft < 0 {
		return p.T("queue.overdue") + " " + clock(-it.SecondsLeft)
	}
	return p.T("queue.left") + " " + clock(it.SecondsLeft)
}

// clock shows seconds as m:ss, or h:mm:ss from an hour on.
func clock(s int64) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// RFC3339 is t as the countdown script reads it.
func (p *queuePage) RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// DueState is a ticket's or callback's deadline as the queue highlights
// it: breached once past, near within a day, else running ("" without a
// deadline).
func (p *queuePage) DueState(at *time.Time) string {
	switch {
	case at == nil:
		return ""
	case p.At.After(*at):
		return "breached"
	case at.Sub(p.At) <= queueSoon:
		return "near"
	}
	return "running"
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &queuePage{Page: s.page(r, "queue", "queue.title")}
	p.Staff, p.Team = queueStaff(p.User, r.URL.Query().Get("staff"))
	var err error
	if p.Items, err = s.Comms.Queue(ctx, p.Staff); err != nil {
		return err
	}
	p.At = s.Now()
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "queue", "queue-rows", p)
	}
	if p.Team {
		yes := true
		if p.People, err = s.Org.ListStaff(ctx, org.StaffFilter{Role: access.CSSpecialist, Active: &yes}); err != nil {
			return err
		}
	}
	if p.Tickets, err = s.Tickets.List(ctx, tickets.Filter{StaffID: p.Staff, Open: true, Limit: 100}); err != nil {
		return err
	}
	// By promised deadline; those without one last.
	slices.SortStableFunc(p.Tickets, func(a, b tickets.View) int {
		switch {
		case a.PromisedAt == nil || b.PromisedAt == nil:
			return cmp.Compare(btoi(a.PromisedAt == nil), btoi(b.PromisedAt == nil))
		}
		return a.PromisedAt.Compare(*b.PromisedAt)
	})
	if p.Callbacks, err = s.Tickets.Callbacks(ctx, tickets.CallbackFilter{StaffID: p.Staff, Open: true, Limit: 100}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "queue", "", p)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
