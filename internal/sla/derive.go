package sla

import (
	"cmp"
	"slices"
	"time"
)

// Derive derives the response clocks of policy p from records as of asOf (see
// the package documentation for the rules). Records may be in any order;
// records after asOf are ignored; a zero asOf means the latest kept record's time.
// The result is sorted by StartedAt, then Key, and depends only on the set of
// records.
func Derive(records []Record, p Policy, asOf time.Time) []Clock {
	kept, latest := dedup(records)
	if asOf.IsZero() {
		asOf = latest
	}
	if len(kept) == 0 {
		return nil
	}
	asOf = asOf.UTC()

	items := make([]item, 0, len(kept))
	for _, r := range kept {
		if it, ok := classify(r, p); ok && !it.at.After(asOf) {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, compareItem)

	d := deriver{
		items:  items,
		rules:  [...]Rule{kindWeChat: p.WeChat, kindChat: p.Chat, kindMissedCall: p.MissedCall},
		open:   map[convKey]int{},
		byNum:  map[string][]int{},
		byCust: map[string][]int{},
	}
	for i := range items {
		if items[i].kind == kindMissedCall {
			d.call(i)
		} else {
			d.message(i)
		}
	}

	// Sort the small drafts, then build the clocks in place.
	drafts := d.drafts
	if len(drafts) == 0 {
		return nil
	}
	for j := range drafts {
		dr := &drafts[j]
		r := items[dr.start].rec
		dr.key = kindNames[items[dr.start].kind] + "|" + r.Conversation + "|" + r.ID
	}
	slices.SortFunc(drafts, func(a, b draft) int {
		return cmp.Or(items[a.start].at.Compare(items[b.start].at), cmp.Compare(a.key, b.key))
	})
	clocks := make([]Clock, len(drafts))
	for j, dr := range drafts {
		c := &clocks[j]
		st := &items[dr.start]
		kind := kindNames[st.kind]
		*c = Clock{Key: dr.key, Kind: kind, Channel: st.rec.Channel, Conversation: st.rec.Conversation,
			StartID: st.rec.ID, Covered: dr.covered, StartedAt: st.at}
		if dr.cust >= 0 {
			c.CustomerID = items[dr.cust].rec.CustomerID
		}
		if dr.stop >= 0 {
			sp := &items[dr.stop]
			c.StopID, c.StoppedAt, c.Responder = sp.rec.ID, sp.at, sp.rec.StaffID
		}
		c.Deadline = dr.due
		finish(c, p.rule(kind), asOf)
	}
	return clocks
}

// dedup returns one record per ID (see compareRecord), skipping records
// without an ID or a time, and the latest time among them. The order of the
// result is unspecified.
func dedup(records []Record) (kept []*Record, latest time.Time) {
	best := make(map[string]*Record, len(records))
	for i := range records {
		r := &records[i]
		if r.ID == "" || r.At.IsZero() {
			continue
		}
		if b, ok := best[r.ID]; !ok || compareRecord(r, b) < 0 {
			best[r.ID] = r
		}
	}
	kept = make([]*Record, 0, len(best))
	for _, r := range best {
		kept = append(kept, r)
		if r.At.After(latest) {
			latest = r.At
		}
	}
	return kept, latest
}

// compareRecord orders records of the same ID on all their fields, so the
// kept one does not depend on the input order.
func compareRecord(a, b *Record) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Direction, b.Direction),
		cmp.Compare(a.Conversation, b.Conversation), cmp.Compare(a.CustomerID, b.CustomerID), cmp.Compare(a.StaffID, b.StaffID))
}

// Internal kinds, small to keep item small.
const (
	kindWeChat uint8 = iota
	kindChat
	kindMissedCall
)

var kindNames = [...]string{kindWeChat: KindWeChat, kindChat: KindChat, kindMissedCall: KindMissedCall}

// item is a record that takes part in a clock.
type item struct {
	rec  *Record
	at   time.Time // rec.At in UTC
	kind uint8
	stop bool // a staff reply / call back; otherwise a customer message / missed call
}

// classify decides whether r opens or stops a clock of an enabled rule of p.
func classify(r *Record, p Policy) (item, bool) {
	it := item{rec: r, at: r.At.UTC()}
	switch r.Channel {
	case ChannelWeChatGroup, ChannelWeChatPrivate, ChannelChat:
		it.kind = kindWeChat
		if r.Channel == ChannelChat {
			it.kind = kindChat
		}
		if p.rule(kindNames[it.kind]).Limit <= 0 || r.Conversation == "" {
			return item{}, false
		}
		switch r.Direction {
		case DirectionIn:
		case DirectionOut:
			it.stop = true
		default:
			return item{}, false
		}
	case ChannelPhoneMissed, ChannelPhoneOut:
		it.kind = kindMissedCall
		if p.MissedCall.Limit <= 0 || r.Conversation == "" && r.CustomerID == "" {
			return item{}, false
		}
		// phone_out is a call back whatever its Direction says; an outbound
		// phone_missed is an unanswered call-back attempt, which counts.
		it.stop = r.Channel == ChannelPhoneOut || r.Direction == DirectionOut
	default:
		return item{}, false
	}
	return it, true
}

// compareItem is the processing order: time, customer side before staff side
// at the same instant, then record ID (unique after dedup), a total order.
func compareItem(a, b item) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	if a.stop != b.stop {
		if b.stop {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.rec.ID, b.rec.ID)
}

func (p Policy) rule(kind string) Rule {
	switch kind {
	case KindWeChat:
		return p.WeChat
	case KindMissedCall:
		return p.MissedCall
	case KindChat:
		return p.Chat
	}
	return Rule{}
}

// convKey is a WeChat or chat conversation.
type convKey struct{ channel, conversation string }

// draft is a clock while the records are read: indices into the items.
type draft struct {
	start, stop int // the start record; the stopping record, -1 while running
	cust        int // the first covered record with a CustomerID, -1 if none
	// prev is the running WeChat/chat clock of the conversation opened
	// before this one (its deadline had passed), -1 if none.
	prev    int
	covered int
	due     time.Time // the deadline: a record after it does not join
	key     string
}

type deriver struct {
	items  []item
	rules  [3]Rule // by kind
	drafts []draft
	// open is the latest running WeChat/chat clock of each conversation;
	// the others are chained through draft.prev.
	open map[convKey]int
	// byNum and byCust list the missed-call clocks that hold a number or a
	// customer; stopped clocks are pruned when the key is next used.
	byNum, byCust map[string][]int
}

func (d *deriver) start(i int) int {
	it := &d.items[i]
	r := &d.rules[it.kind]
	dr := draft{start: i, stop: -1, cust: -1, prev: -1, covered: 1, due: r.after(it.at, r.Limit)}
	if it.rec.CustomerID != "" {
		dr.cust = i
	}
	d.drafts = append(d.drafts, dr)
	return len(d.drafts) - 1
}

func (d *deriver) join(c, i int) {
	dr := &d.drafts[c]
	dr.covered++
	if dr.cust < 0 && d.items[i].rec.CustomerID != "" {
		dr.cust = i
	}
}

func (d *deriver) running(c int) bool { return d.drafts[c].stop < 0 }

// joinable reports whether record i may join clock c: c's deadline has not
// passed at i's time.
func (d *deriver) joinable(c, i int) bool { return !d.items[i].at.After(d.drafts[c].due) }

// message handles a WeChat or chat message.
func (d *deriver) message(i int) {
	it := &d.items[i]
	k := convKey{it.rec.Channel, it.rec.Conversation}
	c, running := d.open[k]
	switch {
	case it.stop && running:
		for ; c >= 0; c = d.drafts[c].prev {
			d.drafts[c].stop = i
		}
		delete(d.open, k)
	case it.stop:
		// A staff message with nothing to answer.
	case running && d.joinable(c, i):
		d.join(c, i)
	default:
		n := d.start(i)
		if running {
			d.drafts[n].prev = c
		}
		d.open[k] = n
	}
}

// call handles a missed call or a call back.
func (d *deriver) call(i int) {
	it := &d.items[i]
	num, cust := it.rec.Conversation, it.rec.CustomerID
	if it.stop {
		for _, c := range d.live(d.byNum, num) {
			d.drafts[c].stop = i
		}
		for _, c := range d.live(d.byCust, cust) {
			d.drafts[c].stop = i
		}
		delete(d.byNum, num)
		delete(d.byCust, cust)
		return
	}
	nums, custs := d.live(d.byNum, num), d.live(d.byCust, cust)
	// Drafts are appended in processing order: the smallest index is the
	// earliest running clock whose deadline has not passed.
	best := -1
	for _, l := range [2][]int{nums, custs} {
		for _, c := range l {
			if (best < 0 || c < best) && d.joinable(c, i) {
				best = c
			}
		}
	}
	if best < 0 {
		best = d.start(i)
	} else {
		d.join(best, i)
	}
	if num != "" && !slices.Contains(nums, best) {
		d.byNum[num] = append(nums, best)
	}
	if cust != "" && !slices.Contains(custs, best) {
		d.byCust[cust] = append(custs, best)
	}
}

// live returns the running clocks listed under key ("" holds none), pruning
// the stopped ones.
func (d *deriver) live(m map[string][]int, key string) []int {
	if key == "" {
		return nil
	}
	l, ok := m[key]
	if !ok {
		return nil
	}
	n := 0
	for _, c := range l {
		if d.running(c) {
			l[n] = c
			n++
		}
	}
	if n == 0 {
		delete(m, key)
		return nil
	}
	m[key] = l[:n]
	return l[:n]
}

// finish sets the other times (c.Deadline is set) and the verdict as of asOf.
func finish(c *Clock, r Rule, asOf time.Time) {
	c.RunsFrom = r.runsFrom(c.StartedAt)
	if r.NearAt > 0 && r.NearAt < r.Limit {
		c.NearAt = r.after(c.StartedAt, r.NearAt)
	}
	end := c.StoppedAt
	if c.Running() {
		end = asOf
	}
	switch {
	case end.After(c.Deadline):
		c.State, c.Late = StateBreached, end.Sub(c.Deadline)
	case c.Running():
		c.State = StateRunning
		c.Near = !c.NearAt.IsZero() && !asOf.Before(c.NearAt)
	default:
		c.State = StateMet
	}
}

// runsFrom is when a clock started at t begins to count.
func (r Rule) runsFrom(t time.Time) time.Time {
	if r.Calendar == nil {
		return t
	}
	return r.Calendar.NextWorkingTime(t).UTC()
}

// after is the instant at which d of the rule's time has passed since t.
func (r Rule) after(t time.Time, d time.Duration) time.Time {
	if r.Calendar == nil {
		return t.Add(d)
	}
	return r.Calendar.AddWorkingDuration(t, d).UTC()
}
