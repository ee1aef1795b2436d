package appraisal

import (
	"slices"
	"testing"
)

// TestWorkedExample is the worked example of the issue: Specialist 甲, one
// month, under the default scheme — total 81.00, asserted line by line.
func TestWorkedExample(t *testing.T) {
	in := Input{
		Scheme: Default(),
		Events: []Event{
			ev("e-dispatch", "dispatch_overdue", 1),      // one dispatch one day late
			ev("e-wx1", "wechat_timeout", 7),             // WeChat answered in 7 minutes
			ev("e-wx2", "wechat_timeout", 4),             // and in 4
			evc("e-nc", "no_contact_month", "cust-1", 1), // one customer with no contact all month
			ev("e-sum", "summary_missing", 1),            // one daily summary not submitted
		},
		Rates: map[string]Rate{
			"renewal":    {Num: 2, Den: 3, Evidence: []string{"c-1", "c-2", "c-3"}},
			"collection": {Num: 24_000_00, Den: 30_000_00}, // ¥24,000 of ¥30,000, in fen
		},
		Ratings: map[string]Rating{
			"other":          {Points: P(5)},
			"initiative":     {Points: P(3)},
			"enthusiasm":     {Points: P(3)},
			"execution":      {Points: P(2)},
			"dedication":     {Points: P(3)},
			"responsibility": {Points: P(3)},
		},
	}
	c := mustEval(t, in)

	want := []struct {
		item  string
		max   Points
		score Points
	}{
		{"renewal_rate", 1500, 1000},
		{"collection_rate", 1500, 1200},
		{"dispatch", 1000, 800},
		{"service", 1500, 800},
		{"followup", 1500, 1400},
		{"archive", 1000, 1000},
		{"other", 500, 500},
		{"initiative", 300, 300},
		{"enthusiasm", 300, 300},
		{"execution", 300, 200},
		{"dedication", 300, 300},
		{"responsibility", 300, 300},
	}
	if len(c.Lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(c.Lines), len(want))
	}
	for i, w := range want {
		l := c.Lines[i]
		if l.Item != w.item || l.Max != w.max || l.Score != w.score || l.Pending {
			t.Errorf("line %d = %s %s/%s pending=%v, want %s %s/%s", i, l.Item, l.Score, l.Max, l.Pending, w.item, w.score, w.max)
		}
	}
	if c.Total != 8100 || c.Total.String() != "81.00" || c.Bonus != 0 || c.Final != 8100 || !c.Complete || c.Max != 10000 {
		t.Errorf("card total %s bonus %s final %s complete %v max %s", c.Total, c.Bonus, c.Final, c.Complete, c.Max)
	}
	wantCats := []CategoryResult{
		{Key: "business", Name: "业务", Weight: "30%", Max: 3000, Score: 2200},
		{Key: "kpi", Name: "关键绩效指标", Weight: "55%", Max: 5500, Score: 4500},
		{Key: "attitude", Name: "工作态度", Weight: "15%", Max: 1500, Score: 1400},
	}
	if !slices.Equal(c.Categories, wantCats) {
		t.Errorf("categories = %+v", c.Categories)
	}

	// The explanations: from a number to its lines, from a line to its events.
	if l := line(t, c, "renewal_rate"); l.Detail != "续约率 2/3 = 66.67%：15 × 2/3 = 10.00" || !slices.Equal(l.Evidence, []string{"c-1", "c-2", "c-3"}) {
		t.Errorf("renewal: %q %v", l.Detail, l.Evidence)
	}
	if l := line(t, c, "collection_rate"); l.Detail != "回款率 2400000/3000000 = 80.00%：15 × 2400000/3000000 = 12.00" {
		t.Errorf("collection: %q", l.Detail)
	}
	d := line(t, c, "dispatch")
	if len(d.Deductions) != 1 || d.Deductions[0].Text != "派单逾期每天扣2分：1 天 = −2" ||
		!slices.Equal(d.Deductions[0].EventIDs, []string{"e-dispatch"}) || d.Detail != "10 − 2 = 8" {
		t.Errorf("dispatch: %+v", d)
	}
	s := line(t, c, "service")
	wantDed := []Deduction{
		{Rule: "响应超时每次扣1分", Text: "响应超时每次扣1分：2 次 = −2", Count: 2, Points: 200, EventIDs: []string{"e-wx1", "e-wx2"}},
		{Rule: "当月客户无沟通记录每客户扣5分", Text: "当月客户无沟通记录每客户扣5分：1 个客户 = −5", Count: 1, Points: 500, EventIDs: []string{"e-nc"}},
	}
	if len(s.Deductions) != 2 {
		t.Fatalf("service deductions: %+v", s.Deductions)
	}
	for i := range wantDed {
		g, w := s.Deductions[i], wantDed[i]
		if g.Rule != w.Rule || g.Text != w.Text || g.Count != w.Count || g.Points != w.Points || g.Capped || !slices.Equal(g.EventIDs, w.EventIDs) {
			t.Errorf("service deduction %d = %+v, want %+v", i, g, w)
		}
	}
	if s.Detail != "15 − 2 − 5 = 8" {
		t.Errorf("service detail %q", s.Detail)
	}
	if s.Rule != "响应超时每次扣1分；解决方案超期每天扣2分；当月客户无沟通记录每客户扣5分；相关事项未登记每次扣2分；登记不全或不合格每次扣1分；被客户投诉态度不佳每次扣5分" {
		t.Errorf("service rule %q", s.Rule)
	}
	if f := line(t, c, "followup"); len(f.Deductions) != 1 || f.Deductions[0].Text != "施工进度/结果未汇总、未登记或未上报每次扣1分：1 次 = −1" {
		t.Errorf("followup: %+v", f.Deductions)
	}
	if a := line(t, c, "archive"); len(a.Deductions) != 0 || a.Detail != "无扣分：10" {
		t.Errorf("archive: %+v", a)
	}
	if e := line(t, c, "execution"); e.Detail != "等级 2：对上级领导安排的工作，服从性较好；适时监督、检查、执行上级领导安排的工作，执行情况良好" {
		t.Errorf("execution: %q", e.Detail)
	}
	if len(c.Unused) != 0 || len(c.Pending) != 0 {
		t.Errorf("unused %v pending %v", c.Unused, c.Pending)
	}
}
