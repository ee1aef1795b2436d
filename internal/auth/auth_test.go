package auth_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func wantKind(t *testing.T, err error, kind apperr.Kind, field string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v is not an apperr (want %s)", err, kind)
	}
	if e.Kind != kind || e.Field != field {
		t.Fatalf("got %s/%q (%s), want %s/%q", e.Kind, e.Field, e.Message, kind, field)
	}
	return e
}

func TestLogin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		alice := f.staff(t, "alice", goodPassword, access.Admin, access.CSManager)
		f.staff(t, "nopass", "", access.Technician) // no credentials row

		t.Run("success returns roles", func(t *testing.T) {
			p, err := f.auth.Login(context.Background(), "alice", goodPassword)
			if err != nil {
				t.Fatal(err)
			}
			if p.StaffID != alice.ID || p.Login != "alice" || p.Name != alice.Name || p.Via != "session" {
				t.Errorf("principal %+v", p)
			}
			roles := slices.Clone(p.Roles)
			slices.Sort(roles)
			if !slices.Equal(roles, []access.Role{access.Admin, access.CSManager}) {
				t.Errorf("roles %v", p.Roles)
			}
			if !p.Can(access.TokenManage) {
				t.Error("admin principal cannot manage tokens")
			}
		})
		t.Run("login is trimmed and case-insensitive", func(t *testing.T) {
			p, err := f.auth.Login(context.Background(), "  ALICE ", goodPassword)
			if err != nil || p.StaffID != alice.ID {
				t.Fatalf("%v %v", p, err)
			}
		})

		// Every failure of credentials looks the same to the caller.
		var msgs []string
		for _, tc := range []struct{ name, login, pw string }{
			{"wrong password", "alice", "Kefu-2025-wrong"},
			{"unknown login", "nobody", goodPassword},
			{"no credentials", "nopass", goodPassword},
			{"empty password", "alice", ""},
			{"password case", "alice", strings.ToUpper(goodPassword)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := f.auth.Login(context.Background(), tc.login, tc.pw)
				if p != nil {
					t.Fatalf("principal %+v", p)
				}
				e := wantKind(t, err, apperr.KindUnauthorized, "")
				msgs = append(msgs, e.Message)
			})
		}
		for _, m := range msgs {
			if m != msgs[0] {
				t.Errorf("messages differ, telling which part was wrong: %q", msgs)
			}
		}
	})
}

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bob := f.staff(t, "bob", goodPassword, access.CSSpecialist)
		login := func(pw string) error {
			_, err := f.auth.Login(context.Background(), "bob", pw)
			return err
		}

		// A success resets the count: after 4 failures and a success, 4 more
		// failures stay unlocked (without the reset the first would lock), and
		// the 5th since the success locks.
		for range auth.MaxFailures - 1 {
			wantKind(t, login("wrong-pass-1"), apperr.KindUnauthorized, "")
		}
		if err := login(goodPassword); err != nil {
			t.Fatalf("login after %d failures: %v", auth.MaxFailures-1, err)
		}
		for i := range auth.MaxFailures - 1 {
			f.clock.Advance(10 * time.Second)
			if err := login("wrong-pass-2"); !apperr.Is(err, apperr.KindUnauthorized) {
				t.Fatalf("failure %d after a success: %v (count not reset?)", i+1, err)
			}
		}
		f.clock.Advance(10 * time.Second)
		lockedAt := f.clock.Now()
		wantKind(t, login("wrong-pass-2"), apperr.KindRateLimited, "")

		// Locked even with the right password, until 15 minutes have passed.
		e := wantKind(t, login(goodPassword), apperr.KindRateLimited, "")
		if !strings.Contains(e.Message, "15") {
			t.Errorf("lock message %q does not say 15 minutes", e.Message)
		}
		f.clock.Advance(auth.LockFor - time.Second)
		e = wantKind(t, login(goodPassword), apperr.KindRateLimited, "")
		if !strings.Contains(e.Message, " 1 ") {
			t.Errorf("lock message with 1 s left: %q", e.Message)
		}
		f.clock.Advance(time.Second)
		if !f.clock.Now().Equal(lockedAt.Add(auth.LockFor)) {
			t.Fatal("clock arithmetic")
		}
		p, err := f.auth.Login(context.Background(), "bob", goodPassword)
		if err != nil || p.StaffID != bob.ID {
			t.Fatalf("not unlocked after %v: %v", auth.LockFor, err)
		}

		// The lock is audited.
		es := f.audit(t, audit.Filter{Entity: "staff", EntityID: bob.ID, Action: "lock"})
		if len(es) != 1 || !es[0].At.Equal(lockedAt) {
			t.Fatalf("lock audit entries: %+v", es)
		}

		// It locks again after five more failures…
		for range auth.MaxFailures - 1 {
			wantKind(t, login("wrong-pass-3"), apperr.KindUnauthorized, "")
		}
		wantKind(t, login("wrong-pass-3"), apperr.KindRateLimited, "")

		// …and an admin reset clears that lock at once.
		if err := f.auth.SetPassword(f.ctx, bob.ID, "Reset-2025-pw", true); err != nil {
			t.Fatal(err)
		}
		if err := login("Reset-2025-pw"); err != nil {
			t.Fatalf("login after admin reset: %v", err)
		}
	})
}

func TestLoginLeftStaff(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		carol := f.staff(t, "carol", goodPassword, access.Finance)
		_, wrongErr := f.auth.Login(context.Background(), "carol", "not-her-pass-1")
		f.leave(t, carol.ID)

		p, err := f.auth.Login(context.Background(), "carol", goodPassword)
		if p != nil {
			t.Fatalf("left staff logged in: %+v", p)
		}
		e := wantKind(t, err, apperr.KindUnauthorized, "")
		if e.Message != wantKind(t, wrongErr, apperr.KindUnauthorized, "").Message {
			t.Errorf("left staff message %q differs from a wrong password's", e.Message)
		}
		if _, err := f.auth.Principal(context.Background(), carol.ID); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("Principal of left staff: %v", err)
		}
		if _, err := f.auth.Principal(context.Background(), "no-such-id"); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("Principal of unknown id: %v", err)
		}

		// Back at work: can log in again.
		st, _ := f.org.GetStaff(f.ctx, carol.ID)
		if _, err := f.org.SetActive(f.ctx, carol.ID, st.Version, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.Login(context.Background(), "carol", goodPassword); err != nil {
			t.Fatalf("returned staff cannot log in: %v", err)
		}
	})
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		dan := f.staff(t, "dan", "", access.Technician)

		tests := []struct {
			name, id, pw string
			kind         apperr.Kind
			field        string
		}{
			{"unknown staff", "no-such-id", goodPassword, apperr.KindNotFound, ""},
			{"too short", dan.ID, "ab1", apperr.KindInvalid, "password"},
			{"one kind", dan.ID, "abcdefghijk", apperr.KindInvalid, "password"},
			{"same as login", dan.ID, "dan", apperr.KindInvalid, "password"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantKind(t, f.auth.SetPassword(f.ctx, tc.id, tc.pw, false), tc.kind, tc.field)
			})
		}
		if _, err := f.auth.Login(context.Background(), "dan", "ab1"); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Fatalf("a refused password works: %v", err)
		}

		if err := f.auth.SetPassword(f.ctx, dan.ID, goodPassword, true); err != nil {
			t.Fatal(err)
		}
		if must, err := f.auth.MustChangePassword(context.Background(), dan.ID); err != nil || !must {
			t.Errorf("MustChangePassword = %v, %v after a reset with mustChange", must, err)
		}
		if _, err := f.auth.Login(context.Background(), "dan", goodPassword); err != nil {
			t.Fatal(err)
		}

		// Setting again replaces the hash (upsert, not a second row).
		if err := f.auth.SetPassword(f.ctx, dan.ID, "Second-2025-pw", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.Login(context.Background(), "dan", goodPassword); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("old password still works: %v", err)
		}
		if must, _ := f.auth.MustChangePassword(context.Background(), dan.ID); must {
			t.Error("mustChange not cleared")
		}

		// Audited without the hash or the password.
		es := f.audit(t, audit.Filter{Entity: "staff", EntityID: dan.ID, Action: "password"})
		if len(es) != 2 {
			t.Fatalf("%d password audit entries, want 2", len(es))
		}
		for _, e := range es {
			all := e.Summary + str(e.BeforeJSON) + str(e.AfterJSON)
			if strings.Contains(all, "argon2") || strings.Contains(all, "Second-2025-pw") || strings.Contains(all, goodPassword) {
				t.Errorf("audit entry leaks a secret: %+v", e)
			}
			if e.ActorName != "系统" {
				t.Errorf("actor %q", e.ActorName)
			}
		}
		var hash string
		if err := db.R().NewSelect().Table("credentials").Column("password_hash").Where("staff_id = ?", dan.ID).Scan(context.Background(), &hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "Second-2025-pw") {
			t.Errorf("stored hash %q", hash)
		}
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		erin := f.staff(t, "erin", "", access.CSSpecialist)
		if err := f.auth.SetPassword(f.ctx, erin.ID, goodPassword, true); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, id, old, new string
			field              string
		}{
			{"old password wrong", erin.ID, "Wrong-2025-pw", "Brand-New-2025", "old_password"},
			{"old password empty", erin.ID, "", "Brand-New-2025", "old_password"},
			{"unknown staff", "no-such-id", goodPassword, "Brand-New-2025", "old_password"},
			{"new too short", erin.ID, goodPassword, "a1", "new_password"},
			{"new one kind", erin.ID, goodPassword, "abcdefghijkl", "new_password"},
			{"new same as login", erin.ID, goodPassword, "erin", "new_password"},
			{"new same as old", erin.ID, goodPassword, goodPassword, "new_password"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantKind(t, f.auth.ChangePassword(context.Background(), tc.id, tc.old, tc.new), apperr.KindInvalid, tc.field)
			})
		}
		// Nothing above changed the password or the must-change flag.
		if _, err := f.auth.Login(context.Background(), "erin", goodPassword); err != nil {
			t.Fatalf("password changed by a refused change: %v", err)
		}
		if must, _ := f.auth.MustChangePassword(context.Background(), erin.ID); !must {
			t.Fatal("mustChange cleared by a refused change")
		}

		ctx := access.With(context.Background(), &access.Principal{StaffID: erin.ID, Name: erin.Name})
		if err := f.auth.ChangePassword(ctx, erin.ID, goodPassword, "Brand-New-2025"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.Login(context.Background(), "erin", goodPassword); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("old password still works: %v", err)
		}
		if _, err := f.auth.Login(context.Background(), "erin", "Brand-New-2025"); err != nil {
			t.Errorf("new password does not work: %v", err)
		}
		if must, err := f.auth.MustChangePassword(context.Background(), erin.ID); err != nil || must {
			t.Errorf("MustChangePassword after a change = %v, %v", must, err)
		}
		es := f.audit(t, audit.Filter{EntityID: erin.ID, Action: "password", ActorID: erin.ID})
		if len(es) != 1 {
			t.Errorf("own change audited %d times with erin as actor, want 1", len(es))
		}
	})
}

func TestMustChangePasswordWithoutCredentials(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st := f.staff(t, "frank", "", access.Technician)
		for _, id := range []string{st.ID, "no-such-id"} {
			if must, err := f.auth.MustChangePassword(context.Background(), id); err != nil || must {
				t.Errorf("MustChangePassword(%s) = %v, %v", id, must, err)
			}
		}
	})
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
