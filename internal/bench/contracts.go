package bench

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/cpumeter"
	"kefu/internal/org"
	"kefu/internal/store"
)

// The contracts part of the harness measures issue 3's targets: renewal
// and collection rates of all specialists for one month, the receivables
// ageing page, and the import of 50,000 payment rows, with 20,000
// contracts and 200,000 installments.

// ContractSeed says what SeedContracts inserted.
type ContractSeed struct {
	Contracts, Successors, Installments int
	Payments, Allocations, Invoices     int
	Open                                int // installments left (partly) unpaid
	Elapsed                             time.Duration
}

func (s ContractSeed) String() string {
	return fmt.Sprintf("%d contracts (%d renewals), %d installments (%d open), %d payments, %d allocations, %d invoices in %v",
		s.Contracts, s.Successors, s.Installments, s.Open, s.Payments, s.Allocations, s.Invoices, s.Elapsed.Round(time.Millisecond))
}

// Today is the application's company date (the "today" of the contracts
// service: ageing, "not later than today").
func (e *Env) Today() calendar.Date { return calendar.DateOf(e.App.Now(), e.App.Location()) }

// FinanceID is the bench finance clerk (created by SeedContracts), who
// records the seeded payments and imports payment files.
func (e *Env) FinanceID() string { return e.financeID }

// seedContract is one contract planned in memory before it is written.
type seedContract struct {
	id, number, customer string
	kind, state          string
	signed, received     calendar.Date
	start, end           calendar.Date
	renewedFrom          string
	outcome, lostReason  string
	terminated           calendar.Date
	instFen              int64 // amount of each installment
}

// SeedContracts adds n contracts with per installments each, and the
// payments, allocations and invoices a company that has used kefu for two
// years would have, with raw INSERTs on the writer (the same way and for
// the same reasons as Seed: the service writes one contract per
// transaction). Customers must be seeded first; contracts go to them in
// turn, so they are owned by the bench specialists.
//
// Shape, relative to the application's today T:
//   - one-year contracts whose end dates are spread over [T−1y, T+1y); a
//     third of the contracts have a successor (renewed_from) that starts
//     the day after their end, was signed up to 40 days before it (or 15
//     after) and is on the same customer, so a past month has about 800
//     contracts ending, two in three renewed;
//   - of the contracts without a successor, 4% of those ended are
//     terminated and 5% of those running are still drafts (no money);
//     the renewal outcome is "renewed" on predecessors and "lost" (with a
//     reason) on 40% of the ended singles;
//   - per installments per contract, due through the year; past
//     installments are mostly paid by one payment each (received up to 10
//     days early or 45 days late), the more recent the more often unpaid
//     (25% at 1–30 days, 1.5% past 180), 5% partly paid, 0.5% paid with a
//     credit (over-payment with a reason); 8% of installments due in the
//     next 30 days are paid early; 85% of installments due by T+30 are
//     invoiced.
//
// installments.paid_fen is the sum of the installment's allocations, as
// the service keeps it.
func (e *Env) SeedContracts(ctx context.Context, n, per int) (ContractSeed, error) {
	var st ContractSeed
	if n <= 0 {
		return st, nil
	}
	if per <= 0 {
		per = 10
	}
	t0 := time.Now()
	db := e.App.DB().SQLDB()
	var custs []string
	rows, err := db.QueryContext(ctx, `SELECT id FROM customers ORDER BY code`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return st, err
		}
		custs = append(custs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if len(custs) == 0 {
		return st, errors.New("bench: seed customers before contracts")
	}
	if e.financeID == "" {
		fin, err := e.App.Org.CreateStaff(e.Sys, org.StaffInput{Login: "bench.finance", Name: "财务01", Roles: []access.Role{access.Finance}})
		if err != nil {
			return st, fmt.Errorf("bench: finance: %w", err)
		}
		e.financeID = fin.ID
	}

	// Plan the contracts: predecessors and singles first, successors after
	// them (renewed_from references an earlier row).
	today := e.Today()
	rng := rand.New(rand.NewPCG(uint64(e.contractsSeeded)+7, 11))
	pairs := n / 3
	singles := n - 2*pairs
	plan := make([]*seedContract, 0, n)
	next := func(customer string, end calendar.Date) *seedContract {
		e.contractsSeeded++
		c := &seedContract{id: store.NewID(), number: fmt.Sprintf("HT-B%07d", e.contractsSeeded), customer: customer,
			kind: "maintenance", state: "active", outcome: "pending", end: end, start: end.AddDays(-364)}
		switch r := rng.IntN(20); {
		case r == 0:
			c.kind = "project"
		case r == 1:
			c.kind = "other"
		}
		c.signed = c.start.AddDays(-rng.IntN(31))
		c.received = minDate(c.signed.AddDays(rng.IntN(6)), today)
		c.instFen = int64(rng.IntN(50)+1) * 1000 * 100
		return c
	}
	var successors []*seedContract
	for i := range pairs + singles {
		cust := custs[(i*7919)%len(custs)]
		if i < pairs {
			p := next(cust, today.AddDays(-1-rng.IntN(365)))
			p.outcome = "renewed"
			plan = append(plan, p)
			s := &seedContract{} // numbered after all predecessors
			*s = *p
			s.renewedFrom, s.start, s.end, s.outcome = p.id, p.end.AddDays(1), p.end.AddDays(365), "pending"
			s.signed = minDate(p.end.AddDays(15-rng.IntN(56)), today)
			s.received = minDate(s.signed.AddDays(rng.IntN(6)), today)
			s.instFen = p.instFen + int64(rng.IntN(3))*500*100 // renewals often cost a little more
			successors = append(successors, s)
			continue
		}
		c := next(cust, today.AddDays(-365+rng.IntN(730)))
		switch r := rng.IntN(100); {
		case c.end.Before(today) && r < 4:
			c.state = "terminated"
			c.terminated = minDate(c.end.AddDays(-rng.IntN(90)), today)
		case c.end.Before(today) && r < 44:
			c.outcome, c.lostReason = "lost", "客户改选其他服务商"
		case !c.end.Before(today) && r < 5:
			c.state = "draft"
		}
		plan = append(plan, c)
	}
	for _, s := range successors {
		e.contractsSeeded++
		s.id, s.number = store.NewID(), fmt.Sprintf("HT-B%07d", e.contractsSeeded)
		plan = append(plan, s)
	}

	conn, err := db.Conn(ctx)
	if err != nil {
		return st, err
	}
	defer conn.Close()
	if e.Dialect == store.SQLite {
		restore, err := sqlitePragmas(ctx, conn, map[string]string{"synchronous": "OFF", "cache_size": "-262144"})
		if err != nil {
			return st, err
		}
		defer restore()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ts any = now
	if e.Dialect == store.SQLite {
		ts = now.Format(time.RFC3339Nano)
	}
	tables := []*inserter{
		e.newInserter(tx, "contracts", "id", "number", "customer_id", "kind", "title", "state", "signed_on", "received_on", "start_on", "end_on",
			"amount_fen", "renewed_from", "outcome", "lost_reason", "terminated_on", "terminate_reason", "created_by", "created_at", "updated_at"),
		e.newInserter(tx, "installments", "id", "contract_id", "seq", "due_on", "amount_fen", "paid_fen"),
		e.newInserter(tx, "invoices", "id", "contract_id", "installment_id", "number", "issued_on", "amount_fen", "recorded_by", "recorded_at"),
		e.newInserter(tx, "payments", "id", "contract_id", "received_on", "amount_fen", "method", "reference", "credit_fen", "credit_reason",
			"source", "dedup_key", "recorded_by", "recorded_at"),
		e.newInserter(tx, "payment_allocations", "payment_id", "installment_id", "amount_fen"),
	}
	defer func() {
		for _, t := range tables {
			t.close()
		}
	}()
	kc, ki, kv, kp, ka := tables[0], tables[1], tables[2], tables[3], tables[4]
	methods := []string{"transfer", "transfer", "transfer", "transfer", "transfer", "transfer", "acceptance", "cheque", "cash", "other"}
	step := 364 / per
	for ci, c := range plan {
		var signed, received, terminated, renewed any
		if c.state != "draft" {
			signed, received = c.signed.String(), c.received.String()
		}
		if !c.terminated.IsZero() {
			terminated = c.terminated.String()
		}
		if c.renewedFrom != "" {
			renewed = c.renewedFrom
			st.Successors++
		}
		reason := ""
		if c.state == "terminated" {
			reason = "客户大楼出售，提前终止"
		}
		title := fmt.Sprintf("%d 年度空调维保", c.start.Year)
		if err := kc.add(c.id, c.number, c.customer, c.kind, title, c.state, signed, received, c.start.String(), c.end.String(),
			c.instFen*int64(per), renewed, c.outcome, c.lostReason, terminated, reason, e.ManagerID, ts, ts); err != nil {
			return st, err
		}
		st.Contracts++
		for j := range per {
			due := c.start.AddDays(14 + j*step)
			amount, paid := c.instFen, int64(0)
			iid := store.NewID()
			days := today.Sub(due) // > 0: overdue
			// How much was paid, and when.
			pay, on := int64(0), calendar.Date{}
			if c.state != "draft" {
				unpaid := 0
				switch {
				case days > 180:
					unpaid = 15
				case days > 90:
					unpaid = 40
				case days > 30:
					unpaid = 100
				case days > 0:
					unpaid = 250
				}
				switch {
				case days > 0 && rng.IntN(1000) >= unpaid:
					pay = amount
					if rng.IntN(20) == 0 {
						pay = amount * int64(30+rng.IntN(41)) / 100 / 100 * 100 // part of it, in whole yuan
					}
					on = minDate(due.AddDays(rng.IntN(56)-10), today)
				case days <= 0 && days > -30 && rng.IntN(100) < 8:
					pay, on = amount, today.AddDays(-rng.IntN(11))
				}
			}
			if pay > 0 {
				paid = pay
			}
			if err := ki.add(iid, c.id, j+1, due.String(), amount, paid); err != nil {
				return st, err
			}
			st.Installments++
			if paid < amount {
				st.Open++
			}
			if c.state != "draft" && days >= -30 && rng.IntN(100) < 85 {
				st.Invoices++
				issued := minDate(due.AddDays(-rng.IntN(16)), today)
				if err := kv.add(store.NewID(), c.id, iid, fmt.Sprintf("FP-B%08d", e.invoicesSeeded+st.Invoices), issued.String(),
					amount, e.financeID, ts); err != nil {
					return st, err
				}
			}
			if pay == 0 {
				continue
			}
			credit, creditReason := int64(0), ""
			if pay == amount && rng.IntN(200) == 0 {
				credit, creditReason = 500*100, "多付，下期抵扣"
			}
			st.Payments++
			pid := store.NewID()
			ref := fmt.Sprintf("BANK-%s-%07d", strings.ReplaceAll(on.String(), "-", ""), e.paymentsSeeded+st.Payments)
			source := "import"
			switch rng.IntN(10) {
			case 0, 1:
				source = "manual"
			case 2:
				source, ref = "manual", ""
			}
			var key any
			if ref != "" || source != "manual" {
				key = fmt.Sprintf("%s|%s|%d|%s", c.id, on, pay+credit, ref)
			}
			if err := kp.add(pid, c.id, on.String(), pay+credit, methods[rng.IntN(len(methods))], ref, credit, creditReason,
				source, key, e.financeID, ts); err != nil {
				return st, err
			}
			if err := ka.add(pid, iid, pay); err != nil {
				return st, err
			}
			st.Allocations++
		}
		// Rows go in table order every 1,000 contracts, so that foreign
		// keys always point at rows already written.
		if ci%1000 == 999 || ci == len(plan)-1 {
			for _, t := range tables {
				if err := t.flush(ctx); err != nil {
					return st, err
				}
			}
		}
	}
	for _, t := range tables {
		t.close()
	}
	if err := tx.Commit(); err != nil {
		return st, err
	}
	e.paymentsSeeded += st.Payments
	e.invoicesSeeded += st.Invoices
	switch e.Dialect {
	case store.SQLite:
		_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	case store.Postgres:
		_, err = conn.ExecContext(ctx, "ANALYZE contracts, installments, invoices, payments, payment_allocations")
	}
	st.Elapsed = time.Since(t0)
	return st, err
}

func minDate(a, b calendar.Date) calendar.Date {
	if b.Before(a) {
		return b
	}
	return a
}

// inserter writes rows of one table in a transaction: one row per prepared
// INSERT on SQLite, 250 per INSERT on PostgreSQL (see Seed). Rows are
// buffered until flush, so that a caller writing several tables keeps
// foreign keys in order by flushing the tables in turn.
type inserter struct {
	e     *Env
	tx    *sql.Tx
	table string
	cols  []string
	per   int
	stmt  *sql.Stmt
	buf   []any
	rows  int
}

func (e *Env) newInserter(tx *sql.Tx, table string, cols ...string) *inserter {
	per := 1
	if e.Dialect == store.Postgres {
		per = 250
	}
	return &inserter{e: e, tx: tx, table: table, cols: cols, per: per}
}

func (in *inserter) sql(rows int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", in.table, strings.Join(in.cols, ", "))
	p := 0
	for r := range rows {
		if r > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for c := range in.cols {
			if c > 0 {
				sb.WriteByte(',')
			}
			p++
			if in.e.Dialect == store.Postgres {
				fmt.Fprintf(&sb, "$%d", p)
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

func (in *inserter) add(vals ...any) error {
	if len(vals) != len(in.cols) {
		return fmt.Errorf("bench: %s: %d values for %d columns", in.table, len(vals), len(in.cols))
	}
	in.buf = append(in.buf, vals...)
	in.rows++
	return nil
}

// flush writes the rows buffered: full statements through the prepared
// one, the rest in one more.
func (in *inserter) flush(ctx context.Context) error {
	n := len(in.cols)
	for in.rows >= in.per {
		if in.stmt == nil {
			s, err := in.tx.PrepareContext(ctx, in.sql(in.per))
			if err != nil {
				return err
			}
			in.stmt = s
		}
		if _, err := in.stmt.ExecContext(ctx, in.buf[:in.per*n]...); err != nil {
			return fmt.Errorf("bench: seed %s: %w", in.table, err)
		}
		in.buf, in.rows = in.buf[in.per*n:], in.rows-in.per
	}
	if in.rows > 0 {
		if _, err := in.tx.ExecContext(ctx, in.sql(in.rows), in.buf...); err != nil {
			return fmt.Errorf("bench: seed %s: %w", in.table, err)
		}
	}
	in.buf, in.rows = in.buf[:0], 0
	return nil
}

func (in *inserter) close() {
	if in.stmt != nil {
		_ = in.stmt.Close()
		in.stmt = nil
	}
}

// ---- receivables ------------------------------------------------------------

// Receivable is the keyset position (due_on, id) of one open installment,
// with the columns the ageing page filters on.
type Receivable struct {
	Due, ID, OwnerID, Bucket string
}

// Receivables holds every open installment in ageing-page order, so that
// a load can ask for a page starting anywhere.
type Receivables struct {
	All      []Receivable
	ByBucket map[string][]Receivable
	ByOwner  map[string][]Receivable
	Owners   []string
}

// LoadReceivables reads the positions of all open installments (of
// contracts that are not drafts), and checks that ReceivableCursor
// encodes them as the contracts service does.
func (e *Env) LoadReceivables(ctx context.Context) (*Receivables, error) {
	rows, err := e.App.DB().SQLDB().QueryContext(ctx, `SELECT i.due_on, i.id, COALESCE(cu.owner_id, '')
		FROM installments i JOIN contracts k ON k.id = i.contract_id JOIN customers cu ON cu.id = k.customer_id
		WHERE i.paid_fen < i.amount_fen AND k.state <> 'draft' ORDER BY i.due_on, i.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := e.Today()
	p := &Receivables{ByBucket: map[string][]Receivable{}, ByOwner: map[string][]Receivable{}}
	for rows.Next() {
		var r Receivable
		if err := rows.Scan(&r.Due, &r.ID, &r.OwnerID); err != nil {
			return nil, err
		}
		due, err := calendar.ParseDate(r.Due)
		if err != nil {
			return nil, err
		}
		r.Bucket = ageBucket(today.Sub(due))
		p.All = append(p.All, r)
		p.ByBucket[r.Bucket] = append(p.ByBucket[r.Bucket], r)
		if len(p.ByOwner[r.OwnerID]) == 0 && r.OwnerID != "" {
			p.Owners = append(p.Owners, r.OwnerID)
		}
		p.ByOwner[r.OwnerID] = append(p.ByOwner[r.OwnerID], r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.All) < 2 || len(p.Owners) == 0 {
		return nil, errors.New("bench: seed contracts first")
	}
	mctx, err := e.AsManager(ctx)
	if err != nil {
		return nil, err
	}
	page, err := e.App.Contracts.Receivables(mctx, contracts.ReceivableFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	if page.Next != ReceivableCursor(p.All[0]) {
		return nil, fmt.Errorf("bench: receivables cursor format changed (service %q, bench %q): update bench.ReceivableCursor", page.Next, ReceivableCursor(p.All[0]))
	}
	return p, nil
}

// ageBucket is contracts' ageing bucket of an installment days overdue.
func ageBucket(days int) string {
	switch {
	case days <= 0:
		return "not_due"
	case days <= 30:
		return "1_30"
	case days <= 90:
		return "31_90"
	default:
		return "90_plus"
	}
}

// ReceivableCursor is the keyset cursor that continues after r.
func ReceivableCursor(r Receivable) string { return r.Due + "|" + r.ID }

// ReceivableKind names one shape of ageing-page request.
type ReceivableKind string

const (
	RecFirst  ReceivableKind = "first"  // first page, everything open
	RecBucket ReceivableKind = "bucket" // one ageing bucket, anywhere in it
	RecOwner  ReceivableKind = "owner"  // one specialist's customers, anywhere in them
	RecDeep   ReceivableKind = "deep"   // keyset page anywhere
)

// ReceivableKinds are the kinds measured against the target.
var ReceivableKinds = []ReceivableKind{RecFirst, RecBucket, RecOwner, RecDeep}

// ReceivablePageSize is the rows per page of the web ageing page.
const ReceivablePageSize = 100

// Filter makes a random ageing-page request of kind k.
func (p *Receivables) Filter(rng *rand.Rand, k ReceivableKind) contracts.ReceivableFilter {
	f := contracts.ReceivableFilter{Limit: ReceivablePageSize}
	pick := func(rows []Receivable) string {
		if len(rows) == 0 || rng.IntN(20) == 0 {
			return ""
		}
		return ReceivableCursor(rows[rng.IntN(len(rows))])
	}
	switch k {
	case RecBucket:
		f.Bucket = contracts.Buckets[rng.IntN(len(contracts.Buckets))]
		f.After = pick(p.ByBucket[f.Bucket])
	case RecOwner:
		f.OwnerID = p.Owners[rng.IntN(len(p.Owners))]
		f.After = pick(p.ByOwner[f.OwnerID])
	case RecDeep:
		f.After = pick(p.All)
	}
	return f
}

// ReceivablesURL is the path of the web ageing page for f (the full page,
// as a browser loads it).
func ReceivablesURL(f contracts.ReceivableFilter) string {
	q := url.Values{}
	set(q, "owner", f.OwnerID)
	set(q, "bucket", f.Bucket)
	set(q, "customer", f.CustomerID)
	set(q, "after", f.After)
	return "/receivables" + encode(q)
}

// ---- payment import -----------------------------------------------------------

// PaymentCSV returns a UTF-8 CSV of rows payments received (合同编号,
// 回款日期, 回款金额, 付款方式, 银行流水号, 多付原因, 备注) on the
// contracts seeded, as finance exports them from the bank: every row is
// good. Each row pays a third of what is still open on its contract
// (installments chosen by the importer, oldest due first), received in
// the last 30 days; a row whose contract has nothing open left carries a
// credit reason. References are unique per file, so no row is a re-import.
func (e *Env) PaymentCSV(ctx context.Context, rows int) ([]byte, error) {
	type open struct {
		number string
		fen    int64
	}
	rs, err := e.App.DB().SQLDB().QueryContext(ctx, `SELECT k.number, SUM(i.amount_fen - i.paid_fen)
		FROM installments i JOIN contracts k ON k.id = i.contract_id
		WHERE i.paid_fen < i.amount_fen AND k.state <> 'draft' GROUP BY k.number ORDER BY k.number`)
	if err != nil {
		return nil, err
	}
	var cs []*open
	for rs.Next() {
		o := new(open)
		if err := rs.Scan(&o.number, &o.fen); err != nil {
			rs.Close()
			return nil, err
		}
		cs = append(cs, o)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, errors.New("bench: no open installments to pay")
	}
	e.paymentFiles++
	rng := rand.New(rand.NewPCG(uint64(e.paymentFiles), 3))
	rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	today := e.Today()
	methods := []string{"转账", "转账", "转账", "银行转账", "转账", "承兑汇票", "支票", "转账"}
	var buf bytes.Buffer
	buf.Grow(rows * 90)
	buf.WriteString("合同编号,回款日期,回款金额,付款方式,银行流水号,多付原因,备注\n")
	for i := range rows {
		c := cs[i%len(cs)]
		fen, reason := c.fen/3+1, ""
		if fen > c.fen {
			fen = c.fen
		}
		if fen <= 0 {
			fen, reason = 20000, "预收下期款"
		}
		c.fen -= min(fen, c.fen)
		on := today.AddDays(-rng.IntN(30))
		fmt.Fprintf(&buf, "%s,%s,%d.%02d,%s,PAY%03d-%07d,%s,\n", c.number, on, fen/100, fen%100, methods[rng.IntN(len(methods))],
			e.paymentFiles, i, reason)
	}
	return buf.Bytes(), nil
}

// PaymentImportTiming is one import of a generated payment file.
type PaymentImportTiming struct {
	Rows        int
	Stage       time.Duration
	DryRun      time.Duration
	Apply       time.Duration
	ApplyCPU    time.Duration
	ApplyOthers float64
	Report      *contracts.ImportReport
}

// Total is the time from upload to imported rows, without the dry run.
func (t PaymentImportTiming) Total() time.Duration { return t.Stage + t.Apply }

// AsFinance returns ctx acting as the bench finance clerk.
func (e *Env) AsFinance(ctx context.Context) (context.Context, error) {
	if e.financeID == "" {
		return nil, errors.New("bench: seed contracts first (no finance clerk)")
	}
	p, err := e.App.Auth.Principal(ctx, e.financeID)
	if err != nil {
		return nil, err
	}
	return access.With(ctx, p), nil
}

// ImportPayments imports rows generated payments (PaymentCSV, built before
// the clock starts) as the finance clerk: stage, optionally dry-run, then
// apply with SkipBad. It fails unless every row was created.
func (e *Env) ImportPayments(ctx context.Context, rows int, dryRun bool) (PaymentImportTiming, error) {
	t := PaymentImportTiming{Rows: rows}
	data, err := e.PaymentCSV(ctx, rows)
	if err != nil {
		return t, err
	}
	ctx, err = e.AsFinance(ctx)
	if err != nil {
		return t, err
	}
	svc := e.App.Contracts
	t0 := time.Now()
	key, err := svc.StageImport(ctx, contracts.ImportPayments, bytes.NewReader(data), 100<<20)
	if err != nil {
		return t, err
	}
	t.Stage = time.Since(t0)
	opts := contracts.ImportOptions{Kind: contracts.ImportPayments, SkipBad: true}
	check := func(rep *contracts.ImportReport, what string) error {
		if rep.Created != rows {
			var first any
			if len(rep.Errors) > 0 {
				first = rep.Errors[0]
			}
			return fmt.Errorf("bench: payment %s created %d of %d rows (%d errors, first %v)", what, rep.Created, rows, len(rep.Errors), first)
		}
		return nil
	}
	if dryRun {
		t0 = time.Now()
		o := opts
		o.DryRun = true
		rep, err := svc.Import(ctx, key, "payments.csv", o)
		if err != nil {
			return t, err
		}
		t.DryRun = time.Since(t0)
		if err := check(rep, "dry run"); err != nil {
			return t, err
		}
	}
	t0, cpu0, busy0 := time.Now(), cpumeter.Process(), cpumeter.Machine()
	rep, err := svc.Import(ctx, key, "payments.csv", opts)
	if err != nil {
		return t, err
	}
	t.Apply, t.ApplyCPU = time.Since(t0), cpumeter.Process()-cpu0
	if busy := cpumeter.Machine() - busy0; busy > 0 {
		t.ApplyOthers = cpumeter.Others(t.Apply, busy, t.ApplyCPU, runtime.NumCPU()) / 100
	}
	t.Report = rep
	if !rep.Applied {
		return t, errors.New("bench: payment import not applied")
	}
	return t, check(rep, "import")
}
