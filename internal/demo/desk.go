package demo

import (
	"fmt"
	"time"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/tickets"
)

// loadDesk gives the service desk a day of traffic ending now: WeChat group
// messages answered on time or late, one still waiting (a live clock on the
// queue), missed calls called back or still waiting, answered calls, a call
// from an unknown number, and tickets in several states — a repair in
// progress, a resolved repair waiting for its callback, a complaint with
// its 三不放过 fields, a consultation closed.
func (l *loader) loadDesk() error {
	if l.d.Comms == nil {
		return nil
	}
	info, err := l.d.Auth.Principal(l.sys, l.staff["jiang.xin"].ID)
	if err != nil {
		return err
	}
	feed := access.With(l.sys, info)
	now := l.d.Now().In(l.d.Loc).Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	var batch []comms.Input
	n := 0
	add := func(in comms.Input) {
		n++
		in.ExternalID = fmt.Sprintf("demo-%04d", n)
		batch = append(batch, in)
	}
	active := 0
	for _, p := range l.plans {
		cr := activeContact(p)
		if p.lost || p.group == nil || cr == nil {
			continue
		}
		active++
		spec := p.reg.specialist.Login
		group := p.group.ExternalID
		contact := cr.in
		base := time.Duration(2+active%9) * time.Hour
		switch active % 6 {
		case 0, 1, 2: // a question answered within a minute or two
			add(comms.Input{Channel: "wechat_group", Direction: "in", OccurredAt: at(base), Conversation: group, Counterpart: contact.WeChat, Summary: "请问这周的巡检安排在哪天？"})
			add(comms.Input{Channel: "wechat_group", Direction: "in", OccurredAt: at(base - 30*time.Second), Conversation: group, Summary: "顺便看下 3 楼风机盘管"})
			add(comms.Input{Channel: "wechat_group", Direction: "out", OccurredAt: at(base - time.Duration(70+active%90)*time.Second), Conversation: group, StaffLogin: spec, Summary: "周四上午，师傅会一并检查 3 楼风机盘管"})
		case 3: // answered late (响应超时)
			add(comms.Input{Channel: "wechat_group", Direction: "in", OccurredAt: at(base), Conversation: group, Summary: "机房有异响，麻烦尽快看看"})
			add(comms.Input{Channel: "wechat_group", Direction: "out", OccurredAt: at(base - 7*time.Minute), Conversation: group, StaffLogin: spec, Summary: "收到，已通知维修组"})
		case 4: // a missed call, called back in time
			add(comms.Input{Channel: "phone_missed", OccurredAt: at(base), Counterpart: contact.Phone})
			add(comms.Input{Channel: "phone_out", OccurredAt: at(base - 12*time.Minute), Counterpart: contact.Phone, StaffLogin: spec, DurationS: ptr(int64(140)), Summary: "回拨：客户咨询换季保养时间"})
		case 5: // an answered call
			add(comms.Input{Channel: "phone_in", OccurredAt: at(base), Counterpart: contact.Phone, StaffLogin: spec, DurationS: ptr(int64(95)), Summary: "客户确认维修时间"})
		}
	}
	// Still waiting now: a group message 70 seconds ago and a missed call
	// 12 minutes ago (the first customers of 国贸).
	for _, p := range l.plans {
		cr := activeContact(p)
		if p.lost || p.group == nil || cr == nil || p.reg.spec.name != "国贸" {
			continue
		}
		add(comms.Input{Channel: "wechat_group", Direction: "in", OccurredAt: at(70 * time.Second), Conversation: p.group.ExternalID, Summary: "空调突然不制冷了，能来看看吗？"})
		add(comms.Input{Channel: "phone_missed", OccurredAt: at(12 * time.Minute), Counterpart: cr.in.Phone})
		break
	}
	add(comms.Input{Channel: "phone_in", OccurredAt: at(3 * time.Hour), Counterpart: "010-84561234", Summary: "陌生号码咨询维保报价", StaffLogin: "lin.wen", DurationS: ptr(int64(60))})
	res, err := l.d.Comms.Ingest(feed, batch, comms.SourceAPI)
	if err != nil {
		return fmt.Errorf("communications: %w", err)
	}
	l.sum.Communications = len(res)
	return l.loadTickets(now)
}

func ptr[T any](v T) *T { return &v }

// activeContact is a customer's first contact still in office with a
// phone number.
func activeContact(p *plan) *contactRec {
	for _, cr := range p.contacts {
		if cr.c.Active && cr.in.Phone != "" {
			return cr
		}
	}
	return nil
}

// loadTickets registers a few tickets through their lifecycle.
func (l *loader) loadTickets(now time.Time) error {
	if l.d.Tickets == nil {
		return nil
	}
	var picks []*plan
	for _, p := range l.plans {
		if !p.lost && activeContact(p) != nil {
			picks = append(picks, p)
		}
		if len(picks) == 4 {
			break
		}
	}
	if len(picks) < 4 {
		return nil
	}
	ts := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	step := func(p *plan, id string, to string, at time.Duration, note string) error {
		t, err := l.d.Tickets.Get(l.sys, id)
		if err != nil {
			return err
		}
		_, err = l.d.Tickets.Transition(p.reg.ctx, id, t.Version, tickets.TransitionInput{To: to, Note: note, At: ts(at)})
		return err
	}
	// 1. A repair in progress.
	rp := picks[0]
	t1, err := l.d.Tickets.CreateTicket(rp.reg.ctx, tickets.TicketInput{CustomerID: rp.cust.ID, ContactID: activeContact(rp).c.ID, Type: "repair",
		Channel: "phone_in", ReceivedAt: ts(5 * time.Hour), Urgency: "urgent", Description: "2 号冷水机组高压报警停机",
		RepairObject: "2 号冷水机组", ModelSpec: "开利 30XA-1002", AppointmentAt: ts(3 * time.Hour), SpecialNeeds: "无",
		PromisedAt: now.Add(20 * time.Hour).Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("repair ticket: %w", err)
	}
	l.repairInProgress = t1.ID
	for _, s := range []struct {
		to   string
		at   time.Duration
		note string
	}{{tickets.StatusAcknowledged, 290 * time.Minute, "已受理"}, {tickets.StatusInProgress, 4 * time.Hour, "已通知维修组上门"}} {
		if err := step(rp, t1.ID, s.to, s.at, s.note); err != nil {
			return fmt.Errorf("repair ticket: %w", err)
		}
	}
	// 2. A repair resolved yesterday, its callback due.
	p2 := picks[1]
	t2, err := l.d.Tickets.CreateTicket(p2.reg.ctx, tickets.TicketInput{CustomerID: p2.cust.ID, ContactID: activeContact(p2).c.ID, Type: "repair",
		Channel: "wechat_group", ReceivedAt: ts(30 * time.Hour), Description: "会议室风机盘管漏水", RepairObject: "会议室风机盘管",
		ModelSpec: "FP-68", AppointmentAt: ts(28 * time.Hour), SpecialNeeds: "下班后施工"})
	if err != nil {
		return fmt.Errorf("resolved ticket: %w", err)
	}
	for _, s := range []struct {
		to string
		at time.Duration
	}{{tickets.StatusAcknowledged, 29 * time.Hour}, {tickets.StatusInProgress, 28 * time.Hour}, {tickets.StatusResolved, 24 * time.Hour}} {
		if err := step(p2, t2.ID, s.to, s.at, ""); err != nil {
			return fmt.Errorf("resolved ticket: %w", err)
		}
	}
	// 3. A complaint about a late arrival, with its 三不放过 fields.
	p3 := picks[2]
	t3, err := l.d.Tickets.CreateTicket(p3.reg.ctx, tickets.TicketInput{CustomerID: p3.cust.ID, ContactID: activeContact(p3).c.ID, Type: "complaint",
		Channel: "phone_in", ReceivedAt: ts(6 * time.Hour), Description: "维修人员迟到两小时且未提前告知",
		IncidentWho: "维修组", IncidentWhat: "上门迟到两小时", IncidentWhen: now.Add(-30 * time.Hour).Format("2006-01-02 15:04"),
		Cause: "派工时间与客户约定不一致", Demand: "说明原因并保证不再发生"})
	if err != nil {
		return fmt.Errorf("complaint: %w", err)
	}
	if c, err := l.d.Tickets.Get(l.sys, t3.ID); err == nil {
		if _, err := l.d.Tickets.SaveComplaint(l.sys, t3.ID, c.Version, tickets.ComplaintInput{Nature: "quality", AgainstText: "维修组",
			Severity: "general", RootCause: "派工单上的上门时间填错", Responsibility: "派工客服核对不严",
			CorrectiveAction: "当日致电客户道歉并重新约定时间", PreventiveAction: "派工前与客户二次确认上门时间"}); err != nil {
			return fmt.Errorf("complaint details: %w", err)
		}
	}
	// 4. A consultation answered and closed.
	p4 := picks[3]
	t4, err := l.d.Tickets.CreateTicket(p4.reg.ctx, tickets.TicketInput{CustomerID: p4.cust.ID, ContactID: activeContact(p4).c.ID, Type: "consultation",
		Channel: "wechat_private", ReceivedAt: ts(8 * time.Hour), Description: "咨询换季保养的时间安排"})
	if err != nil {
		return fmt.Errorf("consultation: %w", err)
	}
	for _, s := range []struct {
		to string
		at time.Duration
	}{{tickets.StatusAcknowledged, 7 * time.Hour}, {tickets.StatusInProgress, 7 * time.Hour}, {tickets.StatusResolved, 6 * time.Hour}, {tickets.StatusClosed, 6 * time.Hour}} {
		if err := step(p4, t4.ID, s.to, s.at, ""); err != nil {
			return fmt.Errorf("consultation: %w", err)
		}
	}
	l.sum.Tickets = 4
	return nil
}
