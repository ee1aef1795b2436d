package scorecards_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// fixture is an organisation with a manager, the executive, two
// specialists (乙 reports to 甲) and the shipped schemes.
type fixture struct {
	db                 *store.DB
	now                *time.Time
	svc                *scorecards.Service
	mgr, gm, jia, yi   *org.Staff
	boss               *org.Staff // manager and executive at once
	shippedSpecialist  string     // id of cs_specialist version 1
	shippedSpecialistD string     // its document
}

func newFixture(t *testing.T, db *store.DB, now time.Time) *fixture {
	t.Helper()
	f := &fixture{db: db, now: &now}
	clock := func() time.Time { return *f.now }
	sys := access.With(context.Background(), access.System())
	o := org.NewService(db, clock)
	mk := func(login, name, sup string, roles ...access.Role) *org.Staff {
		st, err := o.CreateStaff(sys, org.StaffInput{Login: login, Name: name, SupervisorID: sup, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	f.mgr = mk("mgr", "孟经理", "", access.CSManager)
	f.gm = mk("gm", "高总", "", access.Executive)
	f.boss = mk("boss", "包总", "", access.CSManager, access.Executive)
	f.jia = mk("jia", "甲", f.mgr.ID, access.CSSpecialist)
	f.yi = mk("yi", "乙", f.jia.ID, access.CSSpecialist)
	f.svc = scorecards.NewService(db, clock, scorecards.Options{Location: shanghai})
	if _, err := f.svc.EnsureShipped(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.SchemeVersions(f.as(f.jia))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.Code == appraisal.DefaultKey {
			f.shippedSpecialist, f.shippedSpecialistD = r.ID, r.Document
		}
	}
	return f
}

func (f *fixture) as(st *org.Staff) context.Context {
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
}

// edit returns the document doc changed by fn (on its JSON tree).
func edit(t *testing.T, doc string, fn func(m map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func item(m map[string]any, c, i int) map[string]any {
	return m["categories"].([]any)[c].(map[string]any)["items"].([]any)[i].(map[string]any)
}

func TestSchemeVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, time.Date(2026, 4, 2, 10, 0, 0, 0, shanghai))
		ctx := context.Background()
		list, err := f.svc.SchemeVersions(f.as(f.jia))
		if err != nil || len(list) != len(appraisal.Shipped()) {
			t.Fatalf("list: %d %v", len(list), err)
		}
		for _, r := range list {
			if !r.InForce || r.Status != "approved" || r.Version != 1 {
				t.Errorf("%s: in force %v status %s version %d", r.Code, r.InForce, r.Status, r.Version)
			}
		}
		v, err := f.svc.SchemeVersion(f.as(f.jia), f.shippedSpecialist)
		if err != nil || len(v.Problems) != 0 || v.Scheme == nil || v.CanEdit || v.CanApprove {
			t.Fatalf("view: %+v %v", v, err)
		}
		if _, err := f.svc.SchemeVersion(f.as(f.jia), "nope"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("fake id: %v", err)
		}

		// Only managers draft; a copy of version 1 is version 2 from next month.
		if _, err := f.svc.DraftScheme(f.as(f.jia), scorecards.SchemeDraft{BaseID: f.shippedSpecialist}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("specialist drafting: %v", err)
		}
		d2, err := f.svc.DraftScheme(f.as(f.mgr), scorecards.SchemeDraft{BaseID: f.shippedSpecialist})
		if err != nil {
			t.Fatal(err)
		}
		if d2.Version != 2 || d2.Status != "draft" || d2.EffectiveFrom != "2026-05-01" || d2.Code != appraisal.DefaultKey || *d2.CreatedBy != f.mgr.ID {
			t.Errorf("draft: %+v", d2)
		}
		sc, err := d2.Scheme()
		if err != nil || sc.Version != 2 || sc.EffectiveFrom != "2026-05-01" || sc.Key != appraisal.DefaultKey {
			t.Errorf("draft document: %+v %v", sc, err)
		}

		// Every problem is listed, with its path; nothing is stored.
		bad := edit(t, f.shippedSpecialistD, func(m map[string]any) {
			item(m, 0, 0)["points"] = 0
			item(m, 1, 0)["method"] = "guess"
			m["extra"] = true
		})
		if _, err := f.svc.ValidateScheme(f.as(f.mgr), "", scorecards.SchemeDraft{Code: appraisal.DefaultKey, Document: bad}); err != nil {
			t.Fatal(err)
		}
		chk, _ := f.svc.ValidateScheme(f.as(f.mgr), "", scorecards.SchemeDraft{Code: appraisal.DefaultKey, Document: bad})
		if chk.Valid || len(chk.Problems) != 1 || !strings.Contains(chk.Problems[0].Message, "extra") {
			t.Errorf("unknown field: %+v", chk)
		}
		bad = edit(t, f.shippedSpecialistD, func(m map[string]any) {
			item(m, 0, 0)["points"] = 0
			item(m, 1, 0)["method"] = "guess"
		})
		chk, err = f.svc.ValidateScheme(f.as(f.mgr), "", scorecards.SchemeDraft{Code: appraisal.DefaultKey, Document: bad, EffectiveFrom: "2026-04-15"})
		if err != nil || chk.Valid || chk.Version != 3 {
			t.Fatalf("check: %+v %v", chk, err)
		}
		fields := map[string]bool{}
		for _, p := range chk.Problems {
			fields[p.Field] = true
		}
		for _, want := range []string{"categories[0].items[0].points", "categories[1].items[0].method", "total", "effective_from"} {
			if !fields[want] {
				t.Errorf("problems %+v lack %s", chk.Problems, want)
			}
		}
		_, err = f.svc.DraftScheme(f.as(f.mgr), scorecards.SchemeDraft{Code: appraisal.DefaultKey, Document: bad})
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid || e.Field != "categories[0].items[0].points" ||
			!strings.Contains(e.Message, "categories[1].items[0].method") {
			t.Errorf("invalid draft: %v", err)
		}
		_, err = f.svc.DraftScheme(f.as(f.mgr), scorecards.SchemeDraft{BaseID: f.shippedSpecialist, EffectiveFrom: "2026-03-01"})
		if e, ok := apperr.As(err); !ok || e.Field != "effective_from" || !strings.Contains(e.Message, "早于今天") {
			t.Errorf("back-dated draft: %v", err)
		}
		_, err = f.svc.DraftScheme(f.as(f.mgr), scorecards.SchemeDraft{BaseID: f.shippedSpecialist,
			Document: edit(t, f.shippedSpecialistD, func(m map[string]any) { m["role"] = "finance" })})
		if e, ok := apperr.As(err); !ok || e.Field != "role" {
			t.Errorf("another role: %v", err)
		}

		// A draft is edited (row version checked); the stored document follows.
		withBonus := edit(t, d2.Document, func(m map[string]any) {
			m["bonus"] = map[string]any{"min": 1, "max": 10, "label": "嘉奖加分"}
			item(m, 1, 4)["name"] = "其它工作"
		})
		if _, err := f.svc.UpdateDraft(f.as(f.mgr), d2.ID, d2.RowVersion+1, scorecards.SchemeDraft{Document: withBonus}); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("stale row version: %v", err)
		}
		if _, err := f.svc.UpdateDraft(f.as(f.mgr), "nope", 1, scorecards.SchemeDraft{Document: withBonus}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("fake id: %v", err)
		}
		d2, err = f.svc.UpdateDraft(f.as(f.mgr), d2.ID, d2.RowVersion, scorecards.SchemeDraft{Document: withBonus})
		if err != nil || d2.RowVersion != 2 || d2.Version != 2 {
			t.Fatalf("update: %+v %v", d2, err)
		}
		if sc, _ := d2.Scheme(); sc.Bonus == nil || sc.Categories[1].Items[4].Name != "其它工作" {
			t.Errorf("updated document: %+v", sc)
		}

		// The executive approves, never a manager nor the drafter.
		if _, err := f.svc.ApproveScheme(f.as(f.mgr), d2.ID, d2.RowVersion); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("manager approving: %v", err)
		}
		if _, err := f.svc.ApproveScheme(f.as(f.gm), "nope", 1); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("fake id: %v", err)
		}
		own, err := f.svc.DraftScheme(f.as(f.boss), scorecards.SchemeDraft{BaseID: f.shippedSpecialist, EffectiveFrom: "2026-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ApproveScheme(f.as(f.boss), own.ID, own.RowVersion); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("approving one's own draft: %v", err)
		}
		// May was already computed with version 1: version 2 cannot start in May.
		if n, err := f.svc.Compute(f.as(f.mgr), "2026-05", f.jia.ID); err != nil || n.Computed != 1 {
			t.Fatalf("compute May: %+v %v", n, err)
		}
		_, err = f.svc.ApproveScheme(f.as(f.gm), d2.ID, d2.RowVersion)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindConflict || !strings.Contains(e.Message, "2026-05") {
			t.Fatalf("approve over a computed month: %v", err)
		}
		d2, err = f.svc.UpdateDraft(f.as(f.mgr), d2.ID, d2.RowVersion, scorecards.SchemeDraft{EffectiveFrom: "2026-06-01"})
		if err != nil || d2.EffectiveFrom != "2026-06-01" {
			t.Fatalf("move to June: %+v %v", d2, err)
		}
		if v, _ := f.svc.SchemeVersion(f.as(f.gm), d2.ID); !v.CanApprove || v.CanEdit {
			t.Errorf("executive's view of a draft: approve %v edit %v", v.CanApprove, v.CanEdit)
		}
		d2, err = f.svc.ApproveScheme(f.as(f.gm), d2.ID, d2.RowVersion)
		if err != nil || d2.Status != "approved" || *d2.ApprovedBy != f.gm.ID {
			t.Fatalf("approve: %+v %v", d2, err)
		}
		// A version in use is never edited.
		if _, err := f.svc.UpdateDraft(f.as(f.mgr), d2.ID, d2.RowVersion, scorecards.SchemeDraft{Document: withBonus}); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("editing an approved version: %v", err)
		}
		if _, err := f.svc.ApproveScheme(f.as(f.gm), d2.ID, d2.RowVersion); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("approving twice: %v", err)
		}
		// June takes version 2, May keeps version 1.
		if _, err := f.svc.Compute(f.as(f.mgr), "2026-06", f.jia.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Compute(f.as(f.mgr), "2026-05", f.jia.ID); err != nil {
			t.Fatal(err)
		}
		for period, want := range map[string]int{"2026-05": 1, "2026-06": 2} {
			c, err := f.svc.Card(f.as(f.mgr), f.jia.ID, period)
			if err != nil || c.Card.SchemeVersion != want {
				t.Errorf("%s: version %v %v, want %d", period, c, err, want)
			}
		}
		var cards int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM scorecards WHERE staff_id = ?", f.jia.ID).Scan(ctx, &cards); err != nil || cards != 2 {
			t.Errorf("cards: %d %v", cards, err)
		}
		// In June version 2 is in force.
		*f.now = time.Date(2026, 6, 3, 9, 0, 0, 0, shanghai)
		list, _ = f.svc.SchemeVersions(f.as(f.jia))
		for _, r := range list {
			if r.Code == appraisal.DefaultKey && r.InForce != (r.Version == 2) {
				t.Errorf("June: version %d in force %v", r.Version, r.InForce)
			}
		}

		// Retiring: a draft by a manager (discarded), an approved version by
		// the executive only and not while this month's cards use it.
		if _, err := f.svc.RetireScheme(f.as(f.mgr), own.ID, own.RowVersion, ""); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("retire without reason: %v", err)
		}
		if r, err := f.svc.RetireScheme(f.as(f.mgr), own.ID, own.RowVersion, "不再需要"); err != nil || r.Status != "retired" {
			t.Errorf("discard a draft: %+v %v", r, err)
		}
		if _, err := f.svc.RetireScheme(f.as(f.mgr), d2.ID, d2.RowVersion, "停用"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("manager retiring an approved version: %v", err)
		}
		if _, err := f.svc.RetireScheme(f.as(f.gm), d2.ID, d2.RowVersion, "停用"); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("retiring a version this month's cards use: %v", err)
		}
		var audits int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM audit_log WHERE entity = 'appraisal_scheme'").Scan(ctx, &audits); err != nil || audits < 6 {
			t.Errorf("audit entries: %d %v", audits, err)
		}
	})
}
