package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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

// TestQueueQuickLog answers a missed call from the queue: 已回拨 opens a
// small form on the row (the 5-second refresh leaves it alone while it is
// open), the call back is logged with the time prefilled, and the row is
// gone from the queue.
func TestQueueQuickLog(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	info, err := a.Org.StaffByLogin(sys, "jiang.xin")
	if err != nil {
		t.Fatal(err)
	}
	feed := access.With(context.Background(), &access.Principal{StaffID: info.ID, Name: info.Name, Roles: info.Roles})
	// A missed call from a number no customer has: on every specialist's
	// queue, unmatched.
	at := a.Now().Add(-time.Minute).Truncate(time.Second)
	number := fmt.Sprintf("137%08d", at.Unix()%100000000)
	if _, err := a.Comms.Ingest(feed, []comms.Input{{ExternalID: "e2e-missed-" + number, Channel: "phone_missed",
		OccurredAt: at.Format(time.RFC3339), Counterpart: number}}, comms.SourceAPI); err != nil {
		t.Fatal(err)
	}
	s := e.newSession(t, "lin.wen-quicklog")
	s.login("lin.wen", demoPassword)
	s.mustOpen("/queue")
	row := fmt.Sprintf(`#queue tr[data-kind="missed_call"][data-clock-key*=%q]`, number)
	s.waitJS("the missed call on the queue", fmt.Sprintf(`!!document.querySelector(%q)`, row))
	s.do("open the row's 已回拨", chromedp.Click(chromedp.CSS(row+` summary`)))
	if got := s.text(row + ` summary`); got != "已回拨" {
		t.Errorf("the row's action reads %q, want 已回拨", got)
	}
	// A refresh would replace the rows: mark the open form and wait past
	// two polls.
	eval[bool](s, fmt.Sprintf(`(document.querySelector(%q).dataset.marked = "1") === "1"`, row+` form`))
	time.Sleep(11 * time.Second)
	if !eval[bool](s, fmt.Sprintf(`!!document.querySelector(%q) && document.querySelector(%q).open`, row+` form[data-marked]`, row+` details`)) {
		t.Error("the refresh swapped the open reply form away")
	}
	// The form offers now to the second; a browser shows a value whose
	// seconds are :00 without them, so read both shapes.
	if v := eval[string](s, fmt.Sprintf(`document.querySelector(%q).value`, row+` input[name=occurred_at]`)); !nearNow(v, a.Now().In(a.Location())) {
		t.Errorf("the reply time is %q, want now (to the second)", v)
	}
	// Closed and opened again, the form keeps what was typed and offers
	// the time then, not the time it was first opened.
	s.within("type a draft", chromedp.SetValue(chromedp.CSS(row+` textarea[name=summary]`), "草稿"))
	eval[bool](s, fmt.Sprintf(`(document.querySelector(%q).value = "2020-01-01T08:00:00") !== ""`, row+` input[name=occurred_at]`))
	s.do("close the row's form", chromedp.Click(chromedp.CSS(row+` summary`)))
	s.do("open it again", chromedp.Click(chromedp.CSS(row+` summary`)))
	if v := eval[string](s, fmt.Sprintf(`document.querySelector(%q).value`, row+` input[name=occurred_at]`)); !nearNow(v, a.Now().In(a.Location())) {
		t.Errorf("opened again, the reply time is %q, want now", v)
	}
	if v := eval[string](s, fmt.Sprintf(`document.querySelector(%q).value`, row+` textarea[name=summary]`)); v != "草稿" {
		t.Errorf("opened again, the summary is %q, want what was typed", v)
	}
	s.within("type the summary", chromedp.SetValue(chromedp.CSS(row+` textarea[name=summary]`), "已回拨，客户询问保养时间"))
	resp := s.submit("log the call back", chromedp.Click(chromedp.CSS(row+` form button[type=submit]`)))
	if resp.Status != 200 {
		s.fatalf("call back: HTTP %d: %.300q", resp.Status, s.text("body"))
	}
	if n := eval[int](s, fmt.Sprintf(`document.querySelectorAll(%q).length`, row)); n != 0 {
		t.Error("the answered missed call is still on the queue")
	}
	if flash := s.text(`body`); !strings.Contains(flash, "已登记回复") {
		t.Error("no notice that the reply was logged")
	}
}

// nearNow reports whether a datetime-local value (with or without
// seconds; the browser drops ":00") in the company zone is within a
// minute or two of now.
func nearNow(v string, now time.Time) bool {
	loc := now.Location()
	t, err := time.ParseInLocation("2006-01-02T15:04:05", v, loc)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04", v, loc)
		if err != nil {
			return false
		}
	}
	d := now.Sub(t)
	return d > -time.Minute && d < 2*time.Minute
}
