package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/cpumeter"
	"kefu/internal/customers"
	"kefu/internal/store/storetest"
)

// The suite runs only with -bench (go test ./... runs no Benchmark
// function and TestHarness takes well under a second):
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/bench
//
// Environment:
//
//	KEFU_BENCH_CUSTOMERS  table sizes for the list benchmarks (default 10000,100000)
//	KEFU_BENCH_SYNC       SQLite synchronous: FULL (product default) or NORMAL
//	KEFU_TEST_DB=postgres with KEFU_TEST_PG=<dsn>: run on PostgreSQL (a throwaway database)
//
// Each size gets its own app, seeded once per process through raw SQL
// (see Env.Seed) and shared by the benchmarks; BenchmarkImport10k adds its
// rows to the largest one, so it runs last.

func TestMain(m *testing.M) {
	code := m.Run()
	envs.Lock()
	for _, e := range envs.m {
		_ = e.env.Close()
	}
	envs.Unlock()
	os.Exit(code)
}

func sizes(tb testing.TB) []int {
	v := os.Getenv("KEFU_BENCH_CUSTOMERS")
	if v == "" {
		return []int{10_000, 100_000}
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 {
			tb.Fatalf("KEFU_BENCH_CUSTOMERS: %q is not a size >= 100", s)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func options() Options {
	o := Options{SQLiteSync: os.Getenv("KEFU_BENCH_SYNC")}
	if os.Getenv("KEFU_TEST_DB") == "postgres" {
		o.DB = os.Getenv(storetest.EnvPG)
	}
	return o
}

type seeded struct {
	env *Env
	pos *Positions
}

var envs = struct {
	sync.Mutex
	m map[int]seeded
}{m: map[int]seeded{}}

// envOf returns the shared app seeded with size customers.
func envOf(b *testing.B, size int) (*Env, *Positions) {
	b.Helper()
	envs.Lock()
	defer envs.Unlock()
	if s, ok := envs.m[size]; ok {
		return s.env, s.pos
	}
	ctx := context.Background()
	t0 := time.Now()
	env, err := New(ctx, options())
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Seed(ctx, size); err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	pos, err := env.LoadPositions(ctx)
	if err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	b.Logf("seeded %d customers on %s in %v", size, env.Dialect, time.Since(t0).Round(time.Millisecond))
	envs.m[size] = seeded{env, pos}
	return env, pos
}

// measure runs op b.N times and reports latency percentiles next to ns/op.
func measure(b *testing.B, op func(rng *rand.Rand) error) {
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	m := startMeter()
	for range b.N {
		t0 := time.Now()
		if err := op(rng); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	m.report(b)
	r := Summarize(lat)
	b.ReportMetric(ms(r.P50), "p50-ms")
	b.ReportMetric(ms(r.P99), "p99-ms")
}

// meter measures the process CPU time per operation (unlike ns/op it does
// not grow when other processes compete for the cores) and the share of
// the machine other processes used meanwhile (others-%: above a few
// percent, the timings measure the neighbours too).
type meter struct {
	t0         time.Time
	cpu0, bus0 time.Duration
}

func startMeter() meter { return meter{time.Now(), cpumeter.Process(), cpumeter.Machine()} }

func (m meter) report(b *testing.B) {
	el, cpu, busy := time.Since(m.t0), cpumeter.Process()-m.cpu0, cpumeter.Machine()-m.bus0
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-us/op")
	}
	if busy > 0 && el > 0 {
		b.ReportMetric(cpumeter.Others(el, busy, cpu, runtime.NumCPU()), "others-%")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkCustomerListPage: one page of 50 customers, by the service and
// through the whole HTTP handler (web page as a logged-in manager, API with
// a Bearer token), for each table size: the first page, a keyset page
// anywhere in the table, anywhere within a region or an owner's customers,
// and (service only, for information) a contains-search.
func BenchmarkCustomerListPage(b *testing.B) {
	for _, size := range sizes(b) {
		b.Run(fmt.Sprintf("customers=%d", size), func(b *testing.B) {
			env, pos := envOf(b, size)
			ctx, err := env.AsManager(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range append(ListKinds, ListSearch) {
				b.Run("service/"+string(k), func(b *testing.B) {
					measure(b, func(rng *rand.Rand) error {
						_, err := env.App.Customers.ListCustomers(ctx, pos.Filter(rng, k))
						return err
					})
				})
			}
			h := env.App.Handler()
			web, err := env.LoginHandler(h)
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range ListKinds {
				b.Run("web/"+string(k), func(b *testing.B) {
					measure(b, func(rng *rand.Rand) error { return Serve(h, WebURL(pos.Filter(rng, k)), web) })
				})
			}
			api := Auth{Bearer: env.Token}
			for _, k := range ListKinds {
				b.Run("api/"+string(k), func(b *testing.B) {
					measure(b, func(rng *rand.Rand) error { return Serve(h, APIURL(pos.Filter(rng, k)), api) })
				})
			}
		})
	}
}

// BenchmarkTokenAuthRead: authenticated API reads with a Bearer token
// (token lookup, principal, one read) on the largest table, in parallel:
// through the handler in-process, and over real HTTP on loopback with
// 4×GOMAXPROCS clients. reads/s is the figure of the target.
func BenchmarkTokenAuthRead(b *testing.B) {
	sz := sizes(b)
	env, pos := envOf(b, sz[len(sz)-1])
	auth := Auth{Bearer: env.Token}
	paths := map[string]func(rng *rand.Rand) string{
		"customer": func(rng *rand.Rand) string { return "/api/v1/customers/" + pos.All[rng.IntN(len(pos.All))].ID },
		"me":       func(*rand.Rand) string { return "/api/v1/me" },
	}
	h := env.App.Handler()
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, name := range []string{"customer", "me"} {
		path := paths[name]
		b.Run("handler/"+name, func(b *testing.B) {
			m := startMeter()
			defer m.report(b)
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for pb.Next() {
					if err := Serve(h, path(rng), auth); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
		b.Run("http/"+name, func(b *testing.B) {
			b.SetParallelism(4)
			c := NewClient(16)
			ctx := context.Background()
			m := startMeter()
			defer m.report(b)
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for pb.Next() {
					if err := Get(ctx, c, srv.URL, path(rng), auth); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}

// BenchmarkImport10k: import a CSV of 10,000 new customers (upload staged,
// then applied with "skip bad rows"; the dry run is not timed here, see
// cmd/kefu-bench) into an empty archive and into the largest seeded one.
// Every iteration imports new names, so the seeded table grows by 10,000.
func BenchmarkImport10k(b *testing.B) {
	const rows = 10_000
	run := func(b *testing.B, env *Env) {
		t, err := env.Import(context.Background(), rows, false)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ms(t.Stage), "stage-ms")
		b.ReportMetric(ms(t.Apply), "apply-ms")
		b.ReportMetric(ms(t.ApplyCPU), "apply-cpu-ms")
		b.ReportMetric(100*t.ApplyOthers, "others-%")
	}
	b.Run("into=empty", func(b *testing.B) {
		for range b.N {
			func() {
				b.StopTimer()
				env, err := New(context.Background(), options())
				if err != nil {
					b.Fatal(err)
				}
				defer env.Close() // also when run fails (b.Fatal runs deferred calls)
				b.StartTimer()
				run(b, env)
				b.StopTimer()
			}()
		}
	})
	sz := sizes(b)
	b.Run(fmt.Sprintf("into=%d", sz[len(sz)-1]), func(b *testing.B) {
		env, _ := envOf(b, sz[len(sz)-1])
		b.ResetTimer()
		for range b.N {
			run(b, env)
		}
	})
}

// TestHarness checks the harness end to end on a tiny archive, so that a
// change in the product (the cursor format, a route, the import columns)
// breaks go test ./... rather than the next benchmark run.
func TestHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	env, err := New(ctx, Options{SQLiteSync: "NORMAL", Regions: 3, Specialists: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if err := env.Seed(ctx, 300); err != nil {
		t.Fatal(err)
	}
	pos, err := env.LoadPositions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mctx, err := env.AsManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range append(ListKinds, ListSearch) {
		f := pos.Filter(rng, k)
		page, err := env.App.Customers.ListCustomers(mctx, f)
		if err != nil || (k != ListSearch && f.After == "" && len(page.Items) != 50) {
			t.Fatalf("%s: %d items, %v", k, len(page.Items), err)
		}
	}
	page, _ := env.App.Customers.ListCustomers(mctx, customers.ListFilter{After: Cursor(pos.All[99]), Limit: 50})
	if len(page.Items) == 0 || page.Items[0].ID != pos.All[100].ID {
		t.Fatalf("keyset cursor does not continue after row 99")
	}
	h := env.App.Handler()
	web, err := env.LoginHandler(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{WebURL(pos.Filter(rng, ListDeep)), WebURL(pos.Filter(rng, ListOwner))} {
		if err := Serve(h, p, web); err != nil {
			t.Fatal(err)
		}
	}
	api := Auth{Bearer: env.Token}
	for _, p := range []string{APIURL(pos.Filter(rng, ListRegion)), "/api/v1/me", "/api/v1/customers/" + pos.All[7].ID} {
		if err := Serve(h, p, api); err != nil {
			t.Fatal(err)
		}
	}
	if err := Serve(h, "/api/v1/me", Auth{Bearer: env.Token + "x"}); err == nil {
		t.Fatal("a wrong token was accepted")
	}
	imp, err := env.Import(ctx, 40, true)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Report.Created != 40 {
		t.Fatalf("import created %d", imp.Report.Created)
	}
	r := Run(ctx, Load{Concurrency: 2, Duration: time.Second, Max: 20}, func(ctx context.Context, rng *rand.Rand) error {
		return Serve(h, "/api/v1/me", api)
	})
	if r.Requests != 20 || r.Errors != 0 {
		t.Fatalf("load: %d requests, %d errors (%v)", r.Requests, r.Errors, r.FirstErr)
	}
}
