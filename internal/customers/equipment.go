package customers

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
)

// Equipment is a unit under service (机组/设备).
type Equipment struct {
	ID          string    `bun:"id,pk" json:"id"`
	CustomerID  string    `bun:"customer_id" json:"customer_id"`
	Kind        string    `bun:"kind" json:"kind"` // e.g. 冷水机组, 风机盘管
	Brand       string    `bun:"brand" json:"brand"`
	Model       string    `bun:"model" json:"model"`
	Serial      string    `bun:"serial" json:"serial"`
	Location    string    `bun:"location" json:"location"`
	Params      string    `bun:"params" json:"params"` // rated parameters, free text
	InstalledOn *string   `bun:"installed_on" json:"installed_on"`
	Active      bool      `bun:"active" json:"active"`
	Notes       string    `bun:"notes" json:"notes"`
	Version     int64     `bun:"version" json:"version"`
	CreatedAt   time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:equipment"`
}

// EquipmentInput is what a caller sets on equipment.
type EquipmentInput struct {
	Kind        string `json:"kind"`
	Brand       string `json:"brand"`
	Model       string `json:"model"`
	Serial      string `json:"serial"`
	Location    string `json:"location"`
	Params      string `json:"params"`
	InstalledOn string `json:"installed_on"`
	Active      *bool  `json:"active"`
	Notes       string `json:"notes"`
	Change
}

func (in *EquipmentInput) normalise() error {
	for _, p := range []*string{&in.Kind, &in.Brand, &in.Model, &in.Serial, &in.Location, &in.Params, &in.Notes} {
		*p = strings.TrimSpace(*p)
	}
	return firstErr([]error{text("kind", in.Kind, 1, 50), text("brand", in.Brand, 0, 50), text("model", in.Model, 0, 100),
		text("serial", in.Serial, 0, 100), text("location", in.Location, 0, 200), text("params", in.Params, 0, 2000),
		text("notes", in.Notes, 0, 1000), date("installed_on", in.InstalledOn)})
}

func (in *EquipmentInput) apply(e *Equipment) {
	e.Kind, e.Brand, e.Model, e.Serial, e.Location = in.Kind, in.Brand, in.Model, in.Serial, in.Location
	e.Params, e.Notes, e.InstalledOn = in.Params, in.Notes, optional(in.InstalledOn)
	if in.Active != nil {
		e.Active = *in.Active
	}
}

// AddEquipment adds a unit to a customer.
func (s *Service) AddEquipment(ctx context.Context, customerID string, in EquipmentInput) (*Equipment, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	var out *Equipment
	err := s.edit(ctx, customerID, in.Change, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		e := &Equipment{ID: store.NewID(), CustomerID: customerID, Active: true, Version: 1, CreatedAt: rec.at, UpdatedAt: rec.at}
		in.apply(e)
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return err
		}
		out = e
		return s.logChange(ctx, tx, rec, customerID, "equipment", e.ID, "create", "新增设备 "+e.Kind+" "+e.Model, nil, e, c.OwnerID)
	})
	return out, err
}

// UpdateEquipment changes a unit at the version the caller read.
func (s *Service) UpdateEquipment(ctx context.Context, id string, version int64, in EquipmentInput) (*Equipment, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	before := new(Equipment)
	if err := s.db.R().NewSelect().Model(before).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "equipment")
	}
	var out *Equipment
	err := s.edit(ctx, before.CustomerID, in.Change, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		if err := tx.NewSelect().Model(before).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err, "equipment")
		}
		after := *before
		in.apply(&after)
		after.Version, after.UpdatedAt = version+1, rec.at
		if err := updateAt(ctx, tx, &after, id, version, "kind", "brand", "model", "serial", "location", "params",
			"installed_on", "active", "notes", "version", "updated_at"); err != nil {
			return err
		}
		out = &after
		return s.logChange(ctx, tx, rec, c.ID, "equipment", id, "update", "修改设备 "+after.Kind+" "+after.Model, before, &after, c.OwnerID)
	})
	return out, err
}

// EquipmentOf lists a customer's equipment.
func (s *Service) EquipmentOf(ctx context.Context, customerID string) ([]Equipment, error) {
	if err := s.readable(ctx, customerID); err != nil {
		return nil, err
	}
	var out []Equipment
	err := s.db.R().NewSelect().Model(&out).Where("customer_id = ?", customerID).OrderExpr("active DESC, kind, model, id").Scan(ctx)
	return out, err
}
