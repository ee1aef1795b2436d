package scorecards_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/appraisal"
	"kefu/internal/events"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// freeze walks a card through the lifecycle to published: opened,
// self-reviewed by 甲, rated in full by the direct supervisor, submitted
// and approved.
func (w *lifecycleWorld) freeze(t *testing.T, id string) {
	t.Helper()
	w.move(t, w.mgr, id, scorecards.StatusSelfReview, "")
	w.move(t, w.jia, id, scorecards.StatusRating, "")
	w.rateAll(t, w.zu, id)
	w.move(t, w.zu, id, scorecards.StatusApproval, "")
	w.move(t, w.mgr, id, scorecards.StatusPublished, "")
}

// compute computes 甲's card of period and returns it.
func (w *lifecycleWorld) compute(t *testing.T, period string) *scorecards.Scorecard {
	t.Helper()
	if _, err := w.svc.Compute(w.as(w.mgr), period, w.jia.ID); err != nil {
		t.Fatalf("compute %s: %v", period, err)
	}
	c, err := w.svc.Card(w.as(w.mgr), w.jia.ID, period)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// putEvents writes computed events of 甲 (events.Put, as the detectors do).
func (w *lifecycleWorld) putEvents(t *testing.T, evs ...events.Computed) {
	t.Helper()
	for i := range evs {
		evs[i].StaffID = &w.jia.ID
		evs[i].Quantity = 1
	}
	if err := w.db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error { return events.Put(ctx, tx, evs, w.now) }); err != nil {
		t.Fatal(err)
	}
}

func (w *lifecycleWorld) eventID(t *testing.T, key string) string {
	t.Helper()
	var id string
	if err := w.db.R().NewRaw("SELECT id FROM events WHERE computed_key = ?", key).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// cardJSON is a card's stored state that must never change once frozen.
func cardJSON(t *testing.T, c *scorecards.Scorecard) string {
	t.Helper()
	b, err := json.Marshal(struct {
		Card    appraisal.Card
		Final   appraisal.Points
		Version int64
		Status  string
	}{c.Card, c.Final, c.Version, c.Status})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCarryOver (上期补记): late facts of an approved month reach the next
// open card as visible, signed lines with their events — once — and the
// approved card never changes; on both databases.
func TestCarryOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		march := time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai)
		w.freeze(t, w.jiaCard)
		frozen, err := w.svc.Card(w.as(w.mgr), w.jia.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if frozen.Final.String() != "99.00" {
			t.Fatalf("March %s, want 99.00 (one timeout)", frozen.Final)
		}
		marchState := cardJSON(t, frozen)

		// Nothing changed: nothing carried.
		april := w.compute(t, "2026-04")
		if len(april.Card.Carried) != 0 || april.Card.Carry != 0 {
			t.Fatalf("nothing changed but April carries %+v", april.Card.Carried)
		}
		base := april.Final

		type want struct {
			from, item string
			points     appraisal.Points
			text       string
			added      []string
			withdrawn  []string
		}
		check := func(t *testing.T, what string, c appraisal.Card, ws []want) {
			t.Helper()
			if len(c.Carried) != len(ws) {
				t.Fatalf("%s: carried %+v, want %d lines", what, c.Carried, len(ws))
			}
			var sum appraisal.Points
			for i, l := range c.Carried {
				x := ws[i]
				if l.From != x.from || l.Item != x.item || l.Points != x.points || l.Text != x.text || !slices.Equal(l.Added, x.added) ||
					!slices.Equal(l.Withdrawn, x.withdrawn) || l.Card != w.jiaCard {
					t.Errorf("%s: carried %+v, want %+v (card %s)", what, l, x, w.jiaCard)
				}
				sum += l.Points
			}
			if c.Carry != sum || c.Final != c.Total+c.Bonus+sum {
				t.Errorf("%s: final %s = total %s + bonus %s + carry %s?", what, c.Final, c.Total, c.Bonus, c.Carry)
			}
		}

		// A second March timeout appears after the approval.
		w.putEvents(t, events.Computed{Key: "w2", Type: "wechat_timeout", OccurredAt: march})
		w2 := w.eventID(t, "w2")
		late := []want{{from: "2026-03", item: "service", points: -appraisal.P(1),
			text: "上期补记：2026-03 客户服务效率与质量 新增 微信响应超时 1 次 −1.00", added: []string{w2}}}

		for _, step := range []struct {
			name string
			do   func(t *testing.T) appraisal.Card
			want []want
		}{
			{"computing April carries it", func(t *testing.T) appraisal.Card {
				c := w.compute(t, "2026-04")
				if c.Final != base-appraisal.P(1) {
					t.Errorf("April %s, want %s − 1.00", c.Final, base)
				}
				return c.Card
			}, late},
			{"computing April again carries it once", func(t *testing.T) appraisal.Card {
				before := w.compute(t, "2026-04")
				// Everyone's computation (earlier months' rates shared) gives the same card.
				if _, err := w.svc.Compute(w.as(w.mgr), "2026-04", ""); err != nil {
					t.Fatal(err)
				}
				after := w.compute(t, "2026-04")
				if cardJSON(t, before) != cardJSON(t, after) || after.Final != base-appraisal.P(1) {
					t.Errorf("recomputing changed April: %s → %s", before.Final, after.Final)
				}
				return after.Card
			}, late},
			{"the preview shows it", func(t *testing.T) appraisal.Card {
				c, err := w.svc.Preview(w.as(w.jia), w.jia.ID, "2026-04")
				if err != nil {
					t.Fatal(err)
				}
				return *c
			}, late},
			{"a rating keeps it", func(t *testing.T) appraisal.Card {
				c := w.compute(t, "2026-04")
				w.move(t, w.mgr, c.ID, scorecards.StatusSelfReview, "")
				w.move(t, w.jia, c.ID, scorecards.StatusRating, "")
				r, err := w.svc.Rate(w.as(w.zu), c.ID, w.card(t, c.ID).Version, "other", appraisal.Rating{Points: appraisal.P(5)})
				if err != nil {
					t.Fatal(err)
				}
				return r.Card
			}, late},
			{"May does not take it while April is open", func(t *testing.T) appraisal.Card {
				return w.compute(t, "2026-05").Card
			}, nil},
			{"April frozen keeps it", func(t *testing.T) appraisal.Card {
				c := w.compute(t, "2026-04")
				w.rateAll(t, w.zu, c.ID)
				w.move(t, w.zu, c.ID, scorecards.StatusApproval, "")
				w.move(t, w.mgr, c.ID, scorecards.StatusPublished, "")
				return w.card(t, c.ID).Card
			}, late},
			{"May does not carry it again", func(t *testing.T) appraisal.Card {
				return w.compute(t, "2026-05").Card
			}, nil},
			{"a March event withdrawn after the freeze: +1 on May", func(t *testing.T) appraisal.Card {
				start, end := time.Date(2026, 3, 1, 0, 0, 0, 0, shanghai), time.Date(2026, 4, 1, 0, 0, 0, 0, shanghai)
				if err := w.db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
					_, err := events.WithdrawStaleBetween(ctx, tx, []string{"wechat_timeout"}, start, end, map[string]bool{"w1": true}, w.now, "记录已更正")
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return w.compute(t, "2026-05").Card
			}, []want{{from: "2026-03", item: "service", points: appraisal.P(1),
				text: "上期补记：2026-03 客户服务效率与质量 撤销 微信响应超时 1 次 +1.00", withdrawn: []string{w2}}}},
		} {
			t.Run(step.name, func(t *testing.T) {
				check(t, step.name, step.do(t), step.want)
				march, err := w.svc.Card(w.as(w.mgr), w.jia.ID, "2026-03")
				if err != nil {
					t.Fatal(err)
				}
				if cardJSON(t, march) != marchState {
					t.Errorf("the approved March card changed")
				}
			})
		}

		// The audit of a recomputation names the carry.
		var summaries []string
		if err := db.R().NewRaw("SELECT summary FROM audit_log WHERE entity = 'scorecard' AND action = 'recompute' ORDER BY at, id").
			Scan(context.Background(), &summaries); err != nil {
			t.Fatal(err)
		}
		joined := strings.Join(summaries, "\n")
		for _, s := range []string{"含上期补记 −1.00（上期补记：2026-03 客户服务效率与质量 新增 微信响应超时 1 次 −1.00）", "含上期补记 +1.00"} {
			if !strings.Contains(joined, s) {
				t.Errorf("audit summaries\n%s\nlack %q", joined, s)
			}
		}
	})
}

// TestCarryOverSkips: an item with an upheld appeal on the approved month
// is settled by the appeal and not carried (another item still is); a
// month more than three back is not carried.
func TestCarryOverSkips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		w.freeze(t, w.jiaCard)
		ap, err := w.svc.Appeal(w.as(w.jia), w.jiaCard, "service", "3月9日超时为企业微信故障")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.DecideAppeal(w.as(w.mgr), ap.ID, scorecards.DecisionUpheld, appraisal.P(1), "经核实为系统故障"); err != nil {
			t.Fatal(err)
		}
		march := time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai)
		w.putEvents(t, events.Computed{Key: "w2", Type: "wechat_timeout", OccurredAt: march},
			events.Computed{Key: "a1", Type: "archive_late", OccurredAt: march})
		c := w.compute(t, "2026-04")
		if len(c.Card.Carried) != 1 || c.Card.Carried[0].Item != "archive" || c.Card.Carried[0].Points != -appraisal.P(1) ||
			!strings.Contains(c.Card.Carried[0].Text, "新增 客户档案未当日更新 1 次") {
			t.Errorf("carried %+v, want only the archive line (service was settled by the appeal)", c.Card.Carried)
		}

		// Four months later the March facts are no longer carried.
		for _, p := range []string{"2026-04", "2026-05", "2026-06"} {
			c := w.compute(t, p)
			if c.Status == scorecards.StatusDraft {
				w.freeze(t, c.ID)
			}
		}
		w.putEvents(t, events.Computed{Key: "w3", Type: "wechat_timeout", OccurredAt: march.Add(time.Hour)})
		if c := w.compute(t, "2026-07"); len(c.Card.Carried) != 0 {
			t.Errorf("July carries %+v from March (beyond three months)", c.Card.Carried)
		}
	})
}

// TestCarryOverRemembered: the carry remembers a frozen card's evaluation
// (freshMemo) and must carry exactly what a service that never saw it
// carries, whatever changes about the frozen month: a quantity (same
// clock), a withdrawal or its undoing written without updated_at (as the
// response clocks undo their own), a moved event, the month's rates, a new
// event — each from a state that carries nothing, where a stale memory
// would wrongly carry nothing too; on both databases.
func TestCarryOverRemembered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		march := time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai)
		put := func(t *testing.T, evs ...events.Computed) {
			t.Helper()
			for i := range evs {
				evs[i].StaffID = &w.jia.ID
			}
			if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error { return events.Put(ctx, tx, evs, w.now) }); err != nil {
				t.Fatal(err)
			}
		}
		raw := func(t *testing.T, q string, args ...any) {
			t.Helper()
			if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw(q, args...).Exec(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		solution := func(q int64, at time.Time) events.Computed {
			return events.Computed{Key: "s1", Type: "solution_overdue", OccurredAt: at, Quantity: q}
		}
		// On the frozen March card: a solution overdue 1 day and a late archive change.
		put(t, solution(1, march), events.Computed{Key: "a1", Type: "archive_late", OccurredAt: march, Quantity: 1})
		if _, err := w.svc.Compute(w.as(w.mgr), "2026-03", w.jia.ID); err != nil {
			t.Fatal(err)
		}
		w.freeze(t, w.jiaCard)

		clock := func() time.Time { return w.now }
		rts := fixedRates{}
		opts := scorecards.Options{Location: shanghai, Rates: rts}
		warm := scorecards.NewService(db, clock, opts)
		preview := func(t *testing.T, svc *scorecards.Service) string {
			t.Helper()
			c, err := svc.Preview(w.as(w.mgr), w.jia.ID, "2026-04")
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(struct {
				Carried []appraisal.CarriedLine
				Final   appraisal.Points
			}{c.Carried, c.Final})
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		for _, step := range []struct {
			name    string
			change  func(t *testing.T)
			carries bool
		}{
			{"nothing changed", func(*testing.T) {}, false},
			{"its days grow (same clock)", func(t *testing.T) { put(t, solution(3, march)) }, true},
			{"back to 1 day (same clock)", func(t *testing.T) { put(t, solution(1, march)) }, false},
			{"withdrawn without updated_at", func(t *testing.T) {
				raw(t, "UPDATE events SET withdrawn_at = ? WHERE computed_key = 'a1'", store.Time(w.now))
			}, true},
			{"restored without updated_at", func(t *testing.T) {
				raw(t, "UPDATE events SET withdrawn_at = NULL WHERE computed_key = 'a1'")
			}, false},
			{"the month's rates change", func(*testing.T) {
				rts[w.jia.ID] = map[string]appraisal.Rate{"collection": {Num: 1, Den: 2}}
			}, true},
			{"and back", func(*testing.T) { delete(rts, w.jia.ID) }, false},
			{"moved within March later", func(t *testing.T) {
				w.now = w.now.Add(time.Hour)
				put(t, solution(1, march.AddDate(0, 0, -5)))
			}, false},
			{"moved to April", func(t *testing.T) {
				w.now = w.now.Add(time.Hour)
				put(t, solution(1, march.AddDate(0, 0, 15)))
			}, true},
			{"a new event", func(t *testing.T) {
				put(t, solution(1, march), events.Computed{Key: "a2", Type: "archive_late", OccurredAt: march, Quantity: 1})
			}, true},
		} {
			t.Run(step.name, func(t *testing.T) {
				step.change(t)
				want := preview(t, scorecards.NewService(db, clock, opts))
				for i := range 2 { // the second reads what the first remembered
					if got := preview(t, warm); got != want {
						t.Errorf("preview %d carries\n%s\nwant (a service that remembers nothing)\n%s", i+1, got, want)
					}
				}
				if got := strings.Contains(want, `"from":"2026-03"`); got != step.carries {
					t.Errorf("carries %v, want %v: %s", got, step.carries, want)
				}
			})
		}
	})
}
