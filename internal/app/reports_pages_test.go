package app_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
	"kefu/internal/comms"
	"kefu/internal/tickets"
)

// TestDeskReportPages opens 当月无沟通客户 and 客户满意度汇总表 as roles that
// may and may not; the customer leaves the no-contact list once contacted;
// the summary, the ticket list and the communication records download as
// real XLSX with their filters.
func TestDeskReportPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		month := in.App.Now().In(in.App.Location()).Format("2006-01")
		refused := []string{"tech", "fin"}
		page := func(path, login string) string {
			t.Helper()
			status, body := w.do(http.MethodGet, path, login, nil)
			if status != http.StatusOK {
				t.Fatalf("%s as %s: status %d: %s", path, login, status, errorText(body))
			}
			return html.UnescapeString(body)
		}
		for _, path := range []string{"/reports/no-contact", "/reports/satisfaction", "/reports/satisfaction/export", "/tickets/export", "/communications/export"} {
			for _, login := range refused {
				if status, _ := w.do(http.MethodGet, path, login, nil); status != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403", path, login, status)
				}
			}
		}
		for _, path := range []string{"/reports/no-contact?month=2026-13", "/reports/satisfaction?month=x", "/reports/satisfaction/export?month=x"} {
			if status, _ := w.do(http.MethodGet, path, "mgr", nil); status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", path, status)
			}
		}

		// 当月无沟通客户: the customer under its specialist until contacted.
		row := `data-customer-id="` + cid + `"`
		for _, login := range []string{"mgr", "spec", "exec"} {
			body := page("/reports/no-contact", login)
			for _, want := range []string{"当月无沟通客户", row, `data-owner-id="` + w.staff["spec"].ID + `"`, "甲大厦", "从未沟通", `value="` + month + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("no-contact as %s lacks %q", login, want)
				}
			}
		}
		if body := page("/reports/no-contact", "mgr"); !strings.Contains(body, `name="owner"`) {
			t.Error("the manager has no specialist filter")
		}
		if body := page("/reports/no-contact?owner="+w.staff["spec2"].ID, "mgr"); strings.Contains(body, row) {
			t.Error("the filter by specialist shows another's customer")
		}
		if body := page("/reports/no-contact", "spec2"); strings.Contains(body, row) || strings.Contains(body, `name="owner"`) {
			t.Error("spec2 sees spec's customer, or the specialist filter")
		}
		if body := page("/communications", "spec"); !strings.Contains(body, `href="/reports/no-contact"`) || !strings.Contains(body, `href="/communications/export?"`) {
			t.Error("the communication list links no no-contact report or export")
		}
		at, _ := commsAt(in)
		if in.App.Now().In(in.App.Location()).Add(-time.Hour).Format("2006-01") != month {
			at = in.App.Now().In(in.App.Location()).Format("2006-01-02T15:04:05")
		}
		if _, err := in.App.Comms.Add(w.as("spec"), comms.Input{CustomerID: cid, Channel: "phone_out", OccurredAt: at, Summary: "回访保养计划"}); err != nil {
			t.Fatal(err)
		}
		if body := page("/reports/no-contact", "mgr"); strings.Contains(body, row) {
			t.Error("the contacted customer is still listed")
		}
		if body := page("/reports/no-contact?month=2020-01", "mgr"); !strings.Contains(body, row) || !strings.Contains(body, "最近一次我方沟通") {
			t.Error("an old month does not list the customer")
		}

		// 客户满意度汇总表 from a scored callback.
		tk, err := in.App.Tickets.CreateTicket(w.as("spec"), tickets.TicketInput{CustomerID: cid, Type: "repair", Channel: "phone_in", Description: "冷却塔异响"})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{"acknowledged", "in_progress", "resolved"} {
			if status, body := w.move(tk.ID, to, "spec"); status != http.StatusSeeOther {
				t.Fatalf("→ %s: status %d: %s", to, status, errorText(body))
			}
		}
		d, _ := in.App.Tickets.Get(w.as("spec"), tk.ID)
		if _, err := in.App.Tickets.RecordCallback(w.as("spec"), d.Callbacks[0].ID, d.Callbacks[0].Version,
			tickets.CallbackInput{Result: "已处理", Satisfaction: 4}); err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"mgr", "spec", "exec"} {
			body := page("/reports/satisfaction", login)
			for _, want := range []string{"客户满意度汇总表", `data-testid="satisfaction-total"`, `data-testid="satisfaction-specialist"`,
				`data-testid="satisfaction-region"`, `data-testid="satisfaction-class"`, `<tr data-key="` + w.staff["spec"].ID + `">`,
				`<td class="text-end satisfaction-avg">4.00</td>`, `href="/reports/satisfaction/export?month=` + month + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("satisfaction as %s lacks %q", login, want)
				}
			}
		}
		if body := page("/reports/satisfaction?month=2020-01", "mgr"); !strings.Contains(body, "本月没有打分的回访") {
			t.Error("an empty month shows no empty tables")
		}
		if body := page("/tickets", "mgr"); !strings.Contains(body, `href="/reports/satisfaction"`) || !strings.Contains(body, `href="/tickets/export?"`) {
			t.Error("the manager's desk pills link no satisfaction summary, or the ticket list no export")
		}
		if body := page("/callbacks", "spec"); !strings.Contains(body, `href="/reports/satisfaction?month=`+month+`"`) {
			t.Error("the callbacks page links no satisfaction summary")
		}

		// The downloads.
		resp, b := w.get("/reports/satisfaction/export?month="+month, "spec")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "satisfaction-"+month+".xlsx") {
			t.Fatalf("satisfaction export: status %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		// The callbacks' lines (来源 回访), then the surveys' (none this month: the total only).
		rows := assertXLSXHeader(t, b, "来源")
		if len(rows) != 6 || rows[1][0] != "回访" || rows[1][1] != "客服" || rows[1][2] != "spec" || rows[1][4] != "4.00" || rows[4][1] != "合计" ||
			rows[5][0] != "满意度调查" || rows[5][1] != "合计" || rows[5][3] != "0" {
			t.Errorf("satisfaction rows %v", rows)
		}
		resp, b = w.get("/tickets/export?"+url.Values{"type": {"repair"}}.Encode(), "spec")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("tickets export: status %d", resp.StatusCode)
		}
		if rows := assertXLSXHeader(t, b, "工单号"); len(rows) != 2 || rows[1][0] != tk.Number {
			t.Errorf("ticket rows %v", rows)
		}
		if _, b = w.get("/tickets/export?type=complaint", "spec"); len(assertXLSXHeader(t, b, "工单号")) != 1 {
			t.Error("the ticket export ignores the filter")
		}
		resp, b = w.get("/communications/export?channel=phone_out&customer="+cid, "mgr")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("communications export: status %d", resp.StatusCode)
		}
		if rows := assertXLSXHeader(t, b, "时间"); len(rows) != 2 || rows[1][8] != "回访保养计划" {
			t.Errorf("communication rows %v", rows)
		}
		if _, b = w.get("/communications/export?channel=wechat_group", "mgr"); len(assertXLSXHeader(t, b, "时间")) != 1 {
			t.Error("the communication export ignores the filter")
		}
		if status, _ := w.do(http.MethodGet, "/communications/export?from=x", "mgr", nil); status != http.StatusBadRequest {
			t.Errorf("bad date: status %d, want 400", status)
		}
	})
}
