package sla

import (
	"reflect"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestDerive is the rule book on 24x7 wall time (the default policy: WeChat
// 3 min, missed call 30 min, chat 60 s). Every case also runs on the reversed
// and rotated input, which must give the same clocks.
func TestDerive(t *testing.T) {
	tests := []struct {
		name string
		asOf string // "" = day 12:00
		p    *Policy
		recs []Record
		want []string
	}{
		// WeChat.
		{"burst of three, one reply: one clock from the first", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), in("a2", day+"10:00:40", "g1"), in("a3", day+"10:01:30", "g1"),
			out("b1", day+"10:02:50", "g1"),
		}, []string{"wechat_response a1-b1 x3 met"}},
		{"burst: the clock runs from the first, not the last", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), in("a2", day+"10:02:30", "g1"), out("b1", day+"10:04:00", "g1"),
		}, []string{"wechat_response a1-b1 x2 breached+1m0s"}},
		{"reply exactly at 3:00 is on time", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:03:00", "g1"),
		}, []string{"wechat_response a1-b1 x1 met"}},
		{"reply at 3:01 is late by 1 s", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:03:01", "g1"),
		}, []string{"wechat_response a1-b1 x1 breached+1s"}},
		{"private chat: 3:00 on time, 3:01 late", "", nil, []Record{
			in("a1", day+"10:00:00", "p1"), out("b1", day+"10:03:00", "p1"),
			in("a2", day+"11:00:00", "p1"), out("b2", day+"11:03:01", "p1"),
		}, []string{"wechat_response a1-b1 x1 met", "wechat_response a2-b2 x1 breached+1s"}},
		{"reply in another conversation does not stop the clock", day + "10:30", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:01:00", "g2"),
		}, []string{"wechat_response a1- x1 breached+27m0s"}},
		{"a group and a private chat with the same id do not answer each other", day + "10:30", nil, []Record{
			in("a1", day+"10:00:00", "x"),
			{ID: "b1", Channel: ChannelWeChatPrivate, Direction: DirectionOut, At: at(day + "10:01"), Conversation: "x"},
		}, []string{"wechat_response a1- x1 breached+27m0s"}},
		{"staff message with nothing to answer: no clock", day + "18:00", nil, []Record{
			out("b1", day+"10:00:00", "g1"), out("b2", day+"10:05:00", "g1"),
		}, nil},
		{"a staff message before the customer's does not answer it", day + "10:10", nil, []Record{
			out("b1", day+"09:59:59", "g1"), in("a1", day+"10:00:00", "g1"),
		}, []string{"wechat_response a1- x1 breached+7m0s"}},
		{"only the next staff message stops; later ones do nothing", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:01:00", "g1"), out("b2", day+"10:02:00", "g1"),
		}, []string{"wechat_response a1-b1 x1 met"}},
		{"a new message after the reply opens a new clock", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:01:00", "g1"),
			in("a2", day+"10:02:00", "g1"), in("a3", day+"10:03:00", "g1"), out("b2", day+"10:10:00", "g1"),
		}, []string{"wechat_response a1-b1 x1 met", "wechat_response a2-b2 x2 breached+5m0s"}},
		{"overlapping conversations run their own clocks", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), in("c1", day+"10:01:00", "g2"), in("d1", day+"10:01:30", "p3"),
			out("b1", day+"10:02:00", "g1"), in("a2", day+"10:02:30", "g1"),
			out("c2", day+"10:05:00", "g2"), out("b2", day+"10:05:30", "g1"), out("d2", day+"10:04:30", "p3"),
		}, []string{
			"wechat_response a1-b1 x1 met", "wechat_response c1-c2 x1 breached+1m0s",
			"wechat_response d1-d2 x1 met", "wechat_response a2-b2 x1 met",
		}},
		{"reply in the same second answers (customer side first)", "", nil, []Record{
			// By ID alone "0-reply" would sort before "z-question".
			in("z-question", day+"10:00:00", "g1"), out("0-reply", day+"10:00:00", "g1"),
		}, []string{"wechat_response z-question-0-reply x1 met"}},
		{"unknown direction and missing conversation are ignored", day + "11:00", nil, []Record{
			{ID: "a1", Channel: ChannelWeChatGroup, Direction: "", At: at(day + "10:00"), Conversation: "g1"},
			{ID: "a2", Channel: ChannelWeChatGroup, Direction: "sideways", At: at(day + "10:00"), Conversation: "g1"},
			{ID: "a3", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: at(day + "10:00")},
		}, nil},
		{"other channels do not open or stop a WeChat clock", day + "10:30", nil, []Record{
			in("a1", day+"10:00:00", "g1"),
			{ID: "v1", Channel: "visit", Direction: DirectionOut, At: at(day + "10:01"), Conversation: "g1", CustomerID: "c-g1"},
			{ID: "s1", Channel: "sms", Direction: DirectionOut, At: at(day + "10:01"), Conversation: "g1", CustomerID: "c-g1"},
			callBack("o1", day+"10:01", "g1", "c-g1"),
			{ID: "e1", Channel: "email", Direction: DirectionIn, At: at(day + "10:02"), Conversation: "g9"},
		}, []string{"wechat_response a1- x1 breached+27m0s"}},

		// Online chat, 60 s.
		{"chat: 60 s on time, 61 s late", "", nil, []Record{
			chatIn("a1", day+"10:00:00", "s1"), chatOut("b1", day+"10:01:00", "s1"),
			chatIn("a2", day+"10:10:00", "s1"), chatIn("a3", day+"10:10:20", "s1"), chatOut("b2", day+"10:11:01", "s1"),
		}, []string{"chat_response a1-b1 x1 met", "chat_response a2-b2 x2 breached+1s"}},
		{"chat and WeChat with the same id are different conversations", day + "10:05", nil, []Record{
			chatIn("a1", day+"10:00:00", "g1"), out("b1", day+"10:00:10", "g1"),
		}, []string{"chat_response a1- x1 breached+4m0s"}},

		// Missed calls, 30 min.
		{"missed call, call back to the same number at 30:00", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), callBack("o1", day+"10:30:00", "13800000001", "c1"),
		}, []string{"missed_call m1-o1 x1 met"}},
		{"missed call, call back at 30:01", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), callBack("o1", day+"10:30:01", "13800000001", "c1"),
		}, []string{"missed_call m1-o1 x1 breached+1s"}},
		{"call back to the number of an unmatched caller", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", ""), callBack("o1", day+"10:10:00", "13800000001", ""),
		}, []string{"missed_call m1-o1 x1 met"}},
		{"call back to another number of the same customer", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), callBack("o1", day+"10:10:00", "01065550000", "c1"),
		}, []string{"missed_call m1-o1 x1 met"}},
		{"call back to another customer's number does not count", day + "11:00", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), callBack("o1", day+"10:10:00", "13900000002", "c2"),
		}, []string{"missed_call m1- x1 breached+30m0s"}},
		{"call back to another number of an unmatched caller does not count", day + "11:00", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", ""), callBack("o1", day+"10:10:00", "13900000002", ""),
		}, []string{"missed_call m1- x1 breached+30m0s"}},
		{"an answered inbound call does not stop the clock", day + "11:00", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), answered("i1", day+"10:05:00", "13800000001", "c1"),
		}, []string{"missed_call m1- x1 breached+30m0s"}},
		{"an answered inbound call, then a late call back", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), answered("i1", day+"10:05:00", "13800000001", "c1"),
			callBack("o1", day+"10:50:00", "13800000001", "c1"),
		}, []string{"missed_call m1-o1 x1 breached+20m0s"}},
		{"a WeChat reply or an SMS is not a call back", day + "11:00", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"),
			{ID: "w1", Channel: ChannelWeChatPrivate, Direction: DirectionOut, At: at(day + "10:01"), Conversation: "13800000001", CustomerID: "c1"},
			{ID: "s1", Channel: "sms", Direction: DirectionOut, At: at(day + "10:01"), Conversation: "13800000001", CustomerID: "c1"},
		}, []string{"missed_call m1- x1 breached+30m0s"}},
		{"several missed calls before the call back: one clock from the first", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), missed("m2", day+"10:05:00", "13800000001", "c1"),
			missed("m3", day+"10:20:00", "13800000001", "c1"), callBack("o1", day+"10:40:00", "13800000001", "c1"),
		}, []string{"missed_call m1-o1 x3 breached+10m0s"}},
		{"missed calls from two numbers of one customer: one clock, either call back stops it", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), missed("m2", day+"10:05:00", "01065550000", "c1"),
			callBack("o1", day+"10:20:00", "01065550000", "c1"),
		}, []string{"missed_call m1-o1 x2 met"}},
		{"a later missed call brings its number into the clock", "", nil, []Record{
			// m2 joins m1 through the customer; o1 calls the number of m2 and is
			// recorded unmatched: it still stops the clock.
			missed("m1", day+"10:00:00", "13800000001", "c1"), missed("m2", day+"10:05:00", "01065550000", "c1"),
			callBack("o1", day+"10:20:00", "01065550000", ""),
		}, []string{"missed_call m1-o1 x2 met"}},
		{"missed calls of two customers: two clocks, one call back each", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), missed("m2", day+"10:01:00", "13900000002", "c2"),
			callBack("o1", day+"10:10:00", "13900000002", "c2"), callBack("o2", day+"10:45:00", "13800000001", "c1"),
		}, []string{"missed_call m1-o2 x1 breached+15m0s", "missed_call m2-o1 x1 met"}},
		{"a call back before the missed call does not count", day + "11:00", nil, []Record{
			callBack("o1", day+"09:50:00", "13800000001", "c1"), missed("m1", day+"10:00:00", "13800000001", "c1"),
		}, []string{"missed_call m1- x1 breached+30m0s"}},
		{"call back in the same second as the missed call", "", nil, []Record{
			missed("z1", day+"10:00:00", "13800000001", "c1"), callBack("a1", day+"10:00:00", "13800000001", "c1"),
		}, []string{"missed_call z1-a1 x1 met"}},
		{"an unanswered call-back attempt (outbound phone_missed) counts", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"),
			{ID: "o1", Channel: ChannelPhoneMissed, Direction: DirectionOut, At: at(day + "10:12"), Conversation: "13800000001", CustomerID: "c1", StaffID: "s3"},
		}, []string{"missed_call m1-o1 x1 met"}},
		{"missed call from a hidden number of a known customer", "", nil, []Record{
			missed("m1", day+"10:00:00", "", "c1"), callBack("o1", day+"10:31:00", "13800000001", "c1"),
		}, []string{"missed_call m1-o1 x1 breached+1m0s"}},
		{"a missed call with neither number nor customer is ignored", day + "11:00", nil, []Record{
			missed("m1", day+"10:00:00", "", ""),
		}, nil},
		{"a new missed call after the call back opens a new clock", "", nil, []Record{
			missed("m1", day+"10:00:00", "13800000001", "c1"), callBack("o1", day+"10:10:00", "13800000001", "c1"),
			missed("m2", day+"10:11:00", "13800000001", "c1"), callBack("o2", day+"10:42:00", "13800000001", "c1"),
		}, []string{"missed_call m1-o1 x1 met", "missed_call m2-o2 x1 breached+1m0s"}},

		// As of.
		{"running clock mid-way", day + "10:15", nil, []Record{missed("m1", day+"10:00", "13800000001", "c1")},
			[]string{"missed_call m1- x1 running"}},
		{"running clock past its near-breach time", day + "10:20", nil, []Record{missed("m1", day+"10:00", "13800000001", "c1")},
			[]string{"missed_call m1- x1 running near"}},
		{"running clock at its deadline is not breached yet", day + "10:30", nil, []Record{missed("m1", day+"10:00", "13800000001", "c1")},
			[]string{"missed_call m1- x1 running near"}},
		{"one second past the deadline: breached and still open", day + "10:30:01", nil, []Record{missed("m1", day+"10:00", "13800000001", "c1")},
			[]string{"missed_call m1- x1 breached+1s"}},
		{"records after asOf are ignored", day + "10:02", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:02:01", "g1"), in("a2", day+"10:02:30", "g2"),
		}, []string{"wechat_response a1- x1 running near"}},
		{"a record exactly at asOf counts", day + "10:02:01", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:02:01", "g1"),
		}, []string{"wechat_response a1-b1 x1 met"}},
		{"zero asOf: as of the latest record", "zero", nil, []Record{
			in("a1", day+"10:00:00", "g1"), {ID: "v1", Channel: "visit", At: at(day + "10:05")},
		}, []string{"wechat_response a1- x1 breached+2m0s"}},

		// Record hygiene.
		{"an exact duplicate is one record", "", nil, []Record{
			in("a1", day+"10:00:00", "g1"), in("a1", day+"10:00:00", "g1"), out("b1", day+"10:01:00", "g1"), out("b1", day+"10:01:00", "g1"),
		}, []string{"wechat_response a1-b1 x1 met"}},
		{"one id for two records: the earlier is kept", day + "10:10", nil, []Record{
			in("a1", day+"10:00:00", "g1"), out("a1", day+"10:01:00", "g1"),
		}, []string{"wechat_response a1- x1 breached+7m0s"}},
		{"one id at the same time: kept by channel, direction, … (in < out)", day + "10:10", nil, []Record{
			out("a1", day+"10:00:00", "g1"), in("a1", day+"10:00:00", "g1"),
		}, []string{"wechat_response a1- x1 breached+7m0s"}},
		{"records without id or time are ignored", day + "10:10", nil, []Record{
			in("", day+"10:00:00", "g1"), {ID: "a2", Channel: ChannelWeChatGroup, Direction: DirectionIn, Conversation: "g1"},
		}, nil},
		{"unsorted input", "", nil, []Record{
			out("b2", day+"10:10:00", "g1"), in("a3", day+"10:03:00", "g1"), out("b1", day+"10:01:00", "g1"),
			in("a1", day+"10:00:00", "g1"), in("a2", day+"10:02:00", "g1"),
		}, []string{"wechat_response a1-b1 x1 met", "wechat_response a2-b2 x2 breached+5m0s"}},

		// Policy.
		{"a zero limit disables a rule", day + "11:00", &Policy{MissedCall: DefaultPolicy().MissedCall}, []Record{
			in("a1", day+"10:00:00", "g1"), chatIn("c1", day+"10:00:00", "s1"), missed("m1", day+"10:00", "13800000001", "c1"),
		}, []string{"missed_call m1- x1 breached+30m0s"}},
		{"a custom limit", "", &Policy{WeChat: Rule{Limit: 5 * time.Minute}}, []Record{
			in("a1", day+"10:00:00", "g1"), out("b1", day+"10:04:00", "g1"),
		}, []string{"wechat_response a1-b1 x1 met"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			if tc.p != nil {
				p = *tc.p
			}
			var asOf time.Time
			switch tc.asOf {
			case "":
				asOf = at(day + "12:00")
			case "zero":
			default:
				asOf = at(tc.asOf)
			}
			got := Derive(tc.recs, p, asOf)
			if diff := gocmp.Diff(tc.want, summaries(got)); diff != "" {
				t.Fatalf("clocks (-want +got):\n%s", diff)
			}
			for _, in := range [][]Record{reversed(tc.recs), rotated(tc.recs, 1), rotated(tc.recs, len(tc.recs)/2)} {
				if again := Derive(in, p, asOf); !reflect.DeepEqual(got, again) {
					t.Fatalf("another input order gives other clocks:\n%v\n%v", got, again)
				}
			}
			if asOf.IsZero() {
				for _, r := range tc.recs {
					if r.At.After(asOf) {
						asOf = r.At
					}
				}
			}
			checkClocks(t, tc.recs, got, asOf)
		})
	}
}

// TestClockFields checks every field of a few clocks.
func TestClockFields(t *testing.T) {
	recs := []Record{
		in("a1", day+"10:00:00", "g1"), {ID: "a2", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: at(day + "10:00:30"), Conversation: "g1"},
		out("b1", day+"10:03:05", "g1"),
		missed("m1", day+"10:00:00", "13800000001", ""), missed("m2", day+"10:04:00", "13800000001", "c7"),
		chatIn("h1", day+"10:06:00", "s9"),
	}
	asOf := at(day + "10:06:50")
	got := Derive(recs, DefaultPolicy(), asOf)
	utc := func(s string) time.Time { return at(s).UTC() }
	want := []Clock{
		{Key: "missed_call|13800000001|m1", Kind: KindMissedCall, Channel: ChannelPhoneMissed, Conversation: "13800000001",
			CustomerID: "c7", StartID: "m1", Covered: 2, StartedAt: utc(day + "10:00"), RunsFrom: utc(day + "10:00"),
			Deadline: utc(day + "10:30"), NearAt: utc(day + "10:20"), State: StateRunning},
		{Key: "wechat_response|g1|a1", Kind: KindWeChat, Channel: ChannelWeChatGroup, Conversation: "g1", CustomerID: "c-g1",
			StartID: "a1", StopID: "b1", Covered: 2, StartedAt: utc(day + "10:00"), RunsFrom: utc(day + "10:00"),
			Deadline: utc(day + "10:03"), NearAt: utc(day + "10:02"), StoppedAt: utc(day + "10:03:05"),
			State: StateBreached, Late: 5 * time.Second, Responder: "s1"},
		{Key: "chat_response|s9|h1", Kind: KindChat, Channel: ChannelChat, Conversation: "s9", StartID: "h1", Covered: 1,
			StartedAt: utc(day + "10:06"), RunsFrom: utc(day + "10:06"), Deadline: utc(day + "10:07"), NearAt: utc(day + "10:06:40"),
			State: StateRunning, Near: true},
	}
	if !reflect.DeepEqual(want, got) { // DeepEqual: the times must be UTC too
		t.Fatalf("clocks (-want +got):\n%s", gocmp.Diff(want, got))
	}
	if !got[0].Running() || got[1].Running() {
		t.Error("Running() wrong")
	}
}

// TestNearAt checks the near-breach threshold's edge cases.
func TestNearAt(t *testing.T) {
	recs := []Record{in("a1", day+"10:00:00", "g1")}
	for _, tc := range []struct {
		near     time.Duration
		asOf     string
		wantNear string // "" = zero
		near0    bool
	}{
		{2 * time.Minute, day + "10:01:59", day + "10:02:00", false},
		{2 * time.Minute, day + "10:02:00", day + "10:02:00", true},
		{2 * time.Minute, day + "10:03:00", day + "10:02:00", true},
		{2 * time.Minute, day + "10:03:01", day + "10:02:00", false}, // breached, no longer "near"
		{0, day + "10:02:30", "", false},
		{-time.Minute, day + "10:02:30", "", false},
		{3 * time.Minute, day + "10:02:30", "", false}, // NearAt >= Limit: none
		{time.Second, day + "10:00:01", day + "10:00:01", true},
	} {
		p := Policy{WeChat: Rule{Limit: 3 * time.Minute, NearAt: tc.near}}
		c := Derive(recs, p, at(tc.asOf))[0]
		want := time.Time{}
		if tc.wantNear != "" {
			want = at(tc.wantNear).UTC()
		}
		if c.NearAt != want || c.Near != tc.near0 {
			t.Errorf("NearAt %v as of %s: NearAt %s near %v, want %s %v", tc.near, tc.asOf, fmtT(c.NearAt), c.Near, fmtT(want), tc.near0)
		}
	}
}

// checkClocks checks the invariants every result of Derive has.
func checkClocks(t *testing.T, recs []Record, cs []Clock, asOf time.Time) {
	t.Helper()
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.ID] = true
	}
	keys := map[string]bool{}
	for i, c := range cs {
		if keys[c.Key] {
			t.Fatalf("duplicate key %s", c.Key)
		}
		keys[c.Key] = true
		if i > 0 && (cs[i-1].StartedAt.After(c.StartedAt) || cs[i-1].StartedAt.Equal(c.StartedAt) && cs[i-1].Key > c.Key) {
			t.Fatalf("clocks not sorted at %d", i)
		}
		for _, tm := range []time.Time{c.StartedAt, c.RunsFrom, c.Deadline, c.NearAt, c.StoppedAt} {
			if tm.Location() != time.UTC {
				t.Fatalf("%s: time %v not UTC", c.Key, tm)
			}
		}
		if c.StartID == "" || !ids[c.StartID] || c.StopID != "" && !ids[c.StopID] || c.Covered < 1 {
			t.Fatalf("%s: bad evidence %+v", c.Key, c)
		}
		if c.RunsFrom.Before(c.StartedAt) || !c.Deadline.After(c.RunsFrom) || c.Deadline.Before(c.StartedAt) {
			t.Fatalf("%s: start %s, runs from %s, deadline %s", c.Key, fmtT(c.StartedAt), fmtT(c.RunsFrom), fmtT(c.Deadline))
		}
		if !c.NearAt.IsZero() && (c.NearAt.Before(c.RunsFrom) || !c.NearAt.Before(c.Deadline)) {
			t.Fatalf("%s: near %s outside [%s, %s)", c.Key, fmtT(c.NearAt), fmtT(c.RunsFrom), fmtT(c.Deadline))
		}
		if c.StartedAt.After(asOf) || !c.StoppedAt.IsZero() && (c.StoppedAt.Before(c.StartedAt) || c.StoppedAt.After(asOf)) {
			t.Fatalf("%s: started %s stopped %s as of %s", c.Key, fmtT(c.StartedAt), fmtT(c.StoppedAt), fmtT(asOf))
		}
		if c.Running() != c.StoppedAt.IsZero() || c.Running() && c.Responder != "" {
			t.Fatalf("%s: stop fields inconsistent %+v", c.Key, c)
		}
		end := c.StoppedAt
		if c.Running() {
			end = asOf
		}
		switch c.State {
		case StateMet:
			if c.Running() || c.StoppedAt.After(c.Deadline) || c.Late != 0 || c.Near {
				t.Fatalf("%s: met but %+v", c.Key, c)
			}
		case StateRunning:
			if !c.Running() || asOf.After(c.Deadline) || c.Late != 0 || c.Near != (!c.NearAt.IsZero() && !asOf.Before(c.NearAt)) {
				t.Fatalf("%s: running but %+v", c.Key, c)
			}
		case StateBreached:
			if !end.After(c.Deadline) || c.Late != end.Sub(c.Deadline) || c.Near {
				t.Fatalf("%s: breached but %+v", c.Key, c)
			}
		default:
			t.Fatalf("%s: state %q", c.Key, c.State)
		}
	}
	// Breaches: one event per breached clock, dated at its deadline.
	evs := Breaches(cs)
	n := 0
	for _, c := range cs {
		if c.State == StateBreached {
			n++
		}
	}
	if len(evs) != n {
		t.Fatalf("%d events for %d breached clocks", len(evs), n)
	}
	for i, e := range evs {
		if i > 0 && (evs[i-1].OccurredAt.After(e.OccurredAt) || evs[i-1].OccurredAt.Equal(e.OccurredAt) && evs[i-1].Key >= e.Key) {
			t.Fatalf("events not sorted at %d", i)
		}
		j := slices.IndexFunc(cs, func(c Clock) bool { return c.Key == e.Key })
		c := cs[j]
		if e.OccurredAt != c.Deadline || e.OccurredAt.Before(c.StartedAt) || e.Quantity < 1 ||
			time.Duration(e.Quantity)*time.Minute < c.Late || time.Duration(e.Quantity-1)*time.Minute >= c.Late ||
			e.Evidence[0] != c.StartID || (len(e.Evidence) == 2) != (c.StopID != "") || e.Open != c.Running() {
			t.Fatalf("event %+v for clock %+v", e, c)
		}
	}
}

// TestCustomerID: a clock carries the first customer known among the records
// it covers; a missed-call clock is stopped by a call back to any of them.
func TestCustomerID(t *testing.T) {
	recs := []Record{
		{ID: "a1", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: at(day + "10:00"), Conversation: "g1"},
		{ID: "a2", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: at(day + "10:00:10"), Conversation: "g1", CustomerID: "cA"},
		{ID: "a3", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: at(day + "10:00:20"), Conversation: "g1", CustomerID: "cB"},
		// A switchboard number shared by two customers.
		missed("m1", day+"10:00", "01065550000", "cA"), missed("m2", day+"10:01", "01065550000", "cB"),
		callBack("o1", day+"10:20", "13900000009", "cB"),
	}
	got := Derive(recs, DefaultPolicy(), at(day+"12:00"))
	if len(got) != 2 || got[0].StartID != "m1" || got[0].CustomerID != "cA" || got[0].StopID != "o1" || got[0].Covered != 2 ||
		got[1].StartID != "a1" || got[1].CustomerID != "cA" || got[1].Covered != 3 {
		t.Fatalf("got %+v", got)
	}
}
