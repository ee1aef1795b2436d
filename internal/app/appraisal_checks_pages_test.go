package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
)

// TestAppraisalCheckPages: on a specialist's card of the month the manager
// is offered the checks and opens the chat sampling; another specialist
// cannot (refused, nothing stored); the manager records a failing day —
// a bad day is refused with the form kept — the check shows its score and
// its days, its line opens to the rule, and the monthly card stays the
// monthly card with the check listed under 检查考核.
func TestAppraisalCheckPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		a := in.App
		spec := w.staff["spec"].ID
		today := a.Now().In(a.Location())
		month := today.Format("2006-01")
		monthly := "/appraisal?" + url.Values{"staff_id": {spec}, "month": {month}}.Encode()
		get := func(path, login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, path, login, nil)
			if status != http.StatusOK {
				t.Fatalf("%s as %s: status %d: %s", path, login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}
		checks := func() []string {
			t.Helper()
			var ids []string
			if err := a.DB().R().NewRaw(`SELECT sc.id FROM scorecards sc JOIN appraisal_schemes s ON s.id = sc.scheme_id
				WHERE sc.staff_id = ? AND s.code = 'chat_sampling'`, spec).Scan(context.Background(), &ids); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if p := get(monthly, "mgr"); !strings.Contains(p, `data-testid="ap-check-open" data-scheme="chat_sampling"`) ||
			!strings.Contains(p, `data-scheme="supervision_checklist"`) {
			t.Fatal("the manager is not offered the checks")
		}
		if strings.Contains(get("/appraisal?month="+month, "spec"), `data-testid="ap-check-open"`) {
			t.Error("the specialist is offered a check of herself")
		}
		open := url.Values{"staff_id": {spec}, "month": {month}, "scheme": {"chat_sampling"}, "period": {month}}
		if status, _ := w.do(http.MethodPost, "/appraisal/checks", "spec2", open); status != http.StatusSeeOther {
			t.Fatalf("another specialist opening: status %d, want a redirect back with the refusal", status)
		}
		if ids := checks(); len(ids) != 0 {
			t.Fatalf("a refused check was stored: %v", ids)
		}
		if status, body := w.do(http.MethodPost, "/appraisal/checks", "mgr", open); status != http.StatusSeeOther {
			t.Fatalf("the manager opening: status %d: %s", status, errorText(body))
		}
		ids := checks()
		if len(ids) != 1 {
			t.Fatalf("checks %v", ids)
		}
		check := "/appraisal?" + url.Values{"staff_id": {spec}, "month": {month}, "card": {ids[0]}}.Encode()
		p := get(check, "mgr")
		if !strings.Contains(p, `data-testid="ap-check-badge"`) || !strings.Contains(p, `data-testid="ap-sample-form"`) {
			t.Fatal("the check page has no badge or no sample form")
		}
		version := func() string {
			t.Helper()
			var v string
			if err := a.DB().R().NewRaw("SELECT CAST(version AS TEXT) FROM scorecards WHERE id = ?", ids[0]).Scan(context.Background(), &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		day := today.Format(time.DateOnly)
		bad := url.Values{"item": {"chat_records"}, "version": {version()}, "date": {day}, "checked": {"20"}, "failed": {"21"}}
		status, body := w.do(http.MethodPost, "/appraisal/cards/"+ids[0]+"/samples", "mgr", bad)
		if status != http.StatusBadRequest || !strings.Contains(body, `value="21"`) || !strings.Contains(html.UnescapeString(body), "不合格条数") {
			t.Fatalf("more failing than checked: status %d, the form kept %v", status, strings.Contains(body, `value="21"`))
		}
		if status, _ := w.do(http.MethodPost, "/appraisal/cards/"+ids[0]+"/samples", "spec", url.Values{"item": {"chat_records"}, "version": {version()},
			"date": {day}, "checked": {"20"}, "failed": {"0"}}); status != http.StatusForbidden {
			t.Errorf("the specialist sampling herself: status %d", status)
		}
		good := url.Values{"item": {"chat_records"}, "version": {version()}, "date": {day}, "checked": {"20"}, "failed": {"5"}}
		if status, body := w.do(http.MethodPost, "/appraisal/cards/"+ids[0]+"/samples", "mgr", good); status != http.StatusSeeOther {
			t.Fatalf("the manager sampling: status %d: %s", status, errorText(body))
		}
		p = get(check, "spec")
		if m := apTotalRE.FindStringSubmatch(p); m == nil || m[1] != "25.00" {
			t.Errorf("the check's total: %v", m)
		}
		if strings.Contains(p, `data-testid="ap-sample-form"`) {
			t.Error("the specialist is offered the sample form on her own check")
		}
		line := get("/appraisal/lines?"+url.Values{"staff_id": {spec}, "month": {month}, "card": {ids[0]}, "item": {"chat_records"}}.Encode(), "spec")
		if !strings.Contains(line, day+" 抽查 20 条，不合格 5 条") || !strings.Contains(line, "card="+ids[0]) {
			t.Errorf("the check's line does not show the failing day or lead back to the check")
		}
		p = get(check, "mgr")
		if !strings.Contains(p, `data-day="`+day+`"`) {
			t.Error("the recorded day is not listed")
		}
		// The monthly card is still the monthly one, the check listed.
		m := get(monthly, "spec")
		if strings.Contains(m, `data-testid="ap-check-badge"`) || !strings.Contains(m, `data-check-id="`+ids[0]+`"`) {
			t.Error("the monthly card shows the check in its place or does not list it")
		}
	})
}
