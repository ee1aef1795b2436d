package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
	"kefu/internal/comms"
	"kefu/internal/contracts"
)

// TestContractContactsStopMissedCalls logs calls to the customer through
// the contracts domain (no number: the customer only) and finds the
// customer's missed-call clock stopped at once: a dunning call dated in
// time withdraws the breach of a missed call already late; a renewal call
// through the API takes a running clock off the live queue.
func TestContractContactsStopMissedCalls(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in) // 甲大厦, contact 王总 13800000001, owned by spec
		a := in.App
		ctx := context.Background()
		now := a.Now().Truncate(time.Second)
		info := infoCenter(t, in)
		missed := func(ext string, at time.Time) {
			t.Helper()
			if _, err := a.Comms.Ingest(info, []comms.Input{{ExternalID: ext, Channel: "phone_missed", OccurredAt: at.Format(time.RFC3339),
				Counterpart: "13800000001"}}, comms.SourceAPI); err != nil {
				t.Fatal(err)
			}
		}
		type clockRow struct {
			Key    string  `bun:"key"`
			State  string  `bun:"state"`
			StopID *string `bun:"stop_id"`
		}
		clock := func(startExt string) clockRow {
			t.Helper()
			var c clockRow
			if err := a.DB().R().NewRaw(`SELECT k.key, k.state, k.stop_id FROM response_clocks k JOIN communications m ON m.id = k.start_id
				WHERE m.external_id = ?`, startExt).Scan(ctx, &c); err != nil {
				t.Fatalf("clock of %s: %v", startExt, err)
			}
			return c
		}
		type eventRow struct {
			Quantity    int64      `bun:"quantity"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
		}
		event := func(key string) (eventRow, bool) {
			t.Helper()
			var evs []eventRow
			if err := a.DB().R().NewRaw("SELECT quantity, withdrawn_at FROM events WHERE computed_key = ?", key).Scan(ctx, &evs); err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 {
				return eventRow{}, false
			}
			return evs[0], true
		}
		onQueue := func(key string) bool {
			t.Helper()
			q, err := a.Comms.Queue(w.as("mgr"), "")
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range q {
				if it.Key == key {
					return true
				}
			}
			return false
		}

		// A missed call 50 minutes ago: 20 minutes late, on the queue.
		missed("m1", now.Add(-50*time.Minute))
		c := clock("m1")
		if ev, ok := event(c.Key); c.State != "breached" || c.StopID != nil || !ok || ev.WithdrawnAt != nil || ev.Quantity < 20 || !onQueue(c.Key) {
			t.Fatalf("before the dunning call: clock %+v, event %+v %v, queued %v", c, ev, ok, onQueue(c.Key))
		}
		// The specialist logs that they called the customer back 30 minutes
		// ago (before the deadline, 20 minutes ago) about the overdue
		// installment.
		back := now.Add(-30 * time.Minute)
		dun, err := a.Contracts.LogContractContact(w.as("spec"), w.contract.ID, contracts.TagDunning,
			contracts.CommunicationInput{Channel: "phone_out", OccurredAt: &back, Summary: "电话催缴第一期款项"})
		if err != nil {
			t.Fatal(err)
		}
		c = clock("m1")
		if c.State != "met" || c.StopID == nil || *c.StopID != dun.ID || onQueue(c.Key) {
			t.Fatalf("after the dunning call: clock %+v (want met, stopped by %s), queued %v", c, dun.ID, onQueue(c.Key))
		}
		if ev, ok := event(c.Key); !ok || ev.WithdrawnAt == nil {
			t.Fatalf("the breach stands after a call back in time: %+v %v", ev, ok)
		}

		// A new missed call 10 minutes ago: running, on the queue; the
		// renewal call logged now through the API stops it.
		missed("m2", now.Add(-10*time.Minute))
		c = clock("m2")
		if c.State != "running" || c.StopID != nil || !onQueue(c.Key) {
			t.Fatalf("second missed call: clock %+v, queued %v", c, onQueue(c.Key))
		}
		body, _ := json.Marshal(map[string]string{"tag": contracts.TagRenewal, "channel": "phone_out", "summary": "续约意向沟通"})
		req, err := http.NewRequest(http.MethodPost, in.URL+"/api/v1/contracts/"+w.contract.ID+"/communications", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.tokens["spec"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var renewal contracts.Communication
		err = json.NewDecoder(resp.Body).Decode(&renewal)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusCreated || renewal.ID == "" {
			t.Fatalf("renewal contact: status %d, %+v, %v", resp.StatusCode, renewal, err)
		}
		c = clock("m2")
		if c.State != "met" || c.StopID == nil || *c.StopID != renewal.ID || onQueue(c.Key) {
			t.Fatalf("after the renewal call: clock %+v (want met, stopped by %s), queued %v", c, renewal.ID, onQueue(c.Key))
		}
		if ev, ok := event(c.Key); ok {
			t.Fatalf("an event for a clock met in time: %+v", ev)
		}
	})
}
