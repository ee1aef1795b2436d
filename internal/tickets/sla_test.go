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

func TestMatchSLA(t *testing.T) {
	rules := append([]tickets.SLARule{
		{Name: "A 类报修", Type: "repair", Class: "A", FirstResponseMinutes: 15, SolutionHours: 8},
		{Name: "微信群", Channel: "wechat_group", FirstResponseMinutes: 3},
	}, tickets.DefaultSLA()...)
	for _, c := range []struct {
		name, typ, urgency, class, channel string
		want                               string
		wantIdx                            int
	}{
		{"class A repair wins over urgency", "repair", "urgent", "A", "phone_in", "A 类报修", 0},
		{"class B urgent repair", "repair", "urgent", "B", "phone_in", "紧急报修", 2},
		{"no customer urgent repair", "repair", "urgent", "", "phone_in", "紧急报修", 2},
		{"normal repair", "repair", "normal", "B", "phone_in", "一般报修", 3},
		{"channel rule first", "repair", "normal", "B", "wechat_group", "微信群", 1},
		{"complaint", "complaint", "urgent", "C", "visit", "投诉", 4},
		{"fallback", "consultation", "normal", "D", "email", "其他", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, i, ok := tickets.MatchSLA(rules, c.typ, c.urgency, c.class, c.channel)
			if !ok || r.Name != c.want || i != c.wantIdx {
				t.Fatalf("got %q #%d %v, want %q #%d", r.Name, i, ok, c.want, c.wantIdx)
			}
		})
	}
	if _, i, ok := tickets.MatchSLA(rules[:1], "help", "normal", "A", "email"); ok || i != -1 {
		t.Fatalf("no rule matches: %d %v", i, ok)
	}
}

func TestSLAPolicyValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range []struct {
			name  string
			edit  func(p *tickets.Policy)
			field string
		}{
			{"no rules", func(p *tickets.Policy) { p.SLA = []tickets.SLARule{} }, "sla"},
			{"no name", func(p *tickets.Policy) { p.SLA[0].Name = " " }, "sla[0].name"},
			{"duplicate name", func(p *tickets.Policy) { p.SLA[1].Name = p.SLA[0].Name }, "sla[1].name"},
			{"bad type", func(p *tickets.Policy) { p.SLA[1].Type = "fix" }, "sla[1].type"},
			{"bad urgency", func(p *tickets.Policy) { p.SLA[2].Urgency = "high" }, "sla[2].urgency"},
			{"bad class", func(p *tickets.Policy) { p.SLA[3].Class = "E" }, "sla[3].customer_class"},
			{"bad channel", func(p *tickets.Policy) { p.SLA[0].Channel = "fax" }, "sla[0].channel"},
			{"negative response", func(p *tickets.Policy) { p.SLA[0].FirstResponseMinutes = -1 }, "sla[0].first_response_minutes"},
			{"solution too long", func(p *tickets.Policy) { p.SLA[1].SolutionHours = 3000 }, "sla[1].solution_hours"},
			{"no target", func(p *tickets.Policy) { p.SLA[3].FirstResponseMinutes, p.SLA[3].SolutionHours = 0, 0 }, "sla[3].first_response_minutes"},
			{"after a rule that covers it", func(p *tickets.Policy) {
				p.SLA = append(p.SLA, tickets.SLARule{Name: "A 类报修", Type: "repair", Class: "A", FirstResponseMinutes: 15})
			}, "sla[4].name"},
			{"the same match twice", func(p *tickets.Policy) {
				p.SLA = append(p.SLA[:2], tickets.SLARule{Name: "紧急报修（工作时间）", Type: "repair", Urgency: "urgent", FirstResponseMinutes: 30, WorkingTime: true})
			}, "sla[2].name"},
			{"a narrower rule after a wider one", func(p *tickets.Policy) { p.SLA[0], p.SLA[1] = p.SLA[1], p.SLA[0] }, "sla[1].name"},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := tickets.DefaultPolicy()
				c.edit(&p)
				wantErr(t, e.svc.SavePolicy(e.asMgr, p), apperr.KindInvalid, c.field)
			})
		}
		// The covering rule is named, and the rule saves in front of it.
		p := tickets.DefaultPolicy()
		a := tickets.SLARule{Name: "A 类报修", Type: "repair", Class: "A", FirstResponseMinutes: 15}
		p.SLA = append(p.SLA, a)
		if err := e.svc.SavePolicy(e.asMgr, p); err == nil || !strings.Contains(err.Error(), "第 2 条“一般报修”") {
			t.Fatalf("a rule behind 一般报修: %v", err)
		}
		p.SLA = append([]tickets.SLARule{a}, tickets.DefaultSLA()...)
		if err := e.svc.SavePolicy(e.asMgr, p); err != nil {
			t.Fatalf("the rule in front: %v", err)
		}
		// A policy without SLA rules (the callback form) keeps the saved ones.
		p = tickets.DefaultPolicy()
		p.SLA = p.SLA[1:]
		if err := e.svc.SavePolicy(e.asMgr, p); err != nil {
			t.Fatal(err)
		}
		p.SLA, p.ResamplePercent = nil, 30
		if err := e.svc.SavePolicy(e.asMgr, p); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Policy(e.asMgr)
		if got.ResamplePercent != 30 || len(got.SLA) != 3 || got.SLA[0].Name != "一般报修" {
			t.Fatalf("policy %+v", got)
		}
	})
}

// The deadlines a new ticket gets from its rule, on 24x7 and on working
// time across a weekend, the Labour Day holiday and a 调休 Saturday.
func TestSLADeadlines(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			panic(err)
		}
		return v
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.clock.Set(at("2026-05-10 12:00"))
		consult := tickets.TicketInput{CustomerID: e.a.ID, Type: "consultation", Channel: "phone_in", Description: "问"}
		for _, c := range []struct {
			name           string
			in             tickets.TicketInput
			urgent         bool
			received       string
			promised       string // typed
			rule, calendar string
			respond, solve string // "" none
		}{
			{"urgent repair 24x7 over the weekend", repair(e.a), true, "2026-03-06 16:00", "", "紧急报修", "24x7", "2026-03-06 16:30", "2026-03-07 16:00"},
			{"normal repair over the weekend", repair(e.a), false, "2026-03-06 16:00", "", "一般报修", "working", "2026-03-09 09:00", "2026-03-11 16:00"},
			{"complaint", complaint(e.a), false, "2026-03-06 16:00", "", "投诉", "working", "2026-03-06 17:00", "2026-03-10 16:00"},
			{"consultation: no solution target", consult, false, "2026-03-06 16:00", "", "其他", "working", "2026-03-09 16:00", ""},
			{"repair over Labour Day", repair(e.a), false, "2026-04-30 16:00", "", "一般报修", "working", "2026-05-06 09:00", "2026-05-08 16:00"},
			{"repair onto the 调休 Saturday", repair(e.a), false, "2026-05-08 16:00", "", "一般报修", "working", "2026-05-09 09:00", "2026-05-12 16:00"},
			{"a typed deadline is kept", repair(e.a), false, "2026-03-06 16:00", "2026-03-20 12:00", "一般报修", "working", "2026-03-09 09:00", "2026-03-20 12:00"},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := c.in
				in.ReceivedAt, in.PromisedAt, in.AppointmentAt = c.received, c.promised, ""
				if c.urgent {
					in.Urgency = "urgent"
				}
				tk := e.ticket(e.asSpec1, in)
				if tk.SLARule != c.rule || tk.SLACalendar != c.calendar {
					t.Fatalf("rule %q %q", tk.SLARule, tk.SLACalendar)
				}
				d := e.detail(tk.ID)
				if d.FirstResponseDue == nil || !d.FirstResponseDue.Equal(at(c.respond)) {
					t.Fatalf("first response due %v, want %s", d.FirstResponseDue, c.respond)
				}
				if c.solve == "" {
					if d.PromisedAt != nil {
						t.Fatalf("promised %v, want none", d.PromisedAt.In(shanghai))
					}
					return
				}
				if d.PromisedAt == nil || !d.PromisedAt.Equal(at(c.solve)) {
					t.Fatalf("promised %v, want %s", d.PromisedAt, c.solve)
				}
			})
		}
		// A class rule in front wins for customer a (class B).
		p := tickets.DefaultPolicy()
		p.SLA = append([]tickets.SLARule{{Name: "B 类客户", Class: "B", FirstResponseMinutes: 10, SolutionHours: 4}}, p.SLA...)
		if err := e.svc.SavePolicy(e.asMgr, p); err != nil {
			t.Fatal(err)
		}
		in := repair(e.a)
		in.ReceivedAt, in.AppointmentAt = "2026-05-10 08:00", ""
		tk := e.ticket(e.asSpec1, in)
		if tk.SLARule != "B 类客户" || !tk.FirstResponseDue.Equal(at("2026-05-10 08:10")) || !tk.PromisedAt.Equal(at("2026-05-10 12:00")) {
			t.Fatalf("class rule: %q %v %v", tk.SLARule, tk.FirstResponseDue, tk.PromisedAt)
		}
	})
}

// Waiting on the customer stops the solution deadline; resuming moves it
// later by the paused time on the rule's clock.
func TestPauseResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // Thursday 2026-03-05 10:00
		in := repair(e.a)
		in.Urgency = "urgent"
		urgent := e.ticket(e.asSpec1, in) // 24x7: solve by Friday 10:00
		_, err := e.svc.Pause(e.asSpec1, urgent.ID, urgent.Version, "  ")
		wantErr(t, err, apperr.KindInvalid, "reason")
		_, err = e.svc.Resume(e.asSpec1, urgent.ID, urgent.Version)
		wantErr(t, err, apperr.KindInvalid, "status")
		e.clock.Set(time.Date(2026, 3, 5, 11, 0, 0, 0, shanghai))
		tk, err := e.svc.Pause(e.asSpec1, urgent.ID, urgent.Version, "等待客户确认停机时间")
		if err != nil {
			t.Fatal(err)
		}
		if tk.PausedAt == nil {
			t.Fatal("not paused")
		}
		_, err = e.svc.Pause(e.asSpec1, tk.ID, tk.Version, "再次")
		wantErr(t, err, apperr.KindInvalid, "status")
		// Past the deadline while paused: no solution breach.
		e.clock.Set(time.Date(2026, 3, 6, 10, 30, 0, 0, shanghai))
		if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.Solution != 0 {
			t.Fatalf("paused: %+v %v", n, err)
		}
		tk, err = e.svc.Resume(e.asSpec1, tk.ID, tk.Version)
		if err != nil {
			t.Fatal(err)
		}
		// Paused 23.5 h: the deadline moves from Friday 10:00 to Saturday 09:30.
		if tk.PausedAt != nil || tk.PausedTotalS != 84600 || !tk.PromisedAt.Equal(time.Date(2026, 3, 7, 9, 30, 0, 0, shanghai)) {
			t.Fatalf("resumed: %v %d %v", tk.PausedAt, tk.PausedTotalS, tk.PromisedAt.In(shanghai))
		}
		d := e.detail(tk.ID)
		var kinds []string
		for _, tr := range d.Transitions {
			if tr.Kind != "" {
				kinds = append(kinds, tr.Kind+":"+tr.FromStatus+">"+tr.ToStatus+":"+tr.Note)
			}
		}
		if len(kinds) != 2 || kinds[0] != "pause:new>new:等待客户确认停机时间" || kinds[1] != "resume:new>new:客户已回复，恢复计时" {
			t.Fatalf("transitions %v", kinds)
		}
		var audits int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM audit_log WHERE entity = 'ticket' AND entity_id = ?", tk.ID).Scan(context.Background(), &audits); err != nil {
			t.Fatal(err)
		}
		if audits != 3 {
			t.Fatalf("audit rows %d, want create, pause, resume", audits)
		}

		// Working time: a normal repair received Thursday 10:00 is due
		// Tuesday 10:00 (27 working hours); paused Thursday 17:00 to Friday
		// 09:00 is one working hour.
		e.clock.Set(startTime)
		tk = e.ticket(e.asSpec1, repair(e.a))
		if !tk.PromisedAt.Equal(time.Date(2026, 3, 10, 10, 0, 0, 0, shanghai)) {
			t.Fatalf("promised %v", tk.PromisedAt.In(shanghai))
		}
		e.clock.Set(time.Date(2026, 3, 5, 17, 0, 0, 0, shanghai))
		if tk, err = e.svc.Pause(e.asSpec1, tk.ID, tk.Version, "等待客户提供型号"); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 6, 9, 0, 0, 0, shanghai))
		if tk, err = e.svc.Resume(e.asSpec1, tk.ID, tk.Version); err != nil {
			t.Fatal(err)
		}
		if tk.PausedTotalS != 3600 || !tk.PromisedAt.Equal(time.Date(2026, 3, 10, 11, 0, 0, 0, shanghai)) {
			t.Fatalf("working pause: %d %v", tk.PausedTotalS, tk.PromisedAt.In(shanghai))
		}
		// Resolving while paused ends the pause.
		e.clock.Set(time.Date(2026, 3, 6, 10, 0, 0, 0, shanghai))
		tk = e.move(e.asSpec1, tk, "acknowledged", "in_progress")
		if tk, err = e.svc.Pause(e.asSpec1, tk.ID, tk.Version, "等待客户"); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 6, 11, 0, 0, 0, shanghai))
		tk = e.move(e.asSpec1, tk, "resolved")
		if tk.PausedAt != nil || tk.PausedTotalS != 7200 || !tk.PromisedAt.Equal(time.Date(2026, 3, 10, 12, 0, 0, 0, shanghai)) {
			t.Fatalf("resolved while paused: %v %d %v", tk.PausedAt, tk.PausedTotalS, tk.PromisedAt.In(shanghai))
		}
		// A resolved (or closed) ticket cannot pause.
		_, err = e.svc.Pause(e.asSpec1, tk.ID, tk.Version, "等待客户")
		wantErr(t, err, apperr.KindInvalid, "status")
		c := e.move(e.asSpec1, e.ticket(e.asSpec1, tickets.TicketInput{CustomerID: e.a.ID, Type: "consultation", Channel: "phone_in", Description: "问"}),
			"acknowledged", "in_progress", "resolved", "closed")
		_, err = e.svc.Pause(e.asSpec1, c.ID, c.Version, "等待客户")
		wantErr(t, err, apperr.KindInvalid, "status")
	})
}

// A ticket not acknowledged by its first-response deadline is an event
// in minutes late against its first-contact owner, withdrawn after a
// backdated acknowledgement.
func TestFirstResponseBreach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 10:00
		in := repair(e.a)
		in.Urgency = "urgent"
		tk := e.ticket(e.asSpec1, in) // respond by 10:30
		late := e.ticket(e.asSpec1, in)
		type ev struct {
			Quantity    int64      `bun:"quantity"`
			StaffID     *string    `bun:"staff_id"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
			Key         string     `bun:"computed_key"`
		}
		events := func() map[string]ev {
			var out []ev
			if err := db.R().NewRaw("SELECT quantity, staff_id, withdrawn_at, computed_key FROM events WHERE type = ?",
				tickets.EventFirstResponseOverdue).Scan(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			m := map[string]ev{}
			for _, o := range out {
				m[o.Key] = o
			}
			return m
		}
		e.clock.Set(time.Date(2026, 3, 5, 10, 30, 0, 0, shanghai))
		if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.FirstResponse != 0 {
			t.Fatalf("at the deadline: %+v %v", n, err)
		}
		// One second late is one minute.
		e.clock.Set(time.Date(2026, 3, 5, 10, 30, 1, 0, shanghai))
		if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.FirstResponse != 2 {
			t.Fatalf("one second late: %+v %v", n, err)
		}
		if m := events(); len(m) != 2 || m["first_response|"+tk.ID].Quantity != 1 {
			t.Fatalf("events %+v", m)
		}
		// Acknowledged 9 min 30 s late: 10 minutes, however long ago.
		e.clock.Set(time.Date(2026, 3, 5, 10, 40, 0, 0, shanghai))
		if _, err := e.svc.Transition(e.asSpec1, late.ID, late.Version, tickets.TransitionInput{To: "acknowledged", At: "2026-03-05 10:39:30"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			now       time.Time
			unacked   int64
			ackedLate int64
		}{
			{time.Date(2026, 3, 5, 10, 40, 0, 0, shanghai), 10, 10},
			{time.Date(2026, 3, 5, 10, 45, 0, 0, shanghai), 15, 10},
			{time.Date(2026, 3, 5, 12, 0, 30, 0, shanghai), 91, 10},
		} {
			e.clock.Set(c.now)
			// (The counts are of what a run read: the events say what stands.)
			if _, err := e.svc.DeriveBreaches(e.sys); err != nil {
				t.Fatalf("%v: %v", c.now, err)
			}
			m := events()
			a, b := m["first_response|"+tk.ID], m["first_response|"+late.ID]
			if len(m) != 2 || a.Quantity != c.unacked || b.Quantity != c.ackedLate || *a.StaffID != e.spec1.ID || a.WithdrawnAt != nil {
				t.Fatalf("%v: events %+v", c.now, m)
			}
		}
		// Acknowledged, backdated to 10:20: withdrawn.
		if _, err := e.svc.Transition(e.asSpec1, tk.ID, tk.Version, tickets.TransitionInput{To: "acknowledged", At: "2026-03-05 10:20:00"}); err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.DeriveBreaches(e.sys)
		if err != nil || n.Withdrawn != 1 {
			t.Fatalf("after the backdated acknowledgement %+v %v", n, err)
		}
		if m := events(); m["first_response|"+tk.ID].WithdrawnAt == nil || m["first_response|"+late.ID].WithdrawnAt != nil {
			t.Fatalf("events %+v", m)
		}
	})
}
