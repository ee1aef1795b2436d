package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app"
	"kefu/internal/app/apptest"
	"kefu/internal/comms"
	"kefu/internal/config"
	"kefu/internal/customers"
	"kefu/internal/events"
	"kefu/internal/org"
)

// robotMessage is what a WeCom group robot receives.
type robotMessage struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string   `json:"content"`
		Mention []string `json:"mentioned_mobile_list"`
	} `json:"text"`
}

// fakeRobot is a WeCom group robot webhook on loopback: it keeps what it
// is sent and answers errcode 0, or the errcode set in fail.
type fakeRobot struct {
	mu   sync.Mutex
	got  []robotMessage
	fail int
}

func (f *fakeRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m robotMessage
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &m) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, m)
	if f.fail != 0 {
		_, _ = io.WriteString(w, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
		return
	}
	_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (f *fakeRobot) messages() []robotMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]robotMessage(nil), f.got...)
}

// KEFU_WECOM_WEBHOOK end to end: with the URL pointing at a local robot,
// the app's clock sweeper (as runClockSweeper wires it) posts the
// near-breach notice of an unanswered WeChat message at 2:00 and its
// breach at 3:01, each naming the customer and mentioning the owner's
// mobile, and records both events; a robot that refuses makes the sweep
// fail with its errcode while the in-app notice stays.
func TestWeComWebhookSweep(t *testing.T) {
	robot := &fakeRobot{}
	srv := httptest.NewServer(robot)
	defer srv.Close()
	var mu sync.Mutex
	t0 := time.Now().Truncate(time.Second).Add(-time.Hour)
	cur := t0
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return cur
	}
	set := func(at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		cur = at
	}
	webhook := func(c *config.Config) { c.WeComWebhook = srv.URL + "/cgi-bin/webhook/send?key=test" }
	apptest.EachWith(t, webhook, []app.Option{app.WithClock(clock)}, func(t *testing.T, in *apptest.Instance) {
		set(t0)
		robot.mu.Lock()
		robot.got, robot.fail = nil, 0
		robot.mu.Unlock()
		a := in.App
		sys := access.With(context.Background(), access.System())
		mgr, err := a.Org.CreateStaff(sys, org.StaffInput{Login: "mgr", Name: "经理", Roles: []access.Role{access.CSManager}})
		if err != nil {
			t.Fatal(err)
		}
		spec, err := a.Org.CreateStaff(sys, org.StaffInput{Login: "lin", Name: "林雯", Phone: "13911112222", Roles: []access.Role{access.CSSpecialist}})
		if err != nil {
			t.Fatal(err)
		}
		info, err := a.Org.CreateStaff(sys, org.StaffInput{Login: "info", Name: "信息中心", Roles: []access.Role{access.InfoCenter}})
		if err != nil {
			t.Fatal(err)
		}
		as := func(s *org.Staff) context.Context {
			return access.With(context.Background(), &access.Principal{StaffID: s.ID, Login: s.Login, Name: s.Name, Roles: s.Roles})
		}
		region, err := a.Org.SaveRegion(sys, "", 0, org.UnitInput{Name: "国贸"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Customers.CreateCustomer(as(mgr), customers.CustomerInput{Name: "甲大厦", Class: "A", RegionID: region.ID, OwnerID: spec.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Customers.SaveGroup(as(mgr), c.ID, "", 0, customers.GroupInput{Name: "甲大厦服务群", ExternalID: "wxg-jia"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Comms.Ingest(as(info), []comms.Input{{ExternalID: "wx-1", Channel: "wechat_group", Direction: "in",
			OccurredAt: t0.Format(time.RFC3339), Conversation: "wxg-jia", Summary: "3楼空调漏水"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		sw := a.ClockSweeper()
		sweep := func(at time.Duration) comms.SweepCounts {
			t.Helper()
			set(t0.Add(at))
			n, err := sw.Sweep(sys)
			if err != nil {
				t.Fatalf("sweep at +%v: %v", at, err)
			}
			return n
		}
		if n := sweep(119 * time.Second); n != (comms.SweepCounts{}) || len(robot.messages()) != 0 {
			t.Fatalf("at 1:59: %+v, robot got %+v", n, robot.messages())
		}
		if n := sweep(120 * time.Second); n.Near != 1 {
			t.Fatalf("at 2:00: %+v", n)
		}
		if n := sweep(181 * time.Second); n.Breached != 1 {
			t.Fatalf("at 3:01: %+v", n)
		}
		got := robot.messages()
		if len(got) != 2 {
			t.Fatalf("the robot got %d messages, want the near-breach and the breach: %+v", len(got), got)
		}
		for i, want := range []string{"即将超时", "已超时"} {
			m := got[i]
			if m.MsgType != "text" || !strings.Contains(m.Text.Content, want) || !strings.Contains(m.Text.Content, "甲大厦") ||
				!strings.Contains(m.Text.Content, "林雯") || len(m.Text.Mention) != 1 || m.Text.Mention[0] != "13911112222" {
				t.Errorf("robot message %d = %+v, want %s naming 甲大厦 and mentioning 林雯's mobile", i, m, want)
			}
		}
		evs, err := events.List(as(mgr), a.DB().R(), events.Filter{StaffID: spec.ID})
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]int{}
		for _, e := range evs {
			types[e.Type]++
		}
		if len(evs) != 2 || types["wechat_timeout_near"] != 1 || types["wechat_timeout"] != 1 {
			t.Errorf("林雯's events %v, want one near-breach and one breach", types)
		}

		// A robot that refuses: the sweep says so, the in-app notice is kept.
		robot.mu.Lock()
		robot.fail = 93000
		robot.mu.Unlock()
		set(t0.Add(10 * time.Minute))
		if _, err := a.Comms.Ingest(as(info), []comms.Input{{ExternalID: "wx-2", Channel: "wechat_group", Direction: "in",
			OccurredAt: t0.Add(10 * time.Minute).Format(time.RFC3339), Conversation: "wxg-jia"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		set(t0.Add(12 * time.Minute))
		if _, err := sw.Sweep(sys); err == nil || !strings.Contains(err.Error(), "93000") {
			t.Errorf("sweep with a refusing robot: %v, want its errcode", err)
		}
		notes, err := a.Notify.List(as(spec), false, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 3 {
			t.Errorf("林雯 has %d notices, want 3 (near, breach, the second near)", len(notes))
		}
	})
}
