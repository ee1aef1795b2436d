package scorecards_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/blob"
	"kefu/internal/customers"
	"kefu/internal/events"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// fixedRates is the contracts domain's answer for March 2026: specialist
// 甲 renewed 2 of 3 contracts and collected ¥24,000 of ¥30,000.
type fixedRates map[string]map[string]appraisal.Rate

func (f fixedRates) MonthRates(context.Context, string) (map[string]map[string]appraisal.Rate, error) {
	return f, nil
}

func (f fixedRates) StaffRates(_ context.Context, _, staffID string) (map[string]appraisal.Rate, error) {
	return f[staffID], nil
}

func (fixedRates) Keys() []string { return []string{"renewal", "collection"} }

// TestWorkedExample is SPEC §8.3's worked example through the store: the
// month's events and rates, the supervisor's ratings, the card line by
// line, 81.00 — on both databases.
func TestWorkedExample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 4, 2, 10, 0, 0, 0, shanghai)
		clock := func() time.Time { return now }
		sys := access.With(context.Background(), access.System())
		o := org.NewService(db, clock)
		mgr, err := o.CreateStaff(sys, org.StaffInput{Login: "mgr", Name: "孟经理", Roles: []access.Role{access.CSManager}})
		if err != nil {
			t.Fatal(err)
		}
		jia, err := o.CreateStaff(sys, org.StaffInput{Login: "jia", Name: "甲", SupervisorID: mgr.ID, Roles: []access.Role{access.CSSpecialist}})
		if err != nil {
			t.Fatal(err)
		}
		as := func(st *org.Staff) context.Context {
			return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
		}
		blobs, err := blob.OpenDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { blobs.Close() })
		cs := customers.NewService(db, blobs, clock, customers.Options{Location: shanghai})
		r, err := o.SaveRegion(sys, "", 0, org.UnitInput{Name: "国贸", Code: "GM", SpecialistID: jia.ID})
		if err != nil {
			t.Fatal(err)
		}
		quiet, err := cs.CreateCustomer(as(mgr), customers.CustomerInput{Name: "安静物业", Class: "B", RegionID: r.ID, OwnerID: jia.ID})
		if err != nil {
			t.Fatal(err)
		}
		at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, shanghai) }
		staff, cust := jia.ID, quiet.ID
		evs := []events.Computed{
			{Key: "d1", Type: "dispatch_overdue", StaffID: &staff, OccurredAt: at(5, 18), Quantity: 1},
			{Key: "w1", Type: "wechat_timeout", StaffID: &staff, OccurredAt: at(9, 10), Quantity: 1},
			{Key: "w2", Type: "wechat_timeout", StaffID: &staff, OccurredAt: at(17, 15), Quantity: 1},
			{Key: "n1", Type: "no_contact_month", StaffID: &staff, CustomerID: &cust, OccurredAt: at(31, 23), Quantity: 1},
			{Key: "s1", Type: "summary_missing", StaffID: &staff, OccurredAt: at(20, 20), Quantity: 1},
			// April's event and another's do not count.
			{Key: "x1", Type: "wechat_timeout", StaffID: &staff, OccurredAt: time.Date(2026, 4, 1, 9, 0, 0, 0, shanghai), Quantity: 1},
		}
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error { return events.Put(ctx, tx, evs, now) }); err != nil {
			t.Fatal(err)
		}
		svc := scorecards.NewService(db, clock, scorecards.Options{Location: shanghai, Rates: fixedRates{jia.ID: {
			"renewal": {Num: 2, Den: 3}, "collection": {Num: 2_400_000, Den: 3_000_000}}}})
		if n, err := svc.EnsureShipped(context.Background()); err != nil || n != len(appraisal.Shipped()) {
			t.Fatalf("shipped schemes: %d, %v", n, err)
		}
		if n, _ := svc.EnsureShipped(context.Background()); n != 0 {
			t.Errorf("shipped twice: %d", n)
		}
		if _, err := svc.Compute(as(jia), "2026-03", ""); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a specialist computing: %v, want forbidden", err)
		}
		n, err := svc.Compute(as(mgr), "2026-03", jia.ID)
		if err != nil || n.Computed != 1 {
			t.Fatalf("compute: %+v %v", n, err)
		}
		card, err := svc.Card(as(jia), jia.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if card.Complete || card.Status != scorecards.StatusDraft {
			t.Errorf("before ratings: complete %v status %s", card.Complete, card.Status)
		}
		// The supervisor rates 其它 and the five attitude items; 甲 cannot.
		if _, err := svc.Rate(as(jia), card.ID, card.Version, "other", appraisal.Rating{Points: appraisal.P(5)}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("rating one's own card: %v, want forbidden", err)
		}
		ratings := []struct {
			item   string
			points int64
		}{{"other", 5}, {"initiative", 3}, {"enthusiasm", 3}, {"execution", 2}, {"dedication", 3}, {"responsibility", 3}}
		for _, rt := range ratings {
			if card, err = svc.Rate(as(mgr), card.ID, card.Version, rt.item, appraisal.Rating{Points: appraisal.P(rt.points)}); err != nil {
				t.Fatalf("rate %s: %v", rt.item, err)
			}
		}
		if _, err := svc.Rate(as(mgr), card.ID, card.Version, "initiative", appraisal.Rating{Points: appraisal.P(7)}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("a level the rubric lacks: %v, want invalid", err)
		}
		want := map[string]string{"renewal_rate": "10.00", "collection_rate": "12.00", "dispatch": "8.00", "service": "8.00",
			"followup": "14.00", "archive": "10.00", "other": "5.00", "initiative": "3.00", "enthusiasm": "3.00", "execution": "2.00",
			"dedication": "3.00", "responsibility": "3.00"}
		card, err = svc.Card(as(mgr), jia.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range card.Card.Lines {
			if got := l.Score.String(); got != want[l.Item] {
				t.Errorf("%s (%s): %s, want %s — %s", l.Item, l.Name, got, want[l.Item], l.Detail)
			}
		}
		if card.Final.String() != "81.00" || card.Total.String() != "81.00" || !card.Complete {
			t.Errorf("card total %s final %s complete %v, want 81.00", card.Total, card.Final, card.Complete)
		}
		// The service line's deductions name their events.
		for _, l := range card.Card.Lines {
			if l.Item == "service" && (len(l.Deductions) != 2 || len(l.Deductions[0].EventIDs)+len(l.Deductions[1].EventIDs) != 3) {
				t.Errorf("service deductions %+v: want the two timeouts and the customer", l.Deductions)
			}
		}
		// Recomputing changes nothing; another staff member cannot read it.
		if _, err := svc.Compute(as(mgr), "2026-03", ""); err != nil {
			t.Fatal(err)
		}
		again, err := svc.Card(as(jia), jia.ID, "2026-03")
		if err != nil || again.Final != card.Final || again.Version != card.Version {
			t.Errorf("recomputed: %v final %s version %d, want unchanged", err, again.Final, again.Version)
		}
		other, err := o.CreateStaff(sys, org.StaffInput{Login: "yi", Name: "乙", Roles: []access.Role{access.CSSpecialist}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Card(as(other), jia.ID, "2026-03"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("another specialist reading: %v, want forbidden", err)
		}
		// 本月至今: the preview counts the same events and the ratings given.
		pv, err := svc.Preview(as(jia), jia.ID, "2026-03")
		if err != nil || pv.Total.String() != "81.00" {
			t.Errorf("preview %v: total %v, want 81.00", err, pv)
		}
	})
}
