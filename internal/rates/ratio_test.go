package rates

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestRatioPercent(t *testing.T) {
	const max = math.MaxInt64
	tests := []struct {
		r    Ratio
		want string
	}{
		{Ratio{0, 0}, "100.00%"}, // nothing due
		{Ratio{5, 0}, "100.00%"},
		{Ratio{0, -3}, "100.00%"},
		{Ratio{0, 5}, "0.00%"},
		{Ratio{-2, 5}, "0.00%"},
		{Ratio{7, 8}, "87.50%"},
		{Ratio{1, 8}, "12.50%"},
		{Ratio{1, 3}, "33.33%"},                 // 33.333… down
		{Ratio{2, 3}, "66.67%"},                 // 66.666… up
		{Ratio{1, 6}, "16.67%"},                 // 16.666… up
		{Ratio{8, 8}, "100.00%"},                // exactly full
		{Ratio{9, 8}, "100.00%"},                // capped
		{Ratio{1, 20000}, "0.01%"},              // 0.005% exactly: half up
		{Ratio{1, 20001}, "0.00%"},              // just under half
		{Ratio{1, 40000}, "0.00%"},              // 0.0025%
		{Ratio{19999, 20000}, "100.00%"},        // 99.995% exactly: half up to 100
		{Ratio{39997, 40000}, "99.99%"},         // 99.9925%
		{Ratio{1999, 2000}, "99.95%"},           // exact
		{Ratio{12345, 100000}, "12.35%"},        // 12.345 exactly: half up
		{Ratio{1, max}, "0.00%"},                // huge denominator
		{Ratio{max - 1, max}, "100.00%"},        // 99.99999…
		{Ratio{max / 2, max}, "50.00%"},         // just under one half
		{Ratio{max / 3, max / 2}, "66.67%"},     // (2^63-1)/3 ÷ (2^62-1): no overflow
		{Ratio{max - 1, max - 1}, "100.00%"},    // full
		{Ratio{max, 1}, "100.00%"},              // capped
		{Ratio{max / 200000, max}, "0.00%"},     // ≈ 0.0005%
		{Ratio{max / 20000, max}, "0.00%"},      // ≈ 0.005% but floor(max/20000)/max is a hair under
		{Ratio{max/20000 + 1, max}, "0.01%"},    // a hair over 0.005%
		{Ratio{123456789, 987654321}, "12.50%"}, // 12.4999998…%
	}
	for _, tt := range tests {
		if got := tt.r.Percent(); got != tt.want {
			t.Errorf("%d/%d.Percent() = %s, want %s", tt.r.Num, tt.r.Den, got, tt.want)
		}
	}
}

func TestRatioPoints(t *testing.T) {
	const max = math.MaxInt64
	tests := []struct {
		r    Ratio
		max  int64
		want int64
	}{
		{Ratio{0, 0}, 15, 1500}, // nothing due → full
		{Ratio{7, 8}, 15, 1313}, // 1312.5 → half up
		{Ratio{1, 8}, 15, 188},  // 187.5 → half up
		{Ratio{3, 8}, 15, 563},  // 562.5
		{Ratio{1, 3}, 15, 500},
		{Ratio{2, 3}, 15, 1000},
		{Ratio{1, 7}, 15, 214},        // 214.28…
		{Ratio{5, 7}, 15, 1071},       // 1071.43…
		{Ratio{1, 3000}, 15, 1},       // 0.5 exactly → 1
		{Ratio{1, 3001}, 15, 0},       // 0.4998…
		{Ratio{2999, 3000}, 15, 1500}, // 1499.5 → 1500
		{Ratio{2998, 3000}, 15, 1499}, // 1499.0
		{Ratio{0, 8}, 15, 0},
		{Ratio{-1, 8}, 15, 0},
		{Ratio{9, 8}, 15, 1500}, // capped
		{Ratio{7, 8}, 0, 0},
		{Ratio{7, 8}, -15, 0},
		{Ratio{0, 0}, 0, 0},
		{Ratio{1, 2}, max, max/2 + 1},                 // scale saturates at MaxInt64; 4611686018427387903.5 → up
		{Ratio{0, 0}, max, max},                       // saturated full
		{Ratio{1, 3}, max / 100, 3074457345618258600}, // (max/100)*100/3 exactly
		{Ratio{max - 1, max}, 15, 1500},               // 1499.99…
		{Ratio{1, max}, 15, 0},
		{Ratio{max / 2, max}, 15, 750},                    // 749.99999…  → 750
		{Ratio{max - 1, max}, max / 100, max/100*100 - 1}, // full×(1−1/max) = 9223372036854775800 − 0.99999…
	}
	for _, tt := range tests {
		if got := tt.r.Points(tt.max); got != tt.want {
			t.Errorf("%d/%d.Points(%d) = %d, want %d", tt.r.Num, tt.r.Den, tt.max, got, tt.want)
		}
	}
}

// bigScaled is the reference: round_half_up(scale × num/den) capped, with math/big.
func bigScaled(r Ratio, scale int64) int64 {
	if r.Den <= 0 || r.Num >= r.Den {
		return scale
	}
	if r.Num <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(scale), big.NewInt(r.Num))
	n.Mul(n, big.NewInt(2))
	n.Add(n, big.NewInt(r.Den))
	q := n.Quo(n, new(big.Int).Mul(big.NewInt(r.Den), big.NewInt(2)))
	return q.Int64()
}

func randRatio(rng *rand.Rand) Ratio {
	pick := func() int64 {
		switch rng.IntN(5) {
		case 0:
			return rng.Int64N(10)
		case 1:
			return rng.Int64N(100000)
		case 2:
			return math.MaxInt64 - rng.Int64N(10)
		case 3:
			return rng.Int64() >> rng.IntN(63)
		}
		return rng.Int64()
	}
	return Ratio{pick(), pick()}
}

func TestRatioAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		r := randRatio(rng)
		checkRatio(t, r, rng.Int64N(100)+1)
		checkRatio(t, r, rng.Int64())
	}
}

func checkRatio(t *testing.T, r Ratio, max int64) {
	t.Helper()
	bp := bigScaled(r, 10000)
	if got, want := r.Percent(), fmt.Sprintf("%d.%02d%%", bp/100, bp%100); got != want {
		t.Fatalf("%d/%d.Percent() = %s, want %s", r.Num, r.Den, got, want)
	}
	scale := int64(math.MaxInt64)
	if max <= math.MaxInt64/100 {
		scale = max * 100
	}
	if max <= 0 {
		scale = 0
	}
	got, want := r.Points(max), bigScaled(r, scale)
	if got != want {
		t.Fatalf("%d/%d.Points(%d) = %d, want %d", r.Num, r.Den, max, got, want)
	}
	if got < 0 || max > 0 && got > scale {
		t.Fatalf("%d/%d.Points(%d) = %d out of [0, %d]", r.Num, r.Den, max, got, scale)
	}
	if r.NothingDue() && got != scale {
		t.Fatalf("nothing due %v does not score full", r)
	}
}

func FuzzRatio(f *testing.F) {
	f.Add(int64(7), int64(8), int64(15))
	f.Add(int64(0), int64(0), int64(15))
	f.Add(int64(1), int64(20000), int64(15))
	f.Add(int64(math.MaxInt64-1), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, num, den, max int64) {
		checkRatio(t, Ratio{num, den}, max)
	})
}

func TestRatioCompare(t *testing.T) {
	const max = math.MaxInt64
	tests := []struct {
		a, b Ratio
		want int
	}{
		{Ratio{1, 2}, Ratio{2, 4}, 0},
		{Ratio{1, 3}, Ratio{1, 2}, -1},
		{Ratio{0, 0}, Ratio{5, 5}, 0},  // nothing due = 100%
		{Ratio{0, 0}, Ratio{9, 10}, 1}, // nothing due beats anything below 100%
		{Ratio{7, 5}, Ratio{1, 1}, 0},  // capped
		{Ratio{0, 3}, Ratio{-1, 3}, 0}, // both 0%
		{Ratio{max - 1, max}, Ratio{max - 2, max - 1}, 1},
		{Ratio{max - 2, max - 1}, Ratio{max - 1, max}, -1},
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.Compare(tt.a); got != -tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		a, b := randRatio(rng), randRatio(rng)
		want := bigRat(a).Cmp(bigRat(b))
		if got := a.Compare(b); got != want {
			t.Fatalf("%v.Compare(%v) = %d, want %d", a, b, got, want)
		}
	}
	if s := (Ratio{7, 8}).String(); s != "7/8 (87.50%)" {
		t.Errorf("String = %q", s)
	}
}

func bigRat(r Ratio) *big.Rat {
	switch {
	case r.Den <= 0 || r.Num >= r.Den:
		return big.NewRat(1, 1)
	case r.Num <= 0:
		return new(big.Rat)
	}
	return big.NewRat(r.Num, r.Den)
}

func TestRatioNothingDue(t *testing.T) {
	for _, r := range []Ratio{{0, 0}, {3, 0}, {0, -1}} {
		if !r.NothingDue() || r.Percent() != "100.00%" || r.Points(15) != 1500 {
			t.Errorf("%+v: NothingDue=%v Percent=%s Points=%d", r, r.NothingDue(), r.Percent(), r.Points(15))
		}
	}
	for _, r := range []Ratio{{0, 1}, {1, 1}} {
		if r.NothingDue() {
			t.Errorf("%+v is not nothing due", r)
		}
	}
}
