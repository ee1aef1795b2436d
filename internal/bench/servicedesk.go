package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"time"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/org"
	"kefu/internal/store"
)

// The service-desk part of the harness measures issue 4's targets: ingest
// of communication records through POST /api/v1/communications, the
// derivation of every response clock and breach event of a month of
// 1,000,000 records, and the sweeper with 10,000 running clocks.

// DeskSeed says what SeedServiceDesk inserted.
type DeskSeed struct {
	From, To           time.Time // the month [From, To)
	Customers          int
	Groups, Contacts   int
	Records            int
	Bursts             int // WeChat group bursts of customer messages (one clock each)
	BurstsLate         int // … answered after 3 minutes
	BurstsUnanswered   int // … with no staff reply of their own (the next one stops the clock, late)
	Notices            int // staff messages to a group with nothing to answer
	Missed             int // missed-call episodes (one clock each)
	CallBacksLate      int // … called back after 30 minutes
	NoCallBack         int // … never called back
	Answered, Outbound int // answered inbound calls, outbound calls
	Tickets            int
	Elapsed            time.Duration
}

func (s DeskSeed) String() string {
	return fmt.Sprintf("%d records %s–%s for %d customers (%d groups, %d contacts): %d WeChat bursts (%d late, %d unanswered), %d notices, "+
		"%d missed-call episodes (%d called back late, %d never), %d answered calls, %d outbound calls; %d tickets; in %v",
		s.Records, s.From.Format("2006-01-02"), s.To.Format("2006-01-02"), s.Customers, s.Groups, s.Contacts, s.Bursts, s.BurstsLate,
		s.BurstsUnanswered, s.Notices, s.Missed, s.CallBacksLate, s.NoCallBack, s.Answered, s.Outbound, s.Tickets, s.Elapsed.Round(time.Millisecond))
}

// DeskCustomer is a customer as the feeds reach it: its owning
// specialist, its WeChat service group (external id) and its contacts'
// phone numbers and WeChat ids.
type DeskCustomer struct {
	ID, Owner, Group string
	Phones, WeChats  []string
}

// deskState is the service-desk part of an Env.
type deskState struct {
	customers []DeskCustomer
	seq       atomic.Int64 // external ids of generated records
	rounds    int          // SeedRunningClocks rounds
	infoID    string
	infoToken string
	history   TicketHistory // what seedTickets added around the tickets (all months)
}

// TicketHistory is what the service-desk seeds added around their tickets.
func (e *Env) TicketHistory() TicketHistory { return e.desk.history }

// DeskCustomers are the customers SeedServiceDesk prepared.
func (e *Env) DeskCustomers() []DeskCustomer { return e.desk.customers }

// dbTime is t as a query argument for raw SQL: on SQLite the text bun
// writes (UTC, "2006-01-02 15:04:05.999999-07:00"), so that range
// conditions compare like with like; on PostgreSQL the UTC time.
func (e *Env) dbTime(t time.Time) any {
	t = store.Time(t)
	if e.Dialect == store.SQLite {
		return t.Format("2006-01-02 15:04:05.999999-07:00")
	}
	return t
}

// MonthBefore is the month the service-desk seed fills: the 30 days
// that end at the start of yesterday (company time), so that the
// running clocks of SeedRunningClocks (from the day after) and records
// sent "now" by the ingest benchmarks come after it.
func (e *Env) MonthBefore(now time.Time) (from, to time.Time) {
	loc := e.App.Location()
	n := now.In(loc)
	to = time.Date(n.Year(), n.Month(), n.Day()-1, 0, 0, 0, 0, loc)
	return to.AddDate(0, 0, -30), to
}

// seedRec is one communication record planned by an episode.
type seedRec struct {
	at                 time.Time
	channel, direction string
	staff, customer    string
	contact            string
	conversation, cp   string
	summary            string
	dur                int64 // < 0: none
}

var (
	deskAsk   = []string{"空调不制冷了，麻烦看一下", "机房温度有点高", "明天能安排保养吗？", "报修：3楼风机盘管漏水", "发票什么时候开", "请问维修师傅几点到", "冷却塔有异响", "设备报警了"}
	deskReply = []string{"收到，马上安排", "好的，已通知维修组", "师傅下午两点到", "已登记，稍后回复您", "请提供一下设备编号", "已处理，请确认"}
	deskCall  = []string{"报修来电", "咨询保养计划", "催促维修进度", "确认上门时间", "回访满意度"}
)

// deskStats counts what episodes planned.
type deskStats struct {
	bursts, late, unanswered, notices, missed, cbLate, noCB, answered, outbound int
}

// episode plans the records of one exchange with customer c starting at
// t: a WeChat group burst and its reply (on time, late or none), a staff
// notice, a missed call (or two) and its call-back (on time, late or
// none), an answered call or an outbound call.
func episode(rng *rand.Rand, c *DeskCustomer, t time.Time, st *deskStats, out []seedRec) []seedRec {
	sec := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Second }
	k := rng.IntN(len(c.Phones))
	phone, wx := c.Phones[k], c.WeChats[k]
	switch x := rng.IntN(100); {
	case x < 55: // WeChat group burst
		st.bursts++
		n := 1
		for n < 4 && rng.IntN(10) < 4 {
			n++
		}
		last := t
		for i := range n {
			if i > 0 {
				last = last.Add(sec(5, 40))
			}
			out = append(out, seedRec{at: last, channel: "wechat_group", direction: "in", customer: c.ID, conversation: c.Group, cp: wx,
				summary: deskAsk[rng.IntN(len(deskAsk))], dur: -1})
		}
		var reply time.Time
		switch p := rng.IntN(100); {
		case p < 82:
			reply = t.Add(sec(15, 170))
			if min := last.Add(5 * time.Second); reply.Before(min) {
				reply = min
			}
		case p < 94:
			reply = t.Add(sec(181, 90*60))
		default:
			st.unanswered++
			return out
		}
		if reply.Sub(t) > 3*time.Minute {
			st.late++
		}
		out = append(out, seedRec{at: reply, channel: "wechat_group", direction: "out", staff: c.Owner, customer: c.ID, conversation: c.Group,
			summary: deskReply[rng.IntN(len(deskReply))], dur: -1})
		if rng.IntN(3) == 0 {
			out = append(out, seedRec{at: reply.Add(sec(10, 120)), channel: "wechat_group", direction: "out", staff: c.Owner, customer: c.ID,
				conversation: c.Group, summary: deskReply[rng.IntN(len(deskReply))], dur: -1})
		}
	case x < 60: // a notice to the group
		st.notices++
		out = append(out, seedRec{at: t, channel: "wechat_group", direction: "out", staff: c.Owner, customer: c.ID, conversation: c.Group,
			summary: "通知：本周六进行冷水机组例行保养", dur: -1})
	case x < 75: // missed call(s) and the call-back
		st.missed++
		out = append(out, seedRec{at: t, channel: "phone_missed", direction: "in", customer: c.ID, conversation: phone, cp: phone, summary: "未接来电", dur: 0})
		if rng.IntN(5) == 0 {
			out = append(out, seedRec{at: t.Add(sec(60, 300)), channel: "phone_missed", direction: "in", customer: c.ID, conversation: phone, cp: phone,
				summary: "未接来电", dur: 0})
		}
		var back time.Duration
		switch p := rng.IntN(100); {
		case p < 80:
			back = sec(360, 1740)
		case p < 94:
			st.cbLate++
			back = sec(1860, 4*3600)
		default:
			st.noCB++
			return out
		}
		out = append(out, seedRec{at: t.Add(back), channel: "phone_out", direction: "out", staff: c.Owner, customer: c.ID, conversation: phone, cp: phone,
			summary: "回拨：" + deskCall[rng.IntN(len(deskCall))], dur: int64(30 + rng.IntN(270))})
	case x < 93:
		st.answered++
		out = append(out, seedRec{at: t, channel: "phone_in", direction: "in", staff: c.Owner, customer: c.ID, conversation: phone, cp: phone,
			summary: deskCall[rng.IntN(len(deskCall))], dur: int64(20 + rng.IntN(880))})
	default:
		st.outbound++
		out = append(out, seedRec{at: t, channel: "phone_out", direction: "out", staff: c.Owner, customer: c.ID, conversation: phone, cp: phone,
			summary: deskCall[rng.IntN(len(deskCall))], dur: int64(20 + rng.IntN(580))})
	}
	return out
}

// pickCustomer picks a customer, busy ones (one in five) four times as
// often as the others.
func pickCustomer(rng *rand.Rand, cs []DeskCustomer) *DeskCustomer {
	for {
		i := rng.IntN(len(cs))
		if i%5 == 0 || rng.IntN(4) == 0 {
			return &cs[i]
		}
	}
}

// SeedServiceDesk adds, for the active customers already seeded (Seed),
// one WeChat service group and two contacts each, then about records
// communication records over the month [from, to) and tickets tickets,
// with raw INSERTs on the writer as Seed does (the service would write
// and recompute per batch; that is what the ingest benchmarks measure).
//
// Shape: episodes start at random times (85% between 08:00 and 20:00),
// on random customers (one in five four times as busy):
//   - 55% a burst of 1–4 customer messages in the group, answered by the
//     owning specialist within 3 minutes (82%), late (12%) or not at all
//     (6%: the next reply in the group stops the clock, late);
//   - 5% a staff notice to the group;
//   - 15% a missed call (one in five with a second try), called back
//     within 30 minutes (80%), late (14%) or never (6%);
//   - 18% an answered inbound call, 7% an outbound call.
//
// Records carry external ids (seed-…), source api, the customer and the
// staff, as the API stores them after matching; content_hash is "seed"
// (a re-sent seeded record would be refused as conflicting).
//
// Tickets: received at random in the month, on the seeded customers,
// first owner their specialist, numbered GD-YYYYMMDD-NNNN with the day
// counters set; the older the more often closed; with the acknowledgements,
// complaints, callbacks and registration history the ticket derivations
// read (seedTickets).
func (e *Env) SeedServiceDesk(ctx context.Context, records, tickets int, from, to time.Time) (DeskSeed, error) {
	st := DeskSeed{From: from, To: to}
	t0 := time.Now()
	db := e.App.DB().SQLDB()
	if e.desk.customers == nil {
		rows, err := db.QueryContext(ctx, `SELECT id, code, COALESCE(owner_id, '') FROM customers WHERE status = 'active' AND owner_id IS NOT NULL ORDER BY code`)
		if err != nil {
			return st, err
		}
		var codes []string
		for rows.Next() {
			var c DeskCustomer
			var code string
			if err := rows.Scan(&c.ID, &code, &c.Owner); err != nil {
				rows.Close()
				return st, err
			}
			k := len(codes)
			c.Group = "wxg-" + code
			c.Phones = []string{fmt.Sprintf("139%08d", 2*k), fmt.Sprintf("139%08d", 2*k+1)}
			c.WeChats = []string{fmt.Sprintf("wx_%s_a", code), fmt.Sprintf("wx_%s_b", code)}
			codes = append(codes, code)
			e.desk.customers = append(e.desk.customers, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, err
		}
		if len(codes) == 0 {
			return st, errors.New("bench: seed customers before the service desk")
		}
		if err := e.seedTx(ctx, func(ctx context.Context, tx *sql.Tx, ts any) error {
			g := e.newInserter(tx, "wechat_groups", "id", "customer_id", "name", "external_id", "active", "version", "created_at", "updated_at")
			k := e.newInserter(tx, "contacts", "id", "customer_id", "name", "title", "phone", "wechat", "active", "version", "created_at", "updated_at")
			defer g.close()
			defer k.close()
			for i, c := range e.desk.customers {
				if err := g.add(store.NewID(), c.ID, codes[i]+" 服务群", c.Group, true, 1, ts, ts); err != nil {
					return err
				}
				for j := range c.Phones {
					if err := k.add(store.NewID(), c.ID, fmt.Sprintf("联系人%s-%d", codes[i], j+1), []string{"物业经理", "工程主管"}[j],
						c.Phones[j], c.WeChats[j], true, 1, ts, ts); err != nil {
						return err
					}
				}
			}
			if err := g.flush(ctx); err != nil {
				return err
			}
			return k.flush(ctx)
		}); err != nil {
			return st, err
		}
	}
	cs := e.desk.customers
	st.Customers, st.Groups, st.Contacts = len(cs), len(cs), 2*len(cs)

	days := int(to.Sub(from).Round(24*time.Hour) / (24 * time.Hour))
	if days < 1 {
		days = 1
	}
	rng := rand.New(rand.NewPCG(uint64(records), 42))
	var ds deskStats
	var plan []seedRec
	for d := range days {
		day := from.AddDate(0, 0, d)
		want := records*(d+1)/days - st.Records
		plan = plan[:0]
		for len(plan) < want {
			var at time.Time
			if rng.IntN(100) < 85 {
				at = day.Add(8*time.Hour + time.Duration(rng.IntN(12*3600))*time.Second)
			} else {
				at = day.Add(time.Duration(rng.IntN(24*3600)) * time.Second)
			}
			plan = episode(rng, pickCustomer(rng, cs), at, &ds, plan)
		}
		plan = plan[:want] // the last episode may lose its reply
		plan = slices.DeleteFunc(plan, func(r seedRec) bool { return !r.at.Before(to) })
		slices.SortStableFunc(plan, func(a, b seedRec) int { return a.at.Compare(b.at) })
		if err := e.seedTx(ctx, func(ctx context.Context, tx *sql.Tx, ts any) error {
			in := e.newInserter(tx, "communications", "id", "external_id", "channel", "direction", "occurred_at", "staff_id", "customer_id",
				"conversation", "counterpart", "summary", "created_by", "created_at", "source", "duration_s", "content_hash")
			defer in.close()
			for _, r := range plan {
				e.desk.seq.Add(1)
				var staff, dur any
				if r.staff != "" {
					staff = r.staff
				}
				if r.dur >= 0 {
					dur = r.dur
				}
				if err := in.add(store.NewID(), fmt.Sprintf("seed-%09d", e.desk.seq.Load()), r.channel, r.direction, e.dbTime(r.at), staff, r.customer,
					r.conversation, r.cp, r.summary, e.desk.infoIDOrNil(), ts, "api", dur, "seed"); err != nil {
					return err
				}
				if in.rows >= 1000 {
					if err := in.flush(ctx); err != nil {
						return err
					}
				}
			}
			return in.flush(ctx)
		}); err != nil {
			return st, err
		}
		st.Records += len(plan)
	}
	st.Bursts, st.BurstsLate, st.BurstsUnanswered, st.Notices = ds.bursts, ds.late, ds.unanswered, ds.notices
	st.Missed, st.CallBacksLate, st.NoCallBack, st.Answered, st.Outbound = ds.missed, ds.cbLate, ds.noCB, ds.answered, ds.outbound

	if tickets > 0 {
		n, err := e.seedTickets(ctx, rng, tickets, from, to)
		if err != nil {
			return st, err
		}
		st.Tickets = n
	}
	var err error
	conn, err := db.Conn(ctx)
	if err != nil {
		return st, err
	}
	defer conn.Close()
	switch e.Dialect {
	case store.SQLite:
		_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	case store.Postgres:
		_, err = conn.ExecContext(ctx, "ANALYZE communications, wechat_groups, contacts, tickets, ticket_counters, ticket_transitions, ticket_complaints, callbacks, audit_log")
	}
	st.Elapsed = time.Since(t0)
	return st, err
}

func (d *deskState) infoIDOrNil() any {
	if d.infoID == "" {
		return nil
	}
	return d.infoID
}

// seedTx runs fn in one transaction on the writer connection, on SQLite
// with synchronous=OFF and a large page cache (see Seed).
func (e *Env) seedTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx, ts any) error) error {
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
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(ctx, tx, e.dbTime(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// TicketHistory counts what seedTickets added around the tickets for the
// derivations to read.
type TicketHistory struct {
	Transitions   int // creation and acknowledgement rows
	AckLate       int // acknowledged after the first-response deadline
	NeverAcked    int // still new (no acknowledgement)
	Complaints    int
	Major         int // … major, escalated to the manager with a reply deadline
	ReplyLate     int // … answered after the deadline
	NoReply       int // … not answered
	Callbacks     int // one per resolved repair or complaint
	CallbackLate  int // … done after the due time
	CallbackOpen  int // … not done
	CompletedLate int // complete tickets first saved incomplete (two audit entries)
}

func (h TicketHistory) String() string {
	return fmt.Sprintf("%d transitions (%d acknowledged late, %d never), %d complaints (%d major: %d replied late, %d not), "+
		"%d callbacks (%d late, %d open), %d completed after registration",
		h.Transitions, h.AckLate, h.NeverAcked, h.Complaints, h.Major, h.ReplyLate, h.NoReply, h.Callbacks, h.CallbackLate, h.CallbackOpen, h.CompletedLate)
}

// seedTickets inserts n tickets received in [from, to), with what the
// ticket derivations read (TicketHistory): the SLA rule and first-response
// deadline of DefaultSLA's shape (30 min urgent repair, 2 h repair, 1 h
// complaint, 9 h otherwise; wall time, an approximation of working
// time), the creation and acknowledgement transitions (10% of the
// acknowledgements late), a complaint row for every complaint (10% major:
// escalated to the manager, reply due by the end of the next day; 10% of
// those answered late, 5% not at all), a callback for every resolved
// repair and complaint (due 3 or 2 days after, at the end of the day; 12%
// done late, 8% open) and, for 5% of the complete repairs, two audit
// entries: registered incomplete, completed 1–72 h later. The history
// draws from a random source of its own, so the tickets' columns are those
// the seed always made.
func (e *Env) seedTickets(ctx context.Context, rng *rand.Rand, n int, from, to time.Time) (int, error) {
	cs := e.desk.customers
	loc := e.App.Location()
	span := int(to.Sub(from) / time.Second)
	type tk struct {
		at time.Time
		c  *DeskCustomer
	}
	plan := make([]tk, n)
	for i := range plan {
		plan[i] = tk{from.Add(time.Duration(rng.IntN(span)) * time.Second), pickCustomer(rng, cs)}
	}
	slices.SortFunc(plan, func(a, b tk) int { return a.at.Compare(b.at) })
	types := []string{"repair", "repair", "repair", "repair", "consultation", "consultation", "consultation", "help", "help", "complaint", "suggestion"}
	channels := []string{"wechat_group", "wechat_group", "phone_in", "phone_in", "phone_missed", "visit"}
	counters := map[string]int{}
	hr := rand.New(rand.NewPCG(uint64(n), 7))
	h := &e.desk.history
	endOfDay := func(t time.Time, days int) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day()+days+1, 0, 0, 0, 0, loc)
	}
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+hr.IntN(hi-lo+1)) * time.Minute }
	err := e.seedTx(ctx, func(ctx context.Context, tx *sql.Tx, ts any) error {
		in := e.newInserter(tx, "tickets", "id", "number", "customer_id", "type", "channel", "received_at", "first_owner_id", "assignee_id",
			"urgency", "description", "address", "repair_object", "incomplete", "missing", "promised_at", "status", "resolved_at", "closed_at",
			"created_by", "version", "created_at", "updated_at", "sla_rule", "sla_calendar", "first_response_due")
		tr := e.newInserter(tx, "ticket_transitions", "id", "ticket_id", "from_status", "to_status", "at", "by_id", "recorded_at")
		cp := e.newInserter(tx, "ticket_complaints", "ticket_id", "nature", "severity", "escalated_to", "escalated_at", "reply_due_at",
			"replied_at", "replied_by", "reply_note", "updated_at")
		cb := e.newInserter(tx, "callbacks", "id", "ticket_id", "kind", "staff_id", "resolved_at", "due_at", "done_at", "done_by", "result",
			"satisfaction", "version", "created_at", "updated_at")
		au := e.newInserter(tx, "audit_log", "id", "at", "actor_id", "action", "entity", "entity_id", "summary", "after_json")
		ins := []*inserter{in, tr, cp, cb, au}
		defer func() {
			for _, x := range ins {
				x.close()
			}
		}()
		// The tickets first: the other rows refer to them.
		flush := func(all bool) error {
			if !all && in.rows < 500 {
				return nil
			}
			for _, x := range ins {
				if err := x.flush(ctx); err != nil {
					return err
				}
			}
			return nil
		}
		for _, p := range plan {
			day := p.at.In(loc).Format("20060102")
			counters[day]++
			typ := types[rng.IntN(len(types))]
			urgency := "normal"
			if rng.IntN(10) == 0 {
				urgency = "urgent"
			}
			obj, incomplete, missing := "冷水机组", false, ""
			if typ == "repair" && rng.IntN(10) == 0 {
				obj, incomplete, missing = "", true, "repair_object"
			}
			promised := p.at.Add(time.Duration(24+rng.IntN(48)) * time.Hour)
			age := to.Sub(p.at)
			status := "in_progress"
			var resolvedAt, closedAt *time.Time
			switch r := rng.IntN(100); {
			case age > 7*24*time.Hour && r < 85, age > 2*24*time.Hour && r < 50:
				status = "closed"
				rv, cv := p.at.Add(time.Duration(2+rng.IntN(46))*time.Hour), p.at.Add(time.Duration(50+rng.IntN(100))*time.Hour)
				resolvedAt, closedAt = &rv, &cv
			case r < 90:
				status = []string{"new", "acknowledged", "in_progress", "dispatched", "resolved"}[rng.IntN(5)]
				if status == "resolved" {
					rv := p.at.Add(time.Duration(2+rng.IntN(46)) * time.Hour)
					resolvedAt = &rv
				}
			}
			var resolved, closed any
			if resolvedAt != nil {
				resolved = e.dbTime(*resolvedAt)
			}
			if closedAt != nil {
				closed = e.dbTime(*closedAt)
			}
			id := store.NewID()
			// The SLA rule (DefaultSLA's shape) and the first response.
			rule, cal, frSpan := "其他", "working", 9*time.Hour
			switch {
			case typ == "repair" && urgency == "urgent":
				rule, cal, frSpan = "紧急报修", "24x7", 30*time.Minute
			case typ == "repair":
				rule, frSpan = "一般报修", 2*time.Hour
			case typ == "complaint":
				rule, frSpan = "投诉", time.Hour
			}
			frDue := p.at.Add(frSpan)
			// Saved when last changed (before the end of the month), as
			// the service would have: the incremental derivation reads
			// what changed since its previous run by it.
			saved := p.at
			for _, t := range []*time.Time{resolvedAt, closedAt} {
				if t != nil && t.After(saved) {
					saved = *t
				}
			}
			if saved.After(to) {
				saved = to.Add(-time.Second)
			}
			if err := in.add(id, fmt.Sprintf("GD-%s-%04d", day, counters[day]), p.c.ID, typ, channels[rng.IntN(len(channels))], e.dbTime(p.at),
				p.c.Owner, p.c.Owner, urgency, deskAsk[rng.IntN(len(deskAsk))], "北京市", obj, incomplete, missing, e.dbTime(promised), status, resolved, closed,
				p.c.Owner, 1, e.dbTime(p.at), e.dbTime(saved), rule, cal, e.dbTime(frDue)); err != nil {
				return err
			}
			if err := tr.add(store.NewID(), id, "", "new", e.dbTime(p.at), p.c.Owner, ts); err != nil {
				return err
			}
			h.Transitions++
			if status == "new" {
				h.NeverAcked++
			} else {
				ack := p.at.Add(time.Duration(hr.Int64N(int64(frSpan*8/10))) + time.Second)
				if hr.IntN(10) == 0 {
					ack = frDue.Add(minutes(1, 240))
				}
				if resolvedAt != nil && ack.After(*resolvedAt) {
					ack = resolvedAt.Add(-time.Minute)
				}
				if ack.After(frDue) {
					h.AckLate++
				}
				if err := tr.add(store.NewID(), id, "new", "acknowledged", e.dbTime(ack), p.c.Owner, ts); err != nil {
					return err
				}
				h.Transitions++
			}
			if typ == "complaint" {
				h.Complaints++
				var escTo, escAt, due, replied, repliedBy any
				severity, note := "general", ""
				if hr.IntN(10) == 0 {
					h.Major++
					severity, escTo, escAt = "major", e.ManagerID, e.dbTime(p.at)
					d := endOfDay(p.at, 1)
					due = e.dbTime(d)
					var at time.Time
					switch x := hr.IntN(100); {
					case x < 85:
						at = p.at.Add(time.Duration(hr.Int64N(int64(d.Sub(p.at)))))
					case x < 95:
						at = d.Add(minutes(1, 3*24*60))
					}
					if !at.IsZero() && at.Before(to) {
						if at.After(d) {
							h.ReplyLate++
						}
						replied, repliedBy, note = e.dbTime(at), e.ManagerID, "经理已致电客户"
					} else {
						h.NoReply++
					}
				}
				if err := cp.add(id, []string{"quality", "attitude", "other"}[hr.IntN(3)], severity, escTo, escAt, due, replied, repliedBy, note, ts); err != nil {
					return err
				}
			}
			if (typ == "repair" || typ == "complaint") && resolvedAt != nil {
				h.Callbacks++
				d := endOfDay(*resolvedAt, 3)
				if typ == "complaint" {
					d = endOfDay(*resolvedAt, 2)
				}
				var at time.Time
				switch x := hr.IntN(100); {
				case x < 80:
					at = resolvedAt.Add(time.Duration(hr.Int64N(int64(d.Sub(*resolvedAt)))))
				case x < 92:
					at = d.Add(minutes(1, 4*24*60))
				}
				var done, doneBy, sat any
				result, saved := "", *resolvedAt
				if !at.IsZero() && at.Before(to) {
					if at.After(d) {
						h.CallbackLate++
					}
					done, doneBy, sat, result, saved = e.dbTime(at), p.c.Owner, 3+hr.IntN(3), "客户认可处理结果", at
				} else {
					h.CallbackOpen++
				}
				if saved.After(to) {
					saved = to.Add(-time.Second)
				}
				if err := cb.add(store.NewID(), id, typ, p.c.Owner, resolved, e.dbTime(d), done, doneBy, result, sat, 1, e.dbTime(*resolvedAt), e.dbTime(saved)); err != nil {
					return err
				}
			}
			if typ == "repair" && !incomplete && hr.IntN(20) == 0 {
				h.CompletedLate++
				if err := au.add(store.NewID(), e.dbTime(p.at), p.c.Owner, "create", "ticket", id, "登记工单",
					`{"incomplete":true,"missing":["repair_object"]}`); err != nil {
					return err
				}
				if err := au.add(store.NewID(), e.dbTime(p.at.Add(minutes(60, 72*60))), p.c.Owner, "update", "ticket", id, "补全登记",
					`{"incomplete":false,"missing":[]}`); err != nil {
					return err
				}
			}
			if err := flush(false); err != nil {
				return err
			}
		}
		if err := flush(true); err != nil {
			return err
		}
		for day, last := range counters {
			if _, err := tx.ExecContext(ctx, e.rebind("INSERT INTO ticket_counters (day, last) VALUES (?, ?)"), day, last); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// rebind turns ? placeholders into $n on PostgreSQL.
func (e *Env) rebind(q string) string {
	if e.Dialect != store.Postgres {
		return q
	}
	var b bytes.Buffer
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// InfoCenter returns the Bearer token of the bench information-centre
// clerk (info_center: the role machine feeds post records as), creating
// the login on first use.
func (e *Env) InfoCenter(ctx context.Context) (string, error) {
	if e.desk.infoToken != "" {
		return e.desk.infoToken, nil
	}
	st, err := e.App.Org.CreateStaff(e.Sys, org.StaffInput{Login: "bench.info", Name: "信息中心01", Roles: []access.Role{access.InfoCenter}})
	if err != nil {
		return "", fmt.Errorf("bench: info centre: %w", err)
	}
	_, tok, err := e.App.Auth.CreateToken(e.Sys, st.ID, "bench-pbx", nil)
	if err != nil {
		return "", err
	}
	e.desk.infoID, e.desk.infoToken = st.ID, tok
	return tok, nil
}

// LiveRecords plans n new records as the PBX and the WeChat archive
// send them: episodes of the seed's shape in the 10 minutes before end,
// on the seeded customers, reaching them only through the group's
// external id and the contact's phone number (the API matches them),
// with the owning specialist as staff_id on our side. External ids are
// new (live-…). Records after end are dropped, so n is a minimum.
func (e *Env) LiveRecords(rng *rand.Rand, n int, end time.Time) []comms.Input {
	var plan []seedRec
	var st deskStats
	for len(plan) < n {
		plan = episode(rng, pickCustomer(rng, e.desk.customers), end.Add(-time.Duration(rng.IntN(600))*time.Second), &st, plan)
		plan = slices.DeleteFunc(plan, func(r seedRec) bool { return r.at.After(end) })
	}
	plan = plan[:n]
	out := make([]comms.Input, len(plan))
	for i, r := range plan {
		in := comms.Input{ExternalID: fmt.Sprintf("live-%09d", e.desk.seq.Add(1)), Channel: r.channel, Direction: r.direction,
			OccurredAt: r.at.Format(time.RFC3339), StaffID: r.staff, Counterpart: r.cp, Summary: r.summary}
		if r.channel == "wechat_group" {
			in.Conversation = r.conversation
		}
		if r.dur >= 0 {
			d := r.dur
			in.DurationS = &d
		}
		out[i] = in
	}
	return out
}

// IngestAnswer is the JSON answer of POST /api/v1/communications.
type IngestAnswer struct {
	Created, Unchanged, Unmatched int
}

// PostRecords sends body (one record or a batch, JSON) to POST
// /api/v1/communications through h in-process and fails unless the
// answer is 201 or 200.
func PostRecords(h http.Handler, body []byte, a Auth) (IngestAnswer, error) {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/communications", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	a.apply(req)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return ingestAnswer(w.Code, w.Body.Bytes())
}

// PostRecordsHTTP does the same over a real connection to base.
func PostRecordsHTTP(ctx context.Context, c *http.Client, base string, body []byte, a Auth) (IngestAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/communications", bytes.NewReader(body))
	if err != nil {
		return IngestAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	a.apply(req)
	resp, err := c.Do(req)
	if err != nil {
		return IngestAnswer{}, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return IngestAnswer{}, err
	}
	return ingestAnswer(resp.StatusCode, buf.Bytes())
}

func ingestAnswer(status int, body []byte) (IngestAnswer, error) {
	var a IngestAnswer
	if status != http.StatusCreated && status != http.StatusOK {
		return a, fmt.Errorf("POST /api/v1/communications: %d %.300s", status, body)
	}
	var raw struct {
		Created   int `json:"created"`
		Unchanged int `json:"unchanged"`
		Unmatched int `json:"unmatched"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return a, err
	}
	return IngestAnswer{raw.Created, raw.Unchanged, raw.Unmatched}, nil
}

// RunningClocks says what SeedRunningClocks made.
type RunningClocks struct {
	T0      time.Time // the time they are running at
	Prefix  string    // conversation prefix of the round
	WeChat  int
	Missed  int
	Running int // running clocks of the round stored as of T0
}

// SeedRunningClocks inserts n unanswered customer contacts on fresh
// conversations (prefix sw<round>-) and derives their clocks with svc,
// whose clock must read t0: half of them WeChat group messages in the
// 110 s before t0 (near-breach at 2 min, so none is near yet), half
// missed calls in the 1,190 s before t0 (near at 20 min), one per
// customer. Each is on a seeded customer (customer_id set, as after
// matching), so a recomputation reads the customer's other records too.
// Every clock is running at t0 and none is due; deadlines fall in
// (t0, t0 + 30 min].
//
// A missed call joins a running missed-call clock of its customer only
// before that clock's deadline (sla: several calls in 30 minutes are one
// clock), so the clocks that earlier rounds (2 hours apart) and the month
// left open, all past their deadlines, take none of the round's calls.
// Every customer still gets an outbound call 90 minutes before t0, which
// stops those: it was needed before the sla deadline cap and is kept so
// the rounds leave the same open clocks as before. With more than
// 2 × customers clocks, a customer's two missed calls (within 1,190 s)
// share a clock: Running counts the clocks the round made.
func (e *Env) SeedRunningClocks(ctx context.Context, svc *comms.Service, n int, t0 time.Time) (RunningClocks, error) {
	e.desk.rounds++
	rc := RunningClocks{T0: t0, Prefix: fmt.Sprintf("sw%d-", e.desk.rounds)}
	cs := e.desk.customers
	rng := rand.New(rand.NewPCG(uint64(e.desk.rounds), 7))
	err := e.seedTx(ctx, func(ctx context.Context, tx *sql.Tx, ts any) error {
		in := e.newInserter(tx, "communications", "id", "external_id", "channel", "direction", "occurred_at", "customer_id",
			"conversation", "counterpart", "summary", "created_at", "source", "content_hash")
		defer in.close()
		for i := range cs {
			c := &cs[i]
			if err := in.add(store.NewID(), fmt.Sprintf("sweep-%09d", e.desk.seq.Add(1)), "phone_out", "out", e.dbTime(t0.Add(-90*time.Minute)), c.ID,
				c.Phones[0], c.Phones[0], "回访", ts, "api", "seed"); err != nil {
				return err
			}
		}
		for i := range n {
			c := &cs[(i/2)%len(cs)]
			var ch, conv string
			var at time.Time
			if i%2 == 0 {
				ch, conv, at = "wechat_group", fmt.Sprintf("%sg%05d", rc.Prefix, i), t0.Add(-time.Duration(rng.IntN(111))*time.Second)
				rc.WeChat++
			} else {
				ch, conv, at = "phone_missed", fmt.Sprintf("%s%05d", rc.Prefix, i), t0.Add(-time.Duration(rng.IntN(1191))*time.Second)
				rc.Missed++
			}
			if err := in.add(store.NewID(), fmt.Sprintf("sweep-%09d", e.desk.seq.Add(1)), ch, "in", e.dbTime(at), c.ID, conv, conv,
				"请尽快联系", ts, "api", "seed"); err != nil {
				return err
			}
			if in.rows >= 1000 {
				if err := in.flush(ctx); err != nil {
					return err
				}
			}
		}
		return in.flush(ctx)
	})
	if err != nil {
		return rc, err
	}
	if _, err := svc.Recompute(ctx, t0.Add(-time.Hour), t0.Add(time.Second)); err != nil {
		return rc, err
	}
	err = e.App.DB().SQLDB().QueryRowContext(ctx, e.rebind("SELECT COUNT(*) FROM response_clocks WHERE state = 'running' AND conversation LIKE ?"),
		rc.Prefix+"%").Scan(&rc.Running)
	return rc, err
}

// ClockLag is what CheckSweep found for the clocks of one round.
type ClockLag struct {
	Clocks             int
	Breached           int           // clocks with a breach event
	LateBreach         int           // breach event or notice more than 1 s after the deadline (or none)
	MaxBreachLag       time.Duration // latest breach event or notice after the deadline
	Near               int           // near-breach notices and events recorded before the breach
	LateNear           int           // … more than 1 s after the near-breach time, or never recorded
	MaxNearLag         time.Duration // latest near-breach notice or event after the near-breach time
	EarlyBreachOrNotes int           // anything recorded before its time (a bug)
}

// CheckSweep compares, for each clock of the round, its near-breach time
// and deadline with the creation times of its notices and its near-breach
// and breach events (the sweeper stamps them with its clock).
func (e *Env) CheckSweep(ctx context.Context, rc RunningClocks) (ClockLag, error) {
	var l ClockLag
	db := e.App.DB().R()
	var clocks []comms.StoredClock
	if err := db.NewSelect().Model(&clocks).Where("conversation LIKE ?", rc.Prefix+"%").Scan(ctx); err != nil {
		return l, err
	}
	var evs []struct {
		Key     string    `bun:"computed_key"`
		Created time.Time `bun:"created_at"`
	}
	if err := db.NewSelect().Table("events").Column("computed_key", "created_at").Where("computed_key LIKE ?", "%|"+rc.Prefix+"%").Scan(ctx, &evs); err != nil {
		return l, err
	}
	var notes []struct {
		Kind    string    `bun:"kind"`
		Subject string    `bun:"subject_id"`
		Created time.Time `bun:"created_at"`
	}
	if err := db.NewSelect().Table("notifications").Column("kind", "subject_id", "created_at").
		Where("subject_kind = 'clock' AND subject_id LIKE ?", "%|"+rc.Prefix+"%").Scan(ctx, &notes); err != nil {
		return l, err
	}
	ev := map[string]time.Time{}
	for _, x := range evs {
		ev[x.Key] = x.Created
	}
	near, breach := map[string]time.Time{}, map[string]time.Time{}
	for _, x := range notes {
		if x.Kind == "response_near" {
			near[x.Subject] = x.Created
		} else if x.Kind == "response_breach" {
			breach[x.Subject] = x.Created
		}
	}
	for _, c := range clocks {
		l.Clocks++
		e, ok := ev[c.Key]
		b, okb := breach[c.Key]
		if ok {
			l.Breached++
		}
		lag := time.Duration(1 << 62)
		if ok && okb {
			lag = max(e.Sub(c.Deadline), b.Sub(c.Deadline))
			if !e.After(c.Deadline) || !b.After(c.Deadline) {
				l.EarlyBreachOrNotes++
			}
		}
		if lag > time.Second {
			l.LateBreach++
		}
		if lag < 1<<62 {
			l.MaxBreachLag = max(l.MaxBreachLag, lag)
		}
		if c.NearAt == nil {
			continue
		}
		// The near-breach notice and event, the later of the two.
		n, ok := near[c.Key]
		ne, oke := ev[c.Key+"|near"]
		if ok && oke && ne.After(n) {
			n = ne
		}
		switch {
		case !ok || !oke:
			l.LateNear++
		case n.Before(*c.NearAt) || ne.Before(*c.NearAt):
			l.EarlyBreachOrNotes++
		default:
			l.Near++
			l.MaxNearLag = max(l.MaxNearLag, n.Sub(*c.NearAt))
			if n.Sub(*c.NearAt) >= time.Second {
				l.LateNear++
			}
		}
	}
	return l, nil
}
