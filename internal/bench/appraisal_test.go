package bench

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"kefu/internal/events"
	"kefu/internal/scorecards"
)

// Issue 6's targets, with the month of 1,000,000 communication records
// and 100,000 tickets of issue 4, 50,000 work orders and 20,000
// contracts, for 100 specialists (5,000 customers):
//
//	go test -run '^$' -bench AppraisalMonth -benchtime 5x ./internal/bench
//
// Environment (besides KEFU_BENCH_SYNC and KEFU_TEST_DB of bench_test.go,
// and KEFU_BENCH_COMMS / KEFU_BENCH_TICKETS of servicedesk_test.go):
//
//	KEFU_BENCH_WORK_ORDERS  work orders (default 50000 here)
//	KEFU_BENCH_CONTRACTS    contracts (default 20000)
//	KEFU_BENCH_CARRY_COMMS    records in each of the 3 frozen months of
//	                          BenchmarkAppraisalMonthCarry (default: as the month)
//	KEFU_BENCH_CARRY_TICKETS  tickets in each of them (default: as the month)

var appraisalEnv struct {
	sync.Mutex
	env   *Env
	seed  AppraisalSeed
	carry *CarrySeed
}

// appraisalOf returns the shared app: 100 specialists, 5,000 customers,
// the contracts, the month's records and tickets, the work orders, the
// month's clocks, and the detectors run once.
func appraisalOf(b *testing.B) (*Env, AppraisalSeed) {
	b.Helper()
	appraisalEnv.Lock()
	defer appraisalEnv.Unlock()
	if appraisalEnv.env != nil {
		return appraisalEnv.env, appraisalEnv.seed
	}
	ctx := context.Background()
	o := options()
	o.Regions, o.Specialists = 100, 100
	env, err := New(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	fail := func(err error) {
		_ = env.Close()
		b.Fatal(err)
	}
	if err := env.Seed(ctx, 5_000); err != nil {
		fail(err)
	}
	if _, err := env.InfoCenter(ctx); err != nil {
		fail(err)
	}
	st, err := env.SeedAppraisal(ctx, contractCount(b), envCount(b, "KEFU_BENCH_COMMS", 1_000_000, 1000),
		envCount(b, "KEFU_BENCH_TICKETS", 100_000, 0), envCount(b, "KEFU_BENCH_WORK_ORDERS", 50_000, 100))
	if err != nil {
		fail(err)
	}
	b.Logf("seeded on %s: %v", env.Dialect, st)
	t0 := time.Now()
	n, err := env.RunDetectors(ctx)
	if err != nil {
		fail(err)
	}
	b.Logf("detectors, first run in %v: %+v", time.Since(t0).Round(time.Millisecond), n)
	envs.Lock()
	envs.m[-6] = seeded{env: env} // closed by TestMain
	envs.Unlock()
	appraisalEnv.env, appraisalEnv.seed = env, st
	return env, st
}

// BenchmarkAppraisalMonth: the month's scorecards.
//
//   - all: the periodic detectors (RunDetectors, as the app runs them
//     every 10 minutes) and Scorecards.Compute of the month for every
//     active staff member with a scheme (target < 5 s);
//   - evaluate-only: Compute for everyone, the events standing;
//   - one: Compute for one random specialist (target < 200 ms);
//   - explain: what an explanation page reads (target p99 < 50 ms):
//     Scorecards.Card of a random specialist and the events of the line
//     with the most deductions (events.List of the person's month, the
//     line's event ids picked out) — service, and the events through GET
//     /api/v1/events with the manager's Bearer token.
func BenchmarkAppraisalMonth(b *testing.B) {
	env, st := appraisalOf(b)
	ctx := context.Background()
	mctx, err := env.AsManager(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sc := env.App.Scorecards
	specs := env.Specialists
	monthCases(b, env, st, mctx, func(*testing.B) {})
	// Explaining a card: the card and the events of its busiest line.
	busiest := func(c *scorecards.Scorecard) []string {
		var ids []string
		for _, l := range c.Card.Lines {
			var mine []string
			for _, d := range l.Deductions {
				mine = append(mine, d.EventIDs...)
			}
			if len(mine) > len(ids) {
				ids = mine
			}
		}
		return ids
	}
	var lineEvents, monthEvents int
	b.Run("explain/service", func(b *testing.B) {
		lineEvents, monthEvents = 0, 0
		measure(b, func(rng *rand.Rand) error {
			id := specs[rng.IntN(len(specs))].ID
			c, err := sc.Card(mctx, id, st.Month)
			if err != nil {
				return err
			}
			want := busiest(c)
			evs, err := events.List(mctx, env.App.DB().R(), events.Filter{StaffID: id, From: st.From, To: st.To, Limit: 5000})
			if err != nil {
				return err
			}
			monthEvents += len(evs)
			for _, e := range evs {
				if slices.Contains(want, e.ID) {
					lineEvents++
				}
			}
			return nil
		})
		b.ReportMetric(float64(lineEvents)/float64(b.N), "line-events/op")
		b.ReportMetric(float64(monthEvents)/float64(b.N), "month-events/op")
	})
	h := env.App.Handler()
	b.Run("explain/api-events", func(b *testing.B) {
		from, to := st.From.Format(time.DateOnly), st.To.AddDate(0, 0, -1).Format(time.DateOnly)
		measure(b, func(rng *rand.Rand) error {
			q := url.Values{"staff_id": {specs[rng.IntN(len(specs))].ID}, "from": {from}, "to": {to}, "limit": {"5000"}}
			return Serve(h, "/api/v1/events?"+q.Encode(), Auth{Bearer: env.Token})
		})
	})
}

// carryOf adds the 3 frozen months before the appraisal month to the
// shared app (SeedCarryMonths), once. It changes the app the cases of
// BenchmarkAppraisalMonth measure, which therefore run first (source order).
func carryOf(b *testing.B, env *Env) CarrySeed {
	b.Helper()
	appraisalEnv.Lock()
	defer appraisalEnv.Unlock()
	if appraisalEnv.carry != nil {
		return *appraisalEnv.carry
	}
	records := envCount(b, "KEFU_BENCH_CARRY_COMMS", envCount(b, "KEFU_BENCH_COMMS", 1_000_000, 1000), 1000)
	tickets := envCount(b, "KEFU_BENCH_CARRY_TICKETS", envCount(b, "KEFU_BENCH_TICKETS", 100_000, 0), 0)
	cs, err := env.SeedCarryMonths(context.Background(), records, tickets)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("carry months seeded on %s: %v", env.Dialect, cs)
	appraisalEnv.carry = &cs
	return cs
}

// BenchmarkAppraisalMonthCarry: the month's scorecards in the steady state
// of the carry-over (上期补记, internal/scorecards/carry.go): the 3 months
// before have their cards published, so every open card of the month
// re-evaluates the staff member's 3 frozen cards from the records. The
// cases are BenchmarkAppraisalMonth's all, evaluate-only and one (same
// targets); carried-lines is how many 上期补记 lines the month's cards hold
// after the run (from the late events SeedCarryMonths put).
func BenchmarkAppraisalMonthCarry(b *testing.B) {
	env, st := appraisalOf(b)
	carryOf(b, env)
	ctx := context.Background()
	mctx, err := env.AsManager(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sc := env.App.Scorecards
	carried := func(b *testing.B) {
		cards, err := sc.BoardCards(mctx, st.Month, st.Month)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, c := range cards {
			n += len(c.Card.Carried)
		}
		b.ReportMetric(float64(n), "carried-lines")
	}
	monthCases(b, env, st, mctx, carried)
}

// monthCases are the month's all, evaluate-only and one cases; after
// reports more of the all and evaluate-only runs.
func monthCases(b *testing.B, env *Env, st AppraisalSeed, mctx context.Context, after func(*testing.B)) {
	ctx := context.Background()
	sc := env.App.Scorecards
	specs := env.Specialists
	b.Run("all", func(b *testing.B) {
		var took map[string]time.Duration
		var computed int
		measure(b, func(*rand.Rand) error {
			n, err := env.RunDetectors(ctx)
			if err != nil {
				return err
			}
			took = n.Took
			t0 := time.Now()
			c, err := sc.Compute(mctx, st.Month, "")
			took["compute"] = time.Since(t0)
			computed = c.Computed + c.Frozen
			return err
		})
		for k, d := range took {
			b.ReportMetric(ms(d), k+"-ms")
		}
		b.ReportMetric(float64(computed), "cards")
		after(b)
	})
	b.Run("evaluate-only", func(b *testing.B) {
		measure(b, func(*rand.Rand) error { _, err := sc.Compute(mctx, st.Month, ""); return err })
		after(b)
	})
	b.Run("one", func(b *testing.B) {
		measure(b, func(rng *rand.Rand) error {
			_, err := sc.Compute(mctx, st.Month, specs[rng.IntN(len(specs))].ID)
			return err
		})
	})
}
