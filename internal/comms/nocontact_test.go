package comms_test

import (
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/rates"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestNoContactMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 国贸物业 (spec1), 望京写字楼 (spec2); now 2026-03-05
		march, _ := rates.ParseMonth("2026-03")
		feb, _ := rates.ParseMonth("2026-02")
		ids := func(l []comms.NoContact) []string {
			var out []string
			for _, c := range l {
				out = append(out, c.Name)
			}
			return out
		}
		l, err := e.svc.NoContactMonth(e.mgr, march, "")
		if err != nil || len(l) != 2 {
			t.Fatalf("before any contact: %v %v", ids(l), err)
		}
		// A customer's message alone is no contact; our reply is.
		if _, err := e.svc.Ingest(e.info, []comms.Input{
			{ExternalID: "a", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-02 09:00:00", Conversation: "wxg-001"},
			{ExternalID: "b", Channel: "phone_out", OccurredAt: "2026-02-27 23:59:59", CustomerID: e.b.ID, StaffLogin: "spec2"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		l, _ = e.svc.NoContactMonth(e.mgr, march, "")
		if len(l) != 2 {
			t.Fatalf("after an inbound message and a February call: %v", ids(l))
		}
		if _, err := e.svc.Ingest(e.info, []comms.Input{
			{ExternalID: "c", Channel: "wechat_group", Direction: "out", OccurredAt: "2026-03-01 00:00:00", Conversation: "wxg-001"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		l, _ = e.svc.NoContactMonth(e.mgr, march, "")
		if len(l) != 1 || l[0].CustomerID != e.b.ID || l[0].LastContactAt == nil {
			t.Fatalf("after our reply on 03-01 00:00: %+v", l)
		}
		if fl, _ := e.svc.NoContactMonth(e.mgr, feb, ""); len(fl) != 1 || fl[0].CustomerID != e.a.ID {
			t.Fatalf("February: %v", ids(fl))
		}
		mine, _ := e.svc.NoContactMonth(e.spec1, march, "")
		if len(mine) != 0 {
			t.Fatalf("spec1 sees %v", ids(mine))
		}
		if _, err := e.svc.NoContactMonth(e.tech, march, ""); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("technician: %v", err)
		}
	})
}
