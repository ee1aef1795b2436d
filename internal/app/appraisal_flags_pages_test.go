package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
)

var apFlagRowRE = regexp.MustCompile(`data-flag-id="([^"]+)"`)

// TestAppraisalFlagPages: on a specialist's card the manager flags a wrong
// dispatch (2 points, with a reason) and it counts in the month so far;
// the specialist cannot flag their own card nor another specialist
// someone else's (refused, nothing stored); the manager withdraws it with
// a reason and the score comes back.
func TestAppraisalFlagPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		a := in.App
		spec := w.staff["spec"].ID
		month := a.Now().In(a.Location()).Format("2006-01")
		card := "/appraisal?" + url.Values{"staff_id": {spec}, "month": {month}}.Encode()
		page := func(login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, card, login, nil)
			if status != http.StatusOK {
				t.Fatalf("card as %s: status %d: %s", login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}
		total := func(body string) string {
			t.Helper()
			m := apTotalRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no total on the card")
			}
			return m[1]
		}
		flagCount := func() int {
			t.Helper()
			var n int
			if err := a.DB().R().NewRaw("SELECT COUNT(*) FROM events WHERE staff_id = ? AND source = 'flagged'", spec).Scan(context.Background(), &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := page("mgr")
		if !strings.Contains(before, `data-testid="ap-flag-form"`) {
			t.Fatal("the manager is not offered the flag form")
		}
		start := total(before)
		flag := url.Values{"staff_id": {spec}, "month": {month}, "type": {"dispatch_error"}, "points": {"2"}, "reason": {"派工单地址写错，维修组白跑一趟"}}
		// Not the specialist on their own card, not another specialist.
		for _, login := range []string{"spec", "spec2"} {
			if status, _ := w.do(http.MethodPost, "/appraisal/flags", login, flag); status != http.StatusSeeOther {
				t.Fatalf("%s flagging: status %d, want a redirect back with the refusal", login, status)
			}
		}
		if strings.Contains(page("spec"), `data-testid="ap-flag-form"`) {
			t.Error("the specialist is offered a flag form on their own card")
		}
		if n := flagCount(); n != 0 {
			t.Fatalf("%d flags after refusals, want none", n)
		}
		// A reason is needed.
		noReason := url.Values{"staff_id": {spec}, "month": {month}, "type": {"dispatch_error"}, "points": {"2"}}
		w.do(http.MethodPost, "/appraisal/flags", "mgr", noReason)
		if n := flagCount(); n != 0 {
			t.Fatalf("a flag without a reason was stored")
		}
		if status, body := w.do(http.MethodPost, "/appraisal/flags", "mgr", flag); status != http.StatusSeeOther {
			t.Fatalf("the manager flagging: status %d: %s", status, errorText(body))
		}
		after := page("mgr")
		m := apFlagRowRE.FindStringSubmatch(after)
		if m == nil || !strings.Contains(after, "派工单地址写错") {
			t.Fatal("the flag is not listed on the card")
		}
		if got := total(after); got == start {
			t.Errorf("total %s unchanged by a 2-point dispatch error", got)
		}
		// The specialist sees it on their own card.
		if !strings.Contains(page("spec"), "派工单地址写错") {
			t.Error("the specialist does not see the flag on their card")
		}
		// Withdrawn by the manager with a reason: the score comes back.
		if status, _ := w.do(http.MethodPost, "/appraisal/flags/"+m[1]+"/withdraw", "spec", url.Values{"reason": {"不认可"}, "staff_id": {spec}, "month": {month}}); status != http.StatusSeeOther {
			t.Fatalf("the specialist withdrawing: status %d", status)
		}
		if status, _ := w.do(http.MethodPost, "/appraisal/flags/"+m[1]+"/withdraw", "mgr", url.Values{"reason": {"地址是客户提供的，非派单错误"}, "staff_id": {spec}, "month": {month}}); status != http.StatusSeeOther {
			t.Fatalf("the manager withdrawing: status %d", status)
		}
		final := page("mgr")
		if got := total(final); got != start || !strings.Contains(final, "地址是客户提供的") {
			t.Errorf("after the withdrawal: total %s (want %s back), withdrawal reason shown %v", got, start, strings.Contains(final, "地址是客户提供的"))
		}
		var withdrawnBy *string
		if err := a.DB().R().NewRaw("SELECT withdrawn_by FROM events WHERE id = ?", m[1]).Scan(access.With(context.Background(), access.System()), &withdrawnBy); err != nil || withdrawnBy == nil || *withdrawnBy != w.staff["mgr"].ID {
			t.Errorf("withdrawn by %v (%v), want the manager", withdrawnBy, err)
		}
	})
}
