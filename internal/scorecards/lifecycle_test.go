package scorecards_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/events"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// lifecycleWorld is a small department: a manager (孟经理), a manager who
// is also a specialist (within the default scheme, so she has a card of
// her own), a team lead who is 甲's direct supervisor but no manager, 甲,
// 乙 without a supervisor, and the executive.
type lifecycleWorld struct {
	db                          *store.DB
	svc                         *scorecards.Service
	now                         time.Time
	mgr, lead, zu, jia, yi, gm  *org.Staff
	jiaCard, leadCard, yiCardID string
}

func (w *lifecycleWorld) as(st *org.Staff) context.Context {
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
}

// fingerprint is everything the lifecycle may change: the cards, the
// ratings, comments and appeals, the audit log and the notifications.
func (w *lifecycleWorld) fingerprint(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var cards []struct {
		ID      string    `bun:"id"`
		Status  string    `bun:"status"`
		Version int64     `bun:"version"`
		Final   int64     `bun:"final_score"`
		Self    string    `bun:"self_comment"`
		Updated time.Time `bun:"updated_at"`
	}
	if err := w.db.R().NewRaw("SELECT id, status, version, final_score, self_comment, updated_at FROM scorecards ORDER BY id").Scan(ctx, &cards); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%+v", cards)
	for _, table := range []string{"scorecard_ratings", "scorecard_appeals", "audit_log", "notifications", "settings"} {
		n, err := w.db.R().NewSelect().Table(table).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, " %s=%d", table, n)
	}
	var decided int
	if err := w.db.R().NewRaw("SELECT COUNT(*) FROM scorecard_appeals WHERE decision <> ''").Scan(ctx, &decided); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, " decided=%d", decided)
	return b.String()
}

// refused runs f, wants an error of kind (and field, when given) and
// nothing changed.
func (w *lifecycleWorld) refused(t *testing.T, what string, kind apperr.Kind, field string, f func() error) {
	t.Helper()
	before := w.fingerprint(t)
	err := f()
	if !apperr.Is(err, kind) {
		t.Errorf("%s: %v, want %s", what, err, kind)
	} else if e, _ := apperr.As(err); field != "" && e.Field != field {
		t.Errorf("%s: field %q, want %q (%v)", what, e.Field, field, err)
	} else if e.Message == "" {
		t.Errorf("%s: no message", what)
	}
	if after := w.fingerprint(t); after != before {
		t.Errorf("%s changed something:\n%s\n%s", what, before, after)
	}
}

func (w *lifecycleWorld) card(t *testing.T, id string) *scorecards.Detail {
	t.Helper()
	d, err := w.svc.CardDetail(access.With(context.Background(), access.System()), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// notices are the kinds of a staff member's notifications about card.
func (w *lifecycleWorld) notices(t *testing.T, st *org.Staff, card string) []string {
	t.Helper()
	var kinds []string
	if err := w.db.R().NewRaw("SELECT kind FROM notifications WHERE recipient_id = ? AND subject_id = ? ORDER BY created_at, kind", st.ID, card).
		Scan(context.Background(), &kinds); err != nil {
		t.Fatal(err)
	}
	return kinds
}

// audits are the audit actions on an entity, oldest first.
func (w *lifecycleWorld) audits(t *testing.T, entity, id string) []string {
	t.Helper()
	var actions []string
	if err := w.db.R().NewRaw("SELECT action FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY at, id", entity, id).
		Scan(context.Background(), &actions); err != nil {
		t.Fatal(err)
	}
	return actions
}

func newLifecycleWorld(t *testing.T, db *store.DB) *lifecycleWorld {
	w := &lifecycleWorld{db: db, now: time.Date(2026, 4, 2, 10, 0, 0, 0, shanghai)}
	clock := func() time.Time { return w.now }
	sys := access.With(context.Background(), access.System())
	o := org.NewService(db, clock)
	mk := func(login, name, supervisor string, roles ...access.Role) *org.Staff {
		st, err := o.CreateStaff(sys, org.StaffInput{Login: login, Name: name, SupervisorID: supervisor, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	w.gm = mk("gm", "总经理", "", access.Executive)
	w.mgr = mk("mgr", "孟经理", w.gm.ID, access.CSManager)
	w.lead = mk("lead", "李主管", w.mgr.ID, access.CSSpecialist, access.CSManager)
	w.zu = mk("zu", "祖组长", w.mgr.ID, access.CSSpecialist)
	w.jia = mk("jia", "甲", w.zu.ID, access.CSSpecialist)
	w.yi = mk("yi", "乙", "", access.CSSpecialist)
	staff := w.jia.ID
	evs := []events.Computed{
		{Key: "w1", Type: "wechat_timeout", StaffID: &staff, OccurredAt: time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai), Quantity: 1,
			Evidence: []events.Ref{{Kind: "communication", ID: "msg-1", Role: "message"}}},
	}
	if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error { return events.Put(ctx, tx, evs, w.now) }); err != nil {
		t.Fatal(err)
	}
	w.svc = scorecards.NewService(db, clock, scorecards.Options{Location: shanghai, Rates: fixedRates{}})
	if _, err := w.svc.EnsureShipped(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Compute(w.as(w.mgr), "2026-03", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		st *org.Staff
		id *string
	}{{w.jia, &w.jiaCard}, {w.lead, &w.leadCard}, {w.yi, &w.yiCardID}} {
		card, err := w.svc.Card(w.as(w.mgr), c.st.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		*c.id = card.ID
	}
	return w
}

// rateAll rates every item a rater scores, as rater.
func (w *lifecycleWorld) rateAll(t *testing.T, rater *org.Staff, id string) {
	t.Helper()
	for _, it := range w.card(t, id).Items {
		d := w.card(t, id)
		if _, err := w.svc.Rate(w.as(rater), id, d.Version, it.Item, appraisal.Rating{Points: it.Points}); err != nil {
			t.Fatalf("rate %s: %v", it.Item, err)
		}
	}
}

func (w *lifecycleWorld) move(t *testing.T, st *org.Staff, id, to, note string) *scorecards.Scorecard {
	t.Helper()
	card, err := w.svc.Transition(w.as(st), id, w.card(t, id).Version, to, note)
	if err != nil {
		t.Fatalf("%s moves %s to %s: %v", st.Login, id, to, err)
	}
	if card.Status != to {
		t.Fatalf("status %s, want %s", card.Status, to)
	}
	return card
}

// TestLifecycle walks 甲's card through every step with every refusal on
// the way: who may make each move, the order of the moves, comments and
// appeals and their windows, the frozen card, the explicit adjustment of
// an upheld appeal, the notifications and the audit — on both databases.
func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		ctx := context.Background()
		jc := w.jiaCard
		v := func() int64 { return w.card(t, jc).Version }
		tr := func(st *org.Staff, to, note string) func() error {
			return func() error { _, err := w.svc.Transition(w.as(st), jc, v(), to, note); return err }
		}

		// Draft: only a manager opens it; nothing out of order.
		w.refused(t, "甲 opens their own card", apperr.KindForbidden, "", tr(w.jia, scorecards.StatusSelfReview, ""))
		w.refused(t, "the team lead opens it", apperr.KindForbidden, "", tr(w.zu, scorecards.StatusSelfReview, ""))
		w.refused(t, "draft → rating", apperr.KindInvalid, "to", tr(w.mgr, scorecards.StatusRating, ""))
		w.refused(t, "draft → published", apperr.KindInvalid, "to", tr(w.mgr, scorecards.StatusPublished, ""))
		w.refused(t, "an unknown state", apperr.KindInvalid, "to", tr(w.mgr, "approved", ""))
		w.refused(t, "a stale version", apperr.KindConflict, "version", func() error {
			_, err := w.svc.Transition(w.as(w.mgr), jc, v()+1, scorecards.StatusSelfReview, "")
			return err
		})
		w.refused(t, "an unknown card", apperr.KindNotFound, "", func() error {
			_, err := w.svc.Transition(w.as(w.mgr), "nope", 1, scorecards.StatusSelfReview, "")
			return err
		})
		w.refused(t, "a comment before the self-review", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Comment(w.as(w.jia), jc, "service", "x")
			return err
		})
		w.refused(t, "a specialist opens the month", apperr.KindForbidden, "", func() error {
			_, err := w.svc.OpenSelfReview(w.as(w.jia), "2026-03")
			return err
		})
		w.refused(t, "opening a bad month", apperr.KindInvalid, "month", func() error {
			_, err := w.svc.OpenSelfReview(w.as(w.mgr), "March")
			return err
		})

		// The manager opens the month: every draft goes to its staff member.
		n, err := w.svc.OpenSelfReview(w.as(w.mgr), "2026-03")
		if err != nil || n < 3 {
			t.Fatalf("open self-review: %d %v", n, err)
		}
		if got := w.notices(t, w.jia, jc); !slices.Equal(got, []string{"scorecard_open"}) {
			t.Errorf("甲's notices %v, want the opening", got)
		}
		if n, err := w.svc.OpenSelfReview(w.as(w.mgr), "2026-03"); err != nil || n != 0 {
			t.Errorf("opening again: %d %v, want 0", n, err)
		}

		// 自评: 甲 sees the lines, the events and their evidence.
		d, err := w.svc.CardDetail(w.as(w.jia), jc)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Events) != 1 || len(d.Events[0].Evidence) != 1 || d.Events[0].Evidence[0].ID != "msg-1" {
			t.Errorf("events behind the card: %+v", d.Events)
		}
		if !slices.Equal(d.Actions.Transitions, []string{scorecards.StatusRating}) || !d.Actions.Comment || !d.Actions.Appeal || d.Actions.Rate || d.Actions.Decide {
			t.Errorf("甲's actions in the self-review: %+v", d.Actions)
		}
		if len(d.Items) != 6 || d.Items[1].Method != appraisal.MethodRubric || len(d.Items[1].Levels) != 4 || d.Items[1].Levels[0].Text == "" {
			t.Errorf("rated items: %+v", d.Items)
		}
		if _, err := w.svc.CardDetail(w.as(w.yi), jc); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("乙 reads 甲's card: %v", err)
		}
		for _, st := range []*org.Staff{w.zu, w.mgr, w.gm} {
			if _, err := w.svc.CardDetail(w.as(st), jc); err != nil {
				t.Errorf("%s reads 甲's card: %v", st.Login, err)
			}
		}

		// Comments and appeals: only 甲, on a line of the card.
		w.refused(t, "the lead comments on 甲's card", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Comment(w.as(w.zu), jc, "service", "x")
			return err
		})
		w.refused(t, "a comment on no line", apperr.KindInvalid, "item", func() error {
			_, err := w.svc.Comment(w.as(w.jia), jc, "nope", "x")
			return err
		})
		w.refused(t, "an empty comment", apperr.KindInvalid, "text", func() error {
			_, err := w.svc.Comment(w.as(w.jia), jc, "service", "  ")
			return err
		})
		if _, err := w.svc.Comment(w.as(w.jia), jc, "service", "3月9日的超时是系统故障"); err != nil {
			t.Fatal(err)
		}
		early, err := w.svc.Appeal(w.as(w.jia), jc, "dispatch", "派单没有问题")
		if err != nil {
			t.Fatal(err)
		}
		w.refused(t, "a second appeal of the line", apperr.KindInvalid, "item", func() error {
			_, err := w.svc.Appeal(w.as(w.jia), jc, "dispatch", "again")
			return err
		})
		if got := w.notices(t, w.mgr, jc); !slices.Contains(got, "scorecard_appeal") {
			t.Errorf("the manager's notices %v, want the appeal", got)
		}
		// Before approval an appeal is put right at its source: no adjustment.
		w.refused(t, "an adjustment before approval", apperr.KindInvalid, "adjustment", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), early.ID, scorecards.DecisionUpheld, appraisal.P(2), "ok")
			return err
		})
		w.refused(t, "the lead decides", apperr.KindForbidden, "", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.zu), early.ID, scorecards.DecisionRejected, 0, "no")
			return err
		})
		w.refused(t, "a decision without a note", apperr.KindInvalid, "note", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), early.ID, scorecards.DecisionRejected, 0, "")
			return err
		})
		w.refused(t, "an unknown decision", apperr.KindInvalid, "decision", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), early.ID, "maybe", 0, "x")
			return err
		})
		if _, err := w.svc.DecideAppeal(w.as(w.mgr), early.ID, scorecards.DecisionRejected, 0, "派单逾期有记录"); err != nil {
			t.Fatal(err)
		}
		if got := w.notices(t, w.jia, jc); !slices.Contains(got, "scorecard_appeal_decided") {
			t.Errorf("甲's notices %v, want the decision", got)
		}

		// 甲 submits the self-review; only 甲 may.
		w.refused(t, "the lead submits 甲's self-review", apperr.KindForbidden, "", tr(w.zu, scorecards.StatusRating, ""))
		w.refused(t, "the manager submits 甲's self-review", apperr.KindForbidden, "", tr(w.mgr, scorecards.StatusRating, ""))
		card := w.move(t, w.jia, jc, scorecards.StatusRating, "本月已尽力")
		if card.SelfComment != "本月已尽力" || card.SelfAt == nil {
			t.Errorf("self-review %q %v", card.SelfComment, card.SelfAt)
		}
		if got := w.notices(t, w.zu, jc); !slices.Equal(got, []string{"scorecard_submit_self_review"}) {
			t.Errorf("the direct supervisor's notices %v, want the self-review", got)
		}
		w.refused(t, "a comment after the self-review", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Comment(w.as(w.jia), jc, "service", "x")
			return err
		})
		w.refused(t, "an appeal while rating", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Appeal(w.as(w.jia), jc, "service", "x")
			return err
		})

		// 上级评价: the direct supervisor rates; 甲 and 乙 cannot; an
		// incomplete card is not submitted.
		w.refused(t, "甲 rates their own card", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Rate(w.as(w.jia), jc, v(), "other", appraisal.Rating{Points: appraisal.P(5)})
			return err
		})
		w.refused(t, "乙 rates 甲's card", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Rate(w.as(w.yi), jc, v(), "other", appraisal.Rating{Points: appraisal.P(5)})
			return err
		})
		w.refused(t, "甲 submits their own card for approval", apperr.KindForbidden, "", tr(w.jia, scorecards.StatusApproval, ""))
		w.refused(t, "an incomplete card", apperr.KindInvalid, "pending", tr(w.zu, scorecards.StatusApproval, ""))
		if _, err := w.svc.Transition(w.as(w.zu), jc, v(), scorecards.StatusApproval, ""); err == nil || !strings.Contains(err.Error(), "主动性") {
			t.Errorf("the refusal should name the items to rate: %v", err)
		}
		if d, _ := w.svc.CardDetail(w.as(w.zu), jc); !d.Actions.Rate || !slices.Equal(d.Actions.Transitions, []string{scorecards.StatusApproval}) {
			t.Errorf("the supervisor's actions: %+v", d.Actions)
		}
		w.rateAll(t, w.zu, jc)
		card = w.move(t, w.zu, jc, scorecards.StatusApproval, "")
		// 15 + 15 + 10 + 14 (one timeout) + 15 + 10 + 5 + 15 = 99.
		if card.Final.String() != "99.00" || !card.Complete {
			t.Errorf("submitted card %s complete %v", card.Final, card.Complete)
		}
		for _, m := range []*org.Staff{w.mgr, w.lead} {
			if got := w.notices(t, m, jc); !slices.Contains(got, "scorecard_submit") {
				t.Errorf("%s's notices %v, want the submission", m.Login, got)
			}
		}

		// Frozen: no rating, no recomputation, no comment, no appeal.
		w.refused(t, "rating a frozen card", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Rate(w.as(w.zu), jc, v(), "other", appraisal.Rating{Points: appraisal.P(4), Reason: "x"})
			return err
		})
		before := w.fingerprint(t)
		if n, err := w.svc.Compute(w.as(w.mgr), "2026-03", w.jia.ID); err != nil || n.Frozen != 1 {
			t.Errorf("recompute a frozen card: %+v %v", n, err)
		}
		if w.fingerprint(t) != before {
			t.Errorf("recomputation changed a frozen card")
		}

		// 经理审批: not the lead, not the executive; returned with a reason.
		w.refused(t, "the lead approves", apperr.KindForbidden, "", tr(w.zu, scorecards.StatusPublished, ""))
		w.refused(t, "the executive approves", apperr.KindForbidden, "", tr(w.gm, scorecards.StatusPublished, ""))
		w.refused(t, "a return without a reason", apperr.KindInvalid, "note", tr(w.mgr, scorecards.StatusRating, " "))
		w.refused(t, "approval → final", apperr.KindInvalid, "to", tr(w.mgr, scorecards.StatusFinal, ""))
		w.move(t, w.mgr, jc, scorecards.StatusRating, "执行力请再核实")
		if got := w.notices(t, w.zu, jc); !slices.Contains(got, "scorecard_return") {
			t.Errorf("the rater's notices %v, want the return", got)
		}
		w.move(t, w.zu, jc, scorecards.StatusApproval, "")
		card = w.move(t, w.mgr, jc, scorecards.StatusPublished, "")
		if card.ApprovedBy == nil || *card.ApprovedBy != w.mgr.ID || card.PublishedAt == nil || card.AppealUntil == nil ||
			!card.AppealUntil.Equal(w.now.AddDate(0, 0, scorecards.DefaultAppealDays)) {
			t.Errorf("published: approved by %v at %v, appeal until %v", card.ApprovedBy, card.PublishedAt, card.AppealUntil)
		}
		if got := w.notices(t, w.jia, jc); !slices.Contains(got, "scorecard_approve") {
			t.Errorf("甲's notices %v, want the publication", got)
		}

		// The appeal window: 甲 appeals a line; the manager upholds it with
		// +2, an explicit adjustment; the lines stay as they were.
		w.now = w.now.Add(24 * time.Hour)
		w.refused(t, "finalizing within the window", apperr.KindInvalid, "to", tr(w.mgr, scorecards.StatusFinal, ""))
		ap, err := w.svc.Appeal(w.as(w.jia), jc, "service", "3月9日超时为企业微信故障，附截图")
		if err != nil {
			t.Fatal(err)
		}
		w.refused(t, "a rejected appeal with an adjustment", apperr.KindInvalid, "adjustment", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), ap.ID, scorecards.DecisionRejected, appraisal.P(1), "x")
			return err
		})
		w.refused(t, "an adjustment above the scheme total", apperr.KindInvalid, "adjustment", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), ap.ID, scorecards.DecisionUpheld, appraisal.P(101), "x")
			return err
		})
		lines := w.card(t, jc).Card
		dec, err := w.svc.DecideAppeal(w.as(w.mgr), ap.ID, scorecards.DecisionUpheld, appraisal.P(2), "经核实为系统故障")
		if err != nil {
			t.Fatal(err)
		}
		if dec.Decision != scorecards.DecisionUpheld || dec.Adjustment != appraisal.P(2) || dec.DecidedBy == nil {
			t.Errorf("decision %+v", dec)
		}
		d = w.card(t, jc)
		if d.Final.String() != "101.00" || d.Adjustment != appraisal.P(2) || d.Card.Final.String() != "99.00" || d.Status != scorecards.StatusPublished {
			t.Errorf("after the adjustment: final %s adjustment %s lines %s", d.Final, d.Adjustment, d.Card.Final)
		}
		if fmt.Sprint(d.Card) != fmt.Sprint(lines) {
			t.Errorf("the frozen lines changed")
		}
		w.refused(t, "deciding twice", apperr.KindConflict, "decision", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), ap.ID, scorecards.DecisionUpheld, appraisal.P(2), "again")
			return err
		})
		w.refused(t, "deciding a comment", apperr.KindNotFound, "", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.mgr), d.Comments[0].ID, scorecards.DecisionUpheld, 0, "x")
			return err
		})

		// After the window: no appeal; the periodic job finalizes.
		w.now = w.now.Add(5 * 24 * time.Hour)
		w.refused(t, "an appeal after the window", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Appeal(w.as(w.jia), jc, "other", "late")
			return err
		})
		if _, err := w.svc.FinalizeDue(w.as(w.jia)); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist runs the finalization: %v", err)
		}
		if n, err := w.svc.FinalizeDue(access.With(ctx, access.System())); err != nil || n != 1 {
			t.Errorf("finalize due: %d %v, want 1", n, err)
		}
		d = w.card(t, jc)
		if d.Status != scorecards.StatusFinal || d.FinalizedAt == nil || d.Final.String() != "101.00" {
			t.Errorf("final card %s %v %s", d.Status, d.FinalizedAt, d.Final)
		}
		w.refused(t, "rating a final card", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Rate(w.as(w.zu), jc, v(), "other", appraisal.Rating{Points: appraisal.P(5)})
			return err
		})
		w.refused(t, "final → published", apperr.KindInvalid, "to", tr(w.mgr, scorecards.StatusPublished, ""))

		// Every step is in the audit log.
		want := []string{"create", "transition", "comment", "appeal", "transition", "rate", "rate", "rate", "rate", "rate", "rate",
			"transition", "transition", "transition", "transition", "appeal", "adjust", "transition"}
		got := w.audits(t, "scorecard", jc)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("audit of the card:\n got %v\nwant %v", got, want)
		}
		if got := w.audits(t, "scorecard_appeal", ap.ID); !slices.Equal(got, []string{"decide_appeal"}) {
			t.Errorf("audit of the appeal: %v", got)
		}
		if got := w.notices(t, w.jia, jc); !slices.Contains(got, "scorecard_finalize") {
			t.Errorf("甲's notices %v, want the finalization", got)
		}
	})
}

// TestNobodyApprovesTheirOwnCard: a manager who has a card of her own
// (she is a specialist too) cannot rate, submit, approve or decide an
// appeal of it; another manager does. A card without a direct
// supervisor goes to the managers; a zero-day window closes at once.
func TestNobodyApprovesTheirOwnCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		lc := w.leadCard
		v := func() int64 { return w.card(t, lc).Version }
		w.move(t, w.mgr, lc, scorecards.StatusSelfReview, "")
		ap, err := w.svc.Appeal(w.as(w.lead), lc, "other", "其它工作已按时完成")
		if err != nil {
			t.Fatal(err)
		}
		if got := w.notices(t, w.lead, lc); slices.Contains(got, "scorecard_appeal") {
			t.Errorf("the appellant is notified of her own appeal: %v", got)
		}
		w.refused(t, "deciding one's own appeal", apperr.KindForbidden, "", func() error {
			_, err := w.svc.DecideAppeal(w.as(w.lead), ap.ID, scorecards.DecisionUpheld, 0, "ok")
			return err
		})
		w.move(t, w.lead, lc, scorecards.StatusRating, "")
		w.refused(t, "rating one's own card", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Rate(w.as(w.lead), lc, v(), "other", appraisal.Rating{Points: appraisal.P(5)})
			return err
		})
		w.rateAll(t, w.mgr, lc)
		w.refused(t, "submitting one's own card", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Transition(w.as(w.lead), lc, v(), scorecards.StatusApproval, "")
			return err
		})
		w.move(t, w.mgr, lc, scorecards.StatusApproval, "")
		w.refused(t, "approving one's own card", apperr.KindForbidden, "", func() error {
			_, err := w.svc.Transition(w.as(w.lead), lc, v(), scorecards.StatusPublished, "")
			return err
		})
		if d, _ := w.svc.CardDetail(w.as(w.lead), lc); len(d.Actions.Transitions) != 0 || d.Actions.Decide || d.Actions.Rate {
			t.Errorf("the lead's actions on her own card: %+v", d.Actions)
		}
		if d, _ := w.svc.CardDetail(w.as(w.mgr), lc); !slices.Equal(d.Actions.Transitions, []string{scorecards.StatusRating, scorecards.StatusPublished}) || !d.Actions.Decide {
			t.Errorf("the manager's actions: %+v", d.Actions)
		}

		// The window setting: managers only, 0–60 days.
		w.refused(t, "a specialist sets the window", apperr.KindForbidden, "", func() error {
			_, err := w.svc.SaveLifecyclePolicy(w.as(w.jia), scorecards.LifecyclePolicy{AppealDays: 3})
			return err
		})
		w.refused(t, "a negative window", apperr.KindInvalid, "appeal_days", func() error {
			_, err := w.svc.SaveLifecyclePolicy(w.as(w.mgr), scorecards.LifecyclePolicy{AppealDays: -1})
			return err
		})
		if _, err := w.svc.SaveLifecyclePolicy(w.as(w.mgr), scorecards.LifecyclePolicy{AppealDays: 0}); err != nil {
			t.Fatal(err)
		}
		if pol, err := w.svc.LifecyclePolicy(w.as(w.jia)); err != nil || pol.AppealDays != 0 {
			t.Errorf("policy %+v %v", pol, err)
		}
		w.move(t, w.mgr, lc, scorecards.StatusPublished, "")
		w.refused(t, "an appeal with a zero-day window", apperr.KindInvalid, "status", func() error {
			_, err := w.svc.Appeal(w.as(w.lead), lc, "service", "x")
			return err
		})
		// The undecided appeal of the self-review holds the card back.
		w.refused(t, "finalizing with an appeal undecided", apperr.KindInvalid, "to", func() error {
			_, err := w.svc.Transition(w.as(w.mgr), lc, v(), scorecards.StatusFinal, "")
			return err
		})
		if n, err := w.svc.FinalizeDue(access.With(context.Background(), access.System())); err != nil || n != 0 {
			t.Errorf("finalize with an appeal undecided: %d %v", n, err)
		}
		if _, err := w.svc.DecideAppeal(w.as(w.mgr), ap.ID, scorecards.DecisionUpheld, appraisal.P(1), "已补记"); err != nil {
			t.Fatal(err)
		}
		w.move(t, w.mgr, lc, scorecards.StatusFinal, "")
		if d := w.card(t, lc); d.Adjustment != appraisal.P(1) || d.Final != d.Card.Final+appraisal.P(1) {
			t.Errorf("adjustment %s final %s lines %s", d.Adjustment, d.Final, d.Card.Final)
		}

		// 乙 has no direct supervisor: the managers rate, and hear of the self-review.
		yc := w.yiCardID
		w.move(t, w.mgr, yc, scorecards.StatusSelfReview, "")
		w.move(t, w.yi, yc, scorecards.StatusRating, "")
		for _, m := range []*org.Staff{w.mgr, w.lead} {
			if got := w.notices(t, m, yc); !slices.Contains(got, "scorecard_submit_self_review") {
				t.Errorf("%s's notices %v, want 乙's self-review", m.Login, got)
			}
		}
	})
}

// TestList: a staff member lists their own cards and their direct
// reports'; managers and executives everyone's.
func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLifecycleWorld(t, db)
		count := func(st *org.Staff, f scorecards.ListFilter) int {
			t.Helper()
			rows, err := w.svc.List(w.as(st), f)
			if err != nil {
				t.Fatalf("%s lists: %v", st.Login, err)
			}
			return len(rows)
		}
		all := count(w.mgr, scorecards.ListFilter{Period: "2026-03"})
		if all < 5 || count(w.gm, scorecards.ListFilter{}) != all {
			t.Errorf("everyone's cards: %d", all)
		}
		if n := count(w.jia, scorecards.ListFilter{}); n != 1 {
			t.Errorf("甲 sees %d cards, want 1", n)
		}
		if n := count(w.zu, scorecards.ListFilter{}); n != 2 {
			t.Errorf("the lead sees %d cards, want hers and 甲's", n)
		}
		if n := count(w.mgr, scorecards.ListFilter{StaffID: w.jia.ID, Status: scorecards.StatusDraft}); n != 1 {
			t.Errorf("甲's drafts: %d", n)
		}
		if _, err := w.svc.List(w.as(w.yi), scorecards.ListFilter{StaffID: w.jia.ID}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("乙 lists 甲's cards: %v", err)
		}
		if _, err := w.svc.List(w.as(w.mgr), scorecards.ListFilter{Status: "done"}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("an unknown status: %v", err)
		}
	})
}
