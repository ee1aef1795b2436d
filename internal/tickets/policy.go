package tickets

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/uptrace/bun"

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
}

// DefaultPolicy is the seeds' rules.
func DefaultPolicy() Policy {
	return Policy{RepairCallbackWorkingDays: 3, ComplaintCallbackDays: 2, MajorReplyWorkingDays: 1, ResamplePercent: 20}
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
	}
	return nil
}

func loadPolicy(ctx context.Context, db bun.IDB) (Policy, error) {
	var v string
	err := db.NewSelect().Table("settings").Column("value").Where("key = ?", policyKey).Scan(ctx, &v)
	if errors.Is(err, store.ErrNoRows) {
		return DefaultPolicy(), nil
	}
	if err != nil {
		return Policy{}, err
	}
	p := DefaultPolicy()
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Policy returns the configured policy (the defaults when none is saved).
func (s *Service) Policy(ctx context.Context) (Policy, error) { return loadPolicy(ctx, s.db.R()) }

// SavePolicy changes the policy (managers and admins). Callbacks already
// due keep their deadline.
func (s *Service) SavePolicy(ctx context.Context, p Policy) error {
	if !principal(ctx).IsManagerial() {
		return apperr.Forbidden("只有客服经理或管理员可以修改规则")
	}
	if err := p.validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(p)
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := loadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
			policyKey, string(b), store.Time(s.now())).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), audit.Change{Action: "update", Entity: "setting", EntityID: policyKey,
			Summary: "修改工单与回访规则", Before: before, After: p})
	})
}
