package customers_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/store"
)

// shanghai is the company time zone of every test.
var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// clock is a settable time source shared by the services of one test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// today is the company date of the clock.
func (c *clock) today() string { return c.Now().In(shanghai).Format(time.DateOnly) }

// daysAgo is the company date n days before the clock's.
func (c *clock) daysAgo(n int) string {
	return c.Now().In(shanghai).AddDate(0, 0, -n).Format(time.DateOnly)
}

// env is one test's world: a database, the services and an organisation
// of a manager, two specialists, a technician and a sales person, with two
// regions owned by the two specialists.
type env struct {
	t       *testing.T
	db      *store.DB
	clock   *clock
	org     *org.Service
	svc     *customers.Service
	blobs   *blob.Disk
	blobDir string

	mgr, spec1, spec2, tech, sales *org.Staff
	r1, r2                         *org.Region

	sys, asMgr, asSpec1, asSpec2, asTech, asSales, anon context.Context
}

type envOpts struct {
	readAll bool
}

var startTime = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)

func newEnv(t *testing.T, db *store.DB) *env {
	return newEnvWith(t, db, envOpts{readAll: true})
}

func newEnvWith(t *testing.T, db *store.DB, o envOpts) *env {
	t.Helper()
	clk := &clock{t: startTime}
	dir := t.TempDir()
	blobs, err := blob.OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	e := &env{
		t: t, db: db, clock: clk, blobs: blobs, blobDir: dir,
		org: org.NewService(db, clk.Now),
		svc: customers.NewService(db, blobs, clk.Now, customers.Options{Location: shanghai, SpecialistReadAll: o.readAll}),
		sys: access.With(context.Background(), access.System()),
	}
	e.anon = context.Background()
	e.mgr = e.staff("mgr", "孟经理", access.CSManager)
	e.spec1 = e.staff("spec1", "石专员", access.CSSpecialist)
	e.spec2 = e.staff("spec2", "苏专员", access.CSSpecialist)
	e.tech = e.staff("tech", "田师傅", access.Technician)
	e.sales = e.staff("sales", "萨销售", access.InfoCenter)
	e.asMgr = e.as(e.mgr)
	e.asSpec1 = e.as(e.spec1)
	e.asSpec2 = e.as(e.spec2)
	e.asTech = e.as(e.tech)
	e.asSales = e.as(e.sales)
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

// leave marks a staff member as having left (or back when active).
func (e *env) setActive(st *org.Staff, active bool) {
	e.t.Helper()
	cur, err := e.org.GetStaff(e.sys, st.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.org.SetActive(e.sys, st.ID, cur.Version, active, ""); err != nil {
		e.t.Fatal(err)
	}
}

// customer creates a customer as the manager, owned by owner (may be nil).
func (e *env) customer(name string, region *org.Region, owner *org.Staff, mod ...func(*customers.CustomerInput)) *customers.Customer {
	e.t.Helper()
	in := customers.CustomerInput{Name: name, Class: "B", RegionID: region.ID}
	if owner != nil {
		in.OwnerID = owner.ID
	}
	for _, m := range mod {
		m(&in)
	}
	c, err := e.svc.CreateCustomer(e.asMgr, in)
	if err != nil {
		e.t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

func (e *env) contact(c *customers.Customer, name, phone string) *customers.Contact {
	e.t.Helper()
	ct, err := e.svc.AddContact(e.asMgr, c.ID, customers.ContactInput{Name: name, Phone: phone})
	if err != nil {
		e.t.Fatalf("add contact %s: %v", name, err)
	}
	return ct
}

// inputOf returns the input that reproduces c's stored values.
func inputOf(c *customers.Customer) customers.CustomerInput {
	in := customers.CustomerInput{Code: c.Code, Name: c.Name, Class: c.Class, RegionID: c.RegionID,
		Address: c.Address, Status: c.Status, Notes: c.Notes, PaperLocation: c.PaperLocation,
		PaperReceivedBy: c.PaperReceivedBy}
	if c.OwnerID != nil {
		in.OwnerID = *c.OwnerID
	}
	if c.SalesOwnerID != nil {
		in.SalesOwnerID = *c.SalesOwnerID
	}
	if c.PaperReceivedOn != nil {
		in.PaperReceivedOn = *c.PaperReceivedOn
	}
	return in
}

func contactInputOf(c *customers.Contact) customers.ContactInput {
	active := c.Active
	return customers.ContactInput{Name: c.Name, Title: c.Title, Phone: c.Phone, Phone2: c.Phone2, WeChat: c.WeChat,
		Email: c.Email, DecisionMaker: c.DecisionMaker, Active: &active, Notes: c.Notes}
}

func (e *env) count(table string) int {
	e.t.Helper()
	n, err := e.db.R().NewSelect().Table(table).Count(context.Background())
	if err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

// archiveTables are the tables a write to the archive may touch.
var archiveTables = []string{"customers", "contacts", "equipment", "attachments", "wechat_groups", "wechat_members", "archive_changes", "audit_log"}

// snapshot counts the rows of every archive table.
func (e *env) snapshot() map[string]int {
	m := map[string]int{}
	for _, t := range archiveTables {
		m[t] = e.count(t)
	}
	return m
}

func (e *env) sameCounts(before map[string]int, what string) {
	e.t.Helper()
	after := e.snapshot()
	for _, t := range archiveTables {
		if before[t] != after[t] {
			e.t.Errorf("%s: table %s had %d rows, now %d", what, t, before[t], after[t])
		}
	}
}

func (e *env) get(id string) *customers.CustomerView {
	e.t.Helper()
	v, err := e.svc.GetCustomer(e.sys, id)
	if err != nil {
		e.t.Fatalf("get customer %s: %v", id, err)
	}
	return v
}

func (e *env) history(customerID string) []customers.ArchiveChangeView {
	e.t.Helper()
	ch, err := e.svc.Changes(e.sys, customers.ChangeFilter{CustomerID: customerID, Limit: 1000})
	if err != nil {
		e.t.Fatalf("changes: %v", err)
	}
	return ch
}

// blobFiles counts the files stored under the blob directory (tmp excluded).
func (e *env) blobFiles() []string {
	e.t.Helper()
	var out []string
	err := filepath.WalkDir(e.blobDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		out = append(out, d.Name())
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// wantErr fails unless err is an apperr of kind (and, when field is not
// empty, naming field).
func wantErr(t *testing.T, err error, kind apperr.Kind, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %q", kind, field)
	}
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("got unclassified error %v, want %s %q", err, kind, field)
	}
	if ae.Kind != kind || (field != "" && ae.Field != field) {
		t.Fatalf("got %s %q (%v), want %s %q", ae.Kind, ae.Field, err, kind, field)
	}
	if strings.TrimSpace(ae.Message) == "" {
		t.Errorf("error %v has no message for the user", err)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
