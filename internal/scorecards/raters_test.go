package scorecards_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestRaterOf(t *testing.T) {
	for _, c := range []struct {
		label string
		want  scorecards.RaterKind
	}{
		{"", scorecards.RaterSupervisor},
		{"直属上级", scorecards.RaterSupervisor},
		{"直接上级", scorecards.RaterSupervisor},
		{"客服主管", scorecards.RaterSupervisor},
		{"部门负责人", scorecards.RaterSupervisor}, // unknown: the supervisor
		{"客服经理", scorecards.RaterManager},
		{"客户经理", scorecards.RaterManager},
		{" 经理 ", scorecards.RaterManager},
		{"总裁", scorecards.RaterExecutive},
		{"总经理", scorecards.RaterExecutive}, // not 经理
		{"财务", scorecards.RaterFinance},
		{"财务经理", scorecards.RaterFinance}, // not 经理
		{"信息中心", scorecards.RaterInfoCenter},
	} {
		if got := scorecards.RaterOf(c.label); got != c.want {
			t.Errorf("RaterOf(%q) = %s, want %s", c.label, got, c.want)
		}
	}
}

// raterScheme is a technicians' scheme whose items finance and the
// information centre rate.
const raterScheme = `{"key": "rater_test", "version": 1, "name": "考评人测试", "role": "technician", "period": "monthly", "total": 10,
  "categories": [{"key": "c", "name": "测试", "items": [
    {"key": "fin_item", "name": "费用报销", "points": 5, "method": "manual", "rater": "财务"},
    {"key": "info_item", "name": "资料上报", "points": 5, "method": "manual", "rater": "信息中心"}]}]}`

// TestRatersByItem: each item is rated by its 考评人 only — finance for
// 财务, the information centre for 信息中心, the executive for the 客服经理's
// items of seed 003 (总裁) — and a rating by anyone else is refused with
// the rater named and nothing changed.
func TestRatersByItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		sys := access.With(context.Background(), access.System())
		o := org.NewService(db, func() time.Time { return w.now })
		mk := func(login, name, supervisor string, roles ...access.Role) *org.Staff {
			st, err := o.CreateStaff(sys, org.StaffInput{Login: login, Name: name, SupervisorID: supervisor, Roles: roles})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		fin := mk("fin", "财务小王", "", access.Finance)
		info := mk("info", "信息中心小李", "", access.InfoCenter)
		tech := mk("tech", "丁师傅", w.zu.ID, access.Technician)
		if _, err := appraisal.ParseScheme([]byte(raterScheme)); err != nil {
			t.Fatal(err)
		}
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw(`INSERT INTO appraisal_schemes (id, code, version, name, applies_to, period, effective_from, document, status, created_at, approved_at)
			VALUES ('rater-test', 'rater_test', 1, '考评人测试', 'technician', 'monthly', '2000-01-01', ?, 'approved', ?, ?)`,
				raterScheme, store.Time(w.now), store.Time(w.now)).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Compute(w.as(w.mgr), "2026-03", tech.ID); err != nil {
			t.Fatal(err)
		}
		card, err := w.svc.Card(w.as(fin), tech.ID, "2026-03")
		if err != nil {
			t.Fatalf("finance reads the card it rates on: %v", err)
		}
		v := func() int64 { return w.card(t, card.ID).Version }
		rate := func(st *org.Staff, item string) func() error {
			return func() error {
				_, err := w.svc.Rate(w.as(st), card.ID, v(), item, appraisal.Rating{Points: appraisal.P(5)})
				return err
			}
		}
		for _, c := range []struct {
			who  *org.Staff
			item string
		}{{w.mgr, "fin_item"}, {w.zu, "fin_item"}, {info, "fin_item"}, {fin, "info_item"}, {w.mgr, "info_item"}} {
			w.refused(t, c.who.Login+" rates "+c.item, apperr.KindForbidden, "", rate(c.who, c.item))
			if err := rate(c.who, c.item)(); err == nil || !strings.Contains(err.Error(), map[string]string{"fin_item": "财务", "info_item": "信息中心"}[c.item]) {
				t.Errorf("the refusal should name the rater: %v", err)
			}
		}
		d, err := w.svc.CardDetail(w.as(fin), card.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Actions.Rate || len(d.Items) != 2 || !d.Items[0].MayRate || d.Items[1].MayRate || d.Items[0].RaterKind != scorecards.RaterFinance {
			t.Errorf("finance's view: %+v %+v", d.Actions, d.Items)
		}
		if _, err := w.svc.CardDetail(w.as(w.yi), card.ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("an unrelated specialist reads the card: %v", err)
		}
		if _, err := w.svc.Card(w.as(w.yi), tech.ID, "2026-03"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("an unrelated specialist reads the card: %v", err)
		}
		if err := rate(fin, "fin_item")(); err != nil {
			t.Fatal(err)
		}
		if err := rate(info, "info_item")(); err != nil {
			t.Fatal(err)
		}
		if got := w.card(t, card.ID); got.Final != appraisal.P(10) || !got.Complete {
			t.Errorf("rated card %s complete %v", got.Final, got.Complete)
		}

		// The 客服经理's card (seed 003): 总裁 rates, not another manager.
		mc, err := w.svc.Card(w.as(w.gm), w.mgr.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		var rubric *scorecards.RatedItem
		for _, it := range w.card(t, mc.ID).Items {
			if it.Method == appraisal.MethodRubric {
				rubric = &it
			}
		}
		if rubric == nil || rubric.RaterKind != scorecards.RaterExecutive {
			t.Fatalf("the manager's rubric: %+v", rubric)
		}
		mrate := func(st *org.Staff) func() error {
			return func() error {
				_, err := w.svc.Rate(w.as(st), mc.ID, w.card(t, mc.ID).Version, rubric.Item, appraisal.Rating{Points: rubric.Levels[0].Points})
				return err
			}
		}
		w.refused(t, "another manager rates a 总裁 item", apperr.KindForbidden, "", mrate(w.lead))
		if err := mrate(w.gm)(); err != nil {
			t.Errorf("the executive rates: %v", err)
		}
	})
}
