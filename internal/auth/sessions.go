package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"reflect"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
)

// SessionStore keeps scs sessions in the sessions table, so any kefu
// process can serve any session and a restart logs nobody out. It
// implements scs.CtxStore.
//
// With an idle timeout scs commits every session on every request, only to
// move its expiry. The store skips that write when the data is what this
// process last read from or wrote to the table for the token and the new
// expiry is less than a minute (at most a tenth of the time left) later
// than the stored one: idle expiry then moves in steps of about a minute.
// Another process sharing the database may have moved the expiry further
// or changed the data since; a skipped write leaves its row as it is, so
// the worst case is an idle expiry up to a minute early, never a lost
// change of the data.
type SessionStore struct {
	db  *store.DB
	now func() time.Time

	mu   sync.Mutex
	seen map[string]seenSession // token → the row as this process last read or wrote it
}

type seenSession struct {
	data   []byte
	expiry time.Time
}

// sessionSlack is the most a skipped commit may leave the stored expiry
// behind the one scs asked for.
const sessionSlack = time.Minute

// maxSeenSessions bounds the per-token records; beyond it expired records
// are dropped, and if that is not enough, all of them (which costs only
// writes that could have been skipped).
const maxSeenSessions = 100_000

// NewSessionStore returns the store.
func NewSessionStore(db *store.DB, now func() time.Time) *SessionStore {
	return &SessionStore{db: db, now: now, seen: map[string]seenSession{}}
}

// FindCtx returns the session data for token, if present and not expired.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row struct {
		Data   string    `bun:"data"`
		Expiry time.Time `bun:"expiry"`
	}
	err := s.db.R().NewSelect().Table("sessions").Column("data", "expiry").
		Where("token = ? AND expiry > ?", token, store.Time(s.now())).Scan(ctx, &row)
	if errors.Is(err, store.ErrNoRows) {
		s.forget(token)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b, err := base64.StdEncoding.DecodeString(row.Data)
	if err != nil {
		return nil, false, err
	}
	s.remember(token, bytes.Clone(b), store.Time(row.Expiry))
	return b, true, nil
}

// CommitCtx stores the session data with its absolute expiry. It writes
// nothing when only the expiry moved, by less than sessionSlack (see
// SessionStore).
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	expiry = store.Time(expiry)
	if s.unchanged(token, b, expiry) {
		return nil
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
			ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`,
			token, base64.StdEncoding.EncodeToString(b), expiry).Exec(ctx)
		return err
	})
	if err != nil {
		s.forget(token)
		return err
	}
	s.remember(token, bytes.Clone(b), expiry)
	return nil
}

// unchanged reports whether committing (b, expiry) for token may be
// skipped: the data equals the row as last seen, and the expiry is not
// earlier than the stored one (the absolute lifetime never grows) and
// later by less than the slack.
func (s *SessionStore) unchanged(token string, b []byte, expiry time.Time) bool {
	s.mu.Lock()
	rec, ok := s.seen[token]
	s.mu.Unlock()
	if !ok || expiry.Before(rec.expiry) {
		return false
	}
	now := s.now()
	if !rec.expiry.After(now) {
		return false // the stored row has expired: write it again
	}
	// A tenth of the time left, for idle timeouts of a few minutes or less.
	slack := min(sessionSlack, expiry.Sub(now)/10)
	if expiry.Sub(rec.expiry) >= slack {
		return false
	}
	return sameSessionData(rec.data, b)
}

// sameSessionData compares two encoded sessions. scs encodes with gob,
// which writes a map in random order, so equal values may come out as
// different bytes: those are decoded and compared. Anything that does not
// decode counts as changed.
func sameSessionData(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	da, va, err := decodeSession(a)
	if err != nil {
		return false
	}
	db, vb, err := decodeSession(b)
	if err != nil {
		return false
	}
	return da.Equal(db) && reflect.DeepEqual(va, vb)
}

// decodeSession decodes scs's GobCodec format.
func decodeSession(b []byte) (time.Time, map[string]any, error) {
	var aux struct {
		Deadline time.Time
		Values   map[string]any
	}
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&aux)
	return aux.Deadline, aux.Values, err
}

func (s *SessionStore) remember(token string, data []byte, expiry time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[token]; !ok && len(s.seen) >= maxSeenSessions {
		s.sweepLocked(s.now())
		if len(s.seen) >= maxSeenSessions {
			clear(s.seen)
		}
	}
	s.seen[token] = seenSession{data: data, expiry: expiry}
}

func (s *SessionStore) forget(token string) {
	s.mu.Lock()
	delete(s.seen, token)
	s.mu.Unlock()
}

func (s *SessionStore) sweepLocked(now time.Time) {
	for tok, rec := range s.seen {
		if !rec.expiry.After(now) {
			delete(s.seen, tok)
		}
	}
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	s.forget(token)
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
// It also drops this process's records of them.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now()
	s.mu.Lock()
	s.sweepLocked(now)
	s.mu.Unlock()
	var n int64
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Table("sessions").Where("expiry <= ?", store.Time(now)).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
