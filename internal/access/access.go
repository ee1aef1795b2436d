// Package access defines kefu's roles (SPEC §1), the permissions each role
// holds, and the Principal — who is acting — carried in the request
// context. Ownership rules (a specialist edits the customers they own) are
// checked by the domains with the Principal from here.
package access

import (
	"context"
	"slices"
)

// Role is one of the roles of SPEC §1. A person may hold several.
type Role string

const (
	Executive       Role = "executive"        // 总经理/总裁
	CSManager       Role = "cs_manager"       // 客服经理
	CSSpecialist    Role = "cs_specialist"    // 客服专员
	MaintSupervisor Role = "maint_supervisor" // 维修主管/组长
	Technician      Role = "technician"       // 维修/施工人员
	Finance         Role = "finance"          // 财务
	InfoCenter      Role = "info_center"      // 信息中心
	Admin           Role = "admin"            // 系统管理员
)

// AllRoles lists every role in display order.
var AllRoles = []Role{CSManager, CSSpecialist, MaintSupervisor, Technician, Finance, InfoCenter, Executive, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(AllRoles, r) }

// Permission names one thing a caller may do. Every route declares one.
type Permission string

const (
	// Public routes need no login (login page, static assets, health).
	Public Permission = "public"
	// Authenticated routes need any logged-in staff member (home, own password).
	Authenticated Permission = "authenticated"

	StaffRead      Permission = "staff.read"
	StaffWrite     Permission = "staff.write"
	OrgWrite       Permission = "org.write"
	CalendarWrite  Permission = "calendar.write"
	TokenManage    Permission = "token.manage"
	AuditRead      Permission = "audit.read"
	CustomerRead   Permission = "customer.read"
	CustomerWrite  Permission = "customer.write" // plus ownership, checked by the domain
	CustomerAssign Permission = "customer.assign"
	CustomerImport Permission = "customer.import"
	// Contracts, renewals, receivables and quotes (SPEC §4).
	ContractRead   Permission = "contract.read"
	ContractWrite  Permission = "contract.write" // plus ownership of the customer, checked by the domain
	ContractImport Permission = "contract.import"
	// FinanceWrite records invoices (开票) and payments received (回款).
	FinanceWrite Permission = "finance.write"
	// Service desk (SPEC §5): communication records.
	CommRead   Permission = "comm.read"
	CommWrite  Permission = "comm.write"  // plus ownership of the customer, checked by the domain
	CommIngest Permission = "comm.ingest" // machine feeds and file imports (PBX, WeChat archive)
	// DeskManage is the manager's side of the service desk: SLA and
	// callback policies, the quarterly re-callback sample, complaint
	// analysis, flags on unregistered requests.
	DeskManage Permission = "desk.manage"
	// Field work (SPEC §6): projects and work orders. WorkDispatch creates
	// projects and dispatches work orders (plus ownership of the customer,
	// checked by the domain).
	// WorkField is the maintenance side: end-of-day reports, completion,
	// returning a wrong dispatch (plus being the group's supervisor or an
	// assigned technician, checked by the domain).
	WorkRead     Permission = "work.read"
	WorkDispatch Permission = "work.dispatch"
	WorkField    Permission = "work.field"
	// WorkManage is the manager's part: the rules, coverage overrides,
	// withdrawing a return, deriving the events on demand.
	WorkManage Permission = "work.manage"
	// Appraisal (SPEC §8): everyone reads their own cards and events
	// (the domain limits whose); managers compute, rate and approve.
	AppraisalRead   Permission = "appraisal.read"
	AppraisalManage Permission = "appraisal.manage"
)

// grants maps each role to its permissions.
var grants = map[Role][]Permission{
	Admin: {StaffRead, StaffWrite, OrgWrite, CalendarWrite, TokenManage, AuditRead, CustomerRead, CustomerWrite, CustomerAssign, CustomerImport,
		ContractRead, ContractWrite, ContractImport, FinanceWrite, CommRead, CommWrite, CommIngest, DeskManage, WorkRead, WorkDispatch, WorkField, WorkManage, AppraisalRead, AppraisalManage},
	CSManager: {StaffRead, AuditRead, CustomerRead, CustomerWrite, CustomerAssign, CustomerImport, ContractRead, ContractWrite, ContractImport,
		CommRead, CommWrite, CommIngest, DeskManage, WorkRead, WorkDispatch, WorkField, WorkManage, AppraisalRead, AppraisalManage},
	CSSpecialist:    {StaffRead, CustomerRead, CustomerWrite, ContractRead, ContractWrite, CommRead, CommWrite, WorkRead, WorkDispatch, AppraisalRead},
	Executive:       {StaffRead, CustomerRead, ContractRead, CommRead, WorkRead, AppraisalRead},
	MaintSupervisor: {StaffRead, CustomerRead, WorkRead, WorkField, AppraisalRead},
	Technician:      {CustomerRead, WorkRead, WorkField, AppraisalRead},
	Finance:         {StaffRead, CustomerRead, ContractRead, FinanceWrite, AppraisalRead},
	InfoCenter:      {StaffRead, CustomerRead, CommRead, CommIngest, AppraisalRead},
}

// RoleHas reports whether role r grants p.
func RoleHas(r Role, p Permission) bool { return slices.Contains(grants[r], p) }

// Principal is the staff member behind a request.
type Principal struct {
	StaffID string
	Login   string
	Name    string
	Roles   []Role
	Locale  string
	// Via is "session" or "token".
	Via string
}

// Has reports whether the principal holds role r.
func (p *Principal) Has(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// Can reports whether the principal may do p.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return perm == Public
	}
	if perm == Public || perm == Authenticated {
		return true
	}
	for _, r := range p.Roles {
		if RoleHas(r, perm) {
			return true
		}
	}
	return false
}

// IsManagerial reports whether the principal acts for the whole department
// (manager or admin): such callers are not limited to the customers they own.
func (p *Principal) IsManagerial() bool { return p.Has(CSManager) || p.Has(Admin) }

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx, or nil.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// Caller is the principal in ctx; without one, a principal that may do
// nothing (fail closed): CLI commands and jobs act as System() explicitly.
func Caller(ctx context.Context) *Principal {
	if p := From(ctx); p != nil {
		return p
	}
	return &Principal{}
}

// OnlySpecialist reports whether p is a specialist (客服专员) with no role
// that reads beyond the customers they own: such a caller's lists and
// queues are their own.
func (p *Principal) OnlySpecialist() bool {
	if !p.Has(CSSpecialist) || p.IsManagerial() {
		return false
	}
	for _, r := range p.Roles {
		if r != CSSpecialist {
			return false
		}
	}
	return true
}

// System is the principal for work kefu does on its own (migrations, demo
// data, scheduled jobs, CLI commands run by an operator).
func System() *Principal {
	return &Principal{StaffID: "", Login: "system", Name: "系统", Roles: []Role{Admin}, Via: "system"}
}
