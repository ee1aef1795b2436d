package fieldwork

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/schedule"
	"kefu/internal/store"
)

// scheduleStatus maps a work order's status to the schedule's view of it.
func scheduleStatus(status string) schedule.Status {
	switch status {
	case StatusPlanned:
		return schedule.StatusPlanned
	case StatusDispatched, StatusReturned:
		return schedule.StatusDispatched
	case StatusCompleted, StatusAccepted:
		return schedule.StatusDone
	case StatusCancelled:
		return schedule.StatusCancelled
	}
	return schedule.Status(status)
}

// plan makes the project's planned work orders match its schedule (计划
// 派工): visits of the contract period from the items' frequencies. Run
// again after a change it adds what is new, moves visits still planned,
// cancels planned visits no longer in the plan, and keeps dispatched and
// done work. It returns how many work orders it added.
func (s *Service) plan(ctx context.Context, tx bun.IDB, cal *calendar.Calendar, pr *Project, p *access.Principal, now time.Time) (int, error) {
	c, _, err := loadContract(ctx, tx, pr.ContractID)
	if err != nil {
		return 0, err
	}
	start, err := calendar.ParseDate(c.StartOn)
	if err != nil {
		return 0, err
	}
	endOn := c.EndOn
	if c.Terminated != nil && *c.Terminated < endOn {
		// A terminated contract's work ends on the day it was terminated.
		endOn = *c.Terminated
	}
	end, err := calendar.ParseDate(endOn)
	if err != nil {
		return 0, err
	}
	var items []ProjectItem
	if err := tx.NewSelect().Model(&items).Where("project_id = ?", pr.ID).Order("seq").Scan(ctx); err != nil {
		return 0, err
	}
	st, err := readSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	sc := schedule.Contract{Start: start, End: end}
	for _, it := range items {
		sc.Lines = append(sc.Lines, schedule.Line{ID: it.ID, ServiceType: it.ServiceType, Frequency: it.Frequency, Times: it.Times, Equipment: it.Equipment})
	}
	occs, err := schedule.Generate(sc, schedule.Options{Seasons: st.Seasons, Calendar: cal})
	if err != nil {
		return 0, err
	}
	var stored []struct {
		ID     string `bun:"id"`
		Key    string `bun:"schedule_key"`
		Status string `bun:"status"`
	}
	if err := tx.NewRaw("SELECT id, schedule_key, status FROM work_orders WHERE project_id = ? AND schedule_key IS NOT NULL",
		pr.ID).Scan(ctx, &stored); err != nil {
		return 0, err
	}
	existing := make([]schedule.Existing, len(stored))
	idOf := map[string]string{}
	for i, r := range stored {
		existing[i] = schedule.Existing{Key: r.Key, Status: scheduleStatus(r.Status)}
		idOf[r.Key] = r.ID
	}
	add, keep, cancel := schedule.Diff(existing, occs)
	projectDue := pr.DispatchDue
	for _, o := range add {
		w := s.plannedOrder(st.Dispatch, cal, pr, c, o, projectDue, p, now)
		if id, ok := idOf[o.Key]; ok {
			// A visit cancelled before and planned again: the same row.
			if _, err := tx.NewUpdate().Model(w).Column("status", "planned_on", "deadline_on", "dispatch_due", "cancel_reason", "updated_at").
				Set("version = version + 1").Where("id = ?", id).Exec(ctx); err != nil {
				return 0, err
			}
			continue
		}
		if w.Number, err = s.nextNumber(ctx, tx, now); err != nil {
			return 0, err
		}
		if _, err := tx.NewInsert().Model(w).Exec(ctx); err != nil {
			return 0, err
		}
	}
	for _, o := range keep {
		w := s.plannedOrder(st.Dispatch, cal, pr, c, o, projectDue, p, now)
		if _, err := tx.NewUpdate().Model(w).Column("planned_on", "deadline_on", "dispatch_due", "updated_at").Set("version = version + 1").
			Where("id = ? AND status = ? AND (planned_on <> ? OR deadline_on <> ?)", idOf[o.Key], StatusPlanned, *w.PlannedOn, *w.DeadlineOn).
			Exec(ctx); err != nil {
			return 0, err
		}
	}
	for _, e := range cancel {
		if _, err := tx.NewRaw(`UPDATE work_orders SET status = ?, cancel_reason = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND status = ?`, StatusCancelled, "立项内容或合同期变更，计划取消", now, idOf[e.Key], StatusPlanned).Exec(ctx); err != nil {
			return 0, err
		}
	}
	return len(add), nil
}

func (s *Service) plannedOrder(pol DispatchPolicy, cal *calendar.Calendar, pr *Project, c *contractFacts, o schedule.Occurrence,
	projectDue time.Time, p *access.Principal, now time.Time) *WorkOrder {
	key, item := o.Key, o.LineID
	w := &WorkOrder{ID: store.NewID(), Type: o.ServiceType, ProjectID: &pr.ID, ProjectItemID: &item, ScheduleKey: &key,
		CustomerID: pr.CustomerID, OwnerID: c.OwnerID, RegionID: c.RegionID, SiteAddress: c.Address, Equipment: o.Equipment,
		Parts: []string{}, Content: planContent(o), Status: StatusPlanned, CreatedBy: optional(p.StaffID), Version: 1, CreatedAt: now, UpdatedAt: now}
	planned, deadline := o.Date.String(), o.Window.To.String()
	w.PlannedOn, w.DeadlineOn = &planned, &deadline
	w.DispatchDue = dispatchDue(pol, cal, w, &projectDue)
	return w
}

func planContent(o schedule.Occurrence) string {
	s := o.Label + " " + typeLabels[o.ServiceType]
	if o.Equipment != "" {
		s = o.Label + " " + o.Equipment + " " + typeLabels[o.ServiceType]
	}
	return s
}

// ContractChanged re-plans the project of a contract whose period, scope
// or state changed (the contracts domain calls it after the change
// commits): visits outside the new period are cancelled unless already
// dispatched or done, new ones planned. The coverage check needs nothing:
// it compares with the contract as it is on every read. A project not
// yet dispatched has no plan to change.
func (s *Service) ContractChanged(ctx context.Context, contractID string) error {
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pr := new(Project)
		err := tx.NewSelect().Model(pr).Where("contract_id = ?", contractID).Scan(ctx)
		if errors.Is(err, store.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if pr.DispatchedAt == nil {
			return nil
		}
		now := store.Time(s.now())
		n, err := s.plan(ctx, tx, cal, pr, access.System(), now)
		if err != nil {
			return err
		}
		return audit.Record(access.With(ctx, access.System()), tx, now, audit.Change{Action: "replan", Entity: "project", EntityID: pr.ID,
			Summary: fmt.Sprintf("合同变更，重新生成计划派工（新增 %d 张）", n)})
	})
}
