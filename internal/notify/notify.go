// Package notify keeps the in-app notification list (站内通知): reminders
// and notices for one staff member, each with a link to what it is about.
// Domains add notices with Add inside their own transactions or jobs; the
// dedup key makes a reminder job safe to run again and again.
package notify

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// Notification is one notice for one recipient.
type Notification struct {
	ID          string     `bun:"id,pk" json:"id"`
	RecipientID string     `bun:"recipient_id" json:"recipient_id"`
	Kind        string     `bun:"kind" json:"kind"`
	SubjectKind string     `bun:"subject_kind" json:"subject_kind"`
	SubjectID   string     `bun:"subject_id" json:"subject_id"`
	Title       string     `bun:"title" json:"title"`
	Body        string     `bun:"body" json:"body"`
	Link        string     `bun:"link" json:"link"`
	DedupKey    string     `bun:"dedup_key" json:"-"`
	CreatedAt   time.Time  `bun:"created_at" json:"created_at"`
	ReadAt      *time.Time `bun:"read_at" json:"read_at"`

	bun.BaseModel `bun:"table:notifications"`
}

// Add inserts n unless a notice with the same dedup key exists; it
// reports whether it was new. DedupKey is required.
func Add(ctx context.Context, db bun.IDB, now time.Time, n Notification) (bool, error) {
	if n.DedupKey == "" || n.RecipientID == "" {
		return false, apperr.Invalid("dedup_key", "通知缺少接收人或去重键")
	}
	n.ID, n.CreatedAt, n.ReadAt = store.NewID(), store.Time(now), nil
	res, err := db.NewInsert().Model(&n).On("CONFLICT (dedup_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	k, _ := res.RowsAffected()
	return k > 0, nil
}

// Service reads and marks the caller's notifications.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the service.
func NewService(db *store.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

func caller(ctx context.Context) (string, error) {
	p := access.From(ctx)
	if p == nil || p.StaffID == "" {
		return "", apperr.Unauthorized("请先登录")
	}
	return p.StaffID, nil
}

// List returns the caller's notifications, newest first (at most limit).
func (s *Service) List(ctx context.Context, unreadOnly bool, limit int) ([]Notification, error) {
	me, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := s.db.R().NewSelect().Model((*Notification)(nil)).Where("recipient_id = ?", me)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	out := []Notification{}
	err = q.Order("created_at DESC", "id DESC").Limit(int64(limit)).Scan(ctx, &out)
	return out, err
}

// Unread counts the caller's unread notifications.
func (s *Service) Unread(ctx context.Context) (int, error) {
	me, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	n, err := s.db.R().NewSelect().Table("notifications").Where("recipient_id = ? AND read_at IS NULL", me).Count(ctx)
	return int(n), err
}

// MarkRead marks one of the caller's notifications read ("" = all).
func (s *Service) MarkRead(ctx context.Context, id string) error {
	me, err := caller(ctx)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Table("notifications").Set("read_at = ?", store.Time(s.now())).
			Where("recipient_id = ? AND read_at IS NULL", me)
		if id != "" {
			// Another person's notice is as unknown as a missing one.
			n, err := tx.NewSelect().Table("notifications").Where("id = ? AND recipient_id = ?", id, me).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return apperr.NotFound("notification")
			}
			q = q.Where("id = ?", id)
		}
		_, err := q.Exec(ctx)
		return err
	})
}
