package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
)

// TestAppraisalChecks is a check (检查考核) in the browser: the manager
// opens 苏悦's card of the month, opens the chat sampling from the checks
// list, records a day with too many failing records (refused, the form
// kept), then a day with five failing — the day loses its point — and
// follows the line to the failing day; 苏悦 finds the check under her
// month's checks, with its score, and no form to change it.
func TestAppraisalChecks(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	su, err := a.Org.StaffByLogin(sys, "su.yue")
	if err != nil {
		t.Fatal(err)
	}
	now := a.Now().In(a.Location())
	month, today := now.Format("2006-01"), now.Format("2006-01-02")
	// press clicks an element with its own click() and waits for the page.
	press := func(s *session, what, css string, want int64) {
		t.Helper()
		if !eval[bool](s, fmt.Sprintf(`!!document.querySelector(%q)`, css)) {
			s.fatalf("%s: no %s on the page", what, css)
		}
		if resp := s.submit(what, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, css))); resp.Status != want {
			s.fatalf("%s: HTTP %d, want %d: %.300q", what, resp.Status, want, s.text(".page-body"))
		}
	}

	mgr := e.newLongSession(t, "manager")
	mgr.expectStatus(400)
	mgr.login("manager", demoPassword)
	mgr.mustOpen(fmt.Sprintf("/appraisal?staff_id=%s&month=%s", su.ID, month))
	press(mgr, "open the chat sampling", `[data-testid=ap-check-open][data-scheme=chat_sampling] button`, 200)
	if got := mgr.text(`[role=status]`); !strings.Contains(got, "检查已开启") {
		mgr.fatalf("flash %q", got)
	}
	if mgr.text(`[data-testid=ap-check-badge]`) == "" {
		mgr.fatalf("the check page has no check badge")
	}
	form := `[data-testid=ap-sample-form] `
	mgr.within("fill a bad day", chromedp.SetValue(chromedp.CSS(form+`[data-testid=ap-sample-date]`), today),
		chromedp.SetValue(chromedp.CSS(form+`[data-testid=ap-sample-failed]`), "30"))
	press(mgr, "record too many failing", form+`[data-testid=ap-sample-save]`, 400)
	if got := mgr.text(`.page-body`); !strings.Contains(got, "不合格条数") {
		mgr.fatalf("the refusal does not say what is wrong: %.300q", got)
	}
	if got := eval[string](mgr, fmt.Sprintf(`document.querySelector(%q).value`, form+`[data-testid=ap-sample-failed]`)); got != "30" {
		mgr.fatalf("the refused form lost its value: %q", got)
	}
	mgr.within("fill the day", chromedp.SetValue(chromedp.CSS(form+`[data-testid=ap-sample-failed]`), "5"))
	press(mgr, "record the day", form+`[data-testid=ap-sample-save]`, 200)
	if got := mgr.text(`[data-testid=ap-total]`); got != "25.00" {
		mgr.fatalf("the check's total %q, want 25.00", got)
	}
	if got := mgr.text(fmt.Sprintf(`[data-testid=ap-sample-days] [data-day=%q]`, today)); !strings.Contains(got, "5/20") {
		mgr.fatalf("the recorded day %q", got)
	}
	press(mgr, "open the line", `a[href*="item=chat_records"][href*="card="]`, 200)
	if got := mgr.text(`[data-testid=ap-rule]`); !strings.Contains(got, today+" 抽查 20 条，不合格 5 条") {
		mgr.fatalf("the line's failing day %q", got)
	}
	mgr.checkPageText("/appraisal/lines")

	// 苏悦 sees the check under her month's checks and cannot change it.
	suS := e.newSession(t, "su.yue")
	suS.login("su.yue", demoPassword)
	suS.mustOpen("/appraisal?month=" + month)
	if got := suS.text(`[data-testid=ap-check-list]`); !strings.Contains(got, "聊天记录考核") || !strings.Contains(got, "25.00") {
		suS.fatalf("her checks %q", got)
	}
	press(suS, "open her check", `[data-testid=ap-check-link]`, 200)
	if suS.text(`[data-testid=ap-check-badge]`) == "" || eval[bool](suS, `!!document.querySelector("[data-testid=ap-sample-form]")`) {
		suS.fatalf("her check page: a badge missing or a sample form offered")
	}
	suS.checkPageText("/appraisal")
}
