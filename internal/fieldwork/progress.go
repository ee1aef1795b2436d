package fieldwork

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// ProgressPolicy is the company's progress rules (SPEC §6.3, §6.6), kept
// apart from Settings under its own key.
type ProgressPolicy struct {
	// SummaryDueHour: the daily summary of a day is due at this hour of
	// that day (20 → 20:00; 24 → the end of the day).
	SummaryDueHour int `json:"summary_due_hour"`
	// ProblemForwardWorkingDays: a problem is passed to the party
	// concerned by the end of the N-th working day after it was recorded
	// (0: the same day).
	ProblemForwardWorkingDays int `json:"problem_forward_working_days"`
	// MonthlySummaryDay: the month's summary is due by the end of this day
	// of the month (25 → the 25th).
	MonthlySummaryDay int `json:"monthly_summary_day"`
	// TrackFrom (YYYY-MM-DD, "" = always): work days, summaries and months
	// before it make no events (the day the company started recording).
	TrackFrom string `json:"track_from"`
}

// DefaultProgressPolicy: summary by 20:00, problems forwarded within 1
// working day, the monthly summary by the 25th.
func DefaultProgressPolicy() ProgressPolicy {
	return ProgressPolicy{SummaryDueHour: 20, ProblemForwardWorkingDays: 1, MonthlySummaryDay: 25}
}

const progressPolicyKey = "fieldwork.progress"

func (pol ProgressPolicy) validate() error {
	if pol.SummaryDueHour < 1 || pol.SummaryDueHour > 24 {
		return apperr.Invalid("summary_due_hour", "当日汇总截止时间应为 1–24 点")
	}
	if pol.ProblemForwardWorkingDays < 0 || pol.ProblemForwardWorkingDays > 10 {
		return apperr.Invalid("problem_forward_working_days", "问题转交期限应为 0–10 个工作日")
	}
	if pol.MonthlySummaryDay < 1 || pol.MonthlySummaryDay > 28 {
		return apperr.Invalid("monthly_summary_day", "月度汇总截止日应为每月 1–28 日")
	}
	if pol.TrackFrom != "" {
		if _, err := calendar.ParseDate(pol.TrackFrom); err != nil {
			return apperr.Invalid("track_from", "日期格式应为 YYYY-MM-DD")
		}
	}
	return nil
}

// SummaryDue is when the daily summary of day is due.
func (pol ProgressPolicy) SummaryDue(day calendar.Date, loc *time.Location) time.Time {
	return store.Time(time.Date(day.Year, day.Month, day.Day, pol.SummaryDueHour, 0, 0, 0, loc))
}

// ForwardDue is when a problem recorded at recorded must have been passed
// on: the end of the N-th working day after its date.
func (pol ProgressPolicy) ForwardDue(cal *calendar.Calendar, recorded time.Time) time.Time {
	return store.Time(cal.WorkingDaysDeadline(recorded, pol.ProblemForwardWorkingDays))
}

// MonthlyDueOn is the day the summary of month (YYYY-MM) is due.
func (pol ProgressPolicy) MonthlyDueOn(month string) (calendar.Date, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil || len(month) != 7 {
		return calendar.Date{}, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	return calendar.NewDate(t.Year(), t.Month(), pol.MonthlySummaryDay), nil
}

func readProgressPolicy(ctx context.Context, db bun.IDB) (ProgressPolicy, error) {
	pol := DefaultProgressPolicy()
	_, err := store.GetSetting(ctx, db, progressPolicyKey, &pol)
	return pol, err
}

// ProgressPolicy reads the progress rules.
func (s *Service) ProgressPolicy(ctx context.Context) (ProgressPolicy, error) {
	if !access.Caller(ctx).Can(access.WorkRead) {
		return ProgressPolicy{}, apperr.Forbidden("无权查看")
	}
	return readProgressPolicy(ctx, s.db.R())
}

// SaveProgressPolicy changes the progress rules (the manager).
func (s *Service) SaveProgressPolicy(ctx context.Context, pol ProgressPolicy) (ProgressPolicy, error) {
	if !access.Caller(ctx).IsManagerial() {
		return pol, apperr.Forbidden("只有客服经理可以修改工作跟进规则")
	}
	pol.TrackFrom = strings.TrimSpace(pol.TrackFrom)
	if err := pol.validate(); err != nil {
		return pol, err
	}
	now := store.Time(s.now())
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := readProgressPolicy(ctx, tx)
		if err != nil {
			return err
		}
		if err := store.PutSetting(ctx, tx, progressPolicyKey, pol, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "setting", EntityID: progressPolicyKey,
			Summary: "修改工作跟进规则", Before: before, After: pol})
	})
	return pol, err
}

// Report statuses (施工人下班前反馈).
const (
	ReportInProgress = "in_progress" // 进行中
	ReportDone       = "done"        // 已完成
	ReportBlocked    = "blocked"     // 受阻
)

var reportStatusLabels = map[string]string{ReportInProgress: "进行中", ReportDone: "已完成", ReportBlocked: "受阻"}

// WorkReport is a technician's end-of-day report of a work order's day.
type WorkReport struct {
	ID          string    `bun:"id,pk" json:"id"`
	WorkOrderID string    `bun:"work_order_id" json:"work_order_id"`
	StaffID     string    `bun:"staff_id" json:"staff_id"`
	Day         string    `bun:"day" json:"day"`
	Status      string    `bun:"status" json:"status"`
	Notes       string    `bun:"notes" json:"notes"`
	ReportedAt  time.Time `bun:"reported_at" json:"reported_at"`
	RecordedBy  *string   `bun:"recorded_by" json:"recorded_by"`
	RecordedAt  time.Time `bun:"recorded_at" json:"recorded_at"`

	bun.BaseModel `bun:"table:work_reports"`
}

// ReportInput is a day's report. TechnicianID: whom it is for; "" = the
// caller (an assigned technician reports their own; the supervisor's own
// report stands for the whole group).
type ReportInput struct {
	Day          string `json:"day"` // YYYY-MM-DD; "" = the date of At
	Status       string `json:"status"`
	Notes        string `json:"notes"`
	At           string `json:"at"` // when it was reported; "" = now
	TechnicianID string `json:"technician_id"`
}

// ReportDay records the end-of-day report (施工人下班前反馈) of a dispatched
// work order: an assigned technician their own, the group's supervisor
// (or a manager) for the group or for a named technician. Reporting the
// same day again corrects the report.
func (s *Service) ReportDay(ctx context.Context, workOrderID string, in ReportInput) (*WorkReport, error) {
	p := access.Caller(ctx)
	now := store.Time(s.now())
	in.Notes = strings.TrimSpace(in.Notes)
	if _, ok := reportStatusLabels[in.Status]; !ok {
		return nil, apperr.Invalid("status", "进度只能是 进行中、已完成 或 受阻")
	}
	if in.Status == ReportBlocked && in.Notes == "" {
		return nil, apperr.Invalid("notes", "受阻时请写明原因")
	}
	if len([]rune(in.Notes)) > 2000 {
		return nil, apperr.Invalid("notes", "反馈内容最多 2000 字")
	}
	at, day, err := s.atAndDay(in.At, in.Day, now)
	if err != nil {
		return nil, err
	}
	var r *WorkReport
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, err := getWorkOrder(ctx, tx, workOrderID)
		if err != nil {
			return err
		}
		techs, err := technicianIDs(ctx, tx, workOrderID)
		if err != nil {
			return err
		}
		if err := asField(p, w, techs); err != nil {
			return err
		}
		if w.DispatchedAt == nil || !slices.Contains([]string{StatusDispatched, StatusCompleted, StatusAccepted}, w.Status) {
			return apperr.Invalid("status", "只有已派出的派工单可以反馈进度")
		}
		if day < calendar.DateOf(*w.DispatchedAt, s.loc).String() {
			return apperr.Invalid("day", "反馈日期不能早于派工日期")
		}
		staff := p.StaffID
		switch {
		case in.TechnicianID != "" && in.TechnicianID != p.StaffID:
			if !slices.Contains(techs, in.TechnicianID) {
				return apperr.Invalid("technician_id", "该技术人员未被派往此派工单")
			}
			if !p.IsManagerial() && (w.SupervisorID == nil || *w.SupervisorID != p.StaffID) {
				return apperr.Forbidden("只有项目组主管可以代技术人员反馈")
			}
			staff = in.TechnicianID
		case staff == "":
			return apperr.Invalid("technician_id", "请选择技术人员")
		}
		r = new(WorkReport)
		err = tx.NewSelect().Model(r).Where("work_order_id = ? AND staff_id = ? AND day = ?", w.ID, staff, day).Scan(ctx)
		action, before := "report", any(nil)
		switch {
		case err == nil:
			b := *r
			before, action = &b, "report_correct"
			r.Status, r.Notes, r.ReportedAt, r.RecordedBy, r.RecordedAt = in.Status, in.Notes, at, optional(p.StaffID), now
			if _, err := tx.NewUpdate().Model(r).Column("status", "notes", "reported_at", "recorded_by", "recorded_at").
				Where("id = ?", r.ID).Exec(ctx); err != nil {
				return err
			}
		case errors.Is(err, store.ErrNoRows):
			r = &WorkReport{ID: store.NewID(), WorkOrderID: w.ID, StaffID: staff, Day: day, Status: in.Status, Notes: in.Notes,
				ReportedAt: at, RecordedBy: optional(p.StaffID), RecordedAt: now}
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return err
			}
		default:
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: "work_order", EntityID: w.ID,
			Summary: fmt.Sprintf("施工反馈 %s %s：%s", w.Number, day, reportStatusLabels[in.Status]), Before: before, After: r})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("work_order", workOrderID)
	return r, nil
}

// atAndDay parses an "at" ("" = now; never in the future) and a day (""
// = at's company date; not after today; at not before the day began).
func (s *Service) atAndDay(atText, day string, now time.Time) (time.Time, string, error) {
	at := now
	if strings.TrimSpace(atText) != "" {
		t, err := parseTime(atText, s.loc)
		if err != nil {
			return at, "", apperr.Invalid("at", "时间格式应为 YYYY-MM-DD HH:MM")
		}
		if t.After(now) {
			return at, "", apperr.Invalid("at", "时间不能晚于现在")
		}
		at = store.Time(t)
	}
	day = strings.TrimSpace(day)
	if day == "" {
		day = calendar.DateOf(at, s.loc).String()
	}
	d, err := calendar.ParseDate(day)
	if err != nil {
		return at, "", apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	if d.After(calendar.DateOf(now, s.loc)) {
		return at, "", apperr.Invalid("day", "日期不能晚于今天")
	}
	return at, day, nil
}

// Reports lists the end-of-day reports of a work order, by day.
func (s *Service) Reports(ctx context.Context, workOrderID string) ([]WorkReport, error) {
	if _, err := s.GetWorkOrder(ctx, workOrderID); err != nil {
		return nil, err
	}
	var out []WorkReport
	err := s.db.R().NewSelect().Model(&out).Where("work_order_id = ?", workOrderID).Order("day", "staff_id").Scan(ctx)
	return out, err
}

// workSpan is what decides on which days a work order is worked.
type workSpan struct {
	ID           string     `bun:"id"`
	Number       string     `bun:"number"`
	Type         string     `bun:"type"`
	CustomerID   string     `bun:"customer_id"`
	CustomerName string     `bun:"customer_name"`
	OwnerID      *string    `bun:"owner_id"`
	SupervisorID *string    `bun:"supervisor_id"`
	Status       string     `bun:"status"`
	PlannedOn    *string    `bun:"planned_on"`
	DeadlineOn   *string    `bun:"deadline_on"`
	DispatchedAt *time.Time `bun:"dispatched_at"`
	CompletedAt  *time.Time `bun:"completed_at"`
}

// maxWorkDays bounds the days one work order counts as worked.
const maxWorkDays = 62

// days are the company days on which the order is worked (有施工的日子),
// up to last: from its planned day (or its dispatch day, if later or
// none) to its deadline (or its planned day), ending early on the day it
// was completed; a repair with neither runs from its dispatch to its
// completion. Only dispatched work counts: planned, returned and
// cancelled orders are not in the field.
func (w workSpan) days(loc *time.Location, last string) []string {
	if w.DispatchedAt == nil || !slices.Contains([]string{StatusDispatched, StatusCompleted, StatusAccepted}, w.Status) {
		return nil
	}
	dispatched := calendar.DateOf(*w.DispatchedAt, loc).String()
	start := max(deref(w.PlannedOn), dispatched)
	end := deref(w.DeadlineOn)
	if end == "" {
		end = deref(w.PlannedOn)
	}
	if w.CompletedAt != nil {
		done := calendar.DateOf(*w.CompletedAt, loc).String()
		if end == "" || done < end {
			end = done
		}
	}
	if end == "" || end > last {
		end = last
	}
	d, err := calendar.ParseDate(start)
	if err != nil {
		return nil
	}
	var out []string
	for ; d.String() <= end && len(out) < maxWorkDays; d = d.AddDays(1) {
		out = append(out, d.String())
	}
	return out
}

const workSpanColumns = `w.id, w.number, w.type, w.customer_id, c.name AS customer_name, w.owner_id, w.supervisor_id, w.status, w.planned_on, w.deadline_on,
	w.dispatched_at, w.completed_at`

// workOn lists the work orders worked on day (see workSpan.days), with
// extra conditions on w.
func workOn(ctx context.Context, db bun.IDB, loc *time.Location, day string, where string, args ...any) ([]workSpan, error) {
	var spans []workSpan
	q := `SELECT ` + workSpanColumns + ` FROM work_orders w JOIN customers c ON c.id = w.customer_id
		WHERE w.dispatched_at IS NOT NULL AND w.status IN ('dispatched', 'completed', 'accepted')
			AND (w.planned_on IS NULL OR w.planned_on <= ?)
			AND (COALESCE(w.deadline_on, w.planned_on) IS NULL OR COALESCE(w.deadline_on, w.planned_on) >= ?)`
	if where != "" {
		q += " AND " + where
	}
	if err := db.NewRaw(q+" ORDER BY w.number", append([]any{day, day}, args...)...).Scan(ctx, &spans); err != nil {
		return nil, err
	}
	out := spans[:0]
	for _, w := range spans {
		if slices.Contains(w.days(loc, day), day) {
			out = append(out, w)
		}
	}
	return out, nil
}

// MissingReport is a work order worked on a day whose end-of-day report
// is missing: the technicians who have not reported (all of them, when
// the group's supervisor has not reported for the group either).
type MissingReport struct {
	Day string `json:"day"`
	WorkOrderRow
	Missing []Person `json:"missing"`
}

// MissingReports lists the work of day (YYYY-MM-DD) whose technicians
// have not reported (未反馈), for the specialist to chase: a specialist
// sees their customers', a supervisor their group's, managers all.
func (s *Service) MissingReports(ctx context.Context, day string) ([]MissingReport, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看派工单")
	}
	if _, err := calendar.ParseDate(day); err != nil {
		return nil, apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	where, args := "", []any(nil)
	if !p.IsManagerial() && !p.Has(access.Executive) {
		where, args = "(w.owner_id = ? OR w.supervisor_id = ?)", []any{p.StaffID, p.StaffID}
	}
	db := s.db.R()
	spans, err := workOn(ctx, db, s.loc, day, where, args...)
	if err != nil {
		return nil, err
	}
	rows, err := s.rowsOf(ctx, db, spans)
	if err != nil {
		return nil, err
	}
	reported, err := reportersOn(ctx, db, day, rows)
	if err != nil {
		return nil, err
	}
	var out []MissingReport
	for _, r := range rows {
		who := reported[r.ID]
		if r.SupervisorID != nil && who[*r.SupervisorID] {
			continue
		}
		var missing []Person
		for _, t := range r.Technicians {
			if !who[t.ID] {
				missing = append(missing, t)
			}
		}
		if len(r.Technicians) == 0 && len(who) == 0 {
			missing = []Person{{ID: deref(r.SupervisorID), Name: r.SupervisorName}}
		}
		if len(missing) > 0 {
			out = append(out, MissingReport{Day: day, WorkOrderRow: r, Missing: missing})
		}
	}
	return out, nil
}

// rowsOf loads the named work orders as rows, in the spans' order.
func (s *Service) rowsOf(ctx context.Context, db bun.IDB, spans []workSpan) ([]WorkOrderRow, error) {
	var out []WorkOrderRow
	for _, w := range spans {
		rows, err := s.listWorkOrders(ctx, db, WorkOrderFilter{ID: w.ID, Limit: 1})
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// reportersOn: work order → who reported on day.
func reportersOn(ctx context.Context, db bun.IDB, day string, rows []WorkOrderRow) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	var reps []WorkReport
	if err := db.NewSelect().Model(&reps).Where("day = ?", day).Scan(ctx); err != nil {
		return nil, err
	}
	for _, r := range reps {
		if out[r.WorkOrderID] == nil {
			out[r.WorkOrderID] = map[string]bool{}
		}
		out[r.WorkOrderID][r.StaffID] = true
	}
	return out, nil
}

// Follow-up kinds.
const (
	FollowupReminder      = "reminder"       // 施工提醒
	FollowupGroupFeedback = "group_feedback" // 微信群反馈
)

var followupLabels = map[string]string{FollowupReminder: "施工提醒", FollowupGroupFeedback: "微信群反馈"}

// Followup is a reminder to the technicians or a post of the results to
// the customer's WeChat group, for a customer's work day.
type Followup struct {
	ID          string    `bun:"id,pk" json:"id"`
	CustomerID  string    `bun:"customer_id" json:"customer_id"`
	WorkOrderID *string   `bun:"work_order_id" json:"work_order_id"`
	Day         string    `bun:"day" json:"day"`
	Kind        string    `bun:"kind" json:"kind"`
	StaffID     *string   `bun:"staff_id" json:"staff_id"`
	At          time.Time `bun:"at" json:"at"`
	Note        string    `bun:"note" json:"note"`
	RecordedAt  time.Time `bun:"recorded_at" json:"recorded_at"`

	bun.BaseModel `bun:"table:followups"`
}

// FollowupInput records a follow-up. The customer follows from the work
// order when one is given. Day: the work day it is for ("" = the date of
// At); a reminder counts when made by the end of that day, a group post
// when made on that day.
type FollowupInput struct {
	CustomerID  string `json:"customer_id"`
	WorkOrderID string `json:"work_order_id"`
	Day         string `json:"day"`
	Kind        string `json:"kind"`
	At          string `json:"at"`
	Note        string `json:"note"`
}

// RecordFollowup records a reminder (施工提醒) or a WeChat-group feedback
// (微信群反馈): the customer's specialist, or a manager.
func (s *Service) RecordFollowup(ctx context.Context, in FollowupInput) (*Followup, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) {
		return nil, apperr.Forbidden("无权登记工作跟进")
	}
	if _, ok := followupLabels[in.Kind]; !ok {
		return nil, apperr.Invalid("kind", "跟进类型只能是 施工提醒 或 微信群反馈")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 2000 {
		return nil, apperr.Invalid("note", "说明最多 2000 字")
	}
	now := store.Time(s.now())
	at, day, err := s.atAndDay(in.At, in.Day, now)
	if err != nil {
		return nil, err
	}
	f := &Followup{ID: store.NewID(), Day: day, Kind: in.Kind, StaffID: optional(p.StaffID), At: at, Note: in.Note, RecordedAt: now}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if in.WorkOrderID != "" {
			w, err := getWorkOrder(ctx, tx, in.WorkOrderID)
			if err != nil {
				return notFoundAs(err, apperr.Invalid("work_order_id", "派工单不存在"))
			}
			if in.CustomerID != "" && in.CustomerID != w.CustomerID {
				return apperr.Invalid("work_order_id", "派工单不属于该客户")
			}
			in.CustomerID, f.WorkOrderID = w.CustomerID, &w.ID
		}
		if in.CustomerID == "" {
			return apperr.Invalid("customer_id", "请选择客户")
		}
		c, err := loadCustomer(ctx, tx, in.CustomerID)
		if err != nil {
			return err
		}
		if !owns(p, c.OwnerID) {
			return apperr.Forbidden("只能登记自己分管客户的工作跟进")
		}
		f.CustomerID = c.ID
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "followup", EntityID: f.ID,
			Summary: fmt.Sprintf("%s %s %s", followupLabels[f.Kind], c.Name, day), After: f})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("followup", f.ID)
	return f, nil
}

// Followups lists a customer's follow-ups between from and to (inclusive
// days; "" = open).
func (s *Service) Followups(ctx context.Context, customerID, from, to string) ([]Followup, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看")
	}
	var out []Followup
	q := s.db.R().NewSelect().Model(&out).Where("customer_id = ?", customerID)
	if from != "" {
		q = q.Where("day >= ?", from)
	}
	if to != "" {
		q = q.Where("day <= ?", to)
	}
	err := q.Order("day", "at").Scan(ctx)
	return out, err
}

// counts reports whether a follow-up made at at counts for day: a
// reminder by the end of the day, a group post on the day itself.
func (f Followup) counts(loc *time.Location) bool {
	d := calendar.DateOf(f.At, loc).String()
	if f.Kind == FollowupGroupFeedback {
		return d == f.Day
	}
	return d <= f.Day
}
