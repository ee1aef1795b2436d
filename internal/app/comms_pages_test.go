package app_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/comms"
	"kefu/internal/org"
)

// htmx sends a GET as htmx does and returns status and body.
func (w *contractWorld) htmx(path, login string) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.in.URL+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// commsAt is a time an hour ago in the company's zone, as the quick-log's
// datetime-local field sends it and as the pages show it.
func commsAt(in *apptest.Instance) (form, shown string) {
	t := in.App.Now().In(in.App.Location()).Add(-time.Hour).Truncate(time.Second)
	return t.Format("2006-01-02T15:04:05"), t.Format(time.DateTime)
}

// infoCenter is a context acting as a new 信息中心 login (the machine
// feeds' role).
func infoCenter(t *testing.T, in *apptest.Instance) context.Context {
	t.Helper()
	sys := access.With(context.Background(), access.System())
	st, err := in.App.Org.CreateStaff(sys, org.StaffInput{Login: "info", Name: "信息中心", Roles: []access.Role{access.InfoCenter}})
	if err != nil {
		t.Fatal(err)
	}
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Name: st.Name, Roles: st.Roles})
}

// TestCommPagesRender opens the communication pages as roles that may
// see them and as roles that may not.
func TestCommPagesRender(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		at, shown := commsAt(in)
		if _, err := in.App.Comms.Add(w.as("spec"), comms.Input{CustomerID: cid, Channel: "phone_out", Direction: "out", OccurredAt: at,
			Summary: "回访空调运行情况", Tags: []string{"callback"}}); err != nil {
			t.Fatal(err)
		}
		d := int64(192)
		if _, err := in.App.Comms.Ingest(infoCenter(t, in), []comms.Input{{ExternalID: "pbx-1", Channel: "phone_missed", OccurredAt: at,
			Counterpart: "13900000009", DurationS: &d}}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			path    string
			allowed map[string][]string // login → texts the page shows
			absent  map[string][]string // login → texts the page must not show
			refused []string
		}{
			{"/communications", map[string][]string{
				"mgr":  {"回访空调运行情况", "甲大厦", "/customers/" + cid, shown, "去电", "我方→客户", "界面", "回访", "13900000009", "未接来电", "接口", "3分12秒", `data-testid="comm-log-form"`, `data-testid="comm-match"`},
				"spec": {"回访空调运行情况", `data-testid="comm-log-form"`, `data-testid="comm-match"`, `href="/communications"`},
				"exec": {"回访空调运行情况", "13900000009"},
			}, map[string][]string{"exec": {`data-testid="comm-log-form"`, `data-testid="comm-match"`}}, []string{"tech", "fin"}},
			{"/communications?unmatched=1", map[string][]string{"spec": {"13900000009", `value="1" checked`}},
				map[string][]string{"spec": {"回访空调运行情况"}}, nil},
			{"/communications?customer=" + cid + "&channel=phone_out&tag=callback&from=" + at[:10] + "&to=" + at[:10],
				map[string][]string{"mgr": {"回访空调运行情况"}}, map[string][]string{"mgr": {"13900000009"}}, nil},
			{"/customers/" + cid, map[string][]string{
				"spec": {`data-testid="customer-comms"`, "回访空调运行情况", shown, `data-testid="comm-log-form"`, "/communications?customer=" + cid, "王总"},
				"exec": {"回访空调运行情况"},
			}, map[string][]string{"exec": {`data-testid="comm-log-form"`}, "spec2": {`data-testid="comm-log-form"`},
				"tech": {`data-testid="customer-comms"`, `href="/communications"`}}, nil},
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
		resp, err := noRedirect.Get(in.URL + "/communications")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: status %d to %q, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
		}
		if status, _ := w.do(http.MethodGet, "/communications?from=2026-02-30", "mgr", nil); status != http.StatusBadRequest {
			t.Errorf("bad date: status %d, want 400", status)
		}
	})
}

// TestCommKeysetMore pages through more records than one page holds.
func TestCommKeysetMore(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		base := in.App.Now().Add(-2 * time.Hour).Truncate(time.Second)
		var batch []comms.Input
		for i := range 60 {
			batch = append(batch, comms.Input{ExternalID: "wx-" + itoa(int64(i)), Channel: "wechat_private", Direction: "in",
				OccurredAt: base.Add(time.Duration(i) * time.Second).Format(time.RFC3339), Counterpart: "wxid_x", Summary: "消息 " + itoa(int64(i)) + " 号"})
		}
		if _, err := in.App.Comms.Ingest(infoCenter(t, in), batch, comms.SourceImport); err != nil {
			t.Fatal(err)
		}
		_, body := w.do(http.MethodGet, "/communications?channel=wechat_private", "mgr", nil)
		if !strings.Contains(body, "消息 59 号") || strings.Contains(body, "消息 9 号") || !strings.Contains(body, `id="more-row"`) || !strings.Contains(body, "导入") {
			t.Fatal("first page: newest 50 with a more row expected")
		}
		i := strings.Index(body, `hx-get="/communications?`)
		more, _, _ := strings.Cut(body[i+len(`hx-get="`):], `"`)
		status, rows := w.htmx(html.UnescapeString(more), "mgr")
		if status != http.StatusOK || !strings.Contains(rows, "消息 9 号") || !strings.Contains(rows, "消息 0 号") || strings.Contains(rows, "消息 10 号") ||
			strings.Contains(rows, `id="more-row"`) || strings.Contains(rows, "<html") {
			t.Errorf("more rows (%s): status %d, the oldest 10 as rows only expected", more, status)
		}
	})
}

// TestCommQuickLog logs a record on the customer page and on the list,
// shows a bad time with what was typed, and refuses another specialist's
// customer.
func TestCommQuickLog(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		at, shown := commsAt(in)
		cts, err := in.App.Customers.Contacts(w.as("spec"), cid)
		if err != nil || len(cts) != 1 {
			t.Fatalf("contacts: %v %d", err, len(cts))
		}
		form := url.Values{"channel": {"wechat_private"}, "direction": {"in"}, "occurred_at": {at}, "contact_id": {cts[0].ID},
			"summary": {"王总微信询问滤网更换"}, "tags": {"complaint，续约"}}
		resp, _ := w.post("/customers/"+cid+"/communications", "spec", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/customers/"+cid+"?tab=comms" {
			t.Fatalf("quick-log: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{CustomerID: cid})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("stored: %v %d", err, len(page.Items))
		}
		r := page.Items[0]
		if r.StaffID == nil || *r.StaffID != w.staff["spec"].ID || r.ContactID == nil || *r.ContactID != cts[0].ID || r.Source != comms.SourceUI ||
			strings.Join(r.Tags, ",") != "complaint,续约" || r.OccurredAt.In(in.App.Location()).Format(time.DateTime) != shown {
			t.Errorf("stored record: %+v", r.Record)
		}
		for _, path := range []string{"/communications", "/customers/" + cid + "?tab=comms"} {
			_, body := w.do(http.MethodGet, path, "spec", nil)
			for _, want := range []string{"王总微信询问滤网更换", shown, "微信私聊", "客户→我方", "投诉", "续约", "王总", "spec"} {
				if !strings.Contains(html.UnescapeString(body), want) {
					t.Errorf("%s lacks %q", path, want)
				}
			}
		}

		// A bad time: the field's error, the form open, what was typed kept.
		form.Set("occurred_at", "2026-13-45T10:00")
		form.Set("summary", "时间写错的记录")
		status, body := w.do(http.MethodPost, "/customers/"+cid+"/communications", "spec", form)
		if status != http.StatusBadRequest {
			t.Fatalf("bad time: status %d, want 400", status)
		}
		for _, want := range []string{`data-testid="form-error"`, "沟通时间：", `value="2026-13-45T10:00"`, "时间写错的记录", `value="complaint，续约"`,
			`<details class="mt-3" open>`, `value="` + cts[0].ID + `" selected`, `value="wechat_private" selected`, `value="in" selected`} {
			if !strings.Contains(body, want) {
				t.Errorf("bad time: page lacks %q (error %q)", want, errorText(body))
			}
		}
		// A time in the future is refused the same way on the list page.
		future := in.App.Now().In(in.App.Location()).Add(time.Hour).Format("2006-01-02T15:04:05")
		status, body = w.do(http.MethodPost, "/communications", "spec", url.Values{"customer_id": {cid}, "channel": {"phone_out"},
			"direction": {"out"}, "occurred_at": {future}, "summary": {"未来的电话"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "沟通时间：") || !strings.Contains(body, `value="`+future+`"`) ||
			!strings.Contains(body, "未来的电话") || !strings.Contains(body, `data-testid="comm-log-form"`) {
			t.Errorf("future time on the list: status %d, error %q", status, errorText(body))
		}

		// The list page's quick-log: the customer is chosen in the form.
		resp, _ = w.post("/communications", "spec", url.Values{"customer_id": {cid}, "channel": {"phone_out"}, "direction": {"out"},
			"occurred_at": {at[:16]}, "summary": {"电话确认保养时间"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/communications" {
			t.Fatalf("list quick-log: status %d", resp.StatusCode)
		}
		if _, body := w.do(http.MethodGet, "/customers/"+cid, "mgr", nil); !strings.Contains(body, "电话确认保养时间") {
			t.Error("the list's quick-log is not on the customer page")
		}

		// Another specialist may not log for spec's customer; a technician
		// may not log at all.
		form.Set("occurred_at", at)
		for _, login := range []string{"spec2", "tech", "exec"} {
			if status, _ := w.do(http.MethodPost, "/customers/"+cid+"/communications", login, form); status != http.StatusForbidden {
				t.Errorf("%s logs for spec's customer: status %d, want 403", login, status)
			}
		}
		if status, _ := w.do(http.MethodPost, "/communications", "spec2", url.Values{"customer_id": {cid}, "channel": {"visit"},
			"direction": {"out"}, "occurred_at": {at}, "summary": {"x"}}); status != http.StatusForbidden {
			t.Errorf("spec2 logs on the list for spec's customer: status %d, want 403", status)
		}
	})
}

// TestCommMatch matches a record the PBX sent from an unknown number: the
// form offers the viewer's customers and the chosen one's contacts; a
// second match is refused.
func TestCommMatch(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		at, _ := commsAt(in)
		res, err := in.App.Comms.Ingest(infoCenter(t, in), []comms.Input{{ExternalID: "pbx-7", Channel: "phone_in", OccurredAt: at,
			Counterpart: "+86 139 0000 0009", Summary: "来电咨询"}}, comms.SourceAPI)
		if err != nil || len(res) != 1 || res[0].Matched {
			t.Fatalf("ingest: %v %+v", err, res)
		}
		id := res[0].ID
		_, body := w.do(http.MethodGet, "/communications?unmatched=1", "spec", nil)
		if !strings.Contains(body, `href="/communications/`+id+`/match"`) || !strings.Contains(body, "13900000009") {
			t.Fatal("unmatched list: no match action for the record")
		}
		status, body := w.htmx("/communications/"+id+"/match", "spec")
		if status != http.StatusOK || !strings.Contains(body, `data-testid="comm-match-form"`) || !strings.Contains(body, "甲大厦") || strings.Contains(body, "<html") {
			t.Fatalf("match form: status %d", status)
		}
		cts, _ := in.App.Customers.Contacts(w.as("spec"), cid)
		status, body = w.htmx("/communications/"+id+"/match?customer_id="+cid, "spec")
		if status != http.StatusOK || !strings.Contains(body, `value="`+cts[0].ID+`"`) || !strings.Contains(body, `value="`+cid+`" selected`) {
			t.Fatalf("match form with the customer chosen: status %d, contacts missing", status)
		}
		if status, body := w.do(http.MethodGet, "/communications/"+id+"/match", "spec", nil); status != http.StatusOK || !strings.Contains(body, "来电咨询") {
			t.Errorf("match page: status %d", status)
		}
		if status, _ := w.do(http.MethodGet, "/communications/"+id+"/match", "exec", nil); status != http.StatusForbidden {
			t.Errorf("executive opens the match form: status %d, want 403", status)
		}

		match := url.Values{"customer_id": {cid}, "contact_id": {cts[0].ID}}
		if status, _ := w.do(http.MethodPost, "/communications/"+id+"/match", "spec2", match); status != http.StatusForbidden {
			t.Errorf("spec2 matches to spec's customer: status %d, want 403", status)
		}
		if status, body := w.do(http.MethodPost, "/communications/"+id+"/match", "spec", url.Values{"customer_id": {""}}); status != http.StatusBadRequest ||
			!strings.Contains(body, "客户：") {
			t.Errorf("no customer: status %d, error %q", status, errorText(body))
		}
		resp, _ := w.post("/communications/"+id+"/match", "spec", match)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("match: status %d", resp.StatusCode)
		}
		rec, err := in.App.Comms.Get(w.as("mgr"), id)
		if err != nil || rec.CustomerID == nil || *rec.CustomerID != cid || rec.ContactID == nil || *rec.ContactID != cts[0].ID {
			t.Fatalf("matched record: %v %+v", err, rec)
		}
		if _, body := w.do(http.MethodGet, "/customers/"+cid, "spec", nil); !strings.Contains(body, "来电咨询") {
			t.Error("the matched record is not on the customer page")
		}
		if _, body := w.do(http.MethodGet, "/communications?unmatched=1", "spec", nil); strings.Contains(body, "来电咨询") {
			t.Error("the matched record is still listed as unmatched")
		}
		status, body = w.do(http.MethodPost, "/communications/"+id+"/match", "mgr", match)
		if status != http.StatusConflict || !strings.Contains(body, "已匹配") {
			t.Errorf("second match: status %d, error %q, want 409", status, errorText(body))
		}
	})
}

// post sends a form as login and returns the response (body read).
func (w *contractWorld) post(path, login string, form url.Values) (*http.Response, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.in.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
