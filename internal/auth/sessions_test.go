package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var (
	_ scs.CtxStore = (*auth.SessionStore)(nil)
	_ scs.Store    = (*auth.SessionStore)(nil)
)

func TestSessionStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		s := auth.NewSessionStore(db, c.Now)
		ctx := context.Background()
		find := func(token string) ([]byte, bool) {
			t.Helper()
			b, ok, err := s.FindCtx(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			return b, ok
		}

		data := []byte{0, 1, 2, 0xff, 'k', 'e', 'f', 'u', 0}
		if err := s.CommitCtx(ctx, "tok-a", data, c.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, ok := find("tok-a"); !ok || !bytes.Equal(b, data) {
			t.Fatalf("find = %v %v, want %v", b, ok, data)
		}
		if b, ok := find("tok-missing"); ok || b != nil {
			t.Fatalf("unknown token found: %v", b)
		}

		// Commit again replaces data and expiry.
		if err := s.CommitCtx(ctx, "tok-a", []byte("v2"), c.Now().Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		c.Advance(90 * time.Minute)
		if b, ok := find("tok-a"); !ok || string(b) != "v2" {
			t.Fatalf("after re-commit: %q %v", b, ok)
		}

		// Expiry respected: gone at exactly the expiry.
		c.Advance(30*time.Minute - time.Microsecond)
		if _, ok := find("tok-a"); !ok {
			t.Fatal("gone before expiry")
		}
		c.Advance(time.Microsecond)
		if _, ok := find("tok-a"); ok {
			t.Fatal("found at its expiry")
		}

		// Delete; deleting an unknown token is not an error (scs contract).
		if err := s.Commit("tok-b", []byte("b"), c.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, ok, err := s.Find("tok-b"); err != nil || !ok || string(b) != "b" {
			t.Fatalf("Find = %q %v %v", b, ok, err)
		}
		if err := s.Delete("tok-b"); err != nil {
			t.Fatal(err)
		}
		if _, ok := find("tok-b"); ok {
			t.Fatal("found after delete")
		}
		if err := s.DeleteCtx(ctx, "tok-b"); err != nil {
			t.Fatalf("deleting a missing session: %v", err)
		}
	})
}

func TestSessionStoreDeleteExpired(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		s := auth.NewSessionStore(db, c.Now)
		ctx := context.Background()
		now := c.Now()
		for tok, exp := range map[string]time.Time{
			"past":   now.Add(-time.Second),
			"now":    now,
			"soon":   now.Add(time.Minute),
			"later":  now.Add(2 * time.Hour),
			"latest": now.Add(24 * time.Hour),
		} {
			if err := s.CommitCtx(ctx, tok, []byte(tok), exp); err != nil {
				t.Fatal(err)
			}
		}
		count := func() int {
			n, err := db.R().NewSelect().Table("sessions").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		steps := []struct {
			advance     time.Duration
			wantDeleted int64
			wantLeft    int
		}{
			{0, 2, 3}, // past and now
			{0, 0, 3},
			{time.Minute, 1, 2},
			{3 * time.Hour, 1, 1},
		}
		for i, st := range steps {
			c.Advance(st.advance)
			n, err := s.DeleteExpired(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != st.wantDeleted || count() != st.wantLeft {
				t.Fatalf("step %d: deleted %d (want %d), left %d (want %d)", i, n, st.wantDeleted, count(), st.wantLeft)
			}
		}
		if b, ok, _ := s.FindCtx(ctx, "latest"); !ok || string(b) != "latest" {
			t.Fatal("the live session was deleted")
		}
	})
}

// storedSession reads the row of token as it is in the table.
func storedSession(t *testing.T, db *store.DB, token string) (string, time.Time) {
	t.Helper()
	var row struct {
		Data   string    `bun:"data"`
		Expiry time.Time `bun:"expiry"`
	}
	err := db.R().NewSelect().Table("sessions").Column("data", "expiry").Where("token = ?", token).Scan(context.Background(), &row)
	if err != nil {
		t.Fatalf("session %s: %v", token, err)
	}
	b, err := base64.StdEncoding.DecodeString(row.Data)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), row.Expiry.UTC()
}

// TestSessionCommitSkipsExpiryOnlyWrites: with an idle timeout scs commits
// on every request; a commit that only moves the expiry by less than a
// minute writes nothing, anything else is written.
func TestSessionCommitSkipsExpiryOnlyWrites(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		s := auth.NewSessionStore(db, c.Now)
		ctx := context.Background()
		const idle = 2 * time.Hour
		commit := func(data string, expiry time.Time) {
			t.Helper()
			if err := s.CommitCtx(ctx, "tok", []byte(data), expiry); err != nil {
				t.Fatal(err)
			}
		}
		find := func() string {
			t.Helper()
			b, ok, err := s.FindCtx(ctx, "tok")
			if err != nil || !ok {
				t.Fatalf("find: %v %v", ok, err)
			}
			return string(b)
		}
		want := func(step, data string, expiry time.Time) {
			t.Helper()
			gotData, gotExpiry := storedSession(t, db, "tok")
			if gotData != data || !gotExpiry.Equal(expiry) {
				t.Errorf("%s: stored %q until %v, want %q until %v", step, gotData, gotExpiry, data, expiry)
			}
		}

		e0 := c.Now().Add(idle)
		commit("v1", e0)
		want("first commit", "v1", e0)

		// Requests 10 s apart that change nothing: no write.
		for range 5 {
			c.Advance(10 * time.Second)
			find()
			commit("v1", c.Now().Add(idle))
		}
		want("expiry moved by 50 s", "v1", e0)

		// A minute past the stored expiry: written.
		c.Advance(10 * time.Second)
		e1 := c.Now().Add(idle)
		find()
		commit("v1", e1)
		want("expiry moved by 60 s", "v1", e1)

		// Changed data is always written, however little the expiry moved.
		c.Advance(time.Second)
		e2 := c.Now().Add(idle)
		find()
		commit("v2", e2)
		want("changed data", "v2", e2)

		// An earlier expiry (the absolute lifetime) is written.
		find()
		commit("v2", e2.Add(-time.Second))
		want("earlier expiry", "v2", e2.Add(-time.Second))

		// Idle timeouts shorter than ten minutes move in tenths of themselves:
		// a 30 s timeout is never left more than 3 s behind.
		short := c.Now().Add(30 * time.Second)
		commit("v3", short)
		c.Advance(2 * time.Second)
		find()
		commit("v3", c.Now().Add(30*time.Second))
		want("short idle, 2 s", "v3", short)
		c.Advance(2 * time.Second)
		find()
		commit("v3", c.Now().Add(30*time.Second))
		want("short idle, 4 s", "v3", c.Now().Add(30*time.Second))

		// After the stored row expired, a commit writes it again.
		last := c.Now().Add(30 * time.Second)
		c.Advance(31 * time.Second)
		commit("v3", last.Add(time.Second))
		want("after expiry", "v3", last.Add(time.Second))
	})
}

// TestSessionCommitSharedDatabase: two stores on one database act as two
// kefu processes. A skipped commit never undoes the other's change, and a
// session the other logged out stays logged out.
func TestSessionCommitSharedDatabase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		a, b := auth.NewSessionStore(db, c.Now), auth.NewSessionStore(db, c.Now)
		ctx := context.Background()
		exp := func() time.Time { return c.Now().Add(2 * time.Hour) }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		e0 := exp()
		must(a.CommitCtx(ctx, "tok", []byte("v1"), e0))

		// A loads the session; meanwhile B changes it.
		if d, ok, err := a.FindCtx(ctx, "tok"); err != nil || !ok || string(d) != "v1" {
			t.Fatalf("a finds %q %v %v", d, ok, err)
		}
		c.Advance(5 * time.Second)
		if _, ok, err := b.FindCtx(ctx, "tok"); err != nil || !ok {
			t.Fatal("b does not find the session")
		}
		e1 := exp()
		must(b.CommitCtx(ctx, "tok", []byte("v2"), e1))
		// A's request changed nothing: its commit is skipped and B's data stays.
		c.Advance(5 * time.Second)
		must(a.CommitCtx(ctx, "tok", []byte("v1"), exp()))
		if d, e := storedSession(t, db, "tok"); d != "v2" || !e.Equal(e1) {
			t.Fatalf("after a's unchanged commit: %q until %v, want v2 until %v", d, e, e1)
		}
		// A's next request reads B's data.
		if d, _, _ := a.FindCtx(ctx, "tok"); string(d) != "v2" {
			t.Fatalf("a then finds %q", d)
		}
		// A change made by A is written.
		must(a.CommitCtx(ctx, "tok", []byte("v3"), exp()))
		if d, _ := storedSession(t, db, "tok"); d != "v3" {
			t.Fatalf("a's change not written: %q", d)
		}

		// B logs the session out while A serves a request of it.
		if _, ok, _ := a.FindCtx(ctx, "tok"); !ok {
			t.Fatal("a does not find the session")
		}
		must(b.DeleteCtx(ctx, "tok"))
		must(a.CommitCtx(ctx, "tok", []byte("v3"), exp()))
		if _, ok, _ := b.FindCtx(ctx, "tok"); ok {
			t.Fatal("a logged-out session came back")
		}
	})
}

// TestSessionStoreWithScs runs the store under scs with an idle timeout, as
// the app does: the login writes, the requests after it do not, and a
// session whose values gob encodes in another map order still counts as
// unchanged.
func TestSessionStoreWithScs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := auth.NewSessionStore(db, time.Now)
		sm := scs.New()
		sm.Store = s
		sm.IdleTimeout = 2 * time.Hour
		sm.Lifetime = 12 * time.Hour
		h := sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/login":
				for i := range 8 {
					sm.Put(r.Context(), fmt.Sprint("k", i), fmt.Sprint("v", i))
				}
			case "/change":
				sm.Put(r.Context(), "k0", "changed")
			}
			_, _ = fmt.Fprint(w, sm.GetString(r.Context(), "k0"))
		}))
		get := func(path string, cookie *http.Cookie) *httptest.ResponseRecorder {
			t.Helper()
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if cookie != nil {
				req.AddCookie(cookie)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d", path, rec.Code)
			}
			return rec
		}
		var cookie *http.Cookie
		for _, ck := range get("/login", nil).Result().Cookies() {
			if ck.Name == sm.Cookie.Name {
				cookie = ck
			}
		}
		if cookie == nil {
			t.Fatal("no session cookie")
		}
		data0, exp0 := storedSession(t, db, cookie.Value)
		for range 20 {
			if body := get("/", cookie).Body.String(); body != "v0" {
				t.Fatalf("read %q", body)
			}
		}
		if data, exp := storedSession(t, db, cookie.Value); data != data0 || !exp.Equal(exp0) {
			t.Error("requests that changed nothing wrote the session")
		}
		get("/change", cookie)
		if body := get("/", cookie).Body.String(); body != "changed" {
			t.Errorf("after a change the session reads %q", body)
		}
		if _, exp := storedSession(t, db, cookie.Value); exp.Equal(exp0) {
			t.Error("a change was not written")
		}
	})
}
