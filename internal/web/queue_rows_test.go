package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/sla"
	"kefu/internal/tickets"
)

// TestQueueRows checks the live queue's rows as queuePage.rows writes
// them (by hand, not by the template): every value escaped, one row per
// clock with its cells in the header's order, the countdown and state as
// of the read, the action's name by kind, the reply cell only for who may
// log, and the failed reply's form in its row only.
func TestQueueRows(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	cust, near := "c/1?x=<y>", at.Add(-time.Minute)
	items := []comms.QueueItem{
		{Key: `wechat_response|甲大厦"群|r1`, Kind: sla.KindWeChat, Conversation: `甲大厦"群<b>`, CustomerID: &cust,
			CustomerName: `甲&乙 <script>alert(1)</script>`, StaffName: "林雯", Summary: "3楼<i>漏水</i>",
			StartedAt: at.Add(-2 * time.Minute), NearAt: &near, Deadline: at.Add(time.Minute), SecondsLeft: 60, Near: true, State: "running"},
		{Key: "missed_call|13700000001|m1", Kind: sla.KindMissedCall, Conversation: "13700000001",
			StartedAt: at.Add(-40 * time.Minute), Deadline: at.Add(-10 * time.Minute), SecondsLeft: -600, State: "running"},
		{Key: "chat_response|c9|x1", Kind: sla.KindChat, Conversation: "", CustomerID: &cust, CustomerName: "丙",
			StartedAt: at.Add(-30 * time.Second), Deadline: at.Add(30*time.Second + 3*time.Hour), SecondsLeft: 3*3600 + 30, State: "running"},
	}
	specialist := &access.Principal{StaffID: "s1", Roles: []access.Role{access.CSSpecialist}}
	executive := &access.Principal{StaffID: "e1", Roles: []access.Role{access.Executive}}
	const form = template.HTML(`<form data-testid="queue-reply-form"></form>`)

	type row struct {
		key, kind, state, deadline, near, countdown, reply string
		cells                                              []string // text of the cells before the reply's
		href                                               string   // the customer's link, "" without
		open                                               bool     // the reply's details open, with form
	}
	for _, tc := range []struct {
		name  string
		user  *access.Principal
		items []comms.QueueItem
		open  string
		want  []row
		empty bool
	}{
		{name: "specialist", user: specialist, items: items, want: []row{
			{key: items[0].Key, kind: "wechat_response", state: "near", deadline: "2026-12-02T10:01:00Z", near: "2026-12-02T09:59:00Z",
				countdown: "剩余 1:00", reply: "已回复", href: "/customers/c%2F1%3Fx=%3Cy%3E",
				cells: []string{"微信消息", `甲&乙 <script>alert(1)</script>甲大厦"群<b>`, "3楼<i>漏水</i>", "林雯", "2026-12-02 17:58:00", "2026-12-02 18:01:00"}},
			{key: items[1].Key, kind: "missed_call", state: "breached", deadline: "2026-12-02T09:50:00Z",
				countdown: "已超时 10:00", reply: "已回拨",
				cells: []string{"未接来电", "13700000001 未匹配", "—", "—", "2026-12-02 17:20:00", "2026-12-02 17:50:00"}},
			{key: items[2].Key, kind: "chat_response", state: "running", deadline: "2026-12-02T13:00:30Z",
				countdown: "剩余 3:00:30", reply: "已回复", href: "/customers/c%2F1%3Fx=%3Cy%3E",
				cells: []string{"在线咨询", "丙", "—", "—", "2026-12-02 17:59:30", "2026-12-02 21:00:30"}},
		}},
		{name: "a failed reply's row keeps its form open", user: specialist, items: items[1:2], open: items[1].Key, want: []row{
			{key: items[1].Key, kind: "missed_call", state: "breached", deadline: "2026-12-02T09:50:00Z",
				countdown: "已超时 10:00", reply: "已回拨", open: true,
				cells: []string{"未接来电", "13700000001 未匹配", "—", "—", "2026-12-02 17:20:00", "2026-12-02 17:50:00"}},
		}},
		{name: "who may not log sees no reply", user: executive, items: items[1:2], want: []row{
			{key: items[1].Key, kind: "missed_call", state: "breached", deadline: "2026-12-02T09:50:00Z", countdown: "已超时 10:00",
				cells: []string{"未接来电", "13700000001 未匹配", "—", "—", "2026-12-02 17:20:00", "2026-12-02 17:50:00"}},
		}},
		{name: "empty", user: specialist, empty: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &queuePage{Page: Page{Lang: "zh-CN", User: tc.user, srv: s}, At: at, Open: tc.open}
			var f template.HTML
			if tc.open != "" {
				f = form
			}
			p.rows(tc.items, loc, f)
			if strings.Contains(string(p.Rows), "<script>") || strings.Contains(string(p.Rows), "<i>") {
				t.Fatalf("a value is not escaped: %s", p.Rows)
			}
			trs := parseRows(t, string(p.Rows))
			if tc.empty {
				if len(trs) != 1 || text(trs[0]) != "没有待响应的消息或来电" {
					t.Errorf("empty queue: %s", p.Rows)
				}
				return
			}
			if len(trs) != len(tc.want) {
				t.Fatalf("%d rows, want %d: %s", len(trs), len(tc.want), p.Rows)
			}
			for i, w := range tc.want {
				tr := trs[i]
				for attr, v := range map[string]string{"data-clock-key": w.key, "data-kind": w.kind, "data-state": w.state,
					"data-deadline": w.deadline, "data-near": w.near, "data-now": "2026-12-02T10:00:00Z"} {
					if got := attrOf(tr, attr); got != v {
						t.Errorf("row %d: %s = %q, want %q", i, attr, got, v)
					}
				}
				tds := children(tr, atom.Td)
				wantCells := len(w.cells) + 1
				if w.reply != "" {
					wantCells++
				}
				if len(tds) != wantCells {
					t.Fatalf("row %d: %d cells, want %d", i, len(tds), wantCells)
				}
				for j, c := range w.cells {
					if got := strings.Join(strings.Fields(text(tds[j])), " "); got != c {
						t.Errorf("row %d cell %d = %q, want %q", i, j, got, c)
					}
				}
				if got := text(tds[len(w.cells)]); got != w.countdown || attrOf(tds[len(w.cells)], "class") != "countdown" {
					t.Errorf("row %d: countdown %q, want %q", i, got, w.countdown)
				}
				if a := find(tds[1], atom.A); attrOf(a, "href") != w.href {
					t.Errorf("row %d: customer link %q, want %q", i, attrOf(a, "href"), w.href)
				}
				if w.reply == "" {
					continue
				}
				d := find(tds[len(tds)-1], atom.Details)
				if d == nil || attrOf(d, "data-reply") != "" || text(find(d, atom.Summary)) != w.reply {
					t.Fatalf("row %d: reply cell %q, want a details data-reply named %q", i, text(tds[len(tds)-1]), w.reply)
				}
				_, open := attrs(d)["open"]
				if hasForm := find(d, atom.Form) != nil; open != w.open || hasForm != w.open {
					t.Errorf("row %d: details open %v, form %v; want %v", i, open, hasForm, w.open)
				}
			}
		})
	}
}

// TestQueueTicketAndCallbackRows checks the queue's other two tables as
// queuePage writes them: escaped values, the cells in the header's order,
// the badges (the same markup as the templates' ticket-status and
// ticket-urgency), the caller's number for a ticket without a customer,
// deadlines highlighted and a midnight due time shown as 23:59.
func TestQueueTicketAndCallbackRows(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	p := &queuePage{Page: Page{Lang: "zh-CN", User: &access.Principal{Roles: []access.Role{access.CSManager}}, srv: s}, At: at}
	cust, soon, past := "c<1>", at.Add(2*time.Hour), at.Add(-time.Hour)
	midnight := time.Date(2026, 12, 5, 0, 0, 0, 0, loc)
	ts := []tickets.View{
		{Ticket: tickets.Ticket{ID: "t1", Number: "GD<1>", Type: "repair", Urgency: "urgent", CustomerID: &cust, Status: "new", PromisedAt: &soon},
			CustomerName: "甲&乙"},
		{Ticket: tickets.Ticket{ID: "t2", Number: "GD2", Type: "complaint", Urgency: "normal", Caller: "13800000001", Status: "dispatched", PromisedAt: &past}},
		{Ticket: tickets.Ticket{ID: "t3", Number: "GD3", Type: "repair", Urgency: "normal", Status: "in_progress"}},
	}
	p.ticketRows(ts, loc)
	want := [][]string{
		{"GD<1>", "报修 紧急", "甲&乙", "新建", "2026-12-02 20:00"},
		{"GD2", "投诉 一般", "13800000001", "已派工", "2026-12-02 17:00"},
		{"GD3", "报修 一般", "—", "处理中", "—"},
	}
	trs := parseRows(t, string(p.TicketRows))
	if len(trs) != len(want) || strings.Contains(string(p.TicketRows), "GD<1>") {
		t.Fatalf("ticket rows: %s", p.TicketRows)
	}
	for i, w := range want {
		tds := children(trs[i], atom.Td)
		if len(tds) != len(w) {
			t.Fatalf("ticket row %d: %d cells", i, len(tds))
		}
		for j, c := range w {
			if got := strings.Join(strings.Fields(text(tds[j])), " "); got != c {
				t.Errorf("ticket row %d cell %d = %q, want %q", i, j, got, c)
			}
		}
	}
	for i, st := range []string{"near", "breached", ""} {
		if got := attrOf(trs[i], "data-state"); got != st {
			t.Errorf("ticket row %d: data-state %q, want %q", i, got, st)
		}
	}
	if a := find(children(trs[0], atom.Td)[0], atom.A); attrOf(a, "href") != "/tickets/t1" {
		t.Errorf("ticket link %q", attrOf(a, "href"))
	}
	if a := find(children(trs[0], atom.Td)[2], atom.A); attrOf(a, "href") != "/customers/c%3C1%3E" {
		t.Errorf("customer link %q", attrOf(a, "href"))
	}
	// The badges as the templates draw them.
	tdStatus, tdType := children(trs[0], atom.Td)[3], children(trs[0], atom.Td)[1]
	if b := find(tdStatus, atom.Span); attrOf(b, "class") != "badge bg-yellow-lt" || attrOf(b, "data-status") != "new" {
		t.Errorf("status badge %v", attrs(b))
	}
	if b := find(children(trs[1], atom.Td)[3], atom.Span); attrOf(b, "class") != "badge bg-purple-lt" {
		t.Errorf("dispatched badge %v", attrs(b))
	}
	var unknown htmlWriter
	if ticketStatusBadge(&unknown, "weird", "?"); unknown.String() != `<span class="badge bg-secondary-lt" data-status="weird">?</span>` {
		t.Errorf("an unknown status's badge: %s", unknown.String())
	}
	if b := find(tdType, atom.Span); attrOf(b, "class") != "badge bg-red-lt" || attrOf(b, "data-urgency") != "urgent" {
		t.Errorf("urgency badge %v", attrs(b))
	}
	if b := find(children(trs[1], atom.Td)[1], atom.Span); attrOf(b, "class") != "text-secondary" || attrOf(b, "data-urgency") != "normal" {
		t.Errorf("normal urgency %v", attrs(b))
	}
	var tpl strings.Builder
	if err := s.pages["queue"].ExecuteTemplate(&tpl, "ticket-status", map[string]any{"P": p, "S": "new"}); err != nil {
		t.Fatal(err)
	}
	if got := string(find(tdStatus, atom.Span).FirstChild.Data); tpl.String() != `<span class="badge bg-yellow-lt" data-status="new">`+got+`</span>` {
		t.Errorf("the template's badge %q differs from the row's", tpl.String())
	}

	staff := "s1"
	cs := []tickets.CallbackView{
		{Callback: tickets.Callback{ID: "b1", TicketID: "t1", StaffID: &staff, DueAt: &midnight}, Number: "GD1", Type: "repair", CustomerName: "丙<b>", StaffName: "林雯"},
		{Callback: tickets.Callback{ID: "b2", TicketID: "t2", DueAt: &past}, Number: "GD2", Type: "complaint", CustomerName: "丁"},
	}
	p.callbackRows(cs, loc)
	trs = parseRows(t, string(p.CallbackRows))
	want = [][]string{{"GD1 报修", "丙<b>", "林雯", "2026-12-04 23:59"}, {"GD2 投诉", "丁", "—", "2026-12-02 17:00"}}
	if len(trs) != len(want) || strings.Contains(string(p.CallbackRows), "<b>") {
		t.Fatalf("callback rows: %s", p.CallbackRows)
	}
	for i, w := range want {
		tds := children(trs[i], atom.Td)
		for j, c := range w {
			if got := strings.Join(strings.Fields(text(tds[j])), " "); got != c {
				t.Errorf("callback row %d cell %d = %q, want %q", i, j, got, c)
			}
		}
	}
	if attrOf(trs[0], "data-state") != "running" || attrOf(trs[1], "data-state") != "breached" || attrOf(trs[0], "data-callback-id") != "b1" {
		t.Errorf("callback rows' state: %v %v", attrs(trs[0]), attrs(trs[1]))
	}

	p.ticketRows(nil, loc)
	p.callbackRows(nil, loc)
	if text(parseRows(t, string(p.TicketRows))[0]) != "没有未结工单" || text(parseRows(t, string(p.CallbackRows))[0]) != "没有待回访" {
		t.Errorf("empty tables: %s %s", p.TicketRows, p.CallbackRows)
	}
}

// parseRows parses a tbody's content into its rows.
func parseRows(t *testing.T, s string) []*html.Node {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "tbody", DataAtom: atom.Tbody}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		t.Fatal(err)
	}
	var trs []*html.Node
	for _, n := range nodes {
		if n.DataAtom == atom.Tr {
			trs = append(trs, n)
		}
	}
	return trs
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	if n != nil {
		for _, a := range n.Attr {
			m[a.Key] = a.Val
		}
	}
	return m
}

func attrOf(n *html.Node, key string) string { return attrs(n)[key] }

func children(n *html.Node, a atom.Atom) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == a {
			out = append(out, c)
		}
	}
	return out
}

// find is the first element a under n (depth first), or nil.
func find(n *html.Node, a atom.Atom) *html.Node {
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == a {
			return c
		}
		if f := find(c, a); f != nil {
			return f
		}
	}
	return nil
}

// text is n's text content.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}
