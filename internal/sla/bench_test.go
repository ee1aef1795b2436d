package sla

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// The speed target: a month of 100 specialists — 1,000,000 records in about
// 30,000 conversations — derived well under 10 s.

// genMonth builds a month of service-desk traffic: 20,000 WeChat groups and
// private chats, 5,000 chat sessions and 5,000 phone numbers (2,500
// customers with two numbers each). Each episode is a burst of 1–4 customer
// messages (or 1–3 missed calls) answered by one of 100 specialists after a
// random delay, mostly on time; some are answered late and a few never.
func genMonth(rng *rand.Rand, start time.Time, n int) []Record {
	const wechat, chats, numbers, staff = 20_000, 5_000, 5_000, 100
	month := 31 * 24 * time.Hour
	recs := make([]Record, 0, n+8)
	delay := func(limit time.Duration) time.Duration {
		switch x := rng.IntN(100); {
		case x < 80:
			return time.Duration(rng.Int64N(int64(limit)))
		case x < 97:
			return limit + time.Duration(rng.Int64N(int64(4*limit)))
		}
		return -1 // never answered
	}
	for len(recs) < n {
		t := start.Add(time.Duration(rng.Int64N(int64(month))) / time.Second * time.Second)
		id := func() string { return fmt.Sprintf("r%07d", len(recs)) }
		who := fmt.Sprintf("s%02d", rng.IntN(staff))
		switch x := rng.IntN(10); {
		case x < 7: // WeChat or chat
			ch, conv, limit := ChannelWeChatGroup, fmt.Sprintf("g%05d", rng.IntN(wechat)), 3*time.Minute
			if x == 6 {
				ch, conv, limit = ChannelChat, fmt.Sprintf("s%05d", rng.IntN(chats)), time.Minute
			}
			at := t
			for range rng.IntN(4) + 1 {
				recs = append(recs, Record{ID: id(), Channel: ch, Direction: DirectionIn, At: at, Conversation: conv, CustomerID: "c" + conv})
				at = at.Add(time.Duration(rng.IntN(40)) * time.Second)
			}
			if d := delay(limit); d >= 0 {
				recs = append(recs, Record{ID: id(), Channel: ch, Direction: DirectionOut, At: t.Add(d), Conversation: conv, StaffID: who})
			}
		default: // missed calls and the call back, sometimes from the other number
			num := rng.IntN(numbers)
			cust := fmt.Sprintf("c%04d", num/2)
			at := t
			for range rng.IntN(3) + 1 {
				recs = append(recs, Record{ID: id(), Channel: ChannelPhoneMissed, Direction: DirectionIn, At: at,
					Conversation: fmt.Sprintf("n%04d", num), CustomerID: cust})
				at = at.Add(time.Duration(rng.IntN(600)) * time.Second)
			}
			if d := delay(30 * time.Minute); d >= 0 {
				recs = append(recs, Record{ID: id(), Channel: ChannelPhoneOut, Direction: DirectionOut, At: t.Add(d),
					Conversation: fmt.Sprintf("n%04d", num^rng.IntN(2)), CustomerID: cust, StaffID: who})
			}
		}
	}
	return recs[:n]
}

func benchDerive(b *testing.B, p Policy) {
	recs := genMonth(rand.New(rand.NewPCG(7, 7)), at("2026-03-01 00:00"), 1_000_000)
	asOf := at("2026-04-01 00:00")
	b.ReportAllocs()
	var n, breaches int
	for b.Loop() {
		cs := Derive(recs, p, asOf)
		n, breaches = len(cs), len(Breaches(cs))
	}
	b.ReportMetric(float64(n), "clocks")
	b.ReportMetric(float64(breaches), "breaches")
}

func BenchmarkDerive24x7(b *testing.B)   { benchDerive(b, DefaultPolicy()) }
func BenchmarkDeriveOffice(b *testing.B) { benchDerive(b, onCalendar(office(b))) }
