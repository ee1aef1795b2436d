package comms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

var now = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)

type env struct {
	t                            *testing.T
	db                           *store.DB
	svc                          *comms.Service
	cust                         *customers.Service
	sys, mgr, spec1, spec2, info context.Context
	tech                         context.Context
	spec1ID                      string
	blobDir                      string
	a, b                         *customers.Customer
	wang                         *customers.Contact
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	clock := func() time.Time { return now }
	o := org.NewService(db, clock)
	blobDir := t.TempDir()
	blobs, err := blob.OpenDisk(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	cust := customers.NewService(db, blobs, clock, customers.Options{Location: shanghai, SpecialistReadAll: true})
	e := &env{t: t, blobDir: blobDir, svc: comms.NewService(db, clock, comms.Options{Location: shanghai, Owners: cust, Blobs: blobs}), cust: cust, db: db,
		sys: access.With(context.Background(), access.System())}
	as := func(login string, r access.Role) (context.Context, string) {
		st, err := o.CreateStaff(e.sys, org.StaffInput{Login: login, Name: login, Roles: []access.Role{r}})
		if err != nil {
			t.Fatal(err)
		}
		return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: login, Name: login, Roles: st.Roles}), st.ID
	}
	e.mgr, _ = as("mgr", access.CSManager)
	var spec2ID string
	e.spec1, e.spec1ID = as("spec1", access.CSSpecialist)
	e.spec2, spec2ID = as("spec2", access.CSSpecialist)
	e.info, _ = as("info", access.InfoCenter)
	e.tech, _ = as("tech", access.Technician)
	r, err := o.SaveRegion(e.sys, "", 0, org.UnitInput{Name: "国贸"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name, owner string) *customers.Customer {
		c, err := e.cust.CreateCustomer(e.mgr, customers.CustomerInput{Name: name, Class: "B", RegionID: r.ID, OwnerID: owner})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	e.a, e.b = mk("国贸物业", e.spec1ID), mk("望京写字楼", spec2ID)
	if e.wang, err = e.cust.AddContact(e.mgr, e.a.ID, customers.ContactInput{Name: "王经理", Phone: "13800000001", WeChat: "wang_wx"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cust.SaveGroup(e.mgr, e.a.ID, "", 0, customers.GroupInput{Name: "国贸物业服务群", ExternalID: "wxg-001"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func wantField(t *testing.T, err error, k apperr.Kind, field string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != k || (field != "" && ae.Field != field) {
		t.Fatalf("err = %v, want %s on %q", err, k, field)
	}
}

func TestIngestMatchesAndIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		batch := []comms.Input{
			{ExternalID: "pbx-1", Channel: "phone_missed", OccurredAt: "2026-03-05 09:00:00", Counterpart: "138 0000 0001"},
			{ExternalID: "pbx-2", Channel: "phone_out", OccurredAt: "2026-03-05T01:10:30Z", Counterpart: "+86 13800000001", StaffLogin: "spec1", DurationS: ptr(int64(95))},
			{ExternalID: "wx-1", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-05T09:20:00+08:00", Conversation: "wxg-001", Summary: "空调不制冷"},
			{ExternalID: "wx-2", Channel: "wechat_private", Direction: "in", OccurredAt: "2026-03-05 09:21:00", Counterpart: "wang_wx", Summary: "在吗"},
			{ExternalID: "pbx-3", Channel: "phone_in", OccurredAt: "2026-03-05 09:30:00", Counterpart: "010-88886666", Summary: "陌生号码"},
		}
		res, err := e.svc.Ingest(e.info, batch, comms.SourceAPI)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, true, true, true, false} {
			if res[i].Action != "created" || res[i].Matched != want {
				t.Fatalf("result %d = %+v, want created, matched %v", i, res[i], want)
			}
		}
		r, err := e.svc.Get(e.mgr, res[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Counterpart != "13800000001" || r.Conversation != "13800000001" || r.Direction != "out" || r.StaffID == nil ||
			*r.ContactID != e.wang.ID || !r.OccurredAt.Equal(time.Date(2026, 3, 5, 9, 10, 30, 0, shanghai)) || *r.DurationS != 95 {
			t.Fatalf("record %+v", r)
		}
		if r0, _ := e.svc.Get(e.mgr, res[0].ID); !r0.OccurredAt.Equal(time.Date(2026, 3, 5, 9, 0, 0, 0, shanghai)) {
			t.Fatalf("zone-less time read as %v, want company time", r0.OccurredAt)
		}
		// The same batch again: nothing new.
		again, err := e.svc.Ingest(e.info, batch, comms.SourceAPI)
		if err != nil {
			t.Fatal(err)
		}
		for i := range again {
			if again[i].Action != "unchanged" || again[i].ID != res[i].ID {
				t.Fatalf("again %d = %+v", i, again[i])
			}
		}
		// A known id with other content, and a bad record: the whole batch is refused.
		changed := batch[2]
		changed.Summary = "改了内容"
		_, err = e.svc.Ingest(e.info, []comms.Input{
			{ExternalID: "wx-9", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-05 09:40:00", Conversation: "wxg-001"},
			changed,
			{ExternalID: "wx-10", Channel: "telegram", OccurredAt: "2026-03-05 09:40:00"},
			{ExternalID: "wx-11", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-06 09:40:00"},
			{ExternalID: "wx-12", Channel: "phone_out", Direction: "in", OccurredAt: "2026-03-05 09:40:00"},
			{ExternalID: "wx-13", Channel: "wechat_group", Direction: "in", OccurredAt: "05/03/2026 09:40"},
			{ExternalID: "wx-14", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-05 09:41:00", CustomerID: "nope"},
		}, comms.SourceAPI)
		var be *comms.BatchError
		if !errors.As(err, &be) {
			t.Fatalf("bad batch: %v", err)
		}
		want := []struct {
			index int
			field string
		}{{1, "external_id"}, {2, "channel"}, {3, "occurred_at"}, {4, "direction"}, {5, "occurred_at"}, {6, "customer_id"}}
		if len(be.Items) != len(want) {
			t.Fatalf("errors %+v", be.Items)
		}
		for i, w := range want {
			if be.Items[i].Index != w.index || be.Items[i].Field != w.field || be.Items[i].Message == "" {
				t.Errorf("error %d = %+v, want index %d field %s", i, be.Items[i], w.index, w.field)
			}
		}
		if !strings.Contains(be.Items[0].Message, "wx-3") && !strings.Contains(be.Items[0].Message, batch[2].ExternalID) {
			t.Errorf("conflict message %q does not name the id", be.Items[0].Message)
		}
		page, err := e.svc.List(e.mgr, comms.Filter{})
		if err != nil || len(page.Items) != 5 {
			t.Fatalf("after the refused batch: %d records, %v", len(page.Items), err)
		}
		// Only feeds ingest.
		if _, err := e.svc.Ingest(e.spec1, batch, comms.SourceAPI); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist ingests: %v", err)
		}
		// The unmatched record is listed and can be matched.
		un, _ := e.svc.List(e.mgr, comms.Filter{Unmatched: true})
		if len(un.Items) != 1 || un.Items[0].ID != res[4].ID {
			t.Fatalf("unmatched %+v", un.Items)
		}
		if _, err := e.svc.Match(e.spec2, res[4].ID, e.a.ID, ""); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 matches to spec1's customer: %v", err)
		}
		if m, err := e.svc.Match(e.spec1, res[4].ID, e.a.ID, e.wang.ID); err != nil || *m.CustomerID != e.a.ID {
			t.Fatalf("match %+v %v", m, err)
		}
		if _, err := e.svc.Match(e.mgr, res[4].ID, e.b.ID, ""); !apperr.Is(err, apperr.KindConflict) {
			t.Fatalf("rematch: %v", err)
		}
	})
}

func TestAddAndReadScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r, err := e.svc.Add(e.spec1, comms.Input{Channel: "visit", Direction: "out", OccurredAt: "2026-03-05 09:00:00", CustomerID: e.a.ID,
			Summary: "上门回访", Tags: []string{"Callback", "callback", " satisfaction "}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Source != "ui" || *r.StaffID != e.spec1ID || strings.Join(r.Tags, ",") != "callback,satisfaction" {
			t.Fatalf("added %+v", r)
		}
		_, err = e.svc.Add(e.spec1, comms.Input{Channel: "visit", Direction: "out", OccurredAt: "2026-03-05 09:00:00", CustomerID: e.b.ID})
		wantField(t, err, apperr.KindForbidden, "")
		_, err = e.svc.Add(e.tech, comms.Input{Channel: "visit", OccurredAt: "2026-03-05 09:00:00", CustomerID: e.a.ID})
		wantField(t, err, apperr.KindForbidden, "")
		_, err = e.svc.Add(e.spec1, comms.Input{Channel: "visit", Direction: "out", OccurredAt: "2026-03-05 10:05:00", CustomerID: e.a.ID})
		wantField(t, err, apperr.KindInvalid, "occurred_at")
		if _, err := e.svc.Add(e.mgr, comms.Input{Channel: "phone_out", OccurredAt: "2026-03-05 09:05:00", CustomerID: e.b.ID}); err != nil {
			t.Fatal(err)
		}
		// spec2 reads only their own customers' records (and unmatched ones).
		p2, err := e.svc.List(e.spec2, comms.Filter{})
		if err != nil || len(p2.Items) != 1 || *p2.Items[0].CustomerID != e.b.ID {
			t.Fatalf("spec2 sees %+v %v", p2, err)
		}
		if _, err := e.svc.Get(e.spec2, r.ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 reads spec1's record: %v", err)
		}
		if _, err := e.svc.List(e.tech, comms.Filter{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("technician lists: %v", err)
		}
		tagged, _ := e.svc.List(e.mgr, comms.Filter{Tag: "callback"})
		if len(tagged.Items) != 1 {
			t.Fatalf("tag filter %d", len(tagged.Items))
		}
	})
}

func TestListPagesByTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var batch []comms.Input
		for i := range 25 {
			batch = append(batch, comms.Input{ExternalID: "x" + string(rune('a'+i)), Channel: "wechat_group", Direction: "in",
				OccurredAt: time.Date(2026, 3, 5, 8, 0, i%7, 0, shanghai).Format(time.RFC3339), Conversation: "wxg-001"})
		}
		if _, err := e.svc.Ingest(e.info, batch, comms.SourceImport); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		var last time.Time
		for cur, pages := "", 0; ; pages++ {
			p, err := e.svc.List(e.mgr, comms.Filter{Limit: 6, After: cur})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				if seen[it.ID] || (!last.IsZero() && it.OccurredAt.After(last)) {
					t.Fatalf("page %d: %s repeated or out of order", pages, it.ID)
				}
				seen[it.ID], last = true, it.OccurredAt
			}
			if p.Next == "" {
				break
			}
			cur = p.Next
		}
		if len(seen) != 25 {
			t.Fatalf("paged %d of 25", len(seen))
		}
	})
}

func ptr[T any](v T) *T { return &v }

// A record dated before the customer's 建档日期 is refused, whether typed,
// posted or matched later; the day itself and records matching no
// customer are taken.
func TestRecordsBeforeTheCustomerExisted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai
		in := customers.CustomerInput{Name: e.a.Name, Class: e.a.Class, RegionID: e.a.RegionID, OwnerID: deref(e.a.OwnerID), Since: "2026-03-04"}
		if _, err := e.cust.UpdateCustomer(e.mgr, e.a.ID, e.a.Version, in); err != nil {
			t.Fatal(err)
		}
		call := func(ext, at string) comms.Input {
			return comms.Input{ExternalID: ext, Channel: "phone_in", OccurredAt: at, Counterpart: "13800000001", StaffLogin: "spec1"}
		}
		// 2026-03-03 23:59:59 in Shanghai is still the day before.
		_, err := e.svc.Ingest(e.info, []comms.Input{call("ok", "2026-03-04 00:00:00"), call("early", "2026-03-03 23:59:59")}, comms.SourceAPI)
		var be *comms.BatchError
		if !errors.As(err, &be) || len(be.Items) != 1 || be.Items[0].Index != 1 || be.Items[0].Field != "occurred_at" ||
			!strings.Contains(be.Items[0].Message, "2026-03-04") {
			t.Fatalf("batch with a record before 建档日期: %v", err)
		}
		// Nothing of the batch was stored; the good record alone is.
		if res, err := e.svc.Ingest(e.info, []comms.Input{call("ok", "2026-03-04 00:00:00")}, comms.SourceAPI); err != nil || res[0].Action != "created" {
			t.Fatalf("the first day: %+v %v", res, err)
		}
		// Typed by hand.
		_, err = e.svc.Add(e.spec1, comms.Input{Channel: "phone_out", OccurredAt: "2026-03-01 09:00:00", CustomerID: e.a.ID, Summary: "回访"})
		wantField(t, err, apperr.KindInvalid, "occurred_at")
		// An unknown number is kept; matching it to the customer later is refused.
		res, err := e.svc.Ingest(e.info, []comms.Input{{ExternalID: "x", Channel: "phone_in", OccurredAt: "2026-03-01 09:00:00", Counterpart: "13900000009"}}, comms.SourceAPI)
		if err != nil || res[0].Matched {
			t.Fatalf("unmatched record: %+v %v", res, err)
		}
		_, err = e.svc.Match(e.mgr, res[0].ID, e.a.ID, "")
		wantField(t, err, apperr.KindInvalid, "occurred_at")
		if _, err := e.svc.Match(e.mgr, res[0].ID, e.b.ID, ""); err != nil { // b has no 建档日期
			t.Fatal(err)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// A machine client's records must carry their external id (a retry
// without one would store the record twice); people and file imports
// have their own idempotency. One id twice in a batch with different
// content refuses the batch naming the id; with the same content it is
// one record. Nothing of a refused batch is stored.
func TestIngestExternalIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		count := func() int {
			t.Helper()
			p, err := e.svc.List(e.mgr, comms.Filter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Items)
		}
		sms := func(ext, at, summary string) comms.Input {
			return comms.Input{ExternalID: ext, Channel: "sms", Direction: "in", OccurredAt: "2026-03-05 " + at, Counterpart: "13800000001", Summary: summary}
		}
		var be *comms.BatchError
		_, err := e.svc.Ingest(e.info, []comms.Input{sms("s1", "09:00:00", "a"), sms("", "09:01:00", "b"), sms("  ", "09:02:00", "c")}, comms.SourceAPI)
		if !errors.As(err, &be) || len(be.Items) != 2 {
			t.Fatalf("records without an id: %v", err)
		}
		for k, it := range be.Items {
			if it.Index != k+1 || it.Field != "external_id" || it.Kind != apperr.KindInvalid || !strings.Contains(it.Message, fmt.Sprintf("index %d", k+1)) {
				t.Errorf("error %d = %+v", k, it)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("%d records stored from a refused batch", n)
		}
		// Imports and people need none from the caller.
		if _, err := e.svc.Ingest(e.info, []comms.Input{sms("", "09:03:00", "import")}, comms.SourceImport); err != nil {
			t.Fatalf("an import without an id: %v", err)
		}
		if _, err := e.svc.Add(e.spec1, comms.Input{Channel: "sms", Direction: "out", OccurredAt: "2026-03-05 09:04:00", CustomerID: e.a.ID}); err != nil {
			t.Fatalf("a typed record: %v", err)
		}

		// The same id twice with different content.
		_, err = e.svc.Ingest(e.info, []comms.Input{sms("d1", "09:05:00", "first"), sms("ok", "09:06:00", ""), sms("d1", "09:05:00", "second")}, comms.SourceAPI)
		if !errors.As(err, &be) || len(be.Items) != 1 {
			t.Fatalf("one id twice with different content: %v", err)
		}
		if it := be.Items[0]; it.Index != 2 || it.Field != "external_id" || it.ExternalID != "d1" || it.Kind != apperr.KindConflict ||
			!strings.Contains(it.Message, "d1") || !strings.Contains(it.Message, "本批中出现两次") {
			t.Fatalf("error %+v", it)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d records after the refused batch, want the 2 before it", n)
		}
		// The same id twice with the same content is one record.
		res, err := e.svc.Ingest(e.info, []comms.Input{sms("d1", "09:05:00", "first"), sms("d1", "09:05:00", "first")}, comms.SourceAPI)
		if err != nil || res[0].Action != "created" || res[1].Action != "unchanged" || res[1].ID != res[0].ID {
			t.Fatalf("one id twice with the same content: %+v %v", res, err)
		}
		if n := count(); n != 3 {
			t.Fatalf("%d records, want 3", n)
		}
	})
}
