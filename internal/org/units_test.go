package org_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestDepartments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		created := f.clock.Now()
		cs, err := f.org.SaveDepartment(f.ctx, "", 0, org.UnitInput{Name: "  客服中心 "})
		if err != nil {
			t.Fatal(err)
		}
		if cs.ID == "" || cs.Name != "客服中心" || cs.Version != 1 || cs.ParentID != nil || !cs.CreatedAt.Equal(created) {
			t.Errorf("created %+v", cs)
		}
		sub, err := f.org.SaveDepartment(f.ctx, "", 0, org.UnitInput{Name: "客服一组", ParentID: cs.ID})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		up, err := f.org.SaveDepartment(f.ctx, cs.ID, 1, org.UnitInput{Name: "客户服务中心"})
		if err != nil {
			t.Fatal(err)
		}
		if up.ID != cs.ID || up.Version != 2 || up.Name != "客户服务中心" || !up.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("updated %+v", up)
		}
		if !up.CreatedAt.Equal(created) {
			t.Errorf("update returned created_at %v, want %v", up.CreatedAt, created)
		}
		list, err := f.org.Departments(context.Background())
		if err != nil || len(list) != 2 {
			t.Fatalf("Departments = %+v, %v", list, err)
		}
		for _, d := range list {
			if d.ID == cs.ID && (d.Name != "客户服务中心" || d.Version != 2 || !d.CreatedAt.Equal(created)) {
				t.Errorf("stored %+v", d)
			}
		}

		auditBefore := f.auditCount(t)
		tests := []struct {
			name    string
			id      string
			version int64
			in      org.UnitInput
			kind    apperr.Kind
			field   string
		}{
			{"empty name", "", 0, org.UnitInput{Name: " "}, apperr.KindInvalid, "name"},
			{"long name", "", 0, org.UnitInput{Name: strings.Repeat("部", 51)}, apperr.KindInvalid, "name"},
			{"duplicate name", "", 0, org.UnitInput{Name: "客服一组"}, apperr.KindConflict, "name"},
			{"rename onto another", cs.ID, 2, org.UnitInput{Name: "客服一组"}, apperr.KindConflict, "name"},
			{"unknown parent", "", 0, org.UnitInput{Name: "新部门", ParentID: "no-such"}, apperr.KindInvalid, "parent_id"},
			{"own parent", cs.ID, 2, org.UnitInput{Name: "客户服务中心", ParentID: cs.ID}, apperr.KindInvalid, "parent_id"},
			{"parent cycle", cs.ID, 2, org.UnitInput{Name: "客户服务中心", ParentID: sub.ID}, apperr.KindInvalid, "parent_id"},
			{"stale version", cs.ID, 1, org.UnitInput{Name: "旧版本"}, apperr.KindConflict, "version"},
			{"unknown id", "no-such", 1, org.UnitInput{Name: "不存在"}, apperr.KindNotFound, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.org.SaveDepartment(f.ctx, tc.id, tc.version, tc.in)
				wantKind(t, err, tc.kind, tc.field)
			})
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused saves audited")
		}
		list, _ = f.org.Departments(context.Background())
		for _, d := range list {
			if d.ID == cs.ID && (d.Version != 2 || d.ParentID != nil || d.Name != "客户服务中心") {
				t.Errorf("row changed by refused saves: %+v", d)
			}
		}

		es := f.audit(t, audit.Filter{Entity: "department", EntityID: cs.ID})
		if len(es) != 2 || es[0].Action != "update" || es[1].Action != "create" {
			t.Fatalf("audit %+v", es)
		}
		if es[1].BeforeJSON != nil || jsonField(t, es[1].AfterJSON, "name") != "客服中心" {
			t.Errorf("create entry %+v", es[1])
		}
		if jsonField(t, es[0].BeforeJSON, "name") != "客服中心" || jsonField(t, es[0].AfterJSON, "name") != "客户服务中心" {
			t.Errorf("update entry before %v after %v", *es[0].BeforeJSON, *es[0].AfterJSON)
		}
		if es[0].ActorID == nil || *es[0].ActorID != f.admin.StaffID || es[0].ActorName != "管理员" {
			t.Errorf("actor %v %q", es[0].ActorID, es[0].ActorName)
		}
	})
}

func TestGroupsAndRegions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sup := f.staff(t, "sup", access.MaintSupervisor)
		spec := f.staff(t, "spec", access.CSSpecialist)

		g, err := f.org.SaveGroup(f.ctx, "", 0, org.UnitInput{Name: "国贸维修组", SupervisorID: sup.ID})
		if err != nil {
			t.Fatal(err)
		}
		if g.SupervisorID == nil || *g.SupervisorID != sup.ID || g.Version != 1 {
			t.Errorf("group %+v", g)
		}
		r, err := f.org.SaveRegion(f.ctx, "", 0, org.UnitInput{Name: "国贸", Code: " GM ", GroupID: g.ID, SpecialistID: spec.ID})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.org.GetRegion(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "国贸" || got.Code != "GM" || *got.GroupID != g.ID || *got.SpecialistID != spec.ID || got.Version != 1 {
			t.Errorf("region %+v", got)
		}
		if _, err := f.org.GetRegion(context.Background(), "no-such"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("GetRegion unknown: %v", err)
		}
		if _, err := f.org.SaveRegion(f.ctx, "", 0, org.UnitInput{Name: "望京"}); err != nil {
			t.Fatal(err)
		}

		// Update clears the specialist; the group stays.
		up, err := f.org.SaveRegion(f.ctx, r.ID, 1, org.UnitInput{Name: "国贸", Code: "GM", GroupID: g.ID})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = f.org.GetRegion(context.Background(), r.ID)
		if up.Version != 2 || got.Version != 2 || got.SpecialistID != nil || *got.GroupID != g.ID {
			t.Errorf("after update %+v", got)
		}
		if _, err := f.org.SaveGroup(f.ctx, g.ID, 1, org.UnitInput{Name: "国贸一组"}); err != nil {
			t.Fatal(err)
		}
		groups, _ := f.org.Groups(context.Background())
		if len(groups) != 1 || groups[0].Name != "国贸一组" || groups[0].SupervisorID != nil || groups[0].Version != 2 {
			t.Errorf("groups %+v", groups)
		}
		regions, _ := f.org.Regions(context.Background())
		if len(regions) != 2 {
			t.Errorf("regions %+v", regions)
		}

		auditBefore := f.auditCount(t)
		groupTests := []struct {
			name    string
			id      string
			version int64
			in      org.UnitInput
			kind    apperr.Kind
			field   string
		}{
			{"duplicate name", "", 0, org.UnitInput{Name: "国贸一组"}, apperr.KindConflict, "name"},
			{"unknown supervisor", "", 0, org.UnitInput{Name: "望京组", SupervisorID: "no-such"}, apperr.KindInvalid, "supervisor_id"},
			{"empty name", "", 0, org.UnitInput{}, apperr.KindInvalid, "name"},
			{"stale", g.ID, 1, org.UnitInput{Name: "x"}, apperr.KindConflict, "version"},
		}
		for _, tc := range groupTests {
			t.Run("group "+tc.name, func(t *testing.T) {
				_, err := f.org.SaveGroup(f.ctx, tc.id, tc.version, tc.in)
				wantKind(t, err, tc.kind, tc.field)
			})
		}
		regionTests := []struct {
			name    string
			id      string
			version int64
			in      org.UnitInput
			kind    apperr.Kind
			field   string
		}{
			{"duplicate name", "", 0, org.UnitInput{Name: "望京"}, apperr.KindConflict, "name"},
			{"rename onto another", r.ID, 2, org.UnitInput{Name: "望京"}, apperr.KindConflict, "name"},
			{"unknown group", "", 0, org.UnitInput{Name: "中关村", GroupID: "no-such"}, apperr.KindInvalid, "group_id"},
			{"unknown specialist", "", 0, org.UnitInput{Name: "中关村", SpecialistID: "no-such"}, apperr.KindInvalid, "specialist_id"},
			{"long code", "", 0, org.UnitInput{Name: "中关村", Code: strings.Repeat("Z", 21)}, apperr.KindInvalid, "code"},
			{"stale", r.ID, 1, org.UnitInput{Name: "国贸"}, apperr.KindConflict, "version"},
			{"unknown id", "no-such", 1, org.UnitInput{Name: "x"}, apperr.KindNotFound, ""},
		}
		for _, tc := range regionTests {
			t.Run("region "+tc.name, func(t *testing.T) {
				_, err := f.org.SaveRegion(f.ctx, tc.id, tc.version, tc.in)
				wantKind(t, err, tc.kind, tc.field)
			})
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused saves audited")
		}
		if n := f.count(t, "regions"); n != 2 {
			t.Errorf("%d regions after refused saves", n)
		}

		for _, c := range []struct{ entity, id string }{{"group", g.ID}, {"region", r.ID}} {
			es := f.audit(t, audit.Filter{Entity: c.entity, EntityID: c.id})
			if len(es) != 2 || es[0].Action != "update" || es[0].BeforeJSON == nil || es[0].AfterJSON == nil ||
				es[1].Action != "create" || es[1].BeforeJSON != nil || es[1].AfterJSON == nil {
				t.Errorf("%s audit %+v", c.entity, es)
			}
		}
		es := f.audit(t, audit.Filter{Entity: "region", EntityID: r.ID, Action: "update"})
		if jsonField(t, es[0].BeforeJSON, "specialist_id") != spec.ID || jsonField(t, es[0].AfterJSON, "specialist_id") != nil {
			t.Errorf("region update before/after: %s / %s", *es[0].BeforeJSON, *es[0].AfterJSON)
		}
	})
}
