package appraisal

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Points is a score in hundredths of a point: 1500 is 15.00, 750 is 7.50.
// Every sum on a scorecard is exact integer arithmetic; the only rounding is
// half up to the hundredth, once, at the end of a rate or checklist line.
//
// In JSON a Points is a number with at most two decimals (15, 7.5, 0.01),
// parsed from its text — never through a binary approximation.
type Points int64

// maxPoints bounds every amount a scheme may declare (one million points), so
// that sums of a scheme's amounts cannot overflow.
const maxPoints Points = 1_000_000_00

// P returns whole points: P(15) is 15.00.
func P(whole int64) Points { return Points(whole * 100) }

// String formats p with two decimals: "81.00", "7.50", "-2.00".
func (p Points) String() string {
	sign := ""
	u := uint64(p)
	if p < 0 {
		sign = "-"
		u = -u
	}
	return sign + strconv.FormatUint(u/100, 10) + "." + twoDigits(u%100)
}

// Short formats p without trailing zeros, for explanations: "4", "7.5",
// "0.25", "-2".
func (p Points) Short() string {
	s := p.String()
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func twoDigits(n uint64) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// MarshalJSON writes p as a JSON number in its shortest exact form (15, 7.5).
func (p Points) MarshalJSON() ([]byte, error) { return []byte(p.Short()), nil }

// UnmarshalJSON reads a JSON number with at most two decimals.
func (p *Points) UnmarshalJSON(b []byte) error {
	v, err := ParsePoints(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// pointsError is the error of ParsePoints; its message is shown to users.
type pointsError struct{ text, why string }

func (e *pointsError) Error() string { return "分值 " + strconv.Quote(e.text) + " " + e.why }

// ParsePoints parses a decimal number with at most two decimals ("15",
// "-2", "7.5", "0.01") into hundredths. Exponents, signs other than a
// leading "-", more than two decimals and values beyond ±1,000,000 points
// are rejected.
func ParsePoints(s string) (Points, error) {
	t := s
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	whole, frac, dot := strings.Cut(t, ".")
	if whole == "" || !digits(whole) || dot && (frac == "" || !digits(frac)) {
		return 0, &pointsError{s, "不是有效的数字（例如 15、7.5、0.25）"}
	}
	if len(frac) > 2 {
		return 0, &pointsError{s, "最多两位小数"}
	}
	if len(whole) > 1 && whole[0] == '0' {
		return 0, &pointsError{s, "不是有效的数字（例如 15、7.5、0.25）"}
	}
	if len(whole) > 7 {
		return 0, &pointsError{s, "超出范围（绝对值最多 1000000 分）"}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	v := Points(w*100 + f)
	if v > maxPoints {
		return 0, &pointsError{s, "超出范围（绝对值最多 1000000 分）"}
	}
	if neg {
		v = -v
	}
	return v, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// satMul returns a×n for a, n >= 0, saturating at math.MaxInt64/4 so that
// a few saturated values can still be added without overflow.
func satMul(a Points, n int64) Points {
	const limit = math.MaxInt64 / 4
	if a <= 0 || n <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(n))
	if hi != 0 || lo > limit {
		return limit
	}
	return Points(lo)
}

// satAdd returns a+b for a, b >= 0, saturating like satMul.
func satAdd(a, b Points) Points {
	const limit = math.MaxInt64 / 4
	if a >= limit-b {
		return limit
	}
	return a + b
}

// mulDivHalfUp returns a×num/den rounded half up, for 0 <= num <= den, den > 0
// and a >= 0; exact in 128 bits.
func mulDivHalfUp(a Points, num, den uint64) Points {
	if a <= 0 || num == 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), num)
	q, rem := bits.Div64(hi, lo, den) // num <= den, so hi < den
	if rem >= den-rem {
		q++
	}
	return Points(q)
}
