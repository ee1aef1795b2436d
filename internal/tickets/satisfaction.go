package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/rates"
	"kefu/internal/store"
)

// SatisfactionFact is one callback with a satisfaction score (回访满意度).
type SatisfactionFact struct {
	CallbackID   string
	TicketNumber string
	StaffID      string // the specialist charged with the callback
	StaffName    string
	Region       string
	Class        string // customer class A/B/C/D
	Score        int    // 1–5
}

// SatisfactionGroup is one line of the summary: how many callbacks, the
// count per score, and the exact average (Sum/Count; shown with two
// decimals, never a float).
type SatisfactionGroup struct {
	Key    string `json:"key"`   // staff id, region or class
	Label  string `json:"label"` // name shown
	Count  int    `json:"count"`
	Sum    int    `json:"sum"`
	Scores [5]int `json:"-"` // callbacks with score 1…5
	// ScoreCounts is Scores for JSON: [count of 1, …, count of 5].
	ScoreCounts []int  `json:"scores"`
	Avg         string `json:"average"`
	// Satisfied is the share of 4 and 5, exact.
	Satisfied        rates.Ratio `json:"-"`
	SatisfiedPercent string      `json:"satisfied_percent"`
}

// SatisfactionSection is one source's part of the summary: by specialist,
// by region and by customer class, and the total.
type SatisfactionSection struct {
	BySpecialist []SatisfactionGroup `json:"by_specialist"`
	ByRegion     []SatisfactionGroup `json:"by_region"`
	ByClass      []SatisfactionGroup `json:"by_class"`
	Total        SatisfactionGroup   `json:"total"`
}

// SatisfactionSummary is the monthly table 客户满意度汇总表: the callbacks'
// scores (the embedded section) and, alongside, the survey responses of
// the month (满意度调查, their overall score).
type SatisfactionSummary struct {
	Month string `json:"month"`
	SatisfactionSection
	Surveys SatisfactionSection `json:"surveys"`
}

// SurveyScores gives the overall scores (总体满意度) of the survey
// responses answered in [from, to), one fact per response; the surveys
// domain owns them and app wires it. CallbackID and TicketNumber are empty.
type SurveyScores interface {
	SurveySatisfaction(ctx context.Context, from, to time.Time) ([]SatisfactionFact, error)
}

// average renders sum/count with two decimals, rounded half up, exactly.
func average(sum, count int) string {
	if count == 0 {
		return "—"
	}
	hundredths := (int64(sum)*200 + int64(count)) / (2 * int64(count))
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

// SummariseSatisfaction groups the callback facts (pure;
// order-independent); the survey section is left empty.
func SummariseSatisfaction(month string, facts []SatisfactionFact) SatisfactionSummary {
	return SatisfactionSummary{Month: month, SatisfactionSection: SummariseSection(facts), Surveys: SummariseSection(nil)}
}

// SummariseSection groups one source's facts (pure; order-independent).
func SummariseSection(facts []SatisfactionFact) SatisfactionSection {
	group := func(key func(SatisfactionFact) (string, string)) []SatisfactionGroup {
		by := map[string]*SatisfactionGroup{}
		for _, f := range facts {
			k, label := key(f)
			g := by[k]
			if g == nil {
				g = &SatisfactionGroup{Key: k, Label: label}
				by[k] = g
			}
			add(g, f.Score)
		}
		out := make([]SatisfactionGroup, 0, len(by))
		for _, g := range by {
			finish(g)
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b SatisfactionGroup) int {
			if c := strings.Compare(a.Label, b.Label); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		return out
	}
	var s SatisfactionSection
	s.BySpecialist = group(func(f SatisfactionFact) (string, string) { return f.StaffID, f.StaffName })
	s.ByRegion = group(func(f SatisfactionFact) (string, string) { return f.Region, f.Region })
	s.ByClass = group(func(f SatisfactionFact) (string, string) { return f.Class, f.Class })
	for _, f := range facts {
		add(&s.Total, f.Score)
	}
	s.Total.Key, s.Total.Label = "", "合计"
	finish(&s.Total)
	return s
}

func add(g *SatisfactionGroup, score int) {
	if score < 1 || score > 5 {
		return
	}
	g.Count++
	g.Sum += score
	g.Scores[score-1]++
}

func finish(g *SatisfactionGroup) {
	g.ScoreCounts = g.Scores[:]
	g.Avg = average(g.Sum, g.Count)
	g.Satisfied = rates.Ratio{Num: int64(g.Scores[3] + g.Scores[4]), Den: int64(g.Count)}
	if g.Count == 0 {
		g.SatisfiedPercent = "—"
	} else {
		g.SatisfiedPercent = g.Satisfied.Percent()
	}
}

// SatisfactionMonth loads the callbacks done in month m with a score and
// summarises them, and beside them the survey responses answered in the
// month (when a SurveyScores source is wired). Managers, executives and admins see every group; a
// specialist sees the table too (it carries no customer data), as the
// seeds post it for the whole department.
func (s *Service) SatisfactionMonth(ctx context.Context, month string) (*SatisfactionSummary, error) {
	if !access.Caller(ctx).Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看满意度汇总")
	}
	m, err := rates.ParseMonth(month)
	if err != nil {
		return nil, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	from := store.Time(m.First().In(s.loc))
	to := store.Time(m.Next().First().In(s.loc))
	var rows []struct {
		ID     string `bun:"id"`
		Number string `bun:"number"`
		Staff  string `bun:"staff_id"`
		Name   string `bun:"staff_name"`
		Region string `bun:"region"`
		Class  string `bun:"class"`
		Score  int    `bun:"satisfaction"`
	}
	if err := s.db.R().NewRaw(`SELECT cb.id, t.number, COALESCE(cb.staff_id, '') AS staff_id, COALESCE(st.name, '（未指定）') AS staff_name,
		COALESCE(r.name, '（无区域）') AS region, COALESCE(cu.class, '—') AS class, cb.satisfaction
		FROM callbacks cb JOIN tickets t ON t.id = cb.ticket_id
		LEFT JOIN staff st ON st.id = cb.staff_id
		LEFT JOIN customers cu ON cu.id = t.customer_id
		LEFT JOIN regions r ON r.id = cu.region_id
		WHERE cb.done_at >= ? AND cb.done_at < ? AND cb.satisfaction IS NOT NULL AND cb.cancelled_at IS NULL`, from, to).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	facts := make([]SatisfactionFact, len(rows))
	for i, r := range rows {
		facts[i] = SatisfactionFact{CallbackID: r.ID, TicketNumber: r.Number, StaffID: r.Staff, StaffName: r.Name, Region: r.Region, Class: r.Class, Score: r.Score}
	}
	out := SummariseSatisfaction(m.String(), facts)
	if s.surveys != nil {
		sf, err := s.surveys.SurveySatisfaction(ctx, from, to)
		if err != nil {
			return nil, err
		}
		out.Surveys = SummariseSection(sf)
	}
	return &out, nil
}
