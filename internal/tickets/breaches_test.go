package tickets_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

// Deadlines missed become events with days overdue, updated as time
// passes and withdrawn when the record is corrected.
func TestDeriveBreaches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 2026-03-05 10:00
		in := repair(e.a)
		in.PromisedAt = "2026-03-05 12:00:00"
		tk := e.ticket(e.asSpec1, in)
		if _, err := e.svc.DeriveBreaches(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist runs it: %v", err)
		}
		n, err := e.svc.DeriveBreaches(e.sys)
		// (Two hours before the deadline: a near notice, tested in notices_test.go.)
		if err != nil || n != (tickets.BreachCounts{Full: true, Notices: tickets.DeadlineNotices{Near: 1}}) {
			t.Fatalf("before the deadline %+v %v", n, err)
		}
		events := func() []struct {
			Type        string     `bun:"type"`
			Quantity    int64      `bun:"quantity"`
			StaffID     *string    `bun:"staff_id"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
		} {
			var out []struct {
				Type        string     `bun:"type"`
				Quantity    int64      `bun:"quantity"`
				StaffID     *string    `bun:"staff_id"`
				WithdrawnAt *time.Time `bun:"withdrawn_at"`
			}
			if err := db.R().NewRaw("SELECT type, quantity, staff_id, withdrawn_at FROM events WHERE source = 'computed' AND type <> 'first_response_overdue' ORDER BY type").Scan(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		e.clock.Set(time.Date(2026, 3, 5, 12, 0, 1, 0, shanghai))
		if n, _ := e.svc.DeriveBreaches(e.sys); n.Solution != 1 {
			t.Fatalf("one second late: %+v", n)
		}
		if ev := events(); len(ev) != 1 || ev[0].Quantity != 1 || *ev[0].StaffID != e.spec1.ID {
			t.Fatalf("events %+v", ev)
		}
		e.clock.Set(time.Date(2026, 3, 7, 12, 30, 0, 0, shanghai))
		if _, err := e.svc.DeriveBreaches(e.sys); err != nil {
			t.Fatal(err)
		}
		if ev := events(); len(ev) != 1 || ev[0].Quantity != 3 {
			t.Fatalf("2 days 30 minutes late: %+v", ev)
		}
		// Resolved (backdated to before the deadline): the breach is withdrawn.
		for _, st := range []struct{ to, at string }{{"acknowledged", "2026-03-05 10:05:00"}, {"in_progress", "2026-03-05 10:10:00"}, {"resolved", "2026-03-05 11:59:00"}} {
			d := e.detail(tk.ID)
			if _, err := e.svc.Transition(e.asSpec1, tk.ID, d.Version, tickets.TransitionInput{To: st.to, At: st.at}); err != nil {
				t.Fatal(err)
			}
		}
		// (Its first-response breach, acknowledged at 10:05, is withdrawn too;
		// sla_test.go covers those.)
		n, err = e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Withdrawn != 2 {
			t.Fatalf("after the backdated resolution %+v %v", n, err)
		}
		if ev := events(); ev[0].WithdrawnAt == nil {
			t.Fatalf("not withdrawn: %+v", ev)
		}
		// Its callback, due within 3 working days (by the end of Tuesday 3-10), is not done by Thursday noon.
		e.clock.Set(time.Date(2026, 3, 12, 12, 0, 0, 0, shanghai))
		n, err = e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Callback != 1 {
			t.Fatalf("callback overdue %+v %v", n, err)
		}
		for _, ev := range events() {
			if ev.Type == tickets.EventCallbackOverdue && (ev.Quantity != 2 || ev.WithdrawnAt != nil) {
				t.Fatalf("callback event %+v", ev)
			}
		}
	})
}

// replyEvent is a complaint_reply_overdue event with its evidence.
type replyEvent struct {
	ID          string     `bun:"id"`
	StaffID     *string    `bun:"staff_id"`
	CustomerID  *string    `bun:"customer_id"`
	OccurredAt  time.Time  `bun:"occurred_at"`
	Quantity    int64      `bun:"quantity"`
	Detail      string     `bun:"detail"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
	Reason      string     `bun:"withdraw_reason"`
	RefKind     string     `bun:"kind"`
	RefID       string     `bun:"ref_id"`
	Role        string     `bun:"role"`
}

// replyEvents returns the complaint_reply_overdue events of the ticket.
func (e *env) replyEvents(ticketID string) []replyEvent {
	e.t.Helper()
	var out []replyEvent
	if err := e.db.R().NewRaw(`SELECT e.id, e.staff_id, e.customer_id, e.occurred_at, e.quantity, e.detail, e.withdrawn_at, e.withdraw_reason,
			v.kind, v.ref_id, v.role
		FROM events e JOIN event_evidence v ON v.event_id = e.id
		WHERE e.type = ? AND e.computed_key = ?`, tickets.EventReplyOverdue, "reply|"+ticketID).Scan(context.Background(), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// majorComplaint registers a complaint received at received, makes it
// major (escalated to the manager) and, when replied is set, records the
// manager's reply at that time.
func (e *env) majorComplaint(received, replied string) *tickets.Ticket {
	e.t.Helper()
	in := complaint(e.a)
	in.ReceivedAt = received
	tk := e.ticket(e.asSpec1, in)
	if _, err := e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, tickets.ComplaintInput{Nature: "quality", Severity: "major"}); err != nil {
		e.t.Fatal(err)
	}
	if replied != "" {
		e.reply(tk.ID, replied)
	}
	return &e.detail(tk.ID).Ticket
}

func (e *env) reply(ticketID, at string) {
	e.t.Helper()
	d := e.detail(ticketID)
	if _, err := e.svc.ReplyMajor(e.asMgr, ticketID, d.Version, tickets.ReplyInput{Note: "经理已致电客户", At: at}); err != nil {
		e.t.Fatalf("reply at %s: %v", at, err)
	}
}

// A major complaint answered after its 1-working-day reply deadline is a
// complaint_reply_overdue event against the manager it went to, dated at
// the deadline, in days overdue (started days), with the ticket as
// evidence; the deadline counts 调休 Saturdays as working days and skips
// holidays. An unanswered one grows day by day, and a reply recorded
// later at a time within the deadline withdraws it.
func TestDeriveBreachesComplaintReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Thursday 2026-03-12 12:00: every case below has its deadline behind it.
		e.clock.Set(time.Date(2026, 3, 12, 12, 0, 0, 0, shanghai))
		cases := []struct {
			name, received, replied string
			due                     time.Time // the reply deadline
			days                    int64     // days overdue; 0 = no event
		}{
			{"replied in time", "2026-03-05 09:00:00", "2026-03-06 17:00:00", time.Date(2026, 3, 7, 0, 0, 0, 0, shanghai), 0},
			{"replied at the last second", "2026-03-05 09:00:00", "2026-03-07 00:00:00", time.Date(2026, 3, 7, 0, 0, 0, 0, shanghai), 0},
			// Friday before 春节: the next working day is the 调休 Saturday
			// 2-14, not the first day after the holiday; answered then, it
			// is 9 days 10 hours (10 started days) late.
			{"replied late across the holiday", "2026-02-13 11:00:00", "2026-02-24 10:00:00", time.Date(2026, 2, 15, 0, 0, 0, 0, shanghai), 10},
			// Received on the 调休 Saturday: due at the end of the first
			// working day after the holiday, so 10 calendar days later is in time.
			{"received on the 调休 Saturday, replied after the holiday", "2026-02-14 11:00:00", "2026-02-24 16:00:00", time.Date(2026, 2, 25, 0, 0, 0, 0, shanghai), 0},
			{"one second late", "2026-03-05 09:00:00", "2026-03-07 00:00:01", time.Date(2026, 3, 7, 0, 0, 0, 0, shanghai), 1},
			// Never replied: Monday's complaint was due at the end of
			// Tuesday; at Thursday noon that is 1 day 12 hours.
			{"never replied", "2026-03-09 10:00:00", "", time.Date(2026, 3, 11, 0, 0, 0, 0, shanghai), 2},
		}
		ids := make([]string, len(cases))
		for i, c := range cases {
			ids[i] = e.majorComplaint(c.received, c.replied).ID
			if d := e.detail(ids[i]); d.Complaint == nil || d.Complaint.ReplyDueAt == nil || !d.Complaint.ReplyDueAt.Equal(c.due) {
				t.Fatalf("%s: reply due %v, want %v", c.name, d.Complaint, c.due)
			}
		}
		n, err := e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Reply != 3 {
			t.Fatalf("derive: %+v %v", n, err)
		}
		for i, c := range cases {
			evs := e.replyEvents(ids[i])
			if c.days == 0 {
				if len(evs) != 0 {
					t.Fatalf("%s: events %+v", c.name, evs)
				}
				continue
			}
			if len(evs) != 1 {
				t.Fatalf("%s: %d events", c.name, len(evs))
			}
			ev := evs[0]
			if ev.Quantity != c.days || !ev.OccurredAt.Equal(c.due) || ev.StaffID == nil || *ev.StaffID != e.mgr.ID ||
				ev.CustomerID == nil || *ev.CustomerID != e.a.ID || ev.WithdrawnAt != nil {
				t.Fatalf("%s: event %+v, want %d days at %v against %s", c.name, ev, c.days, c.due, e.mgr.ID)
			}
			if ev.RefKind != "ticket" || ev.RefID != ids[i] || ev.Role != "deadline" {
				t.Fatalf("%s: evidence %s %s %s", c.name, ev.RefKind, ev.RefID, ev.Role)
			}
			if want := "未在 " + c.due.Format("2006-01-02 15:04") + " 前答复"; !strings.HasPrefix(ev.Detail, "重大投诉 GD-") || !strings.Contains(ev.Detail, want) {
				t.Fatalf("%s: detail %q", c.name, ev.Detail)
			}
		}
		never := ids[len(ids)-1]
		// Saturday noon: still unanswered, 3 days 12 hours late.
		e.clock.Set(time.Date(2026, 3, 14, 12, 0, 0, 0, shanghai))
		if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.Withdrawn != 0 {
			t.Fatalf("Saturday: %+v %v", n, err)
		}
		if evs := e.replyEvents(never); len(evs) != 1 || evs[0].Quantity != 4 || evs[0].WithdrawnAt != nil {
			t.Fatalf("Saturday: %+v", evs)
		}
		// The manager had called the customer on Tuesday and logs it now,
		// at its time: the event is withdrawn, with the reason.
		e.reply(never, "2026-03-10 15:00:00")
		// (An incremental run: it reads the open deadlines and what changed.)
		n, err = e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Full || n.Withdrawn != 1 {
			t.Fatalf("after the backdated reply: %+v %v", n, err)
		}
		if evs := e.replyEvents(never); len(evs) != 1 || evs[0].WithdrawnAt == nil || evs[0].Reason == "" {
			t.Fatalf("not withdrawn: %+v", evs)
		}
		var standing int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE type = ? AND withdrawn_at IS NULL", tickets.EventReplyOverdue).
			Scan(context.Background(), &standing); err != nil || standing != 2 {
			t.Fatalf("%d reply events stand (%v), want the 2 replied late", standing, err)
		}
		// A reply may not be dated before the complaint came in, nor in the future.
		late := e.majorComplaint("2026-03-13 09:00:00", "")
		d := e.detail(late.ID)
		_, err = e.svc.ReplyMajor(e.asMgr, late.ID, d.Version, tickets.ReplyInput{Note: "已回复", At: "2026-03-13 08:59:59"})
		wantErr(t, err, apperr.KindInvalid, "at")
		_, err = e.svc.ReplyMajor(e.asMgr, late.ID, d.Version, tickets.ReplyInput{Note: "已回复", At: "2026-03-14 13:00:00"})
		wantErr(t, err, apperr.KindInvalid, "at")
	})
}
