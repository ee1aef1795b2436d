package comms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/internal/comms"
	"kefu/internal/events"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// Near-breaches are events like breaches (issue 4 item 6): a clock
// unanswered at its near moment has one, attributed to the responsible
// specialist with the records as evidence; a clock answered before it has
// neither event; a breached clock keeps both; deriving again gives the
// same events; a backdated reply withdraws the near-breach it removes,
// with a reason of its own.
func TestNearBreachEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai; wxg-001 is 国贸物业's group, spec1's
		msg := func(ext, dir, at string) comms.Input {
			in := comms.Input{ExternalID: ext, Channel: "wechat_group", Direction: dir, OccurredAt: "2026-03-05 " + at, Conversation: "wxg-001"}
			if dir == "out" {
				in.StaffLogin = "spec1"
			}
			return in
		}
		if _, err := e.svc.Ingest(e.info, []comms.Input{
			msg("a1", "in", "09:00:00"), msg("a2", "out", "09:01:30"), // answered before its near moment: neither
			msg("b1", "in", "09:10:00"), msg("b2", "out", "09:12:30"), // answered after it, on time: near only
			msg("c1", "in", "09:20:00"), // never answered: near at 09:22, breach at 09:23
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		near, breaches := e.nearEvents(t), e.events(t)
		if len(near) != 2 || len(breaches) != 1 {
			t.Fatalf("near %+v breaches %+v: want 2 and 1", near, breaches)
		}
		list, err := events.List(e.mgr, db.R(), events.Filter{Type: "wechat_timeout_near"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("listed near-breaches %+v", list)
		}
		for i, want := range []struct {
			at       string
			evidence int
		}{{"09:12:00", 2}, {"09:22:00", 1}} {
			ev := list[i]
			if got := ev.OccurredAt.In(shanghai).Format(time.TimeOnly); got != want.at || ev.StaffID == nil || *ev.StaffID != e.spec1ID ||
				ev.CustomerName != "国贸物业" || ev.Quantity != 1 || ev.Source != "computed" || ev.Rule != "wechat_timeout_near" ||
				len(ev.Evidence) != want.evidence || ev.Evidence[0].Kind != "communication" || !strings.Contains(ev.Detail, "临近超时") {
				t.Errorf("near-breach %d: %+v (want at %s with %d evidence records)", i, ev, want.at, want.evidence)
			}
		}
		// The same records give the same events: nothing written again.
		n, err := e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second))
		if err != nil || n.Clocks != 3 || n.Changed != 0 || n.Breaches != 1 || n.Near != 2 || n.Withdrawn != 0 {
			t.Fatalf("recompute %+v %v", n, err)
		}
		if again := e.nearEvents(t); len(again) != 2 || again[0].ID != near[0].ID || again[1].ID != near[1].ID {
			t.Fatalf("near-breaches after recompute %+v, were %+v", again, near)
		}
		// A reply recorded late but dated 09:21:30, before c1's near
		// moment, withdraws both its events.
		if _, err := e.svc.Ingest(e.info, []comms.Input{msg("c2", "out", "09:21:30")}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		for _, ev := range append(e.nearEvents(t), e.events(t)...) {
			c1 := ev.ComputedKey == near[1].ComputedKey || ev.ComputedKey == breaches[0].ComputedKey
			switch {
			case c1 && ev.WithdrawnAt == nil:
				t.Errorf("an event of the clock answered in time stands: %+v", ev)
			case c1 && ev.Type == "wechat_timeout_near" && !strings.Contains(ev.Reason, "不再临近超时"):
				t.Errorf("near-breach withdrawn with reason %q", ev.Reason)
			case c1 && ev.Type == "wechat_timeout" && (!strings.Contains(ev.Reason, "不再超时") || strings.Contains(ev.Reason, "临近")):
				t.Errorf("breach withdrawn with reason %q", ev.Reason)
			case !c1 && ev.WithdrawnAt != nil:
				t.Errorf("the near-breach of the clock answered at 2:30 was withdrawn: %+v", ev)
			}
		}
		if list, _ := events.List(e.mgr, db.R(), events.Filter{Type: "wechat_timeout_near"}); len(list) != 1 || list[0].ID != near[0].ID {
			t.Fatalf("standing near-breaches after the backdated reply %+v", list)
		}
		// A recomputation leaves the withdrawals as they are.
		n, err = e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second))
		if err != nil || n.Changed != 0 || n.Breaches != 0 || n.Near != 1 || n.Withdrawn != 0 {
			t.Fatalf("recompute after the reply %+v %v", n, err)
		}
	})
}
