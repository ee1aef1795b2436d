package customers_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// archive_late: one event per change recorded after the day it became
// known, against whoever recorded it; none for a same-day change, for
// history the system migrated or for changes before the policy's start.
func TestDeriveArchiveLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 2026-03-05 10:00
		c := e.customer("档案考核", e.r1, e.spec1)
		cases := []struct {
			name       string
			ctx        context.Context
			knownOn    string
			recordedAt *time.Time
			want       bool
		}{
			{name: "same day", ctx: e.asSpec1, want: false},
			{name: "known the same day, said so", ctx: e.asSpec1, knownOn: "2026-03-05", want: false},
			{name: "known yesterday", ctx: e.asSpec1, knownOn: "2026-03-04", want: true},
			{name: "manager, three days late", ctx: e.asMgr, knownOn: "2026-03-02", want: true},
			{name: "migrated by the system", ctx: e.sys, knownOn: "2026-01-02", recordedAt: ptr(time.Date(2026, 1, 10, 9, 0, 0, 0, shanghai)), want: false},
			{name: "manager back-dated before the start", ctx: e.asMgr, knownOn: "2026-01-02", recordedAt: ptr(time.Date(2026, 1, 10, 9, 0, 0, 0, shanghai)), want: false},
		}
		wantIDs := map[string]string{} // change id → recorder
		for _, tc := range cases {
			cur, err := e.svc.GetCustomer(e.asMgr, c.ID)
			ok(t, err)
			in := inputOf(&cur.Customer)
			in.Notes = tc.name
			in.KnownOn, in.RecordedAt = tc.knownOn, tc.recordedAt
			_, err = e.svc.UpdateCustomer(tc.ctx, c.ID, cur.Version, in)
			ok(t, err)
			chs, err := e.svc.Changes(e.asMgr, customers.ChangeFilter{CustomerID: c.ID, Limit: 1000})
			ok(t, err)
			for _, ch := range chs {
				if ch.Action == "update" && ch.Changes != nil && notesOf(ch) == tc.name && tc.want {
					wantIDs[ch.ID] = deref(ch.RecordedBy)
				}
			}
		}
		if len(wantIDs) != 2 {
			t.Fatalf("want 2 late changes, got %v", wantIDs)
		}
		if _, err := e.svc.DeriveArchiveLate(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist runs it: %v", err)
		}
		_, err := e.svc.SaveArchiveLatePolicy(e.asMgr, customers.ArchiveLatePolicy{TrackFrom: "2026-02-01"})
		ok(t, err)
		type ev struct {
			Key         string     `bun:"computed_key"`
			StaffID     *string    `bun:"staff_id"`
			WithdrawnAt *time.Time `bun:"withdrawn_at"`
		}
		read := func() map[string]ev {
			t.Helper()
			var evs []ev
			ok(t, db.R().NewRaw("SELECT computed_key, staff_id, withdrawn_at FROM events WHERE type = ?", customers.EventArchiveLate).
				Scan(context.Background(), &evs))
			out := map[string]ev{}
			for _, x := range evs {
				out[x.Key] = x
			}
			return out
		}
		for range 2 { // deterministic: again changes nothing
			n, err := e.svc.DeriveArchiveLate(e.sys)
			if err != nil || n != (customers.ArchiveLateCounts{Late: 2}) {
				t.Fatalf("derive: %+v %v", n, err)
			}
			got := read()
			if len(got) != 2 {
				t.Fatalf("events %+v", got)
			}
			for id, by := range wantIDs {
				x := got["archive_late|"+id]
				if x.StaffID == nil || *x.StaffID != by || x.WithdrawnAt != nil {
					t.Fatalf("event of %s: %+v, want staff %s", id, x, by)
				}
			}
		}
		var refs []string
		for id := range wantIDs {
			ok(t, db.R().NewRaw(`SELECT v.kind FROM event_evidence v JOIN events e ON e.id = v.event_id WHERE e.computed_key = ? ORDER BY v.kind`,
				"archive_late|"+id).Scan(context.Background(), &refs))
			if !slices.Equal(refs, []string{"archive_change", "customer"}) {
				t.Fatalf("evidence %v", refs)
			}
		}
		// Without a start the back-dated manager's change counts too; the
		// system's never does.
		_, err = e.svc.SaveArchiveLatePolicy(e.asMgr, customers.ArchiveLatePolicy{})
		ok(t, err)
		if n, err := e.svc.DeriveArchiveLate(e.sys); err != nil || n.Late != 3 {
			t.Fatalf("no start: %+v %v", n, err)
		}
		// A start after the changes: all withdrawn.
		_, err = e.svc.SaveArchiveLatePolicy(e.asMgr, customers.ArchiveLatePolicy{TrackFrom: "2026-03-06"})
		ok(t, err)
		if n, err := e.svc.DeriveArchiveLate(e.sys); err != nil || n != (customers.ArchiveLateCounts{Withdrawn: 3}) {
			t.Fatalf("start moved: %+v %v", n, err)
		}
		_, err = e.svc.SaveArchiveLatePolicy(e.asMgr, customers.ArchiveLatePolicy{TrackFrom: "06/03/2026"})
		wantErr(t, err, apperr.KindInvalid, "track_from")
	})
}

// notesOf is the new notes of an update.
func notesOf(ch customers.ArchiveChangeView) string {
	for _, f := range ch.Changes {
		if f.Field == "notes" {
			s, _ := f.After.(string)
			return s
		}
	}
	return ""
}
