package web

import (
	"testing"

	"kefu/internal/fieldwork"
)

// TestAcceptanceKeysExist checks the message ids the acceptance pages
// build at run time: slot stages, sheets, photo flags, checklist states,
// report states, and every field the acceptance and report errors name.
func TestAcceptanceKeysExist(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"work_order", "my_work"} {
		if s.pages[name] == nil {
			t.Errorf("page template %q missing", name)
		}
	}
	if s.pages["_evidence"] != nil {
		t.Errorf("the partial _evidence is parsed as a page")
	}
	zh, en := loadCatalogue(t, "zh-CN"), loadCatalogue(t, "en")
	var want []string
	for _, st := range []string{fieldwork.StageBefore, fieldwork.StageDuring, fieldwork.StageAfter, fieldwork.StageParams} {
		want = append(want, "evidence.stage."+st)
	}
	for _, typ := range workTypes {
		want = append(want, "evidence.sheet."+fieldwork.SheetOf(typ))
	}
	for _, f := range evidenceFlags {
		want = append(want, "evidence.flag."+f)
	}
	for _, st := range reqStates {
		want = append(want, "accept.state."+st)
	}
	for _, st := range reportStatuses {
		want = append(want, "my_work.status."+st)
	}
	for _, f := range []string{"group_posted_at", "paper_received_on", "callback_at", "result", "satisfaction", "checklist", "file",
		"kind", "slot", "reason", "removed_at", "watermark_confirmed", "status", "notes", "day", "at", "technician_id", "completed_at"} {
		want = append(want, "work.field."+f)
	}
	for _, k := range want {
		if zh[k] == "" || en[k] == "" {
			t.Errorf("message id %q missing", k)
		}
	}
}
