package app_test

import (
	"context"
	"net/http"
	"testing"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/tabular"
)

func TestCustomerExportXLSX(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := access.With(context.Background(), access.System())
		a := in.App
		mgr, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: "mgr", Name: "经理", Roles: []access.Role{access.CSManager}})
		if err != nil {
			t.Fatal(err)
		}
		region, err := a.Org.SaveRegion(ctx, "", 0, org.UnitInput{Name: "国贸"})
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"甲大厦", "=HYPERLINK(\"x\")", "乙医院"}
		for _, n := range names {
			if _, err := a.Customers.CreateCustomer(ctx, customers.CustomerInput{Name: n, Class: "B", RegionID: region.ID}); err != nil {
				t.Fatal(err)
			}
		}
		_, tok, err := a.Auth.CreateToken(ctx, mgr.ID, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, in.URL+"/customers/export?region="+region.ID, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		tbl, err := tabular.Read("x.xlsx", resp.Body, tabular.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if tbl.Format != tabular.FormatXLSX || len(tbl.Rows) != len(names) {
			t.Fatalf("export: format %s, %d rows; want xlsx, %d", tbl.Format, len(tbl.Rows), len(names))
		}
		if tbl.Headers[1] != "名称" {
			t.Errorf("header %q, want 名称", tbl.Headers[1])
		}
		got := map[string]bool{}
		for _, r := range tbl.Rows {
			got[r.Cells[1]] = true
		}
		for _, want := range []string{"甲大厦", "乙医院", "'=HYPERLINK(\"x\")"} {
			if !got[want] {
				t.Errorf("export lacks %q (got %v)", want, got)
			}
		}
	})
}
