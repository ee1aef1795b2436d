package surveys

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
)

// Sheet is a table for an XLSX export.
type Sheet struct {
	Headers []string
	Rows    [][]string
}

// ResponsesSheet is a plan's responses as a table (调查结果明细): one row
// per customer with the outcome, who answered, when and how, then one
// column per question, the note and whether it is overdue.
func (s *Service) ResponsesSheet(ctx context.Context, planID string) (*Sheet, error) {
	d, err := s.Plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	tasks, err := s.tasks(ctx, s.db.R(), TaskFilter{PlanID: planID}, 0)
	if err != nil {
		return nil, err
	}
	answers, err := planAnswers(ctx, s.db.R(), planID)
	if err != nil {
		return nil, err
	}
	byTask := map[string]map[string]Answer{}
	for _, a := range answers {
		if byTask[a.TaskID] == nil {
			byTask[a.TaskID] = map[string]Answer{}
		}
		byTask[a.TaskID][a.QuestionID] = a
	}
	sh := &Sheet{Headers: []string{"客户", "区域", "客户等级", "分管客服", "结果", "受访人", "调查时间", "调查方式"}}
	for _, q := range d.Questions {
		h := q.Text
		if q.Kind == KindScore {
			h += "（1–5 分）"
		}
		sh.Headers = append(sh.Headers, h)
	}
	sh.Headers = append(sh.Headers, "说明", "逾期")
	for _, t := range tasks {
		outcome, at := "待调查", ""
		if t.Outcome != "" {
			outcome = outcomeNames[t.Outcome]
		}
		if t.AnsweredAt != nil {
			at = t.AnsweredAt.In(s.loc).Format("2006-01-02 15:04")
		}
		row := []string{t.CustomerName, cmp.Or(t.RegionName, "—"), cmp.Or(t.Class, "—"), cmp.Or(t.StaffName, "（未分配）"), outcome,
			t.ContactName, at, methodNames[t.Channel]}
		for _, q := range d.Questions {
			a := byTask[t.ID][q.ID]
			switch {
			case a.Score != nil:
				row = append(row, strconv.Itoa(*a.Score))
			default:
				row = append(row, a.Text)
			}
		}
		late := ""
		if t.Overdue {
			late = "逾期"
		}
		row = append(row, t.Note, late)
		sh.Rows = append(sh.Rows, row)
	}
	return sh, nil
}

// FileName is the export's file name: survey-<period>-<id prefix>.xlsx.
func (d *PlanDetail) FileName() string {
	return fmt.Sprintf("survey-%s-%s.xlsx", d.Period, d.ID[:min(8, len(d.ID))])
}
