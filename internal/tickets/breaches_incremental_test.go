package tickets_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

// breachSnapshot is every computed deadline event as stored, one line
// each, in key order.
func (e *env) breachSnapshot() []string {
	e.t.Helper()
	var rows []struct {
		Key       string    `bun:"computed_key"`
		Type      string    `bun:"type"`
		Staff     *string   `bun:"staff_id"`
		Customer  *string   `bun:"customer_id"`
		At        time.Time `bun:"occurred_at"`
		Quantity  int64     `bun:"quantity"`
		Detail    string    `bun:"detail"`
		Withdrawn bool      `bun:"withdrawn"`
		Evidence  int       `bun:"evidence"`
	}
	if err := e.db.R().NewRaw(`SELECT e.computed_key, e.type, e.staff_id, e.customer_id, e.occurred_at, e.quantity, e.detail,
			e.withdrawn_at IS NOT NULL AS withdrawn, (SELECT COUNT(*) FROM event_evidence v WHERE v.event_id = e.id) AS evidence
		FROM events e WHERE e.source = 'computed' AND e.type IN ('solution_overdue', 'callback_overdue', 'complaint_reply_overdue', 'first_response_overdue')
		ORDER BY e.computed_key`).Scan(context.Background(), &rows); err != nil {
		e.t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s %s staff=%v customer=%v at=%s q=%d withdrawn=%v evidence=%d %s", r.Key, r.Type, deref(r.Staff), deref(r.Customer),
			r.At.UTC().Format(time.RFC3339), r.Quantity, r.Withdrawn, r.Evidence, r.Detail)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// An incremental derivation — the open deadlines and what changed since
// the previous run — leaves the events exactly as a full derivation of the
// whole history does. A random history of tickets (repairs, complaints,
// consultations; promised deadlines given, from the SLA rules or past
// already), worked with backdated transitions, reopenings, pauses, moved
// deadlines, major complaints answered at past times and callbacks
// recorded late, is derived after every step by the long-lived service
// (incremental but for its first run and once a day) and then by a fresh
// one (its first run is full): the fresh one must find nothing to change.
func TestDeriveBreachesIncrementalEqualsFull(t *testing.T) {
	kinds := map[string]bool{}
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { incrementalEqualsFull(t, seed, kinds) })
	}
	// The histories must have exercised the rules: standing and withdrawn
	// events of every kind.
	for _, k := range []string{"solution_overdue", "callback_overdue", "complaint_reply_overdue", "first_response_overdue"} {
		for _, w := range []string{"false", "true"} {
			if !kinds[k+" withdrawn="+w] {
				t.Errorf("no %s with withdrawn=%s", k, w)
			}
		}
	}
}

func incrementalEqualsFull(t *testing.T, seed uint64, kinds map[string]bool) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rng := rand.New(rand.NewPCG(seed, 2026))
		type tk struct {
			id string
			in tickets.TicketInput
		}
		var all []tk
		format := func(at time.Time) string { return at.In(shanghai).Format("2006-01-02 15:04:05") }
		// between is a random time in [a, b] (b when a is later).
		between := func(a, b time.Time) time.Time {
			if !b.After(a) {
				return b
			}
			return a.Add(time.Duration(rng.Int64N(int64(b.Sub(a))/int64(time.Second)+1)) * time.Second)
		}
		// ok fails the test on anything but the refusals a random step
		// may meet (a lifecycle rule, a stale version, a time out of order).
		ok := func(what string, err error) bool {
			if err == nil {
				return true
			}
			if apperr.Is(err, apperr.KindInvalid) || apperr.Is(err, apperr.KindConflict) {
				return false
			}
			t.Fatalf("%s: %v", what, err)
			return false
		}
		steps := []func(now time.Time){
			func(now time.Time) { // register a ticket received up to two days ago
				cust := []func() tickets.TicketInput{func() tickets.TicketInput { return repair(e.a) }, func() tickets.TicketInput { return complaint(e.b) },
					func() tickets.TicketInput {
						return tickets.TicketInput{CustomerID: e.a.ID, Type: tickets.TypeConsultation, Channel: "phone_in", Description: "咨询保养计划"}
					}}
				in := cust[rng.IntN(len(cust))]()
				received := now.Add(-time.Duration(rng.IntN(48*60)) * time.Minute)
				in.ReceivedAt = format(received)
				if rng.IntN(2) == 0 {
					in.PromisedAt = format(received.Add(time.Duration(1+rng.IntN(72)) * time.Hour))
				}
				if rng.IntN(4) == 0 {
					in.Urgency = "urgent"
				}
				created, err := e.svc.CreateTicket(e.asMgr, in)
				if ok("create", err) {
					all = append(all, tk{created.ID, in})
				}
			},
			func(now time.Time) { // move a ticket on, at a past time
				if len(all) == 0 {
					return
				}
				x := all[rng.IntN(len(all))]
				d := e.detail(x.id)
				next := slices.DeleteFunc(slices.Clone(d.AllowedNext), func(s string) bool { return s == tickets.StatusCallbackDone })
				if len(next) == 0 {
					return
				}
				to := next[rng.IntN(len(next))]
				if tickets.IsReopen(d.Status, to) && rng.IntN(4) > 0 {
					return // reopen now and then
				}
				last := d.ReceivedAt
				for _, tr := range d.Transitions {
					if tr.At.After(last) {
						last = tr.At
					}
				}
				in := tickets.TransitionInput{To: to, At: format(between(last, now))}
				if tickets.IsReopen(d.Status, to) {
					in.Note = "客户反映仍未解决"
				}
				_, err := e.svc.Transition(e.asMgr, x.id, d.Version, in)
				ok("transition to "+to, err)
			},
			func(now time.Time) { // wait on the customer, or stop waiting
				if len(all) == 0 {
					return
				}
				x := all[rng.IntN(len(all))]
				d := e.detail(x.id)
				var err error
				if d.PausedAt == nil {
					_, err = e.svc.Pause(e.asMgr, x.id, d.Version, "等待客户确认")
				} else {
					_, err = e.svc.Resume(e.asMgr, x.id, d.Version)
				}
				ok("pause", err)
			},
			func(now time.Time) { // move the promised deadline, or correct the customer
				if len(all) == 0 {
					return
				}
				x := &all[rng.IntN(len(all))]
				d := e.detail(x.id)
				if rng.IntN(2) == 0 {
					x.in.PromisedAt = format(between(d.ReceivedAt.Add(time.Hour), now.Add(48*time.Hour)))
				} else if x.in.CustomerID == e.a.ID {
					x.in.CustomerID = e.b.ID
				} else {
					x.in.CustomerID = e.a.ID
				}
				_, err := e.svc.UpdateTicket(e.asMgr, x.id, d.Version, x.in)
				ok("update", err)
			},
			func(now time.Time) { // a complaint becomes major, or its reply is recorded at a past time
				i := slices.IndexFunc(all, func(x tk) bool { return x.in.Type == tickets.TypeComplaint && rng.IntN(3) == 0 })
				if i < 0 {
					return
				}
				d := e.detail(all[i].id)
				var err error
				if d.Complaint == nil || d.Complaint.Severity != "major" {
					_, err = e.svc.SaveComplaint(e.asMgr, all[i].id, d.Version, tickets.ComplaintInput{Nature: "quality", Severity: "major"})
				} else if d.Complaint.RepliedAt == nil {
					_, err = e.svc.ReplyMajor(e.asMgr, all[i].id, d.Version, tickets.ReplyInput{Note: "经理已回复", At: format(between(d.ReceivedAt, now))})
				}
				ok("complaint", err)
			},
			func(now time.Time) { // a callback is recorded at a past time
				var open []tickets.Callback
				for _, x := range all {
					for _, cb := range e.detail(x.id).Callbacks {
						if cb.DoneAt == nil && cb.CancelledAt == nil {
							open = append(open, cb)
						}
					}
				}
				if len(open) == 0 {
					return
				}
				cb := open[rng.IntN(len(open))]
				_, err := e.svc.RecordCallback(e.asMgr, cb.ID, cb.Version, tickets.CallbackInput{At: format(between(cb.ResolvedAt, now)),
					Result: "客户认可", Satisfaction: 1 + rng.IntN(5)})
				ok("callback", err)
			},
		}
		weights := []int{3, 5, 1, 2, 2, 1}
		incremental := 0
		for step := range 80 {
			// Ten minutes to a day later, mostly under a few hours.
			e.clock.Advance(time.Duration(10+rng.IntN([]int{60, 240, 1440}[rng.IntN(3)])) * time.Minute)
			now := e.clock.Now()
			for range 1 + rng.IntN(3) {
				k := rng.IntN(14)
				for i, w := range weights {
					if k < w {
						steps[i](now)
						break
					}
					k -= w
				}
			}
			n, err := e.svc.DeriveBreaches(e.sys)
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if !n.Full {
				incremental++
			}
			got := e.breachSnapshot()
			full := tickets.NewService(db, e.cal, e.clock.Now, tickets.Options{Location: shanghai})
			nf, err := full.DeriveBreaches(e.sys)
			if err != nil || !nf.Full {
				t.Fatalf("step %d: full %+v %v", step, nf, err)
			}
			if want := e.breachSnapshot(); !slices.Equal(got, want) {
				t.Fatalf("step %d (%s, incremental %+v): the incremental run left\n%s\nthe full one\n%s", step, format(now), n,
					strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		standing := 0
		for _, l := range e.breachSnapshot() {
			f := strings.Fields(l)
			kinds[f[1]+" "+f[6]] = true
			if f[6] == "withdrawn=false" {
				standing++
			}
		}
		t.Logf("%d tickets, %d incremental runs of 80, %d events (%d standing)", len(all), incremental, len(e.breachSnapshot()), standing)
		if incremental < 50 {
			t.Fatalf("only %d incremental runs", incremental)
		}
	})
}
