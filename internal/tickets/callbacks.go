package tickets

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/rates"
	"kefu/internal/store"
)

// CallbackDue is when the callback of a ticket of type typ resolved at
// resolved is due under pol: within the CallbackDays of the ticket's SLA
// rule (named rule; working days when the rule counts working time)
// when it sets them, else a repair within RepairCallbackWorkingDays
// working days and a complaint within ComplaintCallbackDays calendar
// days — each the end of that day in company time (SPEC §2). Other
// types: none.
func CallbackDue(cal *calendar.Calendar, pol Policy, rule, typ string, resolved time.Time) (time.Time, bool) {
	if typ != TypeRepair && typ != TypeComplaint {
		return time.Time{}, false
	}
	if i := slices.IndexFunc(pol.SLA, func(r SLARule) bool { return rule != "" && r.Name == rule }); i >= 0 && pol.SLA[i].CallbackDays > 0 {
		if r := pol.SLA[i]; r.WorkingTime {
			return cal.WorkingDaysDeadline(resolved, r.CallbackDays), true
		}
		return cal.CalendarDaysDeadline(resolved, pol.SLA[i].CallbackDays), true
	}
	if typ == TypeRepair {
		return cal.WorkingDaysDeadline(resolved, pol.RepairCallbackWorkingDays), true
	}
	return cal.CalendarDaysDeadline(resolved, pol.ComplaintCallbackDays), true
}

// addCallback makes the callback of a resolution due. The callback rate
// charges the customer's owning specialist at the time of resolution, or
// the first-contact owner when the customer has none (or is unknown).
func (s *Service) addCallback(ctx context.Context, tx bun.IDB, t *Ticket, owner *string, resolved time.Time) error {
	pol, err := loadPolicy(ctx, tx)
	if err != nil {
		return err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	due, ok := CallbackDue(cal, pol, t.SLARule, t.Type, resolved)
	if !ok {
		return nil
	}
	due = store.Time(due)
	staff := owner
	if staff == nil {
		staff = &t.FirstOwnerID
	}
	now := store.Time(s.now())
	cb := &Callback{ID: store.NewID(), TicketID: t.ID, Kind: t.Type, StaffID: staff, ResolvedAt: resolved, DueAt: &due,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	_, err = tx.NewInsert().Model(cb).Exec(ctx)
	return err
}

// CallbackInput records a callback: when (default now), the result, the
// customer's satisfaction 1–5, and optionally the communication record of
// the call.
type CallbackInput struct {
	At              string `json:"at"`
	Result          string `json:"result"`
	Satisfaction    int    `json:"satisfaction"`
	CommunicationID string `json:"communication_id"`
}

func (in *CallbackInput) check() error {
	in.At, in.Result, in.CommunicationID = strings.TrimSpace(in.At), strings.TrimSpace(in.Result), strings.TrimSpace(in.CommunicationID)
	if in.Result == "" {
		return apperr.Invalid("result", "请填写回访结果")
	}
	if len([]rune(in.Result)) > 2000 {
		return apperr.Invalid("result", "不能超过 2000 个字")
	}
	if in.Satisfaction < 1 || in.Satisfaction > 5 {
		return apperr.Invalid("satisfaction", "满意度须为 1 到 5")
	}
	return nil
}

// callbackTime reads an explicit time (or now): not before notBefore, not
// in the future.
func (s *Service) callbackTime(raw string, notBefore time.Time) (time.Time, error) {
	now := s.now()
	at := now
	if raw != "" {
		v, err := parseTime(raw, s.loc)
		if err != nil {
			return time.Time{}, apperr.Invalid("at", err.Error())
		}
		at = v
	}
	if at.After(now.Add(time.Minute)) {
		return time.Time{}, apperr.Invalid("at", "回访时间不能晚于现在")
	}
	if at.Before(notBefore) {
		return time.Time{}, apperr.Invalid("at", "回访时间不能早于 "+notBefore.In(s.loc).Format("2006-01-02 15:04:05"))
	}
	return store.Time(at), nil
}

// RecordCallback records a due callback as done. Whoever may work the
// ticket records it; a resolved ticket then moves to callback_done.
func (s *Service) RecordCallback(ctx context.Context, id string, version int64, in CallbackInput) (*Callback, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return nil, apperr.Forbidden("无权登记回访")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Callback
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		cb := new(Callback)
		if err := tx.NewSelect().Model(cb).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("callback"))
		}
		t, err := getTicket(ctx, tx, cb.TicketID)
		if err != nil {
			return err
		}
		owner, err := customerOwner(ctx, tx, t.CustomerID)
		if err != nil {
			return err
		}
		if !CanWork(p, t, owner) {
			return apperr.Forbidden("只能回访自己分管客户的工单，或自己首问、被指派的工单")
		}
		if cb.Version != version {
			return staleVersion()
		}
		switch {
		case cb.CancelledAt != nil:
			return apperr.Invalid("status", "该回访已取消（工单重新打开）")
		case cb.DoneAt != nil:
			return apperr.Conflict("done_at", "该回访已登记")
		}
		at, err := s.callbackTime(in.At, cb.ResolvedAt)
		if err != nil {
			return err
		}
		if in.CommunicationID != "" {
			var cust []*string
			if err := tx.NewSelect().Table("communications").Column("customer_id").Where("id = ?", in.CommunicationID).
				Scan(ctx, &cust); err != nil {
				return err
			}
			if len(cust) == 0 {
				return apperr.Invalid("communication_id", "沟通记录不存在")
			}
			if t.CustomerID != nil && (cust[0] == nil || *cust[0] != *t.CustomerID) {
				return apperr.Invalid("communication_id", "沟通记录不属于该工单的客户")
			}
		}
		before := *cb
		now := store.Time(s.now())
		sat := in.Satisfaction
		cb.DoneAt, cb.DoneBy, cb.Result, cb.Satisfaction = &at, actor(p), in.Result, &sat
		cb.CommunicationID, cb.Version, cb.UpdatedAt = optional(in.CommunicationID), version+1, now
		res, err := tx.NewUpdate().Model(cb).WherePK().Where("version = ?", version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		if t.Status == StatusResolved {
			tb := *t
			if err := addTransition(ctx, tx, t, StatusCallbackDone, false, at, actor(p), "回访完成："+in.Result, now); err != nil {
				return err
			}
			if _, err := tx.NewUpdate().Table("tickets").Set("status = ?", t.Status).Set("version = version + 1").
				Set("updated_at = ?", now).Where("id = ?", t.ID).Exec(ctx); err != nil {
				return err
			}
			t.Version++
			if err := audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "ticket", EntityID: t.ID,
				Summary: "工单转为已回访 " + t.Number, Before: &tb, After: t}); err != nil {
				return err
			}
		}
		out = cb
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "callback", EntityID: cb.ID,
			Summary: "登记回访 " + t.Number, Before: &before, After: cb})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CallbackView is a callback with what a queue shows.
type CallbackView struct {
	Callback     `bun:",extend"`
	Number       string `bun:"number" json:"number"`
	Type         string `bun:"type" json:"type"`
	CustomerName string `bun:"customer_name" json:"customer_name"`
	StaffName    string `bun:"staff_name" json:"staff_name"`
}

// CallbackFilter selects callbacks.
type CallbackFilter struct {
	StaffID string
	Open    bool      // only not done and not cancelled
	DueTo   time.Time // due before (open callbacks due soon)
	Limit   int
}

// Callbacks lists callbacks by due time. A specialist limited to their own
// customers sees the callbacks charged to them.
func (s *Service) Callbacks(ctx context.Context, f CallbackFilter) ([]CallbackView, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看回访")
	}
	if p.OnlySpecialist() && !s.specialistReadAll {
		f.StaffID = p.StaffID
	}
	var out []CallbackView
	err := callbacksQuery(s.db.R(), f).Scan(ctx, &out)
	if out == nil {
		out = []CallbackView{}
	}
	return out, err
}

// callbacksQuery is the query of Callbacks for f (its staff already
// narrowed to the caller's own where the caller may see no other): the
// open ones come through callbacks_due in its order (migration 00031).
func callbacksQuery(db bun.IDB, f CallbackFilter) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("callbacks AS cb").ColumnExpr("cb.*").
		ColumnExpr("t.number, t.type, COALESCE(cu.name, t.caller) AS customer_name, COALESCE(st.name, '') AS staff_name").
		Join("JOIN tickets AS t ON t.id = cb.ticket_id").
		Join("LEFT JOIN customers AS cu ON cu.id = t.customer_id").
		Join("LEFT JOIN staff AS st ON st.id = cb.staff_id")
	if f.StaffID != "" {
		q = q.Where("cb.staff_id = ?", f.StaffID)
	}
	if f.Open {
		q = q.Where("cb.done_at IS NULL AND cb.cancelled_at IS NULL")
	}
	if !f.DueTo.IsZero() {
		q = q.Where("cb.due_at < ?", store.Time(f.DueTo))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return q.OrderExpr("cb.due_at, cb.id").Limit(int64(limit))
}

// CallbackFact is one callback as the callback rate counts it.
type CallbackFact struct {
	ID       string     `json:"id"`
	TicketID string     `json:"ticket_id"`
	StaffID  string     `json:"staff_id"`
	DueAt    time.Time  `json:"due_at"`
	DoneAt   *time.Time `json:"done_at"`
}

// CallbackRate is one specialist's callback rate (回访率) of a month.
type CallbackRate struct {
	StaffID string         `json:"staff_id"`
	Month   string         `json:"month"`
	Ratio   rates.Ratio    `json:"-"`
	Num     int64          `json:"num"` // done on time
	Den     int64          `json:"den"` // due
	Late    int            `json:"late"`
	Missed  int            `json:"missed"`
	Pending int            `json:"pending"` // due later in the month, not done yet: not counted
	Rows    []CallbackFact `json:"rows"`
}

// CallbackRates computes the callback rate of month m for every staff
// member charged with a callback: a callback belongs to the month of its
// last allowed day (the company date just before its due instant); it is
// due when that instant has passed at asOf or it was done; it counts as
// done when done by the deadline. Late and missed ones are due, not done.
// Ratio is done/due; NothingDue when nothing was due.
func CallbackRates(facts []CallbackFact, m rates.Month, loc *time.Location, asOf time.Time) map[string]CallbackRate {
	out := map[string]CallbackRate{}
	for _, f := range facts {
		if f.DueAt.IsZero() || !m.Contains(calendar.DateOf(f.DueAt.Add(-time.Nanosecond), loc)) {
			continue
		}
		r, ok := out[f.StaffID]
		if !ok {
			r = CallbackRate{StaffID: f.StaffID, Month: m.String()}
		}
		switch {
		case f.DoneAt != nil && !f.DoneAt.After(f.DueAt):
			r.Num++
			r.Den++
		case f.DoneAt != nil:
			r.Late++
			r.Den++
		case !asOf.Before(f.DueAt):
			r.Missed++
			r.Den++
		default:
			r.Pending++
		}
		r.Rows = append(r.Rows, f)
		out[f.StaffID] = r
	}
	for k, r := range out {
		r.Ratio = rates.Ratio{Num: r.Num, Den: r.Den}
		slices.SortFunc(r.Rows, func(a, b CallbackFact) int { return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID)) })
		out[k] = r
	}
	return out
}

// CallbackRates loads month ("2026-03") and returns every charged staff
// member's callback rate (managers; a specialist sees their own).
func (s *Service) CallbackRates(ctx context.Context, month string) (map[string]CallbackRate, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看回访率")
	}
	m, err := rates.ParseMonth(month)
	if err != nil {
		return nil, apperr.Invalid("month", "月份格式应为 2026-03")
	}
	from, to := m.First().In(s.loc), m.Last().AddDays(2).In(s.loc)
	var rows []struct {
		ID       string     `bun:"id"`
		TicketID string     `bun:"ticket_id"`
		StaffID  *string    `bun:"staff_id"`
		DueAt    time.Time  `bun:"due_at"`
		DoneAt   *time.Time `bun:"done_at"`
	}
	q := s.db.R().NewSelect().Table("callbacks").Column("id", "ticket_id", "staff_id", "due_at", "done_at").
		Where("cancelled_at IS NULL AND due_at > ? AND due_at <= ?", store.Time(from), store.Time(to))
	if p.OnlySpecialist() {
		q = q.Where("staff_id = ?", p.StaffID)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	facts := make([]CallbackFact, len(rows))
	for i, r := range rows {
		facts[i] = CallbackFact{ID: r.ID, TicketID: r.TicketID, StaffID: deref(r.StaffID), DueAt: r.DueAt, DoneAt: r.DoneAt}
	}
	return CallbackRates(facts, m, s.loc, s.now()), nil
}

// SampleCallbacks picks the re-call sample: percent of ids (rounded up, at
// least one of a non-empty set), ordered by SHA-256 of seed and id — the
// same set and seed always give the same sample, whatever the input order.
func SampleCallbacks(ids []string, seed string, percent int) []string {
	if len(ids) == 0 || percent <= 0 {
		return nil
	}
	type keyed struct{ key, id string }
	ks := make([]keyed, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		h := sha256.Sum256([]byte(seed + "\x00" + id))
		ks = append(ks, keyed{hex.EncodeToString(h[:]), id})
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	k := min((len(ks)*percent+99)/100, len(ks))
	out := make([]string, k)
	for i := range k {
		out[i] = ks[i].id
	}
	return out
}

// ResampleView is a sampled callback with the original callback.
type ResampleView struct {
	Resample         `bun:",extend"`
	TicketID         string     `bun:"ticket_id" json:"ticket_id"`
	Number           string     `bun:"number" json:"number"`
	CustomerName     string     `bun:"customer_name" json:"customer_name"`
	StaffID          *string    `bun:"staff_id" json:"staff_id"`
	CallbackDoneAt   *time.Time `bun:"callback_done_at" json:"callback_done_at"`
	CallbackSatisfac *int       `bun:"callback_satisfaction" json:"callback_satisfaction"`
}

// ResampleSet is a quarter's re-call sample with its progress.
type ResampleSet struct {
	Quarter string         `json:"quarter"`
	Items   []ResampleView `json:"items"`
	Done    int            `json:"done"`
	Pending int            `json:"pending"`
}

// GenerateResample draws the manager's re-call sample (经理季度回访抽查) of
// quarter ("2026Q1"): Policy.ResamplePercent of the callbacks done in the
// quarter, seeded by the quarter (SampleCallbacks). Once stored, the sample
// stands: generating again returns it unchanged.
func (s *Service) GenerateResample(ctx context.Context, quarter string) (*ResampleSet, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() {
		return nil, apperr.Forbidden("回访抽查由客服经理进行")
	}
	q, err := ParseQuarter(quarter)
	if err != nil {
		return nil, apperr.Invalid("quarter", err.Error())
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Table("callback_resamples").Where("quarter = ?", q.String()).Count(ctx)
		if err != nil || n > 0 {
			return err
		}
		pol, err := loadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		var ids []string
		if err := tx.NewSelect().Table("callbacks").Column("id").
			Where("done_at >= ? AND done_at < ? AND cancelled_at IS NULL", store.Time(q.First().In(s.loc)),
				store.Time(q.Last().AddDays(1).In(s.loc))).Scan(ctx, &ids); err != nil {
			return err
		}
		pick := SampleCallbacks(ids, "kefu/resample/"+q.String(), pol.ResamplePercent)
		if len(pick) == 0 {
			return nil
		}
		now := store.Time(s.now())
		rows := make([]Resample, len(pick))
		for i, id := range pick {
			rows[i] = Resample{ID: store.NewID(), Quarter: q.String(), CallbackID: id, CreatedBy: actor(p), CreatedAt: now, Version: 1}
		}
		if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "callback_resample", EntityID: q.String(),
			Summary: "生成 " + q.String() + " 回访抽查样本", After: pick})
	})
	if err != nil {
		return nil, err
	}
	return s.ResampleSet(ctx, q.String())
}

// ResampleSet returns the stored sample of quarter (managers and executives).
func (s *Service) ResampleSet(ctx context.Context, quarter string) (*ResampleSet, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() && !p.Has(access.Executive) {
		return nil, apperr.Forbidden("回访抽查由客服经理进行")
	}
	q, err := ParseQuarter(quarter)
	if err != nil {
		return nil, apperr.Invalid("quarter", err.Error())
	}
	set := &ResampleSet{Quarter: q.String(), Items: []ResampleView{}}
	err = s.db.R().NewSelect().TableExpr("callback_resamples AS rs").ColumnExpr("rs.*").
		ColumnExpr("t.id AS ticket_id, t.number, COALESCE(cu.name, t.caller) AS customer_name, cb.staff_id").
		ColumnExpr("cb.done_at AS callback_done_at, cb.satisfaction AS callback_satisfaction").
		Join("JOIN callbacks AS cb ON cb.id = rs.callback_id").
		Join("JOIN tickets AS t ON t.id = cb.ticket_id").
		Join("LEFT JOIN customers AS cu ON cu.id = t.customer_id").
		Where("rs.quarter = ?", q.String()).OrderExpr("t.number, rs.id").Scan(ctx, &set.Items)
	if err != nil {
		return nil, err
	}
	for _, it := range set.Items {
		if it.DoneAt != nil {
			set.Done++
		} else {
			set.Pending++
		}
	}
	return set, nil
}

// ResampleInput records the manager's re-call.
type ResampleInput struct {
	At           string `json:"at"`
	Result       string `json:"result"`
	Satisfaction int    `json:"satisfaction"`
}

// RecordResample records the manager's re-call of one sampled callback.
func (s *Service) RecordResample(ctx context.Context, id string, version int64, in ResampleInput) (*Resample, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() {
		return nil, apperr.Forbidden("回访抽查由客服经理进行")
	}
	ci := CallbackInput{At: in.At, Result: in.Result, Satisfaction: in.Satisfaction}
	if err := ci.check(); err != nil {
		return nil, err
	}
	var out *Resample
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		rs := new(Resample)
		if err := tx.NewSelect().Model(rs).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("callback_resample"))
		}
		if rs.Version != version {
			return staleVersion()
		}
		if rs.DoneAt != nil {
			return apperr.Conflict("done_at", "该抽查回访已登记")
		}
		var done []time.Time
		if err := tx.NewSelect().Table("callbacks").Column("done_at").Where("id = ?", rs.CallbackID).Scan(ctx, &done); err != nil {
			return err
		}
		var notBefore time.Time
		if len(done) > 0 {
			notBefore = done[0]
		}
		at, err := s.callbackTime(ci.At, notBefore)
		if err != nil {
			return err
		}
		before := *rs
		sat := ci.Satisfaction
		rs.DoneAt, rs.DoneBy, rs.Result, rs.Satisfaction, rs.Version = &at, actor(p), ci.Result, &sat, version+1
		res, err := tx.NewUpdate().Model(rs).WherePK().Where("version = ?", version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		out = rs
		return audit.Record(ctx, tx, s.now(), audit.Change{Action: "update", Entity: "callback_resample", EntityID: rs.ID,
			Summary: "登记经理抽查回访 " + rs.Quarter, Before: &before, After: rs})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
