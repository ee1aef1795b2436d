// Package org holds kefu's organisation (组织): staff members (every user is
// one), their roles, departments, maintenance groups (维修组) with their
// supervisors, and regions (区域) with their group and owning
// customer-service specialist (分管客服).
package org

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// Service reads and changes the organisation.
type Service struct {
	db  *store.DB
	now func() time.Time
	loc *time.Location
}

// NewService returns the organisation service.
func NewService(db *store.DB, now func() time.Time, opts ...Option) *Service {
	s := &Service{db: db, now: now, loc: time.UTC}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Option configures the service.
type Option func(*Service)

// WithLocation sets the company time zone, in which default dates (e.g.
// the day a person left) are taken.
func WithLocation(loc *time.Location) Option { return func(s *Service) { s.loc = loc } }

// Staff is a member of staff (员工). Roles are loaded with the record.
type Staff struct {
	ID           string        `bun:"id,pk" json:"id"`
	Login        string        `bun:"login" json:"login"`
	Name         string        `bun:"name" json:"name"`
	Phone        string        `bun:"phone" json:"phone"`
	Email        string        `bun:"email" json:"email"`
	Title        string        `bun:"title" json:"title"`
	DepartmentID *string       `bun:"department_id" json:"department_id"`
	SupervisorID *string       `bun:"supervisor_id" json:"supervisor_id"` // 直属上级
	GroupID      *string       `bun:"group_id" json:"group_id"`           // maintenance group of a supervisor/technician
	Active       bool          `bun:"active" json:"active"`
	LeftOn       *string       `bun:"left_on" json:"left_on"` // 离职日期 YYYY-MM-DD
	Locale       string        `bun:"locale" json:"locale"`
	Version      int64         `bun:"version" json:"version"`
	CreatedAt    time.Time     `bun:"created_at" json:"created_at"`
	UpdatedAt    time.Time     `bun:"updated_at" json:"updated_at"`
	Roles        []access.Role `bun:"-" json:"roles"`

	bun.BaseModel `bun:"table:staff"`
}

// StaffInput is what a caller sets on a staff member.
type StaffInput struct {
	Login        string        `json:"login"`
	Name         string        `json:"name"`
	Phone        string        `json:"phone"`
	Email        string        `json:"email"`
	Title        string        `json:"title"`
	DepartmentID string        `json:"department_id"`
	SupervisorID string        `json:"supervisor_id"`
	GroupID      string        `json:"group_id"`
	Roles        []access.Role `json:"roles"`
	Locale       string        `json:"locale"`
}

var loginRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.\-]{1,31}$`)

func (in *StaffInput) normalise() error {
	in.Login = strings.ToLower(strings.TrimSpace(in.Login))
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.Title = strings.TrimSpace(in.Title)
	if !loginRE.MatchString(in.Login) {
		return apperr.Invalid("login", "登录名须为 2–32 位小写字母、数字、点、横线或下划线")
	}
	if err := checkText("name", in.Name, 1, 50); err != nil {
		return err
	}
	if err := checkText("title", in.Title, 0, 50); err != nil {
		return err
	}
	if in.Phone = strings.TrimSpace(in.Phone); in.Phone != "" {
		p, err := tabular.ParsePhone(in.Phone)
		if err != nil {
			return apperr.Invalid("phone", "电话号码格式不正确")
		}
		in.Phone = p
	}
	if in.Email != "" && (!strings.Contains(in.Email, "@") || len(in.Email) > 100) {
		return apperr.Invalid("email", "邮箱格式不正确")
	}
	if len(in.Roles) == 0 {
		return apperr.Invalid("roles", "至少需要一个角色")
	}
	seen := map[access.Role]bool{}
	for _, r := range in.Roles {
		if !r.Valid() {
			return apperr.Invalid("roles", fmt.Sprintf("未知角色 %q", r))
		}
		if seen[r] {
			return apperr.Invalid("roles", fmt.Sprintf("角色 %q 重复", r))
		}
		seen[r] = true
	}
	// Canonical order, as loadRoles returns them, so what a write returns
	// and audits matches what a later read shows.
	in.Roles = slices.Clone(in.Roles)
	slices.SortFunc(in.Roles, func(a, b access.Role) int {
		return slices.Index(access.AllRoles, a) - slices.Index(access.AllRoles, b)
	})
	switch in.Locale {
	case "":
		in.Locale = "zh-CN"
	case "zh-CN", "en":
	default:
		return apperr.Invalid("locale", "语言须为 zh-CN 或 en")
	}
	return nil
}

// checkText validates a trimmed text field's length in characters.
func checkText(field, s string, min, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		return apperr.Invalid(field, "不能为空")
	case n < min:
		return apperr.Invalid(field, fmt.Sprintf("至少 %d 个字", min))
	case n > max:
		return apperr.Invalid(field, fmt.Sprintf("不能超过 %d 个字", max))
	}
	return nil
}

func optional(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}

// notFoundAs maps sql.ErrNoRows to a NotFound error about what.
func notFoundAs(err error, what string) error {
	if errors.Is(err, store.ErrNoRows) {
		return apperr.NotFound(what)
	}
	return err
}

// requireID checks that a referenced row exists.
func requireID(ctx context.Context, db bun.IDB, table, field, id string) error {
	if id == "" {
		return nil
	}
	n, err := db.NewSelect().Table(table).Where("id = ?", id).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.Invalid(field, "引用的记录不存在")
	}
	return nil
}

// staleVersion is the conflict returned when a row changed under an edit.
func staleVersion() error {
	return apperr.Conflict("version", "记录已被他人修改，请刷新后重试")
}
