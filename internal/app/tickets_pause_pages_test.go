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
