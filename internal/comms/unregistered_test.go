package comms_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestFlagUnregistered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res, err := e.svc.Ingest(e.info, []comms.Input{
			{ExternalID: "u1", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-04 15:00:00", Conversation: "wxg-001", Summary: "3 楼空调漏水，请派人"},
			{ExternalID: "u2", Channel: "phone_in", OccurredAt: "2026-03-04 16:00:00", Counterpart: "010-99990000"},
		}, comms.SourceAPI)
		if err != nil {
			t.Fatal(err)
		}
		id := res[0].ID
		if err := e.svc.FlagUnregistered(e.spec1, id, "未登记报修"); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist flags: %v", err)
		}
		if err := e.svc.FlagUnregistered(e.mgr, id, ""); !apperr.Is(err, apperr.KindInvalid) {
			t.Fatalf("no reason: %v", err)
		}
		if err := e.svc.FlagUnregistered(e.mgr, res[1].ID, "x"); !apperr.Is(err, apperr.KindInvalid) {
			t.Fatalf("unmatched record: %v", err)
		}
		if err := e.svc.FlagUnregistered(e.mgr, id, "客户报修未登记工单"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.FlagUnregistered(e.mgr, id, "again"); !apperr.Is(err, apperr.KindConflict) {
			t.Fatalf("twice: %v", err)
		}
		var ev []struct {
			Type        string     `bun:"type"`
			StaffID     *string    `bun:"staff_id"`
			Source      string     `bun:"source"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
		}
		load := func() {
			ev = nil
			if err := db.R().NewRaw("SELECT type, staff_id, source, withdrawn_at FROM events WHERE type = 'unregistered'").Scan(context.Background(), &ev); err != nil {
				t.Fatal(err)
			}
		}
		load()
		if len(ev) != 1 || *ev[0].StaffID != e.spec1ID || ev[0].Source != "flagged" || ev[0].WithdrawnAt != nil {
			t.Fatalf("event %+v", ev)
		}
		if err := e.svc.UnflagUnregistered(e.mgr, id, "已补登工单"); err != nil {
			t.Fatal(err)
		}
		load()
		if ev[0].WithdrawnAt == nil {
			t.Fatal("the event was not withdrawn")
		}
		if r, _ := e.svc.Get(e.mgr, id); r.Unregistered != nil {
			t.Fatal("the flag is still on the record")
		}
	})
}
