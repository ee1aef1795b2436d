package tickets

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// Complaint natures, severities and judgements.
var (
	Natures    = []string{"quality", "attitude", "other"} // 服务质量 / 服务态度 / 其他
	Severities = []string{"general", "major"}             // 一般 / 重大
	Judgements = []string{"yes", "no", "undecided"}       // 合理 / 不合理 / 待定
)

// EventAttitudeComplaint is the appraisal event type of a justified attitude
// complaint against a staff member (SPEC §8.3 attitude_complaint).
const EventAttitudeComplaint = "attitude_complaint"

// ComplaintInput is the complaint part of a complaint ticket, replaced as a
// whole. Reason explains a judgement (it becomes the event's reason, or
// the reason of its withdrawal).
type ComplaintInput struct {
	Nature           string `json:"nature"`
	AgainstStaffID   string `json:"against_staff_id"`
	AgainstText      string `json:"against_text"`
	Severity         string `json:"severity"`
	Justified        string `json:"justified"`
	Reason           string `json:"reason"`
	RootCause        string `json:"root_cause"`
	Responsibility   string `json:"responsibility"`
	CorrectiveAction string `json:"corrective_action"`
	PreventiveAction string `json:"preventive_action"`
}

func getComplaint(ctx context.Context, db bun.IDB, ticketID string) (*Complaint, error) {
	c := new(Complaint)
	if err := db.NewSelect().Model(c).Where("ticket_id = ?", ticketID).Scan(ctx); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("complaint"))
	}
	return c, nil
}

// CloseMissing returns what a complaint lacks before it may be closed:
// a judgement (justified yes/no) and 三不放过 — root_cause (原因不清不放过),
// responsibility (责任不清不放过), corrective_action (问题未解决不放过).
func CloseMissing(c *Complaint) []string {
	var out []string
	if c.Justified != "yes" && c.Justified != "no" {
		out = append(out, "justified")
	}
	for _, f := range []struct{ name, v string }{{"root_cause", c.RootCause}, {"responsibility", c.Responsibility},
		{"corrective_action", c.CorrectiveAction}} {
		if strings.TrimSpace(f.v) == "" {
			out = append(out, f.name)
		}
	}
	return out
}

var fieldLabel = map[string]string{
	"justified": "是否合理", "root_cause": "问题原因", "responsibility": "责任", "corrective_action": "纠正措施",
}

func describeFields(fs []string) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f
		if l := fieldLabel[f]; l != "" {
			parts[i] += "（" + l + "）"
		}
	}
	return strings.Join(parts, "、")
}

// SaveComplaint records the complaint part of a complaint ticket. Judging
// it (justified yes/no) is a manager's decision, never about oneself; a
// justified attitude complaint against a staff member adds a flagged
// attitude_complaint event for that person with the ticket as evidence,
// withdrawn (with the reason) when the complaint is later judged otherwise.
// Becoming major escalates it to the manager with a reply deadline of
// Policy.MajorReplyWorkingDays working days from its receipt.
func (s *Service) SaveComplaint(ctx context.Context, ticketID string, version int64, in ComplaintInput) (*Complaint, error) {
	for _, f := range []*string{&in.Nature, &in.AgainstStaffID, &in.AgainstText, &in.Severity, &in.Justified, &in.Reason,
		&in.RootCause, &in.Responsibility, &in.CorrectiveAction, &in.PreventiveAction} {
		*f = strings.TrimSpace(*f)
	}
	if in.Nature == "" {
		in.Nature = "other"
	}
	if in.Severity == "" {
		in.Severity = "general"
	}
	if in.Justified == "" {
		in.Justified = "undecided"
	}
	switch {
	case !slices.Contains(Natures, in.Nature):
		return nil, apperr.Invalid("nature", "投诉性质须为 quality（服务质量）、attitude（服务态度）或 other")
	case !slices.Contains(Severities, in.Severity):
		return nil, apperr.Invalid("severity", "严重程度须为 general（一般）或 major（重大）")
	case !slices.Contains(Judgements, in.Justified):
		return nil, apperr.Invalid("justified", "是否合理须为 yes、no 或 undecided")
	}
	for _, v := range []string{in.AgainstText, in.Reason, in.RootCause, in.Responsibility, in.CorrectiveAction, in.PreventiveAction} {
		if len([]rune(v)) > 4000 {
			return nil, apperr.Invalid("complaint", "内容不能超过 4000 个字")
		}
	}
	var out *Complaint
	_, err := s.change(ctx, ticketID, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, _ *string) (string, error) {
		if t.Type != TypeComplaint {
			return "", apperr.Invalid("type", "只有投诉工单有投诉信息")
		}
		if t.Status == StatusClosed {
			return "", apperr.Invalid("status", "投诉已关闭，请先重新打开")
		}
		if err := ensureComplaint(ctx, tx, t.ID, store.Time(s.now())); err != nil {
			return "", err
		}
		c, err := getComplaint(ctx, tx, t.ID)
		if err != nil {
			return "", err
		}
		cBefore := *c
		if in.AgainstStaffID != "" && deref(c.AgainstStaffID) != in.AgainstStaffID {
			if err := checkStaff(ctx, tx, "against_staff_id", in.AgainstStaffID); err != nil {
				return "", err
			}
		}
		judgementChanged := in.Justified != c.Justified ||
			c.Justified == "yes" && (in.Nature != c.Nature || in.AgainstStaffID != deref(c.AgainstStaffID))
		now := store.Time(s.now())
		if judgementChanged {
			if !p.IsManagerial() {
				return "", apperr.Forbidden("投诉是否合理由客服经理判定")
			}
			if in.AgainstStaffID != "" && in.AgainstStaffID == p.StaffID {
				return "", apperr.Forbidden("不能判定针对自己的投诉")
			}
			c.JudgedBy, c.JudgedAt = actor(p), &now
		}
		if in.Severity != c.Severity && c.Severity == "major" && !p.IsManagerial() {
			return "", apperr.Forbidden("重大投诉只能由客服经理降级")
		}
		becameMajor := in.Severity == "major" && c.Severity != "major"
		c.Nature, c.AgainstStaffID, c.AgainstText = in.Nature, optional(in.AgainstStaffID), in.AgainstText
		c.Severity, c.Justified = in.Severity, in.Justified
		c.RootCause, c.Responsibility = in.RootCause, in.Responsibility
		c.CorrectiveAction, c.PreventiveAction = in.CorrectiveAction, in.PreventiveAction
		c.UpdatedAt = now
		if becameMajor {
			if err := s.escalateMajor(ctx, tx, t, c, now); err != nil {
				return "", err
			}
		} else if c.Severity != "major" {
			c.ReplyDueAt = nil
		}
		if err := s.syncAttitudeEvent(ctx, tx, p, t, c, in.Reason, now); err != nil {
			return "", err
		}
		if _, err := tx.NewUpdate().Model(c).WherePK().Exec(ctx); err != nil {
			return "", err
		}
		out = c
		if err := audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "complaint", EntityID: t.ID,
			Summary: "修改投诉信息 " + t.Number, Before: &cBefore, After: c}); err != nil {
			return "", err
		}
		return "修改投诉信息", nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// escalateMajor sends a major complaint to the manager (the first active
// cs_manager by name) and sets the reply deadline.
func (s *Service) escalateMajor(ctx context.Context, tx bun.IDB, t *Ticket, c *Complaint, now time.Time) error {
	pol, err := loadPolicy(ctx, tx)
	if err != nil {
		return err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	due := store.Time(cal.WorkingDaysDeadline(t.ReceivedAt, pol.MajorReplyWorkingDays))
	c.EscalatedAt, c.ReplyDueAt = &now, &due
	var mgr []string
	if err := tx.NewSelect().TableExpr("staff AS st").Column("st.id").
		Join("JOIN staff_roles AS r ON r.staff_id = st.id AND r.role = ?", string(access.CSManager)).
		Where("st.active").OrderExpr("st.name, st.id").Limit(1).Scan(ctx, &mgr); err != nil {
		return err
	}
	if len(mgr) == 0 {
		return nil
	}
	c.EscalatedTo = &mgr[0]
	_, err = notify.Add(ctx, tx, now, notify.Notification{RecipientID: mgr[0], Kind: "major_complaint",
		SubjectKind: "ticket", SubjectID: t.ID, Title: "重大投诉 " + t.Number + " 待回复",
		Body: "请于 " + due.In(s.loc).Add(-time.Second).Format("2006-01-02") + " 前回复客户", Link: "/tickets/" + t.ID,
		DedupKey: "major_complaint:" + t.ID + ":" + now.Format(time.RFC3339Nano)})
	return err
}

// ReplyInput is the manager's reply to a major complaint: what was said,
// and when — now by default; a reply made by phone and logged later (or
// migrated) gives its past time, not before the ticket was received and
// never in the future. The time decides whether the reply deadline was
// met: a reply logged late but made in time withdraws the
// complaint_reply_overdue event at the next derivation.
type ReplyInput struct {
	Note string `json:"note"`
	At   string `json:"at"`
}

// ReplyMajor records the manager's reply to a major complaint (重大投诉回复).
func (s *Service) ReplyMajor(ctx context.Context, ticketID string, version int64, in ReplyInput) (*Complaint, error) {
	note := strings.TrimSpace(in.Note)
	var out *Complaint
	_, err := s.change(ctx, ticketID, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, t *Ticket, _ *string) (string, error) {
		if !p.IsManagerial() {
			return "", apperr.Forbidden("重大投诉由客服经理回复")
		}
		c, err := getComplaint(ctx, tx, t.ID)
		if err != nil {
			return "", err
		}
		if c.Severity != "major" {
			return "", apperr.Invalid("severity", "只有重大投诉需要经理回复")
		}
		if c.RepliedAt != nil {
			return "", apperr.Conflict("replied_at", "该投诉已回复")
		}
		if note == "" {
			return "", apperr.Invalid("note", "请填写回复内容")
		}
		now := store.Time(s.now())
		at, err := s.pastTime("at", in.At, t.ReceivedAt)
		if err != nil {
			return "", err
		}
		cBefore := *c
		c.RepliedAt, c.RepliedBy, c.ReplyNote, c.UpdatedAt = &at, actor(p), note, now
		if _, err := tx.NewUpdate().Model(c).WherePK().Exec(ctx); err != nil {
			return "", err
		}
		out = c
		if err := audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "complaint", EntityID: t.ID,
			Summary: "回复重大投诉 " + t.Number, Before: &cBefore, After: c}); err != nil {
			return "", err
		}
		return "回复重大投诉", nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eventRow is the part of an events row this package writes.
type eventRow struct {
	ID             string     `bun:"id,pk"`
	Type           string     `bun:"type"`
	StaffID        *string    `bun:"staff_id"`
	CustomerID     *string    `bun:"customer_id"`
	OccurredAt     time.Time  `bun:"occurred_at"`
	Quantity       int64      `bun:"quantity"`
	Rule           string     `bun:"rule"`
	Detail         string     `bun:"detail"`
	Source         string     `bun:"source"`
	FlaggedBy      *string    `bun:"flagged_by"`
	Reason         string     `bun:"reason"`
	WithdrawnAt    *time.Time `bun:"withdrawn_at"`
	WithdrawnBy    *string    `bun:"withdrawn_by"`
	WithdrawReason string     `bun:"withdraw_reason"`
	ComputedKey    *string    `bun:"computed_key"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`

	bun.BaseModel `bun:"table:events"`
}

// syncAttitudeEvent keeps the attitude_complaint event in line with the
// complaint: one event in force while it is a justified attitude complaint
// against a staff member, withdrawn otherwise (never deleted).
func (s *Service) syncAttitudeEvent(ctx context.Context, tx bun.IDB, p *access.Principal, t *Ticket, c *Complaint, reason string, now time.Time) error {
	want := c.Justified == "yes" && c.Nature == "attitude" && c.AgainstStaffID != nil
	if c.EventID != nil {
		cur := new(eventRow)
		if err := tx.NewSelect().Model(cur).Where("id = ?", *c.EventID).Scan(ctx); err != nil {
			return err
		}
		if cur.WithdrawnAt == nil && (!want || deref(cur.StaffID) != *c.AgainstStaffID) {
			why := reason
			if why == "" {
				why = "投诉重新判定：不再是针对该员工的合理服务态度投诉"
			}
			if _, err := tx.NewUpdate().Model((*eventRow)(nil)).Set("withdrawn_at = ?", now).Set("withdrawn_by = ?", actor(p)).
				Set("withdraw_reason = ?", why).Set("updated_at = ?", now).Where("id = ?", cur.ID).Exec(ctx); err != nil {
				return err
			}
			c.EventID = nil
		} else if cur.WithdrawnAt != nil {
			c.EventID = nil
		}
	}
	if !want || c.EventID != nil {
		return nil
	}
	why := reason
	if why == "" {
		why = "合理的服务态度投诉"
	}
	e := &eventRow{ID: store.NewID(), Type: EventAttitudeComplaint, StaffID: c.AgainstStaffID, CustomerID: t.CustomerID,
		OccurredAt: t.ReceivedAt, Quantity: 1, Rule: EventAttitudeComplaint, Detail: "投诉工单 " + t.Number,
		Source: "flagged", FlaggedBy: actor(p), Reason: why, CreatedAt: now, UpdatedAt: now}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewRaw("INSERT INTO event_evidence (event_id, kind, ref_id, role) VALUES (?, 'ticket', ?, 'complaint')",
		e.ID, t.ID).Exec(ctx); err != nil {
		return err
	}
	c.EventID = &e.ID
	return nil
}

// Event is an attitude_complaint event as this package shows it.
type Event struct {
	ID             string     `bun:"id" json:"id"`
	Type           string     `bun:"type" json:"type"`
	StaffID        *string    `bun:"staff_id" json:"staff_id"`
	OccurredAt     time.Time  `bun:"occurred_at" json:"occurred_at"`
	Source         string     `bun:"source" json:"source"`
	FlaggedBy      *string    `bun:"flagged_by" json:"flagged_by"`
	Reason         string     `bun:"reason" json:"reason"`
	WithdrawnAt    *time.Time `bun:"withdrawn_at" json:"withdrawn_at"`
	WithdrawnBy    *string    `bun:"withdrawn_by" json:"withdrawn_by"`
	WithdrawReason string     `bun:"withdraw_reason" json:"withdraw_reason"`
}

// Events returns the events that cite the ticket as evidence, oldest first.
func (s *Service) Events(ctx context.Context, ticketID string) ([]Event, error) {
	if _, err := s.Get(ctx, ticketID); err != nil {
		return nil, err
	}
	var out []Event
	err := s.db.R().NewRaw(`SELECT e.id, e.type, e.staff_id, e.occurred_at, e.source, e.flagged_by, e.reason,
		e.withdrawn_at, e.withdrawn_by, e.withdraw_reason
		FROM events e JOIN event_evidence v ON v.event_id = e.id
		WHERE v.kind = 'ticket' AND v.ref_id = ? ORDER BY e.created_at, e.id`, ticketID).Scan(ctx, &out)
	if out == nil {
		out = []Event{}
	}
	return out, err
}
