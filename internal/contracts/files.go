package contracts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/blob"
	"kefu/internal/store"
)

// File is an attachment of a contract (the scanned contract, 合同扫描件)
// or of a quote (the quotation file, 报价文件).
type File struct {
	ID          string     `bun:"id,pk" json:"id"`
	OwnerKind   string     `bun:"owner_kind" json:"owner_kind"` // contract / quote
	OwnerID     string     `bun:"owner_id" json:"owner_id"`
	Category    string     `bun:"category" json:"category"`
	Name        string     `bun:"name" json:"name"`
	ContentType string     `bun:"content_type" json:"content_type"`
	Size        int64      `bun:"size" json:"size"`
	SHA256      string     `bun:"sha256" json:"sha256"`
	UploadedBy  *string    `bun:"uploaded_by" json:"uploaded_by"`
	UploadedAt  time.Time  `bun:"uploaded_at" json:"uploaded_at"`
	DeletedAt   *time.Time `bun:"deleted_at" json:"-"`

	bun.BaseModel `bun:"table:attachments"`
}

// fileOwner returns the customer owner behind a contract or a quote, for
// the permission checks of its files.
func fileOwner(ctx context.Context, db bun.IDB, kind, id string) (*string, error) {
	var customerID string
	var err error
	switch kind {
	case "contract":
		err = db.NewSelect().Table("contracts").Column("customer_id").Where("id = ?", id).Scan(ctx, &customerID)
	case "quote":
		err = db.NewRaw("SELECT n.customer_id FROM quotes q JOIN needs n ON n.id = q.need_id WHERE q.id = ?", id).Scan(ctx, &customerID)
	default:
		return nil, apperr.Invalid("owner_kind", "附件只能属于合同或报价")
	}
	if err != nil {
		return nil, notFound(err, kind)
	}
	return customerOwner(ctx, db, customerID)
}

// AttachFile stores r as an attachment of a contract or a quote. The
// content type is sniffed from the bytes; the caller must be allowed to
// write for the customer, checked before any byte is stored.
func (s *Service) AttachFile(ctx context.Context, kind, ownerID, name, category string, r io.Reader, limit int64) (*File, error) {
	p := access.Caller(ctx)
	name, err := blob.CleanFileName(name)
	if err != nil {
		return nil, err
	}
	category = strings.TrimSpace(category)
	if err := text("category", category, 0, 50); err != nil {
		return nil, err
	}
	owner, err := fileOwner(ctx, s.db.R(), kind, ownerID)
	if err != nil {
		return nil, err
	}
	if !canWriteFor(p, owner) {
		return nil, apperr.Forbidden("只能为自己分管客户的合同或报价上传附件")
	}
	if s.blobs == nil {
		return nil, errors.New("contracts: no blob store configured")
	}
	key, size, ctype, err := blob.PutDocument(ctx, s.blobs, r, limit)
	if err != nil {
		return nil, err
	}
	now := store.Time(s.now())
	f := &File{ID: store.NewID(), OwnerKind: kind, OwnerID: ownerID, Category: category, Name: name, ContentType: ctype,
		Size: size, SHA256: key, UploadedAt: now}
	if p.StaffID != "" {
		id := p.StaffID
		f.UploadedBy = &id
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return err
		}
		entity, entityID := kind, ownerID
		return audit.Record(ctx, tx, now, audit.Change{Action: "attach", Entity: entity, EntityID: entityID,
			Summary: fmt.Sprintf("上传附件 %s（%d 字节）", name, size), After: f})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Files lists the attachments of a contract or a quote, newest first.
func (s *Service) Files(ctx context.Context, kind, ownerID string) ([]File, error) {
	owner, err := fileOwner(ctx, s.db.R(), kind, ownerID)
	if err != nil {
		return nil, err
	}
	if !s.canReadFor(access.Caller(ctx), owner) {
		return nil, apperr.Forbidden("无权查看附件")
	}
	out := []File{}
	err = s.db.R().NewSelect().Model(&out).Where("owner_kind = ? AND owner_id = ? AND deleted_at IS NULL", kind, ownerID).
		OrderExpr("uploaded_at DESC, id DESC").Scan(ctx)
	return out, err
}

// OpenFile returns an attachment and its content, if the caller may read
// its contract or quote.
func (s *Service) OpenFile(ctx context.Context, id string) (*File, io.ReadCloser, error) {
	f := new(File)
	if err := s.db.R().NewSelect().Model(f).Where("id = ? AND owner_kind IN ('contract', 'quote') AND deleted_at IS NULL", id).Scan(ctx); err != nil {
		return nil, nil, notFound(err, "file")
	}
	owner, err := fileOwner(ctx, s.db.R(), f.OwnerKind, f.OwnerID)
	if err != nil {
		return nil, nil, err
	}
	if !s.canReadFor(access.Caller(ctx), owner) {
		return nil, nil, apperr.Forbidden("无权查看附件")
	}
	if s.blobs == nil {
		return nil, nil, errors.New("contracts: no blob store configured")
	}
	rc, err := s.blobs.Open(ctx, f.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("contracts: open file %s: %w", id, err)
	}
	return f, rc, nil
}
