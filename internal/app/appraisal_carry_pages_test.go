package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/appraisal"
	"kefu/internal/events"
)

// TestAppraisalCarriedPage: a late fact of a month already submitted for
// approval shows on the next month's card page as a 上期补记 line with its
// words, its signed points and a link to the approved card — on both
// databases.
func TestAppraisalCarriedPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		a := in.App
		spec := w.staff["spec"].ID
		now := a.Now().In(a.Location())
		month := now.Format("2006-01")
		next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, a.Location()).Format("2006-01")
		mgr := w.as("mgr")
		if _, err := a.Scorecards.Compute(mgr, month, spec); err != nil {
			t.Fatal(err)
		}
		card, err := a.Scorecards.Card(mgr, spec, month)
		if err != nil {
			t.Fatal(err)
		}
		move := func(ctx context.Context, to string) {
			t.Helper()
			d, err := a.Scorecards.CardDetail(mgr, card.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Scorecards.Transition(ctx, card.ID, d.Version, to, ""); err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
		}
		move(mgr, "self_review")
		move(w.as("spec"), "rating")
		d, err := a.Scorecards.CardDetail(mgr, card.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range d.Items {
			cur, err := a.Scorecards.CardDetail(mgr, card.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Scorecards.Rate(mgr, card.ID, cur.Version, it.Item, appraisal.Rating{Points: it.Points}); err != nil {
				t.Fatalf("rate %s: %v", it.Item, err)
			}
		}
		move(mgr, "approval")

		// A WeChat timeout of the month found after the submission.
		sys := access.With(context.Background(), access.System())
		if err := a.DB().Transact(sys, func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{{Key: "test|late|1", Type: "wechat_timeout", Rule: "response", StaffID: &spec,
				OccurredAt: now, Quantity: 4, Detail: "微信消息 4 分钟后才回复"}}, now)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Scorecards.Compute(mgr, next, spec); err != nil {
			t.Fatal(err)
		}
		status, body := w.do(http.MethodGet, "/appraisal?"+url.Values{"staff_id": {spec}, "month": {next}}.Encode(), "spec", nil)
		if status != http.StatusOK {
			t.Fatalf("next month's card: %d %s", status, errorText(body))
		}
		body = html.UnescapeString(body)
		for _, want := range []string{`data-testid="ap-carried"`, "上期补记", `href="/scorecards/` + card.ID + `"`,
			"上期补记：" + month + " 客户服务效率与质量 新增 微信响应超时 1 次 −1.00", `data-testid="ap-carried-points">-1.00<`} {
			if !strings.Contains(body, want) {
				t.Errorf("the card page lacks %q", want)
			}
		}
		// The printable record lists it too.
		status, body = w.do(http.MethodGet, "/appraisal/print?"+url.Values{"staff_id": {spec}, "month": {next}}.Encode(), "mgr", nil)
		if body = html.UnescapeString(body); status != http.StatusOK || !strings.Contains(body, `data-testid="ap-print-carried"`) ||
			!strings.Contains(body, "上期补记："+month+" 客户服务效率与质量") {
			t.Errorf("the printable record lacks the carried line: %d", status)
		}
		// The approved card's page shows no carried line.
		_, body = w.do(http.MethodGet, "/appraisal?"+url.Values{"staff_id": {spec}, "month": {month}}.Encode(), "spec", nil)
		if strings.Contains(body, `data-testid="ap-carried"`) {
			t.Error("the approved card shows a carried line")
		}
	})
}
