package fieldwork_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func inMonth(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, shanghai)
}

// acceptScenario builds a work order completed on Monday 2026-03-09
// 16:00 with its evidence, complete unless one field says otherwise, and
// asks for its acceptance.
type acceptScenario struct {
	name  string
	typ   string   // "" = seasonal maintenance
	parts []string // of a seasonal maintenance; nil = 冷凝器
	// want is the key of the one requirement not met ("" = acceptable),
	// in state wantState.
	want, wantState string

	skipSlot     string // a slot with no photo
	unconfirmed  string // a slot whose photo has no EXIF time and no watermark confirmation
	confirmLater bool   // … confirmed by its uploader before acceptance
	removed      string // a slot whose only photo is removed
	noSheet      bool
	lateSheet    bool   // the sheet uploaded on 03-17, eight days after completion
	postAt       string // the group post: "" = 2026-03-09 18:00, "-" = none
	paperOn      string // the original received: "" = 2026-03-12, "-" = none
	noCallback   bool
}

func (e *env) runScenario(sc acceptScenario) (*fieldwork.WorkOrderDetail, []fieldwork.Requirement, error) {
	t := e.t
	t.Helper()
	must := func(w *fieldwork.WorkOrderDetail, err error) *fieldwork.WorkOrderDetail {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	typ, parts := sc.typ, sc.parts
	if typ == "" {
		typ = fieldwork.TypeSeasonal
		if parts == nil {
			parts = []string{"冷凝器"}
		}
	}
	e.clock.Set(startTime)
	w := e.dispatched(typ, parts...)
	e.clock.Set(inMonth(3, 9, 17))
	w = must(e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-09 16:00"))
	var unconfirmed *fieldwork.EvidenceFile
	for _, s := range fieldwork.Slots(typ, parts) {
		if s.Key() == sc.skipSlot {
			continue
		}
		data := jpegTaken(t, "2026:03:09 10:00:00")
		if s.Key() == sc.unconfirmed {
			data = plainJPEG(t, 160, 120)
		}
		f := e.upload(e.asTech1, w.ID, "photo", s.Key(), data)
		if s.Key() == sc.unconfirmed {
			unconfirmed = f
		}
		if s.Key() == sc.removed {
			if err := e.svc.RemoveEvidence(e.asSpec1, f.ID, "照片模糊，看不清参数"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !sc.noSheet && !sc.lateSheet {
		e.upload(e.asTech1, w.ID, "sheet", "", jpegTaken(t, "2026:03:09 16:10:00"))
	}
	e.clock.Set(inMonth(3, 10, 10))
	switch sc.postAt {
	case "-":
	case "":
		w = must(e.svc.RecordGroupPost(e.asTech1, w.ID, w.Version, "2026-03-09 18:00"))
	default:
		w = must(e.svc.RecordGroupPost(e.asSpec1, w.ID, w.Version, sc.postAt))
	}
	e.clock.Set(inMonth(3, 12, 10))
	if sc.paperOn == "" {
		w = must(e.svc.RecordPaperReceived(e.asSpec1, w.ID, w.Version, "2026-03-12"))
	}
	if !sc.noCallback {
		w = must(e.svc.RecordCallback(e.asSpec1, w.ID, w.Version, fieldwork.CallbackInput{Result: "客户确认机组运行正常", Satisfaction: 5}))
	}
	if sc.confirmLater {
		if _, err := e.svc.ConfirmWatermark(e.asTech1, unconfirmed.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(inMonth(3, 17, 9))
	if sc.lateSheet {
		e.upload(e.asTech1, w.ID, "sheet", "", jpegTaken(t, "2026:03:09 16:10:00"))
	}
	if sc.paperOn != "" && sc.paperOn != "-" {
		e.clock.Set(inMonth(3, 26, 10))
		w = must(e.svc.RecordPaperReceived(e.asSpec1, w.ID, w.Version, sc.paperOn))
	}
	list, err := e.svc.AcceptanceChecklist(e.asSpec1, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := e.svc.Accept(e.asSpec1, w.ID, w.Version)
	if err == nil {
		w = accepted
	}
	return w, list, err
}

// TestEachMissingItemRefusesAcceptance: 缺一不可 — a fully evidenced order
// is accepted; take away any one requirement and the acceptance is
// refused, naming exactly that one.
func TestEachMissingItemRefusesAcceptance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, sc := range []acceptScenario{
			{name: "complete"},
			{name: "complete repair", typ: fieldwork.TypeRepair},
			{name: "complete inspection", typ: fieldwork.TypeInspection},
			{name: "complete, two parts", parts: []string{"冷凝器", "蒸发器"}},
			{name: "flagged photo confirmed later", unconfirmed: "冷凝器/during", confirmLater: true},
			{name: "a photo slot", skipSlot: "冷凝器/during", want: "photo:冷凝器/during", wantState: fieldwork.Missing},
			{name: "a photo of the second part", parts: []string{"冷凝器", "蒸发器"}, skipSlot: "蒸发器/after",
				want: "photo:蒸发器/after", wantState: fieldwork.Missing},
			{name: "the parameters photo of a repair", typ: fieldwork.TypeRepair, skipSlot: "/params", want: "photo:/params", wantState: fieldwork.Missing},
			{name: "a photo without date, not confirmed", unconfirmed: "冷凝器/after", want: "photo:冷凝器/after", wantState: fieldwork.Missing},
			{name: "a removed photo", removed: "冷凝器/before", want: "photo:冷凝器/before", wantState: fieldwork.Missing},
			{name: "the sheet", noSheet: true, want: "sheet", wantState: fieldwork.Missing},
			{name: "the repair's construction record", typ: fieldwork.TypeRepair, noSheet: true, want: "sheet", wantState: fieldwork.Missing},
			{name: "the group post", postAt: "-", want: "group_post", wantState: fieldwork.Missing},
			{name: "the group post on another day", postAt: "2026-03-10 09:00", want: "group_post", wantState: fieldwork.Late},
			{name: "a late upload", lateSheet: true, want: "upload_deadline", wantState: fieldwork.Late},
			{name: "the paper original", paperOn: "-", want: "paper", wantState: fieldwork.Missing},
			{name: "the paper original after the 25th", paperOn: "2026-03-26", want: "paper", wantState: fieldwork.Late},
			{name: "the callback", noCallback: true, want: "callback", wantState: fieldwork.Missing},
		} {
			t.Run(sc.name, func(t *testing.T) {
				e.t = t
				w, list, err := e.runScenario(sc)
				_, not := fieldwork.Acceptable(list)
				if sc.want == "" {
					if err != nil || len(not) != 0 {
						t.Fatalf("a complete order: %v, unmet %+v", err, not)
					}
					if w.Status != fieldwork.StatusAccepted || w.AcceptedAt == nil || w.AcceptedBy == nil || *w.AcceptedBy != e.spec1.ID {
						t.Fatalf("accepted: %+v", w.WorkOrder)
					}
					return
				}
				wantField(t, err, "checklist", "acceptance with "+sc.name+" missing")
				unmet := fieldwork.UnmetOf(err)
				if len(unmet) != 1 || unmet[0].Key != sc.want || unmet[0].State != sc.wantState {
					t.Fatalf("unmet %+v, want only %s %s", unmet, sc.want, sc.wantState)
				}
				if len(not) != 1 || not[0] != unmet[0] {
					t.Errorf("the checklist says %+v, the refusal %+v", not, unmet)
				}
				if msg := err.Error(); !strings.Contains(msg, unmet[0].Label) || !strings.Contains(msg, unmet[0].Detail) {
					t.Errorf("message %q does not name %q (%s)", msg, unmet[0].Label, unmet[0].Detail)
				}
				got, gerr := e.svc.GetWorkOrder(e.asSpec1, w.ID)
				if gerr != nil || got.Status != fieldwork.StatusCompleted || got.AcceptedAt != nil {
					t.Errorf("after the refusal: %+v, %v", got, gerr)
				}
			})
		}
	})
}

func TestAcceptanceRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.dispatched(fieldwork.TypeInspection)
		// Nothing of the customer-service side before completion.
		_, err := e.svc.RecordPaperReceived(e.asSpec1, w.ID, w.Version, "")
		wantField(t, err, "status", "paper before completion")
		_, err = e.svc.RecordCallback(e.asSpec1, w.ID, w.Version, fieldwork.CallbackInput{Result: "好", Satisfaction: 5})
		wantField(t, err, "status", "callback before completion")
		_, err = e.svc.Accept(e.asSpec1, w.ID, w.Version)
		wantField(t, err, "status", "accepting work not completed")

		e.clock.Set(inMonth(3, 9, 17))
		w, err = e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-09 16:00")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RecordGroupPost(e.asTech1, w.ID, w.Version, "2026-03-09 18:00")
		wantField(t, err, "group_posted_at", "a group post in the future")
		_, err = e.svc.RecordGroupPost(e.asTech1, w.ID, w.Version, "昨天")
		wantField(t, err, "group_posted_at", "a group post at a bad time")
		if _, err := e.svc.RecordGroupPost(e.asTech2, w.ID, w.Version, ""); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician not sent posting: %v, want forbidden", err)
		}
		if w, err = e.svc.RecordGroupPost(e.asTech1, w.ID, w.Version, "2026-03-09 16:30"); err != nil {
			t.Fatal(err)
		}
		if w.GroupPostedAt == nil || !w.GroupPostedAt.Equal(inMonth(3, 9, 16).Add(30*time.Minute)) || w.GroupPostedBy == nil || *w.GroupPostedBy != e.tech1.ID {
			t.Errorf("group post: %v by %v", w.GroupPostedAt, w.GroupPostedBy)
		}

		e.clock.Set(inMonth(3, 11, 9))
		for _, c := range []struct {
			on, what string
		}{{"2026-03-08", "before the completion day"}, {"2026-03-12", "in the future"}, {"3月10日", "a bad date"}} {
			_, err := e.svc.RecordPaperReceived(e.asSpec1, w.ID, w.Version, c.on)
			wantField(t, err, "paper_received_on", "paper received "+c.what)
		}
		if _, err := e.svc.RecordPaperReceived(e.asTech1, w.ID, w.Version, ""); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician receiving the original: %v, want forbidden (customer service receives it)", err)
		}
		if w, err = e.svc.RecordPaperReceived(e.asSpec1, w.ID, w.Version, ""); err != nil {
			t.Fatal(err)
		}
		if w.PaperReceivedOn == nil || *w.PaperReceivedOn != "2026-03-11" || w.PaperReceivedBy == nil || *w.PaperReceivedBy != e.spec1.ID {
			t.Errorf("paper: %v by %v", w.PaperReceivedOn, w.PaperReceivedBy)
		}

		for _, c := range []struct {
			field string
			in    fieldwork.CallbackInput
		}{
			{"result", fieldwork.CallbackInput{Result: " ", Satisfaction: 5}},
			{"satisfaction", fieldwork.CallbackInput{Result: "满意", Satisfaction: 0}},
			{"satisfaction", fieldwork.CallbackInput{Result: "满意", Satisfaction: 6}},
			{"at", fieldwork.CallbackInput{Result: "满意", Satisfaction: 5, At: "2026-03-09 15:00"}},
			{"at", fieldwork.CallbackInput{Result: "满意", Satisfaction: 5, At: "2026-03-12 09:00"}},
		} {
			_, err := e.svc.RecordCallback(e.asSpec1, w.ID, w.Version, c.in)
			wantField(t, err, c.field, "a bad callback")
		}
		if _, err := e.svc.RecordCallback(e.asSpec2, w.ID, w.Version, fieldwork.CallbackInput{Result: "满意", Satisfaction: 5}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist calling back: %v, want forbidden", err)
		}
		if w, err = e.svc.RecordCallback(e.asSpec1, w.ID, w.Version, fieldwork.CallbackInput{Result: "客户满意", Satisfaction: 4, At: "2026-03-10 10:00"}); err != nil {
			t.Fatal(err)
		}
		if w.CallbackAt == nil || !w.CallbackAt.Equal(inMonth(3, 10, 10)) || w.CallbackResult != "客户满意" || w.Satisfaction != 4 {
			t.Errorf("callback: %+v", w.WorkOrder)
		}

		// Everything but the photos and the sheet: refused, naming both.
		_, err = e.svc.Accept(e.asSpec1, w.ID, w.Version)
		unmet := fieldwork.UnmetOf(err)
		if len(unmet) != 2 || unmet[0].Key != "photo:/params" || unmet[1].Key != "sheet" ||
			!strings.Contains(err.Error(), "机组运行参数") || !strings.Contains(err.Error(), "客户签字的验收单") {
			t.Fatalf("accepting without photos: %v, unmet %+v", err, unmet)
		}
		e.upload(e.asTech1, w.ID, "photo", "/params", jpegTaken(t, "2026:03:09 11:00:00"))
		f := e.upload(e.asTech1, w.ID, "sheet", "", jpegTaken(t, "2026:03:09 16:00:00"))

		// Only the customer's specialist or a manager accepts, at the current version.
		for _, c := range []struct {
			name string
			ctx  context.Context
		}{{"another specialist", e.asSpec2}, {"the technician", e.asTech1}, {"the supervisor", e.asSup}} {
			if _, err := e.svc.Accept(c.ctx, w.ID, w.Version); !apperr.Is(err, apperr.KindForbidden) {
				t.Errorf("%s accepting: %v, want forbidden", c.name, err)
			}
		}
		if _, err := e.svc.Accept(e.asSpec1, w.ID, w.Version-1); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("accepting a stale version: %v, want conflict", err)
		}
		if w, err = e.svc.Accept(e.asMgr, w.ID, w.Version); err != nil {
			t.Fatal(err)
		}
		if w.Status != fieldwork.StatusAccepted || w.AcceptedBy == nil || *w.AcceptedBy != e.mgr.ID {
			t.Fatalf("accepted by the manager: %+v", w.WorkOrder)
		}

		// Accepted: the record is closed.
		_, err = e.svc.UploadEvidence(e.asTech1, w.ID, fieldwork.UploadInput{Kind: "photo", Slot: "/params", FileName: "a.jpg"},
			bytes.NewReader(jpegTaken(t, "2026:03:09 11:00:00")))
		wantField(t, err, "status", "an upload to an accepted order")
		err = e.svc.RemoveEvidence(e.asSpec1, f.ID, "拍错了")
		wantField(t, err, "status", "removing from an accepted order")
		_, err = e.svc.ConfirmWatermark(e.asSpec1, f.ID)
		wantField(t, err, "status", "confirming on an accepted order")
		_, err = e.svc.Accept(e.asSpec1, w.ID, w.Version)
		wantField(t, err, "status", "accepting twice")
		_, err = e.svc.RecordCallback(e.asSpec1, w.ID, w.Version, fieldwork.CallbackInput{Result: "满意", Satisfaction: 5})
		wantField(t, err, "status", "a callback after acceptance")
		_, err = e.svc.RecordGroupPost(e.asSpec1, w.ID, w.Version, "")
		wantField(t, err, "status", "a group post after acceptance")

		for _, action := range []string{"group_post", "paper_received", "callback", "accept"} {
			entries, err := audit.List(context.Background(), db.R(), audit.Filter{Entity: "work_order", EntityID: w.ID, Action: action})
			if err != nil || len(entries) != 1 || entries[0].BeforeJSON == nil || entries[0].AfterJSON == nil {
				t.Errorf("audit %s: %d entries, %v", action, len(entries), err)
			}
		}
	})
}
