package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
	"kefu/internal/fieldwork"
)

// TestProgressPages walks the progress pages (工作跟进): who may open
// them; a customer's reminder and group feedback turning from red to
// green; the missing end-of-day report; the daily summary submitted and
// corrected; a problem recorded (refused without evidence), forwarded and
// resolved; the statistics whose counts open exactly their problems; the
// monthly summary submitted; the XLSX downloads; the progress rules.
func TestProgressPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newFieldworkWorld(t, in)
		a := in.App
		now := a.Now().In(a.Location())
		today, month := now.Format(time.DateOnly), now.Format("2006-01")

		// Work for 丙大厦 today, dispatched to 田师傅.
		wo, err := a.Fieldwork.CreateWorkOrder(w.as("spec"), fieldwork.WorkOrderInput{CustomerID: w.customer.ID, Type: fieldwork.TypeRepair,
			PlannedOn: today, SiteAddress: "丙大厦 屋顶", Equipment: "冷却塔", Content: "冷却塔风机异响"})
		if err != nil {
			t.Fatal(err)
		}
		if wo, err = a.Fieldwork.DispatchWorkOrder(w.as("spec"), wo.ID, wo.Version,
			fieldwork.DispatchInput{TechnicianIDs: []string{w.staff["tech2"].ID}}); err != nil {
			t.Fatal(err)
		}

		// Who may open what.
		for _, c := range []struct {
			path, login string
			want        int
		}{
			{"/followups", "spec", 200}, {"/followups", "tech2", 200}, {"/followups", "exec", 200}, {"/followups", "mgr", 200},
			{"/followups", "fin", 403}, {"/followups?day=昨天", "spec", 400},
			{"/daily-summaries", "spec", 303}, {"/daily-summaries/" + today, "spec", 200}, {"/daily-summaries/" + today, "exec", 200},
			{"/daily-summaries/" + today, "tech2", 200}, {"/daily-summaries/" + today, "fin", 403}, {"/daily-summaries/x", "spec", 400},
			{"/problems", "tech2", 200}, {"/problems", "fin", 403}, {"/problems/new", "spec", 200}, {"/problems/new", "tech2", 403},
			{"/problems/new", "exec", 403}, {"/monthly-summaries", "spec", 303}, {"/monthly-summaries/" + month, "spec", 200},
			{"/monthly-summaries/" + month, "exec", 200}, {"/monthly-summaries/" + month, "fin", 403}, {"/monthly-summaries/2026-13", "spec", 400},
			{"/fieldwork/statistics", "tech2", 200}, {"/fieldwork/statistics", "fin", 403}, {"/fieldwork/statistics?month=x", "spec", 400},
		} {
			if status, body := w.do(http.MethodGet, c.path, c.login, nil); status != c.want {
				t.Errorf("GET %s as %s: status %d, want %d: %s", c.path, c.login, status, c.want, errorText(body))
			}
		}
		body := w.page("/", "spec")
		has(t, "the specialist's navigation", body, `href="/followups"`, `href="/daily-summaries"`, `href="/problems"`,
			`href="/monthly-summaries"`, `href="/fieldwork/statistics"`, "工作跟进", "问题统计")
		body = w.page("/", "tech2")
		has(t, "the technician's navigation", body, `href="/followups"`, `href="/problems"`, `href="/fieldwork/statistics"`)
		hasNot(t, "the technician's navigation", body, `href="/daily-summaries"`, `href="/monthly-summaries"`)
		hasNot(t, "finance's navigation", w.page("/", "fin"), `href="/followups"`, `href="/problems"`)

		// 工作跟进: red until recorded, then green.
		row := func(login string) string {
			t.Helper()
			return section(w.page("/followups?day="+today, login), `data-customer-id="`+w.customer.ID+`"`, "</tr>")
		}
		r := row("spec")
		has(t, "the customer's row", r, wo.Number, `data-testid="reminder-state" data-state="missing"`,
			`data-testid="group_feedback-state" data-state="missing"`, `data-testid="reminder-form"`, `data-testid="group_feedback-form"`)
		hasNot(t, "the technician's row", row("tech2"), `data-testid="reminder-form"`)
		has(t, "the manager's row", row("mgr"), `data-testid="reminder-form"`, "spec")
		missing := section(w.page("/followups?day="+today, "spec"), `data-testid="missing-reports"`, "</table>")
		has(t, "the missing reports", missing, wo.Number, "田师傅")
		if status, _ := w.do(http.MethodPost, "/followups", "tech2", url.Values{"customer_id": {w.customer.ID}, "kind": {"reminder"}}); status != http.StatusForbidden {
			t.Errorf("a technician records a reminder: status %d", status)
		}
		w.postBad("/followups", "spec", url.Values{"customer_id": {w.customer.ID}, "day": {today}, "kind": {"reminder"}, "at": {"明天"}},
			http.StatusBadRequest, "时间")
		w.postBad("/followups", "spec", url.Values{"customer_id": {w.customer.ID}, "day": {"x"}, "kind": {"reminder"}},
			http.StatusBadRequest, "日期")
		loc := w.postOK("/followups", "spec", url.Values{"customer_id": {w.customer.ID}, "day": {today}, "kind": {"reminder"},
			"at": {now.Add(-time.Minute).Format("2006-01-02T15:04:05")}, "note": {"已电话提醒田师傅"}})
		if !strings.HasPrefix(loc, "/followups?day="+today) {
			t.Errorf("after a reminder: to %q", loc)
		}
		r = row("spec")
		has(t, "the row after the reminder", r, `data-testid="reminder-state" data-state="done"`, `data-testid="group_feedback-state" data-state="missing"`,
			"已电话提醒田师傅")
		w.postOK("/followups", "spec", url.Values{"customer_id": {w.customer.ID}, "day": {today}, "kind": {"group_feedback"}, "note": {"已发群"}})
		has(t, "the row after the group feedback", row("spec"), `data-testid="group_feedback-state" data-state="done"`)

		// 当日汇总: the line, its missing report; submitted, corrected.
		body = w.page("/daily-summaries/"+today, "spec")
		lines := section(body, `data-testid="daily-lines"`, "</table>")
		has(t, "the daily summary", lines, wo.Number, "丙大厦", "故障报修", "田师傅", `data-testid="line-missing"`)
		has(t, "the daily summary", body, `data-testid="daily-submit-form"`, `data-state="open"`, "/problems/new?work_order_id="+wo.ID)
		hasNot(t, "the manager's view of spec's summary", w.page("/daily-summaries/"+today+"?staff_id="+w.staff["spec"].ID, "mgr"),
			`data-testid="daily-submit-form"`)
		has(t, "the manager's view of spec's summary", w.page("/daily-summaries/"+today+"?staff_id="+w.staff["spec"].ID, "mgr"), wo.Number)
		w.postBad("/daily-summaries/"+today+"/submit", "spec", url.Values{"version": {"3"}}, http.StatusConflict, "")
		w.postBad("/daily-summaries/2999-01-01/submit", "spec", url.Values{"version": {"0"}}, http.StatusBadRequest, "今天以后")
		w.postOK("/daily-summaries/"+today+"/submit", "spec", url.Values{"version": {"0"}, "note": {"风机待换轴承"}})
		body = w.page("/daily-summaries/"+today, "spec")
		has(t, "the submitted summary", body, `data-state="submitted"`, "风机待换轴承", "更正后重新提交", `data-testid="daily-submitted-lines"`)
		w.postOK("/daily-summaries/"+today+"/submit", "spec", url.Values{"version": {"1"}, "note": {"已更正"}})
		has(t, "the corrected summary", w.page("/daily-summaries/"+today, "spec"), "已更正", "第 2 版")

		// 问题: from the work order; evidence is required.
		body = w.page("/problems/new?work_order_id="+wo.ID, "spec")
		has(t, "the problem form", body, wo.Number, "田师傅", `name="evidence"`, `name="work_order_id"`)
		pform := url.Values{"work_order_id": {wo.ID}, "type": {"quality"}, "technician_id": {w.staff["tech2"].ID},
			"description": {"风机轴承未更换即报完工"}, "evidence": {" "}}
		w.postBad("/problems", "spec", pform, http.StatusBadRequest, "见证资料")
		if status, _ := w.do(http.MethodPost, "/problems", "spec2", pform); status != http.StatusBadRequest && status != http.StatusForbidden {
			t.Errorf("another specialist records a problem: status %d", status)
		}
		pform.Set("evidence", "群聊截图 2 张")
		loc = w.postOK("/problems", "spec", pform)
		pid := strings.TrimPrefix(loc, "/problems/")
		body = w.page(loc, "spec")
		has(t, "the problem page", body, "风机轴承未更换即报完工", "群聊截图 2 张", wo.Number, "丙大厦", "转交期限", `data-testid="forward-form"`,
			`data-testid="resolve-form"`)
		hasNot(t, "the technician's problem page", w.page(loc, "tech2"), `data-testid="forward-form"`)
		w.postBad(loc+"/forward", "spec", url.Values{"version": {"1"}}, http.StatusBadRequest, "当事人")
		w.postOK(loc+"/forward", "spec", url.Values{"version": {"1"}, "to_staff_id": {w.staff["sup"].ID}, "note": {"请主管督促"}})
		body = w.page(loc, "spec")
		has(t, "the forwarded problem", body, "已转交", "单主管", "请主管督促")
		hasNot(t, "the forwarded problem", body, `data-testid="forward-form"`, `data-testid="forward-late"`)
		w.postBad(loc+"/resolve", "spec", url.Values{"version": {"2"}, "resolution": {""}}, http.StatusBadRequest, "处理结果")
		w.postOK(loc+"/resolve", "spec", url.Values{"version": {"2"}, "resolution": {"已返工更换轴承"}})
		has(t, "the resolved problem", w.page(loc, "spec"), "已返工更换轴承", "已处理")
		// A complaint against no one in particular, not yet forwarded.
		loc = w.postOK("/problems", "spec", url.Values{"customer_id": {w.customer.ID}, "type": {"complaint"},
			"description": {"客户投诉噪音"}, "evidence": {"电话录音"}})
		pid2 := strings.TrimPrefix(loc, "/problems/")
		body = w.page("/problems?unforwarded=1", "spec")
		has(t, "the unforwarded problems", body, `data-problem-id="`+pid2+`"`)
		hasNot(t, "the unforwarded problems", body, `data-problem-id="`+pid+`"`)
		if status, _ := w.do(http.MethodGet, "/problems?type=x", "spec", nil); status != http.StatusBadRequest {
			t.Errorf("a bad problem type: status %d", status)
		}

		// 问题统计: each count links to exactly its problems.
		body = w.page("/fieldwork/statistics?month="+month, "mgr")
		tech := section(section(body, `data-testid="stats-technician"`, "</table>"), `data-key="`+w.staff["tech2"].ID+`"`, "</tr>")
		links := statLinks(tech)
		if len(links) != 2 || links[0] != "/problems?ids="+pid || links[1] != links[0] {
			t.Errorf("田师傅's row links %q, want the quality cell and the total to %s", links, pid)
		}
		region := section(body, `data-testid="stats-region"`, "</table>")
		total := section(region, `data-key="total"`, "</tr>")
		tl := statLinks(total)
		if len(tl) != 3 {
			t.Fatalf("the region total links %q, want quality, complaint and the total", tl)
		}
		ids := idsOf(t, tl[len(tl)-1])
		if !slices.Equal(ids, []string{pid, pid2}) && !slices.Equal(ids, []string{pid2, pid}) {
			t.Errorf("the total links to %q, want %s and %s", ids, pid, pid2)
		}
		body = w.page(tl[len(tl)-1], "mgr")
		if got := problemRows(body); len(got) != 2 || !slices.Contains(got, pid) || !slices.Contains(got, pid2) {
			t.Errorf("the total's problems %q", got)
		}
		has(t, "the problems by ids", body, `data-testid="problem-ids"`)
		if got := problemRows(w.page(links[0], "mgr")); !slices.Equal(got, []string{pid}) {
			t.Errorf("田师傅's problems %q, want %s", got, pid)
		}

		// 月度汇总: the counts, the problems linked, submitted to 总经理.
		body = w.page("/monthly-summaries/"+month, "spec")
		has(t, "the monthly summary", body, `data-testid="monthly-submit-form"`, `value="总经理"`, `data-state="open"`,
			`href="/problems?ids=`+pid+`"`, `href="/problems?ids=`+pid2+`"`)
		w.postBad("/monthly-summaries/"+month+"/submit", "spec", url.Values{"version": {"0"}, "to": {strings.Repeat("总", 101)}},
			http.StatusBadRequest, "上报对象")
		w.postOK("/monthly-summaries/"+month+"/submit", "spec", url.Values{"version": {"0"}, "to": {"总经理"}})
		has(t, "the submitted month", w.page("/monthly-summaries/"+month, "spec"), "已上报总经理")
		body = w.page("/monthly-summaries/"+month+"?staff_id="+w.staff["spec"].ID, "exec")
		has(t, "the executive's view", body, "已上报总经理", "/monthly-summaries/"+month+"/export?staff_id="+w.staff["spec"].ID)
		hasNot(t, "the executive's view", body, `data-testid="monthly-submit-form"`)

		// The downloads are workbooks.
		for _, c := range []struct{ path, login string }{
			{"/fieldwork/statistics/export?month=" + month, "tech2"},
			{"/monthly-summaries/" + month + "/export", "spec"},
			{"/monthly-summaries/" + month + "/export?staff_id=" + w.staff["spec"].ID, "mgr"},
		} {
			status, b := w.do(http.MethodGet, c.path, c.login, nil)
			if status != http.StatusOK || !strings.HasPrefix(b, "PK") {
				t.Errorf("GET %s as %s: status %d, not an XLSX (%.20q)", c.path, c.login, status, b)
			}
		}

		// The progress rules under 现场工作规则.
		body = w.page("/admin/fieldwork", "mgr")
		has(t, "the rules page", body, `data-testid="progress-policy-form"`, `name="summary_due_hour" value="20"`, `name="monthly_summary_day" value="25"`)
		rules := url.Values{"summary_due_hour": {"25"}, "problem_forward_working_days": {"2"}, "monthly_summary_day": {"20"}, "track_from": {""}}
		w.postBad("/admin/fieldwork/progress", "mgr", rules, http.StatusBadRequest, "当日汇总截止")
		rules.Set("summary_due_hour", "十八")
		w.postBad("/admin/fieldwork/progress", "mgr", rules, http.StatusBadRequest, "当日汇总截止")
		rules.Set("summary_due_hour", "18")
		rules.Set("track_from", "2026/01/01")
		w.postBad("/admin/fieldwork/progress", "mgr", rules, http.StatusBadRequest, "开始考核日期")
		rules.Set("track_from", "2026-01-01")
		if status, _ := w.do(http.MethodPost, "/admin/fieldwork/progress", "spec", rules); status != http.StatusForbidden {
			t.Errorf("a specialist saves the progress rules: status %d", status)
		}
		w.postOK("/admin/fieldwork/progress", "mgr", rules)
		pol, err := a.Fieldwork.ProgressPolicy(w.as("mgr"))
		if err != nil || pol.SummaryDueHour != 18 || pol.ProblemForwardWorkingDays != 2 || pol.MonthlySummaryDay != 20 || pol.TrackFrom != "2026-01-01" {
			t.Errorf("progress policy %+v %v", pol, err)
		}
		has(t, "the saved rules", w.page("/admin/fieldwork", "mgr"), `name="summary_due_hour" value="18"`, `value="2026-01-01"`)
	})
}

var (
	statLinkRE   = regexp.MustCompile(`href="(/problems\?ids=[^"]*)" data-testid="stat-link"`)
	problemRowRE = regexp.MustCompile(`data-problem-id="([^"]+)"`)
)

// statLinks are the statistics links in a row, in order.
func statLinks(row string) []string {
	var out []string
	for _, m := range statLinkRE.FindAllStringSubmatch(row, -1) {
		out = append(out, m[1])
	}
	return out
}

// idsOf reads the ids of a problems link.
func idsOf(t *testing.T, link string) []string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(u.Query().Get("ids"), ",")
}

// problemRows are the problems a problems page lists.
func problemRows(body string) []string {
	var out []string
	for _, m := range problemRowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}
