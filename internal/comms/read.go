package comms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// View is a record with the names a person reads.
type View struct {
	Record       `bun:",extend"`
	StaffName    string  `bun:"staff_name" json:"staff_name"`
	CustomerName string  `bun:"customer_name" json:"customer_name"`
	ContactName  string  `bun:"contact_name" json:"contact_name"`
	OwnerID      *string `bun:"owner_id" json:"owner_id"`
}

const viewSelect = `SELECT m.*, COALESCE(st.name, '') AS staff_name, COALESCE(cu.name, '') AS customer_name,
	COALESCE(ct.name, '') AS contact_name, cu.owner_id
FROM communications m
	LEFT JOIN staff st ON st.id = m.staff_id
	LEFT JOIN customers cu ON cu.id = m.customer_id
	LEFT JOIN contacts ct ON ct.id = m.contact_id`

// readScope returns the owner a caller's reads are limited to ("" = all).
// A specialist reads the records of the customers they own and those that
// match no customer yet (to match them); everyone else with CommRead all.
func (s *Service) readScope(p *access.Principal) (string, bool) {
	if !p.Can(access.CommRead) {
		return "", false
	}
	if p.OnlySpecialist() && !s.specialistReadAll {
		return p.StaffID, true
	}
	return "", true
}

// Get returns one record the caller may read.
func (s *Service) Get(ctx context.Context, id string) (*Record, error) {
	v, err := s.get(ctx, s.db.R(), id)
	if err != nil {
		return nil, err
	}
	return &v.Record, nil
}

func (s *Service) get(ctx context.Context, db bun.IDB, id string) (*View, error) {
	scope, ok := s.readScope(access.Caller(ctx))
	if !ok {
		return nil, apperr.Forbidden("无权查看沟通记录")
	}
	v := new(View)
	if err := db.NewRaw(viewSelect+" WHERE m.id = ?", id).Scan(ctx, v); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			return nil, apperr.NotFound("communication")
		}
		return nil, err
	}
	if scope != "" && v.CustomerID != nil && (v.OwnerID == nil || *v.OwnerID != scope) {
		return nil, apperr.Forbidden("无权查看该沟通记录")
	}
	if err := s.attachTags(ctx, db, []*Record{&v.Record}); err != nil {
		return nil, err
	}
	if err := attachFiles(ctx, db, []*Record{&v.Record}); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) attachTags(ctx context.Context, db bun.IDB, rs []*Record) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
		r.Tags = []string{}
	}
	var tags []tagRow
	if err := db.NewSelect().Model(&tags).Where("communication_id IN (?)", bun.In(ids)).Order("tag").Scan(ctx); err != nil {
		return err
	}
	by := map[string]*Record{}
	for _, r := range rs {
		by[r.ID] = r
	}
	for _, t := range tags {
		by[t.CommunicationID].Tags = append(by[t.CommunicationID].Tags, t.Tag)
	}
	return nil
}

// Filter selects records.
type Filter struct {
	CustomerID   string
	StaffID      string
	Channel      string
	Conversation string
	Tag          string
	Unmatched    bool      // only records that match no customer
	From, To     time.Time // occurred_at in [From, To)
	After        string    // keyset cursor "occurred_at|id" (RFC 3339 nano) of the last row seen
	Limit        int
}

// Page is one page of records, newest first.
type Page struct {
	Items []View `json:"items"`
	Next  string `json:"next"`
}

// List returns the records the caller may read, newest first.
func (s *Service) List(ctx context.Context, f Filter) (*Page, error) {
	scope, ok := s.readScope(access.Caller(ctx))
	if !ok {
		return nil, apperr.Forbidden("无权查看沟通记录")
	}
	var where []string
	var args []any
	add := func(c string, a ...any) { where = append(where, c); args = append(args, a...) }
	if scope != "" {
		add("(cu.owner_id = ? OR m.customer_id IS NULL)", scope)
	}
	if f.CustomerID != "" {
		add("m.customer_id = ?", f.CustomerID)
	}
	if f.StaffID != "" {
		add("m.staff_id = ?", f.StaffID)
	}
	if f.Channel != "" {
		add("m.channel = ?", f.Channel)
	}
	if f.Conversation != "" {
		add("m.conversation = ?", f.Conversation)
	}
	if f.Tag != "" {
		add("EXISTS (SELECT 1 FROM communication_tags t WHERE t.communication_id = m.id AND t.tag = ?)", strings.ToLower(f.Tag))
	}
	if f.Unmatched {
		add("m.customer_id IS NULL")
	}
	if !f.From.IsZero() {
		add("m.occurred_at >= ?", store.Time(f.From))
	}
	if !f.To.IsZero() {
		add("m.occurred_at < ?", store.Time(f.To))
	}
	if f.After != "" {
		at, id, ok := strings.Cut(f.After, "|")
		t, err := time.Parse(time.RFC3339Nano, at)
		if !ok || err != nil {
			return nil, apperr.Invalid("after", "分页参数无效")
		}
		add("(m.occurred_at, m.id) < (?, ?)", store.Time(t), id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := viewSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY m.occurred_at DESC, m.id DESC LIMIT ?"
	var items []View
	if err := s.db.R().NewRaw(q, append(args, limit+1)...).Scan(ctx, &items); err != nil {
		return nil, err
	}
	page := &Page{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.Next = last.OccurredAt.UTC().Format(time.RFC3339Nano) + "|" + last.ID
	}
	rs := make([]*Record, len(page.Items))
	for i := range page.Items {
		rs[i] = &page.Items[i].Record
	}
	if err := s.attachTags(ctx, s.db.R(), rs); err != nil {
		return nil, err
	}
	if err := attachFiles(ctx, s.db.R(), rs); err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []View{}
	}
	return page, nil
}

// Match assigns an unmatched record to a customer (and contact) and
// re-derives the customer's response clocks around it, so that its clocks
// and breaches are attributed to the owning specialist. A specialist may
// match to the customers they own.
func (s *Service) Match(ctx context.Context, id, customerID, contactID string) (*Record, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return nil, apperr.Forbidden("无权匹配沟通记录")
	}
	customerID, contactID = strings.TrimSpace(customerID), strings.TrimSpace(contactID)
	if customerID == "" {
		return nil, apperr.Invalid("customer_id", "请选择客户")
	}
	var out *Record
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before := new(Record)
		if err := tx.NewSelect().Model(before).Where("id = ?", id).Scan(ctx); err != nil {
			if errors.Is(err, store.ErrNoRows) {
				return apperr.NotFound("communication")
			}
			return err
		}
		if before.CustomerID != nil {
			return apperr.Conflict("customer_id", "该记录已匹配客户")
		}
		var owner struct {
			OwnerID *string `bun:"owner_id"`
			Since   *string `bun:"since"`
		}
		if err := tx.NewSelect().Table("customers").Column("owner_id", "since").Where("id = ?", customerID).Scan(ctx, &owner); err != nil {
			if errors.Is(err, store.ErrNoRows) {
				return apperr.Invalid("customer_id", "客户不存在")
			}
			return err
		}
		if !p.IsManagerial() && (owner.OwnerID == nil || *owner.OwnerID != p.StaffID) {
			return apperr.Forbidden("只能匹配到自己分管的客户")
		}
		if owner.Since != nil {
			if err := beforeSince(before.OccurredAt, *owner.Since, s.loc); err != nil {
				return err
			}
		}
		if contactID != "" {
			n, err := tx.NewSelect().Table("contacts").Where("id = ? AND customer_id = ?", contactID, customerID).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return apperr.Invalid("contact_id", "联系人不存在或不属于该客户")
			}
		}
		after := *before
		after.CustomerID = &customerID
		after.ContactID = nil
		if contactID != "" {
			after.ContactID = &contactID
		}
		if _, err := tx.NewUpdate().Model(&after).Column("customer_id", "contact_id").WherePK().Exec(ctx); err != nil {
			return err
		}
		out = &after
		if err := audit.Record(ctx, tx, s.now(), audit.Change{Action: "update", Entity: "communication", EntityID: id,
			Summary: "匹配沟通记录到客户", Before: before, After: &after}); err != nil {
			return err
		}
		// The record's clocks now have a customer, and with it a
		// responsible person: a missed call from an unknown number that
		// breached becomes the owning specialist's breach, and the
		// customer's other records may stop or join its clocks. Derived in
		// the same transaction, as after an ingest.
		if _, err := s.recomputeCustomerTx(ctx, tx, customerID, before.OccurredAt); err != nil {
			return fmt.Errorf("comms: response clocks of the matched record: %w", err)
		}
		return nil
	})
	return out, err
}
