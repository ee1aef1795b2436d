package api

import (
	"context"
	"net/http"

	"kefu/internal/access"
	"kefu/internal/surveys"
)

// Satisfaction surveys by plan (满意度调查): the manager's plans, issued to
// the owning specialists as one task per customer, the responses, the
// progress and results, and the responses' XLSX. Who may record which
// task — a specialist only those assigned to them — is checked by the
// surveys domain; the route table checks the role.

// surveyPlanUpdate is a draft plan's new content with the version read.
type surveyPlanUpdate struct {
	Version *int64 `json:"version"`
	surveys.PlanInput
}

// surveyPlanStep issues or closes a plan: the version read.
type surveyPlanStep struct {
	Version *int64 `json:"version"`
}

// surveyResponse records a task's response with the task's version.
type surveyResponse struct {
	Version *int64 `json:"version"`
	surveys.ResponseInput
}

func (s *Server) listSurveyPlans(w http.ResponseWriter, r *http.Request) error {
	status, err := queryEnum(r, "status", surveys.Statuses...)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	ps, err := s.Surveys.Plans(r.Context(), surveys.PlanFilter{Status: status, Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, items(ps))
}

func (s *Server) createSurveyPlan(w http.ResponseWriter, r *http.Request) error {
	var in surveys.PlanInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.Surveys.CreatePlan(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, d)
}

func (s *Server) getSurveyPlan(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) updateSurveyPlan(w http.ResponseWriter, r *http.Request) error {
	var in surveyPlanUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Surveys.UpdatePlan(r.Context(), r.PathValue("id"), v, in.PlanInput)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) issueSurveyPlan(w http.ResponseWriter, r *http.Request) error {
	return s.stepSurveyPlan(w, r, s.Surveys.IssuePlan)
}

func (s *Server) closeSurveyPlan(w http.ResponseWriter, r *http.Request) error {
	return s.stepSurveyPlan(w, r, s.Surveys.ClosePlan)
}

func (s *Server) stepSurveyPlan(w http.ResponseWriter, r *http.Request,
	step func(ctx context.Context, id string, version int64) (*surveys.PlanDetail, error)) error {
	var in surveyPlanStep
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := step(r.Context(), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) listSurveyTasks(w http.ResponseWriter, r *http.Request) error {
	state, err := queryEnum(r, "state", surveys.TaskStates...)
	if err != nil {
		return err
	}
	open, err := queryBool(r, "open_plans")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 500, 1, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ts, err := s.Surveys.Tasks(r.Context(), surveys.TaskFilter{PlanID: q.Get("plan_id"), StaffID: surveyStaff(r), State: state,
		OpenPlans: open != nil && *open, Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, items(ts))
}

// surveyStaff is ?staff_id=, which defaults to the caller for a specialist
// (their work list) and to everyone for others; empty means everyone.
func surveyStaff(r *http.Request) string {
	q := r.URL.Query()
	if _, set := q["staff_id"]; set {
		return q.Get("staff_id")
	}
	if p := access.From(r.Context()); p != nil && p.Has(access.CSSpecialist) && !p.IsManagerial() {
		return p.StaffID
	}
	return ""
}

func (s *Server) getSurveyTask(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) recordSurveyResponse(w http.ResponseWriter, r *http.Request) error {
	var in surveyResponse
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Surveys.RecordResponse(r.Context(), r.PathValue("id"), v, in.ResponseInput)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) exportSurveyPlan(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Surveys.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	sh, err := s.Surveys.ResponsesSheet(r.Context(), d.ID)
	if err != nil {
		return err
	}
	return writeXLSX(w, d.FileName(), sh.Headers, sh.Rows)
}

func (s *Server) runSurveyReminders(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Surveys.RunReminders(r.Context())
	if err != nil {
		return err
	}
	return ok(w, n)
}
