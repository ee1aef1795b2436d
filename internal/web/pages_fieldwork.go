package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
)

// 现场工作 (SPEC §6): projects made from contracts (立项) with their
// verification, items and the coverage check against the contract; work
// orders (派工单) with their dispatch, returns for correction, completion
// and cancellation; the dispatch board (派工看板). Who may work which
// record is the fieldwork domain's to decide; the pages offer the forms
// to the people the domain would let through.

// The coded values of the field-work pages, each shown through the
// catalogue (work.type.repair, work.status.planned, …).
func (enums) WorkTypes() []string     { return workTypes }
func (enums) WorkStatuses() []string  { return workStatuses }
func (enums) VerifyWiths() []string   { return verifyWiths }
func (enums) VerifyResults() []string { return verifyResults }
func (enums) ReturnFields() []string  { return fieldwork.ReturnFields }

var (
	workTypes = []string{fieldwork.TypeInspection, fieldwork.TypeSeasonal, fieldwork.TypeRepair, fieldwork.TypeConstruction,
		fieldwork.TypeOther}
	workStatuses = []string{fieldwork.StatusPlanned, fieldwork.StatusDispatched, fieldwork.StatusReturned, fieldwork.StatusCompleted,
		fieldwork.StatusAccepted, fieldwork.StatusCancelled}
	verifyWiths   = []string{"region_head", "tech_department"}
	verifyResults = []string{fieldwork.VerifyConfirmed, fieldwork.VerifyChanged, fieldwork.VerifyRejected}
)

// workFieldPrefixes label the fields the fieldwork domain names in errors.
var workFieldPrefixes = []string{"work.field."}

// ---- projects: list ---------------------------------------------------------------

type projectListPage struct {
	Page
	Pending bool
	Items   []fieldwork.ProjectRow
}

func (s *Server) projectList(w http.ResponseWriter, r *http.Request) error {
	pending := r.URL.Query().Get("pending") == "1"
	items, err := s.Fieldwork.ListProjects(r.Context(), fieldwork.ProjectFilter{Pending: pending, Limit: 500})
	if err != nil {
		return err
	}
	p := &projectListPage{Page: s.page(r, "projects", "projects.title"), Pending: pending, Items: items}
	return s.render(w, http.StatusOK, "projects", "", p)
}

// ---- projects: new and the project page ---------------------------------------------

// itemRow is one row of a project's items table as the form shows it.
type itemRow struct {
	ID, ServiceType, Equipment, Frequency, Times, Notes string
}

// verifyForm is the verification (核实方案) as the form shows it.
type verifyForm struct {
	VerifiedWith, VerifierName, VerifiedAt, VerifyResult, VerifyNote string
}

type projectPage struct {
	Page
	enums
	// Contract is the contract a new project is made from (new only).
	Contract *contracts.ContractDetail
	// D is the project (nil on the new project form).
	D      *fieldwork.ProjectDetail
	Verify verifyForm
	Items  []itemRow
	Now    string
	// Open names the form shown open after an error in it.
	Open   string
	posted url.Values
	names  map[string]string
}

// Name shows a staff member by id ("—" for none).
func (p *projectPage) Name(id *string) string {
	if id == nil || p.names[*id] == "" {
		return "—"
	}
	return p.names[*id]
}

// F is the value the user posted in field name (kept after an error).
func (p *projectPage) F(name string) string { return p.posted.Get(name) }

// Manager reports whether the viewer may override the coverage check.
func (p *projectPage) Manager() bool {
	return p.Can(string(access.WorkManage)) && p.User.IsManagerial()
}

// CanWork reports whether the viewer may change the project (the
// customer's specialist, or a manager).
func (p *projectPage) CanWork() bool {
	if p.D == nil || !p.Can(string(access.WorkDispatch)) {
		return false
	}
	return p.User.IsManagerial() || (p.D.OwnerID != nil && *p.D.OwnerID == p.User.StaffID)
}

// WorkLine shows a line of work: 冷水机组 巡检（每月）×2.
func (p *Page) WorkLine(l fieldwork.ScopeLine, times int) string {
	s := p.T("work.type." + l.ServiceType)
	if l.Equipment != "" {
		s = l.Equipment + " " + s
	}
	if l.Frequency != "" {
		s += "（" + p.T("contract.freq."+l.Frequency) + "）"
	}
	return s + "×" + strconv.Itoa(max(times, 1))
}

func verifyOf(pr *fieldwork.Project, s *Server) verifyForm {
	return verifyForm{VerifiedWith: pr.VerifiedWith, VerifierName: pr.VerifierName, VerifiedAt: s.localTime(pr.VerifiedAt),
		VerifyResult: pr.VerifyResult, VerifyNote: pr.VerifyNote}
}

func verifyPosted(v url.Values) verifyForm {
	return verifyForm{VerifiedWith: v.Get("verified_with"), VerifierName: v.Get("verifier_name"), VerifiedAt: v.Get("verified_at"),
		VerifyResult: v.Get("verify_result"), VerifyNote: v.Get("verify_note")}
}

// itemsPosted reads the items table: one row per item_service_type.
func itemsPosted(v url.Values) []itemRow {
	col := func(name string, i int) string {
		if vs := v[name]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	rows := []itemRow{}
	for i := range v["item_service_type"] {
		rows = append(rows, itemRow{ServiceType: col("item_service_type", i), Equipment: col("item_equipment", i),
			Frequency: col("item_frequency", i), Times: col("item_times", i), Notes: col("item_notes", i)})
	}
	return rows
}

// projectInput is the domain's input from the verification and items
// forms; items nil when the form did not post the items table.
func projectInput(contractID string, vf verifyForm, rows []itemRow) (fieldwork.ProjectInput, error) {
	in := fieldwork.ProjectInput{ContractID: contractID, VerifiedWith: vf.VerifiedWith, VerifierName: vf.VerifierName,
		VerifiedAt: vf.VerifiedAt, VerifyResult: vf.VerifyResult, VerifyNote: vf.VerifyNote}
	if rows == nil {
		return in, nil
	}
	in.Items = []fieldwork.ItemInput{}
	for i, row := range rows {
		it := fieldwork.ItemInput{ServiceType: row.ServiceType, Equipment: row.Equipment, Frequency: row.Frequency, Notes: row.Notes}
		if row.Times != "" {
			n, err := strconv.Atoi(row.Times)
			if err != nil {
				return in, apperr.Invalid("items["+strconv.Itoa(i)+"].times", "须为整数")
			}
			it.Times = n
		}
		in.Items = append(in.Items, it)
	}
	return in, nil
}

func itemRowsOf(items []fieldwork.ProjectItem) []itemRow {
	rows := make([]itemRow, len(items))
	for i, it := range items {
		rows[i] = itemRow{ID: it.ID, ServiceType: it.ServiceType, Equipment: it.Equipment, Frequency: it.Frequency,
			Times: strconv.Itoa(it.Times), Notes: it.Notes}
	}
	return rows
}

func (s *Server) projectNewPage(r *http.Request, contractID string) (*projectPage, error) {
	p := &projectPage{Page: s.page(r, "projects", "project.new"), Now: s.nowSecond(), posted: url.Values{}}
	p.FieldPrefixes = workFieldPrefixes
	if contractID == "" {
		return nil, apperr.Invalid("contract_id", "请从合同页面立项")
	}
	c, err := s.Contracts.GetContract(r.Context(), contractID)
	if err != nil {
		return nil, err
	}
	p.Contract = c
	p.Title = p.T("project.new") + " · " + c.Number
	for _, it := range c.Scope {
		p.Items = append(p.Items, itemRow{ServiceType: it.ServiceType, Equipment: it.Equipment, Frequency: it.Frequency,
			Times: strconv.Itoa(max(it.Times, 1)), Notes: it.Notes})
	}
	return p, nil
}

func (s *Server) projectNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.projectNewPage(r, r.URL.Query().Get("contract_id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "project", "", p)
}

func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	contractID := strings.TrimSpace(v.Get("contract_id"))
	vf, rows := verifyPosted(v), itemsPosted(v)
	in, err := projectInput(contractID, vf, rows)
	var d *fieldwork.ProjectDetail
	if err == nil {
		d, err = s.Fieldwork.CreateProject(r.Context(), in)
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		p, perr := s.projectNewPage(r, contractID)
		if perr != nil {
			return perr
		}
		p.Verify, p.Items, p.posted = vf, rows, v
		return s.formError(w, r, err, &p.Page, "project", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "project.created"))
	return redirect(w, r, "/projects/"+d.ID)
}

func (s *Server) projectData(r *http.Request, id string) (*projectPage, error) {
	d, err := s.Fieldwork.GetProject(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &projectPage{Page: s.page(r, "projects", "project.title"), D: d, Verify: verifyOf(&d.Project, s), Items: itemRowsOf(d.Items),
		Now: s.nowSecond(), posted: url.Values{}}
	p.Title = p.T("project.title") + " · " + d.ContractNumber
	p.FieldPrefixes = workFieldPrefixes
	if p.names, err = s.Org.Names(r.Context()); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.projectData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "project", "", p)
}

// afterProjectAction answers a form on the project page: back to the page
// with a message, or the page again with the error and what was typed.
func (s *Server) afterProjectAction(w http.ResponseWriter, r *http.Request, id, open, msg string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), msg))
		return redirect(w, r, "/projects/"+id)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, derr := s.projectData(r, id)
	if derr != nil {
		return derr
	}
	p.Open, p.posted = open, r.PostForm
	switch open {
	case "verify":
		p.Verify = verifyPosted(r.PostForm)
	case "items":
		p.Items = itemsPosted(r.PostForm)
	}
	return s.formError(w, r, err, &p.Page, "project", p)
}

// projectUpdate saves the verification form or the items form (each
// leaves the other part as stored).
func (s *Server) projectUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	v := postForm(r)
	cur, err := s.Fieldwork.GetProject(r.Context(), id)
	if err != nil {
		return err
	}
	vf, open := verifyOf(&cur.Project, s), "verify"
	var rows []itemRow
	if v.Get("items_present") == "1" {
		rows, open = itemsPosted(v), "items"
	} else {
		vf = verifyPosted(v)
	}
	in, err := projectInput(cur.ContractID, vf, rows)
	if err == nil {
		_, err = s.Fieldwork.UpdateProject(r.Context(), id, version(r), in)
	}
	return s.afterProjectAction(w, r, id, open, "flash.saved", err)
}

func (s *Server) projectOverride(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Fieldwork.OverrideCoverage(r.Context(), id, version(r), r.PostFormValue("reason"))
	return s.afterProjectAction(w, r, id, "override", "project.overridden", err)
}

func (s *Server) projectDispatch(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Fieldwork.DispatchProject(r.Context(), id, version(r))
	return s.afterProjectAction(w, r, id, "dispatch", "project.dispatched", err)
}

// ---- work orders: list ---------------------------------------------------------------

type workOrderFilter struct {
	Status, From, To string
	Mine             bool
}

type workOrderListPage struct {
	Page
	enums
	Filter workOrderFilter
	Items  []fieldwork.WorkOrderRow
}

func (s *Server) workOrderList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	wf := workOrderFilter{Status: q.Get("status"), From: q.Get("from"), To: q.Get("to"), Mine: q.Get("mine") == "1"}
	f := fieldwork.WorkOrderFilter{From: wf.From, To: wf.To, Limit: 500}
	if wf.Status != "" {
		f.Statuses = []string{wf.Status}
	}
	if wf.Mine {
		// 我的未完成: a specialist's (or manager's) customers, a
		// technician's own; a supervisor sees their group's anyway.
		me := access.From(r.Context())
		f.Open = true
		switch {
		case me.Has(access.CSSpecialist) || me.IsManagerial():
			f.OwnerID = me.StaffID
		case me.Has(access.Technician):
			f.TechnicianID = me.StaffID
		}
	}
	p := &workOrderListPage{Page: s.page(r, "workorders", "work_orders.title"), Filter: wf}
	p.FieldPrefixes = workFieldPrefixes
	items, err := s.Fieldwork.ListWorkOrders(r.Context(), f)
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInvalid {
			return err
		}
		return s.formError(w, r, err, &p.Page, "work_orders", p)
	}
	p.Items = items
	return s.render(w, http.StatusOK, "work_orders", "", p)
}

// DispatchLate reports how many days the dispatch of a work order is (or
// was) late; 0 when on time or without a deadline.
func (p *Page) DispatchLate(wo fieldwork.WorkOrder) int {
	if wo.DispatchDue == nil {
		return 0
	}
	at := p.srv.Now()
	if wo.DispatchedAt != nil {
		at = *wo.DispatchedAt
	} else if wo.Status == fieldwork.StatusCancelled {
		return 0
	}
	return fieldwork.DaysLate(*wo.DispatchDue, at)
}

// TechNames shows a work order's technicians.
func (p *Page) TechNames(ts []fieldwork.Person) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, "、")
}

// ---- work orders: new and edit ------------------------------------------------------

type workOrderFormPage struct {
	Page
	enums
	In        fieldwork.WorkOrderInput
	PartsText string
	// The source of a new work order: a repair ticket or a project item.
	TicketNumber string
	ProjectID    string
	ItemText     string
	Customers    []customers.CustomerView
	// ID, Version and Number of the work order edited ("" when new).
	ID      string
	Version int64
	Number  string
	Repair  bool // from a repair ticket: the type stays 故障报修
}

// partsOf reads the parts typed one per line (or separated by commas, 、).
func partsOf(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、' })
	out := []string{}
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func workOrderInput(v url.Values) fieldwork.WorkOrderInput {
	f := v.Get
	return fieldwork.WorkOrderInput{Type: f("type"), ProjectItemID: f("project_item_id"), TicketID: f("ticket_id"), CustomerID: f("customer_id"),
		SiteAddress: f("site_address"), ContactName: f("contact_name"), ContactPhone: f("contact_phone"), Equipment: f("equipment"),
		Parts: partsOf(f("parts")), Content: f("content"), PlannedOn: f("planned_on"), DeadlineOn: f("deadline_on")}
}

// workOrderForm builds the form for in: the source's names, and the
// customers to choose from when the work order comes from neither a
// ticket nor a project item.
func (s *Server) workOrderForm(r *http.Request, titleID string, in fieldwork.WorkOrderInput, projectID string) (*workOrderFormPage, error) {
	ctx := r.Context()
	p := &workOrderFormPage{Page: s.page(r, "workorders", titleID), In: in, PartsText: strings.Join(in.Parts, "\n"), ProjectID: projectID}
	p.FieldPrefixes = workFieldPrefixes
	switch {
	case in.TicketID != "":
		t, err := s.Tickets.Get(ctx, in.TicketID)
		if err != nil {
			return nil, err
		}
		p.TicketNumber, p.Repair = t.Number, true
	case in.ProjectItemID != "":
		if projectID != "" {
			d, err := s.Fieldwork.GetProject(ctx, projectID)
			if err != nil {
				return nil, err
			}
			for _, it := range d.Items {
				if it.ID == in.ProjectItemID {
					l := fieldwork.ScopeLine{ServiceType: it.ServiceType, Equipment: it.Equipment, Frequency: it.Frequency}
					p.ItemText = d.ContractNumber + " · " + p.WorkLine(l, it.Times)
				}
			}
		}
	default:
		var err error
		if p.Customers, err = s.writableCustomers(r, in.CustomerID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) workOrderNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := fieldwork.WorkOrderInput{TicketID: q.Get("ticket_id"), ProjectItemID: q.Get("project_item_id"), CustomerID: q.Get("customer_id"),
		Type: q.Get("type")}
	if in.TicketID != "" {
		t, err := s.Tickets.Get(r.Context(), in.TicketID)
		if err != nil {
			return err
		}
		in.Type, in.CustomerID = fieldwork.TypeRepair, deref(t.CustomerID)
		in.SiteAddress, in.Equipment, in.Content = t.Address, t.RepairObject, t.Description
	}
	if in.Type == "" {
		in.Type = fieldwork.TypeInspection
		if in.ProjectItemID == "" {
			in.Type = fieldwork.TypeRepair
		}
	}
	p, err := s.workOrderForm(r, "work_order.new", in, q.Get("project_id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "work_order_form", "", p)
}

func (s *Server) workOrderCreate(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	in := workOrderInput(v)
	d, err := s.Fieldwork.CreateWorkOrder(r.Context(), in)
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		p, perr := s.workOrderForm(r, "work_order.new", in, v.Get("project_id"))
		if perr != nil {
			return perr
		}
		return s.formError(w, r, err, &p.Page, "work_order_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "work_order.created", "Number", d.Number))
	return redirect(w, r, "/work-orders/"+d.ID)
}

func (s *Server) workOrderEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Fieldwork.GetWorkOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	in := fieldwork.InputOf(&d.WorkOrder)
	// The source of a stored work order is not changed by the form.
	in.TicketID, in.ProjectItemID = "", ""
	p, err := s.workOrderForm(r, "work_order.edit", in, "")
	if err != nil {
		return err
	}
	p.ID, p.Version, p.Number, p.Repair = d.ID, d.Version, d.Number, d.TicketID != nil
	p.Customers = nil
	return s.render(w, http.StatusOK, "work_order_form", "", p)
}

func (s *Server) workOrderUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Fieldwork.GetWorkOrder(r.Context(), id)
	if err != nil {
		return err
	}
	v := postForm(r)
	in := workOrderInput(v)
	stored := fieldwork.InputOf(&cur.WorkOrder)
	in.TicketID, in.ProjectItemID, in.CustomerID = stored.TicketID, stored.ProjectItemID, stored.CustomerID
	if cur.TicketID != nil {
		in.Type = fieldwork.TypeRepair
	}
	_, err = s.Fieldwork.UpdateWorkOrder(r.Context(), id, version(r), in)
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/work-orders/"+id)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	shown := in
	shown.TicketID, shown.ProjectItemID = "", ""
	p, perr := s.workOrderForm(r, "work_order.edit", shown, "")
	if perr != nil {
		return perr
	}
	p.ID, p.Version, p.Number, p.Repair, p.Customers = id, version(r), cur.Number, cur.TicketID != nil, nil
	if apperr.Is(err, apperr.KindConflict) {
		p.Version = cur.Version
	}
	return s.formError(w, r, err, &p.Page, "work_order_form", p)
}

// ---- work orders: the page -------------------------------------------------------------

type workOrderPage struct {
	Page
	enums
	D *fieldwork.WorkOrderDetail
	// Technicians to dispatch: the group's first, then the others.
	GroupTechs, OtherTechs []org.Staff
	Now                    string
	Open                   string
	posted                 url.Values
	names                  map[string]string
	// Ev is the acceptance evidence and checklist (nil before dispatch).
	Ev *evidenceView
}

// F is the value the user posted in field name (kept after an error).
func (p *workOrderPage) F(name string) string { return p.posted.Get(name) }

// Posted reports whether value v of field name was posted (checkboxes).
func (p *workOrderPage) Posted(name, v string) bool { return slices.Contains(p.posted[name], v) }

// Name shows a staff member by id.
func (p *workOrderPage) Name(id *string) string {
	if id == nil || *id == "" {
		return "—"
	}
	if n, ok := p.names[*id]; ok {
		return n
	}
	return "—"
}

// NameOf shows a staff member by id.
func (p *workOrderPage) NameOf(id string) string { return p.Name(&id) }

// Assigned reports whether technician id is on the work order (or was
// posted so after an error).
func (p *workOrderPage) Assigned(id string) bool {
	if p.Open == "dispatch" {
		return p.Posted("technician_ids", id)
	}
	return slices.ContainsFunc(p.D.Technicians, func(t fieldwork.Person) bool { return t.ID == id })
}

// Done reports whether the work order is completed, accepted or cancelled.
func (p *workOrderPage) Done() bool {
	switch p.D.Status {
	case fieldwork.StatusCompleted, fieldwork.StatusAccepted, fieldwork.StatusCancelled:
		return true
	}
	return false
}

// CanDispatch reports whether the viewer dispatches this work order (the
// customer's specialist or a manager): edit, dispatch, cancel.
func (p *workOrderPage) CanDispatch() bool {
	if !p.Can(string(access.WorkDispatch)) {
		return false
	}
	return p.User.IsManagerial() || (p.D.OwnerID != nil && *p.D.OwnerID == p.User.StaffID)
}

// OnSite reports whether the viewer is the group's supervisor or one of
// the technicians sent: they return a wrong dispatch.
func (p *workOrderPage) OnSite() bool {
	if !p.Can(string(access.WorkField)) || p.User.StaffID == "" {
		return false
	}
	if p.D.SupervisorID != nil && *p.D.SupervisorID == p.User.StaffID {
		return true
	}
	return slices.ContainsFunc(p.D.Technicians, func(t fieldwork.Person) bool { return t.ID == p.User.StaffID })
}

// CanComplete reports whether the viewer may record the work done.
func (p *workOrderPage) CanComplete() bool {
	return p.D.Status == fieldwork.StatusDispatched && (p.OnSite() || p.CanDispatch())
}

// ReturnFieldsText shows the fields a return marked wrong.
func (p *workOrderPage) ReturnFieldsText(fs []string) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = p.T("work.return_field." + f)
	}
	return strings.Join(out, "、")
}

func (s *Server) workOrderData(r *http.Request, id string) (*workOrderPage, error) {
	ctx := r.Context()
	d, err := s.Fieldwork.GetWorkOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &workOrderPage{Page: s.page(r, "workorders", "work_order.title"), D: d, Now: s.nowSecond(), posted: url.Values{}}
	p.Title = p.T("work_order.title") + " " + d.Number
	p.FieldPrefixes = workFieldPrefixes
	if p.names, err = s.Org.Names(ctx); err != nil {
		return nil, err
	}
	if p.CanDispatch() && (d.Status == fieldwork.StatusPlanned || d.Status == fieldwork.StatusReturned) {
		if err := s.technicianChoices(r, p); err != nil {
			return nil, err
		}
	}
	if showsEvidence(d.Status) {
		if p.Ev, err = s.evidenceOf(ctx, &p.Page, d, p.CanDispatch(), p.OnSite(), true, "/work-orders/"+url.PathEscape(d.ID)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// technicianChoices lists the active technicians, those of the group of
// the customer's region first.
func (s *Server) technicianChoices(r *http.Request, p *workOrderPage) error {
	ctx := r.Context()
	yes := true
	techs, err := s.Org.ListStaff(ctx, org.StaffFilter{Role: access.Technician, Active: &yes})
	if err != nil {
		return err
	}
	group := deref(p.D.GroupID)
	if group == "" && p.D.RegionID != nil {
		regions, err := s.Org.Regions(ctx)
		if err != nil {
			return err
		}
		for _, rg := range regions {
			if rg.ID == *p.D.RegionID {
				group = deref(rg.GroupID)
			}
		}
	}
	for _, t := range techs {
		if group != "" && deref(t.GroupID) == group {
			p.GroupTechs = append(p.GroupTechs, t)
		} else {
			p.OtherTechs = append(p.OtherTechs, t)
		}
	}
	return nil
}

func (s *Server) workOrderPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.workOrderData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "work_order", "", p)
}

// afterWorkOrderAction answers a form on the work order page.
func (s *Server) afterWorkOrderAction(w http.ResponseWriter, r *http.Request, id, open, msg string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), msg))
		return redirect(w, r, "/work-orders/"+url.PathEscape(id))
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, derr := s.workOrderData(r, id)
	if derr != nil {
		return derr
	}
	p.Open, p.posted = open, r.PostForm
	return s.formError(w, r, err, &p.Page, "work_order", p)
}

func (s *Server) workOrderDispatch(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	techs := postForm(r)["technician_ids"]
	_, err := s.Fieldwork.DispatchWorkOrder(r.Context(), id, version(r), fieldwork.DispatchInput{TechnicianIDs: techs})
	return s.afterWorkOrderAction(w, r, id, "dispatch", "work_order.dispatched", err)
}

func (s *Server) workOrderReturn(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	v := postForm(r)
	points, _ := strconv.Atoi(v.Get("points"))
	_, err := s.Fieldwork.ReturnWorkOrder(r.Context(), id, version(r), fieldwork.ReturnInput{Fields: v["fields"], Points: points,
		Reason: v.Get("reason")})
	return s.afterWorkOrderAction(w, r, id, "return", "work_order.returned", err)
}

func (s *Server) workOrderComplete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Fieldwork.CompleteWorkOrder(r.Context(), id, version(r), r.PostFormValue("completed_at"))
	if r.PostFormValue("back") == "/my-work" {
		return s.afterEvidence(w, r, id, "/my-work", "complete", "work_order.completed", err)
	}
	return s.afterWorkOrderAction(w, r, id, "complete", "work_order.completed", err)
}

func (s *Server) workOrderCancel(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Fieldwork.CancelWorkOrder(r.Context(), id, version(r), r.PostFormValue("reason"))
	return s.afterWorkOrderAction(w, r, id, "cancel", "work_order.cancelled", err)
}

// returnWithdraw withdraws a return for correction (managers); the form
// names its work order to come back to.
func (s *Server) returnWithdraw(w http.ResponseWriter, r *http.Request) error {
	rid := r.PathValue("id")
	woID := strings.TrimSpace(postForm(r).Get("work_order_id"))
	err := s.Fieldwork.WithdrawReturn(r.Context(), rid, r.PostFormValue("reason"))
	if woID == "" {
		if err != nil {
			return err
		}
		s.flash(r.Context(), s.cat.translate(s.lang(r), "work_order.withdrawn"))
		return redirect(w, r, "/work-orders")
	}
	return s.afterWorkOrderAction(w, r, woID, "withdraw-"+rid, "work_order.withdrawn", err)
}

// ---- the dispatch board -----------------------------------------------------------------

type boardPage struct {
	Page
	enums
	B                  *fieldwork.Board
	From               string
	RegionID, GroupID  string
	Prev, Next, Today  string
	Regions            []org.Region
	Groups             []org.Group
	regionName, groups map[string]string
}

// Weekday names the day of the week of a YYYY-MM-DD day.
func (p *boardPage) Weekday(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	return p.T("board.weekday", "D", p.T("weekday."+strconv.Itoa(int(t.Weekday()))))
}

// GroupLabel names a group of the board ("" = not yet dispatched).
func (p *boardPage) GroupLabel(g fieldwork.BoardGroup) string {
	if g.GroupID == "" {
		return p.T("board.no_group")
	}
	return g.GroupName
}

func (s *Server) dispatchBoard(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &boardPage{Page: s.page(r, "board", "board.title"), From: q.Get("from"), RegionID: q.Get("region_id"),
		GroupID: q.Get("group_id"), Today: s.today()}
	p.FieldPrefixes = workFieldPrefixes
	ctx := r.Context()
	var err error
	if p.Regions, err = s.Org.Regions(ctx); err != nil {
		return err
	}
	if p.Groups, err = s.Org.Groups(ctx); err != nil {
		return err
	}
	b, err := s.Fieldwork.DispatchBoard(ctx, fieldwork.BoardFilter{From: p.From, RegionID: p.RegionID, GroupID: p.GroupID})
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInvalid {
			return err
		}
		return s.formError(w, r, err, &p.Page, "dispatch_board", p)
	}
	p.B, p.From = b, b.From
	if t, err := time.Parse(time.DateOnly, b.From); err == nil {
		p.Prev, p.Next = t.AddDate(0, 0, -7).Format(time.DateOnly), t.AddDate(0, 0, 7).Format(time.DateOnly)
	}
	return s.render(w, http.StatusOK, "dispatch_board", "", p)
}

// ---- the rules (设置 · 现场工作规则) ----------------------------------------------------------

// fieldworkRules are the form's number fields: each the settings' JSON
// path, which the domain's errors name.
var fieldworkRules = []string{"dispatch.project_working_days", "dispatch.planned_lead_days", "dispatch.repair_minutes",
	"acceptance.upload_days", "acceptance.paper_day", "seasons.lead_days"}

type fieldworkPolicyPage struct {
	Page
	Values map[string]string
	// progress is the progress rules form (pages_progress.go).
	progress *progressForm
}

// V is the value of a field as shown.
func (p *fieldworkPolicyPage) V(field string) string { return p.Values[field] }

// Invalid reports whether the error shown is about field.
func (p *fieldworkPolicyPage) Invalid(field string) bool {
	return p.Error != nil && p.Error.Field == field
}

// Label names a field of the form.
func (p *fieldworkPolicyPage) Label(field string) string {
	return p.T("fieldwork_policy.field." + field)
}

// Numbers are the number fields in the order the form shows them.
func (p *fieldworkPolicyPage) Numbers() []string { return fieldworkRules }

func settingsValues(st fieldwork.Settings) map[string]string {
	n := strconv.Itoa
	return map[string]string{
		"dispatch.project_working_days": n(st.Dispatch.ProjectWorkingDays), "dispatch.planned_lead_days": n(st.Dispatch.PlannedLeadDays),
		"dispatch.repair_minutes": n(st.Dispatch.RepairMinutes), "acceptance.upload_days": n(st.Acceptance.UploadDays),
		"acceptance.paper_day": n(st.Acceptance.PaperDay), "seasons.lead_days": n(st.Seasons.LeadDays),
		"seasons.cooling_start": st.Seasons.Cooling.String(), "seasons.heating_start": st.Seasons.Heating.String(),
	}
}

func (s *Server) fieldworkPolicy(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Fieldwork.Settings(r.Context())
	if err != nil {
		return err
	}
	p := &fieldworkPolicyPage{Page: s.page(r, "admin", "fieldwork_policy.title"), Values: settingsValues(st)}
	return s.render(w, http.StatusOK, "fieldwork_policy", "", p)
}

func (s *Server) fieldworkPolicySave(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	st, err := s.Fieldwork.Settings(r.Context())
	if err != nil {
		return err
	}
	values := map[string]string{}
	var first error
	num := func(field string, into *int) {
		values[field] = strings.TrimSpace(v.Get(field))
		n, err := strconv.Atoi(values[field])
		if err != nil {
			if first == nil {
				first = apperr.Invalid(field, "请填写整数")
			}
			return
		}
		*into = n
	}
	num("dispatch.project_working_days", &st.Dispatch.ProjectWorkingDays)
	num("dispatch.planned_lead_days", &st.Dispatch.PlannedLeadDays)
	num("dispatch.repair_minutes", &st.Dispatch.RepairMinutes)
	num("acceptance.upload_days", &st.Acceptance.UploadDays)
	num("acceptance.paper_day", &st.Acceptance.PaperDay)
	num("seasons.lead_days", &st.Seasons.LeadDays)
	for _, f := range []string{"seasons.cooling_start", "seasons.heating_start"} {
		values[f] = strings.TrimSpace(v.Get(f))
		into := &st.Seasons.Cooling
		if f == "seasons.heating_start" {
			into = &st.Seasons.Heating
		}
		if err := into.UnmarshalText([]byte(values[f])); err != nil && first == nil {
			first = apperr.Invalid(f, "格式应为 MM-DD（如 05-15），不能是 02-29")
		}
	}
	if first == nil {
		_, first = s.Fieldwork.SaveSettings(r.Context(), st)
	}
	if first != nil {
		p := &fieldworkPolicyPage{Page: s.page(r, "admin", "fieldwork_policy.title"), Values: values}
		p.FieldPrefixes = []string{"fieldwork_policy.field."}
		return s.formError(w, r, first, &p.Page, "fieldwork_policy", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/fieldwork")
}

// TimePtr points at t (for due and Past, which take a pointer).
func (p *Page) TimePtr(t time.Time) *time.Time { return &t }

// ProjectID is the project made from this contract ("" when none): the
// contract page offers 立项 or links to it.
func (d *contractPageData) ProjectID() string {
	if d.srv == nil || d.srv.Fieldwork == nil || d.req == nil || !d.Can(string(access.WorkRead)) {
		return ""
	}
	rows, err := d.srv.Fieldwork.ListProjects(d.req.Context(), fieldwork.ProjectFilter{ContractID: d.C.ID, Limit: 1})
	if err != nil {
		d.srv.Log.Warn("contract project", "err", err)
		return ""
	}
	if len(rows) == 0 {
		return ""
	}
	return rows[0].ID
}
