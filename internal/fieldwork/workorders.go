package fieldwork

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// WorkOrderInput creates or edits a work order (派工单). It comes from a
// project item (planned work), from a repair ticket (故障报修), or for a
// customer directly; the customer then follows from the item or ticket.
type WorkOrderInput struct {
	Type          string   `json:"type"`
	ProjectItemID string   `json:"project_item_id"`
	TicketID      string   `json:"ticket_id"`
	CustomerID    string   `json:"customer_id"`
	SiteAddress   string   `json:"site_address"`
	ContactName   string   `json:"contact_name"`
	ContactPhone  string   `json:"contact_phone"`
	Equipment     string   `json:"equipment"`
	Parts         []string `json:"parts"` // the parts of a seasonal maintenance (each photographed before/during/after)
	Content       string   `json:"content"`
	PlannedOn     string   `json:"planned_on"`  // YYYY-MM-DD
	DeadlineOn    string   `json:"deadline_on"` // YYYY-MM-DD
}

func (in *WorkOrderInput) normalise() error {
	for _, f := range []*string{&in.SiteAddress, &in.ContactName, &in.ContactPhone, &in.Equipment, &in.Content, &in.PlannedOn, &in.DeadlineOn} {
		*f = strings.TrimSpace(*f)
	}
	if in.Type == "" && in.TicketID != "" {
		in.Type = TypeRepair
	}
	if !slices.Contains(serviceTypes, in.Type) {
		return apperr.Invalid("type", "派工类型只能是 巡检、换季保养、故障报修、施工 或 其他")
	}
	var parts []string
	for _, p := range in.Parts {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) > 20 {
		return apperr.Invalid("parts", "保养部位最多 20 个")
	}
	in.Parts = parts
	for _, d := range []struct{ field, v string }{{"planned_on", in.PlannedOn}, {"deadline_on", in.DeadlineOn}} {
		if d.v == "" {
			continue
		}
		if _, err := calendar.ParseDate(d.v); err != nil {
			return apperr.Invalid(d.field, "日期格式应为 YYYY-MM-DD")
		}
	}
	if in.PlannedOn != "" && in.DeadlineOn != "" && in.DeadlineOn < in.PlannedOn {
		return apperr.Invalid("deadline_on", "完成期限不能早于计划日期")
	}
	if len([]rune(in.Content)) > 2000 {
		return apperr.Invalid("content", "工作内容最多 2000 字")
	}
	return nil
}

// nextNumber takes the next work order number of the company day of at:
// PG-20260305-0001 (派工).
func (s *Service) nextNumber(ctx context.Context, tx bun.IDB, at time.Time) (string, error) {
	day := at.In(s.loc).Format("20060102")
	var n int64
	err := tx.NewRaw(`INSERT INTO work_order_counters (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last`, day).Scan(ctx, &n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("PG-%s-%04d", day, n), nil
}

type customerFacts struct {
	ID       string  `bun:"id"`
	Name     string  `bun:"name"`
	OwnerID  *string `bun:"owner_id"`
	RegionID *string `bun:"region_id"`
	Address  string  `bun:"address"`
}

func loadCustomer(ctx context.Context, db bun.IDB, id string) (*customerFacts, error) {
	c := new(customerFacts)
	if err := db.NewRaw("SELECT id, name, owner_id, region_id, address FROM customers WHERE id = ?", id).Scan(ctx, c); err != nil {
		return nil, notFoundAs(err, apperr.Invalid("customer_id", "客户不存在"))
	}
	return c, nil
}

// CreateWorkOrder records a work order, planned (not yet dispatched). Its
// dispatch is due: for a repair, RepairMinutes after the ticket came in;
// for work with a planned day, PlannedLeadDays before it (and not before
// its project's own dispatch deadline).
func (s *Service) CreateWorkOrder(ctx context.Context, in WorkOrderInput) (*WorkOrderDetail, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) {
		return nil, apperr.Forbidden("无权派工")
	}
	if err := in.normalise(); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := store.Time(s.now())
	w := &WorkOrder{ID: store.NewID(), Type: in.Type, Status: StatusPlanned, Parts: in.Parts, Version: 1, CreatedBy: optional(p.StaffID),
		CreatedAt: now, UpdatedAt: now}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		st, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		var projectDue *time.Time
		switch {
		case in.ProjectItemID != "":
			var it struct {
				ProjectID  string    `bun:"project_id"`
				CustomerID string    `bun:"customer_id"`
				Due        time.Time `bun:"dispatch_due"`
				Equipment  string    `bun:"equipment"`
			}
			if err := tx.NewRaw(`SELECT i.project_id, p.customer_id, p.dispatch_due, i.equipment FROM project_items i
				JOIN projects p ON p.id = i.project_id WHERE i.id = ?`, in.ProjectItemID).Scan(ctx, &it); err != nil {
				return notFoundAs(err, apperr.Invalid("project_item_id", "立项内容不存在"))
			}
			w.ProjectID, w.ProjectItemID, in.CustomerID, projectDue = &it.ProjectID, &in.ProjectItemID, it.CustomerID, &it.Due
			if in.Equipment == "" {
				in.Equipment = it.Equipment
			}
		case in.TicketID != "":
			var tk struct {
				CustomerID *string   `bun:"customer_id"`
				ReceivedAt time.Time `bun:"received_at"`
				Address    string    `bun:"address"`
				Object     string    `bun:"repair_object"`
				Desc       string    `bun:"description"`
			}
			if err := tx.NewRaw(`SELECT customer_id, received_at, address, repair_object, description FROM tickets WHERE id = ?`,
				in.TicketID).Scan(ctx, &tk); err != nil {
				return notFoundAs(err, apperr.Invalid("ticket_id", "工单不存在"))
			}
			if tk.CustomerID == nil {
				return apperr.Invalid("ticket_id", "报修工单尚未关联客户，请先在工单中匹配客户")
			}
			w.TicketID, in.CustomerID, w.RequestedAt = &in.TicketID, *tk.CustomerID, &tk.ReceivedAt
			if in.SiteAddress == "" {
				in.SiteAddress = tk.Address
			}
			if in.Equipment == "" {
				in.Equipment = tk.Object
			}
			if in.Content == "" {
				in.Content = tk.Desc
			}
		case in.CustomerID == "":
			return apperr.Invalid("customer_id", "请选择客户，或从立项内容、报修工单派工")
		}
		c, err := loadCustomer(ctx, tx, in.CustomerID)
		if err != nil {
			return err
		}
		if !owns(p, c.OwnerID) {
			return apperr.Forbidden("只能为自己分管的客户派工")
		}
		if in.SiteAddress == "" {
			in.SiteAddress = c.Address
		}
		w.CustomerID, w.OwnerID, w.RegionID = c.ID, c.OwnerID, c.RegionID
		w.apply(in)
		w.DispatchDue = dispatchDue(st.Dispatch, cal, w, projectDue)
		if w.Number, err = s.nextNumber(ctx, tx, now); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(w).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "work_order", EntityID: w.ID,
			Summary: "新建派工单 " + w.Number, After: w})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("work_order", w.ID)
	return s.GetWorkOrder(ctx, w.ID)
}

// apply copies the editable fields.
func (w *WorkOrder) apply(in WorkOrderInput) {
	w.Type, w.SiteAddress, w.ContactName, w.ContactPhone = in.Type, in.SiteAddress, in.ContactName, in.ContactPhone
	w.Equipment, w.Parts, w.Content = in.Equipment, in.Parts, in.Content
	if w.Parts == nil {
		w.Parts = []string{}
	}
	w.PlannedOn, w.DeadlineOn = optional(in.PlannedOn), optional(in.DeadlineOn)
}

// dispatchDue is when w must be dispatched (派单及时), nil when no rule
// applies (no planned day and no ticket).
func dispatchDue(pol DispatchPolicy, cal *calendar.Calendar, w *WorkOrder, projectDue *time.Time) *time.Time {
	var due time.Time
	switch {
	case w.RequestedAt != nil:
		due = pol.RepairDue(*w.RequestedAt)
	case w.PlannedOn != nil:
		d, err := calendar.ParseDate(*w.PlannedOn)
		if err != nil {
			return nil
		}
		due = pol.PlannedDue(cal, d)
		if projectDue != nil && projectDue.After(due) {
			due = *projectDue
		}
	default:
		return nil
	}
	due = store.Time(due)
	return &due
}

// changeWorkOrder runs fn on work order id at the expected version in one
// transaction; allowed decides whether p may do it to w.
func (s *Service) changeWorkOrder(ctx context.Context, id string, version int64, action string,
	allowed func(p *access.Principal, w *WorkOrder, techs []string) error,
	fn func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error)) (*WorkOrderDetail, error) {
	p := access.Caller(ctx)
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewRaw("UPDATE work_orders SET version = version WHERE id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		w, err := getWorkOrder(ctx, tx, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		techs, err := technicianIDs(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := allowed(p, w, techs); err != nil {
			return err
		}
		before := *w
		summary, err := fn(ctx, tx, p, w)
		if err != nil {
			return err
		}
		now := store.Time(s.now())
		w.Version, w.UpdatedAt = version+1, now
		if _, err := tx.NewUpdate().Model(w).ExcludeColumn("id", "number", "created_by", "created_at").Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: "work_order", EntityID: id,
			Summary: summary + " " + w.Number, Before: &before, After: w})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("work_order", id)
	return s.GetWorkOrder(ctx, id)
}

func getWorkOrder(ctx context.Context, db bun.IDB, id string) (*WorkOrder, error) {
	w := new(WorkOrder)
	if err := db.NewSelect().Model(w).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("work_order"))
	}
	return w, nil
}

func technicianIDs(ctx context.Context, db bun.IDB, id string) ([]string, error) {
	var ids []string
	err := db.NewRaw("SELECT staff_id FROM work_order_technicians WHERE work_order_id = ? ORDER BY staff_id", id).Scan(ctx, &ids)
	return ids, err
}

// asDispatcher: the customer's specialist (or a manager) edits, dispatches,
// accepts and cancels.
func asDispatcher(p *access.Principal, w *WorkOrder, _ []string) error {
	if !p.Can(access.WorkDispatch) {
		return apperr.Forbidden("无权派工")
	}
	if !owns(p, w.OwnerID) {
		return apperr.Forbidden("只能处理自己分管客户的派工单")
	}
	return nil
}

// asField: the group's supervisor, an assigned technician, or a manager.
func asField(p *access.Principal, w *WorkOrder, techs []string) error {
	if !p.Can(access.WorkField) {
		return apperr.Forbidden("无权操作派工单")
	}
	if p.IsManagerial() || (w.SupervisorID != nil && *w.SupervisorID == p.StaffID) || slices.Contains(techs, p.StaffID) {
		return nil
	}
	return apperr.Forbidden("只有该项目组主管或派工的技术人员可以操作")
}

// UpdateWorkOrder edits a work order that is not yet done.
func (s *Service) UpdateWorkOrder(ctx context.Context, id string, version int64, in WorkOrderInput) (*WorkOrderDetail, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeWorkOrder(ctx, id, version, "update", asDispatcher, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		switch w.Status {
		case StatusCompleted, StatusAccepted, StatusCancelled:
			return "", apperr.Invalid("status", "派工单已完工、验收或取消，不能再修改")
		}
		if in.Type != w.Type && w.TicketID != nil && in.Type != TypeRepair {
			return "", apperr.Invalid("type", "报修工单派出的只能是故障报修")
		}
		if in.Parts == nil {
			in.Parts = w.Parts
		}
		w.apply(in)
		if w.DispatchedAt == nil {
			st, err := readSettings(ctx, tx)
			if err != nil {
				return "", err
			}
			var projectDue *time.Time
			if w.ProjectID != nil {
				var due time.Time
				if err := tx.NewRaw("SELECT dispatch_due FROM projects WHERE id = ?", *w.ProjectID).Scan(ctx, &due); err != nil {
					return "", err
				}
				projectDue = &due
			}
			w.DispatchDue = dispatchDue(st.Dispatch, cal, w, projectDue)
		}
		return "修改派工单", nil
	})
}

// DispatchInput names the technicians sent.
type DispatchInput struct {
	TechnicianIDs []string `json:"technician_ids"`
}

// DispatchWorkOrder sends a planned or returned work order to the
// maintenance group of the customer's region (派工): group and supervisor
// follow from the region, which must have a group; the technicians must
// be active staff. A returned order's open returns are resolved.
func (s *Service) DispatchWorkOrder(ctx context.Context, id string, version int64, in DispatchInput) (*WorkOrderDetail, error) {
	return s.changeWorkOrder(ctx, id, version, "dispatch", asDispatcher, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		if w.Status != StatusPlanned && w.Status != StatusReturned {
			return "", apperr.Invalid("status", "只有计划中或退回更正的派工单可以派出")
		}
		if w.ProjectID != nil {
			var pr Project
			if err := tx.NewSelect().Model(&pr).Where("id = ?", *w.ProjectID).Scan(ctx); err != nil {
				return "", err
			}
			if pr.DispatchedAt == nil {
				return "", apperr.Invalid("project_id", "所属立项尚未派工（须先核实方案、核对合同内容后立项派工）")
			}
		}
		if w.SiteAddress == "" {
			return "", apperr.Invalid("site_address", "请填写现场地址")
		}
		c, err := loadCustomer(ctx, tx, w.CustomerID)
		if err != nil {
			return "", err
		}
		groupID, supervisorID, err := groupOf(ctx, tx, c.RegionID)
		if err != nil {
			return "", err
		}
		techs := slices.Clone(in.TechnicianIDs)
		slices.Sort(techs)
		techs = slices.Compact(techs)
		if len(techs) > 20 {
			return "", apperr.Invalid("technician_ids", "技术人员最多 20 人")
		}
		for _, t := range techs {
			var active bool
			if err := tx.NewRaw("SELECT active FROM staff WHERE id = ?", t).Scan(ctx, &active); err != nil {
				return "", notFoundAs(err, apperr.Invalid("technician_ids", "技术人员不存在"))
			}
			if !active {
				return "", apperr.Invalid("technician_ids", "技术人员已离职")
			}
		}
		if _, err := tx.NewRaw("DELETE FROM work_order_technicians WHERE work_order_id = ?", w.ID).Exec(ctx); err != nil {
			return "", err
		}
		for _, t := range techs {
			if _, err := tx.NewRaw("INSERT INTO work_order_technicians (work_order_id, staff_id) VALUES (?, ?)", w.ID, t).Exec(ctx); err != nil {
				return "", err
			}
		}
		now := store.Time(s.now())
		again := w.Status == StatusReturned
		if _, err := tx.NewRaw("UPDATE work_order_returns SET resolved_at = ? WHERE work_order_id = ? AND resolved_at IS NULL", now, w.ID).Exec(ctx); err != nil {
			return "", err
		}
		w.RegionID, w.GroupID, w.SupervisorID = c.RegionID, &groupID, supervisorID
		w.Status, w.DispatchedBy = StatusDispatched, optional(p.StaffID)
		if w.DispatchedAt == nil {
			// A corrected dispatch keeps the first dispatch time: the
			// timeliness was met or missed then; the error is its own event.
			w.DispatchedAt = &now
		}
		if again {
			return "更正后重新派工", nil
		}
		return "派工", nil
	})
}

// ReturnInput returns a wrong dispatch for correction (派单错误).
type ReturnInput struct {
	Fields []string `json:"fields"`
	Points int      `json:"points"` // 1 or 2, the flagger's choice
	Reason string   `json:"reason"`
}

// ReturnWorkOrder sends a dispatched order back to its specialist with
// the wrong fields marked: the group's supervisor or an assigned
// technician does it, choosing 1 or 2 points with a reason; it is the
// dispatcher's dispatch_error.
func (s *Service) ReturnWorkOrder(ctx context.Context, id string, version int64, in ReturnInput) (*WorkOrderDetail, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if len(in.Fields) == 0 {
		return nil, apperr.Invalid("fields", "请标出派工单中有误的项目")
	}
	for _, f := range in.Fields {
		if !slices.Contains(ReturnFields, f) {
			return nil, apperr.Invalid("fields", "未知的项目："+f)
		}
	}
	if in.Points != 1 && in.Points != 2 {
		return nil, apperr.Invalid("points", "派单错误扣 1 分或 2 分")
	}
	if in.Reason == "" {
		return nil, apperr.Invalid("reason", "请写明错误之处")
	}
	return s.changeWorkOrder(ctx, id, version, "return", asField, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		if w.Status != StatusDispatched {
			return "", apperr.Invalid("status", "只有已派出、未完工的派工单可以退回更正")
		}
		r := &Return{ID: store.NewID(), WorkOrderID: w.ID, DispatcherID: w.DispatchedBy, ReturnedBy: p.StaffID,
			ReturnedAt: store.Time(s.now()), Fields: slices.Compact(slices.Sorted(slices.Values(in.Fields))), Points: in.Points, Reason: in.Reason}
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			return "", err
		}
		w.Status = StatusReturned
		return fmt.Sprintf("退回更正（%d 分）：%s", in.Points, in.Reason), nil
	})
}

// WithdrawReturn withdraws a return wrongly made (a manager, with a
// reason): its dispatch_error goes with it.
func (s *Service) WithdrawReturn(ctx context.Context, returnID, reason string) error {
	p := access.Caller(ctx)
	reason = strings.TrimSpace(reason)
	if !p.IsManagerial() {
		return apperr.Forbidden("只有客服经理可以撤销派单错误")
	}
	if reason == "" {
		return apperr.Invalid("reason", "请写明撤销理由")
	}
	now := store.Time(s.now())
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		r := new(Return)
		if err := tx.NewSelect().Model(r).Where("id = ?", returnID).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("return"))
		}
		if r.WithdrawnAt != nil {
			return apperr.Conflict("withdrawn_at", "已撤销")
		}
		before := *r
		r.WithdrawnAt, r.WithdrawnBy, r.WithdrawReason = &now, optional(p.StaffID), reason
		if _, err := tx.NewUpdate().Model(r).Column("withdrawn_at", "withdrawn_by", "withdraw_reason").Where("id = ?", r.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "withdraw", Entity: "work_order_return", EntityID: r.ID,
			Summary: "撤销派单错误：" + reason, Before: &before, After: r})
	})
}

// CompleteWorkOrder records the work done (完工) at the time given ("" =
// now): the group's supervisor or a technician reports it, or the
// specialist records what the group said.
func (s *Service) CompleteWorkOrder(ctx context.Context, id string, version int64, at string) (*WorkOrderDetail, error) {
	now := store.Time(s.now())
	done := now
	if at != "" {
		t, err := parseTime(at, s.loc)
		if err != nil {
			return nil, apperr.Invalid("completed_at", "完工时间格式应为 YYYY-MM-DD HH:MM")
		}
		if t.After(now) {
			return nil, apperr.Invalid("completed_at", "完工时间不能晚于现在")
		}
		done = store.Time(t)
	}
	either := func(p *access.Principal, w *WorkOrder, techs []string) error {
		if asField(p, w, techs) == nil {
			return nil
		}
		return asDispatcher(p, w, techs)
	}
	return s.changeWorkOrder(ctx, id, version, "complete", either, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		if w.Status != StatusDispatched {
			return "", apperr.Invalid("status", "只有已派出的派工单可以登记完工")
		}
		if w.DispatchedAt != nil && done.Before(*w.DispatchedAt) {
			return "", apperr.Invalid("completed_at", "完工时间不能早于派工时间")
		}
		w.Status, w.CompletedAt, w.CompletedBy = StatusCompleted, &done, optional(p.StaffID)
		return "登记完工", nil
	})
}

// CancelWorkOrder cancels work not yet done, with a reason.
func (s *Service) CancelWorkOrder(ctx context.Context, id string, version int64, reason string) (*WorkOrderDetail, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalid("reason", "请写明取消原因")
	}
	return s.changeWorkOrder(ctx, id, version, "cancel", asDispatcher, func(ctx context.Context, tx bun.Tx, p *access.Principal, w *WorkOrder) (string, error) {
		switch w.Status {
		case StatusCompleted, StatusAccepted, StatusCancelled:
			return "", apperr.Invalid("status", "派工单已完工、验收或取消")
		}
		w.Status, w.CancelReason = StatusCancelled, reason
		return "取消派工单：" + reason, nil
	})
}

// GetWorkOrder returns a work order with its names, technicians and returns.
func (s *Service) GetWorkOrder(ctx context.Context, id string) (*WorkOrderDetail, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看派工单")
	}
	rows, err := s.listWorkOrders(ctx, s.db.R(), WorkOrderFilter{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apperr.NotFound("work_order")
	}
	d := &WorkOrderDetail{WorkOrderRow: rows[0]}
	if !s.canSee(p, &d.WorkOrder, d.Technicians) {
		return nil, apperr.NotFound("work_order")
	}
	db := s.db.R()
	if d.ProjectID != nil {
		if err := db.NewRaw("SELECT k.number FROM projects p JOIN contracts k ON k.id = p.contract_id WHERE p.id = ?", *d.ProjectID).
			Scan(ctx, &d.ProjectContract); err != nil {
			return nil, err
		}
	}
	if d.TicketID != nil {
		if err := db.NewRaw("SELECT number FROM tickets WHERE id = ?", *d.TicketID).Scan(ctx, &d.TicketNumber); err != nil {
			return nil, err
		}
	}
	if err := db.NewSelect().Model(&d.Returns).Where("work_order_id = ?", id).Order("returned_at").Scan(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// canSee: managers and executives see all; specialists their customers'
// (or all, by setting); supervisors their group's; technicians theirs.
func (s *Service) canSee(p *access.Principal, w *WorkOrder, techs []Person) bool {
	if !p.Can(access.WorkRead) {
		return false
	}
	if p.IsManagerial() || p.Has(access.Executive) {
		return true
	}
	if p.Has(access.CSSpecialist) && (s.specialistReadAll || owns(p, w.OwnerID)) {
		return true
	}
	if w.SupervisorID != nil && *w.SupervisorID == p.StaffID {
		return true
	}
	return slices.ContainsFunc(techs, func(t Person) bool { return t.ID == p.StaffID })
}

// InputOf is a work order's stored values as input (an update leaves out
// what it does not change).
func InputOf(w *WorkOrder) WorkOrderInput {
	return WorkOrderInput{Type: w.Type, ProjectItemID: deref(w.ProjectItemID), TicketID: deref(w.TicketID), CustomerID: w.CustomerID,
		SiteAddress: w.SiteAddress, ContactName: w.ContactName, ContactPhone: w.ContactPhone, Equipment: w.Equipment, Parts: w.Parts,
		Content: w.Content, PlannedOn: deref(w.PlannedOn), DeadlineOn: deref(w.DeadlineOn)}
}
