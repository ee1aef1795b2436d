package tickets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

func notFoundAs(err, as error) error {
	if errors.Is(err, store.ErrNoRows) {
		return as
	}
	return err
}

func staleVersion() error {
	return apperr.Conflict("version", "记录已被他人修改，请刷新后重试")
}

func getTicket(ctx context.Context, db bun.IDB, id string) (*Ticket, error) {
	t := new(Ticket)
	if err := db.NewSelect().Model(t).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("ticket"))
	}
	t.expand()
	return t, nil
}

func customerOwner(ctx context.Context, db bun.IDB, customerID *string) (*string, error) {
	if customerID == nil {
		return nil, nil
	}
	var owner *string
	err := db.NewSelect().Table("customers").Column("owner_id").Where("id = ?", *customerID).Scan(ctx, &owner)
	return owner, notFoundAs(err, nil)
}

// nextNumber takes the next ticket number of the company day of at:
// GD-20260305-0001.
func (s *Service) nextNumber(ctx context.Context, tx bun.IDB, at time.Time) (string, error) {
	day := at.In(s.loc).Format("20060102")
	var n int64
	err := tx.NewRaw(`INSERT INTO ticket_counters (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last`, day).Scan(ctx, &n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("GD-%s-%04d", day, n), nil
}

// actor is the caller's staff id (nil for the system).
func actor(p *access.Principal) *string { return optional(p.StaffID) }

// CreateTicket registers a ticket. A specialist registers any customer's
// request they receive (首问责任制) and becomes its first-contact owner;
// only managers name another first-contact owner. A ticket missing
// registration fields is saved and marked incomplete (登记不全).
func (s *Service) CreateTicket(ctx context.Context, in TicketInput) (*Ticket, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return nil, apperr.Forbidden("无权登记工单")
	}
	now := store.Time(s.now())
	t := &Ticket{ID: store.NewID(), Status: StatusNew, EscalationLevel: LevelSpecialist, Version: 1,
		CreatedBy: actor(p), CreatedAt: now, UpdatedAt: now}
	if err := in.normalise(t, p, now, s.loc); err != nil {
		return nil, err
	}
	if t.FirstOwnerID != p.StaffID && !p.IsManagerial() {
		return nil, apperr.Forbidden("只有客服经理可以指定他人为首问责任人")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := checkRefs(ctx, tx, s.loc, t); err != nil {
			return err
		}
		if err := applySLA(ctx, tx, cal, t); err != nil {
			return err
		}
		markCompleteness(t)
		var err error
		if t.Number, err = s.nextNumber(ctx, tx, t.ReceivedAt); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return err
		}
		tr := &Transition{ID: store.NewID(), TicketID: t.ID, ToStatus: StatusNew, At: t.ReceivedAt, ByID: actor(p),
			Note: "登记工单", RecordedAt: now}
		if _, err := tx.NewInsert().Model(tr).Exec(ctx); err != nil {
			return err
		}
		if t.Type == TypeComplaint {
			if err := ensureComplaint(ctx, tx, t.ID, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "ticket", EntityID: t.ID,
			Summary: "登记工单 " + t.Number, After: t})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ensureComplaint adds the complaint row of a complaint ticket if missing.
func ensureComplaint(ctx context.Context, tx bun.IDB, ticketID string, now time.Time) error {
	c := &Complaint{TicketID: ticketID, Nature: "other", Severity: "general", Justified: "undecided", UpdatedAt: now}
	_, err := tx.NewInsert().Model(c).On("CONFLICT (ticket_id) DO NOTHING").Exec(ctx)
	return err
}

// change runs fn on ticket id at the expected version inside one
// transaction: the row is locked first (a stale version is a conflict),
// the caller's right to work it is checked, fn changes t (and writes its
// own rows), then t is saved with the next version and the change audited.
func (s *Service) change(ctx context.Context, id string, version int64, action string,
	fn func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, owner *string) (string, error)) (*Ticket, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return nil, apperr.Forbidden("无权修改工单")
	}
	var out *Ticket
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewRaw("UPDATE tickets SET version = version WHERE id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		t, err := getTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		owner, err := customerOwner(ctx, tx, t.CustomerID)
		if err != nil {
			return err
		}
		if !CanWork(p, t, owner) {
			return apperr.Forbidden("只能处理自己分管客户的工单，或自己首问、被指派的工单")
		}
		before := *t
		summary, err := fn(ctx, tx, p, t, owner)
		if err != nil {
			return err
		}
		now := store.Time(s.now())
		t.Version, t.UpdatedAt = version+1, now
		if _, err := tx.NewUpdate().Model(t).ExcludeColumn("id", "number", "created_by", "created_at").
			Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		out = t
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: "ticket", EntityID: id,
			Summary: summary + " " + t.Number, Before: &before, After: t})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateTicket replaces a ticket's registration (everything of TicketInput)
// and recomputes its completeness. The type changes only while the ticket
// is new or acknowledged; the first-contact owner only by a manager; a
// closed ticket is reopened before it is edited.
func (s *Service) UpdateTicket(ctx context.Context, id string, version int64, in TicketInput) (*Ticket, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, id, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, _ *string) (string, error) {
		if t.Status == StatusClosed {
			return "", apperr.Invalid("status", "工单已关闭，请先重新打开")
		}
		oldType, oldOwner := t.Type, t.FirstOwnerID
		if in.FirstOwnerID == "" {
			in.FirstOwnerID = oldOwner
		}
		if err := in.normalise(t, p, s.now(), s.loc); err != nil {
			return "", err
		}
		if t.Type != oldType && t.Status != StatusNew && t.Status != StatusAcknowledged {
			return "", apperr.Invalid("type", "工单处理后不能再修改类型")
		}
		if t.FirstOwnerID != oldOwner && !p.IsManagerial() {
			return "", apperr.Forbidden("只有客服经理可以更换首问责任人")
		}
		var first []time.Time
		if err := tx.NewSelect().Table("ticket_transitions").Column("at").Where("ticket_id = ? AND from_status <> ''", t.ID).
			OrderExpr("at").Limit(1).Scan(ctx, &first); err != nil {
			return "", err
		}
		if len(first) > 0 && t.ReceivedAt.After(first[0]) {
			return "", apperr.Invalid("received_at", "受理时间不能晚于工单的状态变更")
		}
		if _, err := checkRefs(ctx, tx, s.loc, t); err != nil {
			return "", err
		}
		if err := applySLA(ctx, tx, cal, t); err != nil {
			return "", err
		}
		markCompleteness(t)
		if t.Type == TypeComplaint {
			if err := ensureComplaint(ctx, tx, t.ID, store.Time(s.now())); err != nil {
				return "", err
			}
		}
		// The creation row carries the time received.
		if _, err := tx.NewUpdate().Table("ticket_transitions").Set("at = ?", t.ReceivedAt).
			Where("ticket_id = ? AND from_status = ''", t.ID).Exec(ctx); err != nil {
			return "", err
		}
		return "修改工单", nil
	})
}

func lastTransitionAt(ctx context.Context, db bun.IDB, ticketID string) (time.Time, error) {
	var ts []time.Time
	err := db.NewSelect().Table("ticket_transitions").Column("at").Where("ticket_id = ? AND from_status <> ''", ticketID).
		OrderExpr("at DESC").Limit(1).Scan(ctx, &ts)
	if err != nil || len(ts) == 0 {
		return time.Time{}, err
	}
	return ts[0], nil
}

// TransitionInput moves a ticket to another status. At (optional, RFC 3339
// or zone-less company time) backdates the change for history migration:
// not before the previous transition, not in the future.
type TransitionInput struct {
	To   string `json:"to"`
	Note string `json:"note"`
	At   string `json:"at"`
	// reopen: the caller asked to reopen; only a resolved, called-back
	// or closed ticket can be.
	reopen bool
}

var statusLabel = map[string]string{
	StatusNew: "新建", StatusAcknowledged: "已受理", StatusInProgress: "处理中", StatusDispatched: "已派工",
	StatusResolved: "已解决", StatusCallbackDone: "已回访", StatusClosed: "已关闭",
}

func describe(states []string) string {
	parts := make([]string, len(states))
	for i, st := range states {
		parts[i] = st + "（" + statusLabel[st] + "）"
	}
	return strings.Join(parts, "、")
}

// Transition moves a ticket along its lifecycle (see AllowedNext). A
// forbidden move is Invalid and names the allowed next states. Moving a
// resolved, called-back or closed ticket back to in_progress reopens it
// and needs a reason (Note). Resolving a repair or complaint makes its
// callback due; closing a complaint needs 三不放过 (root cause,
// responsibility, corrective action) and a judgement.
func (s *Service) Transition(ctx context.Context, id string, version int64, in TransitionInput) (*Ticket, error) {
	in.To, in.Note, in.At = strings.TrimSpace(in.To), strings.TrimSpace(in.Note), strings.TrimSpace(in.At)
	var cal *calendar.Calendar
	if !isOpen(in.To) { // a resolution may end a pause
		var err error
		if cal, err = s.calendar(ctx); err != nil {
			return nil, err
		}
	}
	return s.change(ctx, id, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, owner *string) (string, error) {
		return s.transition(ctx, tx, cal, p, t, owner, in)
	})
}

// Reopen moves a resolved, called-back or closed ticket back to
// in_progress with a reason.
func (s *Service) Reopen(ctx context.Context, id string, version int64, reason, at string) (*Ticket, error) {
	return s.Transition(ctx, id, version, TransitionInput{To: StatusInProgress, Note: reason, At: at, reopen: true})
}

func (s *Service) transition(ctx context.Context, tx bun.Tx, cal *calendar.Calendar, p *access.Principal, t *Ticket, owner *string, in TransitionInput) (string, error) {
	allowed := AllowedNext(t.Type, t.Status)
	if !slices.Contains(allowed, in.To) {
		return "", apperr.Invalid("to", fmt.Sprintf("工单状态不能从 %s（%s）转为 %s；可转为：%s",
			t.Status, statusLabel[t.Status], in.To, describe(allowed)))
	}
	if in.To == StatusCallbackDone {
		return "", apperr.Invalid("to", "登记回访结果后工单自动转为 callback_done（已回访）")
	}
	reopen := IsReopen(t.Status, in.To)
	if in.reopen && !reopen {
		return "", apperr.Invalid("status", "只有已解决、已回访或已关闭的工单可以重新打开；当前状态："+t.Status+"（"+statusLabel[t.Status]+"）")
	}
	if reopen && in.Note == "" {
		return "", apperr.Invalid("note", "重新打开工单须填写原因")
	}
	if len([]rune(in.Note)) > 2000 {
		return "", apperr.Invalid("note", "不能超过 2000 个字")
	}
	at, err := s.transitionTime(ctx, tx, t, in.At)
	if err != nil {
		return "", err
	}
	if in.To == StatusClosed && t.Type == TypeComplaint {
		c, err := getComplaint(ctx, tx, t.ID)
		if err != nil {
			return "", err
		}
		if missing := CloseMissing(c); len(missing) > 0 {
			return "", apperr.Invalid("complaint", "投诉关闭前须记录（三不放过）："+describeFields(missing))
		}
	}
	now := store.Time(s.now())
	if t.PausedAt != nil && !isOpen(in.To) {
		// Resolving ends the wait on the customer.
		if err := endPause(ctx, tx, cal, t, at, actor(p), "工单解决，结束等待客户", now); err != nil {
			return "", err
		}
	}
	switch {
	case in.To == StatusResolved:
		t.ResolvedAt = &at
		if NeedsCallback(t.Type) {
			if err := s.addCallback(ctx, tx, t, owner, at); err != nil {
				return "", err
			}
		}
	case in.To == StatusClosed:
		t.ClosedAt = &at
	case reopen:
		t.ResolvedAt, t.ClosedAt = nil, nil
		if _, err := tx.NewUpdate().Table("callbacks").Set("cancelled_at = ?", now).
			Set("cancel_reason = ?", "工单重新打开："+in.Note).Set("version = version + 1").Set("updated_at = ?", now).
			Where("ticket_id = ? AND done_at IS NULL AND cancelled_at IS NULL", t.ID).Exec(ctx); err != nil {
			return "", err
		}
	}
	if err := addTransition(ctx, tx, t, in.To, reopen, at, actor(p), in.Note, now); err != nil {
		return "", err
	}
	if reopen {
		return "重新打开工单", nil
	}
	return "工单转为" + statusLabel[in.To], nil
}

func addTransition(ctx context.Context, tx bun.IDB, t *Ticket, to string, reopen bool, at time.Time, by *string, note string, now time.Time) error {
	tr := &Transition{ID: store.NewID(), TicketID: t.ID, FromStatus: t.Status, ToStatus: to, Reopen: reopen,
		At: at, ByID: by, Note: note, RecordedAt: now}
	t.Status = to
	_, err := tx.NewInsert().Model(tr).Exec(ctx)
	return err
}

// transitionTime reads an explicit transition time or takes now; it may
// not precede the ticket's last transition nor lie in the future.
func (s *Service) transitionTime(ctx context.Context, tx bun.IDB, t *Ticket, raw string) (time.Time, error) {
	now := s.now()
	at := now
	if raw != "" {
		v, err := parseTime(raw, s.loc)
		if err != nil {
			return time.Time{}, apperr.Invalid("at", err.Error())
		}
		at = v
	}
	if at.After(now.Add(time.Minute)) {
		return time.Time{}, apperr.Invalid("at", "时间不能晚于现在")
	}
	last, err := lastTransitionAt(ctx, tx, t.ID)
	if err != nil {
		return time.Time{}, err
	}
	if last.Before(t.ReceivedAt) {
		last = t.ReceivedAt
	}
	if at.Before(last) {
		return time.Time{}, apperr.Invalid("at", "时间不能早于工单上一次状态变更（"+last.In(s.loc).Format("2006-01-02 15:04:05")+"）")
	}
	return store.Time(at), nil
}

// EscalationInput escalates a ticket one level up the path (问题升级):
// specialist → tech_specialist (技术专员, a person) → tech_department
// (技术部门, a person or the department's name).
type EscalationInput struct {
	ToLevel   string `json:"to_level"`
	ToStaffID string `json:"to_staff_id"`
	ToText    string `json:"to_text"`
	Note      string `json:"note"`
}

// Escalate records one step up the escalation path of an open ticket. The
// level is the next one; the ticket keeps its first-contact owner.
func (s *Service) Escalate(ctx context.Context, id string, version int64, in EscalationInput) (*Ticket, error) {
	in.ToLevel, in.ToStaffID, in.ToText, in.Note = strings.TrimSpace(in.ToLevel), strings.TrimSpace(in.ToStaffID),
		strings.TrimSpace(in.ToText), strings.TrimSpace(in.Note)
	return s.change(ctx, id, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, _ *string) (string, error) {
		if !isOpen(t.Status) {
			return "", apperr.Invalid("status", "只能升级未解决的工单")
		}
		cur := slices.Index(Levels, t.EscalationLevel)
		if cur+1 >= len(Levels) {
			return "", apperr.Invalid("to_level", "工单已升级到技术部门")
		}
		if next := Levels[cur+1]; in.ToLevel != next {
			return "", apperr.Invalid("to_level", "下一级为 "+next)
		}
		if in.ToStaffID == "" && in.ToText == "" {
			return "", apperr.Invalid("to_staff_id", "请指定升级给谁（人员或部门）")
		}
		if in.ToStaffID != "" {
			if err := checkStaff(ctx, tx, "to_staff_id", in.ToStaffID); err != nil {
				return "", err
			}
		}
		if len([]rune(in.Note)) > 2000 || len([]rune(in.ToText)) > 200 {
			return "", apperr.Invalid("note", "内容过长")
		}
		e := &Escalation{ID: store.NewID(), TicketID: t.ID, FromLevel: t.EscalationLevel, ToLevel: in.ToLevel,
			ToStaffID: optional(in.ToStaffID), ToText: in.ToText, At: store.Time(s.now()), ByID: actor(p), Note: in.Note}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return "", err
		}
		t.EscalationLevel = in.ToLevel
		return "工单升级到" + map[string]string{LevelTechSpecialist: "技术专员", LevelTechDepartment: "技术部门"}[in.ToLevel], nil
	})
}

// LinkCommunication links a communication record of the ticket's customer
// to the ticket (communications.ticket_id). A record already linked to
// another ticket is a conflict.
func (s *Service) LinkCommunication(ctx context.Context, ticketID, commID string) error {
	return s.linkComm(ctx, ticketID, commID, true)
}

// UnlinkCommunication removes the link of a record to the ticket.
func (s *Service) UnlinkCommunication(ctx context.Context, ticketID, commID string) error {
	return s.linkComm(ctx, ticketID, commID, false)
}

func (s *Service) linkComm(ctx context.Context, ticketID, commID string, link bool) error {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return apperr.Forbidden("无权修改工单")
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		t, err := getTicket(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		owner, err := customerOwner(ctx, tx, t.CustomerID)
		if err != nil {
			return err
		}
		if !CanWork(p, t, owner) {
			return apperr.Forbidden("只能处理自己分管客户的工单，或自己首问、被指派的工单")
		}
		var row struct {
			CustomerID *string `bun:"customer_id"`
			TicketID   *string `bun:"ticket_id"`
		}
		err = tx.NewSelect().Table("communications").Column("customer_id", "ticket_id").Where("id = ?", commID).Scan(ctx, &row)
		if err != nil {
			return notFoundAs(err, apperr.Invalid("communication_id", "沟通记录不存在"))
		}
		var to *string
		summary := "取消关联沟通记录 "
		if link {
			if t.CustomerID == nil || row.CustomerID == nil || *row.CustomerID != *t.CustomerID {
				return apperr.Invalid("communication_id", "只能关联同一客户的沟通记录")
			}
			if row.TicketID != nil && *row.TicketID != t.ID {
				return apperr.Conflict("communication_id", "该沟通记录已关联其他工单")
			}
			to, summary = &t.ID, "关联沟通记录 "
		} else if row.TicketID == nil || *row.TicketID != t.ID {
			return apperr.Invalid("communication_id", "该沟通记录未关联此工单")
		}
		if _, err := tx.NewUpdate().Table("communications").Set("ticket_id = ?", to).Where("id = ?", commID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), audit.Change{Action: "update", Entity: "communication", EntityID: commID,
			Summary: summary + "到工单 " + t.Number, Before: map[string]any{"ticket_id": row.TicketID}, After: map[string]any{"ticket_id": to}})
	})
}
