package comms

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"kefu/internal/sla"
)

// Deriving a span window by window (deriveWindows: the records read in
// lookback-long slices, each window derived with the lookback on both
// sides) gives exactly the clocks and events of deriving the span at
// once, including clocks that start just before a window's end and stop
// after it, and bursts across a window's start.
func TestWindowsDeriveTheSameClocks(t *testing.T) {
	pol := sla.DefaultPolicy()
	back := lookbackOf(pol)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	late := 0 // clocks stopped more than a lookback after they started (held, then derived again)
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 11))
		days := []int{3, 10, 15, 31}[seed%4] // one window (shorter than two), and several
		to := from.AddDate(0, 0, days)
		asOf := to.Add(2 * time.Hour)
		recs := randomRecords(rng, 200+rng.IntN(800))
		for i := range recs {
			// Around the midnights (the slices' and windows' bounds), and
			// a few in the lookback before from and after to.
			day := rng.IntN(days+2) - 1
			recs[i].At = from.AddDate(0, 0, day).Add(time.Duration(rng.IntN(80*60)-40*60) * time.Second)
			recs[i].ID = fmt.Sprintf("r%05d", i)
		}
		var want []sla.Clock
		for _, c := range sla.Derive(recs, pol, asOf) {
			if !c.StartedAt.Before(from) && c.StartedAt.Before(to) {
				want = append(want, c)
			}
		}
		wantEvents := append(sla.Breaches(want), sla.NearBreaches(want)...)
		for _, c := range want {
			if c.StopID != "" && c.StoppedAt.Sub(c.StartedAt) > back {
				late++
			}
		}
		var reads atomic.Int32
		read := func(lo, hi time.Time) ([][]sla.Record, error) {
			reads.Add(1)
			return recordsIn(recs, lo, hi), nil
		}
		stop := make(chan struct{})
		var got []sla.Clock
		var gotEvents []sla.Event
		var n int
		s := &Service{}
		for d := range s.deriveWindows(t.Context(), read, pol, asOf, from, to, back, func(*derived, func(sla.Clock) *string) {}, stop, &n) {
			if d.err != nil {
				t.Fatal(d.err)
			}
			got, gotEvents = append(got, d.clocks...), append(gotEvents, d.events...)
		}
		close(stop)
		byKey := func(a, b sla.Clock) int { return strings.Compare(a.Key, b.Key) }
		slices.SortFunc(want, byKey)
		slices.SortFunc(got, byKey)
		if len(got) != len(want) {
			t.Fatalf("seed %d (%d days): %d clocks by window, %d at once", seed, days, len(got), len(want))
		}
		for i := range want {
			if !clockEqual(got[i], want[i]) {
				t.Fatalf("seed %d (%d days): clock %d\n by window %+v\n at once    %+v", seed, days, i, got[i], want[i])
			}
		}
		evKey := func(a, b sla.Event) int { return strings.Compare(a.Key, b.Key) }
		slices.SortFunc(wantEvents, evKey)
		slices.SortFunc(gotEvents, evKey)
		if len(gotEvents) != len(wantEvents) {
			t.Fatalf("seed %d: %d events by window, %d at once", seed, len(gotEvents), len(wantEvents))
		}
		for i := range wantEvents {
			if g, w := gotEvents[i], wantEvents[i]; g.Key != w.Key || !g.OccurredAt.Equal(w.OccurredAt) || g.Quantity != w.Quantity || !slices.Equal(g.Evidence, w.Evidence) {
				t.Fatalf("seed %d: event %+v, want %+v", seed, g, w)
			}
		}
		inRead := 0 // the records in [from−back, to+back)
		for _, r := range recs {
			if !r.At.Before(from.Add(-back)) && r.At.Before(to.Add(back)) {
				inRead++
			}
		}
		if wantSlices := int32(days + 2); reads.Load() != wantSlices || n != inRead {
			t.Fatalf("seed %d: %d slices read (want %d), %d records counted of %d", seed, reads.Load(), wantSlices, n, inRead)
		}
	}
	if late < 20 {
		t.Fatalf("only %d clocks answered more than a lookback later: the test does not exercise holding them", late)
	}
}

// clockEqual compares clocks field by field (times by instant).
func clockEqual(a, b sla.Clock) bool {
	return a.Key == b.Key && a.Kind == b.Kind && a.Conversation == b.Conversation && a.CustomerID == b.CustomerID &&
		a.StartID == b.StartID && a.StopID == b.StopID && a.State == b.State && a.Late == b.Late &&
		a.StartedAt.Equal(b.StartedAt) && a.StoppedAt.Equal(b.StoppedAt) && a.Deadline.Equal(b.Deadline) && a.NearAt.Equal(b.NearAt)
}

// A slice that cannot be read fails the derivation with its error, and
// closing stop ends it early without leaking the reads.
func TestWindowsReadError(t *testing.T) {
	pol := sla.DefaultPolicy()
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 30)
	boom := errors.New("disk on fire")
	read := func(lo, hi time.Time) ([][]sla.Record, error) {
		if lo.Equal(from.AddDate(0, 0, 20)) {
			return nil, boom
		}
		return [][]sla.Record{randomRecords(rand.New(rand.NewPCG(1, 2)), 50)}, nil
	}
	stop := make(chan struct{})
	var n int
	st := &derivedStream{ch: (&Service{}).deriveWindows(t.Context(), read, pol, to, from, to, lookbackOf(pol),
		func(*derived, func(sla.Clock) *string) {}, stop, &n)}
	if err := st.each(func(derived) error { return nil }); !errors.Is(err, boom) {
		t.Fatalf("each = %v, want the read's error", err)
	}
	close(stop)
	stop2 := make(chan struct{})
	ch := (&Service{}).deriveWindows(t.Context(), read, pol, to, from, to, lookbackOf(pol), func(*derived, func(sla.Clock) *string) {}, stop2, &n)
	<-ch // the first part, then give up
	close(stop2)
	for range ch { // the producer ends: the channel closes
	}
}

// The deriving goroutine never waits for the writer: with nobody taking
// the parts, it derives every window, sends every part and closes the
// channel (a queue of two stopped it whenever the writer was two parts
// behind, to compete with the writer for the cores later).
func TestWindowsDeriveAheadOfTheWriter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pol := sla.DefaultPolicy()
		from, to, recs := monthOfRecords(7)
		read := func(lo, hi time.Time) ([][]sla.Record, error) { return recordsIn(recs, lo, hi), nil }
		var prepared atomic.Int32
		stop := make(chan struct{})
		defer close(stop)
		var n int
		ch := (&Service{}).deriveWindows(t.Context(), read, pol, to, from, to, lookbackOf(pol),
			func(*derived, func(sla.Clock) *string) { prepared.Add(1) }, stop, &n)
		synctest.Wait() // every goroutine of the derivation has ended or is blocked
		queued := len(ch)
		if queued < 2*windowParts || int32(queued) != prepared.Load() {
			t.Fatalf("%d parts queued of %d prepared, want every part queued", queued, prepared.Load())
		}
		for range queued {
			if d := <-ch; d.err != nil {
				t.Fatal(d.err)
			}
		}
		if _, open := <-ch; open {
			t.Fatal("more parts after the queued ones")
		}
		if n != len(recs) {
			t.Fatalf("%d records counted, want %d", n, len(recs))
		}
	})
}

// Closing stop (the write failed) ends the derivation: with room in the
// queue it does not go on deriving the month for nobody, and reads no
// more slices. (Without stop checked first, a select with both ready
// picks either: the test then failed in 16 of 30 runs.)
func TestWindowsStopEndsTheDerivation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pol := sla.DefaultPolicy()
		from, to, recs := monthOfRecords(8)
		// Each read waits for a go-ahead, so that the test stops the
		// derivation while it is under way.
		var reads atomic.Int32
		goAhead := make(chan struct{})
		read := func(lo, hi time.Time) ([][]sla.Record, error) {
			reads.Add(1)
			<-goAhead
			return recordsIn(recs, lo, hi), nil
		}
		var prepared atomic.Int32
		stop := make(chan struct{})
		var n int
		ch := (&Service{}).deriveWindows(t.Context(), read, pol, to, from, to, lookbackOf(pol),
			func(*derived, func(sla.Clock) *string) { prepared.Add(1) }, stop, &n)
		// The first window (a day) needs three slices: let reads through
		// until its first part comes.
		var first derived
		for got := false; !got; {
			select {
			case first = <-ch:
				got = true
			case goAhead <- struct{}{}:
			}
		}
		if first.err != nil {
			t.Fatal(first.err)
		}
		close(stop)
		// What was under way may finish: one part being made ready, one
		// read past its wait for room.
		p0, r0 := prepared.Load(), reads.Load()
		close(goAhead) // the reads waiting finish
		synctest.Wait()
		for range ch {
		}
		if p, r := prepared.Load(), reads.Load(); p > p0+1 || r > r0+1 {
			t.Fatalf("after stop: %d parts prepared (%d before), %d slices read (%d before, of 33)", p, p0, r, r0)
		}
	})
}

// monthOfRecords is 3,000 random records spread over the 31 days from
// from to to.
func monthOfRecords(seed uint64) (from, to time.Time, recs []sla.Record) {
	from = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to = from.AddDate(0, 0, 31)
	rng := rand.New(rand.NewPCG(seed, seed))
	recs = randomRecords(rng, 3000)
	for i := range recs {
		recs[i].At = from.Add(time.Duration(rng.Int64N(int64(to.Sub(from)))))
		recs[i].ID = fmt.Sprintf("r%05d", i)
	}
	return from, to, recs
}

// recordsIn is a slice read of deriveWindows: the records of [lo, hi).
func recordsIn(recs []sla.Record, lo, hi time.Time) [][]sla.Record {
	var out []sla.Record
	for _, r := range recs {
		if !r.At.Before(lo) && r.At.Before(hi) {
			out = append(out, r)
		}
	}
	return [][]sla.Record{out}
}
