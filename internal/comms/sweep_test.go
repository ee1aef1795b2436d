package comms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/internal/comms"
	"kefu/internal/notify"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// The sweeper notices a clock within one run of its near-breach time and
// of its deadline, notifies the responsible specialist once, and records
// the breach event without waiting for the next record.
func TestSweeperNearAndBreach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cur := now
		clock := func() time.Time { return cur }
		svc := comms.NewService(db, clock, comms.Options{Location: shanghai, Owners: e.cust})
		if _, err := svc.Ingest(e.info, []comms.Input{{ExternalID: "m1", Channel: "wechat_group", Direction: "in",
			OccurredAt: now.Format(time.RFC3339), Conversation: "wxg-001"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		robot := &fakeRobot{}
		sw := svc.NewSweeper(robot)
		ns := notify.NewService(db, clock)
		step := func(at time.Duration) comms.SweepCounts {
			t.Helper()
			cur = now.Add(at)
			n, err := sw.Sweep(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := step(119 * time.Second); n != (comms.SweepCounts{}) {
			t.Fatalf("at 1:59: %+v", n)
		}
		if n := step(120 * time.Second); n.Near != 1 {
			t.Fatalf("at 2:00: %+v", n)
		}
		if n := step(150 * time.Second); n.Near != 0 {
			t.Fatalf("near notified twice: %+v", n)
		}
		if n := step(180 * time.Second); n.Breached != 0 {
			t.Fatalf("breached exactly at the limit: %+v", n)
		}
		if n := step(181 * time.Second); n.Breached != 1 {
			t.Fatalf("at 3:01: %+v", n)
		}
		if n := step(240 * time.Second); n != (comms.SweepCounts{}) {
			t.Fatalf("after the breach: %+v", n)
		}
		list, err := ns.List(e.spec1, false, 0)
		if err != nil || len(list) != 2 {
			t.Fatalf("spec1 notifications %+v %v", list, err)
		}
		if len(robot.texts) != 2 || !strings.Contains(robot.texts[0], "即将超时") || !strings.Contains(robot.texts[1], "已超时") {
			t.Fatalf("group robot got %q", robot.texts)
		}
		var events int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE type = 'wechat_timeout' AND withdrawn_at IS NULL").Scan(context.Background(), &events); err != nil {
			t.Fatal(err)
		}
		if events != 1 {
			t.Fatalf("%d breach events", events)
		}
	})
}

type fakeRobot struct{ texts []string }

func (f *fakeRobot) Push(_ context.Context, text string, _ ...string) error {
	f.texts = append(f.texts, text)
	return nil
}
