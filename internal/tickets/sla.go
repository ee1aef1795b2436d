package tickets

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// The company calendar is read before a write transaction opens (the
// calendar service reads through its own connection).

// slaAdd returns the instant d after t on the clock named clk: working
// time of the company calendar c for CalendarWorking, wall time otherwise.
func slaAdd(c *calendar.Calendar, clk string, t time.Time, d time.Duration) time.Time {
	if clk != CalendarWorking {
		return store.Time(t.Add(d))
	}
	return store.Time(c.AddWorkingDuration(t, d))
}

// slaBetween is the time from a to b on the clock named clk.
func slaBetween(c *calendar.Calendar, clk string, a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if clk != CalendarWorking {
		return b.Sub(a)
	}
	return c.WorkingTimeBetween(a, b)
}

// applySLA matches t against the policy's SLA rules (type, urgency, the
// customer's class, channel; first match wins) and records the rule, its
// calendar and the first-response deadline on t. When t has no promised
// solution deadline (none typed), the rule's solution target sets it,
// moved later by the time already paused (paused_total_s).
func applySLA(ctx context.Context, tx bun.IDB, cal *calendar.Calendar, t *Ticket) error {
	pol, err := loadPolicy(ctx, tx)
	if err != nil {
		return err
	}
	class := ""
	if t.CustomerID != nil {
		if err := tx.NewSelect().Table("customers").Column("class").Where("id = ?", *t.CustomerID).Scan(ctx, &class); err != nil {
			return notFoundAs(err, apperr.Invalid("customer_id", "客户不存在"))
		}
	}
	r, _, ok := MatchSLA(pol.SLA, t.Type, t.Urgency, class, t.Channel)
	t.SLARule, t.SLACalendar, t.FirstResponseDue = "", "", nil
	if !ok {
		return nil
	}
	t.SLARule, t.SLACalendar = r.Name, r.Calendar()
	if r.FirstResponseMinutes > 0 {
		due := slaAdd(cal, t.SLACalendar, t.ReceivedAt, time.Duration(r.FirstResponseMinutes)*time.Minute)
		t.FirstResponseDue = &due
	}
	if t.PromisedAt == nil && r.SolutionHours > 0 {
		due := slaAdd(cal, t.SLACalendar, t.ReceivedAt, time.Duration(r.SolutionHours)*time.Hour)
		if t.PausedTotalS > 0 {
			due = slaAdd(cal, t.SLACalendar, due, time.Duration(t.PausedTotalS)*time.Second)
		}
		t.PromisedAt = &due
	}
	return nil
}

// Transition kinds of ticket_transitions: a status change ("") or the
// start and end of a pause (from = to status).
const (
	KindPause  = "pause"
	KindResume = "resume"
)

// Pause stops the solution deadline of an open ticket while it waits on
// the customer (等待客户). The reason is required; the pause is a row of
// the ticket's transitions (kind pause, the status unchanged, the reason
// as note) and audited. While paused the solution deadline does not run:
// no solution_overdue is derived for a deadline not yet passed when the
// pause began, and Resume moves it later. The first-response deadline
// is not paused.
func (s *Service) Pause(ctx context.Context, id string, version int64, reason string) (*Ticket, error) {
	reason = strings.TrimSpace(reason)
	return s.change(ctx, id, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, _ *string) (string, error) {
		if !isOpen(t.Status) {
			return "", apperr.Invalid("status", "只能暂停未解决的工单；当前状态："+t.Status+"（"+statusLabel[t.Status]+"）")
		}
		if t.PausedAt != nil {
			return "", apperr.Invalid("status", "工单已在等待客户")
		}
		if reason == "" {
			return "", apperr.Invalid("reason", "暂停计时（等待客户）须填写原因")
		}
		if len([]rune(reason)) > 2000 {
			return "", apperr.Invalid("reason", "不能超过 2000 个字")
		}
		now := store.Time(s.now())
		last, err := lastTransitionAt(ctx, tx, t.ID)
		if err != nil {
			return "", err
		}
		at := now
		if at.Before(last) { // a backdated history never lies after now; keep the order
			at = store.Time(last)
		}
		t.PausedAt = &at
		if err := addMarker(ctx, tx, t, KindPause, at, actor(p), reason, now); err != nil {
			return "", err
		}
		return "工单暂停计时（等待客户）", nil
	})
}

// Resume ends the pause of a ticket: the paused time (on the rule's
// calendar: working time for a working-time rule, wall time otherwise)
// is added to paused_total_s and moves the promised solution deadline
// later by as much. It is kept as a transition row of kind resume.
func (s *Service) Resume(ctx context.Context, id string, version int64) (*Ticket, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, id, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, _ *string) (string, error) {
		if t.PausedAt == nil {
			return "", apperr.Invalid("status", "工单未暂停计时")
		}
		now := store.Time(s.now())
		if err := endPause(ctx, tx, cal, t, now, actor(p), "客户已回复，恢复计时", now); err != nil {
			return "", err
		}
		return "工单恢复计时", nil
	})
}

// endPause closes t's pause at at (not before it began).
func endPause(ctx context.Context, tx bun.IDB, cal *calendar.Calendar, t *Ticket, at time.Time, by *string, note string, now time.Time) error {
	if at.Before(*t.PausedAt) {
		at = *t.PausedAt
	}
	d := slaBetween(cal, t.SLACalendar, *t.PausedAt, at).Truncate(time.Second)
	if t.PromisedAt != nil && d > 0 {
		moved := slaAdd(cal, t.SLACalendar, *t.PromisedAt, d)
		t.PromisedAt = &moved
	}
	t.PausedTotalS += int64(d / time.Second)
	t.PausedAt = nil
	return addMarker(ctx, tx, t, KindResume, at, by, note, now)
}

// addMarker records a pause or resume row (from = to the current status).
func addMarker(ctx context.Context, tx bun.IDB, t *Ticket, kind string, at time.Time, by *string, note string, now time.Time) error {
	tr := &Transition{ID: store.NewID(), TicketID: t.ID, FromStatus: t.Status, ToStatus: t.Status, Kind: kind,
		At: at, ByID: by, Note: note, RecordedAt: now}
	_, err := tx.NewInsert().Model(tr).Exec(ctx)
	return err
}
