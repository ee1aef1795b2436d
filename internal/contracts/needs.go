package contracts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Need is a new need of an existing customer (老客户新需求).
type Need struct {
	ID            string    `bun:"id,pk" json:"id"`
	CustomerID    string    `bun:"customer_id" json:"customer_id"`
	Title         string    `bun:"title" json:"title"`
	Description   string    `bun:"description" json:"description"`
	RaisedOn      string    `bun:"raised_on" json:"raised_on"`
	OwnerID       *string   `bun:"owner_id" json:"owner_id"`
	Status        string    `bun:"status" json:"status"` // open / quoted / won / lost
	LostReason    string    `bun:"lost_reason" json:"lost_reason"`
	WonContractID *string   `bun:"won_contract_id" json:"won_contract_id"`
	Version       int64     `bun:"version" json:"version"`
	CreatedAt     time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:needs"`
}

// Quote is a quotation (报价方案) for a need.
type Quote struct {
	ID         string      `bun:"id,pk" json:"id"`
	NeedID     string      `bun:"need_id" json:"need_id"`
	Number     string      `bun:"number" json:"number"`
	TotalFen   int64       `bun:"total_fen" json:"total_fen"`
	ValidUntil *string     `bun:"valid_until" json:"valid_until"`
	SentAt     *time.Time  `bun:"sent_at" json:"sent_at"`
	Notes      string      `bun:"notes" json:"notes"`
	CreatedBy  *string     `bun:"created_by" json:"created_by"`
	CreatedAt  time.Time   `bun:"created_at" json:"created_at"`
	Lines      []QuoteLine `bun:"-" json:"lines"`

	bun.BaseModel `bun:"table:quotes"`
}

// QuoteLine is one line of a quote.
type QuoteLine struct {
	QuoteID      string `bun:"quote_id,pk" json:"-"`
	Seq          int    `bun:"seq,pk" json:"seq"`
	Item         string `bun:"item" json:"item"`
	Quantity     int64  `bun:"quantity" json:"quantity"`
	Unit         string `bun:"unit" json:"unit"`
	UnitPriceFen int64  `bun:"unit_price_fen" json:"unit_price_fen"`
	AmountFen    int64  `bun:"amount_fen" json:"amount_fen"`

	bun.BaseModel `bun:"table:quote_lines"`
}

// NeedView is a need with names, its quotes' state and the follow-up flag.
type NeedView struct {
	Need         `bun:",extend"`
	CustomerName string `bun:"customer_name" json:"customer_name"`
	// CustomerOwnerID is the customer's owning specialist now (who may
	// write the need), OwnerID the one when it was raised.
	CustomerOwnerID *string    `bun:"customer_owner_id" json:"customer_owner_id"`
	OwnerName       string     `bun:"owner_name" json:"owner_name"`
	Quotes          int        `bun:"quotes" json:"quotes"`
	LastSentAt      *time.Time `bun:"last_sent_at" json:"last_sent_at"`
	LastFollowUp    *time.Time `bun:"last_follow_up" json:"last_follow_up"`
	// FollowUpDue is when the last sent quote must be followed up by.
	FollowUpDue *time.Time `bun:"-" json:"follow_up_due"`
	// FollowUpOverdue: the quote was sent and not followed up in time.
	FollowUpOverdue bool `bun:"-" json:"follow_up_overdue"`
}

// NeedDetail is a need with its quotes and follow-ups.
type NeedDetail struct {
	NeedView
	QuoteList []Quote         `json:"quote_list"`
	FollowUps []Communication `json:"follow_ups"`
}

// NeedInput raises a need.
type NeedInput struct {
	CustomerID  string `json:"customer_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	RaisedOn    string `json:"raised_on"` // default today
}

// QuoteInput is a quote with its lines; Send marks it sent now, SentAt
// when it was really sent (a quote e-mailed before it was entered).
type QuoteInput struct {
	Number     string           `json:"number"`
	ValidUntil string           `json:"valid_until"`
	Notes      string           `json:"notes"`
	Lines      []QuoteLineInput `json:"lines"`
	Send       bool             `json:"send"`
	SentAt     *time.Time       `json:"sent_at,omitempty"`
}

// QuoteLineInput is one quote line; the amount is quantity × unit price.
type QuoteLineInput struct {
	Item         string `json:"item"`
	Quantity     int64  `json:"quantity"`
	Unit         string `json:"unit"`
	UnitPriceFen int64  `json:"unit_price_fen"`
}

// needForWrite loads a need and its customer's owner and checks p may
// change it.
func needForWrite(ctx context.Context, tx bun.IDB, p *access.Principal, id string) (*Need, error) {
	n := new(Need)
	if err := tx.NewSelect().Model(n).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "need")
	}
	owner, err := customerOwner(ctx, tx, n.CustomerID)
	if err != nil {
		return nil, err
	}
	if !canWriteFor(p, owner) {
		return nil, apperr.Forbidden("只能处理自己分管客户的需求")
	}
	return n, nil
}

// CreateNeed records a need of an existing customer.
func (s *Service) CreateNeed(ctx context.Context, in NeedInput) (*Need, error) {
	p := access.Caller(ctx)
	in.CustomerID, in.Title = strings.TrimSpace(in.CustomerID), strings.TrimSpace(in.Title)
	in.Description, in.RaisedOn = strings.TrimSpace(in.Description), strings.TrimSpace(in.RaisedOn)
	if in.RaisedOn == "" {
		in.RaisedOn = s.today().String()
	}
	if err := firstErr(text("title", in.Title, 1, 200), text("description", in.Description, 0, 4000), day("raised_on", in.RaisedOn, true)); err != nil {
		return nil, err
	}
	if in.CustomerID == "" {
		return nil, apperr.Invalid("customer_id", "请选择客户")
	}
	now := store.Time(s.now())
	n := &Need{ID: store.NewID(), CustomerID: in.CustomerID, Title: in.Title, Description: in.Description, RaisedOn: in.RaisedOn,
		Status: "open", Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		owner, err := customerOwner(ctx, tx, in.CustomerID)
		if err != nil {
			return err
		}
		if !canWriteFor(p, owner) {
			return apperr.Forbidden("只能为自己分管的客户登记需求")
		}
		n.OwnerID = owner
		if _, err := tx.NewInsert().Model(n).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "need", EntityID: n.ID, Summary: "登记需求 " + n.Title, After: n})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// AddQuote adds a quote to a need (and sends it when in.Send).
func (s *Service) AddQuote(ctx context.Context, needID string, in QuoteInput) (*Quote, error) {
	p := access.Caller(ctx)
	in.Number, in.ValidUntil, in.Notes = strings.ToUpper(strings.TrimSpace(in.Number)), strings.TrimSpace(in.ValidUntil), strings.TrimSpace(in.Notes)
	if err := firstErr(text("number", in.Number, 1, 50), day("valid_until", in.ValidUntil, false), text("notes", in.Notes, 0, 2000)); err != nil {
		return nil, err
	}
	if len(in.Lines) == 0 {
		return nil, apperr.Invalid("lines", "报价须至少有一行")
	}
	now := store.Time(s.now())
	q := &Quote{ID: store.NewID(), NeedID: needID, Number: in.Number, ValidUntil: optional(in.ValidUntil), Notes: in.Notes, CreatedAt: now}
	if p.StaffID != "" {
		id := p.StaffID
		q.CreatedBy = &id
	}
	if in.SentAt != nil {
		if in.SentAt.After(now) {
			return nil, apperr.Invalid("sent_at", "发送时间不能晚于现在")
		}
		at := store.Time(*in.SentAt)
		q.SentAt = &at
	} else if in.Send {
		q.SentAt = &now
	}
	for i, l := range in.Lines {
		f := func(n string) string { return fmt.Sprintf("lines[%d].%s", i, n) }
		l.Item, l.Unit = strings.TrimSpace(l.Item), strings.TrimSpace(l.Unit)
		if err := firstErr(text(f("item"), l.Item, 1, 200), text(f("unit"), l.Unit, 0, 20)); err != nil {
			return nil, err
		}
		if l.Quantity <= 0 || l.Quantity > 1_000_000 {
			return nil, apperr.Invalid(f("quantity"), "数量须在 1 到 1000000 之间")
		}
		if l.UnitPriceFen < 0 || l.UnitPriceFen > 1_000_000_000_00 {
			return nil, apperr.Invalid(f("unit_price_fen"), "单价无效")
		}
		line := QuoteLine{QuoteID: q.ID, Seq: i + 1, Item: l.Item, Quantity: l.Quantity, Unit: l.Unit, UnitPriceFen: l.UnitPriceFen,
			AmountFen: l.Quantity * l.UnitPriceFen}
		q.Lines = append(q.Lines, line)
		q.TotalFen += line.AmountFen
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := needForWrite(ctx, tx, p, needID)
		if err != nil {
			return err
		}
		if n.Status == "won" || n.Status == "lost" {
			return apperr.Conflict("status", "需求已关闭")
		}
		if _, err := tx.NewInsert().Model(q).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("number", "报价单号已存在")
			}
			return err
		}
		if _, err := tx.NewInsert().Model(&q.Lines).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Table("needs").Set("status = 'quoted'").Set("version = version + 1").Set("updated_at = ?", now).
			Where("id = ?", needID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "quote", EntityID: q.ID,
			Summary: fmt.Sprintf("报价 %s：%s 元", q.Number, FormatYuan(q.TotalFen)), After: q})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// SendQuote marks a quote sent to the customer now; the follow-up clock
// starts.
func (s *Service) SendQuote(ctx context.Context, quoteID string) (*Quote, error) {
	p := access.Caller(ctx)
	q := new(Quote)
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(q).Where("id = ?", quoteID).Scan(ctx); err != nil {
			return notFound(err, "quote")
		}
		n, err := needForWrite(ctx, tx, p, q.NeedID)
		if err != nil {
			return err
		}
		if n.Status == "won" || n.Status == "lost" {
			return apperr.Conflict("status", "需求已关闭")
		}
		if q.SentAt != nil {
			return apperr.Conflict("sent_at", "报价已发送")
		}
		now := store.Time(s.now())
		q.SentAt = &now
		if _, err := tx.NewUpdate().Model(q).Column("sent_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "quote", EntityID: q.ID, Summary: "发送报价 " + q.Number, After: q})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// LogFollowUp records a follow-up contact on a need (tag quote).
func (s *Service) LogFollowUp(ctx context.Context, needID string, in CommunicationInput) (*Communication, error) {
	if err := in.normalise(s.now()); err != nil {
		return nil, err
	}
	var out *Communication
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := needForWrite(ctx, tx, access.Caller(ctx), needID)
		if err != nil {
			return err
		}
		if n.Status == "won" || n.Status == "lost" {
			return apperr.Conflict("status", "需求已关闭")
		}
		out, err = s.logCommunication(ctx, tx, n.CustomerID, nil, &n.ID, in, TagQuote)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.deriveClocks(ctx, out)
	return out, nil
}

// CloseNeed records the result: won with the new contract (same
// customer) or lost with a reason.
func (s *Service) CloseNeed(ctx context.Context, needID string, version int64, outcome, contractID, reason string) (*Need, error) {
	outcome, contractID, reason = strings.TrimSpace(outcome), strings.TrimSpace(contractID), strings.TrimSpace(reason)
	var out *Need
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := needForWrite(ctx, tx, access.Caller(ctx), needID)
		if err != nil {
			return err
		}
		if before.Status == "won" || before.Status == "lost" {
			return apperr.Conflict("status", "需求已关闭")
		}
		after := *before
		switch outcome {
		case "won":
			if contractID == "" {
				return apperr.Invalid("contract_id", "成交须关联新合同")
			}
			c, err := getContract(ctx, tx, contractID)
			if err != nil || c.CustomerID != before.CustomerID {
				return apperr.Invalid("contract_id", "合同不存在或不属于该客户")
			}
			if c.State == "terminated" || c.EndOn < before.RaisedOn {
				return apperr.Invalid("contract_id", "成交合同须是需求提出后仍有效的合同")
			}
			after.Status, after.WonContractID, after.LostReason = "won", &c.ID, ""
		case "lost":
			if err := text("reason", reason, 1, 500); err != nil {
				return err
			}
			after.Status, after.LostReason, after.WonContractID = "lost", reason, nil
		default:
			return apperr.Invalid("outcome", "结果须为 won 或 lost")
		}
		after.Version, after.UpdatedAt = version+1, store.Time(s.now())
		res, err := tx.NewUpdate().Model(&after).Column("status", "lost_reason", "won_contract_id", "version", "updated_at").
			Where("id = ? AND version = ?", needID, version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		out = &after
		return audit.Record(ctx, tx, after.UpdatedAt, audit.Change{Action: "update", Entity: "need", EntityID: needID,
			Summary: "需求 " + after.Title + " 结果：" + outcome, Before: before, After: &after})
	})
	return out, err
}

// NeedFilter selects needs.
type NeedFilter struct {
	OwnerID         string
	CustomerID      string
	Status          string
	FollowUpOverdue bool
}

const needSelect = `SELECT n.*, cu.name AS customer_name, cu.owner_id AS customer_owner_id, COALESCE(o.name, '') AS owner_name,
	(SELECT COUNT(*) FROM quotes q WHERE q.need_id = n.id) AS quotes,
	(SELECT MAX(q.sent_at) FROM quotes q WHERE q.need_id = n.id) AS last_sent_at,
	(SELECT MAX(m.occurred_at) FROM communications m WHERE m.need_id = n.id) AS last_follow_up
FROM needs n JOIN customers cu ON cu.id = n.customer_id LEFT JOIN staff o ON o.id = n.owner_id`

// ListNeeds returns the needs the caller may read, newest first, with the
// follow-up flag: a sent quote not followed up within the policy's
// working days.
func (s *Service) ListNeeds(ctx context.Context, f NeedFilter) ([]NeedView, error) {
	p := access.Caller(ctx)
	scope, ok := s.readScope(p)
	if !ok {
		return nil, apperr.Forbidden("无权查看需求")
	}
	var where []string
	var args []any
	add := func(c string, a ...any) { where = append(where, c); args = append(args, a...) }
	if scope != "" {
		add("cu.owner_id = ?", scope)
	}
	if f.OwnerID != "" {
		add("n.owner_id = ?", f.OwnerID)
	}
	if f.CustomerID != "" {
		add("n.customer_id = ?", f.CustomerID)
	}
	if f.Status != "" {
		add("n.status = ?", f.Status)
	}
	q := needSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var out []NeedView
	if err := s.db.R().NewRaw(q+" ORDER BY n.raised_on DESC, n.id DESC LIMIT 500", args...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	if err := s.flagFollowUps(ctx, out); err != nil {
		return nil, err
	}
	if f.FollowUpOverdue {
		kept := out[:0]
		for _, n := range out {
			if n.FollowUpOverdue {
				kept = append(kept, n)
			}
		}
		out = kept
	}
	if out == nil {
		out = []NeedView{}
	}
	return out, nil
}

// flagFollowUps sets FollowUpDue and FollowUpOverdue on open needs with a
// sent quote.
func (s *Service) flagFollowUps(ctx context.Context, ns []NeedView) error {
	pol, err := s.Policy(ctx)
	if err != nil {
		return err
	}
	var cal *calendar.Calendar
	now := s.now()
	for i := range ns {
		n := &ns[i]
		if n.LastSentAt == nil || n.Status == "won" || n.Status == "lost" {
			continue
		}
		if cal == nil {
			if cal, err = s.cal.Calendar(ctx, s.loc.String()); err != nil {
				return err
			}
		}
		due := cal.WorkingDaysDeadline(*n.LastSentAt, pol.QuoteFollowupWorkingDays)
		n.FollowUpDue = &due
		followed := n.LastFollowUp != nil && n.LastFollowUp.After(*n.LastSentAt)
		n.FollowUpOverdue = !followed && now.After(due)
	}
	return nil
}

// GetNeed returns a need with its quotes and follow-ups.
func (s *Service) GetNeed(ctx context.Context, id string) (*NeedDetail, error) {
	p := access.Caller(ctx)
	d := new(NeedDetail)
	if err := s.db.R().NewRaw(needSelect+" WHERE n.id = ?", id).Scan(ctx, &d.NeedView); err != nil {
		return nil, notFound(err, "need")
	}
	owner, err := customerOwner(ctx, s.db.R(), d.CustomerID)
	if err != nil {
		return nil, err
	}
	if !s.canReadFor(p, owner) {
		return nil, apperr.Forbidden("无权查看该需求")
	}
	one := []NeedView{d.NeedView}
	if err := s.flagFollowUps(ctx, one); err != nil {
		return nil, err
	}
	d.NeedView = one[0]
	if err := s.db.R().NewSelect().Model(&d.QuoteList).Where("need_id = ?", id).Order("created_at").Scan(ctx); err != nil {
		return nil, err
	}
	for i := range d.QuoteList {
		if err := s.db.R().NewSelect().Model(&d.QuoteList[i].Lines).Where("quote_id = ?", d.QuoteList[i].ID).Order("seq").Scan(ctx); err != nil {
			return nil, err
		}
	}
	if d.QuoteList == nil {
		d.QuoteList = []Quote{}
	}
	d.FollowUps, err = s.communications(ctx, "m.need_id = ?", id)
	return d, err
}
