package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Policy holds the configurable rules of tickets (SPEC §5.3 defaults).
type Policy struct {
	// RepairCallbackWorkingDays: a resolved repair is called back within
	// this many working days (seed 001: 三个工作日内安排回访).
	RepairCallbackWorkingDays int `json:"repair_callback_working_days"`
	// ComplaintCallbackDays: a resolved complaint is called back within this
	// many calendar days (seed 001: 投诉处理完毕后的2天内).
	ComplaintCallbackDays int `json:"complaint_callback_days"`
	// MajorReplyWorkingDays: a major complaint is answered within this many
	// working days of its receipt (1个工作日内回复客户).
	MajorReplyWorkingDays int `json:"major_reply_working_days"`
	// ResamplePercent: the manager's quarterly re-call sample (seed 002: 20%).
	ResamplePercent int `json:"resample_percent"`
	// RegistrationGraceWorkingDays: a ticket saved incomplete (登记不全)
	// must be completed within this many working days of its receipt, or
	// it is a registration_incomplete event (stands even if completed
	// later). Saving 0 keeps the saved value.
	RegistrationGraceWorkingDays int `json:"registration_grace_working_days"`
	// SLA: the ticket targets (SPEC §5.3), tried in order; the first rule
	// that matches a ticket gives its first-response and solution
	// deadlines. A ticket no rule matches gets none. Saving a policy with
	// SLA left out (nil) keeps the saved rules, and one with
	// RegistrationGraceWorkingDays 0 the saved grace.
	SLA []SLARule `json:"sla"`
}

// SLARule is one ticket target: empty match fields match anything.
type SLARule struct {
	// Name names the rule in events and on the ticket (sla_rule).
	Name string `json:"name"`
	// Match: ticket type, urgency, customer class (A–D; a ticket without a
	// customer matches only rules without a class) and channel.
	Type    string `json:"type"`
	Urgency string `json:"urgency"`
	Class   string `json:"customer_class"`
	Channel string `json:"channel"`
	// FirstResponseMinutes: from received to acknowledged (new →
	// acknowledged); 0 = no first-response target.
	FirstResponseMinutes int `json:"first_response_minutes"`
	// SolutionHours: from received to resolved; it sets promised_at when
	// the ticket is registered without one; 0 = no solution target.
	SolutionHours int `json:"solution_hours"`
	// CallbackDays: the callback (回访) of a resolved repair or complaint
	// of this rule is due within this many days — working days when the
	// rule counts working time, calendar days otherwise; 0 = the policy's
	// default for the type (RepairCallbackWorkingDays,
	// ComplaintCallbackDays).
	CallbackDays int `json:"callback_days"`
	// WorkingTime: the targets count working time of the company calendar
	// (work hours, holidays, 调休); otherwise they run 24x7.
	WorkingTime bool `json:"working_time"`
}

// Calendar names the rule's clock as stored on a ticket (sla_calendar).
func (r SLARule) Calendar() string {
	if r.WorkingTime {
		return CalendarWorking
	}
	return Calendar24x7
}

// Calendars of an SLA rule.
const (
	Calendar24x7    = "24x7"
	CalendarWorking = "working"
)

// Matches reports whether the rule applies to a ticket of that type,
// urgency, customer class ("" without a customer) and channel.
func (r SLARule) Matches(typ, urgency, class, channel string) bool {
	return (r.Type == "" || r.Type == typ) && (r.Urgency == "" || r.Urgency == urgency) &&
		(r.Class == "" || r.Class == class) && (r.Channel == "" || r.Channel == channel)
}

// MatchSLA returns the first rule of rules that matches, and its index
// (-1 and false when none does).
func MatchSLA(rules []SLARule, typ, urgency, class, channel string) (SLARule, int, bool) {
	for i, r := range rules {
		if r.Matches(typ, urgency, class, channel) {
			return r, i, true
		}
	}
	return SLARule{}, -1, false
}

// DefaultSLA is the seeds' ticket targets. Working time is the company
// calendar's work hours (08:30–17:30 by default, 9 h a working day), so
// "N working days" is N × 9 working hours:
//
//	urgent repair   respond 30 min,            solve 24 h        24x7
//	repair          respond 2 working hours,   solve 27 h (3 working days)
//	complaint       respond 1 working hour,    solve 18 h (2 working days)
//	everything else respond 540 min (1 working day), no solution target
func DefaultSLA() []SLARule {
	return []SLARule{
		{Name: "紧急报修", Type: TypeRepair, Urgency: "urgent", FirstResponseMinutes: 30, SolutionHours: 24},
		{Name: "一般报修", Type: TypeRepair, FirstResponseMinutes: 120, SolutionHours: 27, WorkingTime: true},
		{Name: "投诉", Type: TypeComplaint, FirstResponseMinutes: 60, SolutionHours: 18, WorkingTime: true},
		{Name: "其他", FirstResponseMinutes: 540, WorkingTime: true},
	}
}

// DefaultPolicy is the seeds' rules.
func DefaultPolicy() Policy {
	return Policy{RepairCallbackWorkingDays: 3, ComplaintCallbackDays: 2, MajorReplyWorkingDays: 1, ResamplePercent: 20,
		RegistrationGraceWorkingDays: 1, SLA: DefaultSLA()}
}

const policyKey = "tickets.policy"

func (p Policy) validate() error {
	switch {
	case p.RepairCallbackWorkingDays < 1 || p.RepairCallbackWorkingDays > 30:
		return apperr.Invalid("repair_callback_working_days", "报修回访期限须为 1 到 30 个工作日")
	case p.ComplaintCallbackDays < 1 || p.ComplaintCallbackDays > 30:
		return apperr.Invalid("complaint_callback_days", "投诉回访期限须为 1 到 30 天")
	case p.MajorReplyWorkingDays < 1 || p.MajorReplyWorkingDays > 10:
		return apperr.Invalid("major_reply_working_days", "重大投诉回复期限须为 1 到 10 个工作日")
	case p.ResamplePercent < 1 || p.ResamplePercent > 100:
		return apperr.Invalid("resample_percent", "抽查比例须为 1% 到 100%")
	case p.RegistrationGraceWorkingDays < 1 || p.RegistrationGraceWorkingDays > 10:
		return apperr.Invalid("registration_grace_working_days", "登记补全期限须为 1 到 10 个工作日")
	case len(p.SLA) == 0:
		return apperr.Invalid("sla", "至少需要一条工单时效规则")
	case len(p.SLA) > 50:
		return apperr.Invalid("sla", "工单时效规则不能超过 50 条")
	}
	names := map[string]bool{}
	for i, r := range p.SLA {
		f := func(name string) string { return fmt.Sprintf("sla[%d].%s", i, name) }
		switch {
		case strings.TrimSpace(r.Name) == "":
			return apperr.Invalid(f("name"), "请填写规则名称")
		case utf8.RuneCountInString(r.Name) > 50:
			return apperr.Invalid(f("name"), "规则名称不能超过 50 个字")
		case names[r.Name]:
			return apperr.Invalid(f("name"), "规则名称重复："+r.Name)
		case r.Type != "" && !slices.Contains(Types, r.Type):
			return apperr.Invalid(f("type"), "工单类型须为空（任意）或 "+strings.Join(Types, "、"))
		case r.Urgency != "" && r.Urgency != "urgent" && r.Urgency != "normal":
			return apperr.Invalid(f("urgency"), "紧急程度须为空（任意）、urgent 或 normal")
		case r.Class != "" && !slices.Contains(customerClasses, r.Class):
			return apperr.Invalid(f("customer_class"), "客户等级须为空（任意）或 "+strings.Join(customerClasses, "、"))
		case r.Channel != "" && !slices.Contains(Channels, r.Channel):
			return apperr.Invalid(f("channel"), "受理渠道须为空（任意）或 "+strings.Join(Channels, "、"))
		case r.FirstResponseMinutes < 0 || r.FirstResponseMinutes > 10080:
			return apperr.Invalid(f("first_response_minutes"), "首次响应时限须为 0（不考核）到 10080 分钟")
		case r.SolutionHours < 0 || r.SolutionHours > 2160:
			return apperr.Invalid(f("solution_hours"), "解决时限须为 0（不考核）到 2160 小时")
		case r.CallbackDays < 0 || r.CallbackDays > 30:
			return apperr.Invalid(f("callback_days"), "回访时限须为 0（按工单类型默认）到 30 天")
		case r.FirstResponseMinutes == 0 && r.SolutionHours == 0:
			return apperr.Invalid(f("first_response_minutes"), "首次响应时限与解决时限至少填写一项")
		}
		names[r.Name] = true
		// Rules are tried in order: one that an earlier rule covers (every
		// match field of the earlier one empty or the same) never applies.
		for k, e := range p.SLA[:i] {
			if e.covers(r) {
				return apperr.Invalid(f("name"), fmt.Sprintf("规则“%s”不会生效：排在它前面的第 %d 条“%s”已包含它的全部工单（按顺序匹配，第一条符合的生效）。请把它移到“%s”之前，或删除其中一条",
					r.Name, k+1, e.Name, e.Name))
			}
		}
	}
	return nil
}

// covers reports whether every ticket rule o matches is matched by r too.
func (r SLARule) covers(o SLARule) bool {
	wild := func(a, b string) bool { return a == "" || a == b }
	return wild(r.Type, o.Type) && wild(r.Urgency, o.Urgency) && wild(r.Class, o.Class) && wild(r.Channel, o.Channel)
}

// customerClasses are the customer classes of 分级管理 (customers.Classes).
var customerClasses = []string{"A", "B", "C", "D"}

func loadPolicy(ctx context.Context, db bun.IDB) (Policy, error) {
	p := DefaultPolicy()
	if _, err := store.GetSetting(ctx, db, policyKey, &p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Policy returns the configured policy (the defaults when none is saved).
func (s *Service) Policy(ctx context.Context) (Policy, error) { return loadPolicy(ctx, s.db.R()) }

// SavePolicy changes the policy (managers and admins). Callbacks already
// due and tickets already registered keep their deadlines. A policy whose
// SLA is nil keeps the saved SLA rules (forms that edit only the callback
// rules send none); a RegistrationGraceWorkingDays of 0 keeps the saved
// grace likewise.
func (s *Service) SavePolicy(ctx context.Context, p Policy) error {
	if !access.Caller(ctx).IsManagerial() {
		return apperr.Forbidden("只有客服经理或管理员可以修改规则")
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := loadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		if p.SLA == nil {
			p.SLA = before.SLA
		}
		if p.RegistrationGraceWorkingDays == 0 {
			p.RegistrationGraceWorkingDays = before.RegistrationGraceWorkingDays
		}
		if err := p.validate(); err != nil {
			return err
		}
		if err := store.PutSetting(ctx, tx, policyKey, p, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), audit.Change{Action: "update", Entity: "setting", EntityID: policyKey,
			Summary: "修改工单与回访规则", Before: before, After: p})
	})
}
