package surveys

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// ReminderCounts says how many new notices a reminder run added.
type ReminderCounts struct {
	DueSoon int `json:"due_soon"`
	Overdue int `json:"overdue"`
}

// DueSoonDays is how many days before a plan's due date its specialists
// are reminded of the tasks still open.
const DueSoonDays = 3

// RunReminders adds in-app reminders (站内提醒) to the specialists with
// tasks still open on an issued plan: once when the due date is at most
// DueSoonDays away, once when it has passed. One notice per plan and
// specialist, with a dedup key, so running it every few minutes adds each
// once. It runs as the system (managerial callers may run it too).
func (s *Service) RunReminders(ctx context.Context) (ReminderCounts, error) {
	var n ReminderCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或管理员可以运行提醒")
	}
	now := s.now()
	today := calendar.DateOf(now, s.loc)
	var rows []struct {
		PlanID  string `bun:"plan_id"`
		Title   string `bun:"title"`
		DueOn   string `bun:"due_on"`
		StaffID string `bun:"staff_id"`
		Open    int    `bun:"open"`
	}
	if err := s.db.R().NewRaw(`SELECT p.id AS plan_id, p.title, p.due_on, t.staff_id, COUNT(*) AS open
		FROM survey_tasks t JOIN survey_plans p ON p.id = t.plan_id
		WHERE p.status = 'open' AND t.outcome = '' AND t.staff_id IS NOT NULL AND p.due_on <= ?
		GROUP BY p.id, p.title, p.due_on, t.staff_id ORDER BY p.due_on, p.id, t.staff_id`,
		today.AddDays(DueSoonDays).String()).Scan(ctx, &rows); err != nil {
		return n, err
	}
	type pending struct {
		counter *int
		n       notify.Notification
	}
	var queue []pending
	for _, r := range rows {
		due, err := calendar.ParseDate(r.DueOn)
		if err != nil {
			continue
		}
		link := "/survey-tasks?plan=" + r.PlanID
		if today.After(due) {
			queue = append(queue, pending{&n.Overdue, notify.Notification{RecipientID: r.StaffID, Kind: "survey_overdue", SubjectKind: "survey_plan",
				SubjectID: r.PlanID, Title: "满意度调查已逾期：" + r.Title,
				Body: fmt.Sprintf("「%s」已于 %s 截止，你还有 %d 位客户未调查，请尽快完成。", r.Title, r.DueOn, r.Open),
				Link: link, DedupKey: "survey_overdue|" + r.PlanID + "|" + r.StaffID}})
			continue
		}
		queue = append(queue, pending{&n.DueSoon, notify.Notification{RecipientID: r.StaffID, Kind: "survey_due", SubjectKind: "survey_plan",
			SubjectID: r.PlanID, Title: "满意度调查即将截止：" + r.Title,
			Body: fmt.Sprintf("「%s」将于 %s 截止，你还有 %d 位客户未调查。", r.Title, r.DueOn, r.Open),
			Link: link, DedupKey: "survey_due|" + r.PlanID + "|" + r.StaffID}})
	}
	if len(queue) == 0 {
		return n, nil
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		n = ReminderCounts{}
		for _, p := range queue {
			ok, err := notify.Add(ctx, tx, store.Time(now), p.n)
			if err != nil {
				return err
			}
			if ok {
				*p.counter++
			}
		}
		return nil
	})
	return n, err
}
