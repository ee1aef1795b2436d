package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/comms"
	"kefu/internal/events"
	"kefu/internal/tickets"
)

var (
	apCardRE    = regexp.MustCompile(`action="/appraisal/cards/([^/"]+)/ratings"`)
	apVersionRE = regexp.MustCompile(`name="version" value="(\d+)"`)
	apTotalRE   = regexp.MustCompile(`data-testid="ap-total">([0-9.]+)<`)
)

// TestAppraisalPages walks the explain chain (SPEC §8.5) on both
// databases: a specialist's month so far with its lines, a deducted line
// listing its events with links to the records that prove them, the
// record itself; nobody else's card for a specialist; the manager
// computes the month, rates a rubric item through the form and sees the
// total change, a level the rubric lacks is refused with nothing changed;
// the team's scoreboard with its charts' data.
func TestAppraisalPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		a := in.App
		spec, cid := w.staff["spec"].ID, w.customer.ID
		now := a.Now().In(a.Location())
		month := now.Format("2006-01")
		page := func(path, login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, path, login, nil)
			if status != http.StatusOK {
				t.Fatalf("%s as %s: status %d: %s", path, login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}

		// The records and the events they prove: a reply 7 minutes late,
		// a solution 2 days overdue.
		at := now.Add(-time.Minute)
		if at.Format("2006-01") != month {
			at = now
		}
		msg, err := a.Comms.Add(w.as("spec"), comms.Input{CustomerID: cid, Channel: "phone_out", OccurredAt: at.Format("2006-01-02T15:04:05"),
			Summary: "回复冷机报修进度"})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := a.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: cid, Type: "repair", Channel: "phone_in", Description: "冷却塔异响"})
		if err != nil {
			t.Fatal(err)
		}
		sys := access.With(context.Background(), access.System())
		if err := a.DB().Transact(sys, func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{
				{Key: "test|wechat|1", Type: "wechat_timeout", Rule: "response", StaffID: &spec, CustomerID: &cid, OccurredAt: at, Quantity: 7,
					Detail: "微信消息 7 分钟后才回复", Evidence: []events.Ref{{Kind: "communication", ID: msg.ID, Role: "stop"}}},
				{Key: "test|solution|1", Type: "solution_overdue", Rule: "solution", StaffID: &spec, CustomerID: &cid, OccurredAt: at, Quantity: 2,
					Detail: "承诺解决时间已过 2 天", Evidence: []events.Ref{{Kind: "ticket", ID: tk.ID, Role: "deadline"}}},
			}, now)
		}); err != nil {
			t.Fatal(err)
		}

		// 本月至今: the specialist's own card, the preview.
		lineHref := "/appraisal/lines?" + url.Values{"item": {"service"}, "month": {month}, "staff_id": {spec}}.Encode()
		body := page("/appraisal", "spec")
		for _, want := range []string{"我的考核", `data-status="preview"`, "客户服务效率与质量", "响应超时每次扣1分：1 次 = −1",
			`href="` + html.UnescapeString(lineHref) + `"`, "主动性", `data-testid="ap-total"`} {
			if !strings.Contains(body, want) {
				t.Errorf("my card lacks %q", want)
			}
		}
		if strings.Contains(body, "ap-rate-form") {
			t.Error("the specialist may rate their own card")
		}
		for _, c := range []struct{ path, login string }{{"/appraisal?staff_id=" + w.staff["spec2"].ID, "spec"}, {"/appraisal?staff_id=" + spec, "spec2"},
			{lineHref, "spec2"}} {
			if status, _ := w.do(http.MethodGet, c.path, c.login, nil); status != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", c.path, c.login, status)
			}
		}
		// A role without a scheme sees an empty state.
		for _, login := range []string{"tech", "fin"} {
			if body := page("/appraisal", login); !strings.Contains(body, `data-testid="ap-empty"`) {
				t.Errorf("%s: no empty state", login)
			}
		}

		// The line: the rule in words, each event with its evidence link.
		body = page(lineHref, "spec")
		for _, want := range []string{"响应超时每次扣1分：1 次 = −1", "解决方案超期每天扣2分：2 天 = −4", "微信响应超时", "微信消息 7 分钟后才回复",
			"承诺解决时间已过 2 天", `href="/communications/` + msg.ID + `"`, `href="/tickets/` + tk.ID + `"`, "甲大厦"} {
			if !strings.Contains(body, want) {
				t.Errorf("line page lacks %q", want)
			}
		}
		// The evidence: the communication record's page.
		if body := page("/communications/"+msg.ID, "spec"); !strings.Contains(body, "回复冷机报修进度") || !strings.Contains(body, `data-testid="comm-thread"`) {
			t.Error("the communication record page does not show the record")
		}
		if status, _ := w.do(http.MethodGet, "/communications/"+msg.ID, "tech", nil); status != http.StatusForbidden {
			t.Errorf("a technician opens a communication record: status %d", status)
		}

		// The manager computes the month.
		if status, body := w.do(http.MethodPost, "/appraisal/compute", "mgr", url.Values{"month": {month}}); status != http.StatusSeeOther {
			t.Fatalf("compute: status %d: %s", status, errorText(body))
		}
		if status, _ := w.do(http.MethodPost, "/appraisal/compute", "spec", url.Values{"month": {month}}); status != http.StatusForbidden {
			t.Errorf("a specialist computes: status %d", status)
		}
		card := page("/appraisal?staff_id="+spec+"&month="+month, "mgr")
		m := apCardRE.FindStringSubmatch(card)
		v := apVersionRE.FindStringSubmatch(card)
		tot := apTotalRE.FindStringSubmatch(card)
		if m == nil || v == nil || tot == nil {
			t.Fatalf("the manager's view of the card has no rating form or total:\n%s", errorText(card))
		}
		if !strings.Contains(card, `data-status="draft"`) || !strings.Contains(card, "即使没有指示") {
			t.Error("the stored card shows no draft status or no level texts")
		}
		stored, err := a.Scorecards.Card(w.as("mgr"), spec, month)
		if err != nil {
			t.Fatal(err)
		}
		before := stored.Final

		// A level the rubric lacks: the form again with the error, nothing changed.
		form := url.Values{"item": {"initiative"}, "version": {v[1]}, "points": {"2.5"}, "staff_id": {spec}, "month": {month}}
		status, body := w.do(http.MethodPost, "/appraisal/cards/"+m[1]+"/ratings", "mgr", form)
		body = html.UnescapeString(body)
		if status != http.StatusBadRequest || !strings.Contains(body, "没有 2.5 分这一等级") || !strings.Contains(body, `data-testid="ap-rate-form"`) {
			t.Errorf("bad level: status %d, want 400 with the message and the form: %s", status, errorText(body))
		}
		if c, _ := a.Scorecards.Card(w.as("mgr"), spec, month); c.Final != before || c.Version != stored.Version {
			t.Errorf("a refused rating changed the card: %s → %s", before, c.Final)
		}
		// The specialist cannot rate their own card.
		form.Set("points", "3")
		if status, _ := w.do(http.MethodPost, "/appraisal/cards/"+m[1]+"/ratings", "spec", form); status != http.StatusForbidden {
			t.Errorf("self-rating: status %d, want 403", status)
		}
		// The manager rates 主动性 3.
		if status, body := w.do(http.MethodPost, "/appraisal/cards/"+m[1]+"/ratings", "mgr", form); status != http.StatusSeeOther {
			t.Fatalf("rate: status %d: %s", status, errorText(body))
		}
		after, err := a.Scorecards.Card(w.as("mgr"), spec, month)
		if err != nil {
			t.Fatal(err)
		}
		if after.Final != before+300 {
			t.Errorf("total after rating 3 = %s, want %s + 3", after.Final, before)
		}
		if body := page("/appraisal?staff_id="+spec+"&month="+month, "mgr"); !strings.Contains(body, `data-testid="ap-total">`+after.Final.String()+`<`) ||
			!strings.Contains(body, "等级 3：") {
			t.Errorf("the card does not show the new total %s", after.Final)
		}
		// Stale version: a conflict, shown on the form.
		if status, _ := w.do(http.MethodPost, "/appraisal/cards/"+m[1]+"/ratings", "mgr", form); status != http.StatusConflict {
			t.Errorf("stale version: status %d, want 409", status)
		}

		// The team's scoreboard.
		for _, login := range []string{"mgr", "exec"} {
			body := page("/appraisal/team?month="+month, login)
			for _, want := range []string{"团队考核", `data-staff-id="` + spec + `"`, `data-testid="ap-chart-totals"`, `data-testid="ap-chart-trend"`,
				"/static/vendor/echarts.min.js", `"people":[`, `"trend":[`, "响应超时每次扣1分", "解决方案超期每天扣2分", after.Final.String()} {
				if !strings.Contains(body, want) {
					t.Errorf("team board as %s lacks %q", login, want)
				}
			}
		}
		if body := page("/appraisal/team", "mgr"); !strings.Contains(body, `data-testid="ap-compute"`) {
			t.Error("the manager has no compute button")
		}
		if body := page("/appraisal/team", "exec"); strings.Contains(body, `data-testid="ap-compute"`) {
			t.Error("the executive has a compute button")
		}
		if status, _ := w.do(http.MethodGet, "/appraisal/team", "spec", nil); status != http.StatusSeeOther {
			t.Errorf("a specialist's team board: status %d, want 303 to their own card", status)
		}
		if resp, _ := w.get("/static/vendor/echarts.min.js", "spec"); resp.StatusCode != http.StatusOK {
			t.Errorf("echarts: status %d", resp.StatusCode)
		}
	})
}
