package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
)

// Issue 5's target: the dispatch board p99 < 50 ms with 100,000 work
// orders (10,000 customers, 20 regions each with its maintenance group):
//
//	go test -run '^$' -bench DispatchBoard -benchtime 200x ./internal/bench
//
// Environment (besides KEFU_BENCH_SYNC and KEFU_TEST_DB of bench_test.go):
//
//	KEFU_BENCH_WORK_ORDERS  work orders (default 100000)
//
// The benchmarks share one app seeded once per process (SeedWorkOrders).

var fieldEnv struct {
	sync.Mutex
	env *Env
}

// fieldOf returns the shared app: 10,000 customers and the work orders.
func fieldOf(b *testing.B) *Env {
	b.Helper()
	fieldEnv.Lock()
	defer fieldEnv.Unlock()
	if fieldEnv.env != nil {
		return fieldEnv.env
	}
	ctx := context.Background()
	t0 := time.Now()
	env, err := New(ctx, options())
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Seed(ctx, 10_000); err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	n := envCount(b, "KEFU_BENCH_WORK_ORDERS", 100_000, 100)
	if err := env.SeedWorkOrders(ctx, n); err != nil {
		_ = env.Close()
		b.Fatal(err)
	}
	b.Logf("seeded 10000 customers and %d work orders on %s in %v", n, env.Dialect, time.Since(t0).Round(time.Millisecond))
	envs.Lock()
	envs.m[-5] = seeded{env: env} // closed by TestMain
	envs.Unlock()
	fieldEnv.env = env
	return env
}

// ownOnly is a field-work service on env's database that shows a
// specialist only the work of their own customers (the company setting
// KEFU_SPECIALIST_READ_ALL=false; the bench app runs with the default,
// true, under which a specialist's board is the manager's).
func ownOnly(env *Env) *fieldwork.Service {
	return fieldwork.NewService(env.App.DB(), env.App.Calendar, env.App.Now, fieldwork.Options{Location: env.App.Location()})
}

// boardOrders counts the orders on a board.
func boardOrders(b *fieldwork.Board) (n int) {
	for _, d := range b.Days {
		for _, g := range d.Groups {
			n += len(g.Orders)
		}
	}
	return n
}

// BenchmarkDispatchBoard: the dispatch board of a week (DispatchBoard,
// default span: today + 6 days) by the service as the manager (all
// regions), the manager narrowed to a region, a region's supervisor
// (their group), a technician (their own work), a specialist who sees only
// their customers' work, the manager for a week 25 weeks ahead; and GET
// /api/v1/dispatch-board through App.Handler() with the Bearer token of
// the manager and of a supervisor (their group).
func BenchmarkDispatchBoard(b *testing.B) {
	env := fieldOf(b)
	ctx := context.Background()
	fo := env.FieldOrg()
	mctx, err := env.AsManager(ctx)
	if err != nil {
		b.Fatal(err)
	}
	as := func(ids []string) []context.Context {
		var out []context.Context
		for _, id := range ids {
			c, err := env.AsStaff(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, c)
		}
		return out
	}
	var sups, techs, specs []string
	for _, g := range fo.Groups {
		sups = append(sups, g.SupervisorID)
		techs = append(techs, g.Technicians...)
	}
	for _, s := range env.Specialists {
		specs = append(specs, s.ID)
	}
	supCtx, techCtx, specCtx := as(sups), as(techs), as(specs)
	own := ownOnly(env)
	ahead := env.Today().AddDays(WorkOrderSpan/2 - 6).String()
	svc := env.App.Fieldwork
	type call func(rng *rand.Rand) (*fieldwork.Board, error)
	cases := []struct {
		name string
		do   call
	}{
		{"manager", func(*rand.Rand) (*fieldwork.Board, error) { return svc.DispatchBoard(mctx, fieldwork.BoardFilter{}) }},
		{"manager-region", func(rng *rand.Rand) (*fieldwork.Board, error) {
			return svc.DispatchBoard(mctx, fieldwork.BoardFilter{RegionID: env.Regions[rng.IntN(len(env.Regions))].ID})
		}},
		{"supervisor", func(rng *rand.Rand) (*fieldwork.Board, error) {
			i := rng.IntN(len(supCtx))
			return svc.DispatchBoard(supCtx[i], fieldwork.BoardFilter{GroupID: fo.Groups[i].GroupID})
		}},
		{"technician", func(rng *rand.Rand) (*fieldwork.Board, error) {
			return svc.DispatchBoard(techCtx[rng.IntN(len(techCtx))], fieldwork.BoardFilter{})
		}},
		{"specialist-own", func(rng *rand.Rand) (*fieldwork.Board, error) {
			return own.DispatchBoard(specCtx[rng.IntN(len(specCtx))], fieldwork.BoardFilter{})
		}},
		{"manager-ahead", func(*rand.Rand) (*fieldwork.Board, error) {
			return svc.DispatchBoard(mctx, fieldwork.BoardFilter{From: ahead})
		}},
	}
	for _, c := range cases {
		b.Run("service/"+c.name, func(b *testing.B) {
			var orders, overdue int
			measure(b, func(rng *rand.Rand) error {
				bd, err := c.do(rng)
				if err == nil {
					orders += boardOrders(bd)
					overdue += len(bd.Overdue)
				}
				return err
			})
			b.ReportMetric(float64(orders)/float64(b.N), "orders/op")
			b.ReportMetric(float64(overdue)/float64(b.N), "overdue/op")
		})
	}
	h := env.App.Handler()
	supTok := make([]string, len(sups))
	for i, id := range sups {
		if supTok[i], err = env.TokenFor(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("api/manager", func(b *testing.B) {
		measure(b, func(*rand.Rand) error { return Serve(h, "/api/v1/dispatch-board", Auth{Bearer: env.Token}) })
	})
	b.Run("api/supervisor", func(b *testing.B) {
		measure(b, func(rng *rand.Rand) error {
			i := rng.IntN(len(sups))
			return Serve(h, "/api/v1/dispatch-board?group_id="+fo.Groups[i].GroupID, Auth{Bearer: supTok[i]})
		})
	})
}

// TestFieldworkSeed checks SeedWorkOrders on 2,000 work orders: the rows
// are there, the board of this week shows every one of them that is not
// cancelled (as the manager, a supervisor, a technician, a specialist),
// the overdue list is the undispatched work already due, dispatched
// orders carry their group and 1–2 technicians, and the API answers.
func TestFieldworkSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	o := options() // on PostgreSQL with KEFU_TEST_DB=postgres
	o.Regions, o.Specialists = 3, 2
	if o.SQLiteSync == "" {
		o.SQLiteSync = "NORMAL"
	}
	env, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if err := env.Seed(ctx, 300); err != nil {
		t.Fatal(err)
	}
	const n = 2_000
	if err := env.SeedWorkOrders(ctx, n); err != nil {
		t.Fatal(err)
	}
	db := env.App.DB().SQLDB()
	count := func(q string, args ...any) int {
		t.Helper()
		var k int
		if err := db.QueryRowContext(ctx, q, args...).Scan(&k); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return k
	}
	if k := count("SELECT COUNT(*) FROM work_orders WHERE number LIKE 'BW-%'"); k != n {
		t.Fatalf("%d work orders, want %d", k, n)
	}
	ph := "?"
	if env.Dialect == store.Postgres {
		ph = "$1"
	}
	from, to := env.Today(), env.Today().AddDays(6)
	week := count(fmt.Sprintf("SELECT COUNT(*) FROM work_orders WHERE planned_on >= %s AND planned_on <= '%s' AND status <> 'cancelled'", ph, to), from.String())
	if week < 7*n/WorkOrderSpan/2 || week > 2*7*n/WorkOrderSpan+20 {
		t.Fatalf("%d orders this week, want about %d", week, 7*n/WorkOrderSpan)
	}
	for _, st := range []string{"planned", "dispatched", "completed", "accepted", "cancelled", "returned"} {
		if k := count(fmt.Sprintf("SELECT COUNT(*) FROM work_orders WHERE status = %s", ph), st); k == 0 {
			t.Errorf("no %s work order", st)
		}
	}
	if k := count(`SELECT COUNT(*) FROM work_orders w WHERE (w.dispatched_at IS NULL) <> (w.group_id IS NULL)
		OR (w.dispatched_at IS NULL) <> (w.status IN ('planned', 'cancelled'))`); k != 0 {
		t.Errorf("%d work orders whose dispatch, group and status disagree", k)
	}
	if k := count(`SELECT COUNT(*) FROM work_orders w WHERE w.dispatched_at IS NOT NULL AND
		(SELECT COUNT(*) FROM work_order_technicians t WHERE t.work_order_id = w.id) NOT IN (1, 2)`); k != 0 {
		t.Errorf("%d dispatched work orders without 1 or 2 technicians", k)
	}
	if k := count(`SELECT COUNT(*) FROM work_orders w JOIN customers c ON c.id = w.customer_id
		WHERE w.region_id <> c.region_id OR w.owner_id <> c.owner_id`); k != 0 {
		t.Errorf("%d work orders with another region or owner than their customer's", k)
	}

	mctx, err := env.AsManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := env.App.Fieldwork.DispatchBoard(mctx, fieldwork.BoardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := boardOrders(bd); got != week {
		t.Fatalf("the manager's board shows %d orders, the table has %d this week", got, week)
	}
	if bd.From != from.String() || len(bd.Days) != 7 {
		t.Fatalf("board %s, %d days", bd.From, len(bd.Days))
	}
	var undispatched, groups int
	for _, d := range bd.Days {
		for _, g := range d.Groups {
			if g.GroupID == "" {
				undispatched += len(g.Orders)
			} else {
				groups++
			}
			for _, o := range g.Orders {
				if o.DispatchedAt != nil && (len(o.Technicians) < 1 || len(o.Technicians) > 2) {
					t.Fatalf("%s: %d technicians on the board", o.Number, len(o.Technicians))
				}
			}
		}
	}
	if undispatched == 0 || groups == 0 {
		t.Errorf("this week's board: %d undispatched orders, %d day-groups", undispatched, groups)
	}
	due := count(fmt.Sprintf("SELECT COUNT(*) FROM work_orders WHERE dispatched_at IS NULL AND status IN ('planned', 'returned') AND dispatch_due < %s",
		ph), env.dbTime(time.Now()))
	if due == 0 || len(bd.Overdue) != min(due, 200) {
		t.Errorf("overdue: the board lists %d, the table has %d", len(bd.Overdue), due)
	}

	t.Logf("%s: %d this week (%d undispatched, %d day-groups), %d overdue", env.Dialect, week, undispatched, groups, due)
	fo := env.FieldOrg()
	g := fo.Groups[0]
	sctx, err := env.AsStaff(ctx, g.SupervisorID)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := env.App.Fieldwork.DispatchBoard(sctx, fieldwork.BoardFilter{GroupID: g.GroupID})
	if err != nil {
		t.Fatal(err)
	}
	want := count(fmt.Sprintf("SELECT COUNT(*) FROM work_orders WHERE planned_on >= %s AND planned_on <= '%s' AND status <> 'cancelled' AND group_id = '%s'",
		ph, to, g.GroupID), from.String())
	if got := boardOrders(sb); got != want || want == 0 {
		t.Errorf("the supervisor's board shows %d orders, the table has %d of the group", got, want)
	}
	tctx, err := env.AsStaff(ctx, g.Technicians[0])
	if err != nil {
		t.Fatal(err)
	}
	tb, err := env.App.Fieldwork.DispatchBoard(tctx, fieldwork.BoardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want = count(fmt.Sprintf(`SELECT COUNT(*) FROM work_orders w JOIN work_order_technicians t ON t.work_order_id = w.id
		WHERE w.planned_on >= %s AND w.planned_on <= '%s' AND w.status <> 'cancelled' AND t.staff_id = '%s'`, ph, to, g.Technicians[0]), from.String())
	if got := boardOrders(tb); got != want || want == 0 {
		t.Errorf("the technician's board shows %d orders, the table has %d of theirs", got, want)
	}
	spec := env.Specialists[0]
	pctx, err := env.AsStaff(ctx, spec.ID)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := ownOnly(env).DispatchBoard(pctx, fieldwork.BoardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want = count(fmt.Sprintf("SELECT COUNT(*) FROM work_orders WHERE planned_on >= %s AND planned_on <= '%s' AND status <> 'cancelled' AND owner_id = '%s'",
		ph, to, spec.ID), from.String())
	if got := boardOrders(pb); got != want || want == 0 || want == week {
		t.Errorf("the specialist's own board shows %d orders, the table has %d of theirs (%d in all)", got, want, week)
	}
	for _, o := range pb.Overdue {
		if o.OwnerID == nil || *o.OwnerID != spec.ID {
			t.Fatalf("the specialist's overdue list shows %s of another owner", o.Number)
		}
	}

	h := env.App.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/dispatch-board", nil)
	req.Header.Set("Authorization", "Bearer "+env.Token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/dispatch-board: %d %.200s", w.Code, w.Body.String())
	}
	var api fieldwork.Board
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil {
		t.Fatal(err)
	}
	if got := boardOrders(&api); got != week {
		t.Errorf("the API's board shows %d orders, want %d", got, week)
	}
	tok, err := env.TokenFor(ctx, g.SupervisorID)
	if err != nil {
		t.Fatal(err)
	}
	if err := Serve(h, "/api/v1/dispatch-board?group_id="+g.GroupID, Auth{Bearer: tok}); err != nil {
		t.Fatal(err)
	}
	if p, _ := env.App.Auth.Principal(ctx, g.SupervisorID); !p.Has(access.MaintSupervisor) {
		t.Fatal("the supervisor has no maint_supervisor role")
	}
}
