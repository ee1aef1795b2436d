package appraisal

import (
	"slices"
	"testing"
)

func pp(p Points) *Points { return &p }

// oneItem is a valid scheme with the single item it.
func oneItem(it Item) *Scheme {
	return &Scheme{Key: "t", Version: 1, Name: "测试", Role: "cs_specialist", Period: PeriodMonthly, Total: it.Points,
		Categories: []Category{{Key: "c", Name: "类别", Items: []Item{it}}},
		Bonus:      &BonusRule{Min: P(1), Max: P(10), Label: "嘉奖加分", Cap: pp(P(15))}}
}

func TestRate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		points  Points
		invert  bool
		rate    *Rate
		score   Points
		pending bool
		detail  string
	}{
		{"nothing due scores full (rates: 本月无到期合同)", P(15), false, &Rate{Num: 0, Den: 0}, P(15), false, "续约率：本月无到期合同（0/0），按满分计 15"},
		{"negative den is nothing due", P(15), false, &Rate{Num: 3, Den: -1}, P(15), false, "续约率：本月无到期合同（3/-1），按满分计 15"},
		{"none renewed", P(15), false, &Rate{Num: 0, Den: 4}, 0, false, "续约率 0/4 = 0.00%：15 × 0/4 = 0.00"},
		{"all renewed", P(15), false, &Rate{Num: 4, Den: 4}, P(15), false, "续约率 4/4 = 100.00%：15 × 4/4 = 15.00"},
		{"partial 2/3", P(15), false, &Rate{Num: 2, Den: 3}, 1000, false, "续约率 2/3 = 66.67%：15 × 2/3 = 10.00"},
		{"7/8 rounds half up 13.125 → 13.13", P(15), false, &Rate{Num: 7, Den: 8}, 1313, false, "续约率 7/8 = 87.50%：15 × 7/8 = 13.13"},
		{"1/3 of 10 rounds down 3.333 → 3.33", P(10), false, &Rate{Num: 1, Den: 3}, 333, false, "续约率 1/3 = 33.33%：10 × 1/3 = 3.33"},
		{"2/3 of 10 rounds up 6.667 → 6.67", P(10), false, &Rate{Num: 2, Den: 3}, 667, false, "续约率 2/3 = 66.67%：10 × 2/3 = 6.67"},
		{"over 100% capped", P(15), false, &Rate{Num: 5, Den: 4}, P(15), false, "续约率 5/4，按 100% 计：15 × 4/4 = 15.00"},
		{"amounts read as money", P(15), false, &Rate{Num: 2400000, Den: 3000000, NumText: "¥24,000.00", DenText: "¥30,000.00"}, P(12), false,
			"续约率 ¥24,000.00/¥30,000.00 = 80.00%：15 × 80.00% = 12.00"},
		{"amounts over 100% capped", P(15), false, &Rate{Num: 3100000, Den: 3000000, NumText: "¥31,000.00", DenText: "¥30,000.00"}, P(15), false,
			"续约率 ¥31,000.00/¥30,000.00，按 100% 计：15 × 100.00% = 15.00"},
		{"nothing due in money", P(15), false, &Rate{NumText: "¥0.00", DenText: "¥0.00"}, P(15), false, "续约率：本月无到期合同（¥0.00/¥0.00），按满分计 15"},
		{"negative num counts as 0", P(15), false, &Rate{Num: -1, Den: 4}, 0, false, "续约率 -1/4，按 0% 计：15 × 0/4 = 0.00"},
		{"missing rate is pending", P(15), false, nil, 0, true, "待计算：尚无续约率数据"},
		{"huge exact", P(15), false, &Rate{Num: 1<<62 - 1, Den: 1 << 62}, P(15), false, "续约率 4611686018427387903/4611686018427387904 = 100.00%：15 × 4611686018427387903/4611686018427387904 = 15.00"},
		{"inverted: 1 of 4 lost", P(8), true, &Rate{Num: 1, Den: 4}, P(6), false, "续约率 1/4 = 25.00%：8 × (1 − 1/4) = 6.00"},
		{"inverted nothing due scores full", P(8), true, &Rate{Num: 0, Den: 0}, P(8), false, "续约率：本月无到期合同（0/0），按满分计 8"},
		{"inverted over 100% gives 0", P(8), true, &Rate{Num: 5, Den: 4}, 0, false, "续约率 5/4，按 100% 计：8 × (1 − 4/4) = 0.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := oneItem(Item{Key: "r", Name: "续约率", Points: tc.points, Method: MethodRate, Rate: "renewal", Invert: tc.invert})
			in := Input{Scheme: s}
			if tc.rate != nil {
				in.Rates = map[string]Rate{"renewal": *tc.rate}
			}
			c := mustEval(t, in)
			l := c.Lines[0]
			if l.Score != tc.score || l.Pending != tc.pending || l.Detail != tc.detail || c.Complete == tc.pending {
				t.Errorf("got %s pending=%v %q complete=%v, want %s pending=%v %q", l.Score, l.Pending, l.Detail, c.Complete, tc.score, tc.pending, tc.detail)
			}
		})
	}
}

// A rate with nothing due says so in SPEC §4's words: 本月无到期合同 for
// 续约率, 本月无应收款项 for 回款率, 本期无应计项 for any other rate.
func TestRateNothingDueWording(t *testing.T) {
	for _, tc := range []struct {
		rate   string
		r      Rate
		detail string
	}{
		{"renewal", Rate{}, "续约率：本月无到期合同（0/0），按满分计 15"},
		{"collection", Rate{NumText: "¥0.00", DenText: "¥0.00"}, "回款率：本月无应收款项（¥0.00/¥0.00），按满分计 15"},
		{"callback", Rate{}, "回访率：本期无应计项（0/0），按满分计 15"},
	} {
		t.Run(tc.rate, func(t *testing.T) {
			s := oneItem(Item{Key: "r", Name: KnownRates[tc.rate], Points: P(15), Method: MethodRate, Rate: tc.rate})
			l := mustEval(t, Input{Scheme: s, Rates: map[string]Rate{tc.rate: tc.r}}).Lines[0]
			if l.Score != P(15) || l.Detail != tc.detail {
				t.Errorf("got %s %q, want 15 %q", l.Score, l.Detail, tc.detail)
			}
		})
	}
}

func TestDeduct(t *testing.T) {
	item := func(floor *Points, rules ...Rule) Item {
		return Item{Key: "d", Name: "扣分项", Points: P(10), Method: MethodDeduct, Floor: floor, Rules: rules}
	}
	for _, tc := range []struct {
		name   string
		it     Item
		evs    []Event
		score  Points
		texts  []string
		ids    [][]string
		note   string
		unused []string
	}{
		{"no events", item(nil, Rule{Event: "archive_late", Per: PerOccurrence, Amount: P(1)}), nil, P(10), nil, nil, "", nil},
		{"per occurrence", item(nil, Rule{Event: "archive_late", Per: PerOccurrence, Amount: P(1)}),
			[]Event{ev("a", "archive_late", 9), ev("b", "archive_late", 0), ev("c", "archive_late", 1)}, P(7),
			[]string{"客户档案未当日更新每次扣1分：3 次 = −3"}, [][]string{{"a", "b", "c"}}, "", nil},
		{"per day sums quantities", item(nil, Rule{Event: "dispatch_overdue", Per: PerDay, Amount: P(2)}),
			[]Event{ev("a", "dispatch_overdue", 2), ev("b", "dispatch_overdue", 1)}, P(4),
			[]string{"派单逾期每天扣2分：3 天 = −6"}, [][]string{{"a", "b"}}, "", nil},
		{"per day: quantity below 1 counts as one day", item(nil, Rule{Event: "dispatch_overdue", Per: PerDay, Amount: P(2)}),
			[]Event{ev("a", "dispatch_overdue", 0), ev("b", "dispatch_overdue", -3)}, P(6),
			[]string{"派单逾期每天扣2分：2 天 = −4"}, [][]string{{"a", "b"}}, "", nil},
		{"per customer counts distinct customers", item(nil, Rule{Event: "no_contact_month", Per: PerCustomer, Amount: P(3)}),
			[]Event{evc("a", "no_contact_month", "c1", 1), evc("b", "no_contact_month", "c1", 1), evc("c", "no_contact_month", "c2", 1)}, P(4),
			[]string{"当月客户无沟通记录每客户扣3分：2 个客户 = −6"}, [][]string{{"a", "b", "c"}}, "", nil},
		{"per customer: no customer counts on its own", item(nil, Rule{Event: "no_contact_month", Per: PerCustomer, Amount: P(3)}),
			[]Event{ev("a", "no_contact_month", 1), ev("b", "no_contact_month", 1)}, P(4),
			[]string{"当月客户无沟通记录每客户扣3分：2 个客户 = −6"}, [][]string{{"a", "b"}}, "", nil},
		{"per quantity", item(nil, Rule{Event: "wechat_timeout", Per: PerQuantity, Amount: 10}),
			[]Event{ev("a", "wechat_timeout", 7), ev("b", "wechat_timeout", 4), ev("c", "wechat_timeout", -5)}, 890,
			[]string{"微信响应超时每单位扣0.1分：11 单位 = −1.1"}, [][]string{{"a", "b", "c"}}, "", nil},
		{"range chosen by the flagger, clamped", item(nil, Rule{Event: "dispatch_error", Label: "派单内容有错误", Per: PerChoice, Min: P(1), Max: P(2)}),
			[]Event{ev("a", "dispatch_error", 1), ev("b", "dispatch_error", 2), ev("c", "dispatch_error", 5), ev("d", "dispatch_error", 0)}, P(4),
			[]string{"派单内容有错误每处扣1–2分（由标记人选定）：4 处共扣 6 分 = −6"}, [][]string{{"a", "b", "c", "d"}}, "", nil},
		{"several types in one rule", item(nil, Rule{Events: []string{"wechat_timeout", "missed_call_timeout", "chat_timeout"}, Label: "响应超时", Per: PerOccurrence, Amount: P(1)}),
			[]Event{ev("w", "wechat_timeout", 4), ev("m", "missed_call_timeout", 40), ev("c", "chat_timeout", 2)}, P(7),
			[]string{"响应超时每次扣1分：3 次 = −3"}, [][]string{{"c", "m", "w"}}, "", nil},
		{"rule cap", item(nil, Rule{Event: "archive_late", Per: PerOccurrence, Amount: P(2), Cap: pp(P(3))}),
			[]Event{ev("a", "archive_late", 1), ev("b", "archive_late", 1)}, P(7),
			[]string{"客户档案未当日更新每次扣2分，本条最多扣3分：2 次 = −4，本条封顶 −3"}, [][]string{{"a", "b"}}, "", nil},
		{"floor at 0 (扣完为止)", item(nil, Rule{Event: "attitude_complaint", Per: PerOccurrence, Amount: P(5)}),
			[]Event{ev("a", "attitude_complaint", 1), ev("b", "attitude_complaint", 1), ev("c", "attitude_complaint", 1)}, 0,
			[]string{"被客户投诉态度不佳每次扣5分：3 次 = −15"}, [][]string{{"a", "b", "c"}}, "扣完为止：扣分合计 −15，本项最低 0 分", nil},
		{"negative floor when the scheme says so", item(pp(P(-3)), Rule{Event: "attitude_complaint", Per: PerOccurrence, Amount: P(5)}),
			[]Event{ev("a", "attitude_complaint", 1), ev("b", "attitude_complaint", 1), ev("c", "attitude_complaint", 1)}, P(-3),
			[]string{"被客户投诉态度不佳每次扣5分：3 次 = −15"}, [][]string{{"a", "b", "c"}}, "扣完为止：扣分合计 −15，本项最低 -3 分", nil},
		{"events of types no rule counts are listed as unused", item(nil, Rule{Event: "archive_late", Per: PerOccurrence, Amount: P(1)}),
			[]Event{ev("x", "callback_overdue", 1)}, P(10), nil, nil, "", []string{"x"}},
		{"huge quantities saturate, floor holds", item(nil, Rule{Event: "dispatch_overdue", Per: PerDay, Amount: P(2)}),
			[]Event{ev("a", "dispatch_overdue", 1<<62), ev("b", "dispatch_overdue", 1<<62)}, 0,
			[]string{"派单逾期每天扣2分：1099511627776 天 = −2199023255552"}, [][]string{{"a", "b"}}, "扣完为止：扣分合计 −2199023255552，本项最低 0 分", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustEval(t, Input{Scheme: oneItem(tc.it), Events: tc.evs})
			l := c.Lines[0]
			var texts []string
			var ids [][]string
			for _, d := range l.Deductions {
				texts = append(texts, d.Text)
				ids = append(ids, d.EventIDs)
			}
			if l.Score != tc.score || !slices.Equal(texts, tc.texts) || l.Note != tc.note || !slices.Equal(c.Unused, tc.unused) ||
				!slices.EqualFunc(ids, tc.ids, slices.Equal) {
				t.Errorf("got %s %q %v note %q unused %v", l.Score, texts, ids, l.Note, c.Unused)
			}
			if !c.Complete || c.Total != l.Score || l.Pending {
				t.Errorf("card %+v", c)
			}
		})
	}
}

func rubricItem() Item {
	return Item{Key: "initiative", Name: "主动性", Points: P(3), Method: MethodRubric, Rater: "直属上级", Levels: []Level{
		{P(3), "即使没有指示，也能主动做好工作"}, {P(2), "基本主动"}, {P(1), "依靠安排"}, {0, "无法独立开展工作"}}}
}

func TestRubric(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rating  *Rating
		score   Points
		pending bool
		detail  string
		field   string
		msg     string
	}{
		{"top level", &Rating{Points: P(3)}, P(3), false, "等级 3：即使没有指示，也能主动做好工作", "", ""},
		{"level 0", &Rating{Points: 0, Reason: "本月多次需催促"}, 0, false, "等级 0：无法独立开展工作", "", ""},
		{"missing rating is pending", nil, 0, true, "待评", "", ""},
		{"not a level", &Rating{Points: 250}, 0, false, "", "ratings.initiative.points", "“主动性”没有 2.5 分这一等级（可选：3/2/1/0）"},
		{"above the item", &Rating{Points: P(4)}, 0, false, "", "ratings.initiative.points", "“主动性”没有 4 分这一等级（可选：3/2/1/0）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Scheme: oneItem(rubricItem())}
			if tc.rating != nil {
				in.Ratings = map[string]Rating{"initiative": *tc.rating}
			}
			c, err := Evaluate(in)
			if tc.field != "" {
				wantInvalid(t, err, tc.field, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := c.Lines[0]
			if l.Score != tc.score || l.Pending != tc.pending || l.Detail != tc.detail || c.Complete == tc.pending || l.Rule != "直属上级按等级评分（3/2/1/0）" {
				t.Errorf("got %+v complete=%v", l, c.Complete)
			}
			if tc.pending && !slices.Equal(c.Pending, []string{"initiative"}) {
				t.Errorf("card pending %v", c.Pending)
			}
		})
	}
}

func checklistItem() Item {
	return Item{Key: "kf01", Name: "接待记录", Points: P(40), Method: MethodChecklist, SubItems: []SubItem{
		{"s1", "询问要素", P(6)}, {"s2", "报修对象", P(6)}, {"s3", "约定上门时间", P(8)},
		{"s4", "特殊需求", P(6)}, {"s5", "求助事项", P(8)}, {"s6", "记录规范", P(6)}}}
}

func TestChecklist(t *testing.T) {
	all := func(g string) map[string]string {
		return map[string]string{"s1": g, "s2": g, "s3": g, "s4": g, "s5": g, "s6": g}
	}
	mixed := map[string]string{"s1": GradeFull, "s2": GradeMostly, "s3": GradePartly, "s4": GradeNone, "s5": GradeMostly, "s6": GradeFull}
	for _, tc := range []struct {
		name    string
		grades  map[string]string
		rated   bool
		score   Points
		pending bool
		detail  string
		field   string
		msg     string
	}{
		{"all 符合", all(GradeFull), true, P(40), false, "", "", ""},
		{"all 基本符合 0.8", all(GradeMostly), true, P(32), false, "", "", ""},
		{"all 一般符合 0.6", all(GradePartly), true, P(24), false, "", "", ""},
		{"all 不符合", all(GradeNone), true, 0, false, "", "", ""},
		{"mixed", mixed, true, 6*100 + 480 + 480 + 0 + 640 + 600, false,
			"询问要素 符合 6×1；报修对象 基本符合 6×0.8；约定上门时间 一般符合 8×0.6；特殊需求 不符合 6×0；求助事项 基本符合 8×0.8；记录规范 符合 6×1 = 28", "", ""},
		{"not rated", nil, false, 0, true, "待评：询问要素、报修对象、约定上门时间、特殊需求、求助事项、记录规范", "", ""},
		{"partly rated is pending", map[string]string{"s1": GradeFull}, true, 0, true, "待评：报修对象、约定上门时间、特殊需求、求助事项、记录规范", "", ""},
		{"unknown grade", map[string]string{"s1": "优秀"}, true, 0, false, "", "ratings.kf01.grades.s1", "未知等级 \"优秀\"（可选：符合、基本符合、一般符合、不符合）"},
		{"unknown sub-item", map[string]string{"s9": GradeFull}, true, 0, false, "", "ratings.kf01.grades.s9", "“接待记录”没有此子项"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Scheme: oneItem(checklistItem())}
			if tc.rated {
				in.Ratings = map[string]Rating{"kf01": {Grades: tc.grades}}
			}
			c, err := Evaluate(in)
			if tc.field != "" {
				wantInvalid(t, err, tc.field, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := c.Lines[0]
			if l.Score != tc.score || l.Pending != tc.pending || tc.detail != "" && l.Detail != tc.detail || c.Complete == tc.pending {
				t.Errorf("got %s pending=%v %q", l.Score, l.Pending, l.Detail)
			}
		})
	}
	// Rounding once at the end of the line: three 0.01-point sub-items at
	// 0.8 are 0.024 → 0.02, not 3 × round(0.008) = 0.03.
	s := oneItem(Item{Key: "k", Name: "细项", Points: 3, Method: MethodChecklist, SubItems: []SubItem{{"a", "a", 1}, {"b", "b", 1}, {"c", "c", 1}}})
	c := mustEval(t, Input{Scheme: s, Ratings: map[string]Rating{"k": {Grades: map[string]string{"a": GradeMostly, "b": GradeMostly, "c": GradeMostly}}}})
	if c.Lines[0].Score != 2 {
		t.Errorf("rounding once: %s", c.Lines[0].Score)
	}
	// Half up: 0.05 × 0.6 = 0.03 exactly; 0.25 × 0.6 = 0.15; 0.05 × 0.8 = 0.04; 0.01×0.6+0.01×0.8+0.01×0.6 = 0.020 → 0.02; 0.05×0.6 + 0.025? (two decimals only)
	s = oneItem(Item{Key: "k", Name: "细项", Points: 2, Method: MethodChecklist, SubItems: []SubItem{{"a", "a", 1}, {"b", "b", 1}}})
	c = mustEval(t, Input{Scheme: s, Ratings: map[string]Rating{"k": {Grades: map[string]string{"a": GradeMostly, "b": GradePartly}}}})
	if c.Lines[0].Score != 1 { // 0.008 + 0.006 = 0.014 → 0.01
		t.Errorf("0.014: %s", c.Lines[0].Score)
	}
	c = mustEval(t, Input{Scheme: s, Ratings: map[string]Rating{"k": {Grades: map[string]string{"a": GradeFull, "b": GradePartly}}}})
	if c.Lines[0].Score != 2 { // 0.01 + 0.006 = 0.016 → 0.02
		t.Errorf("0.016: %s", c.Lines[0].Score)
	}
	s = oneItem(Item{Key: "k", Name: "细项", Points: 5, Method: MethodChecklist, SubItems: []SubItem{{"a", "a", 5}}})
	c = mustEval(t, Input{Scheme: s, Ratings: map[string]Rating{"k": {Grades: map[string]string{"a": GradeMostly}}}})
	if c.Lines[0].Score != 4 { // 0.05 × 0.8 = 0.04
		t.Errorf("0.04: %s", c.Lines[0].Score)
	}
	s = oneItem(Item{Key: "k", Name: "细项", Points: 25, Method: MethodChecklist, SubItems: []SubItem{{"a", "a", 25}}})
	c = mustEval(t, Input{Scheme: s, Ratings: map[string]Rating{"k": {Grades: map[string]string{"a": GradeMostly}}}})
	if c.Lines[0].Score != 20 { // 0.25 × 0.8 = 0.20
		t.Errorf("0.20: %s", c.Lines[0].Score)
	}
}

func sampleItem() Item {
	return Item{Key: "chat", Name: "聊天记录考核", Points: P(26), Method: MethodSample,
		Sample:   &SampleRule{PerDay: 20, FailThreshold: 4, DayPoints: P(1), Days: 26},
		Tiers:    []Tier{{P(20), "扣除当月奖金50元"}, {P(15), "扣除当月奖金100元"}, {P(12), "本月无奖金"}},
		FullNote: "26分全满：基本奖金全得，并考虑额外奖金"}
}

func days(n int, failed ...int64) []SampleDay {
	var ds []SampleDay
	for i := range n {
		d := SampleDay{Date: day0.AddDate(0, 0, i).Format("2006-01-02"), Checked: 20}
		if i < len(failed) {
			d.Failed = failed[i]
			if d.Failed > 0 {
				d.Evidence = []string{"msg-" + d.Date}
			}
		}
		ds = append(ds, d)
	}
	return ds
}

func TestSample(t *testing.T) {
	rep := func(n int, v int64) []int64 { return slices.Repeat([]int64{v}, n) }
	for _, tc := range []struct {
		name    string
		days    []SampleDay
		score   Points
		ndeduct int
		note    string
		field   string
		msg     string
	}{
		{"all pass: full, full note", days(26), P(26), 0, "26分全满：基本奖金全得，并考虑额外奖金", "", ""},
		{"3 failing is not enough", days(26, 3, 3, 3), P(26), 0, "26分全满：基本奖金全得，并考虑额外奖金", "", ""},
		{"4 failing → −1 (one point a day at most)", days(26, 4, 20), P(24), 2, "", "", ""},
		{"tier <20: 19", days(26, rep(7, 4)...), P(19), 7, "低于 20 分：扣除当月奖金50元", "", ""},
		{"20 is not below 20", days(26, rep(6, 4)...), P(20), 6, "", "", ""},
		{"tier <15: 14", days(26, rep(12, 5)...), P(14), 12, "低于 15 分：扣除当月奖金100元", "", ""},
		{"tier <12: 11", days(26, rep(15, 4)...), P(11), 15, "低于 12 分：本月无奖金", "", ""},
		{"floor at 0 with more days than the month", days(30, rep(30, 4)...), 0, 30, "扣完为止；低于 12 分：本月无奖金", "", ""},
		{"short day is noted", []SampleDay{{Date: "2024-05-02", Checked: 15}}, P(26), 0, "抽查不足 20 条：2024-05-02 仅抽查 15 条；26分全满：基本奖金全得，并考虑额外奖金", "", ""},
		{"nothing sampled is pending", nil, 0, 0, "", "", ""},
		{"failed above checked", []SampleDay{{Date: "2024-05-02", Checked: 3, Failed: 4}}, 0, 0, "", "samples.chat[0].failed", "2024-05-02 不合格 4 条，抽查 3 条：不合格条数应在 0 与抽查条数之间"},
		{"bad date", []SampleDay{{Date: "5月2日", Checked: 3}}, 0, 0, "", "samples.chat[0].date", "日期格式应为 YYYY-MM-DD：\"5月2日\""},
		{"duplicate day", []SampleDay{{Date: "2024-05-02", Checked: 3}, {Date: "2024-05-02", Checked: 20}}, 0, 0, "", "samples.chat", "2024-05-02 的抽查记录重复"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Scheme: oneItem(sampleItem())}
			if tc.days != nil {
				in.Samples = map[string][]SampleDay{"chat": tc.days}
			}
			c, err := Evaluate(in)
			if tc.field != "" {
				wantInvalid(t, err, tc.field, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := c.Lines[0]
			if l.Score != tc.score || len(l.Deductions) != tc.ndeduct || l.Note != tc.note || l.Pending != (tc.days == nil) {
				t.Errorf("got %s, %d deductions, note %q, pending %v", l.Score, len(l.Deductions), l.Note, l.Pending)
			}
		})
	}
	c := mustEval(t, Input{Scheme: oneItem(sampleItem()), Samples: map[string][]SampleDay{"chat": days(2, 0, 5)}})
	d := c.Lines[0].Deductions[0]
	if d.Text != "2024-05-02 抽查 20 条，不合格 5 条 = −1" || !slices.Equal(d.EventIDs, []string{"msg-2024-05-02"}) || d.Points != P(1) {
		t.Errorf("deduction %+v", d)
	}
}

func TestManual(t *testing.T) {
	it := Item{Key: "other", Name: "其它", Points: P(5), Method: MethodManual, Description: "上级安排的其他工作按时按质完成"}
	for _, tc := range []struct {
		name   string
		rating Rating
		score  Points
		detail string
		field  string
		msg    string
	}{
		{"full without reason", Rating{Points: P(5)}, P(5), "评分 5", "", ""},
		{"zero with reason", Rating{Points: 0, Reason: "交办任务未完成"}, 0, "评分 0：交办任务未完成", "", ""},
		{"fraction with reason", Rating{Points: 350, Reason: "报告延迟一天"}, 350, "评分 3.5：报告延迟一天", "", ""},
		{"below full needs a reason", Rating{Points: P(4)}, 0, "", "ratings.other.reason", "“其它”低于满分须注明理由"},
		{"above the item", Rating{Points: 501, Reason: "x"}, 0, "", "ratings.other.points", "“其它”评分应在 0 到 5 之间（现为 5.01）"},
		{"negative", Rating{Points: -1, Reason: "x"}, 0, "", "ratings.other.points", "“其它”评分应在 0 到 5 之间（现为 -0.01）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Evaluate(Input{Scheme: oneItem(it), Ratings: map[string]Rating{"other": tc.rating}})
			if tc.field != "" {
				wantInvalid(t, err, tc.field, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := c.Lines[0]
			if l.Score != tc.score || l.Detail != tc.detail || l.Rule != "上级安排的其他工作按时按质完成（人工评分 0–5 分，低于满分须注明理由）" {
				t.Errorf("got %+v", l)
			}
		})
	}
	c := mustEval(t, Input{Scheme: oneItem(it)})
	if !c.Lines[0].Pending || c.Complete || c.Total != 0 || c.Lines[0].Detail != "待评" {
		t.Errorf("missing manual rating: %+v", c)
	}
}

func TestBonusAndInputs(t *testing.T) {
	s := oneItem(Item{Key: "other", Name: "其它", Points: P(5), Method: MethodManual})
	full := map[string]Rating{"other": {Points: P(5)}}
	c := mustEval(t, Input{Scheme: s, Ratings: full, Bonuses: []Bonus{
		{ID: "b2", Points: P(10), Reason: "获公司通报嘉奖", Ref: "cm-2"},
		{ID: "b1", Points: P(3), Reason: "客户来函表扬", Ref: "cm-1"},
		{ID: "b3", Points: P(5), Reason: "抢修及时"},
	}})
	want := []BonusLine{
		{ID: "b1", Points: P(3), Reason: "客户来函表扬", Ref: "cm-1", Text: "嘉奖加分：客户来函表扬 +3"},
		{ID: "b2", Points: P(10), Reason: "获公司通报嘉奖", Ref: "cm-2", Text: "嘉奖加分：获公司通报嘉奖 +10"},
		{ID: "b3", Points: P(2), Reason: "抢修及时", Text: "嘉奖加分：抢修及时 +5（本期加分封顶 15，计 +2）"},
	}
	if !slices.Equal(c.Bonuses, want) || c.Total != P(5) || c.Bonus != P(15) || c.Final != P(20) {
		t.Errorf("bonus card %+v", c)
	}

	noBonus := oneItem(Item{Key: "other", Name: "其它", Points: P(5), Method: MethodManual})
	noBonus.Bonus = nil
	for _, tc := range []struct {
		name  string
		in    Input
		field string
		msg   string
	}{
		{"no scheme", Input{}, "scheme", "缺少考核方案"},
		{"invalid scheme", Input{Scheme: &Scheme{}}, "key", "不能为空"},
		{"bonus below min", Input{Scheme: s, Bonuses: []Bonus{{Points: 50, Reason: "x"}}}, "bonuses[0].points", "每次加分应在 1 到 10 分之间（现为 0.5）"},
		{"bonus above max", Input{Scheme: s, Bonuses: []Bonus{{Points: P(11), Reason: "x"}}}, "bonuses[0].points", "每次加分应在 1 到 10 分之间（现为 11）"},
		{"bonus without reason", Input{Scheme: s, Bonuses: []Bonus{{Points: P(1)}}}, "bonuses[0].reason", "加分须注明理由"},
		{"bonus in a scheme without bonus", Input{Scheme: noBonus, Bonuses: []Bonus{{Points: P(1), Reason: "x"}}}, "bonuses", "本方案没有加分项"},
		{"rating for an unknown item", Input{Scheme: s, Ratings: map[string]Rating{"nope": {}}}, "ratings.nope", "方案中没有此考核项"},
		{"rating for a computed item", Input{Scheme: oneItem(Item{Key: "r", Name: "续约率", Points: P(15), Method: MethodRate, Rate: "renewal"}), Ratings: map[string]Rating{"r": {}}},
			"ratings.r", "“续约率”按比率计分，不接受评分"},
		{"samples for a manual item", Input{Scheme: s, Samples: map[string][]SampleDay{"other": nil}}, "samples.other", "“其它”按人工评分计分，不接受抽查记录"},
		{"event without id", Input{Scheme: s, Events: []Event{{Type: "archive_late"}}}, "events[0].id", "事件缺少 id，无法追溯证据"},
		{"duplicate event id", Input{Scheme: s, Events: []Event{ev("a", "archive_late", 1), ev("a", "archive_late", 2)}}, "events", "事件 id \"a\" 重复"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Evaluate(tc.in)
			wantInvalid(t, err, tc.field, tc.msg)
		})
	}
}

func TestPoints(t *testing.T) {
	for _, tc := range []struct {
		in    string
		p     Points
		str   string
		short string
		err   string
	}{
		{"15", 1500, "15.00", "15", ""},
		{"7.5", 750, "7.50", "7.5", ""},
		{"0.01", 1, "0.01", "0.01", ""},
		{"0", 0, "0.00", "0", ""},
		{"-2", -200, "-2.00", "-2", ""},
		{"-0.25", -25, "-0.25", "-0.25", ""},
		{"1000000", 100000000, "1000000.00", "1000000", ""},
		{"1000000.01", 0, "", "", "分值 \"1000000.01\" 超出范围（绝对值最多 1000000 分）"},
		{"10000000", 0, "", "", "分值 \"10000000\" 超出范围（绝对值最多 1000000 分）"},
		{"0.125", 0, "", "", "分值 \"0.125\" 最多两位小数"},
		{"1e2", 0, "", "", "分值 \"1e2\" 不是有效的数字（例如 15、7.5、0.25）"},
		{"01", 0, "", "", "分值 \"01\" 不是有效的数字（例如 15、7.5、0.25）"},
		{"1.", 0, "", "", "分值 \"1.\" 不是有效的数字（例如 15、7.5、0.25）"},
		{".5", 0, "", "", "分值 \".5\" 不是有效的数字（例如 15、7.5、0.25）"},
		{"+1", 0, "", "", "分值 \"+1\" 不是有效的数字（例如 15、7.5、0.25）"},
		{`"15"`, 0, "", "", "分值 \"\\\"15\\\"\" 不是有效的数字（例如 15、7.5、0.25）"},
	} {
		p, err := ParsePoints(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParsePoints(%q) err = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || p != tc.p || p.String() != tc.str || p.Short() != tc.short {
			t.Errorf("ParsePoints(%q) = %d %q %q %v", tc.in, p, p.String(), p.Short(), err)
		}
		b, _ := p.MarshalJSON()
		var back Points
		if err := back.UnmarshalJSON(b); err != nil || back != p {
			t.Errorf("round trip %q: %s %v", tc.in, back, err)
		}
	}
}
