package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/customers"
	"kefu/internal/rates"
)

// TestSurveyIssueRespondCompletion is the survey flow in the browser: the
// manager drafts a satisfaction survey of 林雯's customers and issues it;
// 林雯 finds the task in her survey tasks and records a customer's
// answers; the manager's plan page shows her completion with it.
func TestSurveyIssueRespondCompletion(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	lin, err := a.Org.StaffByLogin(sys, "lin.wen")
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.Customers.ListCustomers(sys, customers.ListFilter{OwnerID: lin.ID, Status: "active", Limit: 200})
	if err != nil || len(page.Items) == 0 || page.Next != "" {
		t.Fatalf("lin.wen's customers: %d %v", len(page.Items), err)
	}
	total := len(page.Items)
	title := fmt.Sprintf("E2E 满意度调查 %d", time.Now().UnixNano())

	// The manager drafts and issues the plan.
	mgr := e.newSession(t, "manager")
	mgr.login("manager", demoPassword)
	mgr.mustOpen("/surveys")
	mgr.within("the new plan button", chromedp.WaitVisible(chromedp.CSS(`[data-testid=survey-new]`)))
	mgr.mustOpen("/surveys/new")
	mgr.within("fill in the plan",
		chromedp.SetValue(chromedp.CSS(`[data-testid=survey-form] input[name=title]`), title),
		chromedp.SetValue(chromedp.CSS(`[data-testid=survey-form] select[name=scope_owner_id]`), lin.ID))
	if resp := mgr.submit("save the plan", chromedp.Click(chromedp.CSS(`[data-testid=survey-save]`))); resp.Status != 200 {
		mgr.fatalf("save the plan: HTTP %d: %.300q", resp.Status, mgr.text(".page-body"))
	}
	if got := mgr.text(".page-title"); got != title {
		mgr.fatalf("plan page title %q, want %q", got, title)
	}
	planID := eval[string](mgr, `document.querySelector('[data-plan-id]').dataset.planId`)
	if resp := mgr.submit("issue the plan", chromedp.Click(chromedp.CSS(`[data-testid=survey-issue]`))); resp.Status != 200 {
		mgr.fatalf("issue: HTTP %d: %.300q", resp.Status, mgr.text(".page-body"))
	}
	if flash := mgr.text(`[role=status]`); !strings.Contains(flash, fmt.Sprintf("生成 %d 个调查任务", total)) {
		mgr.fatalf("issue flash %q, want %d tasks", flash, total)
	}
	mgr.checkPageText("/surveys/" + planID)

	// 林雯 records one customer's answers from her task list.
	spec := e.newSession(t, "lin.wen")
	spec.login("lin.wen", demoPassword)
	spec.mustOpen("/survey-tasks?plan=" + planID)
	if rows := spec.texts(`[data-testid=survey-tasks] tbody tr[data-task-id]`); len(rows) != total {
		spec.fatalf("%d task rows, want %d", len(rows), total)
	}
	customer := spec.text(`[data-testid=survey-tasks] tbody tr[data-task-id] td a`)
	if resp := spec.submit("open the first task", chromedp.Click(chromedp.CSS(`[data-testid=task-record]`))); resp.Status != 200 {
		spec.fatalf("open the task: HTTP %d", resp.Status)
	}
	spec.checkPageText("survey task")
	spec.within("fill in the response",
		chromedp.SetValue(chromedp.CSS(`[data-testid=response-outcome]`), "answered"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=response-contact]`), "物业王经理"))
	if n := eval[int](spec, `(() => { const s = document.querySelectorAll('[data-testid=response-score]'); s.forEach(e => e.value = '4'); return s.length })()`); n != 4 {
		spec.fatalf("%d score questions, want 4", n)
	}
	if resp := spec.submit("save the response", chromedp.Click(chromedp.CSS(`[data-testid=response-save]`))); resp.Status != 200 {
		spec.fatalf("save the response: HTTP %d: %.300q", resp.Status, spec.text(".page-body"))
	}
	if flash := spec.text(`[role=status]`); !strings.Contains(flash, "调查结果已登记") {
		spec.fatalf("flash %q", flash)
	}
	if got := spec.text(`[data-testid=survey-tasks] tr[data-outcome=answered] td a`); got != customer {
		spec.fatalf("answered row %q, want %q", got, customer)
	}

	// The manager sees her completion and the average.
	mgr.mustOpen("/surveys/" + planID)
	want := rates.Ratio{Num: 1, Den: int64(total)}.Percent()
	row := mgr.texts(fmt.Sprintf(`[data-testid=survey-progress] tbody tr[data-staff-id=%q] td`, lin.ID))
	if len(row) < 4 || row[0] != "林雯" || row[1] != fmt.Sprint(total) || row[2] != "1" || row[3] != want {
		mgr.fatalf("林雯's progress %q, want %d tasks, 1 done, %s", row, total, want)
	}
	if avg := mgr.texts(`[data-testid=survey-questions-results] .survey-avg`); len(avg) != 5 || avg[3] != "4.00" {
		mgr.fatalf("question averages %q", avg)
	}
}
