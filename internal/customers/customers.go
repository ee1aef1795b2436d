// Package customers is the customer archive (客户档案, SPEC §3): customers
// with class, region, owning specialist (分管客服) and sales owner (orphan
// customers 孤儿客户 when the sales owner has left), contacts with history
// and the decision-maker flag (负责人), equipment under service, electronic
// files, the paper-original location, and the WeChat service group
// (客户服务微信群) with its members. Every change records the day it
// became known (知悉日期) so that changes recorded on a later day — the
// same-day rule 有变化时当日更新 — are listed as late.
package customers

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/store"
)

// Service reads and changes the archive.
type Service struct {
	db    *store.DB
	blobs blob.Store
	now   func() time.Time
	loc   *time.Location
	// SpecialistReadAll lets specialists read customers they do not own
	// (they always edit only their own).
	specialistReadAll bool
}

// Options configure the service.
type Options struct {
	Location          *time.Location
	SpecialistReadAll bool
}

// NewService returns the archive service.
func NewService(db *store.DB, blobs blob.Store, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, blobs: blobs, now: now, loc: loc, specialistReadAll: opts.SpecialistReadAll}
}

// Customer is one customer (客户).
type Customer struct {
	ID              string  `bun:"id,pk" json:"id"`
	Code            string  `bun:"code" json:"code"`
	Name            string  `bun:"name" json:"name"`
	Class           string  `bun:"class" json:"class"` // A/B/C/D 分级
	RegionID        string  `bun:"region_id" json:"region_id"`
	OwnerID         *string `bun:"owner_id" json:"owner_id"`             // 分管客服
	SalesOwnerID    *string `bun:"sales_owner_id" json:"sales_owner_id"` // 销售负责人
	Address         string  `bun:"address" json:"address"`
	Status          string  `bun:"status" json:"status"` // active / lost
	Notes           string  `bun:"notes" json:"notes"`
	PaperLocation   string  `bun:"paper_location" json:"paper_location"`       // 纸质档案存放位置
	PaperReceivedBy string  `bun:"paper_received_by" json:"paper_received_by"` // 纸质原件接收人
	PaperReceivedOn *string `bun:"paper_received_on" json:"paper_received_on"`
	// Since (建档日期, YYYY-MM-DD, optional) is when the relationship began:
	// records and tickets dated before it are refused.
	Since     *string   `bun:"since" json:"since"`
	Version   int64     `bun:"version" json:"version"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:customers"`
}

// CustomerView is a customer with the names a person reads instead of ids.
type CustomerView struct {
	Customer       `bun:",extend"`
	RegionName     string `bun:"region_name" json:"region_name"`
	OwnerName      string `bun:"owner_name" json:"owner_name"`
	SalesOwnerName string `bun:"sales_owner_name" json:"sales_owner_name"`
	// Orphan (孤儿客户): the sales owner has left the company.
	Orphan bool `bun:"orphan" json:"orphan"`
}

// Classes are the customer classes of 分级管理.
var Classes = []string{"A", "B", "C", "D"}

// Statuses are the customer statuses.
var Statuses = []string{"active", "lost"}

// CustomerInput is what a caller sets on a customer.
type CustomerInput struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	Class           string `json:"class"`
	RegionID        string `json:"region_id"`
	OwnerID         string `json:"owner_id"`
	SalesOwnerID    string `json:"sales_owner_id"`
	Address         string `json:"address"`
	Status          string `json:"status"`
	Notes           string `json:"notes"`
	PaperLocation   string `json:"paper_location"`
	PaperReceivedBy string `json:"paper_received_by"`
	PaperReceivedOn string `json:"paper_received_on"`
	Since           string `json:"since"`
	Change
}

// Change carries when an archive change became known (知悉日期,
// YYYY-MM-DD, default today) and, for migrating history, when it was
// really recorded (managers and admins only; default now).
type Change struct {
	KnownOn    string     `json:"known_on,omitempty"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"`
}

func (in *CustomerInput) normalise() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.Class = strings.ToUpper(strings.TrimSpace(in.Class))
	in.Address = strings.TrimSpace(in.Address)
	in.Status = strings.TrimSpace(in.Status)
	if in.Status == "" {
		in.Status = "active"
	}
	checks := []error{
		text("code", in.Code, 0, 32), text("name", in.Name, 1, 100), text("address", in.Address, 0, 200),
		text("notes", in.Notes, 0, 2000), text("paper_location", in.PaperLocation, 0, 100),
		text("paper_received_by", in.PaperReceivedBy, 0, 50), date("paper_received_on", in.PaperReceivedOn),
		date("since", in.Since),
	}
	if err := errors.Join(checks...); err != nil {
		return firstErr(checks)
	}
	if !contains(Classes, in.Class) {
		return apperr.Invalid("class", "客户等级须为 A、B、C 或 D")
	}
	if !contains(Statuses, in.Status) {
		return apperr.Invalid("status", "状态须为 active 或 lost")
	}
	if in.RegionID == "" {
		return apperr.Invalid("region_id", "请选择区域")
	}
	return nil
}

// CanWrite reports whether p may change customer c: managers and admins
// always; a specialist only for the customers they own.
func CanWrite(p *access.Principal, c *Customer) bool {
	if p == nil || !p.Can(access.CustomerWrite) {
		return false
	}
	if p.IsManagerial() {
		return true
	}
	return p.Has(access.CSSpecialist) && c.OwnerID != nil && *c.OwnerID == p.StaffID
}

func (s *Service) canRead(p *access.Principal, c *Customer) bool {
	if p == nil || !p.Can(access.CustomerRead) {
		return false
	}
	if s.specialistReadAll || !p.OnlySpecialist() {
		return true
	}
	return c.OwnerID != nil && *c.OwnerID == p.StaffID
}

// CreateCustomer adds a customer. A specialist who is not a manager
// creates customers they own.
func (s *Service) CreateCustomer(ctx context.Context, in CustomerInput) (*Customer, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CustomerWrite) {
		return nil, apperr.Forbidden("无权新建客户")
	}
	if err := in.normalise(); err != nil {
		return nil, err
	}
	if !p.IsManagerial() {
		if in.OwnerID != "" && in.OwnerID != p.StaffID {
			return nil, apperr.Forbidden("专员只能新建自己分管的客户")
		}
		in.OwnerID = p.StaffID
	}
	if in.Code == "" {
		in.Code = newCode()
	}
	rec, err := s.recording(p, in.Change)
	if err != nil {
		return nil, err
	}
	c := &Customer{ID: store.NewID(), Version: 1, CreatedAt: rec.at, UpdatedAt: rec.at}
	in.apply(c)
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := checkCustomerRefs(ctx, tx, in); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return customerConflict(err)
		}
		return s.logChange(ctx, tx, rec, c.ID, "customer", c.ID, "create", "新建客户 "+c.Name, nil, c, c.OwnerID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (in *CustomerInput) apply(c *Customer) {
	c.Code, c.Name, c.Class, c.RegionID = in.Code, in.Name, in.Class, in.RegionID
	c.OwnerID, c.SalesOwnerID = optional(in.OwnerID), optional(in.SalesOwnerID)
	c.Address, c.Status, c.Notes = in.Address, in.Status, strings.TrimSpace(in.Notes)
	c.PaperLocation, c.PaperReceivedBy = strings.TrimSpace(in.PaperLocation), strings.TrimSpace(in.PaperReceivedBy)
	c.PaperReceivedOn = optional(in.PaperReceivedOn)
	c.Since = optional(strings.TrimSpace(in.Since))
}

func checkCustomerRefs(ctx context.Context, db bun.IDB, in CustomerInput) error {
	if err := requireRow(ctx, db, "regions", "region_id", in.RegionID); err != nil {
		return err
	}
	if in.OwnerID != "" {
		n, err := db.NewSelect().Table("staff_roles").Where("staff_id = ? AND role = ?", in.OwnerID, string(access.CSSpecialist)).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Invalid("owner_id", "分管客服须为在册客服专员")
		}
	}
	return requireRow(ctx, db, "staff", "sales_owner_id", in.SalesOwnerID)
}

func customerConflict(err error) error {
	if store.IsUniqueViolation(err) {
		if strings.Contains(err.Error(), "code") {
			return apperr.Conflict("code", "客户编号已存在")
		}
		return apperr.Conflict("name", "同一区域内已有同名客户")
	}
	return err
}

// UpdateCustomer changes a customer at the version the caller read.
// Changing the owning specialist or the sales owner needs CustomerAssign.
func (s *Service) UpdateCustomer(ctx context.Context, id string, version int64, in CustomerInput) (*Customer, error) {
	p := access.Caller(ctx)
	if err := in.normalise(); err != nil {
		return nil, err
	}
	rec, err := s.recording(p, in.Change)
	if err != nil {
		return nil, err
	}
	var out *Customer
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := getCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		if !CanWrite(p, before) {
			return apperr.Forbidden("只能修改自己分管的客户")
		}
		if !p.Can(access.CustomerAssign) {
			// Without the right to assign, empty owner fields mean "unchanged".
			if in.OwnerID == "" {
				in.OwnerID = deref(before.OwnerID)
			}
			if in.SalesOwnerID == "" {
				in.SalesOwnerID = deref(before.SalesOwnerID)
			}
		}
		if (deref(before.OwnerID) != in.OwnerID || deref(before.SalesOwnerID) != in.SalesOwnerID) && !p.Can(access.CustomerAssign) {
			return apperr.Forbidden("只有客服经理可以调整分管客服或销售负责人")
		}
		if in.Code == "" {
			in.Code = before.Code
		}
		if err := checkCustomerRefs(ctx, tx, in); err != nil {
			return err
		}
		after := *before
		in.apply(&after)
		after.Version, after.UpdatedAt = version+1, rec.at
		res, err := tx.NewUpdate().Model(&after).ExcludeColumn("id", "created_at").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return customerConflict(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		out = &after
		return s.logChange(ctx, tx, rec, id, "customer", id, "update", "修改客户 "+after.Name, before, &after, after.OwnerID)
	})
	return out, err
}

func getCustomer(ctx context.Context, db bun.IDB, id string) (*Customer, error) {
	c := new(Customer)
	if err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "customer")
	}
	return c, nil
}

// writable loads a customer inside tx and checks p may change it.
func writable(ctx context.Context, tx bun.IDB, p *access.Principal, customerID string) (*Customer, error) {
	c, err := getCustomer(ctx, tx, customerID)
	if err != nil {
		return nil, err
	}
	if !CanWrite(p, c) {
		return nil, apperr.Forbidden("只能修改自己分管的客户")
	}
	return c, nil
}

const viewColumns = `c.*, r.name AS region_name, COALESCE(o.name, '') AS owner_name,
	COALESCE(so.name, '') AS sales_owner_name,
	CASE WHEN so.id IS NOT NULL AND so.active = FALSE THEN TRUE ELSE FALSE END AS orphan`

const viewJoins = `FROM customers c
	JOIN regions r ON r.id = c.region_id
	LEFT JOIN staff o ON o.id = c.owner_id
	LEFT JOIN staff so ON so.id = c.sales_owner_id`

// GetCustomer returns one customer with names, if the caller may read it.
func (s *Service) GetCustomer(ctx context.Context, id string) (*CustomerView, error) {
	v := new(CustomerView)
	err := s.db.R().NewRaw("SELECT "+viewColumns+" "+viewJoins+" WHERE c.id = ?", id).Scan(ctx, v)
	if err != nil {
		return nil, notFound(err, "customer")
	}
	if !s.canRead(access.Caller(ctx), &v.Customer) {
		return nil, apperr.Forbidden("无权查看该客户")
	}
	return v, nil
}
