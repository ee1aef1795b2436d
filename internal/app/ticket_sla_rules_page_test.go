package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kefu/internal/app/apptest"
	"kefu/internal/tickets"
)

// The SLA rules table of the policy page refuses what it cannot read or
// what would never apply, says which row and column in Chinese, and
// shows the rows as typed.
func TestTicketSLARulesPageErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		form := func(rows ...[]string) url.Values {
			v := url.Values{"repair_callback_working_days": {"3"}, "complaint_callback_days": {"2"}, "major_reply_working_days": {"1"},
				"resample_percent": {"20"}, "sla_present": {"1"}}
			for _, r := range rows {
				for i, k := range []string{"sla_name", "sla_type", "sla_urgency", "sla_class", "sla_channel", "sla_first", "sla_solution", "sla_clock"} {
					v.Add(k, r[i])
				}
			}
			return v
		}
		other := []string{"其他", "", "", "", "", "540", "0", "working"}
		for _, c := range []struct {
			name  string
			rows  [][]string
			error []string // parts of the message
			kept  string   // shown again as typed
		}{
			{"a solution target that is not a whole number", [][]string{{"紧急报修", "repair", "urgent", "", "", "30", "4.5", "working"}, other},
				[]string{"第 1 行", "解决时限（小时）", "4.5"}, `value="4.5"`},
			{"a first response in words", [][]string{other, {"投诉", "complaint", "", "", "", "一小时", "18", "working"}},
				[]string{"第 2 行", "首次响应（分钟）", "一小时"}, `value="一小时"`},
			{"a negative target", [][]string{{"紧急报修", "repair", "urgent", "", "", "-5", "4", "working"}, other},
				[]string{"第 1 行", "首次响应（分钟）", "0（不考核）到 10080"}, `value="-5"`},
			{"no target at all", [][]string{{"紧急报修", "repair", "urgent", "", "", "", "", "working"}, other},
				[]string{"第 1 行", "首次响应（分钟）", "至少填写一项"}, `value="紧急报修"`},
			{"a rule behind the catch-all", [][]string{other, {"紧急报修", "repair", "urgent", "", "", "30", "4", "working"}},
				[]string{"第 2 行", "规则名称", "紧急报修", "第 1 条“其他”"}, `value="紧急报修"`},
		} {
			t.Run(c.name, func(t *testing.T) {
				before, err := in.App.Tickets.Policy(w.as("mgr"))
				if err != nil {
					t.Fatal(err)
				}
				st, body := w.do(http.MethodPost, "/admin/tickets-policy", "mgr", form(c.rows...))
				msg := errorText(body)
				if st != http.StatusBadRequest {
					t.Fatalf("HTTP %d, want 400: %.300s", st, msg)
				}
				for _, part := range c.error {
					if !strings.Contains(msg, part) {
						t.Errorf("error %q does not say %q", msg, part)
					}
				}
				for _, raw := range []string{"first_response_minutes", "solution_hours", "sla["} {
					if strings.Contains(msg, raw) {
						t.Errorf("error %q shows the field id %s", msg, raw)
					}
				}
				if !strings.Contains(body, c.kept) || strings.Count(body, `name="sla_name"`) != len(c.rows)+1 { // + the template row
					t.Errorf("the page does not show the %d rows as typed (%s)", len(c.rows), c.kept)
				}
				after, err := in.App.Tickets.Policy(w.as("mgr"))
				if err != nil {
					t.Fatal(err)
				}
				if !slaEqual(after.SLA, before.SLA) {
					t.Errorf("a refused form changed the rules: %+v", after.SLA)
				}
			})
		}
		// Empty targets mean no target; rows added and left empty are dropped.
		st, body := w.do(http.MethodPost, "/admin/tickets-policy", "mgr", form(
			[]string{"紧急报修", "repair", "urgent", "", "", "30", "", "working"}, other, []string{"", "", "", "", "", "", "", "24x7"}))
		if st != http.StatusSeeOther {
			t.Fatalf("save: %d %.300s", st, errorText(body))
		}
		pol, err := in.App.Tickets.Policy(w.as("mgr"))
		if err != nil || len(pol.SLA) != 2 || pol.SLA[0].SolutionHours != 0 || pol.SLA[0].FirstResponseMinutes != 30 || !pol.SLA[0].WorkingTime {
			t.Fatalf("saved %+v %v", pol.SLA, err)
		}
	})
}

func slaEqual(a, b []tickets.SLARule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
