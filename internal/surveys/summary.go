package surveys

import (
	"context"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// ScoreFact is one survey response with an overall score (总体满意度), as
// the monthly 客户满意度汇总表 counts it: the specialist the task was
// assigned to, the customer's region and class at issue.
type ScoreFact struct {
	TaskID    string
	PlanTitle string
	StaffID   string
	StaffName string
	Region    string
	Class     string
	Score     int // 1–5
}

// ScoreFacts loads the responses answered in [from, to) with an overall
// score, from plans issued or closed (everyone on the desk).
func (s *Service) ScoreFacts(ctx context.Context, from, to time.Time) ([]ScoreFact, error) {
	if !access.Caller(ctx).Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看满意度调查")
	}
	var rows []struct {
		ID     string `bun:"id"`
		Title  string `bun:"title"`
		Staff  string `bun:"staff_id"`
		Name   string `bun:"staff_name"`
		Region string `bun:"region"`
		Class  string `bun:"class"`
		Score  int    `bun:"overall_score"`
	}
	if err := s.db.R().NewRaw(`SELECT t.id, p.title, COALESCE(t.staff_id, '') AS staff_id, COALESCE(st.name, '（未指定）') AS staff_name,
		COALESCE(r.name, '（无区域）') AS region, CASE WHEN t.class = '' THEN '—' ELSE t.class END AS class, t.overall_score
		FROM survey_tasks t JOIN survey_plans p ON p.id = t.plan_id
		LEFT JOIN staff st ON st.id = t.staff_id
		LEFT JOIN regions r ON r.id = t.region_id
		WHERE t.answered_at >= ? AND t.answered_at < ? AND t.overall_score IS NOT NULL ORDER BY t.answered_at, t.id`,
		store.Time(from), store.Time(to)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]ScoreFact, len(rows))
	for i, r := range rows {
		out[i] = ScoreFact{TaskID: r.ID, PlanTitle: r.Title, StaffID: r.Staff, StaffName: r.Name, Region: r.Region, Class: r.Class, Score: r.Score}
	}
	return out, nil
}
