package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Token is an API token for a machine client (PBX, chat archive, finance).
// The secret is shown once at creation; only its SHA-256 is kept.
type Token struct {
	ID         string     `bun:"id,pk" json:"id"`
	StaffID    string     `bun:"staff_id" json:"staff_id"`
	Name       string     `bun:"name" json:"name"`
	Hash       string     `bun:"hash" json:"-"`
	Prefix     string     `bun:"prefix" json:"prefix"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	ExpiresAt  *time.Time `bun:"expires_at" json:"expires_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"revoked_at"`

	bun.BaseModel `bun:"table:api_tokens"`
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Token format: "kf_" + 16-char lookup prefix + "_" + 52-char secret. The
// prefix finds the row by index; the secret's hash is compared in constant
// time, so no slow hash runs per request and no timing reveals the secret.
const tokenPrefixLen = 16

func randomText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(b32.EncodeToString(b))
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken issues a token acting as staffID. It returns the record and
// the full token text, which is never stored.
func (s *Service) CreateToken(ctx context.Context, staffID, name string, expiresAt *time.Time) (*Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 50 {
		return nil, "", apperr.Invalid("name", "名称不能为空且不超过 50 字")
	}
	if _, err := s.Principal(ctx, staffID); err != nil {
		return nil, "", apperr.Invalid("staff_id", "员工不存在或已停用")
	}
	now := store.Time(s.now())
	if expiresAt != nil && !expiresAt.After(now) {
		return nil, "", apperr.Invalid("expires_at", "过期时间须晚于现在")
	}
	prefix := randomText(10)[:tokenPrefixLen]
	secret := randomText(32)
	t := &Token{ID: store.NewID(), StaffID: staffID, Name: name, Hash: hashSecret(secret), Prefix: prefix, CreatedAt: now}
	if expiresAt != nil {
		e := store.Time(*expiresAt)
		t.ExpiresAt = &e
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "api_token", EntityID: t.ID,
			Summary: "创建 API 令牌 " + name, After: t})
	})
	if err != nil {
		return nil, "", err
	}
	return t, "kf_" + prefix + "_" + secret, nil
}

// RevokeToken revokes a token by id or prefix, the prefix bare or as listed
// ("kf_" + prefix). This process refuses it at once; other processes sharing
// the database within DefaultTokenCacheTTL.
func (s *Service) RevokeToken(ctx context.Context, idOrPrefix string) error {
	now := store.Time(s.now())
	idOrPrefix = strings.TrimPrefix(idOrPrefix, "kf_")
	var id string
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := new(Token)
		if err := tx.NewSelect().Model(t).Where("id = ? OR prefix = ?", idOrPrefix, idOrPrefix).Scan(ctx); err != nil {
			if errors.Is(err, store.ErrNoRows) {
				return apperr.NotFound("api token")
			}
			return err
		}
		id = t.ID
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := tx.NewUpdate().Table("api_tokens").Set("revoked_at = ?", now).Where("id = ?", t.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "revoke", Entity: "api_token", EntityID: t.ID,
			Summary: "吊销 API 令牌 " + t.Name})
	})
	if err == nil {
		s.db.Changed(store.ChangeAPIToken, id)
	}
	return err
}

// Tokens lists tokens, newest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	var out []Token
	err := s.db.R().NewSelect().Model(&out).OrderExpr("created_at DESC, id DESC").Scan(ctx)
	return out, err
}

// Authenticate resolves a Bearer token to its principal. A token resolved
// in the last DefaultTokenCacheTTL is answered from memory (see
// DefaultTokenCacheTTL for what that means across processes).
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Principal, error) {
	rest, ok := strings.CutPrefix(token, "kf_")
	prefix, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(prefix) != tokenPrefixLen || secret == "" {
		return nil, apperr.Unauthorized("API 令牌无效")
	}
	now := s.now()
	hash := hashSecret(secret)
	e, hit, gen := s.tokens.lookup(prefix, now)
	if hit {
		if !e.matches(hash) {
			return nil, apperr.Unauthorized("API 令牌无效")
		}
		if e.expiresAt != nil && !now.Before(*e.expiresAt) {
			return nil, apperr.Unauthorized("API 令牌已吊销或过期")
		}
		p := e.principal()
		if e.lastUsed == nil || now.Sub(*e.lastUsed) > time.Minute {
			if s.recordUse(ctx, e.tokenID, now) {
				s.tokens.touched(prefix, store.Time(now))
			}
		}
		return p, nil
	}
	t := new(Token)
	err := s.db.R().NewSelect().Model(t).Where("prefix = ?", prefix).Scan(ctx)
	if errors.Is(err, store.ErrNoRows) {
		return nil, apperr.Unauthorized("API 令牌无效")
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(t.Hash)) != 1 {
		return nil, apperr.Unauthorized("API 令牌无效")
	}
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return nil, apperr.Unauthorized("API 令牌已吊销或过期")
	}
	p, err := s.Principal(ctx, t.StaffID)
	if err != nil {
		return nil, err
	}
	p.Via = "token"
	// Record use at most once a minute: no write per request.
	lastUsed := t.LastUsedAt
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if s.recordUse(ctx, t.ID, now) {
			at := store.Time(now)
			lastUsed = &at
		}
	}
	fresh := &tokenEntry{hash: t.Hash, tokenID: t.ID, staffID: t.StaffID, expiresAt: t.ExpiresAt, lastUsed: lastUsed, p: *p}
	fresh.p.Roles = slices.Clone(p.Roles)
	s.tokens.put(prefix, fresh, gen, now)
	return p, nil
}

// recordUse writes last_used_at; a failure is ignored (the request goes on).
func (s *Service) recordUse(ctx context.Context, tokenID string, now time.Time) bool {
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("api_tokens").Set("last_used_at = ?", store.Time(now)).Where("id = ?", tokenID).Exec(ctx)
		return err
	})
	return err == nil
}
