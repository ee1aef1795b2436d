package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/httpx"
	"kefu/internal/org"
	"kefu/internal/sla"
	"kefu/internal/tickets"
)

// 待响应: the specialist's live queue — unanswered WeChat conversations
// and missed calls waiting for a call back, each with a countdown to the
// second (kefu.js runs it from data-deadline; the rows come again from
// the server every 5 s by htmx polling) — and below it the open tickets
// by promised deadline and the callbacks due. A manager sees the team,
// or one person.

// queueSoon is how close a ticket's promised deadline or a callback's due
// time must be to show as near (amber) on the queue page: when its near
// notice is sent.
const queueSoon = tickets.NearWindow

type queuePage struct {
	Page
	// Team: the viewer sees the whole team and may narrow it to Staff.
	Team      bool
	Staff     string
	People    []org.Staff
	Rows      []queueRow // the open clocks (comms.Queue) as their rows show them
	Tickets   []tickets.View
	Callbacks []tickets.CallbackView
	// At is when the queue was read (the rows' data-now, so that a
	// browser whose clock is off still counts down from the server's).
	At time.Time
	// Now is the reply form's default time (datetime-local, seconds).
	Now string
	// Open is the key of the clock whose reply form shows open after an
	// error in it.
	Open   string
	posted url.Values
}

// queueRow is a clock's row as the page shows it, its words and times
// written once by rows: a manager's page has hundreds of rows, and the
// template calling a method for each through reflection cost more than
// reading the queue.
type queueRow struct {
	comms.QueueItem
	KindLabel   string // 微信群消息, 未接来电, …
	RowState    string // ClockState
	DeadlineRFC string // for the countdown script
	NearRFC     string // "" without a near-breach warning
	StartedText string // company time, to the second
	DueText     string
	CountdownAt string // Countdown
	ReplyLabel  string // Reply
}

// rows makes p.Rows of items.
func (p *queuePage) rows(items []comms.QueueItem, loc *time.Location) {
	kinds := map[string]string{}
	p.Rows = make([]queueRow, len(items))
	for i, it := range items {
		label, ok := kinds[it.Kind]
		if !ok {
			label = p.T("queue.kind." + it.Kind)
			kinds[it.Kind] = label
		}
		r := queueRow{QueueItem: it, KindLabel: label, RowState: p.ClockState(it), DeadlineRFC: p.RFC3339(it.Deadline),
			StartedText: it.StartedAt.In(loc).Format(time.DateTime), DueText: it.Deadline.In(loc).Format(time.DateTime),
			CountdownAt: p.Countdown(it), ReplyLabel: p.Reply(it)}
		if it.NearAt != nil {
			r.NearRFC = p.RFC3339(*it.NearAt)
		}
		p.Rows[i] = r
	}
}

// F is the value the user posted in field name (kept after an error).
func (p *queuePage) F(name string) string { return p.posted.Get(name) }

// Reply names a row's action: 已回拨 for a missed call, else 已回复.
func (p *queuePage) Reply(it comms.QueueItem) string {
	if it.Kind == sla.KindMissedCall {
		return p.T("queue.called_back")
	}
	return p.T("queue.replied")
}

// queueStaff is whose queue the viewer sees: a specialist their own, a
// manager (or another reader of the whole desk) everyone's or the one
// person chosen.
func queueStaff(p *access.Principal, chosen string) (staff string, team bool) {
	if p.Has(access.CSSpecialist) && !p.IsManagerial() {
		return p.StaffID, false
	}
	return chosen, true
}

// ClockState is a queue item's state as the row shows it: running, near
// (past the near-breach warning) or breached (past the deadline).
func (p *queuePage) ClockState(it comms.QueueItem) string {
	switch {
	case it.State == "breached" || it.SecondsLeft < 0:
		return "breached"
	case it.Near:
		return "near"
	}
	return "running"
}

// Countdown is the countdown as of the time the queue was read; kefu.js
// takes over from there (the same words and format).
func (p *queuePage) Countdown(it comms.QueueItem) string {
	if it.SecondsLeft < 0 {
		return p.T("queue.overdue") + " " + clock(-it.SecondsLeft)
	}
	return p.T("queue.left") + " " + clock(it.SecondsLeft)
}

// clock shows seconds as m:ss, or h:mm:ss from an hour on.
func clock(s int64) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// RFC3339 is t as the countdown script reads it.
func (p *queuePage) RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// DueState is a ticket's or callback's deadline as the queue highlights
// it: breached once past, near within a day, else running ("" without a
// deadline).
func (p *queuePage) DueState(at *time.Time) string {
	switch {
	case at == nil:
		return ""
	case p.At.After(*at):
		return "breached"
	case at.Sub(p.At) <= queueSoon:
		return "near"
	}
	return "running"
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.queueData(r, r.URL.Query().Get("staff"))
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "queue", "queue-rows", p)
	}
	return s.render(w, http.StatusOK, "queue", "", p)
}

// queueData loads the queue of staff as the viewer may see it (the rows
// only for htmx's polling).
func (s *Server) queueData(r *http.Request, staff string) (*queuePage, error) {
	ctx := r.Context()
	p := &queuePage{Page: s.page(r, "queue", "queue.title"), Now: s.nowSecond(), posted: url.Values{}}
	p.FieldPrefixes = []string{"comm.field."}
	p.Staff, p.Team = queueStaff(p.User, staff)
	items, err := s.Comms.Queue(ctx, p.Staff)
	if err != nil {
		return nil, err
	}
	p.At = s.Now()
	p.rows(items, s.Loc)
	if isHTMX(r) {
		return p, nil
	}
	if p.Team {
		yes := true
		if p.People, err = s.Org.ListStaff(ctx, org.StaffFilter{Role: access.CSSpecialist, Active: &yes}); err != nil {
			return nil, err
		}
	}
	if p.Tickets, err = s.Tickets.List(ctx, tickets.Filter{StaffID: p.Staff, Open: true, Limit: 100}); err != nil {
		return nil, err
	}
	// By promised deadline; those without one last.
	slices.SortStableFunc(p.Tickets, func(a, b tickets.View) int {
		switch {
		case a.PromisedAt == nil || b.PromisedAt == nil:
			return cmp.Compare(btoi(a.PromisedAt == nil), btoi(b.PromisedAt == nil))
		}
		return a.PromisedAt.Compare(*b.PromisedAt)
	})
	if p.Callbacks, err = s.Tickets.Callbacks(ctx, tickets.CallbackFilter{StaffID: p.Staff, Open: true, Limit: 100}); err != nil {
		return nil, err
	}
	return p, nil
}

// queueReply is a row's 已回复/已回拨: it logs the staff reply (with its
// files, if any) that answers the clock — a WeChat (or chat) message out in the same
// conversation, a call back (phone_out) to the number of a missed call —
// for the clock's customer, or, for a clock that matched no customer,
// with the conversation or number alone. The reply stops the clock, so
// the row is gone at the next refresh.
func (s *Server) queueReply(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// Files of the reply (a screenshot of the answer), read before the
	// form's other fields.
	ups, done, uerr := s.commUploads(w, r)
	defer done()
	f := r.PostFormValue
	staff := f("staff")
	back := "/queue"
	if staff != "" {
		back += "?" + url.Values{"staff": {staff}}.Encode()
	}
	p, err := s.queueData(r, staff)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(p.Rows, func(r queueRow) bool { return r.Key == f("key") })
	if i < 0 {
		// Answered meanwhile (or not the viewer's): nothing to log.
		s.flash(ctx, s.cat.translate(s.lang(r), "queue.gone"))
		return redirect(w, r, back)
	}
	in, err := s.replyInput(r, p.Rows[i].QueueItem)
	if err == nil {
		err = uerr
	}
	if err == nil {
		_, err = s.Comms.AddWithFiles(ctx, in, ups, s.MaxUpload)
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindTooLarge {
			err = apperr.Invalid("file", e.Message)
		}
	}
	if err == nil {
		s.flash(ctx, s.cat.translate(s.lang(r), "queue.reply_logged"))
		return redirect(w, r, back)
	}
	// A specialist logs only for the customers they own: a record with no
	// customer is refused too when its number or WeChat id now matches
	// someone else's customer. Said on the row's form, like a bad value.
	k := apperr.KindOf(err)
	if k != apperr.KindInvalid && k != apperr.KindConflict && k != apperr.KindForbidden {
		return err
	}
	p.Open, p.posted = p.Rows[i].Key, r.PostForm
	_, d := httpx.Detail(s.Log, r, err)
	if d.Field != "" {
		d.Message = p.fieldLabel(d.Field) + "：" + d.Message
	}
	p.Error = &d
	return s.render(w, httpx.Status(err), "queue", "", p)
}

// replyInput is the record that answers clock it: out, by the viewer, at
// the time typed.
func (s *Server) replyInput(r *http.Request, it comms.QueueItem) (comms.Input, error) {
	in := comms.Input{Direction: "out", OccurredAt: r.PostFormValue("occurred_at"), Summary: r.PostFormValue("summary")}
	if it.CustomerID != nil {
		in.CustomerID = *it.CustomerID
	}
	if it.Kind == sla.KindMissedCall {
		in.Channel, in.Counterpart = "phone_out", it.Conversation
		return in, nil
	}
	// A WeChat or chat reply goes to the conversation of the message that
	// started the clock (key kind|conversation|start record), in its
	// channel: a group and a private chat never answer each other.
	start, err := s.Comms.Get(r.Context(), it.Key[strings.LastIndex(it.Key, "|")+1:])
	if err != nil {
		return in, err
	}
	in.Channel, in.Conversation = start.Channel, it.Conversation
	if start.Channel != "wechat_group" {
		in.Counterpart = start.Counterpart
	}
	return in, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
