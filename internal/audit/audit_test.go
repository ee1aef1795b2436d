package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/audit"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var t0 = time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)

func record(t *testing.T, ctx context.Context, db *store.DB, at time.Time, c audit.Change) {
	t.Helper()
	err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error { return audit.Record(ctx, tx, at, c) })
	if err != nil {
		t.Fatalf("record %+v: %v", c, err)
	}
}

func list(t *testing.T, db *store.DB, f audit.Filter) []audit.Entry {
	t.Helper()
	out, err := audit.List(context.Background(), db.R(), f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	return out
}

func TestRecordActorAndRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		type thing struct {
			Name string `json:"name"`
			N    int    `json:"n"`
		}
		alice := &access.Principal{StaffID: "staff-alice", Name: "王小丽", Roles: []access.Role{access.Admin}}
		tests := []struct {
			name      string
			ctx       context.Context
			change    audit.Change
			actorID   *string
			actorName string
			requestID string
			remote    string
			before    string // "" = NULL
			after     string
		}{
			{
				name:    "principal and request",
				ctx:     audit.WithRequest(access.With(context.Background(), alice), "req-1", "10.0.0.7:5555"),
				change:  audit.Change{Action: "update", Entity: "customer", EntityID: "c1", Summary: "改名", Before: thing{"旧", 1}, After: thing{"新", 2}},
				actorID: ptr("staff-alice"), actorName: "王小丽", requestID: "req-1", remote: "10.0.0.7:5555",
				before: `{"name":"旧","n":1}`, after: `{"name":"新","n":2}`,
			},
			{
				name:      "system principal has no actor id",
				ctx:       access.With(context.Background(), access.System()),
				change:    audit.Change{Action: "create", Entity: "customer", EntityID: "c2", After: thing{"x", 0}},
				actorName: "系统", after: `{"name":"x","n":0}`,
			},
			{
				name:   "no principal, no request",
				ctx:    context.Background(),
				change: audit.Change{Action: "delete", Entity: "customer", EntityID: "c3", Before: map[string]int{"a": 1}},
				before: `{"a":1}`,
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				at := t0.Add(123456789 * time.Nanosecond) // sub-microsecond part is dropped
				record(t, tc.ctx, db, at, tc.change)
				got := list(t, db, audit.Filter{EntityID: tc.change.EntityID})
				if len(got) != 1 {
					t.Fatalf("got %d entries, want 1", len(got))
				}
				e := got[0]
				if !e.At.Equal(t0.Add(123456 * time.Microsecond)) {
					t.Errorf("At = %v", e.At)
				}
				if (e.ActorID == nil) != (tc.actorID == nil) || (e.ActorID != nil && *e.ActorID != *tc.actorID) {
					t.Errorf("ActorID = %v, want %v", deref(e.ActorID), deref(tc.actorID))
				}
				if e.ActorName != tc.actorName || e.RequestID != tc.requestID || e.RemoteAddr != tc.remote {
					t.Errorf("actor/request = %q %q %q, want %q %q %q", e.ActorName, e.RequestID, e.RemoteAddr, tc.actorName, tc.requestID, tc.remote)
				}
				if e.Action != tc.change.Action || e.Entity != tc.change.Entity || e.Summary != tc.change.Summary {
					t.Errorf("entry = %+v", e)
				}
				if str(e.BeforeJSON) != tc.before || (e.BeforeJSON == nil) != (tc.before == "") {
					t.Errorf("before = %v, want %q", deref(e.BeforeJSON), tc.before)
				}
				if str(e.AfterJSON) != tc.after || (e.AfterJSON == nil) != (tc.after == "") {
					t.Errorf("after = %v, want %q", deref(e.AfterJSON), tc.after)
				}
			})
		}

		t.Run("unmarshalable value fails and writes nothing", func(t *testing.T) {
			err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
				return audit.Record(ctx, tx, t0, audit.Change{Action: "x", Entity: "bad", After: make(chan int)})
			})
			if err == nil {
				t.Fatal("no error for a channel")
			}
			if n := len(list(t, db, audit.Filter{Entity: "bad"})); n != 0 {
				t.Fatalf("%d entries written", n)
			}
		})

		t.Run("rolled back with the change", func(t *testing.T) {
			boom := fmt.Errorf("boom")
			err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
				if err := audit.Record(ctx, tx, t0, audit.Change{Action: "x", Entity: "rolled"}); err != nil {
					return err
				}
				return boom
			})
			if err != boom {
				t.Fatalf("err = %v", err)
			}
			if n := len(list(t, db, audit.Filter{Entity: "rolled"})); n != 0 {
				t.Fatalf("entry survived a rollback")
			}
		})

		t.Run("json field names", func(t *testing.T) {
			got := list(t, db, audit.Filter{EntityID: "c1"})
			b, err := json.Marshal(got[0])
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for _, k := range []string{"id", "at", "actor_id", "actor_name", "action", "entity", "entity_id", "before", "after", "request_id"} {
				if _, ok := m[k]; !ok {
					t.Errorf("JSON lacks %q: %s", k, b)
				}
			}
		})
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := access.With(context.Background(), &access.Principal{StaffID: "A", Name: "甲"})
		b := access.With(context.Background(), &access.Principal{StaffID: "B", Name: "乙"})
		// Entries one minute apart; the summary is the key the cases refer to.
		rows := []struct {
			ctx    context.Context
			action string
			entity string
			id     string
			sum    string
		}{
			{a, "create", "customer", "c1", "e0 新增客户 100% 满意"},
			{a, "update", "customer", "c1", "e1 修改 1000 元"},
			{b, "update", "customer", "c2", "e2 a_b 字段"},
			{b, "create", "staff", "s1", "e3 axb 字段"},
			{a, "delete", "staff", "s1", `e4 path c:\temp`},
			{b, "update", "contract", "k1", "e5 普通"},
		}
		for i, r := range rows {
			record(t, r.ctx, db, t0.Add(time.Duration(i)*time.Minute), audit.Change{Action: r.action, Entity: r.entity, EntityID: r.id, Summary: r.sum})
		}
		tests := []struct {
			name string
			f    audit.Filter
			want []int // indexes into rows, newest first
		}{
			{"all", audit.Filter{}, []int{5, 4, 3, 2, 1, 0}},
			{"entity", audit.Filter{Entity: "customer"}, []int{2, 1, 0}},
			{"entity id", audit.Filter{Entity: "customer", EntityID: "c1"}, []int{1, 0}},
			{"entity id alone", audit.Filter{EntityID: "s1"}, []int{4, 3}},
			{"actor", audit.Filter{ActorID: "B"}, []int{5, 3, 2}},
			{"action", audit.Filter{Action: "update"}, []int{5, 2, 1}},
			{"actor and action", audit.Filter{ActorID: "A", Action: "update"}, []int{1}},
			{"from inclusive", audit.Filter{From: t0.Add(4 * time.Minute)}, []int{5, 4}},
			{"to exclusive", audit.Filter{To: t0.Add(2 * time.Minute)}, []int{1, 0}},
			{"range", audit.Filter{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}, []int{2, 1}},
			{"range in another zone", audit.Filter{From: t0.Add(time.Minute).In(time.FixedZone("CST", 8*3600)), To: t0.Add(2*time.Minute + time.Second)}, []int{2, 1}},
			{"empty range", audit.Filter{From: t0.Add(time.Hour)}, nil},
			{"query substring", audit.Filter{Query: "字段"}, []int{3, 2}},
			{"query percent literal", audit.Filter{Query: "100%"}, []int{0}},
			{"query percent alone", audit.Filter{Query: "%"}, []int{0}},
			{"query underscore literal", audit.Filter{Query: "a_b"}, []int{2}},
			{"query backslash literal", audit.Filter{Query: `c:\temp`}, []int{4}},
			{"query trimmed", audit.Filter{Query: "  普通  "}, []int{5}},
			{"query no match", audit.Filter{Query: "不存在"}, nil},
			{"unknown entity", audit.Filter{Entity: "nope"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got := list(t, db, tc.f)
				var idx []int
				for _, e := range got {
					var i int
					if _, err := fmt.Sscanf(e.Summary, "e%d", &i); err != nil {
						t.Fatalf("summary %q", e.Summary)
					}
					idx = append(idx, i)
				}
				if !slices.Equal(idx, tc.want) {
					t.Errorf("got entries %v, want %v", idx, tc.want)
				}
			})
		}
	})
}

func TestListKeysetPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := access.With(context.Background(), access.System())
		// 23 entries over 8 instants: several share one timestamp, so the id
		// must break ties or a page boundary would skip or repeat entries.
		const n = 23
		err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			for i := range n {
				at := t0.Add(time.Duration(i%8) * time.Second)
				if err := audit.Record(ctx, tx, at, audit.Change{Action: "x", Entity: "e", Summary: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all := list(t, db, audit.Filter{})
		if len(all) != n {
			t.Fatalf("unpaged list has %d entries", len(all))
		}
		for _, limit := range []int{1, 4, 7, 23, 30} {
			t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
				var got []audit.Entry
				f := audit.Filter{Limit: limit}
				for pages := 0; ; pages++ {
					if pages > n+1 {
						t.Fatal("paging does not end")
					}
					page := list(t, db, f)
					if len(page) > limit {
						t.Fatalf("page of %d > limit %d", len(page), limit)
					}
					got = append(got, page...)
					if len(page) < limit {
						break
					}
					last := page[len(page)-1]
					f.BeforeAt, f.BeforeID = last.At, last.ID
				}
				if len(got) != n {
					t.Fatalf("paged through %d entries, want %d", len(got), n)
				}
				seen := map[string]bool{}
				for i, e := range got {
					if seen[e.ID] {
						t.Fatalf("entry %s twice", e.ID)
					}
					seen[e.ID] = true
					if e.ID != all[i].ID {
						t.Fatalf("position %d: paged %s, unpaged %s", i, e.ID, all[i].ID)
					}
					if i > 0 {
						p := got[i-1]
						if e.At.After(p.At) || (e.At.Equal(p.At) && e.ID >= p.ID) {
							t.Fatalf("not newest first at %d: %v/%s after %v/%s", i, e.At, e.ID, p.At, p.ID)
						}
					}
				}
			})
		}
	})
}

func TestListLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			for i := range 120 {
				if err := audit.Record(ctx, tx, t0.Add(time.Duration(i)*time.Second), audit.Change{Action: "x", Entity: "e"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {5, 5}, {500, 120}, {501, 100}} {
			if got := len(list(t, db, audit.Filter{Limit: tc.limit})); got != tc.want {
				t.Errorf("Limit %d: %d entries, want %d", tc.limit, got, tc.want)
			}
		}
	})
}

func ptr(s string) *string { return &s }

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
