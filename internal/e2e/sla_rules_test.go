package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/customers"
	"kefu/internal/tickets"
)

// slaRowSel is the k-th (1-based) row of the SLA rules table.
func slaRowSel(k int) string { return fmt.Sprintf(`#sla-rows tr:nth-child(%d)`, k) }

// slaCells are a row of the SLA rules table as the page shows it.
type slaCells struct {
	Name, Type, Urgency, Class, Channel, First, Solution, Clock string
}

// slaTable reads every row of the SLA rules table (the values of its
// inputs and selects).
func (s *session) slaTable() []slaCells {
	s.t.Helper()
	return eval[[]slaCells](s, `[...document.querySelectorAll('#sla-rows tr')].map(r => {
		const v = n => r.querySelector('[name=' + n + ']').value;
		return {Name: v('sla_name'), Type: v('sla_type'), Urgency: v('sla_urgency'), Class: v('sla_class'), Channel: v('sla_channel'),
			First: v('sla_first'), Solution: v('sla_solution'), Clock: v('sla_clock')};
	})`)
}

func slaNames(rows []slaCells) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	return out
}

func ruleNames(rules []tickets.SLARule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.Name
	}
	return out
}

// typeInto replaces the text of an input by typing, as a person does.
func (s *session) typeInto(what, css, text string) {
	s.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.Clear(chromedp.CSS(css))}
	if text != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(css), text))
	}
	s.within(what, steps...)
}

// savePolicy clicks 保存 on the policy form and returns the status of
// the page that answers.
func (s *session) savePolicy(what string) int64 {
	s.t.Helper()
	return s.submit(what, chromedp.Click(chromedp.CSS(`form[data-testid=ticket-policy-form] button[type=submit]`))).Status
}

// TestSLARulesTable is the manager's walk through the ticket SLA rules on
// 工单与回访规则: a rule row added behind the rule that covers it is
// refused with the reason and kept on the page; moved to the top in
// place of 紧急报修 it saves and comes back on a fresh load; a negative
// or empty target is refused naming the row and column and loses
// nothing; a row removed is gone from the policy; and a new urgent repair
// ticket gets its deadlines from the new rule, on working time, as the
// ticket page shows.
func TestSLARulesTable(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	mgr, err := a.Org.StaffByLogin(sys, "manager")
	if err != nil {
		t.Fatal(err)
	}
	mctx := access.With(context.Background(), &access.Principal{StaffID: mgr.ID, Name: mgr.Name, Roles: mgr.Roles})
	before, err := a.Tickets.Policy(mctx)
	if err != nil {
		t.Fatal(err)
	}
	// The other tests share the demo company: put the rules back.
	t.Cleanup(func() {
		if err := a.Tickets.SavePolicy(mctx, before); err != nil {
			t.Errorf("restore the ticket policy: %v", err)
		}
	})
	urgent := slices.IndexFunc(before.SLA, func(r tickets.SLARule) bool { return r.Type == tickets.TypeRepair && r.Urgency == "urgent" })
	complaint := slices.IndexFunc(before.SLA, func(r tickets.SLARule) bool { return r.Type == tickets.TypeComplaint })
	if urgent < 0 || complaint < 0 {
		t.Fatalf("the demo's rules %v lack an urgent-repair or a complaint rule", ruleNames(before.SLA))
	}
	policy := func() tickets.Policy {
		t.Helper()
		p, err := a.Tickets.Policy(mctx)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	s := e.newSession(t, "manager-sla-rules")
	s.expectStatus(http.StatusBadRequest) // the refused forms below
	s.login("manager", demoPassword)
	s.mustOpen("/admin/tickets-policy")
	s.checkPageText("/admin/tickets-policy")
	if got := slaNames(s.slaTable()); !slices.Equal(got, ruleNames(before.SLA)) {
		s.fatalf("the table shows the rules %v, the policy has %v", got, ruleNames(before.SLA))
	}
	n := len(before.SLA)

	// A new row at the end: urgent repairs, 30 minutes and 4 hours of
	// working time.
	const name = "紧急报修（工作时间）"
	s.do("add a row", chromedp.Click(chromedp.CSS(`button[data-add-row="sla-row-template"]`)))
	row := slaRowSel(n + 1)
	s.typeInto("name the rule", row+` [name=sla_name]`, name)
	s.within("match urgent repairs on working time",
		chromedp.SetValue(chromedp.CSS(row+` [name=sla_type]`), "repair"),
		chromedp.SetValue(chromedp.CSS(row+` [name=sla_urgency]`), "urgent"),
		chromedp.SetValue(chromedp.CSS(row+` [name=sla_clock]`), "working"))
	s.typeInto("first response", row+` [name=sla_first]`, "30")
	s.typeInto("solution", row+` [name=sla_solution]`, "4")
	added := slaCells{Name: name, Type: "repair", Urgency: "urgent", First: "30", Solution: "4", Clock: "working"}
	if got := s.slaTable(); len(got) != n+1 || got[n] != added {
		s.fatalf("after adding the row the table is %+v", got)
	}

	// Behind the rule that already takes every urgent repair it would
	// never apply: refused, saying why, and nothing typed is lost.
	if st := s.savePolicy("save with the rule last"); st != http.StatusBadRequest {
		s.fatalf("saving a rule that can never apply: HTTP %d, want 400; page says %.300q", st, s.text("[data-testid=form-error]"))
	}
	msg := s.text(`[data-testid=form-error]`)
	for _, part := range []string{fmt.Sprintf("第 %d 行", n+1), name, "不会生效", fmt.Sprintf("第 %d 条“%s”", urgent+1, before.SLA[urgent].Name)} {
		if !strings.Contains(msg, part) {
			t.Errorf("the error %q does not say %q", msg, part)
		}
	}
	if got := s.slaTable(); len(got) != n+1 || got[n] != added {
		s.fatalf("the refused form shows %+v, want the %d rules and the new one as typed", got, n)
	}
	if got := policy(); !slices.Equal(got.SLA, before.SLA) {
		t.Fatalf("a refused form changed the rules: %v", ruleNames(got.SLA))
	}

	// It replaces the old urgent-repair rule: remove that one, move the
	// new one to the top, save.
	s.do("remove the old urgent-repair rule", chromedp.Click(chromedp.CSS(slaRowSel(urgent+1)+` [data-remove-row]`)))
	for k := n; k > 1; k-- {
		s.do("move the new rule up", chromedp.Click(chromedp.CSS(slaRowSel(k)+` [data-move-row-up]`)))
	}
	want := append([]tickets.SLARule{{Name: name, Type: tickets.TypeRepair, Urgency: "urgent", FirstResponseMinutes: 30, SolutionHours: 4, WorkingTime: true}},
		slices.Delete(slices.Clone(before.SLA), urgent, urgent+1)...)
	if got := slaNames(s.slaTable()); !slices.Equal(got, ruleNames(want)) {
		s.fatalf("after removing and moving the rows the table is %v, want %v", got, ruleNames(want))
	}
	if st := s.savePolicy("save the rules"); st != http.StatusOK {
		s.fatalf("save: HTTP %d; page says %.300q", st, s.text("[data-testid=form-error]"))
	}
	if flash := s.text(`body`); !strings.Contains(flash, "已保存") {
		t.Errorf("no 已保存 after saving")
	}
	if got := policy(); !slices.Equal(got.SLA, want) {
		t.Fatalf("stored rules %+v, want %+v", got.SLA, want)
	}

	// A fresh load shows what is stored.
	s.mustOpen("/admin/tickets-policy")
	got := s.slaTable()
	if !slices.Equal(slaNames(got), ruleNames(want)) || got[0] != added {
		s.fatalf("reloaded, the table is %+v", got)
	}

	// Change a target, and give the complaint rule a negative first
	// response: refused on its row and column, nothing typed lost,
	// nothing saved.
	complaintRow := slices.IndexFunc(want, func(r tickets.SLARule) bool { return r.Type == tickets.TypeComplaint }) + 1
	s.typeInto("change the solution target", slaRowSel(1)+` [name=sla_solution]`, "6")
	s.typeInto("a negative first response", slaRowSel(complaintRow)+` [name=sla_first]`, "-5")
	if st := s.savePolicy("save a negative target"); st != http.StatusBadRequest {
		s.fatalf("a negative target: HTTP %d, want 400", st)
	}
	msg = s.text(`[data-testid=form-error]`)
	for _, part := range []string{fmt.Sprintf("第 %d 行", complaintRow), "首次响应（分钟）", "0（不考核）到 10080"} {
		if !strings.Contains(msg, part) {
			t.Errorf("the error %q does not say %q", msg, part)
		}
	}
	got = s.slaTable()
	if len(got) != len(want) || got[0].Solution != "6" || got[complaintRow-1].First != "-5" {
		s.fatalf("the refused form shows %+v, want the 6 and the -5 as typed", got)
	}
	// Both targets of a rule empty: refused too.
	s.typeInto("clear the first response", slaRowSel(complaintRow)+` [name=sla_first]`, "")
	s.typeInto("clear the solution", slaRowSel(complaintRow)+` [name=sla_solution]`, "")
	if st := s.savePolicy("save a rule without targets"); st != http.StatusBadRequest {
		s.fatalf("a rule without targets: HTTP %d, want 400", st)
	}
	if msg := s.text(`[data-testid=form-error]`); !strings.Contains(msg, fmt.Sprintf("第 %d 行", complaintRow)) || !strings.Contains(msg, "至少填写一项") {
		t.Errorf("the error %q does not name row %d and the missing targets", msg, complaintRow)
	}
	if got := s.slaTable(); len(got) != len(want) || got[0].Solution != "6" || got[complaintRow-1].First != "" || got[complaintRow-1].Name != want[complaintRow-1].Name {
		s.fatalf("the refused form shows %+v", got)
	}
	if got := policy(); !slices.Equal(got.SLA, want) {
		t.Fatalf("a refused form changed the rules: %+v", got.SLA)
	}

	// Remove the complaint rule instead, keep the 6 hours, save.
	s.do("remove the complaint rule", chromedp.Click(chromedp.CSS(slaRowSel(complaintRow)+` [data-remove-row]`)))
	if st := s.savePolicy("save without the complaint rule"); st != http.StatusOK {
		s.fatalf("save: HTTP %d; page says %.300q", st, s.text("[data-testid=form-error]"))
	}
	want = slices.Delete(want, complaintRow-1, complaintRow)
	want[0].SolutionHours = 6
	if got := policy(); !slices.Equal(got.SLA, want) {
		t.Fatalf("stored rules %+v, want %+v", got.SLA, want)
	}
	s.mustOpen("/admin/tickets-policy")
	if got := s.slaTable(); !slices.Equal(slaNames(got), ruleNames(want)) || got[0].Solution != "6" {
		s.fatalf("reloaded, the table is %+v, want %v", got, ruleNames(want))
	}

	// An urgent repair registered now gets its deadlines from the rule:
	// 30 minutes and 6 hours of working time.
	custs, err := a.Customers.ListCustomers(sys, customers.ListFilter{Status: "active", Limit: 1})
	if err != nil || len(custs.Items) == 0 {
		t.Fatalf("a demo customer: %v", err)
	}
	tk, err := a.Tickets.CreateTicket(mctx, tickets.TicketInput{CustomerID: custs.Items[0].ID, Type: tickets.TypeRepair, Channel: "phone_in",
		Urgency: "urgent", Description: "冷却塔风机异响（浏览器测试）", RepairObject: "冷却塔 2#", ModelSpec: "良机 LBC-150", SpecialNeeds: "无"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.Tickets.Get(mctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := a.Calendar.Calendar(sys, a.Location().String())
	if err != nil {
		t.Fatal(err)
	}
	respond, solve := cal.AddWorkingDuration(d.ReceivedAt, 30*time.Minute), cal.AddWorkingDuration(d.ReceivedAt, 6*time.Hour)
	if d.SLARule != name || d.SLACalendar != tickets.CalendarWorking || d.FirstResponseDue == nil || !d.FirstResponseDue.Equal(respond) ||
		d.PromisedAt == nil || !d.PromisedAt.Equal(solve) {
		t.Fatalf("ticket %s: rule %q on %q, respond by %v, solve by %v; want %q on working time, %v and %v",
			tk.Number, d.SLARule, d.SLACalendar, d.FirstResponseDue, d.PromisedAt, name, respond, solve)
	}
	s.mustOpen("/tickets/" + tk.ID)
	shown := eval[string](s, `(() => {
		const dt = [...document.querySelectorAll('dl.kv dt')].find(e => e.textContent.trim() === '解决方案期限');
		return dt ? dt.nextElementSibling.innerText.trim() : '';
	})()`)
	if want := solve.In(a.Location()).Format("2006-01-02 15:04"); shown != want {
		t.Errorf("the ticket page shows 解决方案期限 %q, want %q (6 working hours after %s)", shown, want, d.ReceivedAt.In(a.Location()).Format("2006-01-02 15:04"))
	}
}
