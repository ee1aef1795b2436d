package app_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kefu/internal/app/apptest"
	"kefu/internal/customers"
	"kefu/internal/surveys"
)

// TestSurveyPages: the manager drafts and issues a plan from the pages;
// each specialist sees and records only their own tasks; the plan page
// shows completion, averages and low scores; the responses export and the
// monthly summary's survey section; roles without the permission get 403.
func TestSurveyPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		a := in.App
		other, err := a.Customers.CreateCustomer(w.as("mgr"), customers.CustomerInput{Name: "乙医院", Class: "B", RegionID: w.customer.RegionID,
			OwnerID: w.staff["spec2"].ID})
		if err != nil {
			t.Fatal(err)
		}
		page := func(path, login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, path, login, nil)
			if status != http.StatusOK {
				t.Fatalf("%s as %s: status %d: %s", path, login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}
		month := a.Now().In(a.Location()).Format("2006-01")
		due := a.Now().In(a.Location()).AddDate(0, 0, 7).Format("2006-01-02")
		form := url.Values{"title": {"本月客户满意度调查"}, "period": {month}, "due_on": {due}, "method": {"phone"},
			"q_text": {"服务态度", "总体满意度", "意见建议", ""}, "q_kind": {"score", "score", "text", "score"}, "q_overall": {"1"}}

		// Who may do what.
		for _, c := range []struct {
			method, path, login string
			want                int
		}{
			{"GET", "/surveys", "tech", 403}, {"GET", "/surveys", "fin", 403}, {"GET", "/surveys", "exec", 200}, {"GET", "/surveys", "spec", 200},
			{"GET", "/surveys/new", "spec", 403}, {"GET", "/surveys/new", "exec", 403}, {"POST", "/surveys", "spec", 403},
			{"GET", "/survey-tasks", "tech", 403}, {"GET", "/survey-tasks", "spec", 200},
		} {
			var f url.Values
			if c.method == "POST" {
				f = form
			}
			if status, _ := w.do(c.method, c.path, c.login, f); status != c.want {
				t.Errorf("%s %s as %s: status %d, want %d", c.method, c.path, c.login, status, c.want)
			}
		}
		if body := page("/surveys/new", "mgr"); !strings.Contains(body, `value="总体满意度"`) || !strings.Contains(body, `name="q_overall" value="3" checked`) {
			t.Error("the new plan form lacks the default questionnaire")
		}

		// A bad period is shown on the form, nothing stored.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("period", "三月")
		if status, body := w.do(http.MethodPost, "/surveys", "mgr", bad); status != http.StatusBadRequest || !strings.Contains(errorText(body), "调查期间") {
			t.Fatalf("bad period: status %d, error %q", status, errorText(body))
		}
		resp, body := w.post("/surveys", "mgr", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: status %d: %s", resp.StatusCode, errorText(body))
		}
		id := strings.TrimPrefix(resp.Header.Get("Location"), "/surveys/")
		plan, err := a.Surveys.Plan(w.as("mgr"), id)
		if err != nil || len(plan.Questions) != 3 || !plan.Questions[1].Overall || plan.Questions[2].Kind != "text" {
			t.Fatalf("plan %+v %v", plan, err)
		}
		if body := page("/surveys/"+id, "mgr"); !strings.Contains(body, `data-testid="survey-issue"`) || !strings.Contains(body, "草稿") {
			t.Error("the draft has no issue button")
		}
		if body := page("/surveys/"+id, "spec"); strings.Contains(body, `data-testid="survey-issue"`) {
			t.Error("a specialist is offered the issue button")
		}
		if status, _ := w.do(http.MethodPost, "/surveys/"+id+"/issue", "spec", url.Values{"version": {"1"}}); status != http.StatusForbidden {
			t.Errorf("a specialist issues: status %d", status)
		}
		if resp, body := w.post("/surveys/"+id+"/issue", "mgr", url.Values{"version": {"1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue: status %d: %s", resp.StatusCode, errorText(body))
		}
		if status, body := w.do(http.MethodPost, "/surveys/"+id+"/issue", "mgr", url.Values{"version": {"2"}}); status != http.StatusConflict ||
			!strings.Contains(errorText(body), "已下发") {
			t.Errorf("issue twice: status %d %q", status, errorText(body))
		}
		tasks, err := a.Surveys.Tasks(w.as("mgr"), surveys.TaskFilter{PlanID: id})
		if err != nil || len(tasks) != 2 {
			t.Fatalf("tasks %+v %v", tasks, err)
		}
		mine, theirs := tasks[0], tasks[1]
		if mine.CustomerID != w.customer.ID {
			mine, theirs = theirs, mine
		}

		// Each specialist's list holds their own tasks.
		body = page("/survey-tasks", "spec")
		if !strings.Contains(body, `data-task-id="`+mine.ID+`"`) || strings.Contains(body, `data-task-id="`+theirs.ID+`"`) || !strings.Contains(body, `data-testid="task-record"`) {
			t.Error("spec's task list is wrong")
		}
		if body := page("/survey-tasks", "spec2"); !strings.Contains(body, `data-task-id="`+theirs.ID+`"`) || strings.Contains(body, `data-task-id="`+mine.ID+`"`) {
			t.Error("spec2's task list is wrong")
		}
		if body := page("/survey-tasks?staff="+w.staff["spec2"].ID, "mgr"); !strings.Contains(body, other.Name) || strings.Contains(body, w.customer.Name) {
			t.Error("the manager's filter by specialist is wrong")
		}

		// The response form: refused for another's task, checked, stored.
		q := plan.Questions
		answer := url.Values{"version": {"1"}, "outcome": {"answered"}, "contact_name": {"王总"}, "channel": {"phone"},
			"q_" + q[0].ID: {"2"}, "q_" + q[1].ID: {"4"}, "q_" + q[2].ID: {"空调温度偏高"}}
		if status, _ := w.do(http.MethodPost, "/survey-tasks/"+mine.ID, "spec2", answer); status != http.StatusForbidden {
			t.Errorf("spec2 records spec's task: status %d", status)
		}
		if body := page("/survey-tasks/"+mine.ID, "spec"); !strings.Contains(body, `data-testid="survey-response-form"`) || !strings.Contains(body, "总体满意度") {
			t.Error("the response form is missing")
		}
		noContact := url.Values{}
		for k, v := range answer {
			noContact[k] = v
		}
		noContact.Set("contact_name", "")
		if status, body := w.do(http.MethodPost, "/survey-tasks/"+mine.ID, "spec", noContact); status != http.StatusBadRequest ||
			!strings.Contains(errorText(body), "受访人") || !strings.Contains(body, `value="2" selected`) {
			t.Errorf("no contact: status %d, error %q (or the scores were lost)", status, errorText(body))
		}
		if resp, body := w.post("/survey-tasks/"+mine.ID, "spec", answer); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: status %d: %s", resp.StatusCode, errorText(body))
		}
		if body := page("/survey-tasks/"+mine.ID, "spec"); strings.Contains(body, `data-testid="survey-response-form"`) || !strings.Contains(body, "已答复") {
			t.Error("the recorded task still offers the form")
		}

		// The plan page: completion, averages, low score.
		body = page("/surveys/"+id, "exec")
		for _, want := range []string{`<td class="text-end survey-completion">50.00%</td>`, `<td class="text-end survey-completion">100.00%</td>`,
			`<td class="text-end survey-avg">4.00</td>`, `data-testid="survey-low-scores"`, "空调温度偏高", `href="/surveys/` + id + `/export"`} {
			if !strings.Contains(body, want) {
				t.Errorf("plan page lacks %q", want)
			}
		}
		resp2, b := w.get("/surveys/"+id+"/export", "spec2")
		if resp2.StatusCode != http.StatusOK {
			t.Fatalf("export: status %d", resp2.StatusCode)
		}
		if rows := assertXLSXHeader(t, b, "客户"); len(rows) != 3 || rows[0][8] != "服务态度（1–5 分）" {
			t.Errorf("export rows %v", rows)
		}
		if status, _ := w.do(http.MethodGet, "/surveys/"+id+"/export", "tech", nil); status != http.StatusForbidden {
			t.Errorf("a technician exports: status %d", status)
		}

		// The monthly summary shows the survey beside the callbacks.
		body = page("/reports/satisfaction", "mgr")
		if !strings.Contains(body, `data-testid="satisfaction-survey-total"`) || !strings.Contains(body, `data-testid="satisfaction-callbacks"`) ||
			!strings.Contains(body, `<tr data-key="`+w.staff["spec"].ID+`">`) {
			t.Error("the satisfaction summary lacks the survey section")
		}

		// Closing: no more responses.
		if resp, body := w.post("/surveys/"+id+"/close", "mgr", url.Values{"version": {"2"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: status %d: %s", resp.StatusCode, errorText(body))
		}
		if status, body := w.do(http.MethodPost, "/survey-tasks/"+theirs.ID, "spec2", url.Values{"version": {"1"}, "outcome": {"refused"}, "note": {"忙"}}); status != http.StatusConflict {
			t.Errorf("record on a closed plan: status %d %q", status, errorText(body))
		}
	})
}
