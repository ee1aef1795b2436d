// Package audit keeps kefu's append-only audit log (审计日志): who changed
// what, when, with the before and after state, for every change to people,
// roles, customers, contracts, money, schemes and scores. Entries are
// written in the same transaction as the change they describe, so a change
// never lands without its entry.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/store"
)

// Entry is one audit record.
type Entry struct {
	ID         string    `bun:"id,pk" json:"id"`
	At         time.Time `bun:"at" json:"at"`
	ActorID    *string   `bun:"actor_id" json:"actor_id"`
	ActorName  string    `bun:"actor_name" json:"actor_name"`
	Action     string    `bun:"action" json:"action"`
	Entity     string    `bun:"entity" json:"entity"`
	EntityID   string    `bun:"entity_id" json:"entity_id"`
	Summary    string    `bun:"summary" json:"summary"`
	BeforeJSON *string   `bun:"before_json" json:"before,omitempty"`
	AfterJSON  *string   `bun:"after_json" json:"after,omitempty"`
	RequestID  string    `bun:"request_id" json:"request_id"`
	RemoteAddr string    `bun:"remote_addr" json:"remote_addr"`

	bun.BaseModel `bun:"table:audit_log"`
}

// Change describes what a domain changed.
type Change struct {
	Action   string // create, update, delete, login, …
	Entity   string // customer, staff, contract, …
	EntityID string
	Summary  string
	Before   any // marshalled to JSON; nil for creations
	After    any // marshalled to JSON; nil for deletions
}

type reqKey struct{}

type reqInfo struct{ id, addr string }

// WithRequest records the request id and remote address in ctx for the
// entries written while serving it.
func WithRequest(ctx context.Context, requestID, remoteAddr string) context.Context {
	return context.WithValue(ctx, reqKey{}, reqInfo{requestID, remoteAddr})
}

// Record appends one entry inside tx. The actor is the principal in ctx.
func Record(ctx context.Context, tx bun.IDB, now time.Time, c Change) error {
	e, err := Build(ctx, now, c)
	if err != nil {
		return err
	}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %s %s: %w", c.Action, c.Entity, err)
	}
	return nil
}

// InsertAll appends many built entries inside tx in multi-row inserts
// (bulk imports).
func InsertAll(ctx context.Context, tx bun.IDB, entries []*Entry) error {
	for len(entries) > 0 {
		n := min(len(entries), 500)
		chunk := entries[:n]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return fmt.Errorf("audit: record %d entries: %w", n, err)
		}
		entries = entries[n:]
	}
	return nil
}

// Build makes the entry Record would write, without writing it.
func Build(ctx context.Context, now time.Time, c Change) (*Entry, error) {
	e := &Entry{
		ID: store.NewID(), At: store.Time(now), Action: c.Action, Entity: c.Entity,
		EntityID: c.EntityID, Summary: c.Summary,
	}
	if p := access.From(ctx); p != nil {
		if p.StaffID != "" {
			id := p.StaffID
			e.ActorID = &id
		}
		e.ActorName = p.Name
	}
	if ri, ok := ctx.Value(reqKey{}).(reqInfo); ok {
		e.RequestID, e.RemoteAddr = ri.id, ri.addr
	}
	var err error
	if e.BeforeJSON, err = marshal(c.Before); err != nil {
		return nil, err
	}
	if e.AfterJSON, err = marshal(c.After); err != nil {
		return nil, err
	}
	return e, nil
}

func marshal(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: marshal: %w", err)
	}
	s := string(b)
	return &s, nil
}

// Filter selects entries. Zero fields match everything.
type Filter struct {
	Entity   string
	EntityID string
	ActorID  string
	Action   string
	From, To time.Time // [From, To)
	Query    string    // substring of the summary
	// Keyset paging: entries strictly older than (BeforeAt, BeforeID).
	BeforeAt time.Time
	BeforeID string
	Limit    int
}

// List returns entries newest first.
func List(ctx context.Context, db bun.IDB, f Filter) ([]Entry, error) {
	q := db.NewSelect().Model((*Entry)(nil))
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", store.Time(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", store.Time(f.To))
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.Where("summary LIKE ? ESCAPE '\\'", store.ContainsPattern(s))
	}
	if !f.BeforeAt.IsZero() {
		at := store.Time(f.BeforeAt)
		// Row-value comparison: a range on audit_log_at (at, id) on both
		// databases, in the order of the ORDER BY below.
		q = q.Where("(at, id) < (?, ?)", at, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []Entry
	err := q.OrderExpr("at DESC, id DESC").Limit(int64(limit)).Scan(ctx, &out)
	return out, err
}
