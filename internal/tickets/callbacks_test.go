package tickets_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/rates"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

// Callback due dates on the seeded company calendar (2026: 春节 2-15…2-23
// with 调休 Saturdays 2-14 and 2-28; 国庆 10-1…10-7 with 调休 Saturday 10-10).
func TestCallbackDueDates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }
		cases := []struct {
			name     string
			typ      string
			resolved time.Time
			due      time.Time
		}{
			{"repair Thursday → 3 working days: Tuesday", "repair", time.Date(2026, 3, 5, 15, 0, 0, 0, shanghai), day(2026, 3, 11)},
			{"repair Friday over the weekend → Wednesday", "repair", time.Date(2026, 3, 6, 17, 0, 0, 0, shanghai), day(2026, 3, 12)},
			{"repair on a Saturday → Wednesday", "repair", time.Date(2026, 3, 7, 10, 0, 0, 0, shanghai), day(2026, 3, 12)},
			{"repair Friday before 春节: 调休 Saturday counts, holiday skipped", "repair", time.Date(2026, 2, 13, 10, 0, 0, 0, shanghai), day(2026, 2, 26)},
			{"repair before 国庆: 调休 Saturday 10-10 is the third", "repair", time.Date(2026, 9, 30, 10, 0, 0, 0, shanghai), day(2026, 10, 11)},
			{"repair on 调休 Saturday 2-28 → Wednesday", "repair", time.Date(2026, 2, 28, 10, 0, 0, 0, shanghai), day(2026, 3, 5)},
			{"complaint: 2 calendar days, weekend included", "complaint", time.Date(2026, 3, 6, 17, 0, 0, 0, shanghai), day(2026, 3, 9)},
			{"complaint: 2 calendar days, holiday included", "complaint", time.Date(2026, 2, 13, 10, 0, 0, 0, shanghai), day(2026, 2, 16)},
			{"complaint just before midnight", "complaint", time.Date(2026, 3, 5, 23, 59, 59, 0, shanghai), day(2026, 3, 8)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.clock.Set(c.resolved)
				in := repair(e.a)
				if c.typ == "complaint" {
					in = complaint(e.a)
				}
				in.AppointmentAt = ""
				tk := e.move(e.asSpec1, e.ticket(e.asSpec1, in), "acknowledged", "in_progress", "resolved")
				d := e.detail(tk.ID)
				if len(d.Callbacks) != 1 {
					t.Fatalf("callbacks %+v", d.Callbacks)
				}
				cb := d.Callbacks[0]
				if !cb.DueAt.Equal(c.due) || cb.Kind != c.typ || *cb.StaffID != e.spec1.ID || !cb.ResolvedAt.Equal(c.resolved) {
					t.Fatalf("callback due %v, want %v (%+v)", cb.DueAt.In(shanghai), c.due, cb)
				}
			})
		}
		// Other types get no callback and close from resolved.
		e.clock.Set(startTime)
		tk := e.move(e.asSpec1, e.ticket(e.asSpec1, tickets.TicketInput{CustomerID: e.a.ID, Type: "consultation", Channel: "phone_in", Description: "问"}),
			"acknowledged", "in_progress", "resolved", "closed")
		if d := e.detail(tk.ID); len(d.Callbacks) != 0 || d.Status != "closed" {
			t.Fatalf("consultation %+v", d)
		}
		// The policy is configurable (managers only); new resolutions use it.
		err := e.svc.SavePolicy(e.asSpec1, tickets.DefaultPolicy())
		wantErr(t, err, apperr.KindForbidden, "")
		bad := tickets.DefaultPolicy()
		bad.ResamplePercent = 0
		wantErr(t, e.svc.SavePolicy(e.asMgr, bad), apperr.KindInvalid, "resample_percent")
		pol := tickets.DefaultPolicy()
		pol.RepairCallbackWorkingDays = 1
		if err := e.svc.SavePolicy(e.asMgr, pol); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Policy(e.asMgr); !reflect.DeepEqual(got, pol) {
			t.Fatalf("policy %+v", got)
		}
		tk = e.move(e.asSpec1, e.ticket(e.asSpec1, repair(e.a)), "acknowledged", "in_progress", "resolved")
		if cb := e.detail(tk.ID).Callbacks[0]; !cb.DueAt.Equal(day(2026, 3, 7)) {
			t.Fatalf("policy due %v", cb.DueAt.In(shanghai))
		}
		// An SLA rule may set its own callback target: in working days
		// when it counts working time, calendar days otherwise; 0 keeps
		// the type's default.
		pol = tickets.DefaultPolicy()
		for i := range pol.SLA {
			switch pol.SLA[i].Name {
			case "紧急报修": // 24x7
				pol.SLA[i].CallbackDays = 5
			case "一般报修": // working time
				pol.SLA[i].CallbackDays = 2
			}
		}
		tooLong := tickets.DefaultPolicy()
		tooLong.SLA[0].CallbackDays = 31
		wantErr(t, e.svc.SavePolicy(e.asMgr, tooLong), apperr.KindInvalid, "sla[0].callback_days")
		if err := e.svc.SavePolicy(e.asMgr, pol); err != nil {
			t.Fatal(err)
		}
		urgent := repair(e.a)
		urgent.Urgency = "urgent"
		for _, c := range []struct {
			name string
			in   tickets.TicketInput
			rule string
			due  time.Time
		}{
			{"urgent repair: 5 calendar days from Thursday", urgent, "紧急报修", day(2026, 3, 11)},
			{"repair: 2 working days from Thursday", repair(e.a), "一般报修", day(2026, 3, 10)},
			{"complaint: the rule sets none, 2 calendar days", complaint(e.a), "投诉", day(2026, 3, 8)},
		} {
			tk := e.move(e.asSpec1, e.ticket(e.asSpec1, c.in), "acknowledged", "in_progress", "resolved")
			d := e.detail(tk.ID)
			if d.SLARule != c.rule || len(d.Callbacks) != 1 || !d.Callbacks[0].DueAt.Equal(c.due) {
				t.Fatalf("%s: rule %q, callbacks %+v, want due %v", c.name, d.SLARule, d.Callbacks, c.due)
			}
		}
	})
}

func TestRecordCallback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tk := e.move(e.asSpec1, e.ticket(e.asSpec1, repair(e.a)), "acknowledged", "in_progress", "resolved")
		cb := e.detail(tk.ID).Callbacks[0]
		rec, err := e.comms.Add(e.asMgr, comms.Input{Channel: "phone_out", OccurredAt: "2026-03-05 10:00:00", CustomerID: e.a.ID, Summary: "回访"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.comms.Add(e.asMgr, comms.Input{Channel: "phone_out", OccurredAt: "2026-03-05 10:00:00", CustomerID: e.b.ID, Summary: "回访"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name  string
			in    tickets.CallbackInput
			field string
		}{
			{"no result", tickets.CallbackInput{Satisfaction: 5}, "result"},
			{"satisfaction 0", tickets.CallbackInput{Result: "好", Satisfaction: 0}, "satisfaction"},
			{"satisfaction 6", tickets.CallbackInput{Result: "好", Satisfaction: 6}, "satisfaction"},
			{"future", tickets.CallbackInput{Result: "好", Satisfaction: 5, At: "2026-03-05 11:00:00"}, "at"},
			{"before resolution", tickets.CallbackInput{Result: "好", Satisfaction: 5, At: "2026-03-05 09:00:00"}, "at"},
			{"other customer's record", tickets.CallbackInput{Result: "好", Satisfaction: 5, CommunicationID: other.ID}, "communication_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.RecordCallback(e.asSpec1, cb.ID, cb.Version, c.in)
				wantErr(t, err, apperr.KindInvalid, c.field)
			})
		}
		good := tickets.CallbackInput{Result: "机组运行正常，客户满意", Satisfaction: 5, CommunicationID: rec.ID}
		_, err = e.svc.RecordCallback(e.asSpec2, cb.ID, cb.Version, good)
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.RecordCallback(e.asSpec1, cb.ID, cb.Version+1, good)
		wantErr(t, err, apperr.KindConflict, "version")
		done, err := e.svc.RecordCallback(e.asSpec1, cb.ID, cb.Version, good)
		if err != nil {
			t.Fatal(err)
		}
		if done.DoneAt == nil || *done.DoneBy != e.spec1.ID || *done.Satisfaction != 5 || *done.CommunicationID != rec.ID || done.Version != 2 {
			t.Fatalf("callback %+v", done)
		}
		_, err = e.svc.RecordCallback(e.asSpec1, cb.ID, done.Version, good)
		wantErr(t, err, apperr.KindConflict, "done_at")
		d := e.detail(tk.ID)
		last := d.Transitions[len(d.Transitions)-1]
		if d.Status != tickets.StatusCallbackDone || last.ToStatus != tickets.StatusCallbackDone || *last.ByID != e.spec1.ID ||
			!slices.Equal(d.AllowedNext, []string{"closed", "in_progress"}) {
			t.Fatalf("after callback %+v", d)
		}
		tk = e.move(e.asSpec1, &d.Ticket, "closed")
		// Queue listing.
		open, err := e.svc.Callbacks(e.asMgr, tickets.CallbackFilter{Open: true})
		if err != nil || len(open) != 0 {
			t.Fatalf("open %v %v", open, err)
		}
		all, err := e.svc.Callbacks(e.asMgr, tickets.CallbackFilter{StaffID: e.spec1.ID})
		if err != nil || len(all) != 1 || all[0].Number != tk.Number || all[0].CustomerName != "国贸物业" || all[0].StaffName != "石专员" {
			t.Fatalf("all %+v %v", all, err)
		}
	})
}

func TestCallbackRates(t *testing.T) {
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, shanghai) }
	p := func(t time.Time) *time.Time { return &t }
	march := rates.Month{Year: 2026, Month: time.March}
	cases := []struct {
		name  string
		facts []tickets.CallbackFact
		asOf  time.Time
		want  map[string][4]int64 // num, den, late+missed, pending
	}{
		{"nothing", nil, at(3, 31, 12), map[string][4]int64{}},
		{"on time, late, missed, pending", []tickets.CallbackFact{
			{ID: "1", StaffID: "s1", DueAt: at(3, 10, 0), DoneAt: p(at(3, 9, 15))},
			{ID: "2", StaffID: "s1", DueAt: at(3, 10, 0), DoneAt: p(at(3, 10, 0))}, // exactly at the deadline: on time
			{ID: "3", StaffID: "s1", DueAt: at(3, 12, 0), DoneAt: p(at(3, 12, 9))}, // late
			{ID: "4", StaffID: "s1", DueAt: at(3, 13, 0)},                          // missed
			{ID: "5", StaffID: "s1", DueAt: at(3, 25, 0)},                          // not yet due
			{ID: "6", StaffID: "s2", DueAt: at(3, 20, 0), DoneAt: p(at(3, 18, 10))},
		}, at(3, 20, 12), map[string][4]int64{"s1": {2, 4, 2, 1}, "s2": {1, 1, 0, 0}}},
		{"month by the last allowed day", []tickets.CallbackFact{
			{ID: "1", StaffID: "s1", DueAt: at(3, 1, 0), DoneAt: p(at(2, 27, 10))}, // last day 2-28: February
			{ID: "2", StaffID: "s1", DueAt: at(4, 1, 0), DoneAt: p(at(3, 30, 10))}, // last day 3-31: March
			{ID: "3", StaffID: "s1", DueAt: at(4, 2, 0), DoneAt: p(at(3, 30, 10))}, // April
		}, at(4, 30, 0), map[string][4]int64{"s1": {1, 1, 0, 0}}},
		{"only pending: nothing due", []tickets.CallbackFact{{ID: "1", StaffID: "s1", DueAt: at(3, 31, 0)}}, at(3, 5, 0),
			map[string][4]int64{"s1": {0, 0, 0, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tickets.CallbackRates(c.facts, march, shanghai, c.asOf)
			if len(got) != len(c.want) {
				t.Fatalf("got %+v", got)
			}
			for s, w := range c.want {
				r := got[s]
				if r.Num != w[0] || r.Den != w[1] || int64(r.Late+r.Missed) != w[2] || int64(r.Pending) != w[3] ||
					r.Ratio.Num != w[0] || r.Ratio.Den != w[1] || r.Month != "2026-03" {
					t.Fatalf("%s: %+v, want %v", s, r, w)
				}
				if w[1] == 0 && !r.Ratio.NothingDue() {
					t.Fatalf("%s: want nothing due", s)
				}
			}
		})
	}
}

func TestCallbackRatesQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		t1 := e.move(e.asSpec1, e.ticket(e.asSpec1, repair(e.a)), "acknowledged", "in_progress", "resolved")
		e.move(e.asSpec2, e.ticket(e.asSpec2, repair(e.b)), "acknowledged", "in_progress", "resolved")
		cb := e.detail(t1.ID).Callbacks[0]
		if _, err := e.svc.RecordCallback(e.asSpec1, cb.ID, cb.Version, tickets.CallbackInput{Result: "好", Satisfaction: 5}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai)) // both due 3-11
		got, err := e.svc.CallbackRates(e.asMgr, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if r := got[e.spec1.ID]; r.Num != 1 || r.Den != 1 {
			t.Fatalf("spec1 %+v", r)
		}
		if r := got[e.spec2.ID]; r.Num != 0 || r.Den != 1 || r.Missed != 1 {
			t.Fatalf("spec2 %+v", r)
		}
		own, err := e.svc.CallbackRates(e.asSpec2, "2026-03")
		if err != nil || len(own) != 1 || own[e.spec2.ID].Den != 1 {
			t.Fatalf("own %+v %v", own, err)
		}
		_, err = e.svc.CallbackRates(e.asMgr, "March")
		wantErr(t, err, apperr.KindInvalid, "month")
	})
}

func TestSampleCallbacksDeterministic(t *testing.T) {
	ids := make([]string, 23)
	for i := range ids {
		ids[i] = string(rune('a'+i)) + "-callback"
	}
	a := tickets.SampleCallbacks(ids, "kefu/resample/2026Q1", 20)
	rev := slices.Clone(ids)
	slices.Reverse(rev)
	b := tickets.SampleCallbacks(append(rev, ids[0]), "kefu/resample/2026Q1", 20) // order and duplicates do not matter
	if len(a) != 5 || !slices.Equal(a, b) {
		t.Fatalf("sample %v vs %v", a, b)
	}
	for _, id := range a {
		if !slices.Contains(ids, id) {
			t.Fatalf("foreign id %s", id)
		}
	}
	if c := tickets.SampleCallbacks(ids, "kefu/resample/2026Q2", 20); slices.Equal(a, c) {
		t.Fatalf("another quarter drew the same sample %v", c)
	}
	for _, c := range []struct{ n, pct, want int }{{0, 20, 0}, {1, 20, 1}, {5, 20, 1}, {6, 20, 2}, {10, 20, 2}, {11, 20, 3}, {10, 100, 10}} {
		if got := tickets.SampleCallbacks(ids[:c.n], "s", c.pct); len(got) != c.want {
			t.Fatalf("n=%d pct=%d: %d, want %d", c.n, c.pct, len(got), c.want)
		}
	}
}

func TestQuarterlyResample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for range 7 {
			tk := e.move(e.asSpec1, e.ticket(e.asSpec1, repair(e.a)), "acknowledged", "in_progress", "resolved")
			cb := e.detail(tk.ID).Callbacks[0]
			if _, err := e.svc.RecordCallback(e.asSpec1, cb.ID, cb.Version, tickets.CallbackInput{Result: "好", Satisfaction: 4}); err != nil {
				t.Fatal(err)
			}
		}
		// One not called back yet: not in the population.
		e.move(e.asSpec1, e.ticket(e.asSpec1, repair(e.a)), "acknowledged", "in_progress", "resolved")
		_, err := e.svc.GenerateResample(e.asSpec1, "2026Q1")
		wantErr(t, err, apperr.KindForbidden, "")
		set, err := e.svc.GenerateResample(e.asMgr, "2026Q1")
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Items) != 2 || set.Pending != 2 || set.Done != 0 { // ceil(20% of 7)
			t.Fatalf("set %+v", set)
		}
		again, err := e.svc.GenerateResample(e.asMgr, "2026Q1")
		if err != nil || len(again.Items) != 2 || again.Items[0].ID != set.Items[0].ID || again.Items[1].ID != set.Items[1].ID {
			t.Fatalf("again %+v %v", again, err)
		}
		// The sample is the pure function's, seeded by the quarter.
		var ids []string
		if err := db.R().NewSelect().Table("callbacks").Column("id").Where("done_at IS NOT NULL").Scan(e.asMgr, &ids); err != nil {
			t.Fatal(err)
		}
		want := tickets.SampleCallbacks(ids, "kefu/resample/2026Q1", 20)
		got := []string{set.Items[0].CallbackID, set.Items[1].CallbackID}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("sample %v, want %v", got, want)
		}
		it := set.Items[0]
		_, err = e.svc.RecordResample(e.asSpec1, it.ID, it.Version, tickets.ResampleInput{Result: "核实", Satisfaction: 5})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.RecordResample(e.asMgr, it.ID, it.Version, tickets.ResampleInput{Result: "核实"})
		wantErr(t, err, apperr.KindInvalid, "satisfaction")
		rs, err := e.svc.RecordResample(e.asMgr, it.ID, it.Version, tickets.ResampleInput{Result: "经理复核：客户确认已回访", Satisfaction: 5})
		if err != nil || rs.DoneAt == nil || *rs.DoneBy != e.mgr.ID {
			t.Fatalf("resample %+v %v", rs, err)
		}
		_, err = e.svc.RecordResample(e.asMgr, it.ID, it.Version, tickets.ResampleInput{Result: "x", Satisfaction: 5})
		wantErr(t, err, apperr.KindConflict, "version")
		set, err = e.svc.ResampleSet(e.asMgr, "2026Q1")
		if err != nil || set.Done != 1 || set.Pending != 1 || set.Items[0].Number == "" {
			t.Fatalf("progress %+v %v", set, err)
		}
		// An empty quarter stores nothing.
		if s, err := e.svc.GenerateResample(e.asMgr, "2025Q4"); err != nil || len(s.Items) != 0 {
			t.Fatalf("empty %+v %v", s, err)
		}
	})
}
