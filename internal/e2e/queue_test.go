package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/customers"
)

// countdownRE reads a running countdown as the queue shows it.
var countdownRE = regexp.MustCompile(`^剩余 (\d+):(\d\d)$`)

// TestQueueCountsDownToABreach is the flow: a customer writes in
// the WeChat group of one of 林雯's customers and nobody answers; her
// 待响应 queue counts the message down to the second, the breach appears
// in the browser when the three minutes are up, and a reply recorded
// afterwards takes the message off the queue at the next refresh.
func TestQueueCountsDownToABreach(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	lin, err := a.Org.StaffByLogin(sys, "lin.wen")
	if err != nil {
		t.Fatal(err)
	}
	info, err := a.Org.StaffByLogin(sys, "jiang.xin")
	if err != nil {
		t.Fatal(err)
	}
	// The machine feed: 信息中心's principal, as the WeChat archive sends.
	feed := access.With(context.Background(), &access.Principal{StaffID: info.ID, Name: info.Name, Roles: info.Roles})
	linCtx := access.With(context.Background(), &access.Principal{StaffID: lin.ID, Name: lin.Name, Roles: lin.Roles})

	// A WeChat group of one of her customers.
	page, err := a.Customers.ListCustomers(sys, customers.ListFilter{OwnerID: lin.ID, Status: "active", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var group string
	for _, c := range page.Items {
		gs, _, err := a.Customers.Groups(sys, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			if g.Active && g.Name != "" {
				group = g.Name
				break
			}
		}
		if group != "" {
			break
		}
	}
	if group == "" {
		t.Fatal("none of lin.wen's customers has a WeChat group in the demo")
	}

	// The message came in 2:50 ago: ten seconds are left.
	sent := a.Now().Add(-(2*time.Minute + 50*time.Second)).Truncate(time.Second)
	id := fmt.Sprintf("e2e-queue-%d", sent.UnixNano())
	res, err := a.Comms.Ingest(feed, []comms.Input{{ExternalID: id, Channel: "wechat_group", Direction: "in",
		OccurredAt: sent.Format(time.RFC3339), Conversation: group, Summary: "机房空调报警，请尽快派人"}}, comms.SourceAPI)
	if err != nil || len(res) != 1 || !res[0].Matched {
		t.Fatalf("ingest the customer's message: %v %+v", err, res)
	}
	q, err := a.Comms.Queue(linCtx, lin.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := ""
	for _, it := range q {
		if it.Conversation == group && it.StartedAt.Equal(sent) {
			key = it.Key
		}
	}
	if key == "" {
		t.Fatalf("the message opened no clock on lin.wen's queue (%d items)", len(q))
	}
	row := fmt.Sprintf(`#queue tr[data-clock-key=%q]`, key)

	s := e.newSession(t, "lin.wen-queue")
	s.login("lin.wen", demoPassword)
	s.mustOpen("/queue")
	if active := s.text(`#sidebar-menu .nav-item.active`); active != "待响应" {
		t.Errorf("active navigation item = %q, want 待响应", active)
	}
	s.checkPageText("/queue")
	text := s.text(row + ` td.countdown`)
	m := countdownRE.FindStringSubmatch(text)
	if m == nil {
		s.fatalf("the message's countdown reads %q, want 剩余 m:ss", text)
	}
	minutes, _ := strconv.Atoi(m[1])
	secs, _ := strconv.Atoi(m[2])
	if left := minutes*60 + secs; left > 10 {
		t.Errorf("countdown %q: %d s left, want at most 0:10", text, left)
	}
	// Two minutes in, the warning: amber.
	if st := eval[string](s, fmt.Sprintf(`document.querySelector(%q).dataset.state`, row)); st != "near" && st != "breached" {
		t.Errorf("data-state = %q two minutes in, want near", st)
	}
	// It counts down in the browser, to the second.
	s.waitLong("the countdown to tick", 5*time.Second,
		fmt.Sprintf(`(document.querySelector(%q + ' td.countdown') || {}).textContent !== %q`, row, text))

	// The breach appears when the three minutes are up.
	s.waitLong("the breach to appear", 25*time.Second, fmt.Sprintf(
		`(r => r && r.dataset.state === 'breached' && r.querySelector('td.countdown').textContent.startsWith('已超时 '))(document.querySelector(%q))`, row))
	if got := s.text(row + ` td.countdown`); !regexp.MustCompile(`^已超时 0:0\d$`).MatchString(got) {
		t.Errorf("after the deadline the countdown reads %q, want 已超时 0:0s", got)
	}
	if color := eval[string](s, fmt.Sprintf(`getComputedStyle(document.querySelector(%q + ' td.countdown')).color`, row)); color == eval[string](s, `getComputedStyle(document.querySelector('#queue th')).color`) {
		t.Errorf("the breached countdown is not highlighted (color %s)", color)
	}
	if png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100)); err == nil {
		saveShot(t, "queue-breach.png", png)
	}

	// She answers in the group; the next refresh takes the row off.
	if _, err := a.Comms.Ingest(feed, []comms.Input{{ExternalID: id + "-reply", Channel: "wechat_group", Direction: "out",
		OccurredAt: a.Now().Truncate(time.Second).Format(time.RFC3339), Conversation: group, StaffLogin: "lin.wen",
		Summary: "收到，已安排维修人员"}}, comms.SourceAPI); err != nil {
		t.Fatal(err)
	}
	s.waitLong("the answered message to leave the queue", 15*time.Second,
		fmt.Sprintf(`document.querySelector('#queue') && !document.querySelector(%q)`, row))
}

// waitLong waits until the JavaScript expression is truthy, for up to
// timeout (longer than a step: the queue's clock runs in real time).
func (s *session) waitLong(what string, timeout time.Duration, expr string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		s.fatalf("waiting until %s: %v", what, err)
	}
}
