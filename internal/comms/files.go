package comms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/blob"
	"kefu/internal/store"
)

// File is an attachment of a communication record (SPEC §5.1): a
// screenshot of a chat, a photo sent in a group, a scanned letter. The
// bytes are in the blob store, content-addressed; the row is in the
// shared attachments table with owner_kind communication.
type File struct {
	ID          string     `bun:"id,pk" json:"id"`
	OwnerKind   string     `bun:"owner_kind" json:"-"`
	OwnerID     string     `bun:"owner_id" json:"communication_id"`
	Category    string     `bun:"category" json:"-"`
	Name        string     `bun:"name" json:"name"`
	ContentType string     `bun:"content_type" json:"content_type"`
	Size        int64      `bun:"size" json:"size"`
	SHA256      string     `bun:"sha256" json:"sha256"`
	UploadedBy  *string    `bun:"uploaded_by" json:"uploaded_by"`
	UploadedAt  time.Time  `bun:"uploaded_at" json:"uploaded_at"`
	DeletedAt   *time.Time `bun:"deleted_at" json:"-"`

	bun.BaseModel `bun:"table:attachments"`
}

// fileOwnerKind is the owner_kind of a record's attachments.
const fileOwnerKind = "communication"

// MaxFilesPerUpload bounds the files sent with one record as it is logged.
const MaxFilesPerUpload = 10

// Upload is a file sent with a record as it is logged.
type Upload struct {
	Name string
	Body io.Reader
}

// mayAttach says whether the caller may add files to a record they can
// read: managers to any; others to the records of the customers they own,
// and to the records matching no customer that they made or that are
// theirs.
func mayAttach(p *access.Principal, v *View) bool {
	if !p.Can(access.CommWrite) {
		return false
	}
	if p.IsManagerial() {
		return true
	}
	if v.CustomerID != nil {
		return v.OwnerID != nil && *v.OwnerID == p.StaffID
	}
	return v.StaffID != nil && *v.StaffID == p.StaffID || v.CreatedBy != nil && *v.CreatedBy == p.StaffID
}

// putUploads checks the names and stores the bytes of uploads, before any
// row refers to them (a failure later leaves an unreferenced blob, never a
// row without its file). The files come back without owner.
func (s *Service) putUploads(ctx context.Context, ups []Upload, limit int64) ([]*File, error) {
	if len(ups) > MaxFilesPerUpload {
		return nil, apperr.Invalid("file", fmt.Sprintf("一次最多上传 %d 个文件", MaxFilesPerUpload))
	}
	if len(ups) > 0 && s.blobs == nil {
		return nil, errors.New("comms: no blob store configured")
	}
	// Every name before any bytes.
	names := make([]string, len(ups))
	for i, u := range ups {
		name, err := blob.CleanFileName(u.Name)
		if err != nil {
			return nil, err
		}
		names[i] = name
	}
	p := access.Caller(ctx)
	out := make([]*File, 0, len(ups))
	for i, u := range ups {
		name := names[i]
		key, size, ctype, err := blob.PutDocument(ctx, s.blobs, u.Body, limit)
		if err != nil {
			if ae, ok := apperr.As(err); ok {
				return nil, &apperr.Error{Kind: ae.Kind, Field: ae.Field, Message: name + "：" + ae.Message}
			}
			return nil, err
		}
		f := &File{ID: store.NewID(), OwnerKind: fileOwnerKind, Name: name, ContentType: ctype, Size: size, SHA256: key}
		if p.StaffID != "" {
			id := p.StaffID
			f.UploadedBy = &id
		}
		out = append(out, f)
	}
	return out, nil
}

// insertFiles stores the rows of files for record id, audited.
func insertFiles(ctx context.Context, tx bun.IDB, id string, files []*File, now time.Time) error {
	if len(files) == 0 {
		return nil
	}
	for _, f := range files {
		f.OwnerID, f.UploadedAt = id, now
	}
	if _, err := tx.NewInsert().Model(&files).Exec(ctx); err != nil {
		return err
	}
	for _, f := range files {
		if err := audit.Record(ctx, tx, now, audit.Change{Action: "attach", Entity: "communication", EntityID: id,
			Summary: fmt.Sprintf("上传沟通记录附件 %s（%d 字节）", f.Name, f.Size), After: f}); err != nil {
			return err
		}
	}
	return nil
}

// AttachFile stores r as an attachment of record id. The content type is
// sniffed from the bytes (PDF, images, Office documents, text); the
// caller must be allowed to write for the record (mayAttach), checked
// before any byte is stored.
func (s *Service) AttachFile(ctx context.Context, id, name string, r io.Reader, limit int64) (*File, error) {
	v, err := s.get(ctx, s.db.R(), id)
	if err != nil {
		return nil, err
	}
	if !mayAttach(access.Caller(ctx), v) {
		return nil, apperr.Forbidden("只能为自己分管客户或本人的沟通记录上传附件")
	}
	files, err := s.putUploads(ctx, []Upload{{Name: name, Body: r}}, limit)
	if err != nil {
		return nil, err
	}
	now := store.Time(s.now())
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		return insertFiles(ctx, tx, id, files, now)
	})
	if err != nil {
		return nil, err
	}
	return files[0], nil
}

// Files lists the attachments of a record the caller may read, oldest
// first.
func (s *Service) Files(ctx context.Context, id string) ([]File, error) {
	v, err := s.get(ctx, s.db.R(), id)
	if err != nil {
		return nil, err
	}
	return v.Files, nil
}

// OpenFile returns an attachment and its content, if the caller may read
// its record.
func (s *Service) OpenFile(ctx context.Context, fileID string) (*File, io.ReadCloser, error) {
	f := new(File)
	if err := s.db.R().NewSelect().Model(f).Where("id = ? AND owner_kind = ? AND deleted_at IS NULL", fileID, fileOwnerKind).Scan(ctx); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			return nil, nil, apperr.NotFound("file")
		}
		return nil, nil, err
	}
	if _, err := s.get(ctx, s.db.R(), f.OwnerID); err != nil {
		return nil, nil, err
	}
	if s.blobs == nil {
		return nil, nil, errors.New("comms: no blob store configured")
	}
	rc, err := s.blobs.Open(ctx, f.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("comms: open file %s: %w", fileID, err)
	}
	return f, rc, nil
}

// attachFiles fills in the attachments of records (one query).
func attachFiles(ctx context.Context, db bun.IDB, rs []*Record) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]string, len(rs))
	by := make(map[string]*Record, len(rs))
	for i, r := range rs {
		ids[i], by[r.ID] = r.ID, r
		r.Files = []File{}
	}
	var fs []File
	if err := db.NewSelect().Model(&fs).Where("owner_kind = ? AND owner_id IN (?) AND deleted_at IS NULL", fileOwnerKind, bun.In(ids)).
		OrderExpr("uploaded_at, id").Scan(ctx); err != nil {
		return err
	}
	for _, f := range fs {
		by[f.OwnerID].Files = append(by[f.OwnerID].Files, f)
	}
	return nil
}
