// Command kefu-bench is kefu's load command: it builds a fresh kefu in a
// temporary directory (SQLite) or a throwaway PostgreSQL database, seeds
// customers, serves the real HTTP handler on 127.0.0.1:0 and measures, over
// loopback only:
//
//   - the customer list page (web page as a logged-in manager, and the API
//     with a Bearer token): p50/p90/p99 for the first page, keyset pages
//     anywhere in the table, within a region and within an owner's
//     customers, at each table size (the table grows between sizes);
//   - authenticated API reads per second with a Bearer token
//     (GET /api/v1/customers/{id} and GET /api/v1/me);
//   - the import of 10,000 customer rows, into an empty archive and into
//     the seeded one.
//
// Every scenario stops after -duration or -max-requests, whichever comes
// first, and the whole run after -timeout. Usage:
//
//	go run ./cmd/kefu-bench                       # SQLite, 10,000 then 100,000 customers
//	go run ./cmd/kefu-bench -out markdown -duration 10s
//	go run ./cmd/kefu-bench -db 'postgres://postgres@127.0.0.1:54329/kefu_test?sslmode=disable'
//
// See docs/benchmarks.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"kefu/internal/bench"
	"kefu/internal/store"
)

type options struct {
	sizes       []int
	duration    time.Duration
	warmup      time.Duration
	maxRequests int
	concurrency int
	listConc    int
	db          string
	sync        string
	out         string
	importRows  int
	timeout     time.Duration
	verbose     bool
	only        map[string]bool // scenario groups to run: list, reads, import
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefu-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kefu-bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("kefu-bench", flag.ContinueOnError)
	sizes := fs.String("customers", "10000,100000", "customer table sizes, ascending, comma-separated: the table grows to each in turn and the list is measured at each")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "how long each scenario runs (after its warm-up)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unrecorded warm-up before each scenario")
	fs.IntVar(&o.maxRequests, "max-requests", 200_000, "at most this many requests per scenario")
	fs.IntVar(&o.concurrency, "concurrency", 8, "concurrent clients for the token-auth reads")
	fs.IntVar(&o.listConc, "list-concurrency", 2, "concurrent clients for the list-page latency scenarios")
	fs.StringVar(&o.db, "db", "sqlite", "sqlite, or a postgres:// DSN (a throwaway database is created there and dropped)")
	fs.StringVar(&o.sync, "sync", "FULL", "SQLite synchronous mode: FULL (product default) or NORMAL")
	fs.StringVar(&o.out, "out", "text", "output format: text or markdown")
	fs.IntVar(&o.importRows, "import", 10_000, "rows per import measurement (0 skips the import)")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "hard limit for the whole run")
	fs.BoolVar(&o.verbose, "v", false, "log the app's warnings to stderr")
	only := fs.String("only", "list,reads,import", "scenario groups to run, comma-separated: list, reads, import")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.only = map[string]bool{}
	for _, g := range strings.Split(*only, ",") {
		switch g = strings.TrimSpace(g); g {
		case "list", "reads", "import":
			o.only[g] = true
		default:
			return o, fmt.Errorf("-only: unknown group %q (list, reads, import)", g)
		}
	}
	prev := 0
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 || n > 5_000_000 || n <= prev {
			return o, fmt.Errorf("-customers: %q must be ascending sizes between 100 and 5000000", *sizes)
		}
		o.sizes, prev = append(o.sizes, n), n
	}
	switch {
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return o, errors.New("-duration must be between 0 and 10m")
	case o.concurrency < 1 || o.concurrency > 256 || o.listConc < 1 || o.listConc > 256:
		return o, errors.New("-concurrency and -list-concurrency must be between 1 and 256")
	case o.maxRequests < 1:
		return o, errors.New("-max-requests must be positive")
	case o.out != "text" && o.out != "markdown":
		return o, errors.New("-out must be text or markdown")
	case o.importRows < 0 || o.importRows > 1_000_000:
		return o, errors.New("-import must be between 0 and 1000000")
	}
	o.sync = strings.ToUpper(o.sync)
	if o.sync != "FULL" && o.sync != "NORMAL" {
		return o, errors.New("-sync must be FULL or NORMAL")
	}
	return o, nil
}

// row is one line of the report.
type row struct {
	bench.Result
	Size   int
	Target string // "" when the line is for information
	Met    bool
}

type report struct {
	started  time.Time
	dialect  store.Dialect
	seeds    []string
	rows     []row
	imports  []importLine
	notes    []string
	duration time.Duration
	// 1-minute load average before and after the run
	loadStart, loadEnd string
}

type importLine struct {
	Into string
	T    bench.ImportTiming
	Err  error
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	progress := func(format string, args ...any) { fmt.Fprintf(stderr, "kefu-bench: "+format+"\n", args...) }
	rep := &report{started: time.Now(), loadStart: loadavg()}
	env, err := bench.New(ctx, bench.Options{DB: o.db, SQLiteSync: o.sync, Logger: logger})
	if err != nil {
		return err
	}
	defer env.Close()
	rep.dialect = env.Dialect

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, stopSrv := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- env.App.ServeListener(srvCtx, ln) }()
	defer func() {
		stopSrv()
		<-served
	}()
	base := "http://" + ln.Addr().String()

	listClient := bench.NewClient(o.listConc)
	web, err := env.Login(ctx, listClient, base)
	if err != nil {
		return err
	}
	api := bench.Auth{Bearer: env.Token}
	load := func(name string, conc int) bench.Load {
		return bench.Load{Name: name, Concurrency: conc, Duration: o.duration, Max: o.maxRequests, Warmup: o.warmup}
	}

	var pos *bench.Positions
	for _, size := range o.sizes {
		t0 := time.Now()
		progress("seeding to %d customers…", size)
		if err := env.Seed(ctx, size-env.Seeded()); err != nil {
			return err
		}
		rep.seeds = append(rep.seeds, fmt.Sprintf("%d customers in %v", size, time.Since(t0).Round(time.Millisecond)))
		if pos, err = env.LoadPositions(ctx); err != nil {
			return err
		}
		if !o.only["list"] {
			continue
		}
		for _, surface := range []string{"web", "api"} {
			for _, k := range bench.ListKinds {
				name := fmt.Sprintf("list %s %s", surface, k)
				progress("%s at %d customers…", name, size)
				r := bench.Run(ctx, load(name, o.listConc), func(ctx context.Context, rng *rand.Rand) error {
					f := pos.Filter(rng, k)
					if surface == "web" {
						return bench.Get(ctx, listClient, base, bench.WebURL(f), web)
					}
					return bench.Get(ctx, listClient, base, bench.APIURL(f), api)
				})
				rep.rows = append(rep.rows, row{Result: r, Size: size, Target: "p99 < 20 ms", Met: r.Errors == 0 && r.Requests > 0 && r.P99 < 20*time.Millisecond})
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
	}
	size := o.sizes[len(o.sizes)-1]

	readClient := bench.NewClient(o.concurrency)
	reads := []struct {
		name string
		path func(rng *rand.Rand) string
	}{
		{"token read GET /api/v1/customers/{id}", func(rng *rand.Rand) string { return "/api/v1/customers/" + pos.All[rng.IntN(len(pos.All))].ID }},
		{"token read GET /api/v1/me", func(*rand.Rand) string { return "/api/v1/me" }},
	}
	for _, rd := range reads {
		if !o.only["reads"] {
			break
		}
		progress("%s…", rd.name)
		r := bench.Run(ctx, load(rd.name, o.concurrency), func(ctx context.Context, rng *rand.Rand) error {
			return bench.Get(ctx, readClient, base, rd.path(rng), api)
		})
		rep.rows = append(rep.rows, row{Result: r, Size: size, Target: "> 5,000 reads/s", Met: r.Errors == 0 && r.PerSec > 5000})
		if err := ctx.Err(); err != nil {
			return err
		}
	}

	if o.importRows > 0 && o.only["import"] {
		progress("import %d rows into an empty archive…", o.importRows)
		empty, err := bench.New(ctx, bench.Options{DB: o.db, SQLiteSync: o.sync, Logger: logger})
		if err != nil {
			return err
		}
		t, err := empty.Import(ctx, o.importRows, true)
		rep.imports = append(rep.imports, importLine{Into: "empty archive", T: t, Err: err})
		if err := empty.Close(); err != nil {
			progress("closing the import app: %v", err)
		}
		progress("import %d rows into the archive of %d customers…", o.importRows, size)
		t, err = env.Import(ctx, o.importRows, true)
		rep.imports = append(rep.imports, importLine{Into: fmt.Sprintf("%d customers", size), T: t, Err: err})
	}
	rep.duration = time.Since(rep.started)
	rep.loadEnd = loadavg()
	if rep.dialect == store.SQLite {
		rep.notes = append(rep.notes, "SQLite synchronous="+o.sync)
	}
	rep.notes = append(rep.notes,
		fmt.Sprintf("list scenarios: %d concurrent clients; token reads: %d concurrent clients; client and server share the machine", o.listConc, o.concurrency),
		fmt.Sprintf("each scenario: %v warm-up, then %v or %d requests", o.warmup, o.duration, o.maxRequests),
		fmt.Sprintf("machine load average (1 min) %s at the start, %s at the end; cpu µs/req is this process's CPU time (server and client) per request, idle-core req/s = cores / cpu per request, others %% = share of the machine's CPU other processes used during the scenario", rep.loadStart, rep.loadEnd))
	if o.out == "markdown" {
		rep.markdown(stdout, o)
	} else {
		rep.text(stdout, o)
	}
	return nil
}

func machine() string {
	model := ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	s := fmt.Sprintf("%s/%s, %d cores (GOMAXPROCS %d)", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if model != "" {
		s += ", " + model
	}
	return s + ", " + runtime.Version()
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// loadavg is the 1-minute load average: other processes on the machine
// slow every figure down, so the report says how busy it was.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func msf(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func verdict(r row) string {
	switch {
	case r.Target == "":
		return ""
	case r.Met:
		return "met"
	default:
		return "MISSED"
	}
}

func (r row) errText() string {
	if r.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%v)", r.Errors, r.FirstErr)
}

func (rep *report) text(w io.Writer, o options) {
	fmt.Fprintf(w, "kefu-bench %s on %s, %s\n", rep.started.Format("2006-01-02 15:04"), rep.dialect, machine())
	for _, n := range rep.notes {
		fmt.Fprintln(w, "  "+n)
	}
	fmt.Fprintln(w, "  seeded: "+strings.Join(rep.seeds, ", "))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcustomers\tclients\trequests\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tcpu µs/req\tidle-core req/s\tothers %\terrors\ttarget\t\t")
	for _, r := range rep.rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%s\t%s\t%s\t\n", r.Name, r.Size, r.Concurrency, r.Requests, r.PerSec,
			msf(r.P50), msf(r.P90), msf(r.P99), msf(r.Max), us(r.CPU), r.Capacity(runtime.NumCPU()), 100*r.Others, r.errText(), r.Target, verdict(r))
	}
	tw.Flush()
	if fl := rep.flatness(o); len(fl) > 0 {
		fmt.Fprintf(w, "\nflat as the table grows (%d → %d customers):\n", o.sizes[0], o.sizes[len(o.sizes)-1])
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "scenario\tp50 ms\tp99 ms\tcpu µs/req\tcpu growth\t")
		for _, p := range fl {
			fmt.Fprintf(tw, "%s\t%s → %s\t%s → %s\t%.0f → %.0f\t%s\t\n", p[0].Name, msf(p[0].P50), msf(p[1].P50), msf(p[0].P99), msf(p[1].P99),
				us(p[0].CPU), us(p[1].CPU), ratio(p[0].CPU, p[1].CPU))
		}
		tw.Flush()
	}
	if len(rep.imports) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "import\trows\tupload ms\tdry run ms\timport ms\timport cpu ms\tothers %\tupload+import ms\ttarget\t\t")
		for _, im := range rep.imports {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%.0f\t%s\t< 2 s\t%s\t\n", im.Into, im.T.Rows, msf(im.T.Stage), msf(im.T.DryRun), msf(im.T.Apply),
				msf(im.T.ApplyCPU), 100*im.T.ApplyOthers, msf(im.T.Total()), importVerdict(im))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\ntotal run time %v\n", rep.duration.Round(time.Second))
}

// flatness pairs each list scenario at the smallest size with the same
// scenario at the largest: keyset pages should cost the same at any size.
func (rep *report) flatness(o options) [][2]row {
	if len(o.sizes) < 2 {
		return nil
	}
	small, large := o.sizes[0], o.sizes[len(o.sizes)-1]
	var out [][2]row
	for _, a := range rep.rows {
		if a.Size != small || !strings.HasPrefix(a.Name, "list ") {
			continue
		}
		for _, b := range rep.rows {
			if b.Size == large && b.Name == a.Name {
				out = append(out, [2]row{a, b})
			}
		}
	}
	return out
}

func ratio(a, b time.Duration) string {
	if a <= 0 {
		return "-"
	}
	return fmt.Sprintf("×%.2f", float64(b)/float64(a))
}

func importVerdict(im importLine) string {
	switch {
	case im.Err != nil:
		return "ERROR: " + im.Err.Error()
	case im.T.Total() < 2*time.Second:
		return "met"
	default:
		return "MISSED"
	}
}

func (rep *report) markdown(w io.Writer, o options) {
	fmt.Fprintf(w, "Run of %s on %s — %s.\n\n", rep.started.Format("2006-01-02 15:04 MST"), rep.dialect, machine())
	for _, n := range rep.notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	fmt.Fprintf(w, "- seeded (raw SQL): %s\n\n", strings.Join(rep.seeds, ", "))
	fmt.Fprintln(w, "| scenario | customers | clients | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | cpu µs/req | idle-core req/s | others % | errors | target | |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
	for _, r := range rep.rows {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %.0f | %s | %s | %s | %s | %.0f | %.0f | %.0f | %s | %s | %s |\n", r.Name, r.Size, r.Concurrency, r.Requests, r.PerSec,
			msf(r.P50), msf(r.P90), msf(r.P99), msf(r.Max), us(r.CPU), r.Capacity(runtime.NumCPU()), 100*r.Others, r.errText(), r.Target, verdict(r))
	}
	if fl := rep.flatness(o); len(fl) > 0 {
		fmt.Fprintf(w, "\nFlat as the table grows (%d → %d customers):\n\n", o.sizes[0], o.sizes[len(o.sizes)-1])
		fmt.Fprintln(w, "| scenario | p50 ms | p99 ms | cpu µs/req | cpu growth |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
		for _, p := range fl {
			fmt.Fprintf(w, "| %s | %s → %s | %s → %s | %.0f → %.0f | %s |\n", p[0].Name, msf(p[0].P50), msf(p[1].P50), msf(p[0].P99), msf(p[1].P99),
				us(p[0].CPU), us(p[1].CPU), ratio(p[0].CPU, p[1].CPU))
		}
	}
	if len(rep.imports) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| import into | rows | upload ms | dry run ms | import ms | import cpu ms | others % | upload + import ms | target | |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
		for _, im := range rep.imports {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %.0f | %s | < 2 s | %s |\n", im.Into, im.T.Rows, msf(im.T.Stage), msf(im.T.DryRun), msf(im.T.Apply),
				msf(im.T.ApplyCPU), 100*im.T.ApplyOthers, msf(im.T.Total()), importVerdict(im))
		}
	}
	fmt.Fprintf(w, "\nTotal run time %v.\n", rep.duration.Round(time.Second))
}
