package tickets

import (
	"context"
	"fmt"
	"math"
	"sync"
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
	// Full: the run read the whole history; otherwise only what can have
	// changed since the previous run (Scanned deadlines), and the counts
	// above are of those.
	Full    bool `json:"full"`
	Scanned int  `json:"scanned"`
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

// fullBreachEvery: DeriveBreaches reads every breach of the history at
// least this often, and on its first run in a process; the runs between
// are incremental.
const fullBreachEvery = 24 * time.Hour

// changeSlack: an incremental run reads what changed since this long
// before the previous run began, so that a write whose transaction was
// still open then (saved at an earlier time, committed later) is read,
// and a time given up to a minute ahead (history entry allows it) too.
const changeSlack = 5 * time.Minute

// breachState is what DeriveBreaches remembers between runs in this
// process; runs are serialised.
type breachState struct {
	mu       sync.Mutex
	last     time.Time // now of the last run ("" = none: the next is full)
	lastFull time.Time
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
//
// The first run in a process, and one a day after it, is full: it reads
// every breach of the history and withdraws every standing event it no
// longer finds. The runs between are incremental and give the same
// events: they read what can have changed since the previous run — the
// deadlines still open (their quantity grows with time, and a deadline
// that passed since is one of them) and everything changed since
// (tickets.updated_at: every change of a ticket, its complaint included,
// saves the ticket; callbacks.updated_at) — and withdraw only among what
// they read. Anything else is done and unchanged, and so is its event.
// BreachCounts.Full says which it was; its counts are of what was read.
func (s *Service) DeriveBreaches(ctx context.Context) (BreachCounts, error) {
	return s.deriveBreaches(ctx, false)
}

// DeriveBreachesFull is DeriveBreaches reading the whole history, as its
// first run in a process does: what a manager's derivation after a
// change runs (desk.Derive).
func (s *Service) DeriveBreachesFull(ctx context.Context) (BreachCounts, error) {
	return s.deriveBreaches(ctx, true)
}

func (s *Service) deriveBreaches(ctx context.Context, full bool) (BreachCounts, error) {
	var n BreachCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	st := &s.breach
	st.mu.Lock()
	defer st.mu.Unlock()
	now := store.Time(s.now())
	n.Full = full || st.last.IsZero() || now.Before(st.last) || now.Sub(st.lastFull) >= fullBreachEvery
	since := st.last.Add(-changeSlack)
	if n.Full {
		since = time.Time{}
	}
	found, scanned, err := s.scanBreaches(ctx, now, since, &n)
	if err != nil {
		return n, err
	}
	n.Scanned = len(scanned)
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		keep := make(map[string]bool, len(found))
		evs := make([]events.Computed, 0, len(found))
		for _, b := range found {
			keep[b.key] = true
			evs = append(evs, events.Computed{Key: b.key, Type: b.typ, Rule: b.rule, StaffID: b.staff, CustomerID: b.customer,
				OccurredAt: b.deadline, Quantity: b.lateDays, Detail: b.detail, Evidence: []events.Ref{{Kind: b.refKind, ID: b.refID, Role: "deadline"}}})
		}
		if err := events.Put(ctx, tx, evs, now); err != nil {
			return err
		}
		const why = "重新计算后不再超期（期限或完成时间已更正）"
		var err error
		if n.Full {
			n.Withdrawn, err = events.WithdrawStale(ctx, tx, breachTypes, keep, now, why)
			return err
		}
		var gone []string
		for _, k := range scanned {
			if !keep[k] {
				gone = append(gone, k)
			}
		}
		n.Withdrawn, err = events.WithdrawKeys(ctx, tx, breachTypes, gone, now, why)
		return err
	})
	if err != nil {
		return n, err
	}
	st.last = now
	if n.Full {
		st.lastFull = now
	}
	n.Notices, err = s.notifyDeadlines(ctx, now)
	return n, err
}

// breachTypes are the event types DeriveBreaches writes.
var breachTypes = []string{EventSolutionOverdue, EventCallbackOverdue, EventReplyOverdue, EventFirstResponseOverdue}

// openStatuses are the statuses of a ticket still being worked (isOpen).
var openStatuses = []string{StatusNew, StatusAcknowledged, StatusInProgress, StatusDispatched}

// scanBreaches reads the deadlines as of now and returns the breaches
// among them and the keys of all it read. since zero: a full run, which
// reads only the breaches (every key it does not find is stale); else
// the open deadlines and what changed at or after since (each part of
// the UNION ALL through its own index), each judged here by the same
// rules.
func (s *Service) scanBreaches(ctx context.Context, now, since time.Time, n *BreachCounts) ([]deadlineBreach, []string, error) {
	db := s.db.R()
	full := since.IsZero()
	var found []deadlineBreach
	var scanned []string
	// read reports whether key is new to this run (an incremental read
	// may meet a row twice: open and changed).
	seen := map[string]bool{}
	read := func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		scanned = append(scanned, key)
		return true
	}
	var sol []struct {
		ID         string     `bun:"id"`
		Number     string     `bun:"number"`
		Staff      string     `bun:"first_owner_id"`
		Customer   *string    `bun:"customer_id"`
		Promised   *time.Time `bun:"promised_at"`
		ResolvedAt *time.Time `bun:"resolved_at"`
		PausedAt   *time.Time `bun:"paused_at"`
	}
	const solCols = `SELECT id, number, first_owner_id, customer_id, promised_at, resolved_at, paused_at FROM tickets`
	var err error
	if full {
		err = db.NewRaw(solCols+` WHERE promised_at IS NOT NULL AND promised_at < ? AND (resolved_at IS NULL OR resolved_at > promised_at)
			AND (paused_at IS NULL OR promised_at < paused_at)`, now).Scan(ctx, &sol)
	} else {
		err = db.NewRaw(solCols+` WHERE status IN (?) AND promised_at < ?
			UNION ALL `+solCols+` WHERE updated_at >= ?`, bun.In(openStatuses), now, since).Scan(ctx, &sol)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, t := range sol {
		key := "solution|" + t.ID
		if !read(key) {
			continue
		}
		// Late: the promise passed before the resolution (or now), and
		// not while waiting on the customer.
		if t.Promised == nil || !t.Promised.Before(now) || t.ResolvedAt != nil && !t.ResolvedAt.After(*t.Promised) ||
			t.PausedAt != nil && !t.Promised.Before(*t.PausedAt) {
			continue
		}
		done := now
		if t.ResolvedAt != nil {
			done = *t.ResolvedAt
		}
		staff := t.Staff
		found = append(found, deadlineBreach{key: key, typ: EventSolutionOverdue, rule: EventSolutionOverdue, staff: &staff,
			customer: t.Customer, deadline: *t.Promised, lateDays: daysLate(*t.Promised, done), refKind: "ticket", refID: t.ID,
			detail: fmt.Sprintf("工单 %s 超过解决期限 %s", t.Number, t.Promised.In(s.loc).Format("2006-01-02 15:04"))})
		n.Solution++
	}
	var cbs []struct {
		ID        string     `bun:"id"`
		TicketID  string     `bun:"ticket_id"`
		Number    string     `bun:"number"`
		Staff     *string    `bun:"staff_id"`
		Customer  *string    `bun:"customer_id"`
		Due       *time.Time `bun:"due_at"`
		Done      *time.Time `bun:"done_at"`
		Cancelled *time.Time `bun:"cancelled_at"`
	}
	const cbCols = `SELECT cb.id, cb.ticket_id, t.number, cb.staff_id, t.customer_id, cb.due_at, cb.done_at, cb.cancelled_at
		FROM callbacks cb JOIN tickets t ON t.id = cb.ticket_id`
	if full {
		err = db.NewRaw(cbCols+` WHERE cb.due_at IS NOT NULL AND cb.due_at < ? AND cb.cancelled_at IS NULL
			AND (cb.done_at IS NULL OR cb.done_at > cb.due_at)`, now).Scan(ctx, &cbs)
	} else {
		err = db.NewRaw(cbCols+` WHERE cb.done_at IS NULL AND cb.cancelled_at IS NULL AND cb.due_at < ?
			UNION ALL `+cbCols+` WHERE cb.updated_at >= ?
			UNION ALL `+cbCols+` WHERE cb.ticket_id IN (SELECT id FROM tickets WHERE updated_at >= ?)`, now, since, since).Scan(ctx, &cbs)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cbs {
		key := "callback|" + c.ID
		if !read(key) {
			continue
		}
		if c.Due == nil || !c.Due.Before(now) || c.Cancelled != nil || c.Done != nil && !c.Done.After(*c.Due) {
			continue
		}
		done := now
		if c.Done != nil {
			done = *c.Done
		}
		found = append(found, deadlineBreach{key: key, typ: EventCallbackOverdue, rule: EventCallbackOverdue, staff: c.Staff,
			customer: c.Customer, deadline: *c.Due, lateDays: daysLate(*c.Due, done), refKind: "callback", refID: c.ID,
			detail: fmt.Sprintf("工单 %s 的回访超期（应于 %s 前完成）", c.Number, c.Due.In(s.loc).Format("2006-01-02 15:04"))})
		n.Callback++
	}
	var rep []struct {
		TicketID string     `bun:"ticket_id"`
		Number   string     `bun:"number"`
		Staff    *string    `bun:"escalated_to"`
		Customer *string    `bun:"customer_id"`
		Due      *time.Time `bun:"reply_due_at"`
		Replied  *time.Time `bun:"replied_at"`
	}
	const repCols = `SELECT c.ticket_id, t.number, c.escalated_to, t.customer_id, c.reply_due_at, c.replied_at
		FROM ticket_complaints c JOIN tickets t ON t.id = c.ticket_id`
	if full {
		err = db.NewRaw(repCols+` WHERE c.reply_due_at IS NOT NULL AND c.reply_due_at < ?
			AND (c.replied_at IS NULL OR c.replied_at > c.reply_due_at)`, now).Scan(ctx, &rep)
	} else {
		// A complaint is changed through its ticket (which is saved too).
		err = db.NewRaw(repCols+` WHERE c.replied_at IS NULL AND c.reply_due_at < ?
			UNION ALL `+repCols+` WHERE c.ticket_id IN (SELECT id FROM tickets WHERE updated_at >= ?)`, now, since).Scan(ctx, &rep)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, c := range rep {
		key := "reply|" + c.TicketID
		if !read(key) {
			continue
		}
		if c.Due == nil || !c.Due.Before(now) || c.Replied != nil && !c.Replied.After(*c.Due) {
			continue
		}
		done := now
		if c.Replied != nil {
			done = *c.Replied
		}
		found = append(found, deadlineBreach{key: key, typ: EventReplyOverdue, rule: EventReplyOverdue, staff: c.Staff,
			customer: c.Customer, deadline: *c.Due, lateDays: daysLate(*c.Due, done), refKind: "ticket", refID: c.TicketID,
			detail: fmt.Sprintf("重大投诉 %s 未在 %s 前答复", c.Number, c.Due.In(s.loc).Format("2006-01-02 15:04"))})
		n.Reply++
	}
	var fr []struct {
		ID       string     `bun:"id"`
		Number   string     `bun:"number"`
		Staff    string     `bun:"first_owner_id"`
		Customer *string    `bun:"customer_id"`
		Rule     string     `bun:"sla_rule"`
		Due      *time.Time `bun:"first_response_due"`
		Acked    *time.Time `bun:"acked_at"`
	}
	// The first acknowledgement is the ticket's new → acknowledged row; a
	// ticket is late when none lies at or before the deadline. A ticket
	// leaves new only by it, so the open ones are the new ones.
	const frCols = `SELECT t.id, t.number, t.first_owner_id, t.customer_id, t.sla_rule, t.first_response_due,
			(SELECT MIN(a.at) FROM ticket_transitions a WHERE a.ticket_id = t.id AND a.from_status = 'new' AND a.to_status = 'acknowledged') AS acked_at
		FROM tickets t`
	if full {
		err = db.NewRaw(frCols+` WHERE t.first_response_due IS NOT NULL AND t.first_response_due < ?
			AND NOT EXISTS (SELECT 1 FROM ticket_transitions a WHERE a.ticket_id = t.id AND a.from_status = 'new'
				AND a.to_status = 'acknowledged' AND a.at <= t.first_response_due)`, now).Scan(ctx, &fr)
	} else {
		err = db.NewRaw(frCols+` WHERE t.status = 'new' AND t.first_response_due < ?
			UNION ALL `+frCols+` WHERE t.updated_at >= ?`, now, since).Scan(ctx, &fr)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, t := range fr {
		key := "first_response|" + t.ID
		if !read(key) {
			continue
		}
		if t.Due == nil || !t.Due.Before(now) || t.Acked != nil && !t.Acked.After(*t.Due) {
			continue
		}
		done := now
		if t.Acked != nil {
			done = *t.Acked
		}
		staff := t.Staff
		found = append(found, deadlineBreach{key: key, typ: EventFirstResponseOverdue, rule: EventFirstResponseOverdue,
			staff: &staff, customer: t.Customer, deadline: *t.Due, lateDays: max(minutesLate(*t.Due, done), 1), refKind: "ticket", refID: t.ID,
			detail: fmt.Sprintf("工单 %s 未在 %s 前受理（首次响应超时，规则：%s）", t.Number, t.Due.In(s.loc).Format("2006-01-02 15:04"), t.Rule)})
		n.FirstResponse++
	}
	if full {
		scanned = nil // a full run withdraws by type, not by what it read
	}
	return found, scanned, nil
}
