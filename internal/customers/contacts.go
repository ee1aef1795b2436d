package customers

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// Contact is a person at a customer (联系人). Contacts are never deleted:
// one who leaves is set inactive, and every change stays in the history.
type Contact struct {
	ID            string    `bun:"id,pk" json:"id"`
	CustomerID    string    `bun:"customer_id" json:"customer_id"`
	Name          string    `bun:"name" json:"name"`
	Title         string    `bun:"title" json:"title"`
	Phone         string    `bun:"phone" json:"phone"`
	Phone2        string    `bun:"phone2" json:"phone2"`
	WeChat        string    `bun:"wechat" json:"wechat"`
	Email         string    `bun:"email" json:"email"`
	DecisionMaker bool      `bun:"decision_maker" json:"decision_maker"` // 负责人
	Active        bool      `bun:"active" json:"active"`
	Notes         string    `bun:"notes" json:"notes"`
	Version       int64     `bun:"version" json:"version"`
	CreatedAt     time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:contacts"`
}

// ContactInput is what a caller sets on a contact.
type ContactInput struct {
	Name          string `json:"name"`
	Title         string `json:"title"`
	Phone         string `json:"phone"`
	Phone2        string `json:"phone2"`
	WeChat        string `json:"wechat"`
	Email         string `json:"email"`
	DecisionMaker bool   `json:"decision_maker"`
	Active        *bool  `json:"active"`
	Notes         string `json:"notes"`
	Change
}

func (in *ContactInput) normalise() error {
	in.Name, in.Title = strings.TrimSpace(in.Name), strings.TrimSpace(in.Title)
	in.WeChat, in.Email = strings.TrimSpace(in.WeChat), strings.TrimSpace(in.Email)
	if err := firstErr([]error{text("name", in.Name, 1, 50), text("title", in.Title, 0, 50),
		text("wechat", in.WeChat, 0, 64), text("email", in.Email, 0, 100), text("notes", in.Notes, 0, 1000)}); err != nil {
		return err
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"phone", &in.Phone}, {"phone2", &in.Phone2}} {
		if *f.v = strings.TrimSpace(*f.v); *f.v == "" {
			continue
		}
		p, err := tabular.ParsePhone(*f.v)
		if err != nil {
			return apperr.Invalid(f.field, "电话号码格式不正确")
		}
		*f.v = p
	}
	if in.Email != "" && !strings.Contains(in.Email, "@") {
		return apperr.Invalid("email", "邮箱格式不正确")
	}
	return nil
}

func (in *ContactInput) apply(c *Contact) {
	c.Name, c.Title, c.Phone, c.Phone2 = in.Name, in.Title, in.Phone, in.Phone2
	c.WeChat, c.Email, c.DecisionMaker, c.Notes = in.WeChat, in.Email, in.DecisionMaker, strings.TrimSpace(in.Notes)
	if in.Active != nil {
		c.Active = *in.Active
	}
}

// AddContact adds a contact to a customer.
func (s *Service) AddContact(ctx context.Context, customerID string, in ContactInput) (*Contact, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	var out *Contact
	err := s.edit(ctx, customerID, in.Change, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		ct := &Contact{ID: store.NewID(), CustomerID: customerID, Active: true, Version: 1, CreatedAt: rec.at, UpdatedAt: rec.at}
		in.apply(ct)
		if _, err := tx.NewInsert().Model(ct).Exec(ctx); err != nil {
			return err
		}
		out = ct
		return s.logChange(ctx, tx, rec, customerID, "contact", ct.ID, "create", "新增联系人 "+ct.Name, nil, ct, c.OwnerID)
	})
	return out, err
}

// UpdateContact changes a contact at the version the caller read.
func (s *Service) UpdateContact(ctx context.Context, id string, version int64, in ContactInput) (*Contact, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	before := new(Contact)
	if err := s.db.R().NewSelect().Model(before).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "contact")
	}
	var out *Contact
	err := s.edit(ctx, before.CustomerID, in.Change, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		if err := tx.NewSelect().Model(before).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err, "contact")
		}
		after := *before
		in.apply(&after)
		after.Version, after.UpdatedAt = version+1, rec.at
		if err := updateAt(ctx, tx, &after, id, version, "name", "title", "phone", "phone2", "wechat", "email",
			"decision_maker", "active", "notes", "version", "updated_at"); err != nil {
			return err
		}
		out = &after
		summary := "修改联系人 " + after.Name
		if before.Active && !after.Active {
			summary = "联系人离任 " + after.Name
		}
		return s.logChange(ctx, tx, rec, c.ID, "contact", id, "update", summary, before, &after, c.OwnerID)
	})
	return out, err
}

// Contacts lists a customer's contacts: active first, decision makers first.
func (s *Service) Contacts(ctx context.Context, customerID string) ([]Contact, error) {
	if err := s.readable(ctx, customerID); err != nil {
		return nil, err
	}
	var out []Contact
	err := s.db.R().NewSelect().Model(&out).Where("customer_id = ?", customerID).
		OrderExpr("active DESC, decision_maker DESC, name, id").Scan(ctx)
	return out, err
}

// Contact returns one contact, if the caller may read its customer.
func (s *Service) Contact(ctx context.Context, id string) (*Contact, error) {
	ct := new(Contact)
	if err := s.db.R().NewSelect().Model(ct).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "contact")
	}
	if err := s.readable(ctx, ct.CustomerID); err != nil {
		return nil, err
	}
	return ct, nil
}
