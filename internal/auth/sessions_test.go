package auth_test

import (
	"bytes"
	"context"
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
