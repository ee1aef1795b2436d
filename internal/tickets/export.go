package tickets

import (
	"context"
	"fmt"
	"strings"
)

// Sheet is a table for an XLSX export.
type Sheet struct {
	Headers []string
	Rows    [][]string
}

var typeNames = map[string]string{"consultation": "咨询", "repair": "报修", "complaint": "投诉", "help": "求助", "suggestion": "建议"}

// TicketsSheet is the ticket list as a table (up to 10,000 tickets).
func (s *Service) TicketsSheet(ctx context.Context, f Filter) (*Sheet, error) {
	sh := &Sheet{Headers: []string{"工单号", "类型", "客户", "来电/来访人", "受理时间", "首问责任人", "处理人", "紧急程度", "状态", "解决期限", "登记不全", "描述"}}
	f.Offset = 0
	for {
		f.Limit = 500
		list, err := s.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			promised := ""
			if t.PromisedAt != nil {
				promised = t.PromisedAt.In(s.loc).Format("2006-01-02 15:04")
			}
			missing := ""
			if t.Incomplete {
				missing = strings.ReplaceAll(t.Missing, ",", "、")
			}
			urgency := "一般"
			if t.Urgency == "urgent" {
				urgency = "紧急"
			}
			sh.Rows = append(sh.Rows, []string{t.Number, typeNames[t.Type], t.CustomerName, t.Caller, t.ReceivedAt.In(s.loc).Format("2006-01-02 15:04:05"),
				t.FirstOwnerName, t.AssigneeName, urgency, statusLabel[t.Status], promised, missing, t.Description})
		}
		if len(list) < f.Limit || len(sh.Rows) >= 10000 {
			break
		}
		f.Offset += len(list)
	}
	return sh, nil
}

// SatisfactionSheet is the monthly satisfaction summary as a table: the
// callbacks' lines (来源 回访) and then the survey responses' (满意度调查).
func SatisfactionSheet(sum *SatisfactionSummary) *Sheet {
	sh := &Sheet{Headers: []string{"来源", "维度", "名称", "打分数", "平均满意度", "满意率（4–5 分）", "5 分", "4 分", "3 分", "2 分", "1 分"}}
	line := func(src, dim string, g SatisfactionGroup) {
		sh.Rows = append(sh.Rows, []string{src, dim, g.Label, fmt.Sprint(g.Count), g.Avg, g.SatisfiedPercent,
			fmt.Sprint(g.Scores[4]), fmt.Sprint(g.Scores[3]), fmt.Sprint(g.Scores[2]), fmt.Sprint(g.Scores[1]), fmt.Sprint(g.Scores[0])})
	}
	for _, sec := range []struct {
		src string
		s   *SatisfactionSection
	}{{"回访", &sum.SatisfactionSection}, {"满意度调查", &sum.Surveys}} {
		for _, g := range sec.s.BySpecialist {
			line(sec.src, "客服", g)
		}
		for _, g := range sec.s.ByRegion {
			line(sec.src, "区域", g)
		}
		for _, g := range sec.s.ByClass {
			line(sec.src, "客户等级", g)
		}
		line(sec.src, "合计", sec.s.Total)
	}
	return sh
}
