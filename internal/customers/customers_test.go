package customers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestCreateCustomerValidation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		valid := func() customers.CustomerInput {
			return customers.CustomerInput{Name: "国贸大厦物业", Class: "A", RegionID: e.r1.ID, OwnerID: e.spec1.ID}
		}
		cases := []struct {
			name  string
			mod   func(*customers.CustomerInput)
			kind  apperr.Kind
			field string
		}{
			{"empty name", func(in *customers.CustomerInput) { in.Name = "" }, apperr.KindInvalid, "name"},
			{"blank name", func(in *customers.CustomerInput) { in.Name = " \t " }, apperr.KindInvalid, "name"},
			{"name 101 chars", func(in *customers.CustomerInput) { in.Name = strings.Repeat("客", 101) }, apperr.KindInvalid, "name"},
			{"class E", func(in *customers.CustomerInput) { in.Class = "E" }, apperr.KindInvalid, "class"},
			{"class empty", func(in *customers.CustomerInput) { in.Class = "" }, apperr.KindInvalid, "class"},
			{"class AB", func(in *customers.CustomerInput) { in.Class = "AB" }, apperr.KindInvalid, "class"},
			{"status unknown", func(in *customers.CustomerInput) { in.Status = "closed" }, apperr.KindInvalid, "status"},
			{"no region", func(in *customers.CustomerInput) { in.RegionID = "" }, apperr.KindInvalid, "region_id"},
			{"unknown region", func(in *customers.CustomerInput) { in.RegionID = store.NewID() }, apperr.KindInvalid, "region_id"},
			{"owner is technician", func(in *customers.CustomerInput) { in.OwnerID = e.tech.ID }, apperr.KindInvalid, "owner_id"},
			{"owner is manager", func(in *customers.CustomerInput) { in.OwnerID = e.mgr.ID }, apperr.KindInvalid, "owner_id"},
			{"owner unknown", func(in *customers.CustomerInput) { in.OwnerID = store.NewID() }, apperr.KindInvalid, "owner_id"},
			{"sales owner unknown", func(in *customers.CustomerInput) { in.SalesOwnerID = store.NewID() }, apperr.KindInvalid, "sales_owner_id"},
			{"paper date 2026-02-30", func(in *customers.CustomerInput) { in.PaperReceivedOn = "2026-02-30" }, apperr.KindInvalid, "paper_received_on"},
			{"paper date slashes", func(in *customers.CustomerInput) { in.PaperReceivedOn = "2026/03/01" }, apperr.KindInvalid, "paper_received_on"},
			{"known_on not a date", func(in *customers.CustomerInput) { in.KnownOn = "yesterday" }, apperr.KindInvalid, "known_on"},
			{"known_on tomorrow", func(in *customers.CustomerInput) { in.KnownOn = "2026-03-06" }, apperr.KindInvalid, "known_on"},
			{"code 33 chars", func(in *customers.CustomerInput) { in.Code = strings.Repeat("K", 33) }, apperr.KindInvalid, "code"},
			{"address 201 chars", func(in *customers.CustomerInput) { in.Address = strings.Repeat("路", 201) }, apperr.KindInvalid, "address"},
			{"notes 2001 chars", func(in *customers.CustomerInput) { in.Notes = strings.Repeat("x", 2001) }, apperr.KindInvalid, "notes"},
		}
		before := e.snapshot()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := valid()
				tc.mod(&in)
				_, err := e.svc.CreateCustomer(e.asMgr, in)
				wantErr(t, err, tc.kind, tc.field)
			})
		}
		e.sameCounts(before, "rejected creations")

		// Boundaries that are fine: 100 characters, lower-case class, a
		// valid paper date, surrounding spaces.
		in := valid()
		in.Name = " " + strings.Repeat("客", 100) + " "
		in.Class = "c"
		in.PaperReceivedOn = "2026-02-28"
		c, err := e.svc.CreateCustomer(e.asMgr, in)
		ok(t, err)
		if c.Name != strings.Repeat("客", 100) || c.Class != "C" || deref(c.PaperReceivedOn) != "2026-02-28" {
			t.Errorf("stored %q class %q paper %v", c.Name, c.Class, deref(c.PaperReceivedOn))
		}
		if c.Status != "active" || c.Version != 1 || !strings.HasPrefix(c.Code, "KH-") {
			t.Errorf("defaults: status %q version %d code %q", c.Status, c.Version, c.Code)
		}
		got := e.get(c.ID)
		if got.RegionName != "国贸" || got.OwnerName != e.spec1.Name {
			t.Errorf("view names: region %q owner %q", got.RegionName, got.OwnerName)
		}
	})
}

func TestCustomerUniqueness(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.customer("华贸中心", e.r1, e.spec1, func(in *customers.CustomerInput) { in.Code = "kh-001" })
		if a.Code != "KH-001" {
			t.Errorf("code stored as %q, want upper case", a.Code)
		}

		// Same name in another region is a different customer.
		b := e.customer("华贸中心", e.r2, e.spec2)

		before := e.snapshot()
		_, err := e.svc.CreateCustomer(e.asMgr, customers.CustomerInput{Name: " 华贸中心 ", Class: "A", RegionID: e.r1.ID})
		wantErr(t, err, apperr.KindConflict, "name")
		_, err = e.svc.CreateCustomer(e.asMgr, customers.CustomerInput{Code: "KH-001", Name: "另一家", Class: "A", RegionID: e.r1.ID})
		wantErr(t, err, apperr.KindConflict, "code")
		_, err = e.svc.CreateCustomer(e.asMgr, customers.CustomerInput{Code: " kh-001 ", Name: "第三家", Class: "A", RegionID: e.r2.ID})
		wantErr(t, err, apperr.KindConflict, "code")
		e.sameCounts(before, "duplicate creations")

		// Moving b into a's region (same name there) or taking a's code on update.
		in := inputOf(b)
		in.RegionID = e.r1.ID
		_, err = e.svc.UpdateCustomer(e.asMgr, b.ID, b.Version, in)
		wantErr(t, err, apperr.KindConflict, "name")
		in = inputOf(b)
		in.Code = a.Code
		_, err = e.svc.UpdateCustomer(e.asMgr, b.ID, b.Version, in)
		wantErr(t, err, apperr.KindConflict, "code")
		e.sameCounts(before, "duplicate updates")
		if v := e.get(b.ID); v.RegionID != e.r2.ID || v.Code != b.Code || v.Version != b.Version {
			t.Errorf("b changed by refused updates: %+v", v.Customer)
		}
	})
}

func TestUpdateCustomerVersion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("远洋大厦", e.r1, e.spec1, func(in *customers.CustomerInput) { in.Address = "东三环 1 号" })

		// Two people read version 1; the first save wins.
		in := inputOf(c)
		in.Address = "东三环 2 号"
		first, err := e.svc.UpdateCustomer(e.asSpec1, c.ID, c.Version, in)
		ok(t, err)
		if first.Version != c.Version+1 || first.Address != "东三环 2 号" {
			t.Fatalf("after update: version %d address %q", first.Version, first.Address)
		}
		before := e.snapshot()
		in2 := inputOf(c)
		in2.Address = "东三环 3 号"
		in2.Class = "D"
		_, err = e.svc.UpdateCustomer(e.asMgr, c.ID, c.Version, in2)
		wantErr(t, err, apperr.KindConflict, "version")
		e.sameCounts(before, "stale update")
		got := e.get(c.ID)
		if got.Address != "东三环 2 号" || got.Class != c.Class || got.Version != first.Version {
			t.Errorf("stale update changed the row: %+v", got.Customer)
		}
		// A version from the future is stale too.
		_, err = e.svc.UpdateCustomer(e.asMgr, c.ID, first.Version+5, in2)
		wantErr(t, err, apperr.KindConflict, "version")

		// Unknown id.
		_, err = e.svc.UpdateCustomer(e.asMgr, store.NewID(), 1, in2)
		wantErr(t, err, apperr.KindNotFound, "")

		// Validation comes before anything is written.
		bad := inputOf(&got.Customer)
		bad.Class = "Z"
		_, err = e.svc.UpdateCustomer(e.asMgr, c.ID, got.Version, bad)
		wantErr(t, err, apperr.KindInvalid, "class")
		if v := e.get(c.ID); v.Version != got.Version || v.Class != got.Class {
			t.Errorf("invalid update changed the row: %+v", v.Customer)
		}
	})
}

func TestCustomerWritePermissions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		// A specialist creating a customer owns it, whatever they leave out.
		mine, err := e.svc.CreateCustomer(e.asSpec1, customers.CustomerInput{Name: "专员新建", Class: "B", RegionID: e.r2.ID})
		ok(t, err)
		if deref(mine.OwnerID) != e.spec1.ID {
			t.Errorf("specialist-created customer owned by %v, want %s", deref(mine.OwnerID), e.spec1.ID)
		}
		// … and cannot create one for somebody else.
		before := e.snapshot()
		_, err = e.svc.CreateCustomer(e.asSpec1, customers.CustomerInput{Name: "替人新建", Class: "B", RegionID: e.r1.ID, OwnerID: e.spec2.ID})
		wantErr(t, err, apperr.KindForbidden, "")
		// Roles without CustomerWrite cannot create at all.
		for name, ctx := range map[string]context.Context{"technician": e.asTech, "sales": e.asSales, "anonymous": e.anon} {
			_, err = e.svc.CreateCustomer(ctx, customers.CustomerInput{Name: "越权新建 " + name, Class: "B", RegionID: e.r1.ID})
			if !apperr.Is(err, apperr.KindForbidden) {
				t.Errorf("%s creating a customer: %v, want forbidden", name, err)
			}
		}
		e.sameCounts(before, "forbidden creations")

		// Manager assigns an owner and a sales owner.
		c := e.customer("分配测试", e.r1, e.spec1)
		cases := []struct {
			name string
			ctx  context.Context
			mod  func(*customers.CustomerInput)
			want apperr.Kind // "" = allowed
		}{
			{"specialist edits own address", e.asSpec1, func(in *customers.CustomerInput) { in.Address = "新地址" }, ""},
			{"specialist changes own owner", e.asSpec1, func(in *customers.CustomerInput) { in.OwnerID = e.spec2.ID }, apperr.KindForbidden},
			{"specialist sets sales owner", e.asSpec1, func(in *customers.CustomerInput) { in.SalesOwnerID = e.sales.ID }, apperr.KindForbidden},
			{"other specialist edits", e.asSpec2, func(in *customers.CustomerInput) { in.Notes = "不是我的" }, apperr.KindForbidden},
			{"technician edits", e.asTech, func(in *customers.CustomerInput) { in.Notes = "师傅改" }, apperr.KindForbidden},
			{"sales edits", e.asSales, func(in *customers.CustomerInput) { in.Notes = "销售改" }, apperr.KindForbidden},
			{"anonymous edits", e.anon, func(in *customers.CustomerInput) { in.Notes = "匿名" }, apperr.KindForbidden},
			{"manager sets sales owner", e.asMgr, func(in *customers.CustomerInput) { in.SalesOwnerID = e.sales.ID }, ""},
			{"manager moves owner", e.asMgr, func(in *customers.CustomerInput) { in.OwnerID = e.spec2.ID }, ""},
			{"old owner edits after move", e.asSpec1, func(in *customers.CustomerInput) { in.Notes = "已移交" }, apperr.KindForbidden},
			{"new owner edits", e.asSpec2, func(in *customers.CustomerInput) { in.Notes = "接手" }, ""},
			{"new owner changes the sales owner", e.asSpec2, func(in *customers.CustomerInput) { in.SalesOwnerID = e.spec1.ID }, apperr.KindForbidden},
		}
		for _, tc := range cases {
			cur := e.get(c.ID)
			in := inputOf(&cur.Customer)
			tc.mod(&in)
			got, err := e.svc.UpdateCustomer(tc.ctx, c.ID, cur.Version, in)
			after := e.get(c.ID)
			if tc.want == "" {
				if err != nil {
					t.Errorf("%s: %v", tc.name, err)
					continue
				}
				if got.Version != cur.Version+1 || after.Version != got.Version {
					t.Errorf("%s: version %d → %d (stored %d)", tc.name, cur.Version, got.Version, after.Version)
				}
				if deref(after.OwnerID) != in.OwnerID || deref(after.SalesOwnerID) != in.SalesOwnerID || after.Notes != in.Notes || after.Address != in.Address {
					t.Errorf("%s: stored %+v", tc.name, after.Customer)
				}
				continue
			}
			if !apperr.Is(err, tc.want) {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
			}
			if after.Version != cur.Version || deref(after.OwnerID) != deref(cur.OwnerID) || after.Notes != cur.Notes {
				t.Errorf("%s: refused update changed the row", tc.name)
			}
		}
	})
}

func TestReadRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWith(t, db, envOpts{readAll: false})
		own := e.customer("自己的客户", e.r1, e.spec1)
		other := e.customer("别人的客户", e.r2, e.spec2)
		none := e.customer("无人分管", e.r2, nil)
		e.contact(other, "对方联系人", "13900139000")

		all := func(ctx context.Context) []string {
			t.Helper()
			var names []string
			f := customers.ListFilter{Limit: 1}
			for {
				p, err := e.svc.ListCustomers(ctx, f)
				ok(t, err)
				for _, c := range p.Items {
					names = append(names, c.Name)
				}
				if p.Next == "" {
					return names
				}
				f.After = p.Next
			}
		}
		if got := all(e.asSpec1); len(got) != 1 || got[0] != own.Name {
			t.Errorf("specialist 1 lists %v, want only %s", got, own.Name)
		}
		if got := all(e.asSpec2); len(got) != 1 || got[0] != other.Name {
			t.Errorf("specialist 2 lists %v", got)
		}
		// Roles that read everything: manager, technician, sales.
		for name, ctx := range map[string]context.Context{"manager": e.asMgr, "technician": e.asTech, "sales": e.asSales} {
			if got := all(ctx); len(got) != 3 {
				t.Errorf("%s lists %v, want all 3", name, got)
			}
		}
		// Asking for another owner's customers explicitly does not widen it.
		p, err := e.svc.ListCustomers(e.asSpec1, customers.ListFilter{OwnerID: e.spec2.ID})
		ok(t, err)
		if len(p.Items) != 0 {
			t.Errorf("specialist 1 filtering by specialist 2 sees %d", len(p.Items))
		}

		_, err = e.svc.GetCustomer(e.asSpec1, own.ID)
		ok(t, err)
		for _, id := range []string{other.ID, none.ID} {
			_, err = e.svc.GetCustomer(e.asSpec1, id)
			wantErr(t, err, apperr.KindForbidden, "")
		}
		_, err = e.svc.Contacts(e.asSpec1, other.ID)
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.EquipmentOf(e.asSpec1, other.ID)
		wantErr(t, err, apperr.KindForbidden, "")
		_, _, err = e.svc.Groups(e.asSpec1, other.ID)
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.Files(e.asSpec1, other.ID)
		wantErr(t, err, apperr.KindForbidden, "")
		// The history of another's customer is not readable either.
		_, err = e.svc.Changes(e.asSpec1, customers.ChangeFilter{CustomerID: other.ID})
		wantErr(t, err, apperr.KindForbidden, "")
		hist, err := e.svc.Changes(e.asSpec1, customers.ChangeFilter{})
		ok(t, err)
		for _, h := range hist {
			if h.CustomerID != own.ID {
				t.Errorf("specialist 1 sees the change %q of %s", h.Summary, h.CustomerName)
			}
		}
		if len(hist) == 0 {
			t.Errorf("specialist 1 sees no history of their own customer")
		}
		_, err = e.svc.GetCustomer(e.asSpec1, store.NewID())
		wantErr(t, err, apperr.KindNotFound, "")

		// With SpecialistReadAll the same specialist reads everything but
		// still writes only their own.
		e2 := customers.NewService(db, e.blobs, e.clock.Now, customers.Options{Location: shanghai, SpecialistReadAll: true})
		_, err = e2.GetCustomer(e.asSpec1, other.ID)
		ok(t, err)
		in := inputOf(other)
		in.Notes = "越权"
		_, err = e2.UpdateCustomer(e.asSpec1, other.ID, other.Version, in)
		wantErr(t, err, apperr.KindForbidden, "")
	})
}

// TestFailClosed: without a principal in the context every call is refused
// and nothing is written.
func TestFailClosed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("已有客户", e.r1, e.spec1)
		ct := e.contact(c, "联系人甲", "13800138000")
		eq, err := e.svc.AddEquipment(e.asMgr, c.ID, customers.EquipmentInput{Kind: "冷水机组"})
		ok(t, err)
		g, err := e.svc.SaveGroup(e.asMgr, c.ID, "", 0, customers.GroupInput{Name: "服务群"})
		ok(t, err)
		m, err := e.svc.AddMember(e.asMgr, g.ID, customers.MemberInput{DisplayName: "甲", Side: "customer", ContactID: ct.ID})
		ok(t, err)
		f, err := e.svc.AddFile(e.asMgr, c.ID, "a.pdf", "", strings.NewReader("%PDF-1.4 test"), 1<<20, customers.Change{})
		ok(t, err)
		key, err := e.svc.StageImport(e.sys, strings.NewReader("客户名称,客户等级,区域\n匿名导入,A,国贸\n"), 1<<20)
		ok(t, err)

		anon := e.anon
		calls := map[string]func() error{
			"CreateCustomer": func() error {
				_, err := e.svc.CreateCustomer(anon, customers.CustomerInput{Name: "匿名", Class: "A", RegionID: e.r1.ID})
				return err
			},
			"UpdateCustomer": func() error {
				_, err := e.svc.UpdateCustomer(anon, c.ID, c.Version, inputOf(c))
				return err
			},
			"GetCustomer":   func() error { _, err := e.svc.GetCustomer(anon, c.ID); return err },
			"ListCustomers": func() error { _, err := e.svc.ListCustomers(anon, customers.ListFilter{}); return err },
			"Contacts":      func() error { _, err := e.svc.Contacts(anon, c.ID); return err },
			"Contact":       func() error { _, err := e.svc.Contact(anon, ct.ID); return err },
			"AddContact": func() error {
				_, err := e.svc.AddContact(anon, c.ID, customers.ContactInput{Name: "匿名"})
				return err
			},
			"UpdateContact": func() error {
				_, err := e.svc.UpdateContact(anon, ct.ID, ct.Version, customers.ContactInput{Name: "改名"})
				return err
			},
			"EquipmentOf": func() error { _, err := e.svc.EquipmentOf(anon, c.ID); return err },
			"AddEquipment": func() error {
				_, err := e.svc.AddEquipment(anon, c.ID, customers.EquipmentInput{Kind: "风机盘管"})
				return err
			},
			"UpdateEquipment": func() error {
				_, err := e.svc.UpdateEquipment(anon, eq.ID, eq.Version, customers.EquipmentInput{Kind: "改"})
				return err
			},
			"Groups": func() error { _, _, err := e.svc.Groups(anon, c.ID); return err },
			"SaveGroup": func() error {
				_, err := e.svc.SaveGroup(anon, c.ID, "", 0, customers.GroupInput{Name: "匿名群"})
				return err
			},
			"AddMember": func() error {
				_, err := e.svc.AddMember(anon, g.ID, customers.MemberInput{DisplayName: "x", Side: "customer"})
				return err
			},
			"RemoveMember":    func() error { return e.svc.RemoveMember(anon, m.ID, customers.Change{}) },
			"MembersToRemove": func() error { _, err := e.svc.MembersToRemove(anon, ""); return err },
			"Changes":         func() error { _, err := e.svc.Changes(anon, customers.ChangeFilter{}); return err },
			"Files":           func() error { _, err := e.svc.Files(anon, c.ID); return err },
			"OpenFile": func() error {
				_, rc, err := e.svc.OpenFile(anon, f.ID)
				if rc != nil {
					rc.Close()
				}
				return err
			},
			"AddFile": func() error {
				_, err := e.svc.AddFile(anon, c.ID, "b.pdf", "", strings.NewReader("%PDF-1.4 other"), 1<<20, customers.Change{})
				return err
			},
			"Import": func() error {
				_, err := e.svc.Import(anon, key, "a.csv", customers.ImportOptions{Kind: customers.ImportCustomers})
				return err
			},
		}
		before := e.snapshot()
		for name, call := range calls {
			if err := call(); !apperr.Is(err, apperr.KindForbidden) {
				t.Errorf("%s without a principal: %v, want forbidden", name, err)
			}
		}
		e.sameCounts(before, "calls without a principal")
	})
}

func TestOrphanCustomers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		withSales := e.customer("有销售", e.r1, e.spec1, func(in *customers.CustomerInput) { in.SalesOwnerID = e.sales.ID })
		noSales := e.customer("无销售", e.r1, e.spec1)
		otherSales := e.staff("sales2", "另一销售", "info_center")
		keeps := e.customer("销售在职", e.r2, e.spec2, func(in *customers.CustomerInput) { in.SalesOwnerID = otherSales.ID })

		orphans := func() []string {
			t.Helper()
			p, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{Orphan: true})
			ok(t, err)
			var names []string
			for _, c := range p.Items {
				if !c.Orphan {
					t.Errorf("%s listed as orphan with Orphan=false", c.Name)
				}
				names = append(names, c.Name)
			}
			return names
		}
		if got := orphans(); len(got) != 0 {
			t.Errorf("orphans before anyone left: %v", got)
		}
		for _, c := range []*customers.Customer{withSales, noSales, keeps} {
			if e.get(c.ID).Orphan {
				t.Errorf("%s orphan before anyone left", c.Name)
			}
		}

		e.setActive(e.sales, false)
		if got := orphans(); len(got) != 1 || got[0] != withSales.Name {
			t.Errorf("orphans after the sales owner left: %v", got)
		}
		if v := e.get(withSales.ID); !v.Orphan || v.SalesOwnerName != e.sales.Name {
			t.Errorf("after leaving: orphan %v sales owner %q", v.Orphan, v.SalesOwnerName)
		}
		if e.get(noSales.ID).Orphan || e.get(keeps.ID).Orphan {
			t.Errorf("customers without a departed sales owner became orphans")
		}
		// Combined with an owner filter (the specialist's home page).
		p, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{Orphan: true, OwnerID: e.spec2.ID})
		ok(t, err)
		if len(p.Items) != 0 {
			t.Errorf("orphans of specialist 2: %d", len(p.Items))
		}

		e.setActive(e.sales, true)
		if got := orphans(); len(got) != 0 {
			t.Errorf("orphans after the sales owner came back: %v", got)
		}
		if e.get(withSales.ID).Orphan {
			t.Errorf("still orphan after the sales owner came back")
		}

		// A manager reassigning the sales owner to someone present cures it.
		e.setActive(e.sales, false)
		cur := e.get(withSales.ID)
		in := inputOf(&cur.Customer)
		in.SalesOwnerID = otherSales.ID
		_, err = e.svc.UpdateCustomer(e.asMgr, cur.ID, cur.Version, in)
		ok(t, err)
		if got := orphans(); len(got) != 0 {
			t.Errorf("orphans after reassignment: %v", got)
		}
	})
}

func TestCustomerChangeHistory(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("历史客户", e.r1, e.spec1, func(in *customers.CustomerInput) { in.Address = "旧地址" })
		e.clock.Advance(1e9)
		in := inputOf(c)
		in.Address = "新地址"
		in.Class = "A"
		u, err := e.svc.UpdateCustomer(e.asSpec1, c.ID, c.Version, in)
		ok(t, err)
		e.clock.Advance(1e9)
		// Saving without a change records nothing.
		_, err = e.svc.UpdateCustomer(e.asSpec1, c.ID, u.Version, in)
		ok(t, err)

		h := e.history(c.ID)
		if len(h) != 2 {
			t.Fatalf("history has %d entries, want create + one update: %+v", len(h), h)
		}
		upd, cre := h[0], h[1]
		if cre.Action != "create" || cre.Entity != "customer" || upd.Action != "update" {
			t.Fatalf("history order/actions: %s %s", upd.Action, cre.Action)
		}
		want := map[string][2]string{"address": {"旧地址", "新地址"}, "class": {"B", "A"}}
		if len(upd.Changes) != len(want) {
			t.Errorf("update diff %+v, want fields %v", upd.Changes, want)
		}
		for _, fc := range upd.Changes {
			w, ok := want[fc.Field]
			if !ok || fc.Before != w[0] || fc.After != w[1] {
				t.Errorf("diff %s: %v → %v", fc.Field, fc.Before, fc.After)
			}
		}
		if deref(upd.RecordedBy) != e.spec1.ID || upd.RecordedByName != e.spec1.Name || deref(upd.OwnerID) != e.spec1.ID {
			t.Errorf("update recorded by %v (%s), owner %v", deref(upd.RecordedBy), upd.RecordedByName, deref(upd.OwnerID))
		}
		if deref(cre.RecordedBy) != e.mgr.ID || upd.CustomerName != "历史客户" {
			t.Errorf("create recorded by %v; customer name %q", deref(cre.RecordedBy), upd.CustomerName)
		}
		// The audit log has the same changes with before and after.
		var entries []struct {
			Action     string  `bun:"action"`
			ActorID    *string `bun:"actor_id"`
			BeforeJSON *string `bun:"before_json"`
			AfterJSON  *string `bun:"after_json"`
		}
		ok(t, db.R().NewSelect().Table("audit_log").Column("action", "actor_id", "before_json", "after_json").
			Where("entity = 'customer' AND entity_id = ?", c.ID).OrderExpr("at").Scan(context.Background(), &entries))
		if len(entries) != 2 || entries[1].BeforeJSON == nil || !strings.Contains(*entries[1].BeforeJSON, "旧地址") ||
			!strings.Contains(deref(entries[1].AfterJSON), "新地址") || deref(entries[1].ActorID) != e.spec1.ID {
			t.Errorf("audit entries: %+v", entries)
		}
	})
}

// TestConcurrentEdits: several people save the same version at once; exactly
// one save wins and every other one is a version conflict, never a silent
// overwrite.
func TestConcurrentEdits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("并发客户", e.r1, e.spec1)
		ct := e.contact(c, "并发联系人", "")
		const n = 8
		type result struct {
			notes string
			err   error
		}
		run := func(save func(i int) (string, error)) []result {
			out := make([]result, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					notes, err := save(i)
					out[i] = result{notes, err}
				}()
			}
			wg.Wait()
			return out
		}
		check := func(what string, res []result, stored string) {
			t.Helper()
			wins := 0
			for _, r := range res {
				switch {
				case r.err == nil:
					wins++
					if r.notes != stored {
						t.Errorf("%s: winner wrote %q, stored %q", what, r.notes, stored)
					}
				case apperr.Is(r.err, apperr.KindConflict):
					if ae, _ := apperr.As(r.err); ae.Field != "version" {
						t.Errorf("%s: conflict on %q", what, ae.Field)
					}
				default:
					t.Errorf("%s: %v", what, r.err)
				}
			}
			if wins != 1 {
				t.Errorf("%s: %d saves won, want exactly 1", what, wins)
			}
		}

		res := run(func(i int) (string, error) {
			in := inputOf(c)
			in.Notes = fmt.Sprintf("第 %d 人的备注", i)
			_, err := e.svc.UpdateCustomer(e.asMgr, c.ID, c.Version, in)
			return in.Notes, err
		})
		got := e.get(c.ID)
		check("customer", res, got.Notes)
		if got.Version != c.Version+1 {
			t.Errorf("customer version %d → %d", c.Version, got.Version)
		}

		res = run(func(i int) (string, error) {
			in := contactInputOf(ct)
			in.Notes = fmt.Sprintf("第 %d 人的备注", i)
			_, err := e.svc.UpdateContact(e.asSpec1, ct.ID, ct.Version, in)
			return in.Notes, err
		})
		st, err := e.svc.Contact(e.asMgr, ct.ID)
		ok(t, err)
		check("contact", res, st.Notes)

		updates := 0
		for _, h := range e.history(c.ID) {
			if h.Action == "update" {
				updates++
			}
		}
		if updates != 2 {
			t.Errorf("%d update entries in the history, want 2 (one per winning save)", updates)
		}
	})
}

// A specialist saving a form without owner fields (they may not assign)
// keeps the owners instead of being refused or clearing them.
func TestSpecialistEmptyOwnerFieldsKeepOwners(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c, err := e.svc.CreateCustomer(e.asMgr, customers.CustomerInput{Name: "保留负责人", Class: "B", RegionID: e.r1.ID,
			OwnerID: e.spec1.ID, SalesOwnerID: e.sales.ID})
		if err != nil {
			t.Fatal(err)
		}
		in := inputOf(c)
		in.OwnerID, in.SalesOwnerID, in.Notes = "", "", "专员更新备注"
		got, err := e.svc.UpdateCustomer(e.asSpec1, c.ID, c.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if deref(got.OwnerID) != e.spec1.ID || deref(got.SalesOwnerID) != e.sales.ID || got.Notes != "专员更新备注" {
			t.Fatalf("after update: owner %v sales %v notes %q", deref(got.OwnerID), deref(got.SalesOwnerID), got.Notes)
		}
		// A manager clearing the sales owner really clears it.
		in = inputOf(got)
		in.SalesOwnerID = ""
		got, err = e.svc.UpdateCustomer(e.asMgr, c.ID, got.Version, in)
		if err != nil || got.SalesOwnerID != nil {
			t.Fatalf("manager clearing sales owner: %v, %v", got, err)
		}
	})
}
