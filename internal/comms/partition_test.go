package comms

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/sla"
)

// randomRecords makes records of few conversations, numbers and customers,
// so that calls link numbers through customers and back: missed calls,
// call backs from other numbers or by customer only, group messages,
// answers, answered calls.
func randomRecords(rng *rand.Rand, n int) []sla.Record {
	t0 := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	out := make([]sla.Record, n)
	for i := range out {
		r := sla.Record{ID: fmt.Sprintf("r%05d", i), At: t0.Add(time.Duration(rng.IntN(3*24*3600)) * time.Second)}
		switch rng.IntN(6) {
		case 0, 1:
			r.Channel, r.Conversation = pick(sla.ChannelWeChatGroup, sla.ChannelWeChatPrivate, sla.ChannelChat), pick("g1", "g2", "g3", "g4")
			r.Direction = pick(sla.DirectionIn, sla.DirectionIn, sla.DirectionOut)
			r.CustomerID = pick("", "c1", "c2")
		case 2, 3:
			r.Channel, r.Direction = sla.ChannelPhoneMissed, sla.DirectionIn
			r.Conversation, r.CustomerID = pick("", "n1", "n2", "n3", "n4", "n5"), pick("", "c1", "c2", "c3", "c4")
		case 4:
			r.Channel, r.Direction = sla.ChannelPhoneOut, sla.DirectionOut
			r.Conversation, r.CustomerID = pick("", "n1", "n2", "n3", "n4", "n5", "n6"), pick("", "c1", "c2", "c3", "c4")
		default:
			r.Channel, r.Direction = sla.ChannelPhoneIn, sla.DirectionIn
			r.Conversation, r.CustomerID = pick("n1", "n2"), pick("", "c1")
		}
		if r.Direction == sla.DirectionOut {
			r.StaffID = "s1"
		}
		out[i] = r
	}
	return out
}

// Deriving the parts one by one gives exactly the clocks of deriving all
// the records at once, however many parts.
func TestPartitionDerivesTheSameClocks(t *testing.T) {
	p := sla.DefaultPolicy()
	asOf := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		recs := randomRecords(rng, 5+rng.IntN(120))
		want := sla.Derive(recs, p, asOf)
		slices.SortFunc(want, func(a, b sla.Clock) int { return strings.Compare(a.Key, b.Key) })
		for _, k := range []int{1, 2, 3, 8} {
			parts := partition(recs, k)
			var got []sla.Clock
			total := 0
			for _, part := range parts {
				total += len(part)
				got = append(got, sla.Derive(part, p, asOf)...)
			}
			if total != len(recs) || len(parts) > k {
				t.Fatalf("seed %d k %d: %d parts holding %d of %d records", seed, k, len(parts), total, len(recs))
			}
			slices.SortFunc(got, func(a, b sla.Clock) int { return strings.Compare(a.Key, b.Key) })
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d k %d: parts derive\n%+v\nall at once\n%+v", seed, k, got, want)
			}
		}
	}
}

// The records a call links (by number and by customer) stay together.
func TestPartitionKeepsLinkedCallsTogether(t *testing.T) {
	at := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	recs := []sla.Record{
		{ID: "a", Channel: sla.ChannelPhoneMissed, Direction: sla.DirectionIn, At: at, Conversation: "n1", CustomerID: "c1"},
		{ID: "b", Channel: sla.ChannelPhoneOut, Direction: sla.DirectionOut, At: at, Conversation: "n2", CustomerID: "c1"},
		{ID: "c", Channel: sla.ChannelPhoneMissed, Direction: sla.DirectionIn, At: at, Conversation: "n2"},
		{ID: "d", Channel: sla.ChannelPhoneOut, Direction: sla.DirectionOut, At: at, CustomerID: "c1"},
		{ID: "e", Channel: sla.ChannelPhoneMissed, Direction: sla.DirectionIn, At: at, Conversation: "n3", CustomerID: "c2"},
	}
	for k := 1; k <= 16; k++ {
		for _, part := range partition(recs, k) {
			ids := ""
			for _, r := range part {
				ids += r.ID
			}
			if strings.ContainsAny(ids, "abcd") && !strings.Contains(ids, "abcd") {
				t.Fatalf("k %d: the calls of c1 were split: part %q", k, ids)
			}
		}
	}
}

// Working-time targets can fall due days after their start (a weekend,
// a week of holiday): a window is then read two weeks back, else a day.
func TestLookbackOfPolicy(t *testing.T) {
	p := sla.DefaultPolicy()
	if got := lookbackOf(p); got != 24*time.Hour {
		t.Fatalf("24x7: %v", got)
	}
	p.MissedCall.Calendar = &calendar.Calendar{}
	if got := lookbackOf(p); got < 10*24*time.Hour {
		t.Fatalf("working time: %v, want more than the longest holiday", got)
	}
}
