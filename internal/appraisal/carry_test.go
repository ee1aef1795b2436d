package appraisal

import (
	"reflect"
	"testing"
)

// TestCarried: carried lines (上期补记) are copied onto the card in period
// and item order, worded, and added to the final score exactly; the
// item's floor does not bound them.
func TestCarried(t *testing.T) {
	// A deduct item already at its floor (扣完为止): 3 events × 2 > 5.
	s := oneItem(Item{Key: "eff", Name: "客户服务效率与质量", Points: P(5), Method: MethodDeduct,
		Rules: []Rule{{Event: "archive_late", Per: PerOccurrence, Amount: P(2)}}})
	floored := []Event{ev("a", "archive_late", 1), ev("b", "archive_late", 1), ev("c", "archive_late", 1)}
	timeout := Carry{From: "2026-03", Card: "card-3", Item: "service", Name: "客户服务效率与质量", Points: -P(1), Change: "新增 响应超时 1 次", Added: []string{"e9"}}
	withdrawn := Carry{From: "2026-02", Card: "card-2", Item: "dispatch", Name: "派单", Points: P(2), Change: "撤销 派单逾期 1 次", Withdrawn: []string{"e1"}}
	cents := Carry{From: "2026-03", Item: "renewal", Name: "续约率", Points: 1, Change: "续约率 重新计算"}
	for _, tc := range []struct {
		name    string
		events  []Event
		carried []Carry
		want    []CarriedLine
		total   Points
		carry   Points
		final   Points
	}{
		{"none", nil, nil, nil, P(5), 0, P(5)},
		{"one negative", nil, []Carry{timeout}, []CarriedLine{{From: "2026-03", Card: "card-3", Item: "service", Name: "客户服务效率与质量", Points: -P(1),
			Change: "新增 响应超时 1 次", Text: "上期补记：2026-03 客户服务效率与质量 新增 响应超时 1 次 −1.00", Added: []string{"e9"}}}, P(5), -P(1), P(4)},
		{"one positive", nil, []Carry{withdrawn}, []CarriedLine{{From: "2026-02", Card: "card-2", Item: "dispatch", Name: "派单", Points: P(2),
			Change: "撤销 派单逾期 1 次", Text: "上期补记：2026-02 派单 撤销 派单逾期 1 次 +2.00", Withdrawn: []string{"e1"}}}, P(5), P(2), P(7)},
		{"several periods in order, to the cent", nil, []Carry{cents, timeout, withdrawn}, []CarriedLine{
			{From: "2026-02", Card: "card-2", Item: "dispatch", Name: "派单", Points: P(2), Change: "撤销 派单逾期 1 次", Text: "上期补记：2026-02 派单 撤销 派单逾期 1 次 +2.00", Withdrawn: []string{"e1"}},
			{From: "2026-03", Item: "renewal", Name: "续约率", Points: 1, Change: "续约率 重新计算", Text: "上期补记：2026-03 续约率 续约率 重新计算 +0.01"},
			{From: "2026-03", Card: "card-3", Item: "service", Name: "客户服务效率与质量", Points: -P(1), Change: "新增 响应超时 1 次", Text: "上期补记：2026-03 客户服务效率与质量 新增 响应超时 1 次 −1.00", Added: []string{"e9"}},
		}, P(5), P(1) + 1, P(6) + 1},
		{"no floor for carried lines", floored, []Carry{timeout, {From: "2026-01", Item: "x", Name: "其它", Points: -P(3), Change: "新增 归档不及时 3 次"}}, []CarriedLine{
			{From: "2026-01", Item: "x", Name: "其它", Points: -P(3), Change: "新增 归档不及时 3 次", Text: "上期补记：2026-01 其它 新增 归档不及时 3 次 −3.00"},
			{From: "2026-03", Card: "card-3", Item: "service", Name: "客户服务效率与质量", Points: -P(1), Change: "新增 响应超时 1 次", Text: "上期补记：2026-03 客户服务效率与质量 新增 响应超时 1 次 −1.00", Added: []string{"e9"}},
		}, 0, -P(4), -P(4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustEval(t, Input{Scheme: s, Events: tc.events, Carried: tc.carried})
			if !reflect.DeepEqual(c.Carried, tc.want) {
				t.Errorf("carried\n got %+v\nwant %+v", c.Carried, tc.want)
			}
			if c.Total != tc.total || c.Carry != tc.carry || c.Final != tc.final || c.Final != c.Total+c.Bonus+c.Carry {
				t.Errorf("total %s carry %s final %s, want %s %s %s", c.Total, c.Carry, c.Final, tc.total, tc.carry, tc.final)
			}
		})
	}

	// With bonuses too: Final = Total + Bonus + Σ carried.
	c := mustEval(t, Input{Scheme: s, Bonuses: []Bonus{{ID: "b", Points: P(3), Reason: "表扬"}}, Carried: []Carry{timeout}})
	if c.Final != P(5)+P(3)-P(1) {
		t.Errorf("final with bonus %s", c.Final)
	}

	for _, tc := range []struct {
		name  string
		c     Carry
		field string
		msg   string
	}{
		{"bad period", Carry{From: "2026-3", Item: "i", Points: 1, Change: "x"}, "carried[0].from", "补记的期间格式应为 YYYY-MM：\"2026-3\""},
		{"no period", Carry{Item: "i", Points: 1, Change: "x"}, "carried[0].from", "补记的期间格式应为 YYYY-MM：\"\""},
		{"no item", Carry{From: "2026-03", Points: 1, Change: "x"}, "carried[0].item", "补记缺少考核项"},
		{"zero points", Carry{From: "2026-03", Item: "i", Change: "x"}, "carried[0].points", "补记分值不能为 0"},
		{"too many points", Carry{From: "2026-03", Item: "i", Points: -maxPoints - 1, Change: "x"}, "carried[0].points", "补记分值超出范围（绝对值最多 1000000 分）"},
		{"no text", Carry{From: "2026-03", Item: "i", Points: 1, Change: "  "}, "carried[0].change", "补记须写明变化"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Evaluate(Input{Scheme: s, Carried: []Carry{tc.c}})
			wantInvalid(t, err, tc.field, tc.msg)
		})
	}
	_, err := Evaluate(Input{Scheme: s, Carried: []Carry{timeout, timeout}})
	wantInvalid(t, err, "carried", "2026-03 “service”的补记重复")
}
