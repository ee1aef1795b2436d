package sla

import (
	"reflect"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestDeadlineCap is the rule book of the deadline cap (package
// documentation): a customer message or missed call joins a running clock
// only at or before that clock's deadline; after it, it opens a clock of its
// own, and the old clock stays open until a reply or call back, which stops
// every running clock it answers. Every case also runs on reordered input
// and through checkClocks and checkCap.
func TestDeadlineCap(t *testing.T) {
	const (
		n1, n2, n9 = "13800000001", "01065550000", "13900000009"
		fri, sat   = "2025-09-19 ", "2025-09-20 " // an ordinary weekend: Monday 09-22 is a working day
		mon, next  = "2025-09-22 ", "2025-09-26 "
	)
	offCalls := DefaultPolicy()
	offCalls.MissedCall.Calendar = office(t)
	offAll := onCalendar(office(t))
	tests := []struct {
		name string
		p    *Policy
		asOf string // "" = day 12:00
		recs []Record
		want []string
		due  map[string]string // start id → deadline (Shanghai), checked when given
	}{
		// The boundary, to the second (24x7: due 10:30:00).
		{"second missed call 29:59 after the first joins", nil, "", []Record{
			missed("m1", day+"10:00:00", n1, "c1"), missed("m2", day+"10:29:59", n1, "c1"), callBack("o1", day+"10:40", n1, "c1"),
		}, []string{"missed_call m1-o1 x2 breached+10m0s"}, nil},
		{"second missed call 30:00 after the first (at the deadline) joins", nil, "", []Record{
			missed("m1", day+"10:00:00", n1, "c1"), missed("m2", day+"10:30:00", n1, "c1"), callBack("o1", day+"10:40", n1, "c1"),
		}, []string{"missed_call m1-o1 x2 breached+10m0s"}, nil},
		{"second missed call 30:01 after the first opens its own clock; one call back stops both", nil, "", []Record{
			missed("m1", day+"10:00:00", n1, "c1"), missed("m2", day+"10:30:01", n1, "c1"), callBack("o1", day+"10:40", n1, "c1"),
		}, []string{"missed_call m1-o1 x1 breached+10m0s", "missed_call m2-o1 x1 met"},
			map[string]string{"m1": day + "10:30:00", "m2": day + "11:00:01"}},
		{"30:01, not called back yet: the old clock breached, the new one running with its own near-breach", nil, day + "10:50:01", []Record{
			missed("m1", day+"10:00:00", n1, "c1"), missed("m2", day+"10:30:01", n1, "c1"),
		}, []string{"missed_call m1- x1 breached+20m1s", "missed_call m2- x1 running near"}, nil},
		{"30:01, never called back: two breaches", nil, day + "11:30", []Record{
			missed("m1", day+"10:00:00", n1, "c1"), missed("m2", day+"10:30:01", n1, "c1"),
		}, []string{"missed_call m1- x1 breached+1h0m0s", "missed_call m2- x1 breached+29m59s"}, nil},

		// A clock never called back does not swallow later calls.
		{"never called back, a call the next day called back in time: old breached to the call back, new met", nil, next + "12:00", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", next+"09:00", n1, "c1"), callBack("o1", next+"09:10", n1, "c1"),
		}, []string{"missed_call m1-o1 x1 breached+22h40m0s", "missed_call m2-o1 x1 met"}, nil},
		{"never called back, a call the next day not yet called back: old breached to asOf, new running", nil, next + "09:10", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", next+"09:00", n1, "c1"),
		}, []string{"missed_call m1- x1 breached+22h40m0s", "missed_call m2- x1 running"}, nil},
		{"the new clock gathers the calls before its own deadline", nil, "", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", day+"10:31", n1, "c1"), missed("m3", day+"10:45", n1, "c1"),
			missed("m4", day+"11:01", n1, "c1"), missed("m5", day+"11:01:01", n1, "c1"), callBack("o1", day+"11:10", n1, "c1"),
		}, []string{"missed_call m1-o1 x1 breached+40m0s", "missed_call m2-o1 x3 breached+9m0s", "missed_call m5-o1 x1 met"}, nil},

		// Call backs by number and by customer.
		{"call back to the number (unmatched) stops both clocks that hold it", nil, "", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", day+"10:45", n1, "c1"), callBack("o1", day+"10:50", n1, ""),
		}, []string{"missed_call m1-o1 x1 breached+20m0s", "missed_call m2-o1 x1 met"}, nil},
		{"call back by customer from another number stops both clocks", nil, "", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", day+"10:45", n2, "c1"), callBack("o1", day+"10:50", n9, "c1"),
		}, []string{"missed_call m1-o1 x1 breached+20m0s", "missed_call m2-o1 x1 met"}, nil},
		{"unmatched caller: both clocks hold the number, one call back stops both", nil, "", []Record{
			missed("m1", day+"10:00", n1, ""), missed("m2", day+"11:00", n1, ""), callBack("o1", day+"11:10", n1, ""),
		}, []string{"missed_call m1-o1 x1 breached+40m0s", "missed_call m2-o1 x1 met"}, nil},
		{"an unmatched call back to the new clock's number does not stop the old clock of the other number", nil, day + "11:00", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", day+"10:45", n2, "c1"), callBack("o1", day+"10:50", n2, ""),
		}, []string{"missed_call m1- x1 breached+30m0s", "missed_call m2-o1 x1 met"}, nil},
		{"a number added to the old clock by an in-time call: a call back to it stops both", nil, "", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", day+"10:10", n2, "c1"), // joins m1, m1 holds n2 too
			missed("m3", day+"10:40", n2, "c1"), callBack("o1", day+"10:45", n2, ""),
		}, []string{"missed_call m1-o1 x2 breached+15m0s", "missed_call m3-o1 x1 met"}, nil},
		{"joins the earliest running clock whose deadline is still ahead, not the earliest running one", nil, "", []Record{
			missed("m1", day+"10:00", n1, "c1"), missed("m2", day+"10:20", n2, "c2"),
			missed("m3", day+"10:35", n1, "c2"), // m1 (by number) is past its deadline, m2 (by customer) is not
			callBack("o1", day+"10:55", n1, ""), // n1: held by m1, and by m2 since m3 joined it
		}, []string{"missed_call m1-o1 x1 breached+25m0s", "missed_call m2-o1 x2 breached+5m0s"}, nil},

		// Business calendar: office hours, missed calls only (Friday 17:20 has
		// 10 minutes of working time left, the rest runs Monday from 08:30).
		{"office: Friday 17:20, a call on Saturday and one on Monday 08:50:00 join; due Monday 08:50", &offCalls, mon + "12:00", []Record{
			missed("m1", fri+"17:20", n1, "c1"), missed("m2", sat+"10:00", n1, "c1"), missed("m3", mon+"08:29", n1, "c1"),
			missed("m4", mon+"08:50:00", n1, "c1"), callBack("o1", mon+"09:00", n1, "c1"),
		}, []string{"missed_call m1-o1 x4 breached+10m0s"}, map[string]string{"m1": mon + "08:50:00"}},
		{"office: a call on Monday 08:50:01 opens its own clock, due 09:20:01", &offCalls, mon + "12:00", []Record{
			missed("m1", fri+"17:20", n1, "c1"), missed("m2", sat+"10:00", n1, "c1"),
			missed("m3", mon+"08:50:01", n1, "c1"), callBack("o1", mon+"09:00", n1, "c1"),
		}, []string{"missed_call m1-o1 x2 breached+10m0s", "missed_call m3-o1 x1 met"},
			map[string]string{"m1": mon + "08:50:00", "m3": mon + "09:20:01"}},
		{"office: Monday 08:50:01, not called back by 09:20:02: both breached", &offCalls, mon + "09:20:02", []Record{
			missed("m1", fri+"17:20", n1, "c1"), missed("m3", mon+"08:50:01", n1, "c1"),
		}, []string{"missed_call m1- x1 breached+30m2s", "missed_call m3- x1 breached+1s"}, nil},
		{"24x7 on the same calls: the Saturday call is long past Friday 17:50 and opens its own clock", nil, mon + "12:00", []Record{
			missed("m1", fri+"17:20", n1, "c1"), missed("m2", sat+"10:00", n1, "c1"), callBack("o1", mon+"09:00", n1, "c1"),
		}, []string{"missed_call m1-o1 x1 breached+63h10m0s", "missed_call m2-o1 x1 breached+46h30m0s"}, nil},

		// WeChat and chat: the same cap.
		{"WeChat: a message 2:59 and 3:00 after the first joins, 3:01 opens a clock; the reply stops both", nil, "", []Record{
			in("a1", day+"10:00:00", "g1"), in("a2", day+"10:02:59", "g1"), in("a3", day+"10:03:00", "g1"),
			in("a4", day+"10:03:01", "g1"), out("b1", day+"10:05", "g1"),
		}, []string{"wechat_response a1-b1 x3 breached+2m0s", "wechat_response a4-b1 x1 met"}, nil},
		{"WeChat: ignored for an hour, the customer writes again: two clocks, two verdicts", nil, "", []Record{
			in("a1", day+"10:00", "p1"), in("a2", day+"11:00", "p1"), out("b1", day+"11:02", "p1"),
		}, []string{"wechat_response a1-b1 x1 breached+59m0s", "wechat_response a2-b1 x1 met"}, nil},
		{"WeChat: the new clock runs and nears its own deadline while the old one is breached", nil, day + "10:07", []Record{
			in("a1", day+"10:00", "g1"), in("a2", day+"10:05", "g1"),
		}, []string{"wechat_response a1- x1 breached+4m0s", "wechat_response a2- x1 running near"}, nil},
		{"WeChat: a chain of late clocks, each joined until its own deadline", nil, "", []Record{
			in("a1", day+"10:00", "g1"), in("a2", day+"10:04", "g1"), in("a3", day+"10:06", "g1"),
			in("a4", day+"10:08", "g1"), out("b1", day+"10:09", "g1"), in("a5", day+"10:10", "g1"),
		}, []string{"wechat_response a1-b1 x1 breached+6m0s", "wechat_response a2-b1 x2 breached+2m0s",
			"wechat_response a4-b1 x1 met", "wechat_response a5- x1 breached+1h47m0s"}, nil},
		{"WeChat: a reply in another conversation stops neither clock", nil, day + "10:10", []Record{
			in("a1", day+"10:00", "g1"), in("a2", day+"10:05", "g1"), out("b1", day+"10:06", "g2"),
		}, []string{"wechat_response a1- x1 breached+7m0s", "wechat_response a2- x1 breached+2m0s"}, nil},
		{"chat: 60 s joins, 61 s opens a clock", nil, "", []Record{
			chatIn("c1", day+"10:00:00", "s1"), chatIn("c2", day+"10:01:00", "s1"), chatIn("c3", day+"10:01:01", "s1"),
			chatOut("d1", day+"10:01:30", "s1"),
		}, []string{"chat_response c1-d1 x2 breached+30s", "chat_response c3-d1 x1 met"}, nil},
		{"WeChat on office hours: Friday 17:29 is due Monday 08:32; Saturday joins, Monday 08:32:01 opens a clock", &offAll, mon + "12:00", []Record{
			in("a1", fri+"17:29", "g1"), in("a2", sat+"10:00", "g1"), in("a3", mon+"08:32:00", "g1"),
			in("a4", mon+"08:32:01", "g1"), out("b1", mon+"08:34", "g1"),
		}, []string{"wechat_response a1-b1 x3 breached+2m0s", "wechat_response a4-b1 x1 met"},
			map[string]string{"a1": mon + "08:32:00", "a4": mon + "08:35:01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			if tc.p != nil {
				p = *tc.p
			}
			asOf := at(day + "12:00")
			if tc.asOf != "" {
				asOf = at(tc.asOf)
			}
			got := Derive(tc.recs, p, asOf)
			if diff := gocmp.Diff(tc.want, summaries(got)); diff != "" {
				t.Fatalf("clocks (-want +got):\n%s", diff)
			}
			for id, due := range tc.due {
				found := false
				for _, c := range got {
					if c.StartID == id {
						found = true
						if !c.Deadline.Equal(at(due)) {
							t.Errorf("%s: due %s, want %s", id, fmtT(c.Deadline), due)
						}
					}
				}
				if !found {
					t.Errorf("no clock starts at %s", id)
				}
			}
			for _, in := range [][]Record{reversed(tc.recs), rotated(tc.recs, 1), rotated(tc.recs, len(tc.recs)/2)} {
				if again := Derive(in, p, asOf); !reflect.DeepEqual(got, again) {
					t.Fatalf("another input order gives other clocks:\n%v\n%v", got, again)
				}
			}
			if diff := gocmp.Diff(naiveDerive(tc.recs, p, asOf), got); diff != "" {
				t.Fatalf("differs from the naive definition (-naive +fast):\n%s", diff)
			}
			checkClocks(t, tc.recs, got, asOf)
			checkCap(t, tc.recs, p, asOf, got)
		})
	}
}

// TestDeadlineCapBreaches: a missed call never called back and the
// customer's call the next day give two breach events, each dated at its own
// deadline, both still open; the call back closes both, the new one on time
// (no event).
func TestDeadlineCapBreaches(t *testing.T) {
	const next = "2025-09-26 "
	recs := []Record{missed("m1", day+"10:00", "13800000001", "c1"), missed("m2", next+"09:00", "13800000001", "c1")}
	evs := Breaches(Derive(recs, DefaultPolicy(), at(next+"09:31")))
	if len(evs) != 2 || evs[0].Key != "missed_call|13800000001|m1" || !evs[0].OccurredAt.Equal(at(day+"10:30")) || !evs[0].Open ||
		evs[1].Key != "missed_call|13800000001|m2" || !evs[1].OccurredAt.Equal(at(next+"09:30")) || !evs[1].Open || evs[1].Quantity != 1 {
		t.Fatalf("events %+v", evs)
	}
	recs = append(recs, callBack("o1", next+"09:25", "13800000001", "c1"))
	evs = Breaches(Derive(recs, DefaultPolicy(), at(next+"09:31")))
	if len(evs) != 1 || evs[0].Key != "missed_call|13800000001|m1" || evs[0].Open ||
		evs[0].Late != 22*time.Hour+55*time.Minute || evs[0].Quantity != 22*60+55 || evs[0].Responder != "s3" {
		t.Fatalf("events after the call back %+v", evs)
	}
}
