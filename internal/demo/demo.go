// Package demo fills an empty kefu database with an invented HVAC
// after-sales service company shaped like the real one of seed 000: a
// customer-service centre with one manager and three specialists, three
// regional maintenance groups (国贸 / 望京 / 中关村) each with a supervisor
// (分管主管) and an owning specialist (分管客服), about sixty customers with
// contacts, equipment and WeChat service groups.
//
// Everything goes through the domain services — never raw SQL — so the
// audit log and the archive history are written exactly as in real use:
// the archive is "migrated" from the old ledger some weeks ago (recorded
// with a back-dated time by the system), and the recent changes (contacts
// who left, a new phone number, new equipment) are recorded today by the
// owning specialists, a few of them later than the day they became known
// (档案未当日更新). All choices come from a PCG with a fixed seed, so every
// Load builds the same company (only ids and timestamps differ).
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/auth"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
)

// Deps are the services Load works through.
type Deps struct {
	Org       *org.Service
	Auth      *auth.Service
	Customers *customers.Service
	// Contracts, when set, also gets contracts, payments and quotes.
	Contracts *contracts.Service
	// Comms and Tickets, when set, get a day of service-desk traffic.
	Comms   *comms.Service
	Tickets *tickets.Service
	// Surveys, when set with Comms, gets two satisfaction survey plans.
	Surveys *surveys.Service
	// Fieldwork, when set with Contracts, gets projects and work orders.
	Fieldwork *fieldwork.Service
	// Scorecards, when set, gets last month's appraisal: the cards
	// computed and in the lifecycle, one published, two checks.
	Scorecards *scorecards.Service
	// Now is the clock (default time.Now); it must be the clock the
	// services were built with.
	Now func() time.Time
	// Loc is the company time zone (default Asia/Shanghai); it must be the
	// customers service's Location.
	Loc *time.Location
	// Password is the password of every demo login (default DefaultPassword).
	Password string
}

// ErrNotEmpty is returned (wrapped) when the database already holds an
// organisation or customers: demo data only goes into an empty database.
var ErrNotEmpty = errors.New("demo: the database is not empty")

// Login is one demo account.
type Login struct {
	Login    string        `json:"login"`
	Name     string        `json:"name"`
	Roles    []access.Role `json:"roles"`
	RoleText string        `json:"role_text"` // roles in Chinese
	Title    string        `json:"title"`
	Unit     string        `json:"unit"` // department or maintenance group
	Active   bool          `json:"active"`
	Note     string        `json:"note"`
}

// Summary describes what Load created.
type Summary struct {
	Company  string `json:"company"`
	Password string `json:"password"`

	Departments int `json:"departments"`
	Staff       int `json:"staff"` // including the one who left
	ActiveStaff int `json:"active_staff"`
	MaintGroups int `json:"maint_groups"`
	Regions     int `json:"regions"`

	Customers       int `json:"customers"`
	LostCustomers   int `json:"lost_customers"`
	OrphanCustomers int `json:"orphan_customers"` // sales owner has left (孤儿客户)
	Contacts        int `json:"contacts"`         // including contacts who left
	ActiveContacts  int `json:"active_contacts"`
	Equipment       int `json:"equipment"`
	WeChatGroups    int `json:"wechat_groups"`
	Members         int `json:"members"`           // WeChat group memberships ever recorded
	MembersToRemove int `json:"members_to_remove"` // invalid members still in a group (待清退)
	LateChanges     int `json:"late_changes"`      // archive changes recorded after the day they became known

	Contracts       int `json:"contracts"`
	Payments        int `json:"payments"`
	RenewalContacts int `json:"renewal_contacts"`
	Needs           int `json:"needs"`
	Communications  int `json:"communications"`
	Tickets         int `json:"tickets"`
	Projects        int `json:"projects"`
	WorkOrders      int `json:"work_orders"`
	Scorecards      int `json:"scorecards"` // last month's cards
	Checks          int `json:"checks"`

	Logins []Login `json:"logins"`
}

// Load builds the demo company. It refuses (ErrNotEmpty) when any staff
// member, department, group, region or customer exists. Load is not one
// transaction — each service call commits on its own, as in real use — so
// a failure part-way leaves a partial demo; start again from an empty
// database.
func Load(ctx context.Context, d Deps) (*Summary, error) {
	if d.Org == nil || d.Auth == nil || d.Customers == nil {
		return nil, errors.New("demo: Org, Auth and Customers services are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Loc == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		d.Loc = loc
	}
	if d.Password == "" {
		d.Password = DefaultPassword
	}
	if err := auth.ValidatePassword("demo", d.Password); err != nil {
		return nil, fmt.Errorf("demo: password: %w", err)
	}
	l := &loader{
		d:          d,
		rng:        rand.New(rand.NewPCG(seed1, seed2)),
		sys:        access.With(ctx, access.System()),
		staff:      map[string]*org.Staff{},
		depts:      map[string]string{},
		usedPhones: map[string]bool{},
		usedNames:  map[string]bool{},
		sum:        &Summary{Company: CompanyName, Password: d.Password},
	}
	now := d.Now().In(d.Loc)
	l.today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, d.Loc)
	if err := l.checkEmpty(); err != nil {
		return nil, err
	}
	steps := []struct {
		what string
		fn   func() error
	}{
		{"organisation", l.loadOrg},
		{"passwords", l.setPasswords},
		{"customer archive", l.loadArchive},
		{"recent changes", l.recentChanges},
		{"staff departure", l.salesLeaves},
		{"contracts and money", l.loadContracts},
		{"service desk", l.loadDesk},
		{"satisfaction surveys", l.loadSurveys},
		{"field work", l.loadFieldwork},
		{"appraisal", l.loadAppraisal},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", s.what, err)
		}
	}
	l.logins()
	return l.sum, nil
}

// loader carries the state of one Load.
type loader struct {
	d     Deps
	rng   *rand.Rand
	sys   context.Context // acting as the system (org set-up, archive migration)
	today time.Time       // start of today in company time
	sum   *Summary

	depts   map[string]string     // department name → id
	staff   map[string]*org.Staff // login → staff
	regions []*region
	plans   []*plan

	usedPhones map[string]bool
	usedNames  map[string]bool
	clock      time.Time // back-dated recording time of the archive migration
	lostOne    bool      // a contract whose renewal was lost has been marked

	repairInProgress string // the desk's repair ticket in progress (field work dispatches it)
}

// region is a region being built, with its people.
type region struct {
	spec       regionSpec
	id         string
	group      *org.Group
	specialist *org.Staff
	supervisor *org.Staff
	ctx        context.Context // acting as the region's specialist
}

func (l *loader) checkEmpty() error {
	staff, err := l.d.Org.ListStaff(l.sys, org.StaffFilter{})
	if err != nil {
		return err
	}
	depts, err := l.d.Org.Departments(l.sys)
	if err != nil {
		return err
	}
	groups, err := l.d.Org.Groups(l.sys)
	if err != nil {
		return err
	}
	regs, err := l.d.Org.Regions(l.sys)
	if err != nil {
		return err
	}
	custs, err := l.d.Customers.ListCustomers(l.sys, customers.ListFilter{Limit: 1})
	if err != nil {
		return err
	}
	var found []string
	for _, c := range []struct {
		n    int
		what string
	}{{len(staff), "staff"}, {len(depts), "departments"}, {len(groups), "maintenance groups"},
		{len(regs), "regions"}, {len(custs.Items), "customers"}} {
		if c.n > 0 {
			found = append(found, c.what)
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("%w: it already has %s", ErrNotEmpty, strings.Join(found, ", "))
	}
	return nil
}

// loadOrg creates departments, maintenance groups, staff and regions.
func (l *loader) loadOrg() error {
	ctx := l.sys
	for _, dep := range departments {
		d, err := l.d.Org.SaveDepartment(ctx, "", 0, org.UnitInput{Name: dep.name, ParentID: l.depts[dep.parent]})
		if err != nil {
			return fmt.Errorf("department %s: %w", dep.name, err)
		}
		l.depts[dep.name] = d.ID
	}
	l.sum.Departments = len(departments)

	// Groups first (their supervisors need the group id), supervisors set below.
	for _, rs := range regions {
		g, err := l.d.Org.SaveGroup(ctx, "", 0, org.UnitInput{Name: rs.group})
		if err != nil {
			return fmt.Errorf("group %s: %w", rs.group, err)
		}
		l.regions = append(l.regions, &region{spec: rs, group: g})
	}
	l.sum.MaintGroups = len(l.regions)

	for _, sp := range staffSpecs {
		in := org.StaffInput{
			Login: sp.login, Name: sp.name, Title: sp.title, Phone: l.mobile(),
			Email: sp.login + "@" + emailDomain, DepartmentID: l.depts[sp.dept],
			Roles: []access.Role{access.Role(sp.role)},
		}
		l.usedNames[sp.name] = true
		if sp.supervisor != "" {
			in.SupervisorID = l.staff[sp.supervisor].ID
		}
		r := l.region(sp.region)
		if r != nil && (sp.role == string(access.MaintSupervisor) || sp.role == string(access.Technician)) {
			in.GroupID = r.group.ID
		}
		st, err := l.d.Org.CreateStaff(ctx, in)
		if err != nil {
			return fmt.Errorf("staff %s: %w", sp.login, err)
		}
		l.staff[sp.login] = st
		switch {
		case r == nil:
		case sp.role == string(access.CSSpecialist):
			r.specialist = st
		case sp.role == string(access.MaintSupervisor):
			r.supervisor = st
		}
	}
	l.sum.Staff = len(staffSpecs)
	l.sum.ActiveStaff = len(staffSpecs)

	for _, r := range l.regions {
		g, err := l.d.Org.SaveGroup(ctx, r.group.ID, r.group.Version, org.UnitInput{Name: r.group.Name, SupervisorID: r.supervisor.ID})
		if err != nil {
			return fmt.Errorf("group %s supervisor: %w", r.group.Name, err)
		}
		r.group = g
		reg, err := l.d.Org.SaveRegion(ctx, "", 0, org.UnitInput{Name: r.spec.name, Code: r.spec.code,
			GroupID: g.ID, SpecialistID: r.specialist.ID})
		if err != nil {
			return fmt.Errorf("region %s: %w", r.spec.name, err)
		}
		r.id = reg.ID
	}
	l.sum.Regions = len(l.regions)
	return nil
}

func (l *loader) region(name string) *region {
	for _, r := range l.regions {
		if r.spec.name == name {
			return r
		}
	}
	return nil
}

// setPasswords gives every demo login the demo password, and resolves the
// specialists' principals (they record the recent archive changes).
func (l *loader) setPasswords() error {
	for _, sp := range staffSpecs {
		if err := l.d.Auth.SetPassword(l.sys, l.staff[sp.login].ID, l.d.Password, false); err != nil {
			return fmt.Errorf("%s: %w", sp.login, err)
		}
	}
	for _, r := range l.regions {
		p, err := l.d.Auth.Principal(l.sys, r.specialist.ID)
		if err != nil {
			return fmt.Errorf("principal %s: %w", r.specialist.Login, err)
		}
		r.ctx = access.With(l.sys, p)
	}
	return nil
}

// salesLeaves marks the sales person who left: their customers become
// orphan customers (孤儿客户).
func (l *loader) salesLeaves() error {
	for _, sp := range staffSpecs {
		if !sp.left {
			continue
		}
		st := l.staff[sp.login]
		out, err := l.d.Org.SetActive(l.sys, st.ID, st.Version, false, l.leftOn())
		if err != nil {
			return fmt.Errorf("%s: %w", sp.login, err)
		}
		l.staff[sp.login] = out
		l.sum.ActiveStaff--
	}
	return nil
}

// leftOn is the day the sales person left: the last day of the month four
// months before today (2026-06-30 when the demo is loaded in November 2026).
func (l *loader) leftOn() string {
	first := time.Date(l.today.Year(), l.today.Month()-4, 1, 0, 0, 0, 0, l.d.Loc)
	return first.AddDate(0, 0, -1).Format(time.DateOnly)
}

// logins lists the demo accounts for the summary.
func (l *loader) logins() {
	owned := map[string]int{} // customers per sales owner
	for _, p := range l.plans {
		owned[p.sales]++
	}
	for _, sp := range staffSpecs {
		st := l.staff[sp.login]
		lg := Login{Login: st.Login, Name: st.Name, Roles: st.Roles, Title: st.Title, Unit: sp.dept, Active: st.Active}
		var names []string
		for _, r := range st.Roles {
			names = append(names, roleNames[string(r)])
		}
		lg.RoleText = strings.Join(names, "、")
		r := l.region(sp.region)
		switch {
		case sp.left:
			lg.Note = fmt.Sprintf("销售，%s 离职，不能登录；名下 %d 个孤儿客户", *st.LeftOn, owned[sp.login])
		case sp.dept == depSales:
			lg.Note = fmt.Sprintf("销售，无专属角色，只读登录；销售负责 %d 个客户", owned[sp.login])
		case sp.role == string(access.CSSpecialist):
			lg.Note = "分管客服：" + r.spec.name + "区域 " + fmt.Sprint(len(r.spec.customers)) + " 个客户"
		case sp.role == string(access.MaintSupervisor):
			lg.Unit, lg.Note = r.group.Name, "分管主管："+r.spec.name+"区域"
		case sp.role == string(access.Technician):
			lg.Unit, lg.Note = r.group.Name, "施工、上传照片与单据"
		case sp.role == string(access.CSManager):
			lg.Note = "客服中心负责人，审批考核"
		case sp.role == string(access.Executive):
			lg.Note = "查看月度汇总，审批方案与终评"
		case sp.role == string(access.Finance):
			lg.Note = "开票、回款"
		case sp.role == string(access.InfoCenter):
			lg.Note = "跟进统计数据来源"
		case sp.role == string(access.Admin):
			lg.Note = "用户、角色、日历、集成"
		}
		l.sum.Logins = append(l.sum.Logins, lg)
	}
}

// ---- random helpers (all through l.rng, in a fixed order) ----

func (l *loader) pick(list []string) string { return list[l.rng.IntN(len(list))] }

func (l *loader) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + l.rng.IntN(10)))
	}
	return b.String()
}

// mobile returns an unused mainland mobile number 1[3-9]xxxxxxxxx.
func (l *loader) mobile() string {
	for {
		m := l.pick(mobilePrefixes) + l.digits(8)
		if !l.usedPhones[m] {
			l.usedPhones[m] = true
			return m
		}
	}
}

// landline returns a Beijing office number 010-[5-8]xxxxxxx.
func (l *loader) landline() string {
	return "010-" + string(byte('5'+l.rng.IntN(4))) + l.digits(7)
}

// person returns an unused invented name and a WeChat id for it.
func (l *loader) person() (name, wechat string) {
	for {
		s := surnames[l.rng.IntN(len(surnames))]
		g := givenNames[l.rng.IntN(len(givenNames))]
		name = s.han + g.han
		wechat = fmt.Sprintf("%s_%s%02d", s.py, g.initials, 60+l.rng.IntN(40))
		if !l.usedNames[name] {
			l.usedNames[name] = true
			return name, wechat
		}
	}
}

// daysAgo is the date n days before today, YYYY-MM-DD.
func (l *loader) daysAgo(n int) string { return l.today.AddDate(0, 0, -n).Format(time.DateOnly) }
