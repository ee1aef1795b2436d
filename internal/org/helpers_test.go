package org_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/org"
	"kefu/internal/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	db    *store.DB
	clock *clock
	org   *org.Service
	admin *access.Principal
	ctx   context.Context // acting as admin
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2025, 6, 30, 20, 0, 0, 0, time.UTC)}
	admin := &access.Principal{StaffID: "admin-id", Login: "admin", Name: "管理员", Roles: []access.Role{access.Admin}}
	return &fixture{db: db, clock: c, org: org.NewService(db, c.Now), admin: admin,
		ctx: audit.WithRequest(access.With(context.Background(), admin), "req-org", "127.0.0.1:1")}
}

func (f *fixture) staff(t *testing.T, login string, roles ...access.Role) *org.Staff {
	t.Helper()
	if len(roles) == 0 {
		roles = []access.Role{access.CSSpecialist}
	}
	st, err := f.org.CreateStaff(f.ctx, org.StaffInput{Login: login, Name: "员工" + login, Roles: roles})
	if err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
	return st
}

func (f *fixture) audit(t *testing.T, flt audit.Filter) []audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), f.db.R(), flt)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// auditCount counts every audit entry.
func (f *fixture) auditCount(t *testing.T) int {
	t.Helper()
	n, err := f.db.R().NewSelect().Table("audit_log").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	n, err := f.db.R().NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func wantKind(t *testing.T, err error, kind apperr.Kind, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v is not an apperr (want %s/%s)", err, kind, field)
	}
	if e.Kind != kind || e.Field != field {
		t.Fatalf("got %s/%q (%s), want %s/%q", e.Kind, e.Field, e.Message, kind, field)
	}
}

// jsonField decodes one field of an audit before/after document.
func jsonField(t *testing.T, doc *string, field string) any {
	t.Helper()
	if doc == nil {
		t.Fatalf("no document (want field %s)", field)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(*doc), &m); err != nil {
		t.Fatalf("audit JSON %q: %v", *doc, err)
	}
	return m[field]
}

func ptr(s string) *string { return &s }
