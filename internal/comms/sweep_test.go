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
// of its deadline, notifies the responsible specialist once, naming the
// customer, and records the near-breach and the breach events without
// waiting for the next record.
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
		standing := func(typ string) (n int) {
			t.Helper()
			if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE type = ? AND withdrawn_at IS NULL", typ).Scan(context.Background(), &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if standing("wechat_timeout_near") != 0 {
			t.Fatal("a near-breach event before the near moment")
		}
		if n := step(120 * time.Second); n.Near != 1 {
			t.Fatalf("at 2:00: %+v", n)
		}
		if standing("wechat_timeout_near") != 1 || standing("wechat_timeout") != 0 {
			t.Fatal("the sweep at the near moment did not record the near-breach event alone")
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
		if len(robot.texts) != 2 || !strings.Contains(robot.texts[0], "即将超时") || !strings.Contains(robot.texts[1], "已超时") ||
			!strings.Contains(robot.texts[0], "国贸物业（wxg-001）") || !strings.Contains(robot.texts[1], "国贸物业（wxg-001）") {
			t.Fatalf("group robot got %q", robot.texts)
		}
		if standing("wechat_timeout") != 1 || standing("wechat_timeout_near") != 1 {
			t.Fatalf("%d breach events, %d near-breach events", standing("wechat_timeout"), standing("wechat_timeout_near"))
		}
	})
}

type fakeRobot struct{ texts []string }

func (f *fakeRobot) Push(_ context.Context, text string, _ ...string) error {
	f.texts = append(f.texts, text)
	return nil
}

// The queue lists the open clocks soonest first with seconds left, near
// and breached ones marked; a reply takes a conversation off it.
func TestQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cur := now
		svc := comms.NewService(db, func() time.Time { return cur }, comms.Options{Location: shanghai, Owners: e.cust})
		if _, err := svc.Ingest(e.info, []comms.Input{
			{ExternalID: "q1", Channel: "wechat_group", Direction: "in", OccurredAt: now.Add(-150 * time.Second).Format(time.RFC3339), Conversation: "wxg-001", Summary: "空调不制冷"},
			{ExternalID: "q2", Channel: "phone_missed", OccurredAt: now.Add(-5 * time.Minute).Format(time.RFC3339), Counterpart: "13800000001"},
			{ExternalID: "q3", Channel: "phone_missed", OccurredAt: now.Add(-time.Minute).Format(time.RFC3339), Counterpart: "01066668888"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		q, err := svc.Queue(e.spec1, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 3 || q[0].Kind != "wechat_response" || q[0].SecondsLeft != 30 || !q[0].Near || q[0].Summary != "空调不制冷" ||
			q[1].SecondsLeft != 25*60 || q[1].CustomerName != "国贸物业" || q[2].CustomerID != nil {
			t.Fatalf("queue %+v", q)
		}
		if q2, _ := svc.Queue(e.spec2, ""); len(q2) != 1 || q2[0].CustomerID != nil {
			t.Fatalf("spec2's queue: %+v", q2)
		}
		cur = now.Add(45 * time.Second)
		if q, _ = svc.Queue(e.mgr, ""); q[0].SecondsLeft != -15 || q[0].State != "breached" {
			t.Fatalf("after the deadline: %+v", q[0])
		}
		if _, err := svc.Ingest(e.info, []comms.Input{{ExternalID: "q4", Channel: "wechat_group", Direction: "out",
			OccurredAt: cur.Format(time.RFC3339), Conversation: "wxg-001", StaffLogin: "spec1"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if q, _ = svc.Queue(e.mgr, ""); len(q) != 2 {
			t.Fatalf("after the reply: %+v", q)
		}
		if _, err := svc.Queue(e.tech, ""); err == nil {
			t.Fatal("a technician reads the queue")
		}
		// A message unanswered for eight days is no longer on the live queue.
		if _, err := svc.Ingest(e.info, []comms.Input{{ExternalID: "q5", Channel: "wechat_private", Direction: "in",
			OccurredAt: cur.Add(-8 * 24 * time.Hour).Format(time.RFC3339), Counterpart: "wang_wx"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if q, _ = svc.Queue(e.mgr, ""); len(q) != 2 {
			t.Fatalf("with an eight-day-old clock: %+v", q)
		}
		if q[0].Channel != "phone_missed" || q[0].StartID == "" {
			t.Fatalf("start record of the first row: %+v", q[0])
		}
	})
}
