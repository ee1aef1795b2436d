package customers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/events"
	"kefu/internal/store"
)

// EventArchiveLate (档案未当日更新, seed 000 客户档案管理: −1 each): an archive
// change recorded on a later day than it became known (the same-day rule,
// SPEC §3); one per change, against the staff member who recorded it.
const EventArchiveLate = "archive_late"

// ArchiveLatePolicy configures the archive_late events.
type ArchiveLatePolicy struct {
	// TrackFrom (YYYY-MM-DD, "" = all): only changes recorded on or after
	// it are events — history entered when moving to the platform is not.
	TrackFrom string `json:"track_from"`
}

const archiveLatePolicyKey = "customers.archive_late"

func readArchiveLatePolicy(ctx context.Context, db bun.IDB) (ArchiveLatePolicy, error) {
	var pol ArchiveLatePolicy
	_, err := store.GetSetting(ctx, db, archiveLatePolicyKey, &pol)
	return pol, err
}

// ArchiveLatePolicy reads the archive_late rule.
func (s *Service) ArchiveLatePolicy(ctx context.Context) (ArchiveLatePolicy, error) {
	if !access.Caller(ctx).Can(access.CustomerRead) {
		return ArchiveLatePolicy{}, apperr.Forbidden("无权查看")
	}
	return readArchiveLatePolicy(ctx, s.db.R())
}

// SaveArchiveLatePolicy changes the archive_late rule (managers).
func (s *Service) SaveArchiveLatePolicy(ctx context.Context, pol ArchiveLatePolicy) (ArchiveLatePolicy, error) {
	if !access.Caller(ctx).IsManagerial() {
		return pol, apperr.Forbidden("只有客服经理可以修改档案考核规则")
	}
	pol.TrackFrom = strings.TrimSpace(pol.TrackFrom)
	if pol.TrackFrom != "" {
		if _, err := time.Parse(time.DateOnly, pol.TrackFrom); err != nil {
			return pol, apperr.Invalid("track_from", "日期格式应为 YYYY-MM-DD")
		}
	}
	now := store.Time(s.now())
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := readArchiveLatePolicy(ctx, tx)
		if err != nil {
			return err
		}
		if err := store.PutSetting(ctx, tx, archiveLatePolicyKey, pol, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "setting", EntityID: archiveLatePolicyKey,
			Summary: "修改档案未当日更新考核规则", Before: before, After: pol})
	})
	return pol, err
}

// ArchiveLateCounts says what a derivation recorded.
type ArchiveLateCounts struct {
	Late      int `json:"late"`
	Withdrawn int `json:"withdrawn"`
}

// DeriveArchiveLate records an archive_late event for each archive change
// recorded later than the day it became known (the late list, Changes
// with LateOnly), recorded on or after the policy's TrackFrom, against the
// staff member who recorded it, with the customer and the change as
// evidence. Changes recorded by the system (no recorder: migrations, demo
// data, operator commands) are not charged; imports record the day they
// run as known and are never late. An event whose change no longer counts
// (TrackFrom moved) is withdrawn. Managers or the system only.
func (s *Service) DeriveArchiveLate(ctx context.Context) (ArchiveLateCounts, error) {
	var n ArchiveLateCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	db := s.db.R()
	pol, err := readArchiveLatePolicy(ctx, db)
	if err != nil {
		return n, err
	}
	var late []struct {
		ArchiveChange `bun:",extend"`
		CustomerName  string `bun:"customer_name"`
	}
	q := `SELECT ac.*, c.name AS customer_name FROM archive_changes ac JOIN customers c ON c.id = ac.customer_id
		WHERE ac.late_days > 0 AND ac.recorded_by IS NOT NULL`
	var args []any
	if pol.TrackFrom != "" {
		q += " AND ac.recorded_on >= ?"
		args = append(args, pol.TrackFrom)
	}
	if err := db.NewRaw(q+" ORDER BY ac.recorded_at, ac.id", args...).Scan(ctx, &late); err != nil {
		return n, err
	}
	now := store.Time(s.now())
	evs := make([]events.Computed, 0, len(late))
	for _, c := range late {
		customer := c.CustomerID
		evs = append(evs, events.Computed{Key: EventArchiveLate + "|" + c.ID, Type: EventArchiveLate, Rule: "archive_same_day",
			StaffID: c.RecordedBy, CustomerID: &customer, OccurredAt: c.RecordedAt, Quantity: 1,
			Detail:   fmt.Sprintf("客户 %s 的档案变更（%s）知悉于 %s，%s 才记录（晚 %d 天）", c.CustomerName, c.Summary, c.KnownOn, c.RecordedOn, c.LateDays),
			Evidence: []events.Ref{{Kind: "customer", ID: customer, Role: "customer"}, {Kind: "archive_change", ID: c.ID, Role: "change"}}})
	}
	n.Late = len(evs)
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		keep := make(map[string]bool, len(evs))
		for _, e := range evs {
			keep[e.Key] = true
		}
		if err := events.Put(ctx, tx, evs, now); err != nil {
			return err
		}
		var err error
		n.Withdrawn, err = events.WithdrawStale(ctx, tx, []string{EventArchiveLate}, keep, now, "该档案变更不再计入（考核起始日期已调整）")
		return err
	})
	return n, err
}
