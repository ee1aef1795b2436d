package customers

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/store"
)

// File is an electronic archive file (电子档案) attached to a customer.
type File struct {
	ID          string     `bun:"id,pk" json:"id"`
	OwnerKind   string     `bun:"owner_kind" json:"-"`
	OwnerID     string     `bun:"owner_id" json:"customer_id"`
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

// CleanFileName returns a safe display name (see blob.CleanFileName).
func CleanFileName(name string) (string, error) { return blob.CleanFileName(name) }

// AddFile stores r as an electronic archive file of the customer. The
// content type is sniffed from the bytes, not trusted from the client.
func (s *Service) AddFile(ctx context.Context, customerID, name, category string, r io.Reader, limit int64, ch Change) (*File, error) {
	name, err := CleanFileName(name)
	if err != nil {
		return nil, err
	}
	category = strings.TrimSpace(category)
	if err := text("category", category, 0, 50); err != nil {
		return nil, err
	}
	// Check the caller may change the customer before storing any bytes,
	// so a refused upload leaves nothing behind in the blob store.
	c, err := getCustomer(ctx, s.db.R(), customerID)
	if err != nil {
		return nil, err
	}
	if !CanWrite(access.Caller(ctx), c) {
		return nil, apperr.Forbidden("只能修改自己分管的客户")
	}
	key, size, ctype, err := blob.PutDocument(ctx, s.blobs, r, limit)
	if err != nil {
		return nil, err
	}
	var out *File
	err = s.edit(ctx, customerID, ch, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		f := &File{ID: store.NewID(), OwnerKind: "customer", OwnerID: customerID, Category: category, Name: name,
			ContentType: ctype, Size: size, SHA256: key, UploadedBy: rec.by, UploadedAt: rec.at}
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return err
		}
		out = f
		return s.logChange(ctx, tx, rec, customerID, "file", f.ID, "create", "上传电子档案 "+name, nil, f, c.OwnerID)
	})
	return out, err
}

// Files lists a customer's electronic files, newest first.
func (s *Service) Files(ctx context.Context, customerID string) ([]File, error) {
	if err := s.readable(ctx, customerID); err != nil {
		return nil, err
	}
	var out []File
	err := s.db.R().NewSelect().Model(&out).Where("owner_kind = 'customer' AND owner_id = ? AND deleted_at IS NULL", customerID).
		OrderExpr("uploaded_at DESC, id DESC").Scan(ctx)
	return out, err
}

// OpenFile returns a file's metadata and content, if the caller may read its customer.
func (s *Service) OpenFile(ctx context.Context, id string) (*File, io.ReadCloser, error) {
	f := new(File)
	if err := s.db.R().NewSelect().Model(f).Where("id = ? AND owner_kind = 'customer' AND deleted_at IS NULL", id).Scan(ctx); err != nil {
		return nil, nil, notFound(err, "file")
	}
	if err := s.readable(ctx, f.OwnerID); err != nil {
		return nil, nil, err
	}
	rc, err := s.blobs.Open(ctx, f.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("customers: open file %s: %w", id, err)
	}
	return f, rc, nil
}
