package customers_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// listAll walks every page of a filter and returns the items in order.
func listAll(t *testing.T, e *env, ctx context.Context, f customers.ListFilter) []customers.CustomerView {
	t.Helper()
	var out []customers.CustomerView
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		p, err := e.svc.ListCustomers(ctx, f)
		ok(t, err)
		if f.Limit > 0 && len(p.Items) > f.Limit {
			t.Fatalf("page of %d items with limit %d", len(p.Items), f.Limit)
		}
		if p.Next != "" && len(p.Items) == 0 {
			t.Fatal("empty page with a next cursor")
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		f.After = p.Next
	}
}

func names(items []customers.CustomerView) []string {
	out := make([]string, len(items))
	for i, c := range items {
		out[i] = c.Name
	}
	return out
}

func TestListKeysetPagination(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rng := rand.New(rand.NewPCG(1, 2))
		// 120 customers inserted in random order; 20 names exist in both
		// regions, so (name, id) must break ties.
		type spec struct {
			name   string
			region int
		}
		var specs []spec
		for i := range 100 {
			specs = append(specs, spec{fmt.Sprintf("客户%03d", i), i % 2})
		}
		for i := range 20 {
			specs = append(specs, spec{fmt.Sprintf("客户%03d", i*5), 1 - (i*5)%2})
		}
		rng.Shuffle(len(specs), func(i, j int) { specs[i], specs[j] = specs[j], specs[i] })
		ids := map[string]bool{}
		for _, s := range specs {
			r := e.r1
			if s.region == 1 {
				r = e.r2
			}
			ids[e.customer(s.name, r, nil).ID] = true
		}
		if len(ids) != 120 {
			t.Fatalf("created %d customers", len(ids))
		}

		for _, limit := range []int{1, 7, 50, 119, 120, 200} {
			got := listAll(t, e, e.asMgr, customers.ListFilter{Limit: limit})
			seen := map[string]int{}
			for _, c := range got {
				seen[c.ID]++
			}
			if len(got) != 120 || len(seen) != 120 {
				t.Errorf("limit %d: %d items, %d distinct, want 120", limit, len(got), len(seen))
			}
			for id, n := range seen {
				if n != 1 || !ids[id] {
					t.Errorf("limit %d: customer %s listed %d times", limit, id, n)
				}
			}
			if !slices.IsSortedFunc(got, func(a, b customers.CustomerView) int {
				if a.Name != b.Name {
					if a.Name < b.Name {
						return -1
					}
					return 1
				}
				if a.ID < b.ID {
					return -1
				}
				return 1
			}) {
				t.Errorf("limit %d: not in (name, id) order: %v", limit, names(got)[:10])
			}
		}
		// A limit of 0 or over 200 falls back to the default page size.
		p, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{Limit: 0})
		ok(t, err)
		if len(p.Items) != 50 || p.Next == "" {
			t.Errorf("default page: %d items, next %q", len(p.Items), p.Next)
		}
		p, err = e.svc.ListCustomers(e.asMgr, customers.ListFilter{Limit: 10_000})
		ok(t, err)
		if len(p.Items) > 200 {
			t.Errorf("limit 10000 returned %d items", len(p.Items))
		}

		// A cursor keeps working when rows before it are added.
		first, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{Limit: 60})
		ok(t, err)
		e.customer("客户000A", e.r1, nil) // sorts into the first page
		rest := listAll(t, e, e.asMgr, customers.ListFilter{Limit: 25, After: first.Next})
		if len(first.Items)+len(rest) != 120 {
			t.Errorf("after an insert before the cursor: %d + %d", len(first.Items), len(rest))
		}
	})
}

// TestListPagesFollowOrderBy pages with names whose order depends on the
// collation (case, spaces, punctuation, digits, CJK, a name in both
// regions) and checks that the pages, joined, are exactly the one-page
// answer of the same filter: the keyset condition must compare as the
// ORDER BY sorts, on any database collation, with and without the region
// and owner filters whose indexes carry (name, id).
func TestListPagesFollowOrderBy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tricky := []string{"ab", "Ab", "aB", "a b", "a-b", "a_b", "a.b", "a", "A", "b", "B1", "b10", "b2",
			"Z", "z", "ä", "é公司", "中", "中国", "中国人", "10", "9", "'", "-", "客户", "客戶"}
		for i, n := range tricky {
			r, ow := e.r1, e.spec1
			if i%2 == 1 {
				r, ow = e.r2, e.spec2
			}
			e.customer(n, r, ow)
			if i%3 == 0 { // the same name in the other region: id breaks the tie
				other, ow2 := e.r2, e.spec2
				if r == e.r2 {
					other, ow2 = e.r1, e.spec1
				}
				e.customer(n, other, ow2)
			}
		}
		for _, f := range []customers.ListFilter{{}, {RegionID: e.r1.ID}, {OwnerID: e.spec2.ID}, {Class: "B"}} {
			one := f
			one.Limit = 200
			whole, err := e.svc.ListCustomers(e.asMgr, one)
			ok(t, err)
			if whole.Next != "" {
				t.Fatal("more than one page at limit 200")
			}
			for _, limit := range []int{1, 2, 3, 5} {
				paged := f
				paged.Limit = limit
				got := listAll(t, e, e.asMgr, paged)
				if !slices.Equal(ids(got), ids(whole.Items)) {
					t.Errorf("filter %+v, limit %d:\n paged %q\n whole %q", f, limit, names(got), names(whole.Items))
				}
			}
		}
	})
}

func ids(items []customers.CustomerView) []string {
	out := make([]string, len(items))
	for i, c := range items {
		out[i] = c.ID
	}
	return out
}

func TestListBadCursor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.customer("游标客户", e.r1, nil)
		for _, after := range []string{
			"!!!not base64!!!",
			base64.RawURLEncoding.EncodeToString([]byte("no separator")),
			"a=b",
		} {
			_, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{After: after})
			wantErr(t, err, apperr.KindInvalid, "after")
		}
		// A well-formed cursor past the end is simply an empty page.
		p, err := e.svc.ListCustomers(e.asMgr, customers.ListFilter{After: base64.RawURLEncoding.EncodeToString([]byte("\U0010FFFF\x00z"))})
		ok(t, err)
		if len(p.Items) != 0 || p.Next != "" {
			t.Errorf("cursor past the end: %d items", len(p.Items))
		}
	})
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		mk := func(name string, r bool, class, status string, owner bool, code, address string) *customers.Customer {
			region, ow := e.r1, e.spec1
			if !r {
				region, ow = e.r2, e.spec2
			}
			if !owner {
				ow = nil
			}
			return e.customer(name, region, ow, func(in *customers.CustomerInput) {
				in.Class, in.Status, in.Code, in.Address = class, status, code, address
			})
		}
		a := mk("国贸物业", true, "A", "active", true, "KH-GM01", "建国门外大街 1 号")
		b := mk("望京写字楼", false, "B", "active", true, "KH-WJ01", "望京街 10 号")
		c := mk("中关村数码", false, "A", "lost", false, "KH-ZG01", "海淀大街 3 号")
		d := mk("100%纯净水厂", true, "C", "active", true, "KH-PCT1", "")
		f := mk("A_B 机电", true, "D", "active", true, "KH-UND1", "")
		g := mk("AxB 机电", true, "D", "active", true, "KH-AXB1", "SOHO Tower B")
		h := mk("Tom's Bistro", false, "B", "active", true, "KH-TOM1", "")
		e.contact(a, "王经理", "+86 138-0013-8000")
		e.contact(b, "李工", "010-6543 2100")
		e.contact(c, "Mary Chen", "13912345678")
		e.setActive(e.sales, false)
		so := inputOf(b)
		so.SalesOwnerID = e.sales.ID
		_, err := e.svc.UpdateCustomer(e.asMgr, b.ID, b.Version, so)
		ok(t, err)

		cases := []struct {
			name string
			f    customers.ListFilter
			want []*customers.Customer
		}{
			{"all", customers.ListFilter{}, []*customers.Customer{a, b, c, d, f, g, h}},
			{"region 1", customers.ListFilter{RegionID: e.r1.ID}, []*customers.Customer{a, d, f, g}},
			{"class A", customers.ListFilter{Class: "A"}, []*customers.Customer{a, c}},
			{"class A region 2", customers.ListFilter{Class: "A", RegionID: e.r2.ID}, []*customers.Customer{c}},
			{"owner spec2", customers.ListFilter{OwnerID: e.spec2.ID}, []*customers.Customer{b, h}},
			{"status lost", customers.ListFilter{Status: "lost"}, []*customers.Customer{c}},
			{"orphan", customers.ListFilter{Orphan: true}, []*customers.Customer{b}},
			{"query name", customers.ListFilter{Query: "物业"}, []*customers.Customer{a}},
			{"query name padded", customers.ListFilter{Query: "  望京写字  "}, []*customers.Customer{b}},
			{"query code", customers.ListFilter{Query: "KH-ZG"}, []*customers.Customer{c}},
			{"query code lower case", customers.ListFilter{Query: "kh-zg01"}, []*customers.Customer{c}},
			{"query address", customers.ListFilter{Query: "建国门"}, []*customers.Customer{a}},
			{"query address other case", customers.ListFilter{Query: "soho tower"}, []*customers.Customer{g}},
			{"query contact name", customers.ListFilter{Query: "王经理"}, []*customers.Customer{a}},
			{"query contact name other case", customers.ListFilter{Query: "mary"}, []*customers.Customer{c}},
			{"query contact name same case", customers.ListFilter{Query: "Mary"}, []*customers.Customer{c}},
			{"query name other case", customers.ListFilter{Query: "TOM'S"}, []*customers.Customer{h}},
			{"query contact mobile", customers.ListFilter{Query: "13800138000"}, []*customers.Customer{a}},
			{"query contact mobile part", customers.ListFilter{Query: "0013800"}, []*customers.Customer{a}},
			{"query contact landline", customers.ListFilter{Query: "65432100"}, []*customers.Customer{b}},
			{"query percent literal", customers.ListFilter{Query: "%"}, []*customers.Customer{d}},
			{"query underscore literal", customers.ListFilter{Query: "_"}, []*customers.Customer{f}},
			{"query A_B literal", customers.ListFilter{Query: "a_b"}, []*customers.Customer{f}},
			{"query backslash", customers.ListFilter{Query: `\`}, nil},
			{"query quote", customers.ListFilter{Query: "'"}, []*customers.Customer{h}},
			{"query nothing", customers.ListFilter{Query: "不存在的客户"}, nil},
			{"query + region", customers.ListFilter{Query: "机电", RegionID: e.r2.ID}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, limit := range []int{1, 200} {
					f := tc.f
					f.Limit = limit
					got := listAll(t, e, e.asMgr, f)
					var want []string
					for _, c := range tc.want {
						want = append(want, c.Name)
					}
					slices.Sort(want)
					gotNames := names(got)
					slices.Sort(gotNames)
					if !slices.Equal(gotNames, want) {
						t.Errorf("limit %d: got %v, want %v", limit, gotNames, want)
					}
				}
			})
		}
	})
}
