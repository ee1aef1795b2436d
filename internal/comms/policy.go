package comms

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/sla"
	"kefu/internal/store"
)

// Calendars gives the company work calendar.
type Calendars interface {
	Calendar(ctx context.Context, tz string) (*calendar.Calendar, error)
}

// RulePolicy is one response target as configured: seconds to respond,
// seconds to the near-breach warning, and whether it counts only working
// time of the company calendar (else 24x7).
type RulePolicy struct {
	LimitS      int64 `json:"limit_s"`
	NearS       int64 `json:"near_s"`
	WorkingTime bool  `json:"working_time"`
}

// Policy holds the response targets (SPEC §5.3 defaults from the seeds:
// WeChat 3 min, missed call 30 min, online chat 60 s; 24x7).
type Policy struct {
	WeChat     RulePolicy `json:"wechat"`
	MissedCall RulePolicy `json:"missed_call"`
	Chat       RulePolicy `json:"chat"`
}

// DefaultPolicy is the seeds' targets.
func DefaultPolicy() Policy {
	return Policy{WeChat: RulePolicy{LimitS: 180, NearS: 120}, MissedCall: RulePolicy{LimitS: 1800, NearS: 1200}, Chat: RulePolicy{LimitS: 60, NearS: 40}}
}

const policyKey = "comms.policy"

func (p Policy) validate() error {
	for _, r := range []struct {
		field string
		r     RulePolicy
	}{{"wechat", p.WeChat}, {"missed_call", p.MissedCall}, {"chat", p.Chat}} {
		switch {
		case r.r.LimitS < 0 || r.r.LimitS > 7*24*3600:
			return apperr.Invalid(r.field+".limit_s", "时限须在 0（不考核）到 7 天之间")
		case r.r.NearS < 0 || (r.r.LimitS > 0 && r.r.NearS >= r.r.LimitS):
			return apperr.Invalid(r.field+".near_s", "预警须早于时限（0 表示不预警）")
		}
	}
	return nil
}

// Policy returns the configured response targets.
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	p := DefaultPolicy()
	if _, err := store.GetSetting(ctx, s.db.R(), policyKey, &p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// SavePolicy changes the response targets (managers). Clocks started
// after the change use it; re-derive a period to apply it there.
func (s *Service) SavePolicy(ctx context.Context, p Policy) error {
	if !access.Caller(ctx).Can(access.DeskManage) {
		return apperr.Forbidden("只有客服经理可以修改响应时限")
	}
	if err := p.validate(); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before := DefaultPolicy()
		if _, err := store.GetSetting(ctx, tx, policyKey, &before); err != nil {
			return err
		}
		if err := store.PutSetting(ctx, tx, policyKey, p, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), audit.Change{Action: "update", Entity: "setting", EntityID: policyKey,
			Summary: "修改响应时限", Before: before, After: p})
	})
}

// slaPolicy turns the configured targets into the pure package's policy,
// with the company calendar where a target counts working time only.
func (s *Service) slaPolicy(ctx context.Context) (sla.Policy, error) {
	p, err := s.Policy(ctx)
	if err != nil {
		return sla.Policy{}, err
	}
	var cal *calendar.Calendar
	if (p.WeChat.WorkingTime || p.MissedCall.WorkingTime || p.Chat.WorkingTime) && s.cals != nil {
		if cal, err = s.cals.Calendar(ctx, s.loc.String()); err != nil {
			return sla.Policy{}, err
		}
	}
	rule := func(kind string, r RulePolicy) sla.Rule {
		out := sla.Rule{Kind: kind, Limit: time.Duration(r.LimitS) * time.Second, NearAt: time.Duration(r.NearS) * time.Second}
		if r.WorkingTime {
			out.Calendar = cal
		}
		return out
	}
	return sla.Policy{WeChat: rule(sla.KindWeChat, p.WeChat), MissedCall: rule(sla.KindMissedCall, p.MissedCall), Chat: rule(sla.KindChat, p.Chat)}, nil
}
