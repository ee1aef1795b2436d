package tickets_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

var shanghai = storetest.Shanghai

// clock is the tests' settable clock.
type clock = storetest.Clock

// env is one test's world: a manager, two specialists, a technician; two
// regions; customer a owned by spec1, b owned by spec2.
type env struct {
	t     *testing.T
	db    *store.DB
	clock *clock
	cal   *workcal.Service
	org   *org.Service
	cust  *customers.Service
	comms *comms.Service
	svc   *tickets.Service

	mgr, spec1, spec2, tech *org.Staff
	r1, r2                  *org.Region
	a, b                    *customers.Customer

	sys, asMgr, asSpec1, asSpec2, asTech, anon context.Context
}

// startTime: Thursday 2026-03-05 10:00 in Shanghai.
var startTime = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	clk := storetest.NewClock(startTime)
	blobs, err := blob.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	cal := workcal.NewService(db, clk.Now)
	if _, err := cal.SeedIfEmpty(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &env{
		t: t, db: db, clock: clk, cal: cal,
		org:   org.NewService(db, clk.Now),
		cust:  customers.NewService(db, blobs, clk.Now, customers.Options{Location: shanghai, SpecialistReadAll: true}),
		comms: comms.NewService(db, clk.Now, comms.Options{Location: shanghai}),
		svc:   tickets.NewService(db, cal, clk.Now, tickets.Options{Location: shanghai}),
		sys:   access.With(context.Background(), access.System()),
		anon:  context.Background(),
	}
	e.mgr = e.staff("mgr", "孟经理", access.CSManager)
	e.spec1 = e.staff("spec1", "石专员", access.CSSpecialist)
	e.spec2 = e.staff("spec2", "苏专员", access.CSSpecialist)
	e.tech = e.staff("tech", "田师傅", access.Technician)
	e.asMgr, e.asSpec1, e.asSpec2, e.asTech = e.as(e.mgr), e.as(e.spec1), e.as(e.spec2), e.as(e.tech)
	e.r1 = e.region("国贸", "GM", e.spec1.ID)
	e.r2 = e.region("望京", "WJ", e.spec2.ID)
	e.a = e.customer("国贸物业", e.r1, e.spec1)
	e.b = e.customer("望京写字楼", e.r2, e.spec2)
	return e
}

func (e *env) staff(login, name string, roles ...access.Role) *org.Staff {
	e.t.Helper()
	st, err := e.org.CreateStaff(e.sys, org.StaffInput{Login: login, Name: name, Roles: roles})
	if err != nil {
		e.t.Fatalf("create staff %s: %v", login, err)
	}
	return st
}

func (e *env) region(name, code, specialist string) *org.Region {
	e.t.Helper()
	r, err := e.org.SaveRegion(e.sys, "", 0, org.UnitInput{Name: name, Code: code, SpecialistID: specialist})
	if err != nil {
		e.t.Fatalf("save region %s: %v", name, err)
	}
	return r
}

func (e *env) as(st *org.Staff) context.Context {
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
}

func (e *env) customer(name string, region *org.Region, owner *org.Staff) *customers.Customer {
	e.t.Helper()
	in := customers.CustomerInput{Name: name, Class: "B", RegionID: region.ID, Address: "北京市朝阳区" + name}
	if owner != nil {
		in.OwnerID = owner.ID
	}
	c, err := e.cust.CreateCustomer(e.asMgr, in)
	if err != nil {
		e.t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

// repair is a complete repair registration for customer c.
func repair(c *customers.Customer) tickets.TicketInput {
	return tickets.TicketInput{CustomerID: c.ID, Type: tickets.TypeRepair, Channel: "phone_in",
		Description: "3 号机组不制冷", RepairObject: "冷水机组 3#", ModelSpec: "约克 YK-500",
		AppointmentAt: "2026-03-06 09:00", SpecialNeeds: "无"}
}

// complaint is a complete complaint registration for customer c.
func complaint(c *customers.Customer) tickets.TicketInput {
	return tickets.TicketInput{CustomerID: c.ID, Type: tickets.TypeComplaint, Channel: "phone_in",
		Description: "维修人员态度差", IncidentWho: "维修人员", IncidentWhat: "上门时与物业人员争吵",
		IncidentWhen: "3 月 4 日下午 B1 机房", Cause: "沟通不畅", Demand: "道歉并更换人员"}
}

func (e *env) ticket(ctx context.Context, in tickets.TicketInput) *tickets.Ticket {
	e.t.Helper()
	tk, err := e.svc.CreateTicket(ctx, in)
	if err != nil {
		e.t.Fatalf("create ticket: %v", err)
	}
	return tk
}

// move applies transitions in order and returns the ticket.
func (e *env) move(ctx context.Context, tk *tickets.Ticket, to ...string) *tickets.Ticket {
	e.t.Helper()
	for _, st := range to {
		note := ""
		if tickets.IsReopen(tk.Status, st) {
			note = "客户反映仍未解决"
		}
		var err error
		tk, err = e.svc.Transition(ctx, tk.ID, tk.Version, tickets.TransitionInput{To: st, Note: note})
		if err != nil {
			e.t.Fatalf("transition to %s: %v", st, err)
		}
	}
	return tk
}

func (e *env) detail(id string) *tickets.Detail {
	e.t.Helper()
	d, err := e.svc.Get(e.asMgr, id)
	if err != nil {
		e.t.Fatalf("get ticket: %v", err)
	}
	return d
}

// wantErr fails unless err has kind k and, when field is set, that field.
func wantErr(t *testing.T, err error, k apperr.Kind, field string) {
	t.Helper()
	if !apperr.Is(err, k) {
		t.Fatalf("err = %v, want kind %s", err, k)
	}
	if field != "" {
		ae, _ := apperr.As(err)
		if ae.Field != field {
			t.Fatalf("err field = %q (%v), want %q", ae.Field, err, field)
		}
	}
}
