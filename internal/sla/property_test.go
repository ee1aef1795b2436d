package sla

import (
	"cmp"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"kefu/internal/calendar"
)

// naiveDerive is the package documentation written as plainly as possible,
// quadratic, to check Derive's maps, pruning and ordering against.
func naiveDerive(recs []Record, p Policy, asOf time.Time) []Clock {
	fieldLess := func(a, b Record) bool {
		fa := []string{a.Channel, a.Direction, a.Conversation, a.CustomerID, a.StaffID}
		fb := []string{b.Channel, b.Direction, b.Conversation, b.CustomerID, b.StaffID}
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return slices.Compare(fa, fb) < 0
	}
	// One record per ID: the least by (At, fields); equal ones are identical.
	var kept []Record
	var latest time.Time
	for i, r := range recs {
		if r.ID == "" || r.At.IsZero() {
			continue
		}
		keep := true
		for j, s := range recs {
			if j != i && s.ID == r.ID && !s.At.IsZero() && (fieldLess(s, r) || j < i && !fieldLess(r, s)) {
				keep = false
			}
		}
		if keep {
			kept = append(kept, r)
			if r.At.After(latest) {
				latest = r.At
			}
		}
	}
	if asOf.IsZero() {
		asOf = latest
	}

	type ev struct {
		r          Record
		kind       string
		stop, call bool
	}
	var evs []ev
	for _, r := range kept {
		if r.At.After(asOf) {
			continue
		}
		e := ev{r: r}
		switch {
		case (r.Channel == ChannelWeChatGroup || r.Channel == ChannelWeChatPrivate) && p.WeChat.Limit > 0:
			e.kind = KindWeChat
		case r.Channel == ChannelChat && p.Chat.Limit > 0:
			e.kind = KindChat
		case (r.Channel == ChannelPhoneMissed || r.Channel == ChannelPhoneOut) && p.MissedCall.Limit > 0:
			e.kind, e.call = KindMissedCall, true
		default:
			continue
		}
		if e.call {
			if r.Conversation == "" && r.CustomerID == "" {
				continue
			}
			e.stop = r.Channel == ChannelPhoneOut || r.Direction == DirectionOut
		} else {
			if r.Conversation == "" || r.Direction != DirectionIn && r.Direction != DirectionOut {
				continue
			}
			e.stop = r.Direction == DirectionOut
		}
		evs = append(evs, e)
	}
	slices.SortFunc(evs, func(a, b ev) int {
		if c := a.r.At.Compare(b.r.At); c != 0 {
			return c
		}
		if a.stop != b.stop {
			if a.stop {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.r.ID, b.r.ID)
	})

	add := func(cal *calendar.Calendar, t time.Time, d time.Duration) time.Time {
		if cal == nil {
			return t.Add(d)
		}
		return cal.AddWorkingDuration(t, d).UTC()
	}
	rules := map[string]Rule{KindWeChat: p.WeChat, KindChat: p.Chat, KindMissedCall: p.MissedCall}
	deadline := func(kind string, start time.Time) time.Time {
		return add(rules[kind].Calendar, start, rules[kind].Limit)
	}
	type clk struct {
		Clock
		nums, custs map[string]bool
	}
	var cs []*clk
	for _, e := range evs {
		r := e.r
		// A customer record joins the earliest running clock it belongs to
		// whose deadline has not passed at its time; a stop stops every
		// running clock it belongs to.
		belongs := func(c *clk) bool {
			if c.Kind != e.kind || c.StopID != "" {
				return false
			}
			if !e.call {
				return c.Channel == r.Channel && c.Conversation == r.Conversation
			}
			return r.Conversation != "" && c.nums[r.Conversation] || r.CustomerID != "" && c.custs[r.CustomerID]
		}
		if e.stop {
			for _, c := range cs {
				if belongs(c) {
					c.StopID, c.StoppedAt, c.Responder = r.ID, r.At.UTC(), r.StaffID
				}
			}
			continue
		}
		var join *clk
		for _, c := range cs { // in start order: the first match is the earliest
			if belongs(c) && !r.At.After(deadline(c.Kind, c.StartedAt)) {
				join = c
				break
			}
		}
		if join == nil {
			join = &clk{Clock: Clock{Kind: e.kind, Channel: r.Channel, Conversation: r.Conversation,
				CustomerID: r.CustomerID, StartID: r.ID, StartedAt: r.At.UTC()}, nums: map[string]bool{}, custs: map[string]bool{}}
			cs = append(cs, join)
		} else if join.CustomerID == "" {
			join.CustomerID = r.CustomerID
		}
		join.Covered++
		if r.Conversation != "" {
			join.nums[r.Conversation] = true
		}
		if r.CustomerID != "" {
			join.custs[r.CustomerID] = true
		}
	}

	var out []Clock
	for _, c := range cs {
		rule := rules[c.Kind]
		k := c.Clock
		k.Key = k.Kind + "|" + k.Conversation + "|" + k.StartID
		k.RunsFrom = k.StartedAt
		if rule.Calendar != nil {
			k.RunsFrom = rule.Calendar.NextWorkingTime(k.StartedAt).UTC()
		}
		k.Deadline = deadline(k.Kind, k.StartedAt)
		if rule.NearAt > 0 && rule.NearAt < rule.Limit {
			k.NearAt = add(rule.Calendar, k.StartedAt, rule.NearAt)
		}
		switch {
		case k.StopID != "" && k.StoppedAt.After(k.Deadline):
			k.State, k.Late = StateBreached, k.StoppedAt.Sub(k.Deadline)
		case k.StopID != "":
			k.State = StateMet
		case asOf.After(k.Deadline):
			k.State, k.Late = StateBreached, asOf.Sub(k.Deadline)
		default:
			k.State = StateRunning
			k.Near = !k.NearAt.IsZero() && !asOf.Before(k.NearAt)
		}
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Clock) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// consistentCalls reports whether all missed-call and call-back records of a
// number carry the same CustomerID.
func consistentCalls(recs []Record) bool {
	cust := map[string]string{}
	for _, r := range recs {
		if r.Channel != ChannelPhoneMissed && r.Channel != ChannelPhoneOut || r.Conversation == "" {
			continue
		}
		if c, ok := cust[r.Conversation]; ok && c != r.CustomerID {
			return false
		}
		cust[r.Conversation] = r.CustomerID
	}
	return true
}

func totalLate(cs []Clock) (late time.Duration, met int) {
	for _, c := range cs {
		late += c.Late
		if c.State == StateMet {
			met++
		}
	}
	return late, met
}

func byKey(cs []Clock) map[string]Clock {
	m := make(map[string]Clock, len(cs))
	for _, c := range cs {
		m[c.Key] = c
	}
	return m
}

// checkAll checks Derive on recs against the reference and every invariant
// that truly holds:
//
//  1. Derive equals naiveDerive (the documented rules, written plainly);
//  2. every clock is well formed (checkClocks): deadline >= runs-from >= start,
//     a stop never precedes its start, states and Late agree with the times,
//     keys unique, evidence ids exist, and a breach event is dated at its
//     clock's deadline, never before the clock's start, with Quantity >= 1;
//     and checkNear's near-breach invariants hold;
//  3. input order does not matter (shuffled, reversed): identical output;
//  4. idempotent: deriving again, or from the records given twice (a file
//     imported twice), or with every time in another zone, gives the same
//     clocks and the same Breaches and NearBreaches;
//  5. as of an earlier time, Derive equals Derive on only the records up to
//     then; a clock stopped by then is unchanged later, and a clock breached
//     by then is still breached later (breaches never heal), and a
//     near-breach by then is one later;
//  6. adding a staff reply (WeChat/chat) or a call back at T leaves every clock
//     stopped before T unchanged; a WeChat/chat reply never lowers the number
//     of clocks met and never raises the total lateness (it can raise the
//     number of breaches: a late reply splits a late burst in two). The same
//     holds for a call back when customer matching is consistent (all call
//     records of a number carry the same CustomerID); it does not otherwise:
//     a missed call from a number recorded once as customer B's and once
//     unmatched joins B's clock, which B's other number stops, but on its
//     own (after an added call back) nothing stops it. With the deadline
//     cap this still holds: the records after T regroup from a later start,
//     so their clocks are no more and each is due no earlier than before;
//  7. adding a customer WeChat/chat message at T changes no clock started
//     before T (it joins a running one within its deadline, where only
//     Covered and CustomerID may change, or opens its own), never lowers the
//     total lateness and never lowers the number of breaches (a message
//     before a clock's start may open a clock that absorbs it: same stop,
//     earlier deadline; the later messages regroup from an earlier start,
//     so their clocks are no fewer and each is due no later);
//  8. the deadline cap, for the clocks of one WeChat/chat conversation, and
//     for the missed-call clocks of one customer (or of one unmatched
//     number) when customer matching is consistent: every customer message
//     or missed call lies within a clock of its group that was running at
//     its time and whose deadline it does not pass (a record after the
//     deadline is never absorbed); of two clocks, the later one starts after
//     the earlier one's deadline or after its stop (never while the earlier
//     could still be joined); so at most one is running and not yet
//     breached.
func checkAll(t *testing.T, rng *rand.Rand, recs []Record, p Policy, asOf time.Time) {
	t.Helper()
	got := Derive(recs, p, asOf)
	effAsOf := asOf
	if effAsOf.IsZero() { // the latest record after dedup: each id at its earliest time
		first := map[string]time.Time{}
		for _, r := range recs {
			if f, ok := first[r.ID]; r.ID != "" && !r.At.IsZero() && (!ok || r.At.Before(f)) {
				first[r.ID] = r.At
			}
		}
		for _, at := range first {
			if at.After(effAsOf) {
				effAsOf = at
			}
		}
	}

	// 1.
	if diff := gocmp.Diff(naiveDerive(recs, p, asOf), got); diff != "" {
		t.Fatalf("differs from the naive definition (-naive +fast):\n%s", diff)
	}
	// 2.
	if len(recs) > 0 {
		checkClocks(t, recs, got, effAsOf)
	}
	evs := Breaches(got)
	near := NearBreaches(got)
	checkNear(t, got, near)
	// 3. and 4.
	for name, in := range map[string][]Record{
		"shuffled": shuffled(rng, recs), "reversed": reversed(recs), "twice": append(slices.Clip(recs), shuffled(rng, recs)...),
	} {
		if again := Derive(in, p, asOf); !reflect.DeepEqual(got, again) {
			t.Fatalf("%s input changes the clocks:\n%s", name, gocmp.Diff(got, again))
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	zoned := slices.Clone(recs)
	for i := range zoned {
		zoned[i].At = zoned[i].At.In([]*time.Location{ny, shanghai, time.UTC}[i%3])
	}
	if again := Derive(zoned, p, asOf.In(ny)); !reflect.DeepEqual(got, again) {
		t.Fatalf("times in other zones change the clocks:\n%s", gocmp.Diff(got, again))
	}
	if again := Derive(recs, p, asOf); !reflect.DeepEqual(got, again) || !reflect.DeepEqual(evs, Breaches(again)) ||
		!reflect.DeepEqual(near, NearBreaches(again)) {
		t.Fatal("Derive is not idempotent")
	}
	if len(recs) == 0 || asOf.IsZero() {
		return
	}

	// 5.
	early := recs[rng.IntN(len(recs))].At.Add(time.Duration(rng.IntN(600)) * time.Second)
	if early.IsZero() || !early.Before(asOf) {
		early = asOf.Add(-time.Duration(rng.IntN(3600)+1) * time.Second)
	}
	before := Derive(recs, p, early)
	var upTo []Record
	for _, r := range recs {
		if !r.At.After(early) {
			upTo = append(upTo, r)
		}
	}
	if again := Derive(upTo, p, early); !reflect.DeepEqual(before, again) {
		t.Fatalf("as of %s: the records after it matter:\n%s", fmtT(early), gocmp.Diff(before, again))
	}
	now := byKey(got)
	nearNow := map[string]bool{}
	for _, e := range near {
		nearNow[e.Key] = true
	}
	for _, e := range NearBreaches(before) {
		if !nearNow[e.Key] {
			t.Fatalf("a near-breach as of %s is gone later: %+v", fmtT(early), e)
		}
	}
	for _, b := range before {
		c, ok := now[b.Key]
		switch {
		case !ok:
			t.Fatalf("clock %s as of %s is gone later", b.Key, fmtT(early))
		case !b.Running() && !reflect.DeepEqual(b, c):
			t.Fatalf("a stopped clock changed later:\n%s", gocmp.Diff(b, c))
		case b.State == StateBreached && c.State != StateBreached:
			t.Fatalf("a breach healed: %+v then %+v", b, c)
		case b.StartedAt != c.StartedAt || b.Deadline != c.Deadline || b.RunsFrom != c.RunsFrom || b.NearAt != c.NearAt:
			t.Fatalf("a running clock moved:\n%s", gocmp.Diff(b, c))
		}
	}

	// 6.
	lateBefore, metBefore := totalLate(got)
	for range 3 {
		base := recs[rng.IntN(len(recs))]
		if base.At.IsZero() {
			continue
		}
		T := base.At.Add(time.Duration(rng.IntN(400)) * time.Second)
		if T.After(asOf) {
			T = asOf
		}
		reply := Record{ID: "~new", At: T, StaffID: "sx", Channel: base.Channel, Direction: DirectionOut,
			Conversation: base.Conversation, CustomerID: base.CustomerID}
		if base.Channel == ChannelPhoneMissed || base.Channel == ChannelPhoneIn {
			reply.Channel = ChannelPhoneOut
			if rng.IntN(3) == 0 {
				reply.Conversation = "" // a call back found by the customer only
			}
		}
		after := Derive(append(slices.Clip(recs), reply), p, asOf)
		late, met := totalLate(after)
		if (reply.Channel != ChannelPhoneOut || consistentCalls(recs)) && (late > lateBefore || met < metBefore) {
			t.Fatalf("a reply %+v raised the lateness %v → %v or lowered the clocks met %d → %d:\n%s",
				reply, lateBefore, late, metBefore, met, gocmp.Diff(got, after))
		}
		a := byKey(after)
		for _, c := range got {
			if !c.Running() && c.StoppedAt.Before(T) && !reflect.DeepEqual(c, a[c.Key]) {
				t.Fatalf("a reply at %s changed a clock stopped before:\n%s", fmtT(T), gocmp.Diff(c, a[c.Key]))
			}
		}
	}

	// 8.
	checkCap(t, recs, p, effAsOf, got)

	// 7.
	breached := func(cs []Clock) (n int) {
		for _, c := range cs {
			if c.State == StateBreached {
				n++
			}
		}
		return n
	}
	for range 3 {
		base := recs[rng.IntN(len(recs))]
		if base.At.IsZero() || base.Channel != ChannelChat && base.Channel != ChannelWeChatGroup && base.Channel != ChannelWeChatPrivate {
			continue
		}
		msg := base
		msg.ID, msg.Direction = "~msg", DirectionIn
		msg.At = base.At.Add(time.Duration(rng.IntN(400)-200) * time.Second)
		if msg.At.After(asOf) {
			msg.At = asOf
		}
		after := Derive(append(slices.Clip(recs), msg), p, asOf)
		if late, _ := totalLate(after); late < lateBefore || breached(after) < breached(got) {
			t.Fatalf("a customer message %+v lowered the lateness %v → %v or the breaches %d → %d:\n%s",
				msg, lateBefore, late, breached(got), breached(after), gocmp.Diff(got, after))
		}
		a := byKey(after)
		for _, c := range got {
			if !c.StartedAt.Before(msg.At) {
				continue
			}
			d := a[c.Key]
			if d.StartID != c.StartID || d.StopID != c.StopID || d.Deadline != c.Deadline || d.State != c.State || d.Late != c.Late {
				t.Fatalf("a customer message %+v changed an earlier clock:\n%s", msg, gocmp.Diff(c, d))
			}
		}
	}
}

// checkCap checks invariant 8 of checkAll on the clocks cs derived from
// recs as of asOf (not zero).
func checkCap(t *testing.T, recs []Record, p Policy, asOf time.Time, cs []Clock) {
	t.Helper()
	calls := consistentCalls(recs)
	group := func(kind, channel, conv, cust string) string {
		if kind != KindMissedCall {
			return kind + "|" + channel + "|" + conv
		}
		if cust != "" {
			return "call|c|" + cust
		}
		return "call|n|" + conv
	}
	groups := map[string][]Clock{} // in start order, as Derive sorts them
	for _, c := range cs {
		if c.Kind != KindMissedCall || calls {
			g := group(c.Kind, c.Channel, c.Conversation, c.CustomerID)
			groups[g] = append(groups[g], c)
		}
	}
	// Every customer record (of an id used once, so dedup is not in play).
	ids := map[string]int{}
	for _, r := range recs {
		ids[r.ID]++
	}
	for _, r := range recs {
		if r.ID == "" || ids[r.ID] > 1 || r.At.IsZero() || r.At.After(asOf) {
			continue
		}
		var kind string
		switch {
		case (r.Channel == ChannelWeChatGroup || r.Channel == ChannelWeChatPrivate) && p.WeChat.Limit > 0:
			kind = KindWeChat
		case r.Channel == ChannelChat && p.Chat.Limit > 0:
			kind = KindChat
		case r.Channel == ChannelPhoneMissed && p.MissedCall.Limit > 0 && calls:
			kind = KindMissedCall
		default:
			continue
		}
		if r.Direction != DirectionIn || kind != KindMissedCall && r.Conversation == "" ||
			kind == KindMissedCall && r.Conversation == "" && r.CustomerID == "" {
			continue
		}
		g := group(kind, r.Channel, r.Conversation, r.CustomerID)
		if !slices.ContainsFunc(groups[g], func(c Clock) bool {
			return !r.At.Before(c.StartedAt) && !r.At.After(c.Deadline) && (c.Running() || !c.StoppedAt.Before(r.At))
		}) {
			t.Fatalf("%s: record %s at %s is in no clock running then and due at or after it: %v",
				g, r.ID, fmtT(r.At), summaries(groups[g]))
		}
	}
	for g, l := range groups {
		live := 0
		for i, c := range l {
			if c.State == StateRunning {
				live++
			}
			for _, e := range l[:i] {
				if !c.StartedAt.After(e.Deadline) && (e.Running() || !c.StartedAt.After(e.StoppedAt)) {
					t.Fatalf("%s: clock %s opened while %s could still be joined:\n%+v\n%+v", g, c.Key, e.Key, e, c)
				}
			}
		}
		if live > 1 {
			t.Fatalf("%s: %d clocks running and not breached: %v", g, live, summaries(l))
		}
	}
}

// policies used by the property tests and the fuzz target.
func testPolicies(tb testing.TB) []Policy {
	off := onCalendar(office(tb))
	mixed := DefaultPolicy()
	mixed.MissedCall.Calendar = office(tb)
	mixed.Chat = Rule{}
	odd := Policy{WeChat: Rule{Limit: 90 * time.Second, NearAt: 5 * time.Minute, Calendar: allDay(tb)},
		MissedCall: Rule{Limit: 2 * time.Hour, NearAt: time.Hour, Calendar: office(tb)}, Chat: Rule{Limit: time.Second, NearAt: -1}}
	return []Policy{DefaultPolicy(), off, mixed, odd}
}

func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	pols := testPolicies(t)
	bases := []time.Time{at("2025-09-25 08:00"), at("2025-09-30 16:00"), at("2025-09-26 17:00")}
	n := 400
	if testing.Short() {
		n = 60
	}
	for i := range n {
		cfg := genConfig{n: rng.IntN(120), span: time.Duration(rng.IntN(48)+1) * time.Hour,
			convs: rng.IntN(8) + 1, numbers: rng.IntN(8) + 1, dirty: i%2 == 0}
		if i%10 == 0 {
			cfg.span = time.Duration(rng.IntN(20)+1) * time.Minute // dense: bursts and same-second records
		}
		base := bases[rng.IntN(len(bases))]
		recs := gen(rng, base, cfg)
		asOf := base.Add(time.Duration(rng.Int64N(int64(cfg.span + 2*time.Hour))))
		if i%17 == 0 {
			asOf = time.Time{}
		}
		checkAll(t, rng, recs, pols[i%len(pols)], asOf)
		if t.Failed() {
			return
		}
	}
}

// FuzzDerive decodes bytes into records around a working week with a
// holiday and a 调休 Sunday, then checks every property of checkAll.
//
// Layout: byte 0 chooses the policy and the base time, bytes 1–2 the asOf
// offset; then 5 bytes per record: channel+direction, conversation/number,
// customer, and a uint16 offset in units of 11 s (about 8 days).
func FuzzDerive(f *testing.F) {
	f.Add([]byte{0, 0x10, 0x00, 0, 1, 1, 0, 0, 8, 1, 1, 0, 16})
	f.Add([]byte{1, 0xff, 0xff, 0, 1, 1, 0xff, 0xf0, 8, 1, 1, 0xff, 0xf2, 0x21, 3, 0, 0, 10})
	f.Add([]byte{2, 0x20, 0x00, 3, 2, 2, 0, 0, 3, 3, 2, 0, 20, 4, 2, 2, 0, 200, 0x83, 2, 2, 0, 1})
	f.Add([]byte{7, 0x80, 0x00, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 3, 8, 1, 1, 0, 30, 8, 2, 1, 0, 31})
	pols := testPolicies(f)
	bases := []time.Time{at("2025-09-25 08:00"), at("2025-09-30 16:00")}
	channels := []string{ChannelWeChatGroup, ChannelWeChatPrivate, ChannelChat, ChannelPhoneMissed,
		ChannelPhoneOut, ChannelPhoneIn, "visit", ""}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 || len(data) > 3+5*200 {
			return
		}
		p := pols[int(data[0])%len(pols)]
		base := bases[int(data[0]>>4)%len(bases)]
		asOf := base.Add(time.Duration(binary.BigEndian.Uint16(data[1:3])) * 11 * time.Second)
		var recs []Record
		for i, b := 0, data[3:]; len(b) >= 5; i, b = i+1, b[5:] {
			ch := channels[int(b[0])%len(channels)]
			dir := []string{DirectionIn, DirectionOut, DirectionIn, ""}[int(b[0]>>3)%4]
			conv := string(rune('a' + int(b[1])%6))
			if b[1]&0x80 != 0 {
				conv = ""
			}
			cust := ""
			if b[2]%4 != 0 {
				cust = string(rune('A' + int(b[2])%3))
			}
			id := "r" + string(rune('0'+i%50))
			if b[0]&0x80 != 0 && i > 0 {
				id = "r" + string(rune('0'+int(b[1])%i)) // a duplicate id
			}
			recs = append(recs, Record{ID: id, Channel: ch, Direction: dir, Conversation: conv, CustomerID: cust,
				StaffID: string(rune('s' + int(b[2])%3)),
				At:      base.Add(time.Duration(binary.BigEndian.Uint16(b[3:5])) * 11 * time.Second)})
		}
		if data[0]&0x08 != 0 {
			asOf = time.Time{}
		}
		rng := rand.New(rand.NewPCG(uint64(len(data)), uint64(data[0])))
		checkAll(t, rng, recs, p, asOf)
	})
}

// checkNear checks the near-breach events of clocks: one per clock at most,
// dated at its NearAt, never before its start nor after its deadline; every
// breached clock of a rule with a near threshold has one; a clock stopped
// at or before its near moment has none; evidence is the start and stop.
func checkNear(t *testing.T, clocks []Clock, near []Event) {
	t.Helper()
	of := map[string]Event{}
	for _, e := range near {
		if _, dup := of[e.ClockKey()]; dup {
			t.Fatalf("two near-breaches of clock %s", e.ClockKey())
		}
		of[e.ClockKey()] = e
	}
	for _, c := range clocks {
		e, ok := of[c.Key]
		delete(of, c.Key)
		switch {
		case c.State == StateBreached && !c.NearAt.IsZero() && !ok:
			t.Fatalf("breached clock without its near-breach: %+v", c)
		case !ok:
			continue
		case c.NearAt.IsZero():
			t.Fatalf("a near-breach of a clock without a near threshold: %+v", e)
		case !c.Running() && !c.StoppedAt.After(c.NearAt):
			t.Fatalf("a near-breach of a clock stopped at %s, before its near moment %s", fmtT(c.StoppedAt), fmtT(c.NearAt))
		case !e.OccurredAt.Equal(c.NearAt) || e.OccurredAt.Before(c.StartedAt) || e.OccurredAt.After(c.Deadline):
			t.Fatalf("near-breach at %s of a clock %s–%s near %s", fmtT(e.OccurredAt), fmtT(c.StartedAt), fmtT(c.Deadline), fmtT(c.NearAt))
		case e.Quantity != 1 || e.Type != eventType(c.Kind)+NearSuffix || e.Evidence[0] != c.StartID ||
			(c.StopID != "") != (len(e.Evidence) == 2):
			t.Fatalf("near-breach %+v of clock %+v", e, c)
		}
	}
	for k := range of {
		t.Fatalf("a near-breach of no clock: %s", k)
	}
}
