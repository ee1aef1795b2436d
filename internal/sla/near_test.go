package sla

import (
	"slices"
	"testing"
	"time"
)

// TestNearBreaches: a clock unanswered at its near-breach moment is a
// near-breach event dated then, whatever happens after (a reply on time
// after it, a breach, still running); a reply at or before the moment
// leaves none; a rule without a near threshold never has one.
func TestNearBreaches(t *testing.T) {
	off := onCalendar(office(t))
	noNear := DefaultPolicy()
	noNear.WeChat.NearAt = 0
	tests := []struct {
		name     string
		p        Policy
		asOf     string
		recs     []Record
		want     []string // type@near moment (Shanghai) evidence…
		breaches int
	}{
		{"reply at 1:59: neither", DefaultPolicy(), day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1"), out("b", day+"10:01:59", "g1")}, nil, 0},
		{"reply exactly at the near moment: neither", DefaultPolicy(), day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1"), out("b", day+"10:02:00", "g1")}, nil, 0},
		{"reply at 2:01, on time: near only", DefaultPolicy(), day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1"), out("b", day+"10:02:01", "g1")},
			[]string{"wechat_timeout_near@10:02:00 a b"}, 0},
		{"reply at 3:01: near and breach", DefaultPolicy(), day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1"), out("b", day+"10:03:01", "g1")},
			[]string{"wechat_timeout_near@10:02:00 a b"}, 1},
		{"unanswered, breached: near and breach", DefaultPolicy(), day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1")}, []string{"wechat_timeout_near@10:02:00 a"}, 1},
		{"running, one second before the near moment: neither", DefaultPolicy(), day + "10:01:59",
			[]Record{in("a", day+"10:00:00", "g1")}, nil, 0},
		{"running at the near moment: near", DefaultPolicy(), day + "10:02:00",
			[]Record{in("a", day+"10:00:00", "g1")}, []string{"wechat_timeout_near@10:02:00 a"}, 0},
		{"no near threshold: breach only", noNear, day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1")}, nil, 1},
		{"missed call called back at 25 min: near only", DefaultPolicy(), day + "12:00",
			[]Record{missed("m", day+"10:00:00", "13800000001", "c1"), callBack("o", day+"10:25:00", "13800000001", "c1")},
			[]string{"missed_call_timeout_near@10:20:00 m o"}, 0},
		{"chat answered at 41 s: near only", DefaultPolicy(), day + "12:00",
			[]Record{chatIn("c", day+"10:00:00", "s1"), chatOut("d", day+"10:00:41", "s1")},
			[]string{"chat_timeout_near@10:00:40 c d"}, 0},
		{"a burst is one clock: one near", DefaultPolicy(), day + "12:00",
			[]Record{in("a", day+"10:00:00", "g1"), in("a2", day+"10:01:00", "g1"), out("b", day+"10:02:30", "g1")},
			[]string{"wechat_timeout_near@10:02:00 a b"}, 0},
		{"office hours: 17:29 near on Friday, answered 08:31 the 调休 Sunday", off, "2025-09-28 12:00",
			[]Record{in("a", "2025-09-26 17:29:00", "g1"), out("b", "2025-09-28 08:31:30", "g1")},
			[]string{"wechat_timeout_near@2025-09-28 08:31:00 a b"}, 0},
		{"office hours: answered in the evening before the clock ran", off, "2025-09-26 12:00",
			[]Record{in("a", day+"17:59:00", "g1"), out("b", day+"21:00:00", "g1")}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := Derive(tc.recs, tc.p, at(tc.asOf))
			near := NearBreaches(cs)
			var got []string
			for _, e := range near {
				s := e.Type + "@" + e.OccurredAt.In(shanghai).Format(time.TimeOnly)
				if e.OccurredAt.In(shanghai).Format(time.DateOnly) != day[:10] {
					s = e.Type + "@" + e.OccurredAt.In(shanghai).Format(time.DateTime)
				}
				for _, id := range e.Evidence {
					s += " " + id
				}
				got = append(got, s)
				if e.Quantity != 1 || !e.Near() || e.ClockKey() != cs[0].Key || e.Key == cs[0].Key || e.OccurredAt.Before(e.StartedAt) {
					t.Errorf("near event %+v of clock %s", e, cs[0].Key)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("near events %q, want %q", got, tc.want)
			}
			if b := Breaches(cs); len(b) != tc.breaches {
				t.Errorf("%d breaches, want %d", len(b), tc.breaches)
			} else if len(b) > 0 && (b[0].Near() || b[0].ClockKey() != b[0].Key) {
				t.Errorf("breach %+v reads as a near-breach", b[0])
			}
		})
	}
}

func TestNearBreachesEdges(t *testing.T) {
	if got := NearBreaches(nil); got != nil {
		t.Errorf("NearBreaches(nil) = %v", got)
	}
	near := time.Date(2026, 3, 5, 2, 2, 0, 0, time.UTC)
	cs := []Clock{
		{Key: "x", Kind: "ticket_response", State: StateBreached, NearAt: near},        // unknown kind: skipped
		{Key: "r", Kind: KindWeChat, State: StateRunning, NearAt: near},                // running, not yet near
		{Key: "b", Kind: KindWeChat, State: StateBreached},                             // no near threshold
		{Key: "z", Kind: KindChat, State: StateRunning, Near: true, NearAt: near},      // running, near
		{Key: "y", Kind: KindWeChat, State: StateBreached, NearAt: near, StartID: "s"}, // same time: by key
	}
	got := NearBreaches(cs)
	if len(got) != 2 || got[0].Key != "y|near" || got[1].Key != "z|near" || got[1].Type != EventChatNear || !got[1].Open {
		t.Fatalf("got %+v", got)
	}
}
