package contracts

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Channels of a communication record (SPEC §5.1).
var Channels = []string{"wechat_group", "wechat_private", "phone_in", "phone_out", "phone_missed", "visit", "email", "sms", "other"}

// Tags this capability gives communication records: 续约联系, 催款, 报价跟进.
const (
	TagRenewal = "renewal"
	TagDunning = "dunning"
	TagQuote   = "quote"
)

// Communication is one contact with a customer (沟通记录).
type Communication struct {
	ID           string    `bun:"id,pk" json:"id"`
	ExternalID   *string   `bun:"external_id" json:"external_id"`
	Channel      string    `bun:"channel" json:"channel"`
	Direction    string    `bun:"direction" json:"direction"` // in / out
	OccurredAt   time.Time `bun:"occurred_at" json:"occurred_at"`
	StaffID      *string   `bun:"staff_id" json:"staff_id"`
	CustomerID   *string   `bun:"customer_id" json:"customer_id"`
	ContactID    *string   `bun:"contact_id" json:"contact_id"`
	Conversation string    `bun:"conversation" json:"conversation"`
	Counterpart  string    `bun:"counterpart" json:"counterpart"`
	Summary      string    `bun:"summary" json:"summary"`
	TicketID     *string   `bun:"ticket_id" json:"ticket_id"`
	ContractID   *string   `bun:"contract_id" json:"contract_id"`
	NeedID       *string   `bun:"need_id" json:"need_id"`
	CreatedBy    *string   `bun:"created_by" json:"created_by"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
	Source       string    `bun:"source" json:"source"` // ui / api / import
	DurationS    *int64    `bun:"duration_s" json:"duration_s"`
	ContentHash  string    `bun:"content_hash" json:"-"`

	UnregisteredAt     *time.Time `bun:"unregistered_at" json:"-"`
	UnregisteredBy     *string    `bun:"unregistered_by" json:"-"`
	UnregisteredReason string     `bun:"unregistered_reason" json:"-"`
	Tags               []string   `bun:"-" json:"tags"`
	StaffName          string     `bun:"staff_name,scanonly" json:"staff_name"`
	ContactName        string     `bun:"contact_name,scanonly" json:"contact_name"`

	bun.BaseModel `bun:"table:communications"`
}

// CommunicationInput is a contact made about a contract or a need: a
// renewal contact (续约联系), a dunning call (催款) or a quote follow-up.
type CommunicationInput struct {
	Channel    string     `json:"channel"`
	Direction  string     `json:"direction"`
	OccurredAt *time.Time `json:"occurred_at"` // default now
	ContactID  string     `json:"contact_id"`
	Summary    string     `json:"summary"`
}

func (in *CommunicationInput) normalise(now time.Time) error {
	in.Channel, in.Direction = strings.TrimSpace(in.Channel), strings.TrimSpace(in.Direction)
	in.ContactID, in.Summary = strings.TrimSpace(in.ContactID), strings.TrimSpace(in.Summary)
	if in.Direction == "" {
		in.Direction = "out"
	}
	if !slices.Contains(Channels, in.Channel) {
		return apperr.Invalid("channel", "沟通渠道无效")
	}
	if in.Direction != "in" && in.Direction != "out" {
		return apperr.Invalid("direction", "方向须为 in 或 out")
	}
	if err := text("summary", in.Summary, 1, 2000); err != nil {
		return err
	}
	if in.OccurredAt == nil {
		in.OccurredAt = &now
	}
	if in.OccurredAt.After(now.Add(time.Minute)) {
		return apperr.Invalid("occurred_at", "沟通时间不能晚于现在")
	}
	return nil
}

// ClockDeriver re-derives the response clocks (WeChat 3 minutes, missed
// call 30 minutes) that a communication record of a customer dated at can
// change: a renewal or dunning call is a call back that stops the
// customer's missed-call clock. The comms domain implements it; app wires
// it.
type ClockDeriver interface {
	RecomputeCustomer(ctx context.Context, customerID string, at time.Time) error
}

// WorkPlanner re-plans the field work of a contract after its period,
// scope or state changed (the fieldwork domain implements it; app wires
// it).
type WorkPlanner interface {
	ContractChanged(ctx context.Context, contractID string) error
}

// replanWork tells field work a committed change of contract id, like
// deriveClocks: after the commit, a failure logged and not returned (the
// project is re-planned at its next edit).
func (s *Service) replanWork(ctx context.Context, id string) {
	if s.work == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.work.ContractChanged(ctx, id); err != nil {
		s.log.ErrorContext(ctx, "contracts: field work not re-planned after a contract change; it is at the project's next edit",
			slog.String("contract_id", id), slog.Any("err", err))
	}
}

// deriveClocks re-derives the clocks a committed contact record can
// change. It runs after the transaction: the record is committed first and
// is never lost to a failure here. Such a failure is logged and not
// returned; the clocks catch up at the next re-derivation of the
// customer's conversations (the sweeper's when a running clock's deadline
// passes, the next record through comms, or a recomputation of the
// window). A caller gone after the commit does not cancel it.
func (s *Service) deriveClocks(ctx context.Context, cm *Communication) {
	if s.clocks == nil || cm == nil || cm.CustomerID == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.clocks.RecomputeCustomer(ctx, *cm.CustomerID, cm.OccurredAt); err != nil {
		s.log.ErrorContext(ctx, "contracts: response clocks not re-derived after a contact record; they catch up at the next re-derivation",
			slog.String("communication_id", cm.ID), slog.String("customer_id", *cm.CustomerID), slog.Any("err", err))
	}
}

// logCommunication writes a communication record with its tags in tx.
func (s *Service) logCommunication(ctx context.Context, tx bun.IDB, customerID string, contractID, needID *string,
	in CommunicationInput, tags ...string) (*Communication, error) {
	if in.ContactID != "" {
		n, err := tx.NewSelect().Table("contacts").Where("id = ? AND customer_id = ?", in.ContactID, customerID).Count(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Invalid("contact_id", "联系人不存在或不属于该客户")
		}
	}
	now := store.Time(s.now())
	cm := &Communication{ID: store.NewID(), Channel: in.Channel, Direction: in.Direction, OccurredAt: store.Time(*in.OccurredAt),
		CustomerID: &customerID, ContactID: optional(in.ContactID), Summary: in.Summary, ContractID: contractID, NeedID: needID,
		CreatedAt: now, Tags: tags, Source: "ui"}
	if id := access.Caller(ctx).StaffID; id != "" {
		cm.StaffID, cm.CreatedBy = &id, &id
	}
	if _, err := tx.NewInsert().Model(cm).Exec(ctx); err != nil {
		return nil, err
	}
	for _, tag := range tags {
		if _, err := tx.NewRaw("INSERT INTO communication_tags (communication_id, tag) VALUES (?, ?)", cm.ID, tag).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return cm, audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "communication", EntityID: cm.ID,
		Summary: fmt.Sprintf("沟通记录（%s）：%s", strings.Join(tags, ","), cm.Summary), After: cm})
}

// LogContractContact records a renewal contact or a dunning call on a
// contract. The caller must be allowed to write the contract.
func (s *Service) LogContractContact(ctx context.Context, contractID, tag string, in CommunicationInput) (*Communication, error) {
	if tag != TagRenewal && tag != TagDunning {
		return nil, apperr.Invalid("tag", "标签须为 renewal 或 dunning")
	}
	if err := in.normalise(s.now()); err != nil {
		return nil, err
	}
	var out *Communication
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := writableContract(ctx, tx, access.Caller(ctx), contractID)
		if err != nil {
			return err
		}
		out, err = s.logCommunication(ctx, tx, c.CustomerID, &c.ID, nil, in, tag)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.deriveClocks(ctx, out)
	return out, nil
}

// Communications returns the records linked to a contract or a need,
// newest first.
func (s *Service) communications(ctx context.Context, where string, arg any) ([]Communication, error) {
	var out []Communication
	err := s.db.R().NewRaw(`SELECT m.*, COALESCE(st.name, '') AS staff_name, COALESCE(ct.name, '') AS contact_name
		FROM communications m LEFT JOIN staff st ON st.id = m.staff_id LEFT JOIN contacts ct ON ct.id = m.contact_id
		WHERE `+where+` ORDER BY m.occurred_at DESC, m.id DESC`, arg).Scan(ctx, &out)
	if err != nil || len(out) == 0 {
		return []Communication{}, err
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	var tags []struct {
		ID  string `bun:"communication_id"`
		Tag string `bun:"tag"`
	}
	if err := s.db.R().NewRaw("SELECT communication_id, tag FROM communication_tags WHERE communication_id IN (?) ORDER BY tag",
		bun.In(ids)).Scan(ctx, &tags); err != nil {
		return nil, err
	}
	by := map[string][]string{}
	for _, t := range tags {
		by[t.ID] = append(by[t.ID], t.Tag)
	}
	for i := range out {
		out[i].Tags = by[out[i].ID]
		if out[i].Tags == nil {
			out[i].Tags = []string{}
		}
	}
	return out, nil
}

// ContractCommunications returns a readable contract's contact records.
func (s *Service) ContractCommunications(ctx context.Context, contractID string) ([]Communication, error) {
	if _, err := s.GetContract(ctx, contractID); err != nil {
		return nil, err
	}
	return s.communications(ctx, "m.contract_id = ?", contractID)
}
