package access_test

import (
	"context"
	"slices"
	"testing"

	"kefu/internal/access"
)

// allPerms lists every permission that a route can declare.
var allPerms = []access.Permission{
	access.Public, access.Authenticated,
	access.StaffRead, access.StaffWrite, access.OrgWrite, access.CalendarWrite, access.TokenManage,
	access.AuditRead, access.CustomerRead, access.CustomerWrite, access.CustomerAssign, access.CustomerImport,
}

// want is the permission matrix written out from SPEC §1, independently of
// the grants table in access.go:
//   - admin (系统管理员: users, roles, calendars, integrations) holds everything;
//   - cs_manager runs the department: reads staff and the audit log, and
//     reads, edits, assigns and imports customers, but does not administer
//     users, the organisation, the calendar or API tokens;
//   - cs_specialist owns customers: reads staff, reads and edits customers
//     (ownership is checked by the domain), cannot assign or import;
//   - executive, maint_supervisor, finance, info_center read staff and
//     customers only;
//   - technician reads customers only (no staff directory, no writes);
//   - only admin manages API tokens; only admin and manager read the audit log.
//
// Public and Authenticated are granted to every logged-in principal.
var want = map[access.Role][]access.Permission{
	access.Admin: {access.StaffRead, access.StaffWrite, access.OrgWrite, access.CalendarWrite, access.TokenManage,
		access.AuditRead, access.CustomerRead, access.CustomerWrite, access.CustomerAssign, access.CustomerImport},
	access.CSManager:       {access.StaffRead, access.AuditRead, access.CustomerRead, access.CustomerWrite, access.CustomerAssign, access.CustomerImport},
	access.CSSpecialist:    {access.StaffRead, access.CustomerRead, access.CustomerWrite},
	access.Executive:       {access.StaffRead, access.CustomerRead},
	access.MaintSupervisor: {access.StaffRead, access.CustomerRead},
	access.Technician:      {access.CustomerRead},
	access.Finance:         {access.StaffRead, access.CustomerRead},
	access.InfoCenter:      {access.StaffRead, access.CustomerRead},
}

func TestRoleMatrix(t *testing.T) {
	if len(want) != len(access.AllRoles) {
		t.Fatalf("matrix covers %d roles, AllRoles has %d", len(want), len(access.AllRoles))
	}
	for _, r := range access.AllRoles {
		granted, ok := want[r]
		if !ok {
			t.Errorf("role %s missing from the expected matrix", r)
			continue
		}
		p := &access.Principal{StaffID: "s", Roles: []access.Role{r}}
		for _, perm := range allPerms {
			expect := perm == access.Public || perm == access.Authenticated || slices.Contains(granted, perm)
			if got := p.Can(perm); got != expect {
				t.Errorf("%s.Can(%s) = %v, want %v", r, perm, got, expect)
			}
			// RoleHas is the raw grant table: Public/Authenticated are not grants.
			expectGrant := slices.Contains(granted, perm)
			if got := access.RoleHas(r, perm); got != expectGrant {
				t.Errorf("RoleHas(%s, %s) = %v, want %v", r, perm, got, expectGrant)
			}
		}
	}
}

// TestSpotChecks restates the rules that matter most, one per line, so a
// change to the grant table that breaks them names the rule.
func TestSpotChecks(t *testing.T) {
	tests := []struct {
		name string
		role access.Role
		perm access.Permission
		want bool
	}{
		{"technician cannot write customers", access.Technician, access.CustomerWrite, false},
		{"technician cannot read staff", access.Technician, access.StaffRead, false},
		{"specialist writes customers", access.CSSpecialist, access.CustomerWrite, true},
		{"specialist cannot assign customers", access.CSSpecialist, access.CustomerAssign, false},
		{"specialist cannot import customers", access.CSSpecialist, access.CustomerImport, false},
		{"specialist cannot read audit", access.CSSpecialist, access.AuditRead, false},
		{"manager reads audit", access.CSManager, access.AuditRead, true},
		{"admin reads audit", access.Admin, access.AuditRead, true},
		{"executive cannot read audit", access.Executive, access.AuditRead, false},
		{"only admin manages tokens: manager", access.CSManager, access.TokenManage, false},
		{"only admin manages tokens: admin", access.Admin, access.TokenManage, true},
		{"manager cannot write staff", access.CSManager, access.StaffWrite, false},
		{"manager cannot edit calendar", access.CSManager, access.CalendarWrite, false},
		{"finance cannot write customers", access.Finance, access.CustomerWrite, false},
		{"info center cannot write customers", access.InfoCenter, access.CustomerWrite, false},
		{"supervisor cannot write customers", access.MaintSupervisor, access.CustomerWrite, false},
		{"executive cannot write customers", access.Executive, access.CustomerWrite, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &access.Principal{Roles: []access.Role{tc.role}}
			if got := p.Can(tc.perm); got != tc.want {
				t.Errorf("Can = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCanUnionOfRoles(t *testing.T) {
	tech := &access.Principal{Roles: []access.Role{access.Technician}}
	both := &access.Principal{Roles: []access.Role{access.Technician, access.Finance}}
	if tech.Can(access.StaffRead) {
		t.Error("technician alone can read staff")
	}
	if !both.Can(access.StaffRead) {
		t.Error("technician+finance cannot read staff: permissions of several roles must add up")
	}
	if both.Can(access.CustomerWrite) {
		t.Error("technician+finance can write customers")
	}
}

func TestCanWithoutRoles(t *testing.T) {
	tests := []struct {
		name string
		p    *access.Principal
		perm access.Permission
		want bool
	}{
		{"nil public", nil, access.Public, true},
		{"nil authenticated", nil, access.Authenticated, false},
		{"nil customer read", nil, access.CustomerRead, false},
		{"no roles public", &access.Principal{StaffID: "x"}, access.Public, true},
		{"no roles authenticated", &access.Principal{StaffID: "x"}, access.Authenticated, true},
		{"no roles customer read", &access.Principal{StaffID: "x"}, access.CustomerRead, false},
		{"unknown role", &access.Principal{Roles: []access.Role{"boss"}}, access.CustomerRead, false},
		{"unknown permission admin", &access.Principal{Roles: []access.Role{access.Admin}}, "nuke.everything", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Can(tc.perm); got != tc.want {
				t.Errorf("Can(%s) = %v, want %v", tc.perm, got, tc.want)
			}
		})
	}
}

func TestHasAndIsManagerial(t *testing.T) {
	managerial := map[access.Role]bool{access.CSManager: true, access.Admin: true}
	for _, r := range access.AllRoles {
		p := &access.Principal{Roles: []access.Role{r}}
		for _, other := range access.AllRoles {
			if got := p.Has(other); got != (r == other) {
				t.Errorf("principal with %s: Has(%s) = %v", r, other, got)
			}
		}
		if got := p.IsManagerial(); got != managerial[r] {
			t.Errorf("%s: IsManagerial = %v, want %v", r, got, managerial[r])
		}
	}
	multi := &access.Principal{Roles: []access.Role{access.Technician, access.CSManager}}
	if !multi.Has(access.Technician) || !multi.Has(access.CSManager) || multi.Has(access.Admin) {
		t.Errorf("multi-role Has wrong: %+v", multi.Roles)
	}
	if !multi.IsManagerial() {
		t.Error("technician+manager is not managerial")
	}
	var nilP *access.Principal
	if nilP.Has(access.Admin) || nilP.IsManagerial() {
		t.Error("nil principal has a role")
	}
}

func TestRolesValid(t *testing.T) {
	if len(access.AllRoles) != 8 {
		t.Errorf("AllRoles has %d roles, SPEC §1 lists 8", len(access.AllRoles))
	}
	seen := map[access.Role]bool{}
	for _, r := range access.AllRoles {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
		if seen[r] {
			t.Errorf("%s listed twice", r)
		}
		seen[r] = true
	}
	for _, r := range []access.Role{"", "boss", "Admin", "admin "} {
		if r.Valid() {
			t.Errorf("%q valid", r)
		}
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if access.From(ctx) != nil {
		t.Fatal("empty context has a principal")
	}
	p := &access.Principal{StaffID: "s1", Roles: []access.Role{access.Finance}}
	if got := access.From(access.With(ctx, p)); got != p {
		t.Fatalf("From(With(p)) = %v", got)
	}
	// With(nil) clears an inherited principal (httpx relies on this).
	if got := access.From(access.With(access.With(ctx, p), nil)); got != nil {
		t.Fatalf("With(nil) kept %v", got)
	}
}

func TestSystem(t *testing.T) {
	s := access.System()
	if s.StaffID != "" || s.Via != "system" || !s.Has(access.Admin) {
		t.Fatalf("System() = %+v", s)
	}
	if !s.Can(access.TokenManage) || !s.Can(access.StaffWrite) {
		t.Error("system cannot administer")
	}
	if access.System() == s {
		t.Error("System returns a shared pointer: callers could mutate it")
	}
}

// OnlySpecialist: a specialist whose lists are their own; any other role
// beside it (a manager, an executive…) reads more. Caller fails closed.
func TestOnlySpecialistAndCaller(t *testing.T) {
	for _, c := range []struct {
		roles []access.Role
		want  bool
	}{
		{[]access.Role{access.CSSpecialist}, true},
		{[]access.Role{access.CSSpecialist, access.CSSpecialist}, true},
		{[]access.Role{access.CSSpecialist, access.CSManager}, false},
		{[]access.Role{access.CSSpecialist, access.Executive}, false},
		{[]access.Role{access.CSSpecialist, access.Finance}, false},
		{[]access.Role{access.Admin}, false},
		{[]access.Role{access.Technician}, false},
		{nil, false},
	} {
		if got := (&access.Principal{Roles: c.roles}).OnlySpecialist(); got != c.want {
			t.Errorf("%v: OnlySpecialist() = %v, want %v", c.roles, got, c.want)
		}
	}
	if p := access.Caller(context.Background()); p == nil || len(p.Roles) != 0 || p.Can(access.CustomerRead) {
		t.Fatalf("no principal in the context: %+v, want one that may do nothing", p)
	}
	me := &access.Principal{StaffID: "s1", Roles: []access.Role{access.CSSpecialist}}
	if access.Caller(access.With(context.Background(), me)) != me {
		t.Fatal("Caller does not return the principal in the context")
	}
}
