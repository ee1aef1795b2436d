package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/cpumeter"
	"kefu/internal/desk"
	"kefu/internal/store"
	"kefu/internal/tickets"
)

// Issue 4's targets, with a month of 1,000,000 communication records and
// 100,000 tickets for 100 specialists (5,000 customers):
//
//	go test -run '^$' -bench 'CommIngest|RecomputeMonth|Sweep10k' -benchtime 2s ./internal/bench
//
// Environment (besides KEFU_BENCH_SYNC and KEFU_TEST_DB of bench_test.go):
//
//	KEFU_BENCH_COMMS    communication records of the month (default 1000000)
//	KEFU_BENCH_TICKETS  tickets of the month (default 100000)
//	KEFU_BENCH_CPUPROFILE  BenchmarkRecomputeMonth writes the CPU profile of
//	                    its first timed run (not the seed, nor the deletes
//	                    before "first") to this path, with "-first" or
//	                    "-again" before the extension
//
// The benchmarks share one app seeded once per process. The ingest
// benchmarks add records dated "now" (after the month); the sweep
// benchmark adds its running clocks on the day after the month.

var deskEnv struct {
	sync.Mutex
	env  *Env
	seed DeskSeed
}

func envCount(tb testing.TB, name string, def, least int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		tb.Fatalf("%s: %q is not a count >= %d", name, v, least)
	}
	return n
}

// deskOf returns the shared app: 100 specialists, 5,000 customers, the
// month's records and tickets.
func deskOf(b *testing.B) (*Env, DeskSeed) {
	b.Helper()
	deskEnv.Lock()
	defer deskEnv.Unlock()
	if deskEnv.env != nil {
		return deskEnv.env, deskEnv.seed
	}
	ctx := context.Background()
	o := options()
	o.Regions, o.Specialists = 100, 100
	env, err := New(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Seed(ctx, 5_000); err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	if _, err := env.InfoCenter(ctx); err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	from, to := env.MonthBefore(time.Now())
	st, err := env.SeedServiceDesk(ctx, envCount(b, "KEFU_BENCH_COMMS", 1_000_000, 1000), envCount(b, "KEFU_BENCH_TICKETS", 100_000, 0), from, to)
	if err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	b.Logf("seeded on %s: %v", env.Dialect, st)
	envs.Lock()
	envs.m[-2] = seeded{env: env} // closed by TestMain
	envs.Unlock()
	deskEnv.env, deskEnv.seed = env, st
	return env, st
}

// cpuMeter accumulates the process CPU time and wall time of the timed
// parts only (the batches are generated between them).
type cpuMeter struct {
	wall, cpu time.Duration
	lat       []time.Duration
}

func (m *cpuMeter) time(f func() error) error {
	t0, c0 := time.Now(), cpumeter.Process()
	err := f()
	d := time.Since(t0)
	m.wall += d
	m.cpu += cpumeter.Process() - c0
	m.lat = append(m.lat, d)
	return err
}

// BenchmarkCommIngestBatch: POST /api/v1/communications with batches of
// 500 new records (matched by group and phone, idempotency checked
// against the stored external ids, clocks of the touched conversations
// recomputed) through App.Handler() with the Bearer token of an
// info_center clerk; and the same batches posted again (every record
// "unchanged"). records/s is the target's figure (≥ 5,000).
func BenchmarkCommIngestBatch(b *testing.B) {
	const per = 500
	env, _ := deskOf(b)
	tok, err := env.InfoCenter(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	h, auth := env.App.Handler(), Auth{Bearer: tok}
	rng := rand.New(rand.NewPCG(3, 4))
	var posted [][]byte
	run := func(b *testing.B, next func() []byte, want func(IngestAnswer) bool) {
		var m cpuMeter
		b.ResetTimer()
		busy0 := cpumeter.Machine()
		for range b.N {
			b.StopTimer()
			body := next()
			b.StartTimer()
			var ans IngestAnswer
			if err := m.time(func() (err error) { ans, err = PostRecords(h, body, auth); return err }); err != nil {
				b.Fatal(err)
			}
			if !want(ans) {
				b.Fatalf("answer %+v", ans)
			}
		}
		b.StopTimer()
		r := Summarize(m.lat)
		b.ReportMetric(float64(per*b.N)/m.wall.Seconds(), "records/s")
		b.ReportMetric(ms(r.P50), "p50-ms")
		b.ReportMetric(ms(r.P99), "p99-ms")
		b.ReportMetric(ms(m.cpu)/float64(b.N), "cpu-ms/batch")
		b.ReportMetric(float64(per*b.N)/m.cpu.Seconds(), "records/cpu-s")
		if busy := cpumeter.Machine() - busy0; busy > 0 {
			el := b.Elapsed()
			b.ReportMetric(cpumeter.Others(el, busy, m.cpu, runtime.NumCPU()), "others-%")
		}
	}
	b.Run("new", func(b *testing.B) {
		run(b, func() []byte {
			body, err := json.Marshal(env.LiveRecords(rng, per, time.Now()))
			if err != nil {
				b.Fatal(err)
			}
			posted = append(posted, body)
			return body
		}, func(a IngestAnswer) bool { return a.Created == per })
	})
	b.Run("again", func(b *testing.B) {
		if len(posted) == 0 {
			b.Skip("no batch posted")
		}
		i := 0
		run(b, func() []byte { i++; return posted[i%len(posted)] }, func(a IngestAnswer) bool { return a.Unchanged == per })
	})
}

// BenchmarkCommIngestSingle: one new record per POST, in parallel:
// through the handler in-process (GOMAXPROCS clients) and over loopback
// HTTP with 4×GOMAXPROCS clients, as the token-read benchmark does.
// records/s is the target's figure (≥ 1,000).
func BenchmarkCommIngestSingle(b *testing.B) {
	env, _ := deskOf(b)
	tok, err := env.InfoCenter(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	h, auth := env.App.Handler(), Auth{Bearer: tok}
	var seed atomic.Uint64
	// Each client sends the records of its own episodes one at a time.
	source := func() func() []byte {
		rng := rand.New(rand.NewPCG(seed.Add(1), 99))
		var queue []comms.Input
		return func() []byte {
			if len(queue) == 0 {
				queue = env.LiveRecords(rng, 50, time.Now())
			}
			body, _ := json.Marshal(queue[0])
			queue = queue[1:]
			return body
		}
	}
	post := map[string]func(body []byte) (IngestAnswer, error){
		"handler": func(body []byte) (IngestAnswer, error) { return PostRecords(h, body, auth) },
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := NewClient(16)
	post["http"] = func(body []byte) (IngestAnswer, error) {
		return PostRecordsHTTP(context.Background(), c, srv.URL, body, auth)
	}
	for _, name := range []string{"handler", "http"} {
		b.Run(name, func(b *testing.B) {
			if name == "http" {
				b.SetParallelism(4)
			}
			m := startMeter()
			defer m.report(b)
			b.RunParallel(func(pb *testing.PB) {
				next := source()
				for pb.Next() {
					ans, err := post[name](next())
					if err != nil {
						b.Error(err)
						return
					}
					if ans.Created != 1 {
						b.Errorf("answer %+v", ans)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkRecomputeMonth: comms.Service.Recompute over the whole month
// (every clock started in it and every breach and near-breach event,
// stored).
// "first" starts from no stored clocks or computed events for the month
// (they are deleted before each run, untimed); "again" recomputes with
// all of them stored, which changes nothing. ms/op is the target's
// figure (< 10 s); cpu-ms/op does not depend on the neighbours.
func BenchmarkRecomputeMonth(b *testing.B) {
	env, st := deskOf(b)
	for _, name := range []string{"first", "again"} {
		b.Run(name, func(b *testing.B) {
			var m cpuMeter
			var n comms.RecomputeCounts
			busy0 := cpumeter.Machine()
			for i := range b.N {
				b.StopTimer()
				if name == "first" {
					clearClocks(b, env, st)
				}
				stop := func() {}
				if i == 0 {
					stop = cpuProfile(b, name)
				}
				b.StartTimer()
				if err := m.time(func() (err error) { n, err = env.App.Comms.Recompute(env.Sys, st.From, st.To); return err }); err != nil {
					b.Fatal(err)
				}
				stop()
			}
			b.StopTimer()
			if n.Clocks == 0 || n.Breaches == 0 {
				b.Fatalf("recompute: %+v", n)
			}
			b.ReportMetric(ms(m.wall)/float64(b.N), "ms/op")
			b.ReportMetric(ms(m.cpu)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(n.Records), "records")
			b.ReportMetric(float64(n.Clocks), "clocks")
			b.ReportMetric(float64(n.Breaches), "breaches")
			b.ReportMetric(float64(n.Near), "near-breaches")
			b.ReportMetric(float64(n.Withdrawn), "withdrawn")
			if busy := cpumeter.Machine() - busy0; busy > 0 {
				b.ReportMetric(cpumeter.Others(b.Elapsed(), busy, m.cpu, runtime.NumCPU()), "others-%")
			}
		})
	}
}

// ticketEventTypes are the events the ticket derivations write.
var ticketEventTypes = []string{tickets.EventSolutionOverdue, tickets.EventCallbackOverdue, tickets.EventReplyOverdue,
	tickets.EventFirstResponseOverdue, tickets.EventRegistrationIncomplete}

// BenchmarkDeriveMonth: everything derived from the month's records —
// issue 4's "derive all clocks and breach events for a month of 1,000,000
// communication records and 100,000 tickets" (< 10 s), as a manager runs
// it (desk.Derive, POST /api/v1/desk/derive): comms.Recompute over the
// month (as BenchmarkRecomputeMonth) and, alongside it,
// tickets.DeriveBreaches (solution, callback, major-complaint reply and
// first-response deadlines, and the near/breach notices) then
// tickets.DeriveRegistrationEvents (登记不全). "first" starts with none of
// the month's clocks, none of the ticket events and none of the ticket
// deadline notices stored (deleted before each run, untimed); "again"
// with everything stored. Both derive the tickets in full (a fresh
// tickets service: its first run reads the whole history). ms/op is the
// target's figure. "periodic" is the ticket part of the app's 10-minute
// run with everything stored: DeriveBreaches incremental (a service that
// ran before: the open deadlines and what changed since) and
// DeriveRegistrationEvents, with tickets-ms, registration-ms and their
// process CPU (tickets-cpu-ms, registration-cpu-ms).
func BenchmarkDeriveMonth(b *testing.B) {
	env, st := deskOf(b)
	db := env.App.DB().SQLDB()
	fresh := func() *tickets.Service {
		return tickets.NewService(env.App.DB(), env.App.Calendar, env.App.Now, tickets.Options{Location: env.App.Location()})
	}
	clear := func() {
		types := "'" + strings.Join(ticketEventTypes, "', '") + "'"
		for _, q := range []string{
			`DELETE FROM event_evidence WHERE event_id IN (SELECT id FROM events WHERE source = 'computed' AND type IN (` + types + `))`,
			`DELETE FROM events WHERE source = 'computed' AND type IN (` + types + `)`,
			`DELETE FROM notifications WHERE kind IN ('ticket_due_near', 'ticket_overdue', 'complaint_reply_near', 'complaint_reply_overdue', 'callback_due_near', 'callback_overdue')`,
		} {
			if _, err := db.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
		clearClocks(b, env, st)
	}
	periodic := fresh()
	for _, name := range []string{"first", "again", "periodic"} {
		b.Run(name, func(b *testing.B) {
			var m cpuMeter
			var tks, reg time.Duration       // periodic: the ticket parts
			var tksCPU, regCPU time.Duration // the ticket parts' process CPU
			var n comms.RecomputeCounts
			var bc tickets.BreachCounts
			var rc tickets.RegistrationCounts
			if name == "periodic" {
				if _, err := periodic.DeriveBreaches(env.Sys); err != nil { // its full first run, untimed
					b.Fatal(err)
				}
			}
			busy0 := cpumeter.Machine()
			for i := range b.N {
				b.StopTimer()
				svc := periodic
				if name == "first" {
					clear()
				}
				if name != "periodic" {
					svc = fresh()
				}
				stop := func() {}
				if i == 0 {
					stop = cpuProfile(b, "month-"+name)
				}
				b.StartTimer()
				if err := m.time(func() (err error) {
					if name != "periodic" {
						// What a manager runs (desk.Derive): the clocks and
						// the tickets side by side.
						var c desk.Counts
						if c, err = desk.Derive(env.Sys, env.App.Comms, svc, st.From, st.To); err != nil {
							return err
						}
						n, bc, rc = c.Clocks, c.Tickets, c.Registration
						return nil
					}
					t1, c1 := time.Now(), cpumeter.Process()
					if bc, err = svc.DeriveBreaches(env.Sys); err != nil {
						return err
					}
					t2, c2 := time.Now(), cpumeter.Process()
					if rc, err = svc.DeriveRegistrationEvents(env.Sys); err != nil {
						return err
					}
					tks, reg = tks+t2.Sub(t1), reg+time.Since(t2)
					tksCPU, regCPU = tksCPU+c2-c1, regCPU+cpumeter.Process()-c2
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				stop()
			}
			b.StopTimer()
			if name != "periodic" && (n.Clocks == 0 || n.Breaches == 0 || bc.Solution == 0 || bc.FirstResponse == 0 || !bc.Full) ||
				name == "periodic" && bc.Full || rc.Incomplete == 0 {
				b.Fatalf("derived: clocks %+v, tickets %+v, registration %+v", n, bc, rc)
			}
			per := func(d time.Duration) float64 { return ms(d) / float64(b.N) }
			b.ReportMetric(per(m.wall), "ms/op")
			b.ReportMetric(per(m.cpu), "cpu-ms/op")
			if name == "periodic" {
				b.ReportMetric(per(tks), "tickets-ms")
				b.ReportMetric(per(reg), "registration-ms")
				b.ReportMetric(per(tksCPU), "tickets-cpu-ms")
				b.ReportMetric(per(regCPU), "registration-cpu-ms")
			}
			b.ReportMetric(float64(n.Breaches), "clock-breaches")
			b.ReportMetric(float64(bc.Solution+bc.Callback+bc.Reply+bc.FirstResponse), "ticket-breaches")
			b.ReportMetric(float64(bc.Scanned), "tickets-read")
			b.ReportMetric(float64(rc.Incomplete+rc.CompletedLate), "registration-events")
			b.ReportMetric(float64(bc.Notices.Near+bc.Notices.Breach), "notices")
			b.Logf("%s: clocks %+v; tickets %+v; registration %+v; seeded ticket history: %v", name, n, bc, rc, env.TicketHistory())
			if busy := cpumeter.Machine() - busy0; busy > 0 {
				b.ReportMetric(cpumeter.Others(b.Elapsed(), busy, m.cpu, runtime.NumCPU()), "others-%")
			}
		})
	}
}

// clearClocks deletes the month's clocks, their breach and near-breach
// events and the events' evidence (untimed, before a "first" run), then
// checkpoints the WAL on SQLite: a first derivation meets a database
// written to as usual, not the WAL of a deletion of a million rows.
func clearClocks(b *testing.B, env *Env, st DeskSeed) {
	db := env.App.DB().SQLDB()
	for _, q := range []string{
		`DELETE FROM event_evidence WHERE event_id IN (SELECT e.id FROM events e JOIN response_clocks c ON e.computed_key IN (c.key, c.key || '|near')
			WHERE c.started_at >= ? AND c.started_at < ?)`,
		`DELETE FROM events WHERE computed_key IN (SELECT key FROM response_clocks WHERE started_at >= ? AND started_at < ?
			UNION ALL SELECT key || '|near' FROM response_clocks WHERE started_at >= ? AND started_at < ?)`,
		`DELETE FROM response_clocks WHERE started_at >= ? AND started_at < ?`,
	} {
		args := []any{env.dbTime(st.From), env.dbTime(st.To)}
		if strings.Count(q, "?") == 4 {
			args = append(args, args...)
		}
		if _, err := db.Exec(env.rebind(q), args...); err != nil {
			b.Fatal(err)
		}
	}
	if env.App.DB().Dialect() == store.SQLite {
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuProfile starts a CPU profile to KEFU_BENCH_CPUPROFILE with name
// before its extension, if set, and returns what stops it. With
// KEFU_BENCH_MEMPROFILE set it writes heap profiles there too, before
// and after ("-before", "-after"): what the timed part allocated is
// go tool pprof -sample_index=alloc_space -diff_base BEFORE AFTER. With
// KEFU_BENCH_MEMPROFILE_AT (a duration, "4s") it writes one more that
// long into the timed part ("-during", as of the collection before it):
// what the collector marks mid-way is its inuse_space.
func cpuProfile(b *testing.B, name string) (stop func()) {
	heap := func(string) {}
	done := make(chan struct{})
	var during sync.WaitGroup
	if path := os.Getenv("KEFU_BENCH_MEMPROFILE"); path != "" {
		ext := filepath.Ext(path)
		heap = func(when string) {
			f, err := os.Create(strings.TrimSuffix(path, ext) + "-" + name + "-" + when + ext)
			if err != nil {
				b.Error(err)
				return
			}
			if when != "during" {
				runtime.GC() // the heap profile is as of the last collection
			}
			if err := pprof.WriteHeapProfile(f); err != nil {
				b.Error(err)
			}
			if err := f.Close(); err != nil {
				b.Error(err)
			}
		}
	}
	heap("before")
	if at := os.Getenv("KEFU_BENCH_MEMPROFILE_AT"); at != "" {
		d, err := time.ParseDuration(at)
		if err != nil {
			b.Fatalf("KEFU_BENCH_MEMPROFILE_AT: %v", err)
		}
		during.Go(func() {
			select {
			case <-time.After(d):
				heap("during")
			case <-done:
			}
		})
	}
	after := func() {
		close(done)
		during.Wait()
		heap("after")
	}
	path := os.Getenv("KEFU_BENCH_CPUPROFILE")
	if path == "" {
		return after
	}
	ext := filepath.Ext(path)
	f, err := os.Create(strings.TrimSuffix(path, ext) + "-" + name + ext)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
		after()
	}
}

// BenchmarkQueue: the live queue with the month's clocks stored
// (recomputed first, untimed, when BenchmarkRecomputeMonth has not run):
// comms.Service.Queue (open clocks, soonest deadline first, at most 500)
// as a random specialist and as the manager, GET /api/v1/queue with the
// manager's Bearer token, and the HTML page (issue 4's target: p99 < 30
// ms) as the manager, narrowed to one specialist, and its polled rows.
func BenchmarkQueue(b *testing.B) {
	env, st := deskOf(b)
	var stored int
	if err := env.App.DB().SQLDB().QueryRow(env.rebind("SELECT COUNT(*) FROM response_clocks WHERE started_at >= ? AND started_at < ?"),
		env.dbTime(st.From), env.dbTime(st.To)).Scan(&stored); err != nil {
		b.Fatal(err)
	}
	if stored == 0 {
		if _, err := env.App.Comms.Recompute(env.Sys, st.From, st.To); err != nil {
			b.Fatal(err)
		}
	}
	mgr, err := env.AsManager(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var specs []context.Context
	for _, sp := range env.Specialists {
		p, err := env.App.Auth.Principal(context.Background(), sp.ID)
		if err != nil {
			b.Fatal(err)
		}
		specs = append(specs, access.With(context.Background(), p))
	}
	rows := 0
	b.Run("service/specialist", func(b *testing.B) {
		measure(b, func(rng *rand.Rand) error {
			q, err := env.App.Comms.Queue(specs[rng.IntN(len(specs))], "")
			rows = len(q)
			return err
		})
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("service/manager", func(b *testing.B) {
		measure(b, func(*rand.Rand) error {
			q, err := env.App.Comms.Queue(mgr, "")
			rows = len(q)
			return err
		})
		b.ReportMetric(float64(rows), "rows")
	})
	// The page's other two reads, as the manager sees them: the open
	// tickets by deadline and the callbacks due (a hundred each).
	b.Run("service/manager/tickets", func(b *testing.B) {
		measure(b, func(*rand.Rand) error {
			ts, err := env.App.Tickets.List(mgr, tickets.Filter{Open: true, Limit: 100})
			rows = len(ts)
			return err
		})
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("service/manager/callbacks", func(b *testing.B) {
		measure(b, func(*rand.Rand) error {
			cs, err := env.App.Tickets.Callbacks(mgr, tickets.CallbackFilter{Open: true, Limit: 100})
			rows = len(cs)
			return err
		})
		b.ReportMetric(float64(rows), "rows")
	})
	// The same narrowed to one specialist (the manager's filter, and a
	// specialist's own page).
	b.Run("service/specialist/tickets", func(b *testing.B) {
		measure(b, func(rng *rand.Rand) error {
			ts, err := env.App.Tickets.List(mgr, tickets.Filter{StaffID: env.Specialists[rng.IntN(len(env.Specialists))].ID, Open: true, Limit: 100})
			rows = len(ts)
			return err
		})
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("service/specialist/callbacks", func(b *testing.B) {
		measure(b, func(rng *rand.Rand) error {
			cs, err := env.App.Tickets.Callbacks(mgr, tickets.CallbackFilter{StaffID: env.Specialists[rng.IntN(len(env.Specialists))].ID, Open: true, Limit: 100})
			rows = len(cs)
			return err
		})
		b.ReportMetric(float64(rows), "rows")
	})
	h, api := env.App.Handler(), Auth{Bearer: env.Token}
	b.Run("api/manager", func(b *testing.B) {
		measure(b, func(*rand.Rand) error { return Serve(h, "/api/v1/queue", api) })
	})
	// The page itself (issue 4's target, p99 < 30 ms): the whole HTML
	// page as the manager (the team's queue, tickets and callbacks), the
	// same narrowed to one specialist, and the rows htmx polls for.
	web, err := env.LoginHandler(h)
	if err != nil {
		b.Fatal(err)
	}
	page := func(path string, htmx bool) error {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		web.apply(req)
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		// The team's queue holds rows; one specialist's may be empty.
		if w.Code != http.StatusOK || !strings.Contains(path, "staff=") && !strings.Contains(w.Body.String(), "data-deadline") {
			return fmt.Errorf("GET %s: %d %.300s", path, w.Code, w.Body.String())
		}
		return nil
	}
	b.Run("web/manager", func(b *testing.B) {
		measure(b, func(*rand.Rand) error { return page("/queue", false) })
	})
	b.Run("web/specialist", func(b *testing.B) {
		measure(b, func(rng *rand.Rand) error {
			return page("/queue?staff="+env.Specialists[rng.IntN(len(env.Specialists))].ID, false)
		})
	})
	b.Run("web/manager/poll", func(b *testing.B) {
		measure(b, func(*rand.Rand) error { return page("/queue", true) })
	})
}

// fakeClock is the injected clock of the sweep benchmark.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// BenchmarkSweep10k: comms.Sweeper.Sweep with 10,000 running clocks (one
// in five a WeChat message, the rest missed calls) on the month's data,
// with its own comms.Service on the app's database and an injected clock
// (the app's runs on time.Now). Each round seeds 10,000 fresh clocks
// running at its T0 (see Env.SeedRunningClocks).
//
//   - idle: sweeps as of T0, when none is due (the sweeper's cost every
//     second on a quiet desk).
//   - steady: the sweeper as it runs, once a second of injected time
//     from T0 to T0 + 31 min, by which time every clock has breached;
//     reports the sweep time (p50, p99, max) and checks that each
//     clock's near-breach notice came by the first sweep at or after its
//     near time, and its breach notice and event by the first sweep after
//     its deadline (late-* count those that did not; lag-max-s is the
//     largest delay).
//   - catch-up: the first sweep after 31 minutes without one (all
//     10,000 due at once): the time of that sweep and the number of
//     sweeps until none is left.
func BenchmarkSweep10k(b *testing.B) {
	const n = 10_000
	env, st := deskOf(b)
	ctx := env.Sys
	clk := &fakeClock{}
	svc := comms.NewService(env.App.DB(), clk.Now, comms.Options{Location: env.App.Location(), Owners: env.App.Customers})
	round := 0
	newRound := func(b *testing.B) RunningClocks {
		round++
		t0 := st.To.Add(12*time.Hour + time.Duration(round)*2*time.Hour)
		clk.Set(t0)
		rc, err := env.SeedRunningClocks(ctx, svc, n, t0)
		if err != nil {
			b.Fatal(err)
		}
		if rc.Running < n*95/100 {
			b.Fatalf("%d running clocks, want about %d", rc.Running, n)
		}
		return rc
	}
	// drain sweeps until no clock of the round is left running.
	drain := func(b *testing.B, rc RunningClocks, sw *comms.Sweeper) (sweeps int, first time.Duration) {
		clk.Set(rc.T0.Add(31 * time.Minute))
		for {
			t0 := time.Now()
			c, err := sw.Sweep(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if sweeps == 0 {
				first = time.Since(t0)
			}
			sweeps++
			if c.Breached == 0 {
				return sweeps, first
			}
		}
	}
	b.Run("idle", func(b *testing.B) {
		rc := newRound(b)
		sw := svc.NewSweeper(nil)
		clk.Set(rc.T0)
		b.ResetTimer()
		measure(b, func(*rand.Rand) error {
			c, err := sw.Sweep(ctx)
			if err == nil && c != (comms.SweepCounts{}) {
				err = fmt.Errorf("idle sweep did something: %+v", c)
			}
			return err
		})
		b.StopTimer()
		b.ReportMetric(float64(rc.Running), "running")
		drain(b, rc, sw)
	})
	b.Run("steady", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			rc := newRound(b)
			sw := svc.NewSweeper(nil)
			b.StartTimer()
			var m cpuMeter
			var most comms.SweepCounts
			var mostLat time.Duration
			for s := time.Duration(0); s <= 31*time.Minute; s += time.Second {
				clk.Set(rc.T0.Add(s))
				var c comms.SweepCounts
				if err := m.time(func() (err error) { c, err = sw.Sweep(ctx); return err }); err != nil {
					b.Fatal(err)
				}
				if c.Near+c.Breached > most.Near+most.Breached {
					most, mostLat = c, m.lat[len(m.lat)-1]
				}
			}
			b.StopTimer()
			l, err := env.CheckSweep(ctx, rc)
			if err != nil {
				b.Fatal(err)
			}
			if l.EarlyBreachOrNotes > 0 || l.Breached != l.Clocks {
				b.Errorf("round %s: %+v", rc.Prefix, l)
			}
			r := Summarize(m.lat)
			b.ReportMetric(float64(len(m.lat)), "sweeps")
			b.ReportMetric(ms(r.P50), "p50-ms")
			b.ReportMetric(ms(r.P99), "p99-ms")
			b.ReportMetric(ms(r.Max), "max-ms")
			b.ReportMetric(float64(m.cpu.Microseconds())/1000/float64(len(m.lat)), "cpu-ms/sweep")
			b.ReportMetric(float64(most.Near+most.Breached), "most-due")
			b.ReportMetric(ms(mostLat), "most-due-ms")
			b.ReportMetric(float64(l.LateBreach), "late-breach")
			b.ReportMetric(l.MaxBreachLag.Seconds(), "breach-lag-max-s")
			b.ReportMetric(float64(l.LateNear), "late-near")
			b.ReportMetric(l.MaxNearLag.Seconds(), "near-lag-max-s")
			b.StartTimer()
		}
	})
	b.Run("catch-up", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			rc := newRound(b)
			sw := svc.NewSweeper(nil)
			b.StartTimer()
			t0, c0 := time.Now(), cpumeter.Process()
			sweeps, first := drain(b, rc, sw)
			b.ReportMetric(float64(sweeps), "sweeps")
			b.ReportMetric(ms(first), "first-sweep-ms")
			b.ReportMetric(ms(time.Since(t0)), "all-ms")
			b.ReportMetric(ms(cpumeter.Process()-c0), "all-cpu-ms")
		}
	})
}

// TestServiceDeskHarness seeds a few days of records for a few customers
// and checks the seed through the domain: the month's clocks derive with
// met and breached ones and breach events, a live batch posted through
// the API is matched and stored, and posting it again changes nothing,
// and the sweeper finds running clocks on time.
func TestServiceDeskHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	o := options()
	o.SQLiteSync, o.Regions, o.Specialists = "NORMAL", 3, 3
	env, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if err := env.Seed(ctx, 60); err != nil {
		t.Fatal(err)
	}
	tok, err := env.InfoCenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, to := env.MonthBefore(time.Now())
	from := to.AddDate(0, 0, -3)
	st, err := env.SeedServiceDesk(ctx, 3000, 200, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 3000 || st.Tickets != 200 || st.Bursts == 0 || st.Missed == 0 || st.BurstsLate == 0 || st.CallBacksLate == 0 {
		t.Fatalf("seed: %v", st)
	}
	n, err := env.App.Comms.Recompute(env.Sys, from, to)
	if err != nil {
		t.Fatal(err)
	}
	// One clock per burst and per missed-call episode, give or take the
	// few episodes that start before the deadline of a clock still running
	// in the same conversation (or, for calls, of the same customer), which
	// join it. (Before the sla deadline cap an unanswered burst or a
	// missed call never called back also absorbed every later episode
	// until the next reply or call back: 862 clocks for 953 episodes here;
	// with the cap 934, so the bound is 95%.)
	if want := st.Bursts + st.Missed; n.Clocks < want*95/100 || n.Clocks > want || n.Breaches == 0 {
		t.Fatalf("recompute %+v, seeded %v", n, st)
	}
	db := env.App.DB().SQLDB()
	var met, breached, events, evidence int
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM response_clocks WHERE state = 'met'),
		(SELECT COUNT(*) FROM response_clocks WHERE state = 'breached' AND staff_id IS NOT NULL),
		(SELECT COUNT(*) FROM events WHERE source = 'computed' AND withdrawn_at IS NULL AND staff_id IS NOT NULL),
		(SELECT COUNT(*) FROM events WHERE source = 'computed' AND withdrawn_at IS NULL AND staff_id IS NOT NULL AND evidence_refs LIKE '[{"kind":"communication",%')`).Scan(&met, &breached, &events, &evidence); err != nil {
		t.Fatal(err)
	}
	if met < breached*3 || breached != n.Breaches || events != n.Breaches+n.Near || n.Near < n.Breaches || evidence != events {
		t.Fatalf("%d met, %d breached clocks, %d events, %d with their records as evidence; recompute %+v", met, breached, events, evidence, n)
	}
	if again, err := env.App.Comms.Recompute(env.Sys, from, to); err != nil || again.Clocks != n.Clocks || again.Breaches != n.Breaches || again.Withdrawn != 0 {
		t.Fatalf("recompute again: %+v, %v", again, err)
	}
	var owned int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets t JOIN customers c ON c.id = t.customer_id AND c.owner_id = t.first_owner_id").Scan(&owned); err != nil || owned != 200 {
		t.Fatalf("%d tickets of their owners (%v)", owned, err)
	}
	// The ticket history derives: every acknowledgement after its
	// first-response deadline and every ticket never acknowledged (their
	// deadlines, hours after receipt, have all passed) is late; callbacks
	// and major-complaint replies done late are late, and those not done
	// are when their deadline has passed; deriving again changes nothing.
	hist := env.TicketHistory()
	if hist.Transitions < 200 || hist.Complaints == 0 || hist.Callbacks == 0 || hist.AckLate == 0 {
		t.Fatalf("ticket history %v", hist)
	}
	bc, err := env.App.Tickets.DeriveBreaches(env.Sys)
	if err != nil || bc.Solution == 0 || bc.FirstResponse != hist.AckLate+hist.NeverAcked ||
		bc.Callback < hist.CallbackLate || bc.Callback > hist.CallbackLate+hist.CallbackOpen || bc.Reply < hist.ReplyLate || bc.Reply > hist.ReplyLate+hist.NoReply {
		t.Fatalf("ticket breaches %+v (%v), history %v", bc, err, hist)
	}
	t.Logf("ticket history %v; breaches %+v", hist, bc)
	reg, err := env.App.Tickets.DeriveRegistrationEvents(env.Sys)
	if err != nil || reg.Incomplete == 0 || reg.CompletedLate > hist.CompletedLate {
		t.Fatalf("registration %+v (%v), history %v", reg, err, hist)
	}
	standing := func() (n int) {
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE source = 'computed' AND withdrawn_at IS NULL
			AND type IN ('solution_overdue', 'callback_overdue', 'complaint_reply_overdue', 'first_response_overdue')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := standing(); n != bc.Solution+bc.FirstResponse+bc.Callback+bc.Reply {
		t.Fatalf("%d ticket breach events stand, derived %+v", n, bc)
	}
	if again, err := env.App.Tickets.DeriveBreaches(env.Sys); err != nil || again.Full || again.Withdrawn != 0 || again.Notices != (tickets.DeadlineNotices{}) ||
		standing() != bc.Solution+bc.FirstResponse+bc.Callback+bc.Reply {
		t.Fatalf("ticket breaches again %+v (%v), first %+v", again, err, bc)
	}

	h, auth := env.App.Handler(), Auth{Bearer: tok}
	body, err := json.Marshal(env.LiveRecords(rand.New(rand.NewPCG(1, 2)), 200, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	ans, err := PostRecords(h, body, auth)
	if err != nil || ans.Created != 200 || ans.Unmatched != 0 {
		t.Fatalf("batch: %+v, %v", ans, err)
	}
	if ans, err := PostRecords(h, body, auth); err != nil || ans.Unchanged != 200 {
		t.Fatalf("batch again: %+v, %v", ans, err)
	}
	one, _ := json.Marshal(env.LiveRecords(rand.New(rand.NewPCG(3, 4)), 1, time.Now())[0])
	if ans, err := PostRecords(h, one, auth); err != nil || ans.Created != 1 {
		t.Fatalf("one record: %+v, %v", ans, err)
	}
	if _, err := PostRecords(h, one, Auth{Bearer: env.Token + "x"}); err == nil {
		t.Fatal("a wrong token was accepted")
	}

	clk := &fakeClock{}
	svc := comms.NewService(env.App.DB(), clk.Now, comms.Options{Location: env.App.Location(), Owners: env.App.Customers})
	t0 := to.Add(12 * time.Hour)
	clk.Set(t0)
	rc, err := env.SeedRunningClocks(ctx, svc, 50, t0)
	// 25 WeChat messages on fresh conversations and 25 missed calls of 25
	// different customers: 50 clocks. A missed call joins no clock of the
	// month (the sla deadline cap: those are long past their deadlines,
	// and the outbound call before the round stops them anyway).
	if err != nil || rc.Running != 50 {
		t.Fatalf("running clocks: %+v, %v", rc, err)
	}
	sw := svc.NewSweeper(nil)
	for s := time.Duration(0); s <= 31*time.Minute; s += time.Second {
		clk.Set(t0.Add(s))
		if _, err := sw.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	l, err := env.CheckSweep(ctx, rc)
	if err != nil {
		t.Fatal(err)
	}
	if l.Clocks != rc.Running || l.Breached != l.Clocks || l.LateBreach != 0 || l.LateNear != 0 || l.EarlyBreachOrNotes != 0 || l.MaxBreachLag != time.Second {
		t.Fatalf("sweep: %+v", l)
	}
}
