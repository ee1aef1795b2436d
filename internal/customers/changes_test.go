package customers_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// onlyChange returns the one history entry of a customer for entity and action.
func onlyChange(t *testing.T, e *env, customerID, entity, action string) customers.ArchiveChangeView {
	t.Helper()
	var out []customers.ArchiveChangeView
	for _, ch := range e.history(customerID) {
		if ch.Entity == entity && ch.Action == action {
			out = append(out, ch)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d %s %s entries in the history, want 1", len(out), entity, action)
	}
	return out[0]
}

func TestSameDayRule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := func(day, hh, mm int) time.Time { return time.Date(2026, 3, day, hh, mm, 0, 0, shanghai) }
		cases := []struct {
			name       string
			now        time.Time
			knownOn    string
			recordedAt *time.Time // managerial back-dating
			wantLate   int64
			wantOn     string // recorded_on, company date
			wantErr    apperr.Kind
			wantField  string
		}{
			{name: "default today", now: at(5, 10, 0), wantLate: 0, wantOn: "2026-03-05"},
			{name: "known today", now: at(5, 10, 0), knownOn: "2026-03-05", wantLate: 0, wantOn: "2026-03-05"},
			{name: "known yesterday", now: at(5, 10, 0), knownOn: "2026-03-04", wantLate: 1, wantOn: "2026-03-05"},
			{name: "known 3 days earlier", now: at(5, 10, 0), knownOn: "2026-03-02", wantLate: 3, wantOn: "2026-03-05"},
			{name: "across February end", now: at(2, 9, 0), knownOn: "2026-02-27", wantLate: 3, wantOn: "2026-03-02"},
			{name: "late evening same day", now: at(5, 23, 30), knownOn: "2026-03-05", wantLate: 0, wantOn: "2026-03-05"},
			{name: "just after local midnight", now: at(6, 0, 30), knownOn: "2026-03-05", wantLate: 1, wantOn: "2026-03-06"},
			{name: "local date ahead of UTC", now: at(6, 0, 30), knownOn: "2026-03-06", wantLate: 0, wantOn: "2026-03-06"},
			{name: "known tomorrow", now: at(5, 23, 59), knownOn: "2026-03-06", wantErr: apperr.KindInvalid, wantField: "known_on"},
			{name: "known far future", now: at(5, 10, 0), knownOn: "2027-01-01", wantErr: apperr.KindInvalid, wantField: "known_on"},
			{name: "known not a date", now: at(5, 10, 0), knownOn: "05/03/2026", wantErr: apperr.KindInvalid, wantField: "known_on"},
			{name: "back-dated record", now: at(5, 10, 0), knownOn: "2026-02-20", recordedAt: ptr(at(1, 9, 0)), wantLate: 9, wantOn: "2026-03-01"},
			{name: "back-dated at local midnight", now: at(5, 10, 0), knownOn: "2026-03-01", recordedAt: ptr(time.Date(2026, 2, 28, 16, 30, 0, 0, time.UTC)), wantLate: 0, wantOn: "2026-03-01"},
			{name: "back-dated, known after it", now: at(5, 10, 0), knownOn: "2026-03-03", recordedAt: ptr(at(1, 9, 0)), wantErr: apperr.KindInvalid, wantField: "known_on"},
			{name: "recorded in the future", now: at(5, 10, 0), recordedAt: ptr(at(5, 10, 1)), wantErr: apperr.KindInvalid, wantField: "recorded_at"},
		}
		e := newEnv(t, db)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e.clock.Set(tc.now)
				c := e.customer("同日规则 "+tc.name, e.r1, e.spec1)
				in := inputOf(c)
				in.Notes = "changed"
				in.KnownOn, in.RecordedAt = tc.knownOn, tc.recordedAt
				ctx := e.asSpec1
				if tc.recordedAt != nil {
					ctx = e.asMgr
				}
				_, err := e.svc.UpdateCustomer(ctx, c.ID, c.Version, in)
				if tc.wantErr != "" {
					wantErr(t, err, tc.wantErr, tc.wantField)
					if v := e.get(c.ID); v.Version != c.Version || v.Notes != c.Notes {
						t.Errorf("refused change was written")
					}
					return
				}
				ok(t, err)
				ch := onlyChange(t, e, c.ID, "customer", "update")
				wantKnown := tc.knownOn
				if wantKnown == "" {
					wantKnown = tc.wantOn
				}
				if ch.LateDays != tc.wantLate || ch.RecordedOn != tc.wantOn || ch.KnownOn != wantKnown {
					t.Errorf("late %d recorded_on %s known_on %s; want %d %s %s", ch.LateDays, ch.RecordedOn, ch.KnownOn, tc.wantLate, tc.wantOn, wantKnown)
				}
				wantAt := tc.now
				if tc.recordedAt != nil {
					wantAt = *tc.recordedAt
				}
				if !ch.RecordedAt.Equal(wantAt) {
					t.Errorf("recorded_at %v, want %v", ch.RecordedAt, wantAt)
				}
				late, err := e.svc.Changes(e.asMgr, customers.ChangeFilter{CustomerID: c.ID, LateOnly: true})
				ok(t, err)
				if (len(late) == 1) != (tc.wantLate > 0) {
					t.Errorf("late list has %d entries for late_days %d", len(late), tc.wantLate)
				}
			})
		}
	})
}

func TestRecordedAtOnlyManagerial(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("补录客户", e.r1, e.spec1)
		past := e.clock.Now().Add(-48 * time.Hour)
		before := e.snapshot()
		in := inputOf(c)
		in.Notes = "补录"
		in.RecordedAt = &past
		_, err := e.svc.UpdateCustomer(e.asSpec1, c.ID, c.Version, in)
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddContact(e.asSpec1, c.ID, customers.ContactInput{Name: "补录人", Change: customers.Change{RecordedAt: &past}})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.CreateCustomer(e.asSpec1, customers.CustomerInput{Name: "补录新建", Class: "A", RegionID: e.r1.ID, Change: customers.Change{RecordedAt: &past}})
		wantErr(t, err, apperr.KindForbidden, "")
		e.sameCounts(before, "back-dating by a specialist")

		// System (admin) may back-date, e.g. when migrating history; the
		// stored timestamps are the back-dated ones.
		ct, err := e.svc.AddContact(e.sys, c.ID, customers.ContactInput{Name: "历史联系人", Change: customers.Change{RecordedAt: &past, KnownOn: e.clock.daysAgo(4)}})
		ok(t, err)
		if !ct.CreatedAt.Equal(past) {
			t.Errorf("contact created_at %v, want %v", ct.CreatedAt, past)
		}
		ch := onlyChange(t, e, c.ID, "contact", "create")
		if ch.LateDays != 2 || ch.RecordedBy != nil {
			t.Errorf("system back-dated change: late %d recorded by %v", ch.LateDays, ch.RecordedBy)
		}
	})
}

func TestLateChangesList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c1 := e.customer("专员一客户", e.r1, e.spec1)
		c2 := e.customer("专员二客户", e.r2, e.spec2)
		e.clock.Advance(time.Hour)
		today := e.clock.today()

		// On time by the owner.
		ct := e.contact(c1, "准时", "")
		// Late: known 3 days earlier, recorded by the manager on spec1's
		// customer — the event belongs to the owner, spec1.
		in := inputOf(c1)
		in.Address = "迟到的地址"
		in.KnownOn = e.clock.daysAgo(3)
		_, err := e.svc.UpdateCustomer(e.asMgr, c1.ID, c1.Version, in)
		ok(t, err)
		// Late by the owner, next day, on a contact.
		e.clock.Advance(24 * time.Hour)
		tomorrow := e.clock.today()
		cin := contactInputOf(ct)
		cin.Title = "经理"
		cin.KnownOn = today
		_, err = e.svc.UpdateContact(e.asSpec1, ct.ID, ct.Version, cin)
		ok(t, err)
		// Late for spec2, a WeChat group.
		_, err = e.svc.SaveGroup(e.asSpec2, c2.ID, "", 0, customers.GroupInput{Name: "群", Change: customers.Change{KnownOn: e.clock.daysAgo(2)}})
		ok(t, err)

		get := func(ctx context.Context, f customers.ChangeFilter) []customers.ArchiveChangeView {
			t.Helper()
			f.LateOnly = true
			l, err := e.svc.Changes(ctx, f)
			ok(t, err)
			return l
		}
		all := get(e.asMgr, customers.ChangeFilter{})
		if len(all) != 3 {
			t.Fatalf("late list: %d entries, want 3: %+v", len(all), all)
		}
		// Newest first.
		if all[0].Entity != "wechat_group" || all[1].Entity != "contact" || all[2].Entity != "customer" {
			t.Errorf("order: %s, %s, %s", all[0].Entity, all[1].Entity, all[2].Entity)
		}
		if all[2].LateDays != 3 || deref(all[2].OwnerID) != e.spec1.ID || deref(all[2].RecordedBy) != e.mgr.ID ||
			all[2].OwnerName != e.spec1.Name || all[2].CustomerName != c1.Name {
			t.Errorf("manager-recorded late change: %+v", all[2])
		}
		if all[1].LateDays != 1 || deref(all[1].OwnerID) != e.spec1.ID || all[0].LateDays != 2 || deref(all[0].OwnerID) != e.spec2.ID {
			t.Errorf("late days/owners: %d %v, %d %v", all[1].LateDays, deref(all[1].OwnerID), all[0].LateDays, deref(all[0].OwnerID))
		}

		cases := []struct {
			name string
			f    customers.ChangeFilter
			want int
		}{
			{"owner spec1", customers.ChangeFilter{OwnerID: e.spec1.ID}, 2},
			{"owner spec2", customers.ChangeFilter{OwnerID: e.spec2.ID}, 1},
			{"owner manager", customers.ChangeFilter{OwnerID: e.mgr.ID}, 0},
			{"from tomorrow", customers.ChangeFilter{From: tomorrow}, 2},
			{"to today", customers.ChangeFilter{To: today}, 1},
			{"today only", customers.ChangeFilter{From: today, To: today}, 1},
			{"spec1 tomorrow", customers.ChangeFilter{OwnerID: e.spec1.ID, From: tomorrow, To: tomorrow}, 1},
			{"before everything", customers.ChangeFilter{To: e.clock.daysAgo(30)}, 0},
			{"customer c2", customers.ChangeFilter{CustomerID: c2.ID}, 1},
			{"limit 1", customers.ChangeFilter{Limit: 1}, 1},
		}
		for _, tc := range cases {
			if got := get(e.asMgr, tc.f); len(got) != tc.want {
				t.Errorf("%s: %d entries, want %d", tc.name, len(got), tc.want)
			}
		}
		// Not late ones are still in the full history.
		full, err := e.svc.Changes(e.asMgr, customers.ChangeFilter{CustomerID: c1.ID})
		ok(t, err)
		onTime := 0
		for _, ch := range full {
			if ch.LateDays == 0 {
				onTime++
			}
		}
		if onTime != 2 { // customer create, contact create
			t.Errorf("on-time history entries of c1: %d", onTime)
		}
	})
}
