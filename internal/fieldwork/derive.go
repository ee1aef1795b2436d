package fieldwork

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/events"
	"kefu/internal/store"
)

// Event types field work produces (SPEC §8.2).
const (
	// EventDispatchOverdue (派单不及时): a project or work order dispatched
	// after its deadline; the quantity is days late (working days for a
	// project, started days for work orders).
	EventDispatchOverdue = "dispatch_overdue"
	// EventDispatchError (派单错误): a dispatch returned for correction;
	// the quantity is the points the flagger chose (1 or 2).
	EventDispatchError = "dispatch_error"
)

// EventCounts says what a derivation recorded.
type EventCounts struct {
	ProjectsLate   int `json:"projects_late"`
	WorkOrdersLate int `json:"work_orders_late"`
	DispatchErrors int `json:"dispatch_errors"`
	Withdrawn      int `json:"withdrawn"`
}

// DeriveEvents records field work's appraisal events from the records as
// of now: each project dispatched (or still not dispatched) after its due
// time, each work order likewise, each return for correction not
// withdrawn. Keys are the project, work order or return, so running it
// again updates the days late instead of adding events; what no longer
// holds (a withdrawn return, a cancelled undispatched order) is withdrawn
// with a reason. The app runs it every few minutes; managers may too.
func (s *Service) DeriveEvents(ctx context.Context) (EventCounts, error) {
	var n EventCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return n, err
	}
	now := store.Time(s.now())
	db := s.db.R()
	var evs []events.Computed
	var projects []struct {
		ID         string     `bun:"id"`
		ContractID string     `bun:"contract_id"`
		Number     string     `bun:"number"`
		Owner      *string    `bun:"owner_id"`
		Customer   string     `bun:"customer_id"`
		Due        time.Time  `bun:"dispatch_due"`
		Dispatched *time.Time `bun:"dispatched_at"`
	}
	if err := db.NewRaw(`SELECT p.id, p.contract_id, k.number, p.owner_id, p.customer_id, p.dispatch_due, p.dispatched_at
		FROM projects p JOIN contracts k ON k.id = p.contract_id
		WHERE p.dispatch_due < ? AND (p.dispatched_at IS NULL OR p.dispatched_at > p.dispatch_due)`, now).Scan(ctx, &projects); err != nil {
		return n, err
	}
	for _, p := range projects {
		done := now
		if p.Dispatched != nil {
			done = *p.Dispatched
		}
		days := ProjectDaysLate(cal, p.Due, done)
		if days <= 0 {
			continue
		}
		customer := p.Customer
		evs = append(evs, events.Computed{Key: "dispatch_overdue|project|" + p.ID, Type: EventDispatchOverdue, Rule: "project_dispatch",
			StaffID: p.Owner, CustomerID: &customer, OccurredAt: p.Due, Quantity: int64(days),
			Detail:   fmt.Sprintf("合同 %s 未在 %s 前立项派工（逾期 %d 个工作日）", p.Number, deadlineText(p.Due.In(s.loc)), days),
			Evidence: []events.Ref{{Kind: "project", ID: p.ID, Role: "deadline"}, {Kind: "contract", ID: p.ContractID, Role: "received"}}})
		n.ProjectsLate++
	}
	var orders []struct {
		ID         string     `bun:"id"`
		Number     string     `bun:"number"`
		Type       string     `bun:"type"`
		Owner      *string    `bun:"owner_id"`
		Customer   string     `bun:"customer_id"`
		Ticket     *string    `bun:"ticket_id"`
		Due        time.Time  `bun:"dispatch_due"`
		Dispatched *time.Time `bun:"dispatched_at"`
	}
	if err := db.NewRaw(`SELECT id, number, type, owner_id, customer_id, ticket_id, dispatch_due, dispatched_at FROM work_orders
		WHERE dispatch_due IS NOT NULL AND dispatch_due < ?
			AND ((dispatched_at IS NULL AND status <> 'cancelled') OR dispatched_at > dispatch_due)`, now).Scan(ctx, &orders); err != nil {
		return n, err
	}
	for _, w := range orders {
		done := now
		if w.Dispatched != nil {
			done = *w.Dispatched
		}
		days := DaysLate(w.Due, done)
		if days <= 0 {
			continue
		}
		customer := w.Customer
		refs := []events.Ref{{Kind: "work_order", ID: w.ID, Role: "deadline"}}
		if w.Ticket != nil {
			refs = append(refs, events.Ref{Kind: "ticket", ID: *w.Ticket, Role: "request"})
		}
		evs = append(evs, events.Computed{Key: "dispatch_overdue|work_order|" + w.ID, Type: EventDispatchOverdue, Rule: "work_order_dispatch",
			StaffID: w.Owner, CustomerID: &customer, OccurredAt: w.Due, Quantity: int64(days),
			Detail:   fmt.Sprintf("派工单 %s（%s）未在 %s 前派出（逾期 %d 天）", w.Number, typeLabels[w.Type], deadlineText(w.Due.In(s.loc)), days),
			Evidence: refs})
		n.WorkOrdersLate++
	}
	var returns []struct {
		ID         string    `bun:"id"`
		Order      string    `bun:"work_order_id"`
		Number     string    `bun:"number"`
		Customer   string    `bun:"customer_id"`
		Dispatcher *string   `bun:"dispatcher_id"`
		By         string    `bun:"returned_by_name"`
		At         time.Time `bun:"returned_at"`
		Points     int       `bun:"points"`
		Reason     string    `bun:"reason"`
	}
	if err := db.NewRaw(`SELECT r.id, r.work_order_id, w.number, w.customer_id, r.dispatcher_id, s.name AS returned_by_name,
			r.returned_at, r.points, r.reason
		FROM work_order_returns r JOIN work_orders w ON w.id = r.work_order_id JOIN staff s ON s.id = r.returned_by
		WHERE r.withdrawn_at IS NULL`).Scan(ctx, &returns); err != nil {
		return n, err
	}
	for _, r := range returns {
		customer := r.Customer
		evs = append(evs, events.Computed{Key: "dispatch_error|" + r.ID, Type: EventDispatchError, Rule: "dispatch_return",
			StaffID: r.Dispatcher, CustomerID: &customer, OccurredAt: r.At, Quantity: int64(r.Points),
			Detail:   fmt.Sprintf("派工单 %s 被 %s 退回更正（%d 分）：%s", r.Number, r.By, r.Points, r.Reason),
			Evidence: []events.Ref{{Kind: "work_order", ID: r.Order, Role: "dispatch"}, {Kind: "work_order_return", ID: r.ID, Role: "flag"}}})
		n.DispatchErrors++
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		keep := make(map[string]bool, len(evs))
		for _, e := range evs {
			keep[e.Key] = true
		}
		if err := events.Put(ctx, tx, evs, now); err != nil {
			return err
		}
		var err error
		n.Withdrawn, err = events.WithdrawStale(ctx, tx, []string{EventDispatchOverdue, EventDispatchError}, keep, now,
			"记录已更正：派工按时或派单错误已撤销")
		return err
	})
	return n, err
}

// deadlineText is a deadline as people write it: an end of day is that
// day's 24:00 (a due time of 2026-03-11 00:00 reads 2026-03-10 24:00), any
// other time as it is.
func deadlineText(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Add(-time.Second).Format("2006-01-02") + " 24:00"
	}
	return t.Format("2006-01-02 15:04")
}
