package comms

import (
	"context"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/rates"
	"kefu/internal/store"
)

// EventUnregistered is the appraisal event of a request found in the
// records but never registered as a ticket (相关事项未登记).
const EventUnregistered = "unregistered"

// FlagUnregistered records, on a communication record, that the request in
// it was never registered (a supervisor's flag, with a reason). The
// customer's owning specialist at the record's time gets an
// "unregistered" event with the record as evidence.
func (s *Service) FlagUnregistered(ctx context.Context, id, reason string) error {
	p := access.Caller(ctx)
	if !p.Can(access.DeskManage) {
		return apperr.Forbidden("只有客服经理可以标记未登记事项")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return apperr.Invalid("reason", "请填写原因（不超过 500 字）")
	}
	now := store.Time(s.now())
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		r := new(Record)
		if err := tx.NewSelect().Model(r).Where("id = ?", id).Scan(ctx); err != nil {
			if errors.Is(err, store.ErrNoRows) {
				return apperr.NotFound("communication")
			}
			return err
		}
		if r.Unregistered != nil {
			return apperr.Conflict("unregistered_at", "该记录已标记为未登记")
		}
		if r.TicketID != nil {
			return apperr.Conflict("ticket_id", "该记录已关联工单，不是未登记事项")
		}
		if r.CustomerID == nil {
			return apperr.Invalid("customer_id", "请先把记录匹配到客户")
		}
		var staff *string
		if s.owners != nil {
			spans, err := s.owners.OwnerSpans(ctx, []string{*r.CustomerID})
			if err != nil {
				return err
			}
			if o := rates.NewOwners(spans).At(*r.CustomerID, calendar.DateOf(r.OccurredAt, s.loc)); o != "" {
				staff = &o
			}
		}
		before := *r
		r.Unregistered, r.UnregReason = &now, reason
		if p.StaffID != "" {
			by := p.StaffID
			r.UnregBy = &by
		}
		if _, err := tx.NewUpdate().Model(r).Column("unregistered_at", "unregistered_by", "unregistered_reason").WherePK().Exec(ctx); err != nil {
			return err
		}
		ev := &event{ID: store.NewID(), Type: EventUnregistered, StaffID: staff, CustomerID: r.CustomerID, OccurredAt: r.OccurredAt,
			Quantity: 1, Rule: EventUnregistered, Detail: reason, Source: "flagged", FlaggedBy: r.UnregBy, Reason: reason,
			CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw("INSERT INTO event_evidence (event_id, kind, ref_id, role) VALUES (?, 'communication', ?, 'request')", ev.ID, r.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "flag", Entity: "communication", EntityID: id,
			Summary: "标记未登记事项：" + reason, Before: &before, After: r})
	})
}

// UnflagUnregistered takes a flag back (the request was registered after
// all, or the flag was wrong): the event is withdrawn with the reason.
func (s *Service) UnflagUnregistered(ctx context.Context, id, reason string) error {
	p := access.Caller(ctx)
	if !p.Can(access.DeskManage) {
		return apperr.Forbidden("只有客服经理可以撤销未登记标记")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return apperr.Invalid("reason", "请填写撤销原因（不超过 500 字）")
	}
	now := store.Time(s.now())
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		r := new(Record)
		if err := tx.NewSelect().Model(r).Where("id = ?", id).Scan(ctx); err != nil {
			if errors.Is(err, store.ErrNoRows) {
				return apperr.NotFound("communication")
			}
			return err
		}
		if r.Unregistered == nil {
			return apperr.Conflict("unregistered_at", "该记录没有未登记标记")
		}
		before := *r
		if _, err := tx.NewRaw(`UPDATE communications SET unregistered_at = NULL, unregistered_by = NULL, unregistered_reason = '' WHERE id = ?`, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw(`UPDATE events SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ?, updated_at = ?
			WHERE type = ? AND withdrawn_at IS NULL AND id IN (SELECT event_id FROM event_evidence WHERE kind = 'communication' AND ref_id = ?)`,
			now, nullable(p.StaffID), reason, now, EventUnregistered, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "unflag", Entity: "communication", EntityID: id,
			Summary: "撤销未登记标记：" + reason, Before: &before})
	})
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
