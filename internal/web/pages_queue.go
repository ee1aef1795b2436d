package web

import (
	"cmp"
	"fmt"
	"html/template"
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
	Team   bool
	Staff  string
	People []org.Staff
	Items  []comms.QueueItem // the open clocks (comms.Queue)
	Rows   template.HTML     // their rows, written by rows
	// TicketRows: the open tickets by promised deadline (ticketRows);
	// CallbackRows: the callbacks due (callbackRows).
	TicketRows, CallbackRows template.HTML
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

// The page's three tables are written by hand (htmlWriter), not by the
// template: a manager's page has hundreds of clock rows and a hundred
// tickets and callbacks, and html/template took more than half the page's
// time finding fields by name and escaping every value through
// reflection. The words come from the catalogue once per page (words).

// words translates message ids for one page, each once.
type words struct {
	p *queuePage
	m map[string]string
}

// text is the message, as it is (for the badge writers, which escape).
func (ws *words) text(id string) string {
	w, ok := ws.m[id]
	if !ok {
		w = ws.p.T(id)
		ws.m[id] = w
	}
	return w
}

// get is the message escaped, to write as it is.
func (ws *words) get(id string) string { return template.HTMLEscapeString(ws.text(id)) }

func (p *queuePage) words() *words { return &words{p: p, m: map[string]string{}} }

// rows writes the open clocks' rows (the tbody's content) into p.Rows,
// the same markup at the first render and at every 5-second poll. form
// is the reply form of the row whose reply failed (p.Open), with what
// was typed.
func (p *queuePage) rows(items []comms.QueueItem, loc *time.Location, form template.HTML) {
	p.Items = items
	ws := p.words()
	var w htmlWriter
	if len(items) == 0 {
		w.emptyRow(8, ws.get("queue.empty"))
		p.Rows = w.HTML()
		return
	}
	write := p.Can("comm.write")
	now := p.RFC3339(p.At)
	left, over := ws.get("queue.left")+" ", ws.get("queue.overdue")+" "
	w.Grow(len(items) * 900)
	for _, it := range items {
		w.Raw(`<tr data-clock-key="`)
		w.Text(it.Key)
		w.Raw(`" data-kind="`)
		w.Text(it.Kind)
		w.Raw(`" data-state="`, p.ClockState(it), `" data-deadline="`, p.RFC3339(it.Deadline))
		if it.NearAt != nil {
			w.Raw(`" data-near="`, p.RFC3339(*it.NearAt))
		}
		w.Raw(`" data-now="`, now, "\">\n  <td class=\"text-nowrap\">", ws.get("queue.kind."+it.Kind), "</td>\n  <td>")
		if it.CustomerID != nil {
			w.Raw(`<a href="/customers/`)
			w.PathSegment(*it.CustomerID)
			w.Raw(`">`)
			w.Text(it.CustomerName)
			w.Raw(`</a>`)
			if it.Conversation != "" {
				w.Raw(`<div class="small text-secondary">`)
				w.Text(it.Conversation)
				w.Raw(`</div>`)
			}
		} else {
			w.Raw(`<span class="mono">`)
			w.Text(cmp.Or(it.Conversation, "—"))
			w.Raw(`</span> <span class="badge bg-orange-lt">`, ws.get("comms.unmatched_badge"), `</span>`)
		}
		w.Raw("</td>\n  <td class=\"text-break\">")
		w.Text(cmp.Or(it.Summary, "—"))
		w.Raw("</td>\n  <td>")
		w.Text(cmp.Or(it.StaffName, "—"))
		w.Raw("</td>\n  <td class=\"text-nowrap mono\">", it.StartedAt.In(loc).Format(time.DateTime),
			"</td>\n  <td class=\"text-nowrap mono\">", it.Deadline.In(loc).Format(time.DateTime), "</td>\n  <td class=\"countdown\">")
		if it.SecondsLeft < 0 {
			w.Raw(over, clock(-it.SecondsLeft))
		} else {
			w.Raw(left, clock(it.SecondsLeft))
		}
		w.Raw("</td>")
		if write {
			reply := "queue.replied"
			if it.Kind == sla.KindMissedCall {
				reply = "queue.called_back"
			}
			open := it.Key == p.Open
			w.Raw("\n  <td class=\"text-nowrap\"><details data-reply")
			if open {
				w.Raw(" open")
			}
			w.Raw(`><summary class="btn btn-sm btn-outline-primary" data-testid="queue-reply-open">`, ws.get(reply), `</summary>`)
			if open {
				w.Raw(string(form))
			}
			w.Raw(`</details></td>`)
		}
		w.Raw("\n</tr>")
	}
	p.Rows = w.HTML()
}

// ticketRows writes the open tickets' rows into p.TicketRows: number,
// type and urgency, customer (or the caller's number), status, promised
// deadline highlighted by DueState.
func (p *queuePage) ticketRows(ts []tickets.View, loc *time.Location) {
	ws := p.words()
	var w htmlWriter
	if len(ts) == 0 {
		w.emptyRow(5, ws.get("queue.tickets_empty"))
		p.TicketRows = w.HTML()
		return
	}
	w.Grow(len(ts) * 600)
	for _, t := range ts {
		p.dueRow(&w, "data-ticket-id", t.ID, t.PromisedAt, t.ID, t.Number)
		w.Raw("</td>\n  <td class=\"text-nowrap\">", ws.get("ticket.type."+t.Type), " ")
		ticketUrgencyBadge(&w, t.Urgency, ws.text("ticket.urgency."+t.Urgency))
		w.Raw("</td>\n  <td>")
		if t.CustomerID != nil {
			w.Raw(`<a class="text-reset" href="/customers/`)
			w.PathSegment(*t.CustomerID)
			w.Raw(`">`)
			w.Text(t.CustomerName)
			w.Raw(`</a>`)
		} else {
			w.Raw(`<span class="mono">`)
			w.Text(cmp.Or(t.Caller, "—"))
			w.Raw(`</span>`)
		}
		w.Raw("</td>\n  <td>")
		ticketStatusBadge(&w, t.Status, ws.text("ticket.status."+t.Status))
		w.Raw("</td>\n  <td class=\"text-nowrap due\">", cmp.Or(formatTime(loc, t.PromisedAt), "—"), "</td>\n</tr>")
	}
	p.TicketRows = w.HTML()
}

// dueRow opens a ticket's or callback's row (idAttr="id"), highlighted
// by its deadline's DueState, and its first cell with the ticket's number
// linked, left open.
func (p *queuePage) dueRow(w *htmlWriter, idAttr, id string, deadline *time.Time, ticketID, number string) {
	w.Raw(`<tr `, idAttr, `="`)
	w.Text(id)
	w.Raw(`"`)
	if st := p.DueState(deadline); st != "" {
		w.Raw(` data-state="`, st, `"`)
	}
	w.Raw(">\n  <td class=\"mono text-nowrap\"><a href=\"/tickets/")
	w.PathSegment(ticketID)
	w.Raw(`">`)
	w.Text(number)
	w.Raw(`</a>`)
}

// callbackRows writes the callbacks due into p.CallbackRows: the ticket's
// number and type, customer, who calls back, when it is due (highlighted
// by DueState).
func (p *queuePage) callbackRows(cs []tickets.CallbackView, loc *time.Location) {
	ws := p.words()
	var w htmlWriter
	if len(cs) == 0 {
		w.emptyRow(4, ws.get("queue.callbacks_empty"))
		p.CallbackRows = w.HTML()
		return
	}
	w.Grow(len(cs) * 400)
	for _, c := range cs {
		p.dueRow(&w, "data-callback-id", c.ID, c.DueAt, c.TicketID, c.Number)
		w.Raw(` <span class="text-secondary">`, ws.get("ticket.type."+c.Type), "</span></td>\n  <td>")
		w.Text(c.CustomerName)
		w.Raw("</td>\n  <td>")
		w.Text(cmp.Or(c.StaffName, "—"))
		w.Raw("</td>\n  <td class=\"text-nowrap due\">", cmp.Or(formatDue(loc, c.DueAt), "—"), "</td>\n</tr>")
	}
	p.CallbackRows = w.HTML()
}

// F is the value the user posted in field name (kept after an error).
func (p *queuePage) F(name string) string { return p.posted.Get(name) }

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
	p.rows(items, s.Loc, "")
	if isHTMX(r) {
		return p, nil
	}
	if p.Team {
		yes := true
		if p.People, err = s.Org.ListStaff(ctx, org.StaffFilter{Role: access.CSSpecialist, Active: &yes}); err != nil {
			return nil, err
		}
	}
	ts, err := s.Tickets.List(ctx, tickets.Filter{StaffID: p.Staff, Open: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	// By promised deadline; those without one last.
	slices.SortStableFunc(ts, func(a, b tickets.View) int {
		switch {
		case a.PromisedAt == nil || b.PromisedAt == nil:
			return cmp.Compare(btoi(a.PromisedAt == nil), btoi(b.PromisedAt == nil))
		}
		return a.PromisedAt.Compare(*b.PromisedAt)
	})
	p.ticketRows(ts, s.Loc)
	cs, err := s.Tickets.Callbacks(ctx, tickets.CallbackFilter{StaffID: p.Staff, Open: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	p.callbackRows(cs, s.Loc)
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
	i := slices.IndexFunc(p.Items, func(it comms.QueueItem) bool { return it.Key == f("key") })
	if i < 0 {
		// Answered meanwhile (or not the viewer's): nothing to log.
		s.flash(ctx, s.cat.translate(s.lang(r), "queue.gone"))
		return redirect(w, r, back)
	}
	in, err := s.replyInput(r, p.Items[i])
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
	p.Open, p.posted = p.Items[i].Key, r.PostForm
	_, d := httpx.Detail(s.Log, r, err)
	if d.Field != "" {
		d.Message = p.fieldLabel(d.Field) + "：" + d.Message
	}
	p.Error = &d
	// The row's own form, open, with what was typed.
	var form strings.Builder
	if err := s.pages["queue"].ExecuteTemplate(&form, "queue-reply-form",
		map[string]any{"P": p, "Key": p.Open, "At": p.F("occurred_at"), "Summary": p.F("summary")}); err != nil {
		return err
	}
	p.rows(p.Items, s.Loc, template.HTML(form.String()))
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
