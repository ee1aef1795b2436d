package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
)

// SessionStore keeps scs sessions in the sessions table, so any kefu
// process can serve any session and a restart logs nobody out. It
// implements scs.CtxStore.
type SessionStore struct {
	db  *store.DB
	now func() time.Time
}

// NewSessionStore returns the store.
func NewSessionStore(db *store.DB, now func() time.Time) *SessionStore {
	return &SessionStore{db: db, now: now}
}

// FindCtx returns the session data for token, if present and not expired.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row struct {
		Data string `bun:"data"`
	}
	err := s.db.R().NewSelect().Table("sessions").Column("data").
		Where("token = ? AND expiry > ?", token, store.Time(s.now())).Scan(ctx, &row)
	if errors.Is(err, store.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b, err := base64.StdEncoding.DecodeString(row.Data)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// CommitCtx stores the session data with its absolute expiry.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
			ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`,
			token, base64.StdEncoding.EncodeToString(b), store.Time(expiry)).Exec(ctx)
		return err
	})
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Table("sessions").Where("token = ?", token).Exec(ctx)
		return err
	})
}

// Find, Commit and Delete satisfy scs.Store; scs prefers the Ctx variants.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpired removes expired sessions; the app runs it periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Table("sessions").Where("expiry <= ?", store.Time(s.now())).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
