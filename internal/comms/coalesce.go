package comms

import (
	"context"
	"errors"
	"sync"

	"kefu/internal/access"
)

// Group commit of small API requests.
//
// Every ingest holds the database's single writer while it matches,
// inserts, re-derives the clocks it touched and commits (with an fsync).
// A machine feed that posts one record per request would spend most of
// that on what does not depend on the record: the commit, the policy and
// owner reads, the statements' preparation. Requests that arrive while
// another is being written therefore wait and are written together, in
// one transaction, by the first of them to be woken ("leader"). Each
// request keeps its own all-or-nothing: a bad record fails only the
// request that sent it, and the others are written without it. A request
// is answered only after the transaction holding its records commits.

// coalesceMax bounds the records of one request that may be grouped with
// others (bigger batches are written on their own) and of one group.
const (
	coalesceMax      = 100
	coalesceGroupMax = 1000
)

type coalescer struct {
	mu    sync.Mutex
	busy  bool // a leader is writing
	queue []*pendingIngest
}

type pendingIngest struct {
	ctx  context.Context
	ins  []Input
	res  []Result
	err  error
	wake chan bool // true: lead the next group; false: answered
}

// ingestGrouped writes ins together with the requests that arrive while
// another group is written.
func (s *Service) ingestGrouped(ctx context.Context, ins []Input, source string) ([]Result, error) {
	me := &pendingIngest{ctx: ctx, ins: ins, wake: make(chan bool, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, me)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !lead && !<-me.wake {
		return me.res, me.err
	}
	// Lead: take what has queued up (this request first among them).
	g.mu.Lock()
	var batch []*pendingIngest
	n := 0
	for len(g.queue) > 0 && (len(batch) == 0 || n+len(g.queue[0].ins) <= coalesceGroupMax) {
		batch, n = append(batch, g.queue[0]), n+len(g.queue[0].ins)
		g.queue = g.queue[1:]
	}
	g.mu.Unlock()
	s.writeGroup(batch, source)
	for _, p := range batch {
		if p != me {
			p.wake <- false
		}
	}
	// Hand the lead to the first request that queued meanwhile.
	g.mu.Lock()
	if len(g.queue) > 0 {
		next := g.queue[0]
		g.mu.Unlock()
		next.wake <- true
	} else {
		g.busy = false
		g.mu.Unlock()
	}
	return me.res, me.err
}

// writeGroup writes the requests of one group, one transaction per
// caller (the records carry who sent them), and answers each.
func (s *Service) writeGroup(batch []*pendingIngest, source string) {
	byCaller := map[string][]*pendingIngest{}
	var order []string
	for _, p := range batch {
		k := access.Caller(p.ctx).StaffID
		if _, seen := byCaller[k]; !seen {
			order = append(order, k)
		}
		byCaller[k] = append(byCaller[k], p)
	}
	for _, k := range order {
		s.writeTogether(byCaller[k], source)
	}
}

// writeTogether writes the requests of one caller in one transaction. A
// request with a bad record is answered with its own errors and the rest
// are written again without it.
func (s *Service) writeTogether(reqs []*pendingIngest, source string) {
	for len(reqs) > 0 {
		if len(reqs) == 1 {
			p := reqs[0]
			p.res, p.err = s.ingest(p.ctx, p.ins, source)
			return
		}
		var all []Input
		first := make([]int, len(reqs)) // index of each request's first record in all
		for i, p := range reqs {
			first[i] = len(all)
			all = append(all, p.ins...)
		}
		// The writes must not depend on whichever request leads being
		// cancelled: they are the others' too.
		ctx := context.WithoutCancel(reqs[0].ctx)
		res, err := s.ingest(ctx, all, source)
		var be *BatchError
		switch {
		case err == nil:
			for i, p := range reqs {
				p.res = make([]Result, len(p.ins))
				for j := range p.ins {
					r := res[first[i]+j]
					r.Index = j
					p.res[j] = r
				}
			}
			return
		case errors.As(err, &be):
			// Answer the requests with bad records; write the others.
			failed := map[int]*BatchError{}
			for _, it := range be.Items {
				i := owner(first, it.Index)
				if failed[i] == nil {
					failed[i] = &BatchError{}
				}
				it.Index -= first[i]
				failed[i].Items = append(failed[i].Items, it)
			}
			var rest []*pendingIngest
			for i, p := range reqs {
				if f := failed[i]; f != nil {
					p.err = f
				} else {
					rest = append(rest, p)
				}
			}
			reqs = rest
		default:
			// Not a record's fault (a conflict with a concurrent writer,
			// the database): each request on its own, so that each gets
			// its own answer.
			for _, p := range reqs {
				p.res, p.err = s.ingest(p.ctx, p.ins, source)
			}
			return
		}
	}
}

// owner finds the request that holds record index i, given each
// request's first index (ascending).
func owner(first []int, i int) int {
	k := 0
	for j, f := range first {
		if f <= i {
			k = j
		}
	}
	return k
}
