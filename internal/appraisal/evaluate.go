package appraisal

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
)

// Event is a standing appraisal event (SPEC §8.2) as the evaluation needs it.
// The caller passes only the standing events of one staff member in one
// period: withdrawn events are left out by the caller, never by Evaluate.
type Event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	StaffID    string    `json:"staff_id,omitempty"`
	CustomerID string    `json:"customer_id,omitempty"` // per-customer rules count distinct customers
	OccurredAt time.Time `json:"occurred_at"`
	Quantity   int64     `json:"quantity"`         // days, occurrences, minutes, or the points chosen (dispatch_error)
	Source     string    `json:"source,omitempty"` // computed or flagged
}

// Rate is an exact rate Num/Den with the ids of the rows behind it, as
// internal/rates computes it. As there, Den <= 0 means nothing was due and
// the item scores full; a rate above 100% counts as 100%; a negative Num
// counts as 0.
type Rate struct {
	Num      int64    `json:"num"`
	Den      int64    `json:"den"`
	Evidence []string `json:"evidence,omitempty"`
	// NumText and DenText are how the numerator and denominator read when
	// they are not counts — 回款率's amounts: "¥24,000.00" rather than the
	// fen 2400000. Words only; the score uses Num and Den.
	NumText string `json:"num_text,omitempty"`
	DenText string `json:"den_text,omitempty"`
}

// ratio is num/den in words: the texts when the rate has them.
func (r Rate) ratio() string {
	if r.NumText != "" && r.DenText != "" {
		return r.NumText + "/" + r.DenText
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}

// Rating is a rater's input for a rubric, manual or checklist item.
type Rating struct {
	Points Points            `json:"points"`           // rubric: the level chosen; manual: the score
	Grades map[string]string `json:"grades,omitempty"` // checklist: sub-item key → 符合/基本符合/一般符合/不符合
	Reason string            `json:"reason,omitempty"` // required for a manual score below full
	Rater  string            `json:"rater,omitempty"`
}

// SampleDay is one day of a sample item: how many records were checked,
// how many failed, and which (the evidence).
type SampleDay struct {
	Date     string   `json:"date"` // YYYY-MM-DD
	Checked  int64    `json:"checked"`
	Failed   int64    `json:"failed"`
	Evidence []string `json:"evidence,omitempty"` // ids of the failing records
}

// Bonus is a commendation (嘉奖, seed 004 §4.9): +Min…+Max points with a reason.
type Bonus struct {
	ID     string `json:"id,omitempty"`
	Points Points `json:"points"`
	Reason string `json:"reason"`
	Ref    string `json:"ref,omitempty"` // evidence: the commendation record
}

// Input is everything a scorecard is computed from.
type Input struct {
	Scheme  *Scheme
	Events  []Event                // standing events of the staff member in the period
	Rates   map[string]Rate        // by rate key (renewal, collection, …)
	Ratings map[string]Rating      // by item key
	Samples map[string][]SampleDay // by item key
	Bonuses []Bonus
	Carried []Carry // late facts of earlier, frozen periods (上期补记)
}

// Card is a computed scorecard.
type Card struct {
	Scheme        string           `json:"scheme"`
	SchemeVersion int              `json:"scheme_version"`
	Max           Points           `json:"max"` // the scheme total
	Categories    []CategoryResult `json:"categories"`
	Lines         []Line           `json:"lines"`
	Bonuses       []BonusLine      `json:"bonuses,omitempty"`
	Total         Points           `json:"total"`             // sum of the lines (provisional while !Complete)
	Bonus         Points           `json:"bonus"`             // sum of the bonus lines
	Carried       []CarriedLine    `json:"carried,omitempty"` // 上期补记: late facts of earlier periods
	Carry         Points           `json:"carry,omitempty"`   // sum of the carried lines (signed)
	Final         Points           `json:"final"`             // Total + Bonus + Carry
	Complete      bool             `json:"complete"`
	Pending       []string         `json:"pending,omitempty"` // keys of the items awaiting a rating or data (待评)
	Unused        []string         `json:"unused,omitempty"`  // ids of events no rule of the scheme counts
}

// CategoryResult is the subtotal of one category.
type CategoryResult struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Weight string `json:"weight,omitempty"`
	Max    Points `json:"max"`
	Score  Points `json:"score"`
}

// Line is one item of a scorecard with its explanation.
type Line struct {
	Category   string      `json:"category"` // category key
	Item       string      `json:"item"`     // item key
	Name       string      `json:"name"`
	Method     string      `json:"method"`
	Rater      string      `json:"rater,omitempty"`
	Max        Points      `json:"max"`
	Score      Points      `json:"score"`
	Pending    bool        `json:"pending,omitempty"` // 待评: score 0 until rated
	Rule       string      `json:"rule"`              // the rule in words
	Detail     string      `json:"detail"`            // how this score came about
	Deductions []Deduction `json:"deductions,omitempty"`
	Evidence   []string    `json:"evidence,omitempty"` // rate rows, rated records
	Note       string      `json:"note,omitempty"`     // floor reached, tier consequence, rater's reason
}

// Deduction is one rule's (or one sampled day's) deduction with the events
// behind it.
type Deduction struct {
	Rule     string   `json:"rule"`   // 响应超时每次扣1分
	Text     string   `json:"text"`   // 响应超时每次扣1分：2 次 = −2
	Count    int64    `json:"count"`  // occurrences, days, customers, units
	Points   Points   `json:"points"` // deducted, after the rule's cap (positive)
	Capped   bool     `json:"capped,omitempty"`
	EventIDs []string `json:"event_ids,omitempty"`
}

// BonusLine is one bonus on a card.
type BonusLine struct {
	ID     string `json:"id,omitempty"`
	Points Points `json:"points"` // after the period cap
	Reason string `json:"reason"`
	Ref    string `json:"ref,omitempty"`
	Text   string `json:"text"`
}

// minus formats a deduction: "−4", "−2.5".
func minus(p Points) string { return "−" + p.Short() }

// Evaluate computes the scorecard of in. It is pure and deterministic: the
// same input gives the same card to the cent, whatever the order of the
// events. It fails (apperr.Invalid) on an invalid scheme and on inputs that
// contradict it: a rating for an unknown item, a rubric level the item does
// not have, a manual score out of range or below full without a reason, a
// checklist grade that does not exist, a sample day with more failures than
// checks, a bonus out of the scheme's range, an event without id, a
// duplicate event id, a carried line without period, item, change or
// points, or carried twice for the same period and item.
func Evaluate(in Input) (Card, error) {
	s := in.Scheme
	if s == nil {
		return Card{}, apperr.Invalid("scheme", "缺少考核方案")
	}
	if err := s.Validate(); err != nil {
		return Card{}, err
	}
	evs, err := sortedEvents(in.Events)
	if err != nil {
		return Card{}, err
	}
	if err := checkInputs(s, in); err != nil {
		return Card{}, err
	}

	byType := map[string][]Event{}
	for _, e := range evs {
		byType[e.Type] = append(byType[e.Type], e)
	}
	counted := map[string]bool{}

	card := Card{Scheme: s.Key, SchemeVersion: s.Version, Max: s.Total, Complete: true}
	for ci := range s.Categories {
		c := &s.Categories[ci]
		cr := CategoryResult{Key: c.Key, Name: c.Name, Weight: c.Weight}
		for ii := range c.Items {
			it := &c.Items[ii]
			var l Line
			var err error
			switch it.Method {
			case MethodRate:
				l = rateLine(it, in.Rates)
			case MethodDeduct:
				l = deductLine(it, byType, counted)
			case MethodRubric:
				l, err = rubricLine(it, in.Ratings)
			case MethodChecklist:
				l, err = checklistLine(it, in.Ratings)
			case MethodSample:
				l, err = sampleLine(it, in.Samples)
			case MethodManual:
				l, err = manualLine(it, in.Ratings)
			}
			if err != nil {
				return Card{}, err
			}
			l.Category, l.Item, l.Name, l.Method, l.Rater, l.Max = c.Key, it.Key, it.Name, it.Method, it.Rater, it.Points
			if l.Pending {
				l.Score = 0
				card.Complete = false
				card.Pending = append(card.Pending, it.Key)
			}
			cr.Max += it.Points
			cr.Score += l.Score
			card.Lines = append(card.Lines, l)
		}
		card.Total += cr.Score
		card.Categories = append(card.Categories, cr)
	}
	for _, e := range evs {
		if !counted[e.Type] {
			card.Unused = append(card.Unused, e.ID)
		}
	}
	bonuses, err := bonusLines(s.Bonus, in.Bonuses)
	if err != nil {
		return Card{}, err
	}
	card.Bonuses = bonuses
	for _, b := range bonuses {
		card.Bonus += b.Points
	}
	carried, carry, err := carriedLines(in.Carried)
	if err != nil {
		return Card{}, err
	}
	card.Carried, card.Carry = carried, carry
	card.Final = card.Total + card.Bonus + card.Carry
	return card, nil
}

// sortedEvents checks ids and orders the events by time, then id.
func sortedEvents(in []Event) ([]Event, error) {
	evs := slices.Clone(in)
	for i, e := range evs {
		if e.ID == "" {
			return nil, apperr.Invalid(fmt.Sprintf("events[%d].id", i), "事件缺少 id，无法追溯证据")
		}
	}
	slices.SortFunc(evs, func(a, b Event) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(evs); i++ {
		if evs[i].ID == evs[i-1].ID {
			return nil, apperr.Invalid("events", fmt.Sprintf("事件 id %q 重复", evs[i].ID))
		}
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
	return evs, nil
}

// checkInputs rejects ratings and samples for items that do not take them.
func checkInputs(s *Scheme, in Input) error {
	items := map[string]*Item{}
	for ci := range s.Categories {
		for ii := range s.Categories[ci].Items {
			it := &s.Categories[ci].Items[ii]
			items[it.Key] = it
		}
	}
	for _, k := range sortedKeys(in.Ratings) {
		it, ok := items[k]
		switch {
		case !ok:
			return apperr.Invalid("ratings."+k, "方案中没有此考核项")
		case it.Method != MethodRubric && it.Method != MethodManual && it.Method != MethodChecklist:
			return apperr.Invalid("ratings."+k, fmt.Sprintf("“%s”按%s计分，不接受评分", it.Name, methodNames[it.Method]))
		}
	}
	for _, k := range sortedKeys(in.Samples) {
		it, ok := items[k]
		switch {
		case !ok:
			return apperr.Invalid("samples."+k, "方案中没有此考核项")
		case it.Method != MethodSample:
			return apperr.Invalid("samples."+k, fmt.Sprintf("“%s”按%s计分，不接受抽查记录", it.Name, methodNames[it.Method]))
		}
	}
	return nil
}

// percent formats num/den (0 <= num <= den, den > 0) as "66.67%".
func percent(num, den uint64) string {
	bp := mulDivHalfUp(10000, num, den)
	return strconv.FormatInt(int64(bp)/100, 10) + "." + twoDigits(uint64(bp)%100) + "%"
}

func rateLine(it *Item, rates map[string]Rate) Line {
	name := KnownRates[it.Rate]
	l := Line{Rule: fmt.Sprintf("配分 × %s", name)}
	if it.Invert {
		l.Rule = fmt.Sprintf("配分 × (1 − %s)", name)
	}
	r, ok := rates[it.Rate]
	if !ok {
		l.Pending = true
		l.Detail = fmt.Sprintf("待计算：尚无%s数据", name)
		return l
	}
	l.Evidence = slices.Clone(r.Evidence)
	num, den := max(r.Num, 0), r.Den
	switch {
	case den <= 0:
		l.Score = it.Points
		none, ok := NothingDue[it.Rate]
		if !ok {
			none = "本期无应计项"
		}
		l.Detail = fmt.Sprintf("%s：%s（%s），按满分计 %s", name, none, r.ratio(), it.Points.Short())
		return l
	case num >= den:
		num = den
	}
	pct := percent(uint64(num), uint64(den))
	shown := fmt.Sprintf("%s %s = %s", name, r.ratio(), pct)
	if r.Num > r.Den {
		shown, pct = fmt.Sprintf("%s %s，按 100%% 计", name, r.ratio()), "100.00%"
	} else if r.Num < 0 {
		shown, pct = fmt.Sprintf("%s %s，按 0%% 计", name, r.ratio()), "0.00%"
	}
	// The factor in words: the counts themselves (exact), or for amounts
	// the percentage — the score itself is always computed from Num/Den.
	factor := fmt.Sprintf("%d/%d", num, den)
	if r.NumText != "" && r.DenText != "" {
		factor = pct
	}
	if it.Invert {
		l.Score = mulDivHalfUp(it.Points, uint64(den-num), uint64(den))
		l.Detail = fmt.Sprintf("%s：%s × (1 − %s) = %s", shown, it.Points.Short(), factor, l.Score)
		return l
	}
	l.Score = mulDivHalfUp(it.Points, uint64(num), uint64(den))
	l.Detail = fmt.Sprintf("%s：%s × %s = %s", shown, it.Points.Short(), factor, l.Score)
	return l
}

// ruleWords is the rule in words: 派单逾期每天扣2分.
func ruleWords(r *Rule) string {
	label := r.Label
	if label == "" {
		var names []string
		for _, t := range r.types() {
			names = append(names, KnownEventTypes[t])
		}
		label = strings.Join(names, "、")
	}
	var w string
	switch r.Per {
	case PerOccurrence:
		w = fmt.Sprintf("%s每次扣%s分", label, r.Amount.Short())
	case PerDay:
		w = fmt.Sprintf("%s每天扣%s分", label, r.Amount.Short())
	case PerCustomer:
		w = fmt.Sprintf("%s每客户扣%s分", label, r.Amount.Short())
	case PerQuantity:
		w = fmt.Sprintf("%s每单位扣%s分", label, r.Amount.Short())
	case PerChoice:
		w = fmt.Sprintf("%s每处扣%s–%s分（由标记人选定）", label, r.Min.Short(), r.Max.Short())
	}
	if r.Cap != nil {
		w += fmt.Sprintf("，本条最多扣%s分", r.Cap.Short())
	}
	return w
}

var perUnit = map[string]string{PerOccurrence: "次", PerDay: "天", PerCustomer: "个客户", PerQuantity: "单位", PerChoice: "处"}

func deductLine(it *Item, byType map[string][]Event, counted map[string]bool) Line {
	var l Line
	var words []string
	var total Points
	for ri := range it.Rules {
		r := &it.Rules[ri]
		w := ruleWords(r)
		words = append(words, w)
		var evs []Event
		for _, t := range r.types() {
			counted[t] = true
			evs = append(evs, byType[t]...)
		}
		if len(evs) == 0 {
			continue
		}
		slices.SortStableFunc(evs, func(a, b Event) int {
			if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		d := Deduction{Rule: w}
		for _, e := range evs {
			d.EventIDs = append(d.EventIDs, e.ID)
		}
		switch r.Per {
		case PerOccurrence:
			d.Count = int64(len(evs))
			d.Points = satMul(r.Amount, d.Count)
		case PerDay:
			for _, e := range evs {
				d.Count = min(d.Count+max(e.Quantity, 1), 1<<40)
			}
			d.Points = satMul(r.Amount, d.Count)
		case PerCustomer:
			seen := map[string]bool{}
			for _, e := range evs {
				k := "c:" + e.CustomerID
				if e.CustomerID == "" {
					k = "e:" + e.ID // no customer: counts on its own
				}
				seen[k] = true
			}
			d.Count = int64(len(seen))
			d.Points = satMul(r.Amount, d.Count)
		case PerQuantity:
			for _, e := range evs {
				d.Count = min(d.Count+max(e.Quantity, 0), 1<<40)
			}
			d.Points = satMul(r.Amount, d.Count)
		case PerChoice:
			d.Count = int64(len(evs))
			for _, e := range evs {
				chosen := r.Min
				if e.Quantity > 0 && e.Quantity <= int64(maxPoints/100) {
					chosen = min(max(P(e.Quantity), r.Min), r.Max)
				} else if e.Quantity > 0 {
					chosen = r.Max
				}
				d.Points = satAdd(d.Points, chosen)
			}
		}
		d.Text = fmt.Sprintf("%s：%d %s = %s", w, d.Count, perUnit[r.Per], minus(d.Points))
		if r.Per == PerChoice {
			d.Text = fmt.Sprintf("%s：%d 处共扣 %s 分 = %s", w, d.Count, d.Points.Short(), minus(d.Points))
		}
		if r.Cap != nil && d.Points > *r.Cap {
			d.Text += fmt.Sprintf("，本条封顶 %s", minus(*r.Cap))
			d.Points, d.Capped = *r.Cap, true
		}
		total = satAdd(total, d.Points)
		l.Deductions = append(l.Deductions, d)
	}
	l.Rule = strings.Join(words, "；")
	floor := Points(0)
	if it.Floor != nil {
		floor = *it.Floor
	}
	l.Score = it.Points - total
	if total > it.Points-floor {
		l.Score = floor
		l.Note = fmt.Sprintf("扣完为止：扣分合计 %s，本项最低 %s 分", minus(total), floor.Short())
	}
	if len(l.Deductions) == 0 {
		l.Detail = fmt.Sprintf("无扣分：%s", it.Points.Short())
	} else {
		parts := []string{it.Points.Short()}
		for _, d := range l.Deductions {
			parts = append(parts, d.Points.Short())
		}
		l.Detail = strings.Join(parts, " − ") + " = " + l.Score.Short()
		if l.Note != "" {
			l.Detail = fmt.Sprintf("%s − %s，扣完为止 = %s", it.Points.Short(), total.Short(), l.Score.Short())
		}
	}
	return l
}

func levelsWords(it *Item) string {
	var ps []string
	for _, lv := range it.Levels {
		ps = append(ps, lv.Points.Short())
	}
	return strings.Join(ps, "/")
}

func rubricLine(it *Item, ratings map[string]Rating) (Line, error) {
	l := Line{Rule: fmt.Sprintf("%s按等级评分（%s）", it.Rater, levelsWords(it))}
	if it.Rater == "" {
		l.Rule = fmt.Sprintf("按等级评分（%s）", levelsWords(it))
	}
	r, ok := ratings[it.Key]
	if !ok {
		l.Pending, l.Detail = true, "待评"
		return l, nil
	}
	for _, lv := range it.Levels {
		if lv.Points == r.Points {
			l.Score = lv.Points
			l.Detail = fmt.Sprintf("等级 %s：%s", lv.Points.Short(), lv.Text)
			l.Note = r.Reason
			return l, nil
		}
	}
	return Line{}, apperr.Invalid("ratings."+it.Key+".points",
		fmt.Sprintf("“%s”没有 %s 分这一等级（可选：%s）", it.Name, r.Points.Short(), levelsWords(it)))
}

func manualLine(it *Item, ratings map[string]Rating) (Line, error) {
	l := Line{Rule: fmt.Sprintf("人工评分 0–%s 分，低于满分须注明理由", it.Points.Short())}
	if it.Description != "" {
		l.Rule = it.Description + "（" + l.Rule + "）"
	}
	r, ok := ratings[it.Key]
	if !ok {
		l.Pending, l.Detail = true, "待评"
		return l, nil
	}
	f := "ratings." + it.Key + ".points"
	switch {
	case r.Points < 0 || r.Points > it.Points:
		return Line{}, apperr.Invalid(f, fmt.Sprintf("“%s”评分应在 0 到 %s 之间（现为 %s）", it.Name, it.Points.Short(), r.Points.Short()))
	case r.Points < it.Points && strings.TrimSpace(r.Reason) == "":
		return Line{}, apperr.Invalid("ratings."+it.Key+".reason", fmt.Sprintf("“%s”低于满分须注明理由", it.Name))
	}
	l.Score = r.Points
	l.Detail = fmt.Sprintf("评分 %s", r.Points.Short())
	if r.Reason != "" {
		l.Detail += "：" + r.Reason
	}
	return l, nil
}

func checklistLine(it *Item, ratings map[string]Rating) (Line, error) {
	l := Line{Rule: "各子项按 符合 1.0 / 基本符合 0.8 / 一般符合 0.6 / 不符合 0 × 子项分值"}
	r, ok := ratings[it.Key]
	subs := map[string]bool{}
	for _, s := range it.SubItems {
		subs[s.Key] = true
	}
	for _, k := range sortedKeys(r.Grades) {
		f := "ratings." + it.Key + ".grades." + k
		if !subs[k] {
			return Line{}, apperr.Invalid(f, fmt.Sprintf("“%s”没有此子项", it.Name))
		}
		if _, ok := gradeTenths[r.Grades[k]]; !ok {
			return Line{}, apperr.Invalid(f, fmt.Sprintf("未知等级 %q（可选：符合、基本符合、一般符合、不符合）", r.Grades[k]))
		}
	}
	// Exact sum in thousandths of a point (hundredths × tenths), rounded once.
	var sum uint64
	var parts, missing []string
	for _, s := range it.SubItems {
		g, ok := r.Grades[s.Key]
		if !ok {
			missing = append(missing, s.Name)
			continue
		}
		t := gradeTenths[g]
		sum += uint64(s.Points) * t
		parts = append(parts, fmt.Sprintf("%s %s %s×%s", s.Name, g, s.Points.Short(), tenths(t)))
	}
	if !ok || len(missing) > 0 {
		l.Pending = true
		l.Detail = "待评：" + strings.Join(missing, "、")
		return l, nil
	}
	l.Score = Points((sum + 5) / 10)
	l.Detail = strings.Join(parts, "；") + " = " + l.Score.Short()
	l.Note = r.Reason
	return l, nil
}

func tenths(t uint64) string {
	switch t {
	case 10:
		return "1"
	case 0:
		return "0"
	}
	return "0." + strconv.FormatUint(t, 10)
}

func sampleLine(it *Item, samples map[string][]SampleDay) (Line, error) {
	sr := it.Sample
	l := Line{Rule: fmt.Sprintf("每天抽查 %d 条记录，不合格 %d 条及以上当天扣%s分，每月 %d 天共 %s 分",
		sr.PerDay, sr.FailThreshold, sr.DayPoints.Short(), sr.Days, it.Points.Short())}
	days := samples[it.Key]
	if len(days) == 0 {
		l.Pending, l.Detail = true, "待抽查：本期尚无抽查记录"
		return l, nil
	}
	days = slices.Clone(days)
	for i, d := range days {
		f := fmt.Sprintf("samples.%s[%d]", it.Key, i)
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			return Line{}, apperr.Invalid(f+".date", fmt.Sprintf("日期格式应为 YYYY-MM-DD：%q", d.Date))
		}
		if d.Checked < 0 || d.Failed < 0 || d.Failed > d.Checked {
			return Line{}, apperr.Invalid(f+".failed", fmt.Sprintf("%s 不合格 %d 条，抽查 %d 条：不合格条数应在 0 与抽查条数之间", d.Date, d.Failed, d.Checked))
		}
	}
	slices.SortFunc(days, func(a, b SampleDay) int { return cmp.Compare(a.Date, b.Date) })
	for i := 1; i < len(days); i++ {
		if days[i].Date == days[i-1].Date {
			return Line{}, apperr.Invalid("samples."+it.Key, fmt.Sprintf("%s 的抽查记录重复", days[i].Date))
		}
	}
	var total Points
	var short []string
	for _, d := range days {
		if d.Checked < sr.PerDay {
			short = append(short, fmt.Sprintf("%s 仅抽查 %d 条", d.Date, d.Checked))
		}
		if d.Failed < sr.FailThreshold {
			continue
		}
		l.Deductions = append(l.Deductions, Deduction{
			Rule:     fmt.Sprintf("不合格 %d 条及以上扣%s分", sr.FailThreshold, sr.DayPoints.Short()),
			Text:     fmt.Sprintf("%s 抽查 %d 条，不合格 %d 条 = %s", d.Date, d.Checked, d.Failed, minus(sr.DayPoints)),
			Count:    d.Failed,
			Points:   sr.DayPoints,
			EventIDs: slices.Clone(d.Evidence),
		})
		total = satAdd(total, sr.DayPoints)
	}
	l.Score = max(it.Points-total, 0)
	l.Detail = fmt.Sprintf("抽查 %d 天，%d 天不合格：%s − %s = %s", len(days), len(l.Deductions), it.Points.Short(), total.Short(), l.Score.Short())
	var notes []string
	if total > it.Points {
		notes = append(notes, "扣完为止")
	}
	if len(short) > 0 {
		notes = append(notes, fmt.Sprintf("抽查不足 %d 条：%s", sr.PerDay, strings.Join(short, "，")))
	}
	if n := tierNote(it, l.Score); n != "" {
		notes = append(notes, n)
	}
	l.Note = strings.Join(notes, "；")
	return l, nil
}

// tierNote is the consequence of score: the lowest tier it is below, or
// the full note at full points.
func tierNote(it *Item, score Points) string {
	note := ""
	for _, t := range it.Tiers {
		if score < t.Below {
			note = fmt.Sprintf("低于 %s 分：%s", t.Below.Short(), t.Note)
		}
	}
	if note == "" && score == it.Points && it.FullNote != "" {
		note = it.FullNote
	}
	return note
}

func bonusLines(rule *BonusRule, in []Bonus) ([]BonusLine, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if rule == nil {
		return nil, apperr.Invalid("bonuses", "本方案没有加分项")
	}
	label := rule.Label
	if label == "" {
		label = "加分"
	}
	bs := slices.Clone(in)
	for i, b := range bs {
		f := fmt.Sprintf("bonuses[%d]", i)
		if b.Points < rule.Min || b.Points > rule.Max {
			return nil, apperr.Invalid(f+".points", fmt.Sprintf("每次加分应在 %s 到 %s 分之间（现为 %s）", rule.Min.Short(), rule.Max.Short(), b.Points.Short()))
		}
		if strings.TrimSpace(b.Reason) == "" {
			return nil, apperr.Invalid(f+".reason", "加分须注明理由")
		}
	}
	slices.SortFunc(bs, func(a, b Bonus) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Ref, b.Ref), cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Points, b.Points))
	})
	var out []BonusLine
	var sum Points
	for _, b := range bs {
		p := b.Points
		text := fmt.Sprintf("%s：%s +%s", label, b.Reason, p.Short())
		if rule.Cap != nil && sum+p > *rule.Cap {
			p = max(*rule.Cap-sum, 0)
			text += fmt.Sprintf("（本期加分封顶 %s，计 +%s）", rule.Cap.Short(), p.Short())
		}
		sum += p
		out = append(out, BonusLine{ID: b.ID, Points: p, Reason: b.Reason, Ref: b.Ref, Text: text})
	}
	return out, nil
}
