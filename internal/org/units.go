package org

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Department is a department (部门), e.g. 客服中心.
type Department struct {
	ID        string    `bun:"id,pk" json:"id"`
	Name      string    `bun:"name" json:"name"`
	ParentID  *string   `bun:"parent_id" json:"parent_id"`
	Version   int64     `bun:"version" json:"version"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:departments"`
}

// Group is a maintenance group (维修组) led by a supervisor (维修主管/组长).
type Group struct {
	ID           string    `bun:"id,pk" json:"id"`
	Name         string    `bun:"name" json:"name"`
	SupervisorID *string   `bun:"supervisor_id" json:"supervisor_id"`
	Version      int64     `bun:"version" json:"version"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:maint_groups"`
}

// Region is a service region (区域) with its maintenance group and the
// specialist who owns its customers (分管客服).
type Region struct {
	ID           string    `bun:"id,pk" json:"id"`
	Name         string    `bun:"name" json:"name"`
	Code         string    `bun:"code" json:"code"`
	GroupID      *string   `bun:"group_id" json:"group_id"`
	SpecialistID *string   `bun:"specialist_id" json:"specialist_id"`
	Version      int64     `bun:"version" json:"version"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:regions"`
}

// UnitInput sets a department, group or region. Fields that do not apply
// to the kind are ignored.
type UnitInput struct {
	Name         string `json:"name"`
	Code         string `json:"code"`
	ParentID     string `json:"parent_id"`
	SupervisorID string `json:"supervisor_id"`
	GroupID      string `json:"group_id"`
	SpecialistID string `json:"specialist_id"`
}

func (in *UnitInput) normalise() error {
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	if err := checkText("name", in.Name, 1, 50); err != nil {
		return err
	}
	return checkText("code", in.Code, 0, 20)
}

// unitRow lets one save path serve departments, groups and regions.
type unitRow interface {
	ident() (id, name string)
}

func (d *Department) ident() (string, string) { return d.ID, d.Name }
func (g *Group) ident() (string, string)      { return g.ID, g.Name }
func (r *Region) ident() (string, string)     { return r.ID, r.Name }

// saveUnit inserts row (id == "") or updates it at version; prev is an
// empty row of the same type that receives the state before the update.
func saveUnit(ctx context.Context, s *Service, entity, label string, row, prev unitRow, id string, version int64,
	refs func(ctx context.Context, tx bun.IDB) error, apply func(now time.Time)) error {
	now := store.Time(s.now())
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := refs(ctx, tx); err != nil {
			return err
		}
		var before any
		if id != "" {
			if err := tx.NewSelect().Model(prev).Where("id = ?", id).Scan(ctx); err != nil {
				return notFoundAs(err, entity)
			}
			before = prev
		}
		apply(now)
		action, verb := "create", "新增"
		var err error
		if id == "" {
			_, err = tx.NewInsert().Model(row).Exec(ctx)
		} else {
			action, verb = "update", "修改"
			var res sql.Result
			res, err = tx.NewUpdate().Model(row).ExcludeColumn("id", "created_at").
				Where("id = ? AND version = ?", id, version).Exec(ctx)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return staleVersion()
				}
			}
		}
		if err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("name", label+"名称已存在")
			}
			return err
		}
		rid, name := row.ident()
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: entity, EntityID: rid,
			Summary: verb + label + " " + name, Before: before, After: row})
	})
}

// SaveDepartment creates (id == "") or updates a department.
func (s *Service) SaveDepartment(ctx context.Context, id string, version int64, in UnitInput) (*Department, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	d := &Department{ID: id, Name: in.Name, ParentID: optional(in.ParentID)}
	prev := new(Department)
	err := saveUnit(ctx, s, "department", "部门", d, prev, id, version,
		func(ctx context.Context, tx bun.IDB) error {
			if id != "" && in.ParentID == id {
				return apperr.Invalid("parent_id", "上级部门不能是本部门")
			}
			if err := requireID(ctx, tx, "departments", "parent_id", in.ParentID); err != nil {
				return err
			}
			// The parent chain must not loop back to this department.
			for cur, hops := in.ParentID, 0; cur != "" && id != ""; hops++ {
				if cur == id || hops > 50 {
					return apperr.Invalid("parent_id", "上级部门关系不能形成循环")
				}
				var next *string
				if err := tx.NewSelect().Table("departments").Column("parent_id").Where("id = ?", cur).Scan(ctx, &next); err != nil {
					return err
				}
				if next == nil {
					break
				}
				cur = *next
			}
			return nil
		},
		func(now time.Time) {
			stamp(&d.ID, &d.Version, &d.CreatedAt, &d.UpdatedAt, id, version, now, prev.CreatedAt)
		})
	return d, err
}

// SaveGroup creates or updates a maintenance group.
func (s *Service) SaveGroup(ctx context.Context, id string, version int64, in UnitInput) (*Group, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	g := &Group{ID: id, Name: in.Name, SupervisorID: optional(in.SupervisorID)}
	prev := new(Group)
	err := saveUnit(ctx, s, "group", "维修组", g, prev, id, version,
		func(ctx context.Context, tx bun.IDB) error {
			return requireID(ctx, tx, "staff", "supervisor_id", in.SupervisorID)
		},
		func(now time.Time) {
			stamp(&g.ID, &g.Version, &g.CreatedAt, &g.UpdatedAt, id, version, now, prev.CreatedAt)
		})
	return g, err
}

// SaveRegion creates or updates a region.
func (s *Service) SaveRegion(ctx context.Context, id string, version int64, in UnitInput) (*Region, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	r := &Region{ID: id, Name: in.Name, Code: in.Code, GroupID: optional(in.GroupID), SpecialistID: optional(in.SpecialistID)}
	prev := new(Region)
	err := saveUnit(ctx, s, "region", "区域", r, prev, id, version,
		func(ctx context.Context, tx bun.IDB) error {
			if err := requireID(ctx, tx, "maint_groups", "group_id", in.GroupID); err != nil {
				return err
			}
			return requireID(ctx, tx, "staff", "specialist_id", in.SpecialistID)
		},
		func(now time.Time) {
			stamp(&r.ID, &r.Version, &r.CreatedAt, &r.UpdatedAt, id, version, now, prev.CreatedAt)
		})
	return r, err
}

// stamp fills id, version and timestamps for a create or an update (which
// keeps prevCreated, the creation time of the row before the update).
func stamp(idp *string, vp *int64, created, updated *time.Time, id string, version int64, now, prevCreated time.Time) {
	if id == "" {
		*idp, *vp, *created = store.NewID(), 1, now
	} else {
		*vp, *created = version+1, prevCreated
	}
	*updated = now
}

// Departments lists departments by name.
func (s *Service) Departments(ctx context.Context) ([]Department, error) {
	var out []Department
	err := s.db.R().NewSelect().Model(&out).OrderExpr("name, id").Scan(ctx)
	return out, err
}

// Groups lists maintenance groups by name.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	var out []Group
	err := s.db.R().NewSelect().Model(&out).OrderExpr("name, id").Scan(ctx)
	return out, err
}

// Regions lists regions by name.
func (s *Service) Regions(ctx context.Context) ([]Region, error) {
	var out []Region
	err := s.db.R().NewSelect().Model(&out).OrderExpr("name, id").Scan(ctx)
	return out, err
}

// GetRegion returns one region.
func (s *Service) GetRegion(ctx context.Context, id string) (*Region, error) {
	r := new(Region)
	if err := s.db.R().NewSelect().Model(r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundAs(err, "region")
	}
	return r, nil
}
