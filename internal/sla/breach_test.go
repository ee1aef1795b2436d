package sla

import (
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

func TestBreaches(t *testing.T) {
	recs := []Record{
		in("a1", day+"10:00:00", "g1"), out("b1", day+"10:03:00", "g1"), // met: no event
		in("a2", day+"10:10:00", "g1"), out("b2", day+"10:13:01", "g1"), // 1 s late → 1 minute
		in("a3", day+"10:20:00", "p2"), out("b3", day+"10:24:00", "p2"), // 60 s late → 1 minute
		chatIn("c1", day+"10:30:00", "s1"), chatOut("c2", day+"10:32:01", "s1"), // 61 s late → 2 minutes
		missed("m1", day+"09:00:00", "13800000001", "c9"), missed("m2", day+"09:10:00", "13800000001", "c9"),
		callBack("o1", day+"10:00:00", "01065550000", "c9"), // 30 min late
		missed("m3", day+"11:00:00", "13900000002", ""),     // open, 29m59s late as of 11:59:59
		in("a4", day+"11:58:00", "g3"),                      // running, no event
	}
	asOf := at(day + "11:59:59")
	cs := Derive(recs, DefaultPolicy(), asOf)
	checkClocks(t, recs, cs, asOf)
	got := Breaches(cs)
	utc := func(s string) time.Time { return at(day + s).UTC() }
	want := []Event{
		{Key: "missed_call|13800000001|m1", Type: EventMissedCallTimeout, OccurredAt: utc("09:30"), Quantity: 30,
			Evidence: []string{"m1", "o1"}, CustomerID: "c9", Channel: ChannelPhoneMissed, Conversation: "13800000001",
			StartedAt: utc("09:00"), StoppedAt: utc("10:00"), Late: 30 * time.Minute, Responder: "s3"},
		{Key: "wechat_response|g1|a2", Type: EventWeChatTimeout, OccurredAt: utc("10:13"), Quantity: 1,
			Evidence: []string{"a2", "b2"}, CustomerID: "c-g1", Channel: ChannelWeChatGroup, Conversation: "g1",
			StartedAt: utc("10:10"), StoppedAt: utc("10:13:01"), Late: time.Second, Responder: "s1"},
		{Key: "wechat_response|p2|a3", Type: EventWeChatTimeout, OccurredAt: utc("10:23"), Quantity: 1,
			Evidence: []string{"a3", "b3"}, CustomerID: "c-p2", Channel: ChannelWeChatPrivate, Conversation: "p2",
			StartedAt: utc("10:20"), StoppedAt: utc("10:24"), Late: time.Minute, Responder: "s1"},
		{Key: "chat_response|s1|c1", Type: EventChatTimeout, OccurredAt: utc("10:31"), Quantity: 2,
			Evidence: []string{"c1", "c2"}, Channel: ChannelChat, Conversation: "s1",
			StartedAt: utc("10:30"), StoppedAt: utc("10:32:01"), Late: 61 * time.Second, Responder: "s2"},
		{Key: "missed_call|13900000002|m3", Type: EventMissedCallTimeout, OccurredAt: utc("11:30"), Quantity: 30,
			Evidence: []string{"m3"}, Channel: ChannelPhoneMissed, Conversation: "13900000002",
			StartedAt: utc("11:00"), Open: true, Late: 29*time.Minute + 59*time.Second},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}

	// The open breach keeps counting, the running clock breaches too; the
	// closed ones do not change.
	later := Breaches(Derive(recs, DefaultPolicy(), at(day+"13:00:00")))
	if len(later) != 6 || later[4].Quantity != 90 || !later[4].Open || later[5].Key != "wechat_response|g3|a4" ||
		later[5].Quantity != 59 || gocmp.Diff(want[:4], later[:4]) != "" {
		t.Fatalf("later: %+v", later)
	}
}

func TestBreachesEdges(t *testing.T) {
	if got := Breaches(nil); got != nil {
		t.Errorf("Breaches(nil) = %v", got)
	}
	cs := []Clock{
		{Key: "x", Kind: "ticket_response", State: StateBreached, Late: time.Hour},      // unknown kind: skipped
		{Key: "r", Kind: KindWeChat, State: StateRunning},                               // not breached
		{Key: "m", Kind: KindWeChat, State: StateMet, StopID: "b"},                      // not breached
		{Key: "z", Kind: KindWeChat, State: StateBreached, StartID: "a", Late: 0},       // hand-made, Late 0: still 1
		{Key: "y", Kind: KindChat, State: StateBreached, StartID: "c", Late: time.Hour}, // same OccurredAt: by Key
	}
	got := Breaches(cs)
	if len(got) != 2 || got[0].Key != "y" || got[1].Key != "z" || got[1].Quantity != 1 || got[0].Quantity != 60 {
		t.Fatalf("got %+v", got)
	}
}

func TestLateMinutes(t *testing.T) {
	for _, tc := range []struct {
		late time.Duration
		want int64
	}{
		{0, 1}, {-time.Second, 1}, {time.Nanosecond, 1}, {time.Second, 1}, {59 * time.Second, 1}, {time.Minute, 1},
		{time.Minute + time.Nanosecond, 2}, {61 * time.Second, 2}, {30 * time.Minute, 30}, {14*time.Hour + 31*time.Minute, 871},
		{1<<63 - 1, 153722868},
	} {
		if got := lateMinutes(tc.late); got != tc.want {
			t.Errorf("lateMinutes(%v) = %d, want %d", tc.late, got, tc.want)
		}
	}
}
