package comms_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// Requests written together (group commit) keep their own all-or-nothing:
// a request with a bad record gets its own errors, indexed within it, and
// stores nothing; the others are stored, each answered with its own
// results; a duplicate external id across requests is "unchanged" when
// the content is the same and refused when it differs.
func TestWriteTogetherKeepsEachRequestApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := func(ext, at string) comms.Input {
			return comms.Input{ExternalID: ext, Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-05 " + at, Conversation: "wxg-001", Summary: ext}
		}
		bad := rec("bad-2", "09:05:00")
		bad.Channel = "pigeon"
		conflicting := rec("ok-1", "09:00:00")
		conflicting.Summary = "different"
		reqs := [][]comms.Input{
			{rec("ok-1", "09:00:00")},
			{rec("ok-2", "09:01:00"), rec("ok-3", "09:02:00")},
			{rec("bad-1", "09:04:00"), bad}, // one bad record: the whole request fails
			{conflicting},                   // same id as request 0, other content
			{rec("ok-1", "09:00:00")},       // same id and content as request 0
			{rec("ok-4", "09:06:00")},
		}
		ctxs := make([]context.Context, len(reqs))
		for i := range ctxs {
			ctxs[i] = e.info
		}
		res, errs := comms.WriteTogether(e.svc, ctxs, reqs)
		for i, want := range []string{"", "", "channel", "external_id", "", ""} {
			if want == "" {
				if errs[i] != nil {
					t.Fatalf("request %d: %v", i, errs[i])
				}
				if len(res[i]) != len(reqs[i]) {
					t.Fatalf("request %d: %d results for %d records", i, len(res[i]), len(reqs[i]))
				}
				for j, r := range res[i] {
					if r.Index != j || r.ExternalID != reqs[i][j].ExternalID || r.ID == "" {
						t.Fatalf("request %d result %d: %+v", i, j, r)
					}
				}
				continue
			}
			var be *comms.BatchError
			if !errors.As(errs[i], &be) || len(be.Items) != 1 || be.Items[0].Field != want {
				t.Fatalf("request %d: err %v, want one error on %s", i, errs[i], want)
			}
			if want == "channel" && be.Items[0].Index != 1 {
				t.Fatalf("request %d: error at index %d, want 1 (within the request)", i, be.Items[0].Index)
			}
		}
		if res[4][0].Action != "unchanged" || res[4][0].ID != res[0][0].ID || res[0][0].Action != "created" {
			t.Fatalf("duplicate across requests: %+v vs %+v", res[4][0], res[0][0])
		}
		var stored []string
		if err := db.R().NewRaw("SELECT external_id FROM communications ORDER BY external_id").Scan(context.Background(), &stored); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(stored) != "[ok-1 ok-2 ok-3 ok-4]" {
			t.Fatalf("stored %v", stored)
		}
	})
}

// Many clients posting one record each at once: every record is stored
// exactly once and every client gets its own answer, whether or not its
// request was written together with others.
func TestConcurrentSingleRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const clients, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, clients*each)
		for c := range clients {
			wg.Go(func() {
				for k := range each {
					in := comms.Input{ExternalID: fmt.Sprintf("c%d-%d", c, k), Channel: "phone_in", OccurredAt: fmt.Sprintf("2026-03-05 08:%02d:%02d", c, k),
						Counterpart: "13800000001", StaffLogin: "spec1"}
					if k == 7 {
						in.Channel = "pigeon" // every client sends one bad record
					}
					res, err := e.svc.Ingest(e.info, []comms.Input{in}, comms.SourceAPI)
					switch {
					case k == 7:
						var be *comms.BatchError
						if !errors.As(err, &be) || len(be.Items) != 1 || be.Items[0].Index != 0 || be.Items[0].ExternalID != in.ExternalID {
							errs <- fmt.Errorf("%s: %v, want its own error", in.ExternalID, err)
						}
					case err != nil:
						errs <- fmt.Errorf("%s: %w", in.ExternalID, err)
					case len(res) != 1 || res[0].ExternalID != in.ExternalID || res[0].Action != "created" || !res[0].Matched:
						errs <- fmt.Errorf("%s: %+v", in.ExternalID, res)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var n int
		if err := db.R().NewRaw("SELECT COUNT(DISTINCT external_id) FROM communications").Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM communications").Scan(context.Background(), &rows); err != nil {
			t.Fatal(err)
		}
		if n != clients*(each-1) || rows != n {
			t.Fatalf("stored %d records (%d distinct), want %d", rows, n, clients*(each-1))
		}
	})
}
