package comms_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// The person accountable for a response clock is the customer's owner at
// the instant the clock started, not on its day: after a handover at 14:00
// the morning's clocks (and one started a second before it) stay with the
// old owner, and the afternoon's go to the new one, with their breach and
// near-breach events. A handover backdated by a manager moves the clocks
// started after its time at the next re-derivation.
func TestClockOwnerAtTheInstant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cur := time.Date(2026, 3, 4, 9, 0, 0, 0, shanghai)
		clock := func() time.Time { return cur }
		blobs, err := blob.OpenDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { blobs.Close() })
		o := org.NewService(db, clock)
		cust := customers.NewService(db, blobs, clock, customers.Options{Location: shanghai})
		svc := comms.NewService(db, clock, comms.Options{Location: shanghai, Owners: cust})
		sys := access.With(context.Background(), access.System())
		ids := map[string]string{}
		as := map[string]context.Context{}
		for login, r := range map[string]access.Role{"mgr": access.CSManager, "old": access.CSSpecialist, "new": access.CSSpecialist, "info": access.InfoCenter} {
			st, err := o.CreateStaff(sys, org.StaffInput{Login: login, Name: login, Roles: []access.Role{r}})
			if err != nil {
				t.Fatal(err)
			}
			ids[login] = st.ID
			as[login] = access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: login, Name: login, Roles: st.Roles})
		}
		region, err := o.SaveRegion(sys, "", 0, org.UnitInput{Name: "国贸"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := cust.CreateCustomer(as["mgr"], customers.CustomerInput{Name: "国贸物业", Class: "B", RegionID: region.ID, OwnerID: ids["old"]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cust.SaveGroup(as["mgr"], c.ID, "", 0, customers.GroupInput{Name: "国贸物业服务群", ExternalID: "wxg-001"}); err != nil {
			t.Fatal(err)
		}
		handover := func(owner string, recordedAt *time.Time) {
			t.Helper()
			v, err := cust.GetCustomer(as["mgr"], c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cust.UpdateCustomer(as["mgr"], c.ID, v.Version, customers.CustomerInput{Name: c.Name, Class: c.Class, RegionID: c.RegionID,
				OwnerID: ids[owner], Change: customers.Change{RecordedAt: recordedAt}}); err != nil {
				t.Fatal(err)
			}
		}
		// The manager hands the customer over at 14:00 on 03-05.
		cur = time.Date(2026, 3, 5, 14, 0, 0, 0, shanghai)
		handover("new", nil)
		cur = time.Date(2026, 3, 5, 16, 0, 0, 0, shanghai)
		msg := func(ext, dir, at string) comms.Input {
			return comms.Input{ExternalID: ext, Channel: "wechat_group", Direction: dir, OccurredAt: "2026-03-05 " + at, Conversation: "wxg-001"}
		}
		if _, err := svc.Ingest(as["info"], []comms.Input{
			msg("m1", "in", "09:00:00"), msg("r1", "out", "09:05:00"), // the morning: late
			msg("m2", "in", "13:59:59"), msg("r2", "out", "14:04:00"), // a second before the handover: late
			msg("m3", "in", "15:00:00"), msg("r3", "out", "15:04:00"), // after it: late
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		// who says who is accountable for the clock started at each time,
		// and for its breach and near-breach.
		who := func() map[string]string {
			t.Helper()
			var rows []struct {
				StartedAt time.Time `bun:"started_at"`
				Clock     *string   `bun:"clock"`
				Breach    *string   `bun:"breach"`
				Near      *string   `bun:"near"`
			}
			if err := db.R().NewRaw(`SELECT k.started_at, k.staff_id AS clock, b.staff_id AS breach, n.staff_id AS near
				FROM response_clocks k
				LEFT JOIN events b ON b.computed_key = k.key AND b.withdrawn_at IS NULL
				LEFT JOIN events n ON n.computed_key = k.key || '|near' AND n.withdrawn_at IS NULL
				ORDER BY k.started_at`).Scan(context.Background(), &rows); err != nil {
				t.Fatal(err)
			}
			name := map[string]string{}
			for l, id := range ids {
				name[id] = l
			}
			out := map[string]string{}
			for _, r := range rows {
				s := func(p *string) string {
					if p == nil {
						return "-"
					}
					return name[*p]
				}
				out[r.StartedAt.In(shanghai).Format(time.TimeOnly)] = s(r.Clock) + "/" + s(r.Breach) + "/" + s(r.Near)
			}
			return out
		}
		want := map[string]string{"09:00:00": "old/old/old", "13:59:59": "old/old/old", "15:00:00": "new/new/new"}
		if got := who(); !mapsEqual(got, want) {
			t.Fatalf("accountable (clock/breach/near) %v, want %v", got, want)
		}
		// A manager records at 17:00 that the customer went back to the
		// old owner at 14:30: the next re-derivation gives him the 15:00
		// clock and its events; the earlier ones do not change.
		cur = time.Date(2026, 3, 5, 17, 0, 0, 0, shanghai)
		back := time.Date(2026, 3, 5, 14, 30, 0, 0, shanghai)
		handover("old", &back)
		n, err := svc.Recompute(context.Background(), time.Date(2026, 3, 5, 0, 0, 0, 0, shanghai), cur)
		if err != nil || n.Changed != 1 {
			t.Fatalf("recompute after the backdated handover %+v %v, want one clock rewritten", n, err)
		}
		want["15:00:00"] = "old/old/old"
		if got := who(); !mapsEqual(got, want) {
			t.Fatalf("after the backdated handover: accountable %v, want %v", got, want)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
