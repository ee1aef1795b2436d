package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// clock is a fixed clock the test advances by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 9, 29, 1, 30, 0, 0, time.UTC)} }

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

const goodPassword = "Kefu-2025-pass"

type fixture struct {
	db    *store.DB
	clock *clock
	auth  *auth.Service
	org   *org.Service
	ctx   context.Context // acting as the system
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := newClock()
	return &fixture{db: db, clock: c, auth: auth.NewService(db, c.Now), org: org.NewService(db, c.Now),
		ctx: access.With(context.Background(), access.System())}
}

// staff creates a staff member; with a password when pw != "".
func (f *fixture) staff(t *testing.T, login, pw string, roles ...access.Role) *org.Staff {
	t.Helper()
	st, err := f.org.CreateStaff(f.ctx, org.StaffInput{Login: login, Name: "员工 " + login, Roles: roles})
	if err != nil {
		t.Fatalf("create staff %s: %v", login, err)
	}
	if pw != "" {
		if err := f.auth.SetPassword(f.ctx, st.ID, pw, false); err != nil {
			t.Fatalf("set password %s: %v", login, err)
		}
	}
	return st
}

// leave marks a staff member as having left.
func (f *fixture) leave(t *testing.T, id string) {
	t.Helper()
	st, err := f.org.GetStaff(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.org.SetActive(f.ctx, id, st.Version, false, ""); err != nil {
		t.Fatalf("set left: %v", err)
	}
}

func (f *fixture) audit(t *testing.T, flt audit.Filter) []audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), f.db.R(), flt)
	if err != nil {
		t.Fatal(err)
	}
	return es
}
