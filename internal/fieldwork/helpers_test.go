package fieldwork_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

var shanghai = storetest.Shanghai

// clock is the tests' settable clock.
type clock = storetest.Clock

// env is one test's world: a manager, two specialists, a maintenance
// group with its supervisor and two technicians; region r1 (with the
// group), r2 (without); customer a in r1 owned by spec1, b in r2 owned by
// spec2.
type env struct {
	t     *testing.T
	db    *store.DB
	blobs blob.Store
	clock *clock
	org   *org.Service
	cust  *customers.Service
	con   *contracts.Service
	tk    *tickets.Service
	svc   *fieldwork.Service

	mgr, spec1, spec2, sup, tech1, tech2 *org.Staff
	group                                *org.Group
	r1, r2                               *org.Region
	a, b                                 *customers.Customer

	sys, asMgr, asSpec1, asSpec2, asSup, asTech1, asTech2 context.Context
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
		t: t, db: db, blobs: blobs, clock: clk,
		org:  org.NewService(db, clk.Now),
		cust: customers.NewService(db, blobs, clk.Now, customers.Options{Location: shanghai, SpecialistReadAll: true}),
		tk:   tickets.NewService(db, cal, clk.Now, tickets.Options{Location: shanghai}),
		svc:  fieldwork.NewService(db, cal, clk.Now, fieldwork.Options{Location: shanghai, Blobs: blobs}),
		sys:  access.With(context.Background(), access.System()),
	}
	e.con = contracts.NewService(db, cal, clk.Now, contracts.Options{Location: shanghai, Blobs: blobs, Work: e.svc})
	e.mgr = e.staff("mgr", "孟经理", access.CSManager)
	e.spec1 = e.staff("spec1", "石专员", access.CSSpecialist)
	e.spec2 = e.staff("spec2", "苏专员", access.CSSpecialist)
	e.sup = e.staff("sup", "单主管", access.MaintSupervisor)
	e.tech1 = e.staff("tech1", "田师傅", access.Technician)
	e.tech2 = e.staff("tech2", "谭师傅", access.Technician)
	e.asMgr, e.asSpec1, e.asSpec2 = e.as(e.mgr), e.as(e.spec1), e.as(e.spec2)
	e.asSup, e.asTech1, e.asTech2 = e.as(e.sup), e.as(e.tech1), e.as(e.tech2)
	e.group, err = e.org.SaveGroup(e.sys, "", 0, org.UnitInput{Name: "维修一组", SupervisorID: e.sup.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.r1 = e.region("国贸", "GM", e.spec1.ID, e.group.ID)
	e.r2 = e.region("望京", "WJ", e.spec2.ID, "")
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

func (e *env) region(name, code, specialist, group string) *org.Region {
	e.t.Helper()
	r, err := e.org.SaveRegion(e.sys, "", 0, org.UnitInput{Name: name, Code: code, SpecialistID: specialist, GroupID: group})
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
	in := customers.CustomerInput{Name: name, Class: "B", RegionID: region.ID, Address: "北京市朝阳区" + name, Since: "2025-01-01"}
	if owner != nil {
		in.OwnerID = owner.ID
	}
	c, err := e.cust.CreateCustomer(e.asMgr, in)
	if err != nil {
		e.t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

// maintenance is a one-year maintenance contract of customer c received
// on received: monthly inspection of the chiller, seasonal maintenance of
// the AHUs, repairs on demand.
func maintenance(c *customers.Customer, number, received string) contracts.ContractInput {
	return contracts.ContractInput{Number: number, CustomerID: c.ID, Kind: "maintenance", Title: "中央空调维保",
		SignedOn: "2026-02-20", ReceivedOn: received, StartOn: "2026-03-01", EndOn: "2027-02-28", AmountFen: 12_000_000,
		ScheduleDiffers: true, ScheduleNote: "测试",
		Scope: []contracts.ScopeItemInput{
			{Equipment: "冷水机组 1#", ServiceType: "inspection", Frequency: "monthly", Times: 1},
			{Equipment: "空调箱", ServiceType: "seasonal", Frequency: "seasonal", Times: 1},
			{Equipment: "全部设备", ServiceType: "repair", Frequency: "on_demand", Times: 1},
		}}
}

func (e *env) contract(ctx context.Context, in contracts.ContractInput) *contracts.Contract {
	e.t.Helper()
	c, err := e.con.CreateContract(ctx, in, true)
	if err != nil {
		e.t.Fatalf("create contract: %v", err)
	}
	return c
}

// verified is a project input with the plan verified with the region head.
func verified(contractID string) fieldwork.ProjectInput {
	return fieldwork.ProjectInput{ContractID: contractID, VerifiedWith: "region_head", VerifierName: "区域负责人 王工",
		VerifiedAt: "2026-03-05 09:30", VerifyResult: fieldwork.VerifyConfirmed}
}

func wantKind(t *testing.T, err error, kind apperr.Kind, what string) {
	t.Helper()
	if !apperr.Is(err, kind) {
		t.Fatalf("%s: got %v, want %s", what, err, kind)
	}
}

func wantField(t *testing.T, err error, field, what string) {
	t.Helper()
	if ae, ok := apperr.As(err); !ok || ae.Field != field {
		t.Fatalf("%s: got %v, want an error on %q", what, err, field)
	}
}
