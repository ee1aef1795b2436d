package appraisal

import (
	"fmt"
	"math/big"
	"strings"

	"kefu/internal/apperr"
)

// RollUpLine is one component of a rolled-up score: the mean of its scores
// and its weighted contribution (rounded half up for display only; the
// score is rounded once, from the exact sum).
type RollUpLine struct {
	Key          string   `json:"key"`
	Name         string   `json:"name"`
	Weight       int64    `json:"weight"` // percent
	Scores       []Points `json:"scores"`
	Mean         Points   `json:"mean"`         // rounded half up, for display
	Contribution Points   `json:"contribution"` // Weight% × mean, rounded half up, for display
}

// RollUpResult is a year-end score (seed 004 §4.6).
type RollUpResult struct {
	Lines     []RollUpLine `json:"lines"`
	Score     Points       `json:"score"`
	Excellent bool         `json:"excellent"` // above the scheme's excellent_above (100): 优秀员工
	Note      string       `json:"note,omitempty"`
	Detail    string       `json:"detail"`
}

// RollUp combines period scores into the year-end score of r: for each
// component the plain mean of its scores (the cards' Final, bonus
// included, so a weighted score can exceed 100), times its weight. The sum
// is exact (rational) and rounded half up to the hundredth once. Every
// component needs at least one score.
func (r *RollUp) RollUp(scores map[string][]Points) (RollUpResult, error) {
	if r == nil || len(r.Components) == 0 {
		return RollUpResult{}, apperr.Invalid("rollup", "本方案没有年终汇总规则")
	}
	known := map[string]bool{}
	for _, c := range r.Components {
		known[c.Key] = true
	}
	for _, k := range sortedKeys(scores) {
		if !known[k] {
			return RollUpResult{}, apperr.Invalid("scores."+k, "汇总规则中没有此组成部分")
		}
	}
	var res RollUpResult
	total := new(big.Rat)
	var parts []string
	for _, c := range r.Components {
		ss := scores[c.Key]
		if len(ss) == 0 {
			return RollUpResult{}, apperr.Invalid("scores."+c.Key, fmt.Sprintf("“%s”没有分数，无法汇总", c.Name))
		}
		sum := new(big.Int)
		for _, s := range ss {
			sum.Add(sum, big.NewInt(int64(s)))
		}
		mean := new(big.Rat).SetFrac(sum, big.NewInt(int64(len(ss))))
		contrib := new(big.Rat).Mul(mean, big.NewRat(c.Weight, 100))
		total.Add(total, contrib)
		l := RollUpLine{Key: c.Key, Name: c.Name, Weight: c.Weight, Scores: append([]Points(nil), ss...),
			Mean: roundRat(mean), Contribution: roundRat(contrib)}
		res.Lines = append(res.Lines, l)
		parts = append(parts, fmt.Sprintf("%s %d%% × %s", c.Name, c.Weight, l.Mean.Short()))
	}
	res.Score = roundRat(total)
	res.Detail = strings.Join(parts, " + ") + " = " + res.Score.String()
	limit := P(100)
	if r.Excellent != nil {
		limit = *r.Excellent
	}
	if r.Excellent != nil && res.Score > limit {
		res.Excellent = true
		res.Note = r.Note
	}
	return res, nil
}

// roundRat rounds a rational number of hundredths half up (away from zero
// for negative numbers: −0.005 → −0.01).
func roundRat(x *big.Rat) Points {
	num, den := new(big.Int).Set(x.Num()), x.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Lsh(rem, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		if neg {
			return -maxPoints * 1000
		}
		return maxPoints * 1000
	}
	return Points(q.Int64())
}
