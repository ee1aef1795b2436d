// Package bench measures kefu the way the speed targets of issue 2 are
// stated: the customer list page with 100,000 customers (p50/p99, flat as
// the table grows), authenticated API reads per second with a Bearer
// token, and the import of 10,000 customer rows; and issue 3's (contracts.go):
// the renewal and collection rates of a month, the receivables ageing page
// and the import of 50,000 payment rows, with 20,000 contracts; and issue
// 4's (servicedesk.go): ingest of communication records through the API,
// the response clocks and breach events of a month of 1,000,000 records,
// and the sweeper with 10,000 running clocks.
//
// It holds the harness shared by the `go test -bench` suite in this
// directory and the load command cmd/kefu-bench: building a fresh app in a
// temporary directory (or a throwaway PostgreSQL database), seeding it, a
// closed-loop load runner with latency percentiles, and the HTTP helpers.
// It is a test-only package (see the dependency rule in docs/design.md):
// nothing in the product imports it.
package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/app"
	"kefu/internal/config"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Options configure New.
type Options struct {
	// DB is "" or "sqlite" for a SQLite file in Dir, or a postgres://… DSN:
	// a fresh database is created on that server for the run and dropped
	// by Close.
	DB string
	// Dir is the data directory; "" makes a temporary one that Close removes.
	Dir string
	// SQLiteSync is FULL or NORMAL; "" keeps the product default (FULL).
	SQLiteSync string
	// Logger receives the app's log; nil discards it.
	Logger *slog.Logger
	// Regions and Specialists size the organisation (defaults 20 and 10).
	Regions, Specialists int
}

// Env is one kefu application built for measuring, with its organisation:
// a manager who can log in, specialists owning regions, sales owners (some
// of whom have left, so some customers are orphans) and a Bearer token.
type Env struct {
	App     *app.App
	Sys     context.Context // acting as access.System()
	Dialect store.Dialect
	DBURL   string // redacted of nothing: bench DSNs carry no password
	Dir     string

	ManagerID       string
	ManagerLogin    string
	ManagerPassword string
	Token           string // Bearer token (kf_…) acting as the manager

	Regions     []*org.Region
	Specialists []*org.Staff
	Sales       []*org.Staff

	seeded  int // customers inserted by Seed
	imports int // import files generated (distinct names per file)

	// contracts (contracts.go)
	financeID                       string
	contractsSeeded, paymentsSeeded int // numbering of seeded contracts and bank references
	invoicesSeeded, paymentFiles    int

	desk deskState // service desk (servicedesk.go)

	cleanup []func() error
}

// ManagerPasswordDefault is the password of the bench manager login.
const ManagerPasswordDefault = "Bench-Passw0rd!"

// New builds a fresh app (migrated, holidays seeded) and its organisation.
func New(ctx context.Context, o Options) (e *Env, err error) {
	if o.Regions <= 0 {
		o.Regions = 20
	}
	if o.Specialists <= 0 {
		o.Specialists = 10
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e = &Env{Sys: access.With(ctx, access.System())}
	defer func() {
		if err != nil {
			_ = e.Close()
			e = nil
		}
	}()
	dir := o.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kefu-bench-"); err != nil {
			return e, err
		}
		e.cleanup = append(e.cleanup, func() error { return os.RemoveAll(dir) })
	}
	e.Dir = dir
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Addr = "127.0.0.1:0"
	cfg.BaseURL = "http://127.0.0.1"
	cfg.Demo = false
	if o.SQLiteSync != "" {
		cfg.SQLiteSync = o.SQLiteSync
	}
	switch {
	case o.DB == "" || o.DB == "sqlite":
		cfg.DBURL = filepath.Join(dir, "kefu.db")
	case strings.HasPrefix(o.DB, "postgres://") || strings.HasPrefix(o.DB, "postgresql://"):
		dsn, drop, err := createPGDatabase(ctx, o.DB)
		if err != nil {
			return e, err
		}
		e.cleanup = append(e.cleanup, drop)
		cfg.DBURL = dsn
	default:
		return e, fmt.Errorf("bench: -db must be sqlite or a postgres:// DSN, not %q", o.DB)
	}
	if err := cfg.Validate(); err != nil {
		return e, err
	}
	e.DBURL = cfg.DBURL
	a, err := app.New(ctx, cfg, o.Logger)
	if err != nil {
		return e, err
	}
	e.App = a
	e.Dialect = a.DB().Dialect()
	// App closes before the database is dropped or the directory removed.
	e.cleanup = append([]func() error{a.Close}, e.cleanup...)
	return e, e.buildOrg(o.Regions, o.Specialists)
}

// Close shuts the app down and removes what New created.
func (e *Env) Close() error {
	var errs []error
	for _, f := range e.cleanup {
		errs = append(errs, f())
	}
	e.cleanup = nil
	return errors.Join(errs...)
}

func (e *Env) buildOrg(regions, specialists int) error {
	ctx := e.Sys
	a := e.App
	mgr, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: "bench.manager", Name: "压测经理", Roles: []access.Role{access.CSManager}})
	if err != nil {
		return fmt.Errorf("bench: manager: %w", err)
	}
	e.ManagerID, e.ManagerLogin, e.ManagerPassword = mgr.ID, mgr.Login, ManagerPasswordDefault
	if err := a.Auth.SetPassword(ctx, mgr.ID, e.ManagerPassword, false); err != nil {
		return fmt.Errorf("bench: manager password: %w", err)
	}
	for i := range specialists {
		st, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: fmt.Sprintf("bench.cs%02d", i), Name: fmt.Sprintf("客服%02d", i),
			SupervisorID: mgr.ID, Roles: []access.Role{access.CSSpecialist}})
		if err != nil {
			return fmt.Errorf("bench: specialist: %w", err)
		}
		e.Specialists = append(e.Specialists, st)
	}
	for i := range 10 {
		st, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: fmt.Sprintf("bench.sales%02d", i), Name: fmt.Sprintf("销售%02d", i),
			Roles: []access.Role{access.Executive}})
		if err != nil {
			return fmt.Errorf("bench: sales: %w", err)
		}
		if i%5 == 4 { // two of ten sales owners have left: their customers are orphans
			if st, err = a.Org.SetActive(ctx, st.ID, st.Version, false, "2025-06-30"); err != nil {
				return fmt.Errorf("bench: sales left: %w", err)
			}
		}
		e.Sales = append(e.Sales, st)
	}
	for i := range regions {
		spec := e.Specialists[i%len(e.Specialists)]
		r, err := a.Org.SaveRegion(ctx, "", 0, org.UnitInput{Name: regionName(i), Code: fmt.Sprintf("R%02d", i), SpecialistID: spec.ID})
		if err != nil {
			return fmt.Errorf("bench: region: %w", err)
		}
		e.Regions = append(e.Regions, r)
	}
	_, tok, err := a.Auth.CreateToken(ctx, mgr.ID, "bench", nil)
	if err != nil {
		return fmt.Errorf("bench: token: %w", err)
	}
	e.Token = tok
	return nil
}

var regionWords = []string{"国贸", "望京", "中关村", "亦庄", "通州", "丰台", "石景山", "海淀", "朝阳", "东城",
	"西城", "顺义", "昌平", "大兴", "房山", "门头沟", "怀柔", "平谷", "密云", "延庆"}

func regionName(i int) string {
	if i < len(regionWords) {
		return regionWords[i]
	}
	return fmt.Sprintf("%s%d", regionWords[i%len(regionWords)], i/len(regionWords))
}

// createPGDatabase creates kefu_bench_<random> on the server of dsn and
// returns its DSN and a function that drops it.
func createPGDatabase(ctx context.Context, dsn string) (string, func() error, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("bench: postgres dsn: %w", err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "kefu_bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("bench: create database: %w", err)
	}
	drop := func() error {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		defer admin.Close()
		_, err = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// Seeded is the number of customers Seed has inserted.
func (e *Env) Seeded() int { return e.seeded }

// seedWords make customer names whose order by name is unrelated to the
// order of insertion (ids are time-ordered UUIDv7), as in a real archive.
var (
	seedPlace = []string{"安贞", "白石桥", "北辰", "朝外", "成府", "大望路", "东直门", "方庄", "阜成门", "工体",
		"光华", "和平里", "虎坊桥", "建外", "金融街", "酒仙桥", "来广营", "丽泽", "六里桥", "马甸",
		"牡丹园", "南礼士路", "潘家园", "三里屯", "上地", "十里堡", "双井", "四惠", "太阳宫", "天通苑",
		"万柳", "五道口", "西直门", "小营", "燕莎", "永安里", "苑庄", "知春路", "中关村", "紫竹院"}
	seedKind = []string{"大厦", "广场", "中心", "医院", "酒店", "学校", "商场", "写字楼", "公寓", "数据中心"}
	seedOrg  = []string{"物业管理处", "后勤部", "工程部", "设备科", "总务处"}
)

func customerName(n int) string {
	// A multiplicative hash spreads consecutive n over the word lists.
	h := uint32(n) * 2654435761
	return seedPlace[h%uint32(len(seedPlace))] + seedKind[(h>>8)%uint32(len(seedKind))] +
		seedOrg[(h>>16)%uint32(len(seedOrg))] + fmt.Sprintf("%06d", n)
}

// Seed adds n customers with raw INSERTs in transactions of 100,000 rows
// on the store's writer, matching the customers table of
// internal/store/migrations/00004_customers.sql. It bypasses the customers
// service on purpose (no archive_changes or audit rows, no per-row
// validation): the service writes one customer per transaction, which
// would take many minutes for 100,000 at synchronous=FULL. Names are
// unique; classes, regions, owners (the region's specialist, one in ten
// another specialist) and sales owners are spread deterministically.
//
// On SQLite the writer connection runs the seed with synchronous=OFF and a
// large page cache, then gets its settings back and the WAL is
// checkpointed, so measurements start from a database whose data is in
// the main file, as in a server that has run for a while. Rows go one per
// prepared INSERT: a multi-row INSERT makes SQLite keep a statement
// journal, which is very slow in the pure-Go build. On PostgreSQL rows go
// 250 per INSERT and the table is analyzed afterwards (autovacuum would
// do it within a minute in production). SQLite is never analyzed: the
// product never runs ANALYZE either.
func (e *Env) Seed(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	conn, err := e.App.DB().SQLDB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if e.Dialect == store.SQLite {
		restore, err := sqlitePragmas(ctx, conn, map[string]string{"synchronous": "OFF", "cache_size": "-262144"})
		if err != nil {
			return err
		}
		defer restore()
	}
	if err := e.seed(ctx, conn, n); err != nil {
		return err
	}
	switch e.Dialect {
	case store.SQLite:
		_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	case store.Postgres:
		_, err = conn.ExecContext(ctx, "ANALYZE customers")
	}
	return err
}

// sqlitePragmas sets pragmas on conn and returns a function that restores
// their previous values.
func sqlitePragmas(ctx context.Context, conn *sql.Conn, set map[string]string) (func(), error) {
	old := map[string]string{}
	for k, v := range set {
		var cur string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+k).Scan(&cur); err != nil {
			return nil, err
		}
		old[k] = cur
		if _, err := conn.ExecContext(ctx, "PRAGMA "+k+" = "+v); err != nil {
			return nil, err
		}
	}
	return func() {
		for k, v := range old {
			_, _ = conn.ExecContext(context.Background(), "PRAGMA "+k+" = "+v)
		}
	}, nil
}

func (e *Env) seed(ctx context.Context, conn *sql.Conn, n int) error {
	const cols, perTx = 11, 100_000
	perStmt := 1
	if e.Dialect == store.Postgres {
		perStmt = 250
	}
	stmtSQL := func(rows int) string {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO customers (id, code, name, class, region_id, owner_id, sales_owner_id, address, status, created_at, updated_at) VALUES `)
		p := 0
		for r := range rows {
			if r > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for c := range cols {
				if c > 0 {
					sb.WriteByte(',')
				}
				p++
				if e.Dialect == store.Postgres {
					fmt.Fprintf(&sb, "$%d", p)
				} else {
					sb.WriteByte('?')
				}
			}
			sb.WriteByte(')')
		}
		return sb.String()
	}
	full := stmtSQL(perStmt)
	classes := []string{"A", "B", "B", "C", "C", "C", "D"}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ts any = now
	if e.Dialect == store.SQLite {
		ts = now.Format(time.RFC3339Nano) // the text form bun stores on SQLite
	}
	args := make([]any, 0, perStmt*cols)
	for done := 0; done < n; {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, full)
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		txEnd := min(n, done+perTx)
		for done < txEnd {
			rows := min(perStmt, txEnd-done)
			args = args[:0]
			for range rows {
				e.seeded++
				k := e.seeded
				h := uint32(k) * 2246822519
				region := e.Regions[h%uint32(len(e.Regions))]
				owner := *region.SpecialistID
				if k%10 == 0 {
					owner = e.Specialists[(h>>12)%uint32(len(e.Specialists))].ID
				}
				var sales any
				if k%3 != 0 {
					sales = e.Sales[(h>>20)%uint32(len(e.Sales))].ID
				}
				status := "active"
				if k%50 == 0 {
					status = "lost"
				}
				args = append(args, store.NewID(), fmt.Sprintf("BK%07d", k), customerName(k), classes[(h>>4)%uint32(len(classes))],
					region.ID, owner, sales, fmt.Sprintf("北京市%s路%d号", seedPlace[(h>>7)%uint32(len(seedPlace))], k%300+1), status, ts, ts)
			}
			if rows == perStmt {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, stmtSQL(rows), args...)
			}
			if err != nil {
				_ = stmt.Close()
				_ = tx.Rollback()
				return fmt.Errorf("bench: seed: %w", err)
			}
			done += rows
		}
		_ = stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// ImportCSV returns a UTF-8 CSV of rows new customers (客户编号, 客户名称,
// 客户等级, 区域, 地址, 分管客服), with codes and names no other file of
// this Env uses. The file carries customer numbers, as a migration from an
// older system does: a file without them makes the importer draw a random
// 6-character code per row with no collision check, and one import of
// 10,000 rows then fails on a duplicate code about one time in twenty.
func (e *Env) ImportCSV(rows int) []byte {
	e.imports++
	var buf bytes.Buffer
	buf.WriteString("客户编号,客户名称,客户等级,区域,地址,分管客服\n")
	classes := []string{"A", "B", "C", "D"}
	for i := range rows {
		h := uint32(i+1) * 2654435761
		r := e.Regions[h%uint32(len(e.Regions))]
		owner := e.Specialists[(h>>9)%uint32(len(e.Specialists))].Login
		fmt.Fprintf(&buf, "IM%03d-%06d,导入%03d批%s%s%06d,%s,%s,北京市%s路%d号,%s\n", e.imports, i, e.imports,
			seedPlace[(h>>3)%uint32(len(seedPlace))], seedKind[(h>>11)%uint32(len(seedKind))], i, classes[(h>>5)%4], r.Name,
			seedPlace[(h>>13)%uint32(len(seedPlace))], i%300+1, owner)
	}
	return buf.Bytes()
}
