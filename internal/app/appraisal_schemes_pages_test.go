package app_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
)

// TestAppraisalSchemePages: 设置 › 考核方案 lists the versions; the manager
// drafts a new version, edits its points in the form view, validates and
// saves the raw document (every problem with its field path); the
// executive approves; an approved version shows no editing.
func TestAppraisalSchemePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		page := func(path, login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, path, login, nil)
			if status != http.StatusOK {
				t.Fatalf("%s as %s: status %d: %s", path, login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}
		list := page("/admin/appraisal-schemes", "mgr")
		for _, want := range []string{"考核方案", "客服专员绩效考核评分标准", "现行", `data-testid="draft-form"`, `data-testid="pill-appraisal-schemes"`} {
			if !strings.Contains(list, want) {
				t.Errorf("list lacks %q", want)
			}
		}
		if body := page("/admin/appraisal-schemes", "exec"); strings.Contains(body, `data-testid="draft-form"`) || !strings.Contains(body, `data-testid="pill-appraisal-schemes"`) {
			t.Error("the executive's list: a draft form, or no pill")
		}
		if body := page("/admin/staff", "spec"); strings.Contains(body, `data-testid="pill-appraisal-schemes"`) {
			t.Error("a specialist sees the 考核方案 pill")
		}
		base := regexp.MustCompile(`data-scheme-id="([^"]+)" data-code="cs_specialist" data-version="1"`).FindStringSubmatch(list)
		if base == nil {
			t.Fatal("no cs_specialist version 1 row")
		}
		v1 := page("/admin/appraisal-schemes/"+base[1], "spec")
		if !strings.Contains(v1, `data-item="renewal_rate"`) || !strings.Contains(v1, "派单逾期：每天扣 2") || strings.Contains(v1, `data-testid="scheme-save"`) {
			t.Error("version 1's form view: items, rules, or an edit button")
		}
		if status, _ := w.do(http.MethodPost, "/admin/appraisal-schemes", "spec", url.Values{"base_id": {base[1]}}); status != http.StatusForbidden {
			t.Errorf("a specialist drafting: %d", status)
		}

		// The manager drafts version 2 from next month.
		status, _ := w.do(http.MethodPost, "/admin/appraisal-schemes", "mgr", url.Values{"base_id": {base[1]}})
		if status != http.StatusSeeOther {
			t.Fatalf("draft: %d", status)
		}
		list = page("/admin/appraisal-schemes", "mgr")
		draft := regexp.MustCompile(`data-scheme-id="([^"]+)" data-code="cs_specialist" data-version="2" data-status="draft"`).FindStringSubmatch(list)
		if draft == nil {
			t.Fatal("no draft version 2")
		}
		path := "/admin/appraisal-schemes/" + draft[1]
		body := page(path, "mgr")
		next := time.Date(in.App.Now().In(in.App.Location()).Year(), in.App.Now().In(in.App.Location()).Month()+1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		if !strings.Contains(body, `data-testid="scheme-save"`) || !strings.Contains(body, `value="`+next+`"`) {
			t.Fatalf("the draft's form view: no save, or effective_from not %s", next)
		}

		// Form view: 续约率 15 → 10 without the category and total is refused with the path.
		form := url.Values{"row_version": {"1"}, "view": {"form"}, "action": {"save"}, "effective_from": {next},
			"categories[0].items[0].points": {"10"}}
		status, body = w.do(http.MethodPost, path, "mgr", form)
		if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "与类别分值") {
			t.Errorf("unbalanced points: %d %s", status, errorText(body))
		}
		form.Set("categories[0].items[1].points", "20")
		form.Set("categories[1].items[0].rules[0].amount", "3")
		if status, body = w.do(http.MethodPost, path, "mgr", form); status != http.StatusSeeOther {
			t.Fatalf("form save: %d %s", status, errorText(body))
		}
		body = page(path, "mgr")
		if !strings.Contains(body, "派单逾期：每天扣 3") {
			t.Error("the saved amount is not shown")
		}

		// Raw view: validate lists every problem; save refuses with them.
		raw := page(path+"?view=raw", "mgr")
		doc := regexp.MustCompile(`(?s)<textarea[^>]*name="document"[^>]*>(.*?)</textarea>`).FindStringSubmatch(raw)
		if doc == nil {
			t.Fatal("no document in the raw view")
		}
		bad := strings.Replace(doc[1], `"method": "deduct"`, `"method": "guess"`, 1)
		bad = strings.Replace(bad, `"name": "派单"`, `"name": ""`, 1)
		rawForm := url.Values{"row_version": {"2"}, "view": {"raw"}, "action": {"validate"}, "effective_from": {next}, "document": {bad}}
		status, body = w.do(http.MethodPost, path, "mgr", rawForm)
		body = html.UnescapeString(body)
		if status != http.StatusOK || !strings.Contains(body, "categories[1].items[0].method") || !strings.Contains(body, "categories[1].items[0].name") {
			t.Errorf("validate: %d, problems missing", status)
		}
		rawForm.Set("action", "save")
		status, body = w.do(http.MethodPost, path, "mgr", rawForm)
		if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "categories[1].items[0].method") {
			t.Errorf("raw save of a bad document: %d", status)
		}
		rawForm.Set("document", doc[1])
		rawForm.Set("action", "validate")
		if _, body = w.do(http.MethodPost, path, "mgr", rawForm); !strings.Contains(body, `data-testid="scheme-valid"`) {
			t.Error("the good document does not validate")
		}

		// The executive approves; the approved version shows no editing.
		if status, _ := w.do(http.MethodPost, path+"/approve", "mgr", url.Values{"row_version": {"2"}}); status != http.StatusForbidden {
			t.Errorf("the manager approving: %d", status)
		}
		if !strings.Contains(page(path, "exec"), `data-testid="approve-form"`) {
			t.Error("the executive has no approve button")
		}
		if status, _ := w.do(http.MethodPost, path+"/approve", "exec", url.Values{"row_version": {"2"}}); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		body = page(path, "mgr")
		if !strings.Contains(body, `data-status="approved"`) || strings.Contains(body, `data-testid="scheme-save"`) || !strings.Contains(body, "此版本不能修改") {
			t.Error("the approved version still offers editing")
		}
		form.Set("row_version", "3")
		if status, _ := w.do(http.MethodPost, path, "mgr", form); status != http.StatusConflict {
			t.Errorf("saving an approved version: %d", status)
		}
		if status, _ := w.do(http.MethodGet, "/admin/appraisal-schemes/nope", "mgr", nil); status != http.StatusNotFound {
			t.Errorf("fake id: %d", status)
		}
	})
}
