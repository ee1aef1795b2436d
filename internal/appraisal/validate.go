package appraisal

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
)

// Problem is one thing wrong with a scheme: the field path
// (categories[1].items[2].rules[0].event) and a message in Chinese.
type Problem struct {
	Field   string
	Message string
}

// Validate returns nil for a valid scheme, or apperr.Invalid with the field
// path and message of the first problem in document order. Problems lists
// them all.
func (s *Scheme) Validate() error {
	if ps := s.Problems(); len(ps) > 0 {
		return apperr.Invalid(ps[0].Field, ps[0].Message)
	}
	return nil
}

// Problems returns every problem of the scheme in document order.
func (s *Scheme) Problems() []Problem {
	v := &validator{items: map[string]string{}, events: map[string]string{}}
	v.scheme(s)
	return v.ps
}

type validator struct {
	ps     []Problem
	items  map[string]string // item key → path of its first use
	events map[string]string // event type → path of the rule counting it
}

func (v *validator) add(field, format string, args ...any) {
	v.ps = append(v.ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (v *validator) key(field, k string) {
	switch {
	case k == "":
		v.add(field, "不能为空")
	case !validKey(k):
		v.add(field, "只能使用小写字母、数字和下划线（最长 64 个字符）：%q", k)
	}
}

func (v *validator) name(field, n string) {
	if strings.TrimSpace(n) == "" {
		v.add(field, "不能为空")
	}
}

// amount checks 0 < p <= maxPoints.
func (v *validator) amount(field string, p Points) {
	switch {
	case p <= 0:
		v.add(field, "必须大于 0（现为 %s）", p)
	case p > maxPoints:
		v.add(field, "不能超过 1000000 分")
	}
}

func (v *validator) scheme(s *Scheme) {
	v.key("key", s.Key)
	if s.Version < 1 {
		v.add("version", "版本号必须大于等于 1")
	}
	v.name("name", s.Name)
	if _, ok := knownRoles[s.Role]; !ok {
		v.add("role", "未知角色 %q（可用：%s）", s.Role, strings.Join(sortedKeys(knownRoles), "、"))
	}
	if _, ok := periodNames[s.Period]; !ok {
		v.add("period", "未知考核周期 %q（可用：monthly、weekly、yearly）", s.Period)
	} else if s.Check && s.Period == PeriodYearly {
		v.add("period", "检查考核按周或按月进行（weekly、monthly），不能按年")
	}
	if s.Check && s.RollUp != nil {
		v.add("rollup", "检查考核本身计入年终汇总的“周检月检”部分，不能再规定年终汇总")
	}
	if s.EffectiveFrom != "" {
		if _, err := time.Parse(time.DateOnly, s.EffectiveFrom); err != nil {
			v.add("effective_from", "日期格式应为 YYYY-MM-DD：%q", s.EffectiveFrom)
		}
	}
	v.amount("total", s.Total)
	if len(s.Categories) == 0 {
		v.add("categories", "至少需要一个类别")
	}
	cats := map[string]string{}
	var sum Points
	for i := range s.Categories {
		sum = satAdd(sum, v.category(fmt.Sprintf("categories[%d]", i), &s.Categories[i], cats))
	}
	if len(s.Categories) > 0 && s.Total > 0 && sum != s.Total {
		v.add("total", "各项配分合计 %s，与方案总分 %s 不符", sum, s.Total)
	}
	if b := s.Bonus; b != nil {
		v.amount("bonus.min", b.Min)
		v.amount("bonus.max", b.Max)
		if b.Max < b.Min {
			v.add("bonus.max", "加分上限 %s 小于下限 %s", b.Max, b.Min)
		}
		if b.Cap != nil && *b.Cap < b.Max {
			v.add("bonus.cap", "每期加分封顶 %s 小于单次加分上限 %s", *b.Cap, b.Max)
		}
	}
	if r := s.RollUp; r != nil {
		v.rollUp(r)
	}
}

func (v *validator) category(path string, c *Category, seen map[string]string) Points {
	v.key(path+".key", c.Key)
	if first, dup := seen[c.Key]; dup && c.Key != "" {
		v.add(path+".key", "类别键 %q 重复（已用于 %s）", c.Key, first)
	} else {
		seen[c.Key] = path
	}
	v.name(path+".name", c.Name)
	if len(c.Items) == 0 {
		v.add(path+".items", "类别至少需要一个考核项")
	}
	var sum Points
	for j := range c.Items {
		it := &c.Items[j]
		v.item(fmt.Sprintf("%s.items[%d]", path, j), it)
		if it.Points > 0 {
			sum = satAdd(sum, it.Points)
		}
	}
	if c.Points != nil && len(c.Items) > 0 && sum != *c.Points {
		v.add(path+".points", "类别“%s”各项配分合计 %s，与类别分值 %s 不符", c.Name, sum, *c.Points)
	}
	return sum
}

func (v *validator) item(path string, it *Item) {
	v.key(path+".key", it.Key)
	if first, dup := v.items[it.Key]; dup && it.Key != "" {
		v.add(path+".key", "考核项键 %q 重复（已用于 %s）", it.Key, first)
	} else {
		v.items[it.Key] = path
	}
	v.name(path+".name", it.Name)
	v.amount(path+".points", it.Points)
	if _, ok := methodNames[it.Method]; !ok {
		v.add(path+".method", "未知考核方法 %q（可用：rate、deduct、rubric、checklist、sample、manual）", it.Method)
		return
	}
	// Fields of other methods.
	for _, f := range []struct {
		set    bool
		name   string
		method string
	}{
		{it.Rate != "" || it.Invert, "rate", MethodRate},
		{len(it.Rules) > 0, "rules", MethodDeduct},
		{it.Floor != nil, "floor", MethodDeduct},
		{len(it.Levels) > 0, "levels", MethodRubric},
		{len(it.SubItems) > 0, "sub_items", MethodChecklist},
		{it.Sample != nil, "sample", MethodSample},
	} {
		if f.set && it.Method != f.method {
			v.add(path+"."+f.name, "%s 仅用于 %s 方法，本项方法为 %s", f.name, f.method, it.Method)
		}
	}
	switch it.Method {
	case MethodRate:
		if it.Rate == "" {
			v.add(path+".rate", "rate 方法需要指定比率（可用：%s）", strings.Join(sortedKeys(KnownRates), "、"))
		} else if _, ok := KnownRates[it.Rate]; !ok {
			v.add(path+".rate", "未知比率 %q（可用：%s）", it.Rate, strings.Join(sortedKeys(KnownRates), "、"))
		}
	case MethodDeduct:
		if len(it.Rules) == 0 {
			v.add(path+".rules", "deduct 方法至少需要一条扣分规则")
		}
		for k := range it.Rules {
			v.rule(fmt.Sprintf("%s.rules[%d]", path, k), &it.Rules[k])
		}
		if it.Floor != nil && *it.Floor > it.Points {
			v.add(path+".floor", "保底分 %s 高于本项配分 %s", *it.Floor, it.Points)
		}
		if it.Floor != nil && *it.Floor < -maxPoints {
			v.add(path+".floor", "不能低于 -1000000 分")
		}
	case MethodRubric:
		v.levels(path, it)
	case MethodChecklist:
		v.subItems(path, it)
	case MethodSample:
		v.sample(path, it)
	}
	for k, t := range it.Tiers {
		tp := fmt.Sprintf("%s.tiers[%d]", path, k)
		if t.Below <= 0 || t.Below > it.Points {
			v.add(tp+".below", "档位阈值 %s 应在 0 与本项配分 %s 之间", t.Below, it.Points)
		}
		v.name(tp+".note", t.Note)
		if k > 0 && t.Below >= it.Tiers[k-1].Below {
			v.add(tp+".below", "档位应按阈值从高到低排列：%s 不低于上一档 %s", t.Below, it.Tiers[k-1].Below)
		}
	}
}

func (v *validator) rule(path string, r *Rule) {
	if r.Event != "" && len(r.Events) > 0 {
		v.add(path+".event", "event 与 events 只能填写其一")
	}
	if r.Event == "" && len(r.Events) == 0 {
		v.add(path+".event", "扣分规则需要指定事件类型")
	}
	check := func(field, t string) {
		if _, ok := KnownEventTypes[t]; !ok {
			v.add(field, "未知事件类型 %q", t)
			return
		}
		if first, dup := v.events[t]; dup {
			v.add(field, "事件类型 %q 已由 %s 计分，同一事件不能重复扣分", t, first)
			return
		}
		v.events[t] = path
	}
	if r.Event != "" {
		check(path+".event", r.Event)
	}
	for i, t := range r.Events {
		check(fmt.Sprintf("%s.events[%d]", path, i), t)
	}
	switch r.Per {
	case PerOccurrence, PerDay, PerCustomer, PerQuantity:
		v.amount(path+".amount", r.Amount)
		if r.Min != 0 || r.Max != 0 {
			v.add(path+".min", "min/max 仅用于 per 为 choice 的规则")
		}
	case PerChoice:
		if r.Amount != 0 {
			v.add(path+".amount", "per 为 choice 时扣分由标记人在 min–max 之间选定，不能填写 amount")
		}
		v.amount(path+".min", r.Min)
		v.amount(path+".max", r.Max)
		if r.Max < r.Min {
			v.add(path+".max", "扣分上限 %s 小于下限 %s", r.Max, r.Min)
		}
	default:
		v.add(path+".per", "未知计扣方式 %q（可用：occurrence、day、customer、quantity、choice）", r.Per)
	}
	if r.Cap != nil {
		v.amount(path+".cap", *r.Cap)
	}
}

func (v *validator) levels(path string, it *Item) {
	if len(it.Levels) == 0 {
		v.add(path+".levels", "rubric 方法至少需要一个等级")
		return
	}
	seen := map[Points]int{}
	var top Points = -1
	for k, l := range it.Levels {
		lp := fmt.Sprintf("%s.levels[%d]", path, k)
		switch {
		case l.Points < 0:
			v.add(lp+".points", "等级分值不能为负（现为 %s）", l.Points)
		case l.Points > it.Points:
			v.add(lp+".points", "等级分值 %s 高于本项配分 %s", l.Points, it.Points)
		}
		if first, dup := seen[l.Points]; dup {
			v.add(lp+".points", "等级分值 %s 重复（已用于 levels[%d]）", l.Points, first)
		} else {
			seen[l.Points] = k
		}
		v.name(lp+".text", l.Text)
		top = max(top, l.Points)
	}
	if top >= 0 && top < it.Points {
		v.add(path+".levels", "最高等级 %s 低于本项配分 %s，本项无法得满分", top, it.Points)
	}
}

func (v *validator) subItems(path string, it *Item) {
	if len(it.SubItems) == 0 {
		v.add(path+".sub_items", "checklist 方法至少需要一个子项")
		return
	}
	seen := map[string]int{}
	var sum Points
	for k, s := range it.SubItems {
		sp := fmt.Sprintf("%s.sub_items[%d]", path, k)
		v.key(sp+".key", s.Key)
		if first, dup := seen[s.Key]; dup && s.Key != "" {
			v.add(sp+".key", "子项键 %q 重复（已用于 sub_items[%d]）", s.Key, first)
		} else {
			seen[s.Key] = k
		}
		v.name(sp+".name", s.Name)
		v.amount(sp+".points", s.Points)
		if s.Points > 0 {
			sum = satAdd(sum, s.Points)
		}
	}
	if sum != it.Points {
		v.add(path+".sub_items", "子项分值合计 %s，与本项配分 %s 不符", sum, it.Points)
	}
}

func (v *validator) sample(path string, it *Item) {
	s := it.Sample
	if s == nil {
		v.add(path+".sample", "sample 方法需要抽查规则（per_day、fail_threshold、day_points、days）")
		return
	}
	sp := path + ".sample"
	if s.PerDay < 1 || s.PerDay > 10000 {
		v.add(sp+".per_day", "每天抽查条数应在 1 到 10000 之间")
	}
	if s.FailThreshold < 1 || s.PerDay >= 1 && s.FailThreshold > s.PerDay {
		v.add(sp+".fail_threshold", "不合格条数阈值应在 1 到每天抽查条数 %d 之间", s.PerDay)
	}
	v.amount(sp+".day_points", s.DayPoints)
	if s.Days < 1 || s.Days > 366 {
		v.add(sp+".days", "考核天数应在 1 到 366 之间")
	} else if s.DayPoints > 0 && s.DayPoints <= maxPoints && satMul(s.DayPoints, s.Days) != it.Points {
		v.add(sp+".days", "考核天数 %d × 每天 %s 分 = %s，与本项配分 %s 不符", s.Days, s.DayPoints, satMul(s.DayPoints, s.Days), it.Points)
	}
}

func (v *validator) rollUp(r *RollUp) {
	if len(r.Components) == 0 {
		v.add("rollup.components", "汇总至少需要一个组成部分")
		return
	}
	seen := map[string]int{}
	var sum int64
	for i, c := range r.Components {
		cp := fmt.Sprintf("rollup.components[%d]", i)
		v.key(cp+".key", c.Key)
		if first, dup := seen[c.Key]; dup && c.Key != "" {
			v.add(cp+".key", "组成部分键 %q 重复（已用于 components[%d]）", c.Key, first)
		} else {
			seen[c.Key] = i
		}
		v.name(cp+".name", c.Name)
		if c.Weight <= 0 || c.Weight > 100 {
			v.add(cp+".weight", "权重应在 1%% 到 100%% 之间（现为 %d%%）", c.Weight)
		} else {
			sum += c.Weight
		}
	}
	if sum != 100 {
		v.add("rollup.components", "权重合计 %d%%，应为 100%%", sum)
	}
	if r.Excellent != nil && *r.Excellent <= 0 {
		v.add("rollup.excellent_above", "必须大于 0")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
