package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var tokenRE = regexp.MustCompile(`^kf_([a-z2-7]{16})_([a-z2-7]{52})$`)

func TestCreateToken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		pbx := f.staff(t, "pbx-bot", "", access.CSSpecialist)
		left := f.staff(t, "gone", "", access.CSSpecialist)
		f.leave(t, left.ID)

		tok, text, err := f.auth.CreateToken(f.ctx, pbx.ID, "  PBX 通话记录  ", nil)
		if err != nil {
			t.Fatal(err)
		}
		m := tokenRE.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("token %q is not kf_<16>_<52>", text)
		}
		prefix, secret := m[1], m[2]
		if tok.Prefix != prefix || tok.StaffID != pbx.ID || tok.Name != "PBX 通话记录" || !tok.CreatedAt.Equal(f.clock.Now()) {
			t.Errorf("token record %+v", tok)
		}

		// Only the SHA-256 of the secret is stored; the secret is nowhere in the row.
		var row struct {
			ID, StaffID, Name, Hash, Prefix string
		}
		err = db.R().NewSelect().Table("api_tokens").Column("id", "staff_id", "name", "hash", "prefix").
			Where("id = ?", tok.ID).Scan(context.Background(), &row.ID, &row.StaffID, &row.Name, &row.Hash, &row.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if row.Hash != hex.EncodeToString(sum[:]) {
			t.Errorf("stored hash %q is not sha256(secret)", row.Hash)
		}
		for _, v := range []string{row.ID, row.StaffID, row.Name, row.Hash, row.Prefix} {
			if strings.Contains(v, secret) {
				t.Errorf("the secret is stored: %q", v)
			}
		}
		// Neither the JSON form nor the audit entry shows the hash.
		b, _ := json.Marshal(tok)
		if strings.Contains(string(b), row.Hash) || strings.Contains(string(b), secret) {
			t.Errorf("token JSON leaks: %s", b)
		}
		es := f.audit(t, audit.Filter{Entity: "api_token", EntityID: tok.ID})
		if len(es) != 1 || es[0].Action != "create" {
			t.Fatalf("audit %+v", es)
		}
		if a := str(es[0].AfterJSON); strings.Contains(a, row.Hash) || strings.Contains(a, secret) {
			t.Errorf("audit leaks the token: %s", a)
		}

		// Two tokens never share prefix or secret.
		_, text2, err := f.auth.CreateToken(f.ctx, pbx.ID, "second", nil)
		if err != nil {
			t.Fatal(err)
		}
		m2 := tokenRE.FindStringSubmatch(text2)
		if m2 == nil || m2[1] == prefix || m2[2] == secret {
			t.Errorf("second token %q repeats the first", text2)
		}

		past := f.clock.Now().Add(-time.Second)
		now := f.clock.Now()
		tests := []struct {
			name, staff, tname string
			exp                *time.Time
			field              string
		}{
			{"empty name", pbx.ID, "   ", nil, "name"},
			{"long name", pbx.ID, strings.Repeat("名", 51), nil, "name"},
			{"unknown staff", "no-such-id", "x", nil, "staff_id"},
			{"left staff", left.ID, "x", nil, "staff_id"},
			{"expiry in the past", pbx.ID, "x", &past, "expires_at"},
			{"expiry now", pbx.ID, "x", &now, "expires_at"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tok, text, err := f.auth.CreateToken(f.ctx, tc.staff, tc.tname, tc.exp)
				if tok != nil || text != "" {
					t.Errorf("returned %+v %q", tok, text)
				}
				wantKind(t, err, apperr.KindInvalid, tc.field)
			})
		}
		if _, _, err := f.auth.CreateToken(f.ctx, pbx.ID, strings.Repeat("名", 50), nil); err != nil {
			t.Errorf("50-character name refused: %v", err)
		}
		list, err := f.auth.Tokens(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Errorf("%d tokens listed, want 3 (refused ones must not be stored)", len(list))
		}
	})
}

func TestAuthenticateToken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bot := f.staff(t, "bot", "", access.CSSpecialist, access.Finance)
		_, text, err := f.auth.CreateToken(f.ctx, bot.ID, "bot", nil)
		if err != nil {
			t.Fatal(err)
		}
		m := tokenRE.FindStringSubmatch(text)
		prefix, secret := m[1], m[2]
		flip := func(s string) string { // change the last character
			last := s[len(s)-1]
			if last == 'a' {
				return s[:len(s)-1] + "b"
			}
			return s[:len(s)-1] + "a"
		}
		tests := []struct {
			name, token string
			ok          bool
		}{
			{"valid", text, true},
			{"wrong secret, valid prefix", "kf_" + prefix + "_" + flip(secret), false},
			{"secret cut short", "kf_" + prefix + "_" + secret[:51], false},
			{"secret with extra", text + "a", false},
			{"upper case", strings.ToUpper(text), false},
			{"unknown prefix", "kf_" + flip(prefix) + "_" + secret, false},
			{"no secret", "kf_" + prefix + "_", false},
			{"no separator", "kf_" + prefix + secret, false},
			{"short prefix", "kf_" + prefix[:15] + "_" + secret, false},
			{"missing kf_", prefix + "_" + secret, false},
			{"empty", "", false},
			{"bearer word", "Bearer " + text, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p, err := f.auth.Authenticate(context.Background(), tc.token)
				if !tc.ok {
					if p != nil {
						t.Fatalf("principal %+v", p)
					}
					wantKind(t, err, apperr.KindUnauthorized, "")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if p.StaffID != bot.ID || p.Via != "token" || !p.Has(access.Finance) || !p.Has(access.CSSpecialist) {
					t.Errorf("principal %+v", p)
				}
			})
		}
	})
}

func TestTokenRevokedExpiredLeft(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bot := f.staff(t, "bot", "", access.CSSpecialist)
		quitter := f.staff(t, "quitter", "", access.CSSpecialist)
		auth := func(text string) error {
			_, err := f.auth.Authenticate(context.Background(), text)
			return err
		}

		// Revoked by id, by prefix, and by the prefix as `kefu token list` prints it.
		byID, textID, _ := f.auth.CreateToken(f.ctx, bot.ID, "by id", nil)
		byPrefix, textPrefix, _ := f.auth.CreateToken(f.ctx, bot.ID, "by prefix", nil)
		byListed, textListed, _ := f.auth.CreateToken(f.ctx, bot.ID, "by listed prefix", nil)
		for _, text := range []string{textID, textPrefix, textListed} {
			if err := auth(text); err != nil {
				t.Fatalf("fresh token refused: %v", err)
			}
		}
		f.clock.Advance(time.Minute)
		if err := f.auth.RevokeToken(f.ctx, byID.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.auth.RevokeToken(f.ctx, byPrefix.Prefix); err != nil {
			t.Fatal(err)
		}
		if err := f.auth.RevokeToken(f.ctx, "kf_"+byListed.Prefix); err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{textID, textPrefix, textListed} {
			wantKind(t, auth(text), apperr.KindUnauthorized, "")
		}
		// Revoking again is a no-op that is not audited twice; unknown is NotFound.
		if err := f.auth.RevokeToken(f.ctx, byID.ID); err != nil {
			t.Fatal(err)
		}
		if es := f.audit(t, audit.Filter{EntityID: byID.ID, Action: "revoke"}); len(es) != 1 {
			t.Errorf("%d revoke entries, want 1", len(es))
		}
		wantKind(t, f.auth.RevokeToken(f.ctx, "no-such-token"), apperr.KindNotFound, "")
		list, _ := f.auth.Tokens(context.Background())
		for _, tk := range list {
			if tk.RevokedAt == nil || !tk.RevokedAt.Equal(f.clock.Now()) {
				t.Errorf("token %s revoked_at %v", tk.Name, tk.RevokedAt)
			}
		}

		// Expired at exactly its expiry.
		exp := f.clock.Now().Add(time.Hour)
		_, textExp, err := f.auth.CreateToken(f.ctx, bot.ID, "expiring", &exp)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour - time.Second)
		if err := auth(textExp); err != nil {
			t.Fatalf("refused a second before expiry: %v", err)
		}
		f.clock.Advance(time.Second)
		wantKind(t, auth(textExp), apperr.KindUnauthorized, "")

		// A token of a staff member who left stops working at once.
		_, textQ, _ := f.auth.CreateToken(f.ctx, quitter.ID, "quitter", nil)
		if err := auth(textQ); err != nil {
			t.Fatal(err)
		}
		f.leave(t, quitter.ID)
		wantKind(t, auth(textQ), apperr.KindUnauthorized, "")
	})
}

func TestTokenLastUsedAtOncePerMinute(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bot := f.staff(t, "bot", "", access.CSSpecialist)
		tok, text, err := f.auth.CreateToken(f.ctx, bot.ID, "bot", nil)
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() *time.Time {
			t.Helper()
			var v *time.Time
			if err := db.R().NewSelect().Table("api_tokens").Column("last_used_at").Where("id = ?", tok.ID).Scan(context.Background(), &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if lastUsed() != nil {
			t.Fatal("unused token has last_used_at")
		}
		start := f.clock.Now()
		steps := []struct {
			advance time.Duration
			want    time.Time // last_used_at after the call
		}{
			{0, start},                                 // first use is written
			{30 * time.Second, start},                  // within the minute: no write
			{30 * time.Second, start},                  // exactly a minute later: still no write
			{time.Second, start.Add(61 * time.Second)}, // over a minute: written
			{59 * time.Second, start.Add(61 * time.Second)},
			{2 * time.Second, start.Add(122 * time.Second)},
		}
		for i, s := range steps {
			f.clock.Advance(s.advance)
			if _, err := f.auth.Authenticate(context.Background(), text); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			got := lastUsed()
			if got == nil || !got.Equal(s.want) {
				t.Fatalf("step %d at +%v: last_used_at %v, want %v", i, f.clock.Now().Sub(start), got, s.want)
			}
		}
		// A failed attempt does not touch it.
		f.clock.Advance(time.Hour)
		_, _ = f.auth.Authenticate(context.Background(), text[:len(text)-1]+"2")
		if got := lastUsed(); !got.Equal(start.Add(122 * time.Second)) {
			t.Errorf("failed attempt wrote last_used_at %v", got)
		}
	})
}

func TestTokensNewestFirst(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bot := f.staff(t, "bot", "", access.CSSpecialist)
		for _, n := range []string{"first", "second", "third"} {
			if _, _, err := f.auth.CreateToken(f.ctx, bot.ID, n, nil); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Second)
		}
		list, err := f.auth.Tokens(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tk := range list {
			names = append(names, tk.Name)
		}
		if strings.Join(names, ",") != "third,second,first" {
			t.Errorf("order %v", names)
		}
	})
}

// TestTokenCache: a resolved token is answered from memory for
// DefaultTokenCacheTTL. Changes made through this process (revocation,
// password, roles and other principal fields, departure) drop it at once;
// changes made elsewhere (here: SQL behind the services' back, as another
// process would) show when the entry expires.
func TestTokenCache(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		bot := f.staff(t, "bot", "", access.CSSpecialist)
		_, text, err := f.auth.CreateToken(f.ctx, bot.ID, "bot", nil)
		if err != nil {
			t.Fatal(err)
		}
		principal := func() *access.Principal {
			t.Helper()
			p, err := f.auth.Authenticate(ctx, text)
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			return p
		}
		elsewhere := func(sql string, args ...any) {
			t.Helper()
			err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw(sql, args...).Exec(ctx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}

		// Cached: a rename made elsewhere shows only after the TTL.
		if p := principal(); p.Name != "员工 bot" {
			t.Fatalf("name %q", p.Name)
		}
		elsewhere("UPDATE staff SET name = ? WHERE id = ?", "改名一", bot.ID)
		f.clock.Advance(auth.DefaultTokenCacheTTL - time.Millisecond)
		p := principal()
		if p.Name != "员工 bot" {
			t.Fatalf("within the TTL the cache was not used: %q", p.Name)
		}
		// The caller's copy is its own.
		p.Roles[0], p.Name = access.Admin, "changed by the caller"
		if p := principal(); p.Name != "员工 bot" || p.Has(access.Admin) || p.Via != "token" {
			t.Fatalf("the cached principal was changed through a returned one: %+v", p)
		}
		f.clock.Advance(time.Millisecond)
		if p := principal(); p.Name != "改名一" {
			t.Fatalf("after the TTL: %q", p.Name)
		}

		// A wrong secret with the prefix of a cached token is refused.
		_, err = f.auth.Authenticate(ctx, text[:len(text)-1]+map[bool]string{true: "b", false: "a"}[strings.HasSuffix(text, "a")])
		wantKind(t, err, apperr.KindUnauthorized, "")

		// Roles changed through org: at once.
		st, err := f.org.GetStaff(f.ctx, bot.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := org.StaffInput{Login: st.Login, Name: st.Name, Roles: []access.Role{access.Finance}}
		if _, err := f.org.UpdateStaff(f.ctx, bot.ID, st.Version, in); err != nil {
			t.Fatal(err)
		}
		if p := principal(); p.Has(access.CSSpecialist) || !p.Has(access.Finance) {
			t.Fatalf("roles after UpdateStaff: %v", p.Roles)
		}

		// A password reset drops the entry too.
		elsewhere("UPDATE staff SET name = ? WHERE id = ?", "改名二", bot.ID)
		if p := principal(); p.Name != "改名一" {
			t.Fatalf("cache not used: %q", p.Name)
		}
		if err := f.auth.SetPassword(f.ctx, bot.ID, goodPassword, false); err != nil {
			t.Fatal(err)
		}
		if p := principal(); p.Name != "改名二" {
			t.Fatalf("after SetPassword: %q", p.Name)
		}

		// Revoked elsewhere: refused once the entry expires.
		elsewhere("UPDATE api_tokens SET revoked_at = ? WHERE prefix = ?", store.Time(f.clock.Now()), tokenRE.FindStringSubmatch(text)[1])
		principal()
		f.clock.Advance(auth.DefaultTokenCacheTTL)
		_, err = f.auth.Authenticate(ctx, text)
		wantKind(t, err, apperr.KindUnauthorized, "")

		// Revoked here, and the holder left: refused at once.
		tok2, text2, err := f.auth.CreateToken(f.ctx, bot.ID, "second", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, text3, err := f.auth.CreateToken(f.ctx, bot.ID, "third", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range []string{text2, text3} {
			if _, err := f.auth.Authenticate(ctx, tx); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.auth.RevokeToken(f.ctx, tok2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.auth.Authenticate(ctx, text2)
		wantKind(t, err, apperr.KindUnauthorized, "")
		if _, err := f.auth.Authenticate(ctx, text3); err != nil {
			t.Fatalf("revoking one token refused another: %v", err)
		}
		f.leave(t, bot.ID)
		_, err = f.auth.Authenticate(ctx, text3)
		wantKind(t, err, apperr.KindUnauthorized, "")

		// A TTL of 0 turns the cache off.
		other := f.staff(t, "other", "", access.CSSpecialist)
		_, text4, err := f.auth.CreateToken(f.ctx, other.ID, "other", nil)
		if err != nil {
			t.Fatal(err)
		}
		f.auth.SetTokenCacheTTL(0)
		if _, err := f.auth.Authenticate(ctx, text4); err != nil {
			t.Fatal(err)
		}
		elsewhere("UPDATE staff SET name = ? WHERE id = ?", "改名三", other.ID)
		if p, err := f.auth.Authenticate(ctx, text4); err != nil || p.Name != "改名三" {
			t.Fatalf("without cache: %+v %v", p, err)
		}
	})
}
