package sla

import (
	"reflect"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestBusinessCalendar runs the clocks on office hours (08:30–12:00,
// 13:00–17:30, Asia/Shanghai, National Day 2025 off, 调休 Sunday 09-28 and
// Saturday 10-11 on) against 24x7 wall time. 2025-09-25 is a Thursday.
func TestBusinessCalendar(t *testing.T) {
	off := onCalendar(office(t))
	wall := DefaultPolicy()
	utc := func(y, mo, d, h, mi, s int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC) }
	tests := []struct {
		name         string
		p            Policy
		asOf         string
		recs         []Record
		want         string // summary of the only clock
		runs, due    string // RunsFrom and Deadline in Shanghai time
		near         string // NearAt ("" = don't check)
		wantUTCTimes bool
	}{
		{"17:59 on 24x7: due 18:02", wall, "2025-09-26 12:00",
			[]Record{in("a", "2025-09-25 17:59", "g1"), out("b", "2025-09-26 08:33", "g1")},
			"wechat_response a-b x1 breached+14h31m0s", "2025-09-25 17:59", "2025-09-25 18:02", "", false},
		{"17:59 on office hours: starts next working morning, 08:33 on time", off, "2025-09-26 12:00",
			[]Record{in("a", "2025-09-25 17:59", "g1"), out("b", "2025-09-26 08:33", "g1")},
			"wechat_response a-b x1 met", "2025-09-26 08:30", "2025-09-26 08:33", "2025-09-26 08:32", false},
		{"17:59 on office hours: 08:33:01 late", off, "2025-09-26 12:00",
			[]Record{in("a", "2025-09-25 17:59", "g1"), out("b", "2025-09-26 08:33:01", "g1")},
			"wechat_response a-b x1 breached+1s", "2025-09-26 08:30", "2025-09-26 08:33", "", false},
		{"17:59 answered in the evening, before the clock runs", off, "2025-09-26 12:00",
			[]Record{in("a", "2025-09-25 17:59", "g1"), out("b", "2025-09-25 21:00", "g1")},
			"wechat_response a-b x1 met", "2025-09-26 08:30", "2025-09-26 08:33", "", false},
		{"17:59 still unanswered overnight: running, not breached", off, "2025-09-26 08:00",
			[]Record{in("a", "2025-09-25 17:59", "g1")},
			"wechat_response a- x1 running", "2025-09-26 08:30", "2025-09-26 08:33", "", false},
		{"lunch break pauses the clock: 11:59 due 13:02", off, "2025-09-25 14:00",
			[]Record{in("a", "2025-09-25 11:59", "g1"), out("b", "2025-09-25 13:02", "g1")},
			"wechat_response a-b x1 met", "2025-09-25 11:59", "2025-09-25 13:02", "2025-09-25 13:01", false},
		{"lunch break: 13:02:01 late", off, "2025-09-25 14:00",
			[]Record{in("a", "2025-09-25 11:59", "g1"), out("b", "2025-09-25 13:02:01", "g1")},
			"wechat_response a-b x1 breached+1s", "2025-09-25 11:59", "2025-09-25 13:02", "", false},
		{"over lunch on 24x7: 12:05 late", wall, "2025-09-25 14:00",
			[]Record{in("a", "2025-09-25 11:59", "g1"), out("b", "2025-09-25 12:05", "g1")},
			"wechat_response a-b x1 breached+3m0s", "2025-09-25 11:59", "2025-09-25 12:02", "", false},
		{"message during lunch runs from 13:00", off, "2025-09-25 14:00",
			[]Record{in("a", "2025-09-25 12:30", "g1"), out("b", "2025-09-25 13:04", "g1")},
			"wechat_response a-b x1 breached+1m0s", "2025-09-25 13:00", "2025-09-25 13:03", "", false},
		{"Friday 17:29 → 调休 Sunday 08:32", off, "2025-09-28 12:00",
			[]Record{in("a", "2025-09-26 17:29", "g1"), out("b", "2025-09-28 08:32", "g1")},
			"wechat_response a-b x1 met", "2025-09-26 17:29", "2025-09-28 08:32", "", false},
		{"Friday 17:29, still open on Saturday: running", off, "2025-09-27 23:00",
			[]Record{in("a", "2025-09-26 17:29", "g1")},
			"wechat_response a- x1 running", "2025-09-26 17:29", "2025-09-28 08:32", "2025-09-28 08:31", false},
		{"Friday 17:29, near-breach on 调休 Sunday 08:31", off, "2025-09-28 08:31",
			[]Record{in("a", "2025-09-26 17:29", "g1")},
			"wechat_response a- x1 running near", "2025-09-26 17:29", "2025-09-28 08:32", "2025-09-28 08:31", false},
		{"an ordinary Saturday is not working time", off, "2025-09-22 12:00",
			[]Record{in("a", "2025-09-20 10:00", "g1"), out("b", "2025-09-22 08:33", "g1")},
			"wechat_response a-b x1 met", "2025-09-22 08:30", "2025-09-22 08:33", "", false},
		{"a 调休 Saturday is a working day", off, "2025-10-11 12:00",
			[]Record{in("a", "2025-10-11 10:00", "g1"), out("b", "2025-10-11 10:04", "g1")},
			"wechat_response a-b x1 breached+1m0s", "2025-10-11 10:00", "2025-10-11 10:03", "", false},
		{"a holiday is not: National Day waits for 10-09", off, "2025-10-05 12:00",
			[]Record{in("a", "2025-10-01 10:00", "g1")},
			"wechat_response a- x1 running", "2025-10-09 08:30", "2025-10-09 08:33", "", false},
		{"a holiday on 24x7 counts", wall, "2025-10-05 12:00",
			[]Record{in("a", "2025-10-01 10:00", "g1")},
			"wechat_response a- x1 breached+97h57m0s", "2025-10-01 10:00", "2025-10-01 10:03", "", false},
		{"missed call Friday 17:15: 15 min Friday + 15 min 调休 Sunday", off, "2025-09-28 12:00",
			[]Record{missed("m", "2025-09-26 17:15", "13800000001", "c1"), callBack("o", "2025-09-28 08:46", "13800000001", "c1")},
			"missed_call m-o x1 breached+1m0s", "2025-09-26 17:15", "2025-09-28 08:45", "2025-09-28 08:35", false},
		{"missed call Friday 17:15 called back on Saturday", off, "2025-09-28 12:00",
			[]Record{missed("m", "2025-09-26 17:15", "13800000001", "c1"), callBack("o", "2025-09-27 10:00", "13800000001", "c1")},
			"missed_call m-o x1 met", "2025-09-26 17:15", "2025-09-28 08:45", "", false},
		{"chat at 17:29:30 runs into the next morning", off, "2025-09-26 12:00",
			[]Record{chatIn("a", "2025-09-25 17:29:30", "s1"), chatOut("b", "2025-09-26 08:30:30", "s1")},
			"chat_response a-b x1 met", "2025-09-25 17:29:30", "2025-09-26 08:30:30", "", false},
		{"24x7 across midnight", wall, "2025-09-26 12:00",
			[]Record{in("a", "2025-09-25 23:59", "g1"), out("b", "2025-09-26 00:02", "g1")},
			"wechat_response a-b x1 met", "2025-09-25 23:59", "2025-09-26 00:02", "", false},
		{"records in UTC, calendar in Asia/Shanghai (09:59 UTC = 17:59)", off, "2025-09-26 12:00",
			[]Record{
				{ID: "a", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: utc(2025, 9, 25, 9, 59, 0), Conversation: "g1"},
				{ID: "b", Channel: ChannelWeChatGroup, Direction: DirectionOut, At: utc(2025, 9, 26, 0, 33, 0), Conversation: "g1"},
			},
			"wechat_response a-b x1 met", "2025-09-26 08:30", "2025-09-26 08:33", "", true},
		{"records in UTC, calendar in Asia/Shanghai: 00:33:01 UTC late", off, "2025-09-26 12:00",
			[]Record{
				{ID: "a", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: utc(2025, 9, 25, 9, 59, 0), Conversation: "g1"},
				{ID: "b", Channel: ChannelWeChatGroup, Direction: DirectionOut, At: utc(2025, 9, 26, 0, 33, 1), Conversation: "g1"},
			},
			"wechat_response a-b x1 breached+1s", "2025-09-26 08:30", "2025-09-26 08:33", "", true},
		{"records in UTC inside office hours (02:00 UTC = 10:00)", off, "2025-09-26 12:00",
			[]Record{
				{ID: "a", Channel: ChannelWeChatGroup, Direction: DirectionIn, At: utc(2025, 9, 25, 2, 0, 0), Conversation: "g1"},
				{ID: "b", Channel: ChannelWeChatGroup, Direction: DirectionOut, At: utc(2025, 9, 25, 2, 3, 0).In(time.FixedZone("UTC-5", -5*3600)), Conversation: "g1"},
			},
			"wechat_response a-b x1 met", "2025-09-25 10:00", "2025-09-25 10:03", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			asOf := at(tc.asOf)
			got := Derive(tc.recs, tc.p, asOf)
			if len(got) != 1 {
				t.Fatalf("got %d clocks: %v", len(got), summaries(got))
			}
			c := got[0]
			if s := summary(c); s != tc.want {
				t.Errorf("clock %q, want %q", s, tc.want)
			}
			if !c.RunsFrom.Equal(at(tc.runs)) || !c.Deadline.Equal(at(tc.due)) {
				t.Errorf("runs from %s, due %s; want %s, %s", fmtT(c.RunsFrom), fmtT(c.Deadline), tc.runs, tc.due)
			}
			if tc.near != "" && !c.NearAt.Equal(at(tc.near)) {
				t.Errorf("near at %s, want %s", fmtT(c.NearAt), tc.near)
			}
			if again := Derive(reversed(tc.recs), tc.p, asOf.UTC()); !reflect.DeepEqual(got, again) {
				t.Errorf("reversed input or asOf in UTC changes the result:\n%v\n%v", got, again)
			}
			checkClocks(t, tc.recs, got, asOf)
		})
	}
}

// TestAllDayCalendar: an AllDay (24x7) calendar gives the same clocks as no
// calendar at all.
func TestAllDayCalendar(t *testing.T) {
	recs := []Record{
		in("a1", "2025-09-25 17:59", "g1"), out("b1", "2025-09-26 08:33", "g1"),
		in("a2", "2025-10-01 11:59", "p2"), out("b2", "2025-10-01 12:01", "p2"), in("a3", "2025-10-01 23:59:30", "p2"),
		chatIn("c1", "2025-09-27 12:00", "s1"), chatOut("c2", "2025-09-27 12:01:01", "s1"),
		missed("m1", "2025-09-26 17:15", "13800000001", "c1"), callBack("o1", "2025-09-26 17:50", "13800000001", "c1"),
	}
	asOf := at("2025-10-02 00:02:00")
	wall, all := Derive(recs, DefaultPolicy(), asOf), Derive(recs, onCalendar(allDay(t)), asOf)
	if diff := gocmp.Diff(wall, all); diff != "" {
		t.Fatalf("AllDay differs from 24x7 (-wall +allday):\n%s", diff)
	}
	want := []string{
		"wechat_response a1-b1 x1 breached+14h31m0s", "missed_call m1-o1 x1 breached+5m0s",
		"chat_response c1-c2 x1 breached+1s", "wechat_response a2-b2 x1 met", "wechat_response a3- x1 running near",
	}
	if diff := gocmp.Diff(want, summaries(wall)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// TestMixedCalendars: each rule runs on its own calendar.
func TestMixedCalendars(t *testing.T) {
	p := DefaultPolicy()
	p.WeChat.Calendar = office(t) // WeChat on office hours, calls 24x7
	recs := []Record{
		in("a1", "2025-09-25 17:59", "g1"), out("b1", "2025-09-26 08:33", "g1"),
		missed("m1", "2025-09-25 17:59", "13800000001", "c1"), callBack("o1", "2025-09-26 08:33", "13800000001", "c1"),
	}
	got := summaries(Derive(recs, p, at("2025-09-26 12:00")))
	want := []string{"missed_call m1-o1 x1 breached+14h4m0s", "wechat_response a1-b1 x1 met"}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
