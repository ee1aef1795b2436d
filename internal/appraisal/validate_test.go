package appraisal

import (
	"testing"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(s *Scheme)
		field  string
		msg    string
	}{
		{"empty key", func(s *Scheme) { s.Key = "" }, "key", "不能为空"},
		{"bad key", func(s *Scheme) { s.Key = "客服" }, "key", "只能使用小写字母、数字和下划线（最长 64 个字符）：\"客服\""},
		{"version 0", func(s *Scheme) { s.Version = 0 }, "version", "版本号必须大于等于 1"},
		{"no name", func(s *Scheme) { s.Name = " " }, "name", "不能为空"},
		{"unknown role", func(s *Scheme) { s.Role = "boss" }, "role",
			"未知角色 \"boss\"（可用：admin、cs_manager、cs_specialist、executive、finance、info_center、maint_supervisor、technician）"},
		{"unknown period", func(s *Scheme) { s.Period = "daily" }, "period", "未知考核周期 \"daily\"（可用：monthly、weekly、yearly）"},
		{"a yearly check", func(s *Scheme) { s.Check, s.Period = true, PeriodYearly }, "period", "检查考核按周或按月进行（weekly、monthly），不能按年"},
		{"a check with a roll-up", func(s *Scheme) {
			s.Check, s.RollUp = true, &RollUp{Components: []Component{{Key: "monthly", Name: "月考核", Weight: 100}}}
		}, "rollup", "检查考核本身计入年终汇总的“周检月检”部分，不能再规定年终汇总"},
		{"bad date", func(s *Scheme) { s.EffectiveFrom = "2024/01/01" }, "effective_from", "日期格式应为 YYYY-MM-DD：\"2024/01/01\""},
		{"points do not sum to the total", func(s *Scheme) { s.Total = P(90) }, "total", "各项配分合计 100.00，与方案总分 90.00 不符"},
		{"item points changed", func(s *Scheme) { s.Categories[1].Items[4].Points = P(6) }, "categories[1].points", "类别“关键绩效指标”各项配分合计 56.00，与类别分值 55.00 不符"},
		{"no categories", func(s *Scheme) { s.Categories = nil }, "categories", "至少需要一个类别"},
		{"category without items", func(s *Scheme) { s.Categories[2].Items = nil; s.Categories[2].Points = nil; s.Total = P(85) }, "categories[2].items", "类别至少需要一个考核项"},
		{"duplicate category key", func(s *Scheme) { s.Categories[2].Key = "business" }, "categories[2].key", "类别键 \"business\" 重复（已用于 categories[0]）"},
		{"duplicate item key", func(s *Scheme) { s.Categories[2].Items[1].Key = "dispatch" }, "categories[2].items[1].key", "考核项键 \"dispatch\" 重复（已用于 categories[1].items[0]）"},
		{"zero points", func(s *Scheme) { s.Categories[0].Items[0].Points = 0 }, "categories[0].items[0].points", "必须大于 0（现为 0.00）"},
		{"unknown method", func(s *Scheme) { s.Categories[0].Items[0].Method = "formula" }, "categories[0].items[0].method",
			"未知考核方法 \"formula\"（可用：rate、deduct、rubric、checklist、sample、manual）"},
		{"rate without a rate", func(s *Scheme) { s.Categories[0].Items[1].Rate = "" }, "categories[0].items[1].rate",
			"rate 方法需要指定比率（可用：callback、collection、company_collection、company_sales、dept_collection、dept_sales、key_staff_turnover、meeting_attendance、onboarding_training、renewal、report_completion、satisfaction、talent_development）"},
		{"rate with an unknown rate", func(s *Scheme) { s.Categories[0].Items[1].Rate = "profit" }, "categories[0].items[1].rate",
			"未知比率 \"profit\"（可用：callback、collection、company_collection、company_sales、dept_collection、dept_sales、key_staff_turnover、meeting_attendance、onboarding_training、renewal、report_completion、satisfaction、talent_development）"},
		{"field of another method", func(s *Scheme) { s.Categories[0].Items[0].Levels = []Level{{P(15), "好"}} }, "categories[0].items[0].levels", "levels 仅用于 rubric 方法，本项方法为 rate"},
		{"unknown event type", func(s *Scheme) { s.Categories[1].Items[2].Rules[0].Event = "late_lunch" }, "categories[1].items[2].rules[0].event", "未知事件类型 \"late_lunch\""},
		{"unknown event type in a list", func(s *Scheme) { s.Categories[1].Items[1].Rules[0].Events[2] = "fax_timeout" }, "categories[1].items[1].rules[0].events[2]", "未知事件类型 \"fax_timeout\""},
		{"event counted twice", func(s *Scheme) { s.Categories[1].Items[3].Rules[0].Event = "dispatch_overdue" }, "categories[1].items[3].rules[0].event",
			"事件类型 \"dispatch_overdue\" 已由 categories[1].items[0].rules[0] 计分，同一事件不能重复扣分"},
		{"rule without event", func(s *Scheme) { s.Categories[1].Items[3].Rules[0].Event = "" }, "categories[1].items[3].rules[0].event", "扣分规则需要指定事件类型"},
		{"event and events", func(s *Scheme) { s.Categories[1].Items[1].Rules[0].Event = "archive_late" }, "categories[1].items[1].rules[0].event", "event 与 events 只能填写其一"},
		{"deduct without rules", func(s *Scheme) { s.Categories[1].Items[3].Rules = nil }, "categories[1].items[3].rules", "deduct 方法至少需要一条扣分规则"},
		{"unknown per", func(s *Scheme) { s.Categories[1].Items[0].Rules[0].Per = "week" }, "categories[1].items[0].rules[0].per",
			"未知计扣方式 \"week\"（可用：occurrence、day、customer、quantity、choice）"},
		{"rule without amount", func(s *Scheme) { s.Categories[1].Items[0].Rules[0].Amount = 0 }, "categories[1].items[0].rules[0].amount", "必须大于 0（现为 0.00）"},
		{"choice with amount", func(s *Scheme) { s.Categories[1].Items[0].Rules[1].Amount = P(1) }, "categories[1].items[0].rules[1].amount",
			"per 为 choice 时扣分由标记人在 min–max 之间选定，不能填写 amount"},
		{"choice range reversed", func(s *Scheme) { s.Categories[1].Items[0].Rules[1].Min = P(3) }, "categories[1].items[0].rules[1].max", "扣分上限 2.00 小于下限 3.00"},
		{"min on a non-choice rule", func(s *Scheme) { s.Categories[1].Items[0].Rules[0].Max = P(3) }, "categories[1].items[0].rules[0].min", "min/max 仅用于 per 为 choice 的规则"},
		{"zero cap", func(s *Scheme) { s.Categories[1].Items[0].Rules[0].Cap = pp(0) }, "categories[1].items[0].rules[0].cap", "必须大于 0（现为 0.00）"},
		{"floor above the points", func(s *Scheme) { s.Categories[1].Items[0].Floor = pp(P(11)) }, "categories[1].items[0].floor", "保底分 11.00 高于本项配分 10.00"},
		{"rubric without levels", func(s *Scheme) { s.Categories[2].Items[0].Levels = nil }, "categories[2].items[0].levels", "rubric 方法至少需要一个等级"},
		{"rubric level above the item", func(s *Scheme) { s.Categories[2].Items[1].Levels[0].Points = P(4) }, "categories[2].items[1].levels[0].points", "等级分值 4.00 高于本项配分 3.00"},
		{"rubric level negative", func(s *Scheme) { s.Categories[2].Items[1].Levels[3].Points = P(-1) }, "categories[2].items[1].levels[3].points", "等级分值不能为负（现为 -1.00）"},
		{"rubric duplicate level", func(s *Scheme) { s.Categories[2].Items[1].Levels[2].Points = P(2) }, "categories[2].items[1].levels[2].points", "等级分值 2.00 重复（已用于 levels[1]）"},
		{"rubric level without text", func(s *Scheme) { s.Categories[2].Items[1].Levels[2].Text = "" }, "categories[2].items[1].levels[2].text", "不能为空"},
		{"rubric top below the item", func(s *Scheme) { s.Categories[2].Items[1].Levels = s.Categories[2].Items[1].Levels[1:] }, "categories[2].items[1].levels", "最高等级 2.00 低于本项配分 3.00，本项无法得满分"},
		{"bonus range reversed", func(s *Scheme) { s.Bonus = &BonusRule{Min: P(10), Max: P(1)} }, "bonus.max", "加分上限 1.00 小于下限 10.00"},
		{"bonus cap below max", func(s *Scheme) { s.Bonus = &BonusRule{Min: P(1), Max: P(10), Cap: pp(P(5))} }, "bonus.cap", "每期加分封顶 5.00 小于单次加分上限 10.00"},
		{"roll-up weights not 100%", func(s *Scheme) {
			s.RollUp = &RollUp{Components: []Component{{"checks", "周检和月检", 20}, {"monthly", "月考核", 30}, {"year_end", "年终考评", 40}}}
		}, "rollup.components", "权重合计 90%，应为 100%"},
		{"roll-up weight out of range", func(s *Scheme) {
			s.RollUp = &RollUp{Components: []Component{{"checks", "周检和月检", 0}, {"monthly", "月考核", 100}}}
		}, "rollup.components[0].weight", "权重应在 1% 到 100% 之间（现为 0%）"},
		{"roll-up duplicate key", func(s *Scheme) {
			s.RollUp = &RollUp{Components: []Component{{"m", "月考核", 50}, {"m", "年终", 50}}}
		}, "rollup.components[1].key", "组成部分键 \"m\" 重复（已用于 components[0]）"},
		{"roll-up empty", func(s *Scheme) { s.RollUp = &RollUp{} }, "rollup.components", "汇总至少需要一个组成部分"},
		{"tier above the points", func(s *Scheme) { s.Categories[1].Items[4].Tiers = []Tier{{P(6), "x"}} }, "categories[1].items[4].tiers[0].below", "档位阈值 6.00 应在 0 与本项配分 5.00 之间"},
		{"tiers out of order", func(s *Scheme) { s.Categories[1].Items[4].Tiers = []Tier{{P(2), "x"}, {P(3), "y"}} }, "categories[1].items[4].tiers[1].below", "档位应按阈值从高到低排列：3.00 不低于上一档 2.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Default()
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			tc.mutate(s)
			wantInvalid(t, s.Validate(), tc.field, tc.msg)
			if ps := s.Problems(); len(ps) == 0 || ps[0].Field != tc.field {
				t.Errorf("problems %v", ps)
			}
		})
	}
}

func TestValidateChecklistAndSample(t *testing.T) {
	for _, tc := range []struct {
		name  string
		it    Item
		total Points
		field string
		msg   string
	}{
		{"checklist sub-items do not sum", Item{Key: "k", Name: "接待记录", Points: P(40), Method: MethodChecklist,
			SubItems: []SubItem{{"a", "甲", P(6)}, {"b", "乙", P(30)}}}, P(40), "categories[0].items[0].sub_items", "子项分值合计 36.00，与本项配分 40.00 不符"},
		{"checklist without sub-items", Item{Key: "k", Name: "接待记录", Points: P(40), Method: MethodChecklist}, P(40),
			"categories[0].items[0].sub_items", "checklist 方法至少需要一个子项"},
		{"checklist duplicate sub-item", Item{Key: "k", Name: "接待记录", Points: P(40), Method: MethodChecklist,
			SubItems: []SubItem{{"a", "甲", P(20)}, {"a", "乙", P(20)}}}, P(40), "categories[0].items[0].sub_items[1].key", "子项键 \"a\" 重复（已用于 sub_items[0]）"},
		{"sample without rule", Item{Key: "k", Name: "聊天记录考核", Points: P(26), Method: MethodSample}, P(26),
			"categories[0].items[0].sample", "sample 方法需要抽查规则（per_day、fail_threshold、day_points、days）"},
		{"sample days × points ≠ item", Item{Key: "k", Name: "聊天记录考核", Points: P(26), Method: MethodSample,
			Sample: &SampleRule{PerDay: 20, FailThreshold: 4, DayPoints: P(1), Days: 22}}, P(26),
			"categories[0].items[0].sample.days", "考核天数 22 × 每天 1.00 分 = 22.00，与本项配分 26.00 不符"},
		{"sample threshold above per day", Item{Key: "k", Name: "聊天记录考核", Points: P(26), Method: MethodSample,
			Sample: &SampleRule{PerDay: 20, FailThreshold: 21, DayPoints: P(1), Days: 26}}, P(26),
			"categories[0].items[0].sample.fail_threshold", "不合格条数阈值应在 1 到每天抽查条数 20 之间"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := oneItem(tc.it)
			s.Total = tc.total
			wantInvalid(t, s.Validate(), tc.field, tc.msg)
		})
	}
}

func TestParseScheme(t *testing.T) {
	for _, tc := range []struct {
		name, json, field, msg string
	}{
		{"not JSON", `{`, "scheme", "方案 JSON 无法解析：unexpected EOF"},
		{"unknown field", `{"key":"x","weights":1}`, "scheme", "方案 JSON 无法解析：json: unknown field \"weights\""},
		{"three decimals", `{"key":"x","total":99.995}`, "scheme", "分值 \"99.995\" 最多两位小数"},
		{"exponent", `{"key":"x","total":1e2}`, "scheme", "分值 \"1e2\" 不是有效的数字（例如 15、7.5、0.25）"},
		{"string points", `{"key":"x","total":"100"}`, "scheme", "分值 \"\\\"100\\\"\" 不是有效的数字（例如 15、7.5、0.25）"},
		{"wrong type", `{"key":"x","version":"1"}`, "version", "类型不正确：应为 int"},
		{"trailing data", `{"key":"x"} {}`, "scheme", "方案 JSON 之后还有多余内容"},
		{"valid JSON, invalid scheme", `{"key":"x","version":1,"name":"n","role":"cs_specialist","period":"monthly","total":5,"categories":[]}`, "categories", "至少需要一个类别"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScheme([]byte(tc.json))
			wantInvalid(t, err, tc.field, tc.msg)
		})
	}
}
