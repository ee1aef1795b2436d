package comms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
)

// matcher resolves the customers, contacts and staff of a batch with a
// handful of queries for the whole batch.
type matcher struct {
	external  map[string]known        // external id → stored record
	staffID   map[string]bool         // existing staff ids named
	staffByLg map[string]string       // login → id
	customers map[string]*string      // customer id → owner
	since     map[string]string       // customer id → 建档日期 when the archive has one
	loc       *time.Location          // the company's time zone (the day of a record)
	contacts  map[string]contactMatch // contact id → its customer
	byPhone   map[string]contactMatch // normalised phone → contact (when unique)
	byWeChat  map[string]contactMatch // WeChat id → contact (when unique)
	byGroup   map[string]string       // WeChat group external id or name → customer (when unique)
}

type known struct {
	id, hash string
	matched  bool
}

type contactMatch struct {
	ContactID  string
	CustomerID string
	Ambiguous  bool
}

func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// inChunks runs query with IN (?) over values in chunks of 500.
func inChunks(ctx context.Context, db bun.IDB, values []string, query string, each func(ctx context.Context, q *bun.RawQuery) error) error {
	for len(values) > 0 {
		n := min(len(values), 500)
		if err := each(ctx, db.NewRaw(query, bun.In(values[:n]))); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func newMatcher(ctx context.Context, db bun.IDB, loc *time.Location, cs []clean, ok []bool) (*matcher, error) {
	m := &matcher{external: map[string]known{}, staffID: map[string]bool{}, staffByLg: map[string]string{},
		customers: map[string]*string{}, since: map[string]string{}, loc: loc, contacts: map[string]contactMatch{}, byPhone: map[string]contactMatch{},
		byWeChat: map[string]contactMatch{}, byGroup: map[string]string{}}
	ext, staff, logins, custs, contacts, phones, wechats, groups := map[string]bool{}, map[string]bool{}, map[string]bool{},
		map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, c := range cs {
		if !ok[i] {
			continue
		}
		in := c.in
		ext[in.ExternalID] = true
		staff[in.StaffID] = true
		logins[in.StaffLogin] = true
		custs[in.CustomerID] = true
		contacts[in.ContactID] = true
		if in.CustomerID == "" && in.ContactID == "" {
			switch {
			case strings.HasPrefix(in.Channel, "phone_") || in.Channel == "sms":
				phones[in.Counterpart] = true
			case in.Channel == "wechat_group":
				groups[in.Conversation] = true
			case strings.HasPrefix(in.Channel, "wechat_"):
				wechats[in.Counterpart] = true
			}
		}
	}
	type row struct {
		A string  `bun:"a"`
		B string  `bun:"b"`
		C *string `bun:"c"`
		D string  `bun:"d"`
	}
	scan := func(q string, vals map[string]bool, fn func(r row)) error {
		return inChunks(ctx, db, keys(vals), q, func(ctx context.Context, rq *bun.RawQuery) error {
			var rows []row
			if err := rq.Scan(ctx, &rows); err != nil {
				return err
			}
			for _, r := range rows {
				fn(r)
			}
			return nil
		})
	}
	if err := scan(`SELECT external_id AS a, content_hash AS b, customer_id AS c, id AS d FROM communications WHERE external_id IN (?)`, ext,
		func(r row) { m.external[r.A] = known{id: r.D, hash: r.B, matched: r.C != nil} }); err != nil {
		return nil, err
	}
	if err := scan(`SELECT id AS a, login AS b, NULL AS c, '' AS d FROM staff WHERE id IN (?)`, staff, func(r row) { m.staffID[r.A] = true }); err != nil {
		return nil, err
	}
	if err := scan(`SELECT login AS a, id AS b, NULL AS c, '' AS d FROM staff WHERE login IN (?)`, logins, func(r row) { m.staffByLg[r.A] = r.B }); err != nil {
		return nil, err
	}
	customer := func(r row) {
		m.customers[r.A] = r.C
		if r.D != "" {
			m.since[r.A] = r.D
		}
	}
	if err := scan(`SELECT id AS a, name AS b, owner_id AS c, COALESCE(since, '') AS d FROM customers WHERE id IN (?)`, custs, customer); err != nil {
		return nil, err
	}
	if err := scan(`SELECT id AS a, customer_id AS b, NULL AS c, '' AS d FROM contacts WHERE id IN (?)`, contacts, func(r row) {
		m.contacts[r.A] = contactMatch{ContactID: r.A, CustomerID: r.B}
	}); err != nil {
		return nil, err
	}
	addUnique := func(into map[string]contactMatch, key string, cm contactMatch) {
		if old, dup := into[key]; dup && old.CustomerID != cm.CustomerID {
			cm.Ambiguous = true
		} else if dup {
			return // the same customer: keep the first contact
		}
		into[key] = cm
	}
	for _, col := range []string{"phone", "phone2"} {
		if err := scan(`SELECT `+col+` AS a, customer_id AS b, id AS c, '' AS d FROM contacts WHERE active = TRUE AND `+col+` IN (?) ORDER BY id`, phones,
			func(r row) { addUnique(m.byPhone, r.A, contactMatch{ContactID: *r.C, CustomerID: r.B}) }); err != nil {
			return nil, err
		}
	}
	if err := scan(`SELECT wechat AS a, customer_id AS b, id AS c, '' AS d FROM contacts WHERE active = TRUE AND wechat IN (?) ORDER BY id`, wechats,
		func(r row) { addUnique(m.byWeChat, r.A, contactMatch{ContactID: *r.C, CustomerID: r.B}) }); err != nil {
		return nil, err
	}
	groupCustomers := map[string]map[string]bool{}
	for _, col := range []string{"external_id", "name"} {
		if err := scan(`SELECT `+col+` AS a, customer_id AS b, NULL AS c, '' AS d FROM wechat_groups WHERE active = TRUE AND `+col+` IN (?)`, groups, func(r row) {
			if groupCustomers[r.A] == nil {
				groupCustomers[r.A] = map[string]bool{}
			}
			groupCustomers[r.A][r.B] = true
		}); err != nil {
			return nil, err
		}
	}
	for g, set := range groupCustomers {
		if len(set) == 1 {
			for c := range set {
				m.byGroup[g] = c
			}
		}
	}
	// Owners of the customers matched through contacts and groups.
	more := map[string]bool{}
	for _, cm := range m.byPhone {
		more[cm.CustomerID] = true
	}
	for _, cm := range m.byWeChat {
		more[cm.CustomerID] = true
	}
	for _, cm := range m.contacts {
		more[cm.CustomerID] = true
	}
	for _, c := range m.byGroup {
		more[c] = true
	}
	for c := range more {
		if _, done := m.customers[c]; done {
			delete(more, c)
		}
	}
	if err := scan(`SELECT id AS a, name AS b, owner_id AS c, COALESCE(since, '') AS d FROM customers WHERE id IN (?)`, more, customer); err != nil {
		return nil, err
	}
	return m, nil
}

// beforeSince refuses a record dated before the customer's 建档日期 (a
// YYYY-MM-DD day in the company's zone; "" = the archive has none).
func beforeSince(at time.Time, since string, loc *time.Location) error {
	if since != "" && at.In(loc).Format(time.DateOnly) < since {
		return apperr.Invalid("occurred_at", fmt.Sprintf("沟通时间 %s 早于客户建档日期 %s（如属实，请先修改客户的建档日期）",
			at.In(loc).Format(time.DateTime), since))
	}
	return nil
}

// resolve turns a clean input into a record: staff, customer and contact
// (named, or matched by phone number, WeChat id or group). A record that
// matches nothing is kept with no customer. ownOnly refuses customers the
// caller does not own (a specialist typing a record).
func (m *matcher) resolve(c clean, p *access.Principal, ownOnly bool) (*Record, error) {
	in := c.in
	r := &Record{Channel: in.Channel, Direction: in.Direction, OccurredAt: c.at, Conversation: in.Conversation,
		Counterpart: in.Counterpart, Summary: in.Summary, DurationS: in.DurationS}
	switch {
	case in.StaffID != "":
		if !m.staffID[in.StaffID] {
			return nil, apperr.Invalid("staff_id", "员工不存在")
		}
		id := in.StaffID
		r.StaffID = &id
	case in.StaffLogin != "":
		id, found := m.staffByLg[in.StaffLogin]
		if !found {
			return nil, apperr.Invalid("staff_login", "员工登录名不存在")
		}
		r.StaffID = &id
	}
	customer, contact := in.CustomerID, in.ContactID
	if customer != "" {
		if _, found := m.customers[customer]; !found {
			return nil, apperr.Invalid("customer_id", "客户不存在")
		}
	}
	if contact != "" {
		cm, found := m.contacts[contact]
		if !found || (customer != "" && cm.CustomerID != customer) {
			return nil, apperr.Invalid("contact_id", "联系人不存在或不属于该客户")
		}
		customer = cm.CustomerID
	}
	if customer == "" {
		var cm contactMatch
		var found bool
		switch {
		case strings.HasPrefix(in.Channel, "phone_") || in.Channel == "sms":
			cm, found = m.byPhone[in.Counterpart]
		case in.Channel == "wechat_group":
			var cust string
			cust, found = m.byGroup[in.Conversation]
			cm = contactMatch{CustomerID: cust}
		case strings.HasPrefix(in.Channel, "wechat_"):
			cm, found = m.byWeChat[in.Counterpart]
		}
		if found && !cm.Ambiguous {
			customer, contact = cm.CustomerID, cm.ContactID
		}
	}
	if customer != "" {
		if err := beforeSince(c.at, m.since[customer], m.loc); err != nil {
			return nil, err
		}
		if ownOnly {
			owner := m.customers[customer]
			if owner == nil || *owner != p.StaffID {
				return nil, apperr.Forbidden("只能登记自己分管客户的沟通记录")
			}
		}
		r.CustomerID = &customer
	}
	if contact != "" {
		r.ContactID = &contact
	}
	return r, nil
}
