package comms_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// insertDirect writes a record the way the contracts domain does: into the
// table, with the customer and no number or conversation, bypassing the
// service (so no clock is derived).
func (e *env) insertDirect(t *testing.T, channel, direction, customerID string, at time.Time) string {
	t.Helper()
	staff := e.spec1ID
	r := &comms.Record{ID: store.NewID(), Channel: channel, Direction: direction, OccurredAt: store.Time(at), StaffID: &staff,
		CustomerID: &customerID, Summary: "续约联系", CreatedBy: &staff, CreatedAt: store.Time(now), Source: comms.SourceUI}
	if err := e.db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(r).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (e *env) missedEvent(t *testing.T) eventRow {
	t.Helper()
	var out eventRow
	for _, ev := range e.events(t) {
		if ev.Type == "missed_call_timeout" {
			if out.ID != "" {
				t.Fatalf("two missed-call events: %+v", e.events(t))
			}
			out = ev
		}
	}
	if out.ID == "" {
		t.Fatalf("no missed-call event: %+v", e.events(t))
	}
	return out
}

// A call back recorded with the customer only (as contracts records a
// renewal call) stops the customer's missed-call clock once
// RecomputeCustomer runs, whether the missed call came with a number or
// with the customer only; another customer's call back stops nothing.
func TestRecomputeCustomerStopsMissedCalls(t *testing.T) {
	at := func(hm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-05 "+hm, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name        string
		byNumber    bool   // the missed call came in with the number (matched to 国贸物业 by its contact); else customer only
		otherCust   bool   // the call back is for 望京写字楼, not 国贸物业
		back        string // time of the call back
		wantState   string
		wantStopped bool
		wantLate    int64 // minutes of the breach event
		wantOpen    bool  // the breach event stands
	}{
		{name: "number, called back in time", byNumber: true, back: "09:35", wantState: "met", wantStopped: true},
		{name: "number, called back late", byNumber: true, back: "09:50", wantState: "breached", wantStopped: true, wantLate: 10, wantOpen: true},
		{name: "number, another customer called", byNumber: true, otherCust: true, back: "09:35", wantState: "breached", wantLate: 20, wantOpen: true},
		{name: "customer only, called back in time", back: "09:35", wantState: "met", wantStopped: true},
		{name: "customer only, called back late", back: "09:45", wantState: "breached", wantStopped: true, wantLate: 5, wantOpen: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db) // now 10:00
				ctx := context.Background()
				conv := "13800000001"
				if tc.byNumber {
					p := comms.Input{ExternalID: "p1", Channel: "phone_missed", OccurredAt: "2026-03-05 09:10:00", Counterpart: conv}
					if _, err := e.svc.Ingest(e.info, []comms.Input{p}, comms.SourceAPI); err != nil {
						t.Fatal(err)
					}
				} else {
					conv = ""
					e.insertDirect(t, "phone_missed", "in", e.a.ID, at("09:10"))
					if _, err := e.svc.RecomputeCustomer(ctx, e.a.ID, at("09:10")); err != nil {
						t.Fatal(err)
					}
				}
				// 09:10 unanswered at 10:00: 20 minutes past the 09:40 deadline.
				c, ok := e.clocks(t)[conv]
				if !ok || c.Kind != "missed_call" || c.State != "breached" || c.StopID != nil || c.CustomerID == nil || *c.CustomerID != e.a.ID {
					t.Fatalf("missed-call clock before the call back: %+v (found %v)", c, ok)
				}
				if ev := e.missedEvent(t); ev.Quantity != 20 || ev.WithdrawnAt != nil {
					t.Fatalf("breach before the call back: %+v", ev)
				}
				cust := e.a.ID
				if tc.otherCust {
					cust = e.b.ID
				}
				backID := e.insertDirect(t, "phone_out", "out", cust, at(tc.back))
				// Written behind the service's back, the record stops nothing yet.
				if c := e.clocks(t)[conv]; c.StopID != nil {
					t.Fatalf("clock stopped before the recomputation: %+v", c)
				}
				if _, err := e.svc.RecomputeCustomer(ctx, cust, at(tc.back)); err != nil {
					t.Fatal(err)
				}
				c = e.clocks(t)[conv]
				if c.State != tc.wantState || (c.StopID != nil) != tc.wantStopped || (tc.wantStopped && *c.StopID != backID) {
					t.Fatalf("clock after the call back: %+v, want %s stopped=%v by %s", c, tc.wantState, tc.wantStopped, backID)
				}
				ev := e.missedEvent(t)
				if (ev.WithdrawnAt == nil) != tc.wantOpen || tc.wantOpen && ev.Quantity != tc.wantLate {
					t.Fatalf("breach after the call back: %+v, want open=%v %d minutes", ev, tc.wantOpen, tc.wantLate)
				}
				// Everything is stored as derived: again changes nothing.
				n, err := e.svc.RecomputeCustomer(ctx, e.a.ID, at(tc.back))
				if err != nil || n.Changed != 0 || n.Withdrawn != 0 || n.Clocks == 0 {
					t.Fatalf("recompute again: %+v %v", n, err)
				}
			})
		})
	}
}

func TestRecomputeCustomerArguments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		_, err := e.svc.RecomputeCustomer(ctx, " ", now)
		wantField(t, err, apperr.KindInvalid, "customer_id")
		_, err = e.svc.RecomputeCustomer(ctx, e.a.ID, time.Time{})
		wantField(t, err, apperr.KindInvalid, "at")
		// A visit opens and stops nothing: nothing to derive, and other
		// customers' clocks are left alone (no conversation named is not
		// the whole window).
		p := comms.Input{ExternalID: "p1", Channel: "phone_missed", OccurredAt: "2026-03-05 09:10:00", Counterpart: "13800000001"}
		if _, err := e.svc.Ingest(e.info, []comms.Input{p}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQLDB().Exec("DELETE FROM response_clocks"); err != nil {
			t.Fatal(err)
		}
		e.insertDirect(t, "visit", "out", e.b.ID, now.Add(-time.Minute))
		n, err := e.svc.RecomputeCustomer(ctx, e.b.ID, now.Add(-time.Minute))
		if err != nil || n != (comms.RecomputeCounts{}) {
			t.Fatalf("recompute of a customer with no clock records: %+v %v", n, err)
		}
		if cl := e.clocks(t); len(cl) != 0 {
			t.Fatalf("clocks derived for others: %+v", cl)
		}
	})
}

// A call back typed through the service with the customer but no number
// (as the satisfaction surveys record their calls) stops the customer's
// missed-call clock in the same transaction.
func TestAddCustomerOnlyCallBackStopsMissedCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := comms.Input{ExternalID: "p1", Channel: "phone_missed", OccurredAt: "2026-03-05 09:40:00", Counterpart: "13800000001"}
		if _, err := e.svc.Ingest(e.info, []comms.Input{p}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if c := e.clocks(t)["13800000001"]; c.State != "running" || c.StopID != nil {
			t.Fatalf("missed call before the call back: %+v", c)
		}
		r, err := e.svc.Add(e.spec1, comms.Input{Channel: "phone_out", OccurredAt: "2026-03-05 09:55:00", CustomerID: e.a.ID, Summary: "回访"})
		if err != nil {
			t.Fatal(err)
		}
		if c := e.clocks(t)["13800000001"]; c.State != "met" || c.StopID == nil || *c.StopID != r.ID {
			t.Fatalf("missed call after the call back %s: %+v", r.ID, c)
		}
	})
}

// A call back two days after a missed call, recorded with the customer
// only, still stops the clock: RecomputeCustomer reaches back to the
// customer's clocks still open.
func TestRecomputeCustomerReachesOldOpenClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00
		p := comms.Input{ExternalID: "p1", Channel: "phone_missed", OccurredAt: "2026-03-03 09:10:00", Counterpart: "13800000001"}
		if _, err := e.svc.Ingest(e.info, []comms.Input{p}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		back := time.Date(2026, 3, 5, 9, 50, 0, 0, shanghai)
		backID := e.insertDirect(t, "phone_out", "out", e.a.ID, back)
		if _, err := e.svc.RecomputeCustomer(context.Background(), e.a.ID, back); err != nil {
			t.Fatal(err)
		}
		c := e.clocks(t)["13800000001"]
		if c.StopID == nil || *c.StopID != backID || c.State != "breached" {
			t.Fatalf("the two-day-old clock after the call back: %+v", c)
		}
		// Due 03-03 09:40, called back 03-05 09:50: two days and ten minutes late.
		if ev := e.missedEvent(t); ev.Quantity != 2*24*60+10 || ev.WithdrawnAt != nil {
			t.Fatalf("breach: %+v", ev)
		}
	})
}

// A missed call from an unknown number breaches with no customer and no
// one responsible; matching it to the customer later re-derives its clock
// in the same transaction: the clock and its breach event become the
// owning specialist's, and the customer's own call back (recorded with
// the customer but another number) now stops it.
func TestMatchAttributesTheClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai; 国贸物业 is spec1's
		res, err := e.svc.Ingest(e.info, []comms.Input{
			{ExternalID: "m1", Channel: "phone_missed", OccurredAt: "2026-03-05 09:00:00", Counterpart: "13900000009"},
			{ExternalID: "o1", Channel: "phone_out", OccurredAt: "2026-03-05 09:50:00", Counterpart: "13800000001", StaffLogin: "spec1"},
		}, comms.SourceAPI)
		if err != nil || res[0].Matched || !res[1].Matched {
			t.Fatalf("ingest %+v %v", res, err)
		}
		c := e.clocks(t)["13900000009"]
		if c.State != "breached" || c.CustomerID != nil || c.StaffID != nil || c.StopID != nil {
			t.Fatalf("the unknown number's clock: %+v", c)
		}
		evs := e.events(t)
		if len(evs) != 1 || evs[0].StaffID != nil || evs[0].Quantity != 30 || evs[0].ComputedKey != c.Key {
			t.Fatalf("the unknown number's breach: %+v", evs)
		}
		if _, err := e.svc.Match(e.spec1, res[0].ID, e.a.ID, ""); err != nil {
			t.Fatal(err)
		}
		c = e.clocks(t)["13900000009"]
		// Called back at 09:50 (the customer's other number): 20 minutes late.
		if c.State != "breached" || c.CustomerID == nil || *c.CustomerID != e.a.ID || c.StaffID == nil || *c.StaffID != e.spec1ID ||
			c.StopID == nil || *c.StopID != res[1].ID || c.LateS != 20*60 {
			t.Fatalf("the clock after matching: %+v", c)
		}
		after := e.events(t)
		if len(after) != 1 || after[0].ID != evs[0].ID || after[0].StaffID == nil || *after[0].StaffID != e.spec1ID ||
			after[0].Quantity != 20 || after[0].WithdrawnAt != nil {
			t.Fatalf("the breach after matching: %+v", after)
		}
		var cust string
		if err := db.R().NewRaw("SELECT customer_id FROM events WHERE id = ?", after[0].ID).Scan(context.Background(), &cust); err != nil || cust != e.a.ID {
			t.Fatalf("the breach's customer %q %v", cust, err)
		}
		// Deriving again changes nothing: Match stored what the records say.
		n, err := e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second))
		if err != nil || n.Changed != 0 || n.Breaches != 1 || n.Withdrawn != 0 {
			t.Fatalf("recompute after matching %+v %v", n, err)
		}
	})
}

// Recomputing the clocks of touched conversations reads, besides their
// records, the calls of their calls' customers (a call back from another
// number stops a missed call) — not those customers' WeChat groups,
// which no call connects to: touching the customer's number reads the
// call records alone, touching the group reads the group alone.
func TestRecomputeTouchedReadsTheCustomersCalls(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai; 国贸物业 (group wxg-001, phone 13800000001) is spec1's
		in := func(ext, ch, dir, at, conv, cp string) comms.Input {
			return comms.Input{ExternalID: ext, Channel: ch, Direction: dir, OccurredAt: "2026-03-05 " + at, Conversation: conv, Counterpart: cp}
		}
		if _, err := e.svc.Ingest(e.info, []comms.Input{
			in("g1", "wechat_group", "in", "09:00:00", "wxg-001", ""),
			in("g2", "wechat_group", "out", "09:02:00", "wxg-001", ""),
			in("g3", "wechat_group", "in", "09:20:00", "wxg-001", ""),
			in("p1", "phone_missed", "", "09:10:00", "", "13800000001"),
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		// A call back to the customer from another line: the customer
		// only, no number (as the contracts domain records one).
		e.insertDirect(t, "phone_out", "out", e.a.ID, time.Date(2026, 3, 5, 9, 30, 0, 0, shanghai))
		from, to := time.Date(2026, 3, 5, 0, 0, 0, 0, shanghai), time.Date(2026, 3, 6, 0, 0, 0, 0, shanghai)
		for _, c := range []struct {
			conv    string
			records int // the conversation's, and its calls' customers' calls
		}{
			{"13800000001", 2}, // the missed call and the call back
			{"wxg-001", 3},     // the group's three messages
		} {
			n, err := e.svc.Recompute(context.Background(), from, to, c.conv)
			if err != nil || n.Records != c.records {
				t.Fatalf("Recompute(%s): read %d records (%+v, %v), want %d", c.conv, n.Records, n, err, c.records)
			}
		}
		if c := e.clocks(t)["13800000001"]; c.State != "met" || c.StopID == nil {
			t.Fatalf("missed call after the call back: %+v", c)
		}
	})
}
