package tickets_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/notify"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

// resolveAndCallBack takes a complaint ticket to callback_done.
func (e *env) resolveAndCallBack(ctx context.Context, tk *tickets.Ticket) *tickets.Ticket {
	e.t.Helper()
	tk = e.move(ctx, tk, "acknowledged", "in_progress", "resolved")
	d := e.detail(tk.ID)
	cb := d.Callbacks[len(d.Callbacks)-1]
	if _, err := e.svc.RecordCallback(ctx, cb.ID, cb.Version, tickets.CallbackInput{Result: "客户认可", Satisfaction: 4}); err != nil {
		e.t.Fatalf("callback: %v", err)
	}
	return &e.detail(tk.ID).Ticket
}

func TestComplaintClosingNeedsThreeNots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tk := e.resolveAndCallBack(e.asSpec1, e.ticket(e.asSpec1, complaint(e.a)))
		if tk.Status != tickets.StatusCallbackDone {
			t.Fatalf("status %s", tk.Status)
		}
		_, err := e.svc.Transition(e.asSpec1, tk.ID, tk.Version, tickets.TransitionInput{To: "closed"})
		wantErr(t, err, apperr.KindInvalid, "complaint")
		ae, _ := apperr.As(err)
		for _, f := range []string{"justified", "root_cause", "responsibility", "corrective_action"} {
			if !strings.Contains(ae.Message, f) {
				t.Fatalf("message %q misses %s", ae.Message, f)
			}
		}
		steps := []struct {
			in      tickets.ComplaintInput
			missing []string
		}{
			{tickets.ComplaintInput{Nature: "quality", Justified: "no", Reason: "按合同执行"}, []string{"root_cause", "responsibility", "corrective_action"}},
			{tickets.ComplaintInput{Nature: "quality", Justified: "no", RootCause: "客户误解保养范围", Responsibility: "无责任方"}, []string{"corrective_action"}},
			{tickets.ComplaintInput{Nature: "quality", Justified: "no", RootCause: "客户误解保养范围", Responsibility: "无责任方", CorrectiveAction: "向客户书面说明保养范围"}, nil},
		}
		for _, st := range steps {
			c, err := e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, st.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := tickets.CloseMissing(c); !slices.Equal(got, st.missing) {
				t.Fatalf("missing %v, want %v", got, st.missing)
			}
			tk = &e.detail(tk.ID).Ticket
			_, err = e.svc.Transition(e.asSpec1, tk.ID, tk.Version, tickets.TransitionInput{To: "closed"})
			if st.missing != nil {
				wantErr(t, err, apperr.KindInvalid, "complaint")
			} else if err != nil {
				t.Fatal(err)
			}
		}
		tk = &e.detail(tk.ID).Ticket
		if tk.Status != tickets.StatusClosed {
			t.Fatalf("status %s", tk.Status)
		}
		// Closed: reopen before editing.
		_, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, tickets.ComplaintInput{})
		wantErr(t, err, apperr.KindInvalid, "status")
		// Not a complaint ticket.
		r := e.ticket(e.asSpec1, repair(e.a))
		_, err = e.svc.SaveComplaint(e.asMgr, r.ID, r.Version, tickets.ComplaintInput{})
		wantErr(t, err, apperr.KindInvalid, "type")
	})
}

type evRow struct {
	ID             string     `bun:"id"`
	Type           string     `bun:"type"`
	StaffID        *string    `bun:"staff_id"`
	Source         string     `bun:"source"`
	FlaggedBy      *string    `bun:"flagged_by"`
	Reason         string     `bun:"reason"`
	WithdrawnAt    *time.Time `bun:"withdrawn_at"`
	WithdrawnBy    *string    `bun:"withdrawn_by"`
	WithdrawReason string     `bun:"withdraw_reason"`
	OccurredAt     time.Time  `bun:"occurred_at"`
}

func (e *env) events(ticketID string) []evRow {
	e.t.Helper()
	var out []evRow
	if err := e.db.R().NewRaw(`SELECT e.id, e.type, e.staff_id, e.source, e.flagged_by, e.reason, e.withdrawn_at, e.withdrawn_by,
		e.withdraw_reason, e.occurred_at FROM events e JOIN event_evidence v ON v.event_id = e.id
		WHERE v.kind = 'ticket' AND v.ref_id = ? AND v.role = 'complaint' ORDER BY e.created_at, e.id`, ticketID).Scan(context.Background(), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestAttitudeEventFlagAndWithdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		in := complaint(e.a)
		in.ReceivedAt = "2026-03-04 15:00:00"
		tk := e.ticket(e.asSpec1, in)
		attitude := tickets.ComplaintInput{Nature: "attitude", AgainstStaffID: e.spec2.ID, Justified: "yes", Reason: "录音证实语气生硬"}

		// Only the manager judges.
		_, err := e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, attitude)
		wantErr(t, err, apperr.KindForbidden, "")
		// A specialist records nature and person without judging: no event.
		c, err := e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, tickets.ComplaintInput{Nature: "attitude", AgainstStaffID: e.spec2.ID})
		if err != nil || c.EventID != nil || len(e.events(tk.ID)) != 0 {
			t.Fatalf("unjudged: %+v %v", c, err)
		}
		tk = &e.detail(tk.ID).Ticket
		c, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, attitude)
		if err != nil {
			t.Fatal(err)
		}
		evs := e.events(tk.ID)
		if len(evs) != 1 || c.EventID == nil || evs[0].ID != *c.EventID || evs[0].Type != "attitude_complaint" ||
			*evs[0].StaffID != e.spec2.ID || evs[0].Source != "flagged" || *evs[0].FlaggedBy != e.mgr.ID ||
			evs[0].Reason != "录音证实语气生硬" || evs[0].WithdrawnAt != nil ||
			!evs[0].OccurredAt.Equal(time.Date(2026, 3, 4, 15, 0, 0, 0, shanghai)) {
			t.Fatalf("event %+v", evs)
		}
		if c.JudgedBy == nil || *c.JudgedBy != e.mgr.ID {
			t.Fatalf("judged by %v", c.JudgedBy)
		}
		if entries, err := audit.List(e.sys, db.R(), audit.Filter{Entity: "complaint", EntityID: tk.ID}); err != nil || len(entries) != 2 {
			t.Fatalf("complaint audit %d %v", len(entries), err)
		}
		// Saving again unchanged keeps the one event.
		tk = &e.detail(tk.ID).Ticket
		if _, err := e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, attitude); err != nil || len(e.events(tk.ID)) != 1 {
			t.Fatalf("resave: %v", err)
		}
		// A specialist cannot change the person of a justified complaint.
		tk = &e.detail(tk.ID).Ticket
		moved := attitude
		moved.AgainstStaffID = e.spec1.ID
		_, err = e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, moved)
		wantErr(t, err, apperr.KindForbidden, "")

		// Judged not justified later: the event is withdrawn, not deleted.
		notJustified := attitude
		notJustified.Justified, notJustified.Reason = "no", "复核录音后认定为误会"
		c, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, notJustified)
		if err != nil {
			t.Fatal(err)
		}
		evs = e.events(tk.ID)
		if len(evs) != 1 || c.EventID != nil || evs[0].WithdrawnAt == nil || *evs[0].WithdrawnBy != e.mgr.ID ||
			evs[0].WithdrawReason != "复核录音后认定为误会" {
			t.Fatalf("withdrawn %+v", evs)
		}
		// Justified again: a new event; then the person changes: the old one
		// is withdrawn and the new person gets one.
		tk = &e.detail(tk.ID).Ticket
		if c, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, attitude); err != nil {
			t.Fatal(err)
		}
		tk = &e.detail(tk.ID).Ticket
		if c, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, moved); err != nil {
			t.Fatal(err)
		}
		evs = e.events(tk.ID)
		if len(evs) != 3 || evs[1].WithdrawnAt == nil || evs[2].WithdrawnAt != nil || *evs[2].StaffID != e.spec1.ID || *c.EventID != evs[2].ID {
			t.Fatalf("events %+v", evs)
		}
		// A quality complaint, or one against nobody on the staff: no event.
		tk = &e.detail(tk.ID).Ticket
		quality := moved
		quality.Nature = "quality"
		if c, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, quality); err != nil || c.EventID != nil {
			t.Fatalf("quality %+v %v", c, err)
		}
		if evs = e.events(tk.ID); evs[2].WithdrawnAt == nil {
			t.Fatalf("not withdrawn %+v", evs[2])
		}
		pub, err := e.svc.Events(e.asMgr, tk.ID)
		if err != nil || len(pub) != 3 {
			t.Fatalf("Events %v %v", pub, err)
		}
		// Nobody judges a complaint against themselves.
		tk = &e.detail(tk.ID).Ticket
		self := attitude
		self.AgainstStaffID = e.mgr.ID
		_, err = e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, self)
		wantErr(t, err, apperr.KindForbidden, "")
	})
}

func TestMajorComplaintEscalatesWithReplyDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.clock.Set(time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai))
		cases := []struct {
			name, received string
			due            time.Time
		}{
			{"Thursday → end of Friday", "2026-03-05 09:00:00", time.Date(2026, 3, 7, 0, 0, 0, 0, shanghai)},
			{"Friday → end of Monday", "2026-03-06 16:00:00", time.Date(2026, 3, 10, 0, 0, 0, 0, shanghai)},
			{"Friday before 春节 → 调休 Saturday", "2026-02-13 11:00:00", time.Date(2026, 2, 15, 0, 0, 0, 0, shanghai)},
			{"Saturday 调休 → next working day after the holiday", "2026-02-14 11:00:00", time.Date(2026, 2, 25, 0, 0, 0, 0, shanghai)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := complaint(e.a)
				in.ReceivedAt = c.received
				tk := e.ticket(e.asSpec1, in)
				cp, err := e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, tickets.ComplaintInput{Nature: "quality", Severity: "major"})
				if err != nil {
					t.Fatal(err)
				}
				if cp.EscalatedTo == nil || *cp.EscalatedTo != e.mgr.ID || cp.ReplyDueAt == nil || !cp.ReplyDueAt.Equal(c.due) {
					t.Fatalf("complaint %+v due %v want %v", cp, cp.ReplyDueAt, c.due)
				}
				ns, err := notify.NewService(db, e.clock.Now).List(e.asMgr, false, 100)
				if err != nil || !slices.ContainsFunc(ns, func(n notify.Notification) bool { return n.SubjectID == tk.ID && n.Kind == "major_complaint" }) {
					t.Fatalf("notice %v %v", ns, err)
				}
				tk = &e.detail(tk.ID).Ticket
				// Only the manager replies, once, and only a specialist can't downgrade.
				_, err = e.svc.ReplyMajor(e.asSpec1, tk.ID, tk.Version, tickets.ReplyInput{Note: "已致电"})
				wantErr(t, err, apperr.KindForbidden, "")
				_, err = e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, tickets.ComplaintInput{Nature: "quality", Severity: "general"})
				wantErr(t, err, apperr.KindForbidden, "")
				_, err = e.svc.ReplyMajor(e.asMgr, tk.ID, tk.Version, tickets.ReplyInput{Note: ""})
				wantErr(t, err, apperr.KindInvalid, "note")
				cp, err = e.svc.ReplyMajor(e.asMgr, tk.ID, tk.Version, tickets.ReplyInput{Note: "经理已致电客户，约定周五上门"})
				if err != nil || cp.RepliedAt == nil || *cp.RepliedBy != e.mgr.ID {
					t.Fatalf("reply %+v %v", cp, err)
				}
				tk = &e.detail(tk.ID).Ticket
				_, err = e.svc.ReplyMajor(e.asMgr, tk.ID, tk.Version, tickets.ReplyInput{Note: "再回复"})
				wantErr(t, err, apperr.KindConflict, "replied_at")
			})
		}
	})
}

func TestAnalyseComplaints(t *testing.T) {
	d := func(s string) calendar.Date {
		v, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q1 := tickets.Quarter{Year: 2026, Q: 1}
	facts := []tickets.ComplaintFact{
		{TicketID: "1", ReceivedOn: d("2026-01-05"), Nature: "attitude", Severity: "major", Justified: "yes", RegionID: "r1", RegionName: "国贸", AgainstStaffID: "s1", AgainstName: "石专员"},
		{TicketID: "2", ReceivedOn: d("2026-02-10"), Nature: "attitude", Severity: "general", Justified: "no", RegionID: "r1", RegionName: "国贸", AgainstStaffID: "s1", AgainstName: "石专员"},
		{TicketID: "3", ReceivedOn: d("2026-03-31"), Nature: "quality", Severity: "general", Justified: "yes", RegionID: "r2", RegionName: "望京", AgainstText: "维修组"},
		{TicketID: "4", ReceivedOn: d("2026-03-15"), Nature: "other", Severity: "general", Justified: "undecided"},
		{TicketID: "5", ReceivedOn: d("2026-04-01"), Nature: "quality", Severity: "major", Justified: "yes", RegionID: "r2", RegionName: "望京"}, // Q2
		{TicketID: "6", ReceivedOn: d("2025-12-31"), Nature: "quality", Severity: "major", Justified: "yes", RegionID: "r2", RegionName: "望京"}, // Q4
	}
	cases := []struct {
		name  string
		facts []tickets.ComplaintFact
		want  tickets.ComplaintAnalysis
	}{
		{"empty", nil, tickets.ComplaintAnalysis{Quarter: "2026Q1",
			ByNature: []tickets.Count{{Key: "quality", Label: "服务质量"}, {Key: "attitude", Label: "服务态度"}, {Key: "other", Label: "其他"}},
			ByRegion: []tickets.Count{}, ByPerson: []tickets.Count{}}},
		{"quarter", facts, tickets.ComplaintAnalysis{Quarter: "2026Q1", Total: 4, Justified: 2, Major: 1,
			ByNature: []tickets.Count{{Key: "quality", Label: "服务质量", Total: 1, Justified: 1}, {Key: "attitude", Label: "服务态度", Total: 2, Justified: 1, Major: 1},
				{Key: "other", Label: "其他", Total: 1}},
			ByRegion: []tickets.Count{{Key: "r1", Label: "国贸", Total: 2, Justified: 1, Major: 1}, {Key: "r2", Label: "望京", Total: 1, Justified: 1},
				{Key: "", Label: "未匹配客户", Total: 1}},
			ByPerson: []tickets.Count{{Key: "s1", Label: "石专员", Total: 2, Justified: 1, Major: 1}, {Key: "", Label: "未指明", Total: 1},
				{Key: "text:维修组", Label: "维修组", Total: 1, Justified: 1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tickets.AnalyseComplaints(c.facts, q1)
			if got.Quarter != c.want.Quarter || got.Total != c.want.Total || got.Justified != c.want.Justified || got.Major != c.want.Major ||
				!slices.Equal(got.ByNature, c.want.ByNature) || !slices.Equal(got.ByRegion, c.want.ByRegion) || !slices.Equal(got.ByPerson, c.want.ByPerson) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
	for _, s := range []struct {
		in   string
		want tickets.Quarter
		ok   bool
	}{{"2026Q1", q1, true}, {"2026-Q4", tickets.Quarter{Year: 2026, Q: 4}, true}, {"2026q2", tickets.Quarter{Year: 2026, Q: 2}, true},
		{"2026Q5", tickets.Quarter{}, false}, {"26Q1", tickets.Quarter{}, false}, {"2026", tickets.Quarter{}, false}} {
		got, err := tickets.ParseQuarter(s.in)
		if (err == nil) != s.ok || got != s.want {
			t.Fatalf("ParseQuarter(%q) = %v, %v", s.in, got, err)
		}
	}
	if q1.First() != d("2026-01-01") || q1.Last() != d("2026-03-31") || (tickets.Quarter{Year: 2026, Q: 4}).Last() != d("2026-12-31") {
		t.Fatal("quarter bounds")
	}
}

func TestComplaintAnalysisQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range []struct {
			cust   string
			nature string
		}{{e.a.ID, "attitude"}, {e.a.ID, "quality"}, {e.b.ID, "quality"}} {
			in := complaint(e.a)
			in.CustomerID = c.cust
			tk := e.ticket(e.asSpec1, in)
			if _, err := e.svc.SaveComplaint(e.asMgr, tk.ID, tk.Version, tickets.ComplaintInput{Nature: c.nature, AgainstStaffID: e.spec2.ID, Justified: "yes"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.ComplaintAnalysis(e.asSpec1, "2026Q1")
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.ComplaintAnalysis(e.asMgr, "2026-1")
		wantErr(t, err, apperr.KindInvalid, "quarter")
		a, err := e.svc.ComplaintAnalysis(e.asMgr, "2026Q1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Total != 3 || a.ByNature[0].Total != 2 || a.ByNature[1].Total != 1 || a.ByRegion[0].Label != "国贸" || a.ByRegion[0].Total != 2 ||
			len(a.ByPerson) != 1 || a.ByPerson[0].Label != "苏专员" || a.ByPerson[0].Justified != 3 {
			t.Fatalf("analysis %+v", a)
		}
		if a, _ := e.svc.ComplaintAnalysis(e.asMgr, "2026Q2"); a.Total != 0 {
			t.Fatalf("Q2 %+v", a)
		}
	})
}
