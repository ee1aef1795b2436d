package contracts_test

import (
	"testing"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestOrphans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // today 2026-03-05
		sales := e.staff("sales", "萨销售", access.InfoCenter)
		stay := e.staff("sales2", "常销售", access.InfoCenter)
		mk := func(name string, salesID string) *customers.Customer {
			c, err := e.cust.CreateCustomer(e.asMgr, customers.CustomerInput{Name: name, Class: "A", RegionID: e.r1.ID, OwnerID: e.spec1.ID, SalesOwnerID: salesID})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		a, b := mk("甲公司", sales.ID), mk("乙公司", sales.ID)
		mk("丙公司", stay.ID)
		in := maint("HT-A", a, "2025-06-01", "2026-05-31")
		in.Installments = []contracts.InstallmentInput{{DueOn: "2026-01-31", AmountFen: 5_000_000}, {DueOn: "2026-05-31", AmountFen: 7_000_000}}
		e.contract(e.asMgr, in)
		st, err := e.org.GetStaff(e.sys, sales.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.org.SetActive(e.sys, sales.ID, st.Version, false, "2026-02-28"); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Orphans(e.asMgr)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].CustomerID != a.ID || list[1].CustomerID != b.ID {
			t.Fatalf("orphans %+v", list)
		}
		o := list[0]
		if o.ActiveContracts != 1 || o.NextEndOn == nil || *o.NextEndOn != "2026-05-31" || o.OpenFen != 12_000_000 || o.OverdueFen != 5_000_000 || o.SalesOwnerName != "萨销售" {
			t.Fatalf("orphan A %+v", o)
		}
		if _, err := e.svc.Orphans(e.asSpec1); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist sees orphans: %v", err)
		}
	})
}
