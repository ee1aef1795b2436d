package tickets

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/events"
	"kefu/internal/store"
)

// Event types the ticket deadlines produce (SPEC §5.3, §8.2).
const (
	EventSolutionOverdue = "solution_overdue"        // 解决方案超期: promised deadline passed before resolution
	EventCallbackOverdue = "callback_overdue"        // 回访超期: callback not done by its due time
	EventReplyOverdue    = "complaint_reply_overdue" // 重大投诉未按时答复
	// EventFirstResponseOverdue (首次响应超时): not acknowledged by the SLA
	// rule's first-response deadline; its quantity is minutes late.
	EventFirstResponseOverdue = "first_response_overdue"
)

// BreachCounts says what a derivation recorded.
type BreachCounts struct {
	Solution int `json:"solution"`
	Callback int `json:"callback"`
	Reply    int `json:"reply"`
	// FirstResponse: tickets not acknowledged by first_response_due.
	FirstResponse int `json:"first_response"`
	Withdrawn     int `json:"withdrawn"`
	// Notices: the near-breach and breach notices this run sent
	// (notifyDeadlines).
	Notices DeadlineNotices `json:"notices"`
}

// deadlineBreach is one missed deadline found in the records.
type deadlineBreach struct {
	key, typ, rule string
	staff          *string
	customer       *string
	deadline       time.Time
	lateDays       int64 // whole days late, at least 1 (days overdue, 超期天数); minutes late for first_response_overdue
	refKind, refID string
	detail         string
}

// daysLate counts started days past the deadline: one second late is one
// day (SPEC: "days overdue").
func daysLate(deadline, done time.Time) int64 {
	d := done.Sub(deadline)
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Hours() / 24))
}

// minutesLate counts started minutes past the deadline: one second late
// is one minute.
func minutesLate(deadline, done time.Time) int64 {
	d := done.Sub(deadline)
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Minutes()))
}

// DeriveBreaches records the deadline breaches of tickets as appraisal
// events, derived from the records as of now: a ticket not resolved by
// its promised deadline (against its first-contact owner, 首问责任人), a
// callback not done by its due time (against the specialist it is charged
// to), a major complaint not answered by its reply deadline (against the
// manager it went to), a ticket not acknowledged by its SLA first-response
// deadline (against its first-contact owner, in minutes late; a solution
// deadline not yet passed when a pause began is not derived while the
// ticket waits on the customer). Keys are deterministic (the ticket or callback),
// so running it again updates quantities instead of adding events; a
// breach that no longer holds (a deadline moved, a backdated resolution)
// is withdrawn with a reason. It then sends the near-breach and breach
// notices of the open deadlines (notifyDeadlines). The app runs it every
// few minutes; managers may run it too.
func (s *Service) DeriveBreaches(ctx context.Context) (BreachCounts, error) {
	var n BreachCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	now := store.Time(s.now())
	db := s.db.R()
	var found []deadlineBreach
	var sol []struct {
		ID         string     `bun:"id"`
		Number     string     `bun:"number"`
		Staff      string     `bun:"first_owner_id"`
		Customer   *string    `bun:"customer_id"`
		Promised   time.Time  `bun:"promised_at"`
		ResolvedAt *time.Time `bun:"resolved_at"`
	}
	if err := db.NewRaw(`SELECT id, number, first_owner_id, customer_id, promised_at, resolved_at FROM tickets
		WHERE promised_at IS NOT NULL AND promised_at < ? AND (resolved_at IS NULL OR resolved_at > promised_at)
			AND (paused_at IS NULL OR promised_at < paused_at)`, now).Scan(ctx, &sol); err != nil {
		return n, err
	}
	for _, t := range sol {
		done := now
		if t.ResolvedAt != nil {
			done = *t.ResolvedAt
		}
		staff := t.Staff
		found = append(found, deadlineBreach{key: "solution|" + t.ID, typ: EventSolutionOverdue, rule: EventSolutionOverdue, staff: &staff,
			customer: t.Customer, deadline: t.Promised, lateDays: daysLate(t.Promised, done), refKind: "ticket", refID: t.ID,
			detail: fmt.Sprintf("工单 %s 超过解决期限 %s", t.Number, t.Promised.In(s.loc).Format("2006-01-02 15:04"))})
		n.Solution++
	}
	var cbs []struct {
		ID       string     `bun:"id"`
		TicketID string     `bun:"ticket_id"`
		Number   string     `bun:"number"`
		Staff    *string    `bun:"staff_id"`
		Customer *string    `bun:"customer_id"`
		Due      time.Time  `bun:"due_at"`
		Done     *time.Time `bun:"done_at"`
	}
	if err := db.NewRaw(`SELECT cb.id, cb.ticket_id, t.number, cb.staff_id, t.customer_id, cb.due_at, cb.done_at
		FROM callbacks cb JOIN tickets t ON t.id = cb.ticket_id
		WHERE cb.due_at IS NOT NULL AND cb.due_at < ? AND cb.cancelled_at IS NULL AND (cb.done_at IS NULL OR cb.done_at > cb.due_at)`, now).Scan(ctx, &cbs); err != nil {
		return n, err
	}
	for _, c := range cbs {
		done := now
		if c.Done != nil {
			done = *c.Done
		}
		found = append(found, deadlineBreach{key: "callback|" + c.ID, typ: EventCallbackOverdue, rule: EventCallbackOverdue, staff: c.Staff,
			customer: c.Customer, deadline: c.Due, lateDays: daysLate(c.Due, done), refKind: "callback", refID: c.ID,
			detail: fmt.Sprintf("工单 %s 的回访超期（应于 %s 前完成）", c.Number, c.Due.In(s.loc).Format("2006-01-02 15:04"))})
		n.Callback++
	}
	var rep []struct {
		TicketID string     `bun:"ticket_id"`
		Number   string     `bun:"number"`
		Staff    *string    `bun:"escalated_to"`
		Customer *string    `bun:"customer_id"`
		Due      time.Time  `bun:"reply_due_at"`
		Replied  *time.Time `bun:"replied_at"`
	}
	if err := db.NewRaw(`SELECT c.ticket_id, t.number, c.escalated_to, t.customer_id, c.reply_due_at, c.replied_at
		FROM ticket_complaints c JOIN tickets t ON t.id = c.ticket_id
		WHERE c.reply_due_at IS NOT NULL AND c.reply_due_at < ? AND (c.replied_at IS NULL OR c.replied_at > c.reply_due_at)`, now).Scan(ctx, &rep); err != nil {
		return n, err
	}
	for _, c := range rep {
		done := now
		if c.Replied != nil {
			done = *c.Replied
		}
		found = append(found, deadlineBreach{key: "reply|" + c.TicketID, typ: EventReplyOverdue, rule: EventReplyOverdue, staff: c.Staff,
			customer: c.Customer, deadline: c.Due, lateDays: daysLate(c.Due, done), refKind: "ticket", refID: c.TicketID,
			detail: fmt.Sprintf("重大投诉 %s 未在 %s 前答复", c.Number, c.Due.In(s.loc).Format("2006-01-02 15:04"))})
		n.Reply++
	}
	var fr []struct {
		ID       string     `bun:"id"`
		Number   string     `bun:"number"`
		Staff    string     `bun:"first_owner_id"`
		Customer *string    `bun:"customer_id"`
		Rule     string     `bun:"sla_rule"`
		Due      time.Time  `bun:"first_response_due"`
		Acked    *time.Time `bun:"acked_at"`
	}
	// The first acknowledgement is the ticket's new → acknowledged row; a
	// ticket is late when none lies at or before the deadline.
	if err := db.NewRaw(`SELECT t.id, t.number, t.first_owner_id, t.customer_id, t.sla_rule, t.first_response_due,
			(SELECT MIN(a.at) FROM ticket_transitions a WHERE a.ticket_id = t.id AND a.from_status = 'new' AND a.to_status = 'acknowledged') AS acked_at
		FROM tickets t
		WHERE t.first_response_due IS NOT NULL AND t.first_response_due < ?
			AND NOT EXISTS (SELECT 1 FROM ticket_transitions a WHERE a.ticket_id = t.id AND a.from_status = 'new'
				AND a.to_status = 'acknowledged' AND a.at <= t.first_response_due)`, now).Scan(ctx, &fr); err != nil {
		return n, err
	}
	for _, t := range fr {
		done := now
		if t.Acked != nil {
			done = *t.Acked
		}
		staff := t.Staff
		found = append(found, deadlineBreach{key: "first_response|" + t.ID, typ: EventFirstResponseOverdue, rule: EventFirstResponseOverdue,
			staff: &staff, customer: t.Customer, deadline: t.Due, lateDays: max(minutesLate(t.Due, done), 1), refKind: "ticket", refID: t.ID,
			detail: fmt.Sprintf("工单 %s 未在 %s 前受理（首次响应超时，规则：%s）", t.Number, t.Due.In(s.loc).Format("2006-01-02 15:04"), t.Rule)})
		n.FirstResponse++
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		keep := map[string]bool{}
		evs := make([]events.Computed, 0, len(found))
		for _, b := range found {
			keep[b.key] = true
			evs = append(evs, events.Computed{Key: b.key, Type: b.typ, Rule: b.rule, StaffID: b.staff, CustomerID: b.customer,
				OccurredAt: b.deadline, Quantity: b.lateDays, Detail: b.detail, Evidence: []events.Ref{{Kind: b.refKind, ID: b.refID, Role: "deadline"}}})
		}
		if err := events.Put(ctx, tx, evs, now); err != nil {
			return err
		}
		var err error
		n.Withdrawn, err = events.WithdrawStale(ctx, tx, []string{EventSolutionOverdue, EventCallbackOverdue, EventReplyOverdue, EventFirstResponseOverdue},
			keep, now, "重新计算后不再超期（期限或完成时间已更正）")
		if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	n.Notices, err = s.notifyDeadlines(ctx, now)
	return n, err
}
