package fieldwork

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/events"
	"kefu/internal/store"
)

// Event types of progress (SPEC §6.3, §6.6; seed 000 工作跟进及协调).
const (
	// EventFollowupMissing (未进行施工提醒或微信群反馈): a customer's work
	// day without a reminder, or without a group post; one per customer,
	// day and kind.
	EventFollowupMissing = "followup_missing"
	// EventSummaryMissing (施工进度/结果未汇总): a specialist's work day
	// whose daily summary was not submitted by its due time.
	EventSummaryMissing = "summary_missing"
	// EventProblemNotForwarded (问题未及时反馈至当事人): a problem not
	// passed on by its forward deadline.
	EventProblemNotForwarded = "problem_not_forwarded"
	// EventMonthlySummaryLate (月底未及时汇总上报): the month's summary
	// submitted after its due day, or still not; the quantity is days late.
	EventMonthlySummaryLate = "monthly_summary_late"
)

var progressEventTypes = []string{EventFollowupMissing, EventSummaryMissing, EventProblemNotForwarded, EventMonthlySummaryLate}

// ProgressCounts says what a derivation recorded.
type ProgressCounts struct {
	FollowupsMissing     int `json:"followups_missing"`
	SummariesMissing     int `json:"summaries_missing"`
	ProblemsNotForwarded int `json:"problems_not_forwarded"`
	MonthlySummariesLate int `json:"monthly_summaries_late"`
	Withdrawn            int `json:"withdrawn"`
}

// occasion is a customer's (or a specialist's) day of work.
type occasion struct {
	staff  *string
	name   string
	orders []string
	refs   []events.Ref
}

// DeriveProgressEvents records the progress events from the records as
// of now (managers or the system): followup_missing for each customer's
// past work day lacking a reminder or a group post; summary_missing for
// each specialist's work day with no summary submitted by its due time;
// problem_not_forwarded for each problem passed on late or not yet;
// monthly_summary_late for each month's summary submitted after its due
// day (or not yet), its quantity the days late. Keys name the customer,
// specialist, day, problem or month, so deriving again updates in place;
// what no longer holds is withdrawn.
func (s *Service) DeriveProgressEvents(ctx context.Context) (ProgressCounts, error) {
	var n ProgressCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	db := s.db.R()
	pol, err := readProgressPolicy(ctx, db)
	if err != nil {
		return n, err
	}
	now := store.Time(s.now())
	today := calendar.DateOf(now, s.loc).String()

	var spans []workSpan
	if err := db.NewRaw(`SELECT `+workSpanColumns+` FROM work_orders w JOIN customers c ON c.id = w.customer_id
		WHERE w.dispatched_at IS NOT NULL AND w.status IN ('dispatched', 'completed', 'accepted')
			AND (COALESCE(w.deadline_on, w.planned_on) IS NULL OR COALESCE(w.deadline_on, w.planned_on) >= ?)
		ORDER BY w.number`, pol.TrackFrom).Scan(ctx, &spans); err != nil {
		return n, err
	}
	customerDays := map[[2]string]*occasion{} // (customer, day)
	staffDays := map[[2]string]*occasion{}    // (specialist, day)
	for _, w := range spans {
		for _, d := range w.days(s.loc, today) {
			if d < pol.TrackFrom {
				continue
			}
			ref := events.Ref{Kind: "work_order", ID: w.ID, Role: "work"}
			k := [2]string{w.CustomerID, d}
			o := customerDays[k]
			if o == nil {
				o = &occasion{staff: w.OwnerID, name: w.CustomerName}
				customerDays[k] = o
			}
			o.orders, o.refs = append(o.orders, w.Number), append(o.refs, ref)
			if w.OwnerID == nil {
				continue
			}
			k = [2]string{*w.OwnerID, d}
			if o = staffDays[k]; o == nil {
				o = &occasion{staff: w.OwnerID}
				staffDays[k] = o
			}
			o.orders, o.refs = append(o.orders, w.Number), append(o.refs, ref)
		}
	}
	var evs []events.Computed

	// 施工提醒 · 微信群反馈: each past work day of a customer.
	var fus []Followup
	if err := db.NewSelect().Model(&fus).Where("day >= ?", pol.TrackFrom).Where("day < ?", today).Scan(ctx); err != nil {
		return n, err
	}
	have := map[[3]string]bool{}
	for _, f := range fus {
		if f.counts(s.loc) {
			have[[3]string{f.CustomerID, f.Day, f.Kind}] = true
		}
	}
	for _, k := range sortedKeys(customerDays) {
		customer, day := k[0], k[1]
		if day >= today {
			continue
		}
		o := customerDays[k]
		d, _ := calendar.ParseDate(day)
		for _, kind := range []string{FollowupReminder, FollowupGroupFeedback} {
			if have[[3]string{customer, day, kind}] {
				continue
			}
			c := customer
			evs = append(evs, events.Computed{Key: strings.Join([]string{EventFollowupMissing, customer, day, kind}, "|"),
				Type: EventFollowupMissing, Rule: "followup_" + kind, StaffID: o.staff, CustomerID: &c,
				OccurredAt: store.Time(d.In(s.loc)), Quantity: 1,
				Detail:   fmt.Sprintf("客户 %s %s 有施工（%s），未登记%s", o.name, day, strings.Join(o.orders, "、"), followupLabels[kind]),
				Evidence: append([]events.Ref{{Kind: "customer", ID: customer, Role: "customer"}}, o.refs...)})
			n.FollowupsMissing++
		}
	}

	// 当日汇总: each work day of a specialist, once its due time passed.
	var sums []struct {
		ID          string     `bun:"id"`
		StaffID     string     `bun:"staff_id"`
		Day         string     `bun:"day"`
		DueAt       time.Time  `bun:"due_at"`
		SubmittedAt *time.Time `bun:"submitted_at"`
	}
	if err := db.NewRaw("SELECT id, staff_id, day, due_at, submitted_at FROM daily_summaries WHERE day >= ?", pol.TrackFrom).
		Scan(ctx, &sums); err != nil {
		return n, err
	}
	type sumRow = struct {
		id  string
		due time.Time
		at  *time.Time
	}
	submitted := map[[2]string]sumRow{}
	for _, r := range sums {
		submitted[[2]string{r.StaffID, r.Day}] = sumRow{r.ID, r.DueAt, r.SubmittedAt}
	}
	for _, k := range sortedKeys(staffDays) {
		o := staffDays[k]
		d, _ := calendar.ParseDate(k[1])
		due := pol.SummaryDue(d, s.loc)
		refs := o.refs
		if r, ok := submitted[k]; ok {
			due = r.due
			if r.at != nil && !r.at.After(due) {
				continue
			}
			refs = append([]events.Ref{{Kind: "daily_summary", ID: r.id, Role: "summary"}}, refs...)
		}
		if !now.After(due) {
			continue
		}
		evs = append(evs, events.Computed{Key: strings.Join([]string{EventSummaryMissing, k[0], k[1]}, "|"),
			Type: EventSummaryMissing, Rule: "daily_summary", StaffID: o.staff, OccurredAt: due, Quantity: 1,
			Detail:   fmt.Sprintf("%s 的当日施工/维保汇总未在 %s 前提交（%s）", k[1], due.In(s.loc).Format("2006-01-02 15:04"), strings.Join(o.orders, "、")),
			Evidence: refs})
		n.SummariesMissing++
	}

	// 问题转交: each problem passed on after its deadline, or not yet.
	var probs []struct {
		ID          string     `bun:"id"`
		Type        string     `bun:"type"`
		WorkOrderID *string    `bun:"work_order_id"`
		Number      *string    `bun:"number"`
		CustomerID  string     `bun:"customer_id"`
		StaffID     *string    `bun:"staff_id"`
		Due         time.Time  `bun:"forward_due"`
		ForwardedAt *time.Time `bun:"forwarded_at"`
	}
	if err := db.NewRaw(`SELECT p.id, p.type, p.work_order_id, w.number, p.customer_id, p.staff_id, p.forward_due, p.forwarded_at
		FROM problems p LEFT JOIN work_orders w ON w.id = p.work_order_id
		WHERE (p.forwarded_at IS NULL AND p.forward_due < ?) OR p.forwarded_at > p.forward_due
		ORDER BY p.id`, now).Scan(ctx, &probs); err != nil {
		return n, err
	}
	for _, p := range probs {
		c := p.CustomerID
		refs := []events.Ref{{Kind: "problem", ID: p.ID, Role: "problem"}}
		what := "问题"
		if p.WorkOrderID != nil {
			refs = append(refs, events.Ref{Kind: "work_order", ID: *p.WorkOrderID, Role: "work"})
			what = "派工单 " + deref(p.Number) + " 的问题"
		}
		state := "至今未转交"
		if p.ForwardedAt != nil {
			state = "于 " + p.ForwardedAt.In(s.loc).Format("2006-01-02 15:04") + " 转交"
		}
		evs = append(evs, events.Computed{Key: EventProblemNotForwarded + "|" + p.ID, Type: EventProblemNotForwarded, Rule: "problem_forward",
			StaffID: p.StaffID, CustomerID: &c, OccurredAt: p.Due, Quantity: 1,
			Detail: fmt.Sprintf("%s（%s）应在 %s 前转交当事人，%s", what, ProblemTypeLabels[p.Type],
				p.Due.In(s.loc).Format("2006-01-02 15:04"), state),
			Evidence: refs})
		n.ProblemsNotForwarded++
	}

	// 25日汇总: each month a specialist had work in, once its due day passed.
	months, err := s.summaryMonths(ctx, db, pol)
	if err != nil {
		return n, err
	}
	for _, m := range months {
		due := m.due
		if !now.After(due) {
			continue
		}
		done := now
		state := "至今未提交"
		if m.submittedAt != nil {
			if !m.submittedAt.After(due) {
				continue
			}
			done, state = *m.submittedAt, "于 "+m.submittedAt.In(s.loc).Format("2006-01-02")+" 提交"
		}
		days := calendar.DaysOverdue(due, done)
		staff := m.staff
		var refs []events.Ref
		if m.id != "" {
			refs = append(refs, events.Ref{Kind: "monthly_summary", ID: m.id, Role: "summary"})
		}
		evs = append(evs, events.Computed{Key: strings.Join([]string{EventMonthlySummaryLate, m.staff, m.month}, "|"),
			Type: EventMonthlySummaryLate, Rule: "monthly_summary", StaffID: &staff, OccurredAt: due, Quantity: int64(days),
			Detail: fmt.Sprintf("%s 月度维修保养汇总应在 %s 前上报，%s（逾期 %d 天）", m.month,
				due.Add(-time.Second).In(s.loc).Format("2006-01-02"), state, days),
			Evidence: refs})
		n.MonthlySummariesLate++
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
		n.Withdrawn, err = events.WithdrawStale(ctx, tx, progressEventTypes, keep, now,
			"记录已更正：跟进已登记、汇总已按时提交、问题已按时转交或无需汇总")
		return err
	})
	return n, err
}

func sortedKeys[K cmp.Ordered, V any](m map[[2]K]V) [][2]K {
	keys := make([][2]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]K) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	return keys
}

// summaryMonth is a month a specialist owes a summary for.
type summaryMonth struct {
	staff, month, id string
	due              time.Time
	submittedAt      *time.Time
}

// summaryMonths are the (specialist, month) pairs that owe a monthly
// summary: a month with work orders of the specialist's customers planned
// in it (not cancelled), or a summary on record; each with its due time.
func (s *Service) summaryMonths(ctx context.Context, db bun.IDB, pol ProgressPolicy) ([]summaryMonth, error) {
	var orders []struct {
		OwnerID   string    `bun:"owner_id"`
		PlannedOn *string   `bun:"planned_on"`
		CreatedAt time.Time `bun:"created_at"`
	}
	if err := db.NewRaw(`SELECT owner_id, planned_on, created_at FROM work_orders WHERE owner_id IS NOT NULL AND status <> 'cancelled'`).
		Scan(ctx, &orders); err != nil {
		return nil, err
	}
	from := ""
	if pol.TrackFrom != "" {
		from = pol.TrackFrom[:7]
	}
	set := map[[2]string]*summaryMonth{}
	for _, o := range orders {
		m := orderMonth(o.PlannedOn, o.CreatedAt, s.loc)
		if m < from {
			continue
		}
		set[[2]string{o.OwnerID, m}] = &summaryMonth{staff: o.OwnerID, month: m}
	}
	var rows []struct {
		ID          string     `bun:"id"`
		StaffID     string     `bun:"staff_id"`
		Month       string     `bun:"month"`
		DueOn       string     `bun:"due_on"`
		SubmittedAt *time.Time `bun:"submitted_at"`
	}
	if err := db.NewRaw("SELECT id, staff_id, month, due_on, submitted_at FROM monthly_summaries WHERE month >= ?", from).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		d, err := calendar.ParseDate(r.DueOn)
		if err != nil {
			return nil, err
		}
		set[[2]string{r.StaffID, r.Month}] = &summaryMonth{staff: r.StaffID, month: r.Month, id: r.ID,
			due: store.Time(cal.EndOfDay(d)), submittedAt: r.SubmittedAt}
	}
	var out []summaryMonth
	for _, k := range sortedKeys(set) {
		m := set[k]
		if m.id == "" {
			d, err := pol.MonthlyDueOn(m.month)
			if err != nil {
				return nil, err
			}
			m.due = store.Time(cal.EndOfDay(d))
		}
		out = append(out, *m)
	}
	return out, nil
}

// orderMonth is the month a work order belongs to: its planned day's, or
// (repairs with none) the month it was created in.
func orderMonth(planned *string, created time.Time, loc *time.Location) string {
	if planned != nil && len(*planned) >= 7 {
		return (*planned)[:7]
	}
	return created.In(loc).Format("2006-01")
}
