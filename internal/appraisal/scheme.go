package appraisal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"kefu/internal/apperr"
)

// Methods of an item (SPEC §8.1).
const (
	MethodRate      = "rate"      // points × a computed rate
	MethodDeduct    = "deduct"    // start at the points, subtract per event, floor (扣完为止)
	MethodRubric    = "rubric"    // the rater picks a level (3/2/1/0 with texts)
	MethodChecklist = "checklist" // sub-items graded 符合/基本符合/一般符合/不符合
	MethodSample    = "sample"    // N sampled records a day, K failing → −1
	MethodManual    = "manual"    // the rater enters a score with a reason
)

// Periods of a scheme.
const (
	PeriodMonthly = "monthly"
	PeriodWeekly  = "weekly"
	PeriodYearly  = "yearly"
)

// Per says what a deduct rule multiplies its amount by.
const (
	PerOccurrence = "occurrence" // each event: amount
	PerDay        = "day"        // each event: amount × its quantity in days (at least 1)
	PerCustomer   = "customer"   // amount × distinct customers among the events
	PerQuantity   = "quantity"   // each event: amount × its quantity (minutes, units…)
	PerChoice     = "choice"     // each event: its quantity is the points the flagger chose, within [min, max]
)

// Scheme is an appraisal scheme (考核方案): a versioned document, never code.
// A version in use is never edited; a change is a new Version with a new
// EffectiveFrom.
type Scheme struct {
	Key     string `json:"key"`     // stable id across versions, e.g. "cs_specialist"
	Version int    `json:"version"` // 1, 2, … (a change is a new version)
	Name    string `json:"name"`    // 客服专员绩效考核评分标准
	Role    string `json:"role"`    // applicability: a role of SPEC §1 (cs_specialist, cs_manager, …)
	Period  string `json:"period"`  // monthly, weekly or yearly
	// Check marks a check scheme (检查考核: the 周检/月检 of seed 004 §4.5.2,
	// the 督办记录表 of seed 001, the chat sampling of seed 002): a rater
	// opens a check card for a person and period and grades it; it is not
	// the person's monthly appraisal, and a roll-up counts it as "checks".
	Check         bool       `json:"check,omitempty"`
	EffectiveFrom string     `json:"effective_from,omitempty"` // YYYY-MM-DD
	Source        string     `json:"source,omitempty"`         // where the rules come from (seed document)
	Total         Points     `json:"total"`                    // declared total: the items' points must sum to it
	Categories    []Category `json:"categories"`
	Bonus         *BonusRule `json:"bonus,omitempty"`  // commendations (加分); nil: no bonus lines allowed
	RollUp        *RollUp    `json:"rollup,omitempty"` // how periods roll up into a year-end score
	Notes         []string   `json:"notes,omitempty"`
}

// Category groups items: 业务 30%, 关键绩效 55%, 德 20 分 ….
type Category struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Weight string  `json:"weight,omitempty"` // label as printed: "30%", "20分"
	Points *Points `json:"points,omitempty"` // when set, the items must sum to it
	Items  []Item  `json:"items"`
}

// Item is one scored line of a scheme. Keys are unique in the whole scheme
// (ratings, rates and samples are keyed by item key or rate key).
type Item struct {
	Key         string  `json:"key"`
	Name        string  `json:"name"`
	Points      Points  `json:"points"`
	Method      string  `json:"method"`
	Rater       string  `json:"rater,omitempty"`  // 考评人: 直属上级, 财务, 信息中心
	Source      string  `json:"source,omitempty"` // 数据来源
	Description string  `json:"description,omitempty"`
	Floor       *Points `json:"floor,omitempty"` // deduct: lowest score (default 0, 扣完为止); may be negative

	Rate     string      `json:"rate,omitempty"`      // rate: key of KnownRates
	Invert   bool        `json:"invert,omitempty"`    // rate: points × (1 − rate), for rates where lower is better (流失率)
	Rules    []Rule      `json:"rules,omitempty"`     // deduct
	Levels   []Level     `json:"levels,omitempty"`    // rubric
	SubItems []SubItem   `json:"sub_items,omitempty"` // checklist
	Sample   *SampleRule `json:"sample,omitempty"`    // sample
	Tiers    []Tier      `json:"tiers,omitempty"`     // consequences of a low score (sample, any method)
	FullNote string      `json:"full_note,omitempty"` // consequence of full points
}

// Rule is one deduction rule of a deduct item: which events, how much.
type Rule struct {
	Event  string   `json:"event,omitempty"`  // one event type …
	Events []string `json:"events,omitempty"` // … or several counted alike (响应超时 = wechat/missed call/chat)
	Label  string   `json:"label,omitempty"`  // in words: 响应超时; default: the event type's name
	Per    string   `json:"per"`              // occurrence, day, customer, quantity or choice
	Amount Points   `json:"amount,omitempty"` // per unit (not for choice)
	Min    Points   `json:"min,omitempty"`    // choice: the range the flagger chooses from
	Max    Points   `json:"max,omitempty"`
	Cap    *Points  `json:"cap,omitempty"` // most this rule may deduct in a period
}

// types returns the event types of the rule.
func (r *Rule) types() []string {
	if r.Event != "" {
		return append([]string{r.Event}, r.Events...)
	}
	return r.Events
}

// Level is one level of a rubric: 3 即使没有指示，也能主动做好工作.
type Level struct {
	Points Points `json:"points"`
	Text   string `json:"text"`
}

// SubItem is one graded sub-item of a checklist.
type SubItem struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Points Points `json:"points"`
}

// SampleRule is the daily sampling of seed 002: PerDay records a day are
// checked; a day with FailThreshold or more failing loses DayPoints.
type SampleRule struct {
	PerDay        int64  `json:"per_day"`        // 20 records a day
	FailThreshold int64  `json:"fail_threshold"` // 4 failing → −DayPoints
	DayPoints     Points `json:"day_points"`     // 1
	Days          int64  `json:"days"`           // 26 working days; Days × DayPoints = the item's points
}

// Tier is a consequence of a score below a threshold (seed 002: <20 扣奖金50元).
// The lowest matching tier applies.
type Tier struct {
	Below Points `json:"below"`
	Note  string `json:"note"`
}

// BonusRule allows bonus lines (加分, seed 004 §4.9): Min…Max points each,
// with a reason, outside the items and outside the scheme total.
type BonusRule struct {
	Min   Points  `json:"min"`
	Max   Points  `json:"max"`
	Label string  `json:"label,omitempty"` // 嘉奖加分
	Cap   *Points `json:"cap,omitempty"`   // most bonus in one period
}

// RollUp says how period scores roll up into a year-end score (seed 004
// §4.6: 20% weekly/monthly checks + 30% monthly appraisals + 50% year-end).
type RollUp struct {
	Components []Component `json:"components"`
	Excellent  *Points     `json:"excellent_above,omitempty"` // a rolled-up score above this → ExcellentNote
	Note       string      `json:"excellent_note,omitempty"`  // 按“优秀员工”奖励
}

// Component is one part of a roll-up: the mean of its scores × Weight%.
type Component struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Weight int64  `json:"weight"` // percent; the components sum to 100
}

// ParseScheme decodes a JSON scheme (unknown fields are errors) and
// validates it; errors are apperr.Invalid with a field path and a message
// in Chinese.
func ParseScheme(b []byte) (*Scheme, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Scheme
	if err := dec.Decode(&s); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, apperr.Invalid("scheme", "方案 JSON 之后还有多余内容")
	}
	s.normalize()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// normalize makes empty lists nil, so that a scheme and its round trip
// through JSON are equal.
func (s *Scheme) normalize() {
	s.Categories = nilIfEmpty(s.Categories)
	s.Notes = nilIfEmpty(s.Notes)
	if s.RollUp != nil {
		s.RollUp.Components = nilIfEmpty(s.RollUp.Components)
	}
	for ci := range s.Categories {
		c := &s.Categories[ci]
		c.Items = nilIfEmpty(c.Items)
		for ii := range c.Items {
			it := &c.Items[ii]
			it.Rules = nilIfEmpty(it.Rules)
			it.Levels = nilIfEmpty(it.Levels)
			it.SubItems = nilIfEmpty(it.SubItems)
			it.Tiers = nilIfEmpty(it.Tiers)
			for ri := range it.Rules {
				it.Rules[ri].Events = nilIfEmpty(it.Rules[ri].Events)
			}
		}
	}
}

func nilIfEmpty[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func decodeError(err error) error {
	var pe *pointsError
	if errors.As(err, &pe) {
		return apperr.Invalid("scheme", pe.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return apperr.Invalid(te.Field, "类型不正确：应为 "+te.Type.String())
	}
	return apperr.Invalid("scheme", "方案 JSON 无法解析："+err.Error())
}
