package org_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestCreateStaffValidation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.staff(t, "taken")
		staffBefore, auditBefore := f.count(t, "staff"), f.auditCount(t)

		spec := []access.Role{access.CSSpecialist}
		tests := []struct {
			name  string
			in    org.StaffInput
			kind  apperr.Kind
			field string
		}{
			{"empty login", org.StaffInput{Login: "", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"one-char login", org.StaffInput{Login: "a", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"33-char login", org.StaffInput{Login: strings.Repeat("a", 33), Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"login with space", org.StaffInput{Login: "li si", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"login starting with dot", org.StaffInput{Login: ".lisi", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"login starting with underscore", org.StaffInput{Login: "_lisi", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"chinese login", org.StaffInput{Login: "李四", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"login with @", org.StaffInput{Login: "li@si", Name: "n", Roles: spec}, apperr.KindInvalid, "login"},
			{"duplicate login", org.StaffInput{Login: "taken", Name: "n", Roles: spec}, apperr.KindConflict, "login"},
			{"duplicate login other case", org.StaffInput{Login: " TAKEN ", Name: "n", Roles: spec}, apperr.KindConflict, "login"},
			{"empty name", org.StaffInput{Login: "lisi", Name: "  ", Roles: spec}, apperr.KindInvalid, "name"},
			{"long name", org.StaffInput{Login: "lisi", Name: strings.Repeat("名", 51), Roles: spec}, apperr.KindInvalid, "name"},
			{"long title", org.StaffInput{Login: "lisi", Name: "n", Title: strings.Repeat("t", 51), Roles: spec}, apperr.KindInvalid, "title"},
			{"bad phone", org.StaffInput{Login: "lisi", Name: "n", Phone: "12345", Roles: spec}, apperr.KindInvalid, "phone"},
			{"letters phone", org.StaffInput{Login: "lisi", Name: "n", Phone: "call me", Roles: spec}, apperr.KindInvalid, "phone"},
			{"bad email", org.StaffInput{Login: "lisi", Name: "n", Email: "lisi.example.com", Roles: spec}, apperr.KindInvalid, "email"},
			{"missing roles", org.StaffInput{Login: "lisi", Name: "n"}, apperr.KindInvalid, "roles"},
			{"empty roles", org.StaffInput{Login: "lisi", Name: "n", Roles: []access.Role{}}, apperr.KindInvalid, "roles"},
			{"unknown role", org.StaffInput{Login: "lisi", Name: "n", Roles: []access.Role{"boss"}}, apperr.KindInvalid, "roles"},
			{"duplicate role", org.StaffInput{Login: "lisi", Name: "n", Roles: []access.Role{access.Finance, access.Admin, access.Finance}}, apperr.KindInvalid, "roles"},
			{"bad locale", org.StaffInput{Login: "lisi", Name: "n", Roles: spec, Locale: "fr"}, apperr.KindInvalid, "locale"},
			{"unknown department", org.StaffInput{Login: "lisi", Name: "n", Roles: spec, DepartmentID: "no-such"}, apperr.KindInvalid, "department_id"},
			{"unknown supervisor", org.StaffInput{Login: "lisi", Name: "n", Roles: spec, SupervisorID: "no-such"}, apperr.KindInvalid, "supervisor_id"},
			{"unknown group", org.StaffInput{Login: "lisi", Name: "n", Roles: spec, GroupID: "no-such"}, apperr.KindInvalid, "group_id"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				st, err := f.org.CreateStaff(f.ctx, tc.in)
				if st != nil {
					t.Errorf("returned %+v", st)
				}
				wantKind(t, err, tc.kind, tc.field)
			})
		}
		if n := f.count(t, "staff"); n != staffBefore {
			t.Errorf("refused creations left %d staff rows, want %d", n, staffBefore)
		}
		if n := f.count(t, "staff_roles"); n != 1 {
			t.Errorf("refused creations left %d role rows", n)
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused creations were audited: %d entries, want %d", n, auditBefore)
		}
	})
}

func TestCreateStaff(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		dept, err := f.org.SaveDepartment(f.ctx, "", 0, org.UnitInput{Name: "客服中心"})
		if err != nil {
			t.Fatal(err)
		}
		boss := f.staff(t, "boss", access.CSManager)
		grp, err := f.org.SaveGroup(f.ctx, "", 0, org.UnitInput{Name: "国贸维修组"})
		if err != nil {
			t.Fatal(err)
		}
		in := org.StaffInput{
			Login: "  Wang.Li-2 ", Name: " 王丽 ", Phone: "+86 138-1234-5678", Email: " wl@example.com ", Title: "客服专员",
			DepartmentID: dept.ID, SupervisorID: boss.ID, GroupID: grp.ID, Locale: "en",
			Roles: []access.Role{access.Admin, access.Technician, access.CSManager},
		}
		st, err := f.org.CreateStaff(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.org.GetStaff(context.Background(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Roles come back in the canonical order of access.AllRoles.
		wantRoles := []access.Role{access.CSManager, access.Technician, access.Admin}
		if !slices.Equal(got.Roles, wantRoles) {
			t.Errorf("stored roles %v, want %v", got.Roles, wantRoles)
		}
		if !slices.Equal(st.Roles, wantRoles) {
			t.Errorf("returned roles %v, want %v (as stored)", st.Roles, wantRoles)
		}
		if got.Login != "wang.li-2" || got.Name != "王丽" || got.Phone != "13812345678" || got.Email != "wl@example.com" ||
			got.Locale != "en" || !got.Active || got.LeftOn != nil || got.Version != 1 {
			t.Errorf("stored %+v", got)
		}
		if *got.DepartmentID != dept.ID || *got.SupervisorID != boss.ID || *got.GroupID != grp.ID {
			t.Errorf("refs %v %v %v", got.DepartmentID, got.SupervisorID, got.GroupID)
		}
		if !got.CreatedAt.Equal(f.clock.Now()) || !got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("timestamps %v %v", got.CreatedAt, got.UpdatedAt)
		}
		byLogin, err := f.org.StaffByLogin(context.Background(), " WANG.LI-2")
		if err != nil || byLogin.ID != st.ID {
			t.Errorf("StaffByLogin: %v %v", byLogin, err)
		}
		if _, err := f.org.GetStaff(context.Background(), "no-such"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("GetStaff unknown: %v", err)
		}

		// Default locale; a 32-char login and 2-char login are fine.
		for _, login := range []string{strings.Repeat("x", 32), "ab", "0day"} {
			s2, err := f.org.CreateStaff(f.ctx, org.StaffInput{Login: login, Name: "n", Roles: []access.Role{access.Finance}})
			if err != nil {
				t.Fatalf("login %q: %v", login, err)
			}
			if s2.Locale != "zh-CN" {
				t.Errorf("default locale %q", s2.Locale)
			}
		}

		es := f.audit(t, audit.Filter{Entity: "staff", EntityID: st.ID})
		if len(es) != 1 {
			t.Fatalf("audit %+v", es)
		}
		e := es[0]
		if e.Action != "create" || e.BeforeJSON != nil || e.ActorID == nil || *e.ActorID != f.admin.StaffID || e.RequestID != "req-org" {
			t.Errorf("audit entry %+v", e)
		}
		if jsonField(t, e.AfterJSON, "login") != "wang.li-2" || jsonField(t, e.AfterJSON, "phone") != "13812345678" {
			t.Errorf("audit after %s", *e.AfterJSON)
		}
	})
}

func TestUpdateStaff(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st := f.staff(t, "zhao", access.CSSpecialist)
		f.staff(t, "qian")
		f.clock.Advance(time.Hour)

		in := org.StaffInput{Login: "zhao", Name: "赵六", Phone: "010-87654321", Roles: []access.Role{access.Finance, access.CSSpecialist}}
		up, err := f.org.UpdateStaff(f.ctx, st.ID, st.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Name != "赵六" || !up.UpdatedAt.Equal(f.clock.Now()) || !up.CreatedAt.Equal(st.CreatedAt) {
			t.Errorf("updated %+v", up)
		}
		got, _ := f.org.GetStaff(context.Background(), st.ID)
		if got.Version != 2 || got.Name != "赵六" || got.Phone != "010-87654321" {
			t.Errorf("stored %+v", got)
		}
		if !slices.Equal(got.Roles, []access.Role{access.CSSpecialist, access.Finance}) {
			t.Errorf("roles %v", got.Roles)
		}

		es := f.audit(t, audit.Filter{Entity: "staff", EntityID: st.ID, Action: "update"})
		if len(es) != 1 {
			t.Fatalf("%d update entries", len(es))
		}
		if jsonField(t, es[0].BeforeJSON, "name") != "员工zhao" || jsonField(t, es[0].AfterJSON, "name") != "赵六" {
			t.Errorf("before/after: %s / %s", *es[0].BeforeJSON, *es[0].AfterJSON)
		}
		if v := jsonField(t, es[0].BeforeJSON, "version"); v != float64(1) {
			t.Errorf("before version %v", v)
		}
		auditBefore := f.auditCount(t)

		// Refused updates leave the row, its roles and the audit log unchanged.
		tests := []struct {
			name    string
			id      string
			version int64
			in      org.StaffInput
			kind    apperr.Kind
			field   string
		}{
			{"stale version", st.ID, 1, org.StaffInput{Login: "zhao", Name: "覆盖", Roles: []access.Role{access.Admin}}, apperr.KindConflict, "version"},
			{"future version", st.ID, 9, org.StaffInput{Login: "zhao", Name: "覆盖", Roles: []access.Role{access.Admin}}, apperr.KindConflict, "version"},
			{"login taken", st.ID, 2, org.StaffInput{Login: "qian", Name: "覆盖", Roles: []access.Role{access.Admin}}, apperr.KindConflict, "login"},
			{"bad phone", st.ID, 2, org.StaffInput{Login: "zhao", Name: "覆盖", Phone: "999", Roles: []access.Role{access.Admin}}, apperr.KindInvalid, "phone"},
			{"no roles", st.ID, 2, org.StaffInput{Login: "zhao", Name: "覆盖"}, apperr.KindInvalid, "roles"},
			{"unknown id", "no-such", 1, org.StaffInput{Login: "zhao", Name: "覆盖", Roles: []access.Role{access.Admin}}, apperr.KindNotFound, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				out, err := f.org.UpdateStaff(f.ctx, tc.id, tc.version, tc.in)
				if out != nil {
					t.Errorf("returned %+v", out)
				}
				wantKind(t, err, tc.kind, tc.field)
				now, _ := f.org.GetStaff(context.Background(), st.ID)
				if now.Version != 2 || now.Name != "赵六" || now.Login != "zhao" || !slices.Equal(now.Roles, got.Roles) {
					t.Errorf("row changed: %+v", now)
				}
			})
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused updates audited: %d, want %d", n, auditBefore)
		}
	})
}

func TestSupervisorCycles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a, b, c := f.staff(t, "aa"), f.staff(t, "bb"), f.staff(t, "cc")
		setSup := func(st *org.Staff, sup string) error {
			cur, err := f.org.GetStaff(context.Background(), st.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.org.UpdateStaff(f.ctx, st.ID, cur.Version, org.StaffInput{Login: cur.Login, Name: cur.Name, Roles: cur.Roles, SupervisorID: sup})
			return err
		}
		if err := setSup(b, a.ID); err != nil { // B reports to A
			t.Fatal(err)
		}
		wantKind(t, setSup(a, b.ID), apperr.KindInvalid, "supervisor_id") // A→B→A
		wantKind(t, setSup(a, a.ID), apperr.KindInvalid, "supervisor_id") // self
		if err := setSup(c, b.ID); err != nil {                           // C→B→A
			t.Fatal(err)
		}
		wantKind(t, setSup(a, c.ID), apperr.KindInvalid, "supervisor_id") // A→C→B→A
		got, _ := f.org.GetStaff(context.Background(), a.ID)
		if got.SupervisorID != nil || got.Version != 1 {
			t.Errorf("A changed by refused updates: %+v", got)
		}
		// Re-pointing along the chain without a loop is fine, and clearing works.
		if err := setSup(c, a.ID); err != nil {
			t.Fatalf("C→A: %v", err)
		}
		if err := setSup(b, ""); err != nil {
			t.Fatal(err)
		}
		if err := setSup(a, b.ID); err != nil {
			t.Fatalf("A→B once B has no supervisor: %v", err)
		}
	})
}

func TestSetActive(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st := f.staff(t, "sun")

		left, err := f.org.SetActive(f.ctx, st.ID, 1, false, "2025-06-15")
		if err != nil {
			t.Fatal(err)
		}
		if left.Active || left.LeftOn == nil || *left.LeftOn != "2025-06-15" || left.Version != 2 {
			t.Errorf("left %+v", left)
		}
		got, _ := f.org.GetStaff(context.Background(), st.ID)
		if got.Active || got.LeftOn == nil || *got.LeftOn != "2025-06-15" || got.Version != 2 {
			t.Errorf("stored %+v", got)
		}
		active := false
		list, _ := f.org.ListStaff(context.Background(), org.StaffFilter{Active: &active})
		if len(list) != 1 || list[0].ID != st.ID {
			t.Errorf("inactive list %+v", list)
		}

		back, err := f.org.SetActive(f.ctx, st.ID, 2, true, "")
		if err != nil {
			t.Fatal(err)
		}
		if !back.Active || back.LeftOn != nil || back.Version != 3 {
			t.Errorf("back %+v", back)
		}
		got, _ = f.org.GetStaff(context.Background(), st.ID)
		if !got.Active || got.LeftOn != nil {
			t.Errorf("stored after return %+v", got)
		}

		// Without a day the left date defaults to today.
		def, err := f.org.SetActive(f.ctx, st.ID, 3, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if def.LeftOn == nil || *def.LeftOn == "" {
			t.Errorf("default left_on %v", def.LeftOn)
		}

		es := f.audit(t, audit.Filter{Entity: "staff", EntityID: st.ID, Action: "update"})
		if len(es) != 3 {
			t.Fatalf("%d audit entries, want 3", len(es))
		}
		first := es[2] // oldest
		if jsonField(t, first.BeforeJSON, "active") != true || jsonField(t, first.AfterJSON, "active") != false ||
			jsonField(t, first.AfterJSON, "left_on") != "2025-06-15" || !strings.Contains(first.Summary, "2025-06-15") {
			t.Errorf("leave entry %+v", first)
		}

		self := access.With(context.Background(), &access.Principal{StaffID: st.ID, Roles: []access.Role{access.Admin}})
		auditBefore := f.auditCount(t)
		tests := []struct {
			name    string
			ctx     context.Context
			id      string
			version int64
			active  bool
			leftOn  string
			kind    apperr.Kind
			field   string
		}{
			{"bad date", f.ctx, st.ID, 4, false, "15/06/2025", apperr.KindInvalid, "left_on"},
			{"impossible date", f.ctx, st.ID, 4, false, "2025-02-30", apperr.KindInvalid, "left_on"},
			{"self left", self, st.ID, 4, false, "2025-06-01", apperr.KindInvalid, "active"},
			{"stale version", f.ctx, st.ID, 3, true, "", apperr.KindConflict, "version"},
			{"unknown", f.ctx, "no-such", 1, false, "2025-06-01", apperr.KindNotFound, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.org.SetActive(tc.ctx, tc.id, tc.version, tc.active, tc.leftOn)
				wantKind(t, err, tc.kind, tc.field)
			})
		}
		got, _ = f.org.GetStaff(context.Background(), st.ID)
		if got.Version != 4 || got.Active {
			t.Errorf("row changed by refused calls: %+v", got)
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused calls audited")
		}
		// Setting oneself active (not left) is allowed.
		if _, err := f.org.SetActive(self, st.ID, 4, true, ""); err != nil {
			t.Errorf("self back at work: %v", err)
		}
	})
}

func TestListStaff(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		dept, _ := f.org.SaveDepartment(f.ctx, "", 0, org.UnitInput{Name: "客服中心"})
		mk := func(login, name, phone string, roles ...access.Role) *org.Staff {
			st, err := f.org.CreateStaff(f.ctx, org.StaffInput{Login: login, Name: name, Phone: phone, Roles: roles, DepartmentID: dept.ID})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		mk("chen", "陈一", "13900000001", access.CSSpecialist)
		mk("lin", "林二", "13900000002", access.CSSpecialist, access.Finance)
		mk("zhou", "周三_x", "", access.Technician)
		gone := mk("wu", "吴四", "", access.CSSpecialist)
		if _, err := f.org.SetActive(f.ctx, gone.ID, 1, false, "2025-01-01"); err != nil {
			t.Fatal(err)
		}
		yes := true
		tests := []struct {
			name string
			f    org.StaffFilter
			want []string
		}{
			{"all, active first", org.StaffFilter{}, []string{"chen", "lin", "zhou", "wu"}},
			{"role", org.StaffFilter{Role: access.CSSpecialist}, []string{"chen", "lin", "wu"}},
			{"role and active", org.StaffFilter{Role: access.CSSpecialist, Active: &yes}, []string{"chen", "lin"}},
			{"second role", org.StaffFilter{Role: access.Finance}, []string{"lin"}},
			{"query name", org.StaffFilter{Query: "林"}, []string{"lin"}},
			{"query login upper", org.StaffFilter{Query: "CHEN"}, []string{"chen"}},
			{"query phone", org.StaffFilter{Query: "0002"}, []string{"lin"}},
			{"query underscore literal", org.StaffFilter{Query: "_"}, []string{"zhou"}},
			{"department", org.StaffFilter{Department: dept.ID}, []string{"chen", "lin", "zhou", "wu"}},
			{"unknown department", org.StaffFilter{Department: "x"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				list, err := f.org.ListStaff(context.Background(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range list {
					got = append(got, s.Login)
					if len(s.Roles) == 0 {
						t.Errorf("%s listed without roles", s.Login)
					}
				}
				slices.Sort(got)
				want := slices.Clone(tc.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}
		all, _ := f.org.ListStaff(context.Background(), org.StaffFilter{})
		if all[len(all)-1].Login != "wu" {
			t.Errorf("staff who left are not listed last: %v", all[len(all)-1].Login)
		}
		names, err := f.org.Names(context.Background())
		if err != nil || names[gone.ID] != "吴四" || len(names) != 4 {
			t.Errorf("Names = %v, %v", names, err)
		}
	})
}

// TestStaffChangesAnnounced: committed changes to what makes up a
// principal are announced on the database handle (store.DB.Changed), so
// the auth package's token cache drops them; refused changes are not.
func TestStaffChangesAnnounced(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var mu sync.Mutex
		var got []string
		db.OnChanged(func(topic, id string) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, topic+" "+id)
		})
		take := func() []string {
			mu.Lock()
			defer mu.Unlock()
			out := got
			got = nil
			return out
		}
		st := f.staff(t, "announce")
		if g := take(); len(g) != 0 {
			t.Errorf("creation announced %v", g)
		}
		in := org.StaffInput{Login: st.Login, Name: st.Name, Roles: []access.Role{access.Finance}}
		up, err := f.org.UpdateStaff(f.ctx, st.ID, st.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if g := take(); !slices.Equal(g, []string{store.ChangeStaff + " " + st.ID}) {
			t.Errorf("update announced %v", g)
		}
		if _, err := f.org.UpdateStaff(f.ctx, st.ID, st.Version, in); err == nil {
			t.Fatal("stale version accepted")
		}
		if g := take(); len(g) != 0 {
			t.Errorf("a refused update announced %v", g)
		}
		if _, err := f.org.SetActive(f.ctx, st.ID, up.Version, false, ""); err != nil {
			t.Fatal(err)
		}
		if g := take(); !slices.Equal(g, []string{store.ChangeStaff + " " + st.ID}) {
			t.Errorf("departure announced %v", g)
		}
	})
}
