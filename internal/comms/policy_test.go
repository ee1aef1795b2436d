package comms_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/workcal"
)

// The manager changes the WeChat target to 5 minutes on working time:
// a message at 12:10 (lunch break 12:00–13:00) answered at 13:04 is on
// time; with the default 24x7 3 minutes it would be late.
func TestPolicyChangesTheClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cal := workcal.NewService(db, func() time.Time { return now })
		if _, err := cal.SeedIfEmpty(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := cal.SaveSettings(e.sys, workcal.Settings{TimeZone: "Asia/Shanghai", Windows: []string{"08:30-12:00", "13:00-17:30"},
			Weekdays: []int{1, 2, 3, 4, 5}}); err != nil {
			t.Fatal(err)
		}
		svc := comms.NewService(db, func() time.Time { return now.Add(4 * time.Hour) }, comms.Options{Location: shanghai, Owners: e.cust, Calendars: cal})
		p := comms.DefaultPolicy()
		p.WeChat = comms.RulePolicy{LimitS: 300, NearS: 600, WorkingTime: true}
		if err := svc.SavePolicy(e.mgr, p); !apperr.Is(err, apperr.KindInvalid) {
			t.Fatalf("near after the limit: %v", err)
		}
		p.WeChat.NearS = 240
		if err := svc.SavePolicy(e.spec1, p); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist saves the policy: %v", err)
		}
		if err := svc.SavePolicy(e.mgr, p); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Ingest(e.info, []comms.Input{
			{ExternalID: "l1", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-05 12:10:00", Conversation: "wxg-001"},
			{ExternalID: "l2", Channel: "wechat_group", Direction: "out", OccurredAt: "2026-03-05 13:04:00", Conversation: "wxg-001", StaffLogin: "spec1"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if evs := e.events(t); len(evs) != 0 {
			t.Fatalf("breaches under the working-time policy: %+v", evs)
		}
		got, err := svc.Policy(context.Background())
		if err != nil || got != p {
			t.Fatalf("policy %+v %v", got, err)
		}
	})
}
