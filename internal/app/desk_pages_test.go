package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/tickets"
)

// TestDeskPagesRender opens the live queue, the communication import and
// the response targets as roles that may see them and as roles that may
// not; the queue lists a WeChat message a minute old with its deadline.
func TestDeskPagesRender(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		now := in.App.Now().Truncate(time.Second)
		res, err := in.App.Comms.Ingest(infoCenter(t, in), []comms.Input{{ExternalID: "wx-q1", Channel: "wechat_group", Direction: "in",
			OccurredAt: now.Add(-time.Minute).Format(time.RFC3339), CustomerID: cid, Conversation: "甲大厦服务群", Summary: "3楼空调漏水"}}, comms.SourceAPI)
		if err != nil || len(res) != 1 {
			t.Fatalf("ingest: %v %+v", err, res)
		}
		q, err := in.App.Comms.Queue(w.as("mgr"), "")
		if err != nil || len(q) != 1 {
			t.Fatalf("queue: %v %+v", err, q)
		}
		clock := q[0]
		deadline := now.Add(2 * time.Minute).UTC().Format(time.RFC3339)
		if clock.Deadline.UTC().Format(time.RFC3339) != deadline {
			t.Fatalf("clock deadline %v, want %s", clock.Deadline, deadline)
		}
		promised := now.Add(2 * time.Hour).Format(time.RFC3339)
		tk, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: cid, Type: "consultation", Channel: "wechat_group",
			Description: "咨询保养计划", PromisedAt: promised})
		if err != nil {
			t.Fatal(err)
		}
		row := `data-clock-key="` + clock.Key + `"`
		for _, tc := range []struct {
			path    string
			allowed map[string][]string // login → texts the page shows
			absent  map[string][]string // login → texts the page must not show
			refused []string
		}{
			{"/queue", map[string][]string{
				"spec": {`id="queue"`, row, `data-deadline="` + deadline + `"`, `data-state="running"`, `<td class="countdown">剩余 `, "3楼空调漏水",
					"甲大厦", "/customers/" + cid, "甲大厦服务群", "微信消息", `hx-trigger="every 5s"`, `href="/queue"`, "待响应",
					`data-ticket-id="` + tk.ID + `" data-state="near"`, tk.Number},
				"mgr":  {row, `data-testid="queue-filter"`, `name="staff"`, "spec2", tk.Number},
				"exec": {row},
			}, map[string][]string{"spec": {`data-testid="queue-filter"`}, "spec2": {row, tk.Number}}, []string{"tech", "fin"}},
			{"/queue?staff=" + w.staff["spec2"].ID, nil, map[string][]string{"mgr": {row, tk.Number}}, nil},
			{"/queue?staff=" + w.staff["spec"].ID, map[string][]string{"mgr": {row, tk.Number}}, nil, nil},
			{"/communications/import", map[string][]string{"mgr": {`action="/communications/import"`, `name="kind"`, `list="comm-import-sources"`,
				`value="skip" checked`, "/communications/import/template/pbx", "/communications/import/template/wechat"}},
				nil, []string{"spec", "exec", "tech", "fin"}},
			{"/communications", map[string][]string{"mgr": {`href="/communications/import"`}}, map[string][]string{"spec": {`href="/communications/import"`}}, nil},
			{"/admin/response-policy", map[string][]string{"mgr": {`data-testid="response-policy-form"`, `name="wechat.limit" value="3"`,
				`name="missed_call.limit" value="30"`, `name="chat.near" value="40"`, "只计工作时间", `href="/admin/response-policy"`}},
				nil, []string{"spec", "exec", "tech", "fin"}},
			{"/admin/tickets-policy", map[string][]string{"mgr": {`href="/admin/response-policy"`}}, nil, nil},
		} {
			for login, texts := range tc.allowed {
				status, body := w.do(http.MethodGet, tc.path, login, nil)
				if status != http.StatusOK {
					t.Errorf("%s as %s: status %d, want 200: %s", tc.path, login, status, errorText(body))
					continue
				}
				for _, want := range texts {
					if !strings.Contains(html.UnescapeString(body), want) {
						t.Errorf("%s as %s: page lacks %q", tc.path, login, want)
					}
				}
			}
			for login, texts := range tc.absent {
				status, body := w.do(http.MethodGet, tc.path, login, nil)
				if status != http.StatusOK {
					t.Errorf("%s as %s: status %d, want 200", tc.path, login, status)
				}
				for _, not := range texts {
					if strings.Contains(html.UnescapeString(body), not) {
						t.Errorf("%s as %s: page shows %q", tc.path, login, not)
					}
				}
			}
			for _, login := range tc.refused {
				if status, _ := w.do(http.MethodGet, tc.path, login, nil); status != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403", tc.path, login, status)
				}
			}
		}

		// The polling partial: the rows only.
		status, rows := w.htmx("/queue", "spec")
		if status != http.StatusOK || !strings.Contains(rows, row) || strings.Contains(rows, "<html") || strings.Contains(rows, tk.Number) {
			t.Errorf("queue rows partial: status %d: %.300s", status, rows)
		}
		// A staff reply answers the message: off the queue.
		if _, err := in.App.Comms.Ingest(infoCenter2(t, in), []comms.Input{{ExternalID: "wx-q2", Channel: "wechat_group", Direction: "out",
			OccurredAt: now.Format(time.RFC3339), CustomerID: cid, Conversation: "甲大厦服务群", StaffLogin: "spec", Summary: "已安排维修"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if _, rows := w.htmx("/queue", "spec"); strings.Contains(rows, row) || !strings.Contains(rows, "没有待响应") {
			t.Error("the answered message is still on the queue")
		}

		resp, b := w.get("/communications/import/template/pbx", "mgr")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("pbx template: status %d", resp.StatusCode)
		}
		assertXLSXHeader(t, b, "主叫号码")
		resp, b = w.get("/communications/import/template/wechat", "mgr")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("wechat template: status %d", resp.StatusCode)
		}
		assertXLSXHeader(t, b, "会话")
		if resp, _ := w.get("/communications/import/template/fax", "mgr"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown template: status %d, want 404", resp.StatusCode)
		}
	})
}

// infoCenter2 is a second machine-feed context (infoCenter creates the
// login "info", so it is called once per instance).
func infoCenter2(t *testing.T, in *apptest.Instance) context.Context {
	t.Helper()
	sys := access.With(context.Background(), access.System())
	st, err := in.App.Org.CreateStaff(sys, org.StaffInput{Login: "info2", Name: "信息中心 2", Roles: []access.Role{access.InfoCenter}})
	if err != nil {
		t.Fatal(err)
	}
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Name: st.Name, Roles: st.Roles})
}

// TestUnregisteredFlagPage flags a matched record as a request never
// registered and takes the flag back, through the list's row forms.
func TestUnregisteredFlagPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		at, _ := commsAt(in)
		rec, err := in.App.Comms.Add(w.as("spec"), comms.Input{CustomerID: cid, Channel: "phone_in", Direction: "in", OccurredAt: at,
			Summary: "客户来电要求更换滤网"})
		if err != nil {
			t.Fatal(err)
		}
		flagForm := `action="/communications/` + rec.ID + `/unregistered"`
		if _, body := w.do(http.MethodGet, "/communications", "mgr", nil); !strings.Contains(body, flagForm) {
			t.Fatal("the manager's list offers no flag form for the record")
		}
		for _, login := range []string{"spec", "exec"} {
			if _, body := w.do(http.MethodGet, "/communications", login, nil); strings.Contains(body, flagForm) {
				t.Errorf("%s sees the flag form", login)
			}
		}
		back := "/communications?customer=" + cid
		if status, _ := w.do(http.MethodPost, "/communications/"+rec.ID+"/unregistered", "spec", url.Values{"reason": {"x"}, "back": {back}}); status != http.StatusForbidden {
			t.Errorf("a specialist flags: status %d, want 403", status)
		}
		// No reason: the error, the row's form open.
		status, body := w.do(http.MethodPost, "/communications/"+rec.ID+"/unregistered", "mgr", url.Values{"reason": {" "}, "back": {back}})
		if status != http.StatusBadRequest || !strings.Contains(body, "原因：") || !strings.Contains(body, `<details class="mt-1" open>`) {
			t.Errorf("no reason: status %d, error %q", status, errorText(body))
		}
		resp, _ := w.post("/communications/"+rec.ID+"/unregistered", "mgr", url.Values{"reason": {"来电报修未登记工单"}, "back": {back}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != back {
			t.Fatalf("flag: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		got, err := in.App.Comms.Get(w.as("mgr"), rec.ID)
		if err != nil || got.Unregistered == nil || got.UnregReason != "来电报修未登记工单" {
			t.Fatalf("flagged record: %v %+v", err, got)
		}
		_, body = w.do(http.MethodGet, back, "mgr", nil)
		if !strings.Contains(body, `data-testid="comm-unregistered">未登记：来电报修未登记工单`) ||
			!strings.Contains(body, `action="/communications/`+rec.ID+`/unregistered/delete"`) || strings.Contains(body, flagForm+` `) {
			t.Error("the flagged row shows no badge with the reason, or no withdraw form")
		}
		if _, body := w.do(http.MethodGet, "/communications", "spec", nil); !strings.Contains(body, "未登记：来电报修未登记工单") ||
			strings.Contains(body, "/unregistered/delete") {
			t.Error("the specialist sees no badge, or the withdraw form")
		}
		status, body = w.do(http.MethodPost, "/communications/"+rec.ID+"/unregistered", "mgr", url.Values{"reason": {"again"}})
		if status != http.StatusConflict || !strings.Contains(body, "已标记") {
			t.Errorf("second flag: status %d, error %q, want 409", status, errorText(body))
		}

		// Withdrawing needs a reason too.
		if status, body := w.do(http.MethodPost, "/communications/"+rec.ID+"/unregistered/delete", "mgr", url.Values{"back": {back}}); status != http.StatusBadRequest ||
			!strings.Contains(body, "原因：") {
			t.Errorf("withdraw without a reason: status %d, error %q", status, errorText(body))
		}
		if status, _ := w.do(http.MethodPost, "/communications/"+rec.ID+"/unregistered/delete", "spec", url.Values{"reason": {"x"}}); status != http.StatusForbidden {
			t.Errorf("a specialist withdraws: status %d, want 403", status)
		}
		resp, _ = w.post("/communications/"+rec.ID+"/unregistered/delete", "mgr", url.Values{"reason": {"已补登记工单"}, "back": {"https://evil.example/"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/communications" {
			t.Fatalf("withdraw: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if got, err := in.App.Comms.Get(w.as("mgr"), rec.ID); err != nil || got.Unregistered != nil {
			t.Fatalf("withdrawn record: %v %+v", err, got)
		}
		if _, body := w.do(http.MethodGet, "/communications", "mgr", nil); !strings.Contains(body, flagForm) || strings.Contains(body, "未登记：") {
			t.Error("after withdrawing: the badge stays, or the flag form is gone")
		}
	})
}

// TestCommImportPage imports a PBX call log through the page: the dry run
// reports created, unmatched and the bad row with its column, and the
// mapping; applying the staged file stores the records (a missed call
// opens its clock); the same file again changes nothing.
func TestCommImportPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		at := in.App.Now().In(in.App.Location()).Add(-10 * time.Minute).Format(time.DateTime)
		csv := "主叫号码,被叫号码,开始时间,是否接通,通话时长,坐席\n" +
			"13800000001,8001," + at + ",否,0,\n" +
			"13900000077,8002," + at + ",是,65,spec\n" +
			"13900000078,8002,2026-13-45 10:00,是,10,spec\n"
		fields := url.Values{"step": {"preview"}, "kind": {"pbx"}, "source": {"总机话单"}, "mode": {"skip"}}
		if status, _ := w.upload("/communications/import", "spec", fields, "话单.csv", csv); status != http.StatusForbidden {
			t.Errorf("a specialist imports: status %d, want 403", status)
		}
		status, body := w.upload("/communications/import", "mgr", fields, "话单.csv", csv)
		if status != http.StatusOK {
			t.Fatalf("dry run: status %d: %s", status, errorText(body))
		}
		for _, want := range []string{`data-testid="import-created">2<`, `data-testid="import-unmatched">1<`, `data-testid="import-error-count">1<`,
			"<td>4</td><td>开始时间</td>", `<tr data-header="主叫号码"><td>主叫号码</td><td data-column="caller">`, `<option value="caller" selected>主叫号码</option>`,
			`<tr data-header="坐席"><td>坐席</td><td data-column="agent">`, `data-testid="import-remap"`, `name="column" value="agent"`,
			"预览", `data-testid="import-apply"`, `name="source" value="总机话单"`} {
			if !strings.Contains(body, want) {
				t.Errorf("dry run lacks %q", want)
			}
		}
		if page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{CustomerID: cid}); err != nil || len(page.Items) != 0 {
			t.Fatalf("the dry run stored records: %v", err)
		}
		km := hiddenKeyRE.FindStringSubmatch(body)
		if km == nil {
			t.Fatal("no staged key")
		}
		apply := url.Values{"step": {"apply"}, "key": {km[1]}, "name": {"话单.csv"}, "kind": {"pbx"}, "source": {"总机话单"}, "mode": {"skip"}}
		status, body = w.upload("/communications/import", "mgr", apply, "", "")
		if status != http.StatusOK || !strings.Contains(body, "已导入") || !strings.Contains(body, `data-testid="import-created">2<`) ||
			strings.Contains(body, `data-testid="import-apply"`) {
			t.Fatalf("apply: status %d: %s", status, errorText(body))
		}
		page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{CustomerID: cid})
		if err != nil || len(page.Items) != 1 || page.Items[0].Channel != "phone_missed" || page.Items[0].Source != comms.SourceImport {
			t.Fatalf("imported records of the customer: %v %+v", err, page)
		}
		if kind, m, err := in.App.Comms.SourceMapping(w.as("mgr"), "总机话单"); err != nil || kind != "pbx" || len(m) == 0 {
			t.Errorf("the source's mapping is not remembered: %v %q %v", err, kind, m)
		}
		if _, body := w.do(http.MethodGet, "/queue", "spec", nil); !strings.Contains(body, "未接来电") || !strings.Contains(body, "13800000001") {
			t.Error("the imported missed call is not on the owner's queue")
		}
		// The same file again: nothing new, nothing to apply.
		status, body = w.upload("/communications/import", "mgr", fields, "话单.csv", csv)
		if status != http.StatusOK || !strings.Contains(body, `data-testid="import-created">0<`) || !strings.Contains(body, `data-testid="import-unchanged">2<`) ||
			strings.Contains(body, `data-testid="import-apply"`) {
			t.Errorf("second dry run: status %d: %s", status, errorText(body))
		}
		// No file, and a file of the wrong kind: the error on the form.
		status, body = w.upload("/communications/import", "mgr", fields, "", "")
		if status != http.StatusBadRequest || !strings.Contains(body, "文件：") {
			t.Errorf("no file: status %d, error %q", status, errorText(body))
		}
		fields.Set("kind", "fax")
		status, body = w.upload("/communications/import", "mgr", fields, "话单.csv", csv)
		if status != http.StatusBadRequest || !strings.Contains(body, "文件类型：") {
			t.Errorf("bad kind: status %d, error %q", status, errorText(body))
		}
	})
}

// TestCommImportRemap renames a header so that it matches no column: the
// dry run cannot read the file and shows its headers to map; mapped in the
// form, the dry run again reads every row, the apply imports them with
// that mapping and the source remembers it (the next file of the source
// needs no mapping).
func TestCommImportRemap(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		at := in.App.Now().In(in.App.Location()).Add(-10 * time.Minute).Format(time.DateTime)
		csv := "来电号,被叫号码,开始时间,是否接通,通话时长,备注\n" +
			"13800000001,8001," + at + ",否,0,x\n" +
			"13900000077,8002," + at + ",是,65,y\n"
		fields := url.Values{"step": {"preview"}, "kind": {"pbx"}, "source": {"新总机"}, "mode": {"skip"}}
		status, body := w.upload("/communications/import", "mgr", fields, "话单.csv", csv)
		if status != http.StatusBadRequest || !strings.Contains(body, "主叫号码") {
			t.Fatalf("unmapped dry run: status %d, error %q", status, errorText(body))
		}
		for _, want := range []string{`data-testid="import-unmapped"`, `<tr data-header="来电号"><td>来电号</td><td data-column="-">`,
			`<tr data-header="被叫号码"><td>被叫号码</td><td data-column="callee">`, `<tr data-header="备注"><td>备注</td><td data-column="-">`,
			`<option value="-" selected>不导入</option>`, `value="remap"`, "重新预览"} {
			if !strings.Contains(body, want) {
				t.Errorf("unmapped dry run lacks %q", want)
			}
		}
		km := hiddenKeyRE.FindStringSubmatch(body)
		if km == nil {
			t.Fatal("the unmapped file is not kept staged")
		}
		key := html.UnescapeString(km[1])
		mapping := func(step string) url.Values {
			return url.Values{"step": {step}, "key": {key}, "name": {"话单.csv"}, "kind": {"pbx"}, "source": {"新总机"}, "mode": {"skip"},
				"header": {"来电号", "被叫号码", "开始时间", "是否接通", "通话时长", "备注"},
				"column": {"caller", "callee", "start", "answered", "duration", "-"}}
		}
		if status, _ := w.upload("/communications/import", "spec", mapping("remap"), "", ""); status != http.StatusForbidden {
			t.Errorf("a specialist re-runs: status %d, want 403", status)
		}
		status, body = w.upload("/communications/import", "mgr", mapping("remap"), "", "")
		if status != http.StatusOK {
			t.Fatalf("remapped dry run: status %d: %s", status, errorText(body))
		}
		for _, want := range []string{`data-testid="import-created">2<`, `data-testid="import-error-count">0<`, `<td data-column="caller">`,
			`<option value="caller" selected>主叫号码</option>`, `data-testid="import-apply"`, `<input type="hidden" name="header" value="来电号"><input type="hidden" name="column" value="caller">`} {
			if !strings.Contains(body, want) {
				t.Errorf("remapped dry run lacks %q", want)
			}
		}
		if page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{Conversation: "13800000001"}); err != nil || len(page.Items) != 0 {
			t.Fatalf("the remapped dry run stored records: %v", err)
		}
		status, body = w.upload("/communications/import", "mgr", mapping("apply"), "", "")
		if status != http.StatusOK || !strings.Contains(body, "已导入") || !strings.Contains(body, `data-testid="import-created">2<`) {
			t.Fatalf("apply: status %d: %s", status, errorText(body))
		}
		if page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{Conversation: "13800000001"}); err != nil || len(page.Items) != 1 {
			t.Fatalf("imported records: %v %+v", err, page)
		}
		if kind, m, err := in.App.Comms.SourceMapping(w.as("mgr"), "新总机"); err != nil || kind != "pbx" || m["来电号"] != "caller" {
			t.Errorf("the source's mapping is not remembered: %v %q %v", err, kind, m)
		}
		// The next file of the source: the remembered mapping, prefilled.
		csv2 := "来电号,被叫号码,开始时间,是否接通,通话时长,备注\n13800000002,8001," + at + ",否,0,z\n"
		status, body = w.upload("/communications/import", "mgr", fields, "话单2.csv", csv2)
		if status != http.StatusOK || !strings.Contains(body, `data-testid="import-created">1<`) ||
			!strings.Contains(body, `<tr data-header="来电号"><td>来电号</td><td data-column="caller">`) {
			t.Errorf("next file of the source: status %d: %s", status, errorText(body))
		}
	})
}

// TestQueueReply logs 已回复/已回拨 from the queue's rows: a WeChat reply in
// the message's conversation for the customer of the clock, a call back
// to the number of an unmatched missed call; each row leaves the queue.
// A specialist is refused (on the row's form) a reply whose number now
// belongs to another's customer; a manager logs it.
func TestQueueReply(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		now := in.App.Now().Truncate(time.Second)
		feed := infoCenter(t, in)
		if _, err := in.App.Comms.Ingest(feed, []comms.Input{
			{ExternalID: "wx-r1", Channel: "wechat_private", Direction: "in", OccurredAt: now.Add(-time.Minute).Format(time.RFC3339), CustomerID: cid,
				Conversation: "wxid_wang", Counterpart: "wxid_wang", Summary: "电梯异响"},
			{ExternalID: "call-r1", Channel: "phone_missed", OccurredAt: now.Add(-2 * time.Minute).Format(time.RFC3339), Counterpart: "13700000099"},
			{ExternalID: "call-r2", Channel: "phone_missed", OccurredAt: now.Add(-3 * time.Minute).Format(time.RFC3339), Counterpart: "13600000066"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		q, err := in.App.Comms.Queue(w.as("mgr"), "")
		if err != nil || len(q) != 3 {
			t.Fatalf("queue: %v %+v", err, q)
		}
		key := map[string]string{}
		for _, it := range q {
			key[it.Conversation] = it.Key
		}
		_, body := w.do(http.MethodGet, "/queue", "spec", nil)
		// One reply form for the page, copied into a row when it is opened
		// (kefu.js); each row carries its key and its action's name.
		if n := strings.Count(body, `action="/queue/reply"`); n != 1 {
			t.Errorf("the queue carries %d reply forms, want one for the page", n)
		}
		for _, want := range []string{`<template id="queue-reply"`, `data-clock-key="` + key["wxid_wang"] + `"`, "<details data-reply>", "已回复", "已回拨", "data-hold-open"} {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("queue lacks %q", want)
			}
		}
		// The reply time offered is now, to the second (the page is drawn a
		// moment after now was read: a second may have passed).
		m := regexp.MustCompile(`name="occurred_at" value="([0-9T:-]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Error("queue lacks the reply time")
		} else if at, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], in.App.Location()); err != nil || at.Before(now) || at.After(now.Add(30*time.Second)) {
			t.Errorf("reply time %q, want now (%v) to the second", m[1], now.In(in.App.Location()))
		}
		if _, body := w.do(http.MethodGet, "/queue", "exec", nil); strings.Contains(body, `action="/queue/reply"`) {
			t.Error("an executive is offered the reply form")
		}
		at := now.In(in.App.Location()).Format("2006-01-02T15:04:05")
		reply := func(k string) url.Values {
			return url.Values{"key": {k}, "occurred_at": {at}, "summary": {"已回复客户"}}
		}
		for _, login := range []string{"exec", "tech", "fin"} {
			if status, _ := w.do(http.MethodPost, "/queue/reply", login, reply(key["wxid_wang"])); status != http.StatusForbidden {
				t.Errorf("%s replies: status %d, want 403", login, status)
			}
		}
		// No time: the error on the row's form, kept open.
		bad := reply(key["wxid_wang"])
		bad.Set("occurred_at", "")
		status, body := w.do(http.MethodPost, "/queue/reply", "spec", bad)
		if status != http.StatusBadRequest || !strings.Contains(body, "时间：") || !strings.Contains(html.UnescapeString(body), `<details data-reply open>`) || !strings.Contains(html.UnescapeString(body), `name="key" value="`+key["wxid_wang"]+`"`) {
			t.Errorf("no time: status %d, error %q", status, errorText(body))
		}

		resp, body := w.post("/queue/reply", "spec", reply(key["wxid_wang"]))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/queue" {
			t.Fatalf("WeChat reply: status %d: %s", resp.StatusCode, errorText(body))
		}
		page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{Conversation: "wxid_wang"})
		if err != nil || len(page.Items) != 2 || page.Items[0].Channel != "wechat_private" || page.Items[0].Direction != "out" ||
			page.Items[0].CustomerID == nil || *page.Items[0].CustomerID != cid || page.Items[0].StaffID == nil || *page.Items[0].StaffID != w.staff["spec"].ID {
			t.Fatalf("the WeChat reply: %v %+v", err, page.Items)
		}
		resp, body = w.post("/queue/reply", "spec", reply(key["13700000099"]))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("call back: status %d: %s", resp.StatusCode, errorText(body))
		}
		page, err = in.App.Comms.List(w.as("mgr"), comms.Filter{Conversation: "13700000099"})
		if err != nil || len(page.Items) != 2 || page.Items[0].Channel != "phone_out" || page.Items[0].CustomerID != nil {
			t.Fatalf("the call back: %v %+v", err, page.Items)
		}
		_, rows := w.htmx("/queue", "spec")
		if strings.Contains(rows, key["wxid_wang"]) || strings.Contains(rows, key["13700000099"]) || !strings.Contains(rows, key["13600000066"]) {
			t.Errorf("after the replies the queue rows are wrong: %.500s", rows)
		}
		// Answered already: nothing logged, back to the queue.
		if resp, _ := w.post("/queue/reply", "spec", reply(key["wxid_wang"])); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("replying to a gone row: status %d", resp.StatusCode)
		}
		if page, _ := in.App.Comms.List(w.as("mgr"), comms.Filter{Conversation: "wxid_wang"}); len(page.Items) != 2 {
			t.Errorf("a second reply was logged: %d records", len(page.Items))
		}

		// The unmatched number now belongs to spec's customer: spec2 may
		// not log a call back to it; the manager may.
		if _, err := in.App.Customers.AddContact(w.as("mgr"), cid, customers.ContactInput{Name: "李工", Phone: "13600000066"}); err != nil {
			t.Fatal(err)
		}
		status, body = w.do(http.MethodPost, "/queue/reply", "spec2", reply(key["13600000066"]))
		if status != http.StatusForbidden || !strings.Contains(body, "只能登记自己分管客户") || !strings.Contains(html.UnescapeString(body), `<details data-reply open>`) || !strings.Contains(html.UnescapeString(body), `name="key" value="`+key["13600000066"]+`"`) {
			t.Errorf("spec2 calls back another's customer: status %d, error %q", status, errorText(body))
		}
		resp, body = w.post("/queue/reply", "mgr", url.Values{"key": {key["13600000066"]}, "occurred_at": {at}, "summary": {"经理回拨"}, "staff": {""}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("manager's call back: status %d: %s", resp.StatusCode, errorText(body))
		}
		if _, rows := w.htmx("/queue", "mgr"); !strings.Contains(rows, "没有待响应") {
			t.Errorf("the queue is not empty: %.500s", rows)
		}
	})
}

// TestResponsePolicyPage saves the response targets in minutes and
// seconds, and shows a bad value on its field.
func TestResponsePolicyPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		form := url.Values{
			"wechat.limit": {"5"}, "wechat.limit_unit": {"min"}, "wechat.near": {"4"}, "wechat.near_unit": {"min"}, "wechat.working_time": {"1"},
			"missed_call.limit": {"30"}, "missed_call.limit_unit": {"min"}, "missed_call.near": {"20"}, "missed_call.near_unit": {"min"},
			"chat.limit": {"90"}, "chat.limit_unit": {"s"}, "chat.near": {"0"}, "chat.near_unit": {"s"},
		}
		if status, _ := w.do(http.MethodPost, "/admin/response-policy", "spec", form); status != http.StatusForbidden {
			t.Errorf("a specialist saves: status %d, want 403", status)
		}
		// A warning after the limit: the domain's error on that field.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("wechat.near", "6")
		status, body := w.do(http.MethodPost, "/admin/response-policy", "mgr", bad)
		if status != http.StatusBadRequest {
			t.Fatalf("near after limit: status %d, want 400", status)
		}
		for _, want := range []string{"微信消息 · 预警时间：", `class="form-control is-invalid" type="number" min="0" step="1" id="wechat.near" name="wechat.near" value="6"`,
			`data-testid="field-error">微信消息 · 预警时间：`, `name="chat.limit" value="90"`} {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("near after limit: page lacks %q (error %q)", want, errorText(body))
			}
		}
		if strings.Contains(body, `id="wechat.limit" name="wechat.limit" value="5" required aria-invalid`) {
			t.Error("the limit field is marked invalid too")
		}
		// Not a number: said on the field before the domain is asked.
		bad = url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("chat.limit", "一分钟")
		status, body = w.do(http.MethodPost, "/admin/response-policy", "mgr", bad)
		if status != http.StatusBadRequest || !strings.Contains(body, "在线咨询 · 响应时限：") || !strings.Contains(body, `id="chat.limit-error"`) {
			t.Errorf("not a number: status %d, error %q", status, errorText(body))
		}
		if pol, _ := in.App.Comms.Policy(w.as("mgr")); pol != comms.DefaultPolicy() {
			t.Fatalf("a refused form changed the policy: %+v", pol)
		}

		resp, body := w.post("/admin/response-policy", "mgr", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/response-policy" {
			t.Fatalf("save: status %d: %s", resp.StatusCode, errorText(body))
		}
		want := comms.Policy{WeChat: comms.RulePolicy{LimitS: 300, NearS: 240, WorkingTime: true}, MissedCall: comms.RulePolicy{LimitS: 1800, NearS: 1200},
			Chat: comms.RulePolicy{LimitS: 90}}
		if pol, err := in.App.Comms.Policy(w.as("mgr")); err != nil || pol != want {
			t.Fatalf("saved policy %+v (%v), want %+v", pol, err, want)
		}
		_, body = w.do(http.MethodGet, "/admin/response-policy", "mgr", nil)
		for _, want := range []string{`name="wechat.limit" value="5"`, `name="wechat.working_time" value="1" checked`, `name="chat.limit" value="90"`,
			`<option value="s" selected>秒</option>`} {
			if !strings.Contains(body, want) {
				t.Errorf("saved form lacks %q", want)
			}
		}
	})
}

// TestDeriveMonthForm derives a month again from the response-targets
// page: a specialist may not, a bad month is said on its field, and the
// manager's run applies a changed target to the month's stored clocks (a
// message unanswered for 10 minutes is no longer a breach under a
// 30-minute target: its event is withdrawn).
func TestDeriveMonthForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		at := in.App.Now().In(in.App.Location()).Add(-10 * time.Minute)
		if _, err := in.App.Comms.Ingest(infoCenter(t, in), []comms.Input{{ExternalID: "wx-derive", Channel: "wechat_group", Direction: "in",
			OccurredAt: at.Format(time.DateTime), Conversation: "wxg-derive"}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		standing := func() int {
			t.Helper()
			var n int
			if err := in.App.DB().R().NewRaw(`SELECT COUNT(*) FROM events WHERE type = 'wechat_timeout' AND withdrawn_at IS NULL
				AND computed_key LIKE '%wxg-derive%'`).Scan(context.Background(), &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := standing(); n != 1 {
			t.Fatalf("the unanswered message gives %d breaches, want 1", n)
		}
		pol := comms.DefaultPolicy()
		pol.WeChat = comms.RulePolicy{LimitS: 1800, NearS: 1200}
		if err := in.App.Comms.SavePolicy(w.as("mgr"), pol); err != nil {
			t.Fatal(err)
		}
		month := at.Format("2006-01")
		if status, _ := w.do(http.MethodPost, "/admin/response-policy/derive", "spec", url.Values{"month": {month}}); status != http.StatusForbidden {
			t.Errorf("a specialist derives: status %d, want 403", status)
		}
		status, body := w.do(http.MethodPost, "/admin/response-policy/derive", "mgr", url.Values{"month": {"2026-13"}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="derive-month-error"`) || !strings.Contains(body, "月份：月份格式应为 YYYY-MM") ||
			!strings.Contains(body, `name="month" value="2026-13"`) || !strings.Contains(body, `data-testid="response-policy-form"`) {
			t.Errorf("bad month: status %d, error %q", status, errorText(body))
		}
		if n := standing(); n != 1 {
			t.Fatalf("refused forms changed the events: %d breaches standing", n)
		}
		resp, body := w.post("/admin/response-policy/derive", "mgr", url.Values{"month": {month}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/response-policy" {
			t.Fatalf("derive: status %d: %s", resp.StatusCode, errorText(body))
		}
		if n := standing(); n != 0 {
			t.Errorf("after deriving under a 30-minute target %d breaches stand, want 0", n)
		}
		_, body = w.do(http.MethodGet, "/admin/response-policy", "mgr", nil)
		if !strings.Contains(body, `data-testid="derive-month-form"`) || !strings.Contains(body, `name="month" value="`+in.App.Now().In(in.App.Location()).Format("2006-01")+`"`) {
			t.Error("the page lacks the derive form with this month")
		}
	})
}
