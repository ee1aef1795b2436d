// Package notify keeps the in-app notification list (站内通知): reminders
// and notices for one staff member, each with a link to what it is about.
// Domains add notices with Add inside their own transactions or jobs; the
// dedup key makes a reminder job safe to run again and again.
package notify

import (
	"context"
	"fmt"
	"strings"
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

// Pusher sends a text to the team's group chat — a WeCom group robot
// (wecom.Robot) — mentioning people by their mobile numbers. Domains that
// notify take one (nil: in-app only); app wires the robot of
// KEFU_WECOM_WEBHOOK.
type Pusher interface {
	Push(ctx context.Context, text string, mentionMobiles ...string) error
}

// Deliver adds the notices in one transaction, each once (a dedup key
// already stored is skipped, so a job may run again and again, and after
// a restart), then sends the new ones to pusher when it is not nil: one
// message per recipient, naming them and mentioning their mobile. It
// returns the new notices. A failed push is returned after the notices
// are stored; they are not sent again.
func Deliver(ctx context.Context, db *store.DB, now time.Time, pusher Pusher, notes []Notification) ([]Notification, error) {
	if len(notes) == 0 {
		return nil, nil
	}
	rows := make([]Notification, 0, len(notes))
	for _, n := range notes {
		if n.DedupKey == "" || n.RecipientID == "" {
			return nil, apperr.Invalid("dedup_key", "通知缺少接收人或去重键")
		}
		n.ID, n.CreatedAt, n.ReadAt = store.NewID(), store.Time(now), nil
		rows = append(rows, n)
	}
	// 200 a statement; RETURNING names the rows the conflict clause let in.
	added := map[string]bool{}
	if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		clear(added)
		for start := 0; start < len(rows); start += 200 {
			part := rows[start:min(start+200, len(rows))]
			var keys []string
			if err := tx.NewInsert().Model(&part).On("CONFLICT (dedup_key) DO NOTHING").Returning("dedup_key").Scan(ctx, &keys); err != nil {
				return err
			}
			for _, k := range keys {
				added[k] = true
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var fresh []Notification
	for _, n := range rows {
		if added[n.DedupKey] {
			fresh = append(fresh, n)
			delete(added, n.DedupKey) // a key twice in notes is one notice
		}
	}
	if pusher == nil {
		return fresh, nil
	}
	var order []string
	byRecipient := map[string][]Notification{}
	for _, n := range fresh {
		if byRecipient[n.RecipientID] == nil {
			order = append(order, n.RecipientID)
		}
		byRecipient[n.RecipientID] = append(byRecipient[n.RecipientID], n)
	}
	var pushErr error
	for _, id := range order {
		var who struct {
			Name  string `bun:"name"`
			Phone string `bun:"phone"`
		}
		if err := db.R().NewSelect().Table("staff").Column("name", "phone").Where("id = ?", id).Scan(ctx, &who); err != nil && pushErr == nil {
			pushErr = fmt.Errorf("notify: recipient %s: %w", id, err)
		}
		var mention []string
		if who.Phone != "" {
			mention = []string{who.Phone}
		}
		if err := pusher.Push(ctx, PushText(who.Name, byRecipient[id]), mention...); err != nil && pushErr == nil {
			pushErr = fmt.Errorf("notify: group robot: %w", err)
		}
	}
	return fresh, pushErr
}

// PushText is the group message for one person's notices:
// 【kefu】name：title。body — one line each.
func PushText(name string, notes []Notification) string {
	var b strings.Builder
	b.WriteString("【kefu】" + name + "：")
	for i, n := range notes {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(n.Title + "。" + n.Body)
	}
	return b.String()
}
