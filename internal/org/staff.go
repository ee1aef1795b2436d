package org

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// CreateStaff adds a staff member with roles. Only callers with
// access.StaffWrite reach it (the route table checks).
func (s *Service) CreateStaff(ctx context.Context, in StaffInput) (*Staff, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	now := store.Time(s.now())
	st := &Staff{
		ID: store.NewID(), Login: in.Login, Name: in.Name, Phone: in.Phone, Email: in.Email,
		Title: in.Title, DepartmentID: optional(in.DepartmentID), SupervisorID: optional(in.SupervisorID),
		GroupID: optional(in.GroupID), Active: true, Locale: in.Locale, Version: 1,
		CreatedAt: now, UpdatedAt: now, Roles: in.Roles,
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkRefs(ctx, tx, st.ID, in); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(st).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("login", "登录名已存在")
			}
			return err
		}
		if err := writeRoles(ctx, tx, st.ID, in.Roles); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "staff", EntityID: st.ID,
			Summary: "新增员工 " + st.Name + " (" + st.Login + ")", After: st})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) checkRefs(ctx context.Context, db bun.IDB, selfID string, in StaffInput) error {
	if err := requireID(ctx, db, "departments", "department_id", in.DepartmentID); err != nil {
		return err
	}
	if in.SupervisorID == selfID && selfID != "" {
		return apperr.Invalid("supervisor_id", "直属上级不能是本人")
	}
	if err := requireID(ctx, db, "staff", "supervisor_id", in.SupervisorID); err != nil {
		return err
	}
	if err := requireID(ctx, db, "maint_groups", "group_id", in.GroupID); err != nil {
		return err
	}
	// A supervisor chain must not loop back to this person.
	for cur, hops := in.SupervisorID, 0; cur != "" && selfID != ""; hops++ {
		if cur == selfID || hops > 50 {
			return apperr.Invalid("supervisor_id", "直属上级关系不能形成循环")
		}
		var next *string
		if err := db.NewSelect().Table("staff").Column("supervisor_id").Where("id = ?", cur).Scan(ctx, &next); err != nil {
			return err
		}
		if next == nil {
			break
		}
		cur = *next
	}
	return nil
}

func writeRoles(ctx context.Context, tx bun.IDB, staffID string, roles []access.Role) error {
	if _, err := tx.NewDelete().Table("staff_roles").Where("staff_id = ?", staffID).Exec(ctx); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.NewRaw("INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)", staffID, string(r)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// UpdateStaff changes a staff member. version must be the version the
// caller read; a stale version is a conflict, never a silent overwrite.
func (s *Service) UpdateStaff(ctx context.Context, id string, version int64, in StaffInput) (*Staff, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	now := store.Time(s.now())
	var out *Staff
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := getStaff(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.checkRefs(ctx, tx, id, in); err != nil {
			return err
		}
		after := *before
		after.Login, after.Name, after.Phone, after.Email, after.Title = in.Login, in.Name, in.Phone, in.Email, in.Title
		after.DepartmentID, after.SupervisorID, after.GroupID = optional(in.DepartmentID), optional(in.SupervisorID), optional(in.GroupID)
		after.Locale, after.Roles = in.Locale, in.Roles
		after.Version, after.UpdatedAt = version+1, now
		res, err := tx.NewUpdate().Model(&after).
			Column("login", "name", "phone", "email", "title", "department_id", "supervisor_id", "group_id", "locale", "version", "updated_at").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("login", "登录名已存在")
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		if err := writeRoles(ctx, tx, id, in.Roles); err != nil {
			return err
		}
		out = &after
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "staff", EntityID: id,
			Summary: "修改员工 " + after.Name, Before: before, After: after})
	})
	if err == nil {
		// Login, name, locale and roles make up the principal: cached ones
		// (API tokens) must be dropped.
		s.db.Changed(store.ChangeStaff, id)
	}
	return out, err
}

// SetActive marks a staff member as having left (离职, with the day) or
// back at work. A person who left keeps their history; their customers'
// sales ownership turns them into orphan customers (孤儿客户).
func (s *Service) SetActive(ctx context.Context, id string, version int64, active bool, leftOn string) (*Staff, error) {
	now := store.Time(s.now())
	if !active {
		if leftOn == "" {
			leftOn = now.In(s.loc).Format(time.DateOnly)
		}
		if _, err := time.Parse(time.DateOnly, leftOn); err != nil {
			return nil, apperr.Invalid("left_on", "日期格式应为 YYYY-MM-DD")
		}
	}
	if p := access.From(ctx); p != nil && p.StaffID == id && !active {
		return nil, apperr.Invalid("active", "不能将自己设为离职")
	}
	var out *Staff
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := getStaff(ctx, tx, id)
		if err != nil {
			return err
		}
		after := *before
		after.Active, after.Version, after.UpdatedAt = active, version+1, now
		after.LeftOn = nil
		if !active {
			after.LeftOn = &leftOn
		}
		res, err := tx.NewUpdate().Model(&after).Column("active", "left_on", "version", "updated_at").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		out = &after
		summary := "员工复职 " + after.Name
		if !active {
			summary = "员工离职 " + after.Name + " " + leftOn
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "staff", EntityID: id,
			Summary: summary, Before: before, After: after})
	})
	if err == nil {
		s.db.Changed(store.ChangeStaff, id) // a person who left is refused at once
	}
	return out, err
}

func getStaff(ctx context.Context, db bun.IDB, id string) (*Staff, error) {
	st := new(Staff)
	if err := db.NewSelect().Model(st).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundAs(err, "staff")
	}
	roles, err := loadRoles(ctx, db, []string{id})
	if err != nil {
		return nil, err
	}
	st.Roles = roles[id]
	return st, nil
}

func loadRoles(ctx context.Context, db bun.IDB, ids []string) (map[string][]access.Role, error) {
	out := map[string][]access.Role{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		StaffID string `bun:"staff_id"`
		Role    string `bun:"role"`
	}
	if err := db.NewSelect().Table("staff_roles").Column("staff_id", "role").Where("staff_id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.StaffID] = append(out[r.StaffID], access.Role(r.Role))
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b access.Role) int {
			return slices.Index(access.AllRoles, a) - slices.Index(access.AllRoles, b)
		})
	}
	return out, nil
}

// GetStaff returns one staff member with roles.
func (s *Service) GetStaff(ctx context.Context, id string) (*Staff, error) {
	return getStaff(ctx, s.db.R(), id)
}

// StaffByLogin returns the staff member with login.
func (s *Service) StaffByLogin(ctx context.Context, login string) (*Staff, error) {
	st := new(Staff)
	if err := s.db.R().NewSelect().Model(st).Where("login = ?", strings.ToLower(strings.TrimSpace(login))).Scan(ctx); err != nil {
		return nil, notFoundAs(err, "staff")
	}
	return s.GetStaff(ctx, st.ID)
}

// StaffFilter selects staff for lists.
type StaffFilter struct {
	Role       access.Role
	Active     *bool
	Department string
	GroupID    string
	Query      string // name, login or phone contains
}

// ListStaff returns staff ordered by name. Organisations are small (tens
// to hundreds), so no paging.
func (s *Service) ListStaff(ctx context.Context, f StaffFilter) ([]Staff, error) {
	q := s.db.R().NewSelect().Model((*Staff)(nil))
	if f.Role != "" {
		q = q.Where("id IN (SELECT staff_id FROM staff_roles WHERE role = ?)", string(f.Role))
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.Department != "" {
		q = q.Where("department_id = ?", f.Department)
	}
	if f.GroupID != "" {
		q = q.Where("group_id = ?", f.GroupID)
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		p := store.ContainsPattern(strings.ToLower(qs))
		q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR login LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\')`, p, p, p)
	}
	var out []Staff
	if err := q.OrderExpr("active DESC, name, id").Scan(ctx, &out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	roles, err := loadRoles(ctx, s.db.R(), ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return out, nil
}

// Names returns id → name for the given staff ids (for display).
func (s *Service) Names(ctx context.Context) (map[string]string, error) {
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	if err := s.db.R().NewSelect().Table("staff").Column("id", "name").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("org: staff names: %w", err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.ID] = r.Name
	}
	return m, nil
}
