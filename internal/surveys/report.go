package surveys

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"kefu/internal/rates"
)

// StaffProgress is one specialist's progress on a plan (or the plan's
// total): tasks, responses recorded (done) by outcome, pending and overdue;
// Completion is done/total, exact.
type StaffProgress struct {
	StaffID     string      `json:"staff_id"`
	Name        string      `json:"name"`
	Total       int         `json:"total"`
	Done        int         `json:"done"`
	Answered    int         `json:"answered"`
	Unreachable int         `json:"unreachable"`
	Refused     int         `json:"refused"`
	Pending     int         `json:"pending"`
	Overdue     int         `json:"overdue"`
	Completion  rates.Ratio `json:"-"`
	// Percent is Completion as 87.50%; — for no tasks.
	Percent string `json:"percent"`
}

// Progress is a plan's completion (完成率) in total and per specialist,
// with the overdue tasks.
type Progress struct {
	Total        StaffProgress   `json:"total"`
	BySpecialist []StaffProgress `json:"by_specialist"`
	OverdueTasks []TaskView      `json:"overdue_tasks"`
}

func (g *StaffProgress) add(t *TaskView) {
	g.Total++
	switch t.Outcome {
	case OutcomeAnswered:
		g.Answered++
	case OutcomeUnreachable:
		g.Unreachable++
	case OutcomeRefused:
		g.Refused++
	default:
		g.Pending++
		if t.Overdue {
			g.Overdue++
		}
	}
	if t.Outcome != "" {
		g.Done++
	}
}

func (g *StaffProgress) finish() {
	g.Completion = rates.Ratio{Num: int64(g.Done), Den: int64(g.Total)}
	g.Percent = "—"
	if g.Total > 0 {
		g.Percent = g.Completion.Percent()
	}
}

// Summarise computes a plan's progress from its tasks (pure; each task's
// Overdue as loaded). Specialists are ordered by name.
func Summarise(tasks []TaskView) Progress {
	by := map[string]*StaffProgress{}
	p := Progress{OverdueTasks: []TaskView{}}
	for i := range tasks {
		t := &tasks[i]
		key := deref(t.StaffID)
		g := by[key]
		if g == nil {
			g = &StaffProgress{StaffID: key, Name: cmp.Or(t.StaffName, "（未分配）")}
			by[key] = g
		}
		g.add(t)
		p.Total.add(t)
		if t.Overdue {
			p.OverdueTasks = append(p.OverdueTasks, *t)
		}
	}
	p.Total.Name = "合计"
	p.Total.finish()
	p.BySpecialist = make([]StaffProgress, 0, len(by))
	for _, g := range by {
		g.finish()
		p.BySpecialist = append(p.BySpecialist, *g)
	}
	slices.SortFunc(p.BySpecialist, func(a, b StaffProgress) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.StaffID, b.StaffID))
	})
	return p
}

// QuestionResult is the answers to one question: for a score question the
// count per score and the exact average (two decimals, never a float);
// for a text question the number of remarks.
type QuestionResult struct {
	QuestionID string `json:"question_id"`
	Text       string `json:"text"`
	Kind       string `json:"kind"`
	Overall    bool   `json:"overall"`
	Count      int    `json:"count"`
	Sum        int    `json:"sum"`
	Scores     []int  `json:"scores"` // count of 1 … count of 5
	Avg        string `json:"average"`
}

// Group is one line of the results by specialist, region or class: the
// tasks, the answered ones, and the average overall score.
type Group struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Total    int    `json:"total"`
	Answered int    `json:"answered"`
	Count    int    `json:"count"` // answered with an overall score
	Sum      int    `json:"sum"`
	Avg      string `json:"average"`
	Low      int    `json:"low"` // overall score 2 or less
}

// LowScore is a score of 2 or less, to follow up (低分回访跟进).
type LowScore struct {
	TaskID       string `json:"task_id"`
	CustomerID   string `json:"customer_id"`
	CustomerName string `json:"customer_name"`
	StaffName    string `json:"staff_name"`
	Question     string `json:"question"`
	Score        int    `json:"score"`
	Remarks      string `json:"remarks"` // the customer's free-text answers
}

// Remark is a free-text answer.
type Remark struct {
	TaskID       string `json:"task_id"`
	CustomerName string `json:"customer_name"`
	Question     string `json:"question"`
	Text         string `json:"text"`
}

// Results are a plan's answers: per question, by specialist, region and
// customer class, the low scores and the remarks.
type Results struct {
	Questions    []QuestionResult `json:"questions"`
	BySpecialist []Group          `json:"by_specialist"`
	ByRegion     []Group          `json:"by_region"`
	ByClass      []Group          `json:"by_class"`
	LowScores    []LowScore       `json:"low_scores"`
	Remarks      []Remark         `json:"remarks"`
}

// LowScoreMax is the highest score listed for follow-up.
const LowScoreMax = 2

// average renders sum/count with two decimals, rounded half up, exactly.
func average(sum, count int) string {
	if count == 0 {
		return "—"
	}
	hundredths := (int64(sum)*200 + int64(count)) / (2 * int64(count))
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

// Evaluate computes a plan's results (pure; order-independent).
func Evaluate(qs []Question, tasks []TaskView, answers []Answer) Results {
	byTask := map[string][]Answer{}
	for _, a := range answers {
		byTask[a.TaskID] = append(byTask[a.TaskID], a)
	}
	qByID := map[string]Question{}
	qr := map[string]*QuestionResult{}
	r := Results{Questions: make([]QuestionResult, len(qs)), LowScores: []LowScore{}, Remarks: []Remark{}}
	for i, q := range qs {
		qByID[q.ID] = q
		r.Questions[i] = QuestionResult{QuestionID: q.ID, Text: q.Text, Kind: q.Kind, Overall: q.Overall, Scores: make([]int, 5)}
		qr[q.ID] = &r.Questions[i]
	}
	ordered := slices.Clone(tasks)
	slices.SortFunc(ordered, func(a, b TaskView) int {
		return cmp.Or(strings.Compare(a.CustomerName, b.CustomerName), strings.Compare(a.ID, b.ID))
	})
	seq := func(id string) int { return qByID[id].Seq }
	for _, t := range ordered {
		as := slices.Clone(byTask[t.ID])
		slices.SortFunc(as, func(a, b Answer) int { return cmp.Compare(seq(a.QuestionID), seq(b.QuestionID)) })
		var remarks []string
		for _, a := range as {
			if q, ok := qByID[a.QuestionID]; ok && q.Kind == KindText && a.Text != "" {
				remarks = append(remarks, a.Text)
				r.Remarks = append(r.Remarks, Remark{TaskID: t.ID, CustomerName: t.CustomerName, Question: q.Text, Text: a.Text})
			}
		}
		for _, a := range as {
			res, ok := qr[a.QuestionID]
			if !ok {
				continue
			}
			if a.Score != nil && *a.Score >= 1 && *a.Score <= 5 {
				res.Count++
				res.Sum += *a.Score
				res.Scores[*a.Score-1]++
				if *a.Score <= LowScoreMax {
					r.LowScores = append(r.LowScores, LowScore{TaskID: t.ID, CustomerID: t.CustomerID, CustomerName: t.CustomerName,
						StaffName: t.StaffName, Question: res.Text, Score: *a.Score, Remarks: strings.Join(remarks, "；")})
				}
			} else if res.Kind == KindText && a.Text != "" {
				res.Count++
			}
		}
	}
	for i := range r.Questions {
		if r.Questions[i].Kind == KindScore {
			r.Questions[i].Avg = average(r.Questions[i].Sum, r.Questions[i].Count)
		} else {
			r.Questions[i].Avg = "—"
		}
	}
	group := func(key func(TaskView) (string, string)) []Group {
		by := map[string]*Group{}
		for _, t := range tasks {
			k, label := key(t)
			g := by[k]
			if g == nil {
				g = &Group{Key: k, Label: label}
				by[k] = g
			}
			g.Total++
			if t.Outcome == OutcomeAnswered {
				g.Answered++
			}
			if t.OverallScore != nil && *t.OverallScore >= 1 && *t.OverallScore <= 5 {
				g.Count++
				g.Sum += *t.OverallScore
				if *t.OverallScore <= LowScoreMax {
					g.Low++
				}
			}
		}
		out := make([]Group, 0, len(by))
		for _, g := range by {
			g.Avg = average(g.Sum, g.Count)
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b Group) int { return cmp.Or(strings.Compare(a.Label, b.Label), strings.Compare(a.Key, b.Key)) })
		return out
	}
	r.BySpecialist = group(func(t TaskView) (string, string) { return deref(t.StaffID), cmp.Or(t.StaffName, "（未分配）") })
	r.ByRegion = group(func(t TaskView) (string, string) { return deref(t.RegionID), cmp.Or(t.RegionName, "（无区域）") })
	r.ByClass = group(func(t TaskView) (string, string) { return t.Class, cmp.Or(t.Class, "—") })
	return r
}
