package fieldwork

// Acceptance (验收, SPEC §6.4): the facts customer service records on a
// finished work order — the same-day post to the customer's WeChat group
// (发群), the paper original received (原件), the callback (回访) — and the
// acceptance itself, refused while any requirement of 附件一 is missing
// or late (缺一不可，否则视为服务未完成，分管客服不得验收).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// eitherSide: the customer's specialist or a manager, or the group's
// supervisor or an assigned technician.
func eitherSide(p *access.Principal, w *WorkOrder, techs []string) error {
	return mayHandleEvidence(p, w, techs)
}

// pastTime parses an explicit time ("" = now) that must not be in the
// future.
func (s *Service) pastTime(field, at string) (time.Time, error) {
	now := store.Time(s.now())
	if strings.TrimSpace(at) == "" {
		return now, nil
	}
	t, err := parseTime(at, s.loc)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "时间格式应为 YYYY-MM-DD HH:MM")
	}
	if t.After(now) {
		return time.Time{}, apperr.Invalid(field, "时间不能晚于现在")
	}
	return store.Time(t), nil
}

// RecordGroupPost records that the photos and the sheet were posted to
// the customer's WeChat group with the standard message (发群), at the
// time given ("" = now; not in the future). Either side may record it,
// on a dispatched or completed order.
func (s *Service) RecordGroupPost(ctx context.Context, id string, version int64, at string) (*WorkOrderDetail, error) {
	t, err := s.pastTime("group_posted_at", at)
	if err != nil {
		return nil, err
	}
	return s.changeWorkOrder(ctx, id, version, "group_post", eitherSide, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		if w.Status != StatusDispatched && w.Status != StatusCompleted {
			return "", apperr.Invalid("status", "只有已派出或已完工、未验收的派工单可以登记发群")
		}
		w.GroupPostedAt, w.GroupPostedBy = &t, optional(p.StaffID)
		return "登记发客户服务微信群 " + t.In(s.loc).Format("2006-01-02 15:04"), nil
	})
}

// RecordPaperReceived records the paper original handed to customer
// service (原件交客服) on day on ("" = today; not in the future, not before
// the completion day), received by the caller: the customer's specialist
// or a manager, on a completed order.
func (s *Service) RecordPaperReceived(ctx context.Context, id string, version int64, on string) (*WorkOrderDetail, error) {
	today := s.now().In(s.loc).Format(time.DateOnly)
	on = strings.TrimSpace(on)
	if on == "" {
		on = today
	}
	if _, err := calendar.ParseDate(on); err != nil {
		return nil, apperr.Invalid("paper_received_on", "日期格式应为 YYYY-MM-DD")
	}
	if on > today {
		return nil, apperr.Invalid("paper_received_on", "收到原件的日期不能晚于今天")
	}
	return s.changeWorkOrder(ctx, id, version, "paper_received", asDispatcher, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		if w.Status != StatusCompleted {
			return "", apperr.Invalid("status", "只有已完工、未验收的派工单可以登记原件")
		}
		if on < w.CompletedAt.In(s.loc).Format(time.DateOnly) {
			return "", apperr.Invalid("paper_received_on", "收到原件的日期不能早于完工日期")
		}
		w.PaperReceivedOn, w.PaperReceivedBy = &on, optional(p.StaffID)
		return "登记收到单据原件 " + on, nil
	})
}

// CallbackInput is a callback (回访) of finished work.
type CallbackInput struct {
	At           string `json:"at"` // "" = now
	Result       string `json:"result"`
	Satisfaction int    `json:"satisfaction"` // 1–5
}

// RecordCallback records the callback of finished work (回访: when, the
// result, the customer's satisfaction 1–5): the customer's specialist or
// a manager, on a completed order, not before the completion.
func (s *Service) RecordCallback(ctx context.Context, id string, version int64, in CallbackInput) (*WorkOrderDetail, error) {
	in.Result = strings.TrimSpace(in.Result)
	if in.Result == "" {
		return nil, apperr.Invalid("result", "请填写回访结果")
	}
	if len([]rune(in.Result)) > 1000 {
		return nil, apperr.Invalid("result", "回访结果最多 1000 字")
	}
	if in.Satisfaction < 1 || in.Satisfaction > 5 {
		return nil, apperr.Invalid("satisfaction", "满意度为 1–5 分")
	}
	t, err := s.pastTime("at", in.At)
	if err != nil {
		return nil, err
	}
	return s.changeWorkOrder(ctx, id, version, "callback", asDispatcher, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		if w.Status != StatusCompleted {
			return "", apperr.Invalid("status", "只有已完工、未验收的派工单可以登记回访")
		}
		if t.Before(*w.CompletedAt) {
			return "", apperr.Invalid("at", "回访时间不能早于完工时间")
		}
		w.CallbackAt, w.CallbackBy, w.CallbackResult, w.Satisfaction = &t, optional(p.StaffID), in.Result, in.Satisfaction
		return fmt.Sprintf("登记回访（满意度 %d）", in.Satisfaction), nil
	})
}

// evidenceOf is what the rules see of w and its files.
func evidenceOf(w *WorkOrder, files []EvidenceFile) Evidence {
	ev := Evidence{Type: w.Type, Parts: w.Parts, PostedToGroupAt: w.GroupPostedAt, PaperReceivedOn: deref(w.PaperReceivedOn),
		CallbackDone: w.CallbackAt != nil, Satisfaction: w.Satisfaction}
	if w.CompletedAt != nil {
		ev.CompletedAt = *w.CompletedAt
	}
	for _, f := range files {
		if f.RemovedAt != nil {
			continue
		}
		switch f.Kind {
		case KindPhoto:
			ev.Photos = append(ev.Photos, Photo{Slot: f.Slot, UploadedAt: f.UploadedAt, DateOK: f.DateOK, WatermarkConfirmed: f.WatermarkConfirmed})
		case KindSheet:
			if ev.SheetUploadedAt == nil || f.UploadedAt.Before(*ev.SheetUploadedAt) {
				at := f.UploadedAt
				ev.SheetUploadedAt = &at
			}
		}
	}
	return ev
}

// checklist evaluates w's acceptance requirements in db.
func (s *Service) checklist(ctx context.Context, db bun.IDB, w *WorkOrder) ([]Requirement, error) {
	st, err := readSettings(ctx, db)
	if err != nil {
		return nil, err
	}
	files, err := s.files(ctx, db, w)
	if err != nil {
		return nil, err
	}
	return Checklist(evidenceOf(w, files), st.Acceptance, s.loc, s.now()), nil
}

// AcceptanceChecklist is the acceptance checklist of a work order (验收
// 核对): one line per requirement, met, missing or late, for whoever may
// see the order.
func (s *Service) AcceptanceChecklist(ctx context.Context, id string) ([]Requirement, error) {
	d, err := s.GetWorkOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.checklist(ctx, s.db.R(), &d.WorkOrder)
}

// Unmet is the cause inside the error of a refused acceptance: the
// checklist lines not met, for the caller to show.
type Unmet struct {
	Requirements []Requirement
}

func (u *Unmet) Error() string {
	return fmt.Sprintf("%d acceptance requirements not met", len(u.Requirements))
}

// UnmetOf returns the requirements an Accept error reports not met (nil
// for any other error).
func UnmetOf(err error) []Requirement {
	var u *Unmet
	if errors.As(err, &u) {
		return u.Requirements
	}
	return nil
}

// refusal is the error of an acceptance refused for the lines not met:
// Invalid on "checklist", its message listing each with why.
func refusal(not []Requirement) error {
	parts := make([]string, len(not))
	for i, r := range not {
		parts[i] = r.Label + "（" + r.Detail + "）"
	}
	return &apperr.Error{Kind: apperr.KindInvalid, Field: "checklist",
		Message: "缺一不可，不能验收：" + strings.Join(parts, "；"), Err: &Unmet{Requirements: not}}
}

// Accept accepts completed work (验收): only the customer's specialist or
// a manager, and only when every requirement of the checklist is met;
// otherwise an Invalid error on "checklist" lists what is missing or late
// (UnmetOf gives the lines).
func (s *Service) Accept(ctx context.Context, id string, version int64) (*WorkOrderDetail, error) {
	return s.changeWorkOrder(ctx, id, version, "accept", asDispatcher, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		switch w.Status {
		case StatusCompleted:
		case StatusAccepted:
			return "", apperr.Invalid("status", "派工单已验收")
		default:
			return "", apperr.Invalid("status", "只有已完工的派工单可以验收")
		}
		list, err := s.checklist(ctx, tx, w)
		if err != nil {
			return "", err
		}
		if ok, not := Acceptable(list); !ok {
			return "", refusal(not)
		}
		now := store.Time(s.now())
		w.Status, w.AcceptedAt, w.AcceptedBy = StatusAccepted, &now, optional(p.StaffID)
		return "验收通过", nil
	})
}
