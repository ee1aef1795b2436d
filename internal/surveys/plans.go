package surveys

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Plan is a survey plan (调查计划).
type Plan struct {
	ID            string     `bun:"id,pk" json:"id"`
	Title         string     `bun:"title" json:"title"`
	Period        string     `bun:"period" json:"period"`
	DueOn         string     `bun:"due_on" json:"due_on"`
	DueAt         time.Time  `bun:"due_at" json:"due_at"`
	Method        string     `bun:"method" json:"method"`
	ScopeClass    string     `bun:"scope_class" json:"scope_class"`
	ScopeRegionID *string    `bun:"scope_region_id" json:"scope_region_id"`
	ScopeOwnerID  *string    `bun:"scope_owner_id" json:"scope_owner_id"`
	Notes         string     `bun:"notes" json:"notes"`
	Status        string     `bun:"status" json:"status"`
	CreatedBy     *string    `bun:"created_by" json:"created_by"`
	IssuedAt      *time.Time `bun:"issued_at" json:"issued_at"`
	IssuedBy      *string    `bun:"issued_by" json:"issued_by"`
	ClosedAt      *time.Time `bun:"closed_at" json:"closed_at"`
	ClosedBy      *string    `bun:"closed_by" json:"closed_by"`
	Version       int64      `bun:"version" json:"version"`
	CreatedAt     time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:survey_plans"`
}

// Question is one question of a plan: a score 1–5 or free text. Overall
// marks the score question counted by the monthly satisfaction summary.
type Question struct {
	ID      string `bun:"id,pk" json:"id"`
	PlanID  string `bun:"plan_id" json:"-"`
	Seq     int    `bun:"seq" json:"seq"`
	Text    string `bun:"text" json:"text"`
	Kind    string `bun:"kind" json:"kind"`
	Overall bool   `bun:"overall" json:"overall"`

	bun.BaseModel `bun:"table:survey_questions"`
}

// QuestionInput is a question as the manager writes it.
type QuestionInput struct {
	Text    string `json:"text"`
	Kind    string `json:"kind"`
	Overall bool   `json:"overall"`
}

// DefaultQuestions is the usual questionnaire: 服务态度, 响应速度, 维修质量,
// 总体满意度 (scored; the overall one counts in the monthly summary) and
// 意见建议 (free text).
func DefaultQuestions() []QuestionInput {
	return []QuestionInput{
		{Text: "服务态度", Kind: KindScore}, {Text: "响应速度", Kind: KindScore}, {Text: "维修质量", Kind: KindScore},
		{Text: "总体满意度", Kind: KindScore, Overall: true}, {Text: "意见建议", Kind: KindText},
	}
}

// PlanInput is what the manager sets on a draft plan. Questions left out
// (nil) are the default questionnaire.
type PlanInput struct {
	Title         string          `json:"title"`
	Period        string          `json:"period"`
	DueOn         string          `json:"due_on"`
	Method        string          `json:"method"`
	ScopeClass    string          `json:"scope_class"`
	ScopeRegionID string          `json:"scope_region_id"`
	ScopeOwnerID  string          `json:"scope_owner_id"`
	Notes         string          `json:"notes"`
	Questions     []QuestionInput `json:"questions"`
}

var periodRE = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])$`)

// check validates what needs no database and fills the defaults.
func (in *PlanInput) check() error {
	for _, p := range []*string{&in.Title, &in.Period, &in.DueOn, &in.Method, &in.ScopeClass, &in.ScopeRegionID, &in.ScopeOwnerID, &in.Notes} {
		*p = strings.TrimSpace(*p)
	}
	switch {
	case in.Title == "":
		return apperr.Invalid("title", "请填写调查标题")
	case utf8.RuneCountInString(in.Title) > 200:
		return apperr.Invalid("title", "不能超过 200 个字")
	case !periodRE.MatchString(in.Period):
		return apperr.Invalid("period", "调查期间应为月份 2026-03 或季度 2026Q1")
	case in.DueOn == "":
		return apperr.Invalid("due_on", "请填写截止日期")
	}
	if _, err := calendar.ParseDate(in.DueOn); err != nil {
		return apperr.Invalid("due_on", "日期格式应为 YYYY-MM-DD")
	}
	if !slices.Contains(Methods, in.Method) {
		return apperr.Invalid("method", "调查方式须为 电话、微信、上门 或 问卷")
	}
	if in.ScopeClass != "" && !slices.Contains(Classes, in.ScopeClass) {
		return apperr.Invalid("scope_class", "客户等级须为 A、B、C 或 D")
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		return apperr.Invalid("notes", "不能超过 2000 个字")
	}
	if in.Questions == nil {
		in.Questions = DefaultQuestions()
	}
	if len(in.Questions) == 0 {
		return apperr.Invalid("questions", "至少要有一个问题")
	}
	if len(in.Questions) > 30 {
		return apperr.Invalid("questions", "问题不能超过 30 个")
	}
	overall, scores := 0, 0
	for i := range in.Questions {
		q := &in.Questions[i]
		q.Text, q.Kind = strings.TrimSpace(q.Text), strings.TrimSpace(q.Kind)
		field := fmt.Sprintf("questions[%d].", i)
		switch {
		case q.Text == "":
			return apperr.Invalid(field+"text", "请填写问题")
		case utf8.RuneCountInString(q.Text) > 200:
			return apperr.Invalid(field+"text", "不能超过 200 个字")
		case q.Kind != KindScore && q.Kind != KindText:
			return apperr.Invalid(field+"kind", "题型须为 score（1–5 分）或 text（文字）")
		case q.Overall && q.Kind != KindScore:
			return apperr.Invalid(field+"overall", "只有打分题可以计入满意度汇总")
		}
		if q.Kind == KindScore {
			scores++
		}
		if q.Overall {
			overall++
		}
	}
	if overall > 1 {
		return apperr.Invalid("questions", "只能有一个问题计入满意度汇总（总体满意度）")
	}
	if overall == 0 && scores > 0 {
		return apperr.Invalid("questions", "请指定一个打分题计入满意度汇总（总体满意度）")
	}
	return nil
}

// dueAt is the instant a plan due on day is overdue: the start of the next
// company day.
func (s *Service) dueAt(day string) time.Time {
	d, _ := calendar.ParseDate(day)
	return store.Time(d.AddDays(1).In(s.loc))
}

// checkRefs checks the scope's region and owner exist.
func checkRefs(ctx context.Context, db bun.IDB, in *PlanInput) error {
	if in.ScopeRegionID != "" {
		n, err := db.NewSelect().Table("regions").Where("id = ?", in.ScopeRegionID).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Invalid("scope_region_id", "区域不存在")
		}
	}
	if in.ScopeOwnerID != "" {
		n, err := db.NewSelect().Table("staff").Where("id = ?", in.ScopeOwnerID).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Invalid("scope_owner_id", "员工不存在")
		}
	}
	return nil
}

func questionRows(planID string, qs []QuestionInput) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		out[i] = Question{ID: store.NewID(), PlanID: planID, Seq: i + 1, Text: q.Text, Kind: q.Kind, Overall: q.Overall}
	}
	return out
}

func manages(p *access.Principal) error {
	if !p.Can(access.DeskManage) || !p.IsManagerial() {
		return apperr.Forbidden("调查计划由客服经理制定和下发")
	}
	return nil
}

// CreatePlan saves a draft plan (managers).
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*PlanDetail, error) {
	p := access.Caller(ctx)
	if err := manages(p); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	now := store.Time(s.now())
	pl := &Plan{ID: store.NewID(), Title: in.Title, Period: in.Period, DueOn: in.DueOn, DueAt: s.dueAt(in.DueOn), Method: in.Method,
		ScopeClass: in.ScopeClass, ScopeRegionID: optional(in.ScopeRegionID), ScopeOwnerID: optional(in.ScopeOwnerID), Notes: in.Notes,
		Status: StatusDraft, CreatedBy: actor(p), Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := checkRefs(ctx, tx, &in); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(pl).Exec(ctx); err != nil {
			return err
		}
		qs := questionRows(pl.ID, in.Questions)
		if _, err := tx.NewInsert().Model(&qs).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "survey_plan", EntityID: pl.ID,
			Summary: "新建满意度调查计划 " + pl.Title, After: map[string]any{"plan": pl, "questions": qs}})
	})
	if err != nil {
		return nil, err
	}
	return s.Plan(ctx, pl.ID)
}

// UpdatePlan changes a draft plan; an issued plan keeps what it was issued
// with.
func (s *Service) UpdatePlan(ctx context.Context, id string, version int64, in PlanInput) (*PlanDetail, error) {
	p := access.Caller(ctx)
	if err := manages(p); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pl, err := getPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if pl.Version != version {
			return staleVersion()
		}
		if pl.Status != StatusDraft {
			return apperr.Conflict("status", "计划已下发，不能再修改")
		}
		if err := checkRefs(ctx, tx, &in); err != nil {
			return err
		}
		var oldQs []Question
		if err := tx.NewSelect().Model(&oldQs).Where("plan_id = ?", id).Order("seq").Scan(ctx); err != nil {
			return err
		}
		before := *pl
		now := store.Time(s.now())
		pl.Title, pl.Period, pl.DueOn, pl.DueAt, pl.Method = in.Title, in.Period, in.DueOn, s.dueAt(in.DueOn), in.Method
		pl.ScopeClass, pl.ScopeRegionID, pl.ScopeOwnerID, pl.Notes = in.ScopeClass, optional(in.ScopeRegionID), optional(in.ScopeOwnerID), in.Notes
		pl.Version, pl.UpdatedAt = version+1, now
		res, err := tx.NewUpdate().Model(pl).WherePK().Where("version = ?", version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		if _, err := tx.NewDelete().Table("survey_questions").Where("plan_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		qs := questionRows(pl.ID, in.Questions)
		if _, err := tx.NewInsert().Model(&qs).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "survey_plan", EntityID: pl.ID,
			Summary: "修改满意度调查计划 " + pl.Title, Before: map[string]any{"plan": before, "questions": oldQs},
			After: map[string]any{"plan": pl, "questions": qs}})
	})
	if err != nil {
		return nil, err
	}
	return s.Plan(ctx, id)
}

func getPlan(ctx context.Context, db bun.IDB, id string) (*Plan, error) {
	pl := new(Plan)
	if err := db.NewSelect().Model(pl).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("survey_plan"))
	}
	return pl, nil
}

// IssuePlan issues a draft (下发): one task per active customer in scope,
// assigned to the customer's owning specialist now. A scope without
// customers is refused.
func (s *Service) IssuePlan(ctx context.Context, id string, version int64) (*PlanDetail, error) {
	p := access.Caller(ctx)
	if err := manages(p); err != nil {
		return nil, err
	}
	pl, err := getPlan(ctx, s.db.R(), id)
	if err != nil {
		return nil, err
	}
	if pl.Status != StatusDraft {
		return nil, apperr.Conflict("status", "计划已下发")
	}
	custs, err := s.customers.SurveyCustomers(ctx, Scope{Class: pl.ScopeClass, RegionID: deref(pl.ScopeRegionID), OwnerID: deref(pl.ScopeOwnerID)})
	if err != nil {
		return nil, fmt.Errorf("surveys: customers in scope: %w", err)
	}
	if len(custs) == 0 {
		return nil, apperr.Invalid("scope", "调查范围内没有在用客户")
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pl, err := getPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if pl.Version != version {
			return staleVersion()
		}
		if pl.Status != StatusDraft {
			return apperr.Conflict("status", "计划已下发")
		}
		before := *pl
		now := store.Time(s.now())
		pl.Status, pl.IssuedAt, pl.IssuedBy, pl.Version, pl.UpdatedAt = StatusOpen, &now, actor(p), version+1, now
		res, err := tx.NewUpdate().Model(pl).WherePK().Where("version = ?", version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		tasks := make([]Task, len(custs))
		for i, c := range custs {
			tasks[i] = Task{ID: store.NewID(), PlanID: pl.ID, CustomerID: c.ID, StaffID: optional(c.OwnerID), RegionID: optional(c.RegionID),
				Class: c.Class, Version: 1, CreatedAt: now, UpdatedAt: now}
		}
		for len(tasks) > 0 {
			n := min(len(tasks), 200)
			part := tasks[:n]
			tasks = tasks[n:]
			if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "survey_plan", EntityID: pl.ID,
			Summary: fmt.Sprintf("下发满意度调查计划 %s（%d 位客户）", pl.Title, len(custs)), Before: &before, After: pl})
	})
	if err != nil {
		return nil, err
	}
	return s.Plan(ctx, id)
}

// ClosePlan ends an issued plan (结束): no more responses are recorded;
// tasks without one stay as they are in the results.
func (s *Service) ClosePlan(ctx context.Context, id string, version int64) (*PlanDetail, error) {
	p := access.Caller(ctx)
	if err := manages(p); err != nil {
		return nil, err
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pl, err := getPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if pl.Version != version {
			return staleVersion()
		}
		switch pl.Status {
		case StatusDraft:
			return apperr.Conflict("status", "计划尚未下发")
		case StatusClosed:
			return apperr.Conflict("status", "计划已结束")
		}
		before := *pl
		now := store.Time(s.now())
		pl.Status, pl.ClosedAt, pl.ClosedBy, pl.Version, pl.UpdatedAt = StatusClosed, &now, actor(p), version+1, now
		res, err := tx.NewUpdate().Model(pl).WherePK().Where("version = ?", version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "survey_plan", EntityID: pl.ID,
			Summary: "结束满意度调查计划 " + pl.Title, Before: &before, After: pl})
	})
	if err != nil {
		return nil, err
	}
	return s.Plan(ctx, id)
}

// PlanView is a plan with its scope's names and its task counts.
type PlanView struct {
	Plan            `bun:",extend"`
	ScopeRegionName string `bun:"scope_region_name" json:"scope_region_name"`
	ScopeOwnerName  string `bun:"scope_owner_name" json:"scope_owner_name"`
	Total           int    `bun:"total" json:"total"`
	Done            int    `bun:"done" json:"done"`
	// Overdue: open plan past its due date, task without a response.
	Overdue bool `bun:"-" json:"overdue"`
}

const planSelect = `SELECT p.*, COALESCE(r.name, '') AS scope_region_name, COALESCE(o.name, '') AS scope_owner_name,
	(SELECT COUNT(*) FROM survey_tasks t WHERE t.plan_id = p.id) AS total,
	(SELECT COUNT(*) FROM survey_tasks t WHERE t.plan_id = p.id AND t.outcome <> '') AS done
	FROM survey_plans p LEFT JOIN regions r ON r.id = p.scope_region_id LEFT JOIN staff o ON o.id = p.scope_owner_id`

// PlanFilter selects plans.
type PlanFilter struct {
	Status string
	Limit  int
}

// Plans lists plans, newest first (everyone on the desk reads them).
func (s *Service) Plans(ctx context.Context, f PlanFilter) ([]PlanView, error) {
	if !access.Caller(ctx).Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看满意度调查")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, apperr.Invalid("status", "状态须为 draft、open 或 closed")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q, args := planSelect, []any{}
	if f.Status != "" {
		q += " WHERE p.status = ?"
		args = append(args, f.Status)
	}
	q += " ORDER BY p.created_at DESC, p.id DESC LIMIT ?"
	args = append(args, limit)
	out := []PlanView{}
	if err := s.db.R().NewRaw(q, args...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	now := s.now()
	for i := range out {
		out[i].Overdue = out[i].Status == StatusOpen && !now.Before(out[i].DueAt) && out[i].Done < out[i].Total
	}
	return out, nil
}

// PlanDetail is a plan with its questions, progress and results.
type PlanDetail struct {
	PlanView
	Questions []Question `json:"questions"`
	Progress  Progress   `json:"progress"`
	Results   Results    `json:"results"`
}

// Plan returns a plan with its questions, its progress per specialist, the
// overdue tasks and the results (everyone on the desk).
func (s *Service) Plan(ctx context.Context, id string) (*PlanDetail, error) {
	if !access.Caller(ctx).Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看满意度调查")
	}
	db := s.db.R()
	d := &PlanDetail{}
	if err := db.NewRaw(planSelect+" WHERE p.id = ?", id).Scan(ctx, &d.PlanView); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("survey_plan"))
	}
	now := s.now()
	d.Overdue = d.Status == StatusOpen && !now.Before(d.DueAt) && d.Done < d.Total
	if err := db.NewSelect().Model(&d.Questions).Where("plan_id = ?", id).Order("seq").Scan(ctx); err != nil {
		return nil, err
	}
	if d.Questions == nil {
		d.Questions = []Question{}
	}
	tasks, err := s.tasks(ctx, db, TaskFilter{PlanID: id}, 0)
	if err != nil {
		return nil, err
	}
	answers, err := planAnswers(ctx, db, id)
	if err != nil {
		return nil, err
	}
	d.Progress = Summarise(tasks)
	d.Results = Evaluate(d.Questions, tasks, answers)
	return d, nil
}
