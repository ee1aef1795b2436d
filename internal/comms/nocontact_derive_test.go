package comms_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type derivedEvent struct {
	ID          string     `bun:"id"`
	Key         string     `bun:"computed_key"`
	StaffID     *string    `bun:"staff_id"`
	OccurredAt  time.Time  `bun:"occurred_at"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
}

// no_contact_month: one event per customer and closed month without a
// contact from our side, against the owner at the month's end; none for
// the current month, none for a customer contacted once, none before a
// customer was ours; a backdated contact withdraws the month's event;
// deriving again changes nothing.
func TestDeriveNoContactEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := time.Date(2025, 11, 20, 10, 0, 0, 0, shanghai)
		tick := func() time.Time { return clock }
		sys := access.With(context.Background(), access.System())
		o := org.NewService(db, tick)
		blobs, err := blob.OpenDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { blobs.Close() })
		cust := customers.NewService(db, blobs, tick, customers.Options{Location: shanghai, SpecialistReadAll: true})
		svc := comms.NewService(db, tick, comms.Options{Location: shanghai, Owners: cust})
		staff := map[string]string{}
		as := func(login string, r access.Role) context.Context {
			st, err := o.CreateStaff(sys, org.StaffInput{Login: login, Name: login, Roles: []access.Role{r}})
			if err != nil {
				t.Fatal(err)
			}
			staff[login] = st.ID
			return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: login, Name: login, Roles: st.Roles})
		}
		mgr, spec1, info := as("mgr", access.CSManager), as("spec1", access.CSSpecialist), as("info", access.InfoCenter)
		as("spec2", access.CSSpecialist)
		r, err := o.SaveRegion(sys, "", 0, org.UnitInput{Name: "国贸"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(name, owner string) *customers.Customer {
			c, err := cust.CreateCustomer(mgr, customers.CustomerInput{Name: name, Class: "B", RegionID: r.ID, OwnerID: staff[owner]})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		a, b, c := mk("甲 contacted monthly", "spec1"), mk("乙 never contacted", "spec1"), mk("丙 owner changes", "spec2")
		clock = time.Date(2026, 1, 15, 10, 0, 0, 0, shanghai)
		d := mk("丁 new in January", "spec2")
		clock = time.Date(2026, 1, 10, 10, 0, 0, 0, shanghai)
		in := customers.CustomerInput{Name: c.Name, Class: c.Class, RegionID: c.RegionID, OwnerID: staff["spec1"], Status: "active"}
		if _, err := cust.UpdateCustomer(mgr, c.ID, c.Version, in); err != nil {
			t.Fatal(err)
		}
		clock = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)
		if _, err := svc.Ingest(info, []comms.Input{
			{ExternalID: "a12", Channel: "phone_out", OccurredAt: "2025-12-31 23:59:59", CustomerID: a.ID, StaffLogin: "spec1"},
			{ExternalID: "a01", Channel: "visit", Direction: "out", OccurredAt: "2026-01-02 10:00:00", CustomerID: a.ID, StaffLogin: "spec1"},
			{ExternalID: "a02", Channel: "wechat_private", Direction: "out", OccurredAt: "2026-02-01 00:00:00", CustomerID: a.ID, Counterpart: "a_wx"},
			// A customer's own message is no contact from our side.
			{ExternalID: "b12", Channel: "wechat_private", Direction: "in", OccurredAt: "2025-12-10 09:00:00", CustomerID: b.ID, Counterpart: "b_wx"},
			{ExternalID: "c12", Channel: "phone_out", OccurredAt: "2025-12-05 09:00:00", CustomerID: c.ID, StaffLogin: "spec2"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		read := func() map[string]derivedEvent {
			t.Helper()
			var evs []derivedEvent
			if err := db.R().NewRaw("SELECT id, computed_key, staff_id, occurred_at, withdrawn_at FROM events WHERE type = ?",
				comms.EventNoContactMonth).Scan(context.Background(), &evs); err != nil {
				t.Fatal(err)
			}
			out := map[string]derivedEvent{}
			for _, e := range evs {
				out[e.Key] = e
			}
			return out
		}
		key := func(c *customers.Customer, m string) string { return "no_contact_month|" + c.ID + "|" + m }
		n, err := svc.DeriveNoContactEvents(sys)
		if err != nil {
			t.Fatal(err)
		}
		if n.From != "2025-12" || n.To != "2026-02" || n.Events != 6 || n.Withdrawn != 0 {
			t.Fatalf("counts %+v", n)
		}
		want := map[string]string{ // key → staff
			key(b, "2025-12"): "spec1", key(b, "2026-01"): "spec1", key(b, "2026-02"): "spec1",
			key(c, "2026-01"): "spec1", key(c, "2026-02"): "spec1", // owner changed on 01-10: the month's end owner
			key(d, "2026-02"): "spec2", // January: taken on mid-month
		}
		got := read()
		var keys []string
		for k, e := range got {
			keys = append(keys, k)
			if w, ok := want[k]; !ok || e.StaffID == nil || *e.StaffID != staff[w] || e.WithdrawnAt != nil {
				t.Errorf("event %s: staff %v withdrawn %v, want staff %q", k, e.StaffID, e.WithdrawnAt, w)
			}
		}
		if len(got) != len(want) {
			slices.Sort(keys)
			t.Fatalf("events %v, want %d", keys, len(want))
		}
		// The event belongs to its month: the last second of it.
		if at := got[key(b, "2026-02")].OccurredAt.In(shanghai); !at.Equal(time.Date(2026, 2, 28, 23, 59, 59, 0, shanghai)) {
			t.Fatalf("occurred at %v", at)
		}
		// Evidence: the customer, and the last contact before the month's end.
		var refs []string
		if err := db.R().NewRaw("SELECT kind || ':' || role FROM event_evidence WHERE event_id = ? ORDER BY kind",
			got[key(c, "2026-02")].ID).Scan(context.Background(), &refs); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(refs, []string{"communication:last_contact", "customer:customer"}) {
			t.Fatalf("evidence %v", refs)
		}

		// Deriving again changes nothing.
		if n, err := svc.DeriveNoContactEvents(sys); err != nil || n.Events != 6 || n.Withdrawn != 0 {
			t.Fatalf("again: %+v %v", n, err)
		}
		again := read()
		for k, e := range got {
			if again[k].ID != e.ID || again[k].WithdrawnAt != nil {
				t.Fatalf("event %s changed: %+v → %+v", k, e, again[k])
			}
		}

		// A contact of January recorded late with its real time: January's
		// event is withdrawn, the others stand.
		if _, err := svc.Ingest(info, []comms.Input{
			{ExternalID: "b01", Channel: "phone_out", OccurredAt: "2026-01-20 15:00:00", CustomerID: b.ID, StaffLogin: "spec1"},
		}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.DeriveNoContactEvents(sys); err != nil || n.Events != 5 || n.Withdrawn != 1 {
			t.Fatalf("after the backdated call: %+v %v", n, err)
		}
		after := read()
		if after[key(b, "2026-01")].WithdrawnAt == nil || after[key(b, "2026-02")].WithdrawnAt != nil || after[key(b, "2025-12")].WithdrawnAt != nil {
			t.Fatalf("after the backdated call: %+v", after)
		}

		// The window moves on: in April, December is outside it and stays.
		clock = time.Date(2026, 4, 1, 0, 30, 0, 0, shanghai)
		n, err = svc.DeriveNoContactEvents(sys)
		if err != nil || n.From != "2026-01" || n.To != "2026-03" || n.Withdrawn != 0 {
			t.Fatalf("April: %+v %v", n, err)
		}
		if e := read()[key(b, "2025-12")]; e.WithdrawnAt != nil {
			t.Fatalf("December withdrawn outside the window: %+v", e)
		}
		if _, ok := read()[key(a, "2026-03")]; !ok {
			t.Fatal("March (now closed) gives its events")
		}

		if _, err := svc.DeriveNoContactEvents(spec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist: %v", err)
		}
		if _, err := svc.DeriveNoContactMonths(sys, 0); err == nil {
			t.Fatal("0 months accepted")
		} else if ae, _ := apperr.As(err); ae.Field != "months" {
			t.Fatalf("0 months: %v", err)
		}
	})
}
