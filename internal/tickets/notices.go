package tickets

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/notify"
)

// NearWindow is how close a deadline of the desk — a ticket's promised
// solution deadline, a major complaint's reply deadline, a callback's due
// time — is near (临近): the queue shows it amber, and the person
// responsible gets a near notice.
const NearWindow = 24 * time.Hour

// breachNoticeLookback: a deadline that passed longer ago than this gets
// no breach notice. The notices say what just happened (the queue and the
// events keep the rest), so the first run over a long history, or after
// the app was stopped for a weekend, does not flood anyone's list or the
// group robot.
const breachNoticeLookback = 3 * 24 * time.Hour

// Notification kinds of the ticket deadlines.
const (
	NoticeSolutionNear = "ticket_due_near"         // 工单即将超期
	NoticeSolutionLate = "ticket_overdue"          // 工单已超期
	NoticeReplyNear    = "complaint_reply_near"    // 重大投诉即将到回复期限
	NoticeReplyLate    = "complaint_reply_overdue" // 重大投诉未按时回复
	NoticeCallbackNear = "callback_due_near"       // 回访即将到期
	NoticeCallbackLate = "callback_overdue"        // 回访已超期
)

// DeadlineNotices says how many new notices a derivation added.
type DeadlineNotices struct {
	Near   int `json:"near"`
	Breach int `json:"breach"`
}

// deadlineNotice is one open deadline near or past.
type deadlineNotice struct {
	kind      string // solution, reply, callback
	subject   string // the ticket or the callback
	ticketID  string
	number    string
	deadline  time.Time
	recipient []string
}

// notifyDeadlines sends near-breach and breach notices for the open
// deadlines (in-app, and to the group robot when one is set): a ticket
// not yet resolved (and not waiting on the customer) to its first-contact
// owner, a major complaint not yet answered to the manager it went to, a
// callback not yet done to the specialist it is charged to — and, on a
// major complaint, the solution and callback notices to that manager too.
// Near: from NearWindow before the deadline until it; breach: once it has
// passed (for breachNoticeLookback). Each notice is sent once per
// recipient and deadline (dedup keys: runs, restarts and several
// processes never repeat one; a deadline moved later — a pause, a
// correction — is a new deadline and is announced again). Nothing is sent
// for what is done: a resolved ticket, a replied complaint, a callback
// recorded or cancelled.
func (s *Service) notifyDeadlines(ctx context.Context, now time.Time) (DeadlineNotices, error) {
	var n DeadlineNotices
	db := s.db.R()
	from, to := now.Add(-breachNoticeLookback), now.Add(NearWindow)
	var found []deadlineNotice
	var sol []struct {
		ID       string    `bun:"id"`
		Number   string    `bun:"number"`
		Owner    string    `bun:"first_owner_id"`
		Promised time.Time `bun:"promised_at"`
		Manager  *string   `bun:"manager"`
	}
	if err := db.NewRaw(`SELECT t.id, t.number, t.first_owner_id, t.promised_at,
			(SELECT c.escalated_to FROM ticket_complaints c WHERE c.ticket_id = t.id AND c.severity = 'major') AS manager
		FROM tickets t
		WHERE t.status IN (?) AND t.promised_at >= ? AND t.promised_at <= ? AND t.paused_at IS NULL`,
		bun.In(openStatuses), from, to).Scan(ctx, &sol); err != nil {
		return n, err
	}
	for _, t := range sol {
		found = append(found, deadlineNotice{kind: "solution", subject: t.ID, ticketID: t.ID, number: t.Number, deadline: t.Promised,
			recipient: recipients(&t.Owner, t.Manager)})
	}
	var rep []struct {
		TicketID string    `bun:"ticket_id"`
		Number   string    `bun:"number"`
		Manager  *string   `bun:"escalated_to"`
		Due      time.Time `bun:"reply_due_at"`
	}
	if err := db.NewRaw(`SELECT c.ticket_id, t.number, c.escalated_to, c.reply_due_at
		FROM ticket_complaints c JOIN tickets t ON t.id = c.ticket_id
		WHERE c.replied_at IS NULL AND c.reply_due_at >= ? AND c.reply_due_at <= ? AND c.severity = 'major'`, from, to).Scan(ctx, &rep); err != nil {
		return n, err
	}
	for _, c := range rep {
		found = append(found, deadlineNotice{kind: "reply", subject: c.TicketID, ticketID: c.TicketID, number: c.Number, deadline: c.Due,
			recipient: recipients(c.Manager)})
	}
	var cbs []struct {
		ID       string    `bun:"id"`
		TicketID string    `bun:"ticket_id"`
		Number   string    `bun:"number"`
		Staff    *string   `bun:"staff_id"`
		Due      time.Time `bun:"due_at"`
		Manager  *string   `bun:"manager"`
	}
	if err := db.NewRaw(`SELECT cb.id, cb.ticket_id, t.number, cb.staff_id, cb.due_at,
			(SELECT c.escalated_to FROM ticket_complaints c WHERE c.ticket_id = t.id AND c.severity = 'major') AS manager
		FROM callbacks cb JOIN tickets t ON t.id = cb.ticket_id
		WHERE cb.done_at IS NULL AND cb.cancelled_at IS NULL AND cb.due_at >= ? AND cb.due_at <= ?`, from, to).Scan(ctx, &cbs); err != nil {
		return n, err
	}
	for _, c := range cbs {
		found = append(found, deadlineNotice{kind: "callback", subject: c.ID, ticketID: c.TicketID, number: c.Number, deadline: c.Due,
			recipient: recipients(c.Staff, c.Manager)})
	}
	var notes []notify.Notification
	for _, d := range found {
		late := now.After(d.deadline)
		for _, r := range d.recipient {
			notes = append(notes, s.deadlineNote(d, late, now, r))
		}
	}
	fresh, err := notify.Deliver(ctx, s.db, now, s.pusher, notes)
	for _, f := range fresh {
		switch f.Kind {
		case NoticeSolutionLate, NoticeReplyLate, NoticeCallbackLate:
			n.Breach++
		default:
			n.Near++
		}
	}
	return n, err
}

// recipients lists the distinct staff of ids, in order.
func recipients(ids ...*string) []string {
	var out []string
	for _, id := range ids {
		if id == nil || *id == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == *id
		}
		if !dup {
			out = append(out, *id)
		}
	}
	return out
}

// deadlineNote words the notice of d for recipient r.
func (s *Service) deadlineNote(d deadlineNotice, late bool, now time.Time, r string) notify.Notification {
	at := d.deadline.In(s.loc).Format("2006-01-02 15:04")
	left := d.deadline.Sub(now)
	var kind, title, body string
	switch {
	case d.kind == "solution" && late:
		kind, title, body = NoticeSolutionLate, "工单 "+d.number+" 已超期", "解决期限 "+at+" 已过，工单仍未解决"
	case d.kind == "solution":
		kind, title, body = NoticeSolutionNear, "工单 "+d.number+" 即将超期", "请在 "+at+" 前解决（还剩 "+hoursMinutes(left)+"）"
	case d.kind == "reply" && late:
		kind, title, body = NoticeReplyLate, "重大投诉 "+d.number+" 未按时回复", "回复期限 "+at+" 已过，请尽快回复客户"
	case d.kind == "reply":
		kind, title, body = NoticeReplyNear, "重大投诉 "+d.number+" 即将到回复期限", "请在 "+at+" 前回复客户（还剩 "+hoursMinutes(left)+"）"
	case late:
		kind, title, body = NoticeCallbackLate, "工单 "+d.number+" 的回访已超期", "回访应于 "+at+" 前完成，请尽快回访"
	default:
		kind, title, body = NoticeCallbackNear, "工单 "+d.number+" 的回访即将到期", "请在 "+at+" 前完成回访（还剩 "+hoursMinutes(left)+"）"
	}
	subject := "ticket"
	if d.kind == "callback" {
		subject = "callback"
	}
	return notify.Notification{RecipientID: r, Kind: kind, SubjectKind: subject,
		SubjectID: d.subject, Title: title, Body: body, Link: "/tickets/" + d.ticketID,
		DedupKey: kind + "|" + d.subject + "|" + strconv.FormatInt(d.deadline.Unix(), 10) + "|" + r}
}

// hoursMinutes shows a time left as 5 小时 3 分 (or 3 分).
func hoursMinutes(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d 分", max(m, 0))
	}
	return fmt.Sprintf("%d 小时 %d 分", m/60, m%60)
}
