package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu/internal/access"
	"kefu/internal/cpumeter"
	"kefu/internal/customers"
)

// Row is the (name, id) keyset position of one customer and the columns
// the list filters on.
type Row struct {
	ID, Name, RegionID, OwnerID string
}

// Positions is every customer in list order (name, id), so that a load can
// ask for a page starting anywhere in the table, as a user paging deep or
// a client syncing would.
type Positions struct {
	All      []Row
	ByRegion map[string][]Row
	ByOwner  map[string][]Row
}

// LoadPositions reads the keyset positions of all customers, and checks
// that Cursor encodes them as the customers service does.
func (e *Env) LoadPositions(ctx context.Context) (*Positions, error) {
	rows, err := e.App.DB().SQLDB().QueryContext(ctx,
		`SELECT id, name, region_id, COALESCE(owner_id, '') FROM customers ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p := &Positions{ByRegion: map[string][]Row{}, ByOwner: map[string][]Row{}}
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.ID, &r.Name, &r.RegionID, &r.OwnerID); err != nil {
			return nil, err
		}
		p.All = append(p.All, r)
		p.ByRegion[r.RegionID] = append(p.ByRegion[r.RegionID], r)
		p.ByOwner[r.OwnerID] = append(p.ByOwner[r.OwnerID], r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.All) < 2 {
		return nil, errors.New("bench: seed customers first")
	}
	// The cursor format is the service's business; check that ours matches
	// so a change there fails here instead of measuring error pages.
	page, err := e.App.Customers.ListCustomers(e.Sys, customers.ListFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	if page.Next != Cursor(p.All[0]) {
		return nil, fmt.Errorf("bench: keyset cursor format changed (service %q, bench %q): update bench.Cursor", page.Next, Cursor(p.All[0]))
	}
	return p, nil
}

// Cursor is the keyset cursor ("after") that continues after r, in the
// encoding of customers.ListCustomers (base64url of name NUL id).
func Cursor(r Row) string {
	return base64.RawURLEncoding.EncodeToString([]byte(r.Name + "\x00" + r.ID))
}

// Pick returns a random position of rows to page from ("" for the first
// page one time in 20).
func Pick(rng *rand.Rand, rows []Row) string {
	if len(rows) == 0 || rng.IntN(20) == 0 {
		return ""
	}
	return Cursor(rows[rng.IntN(len(rows))])
}

// ListKind names one shape of list request.
type ListKind string

const (
	ListFirst  ListKind = "first"  // first page, no filter
	ListDeep   ListKind = "deep"   // keyset page anywhere in the table
	ListRegion ListKind = "region" // filtered by region, anywhere in the region
	ListOwner  ListKind = "owner"  // filtered by owning specialist, anywhere in their customers
	ListSearch ListKind = "search" // text search (name contains), first page
)

// ListKinds are the kinds measured against the targets (search is
// reported for information: a contains-search cannot use an index).
var ListKinds = []ListKind{ListFirst, ListDeep, ListRegion, ListOwner}

// Filter makes a random list request of kind k.
func (p *Positions) Filter(rng *rand.Rand, k ListKind) customers.ListFilter {
	f := customers.ListFilter{Limit: 50}
	switch k {
	case ListDeep:
		f.After = Pick(rng, p.All)
	case ListRegion:
		r := p.All[rng.IntN(len(p.All))]
		f.RegionID, f.After = r.RegionID, Pick(rng, p.ByRegion[r.RegionID])
	case ListOwner:
		r := p.All[rng.IntN(len(p.All))]
		f.OwnerID, f.After = r.OwnerID, Pick(rng, p.ByOwner[r.OwnerID])
	case ListSearch:
		r := p.All[rng.IntN(len(p.All))]
		// The six-digit suffix matches one customer: the worst case, a
		// scan of the whole table.
		f.Query = r.Name[len(r.Name)-6:]
	}
	return f
}

// WebURL is the path of the web customer list page for f (the full page,
// as a browser loads it; the htmx "more" request renders only the rows).
func WebURL(f customers.ListFilter) string {
	q := url.Values{}
	set(q, "q", f.Query)
	set(q, "region", f.RegionID)
	set(q, "owner", f.OwnerID)
	set(q, "after", f.After)
	return "/customers" + encode(q)
}

// APIURL is the path of the API customer list for f.
func APIURL(f customers.ListFilter) string {
	q := url.Values{}
	set(q, "q", f.Query)
	set(q, "region_id", f.RegionID)
	set(q, "owner_id", f.OwnerID)
	set(q, "after", f.After)
	return "/api/v1/customers" + encode(q)
}

func set(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func encode(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// Load describes one closed-loop measurement: Concurrency workers each
// send a request, wait for the answer, and send the next, until Duration
// has passed or Max requests were sent (Max <= 0: no count limit). The
// first Warmup is run but not recorded.
type Load struct {
	Name        string
	Concurrency int
	Duration    time.Duration
	Max         int
	Warmup      time.Duration
}

// Result is the outcome of one Load.
type Result struct {
	Name        string
	Concurrency int
	Requests    int
	Errors      int
	Elapsed     time.Duration
	P50, P90    time.Duration
	P99, Max    time.Duration
	Mean        time.Duration
	PerSec      float64
	// CPU is the process CPU time (user+system, every goroutine: the
	// server and, in the load command, the client too) per request.
	// NumCPU/CPU estimates the request rate of otherwise idle cores, a
	// figure that does not depend on what else the machine runs.
	CPU time.Duration
	// Others is the share of the machine's CPU capacity that other
	// processes used during the run (Linux): above a few percent, the
	// latencies measure the neighbours as much as kefu.
	Others   float64
	FirstErr error
}

// Capacity is the request rate that cores otherwise idle cores could sustain at r.CPU
// per request (0 when CPU time is not measured).
func (r Result) Capacity(cores int) float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(cores) * float64(time.Second) / float64(r.CPU)
}

// Run runs l, calling do once per request with a per-worker random source.
func Run(ctx context.Context, l Load, do func(ctx context.Context, rng *rand.Rand) error) Result {
	if l.Concurrency <= 0 {
		l.Concurrency = 1
	}
	if l.Warmup > 0 {
		Run(ctx, Load{Concurrency: l.Concurrency, Duration: l.Warmup}, do)
	}
	var (
		mu       sync.Mutex
		all      []time.Duration
		errs     int
		firstErr error
		sent     atomic.Int64
		wg       sync.WaitGroup
	)
	// The deadline only stops workers from sending more: requests in
	// flight finish (cancelling them would measure aborted requests and
	// make the server log client disconnects).
	start, cpu0, busy0 := time.Now(), cpumeter.Process(), cpumeter.Machine()
	deadline := start.Add(l.Duration)
	for w := range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, uint64(start.UnixNano())))
			lat := make([]time.Duration, 0, 4096)
			nerr := 0
			var ferr error
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if l.Max > 0 && sent.Add(1) > int64(l.Max) {
					break
				}
				t0 := time.Now()
				err := do(ctx, rng)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break // the run was interrupted: not a failure
					}
					nerr++
					if ferr == nil {
						ferr = err
					}
					continue
				}
				lat = append(lat, d)
			}
			mu.Lock()
			all = append(all, lat...)
			errs += nerr
			if firstErr == nil {
				firstErr = ferr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed, cpu, busy := time.Since(start), cpumeter.Process()-cpu0, cpumeter.Machine()-busy0
	r := Summarize(all)
	if busy > 0 {
		r.Others = cpumeter.Others(elapsed, busy, cpu, runtime.NumCPU()) / 100
	}
	if r.Requests > 0 {
		r.CPU = cpu / time.Duration(r.Requests+errs)
	}
	r.Name, r.Concurrency, r.Errors, r.FirstErr, r.Elapsed = l.Name, l.Concurrency, errs, firstErr, elapsed
	r.PerSec = float64(r.Requests) / elapsed.Seconds()
	return r
}

// Summarize computes the count, mean and percentiles of d (it sorts d).
func Summarize(d []time.Duration) Result {
	var r Result
	r.Requests = len(d)
	if len(d) == 0 {
		return r
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	r.Mean = sum / time.Duration(len(d))
	r.P50, r.P90, r.P99, r.Max = Percentile(d, 0.50), Percentile(d, 0.90), Percentile(d, 0.99), d[len(d)-1]
	return r
}

// Percentile returns the q-quantile of sorted d (nearest rank).
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// NewClient returns an HTTP client for conc concurrent workers against one
// loopback server: keep-alive connections, no redirects followed.
func NewClient(conc int) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        2 * conc,
		MaxIdleConnsPerHost: 2 * conc,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Auth is how a request proves who sends it.
type Auth struct {
	Cookie string // "kefu_session=…" for the web
	Bearer string // "kf_…" for the API
}

func (a Auth) apply(req *http.Request) {
	if a.Cookie != "" {
		req.Header.Set("Cookie", a.Cookie)
	}
	if a.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.Bearer)
	}
}

// Get sends GET base+path and fails unless the answer is 200. The body is
// read to the end (the client pays for the whole page).
func Get(ctx context.Context, c *http.Client, base, path string, a Auth) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	a.apply(req)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s (%d bytes)", path, resp.Status, n)
	}
	return nil
}

// Serve calls h in-process as the server would for GET path and fails
// unless the answer is 200 (benchmarks of the handler without sockets).
func Serve(h http.Handler, path string, a Auth) error {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	a.apply(req)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %.200s", path, w.Code, w.Body.String())
	}
	return nil
}

// Login signs the bench manager in through POST /login on base (a real
// server) and returns the session cookie to send.
func (e *Env) Login(ctx context.Context, c *http.Client, base string) (Auth, error) {
	form := url.Values{"login": {e.ManagerLogin}, "password": {e.ManagerPassword}, "next": {"/"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return Auth{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return Auth{}, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return sessionCookie(resp.StatusCode, resp.Cookies())
}

// LoginHandler signs the bench manager in by calling h in-process.
func (e *Env) LoginHandler(h http.Handler) (Auth, error) {
	form := url.Values{"login": {e.ManagerLogin}, "password": {e.ManagerPassword}, "next": {"/"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return sessionCookie(w.Code, w.Result().Cookies())
}

func sessionCookie(status int, cookies []*http.Cookie) (Auth, error) {
	if status != http.StatusSeeOther && status != http.StatusFound {
		return Auth{}, fmt.Errorf("bench: login answered %d, want a redirect", status)
	}
	for _, c := range cookies {
		if c.Name == "kefu_session" && c.Value != "" {
			return Auth{Cookie: c.Name + "=" + c.Value}, nil
		}
	}
	return Auth{}, errors.New("bench: login set no kefu_session cookie")
}

// ImportTiming is one import of generated customer rows.
type ImportTiming struct {
	Rows   int
	Stage  time.Duration // upload kept in the blob store
	DryRun time.Duration // the dry run the import page shows first
	Apply  time.Duration // the import itself ("skip bad rows")
	// ApplyCPU is the process CPU time during Apply; ApplyOthers the share
	// of the machine other processes used meanwhile (see Result.Others).
	ApplyCPU    time.Duration
	ApplyOthers float64
	Report      *customers.ImportReport
}

// Total is the time from upload to imported rows, without the dry run.
func (t ImportTiming) Total() time.Duration { return t.Stage + t.Apply }

// Import imports rows new customers as the manager: stage the CSV,
// optionally dry-run it, then apply it with SkipBad. It fails unless every
// row was created.
func (e *Env) Import(ctx context.Context, rows int, dryRun bool) (ImportTiming, error) {
	t := ImportTiming{Rows: rows}
	data := e.ImportCSV(rows)
	ctx, err := e.AsManager(ctx)
	if err != nil {
		return t, err
	}
	t0 := time.Now()
	key, err := e.App.Customers.StageImport(ctx, bytes.NewReader(data), 50<<20)
	if err != nil {
		return t, err
	}
	t.Stage = time.Since(t0)
	if dryRun {
		t0 = time.Now()
		rep, err := e.App.Customers.Import(ctx, key, "customers.csv", customers.ImportOptions{Kind: customers.ImportCustomers, DryRun: true, SkipBad: true})
		if err != nil {
			return t, err
		}
		t.DryRun = time.Since(t0)
		if rep.Created != rows {
			return t, fmt.Errorf("bench: dry run would create %d of %d rows (%d errors, first %v)", rep.Created, rows, len(rep.Errors), firstCellErr(rep))
		}
	}
	t0, cpu0, busy0 := time.Now(), cpumeter.Process(), cpumeter.Machine()
	rep, err := e.App.Customers.Import(ctx, key, "customers.csv", customers.ImportOptions{Kind: customers.ImportCustomers, SkipBad: true})
	if err != nil {
		return t, err
	}
	t.Apply, t.ApplyCPU = time.Since(t0), cpumeter.Process()-cpu0
	if busy := cpumeter.Machine() - busy0; busy > 0 {
		t.ApplyOthers = cpumeter.Others(t.Apply, busy, t.ApplyCPU, runtime.NumCPU()) / 100
	}
	t.Report = rep
	if !rep.Applied || rep.Created != rows {
		return t, fmt.Errorf("bench: import created %d of %d rows (%d errors, first %v)", rep.Created, rows, len(rep.Errors), firstCellErr(rep))
	}
	return t, nil
}

func firstCellErr(rep *customers.ImportReport) any {
	if len(rep.Errors) == 0 {
		return nil
	}
	return rep.Errors[0]
}

// AsManager returns ctx acting as the bench manager (as the web and the
// API would after authenticating).
func (e *Env) AsManager(ctx context.Context) (context.Context, error) {
	p, err := e.App.Auth.Principal(ctx, e.ManagerID)
	if err != nil {
		return nil, err
	}
	return access.With(ctx, p), nil
}
