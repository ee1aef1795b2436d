package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/surveys"
)

// 满意度调查: the manager's survey plans (list, form, the plan page with
// its progress and results, issue, close, export), the specialist's survey
// tasks (我的调查任务) and the response form.

// SurveyMethods are the methods of a survey (survey.method.*).
func (enums) SurveyMethods() []string { return surveys.Methods }

// SurveyStatuses are the statuses of a plan (survey.status.*).
func (enums) SurveyStatuses() []string { return surveys.Statuses }

// SurveyOutcomes are the outcomes of a response (survey.outcome.*).
func (enums) SurveyOutcomes() []string { return surveys.Outcomes }

// SurveyTaskStates are the task list's states (survey.state.*).
func (enums) SurveyTaskStates() []string { return surveys.TaskStates }

// Scores are the scores of a score question, best first.
func (enums) Scores() []int { return []int{5, 4, 3, 2, 1} }

type surveysPage struct {
	Page
	enums
	Status string
	Plans  []surveys.PlanView
}

func (s *Server) surveyList(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	if !slices.Contains(surveys.Statuses, status) {
		status = ""
	}
	plans, err := s.Surveys.Plans(r.Context(), surveys.PlanFilter{Status: status, Limit: 200})
	if err != nil {
		return err
	}
	p := &surveysPage{Page: s.page(r, "surveys", "survey.title"), Status: status, Plans: plans}
	return s.render(w, http.StatusOK, "surveys", "", p)
}

// questionRow is one row of the plan form's question table.
type questionRow struct {
	Text, Kind string
	Overall    bool
}

type surveyFormPage struct {
	Page
	enums
	choices
	In        surveys.PlanInput
	Plan      *surveys.PlanDetail // nil for a new plan
	Questions []questionRow
}

// surveyFormRows shows the questions with blank rows to add more.
func surveyFormRows(qs []surveys.QuestionInput) []questionRow {
	rows := make([]questionRow, 0, len(qs)+3)
	for _, q := range qs {
		rows = append(rows, questionRow{Text: q.Text, Kind: q.Kind, Overall: q.Overall})
	}
	for range 3 {
		rows = append(rows, questionRow{Kind: surveys.KindScore})
	}
	return rows
}

func (s *Server) surveyForm(r *http.Request, in surveys.PlanInput, plan *surveys.PlanDetail) (*surveyFormPage, error) {
	title := "survey.new"
	if plan != nil {
		title = "survey.edit"
	}
	p := &surveyFormPage{Page: s.page(r, "surveys", title), In: in, Plan: plan, Questions: surveyFormRows(in.Questions)}
	p.FieldPrefixes = []string{"survey.field."}
	var err error
	p.choices, err = s.choices(r)
	return p, err
}

func (s *Server) surveyNew(w http.ResponseWriter, r *http.Request) error {
	m, err := s.monthOf(r)
	if err != nil {
		return err
	}
	in := surveys.PlanInput{Title: m.String() + " 客户满意度调查", Period: m.String(), DueOn: m.Last().String(),
		Method: surveys.MethodPhone, Questions: surveys.DefaultQuestions()}
	p, err := s.surveyForm(r, in, nil)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "survey_form", "", p)
}

func (s *Server) surveyEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if d.Status != surveys.StatusDraft {
		return apperr.Conflict("status", "计划已下发，不能再修改")
	}
	in := surveys.PlanInput{Title: d.Title, Period: d.Period, DueOn: d.DueOn, Method: d.Method, ScopeClass: d.ScopeClass,
		ScopeRegionID: deref(d.ScopeRegionID), ScopeOwnerID: deref(d.ScopeOwnerID), Notes: d.Notes}
	for _, q := range d.Questions {
		in.Questions = append(in.Questions, surveys.QuestionInput{Text: q.Text, Kind: q.Kind, Overall: q.Overall})
	}
	p, err := s.surveyForm(r, in, d)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "survey_form", "", p)
}

// planInput reads the plan form; question rows without text are blank.
func planInput(r *http.Request) surveys.PlanInput {
	f := r.PostFormValue
	in := surveys.PlanInput{Title: f("title"), Period: f("period"), DueOn: f("due_on"), Method: f("method"), ScopeClass: f("scope_class"),
		ScopeRegionID: f("scope_region_id"), ScopeOwnerID: f("scope_owner_id"), Notes: f("notes"), Questions: []surveys.QuestionInput{}}
	texts, kinds := r.PostForm["q_text"], r.PostForm["q_kind"]
	overall := f("q_overall")
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue
		}
		kind := surveys.KindScore
		if i < len(kinds) {
			kind = kinds[i]
		}
		in.Questions = append(in.Questions, surveys.QuestionInput{Text: t, Kind: kind, Overall: overall == strconv.Itoa(i)})
	}
	return in
}

func (s *Server) surveyCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := planInput(r)
	d, err := s.Surveys.CreatePlan(r.Context(), in)
	if err != nil {
		p, perr := s.surveyForm(r, in, nil)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, err, &p.Page, "survey_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/surveys/"+d.ID)
}

func (s *Server) surveyUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := planInput(r)
	d, err := s.Surveys.UpdatePlan(r.Context(), r.PathValue("id"), version(r), in)
	if err != nil {
		cur, gerr := s.Surveys.Plan(r.Context(), r.PathValue("id"))
		if gerr != nil {
			return gerr
		}
		p, perr := s.surveyForm(r, in, cur)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, err, &p.Page, "survey_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/surveys/"+d.ID)
}

type surveyPage struct {
	Page
	enums
	P *surveys.PlanDetail
}

// Overall is the plan's overall question ("" when none).
func (p *surveyPage) Overall() string {
	for _, q := range p.P.Questions {
		if q.Overall {
			return q.Text
		}
	}
	return ""
}

// ScoreCount is the count of score n (1–5) of a question.
func (p *surveyPage) ScoreCount(q surveys.QuestionResult, n int) int {
	if n < 1 || n > len(q.Scores) {
		return 0
	}
	return q.Scores[n-1]
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := &surveyPage{Page: s.page(r, "surveys", "survey.title"), P: d}
	p.Title = d.Title
	return s.render(w, http.StatusOK, "survey", "", p)
}

func (s *Server) surveyIssue(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.IssuePlan(r.Context(), r.PathValue("id"), version(r))
	if err != nil {
		return s.surveyStepError(w, r, err)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "survey.issued", "N", d.Total))
	return redirect(w, r, "/surveys/"+d.ID)
}

func (s *Server) surveyClose(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.ClosePlan(r.Context(), r.PathValue("id"), version(r))
	if err != nil {
		return s.surveyStepError(w, r, err)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "survey.closed"))
	return redirect(w, r, "/surveys/"+d.ID)
}

// surveyStepError shows a refused issue or close on the plan page.
func (s *Server) surveyStepError(w http.ResponseWriter, r *http.Request, err error) error {
	d, gerr := s.Surveys.Plan(r.Context(), r.PathValue("id"))
	if gerr != nil {
		return gerr
	}
	p := &surveyPage{Page: s.page(r, "surveys", "survey.title"), P: d}
	p.Title = d.Title
	p.FieldPrefixes = []string{"survey.field."}
	return s.formError(w, r, err, &p.Page, "survey", p)
}

func (s *Server) surveyExport(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	sh, err := s.Surveys.ResponsesSheet(r.Context(), d.ID)
	if err != nil {
		return err
	}
	return s.writeTable(w, strings.TrimSuffix(d.FileName(), ".xlsx"), sh.Headers, sh.Rows)
}

type surveyTasksPage struct {
	Page
	enums
	choices
	Plan, State, Staff string
	Plans              []surveys.PlanView
	Tasks              []surveys.TaskView
}

// CanRecord reports whether the viewer records task t (pages show the link).
func (p *surveyTasksPage) CanRecord(t surveys.TaskView) bool {
	return t.Outcome == "" && t.PlanStatus == surveys.StatusOpen && surveys.CanRecord(p.User, t.StaffID)
}

func (s *Server) surveyTasks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &surveyTasksPage{Page: s.page(r, "surveys", "survey.tasks"), Plan: q.Get("plan"), State: q.Get("state")}
	if !slices.Contains(surveys.TaskStates, p.State) {
		p.State = ""
	}
	// A specialist's list is their own (their work list, like the queue);
	// a manager sees everyone's or one specialist's.
	p.Staff, _ = queueStaff(p.User, q.Get("staff"))
	var err error
	if p.Plans, err = s.Surveys.Plans(r.Context(), surveys.PlanFilter{Limit: 50}); err != nil {
		return err
	}
	p.Plans = slices.DeleteFunc(p.Plans, func(v surveys.PlanView) bool { return v.Status == surveys.StatusDraft })
	f := surveys.TaskFilter{PlanID: p.Plan, StaffID: p.Staff, State: p.State, OpenPlans: p.Plan == "", Limit: 1000}
	if p.Tasks, err = s.Surveys.Tasks(r.Context(), f); err != nil {
		return err
	}
	if p.User.IsManagerial() {
		if p.choices, err = s.choices(r); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "survey_tasks", "", p)
}

type surveyTaskPage struct {
	Page
	enums
	Task   *surveys.TaskDetail
	Now    string
	posted url.Values
}

// F is the value the user posted in field name (kept after an error).
func (p *surveyTaskPage) F(name string) string { return p.posted.Get(name) }

// Answer shows the answer to question q ("" when none).
func (p *surveyTaskPage) Answer(q surveys.Question) string {
	for _, a := range p.Task.Answers {
		if a.QuestionID == q.ID {
			if a.Score != nil {
				return strconv.Itoa(*a.Score)
			}
			return a.Text
		}
	}
	return ""
}

func (s *Server) surveyTaskData(r *http.Request) (*surveyTaskPage, error) {
	d, err := s.Surveys.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &surveyTaskPage{Page: s.page(r, "surveys", "survey.task"), Task: d, Now: s.nowSecond(), posted: url.Values{"channel": {d.Method}}}
	p.Title = d.CustomerName + " · " + d.PlanTitle
	p.FieldPrefixes = []string{"survey.field."}
	return p, nil
}

func (s *Server) surveyTaskPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.surveyTaskData(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "survey_task", "", p)
}

func (s *Server) surveyRespond(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	p, err := s.surveyTaskData(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := surveys.ResponseInput{Outcome: f("outcome"), ContactName: f("contact_name"), At: f("at"), Channel: f("channel"), Note: f("note")}
	if in.Outcome == surveys.OutcomeAnswered {
		for _, q := range p.Task.Questions {
			a := surveys.AnswerInput{QuestionID: q.ID}
			v := strings.TrimSpace(f("q_" + q.ID))
			if q.Kind == surveys.KindScore {
				a.Score, _ = strconv.Atoi(v)
			} else {
				a.Text = v
			}
			in.Answers = append(in.Answers, a)
		}
	}
	if _, err := s.Surveys.RecordResponse(r.Context(), p.Task.ID, version(r), in); err != nil {
		p.posted = r.PostForm
		return s.formError(w, r, err, &p.Page, "survey_task", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "survey.recorded"))
	return redirect(w, r, "/survey-tasks?"+url.Values{"plan": {p.Task.PlanID}}.Encode())
}

// CanManageSurveys reports whether the viewer drafts, issues and closes plans.
func (p *Page) CanManageSurveys() bool {
	return p.Can(string(access.DeskManage)) && p.User.IsManagerial()
}
