package contracts

import (
	"context"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Policy holds the configurable rules of this capability.
type Policy struct {
	// RenewalWindowMonths: a contract enters its renewal window this many
	// months before its end (合同到期前一个月内).
	RenewalWindowMonths int `json:"renewal_window_months"`
	// RenewalContactDays: a renewal contact is expected within this many
	// days of the window opening; otherwise the contract is flagged.
	RenewalContactDays int `json:"renewal_contact_days"`
	// QuoteFollowupWorkingDays: a sent quote is followed up within this
	// many working days.
	QuoteFollowupWorkingDays int `json:"quote_followup_working_days"`
	// DueSoonDays: installments due within this many days are reminded.
	DueSoonDays int `json:"due_soon_days"`
}

// DefaultPolicy is the seeds' rules.
func DefaultPolicy() Policy {
	return Policy{RenewalWindowMonths: 1, RenewalContactDays: 7, QuoteFollowupWorkingDays: 3, DueSoonDays: 7}
}

const policyKey = "contracts.policy"

func (p Policy) validate() error {
	switch {
	case p.RenewalWindowMonths < 1 || p.RenewalWindowMonths > 12:
		return apperr.Invalid("renewal_window_months", "续约窗口须为 1 到 12 个月")
	case p.RenewalContactDays < 1 || p.RenewalContactDays > 60:
		return apperr.Invalid("renewal_contact_days", "续约联系期限须为 1 到 60 天")
	case p.QuoteFollowupWorkingDays < 1 || p.QuoteFollowupWorkingDays > 30:
		return apperr.Invalid("quote_followup_working_days", "报价跟进期限须为 1 到 30 个工作日")
	case p.DueSoonDays < 1 || p.DueSoonDays > 60:
		return apperr.Invalid("due_soon_days", "到期提醒须为 1 到 60 天")
	}
	return nil
}

// Policy returns the configured policy (the defaults when none is saved).
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	p := DefaultPolicy()
	if _, err := store.GetSetting(ctx, s.db.R(), policyKey, &p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// SavePolicy changes the policy (managers and admins).
func (s *Service) SavePolicy(ctx context.Context, p Policy) error {
	if !access.Caller(ctx).IsManagerial() {
		return apperr.Forbidden("只有客服经理或管理员可以修改规则")
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
			Summary: "修改合同与应收规则", Before: before, After: p})
	})
}
