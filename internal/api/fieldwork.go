package api

import (
	"net/http"
	"strings"

	"kefu/internal/access"
	"kefu/internal/fieldwork"
)

// Field work (SPEC §6, 立项 · 派工): projects from contracts with their
// coverage check, work orders and their dispatch, returns for correction,
// the dispatch board and the rules. Who may work which record — the
// customer's specialist or a manager for projects and dispatch, the
// group's supervisor or an assigned technician for returns and completion
// — is checked by the fieldwork domain; the route table checks the role.

func (s *Server) fieldworkRoutes() []route {
	orderQuery := []param{
		{Name: "project_id", Zh: "立项 id", En: "project id"},
		{Name: "customer_id", Zh: "客户 id", En: "customer id"},
		{Name: "owner_id", Zh: "分管客服 id", En: "owning specialist id"},
		{Name: "region_id", Zh: "区域 id", En: "region id"},
		{Name: "group_id", Zh: "维修项目组 id", En: "maintenance group id"},
		{Name: "technician_id", Zh: "技术人员 id", En: "technician id"},
		{Name: "status", Zh: "状态（可用逗号分隔多个）", En: "status (several, comma-separated)"},
		{Name: "from", Format: "date", Zh: "计划日期起（含）", En: "planned from (inclusive)"},
		{Name: "to", Format: "date", Zh: "计划日期止（含）", En: "planned to (inclusive)"},
		{Name: "open", Type: "boolean", Zh: "仅未验收、未取消", En: "only not accepted and not cancelled"},
		qLimit(500, 2000),
	}
	return []route{
		{Pattern: "GET /api/v1/fieldwork/settings", Perm: access.WorkRead, Handle: s.fieldworkSettings,
			Doc: op{Tag: "fieldwork", Zh: "现场工作规则（派单时限、验收期限、换季日期）", En: "Field-work rules (dispatch deadlines, acceptance deadlines, seasons)", Resp: fieldwork.Settings{}}},
		{Pattern: "PUT /api/v1/fieldwork/settings", Perm: access.WorkManage, Handle: s.saveFieldworkSettings,
			Doc: op{Tag: "fieldwork", Zh: "修改现场工作规则（客服经理）", En: "Change the field-work rules (managers)", Body: fieldwork.Settings{}, Resp: fieldwork.Settings{},
				Desc: "省略的字段保持原值；新规则用于之后新建或修改的立项与派工单。 Fields left out keep their values; new deadlines apply to projects and work orders created or edited after."}},
		{Pattern: "POST /api/v1/fieldwork/derive", Perm: access.WorkManage, Handle: s.deriveFieldwork,
			Doc: op{Tag: "fieldwork", Zh: "重新计算派单考核事件（客服经理）", En: "Derive the dispatch appraisal events now (managers)", Resp: fieldwork.EventCounts{},
				Desc: "dispatch_overdue（立项按工作日、派工单按天计逾期）与 dispatch_error（退回更正，1 或 2 分）。系统每 10 分钟自动运行。 " +
					"dispatch_overdue (working days late for projects, started days for work orders) and dispatch_error (returns for correction, 1 or 2 points). Runs every 10 minutes on its own."}},

		{Pattern: "GET /api/v1/projects", Perm: access.WorkRead, Handle: s.listProjects,
			Doc: op{Tag: "fieldwork", Zh: "立项列表（按接到合同日期新到旧）", En: "List projects (newest received first)", Resp: fieldwork.ProjectRow{}, Shape: shapeList,
				Query: []param{{Name: "owner_id", Zh: "分管客服 id", En: "owning specialist id"},
					{Name: "pending", Type: "boolean", Zh: "仅未派工", En: "only not yet dispatched"}, qLimit(200, 500)}}},
		{Pattern: "POST /api/v1/projects", Perm: access.WorkDispatch, Handle: s.createProject,
			Doc: op{Tag: "fieldwork", Zh: "立项（由合同生成，立项内容默认取合同服务内容）", En: "Create a project from a contract (items default to the contract's scope)",
				Body: fieldwork.ProjectInput{}, Resp: fieldwork.ProjectDetail{}, Status: http.StatusCreated, Desc: projectNote}},
		{Pattern: "GET /api/v1/projects/{id}", Perm: access.WorkRead, Handle: s.getProject,
			Doc: op{Tag: "fieldwork", Zh: "立项详情（立项内容、与合同核对结果、派工单）", En: "Get a project with its items, coverage check and work orders", Resp: fieldwork.ProjectDetail{}}},
		{Pattern: "PUT /api/v1/projects/{id}", Perm: access.WorkDispatch, Handle: s.updateProject,
			Doc: op{Tag: "fieldwork", Zh: "修改核实方案与立项内容", En: "Update a project's verification and items", Body: projectUpdate{}, Resp: fieldwork.ProjectDetail{},
				Desc: updateNote + " 已派工的立项修改内容后重新生成计划派工单：新增的补上，不再需要的计划取消，已派出与已完成的保留。 " +
					"After dispatch, changed items re-plan the schedule: new visits added, planned ones no longer needed cancelled, dispatched and done work kept."}},
		{Pattern: "POST /api/v1/projects/{id}/override", Perm: access.WorkManage, Handle: s.overrideProject,
			Doc: op{Tag: "fieldwork", Zh: "放行立项与合同的差异（客服经理，须写理由）", En: "Let dispatch go ahead despite coverage gaps (managers, with a reason)",
				Body: reasonInput{}, Resp: fieldwork.ProjectDetail{}}},
		{Pattern: "POST /api/v1/projects/{id}/dispatch", Perm: access.WorkDispatch, Handle: s.dispatchProject,
			Doc: op{Tag: "fieldwork", Zh: "立项派工（交区域维修项目组，并生成计划派工单）", En: "Dispatch a project to the region's maintenance group and plan its recurring work",
				Body: versionInput{}, Resp: fieldwork.ProjectDetail{},
				Desc: "须已核实方案（结果 confirmed 或 changed），立项内容与合同一致或经理已放行，客户区域有维修项目组。 " +
					"Needs the plan verified (confirmed or changed), the items covering the contract (or a manager's override) and a maintenance group for the customer's region."}},

		{Pattern: "GET /api/v1/work-orders", Perm: access.WorkRead, Handle: s.listWorkOrders,
			Doc: op{Tag: "fieldwork", Zh: "派工单列表（按计划日期）", En: "List work orders (by planned day)", Resp: fieldwork.WorkOrderRow{}, Shape: shapeList, Query: orderQuery,
				Desc: "客服专员看到自己分管客户的派工单，项目组主管看到本组的，技术人员看到派给自己的。 " +
					"Specialists see their customers' work orders, supervisors their group's, technicians those they are sent on."}},
		{Pattern: "POST /api/v1/work-orders", Perm: access.WorkDispatch, Handle: s.createWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "新建派工单（来自立项内容、报修工单或客户）", En: "Create a work order (from a project item, a repair ticket or a customer)",
				Body: fieldwork.WorkOrderInput{}, Resp: fieldwork.WorkOrderDetail{}, Status: http.StatusCreated, Desc: workOrderNote}},
		{Pattern: "GET /api/v1/work-orders/{id}", Perm: access.WorkRead, Handle: s.getWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "派工单详情", En: "Get a work order", Resp: fieldwork.WorkOrderDetail{}}},
		{Pattern: "PUT /api/v1/work-orders/{id}", Perm: access.WorkDispatch, Handle: s.updateWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "修改派工单（完工、验收、取消前）", En: "Update a work order (before completion, acceptance or cancellation)",
				Body: workOrderUpdate{}, Resp: fieldwork.WorkOrderDetail{}, Desc: updateNote}},
		{Pattern: "POST /api/v1/work-orders/{id}/dispatch", Perm: access.WorkDispatch, Handle: s.dispatchWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "派工（到客户区域的维修项目组）", En: "Dispatch a work order to the maintenance group of the customer's region",
				Body: dispatchInput{}, Resp: fieldwork.WorkOrderDetail{},
				Desc: "区域没有维修项目组时拒绝。退回更正的派工单重新派出时保留首次派工时间。 Refused for a region without a group. A corrected dispatch keeps the first dispatch time."}},
		{Pattern: "POST /api/v1/work-orders/{id}/return", Perm: access.WorkField, Handle: s.returnWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "退回更正（派单错误，项目组主管或派工技术人员，选 1 或 2 分并写明原因）", En: "Return a wrong dispatch for correction (the group's supervisor or a technician sent; 1 or 2 points with a reason)",
				Body: returnInput{}, Resp: fieldwork.WorkOrderDetail{},
				Desc: "fields 可选：site_address、contact、equipment、content、scope、planned_on、type、other。 fields are among site_address, contact, equipment, content, scope, planned_on, type, other."}},
		{Pattern: "POST /api/v1/work-orders/{id}/complete", Perm: access.WorkRead, Handle: s.completeWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "登记完工（项目组主管、派工技术人员或分管客服）", En: "Record the work done (the group's supervisor, a technician sent, or the specialist)",
				Body: completeInput{}, Resp: fieldwork.WorkOrderDetail{},
				Desc: "at 为完工时间（不带时区按公司时区；省略为现在），不能早于派工、不能晚于现在。 at is when the work was done (company time zone without a zone; now if left out), not before dispatch nor in the future."}},
		{Pattern: "POST /api/v1/work-orders/{id}/cancel", Perm: access.WorkDispatch, Handle: s.cancelWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "取消派工单（须写原因）", En: "Cancel a work order (with a reason)", Body: versionReasonInput{}, Resp: fieldwork.WorkOrderDetail{}}},
		{Pattern: "POST /api/v1/work-order-returns/{id}/withdraw", Perm: access.WorkManage, Handle: s.withdrawReturn,
			Doc: op{Tag: "fieldwork", Zh: "撤销派单错误（客服经理，须写理由）", En: "Withdraw a return for correction (managers, with a reason)", Body: reasonInput{}, Status: http.StatusNoContent}},
		{Pattern: "GET /api/v1/dispatch-board", Perm: access.WorkRead, Handle: s.dispatchBoard,
			Doc: op{Tag: "fieldwork", Zh: "派工看板（按日、按维修项目组；另列派工已逾期的计划）", En: "Dispatch board (by day and group; plus undispatched work already due)",
				Resp: fieldwork.Board{}, Query: []param{
					{Name: "from", Format: "date", Zh: "起始日（默认今天）", En: "first day (default today)"},
					{Name: "to", Format: "date", Zh: "结束日（默认起始日后 6 天，最多 31 天）", En: "last day (default 6 days after from; at most 31 days)"},
					{Name: "region_id", Zh: "区域 id", En: "region id"},
					{Name: "group_id", Zh: "维修项目组 id", En: "maintenance group id"},
				}}},
	}
}

const projectNote = "合同须已生效并登记接到合同日期（received_on）；派工期限为接到合同后第 1 个工作日结束（可设置），逾期按工作日计 dispatch_overdue。" +
	"items 省略时取合同服务内容；verified_at 为核实时间（不带时区按公司时区）。 " +
	"The contract must be active with its received date (received_on); the project is due dispatched by the end of the first working day after it " +
	"(configurable), dispatch_overdue counting working days late. Without items the contract's scope is taken; verified_at is when the plan was verified."

const workOrderNote = "给出 project_item_id（计划工作）、ticket_id（故障报修，客户与地址取自工单）或 customer_id 之一。派工期限：报修为工单受理后 30 分钟，" +
	"有计划日期的工作为计划日前 2 天结束（均可设置）。 Give one of project_item_id (planned work), ticket_id (a repair; customer and address from the ticket) or " +
	"customer_id. Dispatch is due 30 minutes after a repair ticket, and by the end of the day 2 days before planned work (both configurable)."

type reasonInput struct {
	Version *int64 `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

type versionReasonInput struct {
	Version *int64 `json:"version"`
	Reason  string `json:"reason"`
}

type projectUpdate struct {
	Version *int64 `json:"version"`
	fieldwork.ProjectInput
}

type workOrderUpdate struct {
	Version *int64 `json:"version"`
	fieldwork.WorkOrderInput
}

type dispatchInput struct {
	Version *int64 `json:"version"`
	fieldwork.DispatchInput
}

type returnInput struct {
	Version *int64 `json:"version"`
	fieldwork.ReturnInput
}

type completeInput struct {
	Version *int64 `json:"version"`
	At      string `json:"at"`
}

func (s *Server) fieldworkSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Fieldwork.Settings(r.Context())
	if err != nil {
		return err
	}
	return ok(w, st)
}

func (s *Server) saveFieldworkSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Fieldwork.Settings(r.Context())
	if err != nil {
		return err
	}
	if err := decode(w, r, &st); err != nil {
		return err
	}
	if st, err = s.Fieldwork.SaveSettings(r.Context(), st); err != nil {
		return err
	}
	return ok(w, st)
}

func (s *Server) deriveFieldwork(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Fieldwork.DeriveEvents(r.Context())
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) error {
	pending, err := queryBool(r, "pending")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 200, 1, 500)
	if err != nil {
		return err
	}
	rows, err := s.Fieldwork.ListProjects(r.Context(), fieldwork.ProjectFilter{OwnerID: r.URL.Query().Get("owner_id"),
		Pending: pending != nil && *pending, Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) error {
	var in fieldwork.ProjectInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.ContractID) == "" {
		return required("contract_id")
	}
	p, err := s.Fieldwork.CreateProject(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, p)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Fieldwork.GetProject(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.Fieldwork.GetProject(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	in := projectUpdate{ProjectInput: projectInputOf(cur, s)}
	in.Items = nil
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	p, err := s.Fieldwork.UpdateProject(r.Context(), cur.ID, v, in.ProjectInput)
	if err != nil {
		return err
	}
	return ok(w, p)
}

// projectInputOf is a project's stored values as input (an update leaves
// out what it does not change).
func projectInputOf(p *fieldwork.ProjectDetail, s *Server) fieldwork.ProjectInput {
	in := fieldwork.ProjectInput{ContractID: p.ContractID, VerifiedWith: p.VerifiedWith, VerifierName: p.VerifierName,
		VerifyResult: p.VerifyResult, VerifyNote: p.VerifyNote}
	if p.VerifiedAt != nil {
		in.VerifiedAt = p.VerifiedAt.In(s.Loc).Format("2006-01-02 15:04:05")
	}
	return in
}

func (s *Server) overrideProject(w http.ResponseWriter, r *http.Request) error {
	var in reasonInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	p, err := s.Fieldwork.OverrideCoverage(r.Context(), r.PathValue("id"), v, in.Reason)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) dispatchProject(w http.ResponseWriter, r *http.Request) error {
	var in versionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	p, err := s.Fieldwork.DispatchProject(r.Context(), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) listWorkOrders(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	open, err := queryBool(r, "open")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 500, 1, 2000)
	if err != nil {
		return err
	}
	f := fieldwork.WorkOrderFilter{ProjectID: q.Get("project_id"), CustomerID: q.Get("customer_id"), OwnerID: q.Get("owner_id"),
		RegionID: q.Get("region_id"), GroupID: q.Get("group_id"), TechnicianID: q.Get("technician_id"), From: q.Get("from"), To: q.Get("to"),
		Open: open != nil && *open, Limit: limit}
	if st := q.Get("status"); st != "" {
		f.Statuses = strings.Split(st, ",")
	}
	rows, err := s.Fieldwork.ListWorkOrders(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) createWorkOrder(w http.ResponseWriter, r *http.Request) error {
	var in fieldwork.WorkOrderInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.Fieldwork.CreateWorkOrder(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, d)
}

func (s *Server) getWorkOrder(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Fieldwork.GetWorkOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) updateWorkOrder(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.Fieldwork.GetWorkOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	in := workOrderUpdate{WorkOrderInput: fieldwork.InputOf(&cur.WorkOrder)}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.UpdateWorkOrder(r.Context(), cur.ID, v, in.WorkOrderInput)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) dispatchWorkOrder(w http.ResponseWriter, r *http.Request) error {
	var in dispatchInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.DispatchWorkOrder(r.Context(), r.PathValue("id"), v, in.DispatchInput)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) returnWorkOrder(w http.ResponseWriter, r *http.Request) error {
	var in returnInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.ReturnWorkOrder(r.Context(), r.PathValue("id"), v, in.ReturnInput)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) completeWorkOrder(w http.ResponseWriter, r *http.Request) error {
	var in completeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.CompleteWorkOrder(r.Context(), r.PathValue("id"), v, in.At)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) cancelWorkOrder(w http.ResponseWriter, r *http.Request) error {
	var in versionReasonInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.CancelWorkOrder(r.Context(), r.PathValue("id"), v, in.Reason)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) withdrawReturn(w http.ResponseWriter, r *http.Request) error {
	var in reasonInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Fieldwork.WithdrawReturn(r.Context(), r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) dispatchBoard(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	b, err := s.Fieldwork.DispatchBoard(r.Context(), fieldwork.BoardFilter{From: q.Get("from"), To: q.Get("to"),
		RegionID: q.Get("region_id"), GroupID: q.Get("group_id")})
	if err != nil {
		return err
	}
	return ok(w, b)
}
