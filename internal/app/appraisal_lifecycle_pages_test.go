package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/app/apptest"
	"kefu/internal/appraisal"
	"kefu/internal/store"
)

// TestAppraisalLifecyclePages walks a card through SPEC §8.4 on the card
// page's forms, on both databases: the manager computes the month and
// opens the self-review; the specialist comments on a line and submits
// the self-review; the manager's submission with items unrated is refused
// with the items named, then the manager rates them, submits and approves;
// the specialist appeals a line in the window, the manager upholds it with
// an adjustment shown as its own line; after the window an appeal is
// refused and the manager finalizes. Refusals (approving one's own card,
// a move out of order, an appeal after the window) re-show the card with
// the message and change nothing.
func TestAppraisalLifecyclePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		a := in.App
		spec := w.staff["spec"].ID
		month := a.Now().In(a.Location()).Format("2006-01")
		cardPath := "/appraisal?" + url.Values{"staff_id": {spec}, "month": {month}}.Encode()
		page := func(login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, cardPath, login, nil)
			if status != http.StatusOK {
				t.Fatalf("card as %s: status %d: %s", login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}
		has := func(body, what string, wants ...string) {
			t.Helper()
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("%s: lacks %q", what, want)
				}
			}
		}
		lacks := func(body, what string, nots ...string) {
			t.Helper()
			for _, not := range nots {
				if strings.Contains(body, not) {
					t.Errorf("%s: shows %q", what, not)
				}
			}
		}
		post := func(path, login string, form url.Values, want int) string {
			t.Helper()
			status, body := w.do(http.MethodPost, path, login, form)
			if status != want {
				t.Fatalf("POST %s as %s: status %d, want %d: %s", path, login, status, want, errorText(body))
			}
			return html.UnescapeString(body)
		}
		ver := func(body string) string {
			t.Helper()
			m := apVersionRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("the card page has no version")
			}
			return m[1]
		}

		post("/appraisal/compute", "mgr", url.Values{"month": {month}}, http.StatusSeeOther)
		card, err := a.Scorecards.Card(w.as("mgr"), spec, month)
		if err != nil {
			t.Fatal(err)
		}
		id := card.ID
		move := func(login, to, note string, want int) string {
			t.Helper()
			c, err := a.Scorecards.Card(w.as("mgr"), spec, month)
			if err != nil {
				t.Fatal(err)
			}
			v := strconv.FormatInt(c.Version, 10)
			if body := page(login); apVersionRE.MatchString(body) && ver(body) != v {
				t.Errorf("the page's version %s, the card's %s", ver(body), v)
			}
			return post("/appraisal/cards/"+id+"/transitions", login, url.Values{"to": {to}, "version": {v}, "note": {note}}, want)
		}
		unchanged := func(what string) {
			t.Helper()
			c, err := a.Scorecards.Card(w.as("mgr"), spec, month)
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != card.Version || c.Status != card.Status || c.Final != card.Final {
				t.Errorf("%s changed the card: %s v%d → %s v%d", what, card.Status, card.Version, c.Status, c.Version)
			}
		}
		refresh := func() {
			t.Helper()
			if card, err = a.Scorecards.Card(w.as("mgr"), spec, month); err != nil {
				t.Fatal(err)
			}
		}

		// The notification's link opens the card page.
		if status, _ := w.do(http.MethodGet, "/scorecards/"+id, "spec", nil); status != http.StatusSeeOther {
			t.Errorf("/scorecards/{id}: status %d, want 303", status)
		}
		if status, _ := w.do(http.MethodGet, "/scorecards/nope", "spec", nil); status != http.StatusNotFound {
			t.Errorf("/scorecards/nope: status %d, want 404", status)
		}
		body := page("mgr")
		has(body, "draft", `data-testid="ap-steps"`, `data-step="draft" data-current="1"`, `data-testid="ap-open"`)
		// Out of order: the draft cannot be finalized.
		body = move("mgr", "final", "", http.StatusBadRequest)
		has(body, "out of order", "不能从「已计算」转到「已定稿」", `data-testid="ap-steps"`)
		unchanged("an out-of-order move")

		// The manager opens the month's self-review.
		post("/appraisal/open-self-review", "mgr", url.Values{"month": {month}}, http.StatusSeeOther)
		post("/appraisal/open-self-review", "spec", url.Values{"month": {month}}, http.StatusForbidden)
		refresh()
		if card.Status != "self_review" {
			t.Fatalf("after opening the self-review: %s", card.Status)
		}
		body = page("spec")
		has(body, "self-review", `data-step="self_review" data-current="1"`, `data-testid="ap-comment-form"`, `data-testid="ap-appeal-form"`,
			`data-testid="ap-submit-self"`, "提交自评")
		lacks(body, "self-review", `data-testid="ap-approve"`)
		lacks(page("mgr"), "the manager's view of the self-review", `data-testid="ap-comment-form"`, `data-testid="ap-submit-self"`)

		// A comment on a line, an empty one refused with the form.
		body = post("/appraisal/cards/"+id+"/comments", "spec", url.Values{"item": {"service"}, "text": {" "}}, http.StatusBadRequest)
		has(body, "empty comment", "请填写内容", `data-testid="ap-comment-form"`)
		post("/appraisal/cards/"+id+"/comments", "spec", url.Values{"item": {"service"}, "text": {"上周的超时是系统故障"}}, http.StatusSeeOther)
		post("/appraisal/cards/"+id+"/comments", "mgr", url.Values{"item": {"service"}, "text": {"代填"}}, http.StatusForbidden)
		has(page("mgr"), "the comment", "上周的超时是系统故障", `data-testid="ap-comment"`)
		move("spec", "rating", "本月整体表现良好", http.StatusSeeOther)
		refresh()
		body = page("mgr")
		has(body, "rating", `data-step="rating" data-current="1"`, "本月整体表现良好", `data-testid="ap-self-comment"`, `data-testid="ap-submit-approval"`,
			`data-testid="ap-rate-form"`)

		// Submitting with items unrated: refused with the items listed.
		body = move("mgr", "approval", "", http.StatusBadRequest)
		has(body, "pending", "尚有未评项目", "主动性")
		unchanged("a submission with items unrated")

		// The manager rates every item through the rating form.
		d, err := a.Scorecards.CardDetail(w.as("mgr"), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Items) == 0 {
			t.Fatal("the scheme has no rated items")
		}
		for _, it := range d.Items {
			form := url.Values{"item": {it.Item}, "version": {ver(page("mgr"))}, "staff_id": {spec}, "month": {month}, "reason": {"表现良好"}}
			switch it.Method {
			case appraisal.MethodRubric:
				best := it.Levels[0].Points
				for _, l := range it.Levels {
					best = max(best, l.Points)
				}
				form.Set("points", best.Short())
			case appraisal.MethodManual:
				form.Set("points", it.Points.Short())
			default:
				for _, sub := range it.SubItems {
					form.Set("grade."+sub.Key, appraisal.GradeFull)
				}
			}
			post("/appraisal/cards/"+id+"/ratings", "mgr", form, http.StatusSeeOther)
		}
		move("mgr", "approval", "", http.StatusSeeOther)
		refresh()
		if card.Status != "approval" {
			t.Fatalf("after the submission: %s", card.Status)
		}
		body = page("mgr")
		has(body, "approval", `data-testid="ap-approve"`, `data-testid="ap-return-form"`, `data-step="rating" data-done="1"`)
		// The specialist approves their own card: refused on the card.
		body = move("spec", "published", "", http.StatusForbidden)
		has(body, "self-approval", "不能审批自己的考核", `data-testid="ap-steps"`)
		unchanged("approving one's own card")
		// A return needs a reason.
		body = move("mgr", "rating", "", http.StatusBadRequest)
		has(body, "return without a reason", "退回须写明原因")
		unchanged("a return without a reason")
		move("mgr", "published", "", http.StatusSeeOther)
		refresh()
		if card.Status != "published" || card.AppealUntil == nil {
			t.Fatalf("after approval: %s, appeal until %v", card.Status, card.AppealUntil)
		}
		until := card.AppealUntil.In(a.Location()).Format("2006-01-02 15:04")
		body = page("spec")
		has(body, "published", `data-step="published" data-current="1"`, "申诉截止 "+until, `data-testid="ap-appeal-form"`)
		lacks(body, "published", `data-testid="ap-comment-form"`, `data-testid="ap-finalize"`)
		// The window is open: no finalizing yet.
		lacks(page("mgr"), "published, window open", `data-testid="ap-finalize"`)
		body = move("mgr", "final", "", http.StatusBadRequest)
		has(body, "finalize in the window", "之后才能定稿")
		unchanged("finalizing in the window")

		// The specialist appeals a line; the manager upholds it with +2.
		post("/appraisal/cards/"+id+"/appeals", "spec", url.Values{"item": {"service"}, "reason": {"超时是系统故障造成的"}}, http.StatusSeeOther)
		body = page("mgr")
		has(body, "the appeal", "超时是系统故障造成的", `data-decision="pending"`, `data-testid="ap-decide-form"`, `data-testid="ap-decide-adjustment"`)
		lacks(page("spec"), "the specialist's view of the appeal", `data-testid="ap-decide-form"`)
		appealID := regexpFind(t, body, `action="/appraisal/appeals/([^/"]+)/decision"`)
		body = post("/appraisal/appeals/"+appealID+"/decision", "mgr", url.Values{"decision": {"upheld"}, "adjustment": {"+2"}}, http.StatusBadRequest)
		has(body, "decision without a note", "请填写处理意见", `value="+2"`)
		post("/appraisal/appeals/"+appealID+"/decision", "spec", url.Values{"decision": {"upheld"}, "note": {"x"}}, http.StatusForbidden)
		post("/appraisal/appeals/nope/decision", "mgr", url.Values{"decision": {"upheld"}, "note": {"x"}}, http.StatusNotFound)
		before := card.Final
		post("/appraisal/appeals/"+appealID+"/decision", "mgr", url.Values{"decision": {"upheld"}, "adjustment": {"+2"}, "note": {"系统故障属实"}},
			http.StatusSeeOther)
		refresh()
		if card.Final != before+200 {
			t.Errorf("final after the +2 adjustment = %s, want %s + 2", card.Final, before)
		}
		body = page("spec")
		has(body, "the decision", `data-decision="upheld"`, "成立 +2.00", "系统故障属实", `data-testid="ap-adjustment"`, "申诉调整",
			`data-testid="ap-total">`+card.Final.String()+`<`)

		// The window passes: an appeal is refused, the manager finalizes.
		past := time.Now().Add(-time.Hour)
		if err := a.DB().Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("UPDATE scorecards SET appeal_until = ? WHERE id = ?", store.Time(past), id).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		refresh()
		body = post("/appraisal/cards/"+id+"/appeals", "spec", url.Values{"item": {"service"}, "reason": {"再申诉"}}, http.StatusBadRequest)
		has(body, "appeal after the window", "申诉期已过", `data-testid="ap-steps"`)
		lacks(body, "appeal after the window", `data-testid="ap-appeal-form"`)
		unchanged("an appeal after the window")
		body = page("mgr")
		has(body, "window closed", `data-testid="ap-finalize"`, "申诉期已于")
		move("mgr", "final", "", http.StatusSeeOther)
		refresh()
		if card.Status != "final" {
			t.Fatalf("after finalizing: %s", card.Status)
		}
		body = page("spec")
		has(body, "final", `data-step="final" data-done="1" data-current="1"`, `data-testid="ap-adjustment"`)
		lacks(body, "final", `data-testid="ap-appeal-form"`, `data-testid="ap-finalize"`)

		// The workbooks: the records and the statistics, linked from the
		// card and the team board.
		has(body, "final", `href="/appraisal/export?month=`+month+`&staff_id=`+spec+`"`)
		team := func() string { _, b := w.do(http.MethodGet, "/appraisal/team?month="+month, "mgr", nil); return b }()
		has(team, "the team board", `data-testid="ap-open-self-review"`, `href="/appraisal/export?month=`+month+`"`, `href="/appraisal/statistics/export?month=`+month+`"`)
		for _, c := range []struct{ path, login string }{{"/appraisal/export?month=" + month, "spec"}, {"/appraisal/export?month=" + month, "mgr"},
			{"/appraisal/statistics/export?month=" + month, "mgr"}} {
			resp, b := w.get(c.path, c.login)
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") || len(b) < 100 {
				t.Errorf("%s as %s: status %d, %s", c.path, c.login, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
		// The printable record: the table of seed 000 with the
		// categories spanning their lines, the adjustment, the signatures.
		has(body, "final", `href="/appraisal/print?month=`+month+`&staff_id=`+spec+`"`)
		status, pr := w.do(http.MethodGet, "/appraisal/print?month="+month+"&staff_id="+spec, "mgr", nil)
		if status != http.StatusOK {
			t.Fatalf("print: status %d: %s", status, errorText(pr))
		}
		pr = html.UnescapeString(pr)
		has(pr, "the printable record", "员工月绩效考核记录表", `data-testid="ap-print-table"`,
			"<th>考核类别</th><th>考核项目</th><th>考核标准</th><th>数据来源</th><th>分值</th><th>得分</th><th>考评人</th><th>说明</th>",
			`data-testid="ap-print-category"`, `rowspan="`, "客户服务效率与质量", "申诉调整", "+2.00", "最终得分", card.Final.String(),
			"被考核人签字", "考评人签字", "@media print", "本月整体表现良好")
		if status, _ := w.do(http.MethodGet, "/appraisal/print", "spec", nil); status != http.StatusOK {
			t.Errorf("one's own printable record: status %d", status)
		}
		if status, _ := w.do(http.MethodGet, "/appraisal/print?month="+month+"&staff_id="+spec, "spec2", nil); status != http.StatusForbidden {
			t.Errorf("another's printable record: status %d, want 403", status)
		}
		if resp, _ := w.get("/appraisal/export?month="+month+"&staff_id="+spec, "spec2"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("another's records: status %d, want 403", resp.StatusCode)
		}
	})
}

// regexpFind is the first group of re in body.
func regexpFind(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page", re)
	}
	return m[1]
}
