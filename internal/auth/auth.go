// Package auth authenticates staff: argon2id password hashes with lock-out
// after repeated failures, web sessions kept in the database (scs store),
// and API tokens for machine clients stored as SHA-256 and compared in
// constant time. It turns a staff id into an access.Principal.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Lock-out policy: after MaxFailures wrong passwords in a row the login is
// locked for LockFor.
const (
	MaxFailures = 5
	LockFor     = 15 * time.Minute
)

// Service authenticates and manages credentials and tokens.
type Service struct {
	db  *store.DB
	now func() time.Time
	// dummy is a hash checked for unknown logins so their timing matches.
	dummy string
	// tokens caches resolved API tokens (DefaultTokenCacheTTL).
	tokens *tokenCache
}

// NewService returns the auth service.
func NewService(db *store.DB, now func() time.Time) *Service {
	d, _ := HashPassword("kefu-dummy-password-for-timing")
	s := &Service{db: db, now: now, dummy: d, tokens: newTokenCache(DefaultTokenCacheTTL)}
	db.OnChanged(s.tokens.changed)
	return s
}

type credential struct {
	StaffID      string     `bun:"staff_id,pk"`
	PasswordHash string     `bun:"password_hash"`
	ChangedAt    time.Time  `bun:"changed_at"`
	MustChange   bool       `bun:"must_change"`
	FailedCount  int64      `bun:"failed_count"`
	LastFailedAt *time.Time `bun:"last_failed_at"`
	LockedUntil  *time.Time `bun:"locked_until"`

	bun.BaseModel `bun:"table:credentials"`
}

// ErrBadCredentials is returned for a wrong login or password; callers
// must not tell which.
var ErrBadCredentials = apperr.Unauthorized("登录名或密码错误")

// Login checks login and password and returns the principal. A locked
// login gets a RateLimited error saying until when.
func (s *Service) Login(ctx context.Context, login, password string) (*access.Principal, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var row struct {
		ID     string `bun:"id"`
		Active bool   `bun:"active"`
	}
	err := s.db.R().NewSelect().Table("staff").Column("id", "active").Where("login = ?", login).Scan(ctx, &row)
	if errors.Is(err, store.ErrNoRows) {
		_, _ = CheckPassword(s.dummy, password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	cred := new(credential)
	if err := s.db.R().NewSelect().Model(cred).Where("staff_id = ?", row.ID).Scan(ctx); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			_, _ = CheckPassword(s.dummy, password)
			return nil, ErrBadCredentials
		}
		return nil, err
	}
	now := s.now()
	if cred.LockedUntil != nil && now.Before(*cred.LockedUntil) {
		left := int((cred.LockedUntil.Sub(now) + time.Minute - 1) / time.Minute) // minutes, rounded up
		return nil, apperr.RateLimited(fmt.Sprintf("密码错误次数过多，账号已锁定，请 %d 分钟后再试", left))
	}
	ok, err := CheckPassword(cred.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok || !row.Active {
		if ok && !row.Active {
			return nil, ErrBadCredentials
		}
		return nil, s.recordFailure(ctx, row.ID, now)
	}
	if cred.FailedCount > 0 || cred.LockedUntil != nil {
		err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewUpdate().Table("credentials").Set("failed_count = 0").Set("locked_until = NULL").
				Where("staff_id = ?", row.ID).Exec(ctx)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	p, err := s.Principal(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	p.Via = "session"
	return p, nil
}

func (s *Service) recordFailure(ctx context.Context, staffID string, now time.Time) error {
	locked := false
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		cred := new(credential)
		if err := tx.NewSelect().Model(cred).Where("staff_id = ?", staffID).Scan(ctx); err != nil {
			return err
		}
		cred.FailedCount++
		t := store.Time(now)
		cred.LastFailedAt = &t
		if cred.FailedCount >= MaxFailures {
			until := store.Time(now.Add(LockFor))
			cred.LockedUntil = &until
			cred.FailedCount = 0
			locked = true
		}
		_, err := tx.NewUpdate().Model(cred).Column("failed_count", "last_failed_at", "locked_until").WherePK().Exec(ctx)
		if err != nil {
			return err
		}
		if locked {
			return audit.Record(access.With(ctx, access.System()), tx, now, audit.Change{Action: "lock", Entity: "staff",
				EntityID: staffID, Summary: fmt.Sprintf("连续 %d 次密码错误，账号锁定 %d 分钟", MaxFailures, int(LockFor.Minutes()))})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if locked {
		return apperr.RateLimited(fmt.Sprintf("密码错误次数过多，账号已锁定 %d 分钟", int(LockFor.Minutes())))
	}
	return ErrBadCredentials
}

// SetPassword sets a staff member's password (admin reset or first
// setup). mustChange asks the person to change it at next login.
func (s *Service) SetPassword(ctx context.Context, staffID, password string, mustChange bool) error {
	var login string
	if err := s.db.R().NewSelect().Table("staff").Column("login").Where("id = ?", staffID).Scan(ctx, &login); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			return apperr.NotFound("staff")
		}
		return err
	}
	if err := ValidatePassword(login, password); err != nil {
		return apperr.Invalid("password", err.Error())
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := store.Time(s.now())
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&credential{StaffID: staffID, PasswordHash: hash, ChangedAt: now, MustChange: mustChange}).
			On("CONFLICT (staff_id) DO UPDATE").
			Set("password_hash = EXCLUDED.password_hash, changed_at = EXCLUDED.changed_at, must_change = EXCLUDED.must_change, failed_count = 0, locked_until = NULL").
			Exec(ctx)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "password", Entity: "staff", EntityID: staffID,
			Summary: "设置密码 " + login})
	})
	if err == nil {
		// A password reset is often a reaction to a leak: the person's
		// tokens are looked up afresh (revoking them is a separate step).
		s.db.Changed(store.ChangeStaff, staffID)
	}
	return err
}

// ChangePassword changes the caller's own password after checking the old one.
func (s *Service) ChangePassword(ctx context.Context, staffID, oldPassword, newPassword string) error {
	cred := new(credential)
	if err := s.db.R().NewSelect().Model(cred).Where("staff_id = ?", staffID).Scan(ctx); err != nil {
		return apperr.Invalid("old_password", "原密码不正确")
	}
	now := s.now()
	if cred.LockedUntil != nil && now.Before(*cred.LockedUntil) {
		return apperr.RateLimited("密码错误次数过多，账号已锁定，请稍后再试")
	}
	ok, err := CheckPassword(cred.PasswordHash, oldPassword)
	if err != nil {
		return err
	}
	if !ok {
		// A wrong old password counts toward the lock-out like a failed login,
		// so a hijacked session cannot guess the password.
		if err := s.recordFailure(ctx, staffID, now); apperr.Is(err, apperr.KindRateLimited) {
			return err
		} else if err != nil && !apperr.Is(err, apperr.KindUnauthorized) {
			return err
		}
		return apperr.Invalid("old_password", "原密码不正确")
	}
	if oldPassword == newPassword {
		return apperr.Invalid("new_password", "新密码不能与原密码相同")
	}
	if err := s.SetPassword(ctx, staffID, newPassword, false); err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "password" {
			return apperr.Invalid("new_password", e.Message)
		}
		return err
	}
	return nil
}

// MustChangePassword reports whether the staff member has to set a new password.
func (s *Service) MustChangePassword(ctx context.Context, staffID string) (bool, error) {
	var must bool
	err := s.db.R().NewSelect().Table("credentials").Column("must_change").Where("staff_id = ?", staffID).Scan(ctx, &must)
	if errors.Is(err, store.ErrNoRows) {
		return false, nil
	}
	return must, err
}

// Principal loads the current identity and roles of an active staff
// member. It is called per request, so role changes and departures take
// effect at once.
func (s *Service) Principal(ctx context.Context, staffID string) (*access.Principal, error) {
	var row struct {
		ID     string `bun:"id"`
		Login  string `bun:"login"`
		Name   string `bun:"name"`
		Locale string `bun:"locale"`
		Active bool   `bun:"active"`
	}
	err := s.db.R().NewSelect().Table("staff").Column("id", "login", "name", "locale", "active").
		Where("id = ?", staffID).Scan(ctx, &row)
	if errors.Is(err, store.ErrNoRows) || (err == nil && !row.Active) {
		return nil, apperr.Unauthorized("账号不存在或已停用")
	}
	if err != nil {
		return nil, err
	}
	var roles []string
	if err := s.db.R().NewSelect().Table("staff_roles").Column("role").Where("staff_id = ?", staffID).Scan(ctx, &roles); err != nil {
		return nil, err
	}
	p := &access.Principal{StaffID: row.ID, Login: row.Login, Name: row.Name, Locale: row.Locale}
	for _, r := range roles {
		p.Roles = append(p.Roles, access.Role(r))
	}
	return p, nil
}
