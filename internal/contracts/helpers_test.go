package contracts_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/workcal"
)

var shanghai = storetest.Shanghai

// clock is the tests' settable clock.
type clock = storetest.Clock

// env is one test's world: a manager, two specialists, a finance clerk,
// an executive and a technician; two regions owned by the specialists.
type env struct {
	t     *testing.T
	db    *store.DB
	clock *clock
	org   *org.Service
	cust  *customers.Service
	svc   *contracts.Service

	mgr, spec1, spec2, fin, exec, tech *org.Staff
	r1, r2                             *org.Region

	sys, asMgr, asSpec1, asSpec2, asFin, asExec, asTech, anon context.Context
}

var startTime = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)

func newEnv(t *testing.T, db *store.DB) *env { return newEnvWith(t, db, false) }

func newEnvWith(t *testing.T, db *store.DB, readAll bool) *env {
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
		t: t, db: db, clock: clk,
		org:  org.NewService(db, clk.Now),
		cust: customers.NewService(db, blobs, clk.Now, customers.Options{Location: shanghai, SpecialistReadAll: true}),
		svc:  contracts.NewService(db, cal, clk.Now, contracts.Options{Location: shanghai, SpecialistReadAll: readAll}),
		sys:  access.With(context.Background(), access.System()),
		anon: context.Background(),
	}
	e.mgr = e.staff("mgr", "孟经理", access.CSManager)
	e.spec1 = e.staff("spec1", "石专员", access.CSSpecialist)
	e.spec2 = e.staff("spec2", "苏专员", access.CSSpecialist)
	e.fin = e.staff("fin", "范财务", access.Finance)
	e.exec = e.staff("gm", "葛总", access.Executive)
	e.tech = e.staff("tech", "田师傅", access.Technician)
	e.asMgr, e.asSpec1, e.asSpec2 = e.as(e.mgr), e.as(e.spec1), e.as(e.spec2)
	e.asFin, e.asExec, e.asTech = e.as(e.fin), e.as(e.exec), e.as(e.tech)
	e.r1 = e.region("国贸", "GM", e.spec1.ID)
	e.r2 = e.region("望京", "WJ", e.spec2.ID)
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
	in := customers.CustomerInput{Name: name, Class: "B", RegionID: region.ID}
	if owner != nil {
		in.OwnerID = owner.ID
	}
	c, err := e.cust.CreateCustomer(e.asMgr, in)
	if err != nil {
		e.t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

// maint is a valid one-year maintenance contract input for customer c:
// amount ¥120,000.00 in two installments.
func maint(number string, c *customers.Customer, start, end string) contracts.ContractInput {
	return contracts.ContractInput{
		Number: number, CustomerID: c.ID, Kind: "maintenance", StartOn: start, EndOn: end, SignedOn: start,
		AmountFen: 12_000_000,
		Scope: []contracts.ScopeItemInput{
			{Equipment: "冷水机组 1#", ServiceType: "inspection", Frequency: "monthly", Times: 1},
			{Equipment: "空调系统", ServiceType: "seasonal", Frequency: "seasonal", Times: 1},
		},
		Installments: []contracts.InstallmentInput{
			{DueOn: start, AmountFen: 6_000_000},
			{DueOn: end, AmountFen: 6_000_000},
		},
	}
}

func (e *env) contract(ctx context.Context, in contracts.ContractInput) *contracts.Contract {
	e.t.Helper()
	c, err := e.svc.CreateContract(ctx, in, true)
	if err != nil {
		e.t.Fatalf("create contract %s: %v", in.Number, err)
	}
	return c
}

func (e *env) detail(id string) *contracts.ContractDetail {
	e.t.Helper()
	d, err := e.svc.GetContract(e.asMgr, id)
	if err != nil {
		e.t.Fatalf("get contract: %v", err)
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

// ctxOf turns a map value back into a context.
func ctxOf(v any) context.Context { return v.(context.Context) }

// cust2 returns the customer with id as a *customers.Customer for maint.
func (e *env) cust2(id string) *customers.Customer { return &customers.Customer{ID: id} }

// byNumber finds a contract by number as the manager.
func (e *env) byNumber(number string) *contracts.ContractView {
	e.t.Helper()
	page, err := e.svc.ListContracts(e.asMgr, contracts.ListFilter{Query: number, Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	for i := range page.Items {
		if page.Items[i].Number == number {
			return &page.Items[i]
		}
	}
	e.t.Fatalf("no contract %s", number)
	return nil
}

func contactInput(name, phone string, decisionMaker bool) customers.ContactInput {
	return customers.ContactInput{Name: name, Phone: phone, DecisionMaker: decisionMaker}
}
