package contracts

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/notify"
)

// ReminderCounts says how many new notices a reminder run added.
type ReminderCounts struct {
	RenewalWindow  int `json:"renewal_window"`
	InstallmentDue int `json:"installment_due"`
	Overdue        int `json:"overdue"`
	QuoteFollowUp  int `json:"quote_follow_up"`
}

// RunReminders adds the in-app reminders of this capability for the
// owning specialists (分管客服): renewal window opened, installment due
// within the policy's days, installment overdue, quote follow-up due.
// Each notice has a dedup key, so running it every few minutes adds each
// notice once. It runs as the system (managerial callers may run it too).
func (s *Service) RunReminders(ctx context.Context) (ReminderCounts, error) {
	var n ReminderCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或管理员可以运行提醒")
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return n, err
	}
	today := s.today()
	now := s.now()
	db := s.db.R()
	type pending struct {
		counter *int
		n       notify.Notification
	}
	var queue []pending
	add := func(counter *int, nt notify.Notification) error {
		queue = append(queue, pending{counter, nt})
		return nil
	}

	// Renewal windows that have opened, for contracts still pending.
	var renewals []struct {
		ID      string `bun:"id"`
		Number  string `bun:"number"`
		EndOn   string `bun:"end_on"`
		Name    string `bun:"customer_name"`
		OwnerID string `bun:"owner_id"`
	}
	if err := db.NewRaw(`SELECT k.id, k.number, k.end_on, cu.name AS customer_name, cu.owner_id
		FROM contracts k JOIN customers cu ON cu.id = k.customer_id
		WHERE k.state = 'active' AND k.outcome = 'pending' AND cu.owner_id IS NOT NULL AND k.end_on >= ? AND k.end_on <= ?
		AND NOT EXISTS (SELECT 1 FROM contracts s WHERE s.renewed_from = k.id AND s.state <> 'draft')
		ORDER BY k.end_on, k.id`, today.String(), addMonths(today, pol.RenewalWindowMonths).AddDays(3).String()).Scan(ctx, &renewals); err != nil {
		return n, err
	}
	for _, r := range renewals {
		end, err := calendar.ParseDate(r.EndOn)
		if err != nil || windowOpens(end, pol.RenewalWindowMonths).After(today) {
			continue
		}
		if err := add(&n.RenewalWindow, notify.Notification{RecipientID: r.OwnerID, Kind: "renewal_window", SubjectKind: "contract", SubjectID: r.ID,
			Title: fmt.Sprintf("合同 %s 进入续约期", r.Number), Body: fmt.Sprintf("%s 的合同将于 %s 到期，请联系客户负责人洽谈续签。", r.Name, r.EndOn),
			Link: "/contracts/" + r.ID, DedupKey: "renewal_window|" + r.ID}); err != nil {
			return n, err
		}
	}

	// Open installments due soon or overdue.
	var insts []struct {
		ID      string `bun:"id"`
		Seq     int    `bun:"seq"`
		DueOn   string `bun:"due_on"`
		Open    int64  `bun:"open_fen"`
		KID     string `bun:"contract_id"`
		Number  string `bun:"number"`
		Name    string `bun:"customer_name"`
		OwnerID string `bun:"owner_id"`
	}
	if err := db.NewRaw(`SELECT i.id, i.seq, i.due_on, i.amount_fen - i.paid_fen AS open_fen, k.id AS contract_id, k.number,
		cu.name AS customer_name, cu.owner_id
		FROM installments i JOIN contracts k ON k.id = i.contract_id JOIN customers cu ON cu.id = k.customer_id
		WHERE i.paid_fen < i.amount_fen AND k.state <> 'draft' AND cu.owner_id IS NOT NULL AND i.due_on <= ?
		ORDER BY i.due_on, i.id`, today.AddDays(pol.DueSoonDays).String()).Scan(ctx, &insts); err != nil {
		return n, err
	}
	for _, it := range insts {
		nt := notify.Notification{RecipientID: it.OwnerID, SubjectKind: "contract", SubjectID: it.KID, Link: "/contracts/" + it.KID}
		counter := &n.InstallmentDue
		if it.DueOn < today.String() {
			nt.Kind, counter = "installment_overdue", &n.Overdue
			nt.Title = fmt.Sprintf("合同 %s 第 %d 期已逾期", it.Number, it.Seq)
			nt.Body = fmt.Sprintf("%s 应于 %s 付款，尚欠 %s 元，请催款并记录。", it.Name, it.DueOn, FormatYuan(it.Open))
			nt.DedupKey = "installment_overdue|" + it.ID
		} else {
			nt.Kind = "installment_due"
			nt.Title = fmt.Sprintf("合同 %s 第 %d 期将于 %s 到期", it.Number, it.Seq, it.DueOn)
			nt.Body = fmt.Sprintf("%s 应付 %s 元，请提前开票并提醒客户。", it.Name, FormatYuan(it.Open))
			nt.DedupKey = "installment_due|" + it.ID
		}
		if err := add(counter, nt); err != nil {
			return n, err
		}
	}

	// Quotes waiting for their follow-up.
	var needs []NeedView
	if err := db.NewRaw(needSelect+" WHERE n.status IN ('open', 'quoted') AND n.owner_id IS NOT NULL").Scan(ctx, &needs); err != nil {
		return n, err
	}
	if err := s.flagFollowUps(ctx, needs); err != nil {
		return n, err
	}
	for _, nd := range needs {
		if nd.FollowUpDue == nil || nd.LastSentAt == nil || (nd.LastFollowUp != nil && nd.LastFollowUp.After(*nd.LastSentAt)) {
			continue
		}
		// Remind on the last day of the deadline and when it has passed.
		due := calendar.DateOf(nd.FollowUpDue.Add(-1), s.loc)
		if today.Before(due) {
			continue
		}
		if err := add(&n.QuoteFollowUp, notify.Notification{RecipientID: *nd.OwnerID, Kind: "quote_follow_up", SubjectKind: "need", SubjectID: nd.ID,
			Title: "报价待跟进：" + nd.Title, Body: fmt.Sprintf("%s 的报价已于 %s 发出，请在 %s 前跟进。", nd.CustomerName,
				nd.LastSentAt.In(s.loc).Format("2006-01-02"), due.String()),
			Link: "/needs/" + nd.ID, DedupKey: "quote_follow_up|" + nd.ID + "|" + nd.LastSentAt.UTC().Format("20060102150405")}); err != nil {
			return n, err
		}
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		n = ReminderCounts{}
		for _, p := range queue {
			ok, err := notify.Add(ctx, tx, now, p.n)
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
