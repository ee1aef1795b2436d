package rates

import (
	"fmt"
	"math"
	"math/bits"
)

// Ratio is an exact rate Num/Den: Num is what was achieved (contracts renewed,
// fen collected) and Den what was due (contracts ending, fen open).
//
// Den == 0 means nothing was due (本月无到期合同): the rate counts as 100% and the
// item scores full. The rate is capped at 100%; a negative Num counts as 0 and
// a negative Den as nothing due (neither is produced by this package).
type Ratio struct {
	Num, Den int64
}

// NothingDue reports whether nothing was due (Den <= 0); the item scores full.
func (r Ratio) NothingDue() bool { return r.Den <= 0 }

// full reports whether the rate is 100%.
func (r Ratio) full() bool { return r.Den <= 0 || r.Num >= r.Den }

// scaled returns scale × r rounded half up, capped at scale: scale when the
// rate is full, 0 when Num <= 0. It is exact for any int64 Num and Den and any
// scale <= math.MaxInt64 (128-bit intermediate product).
func (r Ratio) scaled(scale uint64) uint64 {
	if r.full() {
		return scale
	}
	if r.Num <= 0 {
		return 0
	}
	den := uint64(r.Den)
	// 0 < Num < Den, so Num*scale < Den*2^64: hi < den and Div64 cannot panic,
	// and q < scale, so q+1 below cannot exceed scale.
	hi, lo := bits.Mul64(uint64(r.Num), scale)
	q, rem := bits.Div64(hi, lo, den)
	if rem >= den-rem { // rem/den >= 1/2: round half up
		q++
	}
	return q
}

// Percent returns the rate as a percentage with two decimals, rounded half up
// and capped at 100%: "87.50%", "100.00%" when nothing is due.
func (r Ratio) Percent() string {
	bp := r.scaled(10000) // hundredths of a percent
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// Points returns max × rate in hundredths of a point (so 15 points at 7/8 is
// 1313, i.e. 13.13), rounded half up and capped at max×100; nothing due gives
// max×100. max <= 0 gives 0; max×100 saturates at math.MaxInt64.
func (r Ratio) Points(max int64) int64 {
	if max <= 0 {
		return 0
	}
	scale := uint64(math.MaxInt64)
	if max <= math.MaxInt64/100 {
		scale = uint64(max) * 100
	}
	return int64(r.scaled(scale))
}

// Compare compares two rates as numbers after capping (nothing due = 100%,
// above 100% = 100%, negative = 0%): -1, 0 or +1 as r is lower, equal or higher.
func (r Ratio) Compare(s Ratio) int {
	an, ad := r.capped()
	bn, bd := s.capped()
	// an/ad vs bn/bd ⇔ an*bd vs bn*ad, exact in 128 bits.
	h1, l1 := bits.Mul64(an, bd)
	h2, l2 := bits.Mul64(bn, ad)
	switch {
	case h1 < h2 || h1 == h2 && l1 < l2:
		return -1
	case h1 > h2 || h1 == h2 && l1 > l2:
		return 1
	}
	return 0
}

func (r Ratio) capped() (num, den uint64) {
	switch {
	case r.full():
		return 1, 1
	case r.Num <= 0:
		return 0, 1
	}
	return uint64(r.Num), uint64(r.Den)
}

// String returns "7/8 (87.50%)", or "0/0 (100.00%)" when nothing is due.
func (r Ratio) String() string {
	return fmt.Sprintf("%d/%d (%s)", r.Num, r.Den, r.Percent())
}
