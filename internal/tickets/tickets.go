// Package tickets holds the service desk's tickets (工单, SPEC §5.2): every
// request registered with its first-contact owner (首问责任人), assignee,
// urgency, promised solution deadline and the full status lifecycle with
// who and when for every transition; registration completeness per type
// (登记不全); the escalation path (问题升级); complaints (投诉) with nature,
// severity, judgement, the manager's 1-working-day reply to major ones and
// the 三不放过 rule before closing; and callbacks (回访) due after every
// repair and complaint, the callback rate and the manager's quarterly
// re-call sample.
//
// A specialist works the tickets of the customers they own and those they
// are first-contact owner or assignee of; managers and admins work all. The
// package reads the customers, contacts, staff, staff_roles, regions and
// communications tables, sets communications.ticket_id, and adds
// attitude_complaint events (SPEC §8.2) to the events table; it writes no
// other domain's rows.
package tickets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// Types of a ticket.
var Types = []string{TypeConsultation, TypeRepair, TypeComplaint, TypeHelp, TypeSuggestion}

const (
	TypeConsultation = "consultation" // 咨询
	TypeRepair       = "repair"       // 报修
	TypeComplaint    = "complaint"    // 投诉
	TypeHelp         = "help"         // 求助
	TypeSuggestion   = "suggestion"   // 建议
)

// Statuses of the lifecycle, in order.
var Statuses = []string{StatusNew, StatusAcknowledged, StatusInProgress, StatusDispatched, StatusResolved, StatusCallbackDone, StatusClosed}

const (
	StatusNew          = "new"           // 新建
	StatusAcknowledged = "acknowledged"  // 已受理
	StatusInProgress   = "in_progress"   // 处理中
	StatusDispatched   = "dispatched"    // 已派工
	StatusResolved     = "resolved"      // 已解决
	StatusCallbackDone = "callback_done" // 已回访
	StatusClosed       = "closed"        // 已关闭
)

// Channels a ticket may arrive by (those of communication records, SPEC
// §5.1, plus walk_in 来访 at the front desk).
var Channels = []string{"wechat_group", "wechat_private", "phone_in", "phone_out", "phone_missed", "chat", "visit", "email", "sms", "walk_in", "other"}

// Escalation levels (问题升级), in order.
var Levels = []string{LevelSpecialist, LevelTechSpecialist, LevelTechDepartment}

const (
	LevelSpecialist     = "specialist"      // 客服专员
	LevelTechSpecialist = "tech_specialist" // 技术专员
	LevelTechDepartment = "tech_department" // 技术部门
)

// Service reads and changes tickets, complaints and callbacks.
type Service struct {
	db                *store.DB
	now               func() time.Time
	loc               *time.Location
	cal               Calendars
	specialistReadAll bool
	surveys           SurveyScores
	pusher            notify.Pusher
	breach            breachState // DeriveBreaches' last run
}

// Calendars gives the company work calendar (for "N working days" rules).
type Calendars interface {
	Calendar(ctx context.Context, tz string) (*calendar.Calendar, error)
}

// Options configure the service.
type Options struct {
	Location          *time.Location
	SpecialistReadAll bool
	// Surveys, when set, adds the survey responses to the monthly
	// satisfaction summary.
	Surveys SurveyScores
	// Pusher, when set, also gets the deadline notices DeriveBreaches
	// sends (the WeCom group robot).
	Pusher notify.Pusher
}

// NewService returns the tickets service.
func NewService(db *store.DB, cal Calendars, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, cal: cal, now: now, loc: loc, specialistReadAll: opts.SpecialistReadAll, surveys: opts.Surveys,
		pusher: opts.Pusher}
}

func (s *Service) calendar(ctx context.Context) (*calendar.Calendar, error) {
	return s.cal.Calendar(ctx, s.loc.String())
}

// CanWork reports whether p may change ticket t of a customer owned by
// ownerID: managers and admins always; a specialist for the customers they
// own and the tickets they are first-contact owner or assignee of. Pages
// use it to decide which actions to show; every write checks it again.
func CanWork(p *access.Principal, t *Ticket, ownerID *string) bool {
	if p == nil || !p.Can(access.CommWrite) {
		return false
	}
	if p.IsManagerial() {
		return true
	}
	if !p.Has(access.CSSpecialist) || p.StaffID == "" {
		return false
	}
	return ownerID != nil && *ownerID == p.StaffID || t.FirstOwnerID == p.StaffID ||
		t.AssigneeID != nil && *t.AssigneeID == p.StaffID
}

// canRead reports whether p may read ticket t.
func (s *Service) canRead(p *access.Principal, t *Ticket, ownerID *string) bool {
	if !p.Can(access.CommRead) {
		return false
	}
	if p.OnlySpecialist() && !s.specialistReadAll {
		return CanWork(p, t, ownerID)
	}
	return true
}

// parseTime reads RFC 3339, or a time without a zone in loc (history
// migration sends "2026-03-05 10:00:05"). Fractions of a second are dropped.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Second), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("时间格式应为 2026-03-05T10:00:05+08:00 或 2026-03-05 10:00:05（按公司时区）")
}

// pastTime reads the explicit time raw of field (now when empty): not
// before notBefore, not in the future.
func (s *Service) pastTime(field, raw string, notBefore time.Time) (time.Time, error) {
	now := s.now()
	at := now
	if raw = strings.TrimSpace(raw); raw != "" {
		v, err := parseTime(raw, s.loc)
		if err != nil {
			return time.Time{}, apperr.Invalid(field, err.Error())
		}
		at = v
	}
	if at.After(now.Add(time.Minute)) {
		return time.Time{}, apperr.Invalid(field, "时间不能晚于现在")
	}
	if at.Before(notBefore) {
		return time.Time{}, apperr.Invalid(field, "时间不能早于 "+notBefore.In(s.loc).Format("2006-01-02 15:04:05"))
	}
	return store.Time(at), nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
