package app_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/config"
	"kefu/internal/org"
	"kefu/internal/store/storetest"
)

// browser is a cookie-carrying client that does not follow redirects, so
// a test sees where the server sends it.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a GET (form nil) or a form POST and returns the status, the
// redirect target and the unescaped body.
func (b *browser) do(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = b.c.Get(b.base + path)
	} else {
		resp, err = b.c.PostForm(b.base+path, form)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), html.UnescapeString(string(body))
}

func (b *browser) login(login, password string) (int, string) {
	b.t.Helper()
	status, to, _ := b.do("/login", url.Values{"login": {login}, "password": {password}, "next": {"/"}})
	return status, to
}

// signedIn reports whether the home page opens (true) or sends the
// browser to log in (false).
func (b *browser) signedIn() bool {
	b.t.Helper()
	status, to, _ := b.do("/", nil)
	switch {
	case status == http.StatusOK:
		return true
	case status == http.StatusSeeOther && strings.HasPrefix(to, "/login"):
		return false
	}
	b.t.Fatalf("home: status %d to %q", status, to)
	return false
}

func sessionStaff(t *testing.T, in *apptest.Instance, login, password string) {
	t.Helper()
	ctx := access.With(context.Background(), access.System())
	st, err := in.App.Org.CreateStaff(ctx, org.StaffInput{Login: login, Name: "会话测试", Roles: []access.Role{access.CSSpecialist}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.App.Auth.SetPassword(ctx, st.ID, password, false); err != nil {
		t.Fatal(err)
	}
}

// eachConfigured is apptest.Each for an app with its own configuration,
// the two databases in parallel (the session tests wait on real time).
func eachConfigured(t *testing.T, edit func(*config.Config), fn func(t *testing.T, in *apptest.Instance)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, apptest.NewWith(t, "", edit))
	})
	if dsn := os.Getenv(storetest.EnvPG); dsn != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			fn(t, apptest.NewWith(t, dsn, edit))
		})
	}
}

// TestLogoutAndPasswordChange: logging out ends the session; a password
// change refuses a wrong old password and a mismatched confirmation
// (naming the problem, keeping the old password), then takes the new one.
func TestLogoutAndPasswordChange(t *testing.T) {
	eachConfigured(t, func(c *config.Config) { c.CookieSecure = false }, func(t *testing.T, in *apptest.Instance) {
		sessionStaff(t, in, "pw.user", "Old-Secret-2026")
		b := newBrowser(t, in.URL)
		if status, to := b.login("pw.user", "Old-Secret-2026"); status != http.StatusSeeOther || to != "/" {
			t.Fatalf("login: %d to %q", status, to)
		}
		if !b.signedIn() {
			t.Fatal("not signed in after login")
		}
		for _, tc := range []struct {
			name        string
			form        url.Values
			status      int
			wantMessage string
		}{
			{"wrong old password", url.Values{"old_password": {"nope-nope-1"}, "new_password": {"New-Secret-2026"}, "confirm_password": {"New-Secret-2026"}},
				http.StatusBadRequest, "form-error"},
			{"confirmation differs", url.Values{"old_password": {"Old-Secret-2026"}, "new_password": {"New-Secret-2026"}, "confirm_password": {"New-Secret-2027"}},
				http.StatusBadRequest, "form-error"},
			{"too short", url.Values{"old_password": {"Old-Secret-2026"}, "new_password": {"short"}, "confirm_password": {"short"}},
				http.StatusBadRequest, "form-error"},
		} {
			status, _, body := b.do("/account/password", tc.form)
			if status != tc.status || !strings.Contains(body, tc.wantMessage) {
				t.Errorf("%s: status %d, want %d with %s", tc.name, status, tc.status, tc.wantMessage)
			}
		}
		status, to, _ := b.do("/account/password", url.Values{"old_password": {"Old-Secret-2026"},
			"new_password": {"New-Secret-2026"}, "confirm_password": {"New-Secret-2026"}})
		if status != http.StatusSeeOther || to != "/" {
			t.Fatalf("password change: %d to %q", status, to)
		}
		if status, to, _ := b.do("/logout", url.Values{}); status != http.StatusSeeOther || to != "/login" {
			t.Fatalf("logout: %d to %q", status, to)
		}
		if b.signedIn() {
			t.Fatal("still signed in after logout")
		}
		if status, _ := b.login("pw.user", "Old-Secret-2026"); status != http.StatusUnauthorized {
			t.Errorf("the old password after the change: status %d, want 401", status)
		}
		if status, to := b.login("pw.user", "New-Secret-2026"); status != http.StatusSeeOther || to != "/" {
			t.Errorf("the new password: %d to %q", status, to)
		}
		if !b.signedIn() {
			t.Error("not signed in with the new password")
		}
	})
}

// TestSessionTimeouts: a session ends after KEFU_SESSION_IDLE without a
// request, and after KEFU_SESSION_MAX however busy it is. The timeouts
// are seconds here, so the test waits on real time; the margins are a
// second or more either side so a slow machine does not decide it.
func TestSessionTimeouts(t *testing.T) {
	const idle, max = 3 * time.Second, 6 * time.Second
	eachConfigured(t, func(c *config.Config) { c.CookieSecure, c.SessionIdle, c.SessionMax = false, idle, max }, func(t *testing.T, in *apptest.Instance) {
		sessionStaff(t, in, "idle.user", "Idle-Secret-2026")

		t.Run("idle", func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t, in.URL)
			if status, _ := b.login("idle.user", "Idle-Secret-2026"); status != http.StatusSeeOther {
				t.Fatalf("login: %d", status)
			}
			if !b.signedIn() {
				t.Fatal("not signed in after login")
			}
			time.Sleep(idle + time.Second)
			if b.signedIn() {
				t.Errorf("still signed in after %v idle (KEFU_SESSION_IDLE %v)", idle+time.Second, idle)
			}
		})

		t.Run("absolute", func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t, in.URL)
			start := time.Now()
			if status, _ := b.login("idle.user", "Idle-Secret-2026"); status != http.StatusSeeOther {
				t.Fatalf("login: %d", status)
			}
			// A request every second keeps the idle timeout away...
			for time.Since(start) < max-time.Second {
				if !b.signedIn() {
					t.Fatalf("signed out after %v of activity, before KEFU_SESSION_MAX %v", time.Since(start), max)
				}
				time.Sleep(time.Second)
			}
			// ...but not the absolute one.
			for time.Since(start) < max+time.Second {
				time.Sleep(time.Second / 2)
				b.signedIn()
			}
			if b.signedIn() {
				t.Errorf("still signed in %v after login (KEFU_SESSION_MAX %v)", time.Since(start), max)
			}
		})
	})
}
