package demo

import (
	"context"
	"time"

	"kefu/internal/access"
	"kefu/internal/surveys"
)

// loadSurveys gives the desk its satisfaction surveys (满意度调查): last
// month's survey of the class A customers, due yesterday, answered but for
// one customer (an overdue task); and this month's survey of every active
// customer, due in ten days, with a few responses — one of them a low
// score to follow up, one customer unreachable — and the rest pending.
func (l *loader) loadSurveys() error {
	if l.d.Surveys == nil || l.d.Comms == nil {
		return nil
	}
	info, err := l.d.Auth.Principal(l.sys, l.staff["manager"].ID)
	if err != nil {
		return err
	}
	mgr := access.With(l.sys, info)
	now := l.d.Now().In(l.d.Loc)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, l.d.Loc)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	bySpecialist := map[string]context.Context{}
	for _, r := range l.regions {
		bySpecialist[r.specialist.ID] = r.ctx
	}
	// as is who records a task: its specialist, or the manager.
	as := func(t surveys.TaskView) context.Context {
		if t.StaffID != nil {
			if ctx, ok := bySpecialist[*t.StaffID]; ok {
				return ctx
			}
		}
		return mgr
	}
	issue := func(in surveys.PlanInput) (*surveys.PlanDetail, []surveys.TaskView, error) {
		d, err := l.d.Surveys.CreatePlan(mgr, in)
		if err != nil {
			return nil, nil, err
		}
		if d, err = l.d.Surveys.IssuePlan(mgr, d.ID, d.Version); err != nil {
			return nil, nil, err
		}
		ts, err := l.d.Surveys.Tasks(mgr, surveys.TaskFilter{PlanID: d.ID})
		return d, ts, err
	}
	answer := func(t surveys.TaskView, scores []int, remark string) error {
		d, err := l.d.Surveys.Task(mgr, t.ID)
		if err != nil {
			return err
		}
		in := surveys.ResponseInput{Outcome: surveys.OutcomeAnswered, ContactName: "物业经理"}
		i := 0
		for _, q := range d.Questions {
			a := surveys.AnswerInput{QuestionID: q.ID}
			if q.Kind == surveys.KindScore {
				a.Score = scores[i%len(scores)]
				i++
			} else {
				a.Text = remark
			}
			in.Answers = append(in.Answers, a)
		}
		_, err = l.d.Surveys.RecordResponse(as(t), t.ID, t.Version, in)
		return err
	}

	// Last month's survey of the A-class customers: one left overdue.
	_, tasks, err := issue(surveys.PlanInput{Title: lastMonth.Format("2006年1月") + " A 类客户满意度调查", Period: lastMonth.Format("2006-01"),
		DueOn: now.AddDate(0, 0, -1).Format(time.DateOnly), Method: surveys.MethodPhone, ScopeClass: "A",
		Notes: "重点客户每月电话回访满意度。"})
	if err != nil {
		return err
	}
	for i, t := range tasks {
		if i == len(tasks)-1 {
			break // the overdue one
		}
		if err := answer(t, []int{5, 4, 5, 5}, ""); err != nil {
			return err
		}
	}

	// This month's survey of everyone: some answered, the rest pending.
	_, tasks, err = issue(surveys.PlanInput{Title: thisMonth.Format("2006年1月") + " 客户满意度调查", Period: thisMonth.Format("2006-01"),
		DueOn: now.AddDate(0, 0, 10).Format(time.DateOnly), Method: surveys.MethodPhone})
	if err != nil {
		return err
	}
	for i, t := range tasks {
		var err error
		switch {
		case i >= 7:
		case i == 2:
			err = answer(t, []int{2, 1, 3, 2}, "夏季高峰报修两次都等了半天，希望响应快一些")
		case i == 5:
			_, err = l.d.Surveys.RecordResponse(as(t), t.ID, t.Version, surveys.ResponseInput{Outcome: surveys.OutcomeUnreachable,
				Note: "电话两次无人接听，已在微信群留言"})
		default:
			err = answer(t, []int{5, 4, 4, 5}, "师傅很专业")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
