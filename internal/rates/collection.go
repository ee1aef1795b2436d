package rates

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"kefu/internal/calendar"
)

// Installment is one line of a contract's payment schedule (付款计划).
type Installment struct {
	ID             string
	ContractID     string
	ContractNumber string
	CustomerID     string
	CustomerName   string
	Seq            int           // position in the schedule (第几期)
	Due            calendar.Date // 应收日; a zero Due is not scheduled and never counts
	Amount         int64         // fen
}

// Allocation is the part of a payment received (回款) applied to one
// installment. A zero Received date is not a receipt and is ignored.
type Allocation struct {
	InstallmentID string
	PaymentID     string
	Received      calendar.Date // 到账日期
	Amount        int64         // fen
}

// CollectionRow is one installment of the collection rate's denominator: due
// on or before the month's last day and unpaid at its start.
type CollectionRow struct {
	Installment Installment
	Owner       string       // owner of the customer on the due date
	OpenAtStart int64        // 期初未收: Amount − allocations received before the month, in (0, Amount]
	Collected   int64        // allocations received in the month, capped to [0, OpenAtStart]
	CarriedIn   bool         // 逾期结转: due before the month's first day
	Payments    []Allocation // the allocations received in the month, by Received, PaymentID
}

// Collection is the collection rate (回款率) of one specialist for one month.
// Ratio.Den is Σ OpenAtStart, Ratio.Num Σ Collected, so the rate is at most 1.
type Collection struct {
	Specialist string // owner id; "" = customers nobody owned
	Month      Month
	Ratio      Ratio
	Rows       []CollectionRow // sorted by Due, ContractNumber, Seq
}

// CollectionRates computes the collection rate of month m for every specialist
// at once, keyed by owner id ("" collects customers nobody owned). A
// specialist with nothing open in m is absent from the map: use
// [CollectionRate], or treat absence as nothing due.
//
// For each installment due on or before m.Last(): OpenAtStart = Amount − Σ
// allocations received before m.First() (kept within [0, Amount]); the
// installment is a row only when OpenAtStart > 0. Collected = Σ allocations
// received in m, capped at OpenAtStart (an overpayment does not count twice)
// and floored at 0. Allocations received after m, allocations to
// installments due after m (prepayments, 预收) and allocations to unknown
// installments do not count. The row is charged to owners.At(customer, Due).
// Sums saturate at math.MaxInt64 instead of wrapping.
func CollectionRates(is []Installment, as []Allocation, owners Owners, m Month) map[string]Collection {
	return collection(is, as, owners, m, nil)
}

// CollectionRate is [CollectionRates] for one specialist; with nothing open
// in m it returns an empty Collection whose Ratio is nothing due.
func CollectionRate(specialist string, is []Installment, as []Allocation, owners Owners, m Month) Collection {
	c, ok := collection(is, as, owners, m, &specialist)[specialist]
	if !ok {
		c = Collection{Specialist: specialist, Month: m}
	}
	return c
}

func collection(is []Installment, as []Allocation, owners Owners, m Month, only *string) map[string]Collection {
	first, last := m.First(), m.Last()
	due := func(in *Installment) bool { return !in.Due.IsZero() && !in.Due.After(last) && in.Amount > 0 }

	// Installments due by the end of m, chained by id (ids should be unique;
	// a duplicate id receives the allocations too, whatever the input order).
	type cand struct {
		i            int
		owner        string
		before, in   int64 // Σ allocations before m, in m
		nPay, offset int32 // allocations in m; their place in pays
		next         int32 // next cand with the same id, or -1
	}
	n := 0
	for i := range is {
		if due(&is[i]) {
			n++
		}
	}
	cands := make([]cand, 0, n)
	head := make(map[string]int32, n)
	for i := range is {
		in := &is[i]
		if !due(in) {
			continue
		}
		owner := owners.At(in.CustomerID, in.Due)
		if only != nil && owner != *only {
			continue
		}
		k := int32(len(cands))
		next, ok := head[in.ID]
		if !ok {
			next = -1
		}
		head[in.ID] = k
		cands = append(cands, cand{i: i, owner: owner, next: next})
	}
	if len(cands) == 0 {
		return map[string]Collection{}
	}

	// Sum the allocations received up to the end of m; remember the ones in
	// m (allocation, first cand) for the evidence.
	type hit struct{ j, k int32 }
	var inM []hit
	for j := range as {
		a := &as[j]
		if a.Received.IsZero() || a.Received.After(last) {
			continue
		}
		k, ok := head[a.InstallmentID]
		if !ok {
			continue
		}
		inMonth := !a.Received.Before(first)
		if inMonth {
			inM = append(inM, hit{int32(j), k})
		}
		for ; k >= 0; k = cands[k].next {
			c := &cands[k]
			if inMonth {
				c.in = satAdd(c.in, a.Amount)
				c.nPay++
			} else {
				c.before = satAdd(c.before, a.Amount)
			}
		}
	}

	// The installments still open at the start of m are the rows. Owners
	// are numbered so that one integer orders rows by owner, then due date.
	type rowKey struct {
		major     int64  // owner number, then dayKey(Due)
		number    string // ContractNumber
		seq       int
		k         int32 // cand
		open, got int64
	}
	keep := make([]rowKey, 0, len(cands))
	nPays := 0
	ownerNo := make(map[string]int64)
	var ownerOf []string // owner number → owner
	for k := range cands {
		c := &cands[k]
		in := &is[c.i]
		var open int64
		switch {
		case c.before <= 0:
			open = in.Amount
		case c.before < in.Amount:
			open = in.Amount - c.before
		}
		if open <= 0 {
			c.nPay = 0 // its payments are no evidence
			continue
		}
		no, ok := ownerNo[c.owner]
		if !ok {
			no = int64(len(ownerOf))
			ownerNo[c.owner] = no
			ownerOf = append(ownerOf, c.owner)
		}
		keep = append(keep, rowKey{major: no<<majorShift | dayKey(in.Due), number: in.ContractNumber, seq: in.Seq,
			k: int32(k), open: open, got: min(max(c.in, 0), open)})
		c.offset = int32(nPays)
		nPays += int(c.nPay)
	}

	// The evidence: each row's allocations in m, in one backing array.
	var pays []Allocation
	if nPays > 0 {
		pays = make([]Allocation, nPays)
		fill := make([]int32, len(cands))
		for _, h := range inM {
			for k := h.k; k >= 0; k = cands[k].next {
				if c := &cands[k]; fill[k] < c.nPay {
					pays[int(c.offset)+int(fill[k])] = as[h.j]
					fill[k]++
				}
			}
		}
	}

	// Order the row keys: a radix sort by owner and due date, then each run
	// of one owner and day by contract number, seq and the rest.
	keep = radixSort(keep, func(k *rowKey) uint64 { return uint64(k.major) })
	for i := 0; i < len(keep); {
		j := i + 1
		for j < len(keep) && keep[j].major == keep[i].major {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(keep[i:j], func(a, b rowKey) int {
				if c := strings.Compare(a.number, b.number); c != 0 {
					return c
				}
				if a.seq != b.seq {
					return cmp.Compare(a.seq, b.seq)
				}
				ca, cb := &cands[a.k], &cands[b.k]
				if c := compareInstallment(&is[ca.i], &is[cb.i]); c != 0 {
					return c
				}
				// Identical installments (duplicate input): what may still differ.
				if c := cmp.Compare(a.open, b.open); c != 0 {
					return c
				}
				return cmp.Compare(a.got, b.got)
			})
		}
		i = j
	}

	// Write each row once; each owner's rows are a run of one backing array.
	rows := make([]CollectionRow, len(keep))
	out := make(map[string]Collection, len(ownerOf))
	start := 0
	var ratio Ratio
	for r, key := range keep {
		c := &cands[key.k]
		in := &is[c.i]
		row := &rows[r]
		*row = CollectionRow{
			Installment: *in,
			Owner:       c.owner,
			OpenAtStart: key.open,
			Collected:   key.got,
			CarriedIn:   in.Due.Before(first),
		}
		if c.nPay > 0 {
			row.Payments = pays[c.offset : c.offset+c.nPay : c.offset+c.nPay]
			slices.SortFunc(row.Payments, compareAllocation)
		}
		ratio.Den = satAdd(ratio.Den, key.open)
		ratio.Num = satAdd(ratio.Num, key.got)
		if r+1 == len(keep) || keep[r+1].major>>majorShift != key.major>>majorShift {
			out[c.owner] = Collection{Specialist: c.owner, Month: m, Ratio: ratio, Rows: rows[start : r+1 : r+1]}
			start, ratio = r+1, Ratio{}
		}
	}
	return out
}

// radixSort returns xs ordered by key(x), stably (an LSD radix sort on 11-bit
// digits; a digit that is the same for all xs costs one counting pass).
func radixSort[T any](xs []T, key func(*T) uint64) []T {
	const bits, buckets = 11, 1 << 11
	if len(xs) < 2 {
		return xs
	}
	src, dst := xs, make([]T, len(xs))
	var count [buckets]int
	for shift := 0; shift < 64; shift += bits {
		clear(count[:])
		for i := range src {
			count[key(&src[i])>>shift&(buckets-1)]++
		}
		if count[key(&src[0])>>shift&(buckets-1)] == len(src) {
			continue // every key has this digit
		}
		at := 0
		for b, n := range count {
			count[b] = at
			at += n
		}
		for i := range src {
			b := key(&src[i]) >> shift & (buckets - 1)
			dst[count[b]] = src[i]
			count[b]++
		}
		src, dst = dst, src
	}
	return src
}

// majorShift leaves room for dayKey below the owner number in a sort key
// (up to 2^22 owners).
const majorShift = 41

// dayKey maps a date to an integer in [0, 2^41), in the order of
// [calendar.Date.Compare] for every real date of a year within ±2^20 (for
// absurd dates the order is still deterministic, just not chronological).
func dayKey(d calendar.Date) int64 {
	return (int64(d.Year)+1<<20)&(1<<21-1)<<20 | int64(d.Month&1023)<<10 | int64(d.Day&1023)
}

func compareAllocation(a, b Allocation) int {
	if c := a.Received.Compare(b.Received); c != 0 {
		return c
	}
	if c := strings.Compare(a.PaymentID, b.PaymentID); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Amount, b.Amount); c != 0 {
		return c
	}
	return strings.Compare(a.InstallmentID, b.InstallmentID)
}

// compareInstallment orders rows: Due, ContractNumber, Seq, then every other
// field so that the order is total.
func compareInstallment(x, y *Installment) int {
	if c := x.Due.Compare(y.Due); c != 0 {
		return c
	}
	if c := strings.Compare(x.ContractNumber, y.ContractNumber); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Seq, y.Seq); c != 0 {
		return c
	}
	if c := strings.Compare(x.ID, y.ID); c != 0 {
		return c
	}
	if c := strings.Compare(x.ContractID, y.ContractID); c != 0 {
		return c
	}
	if c := strings.Compare(x.CustomerID, y.CustomerID); c != 0 {
		return c
	}
	if c := strings.Compare(x.CustomerName, y.CustomerName); c != 0 {
		return c
	}
	return cmp.Compare(x.Amount, y.Amount)
}

// compareCollectionRow is the order of [Collection.Rows].
func compareCollectionRow(a, b CollectionRow) int {
	if c := compareInstallment(&a.Installment, &b.Installment); c != 0 {
		return c
	}
	if c := strings.Compare(a.Owner, b.Owner); c != 0 {
		return c
	}
	if c := cmp.Compare(a.OpenAtStart, b.OpenAtStart); c != 0 {
		return c
	}
	return cmp.Compare(a.Collected, b.Collected)
}

// satAdd returns a+b, saturating at math.MaxInt64 / math.MinInt64.
func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}
