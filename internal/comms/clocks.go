package comms

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/events"
	"kefu/internal/rates"
	"kefu/internal/sla"
	"kefu/internal/store"
)

// OwnerHistory tells who owned customers when (the customers domain): by
// day (OwnerSpans: the month-end owner of the no-contact report, the owner
// on the day of an unregistered request) and to the instant
// (OwnerChanges: the response clocks). A duty roster would be another
// implementation.
type OwnerHistory interface {
	OwnerSpans(ctx context.Context, customerIDs []string) ([]rates.OwnerSpan, error)
	OwnerChanges(ctx context.Context, customerIDs []string) ([]rates.OwnerChange, error)
}

// StoredClock is a derived response clock as stored for the queue and
// the reports.
type StoredClock struct {
	Key          string     `bun:"key,pk" json:"key"`
	Kind         string     `bun:"kind" json:"kind"`
	Conversation string     `bun:"conversation" json:"conversation"`
	CustomerID   *string    `bun:"customer_id" json:"customer_id"`
	StaffID      *string    `bun:"staff_id" json:"staff_id"` // the responsible specialist
	StartID      string     `bun:"start_id" json:"start_id"`
	StopID       *string    `bun:"stop_id" json:"stop_id"`
	StartedAt    time.Time  `bun:"started_at" json:"started_at"`
	NearAt       *time.Time `bun:"near_at" json:"near_at"`
	Deadline     time.Time  `bun:"deadline" json:"deadline"`
	StoppedAt    *time.Time `bun:"stopped_at" json:"stopped_at"`
	State        string     `bun:"state" json:"state"`
	LateS        int64      `bun:"late_s" json:"late_s"`
	DerivedAt    time.Time  `bun:"derived_at" json:"derived_at"`

	bun.BaseModel `bun:"table:response_clocks"`
}

// event is a row of the appraisal events table.
type event struct {
	ID          string    `bun:"id,pk"`
	Type        string    `bun:"type"`
	StaffID     *string   `bun:"staff_id"`
	CustomerID  *string   `bun:"customer_id"`
	OccurredAt  time.Time `bun:"occurred_at"`
	Quantity    int64     `bun:"quantity"`
	Rule        string    `bun:"rule"`
	Detail      string    `bun:"detail"`
	Source      string    `bun:"source"`
	ComputedKey *string   `bun:"computed_key"`
	FlaggedBy   *string   `bun:"flagged_by"`
	Reason      string    `bun:"reason"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
	// Evidence is the start and stop records on the row (evidence_refs,
	// events.EncodeRefs): a clock event's evidence is its clock's.
	Evidence string `bun:"evidence_refs"`

	args []any // its insert's arguments on SQLite (eventRow)

	bun.BaseModel `bun:"table:events"`
}

// lookback is how far before a window records are read, so that clocks
// opened before it are seen whole: a record joins a running clock only
// up to that clock's deadline (sla), which on 24x7 targets is minutes
// after its start. On working time a deadline can be days later (a
// weekend, the week of 国庆 or 春节), hence workingLookback.
const (
	lookback        = 24 * time.Hour
	workingLookback = 14 * 24 * time.Hour
)

// lookbackOf is the lookback the policy's targets need.
func lookbackOf(p sla.Policy) time.Duration {
	if p.WeChat.Calendar != nil || p.MissedCall.Calendar != nil || p.Chat.Calendar != nil {
		return workingLookback
	}
	return lookback
}

// RecomputeCounts says what a recomputation changed.
type RecomputeCounts struct {
	Records   int `json:"records"`
	Clocks    int `json:"clocks"`  // derived in the window
	Changed   int `json:"changed"` // clocks written or deleted (the others were stored as derived)
	Breaches  int `json:"breaches"`
	Near      int `json:"near"` // near-breach events (a breached clock has one too, when its rule has a near threshold)
	Withdrawn int `json:"withdrawn"`
}

// Recompute derives the response clocks started in [from, to) from the
// records (SPEC §5.1: WeChat 3 minutes, missed call 30 minutes, chat
// 60 s), as of now, and stores them with their breach and near-breach
// events. The responsible person is the customer's owning specialist at
// the instant the clock started. A recomputation of the same records
// gives the same clocks and events: clocks are keyed by their start
// record, events by their clock (a near-breach by its clock's key +
// sla.NearKeySuffix); an event that no longer holds (a backdated reply
// came in) is withdrawn with a reason, never deleted. Conversations
// limits it to those ("" = all).
func (s *Service) Recompute(ctx context.Context, from, to time.Time, conversations ...string) (RecomputeCounts, error) {
	// Reads outside the write transaction: a month's re-derivation must
	// not hold the single writer while it reads a million records.
	return s.recompute(ctx, s.db.R(), func(ctx context.Context, fn func(context.Context, bun.IDB) error) error {
		return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
	}, true, from, to, conversations...)
}

// recompute is Recompute reading through rd and writing inside write: an
// ingest passes its own transaction for both, so a record and its clocks
// commit together.
//
// parallel says that rd is the reader pool, not the write transaction: a
// whole window's records are then read in slices at once, together with
// what is stored for it.
func (s *Service) recompute(ctx context.Context, rd bun.IDB, write func(context.Context, func(context.Context, bun.IDB) error) error,
	parallel bool, from, to time.Time, conversations ...string) (RecomputeCounts, error) {
	var n RecomputeCounts
	from, to = store.Time(from), store.Time(to)
	// The channels that open or stop clocks (an answered inbound call
	// does neither).
	channels := bun.In([]string{sla.ChannelWeChatGroup, sla.ChannelWeChatPrivate, sla.ChannelChat,
		sla.ChannelPhoneOut, sla.ChannelPhoneMissed})
	// SPEC §5.1: both targets run 24x7 by default (the seed says 随时关注
	// for WeChat groups and gives no hours for calls); the manager may
	// change them (Policy).
	pol, err := s.slaPolicy(ctx)
	if err != nil {
		return n, err
	}
	back := lookbackOf(pol)
	readFrom, readTo := from.Add(-back), to.Add(back)
	// On SQLite the time is read as the text it is stored as and parsed
	// here (scanTime): the driver tries its layouts one by one.
	at := "occurred_at"
	if s.db.Dialect() == store.SQLite {
		at = "CAST(occurred_at AS TEXT)"
	}
	cols := `SELECT id, channel, direction, ` + at + ` AS occurred_at, conversation, COALESCE(customer_id, '') AS customer_id, COALESCE(staff_id, '') AS staff_id
		FROM communications`
	var recs []sla.Record     // the records of the touched conversations
	var chunks [][]sla.Record // the records of a whole window
	seen := map[string]bool{}
	scan := func(rd bun.IDB, q string, args []any, add func(sla.Record)) error {
		rows, err := rd.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r sla.Record
			if err := rows.Scan(&r.ID, &r.Channel, &r.Direction, scanTime{&r.At}, &r.Conversation, &r.CustomerID, &r.StaffID); err != nil {
				return err
			}
			add(r)
		}
		return rows.Err()
	}
	read := func(q string, args ...any) error {
		return scan(rd, q, args, func(r sla.Record) {
			if !seen[r.ID] {
				seen[r.ID] = true
				recs = append(recs, r)
			}
		})
	}
	// What is stored for the window: for a windowed derivation (a whole
	// window on the reader pool) read at once, alongside the records,
	// else inside the write.
	var st *storedState
	windowed := parallel && len(conversations) == 0
	var storedRead sync.WaitGroup
	var storedErr error
	if windowed {
		storedRead.Go(func() { st, storedErr = s.loadStored(ctx, rd, from, to, nil) })
	}
	// known is what is stored for a windowed derivation, by key, once
	// read (read-only from then on); nil otherwise.
	known := sync.OnceValue(func() *storedIndex {
		storedRead.Wait()
		if st == nil || storedErr != nil {
			return nil
		}
		return st.index()
	})
	// readRange reads the clock records of [lo, hi) into chunks of a
	// fixed size (a million records appended to one growing slice were
	// copied three times over).
	readRange := func(rd bun.IDB, lo, hi time.Time) ([][]sla.Record, error) {
		const chunk = 1 << 14
		var got [][]sla.Record
		var cur []sla.Record
		err := scan(rd, cols+` WHERE occurred_at >= ? AND occurred_at < ? AND channel IN (?)`, []any{lo, hi, channels},
			func(r sla.Record) {
				if len(cur) == cap(cur) {
					cur = make([]sla.Record, 0, chunk)
					got = append(got, cur)
				}
				cur = append(cur, r)
				got[len(got)-1] = cur
			})
		return got, err
	}
	switch {
	case windowed:
		// Read, derived and written window by window (deriveWindows).
	case len(conversations) == 0:
		// A whole window inside a transaction: one goroutine reads it.
		var err error
		if chunks, err = readRange(rd, readFrom, readTo); err != nil {
			return n, err
		}
	default:
		// The touched conversations, and the calls of the customers of
		// their calls (a call back from another number stops a
		// missed-call clock): two indexed reads instead of one scan of the
		// window. Calls are the only records sla.Derive connects across
		// conversations (recordGroups); a customer's other WeChat
		// conversations were read, derived and written again for nothing
		// by every ingest that touched the customer.
		if err := read(cols+` WHERE conversation IN (?) AND occurred_at >= ? AND occurred_at < ? AND channel IN (?)`,
			bun.In(conversations), readFrom, readTo, channels); err != nil {
			return n, err
		}
		custs := map[string]bool{}
		for i := range recs {
			if r := &recs[i]; r.CustomerID != "" && isCall(r) {
				custs[r.CustomerID] = true
			}
		}
		if len(custs) > 0 {
			ids := make([]string, 0, len(custs))
			for id := range custs {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			if err := read(cols+` WHERE customer_id IN (?) AND occurred_at >= ? AND occurred_at < ? AND channel IN (?)`,
				bun.In(ids), readFrom, readTo, bun.In([]string{sla.ChannelPhoneOut, sla.ChannelPhoneMissed})); err != nil {
				return n, err
			}
		}
	}
	now := store.Time(s.now())
	stop := make(chan struct{})
	defer close(stop)
	// What each part writes is made ready on the deriving goroutine (the
	// stored form of each clock, on SQLite the statements' arguments, each
	// event's row), so that the writer only writes. What is stored
	// already, when known, is not made ready again.
	sqlite := s.db.Dialect() == store.SQLite
	prepare := func(d *derived, responsible func(sla.Clock) *string) {
		kn := known()
		d.rows = make([]clockRow, len(d.clocks))
		staffOf := make(map[string]*string, len(d.clocks))
		var unchanged map[string]bool
		for i, c := range d.clocks {
			sc := storedClock(c, responsible(c), now)
			d.rows[i].c, staffOf[c.Key] = sc, sc.StaffID
			if old := kn.clock(c.Key); old != nil && sameClock(old, sc) {
				if unchanged == nil {
					unchanged = map[string]bool{}
				}
				unchanged[c.Key] = true
			} else if sqlite {
				d.rows[i].args = sc.sqliteArgs()
			}
		}
		slices.SortFunc(d.rows, func(a, b clockRow) int { return strings.Compare(a.c.Key, b.c.Key) })
		d.evStaff, d.evRows = make([]*string, len(d.events)), make([]*event, len(d.events))
		for i, b := range d.events {
			staff := staffOf[b.ClockKey()]
			d.evStaff[i] = staff
			if e := kn.event(b.Key); e != nil && unchanged[b.ClockKey()] && e.same(b, staff) {
				continue
			}
			d.evRows[i] = s.eventRow(b, staff, now, sqlite)
		}
		// The writer takes the rows: the clocks need not live on with
		// the part (the stream keeps every part for a retry).
		d.clocks = nil
	}
	var stream *derivedStream
	var windowRecords int // the records a windowed derivation read
	if windowed {
		stream = &derivedStream{ch: s.deriveWindows(ctx, func(lo, hi time.Time) ([][]sla.Record, error) { return readRange(rd, lo, hi) },
			pol, now, from, to, back, prepare, stop, &windowRecords)}
	} else {
		if recs != nil {
			chunks = [][]sla.Record{recs}
		}
		for _, c := range chunks {
			n.Records += len(c)
		}
		responsible, err := s.responsibleFor(ctx, chunks)
		if err != nil {
			return n, err
		}
		// One part, derived here: the write waits for it either way.
		d := withEvents(deriveClocks(slices.Concat(chunks...), pol, now, from, to))
		prepare(&d, responsible)
		stream = &derivedStream{got: []derived{d}}
	}
	err = write(ctx, func(ctx context.Context, tx bun.IDB) error {
		n.Clocks, n.Changed, n.Breaches, n.Near, n.Withdrawn = 0, 0, 0, 0, 0
		// What is stored for the window: only clocks that differ from it
		// are written, so a re-derivation that changes nothing writes
		// nothing, and a new record rewrites the one or two clocks it
		// touches rather than every clock of its customer.
		var kn *storedIndex
		if windowed {
			if kn = known(); storedErr != nil {
				return storedErr
			}
		} else {
			var err error
			if st, err = s.loadStored(ctx, tx, from, to, conversations); err != nil {
				return err
			}
			kn = st.index()
		}
		stored := kn.clocks
		// The breach and near-breach events of the window's clocks, as
		// stored: all of them for a whole window, else read with each
		// part's clocks.
		evOf := kn.events
		addEvents := func(evs []storedEvent) {
			for i := range evs {
				if e := &evs[i]; e.Key != nil {
					evOf[*e.Key] = e
				}
			}
		}
		// withdraw withdraws the standing events of keys (event keys).
		withdraw := func(keys []string) error {
			var gone, goneNear []string
			for _, k := range keys {
				if e := evOf[k]; e != nil && e.WithdrawnAt == nil {
					if strings.HasSuffix(k, sla.NearKeySuffix) {
						goneNear = append(goneNear, e.ID)
					} else {
						gone = append(gone, e.ID)
					}
				}
			}
			for _, g := range []struct {
				ids    []string
				reason string
			}{{gone, "重新计算后不再超时（回复或回拨记录已补录）"}, {goneNear, "重新计算后不再临近超时（回复或回拨记录已补录）"}} {
				slices.Sort(g.ids)
				for part := g.ids; len(part) > 0; {
					k := min(len(part), 500)
					if _, err := tx.NewUpdate().Table("events").Set("withdrawn_at = ?", now).Set("withdraw_reason = ?", g.reason).
						Set("updated_at = ?", now).Where("id IN (?)", bun.In(part[:k])).Exec(ctx); err != nil {
						return err
					}
					part = part[k:]
				}
				n.Withdrawn += len(g.ids)
			}
			return nil
		}
		// The stored clocks the derivation still gives (none to keep when
		// none is stored, as in a window's first derivation).
		keep := make(map[string]bool, len(stored))
		err := stream.each(func(d derived) error {
			changed := make(map[string]bool, len(d.rows))
			keys := make([]string, 0, len(d.rows))
			write := make([]clockRow, 0, len(d.rows))
			for _, r := range d.rows {
				sc := r.c
				if len(stored) > 0 {
					keep[sc.Key] = true
				}
				keys = append(keys, sc.Key)
				if old := stored[sc.Key]; old != nil && sameClock(old, sc) {
					continue
				}
				changed[sc.Key] = true
				r.fresh = stored[sc.Key] == nil
				write = append(write, r)
			}
			if err := s.putClocks(ctx, tx, write); err != nil {
				return err
			}
			// The written statements' arguments go (a retried transaction
			// makes them again): the stream keeps every part for a retry,
			// and a month's arguments were some 300 MB the collector
			// marked on every cycle.
			for i := range d.rows {
				d.rows[i].args = nil
			}
			n.Clocks += len(d.rows)
			n.Changed += len(write)
			// The events these clocks may have, to read (touched
			// conversations) and to withdraw when they no longer hold: none
			// when nothing is stored for the window.
			var evKeys []string
			if len(conversations) > 0 || len(evOf) > 0 {
				evKeys = eventKeys(keys)
			}
			if len(conversations) > 0 {
				evs, err := s.loadEvents(ctx, tx, evKeys)
				if err != nil {
					return err
				}
				addEvents(evs)
			}
			var held map[string]bool
			if evKeys != nil {
				held = make(map[string]bool, len(d.events))
			}
			put, rows := make([]sla.Event, 0, len(d.events)), make([]*event, 0, len(d.events))
			for i, b := range d.events {
				if evKeys != nil {
					held[b.Key] = true
				}
				if b.Near() {
					n.Near++
				} else {
					n.Breaches++
				}
				if e := evOf[b.Key]; e != nil && !changed[b.ClockKey()] && e.same(b, d.evStaff[i]) {
					continue
				}
				row := d.evRows[i]
				if row == nil {
					row = s.eventRow(b, d.evStaff[i], now, false)
				}
				put, rows = append(put, b), append(rows, row)
			}
			if err := s.putEvents(ctx, tx, put, rows, func(key string) bool { return evOf[key] == nil }); err != nil {
				return err
			}
			for _, r := range rows {
				r.args = nil
			}
			// Events of these clocks that no longer hold.
			if evKeys == nil {
				return nil
			}
			return withdraw(slices.DeleteFunc(evKeys, func(k string) bool { return held[k] }))
		})
		if err != nil {
			return err
		}
		// Clocks of the window that the records no longer produce, and
		// their breach events.
		var stale []string
		for _, c := range st.clocks {
			if !keep[c.Key] {
				stale = append(stale, c.Key)
			}
		}
		slices.Sort(stale)
		for part := stale; len(part) > 0; {
			k := min(len(part), 500)
			if _, err := tx.NewDelete().Table("response_clocks").Where("key IN (?)", bun.In(part[:k])).Exec(ctx); err != nil {
				return err
			}
			part = part[k:]
		}
		n.Changed += len(stale)
		stale = eventKeys(stale)
		if len(conversations) > 0 && len(stale) > 0 {
			evs, err := s.loadEvents(ctx, tx, stale)
			if err != nil {
				return err
			}
			addEvents(evs)
		}
		return withdraw(stale)
	})
	if err == nil && windowed {
		n.Records = windowRecords // written before the stream closed
	}
	return n, err
}

// responsibleFor returns the responsible person of a clock among the
// records of chunks: the owner of its customer at the instant it started
// (after a handover at 14:00 the morning's clocks stay with the
// morning's owner; the archive records changes to the second).
func (s *Service) responsibleFor(ctx context.Context, chunks [][]sla.Record) (func(sla.Clock) *string, error) {
	customers := map[string]bool{}
	for _, c := range chunks {
		for i := range c {
			if id := c[i].CustomerID; id != "" {
				customers[id] = true
			}
		}
	}
	var owners rates.OwnerTimeline
	if s.owners != nil && len(customers) > 0 {
		ids := slices.Collect(mapKeys(customers))
		slices.Sort(ids)
		changes, err := s.owners.OwnerChanges(ctx, ids)
		if err != nil {
			return nil, err
		}
		owners = rates.NewOwnerTimeline(changes)
	}
	return func(c sla.Clock) *string {
		if c.CustomerID == "" {
			return nil
		}
		if o := owners.At(c.CustomerID, c.StartedAt); o != "" {
			return &o
		}
		return nil
	}, nil
}

// windowDays is the least number of lookback-long slices a window of a
// windowed derivation spans (a week with the 24-hour lookback): each
// window derives its records and those of the lookback on both sides,
// so at least four keeps that at 1.5 times the records.
const windowDays = 7

// windowParts is how many parts a window is derived in (partition): the
// writer starts on the first while the others are derived.
const windowParts = 4

// deriveWindows derives the clocks started in [from, to) window by
// window, so that writing starts after the first window's records are
// read rather than all of them: the records are read in slices of back
// (the lookback), two at once and ahead of the derivation, from
// from−back to to+back; the first window is one slice (the writer starts
// on a day's clocks instead of waiting for a week's), each later one
// twice the one before up to windowDays slices (at least four, or the
// rest of the span when it is shorter than two windows) — 1, 2, 4, 7, 7
// … days with the 24-hour lookback: with a week straight after the
// first day the writer, done with that day, waited some 0.8 s for the
// week to be derived. A window is derived from its slices and the
// lookback on each side — as a derivation of that window alone would
// be — in parts (partition), each made ready by prepare with the
// window's owners and sent, until stop is closed. A read error is sent
// as a part's err. records is the number of records read, set before the
// channel is closed.
//
// Two reads at once, not more: the reader pool has four connections on
// two cores, and the window's owners (responsibleFor) and the ticket
// derivation running beside it (desk.Derive) read through it too — with
// four reads ahead, the first window's owners waited a second for a
// connection.
func (s *Service) deriveWindows(ctx context.Context, read func(lo, hi time.Time) ([][]sla.Record, error), pol sla.Policy, now, from, to time.Time,
	back time.Duration, prepare func(*derived, func(sla.Clock) *string), stop <-chan struct{}, records *int) <-chan derived {
	bounds := []time.Time{from.Add(-back)}
	for t := from; t.Before(to); t = t.Add(back) {
		bounds = append(bounds, t)
	}
	bounds = append(bounds, to, to.Add(back))
	nSlices, m := len(bounds)-1, len(bounds)-3 // slices 1…m are in [from, to)
	span := max(4, int((windowDays*24*time.Hour+back-1)/back))
	if m < 2*span {
		span = m
	}
	// stopped says whether stop is closed: checked before each read, part
	// and send, because a select with stop and another case ready picks
	// either.
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	got, errs := make([][][]sla.Record, nSlices), make([]error, nSlices)
	ready := make([]chan struct{}, nSlices)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	// The reads, in order, two at once.
	go func() {
		sem := make(chan struct{}, 2)
		for i := range nSlices {
			select {
			case sem <- struct{}{}:
			case <-stop:
				return
			}
			if stopped() { // both were ready: stop wins
				<-sem
				return
			}
			go func() {
				defer func() { <-sem }()
				defer close(ready[i])
				got[i], errs[i] = read(bounds[i], bounds[i+1])
			}()
		}
	}()
	// A day, then windows doubling up to span: [a, b] of slices 1…m.
	var windows [][2]int
	for a, size := 1, 1; a <= m; a, size = a+size, min(span, 2*size) {
		windows = append(windows, [2]int{a, min(m, a+size-1)})
	}
	// Room for every part (and the held clocks'): the deriving goroutine
	// never waits for the writer. The stream keeps every part for a retry
	// anyway, so a queue of two saved only the unwritten parts' arguments,
	// and it stopped the derivation whenever the writer was two parts
	// behind — to compete with the writer for the cores later instead
	// (3 pairs: 8.45 / 8.67 / 8.45 s → 8.14 / 8.14 / 7.93 s for a month,
	// the writer waiting 0.76 s for parts instead of 1.04 s).
	out := make(chan derived, len(windows)*windowParts+1)
	go func() {
		defer close(out)
		// send queues d unless stop is closed: with room in the queue, a
		// failed write would otherwise leave the derivation running to the
		// month's end for nobody.
		send := func(d derived) bool {
			if stopped() {
				return false
			}
			select {
			case out <- d:
				return true
			case <-stop:
				return false
			}
		}
		total, counted := 0, make([]bool, nSlices)
		pending := map[string]sla.Record{} // clocks held for their stop (withholdRunning), by key
		for _, w := range windows {
			a, b := w[0], w[1]
			lo, hi := bounds[a], bounds[b+1]
			var window [][]sla.Record
			for j := range nSlices {
				if !bounds[j+1].After(lo.Add(-back)) || !bounds[j].Before(hi.Add(back)) {
					continue
				}
				select {
				case <-ready[j]:
				case <-stop:
					return
				}
				if errs[j] != nil {
					send(derived{err: errs[j]})
					return
				}
				window = append(window, got[j]...)
				if !counted[j] {
					counted[j] = true
					for _, c := range got[j] {
						total += len(c)
					}
				}
			}
			responsible, err := s.responsibleFor(ctx, window)
			if err != nil {
				send(derived{err: err})
				return
			}
			for _, part := range partitionChunks(window, windowParts) {
				if stopped() {
					return
				}
				clocks := deriveClocks(part, pol, now, lo, hi)
				if b < m {
					clocks = withholdRunning(clocks, part, pending)
				}
				d := withEvents(clocks)
				prepare(&d, responsible)
				if !send(d) {
					return
				}
			}
		}
		if len(pending) > 0 {
			// Every slice is read by now (the last window read up to
			// to+back).
			var all [][]sla.Record
			for _, g := range got {
				all = append(all, g...)
			}
			d, recs, err := deriveHeld(all, pending, pol, now, from, to)
			if err == nil {
				var responsible func(sla.Clock) *string
				if responsible, err = s.responsibleFor(ctx, [][]sla.Record{recs}); err == nil {
					prepare(&d, responsible)
				}
			}
			if err != nil {
				d = derived{err: err}
			}
			if !send(d) || err != nil {
				return
			}
		}
		*records = total
	}()
	return out
}

// withholdRunning takes out of clocks (a part of a window before the
// last) those still running at the end of the window's records,
// recording their start records in held: a reply may stop them after the
// lookahead (a message answered days later), so they are derived again
// at the end with every later record (deriveHeld), as a derivation of the
// whole span would derive them.
func withholdRunning(clocks []sla.Clock, part []sla.Record, held map[string]sla.Record) []sla.Clock {
	starts := map[string]string{} // start record id → clock key
	kept := clocks[:0]
	for _, c := range clocks {
		if c.StopID == "" {
			starts[c.StartID] = c.Key
			continue
		}
		kept = append(kept, c)
	}
	for i := range part {
		if key, ok := starts[part[i].ID]; ok {
			held[key] = part[i]
		}
	}
	return kept
}

// deriveHeld derives again, from all the records of the span (all), the
// clocks withholdRunning held: those of their groups (recordGroups: a
// conversation, or the calls of the numbers and customers they link)
// derived whole, keeping the held clocks. It returns them with their
// events, and the records it derived from.
func deriveHeld(all [][]sla.Record, held map[string]sla.Record, pol sla.Policy, now, from, to time.Time) (derived, []sla.Record, error) {
	g := newRecordGroups(all)
	roots := map[groupNode]bool{}
	for _, r := range held {
		roots[g.of(&r)] = true
	}
	var recs []sla.Record
	for _, c := range all {
		for i := range c {
			if roots[g.of(&c[i])] {
				recs = append(recs, c[i])
			}
		}
	}
	clocks := slices.DeleteFunc(deriveClocks(recs, pol, now, from, to), func(c sla.Clock) bool { _, ok := held[c.Key]; return !ok })
	if len(clocks) != len(held) {
		return derived{}, nil, fmt.Errorf("comms: %d of %d clocks held for their stop derived again", len(clocks), len(held))
	}
	return withEvents(clocks), recs, nil
}

// deriveClocks derives the clocks of part started in [from, to).
func deriveClocks(part []sla.Record, pol sla.Policy, now, from, to time.Time) []sla.Clock {
	return slices.DeleteFunc(sla.Derive(part, pol, now), func(c sla.Clock) bool { return c.StartedAt.Before(from) || !c.StartedAt.Before(to) })
}

// withEvents is clocks with their breach and near-breach events.
func withEvents(clocks []sla.Clock) derived {
	return derived{clocks: clocks, events: append(sla.Breaches(clocks), sla.NearBreaches(clocks)...)}
}

// derived is the clocks of one part of the records started in the window,
// and their breaches and near-breaches; rows are the clocks as stored, in
// key order, evRows the events' rows (by index).
type derived struct {
	err     error // the derivation failed (deriveWindows: a read)
	clocks  []sla.Clock
	events  []sla.Event
	rows    []clockRow
	evStaff []*string // the responsible person of each event's clock
	evRows  []*event  // nil for an event known to be stored as it is
}

// clockRow is a clock as stored and, on SQLite, the arguments that insert
// it.
type clockRow struct {
	c    *StoredClock
	args []any
	// fresh: no clock of its key is stored, as far as the writer knows.
	fresh bool
}

// eventKeys are the keys of the events clocks keys may have: each clock's
// breach and near-breach.
func eventKeys(keys []string) []string {
	out := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, k+sla.NearKeySuffix)
	}
	return out
}

// derivedStream hands out the derived parts as they come (got, then ch
// when there is one), and again from the start when a transaction is
// retried.
type derivedStream struct {
	ch  <-chan derived
	got []derived
}

func (d *derivedStream) each(fn func(derived) error) error {
	for _, x := range d.got {
		if err := fn(x); err != nil {
			return err
		}
	}
	if d.ch == nil {
		return nil
	}
	for x := range d.ch {
		if x.err != nil {
			return x.err
		}
		d.got = append(d.got, x)
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

// partition splits records into at most k parts such that the records of
// one conversation, and the calls of one customer, fall in the same part:
// sla.Derive connects records only through those (a WeChat or chat
// conversation; a missed call and its call back by number or customer),
// so deriving the parts one by one gives the clocks of deriving them all.
func partition(recs []sla.Record, k int) [][]sla.Record {
	return partitionChunks([][]sla.Record{recs}, k)
}

// partitionChunks is partition of the records of chunks, in order.
func partitionChunks(chunks [][]sla.Record, k int) [][]sla.Record {
	g := newRecordGroups(chunks)
	const offset, prime = 2166136261, 16777619
	hash := func(h uint32, s string) uint32 {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint32(s[i])) * prime
		}
		return h
	}
	// Each record's part, then the parts made to their size. Groups are
	// hashed (FNV-1a) as the strings "n|…", "c|…", "w|channel|…" would be,
	// without making them: a month is a million records.
	of := make([]uint32, 0, g.total)
	count := make([]int, k)
	for _, recs := range chunks {
		for i := range recs {
			n := g.of(&recs[i])
			var h uint32
			if n.kind == 'w' {
				h = hash(hash(hash(hash(offset, "w|"), n.a), "|"), n.b)
			} else {
				h = hash(hash(hash(offset, string(n.kind)), "|"), n.a)
			}
			j := h % uint32(k)
			of = append(of, j)
			count[j]++
		}
	}
	parts := make([][]sla.Record, k)
	for j := range parts {
		parts[j] = make([]sla.Record, 0, count[j])
	}
	x := 0
	for _, recs := range chunks {
		for i := range recs {
			parts[of[x]] = append(parts[of[x]], recs[i])
			x++
		}
	}
	return slices.DeleteFunc(parts, func(p []sla.Record) bool { return len(p) == 0 })
}

// groupNode is a number ('n', a), a customer ('c', a) or a conversation
// of a channel ('w', a channel, b conversation).
type groupNode struct {
	kind byte
	a, b string
}

// recordGroups are the groups of records sla.Derive connects: a WeChat
// or chat conversation; the calls of a number and of a customer, joined
// when a call names both. Only calls join nodes, so the parent map holds
// theirs alone.
type recordGroups struct {
	parent map[groupNode]groupNode
	total  int // records seen
}

func newRecordGroups(chunks [][]sla.Record) *recordGroups {
	g := &recordGroups{parent: map[groupNode]groupNode{}}
	less := func(a, b groupNode) bool { return a.kind < b.kind || a.kind == b.kind && a.a < b.a }
	for _, recs := range chunks {
		g.total += len(recs)
		for i := range recs {
			if r := &recs[i]; isCall(r) && r.Conversation != "" && r.CustomerID != "" {
				ra, rb := g.find(groupNode{kind: 'n', a: r.Conversation}), g.find(groupNode{kind: 'c', a: r.CustomerID})
				if ra != rb {
					if less(rb, ra) {
						ra, rb = rb, ra
					}
					g.parent[rb] = ra
				}
			}
		}
	}
	return g
}

func isCall(r *sla.Record) bool {
	return r.Channel == sla.ChannelPhoneMissed || r.Channel == sla.ChannelPhoneOut
}

func (g *recordGroups) find(x groupNode) groupNode {
	p, ok := g.parent[x]
	if !ok || p == x {
		return x
	}
	root := g.find(p)
	g.parent[x] = root
	return root
}

// of is the group of r.
func (g *recordGroups) of(r *sla.Record) groupNode {
	if !isCall(r) {
		return groupNode{kind: 'w', a: r.Channel, b: r.Conversation}
	}
	n := groupNode{kind: 'c', a: r.CustomerID}
	if r.Conversation != "" {
		n = groupNode{kind: 'n', a: r.Conversation}
	}
	return g.find(n)
}

// putClocks inserts or updates clocks, in key order (the caller's: the
// primary key's and the conversation index's pages are then written in
// turn). On SQLite a prepared statement of store.RowsPerInsert rows takes them,
// with the arguments made ready before (a month's 300,000 clocks spent
// half their time formatting and parsing bun's multi-row statements, and
// a third on the statement around each row one by one). On PostgreSQL,
// where each statement is a round trip, 200 clocks go in one.
func (s *Service) putClocks(ctx context.Context, tx bun.IDB, cs []clockRow) error {
	if len(cs) == 0 {
		return nil
	}
	if p, ok := tx.(store.Preparer); ok && s.db.Dialect() == store.SQLite {
		const columns = `(key, kind, conversation, customer_id, staff_id, start_id, stop_id, started_at, near_at, deadline, stopped_at, state, late_s, derived_at)`
		args := func(rows []clockRow) func(i int, args []any) []any {
			return func(i int, args []any) []any {
				if rows[i].args == nil {
					return append(args, rows[i].c.sqliteArgs()...)
				}
				return append(args, rows[i].args...)
			}
		}
		// The fresh clocks (all of a window's first derivation) are
		// inserted: an upsert's DO UPDATE may fail half-way and keeps a
		// statement journal, INSERT OR FAIL does not (store.MultiInsert).
		// A statement that met stored keys after all is upserted again.
		var fresh, rest []clockRow
		for _, c := range cs {
			if c.fresh {
				fresh = append(fresh, c)
			} else {
				rest = append(rest, c)
			}
		}
		ins := store.NewMultiInsert(p, `INSERT OR FAIL INTO response_clocks `+columns, clockValues, `ON CONFLICT (key) DO NOTHING`)
		defer ins.Close()
		short, err := ins.InsertRows(ctx, len(fresh), args(fresh))
		if err != nil {
			return err
		}
		for _, r := range short {
			rest = append(rest, fresh[r[0]:r[1]]...)
		}
		up := store.NewMultiInsert(p, `INSERT INTO response_clocks `+columns, clockValues,
			`ON CONFLICT (key) DO UPDATE SET customer_id = EXCLUDED.customer_id, staff_id = EXCLUDED.staff_id, stop_id = EXCLUDED.stop_id,
			near_at = EXCLUDED.near_at, deadline = EXCLUDED.deadline, stopped_at = EXCLUDED.stopped_at,
			state = EXCLUDED.state, late_s = EXCLUDED.late_s, derived_at = EXCLUDED.derived_at`)
		defer up.Close()
		return up.ExecRows(ctx, len(rest), args(rest))
	}
	for part := cs; len(part) > 0; {
		k := min(len(part), 200)
		chunk := make([]*StoredClock, k)
		for i, r := range part[:k] {
			chunk[i] = r.c
		}
		if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT (key) DO UPDATE").
			Set("customer_id = EXCLUDED.customer_id, staff_id = EXCLUDED.staff_id, stop_id = EXCLUDED.stop_id").
			Set("near_at = EXCLUDED.near_at, deadline = EXCLUDED.deadline, stopped_at = EXCLUDED.stopped_at").
			Set("state = EXCLUDED.state, late_s = EXCLUDED.late_s, derived_at = EXCLUDED.derived_at").Exec(ctx); err != nil {
			return err
		}
		part = part[k:]
	}
	return nil
}

// clockValues is a clock's row in putClocks' INSERT on SQLite
// (sqliteArgs).
const clockValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// clockArgs is the number of arguments of a clock's row.
const clockArgs = 14

// sqliteArgs are the arguments of c's row in putClocks' INSERT on SQLite.
func (c *StoredClock) sqliteArgs() []any {
	return []any{c.Key, c.Kind, c.Conversation, store.Nullable(c.CustomerID), store.Nullable(c.StaffID), c.StartID, store.Nullable(c.StopID),
		sqliteTime(&c.StartedAt), sqliteTime(c.NearAt), sqliteTime(&c.Deadline), sqliteTime(c.StoppedAt), c.State, c.LateS, sqliteTime(&c.DerivedAt)}
}

// storedState is what is stored for a window: its clocks and, for a
// whole window, the computed breach and near-breach events dated in it or
// later.
type storedState struct {
	clocks []*StoredClock
	events []storedEvent
}

// loadStored reads the stored clocks of the window (of the conversations,
// if any) and, for a whole window, its breach and near-breach events.
func (s *Service) loadStored(ctx context.Context, db bun.IDB, from, to time.Time, conversations []string) (*storedState, error) {
	st := &storedState{}
	q := db.NewSelect().Model(&st.clocks).Where("started_at >= ? AND started_at < ?", from, to)
	if len(conversations) > 0 {
		q = q.Where("conversation IN (?)", bun.In(conversations))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	if len(conversations) > 0 {
		return st, nil
	}
	// Breach events are dated at their deadline, near-breaches at their
	// near moment, both at or after their clock's start: one range read of
	// the window's computed events.
	if err := db.NewSelect().Model(&st.events).
		Where("source = 'computed' AND type IN (?)", bun.In(clockEventTypes)).
		Where("occurred_at >= ?", from).Scan(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// storedIndex is a storedState by key: clocks by their key, events by
// their computed key. A nil *storedIndex knows nothing.
type storedIndex struct {
	clocks map[string]*StoredClock
	events map[string]*storedEvent
}

func (st *storedState) index() *storedIndex {
	x := &storedIndex{clocks: make(map[string]*StoredClock, len(st.clocks)), events: make(map[string]*storedEvent, len(st.events))}
	for _, c := range st.clocks {
		x.clocks[c.Key] = c
	}
	for i := range st.events {
		if e := &st.events[i]; e.Key != nil {
			x.events[*e.Key] = e
		}
	}
	return x
}

func (x *storedIndex) clock(key string) *StoredClock {
	if x == nil {
		return nil
	}
	return x.clocks[key]
}

func (x *storedIndex) event(key string) *storedEvent {
	if x == nil {
		return nil
	}
	return x.events[key]
}

// clockEventTypes are the types of the events of response clocks.
var clockEventTypes = []string{sla.EventWeChatTimeout, sla.EventMissedCallTimeout, sla.EventChatTimeout,
	sla.EventWeChatNear, sla.EventMissedCallNear, sla.EventChatNear}

// loadEvents reads the computed events of keys (event keys).
func (s *Service) loadEvents(ctx context.Context, db bun.IDB, keys []string) ([]storedEvent, error) {
	var evs []storedEvent
	for part := keys; len(part) > 0; {
		k := min(len(part), 500)
		var chunk []storedEvent
		if err := db.NewSelect().Model(&chunk).Where("computed_key IN (?)", bun.In(part[:k])).Scan(ctx); err != nil {
			return nil, err
		}
		evs = append(evs, chunk...)
		part = part[k:]
	}
	return evs, nil
}

// sameClock says whether a derived clock is the one stored (the time of
// derivation aside).
func sameClock(a, b *StoredClock) bool {
	return a.Kind == b.Kind && a.Conversation == b.Conversation && eqStr(a.CustomerID, b.CustomerID) && eqStr(a.StaffID, b.StaffID) &&
		a.StartID == b.StartID && eqStr(a.StopID, b.StopID) && a.StartedAt.Equal(b.StartedAt) && eqTime(a.NearAt, b.NearAt) &&
		a.Deadline.Equal(b.Deadline) && eqTime(a.StoppedAt, b.StoppedAt) && a.State == b.State && a.LateS == b.LateS
}

func eqStr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func eqTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// storedEvent is a computed breach or near-breach event as stored, for
// comparing with a derivation.
type storedEvent struct {
	ID          string     `bun:"id"`
	Key         *string    `bun:"computed_key"`
	Type        string     `bun:"type"`
	StaffID     *string    `bun:"staff_id"`
	CustomerID  *string    `bun:"customer_id"`
	OccurredAt  time.Time  `bun:"occurred_at"`
	Quantity    int64      `bun:"quantity"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
	WithdrawnBy *string    `bun:"withdrawn_by"`

	bun.BaseModel `bun:"table:events"`
}

// same says whether the stored event already says what the derived event
// says (a system withdrawal is undone by writing it again; a person's
// withdrawal stands).
func (e *storedEvent) same(b sla.Event, staff *string) bool {
	if e.WithdrawnAt != nil && e.WithdrawnBy == nil {
		return false
	}
	var cust *string
	if b.CustomerID != "" {
		cust = &b.CustomerID
	}
	return e.Type == b.Type && eqStr(e.StaffID, staff) && eqStr(e.CustomerID, cust) &&
		e.OccurredAt.Equal(store.Time(b.OccurredAt)) && e.Quantity == b.Quantity
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k) {
				return
			}
		}
	}
}

func storedClock(c sla.Clock, staff *string, now time.Time) *StoredClock {
	sc := &StoredClock{Key: c.Key, Kind: c.Kind, Conversation: c.Conversation, StaffID: staff, StartID: c.StartID,
		StartedAt: store.Time(c.StartedAt), Deadline: store.Time(c.Deadline), State: c.State, LateS: int64(c.Late / time.Second), DerivedAt: now}
	if c.CustomerID != "" {
		id := c.CustomerID
		sc.CustomerID = &id
	}
	if c.StopID != "" {
		id := c.StopID
		sc.StopID = &id
		at := store.Time(c.StoppedAt)
		sc.StoppedAt = &at
	}
	if !c.NearAt.IsZero() {
		at := store.Time(c.NearAt)
		sc.NearAt = &at
	}
	return sc
}

// eventRow is the row of a breach or near-breach event: staff is the
// responsible person of its clock; with args, the arguments of its
// insert on SQLite too.
func (s *Service) eventRow(b sla.Event, staff *string, now time.Time, args bool) *event {
	key := b.Key
	e := &event{ID: store.NewID(), Type: b.Type, StaffID: staff, OccurredAt: store.Time(b.OccurredAt), Quantity: b.Quantity,
		Rule: b.Type, Detail: s.eventDetail(b), Source: "computed", ComputedKey: &key, CreatedAt: now, UpdatedAt: now,
		Evidence: events.EncodeRefs(evidenceRefs(b))}
	if b.CustomerID != "" {
		id := b.CustomerID
		e.CustomerID = &id
	}
	if args {
		e.args = e.sqliteArgs()
	}
	return e
}

// evidenceRefs are the records that prove a clock event: its clock's
// start record and, when it stopped, its stop record.
func evidenceRefs(b sla.Event) []events.Ref {
	refs := make([]events.Ref, len(b.Evidence))
	for i, id := range b.Evidence {
		role := "start"
		if i > 0 {
			role = "stop"
		}
		refs[i] = events.Ref{Kind: "communication", ID: id, Role: role}
	}
	return refs
}

// eventValues is a new event's row in putEvents' INSERT on SQLite: its
// arguments (sqliteArgs) and source 'computed'.
const eventValues = "(?, ?, ?, ?, ?, ?, ?, ?, 'computed', ?, ?, ?, ?)"

// eventArgs is the number of arguments of an event's row.
const eventArgs = 12

// sqliteArgs are the arguments of e's row in putEvents' INSERT on SQLite.
func (e *event) sqliteArgs() []any {
	return []any{e.ID, e.Type, store.Nullable(e.StaffID), store.Nullable(e.CustomerID), sqliteTime(&e.OccurredAt), e.Quantity, e.Rule,
		e.Detail, *e.ComputedKey, sqliteTime(&e.CreatedAt), sqliteTime(&e.UpdatedAt), e.Evidence}
}

// putEvents writes breach and near-breach events keyed by their clocks,
// rows[i] being bs[i]'s row (eventRow): new, or updated in place
// (quantity grows while a clock is open). A recomputation brings back an
// event the system withdrew, never one a person withdrew. The evidence
// (start and stop records) is on the row (evidence_refs) and rewritten
// with it. fresh says that nothing is stored for an event key as far as
// the caller knows (it read what is stored for the window).
//
// On SQLite the fresh events go store.RowsPerInsert rows per prepared
// statement, with ids of our own and no RETURNING: a first derivation of
// a month writes 200,000 events; OR FAIL spares the statements their
// statement journal (see store.MultiInsert). Events whose key turns out
// to be stored after all (ON CONFLICT DO NOTHING left them out) join the
// others, which are upserted 200 per statement, as every event is on
// PostgreSQL (one round trip each).
func (s *Service) putEvents(ctx context.Context, tx bun.IDB, bs []sla.Event, rows []*event, fresh func(eventKey string) bool) error {
	if len(bs) == 0 {
		return nil
	}
	prep, _ := tx.(store.Preparer)
	sqlite := prep != nil && s.db.Dialect() == store.SQLite
	var rest []int // indexes of bs upserted
	if sqlite {
		ins := store.NewMultiInsert(prep, `INSERT OR FAIL INTO events (id, type, staff_id, customer_id, occurred_at, quantity, rule, detail,
			source, computed_key, created_at, updated_at, evidence_refs)`, eventValues, `ON CONFLICT (computed_key) DO NOTHING`)
		defer ins.Close()
		args := make([]any, 0, eventArgs*store.RowsPerInsert)
		chunk := make([]int, 0, store.RowsPerInsert)
		flush := func() error {
			n, err := ins.Exec(ctx, args)
			if err != nil {
				return err
			}
			if int(n) < len(chunk) {
				// Keys stored after all: the rows that are not ours.
				keys := make([]string, len(chunk))
				ours := make(map[string]bool, len(chunk))
				for j, i := range chunk {
					keys[j] = bs[i].Key
					ours[rows[i].ID] = true
				}
				var got []struct {
					ID  string `bun:"id"`
					Key string `bun:"computed_key"`
				}
				if err := tx.NewRaw(`SELECT id, computed_key FROM events WHERE computed_key IN (?)`, bun.In(keys)).Scan(ctx, &got); err != nil {
					return err
				}
				stored := map[string]bool{}
				for _, r := range got {
					if !ours[r.ID] {
						stored[r.Key] = true
					}
				}
				for _, i := range chunk {
					if stored[bs[i].Key] {
						rest = append(rest, i)
					}
				}
			}
			args, chunk = args[:0], chunk[:0]
			return nil
		}
		for i, b := range bs {
			if !fresh(b.Key) {
				rest = append(rest, i)
				continue
			}
			e := rows[i]
			if e.Source != "computed" {
				return fmt.Errorf("comms: event %s is %s, not computed", b.Key, e.Source)
			}
			if e.args == nil {
				e.args = e.sqliteArgs()
			}
			args = append(args, e.args...)
			chunk = append(chunk, i)
			if len(chunk) == store.RowsPerInsert {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if len(chunk) > 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	} else {
		rest = make([]int, len(bs))
		for i := range bs {
			rest[i] = i
		}
	}
	for part := rest; len(part) > 0; {
		k := min(len(part), 200)
		evs := make([]*event, k)
		for j, i := range part[:k] {
			evs[j] = rows[i]
		}
		if err := upsertEvents(ctx, tx, evs); err != nil {
			return err
		}
		part = part[k:]
	}
	return nil
}

// upsertEvents writes events in one statement, new or updated in place.
// For the stored ones a system withdrawal is undone, and evidence rows
// from before evidence_refs (migration 00030) are deleted: the row now
// carries it.
func upsertEvents(ctx context.Context, tx bun.IDB, evs []*event) error {
	var ids []struct {
		ID  string `bun:"id"`
		Key string `bun:"computed_key"`
	}
	if _, err := tx.NewInsert().Model(&evs).On("CONFLICT (computed_key) DO UPDATE").
		Set("type = EXCLUDED.type, staff_id = EXCLUDED.staff_id, customer_id = EXCLUDED.customer_id").
		Set("occurred_at = EXCLUDED.occurred_at, quantity = EXCLUDED.quantity, detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at").
		Set("evidence_refs = EXCLUDED.evidence_refs").
		Returning("id, computed_key").Exec(ctx, &ids); err != nil {
		return err
	}
	ours := make(map[string]string, len(evs))
	for _, e := range evs {
		ours[*e.ComputedKey] = e.ID
	}
	var existing []string
	for _, r := range ids {
		if ours[r.Key] != r.ID {
			existing = append(existing, r.ID)
		}
	}
	if len(ids) != len(evs) {
		return fmt.Errorf("comms: %d of %d clock events written", len(ids), len(evs))
	}
	if len(existing) > 0 {
		if _, err := tx.NewRaw(`UPDATE events SET withdrawn_at = NULL, withdraw_reason = ''
			WHERE id IN (?) AND withdrawn_at IS NOT NULL AND withdrawn_by IS NULL`, bun.In(existing)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Table("event_evidence").Where("event_id IN (?)", bun.In(existing)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// eventDetail says what a clock event is in words: "微信群 超时 3 分钟（会话
// …）", or for a near-breach "微信群 临近超时（2026-03-05 09:02:00 仍未响应，
// 会话 …）".
func (s *Service) eventDetail(b sla.Event) string {
	ch := cmp.Or(channelNames[b.Channel], b.Channel)
	if b.Near() {
		return fmt.Sprintf("%s 临近超时（%s 仍未响应，会话 %s）", ch, b.OccurredAt.In(s.loc).Format(time.DateTime), b.Conversation)
	}
	return fmt.Sprintf("%s 超时 %d 分钟（会话 %s）", ch, b.Quantity, b.Conversation)
}
