package surveys

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Task is one customer's survey of an issued plan (调查任务), assigned to
// the owning specialist at issue, with its response once recorded.
type Task struct {
	ID              string     `bun:"id,pk" json:"id"`
	PlanID          string     `bun:"plan_id" json:"plan_id"`
	CustomerID      string     `bun:"customer_id" json:"customer_id"`
	StaffID         *string    `bun:"staff_id" json:"staff_id"`
	RegionID        *string    `bun:"region_id" json:"region_id"`
	Class           string     `bun:"class" json:"class"`
	Outcome         string     `bun:"outcome" json:"outcome"`
	ContactName     string     `bun:"contact_name" json:"contact_name"`
	AnsweredAt      *time.Time `bun:"answered_at" json:"answered_at"`
	Channel         string     `bun:"channel" json:"channel"`
	Note            string     `bun:"note" json:"note"`
	OverallScore    *int       `bun:"overall_score" json:"overall_score"`
	CommunicationID *string    `bun:"communication_id" json:"communication_id"`
	RecordedBy      *string    `bun:"recorded_by" json:"recorded_by"`
	RecordedAt      *time.Time `bun:"recorded_at" json:"recorded_at"`
	Version         int64      `bun:"version" json:"version"`
	CreatedAt       time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:survey_tasks"`
}

// Answer is the answer to one question.
type Answer struct {
	TaskID     string `bun:"task_id,pk" json:"-"`
	QuestionID string `bun:"question_id,pk" json:"question_id"`
	Score      *int   `bun:"score" json:"score"`
	Text       string `bun:"text" json:"text"`

	bun.BaseModel `bun:"table:survey_answers"`
}

// TaskView is a task with what a list shows.
type TaskView struct {
	Task         `bun:",extend"`
	PlanTitle    string    `bun:"plan_title" json:"plan_title"`
	PlanStatus   string    `bun:"plan_status" json:"plan_status"`
	DueOn        string    `bun:"due_on" json:"due_on"`
	DueAt        time.Time `bun:"due_at" json:"due_at"`
	CustomerName string    `bun:"customer_name" json:"customer_name"`
	StaffName    string    `bun:"staff_name" json:"staff_name"`
	RegionName   string    `bun:"region_name" json:"region_name"`
	// Overdue: the plan is open, past its due date, and no response yet.
	Overdue bool `bun:"-" json:"overdue"`
}

// Done reports whether the task has a response.
func (t *TaskView) Done() bool { return t.Outcome != "" }

const taskSelect = `SELECT t.*, p.title AS plan_title, p.status AS plan_status, p.due_on, p.due_at,
	cu.name AS customer_name, COALESCE(st.name, '') AS staff_name, COALESCE(r.name, '') AS region_name
	FROM survey_tasks t JOIN survey_plans p ON p.id = t.plan_id
	JOIN customers cu ON cu.id = t.customer_id
	LEFT JOIN staff st ON st.id = t.staff_id
	LEFT JOIN regions r ON r.id = t.region_id`

// TaskFilter selects tasks.
type TaskFilter struct {
	PlanID  string
	StaffID string
	// State: pending (no response), done, overdue, or "" for all.
	State string
	// OpenPlans: only tasks of issued plans not closed.
	OpenPlans bool
	Limit     int
}

// TaskStates are the states a task list may be narrowed to.
var TaskStates = []string{"pending", "overdue", "done"}

// tasks loads tasks by f (limit 0: all), ordered by due date, customer.
func (s *Service) tasks(ctx context.Context, db bun.IDB, f TaskFilter, limit int) ([]TaskView, error) {
	var where []string
	var args []any
	if f.PlanID != "" {
		where, args = append(where, "t.plan_id = ?"), append(args, f.PlanID)
	}
	if f.StaffID != "" {
		where, args = append(where, "t.staff_id = ?"), append(args, f.StaffID)
	}
	if f.OpenPlans {
		where = append(where, "p.status = 'open'")
	}
	now := store.Time(s.now())
	switch f.State {
	case "pending":
		where = append(where, "t.outcome = ''")
	case "done":
		where = append(where, "t.outcome <> ''")
	case "overdue":
		where, args = append(where, "t.outcome = '' AND p.status = 'open' AND p.due_at <= ?"), append(args, now)
	}
	q := taskSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY p.due_at, cu.name, t.id"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	out := []TaskView{}
	if err := db.NewRaw(q, args...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Overdue = overdue(&out[i], now)
	}
	return out, nil
}

func overdue(t *TaskView, now time.Time) bool {
	return t.Outcome == "" && t.PlanStatus == StatusOpen && !now.Before(t.DueAt)
}

// Tasks lists survey tasks: a specialist limited to their own customers
// sees the tasks assigned to them (their work list); managers everyone's
// or one specialist's.
func (s *Service) Tasks(ctx context.Context, f TaskFilter) ([]TaskView, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看满意度调查")
	}
	if f.State != "" && !slices.Contains(TaskStates, f.State) {
		return nil, apperr.Invalid("state", "状态须为 pending、overdue 或 done")
	}
	if p.OnlySpecialist() && !s.specialistReadAll {
		f.StaffID = p.StaffID
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	return s.tasks(ctx, s.db.R(), f, limit)
}

// TaskDetail is a task with its plan's questions and the answers.
type TaskDetail struct {
	TaskView
	Method    string     `json:"method"`
	Questions []Question `json:"questions"`
	Answers   []Answer   `json:"answers"`
	CanRecord bool       `json:"can_record"`
}

// Task returns one task with its questions and answers. A specialist
// limited to their own customers reads only the tasks assigned to them.
func (s *Service) Task(ctx context.Context, id string) (*TaskDetail, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看满意度调查")
	}
	db := s.db.R()
	d := &TaskDetail{}
	if err := db.NewRaw(taskSelect+" WHERE t.id = ?", id).Scan(ctx, &d.TaskView); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("survey_task"))
	}
	if p.OnlySpecialist() && !s.specialistReadAll && deref(d.StaffID) != p.StaffID {
		return nil, apperr.Forbidden("只能查看分配给自己的调查任务")
	}
	d.Overdue = overdue(&d.TaskView, s.now())
	if err := db.NewSelect().Table("survey_plans").Column("method").Where("id = ?", d.PlanID).Scan(ctx, &d.Method); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&d.Questions).Where("plan_id = ?", d.PlanID).Order("seq").Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&d.Answers).Where("task_id = ?", id).Scan(ctx); err != nil {
		return nil, err
	}
	if d.Questions == nil {
		d.Questions = []Question{}
	}
	if d.Answers == nil {
		d.Answers = []Answer{}
	}
	d.CanRecord = d.Outcome == "" && d.PlanStatus == StatusOpen && CanRecord(p, d.StaffID)
	return d, nil
}

// ResponseInput records a customer's response: who answered, when
// (default now), by which channel (default the plan's method), a score
// per score question and the remarks; or the outcome unreachable
// (无法联系) / refused (拒绝) with a note.
type ResponseInput struct {
	Outcome     string        `json:"outcome"`
	ContactName string        `json:"contact_name"`
	At          string        `json:"at"`
	Channel     string        `json:"channel"`
	Answers     []AnswerInput `json:"answers"`
	Note        string        `json:"note"`
}

// AnswerInput answers one question: a score 1–5 or a text.
type AnswerInput struct {
	QuestionID string `json:"question_id"`
	Score      int    `json:"score"`
	Text       string `json:"text"`
}

// parseTime reads RFC 3339, or a time without a zone in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Second), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("时间格式应为 2026-03-05T10:00:05+08:00 或 2026-03-05 10:00:05（按公司时区）")
}

// check validates a response against the plan's questions and returns
// the answer rows and the overall score.
func (in *ResponseInput) check(qs []Question, method string) ([]Answer, *int, error) {
	in.Outcome, in.ContactName, in.Channel, in.Note = strings.TrimSpace(in.Outcome), strings.TrimSpace(in.ContactName), strings.TrimSpace(in.Channel), strings.TrimSpace(in.Note)
	if in.Channel == "" {
		in.Channel = method
	}
	switch {
	case !slices.Contains(Outcomes, in.Outcome):
		return nil, nil, apperr.Invalid("outcome", "结果须为 answered（已答复）、unreachable（无法联系）或 refused（拒绝）")
	case !slices.Contains(Methods, in.Channel):
		return nil, nil, apperr.Invalid("channel", "调查方式须为 电话、微信、上门 或 问卷")
	case utf8.RuneCountInString(in.ContactName) > 100:
		return nil, nil, apperr.Invalid("contact_name", "不能超过 100 个字")
	case utf8.RuneCountInString(in.Note) > 2000:
		return nil, nil, apperr.Invalid("note", "不能超过 2000 个字")
	}
	if in.Outcome != OutcomeAnswered {
		if in.Note == "" {
			return nil, nil, apperr.Invalid("note", "无法联系或拒绝时请填写说明")
		}
		for _, a := range in.Answers {
			if a.Score != 0 || strings.TrimSpace(a.Text) != "" {
				return nil, nil, apperr.Invalid("answers", "无法联系或拒绝时不能填写答案")
			}
		}
		return nil, nil, nil
	}
	if in.ContactName == "" {
		return nil, nil, apperr.Invalid("contact_name", "请填写受访联系人")
	}
	byID := map[string]AnswerInput{}
	for i, a := range in.Answers {
		if !slices.ContainsFunc(qs, func(q Question) bool { return q.ID == a.QuestionID }) {
			return nil, nil, apperr.Invalid(fmt.Sprintf("answers[%d].question_id", i), "问题不属于该调查")
		}
		if _, dup := byID[a.QuestionID]; dup {
			return nil, nil, apperr.Invalid(fmt.Sprintf("answers[%d].question_id", i), "同一问题只能回答一次")
		}
		byID[a.QuestionID] = a
	}
	var rows []Answer
	var overallScore *int
	for _, q := range qs {
		a := byID[q.ID]
		a.Text = strings.TrimSpace(a.Text)
		switch q.Kind {
		case KindScore:
			if a.Score < 1 || a.Score > 5 {
				return nil, nil, apperr.Invalid("answers", fmt.Sprintf("「%s」须打 1 到 5 分", q.Text))
			}
			sc := a.Score
			rows = append(rows, Answer{QuestionID: q.ID, Score: &sc, Text: a.Text})
			if q.Overall {
				overallScore = &sc
			}
		case KindText:
			if a.Score != 0 {
				return nil, nil, apperr.Invalid("answers", fmt.Sprintf("「%s」是文字题，不能打分", q.Text))
			}
			if utf8.RuneCountInString(a.Text) > 2000 {
				return nil, nil, apperr.Invalid("answers", fmt.Sprintf("「%s」不能超过 2000 个字", q.Text))
			}
			if a.Text != "" {
				rows = append(rows, Answer{QuestionID: q.ID, Text: a.Text})
			}
		}
	}
	return rows, overallScore, nil
}

var outcomeNames = map[string]string{OutcomeAnswered: "已答复", OutcomeUnreachable: "无法联系", OutcomeRefused: "拒绝"}

var methodNames = map[string]string{MethodPhone: "电话", MethodWeChat: "微信", MethodVisit: "上门", MethodQuestionnaire: "问卷"}

// RecordResponse records the response of a task (a specialist for the
// tasks assigned to them, managers for anyone) and stores its
// communication record, tagged satisfaction, through Comms. version is
// the task's. The record is stored first: should the response then fail
// (someone recorded it at the same moment), the call stays a true
// communication record without a survey.
func (s *Service) RecordResponse(ctx context.Context, id string, version int64, in ResponseInput) (*TaskDetail, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return nil, apperr.Forbidden("无权登记满意度调查")
	}
	d, err := s.Task(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanRecord(p, d.StaffID) {
		return nil, apperr.Forbidden("只能登记分配给自己的调查任务")
	}
	if d.Version != version {
		return nil, staleVersion()
	}
	switch {
	case d.Outcome != "":
		return nil, apperr.Conflict("outcome", "该客户的调查结果已登记")
	case d.PlanStatus == StatusClosed:
		return nil, apperr.Conflict("status", "调查计划已结束，不能再登记")
	case d.PlanStatus != StatusOpen:
		return nil, apperr.Conflict("status", "调查计划尚未下发")
	}
	answers, overallScore, err := in.check(d.Questions, d.Method)
	if err != nil {
		return nil, err
	}
	now := s.now()
	at := now
	if in.At != "" {
		if at, err = parseTime(in.At, s.loc); err != nil {
			return nil, apperr.Invalid("at", err.Error())
		}
	}
	var issued time.Time
	if err := s.db.R().NewSelect().Table("survey_plans").Column("issued_at").Where("id = ?", d.PlanID).Scan(ctx, &issued); err != nil {
		return nil, err
	}
	switch {
	case at.After(now.Add(time.Minute)):
		return nil, apperr.Invalid("at", "调查时间不能晚于现在")
	case at.Before(issued.Truncate(time.Second)):
		return nil, apperr.Invalid("at", "调查时间不能早于计划下发时间 "+issued.In(s.loc).Format("2006-01-02 15:04"))
	}
	at = store.Time(at.Truncate(time.Second))

	summary := fmt.Sprintf("满意度调查「%s」：%s", d.PlanTitle, outcomeNames[in.Outcome])
	switch {
	case overallScore != nil:
		summary += fmt.Sprintf("，总体满意度 %d 分", *overallScore)
	case in.Note != "":
		summary += "，" + in.Note
	}
	if in.ContactName != "" {
		summary += "（受访人 " + in.ContactName + "）"
	}
	var commID *string
	if s.comms != nil {
		cid, err := s.comms.RecordSurveyContact(ctx, Contact{CustomerID: d.CustomerID, Channel: in.Channel, At: at, Summary: summary})
		if err != nil {
			return nil, err
		}
		commID = &cid
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := new(Task)
		if err := tx.NewSelect().Model(t).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("survey_task"))
		}
		if t.Version != version {
			return staleVersion()
		}
		if t.Outcome != "" {
			return apperr.Conflict("outcome", "该客户的调查结果已登记")
		}
		before := *t
		rec := store.Time(s.now())
		t.Outcome, t.ContactName, t.AnsweredAt, t.Channel, t.Note = in.Outcome, in.ContactName, &at, in.Channel, in.Note
		t.OverallScore, t.CommunicationID, t.RecordedBy, t.RecordedAt = overallScore, commID, actor(p), &rec
		t.Version, t.UpdatedAt = version+1, rec
		res, err := tx.NewUpdate().Model(t).WherePK().Where("version = ?", version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		for i := range answers {
			answers[i].TaskID = t.ID
		}
		if len(answers) > 0 {
			if _, err := tx.NewInsert().Model(&answers).Exec(ctx); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, rec, audit.Change{Action: "update", Entity: "survey_task", EntityID: t.ID,
			Summary: fmt.Sprintf("登记满意度调查 %s · %s：%s", d.PlanTitle, d.CustomerName, outcomeNames[in.Outcome]),
			Before:  &before, After: map[string]any{"task": t, "answers": answers}})
	})
	if err != nil {
		return nil, err
	}
	return s.Task(ctx, id)
}

// planAnswers loads the answers of a plan's tasks.
func planAnswers(ctx context.Context, db bun.IDB, planID string) ([]Answer, error) {
	out := []Answer{}
	err := db.NewRaw(`SELECT a.* FROM survey_answers a JOIN survey_tasks t ON t.id = a.task_id WHERE t.plan_id = ?`, planID).Scan(ctx, &out)
	return out, err
}
