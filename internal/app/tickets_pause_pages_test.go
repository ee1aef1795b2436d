package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kefu/internal/app/apptest"
)

// Waiting on the customer from the ticket page: a reason is needed, the
// page shows the pause, resuming ends it.
func TestTicketPausePage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		now, _ := commsAt(in)
		id := w.postTicket("spec", url.Values{"type": {"consultation"}, "channel": {"phone_in"}, "received_at": {now},
			"urgency": {"normal"}, "customer_id": {w.customer.ID}, "description": {"咨询保养时间"}})
		if st, body := w.do(http.MethodPost, "/tickets/"+id+"/pause", "spec", url.Values{"version": {w.ticketVersion(id)}}); st != 400 || !strings.Contains(body, "data-testid=\"pause-form\"") {
			t.Fatalf("pause without a reason: %d %.200s", st, errorText(body))
		}
		if st, _ := w.do(http.MethodPost, "/tickets/"+id+"/pause", "spec2", url.Values{"version": {w.ticketVersion(id)}, "reason": {"x"}}); st != 403 {
			t.Fatalf("another specialist pauses: %d", st)
		}
		if st, _ := w.do(http.MethodPost, "/tickets/"+id+"/pause", "spec", url.Values{"version": {w.ticketVersion(id)}, "reason": {"等客户回复"}}); st != 303 {
			t.Fatalf("pause: %d", st)
		}
		if _, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil); !strings.Contains(body, `data-testid="paused-badge"`) {
			t.Fatal("the page does not show the pause")
		}
		if st, _ := w.do(http.MethodPost, "/tickets/"+id+"/resume", "spec", url.Values{"version": {w.ticketVersion(id)}}); st != 303 {
			t.Fatalf("resume: %d", st)
		}
		if _, body := w.do(http.MethodGet, "/tickets/"+id, "spec", nil); strings.Contains(body, `data-testid="paused-badge"`) || !strings.Contains(body, `data-testid="pause-open"`) {
			t.Fatal("the page still shows the pause")
		}
	})
}

// The manager edits the ticket SLA rules on the policy page.
func TestTicketSLARulesPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		_, body := w.do(http.MethodGet, "/admin/tickets-policy", "mgr", nil)
		if !strings.Contains(body, `data-testid="sla-rules"`) || !strings.Contains(body, "紧急报修") {
			t.Fatalf("the policy page lacks the default rules")
		}
		base := url.Values{"repair_callback_working_days": {"3"}, "complaint_callback_days": {"2"}, "major_reply_working_days": {"1"},
			"resample_percent": {"20"}, "sla_present": {"1"}}
		form := func(rows ...[]string) url.Values {
			v := url.Values{}
			for k, vs := range base {
				v[k] = vs
			}
			for _, r := range rows {
				for i, k := range []string{"sla_name", "sla_type", "sla_urgency", "sla_class", "sla_channel", "sla_first", "sla_solution", "sla_clock"} {
					v.Add(k, r[i])
				}
			}
			return v
		}
		st, body := w.do(http.MethodPost, "/admin/tickets-policy", "mgr", form([]string{"", "repair", "", "", "", "30", "8", "24x7"}))
		if st != 400 || !strings.Contains(body, "sla-rules") {
			t.Fatalf("a rule without a name: %d %.200s", st, errorText(body))
		}
		if st, _ := w.do(http.MethodPost, "/admin/tickets-policy", "spec", form([]string{"x", "", "", "", "", "30", "0", "24x7"})); st != 403 {
			t.Fatalf("specialist saves: %d", st)
		}
		st, body = w.do(http.MethodPost, "/admin/tickets-policy", "mgr", form(
			[]string{"A 类报修", "repair", "", "A", "", "15", "4", "24x7"},
			[]string{"其他", "", "", "", "", "60", "0", "working"}))
		if st != 303 {
			t.Fatalf("save: %d %.200s", st, errorText(body))
		}
		pol, err := in.App.Tickets.Policy(w.as("mgr"))
		if err != nil || len(pol.SLA) != 2 || pol.SLA[0].Class != "A" || pol.SLA[0].FirstResponseMinutes != 15 || !pol.SLA[1].WorkingTime {
			t.Fatalf("stored rules %+v %v", pol.SLA, err)
		}
	})
}
