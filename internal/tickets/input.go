package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// TicketInput is a ticket as a person or a machine registers it. Times are
// RFC 3339, or without a zone ("2026-03-05 10:00:05") in the company's time
// zone; ReceivedAt defaults to now and may be in the past (history
// migration) but not in the future.
type TicketInput struct {
	CustomerID string `json:"customer_id"`
	ContactID  string `json:"contact_id"`
	// Caller: the caller's number or name when no customer matches yet.
	Caller     string `json:"caller"`
	Type       string `json:"type"`
	Channel    string `json:"channel"`
	ReceivedAt string `json:"received_at"`
	// FirstOwnerID (首问责任人) defaults to the caller; only managers name
	// another person.
	FirstOwnerID string `json:"first_owner_id"`
	AssigneeID   string `json:"assignee_id"`
	Urgency      string `json:"urgency"` // urgent 紧急 / normal 一般 (default)
	Description  string `json:"description"`
	// PromisedAt (解决方案期限): left empty, the matching SLA rule's
	// solution target sets it (Policy.SLA).
	PromisedAt string `json:"promised_at"`

	// 登记要素
	Address       string `json:"address"` // defaults to the customer's address
	RepairObject  string `json:"repair_object"`
	ModelSpec     string `json:"model_spec"`
	AppointmentAt string `json:"appointment_at"`
	SpecialNeeds  string `json:"special_needs"`
	Cause         string `json:"cause"`
	IncidentWho   string `json:"incident_who"`
	IncidentWhat  string `json:"incident_what"`
	IncidentWhen  string `json:"incident_when"`
	Demand        string `json:"demand"`
}

// normalise checks what needs no database and applies the input to t
// (everything but the number, status and bookkeeping).
func (in *TicketInput) normalise(t *Ticket, p *access.Principal, now time.Time, loc *time.Location) error {
	for _, f := range []*string{&in.CustomerID, &in.ContactID, &in.Caller, &in.Type, &in.Channel, &in.ReceivedAt,
		&in.FirstOwnerID, &in.AssigneeID, &in.Urgency, &in.Description, &in.PromisedAt, &in.Address, &in.RepairObject,
		&in.ModelSpec, &in.AppointmentAt, &in.SpecialNeeds, &in.Cause, &in.IncidentWho, &in.IncidentWhat,
		&in.IncidentWhen, &in.Demand} {
		*f = strings.TrimSpace(*f)
	}
	if !slices.Contains(Types, in.Type) {
		return apperr.Invalid("type", "工单类型须为 "+strings.Join(Types, "、"))
	}
	if !slices.Contains(Channels, in.Channel) {
		return apperr.Invalid("channel", "受理渠道须为 "+strings.Join(Channels, "、"))
	}
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
	if in.Urgency != "urgent" && in.Urgency != "normal" {
		return apperr.Invalid("urgency", "紧急程度须为 urgent（紧急）或 normal（一般）")
	}
	if in.CustomerID == "" && in.Caller == "" {
		return apperr.Invalid("customer_id", "请选择客户，或填写未匹配来电的号码/姓名")
	}
	if in.CustomerID == "" && in.ContactID != "" {
		return apperr.Invalid("contact_id", "未选择客户时不能选择联系人")
	}
	if in.FirstOwnerID == "" {
		in.FirstOwnerID = p.StaffID
	}
	if in.FirstOwnerID == "" {
		return apperr.Invalid("first_owner_id", "请指定首问责任人")
	}
	received := now.Truncate(time.Second)
	if in.ReceivedAt == "" && !t.ReceivedAt.IsZero() {
		received = t.ReceivedAt // an update that leaves it out keeps it
	}
	if in.ReceivedAt != "" {
		at, err := parseTime(in.ReceivedAt, loc)
		if err != nil {
			return apperr.Invalid("received_at", err.Error())
		}
		received = at
	}
	if received.After(now.Add(time.Minute)) {
		return apperr.Invalid("received_at", "受理时间不能晚于现在")
	}
	if received.Year() < 2000 {
		return apperr.Invalid("received_at", "受理时间不能早于 2000 年")
	}
	opt := func(field, s string) (*time.Time, error) {
		if s == "" {
			return nil, nil
		}
		at, err := parseTime(s, loc)
		if err != nil {
			return nil, apperr.Invalid(field, err.Error())
		}
		if at.Before(received) {
			return nil, apperr.Invalid(field, "不能早于受理时间")
		}
		at = store.Time(at)
		return &at, nil
	}
	promised, err := opt("promised_at", in.PromisedAt)
	if err != nil {
		return err
	}
	appointment, err := opt("appointment_at", in.AppointmentAt)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"caller", in.Caller, 100}, {"description", in.Description, 4000}, {"address", in.Address, 200},
		{"repair_object", in.RepairObject, 200}, {"model_spec", in.ModelSpec, 200}, {"special_needs", in.SpecialNeeds, 1000},
		{"cause", in.Cause, 2000}, {"incident_who", in.IncidentWho, 200}, {"incident_what", in.IncidentWhat, 2000},
		{"incident_when", in.IncidentWhen, 200}, {"demand", in.Demand, 2000}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return apperr.Invalid(f.field, fmt.Sprintf("不能超过 %d 个字", f.max))
		}
	}
	t.CustomerID, t.ContactID, t.Caller = optional(in.CustomerID), optional(in.ContactID), in.Caller
	t.Type, t.Channel, t.ReceivedAt = in.Type, in.Channel, store.Time(received)
	t.FirstOwnerID, t.AssigneeID, t.Urgency = in.FirstOwnerID, optional(in.AssigneeID), in.Urgency
	t.Description, t.PromisedAt = in.Description, promised
	t.Address, t.RepairObject, t.ModelSpec, t.AppointmentAt = in.Address, in.RepairObject, in.ModelSpec, appointment
	t.SpecialNeeds, t.Cause = in.SpecialNeeds, in.Cause
	t.IncidentWho, t.IncidentWhat, t.IncidentWhen, t.Demand = in.IncidentWho, in.IncidentWhat, in.IncidentWhen, in.Demand
	return nil
}

// checkRefs checks what t refers to and fills the address from the
// customer archive when none was given. It returns the customer's owner.
func checkRefs(ctx context.Context, tx bun.IDB, loc *time.Location, t *Ticket) (*string, error) {
	var owner *string
	if t.CustomerID != nil {
		var row struct {
			OwnerID *string `bun:"owner_id"`
			Address string  `bun:"address"`
			Since   *string `bun:"since"`
		}
		err := tx.NewSelect().Table("customers").Column("owner_id", "address", "since").Where("id = ?", *t.CustomerID).Scan(ctx, &row)
		if err != nil {
			return nil, notFoundAs(err, apperr.Invalid("customer_id", "客户不存在"))
		}
		// Not before the customer existed (建档日期, a company day).
		if row.Since != nil && t.ReceivedAt.In(loc).Format(time.DateOnly) < *row.Since {
			return nil, apperr.Invalid("received_at", fmt.Sprintf("受理时间 %s 早于客户建档日期 %s（如属实，请先修改客户的建档日期）",
				t.ReceivedAt.In(loc).Format(time.DateTime), *row.Since))
		}
		owner = row.OwnerID
		if t.Address == "" {
			t.Address = row.Address
		}
	}
	if t.ContactID != nil {
		n, err := tx.NewSelect().Table("contacts").Where("id = ? AND customer_id = ?", *t.ContactID, deref(t.CustomerID)).Count(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Invalid("contact_id", "联系人不存在或不属于该客户")
		}
	}
	if err := checkStaff(ctx, tx, "first_owner_id", t.FirstOwnerID); err != nil {
		return nil, err
	}
	if t.AssigneeID != nil {
		if err := checkStaff(ctx, tx, "assignee_id", *t.AssigneeID); err != nil {
			return nil, err
		}
	}
	return owner, nil
}

// checkStaff: id names an active staff member.
func checkStaff(ctx context.Context, tx bun.IDB, field, id string) error {
	n, err := tx.NewSelect().Table("staff").Where("id = ? AND active", id).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.Invalid(field, "员工不存在或已停用")
	}
	return nil
}
