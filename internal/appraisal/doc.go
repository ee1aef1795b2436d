// Package appraisal computes the monthly 100-point performance appraisal
// (绩效考核, SPEC §8) from the records: schemes as data, a pure evaluation
// to the cent, and an explanation behind every deducted point.
//
// # Schemes
//
// A [Scheme] (考核方案) is a versioned JSON document: role, period, categories
// with weight labels, items with points, rater, data source and a method —
// rate, deduct, rubric, checklist, sample or manual — plus optional bonus
// lines (加分) and a year-end roll-up. [ParseScheme] decodes (unknown
// fields are errors) and validates; [Scheme.Validate] returns
// apperr.Invalid with a field path such as categories[1].items[2].rules[0].event
// and a Chinese message; [Scheme.Problems] lists every problem. Five
// schemes are shipped embedded ([Shipped]); [Default] is 客服专员绩效考核评分标准
// of SPEC §8.3.
//
// # Evaluation
//
// [Evaluate] is pure: (scheme, standing events, rates, ratings, samples,
// bonuses) → [Card]. Points are integer hundredths ([Points]); rates are
// exact fractions; the only rounding is half up to the hundredth, once, at
// the end of a rate or checklist line (and of a roll-up). Each [Line]
// carries its rule in words, a detail of how the score came about and its
// [Deduction]s with the ids of the events behind each.
//
// Decisions where the sources are vague:
//
//   - Withdrawn events: the caller passes only standing events of one staff
//     member in one period; Evaluate does not filter by staff, period or
//     source. Events of types no rule counts are listed in Card.Unused.
//   - Rate with nothing due (Den <= 0): full points, as internal/rates
//     (本月无到期合同 → 满分). Above 100% counts as 100%; a negative Num as 0.
//     A rate item with no rate passed is pending (待计算).
//   - Deduct: per occurrence = amount × events; per day = amount × Σ
//     quantity, a quantity below 1 counting as one day; per customer =
//     amount × distinct customers (an event without customer counts on its
//     own); per quantity = amount × Σ max(quantity, 0); choice (派单内容有错误
//     1–2 分) = the event's quantity as whole points, clamped into [min, max].
//     A rule's cap bounds that rule; the item's floor (default 0, 扣完为止)
//     bounds the item. An event type may be counted by one rule only.
//   - Rubric: the rating must be one of the levels; the top level must equal
//     the item's points (else the item could never be full).
//   - Manual: 0 ≤ score ≤ points; a score below full needs a reason.
//   - Checklist: 符合 1.0 / 基本符合 0.8 / 一般符合 0.6 / 不符合 0 of each
//     sub-item's points, summed exactly and rounded once; a sub-item not yet
//     graded leaves the whole line pending.
//   - Sample (seed 002): a day with fail_threshold or more failing records
//     loses day_points (one point), floor 0; days not sampled lose nothing;
//     the money tiers (<20 / <15 / <12) are notes on the line, not points.
//   - Pending lines (待评) score 0 and make the card incomplete; Total is then
//     provisional.
//   - Bonus lines are outside the items: Final = Total + Bonus (+ carried
//     lines, below), so Final may exceed the scheme total (seed 004 §4.9);
//     Total never does.
//   - Carried lines (上期补记): late facts of an earlier period whose card is
//     frozen reach the next open card as signed lines ([Carry], worked out
//     by the caller): Final = Total + Bonus + Σ carried. They are
//     adjustments, outside the items: no floor (扣完为止) or cap applies,
//     and Final may go below 0 or above the scheme total.
//   - Roll-up (seed 004 §4.6): each component is the plain mean of its scores
//     (cards' Final), times its weight; "> 100 after weighting → 优秀员工".
//
// The package is layer 0 (pure): stdlib and apperr only; no database, no
// clock; integer and exact rational arithmetic only.
package appraisal
