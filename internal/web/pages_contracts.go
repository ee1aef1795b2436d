package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/httpx"
	"kefu/internal/tabular"
)

// enums are the coded values the contract pages offer as choices (each
// shown through the catalogue: contract.kind.emc, …).
type enums struct{}

func (enums) Kinds() []string            { return contracts.Kinds }
func (enums) Statuses() []string         { return contracts.Statuses }
func (enums) ServiceTypes() []string     { return contracts.ServiceTypes }
func (enums) Frequencies() []string      { return contracts.Frequencies }
func (enums) EMCCycles() []string        { return contracts.EMCCycles }
func (enums) Methods() []string          { return contracts.PaymentMethods }
func (enums) Channels() []string         { return contracts.Channels }
func (enums) Buckets() []string          { return contracts.Buckets }
func (enums) Outcomes() []string         { return []string{"pending", "renewed", "lost"} }
func (enums) InstallmentKinds() []string { return []string{"regular", "emc_fee"} }

// parseYuan reads an amount typed in yuan ("12,345.60", "¥100") into fen
// without floating point; empty is 0 unless required.
func parseYuan(field, s string, required bool) (int64, error) {
	if strings.TrimSpace(s) == "" {
		if required {
			return 0, apperr.Invalid(field, "不能为空")
		}
		return 0, nil
	}
	fen, err := tabular.ParseMoneyFen(s)
	if err != nil {
		var ce *tabular.CellError
		if errors.As(err, &ce) {
			return 0, apperr.Invalid(field, ce.Reason)
		}
		return 0, apperr.Invalid(field, "金额格式不正确")
	}
	return fen, nil
}

// yuan shows fen as an amount to edit: 1234560 → "12,345.60" (no ¥, so
// it parses back unchanged); 0 → "".
func yuan(fen int64) string {
	if fen == 0 {
		return ""
	}
	return strings.TrimPrefix(Money(fen), "¥")
}

// ---- list ----------------------------------------------------------------

type contractListPage struct {
	Page
	choices
	enums
	Filter   contracts.ListFilter
	Customer string
	Items    []contracts.ContractView
	Next     string
}

func (s *Server) contractList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := contracts.ListFilter{Query: q.Get("q"), Status: q.Get("status"), Kind: q.Get("kind"), OwnerID: q.Get("owner"),
		CustomerID: q.Get("customer"), EndFrom: q.Get("end_from"), EndTo: q.Get("end_to"), After: q.Get("after"), Limit: 50}
	page, err := s.Contracts.ListContracts(r.Context(), f)
	if err != nil {
		return err
	}
	p := contractListPage{Page: s.page(r, "contracts", "contracts.title"), Filter: f, Items: page.Items, Next: page.Next}
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "contracts", "contract-rows", &p)
	}
	if f.CustomerID != "" {
		if c, err := s.Customers.GetCustomer(r.Context(), f.CustomerID); err == nil {
			p.Customer = c.Name
		}
	}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "contracts", "", &p)
}

// ---- one contract --------------------------------------------------------

type contractPageData struct {
	Page
	enums
	C        *contracts.ContractDetail
	Files    []contracts.File
	Comms    []contracts.Communication
	Contacts []customers.Contact
	History  []audit.Entry
	CanWrite bool
	Today    string
	Now      string
	// Open names the action form to show open (after an error in it).
	Open   string
	posted url.Values
	labels *auditLabels
}

// F is the value the user posted in field name (kept after an error).
func (d *contractPageData) F(name string) string { return d.posted.Get(name) }

// Inst names an installment of this contract as 第 2 期（2026-06-30）.
func (d *contractPageData) Inst(id string) string {
	for _, it := range d.C.Installments {
		if it.ID == id {
			return d.T("contract.inst_label", "N", it.Seq, "Due", it.DueOn)
		}
	}
	return id
}

// Changes lists what an audit entry changed, as a person reads it.
func (d *contractPageData) Changes(e audit.Entry) []auditChange { return d.labels.changes(e) }

func (s *Server) contractData(r *http.Request, id string) (*contractPageData, error) {
	ctx := r.Context()
	c, err := s.Contracts.GetContract(ctx, id)
	if err != nil {
		return nil, err
	}
	me := access.From(ctx)
	now := s.Now().In(s.Loc)
	d := &contractPageData{Page: s.page(r, "contracts", "contract.title"), C: c, Today: s.today(), Now: now.Format("2006-01-02T15:04"),
		CanWrite: contracts.CanWrite(me, c.OwnerID), posted: url.Values{}}
	d.Title = d.T("contract.title") + " " + c.Number
	d.FieldPrefixes = []string{"contract.field."}
	if d.Comms, err = s.Contracts.ContractCommunications(ctx, id); err != nil {
		return nil, err
	}
	if d.Files, err = s.Contracts.Files(ctx, "contract", id); err != nil {
		return nil, err
	}
	if d.CanWrite {
		if d.Contacts, err = s.Customers.Contacts(ctx, c.CustomerID); err != nil && !apperr.Is(err, apperr.KindForbidden) {
			return nil, err
		}
	}
	if d.History, err = s.contractHistory(ctx, c); err != nil {
		return nil, err
	}
	names, err := s.Org.Names(ctx)
	if err != nil {
		return nil, err
	}
	names[c.CustomerID] = c.CustomerName
	names[c.ID] = c.Number
	for _, it := range c.Installments {
		names[it.ID] = d.T("contract.inst_label", "N", it.Seq, "Due", it.DueOn)
	}
	d.labels = &auditLabels{p: &d.Page, names: names}
	return d, nil
}

// contractHistory is the audit trail of a contract: its own entries and
// those of its invoices and the payments still on it, newest first.
// (A deleted payment's entries name only the payment, so they do not
// show here; the audit log page has them.)
func (s *Server) contractHistory(ctx context.Context, c *contracts.ContractDetail) ([]audit.Entry, error) {
	db := s.DB.R()
	out, err := audit.List(ctx, db, audit.Filter{Entity: "contract", EntityID: c.ID, Limit: 200})
	if err != nil {
		return nil, err
	}
	more := func(entity, id string) error {
		es, err := audit.List(ctx, db, audit.Filter{Entity: entity, EntityID: id, Limit: 20})
		out = append(out, es...)
		return err
	}
	for _, p := range c.Payments {
		if err := more("payment", p.ID); err != nil {
			return nil, err
		}
	}
	for _, v := range c.Invoices {
		if err := more("invoice", v.ID); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b audit.Entry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

func (s *Server) contractPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.contractData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "contract", "", d)
}

// afterContractAction answers a form on the contract page: back to the
// page with a message, or the page again with the error and the form open
// with what was typed.
func (s *Server) afterContractAction(w http.ResponseWriter, r *http.Request, id, open string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/contracts/"+id)
	}
	k := apperr.KindOf(err)
	if k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	d, derr := s.contractData(r, id)
	if derr != nil {
		return derr
	}
	d.Open, d.posted = open, r.PostForm
	switch open {
	case "invoice":
		d.FieldPrefixes = []string{"invoice.field.", "contract.field."}
	case "payment":
		d.FieldPrefixes = []string{"finance.field.", "contract.field."}
	}
	return s.formError(w, r, err, &d.Page, "contract", d)
}

func (s *Server) contractState(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Contracts.SetState(r.Context(), id, version(r), f("state"), f("terminated_on"), f("reason"))
	return s.afterContractAction(w, r, id, "state-"+f("state"), err)
}

func (s *Server) contractOutcome(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Contracts.SetRenewalOutcome(r.Context(), id, version(r), f("outcome"), f("lost_reason"))
	return s.afterContractAction(w, r, id, "outcome", err)
}

func (s *Server) contractContact(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	in := contracts.CommunicationInput{Channel: f("channel"), Direction: f("direction"), ContactID: f("contact_id"), Summary: f("summary")}
	var err error
	if at := strings.TrimSpace(f("occurred_at")); at != "" {
		t, perr := time.ParseInLocation("2006-01-02T15:04", at, s.Loc)
		if perr != nil {
			err = apperr.Invalid("occurred_at", "时间格式应为 YYYY-MM-DD HH:MM")
		}
		in.OccurredAt = &t
	}
	if err == nil {
		_, err = s.Contracts.LogContractContact(r.Context(), id, f("tag"), in)
	}
	return s.afterContractAction(w, r, id, "contact", err)
}

func (s *Server) contractInvoice(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	amount, err := parseYuan("amount_fen", f("amount"), true)
	if err == nil {
		_, err = s.Contracts.RecordInvoice(r.Context(), contracts.InvoiceInput{InstallmentID: f("installment_id"), Number: f("number"),
			IssuedOn: f("issued_on"), AmountFen: amount, Notes: f("notes")})
	}
	return s.afterContractAction(w, r, id, "invoice", err)
}

func paymentInput(r *http.Request, contractID string) (contracts.PaymentInput, error) {
	f := r.PostFormValue
	amount, err := parseYuan("amount_fen", f("amount"), true)
	return contracts.PaymentInput{ContractID: contractID, InstallmentID: f("installment_id"), ReceivedOn: f("received_on"),
		AmountFen: amount, Method: f("method"), Reference: f("reference"), CreditReason: f("credit_reason"), Notes: f("notes")}, err
}

func (s *Server) contractPayment(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	in, err := paymentInput(r, id)
	if err == nil {
		_, err = s.Contracts.RecordPayment(r.Context(), in)
	}
	return s.afterContractAction(w, r, id, "payment", err)
}

func (s *Server) paymentDelete(w http.ResponseWriter, r *http.Request) error {
	err := s.Contracts.DeletePayment(r.Context(), r.PathValue("id"), r.PostFormValue("reason"))
	back := r.PostFormValue("contract_id")
	if back == "" {
		if err != nil {
			return err
		}
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/finance")
	}
	return s.afterContractAction(w, r, back, "delete-"+r.PathValue("id"), err)
}

// ---- new / edit form -----------------------------------------------------

// contractForm is the contract form as typed: money stays text until it
// parses, so a bad amount shows again as entered.
type contractForm struct {
	Number, CustomerID, Kind, Title      string
	SignedOn, ReceivedOn, StartOn, EndOn string
	Amount                               string
	ScheduleDiffers                      bool
	ScheduleNote, RenewedFrom            string
	EMCFee, EMCCycle, Notes              string
	Activate                             bool
	Scope                                []scopeRow
	Installments                         []installmentRow
}

type scopeRow struct{ EquipmentID, Equipment, ServiceType, Frequency, Times, Notes string }

type installmentRow struct {
	ID, DueOn, Amount, Kind, PeriodFrom, PeriodTo, Notes string
	// PaidFen and InvoicedFen show what already rests on a kept installment.
	PaidFen, InvoicedFen int64
}

func formFromDetail(c *contracts.ContractDetail) contractForm {
	f := contractForm{Number: c.Number, CustomerID: c.CustomerID, Kind: c.Kind, Title: c.Title, SignedOn: deref(c.SignedOn),
		ReceivedOn: deref(c.ReceivedOn), StartOn: c.StartOn, EndOn: c.EndOn, Amount: yuan(c.AmountFen), ScheduleDiffers: c.ScheduleDiffers,
		ScheduleNote: c.ScheduleNote, RenewedFrom: deref(c.RenewedFrom), EMCFee: yuan(c.EMCFeeFen), EMCCycle: c.EMCCycle, Notes: c.Notes}
	for _, it := range c.Scope {
		f.Scope = append(f.Scope, scopeRow{EquipmentID: deref(it.EquipmentID), Equipment: it.Equipment, ServiceType: it.ServiceType,
			Frequency: it.Frequency, Times: strconv.Itoa(it.Times), Notes: it.Notes})
	}
	for _, it := range c.Installments {
		f.Installments = append(f.Installments, installmentRow{ID: it.ID, DueOn: it.DueOn, Amount: yuan(it.AmountFen), Kind: it.Kind,
			PeriodFrom: deref(it.PeriodFrom), PeriodTo: deref(it.PeriodTo), Notes: it.Notes, PaidFen: it.PaidFen, InvoicedFen: it.InvoicedFen})
	}
	return f
}

// formFromRequest reads the posted form; rows left wholly empty (the
// blank row the page offers) are dropped.
func formFromRequest(r *http.Request) contractForm {
	f := r.PostFormValue
	cf := contractForm{Number: f("number"), CustomerID: f("customer_id"), Kind: f("kind"), Title: f("title"), SignedOn: f("signed_on"),
		ReceivedOn: f("received_on"), StartOn: f("start_on"), EndOn: f("end_on"), Amount: f("amount"),
		ScheduleDiffers: f("schedule_differs") == "on", ScheduleNote: f("schedule_note"), RenewedFrom: f("renewed_from"),
		EMCFee: f("emc_fee"), EMCCycle: f("emc_cycle"), Notes: f("notes"), Activate: f("activate") == "on"}
	col := func(name string, i int) string {
		if v := r.PostForm[name]; i < len(v) {
			return strings.TrimSpace(v[i])
		}
		return ""
	}
	for i := range r.PostForm["scope_service_type"] {
		row := scopeRow{EquipmentID: col("scope_equipment_id", i), Equipment: col("scope_equipment", i), ServiceType: col("scope_service_type", i),
			Frequency: col("scope_frequency", i), Times: col("scope_times", i), Notes: col("scope_notes", i)}
		if row.EquipmentID == "" && row.Equipment == "" && row.Notes == "" && row.Times == "" {
			continue
		}
		cf.Scope = append(cf.Scope, row)
	}
	for i := range r.PostForm["inst_due_on"] {
		row := installmentRow{ID: col("inst_id", i), DueOn: col("inst_due_on", i), Amount: col("inst_amount", i), Kind: col("inst_kind", i),
			PeriodFrom: col("inst_period_from", i), PeriodTo: col("inst_period_to", i), Notes: col("inst_notes", i)}
		if row.ID == "" && row.DueOn == "" && row.Amount == "" && row.PeriodFrom == "" && row.PeriodTo == "" && row.Notes == "" {
			continue
		}
		cf.Installments = append(cf.Installments, row)
	}
	return cf
}

// input turns the form into the domain's input; a bad amount or count is
// an Invalid error on the field the domain would name.
func (cf contractForm) input() (contracts.ContractInput, error) {
	in := contracts.ContractInput{Number: cf.Number, CustomerID: cf.CustomerID, Kind: cf.Kind, Title: cf.Title, SignedOn: cf.SignedOn,
		ReceivedOn: cf.ReceivedOn, StartOn: cf.StartOn, EndOn: cf.EndOn, ScheduleDiffers: cf.ScheduleDiffers, ScheduleNote: cf.ScheduleNote,
		RenewedFrom: cf.RenewedFrom, EMCCycle: cf.EMCCycle, Notes: cf.Notes,
		Scope: []contracts.ScopeItemInput{}, Installments: []contracts.InstallmentInput{}}
	var err error
	if in.AmountFen, err = parseYuan("amount_fen", cf.Amount, false); err != nil {
		return in, err
	}
	if in.EMCFeeFen, err = parseYuan("emc_fee_fen", cf.EMCFee, false); err != nil {
		return in, err
	}
	for i, row := range cf.Scope {
		it := contracts.ScopeItemInput{EquipmentID: row.EquipmentID, Equipment: row.Equipment, ServiceType: row.ServiceType,
			Frequency: row.Frequency, Notes: row.Notes}
		if row.Times != "" {
			n, err := strconv.Atoi(row.Times)
			if err != nil {
				return in, apperr.Invalid("scope["+strconv.Itoa(i)+"].times", "须为整数")
			}
			it.Times = n
		}
		in.Scope = append(in.Scope, it)
	}
	for i, row := range cf.Installments {
		fen, err := parseYuan("installments["+strconv.Itoa(i)+"].amount_fen", row.Amount, true)
		if err != nil {
			return in, err
		}
		in.Installments = append(in.Installments, contracts.InstallmentInput{ID: row.ID, DueOn: row.DueOn, AmountFen: fen, Kind: row.Kind,
			PeriodFrom: row.PeriodFrom, PeriodTo: row.PeriodTo, Notes: row.Notes})
	}
	return in, nil
}

type contractFormPage struct {
	Page
	enums
	F         contractForm
	ID        string
	Version   int64
	Customers []customers.CustomerView
	Equipment []customers.Equipment
	// Predecessor is the contract this one renews, when there is one.
	Predecessor *contracts.ContractDetail
	// Renewable are the customer's other contracts this one may renew.
	Renewable []contracts.ContractView
}

// formPage loads what the contract form shows besides the values: the
// customers the viewer may write for, the chosen customer's equipment and
// the contract renewed.
func (s *Server) formPage(r *http.Request, titleID string, cf contractForm) (*contractFormPage, error) {
	ctx := r.Context()
	p := &contractFormPage{Page: s.page(r, "contracts", titleID), F: cf}
	p.FieldPrefixes = []string{"contract.field."}
	var err error
	if p.Customers, err = s.writableCustomers(r, cf.CustomerID); err != nil {
		return nil, err
	}
	if cf.CustomerID != "" {
		eq, err := s.Customers.EquipmentOf(ctx, cf.CustomerID)
		if err != nil && !apperr.Is(err, apperr.KindForbidden) && !apperr.Is(err, apperr.KindNotFound) {
			return nil, err
		}
		p.Equipment = eq
		if page, err := s.Contracts.ListContracts(ctx, contracts.ListFilter{CustomerID: cf.CustomerID, Limit: 200}); err == nil {
			for _, c := range page.Items {
				if c.State != "draft" && c.Number != cf.Number {
					p.Renewable = append(p.Renewable, c)
				}
			}
		}
	}
	if cf.RenewedFrom != "" {
		if pred, err := s.Contracts.GetContract(ctx, cf.RenewedFrom); err == nil {
			p.Predecessor = pred
		}
	}
	return p, nil
}

// Bring at least one blank row so the form offers a line to fill.
func (p *contractFormPage) ScopeRows() []scopeRow {
	if len(p.F.Scope) == 0 {
		return []scopeRow{{}}
	}
	return p.F.Scope
}

func (p *contractFormPage) InstallmentRows() []installmentRow {
	if len(p.F.Installments) == 0 {
		return []installmentRow{{}}
	}
	return p.F.Installments
}

func (s *Server) contractNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cf := contractForm{CustomerID: q.Get("customer_id"), Kind: "maintenance", ReceivedOn: s.today()}
	if from := q.Get("renewed_from"); from != "" {
		pred, err := s.Contracts.GetContract(r.Context(), from)
		if err != nil {
			return err
		}
		cf = renewalForm(pred)
		cf.ReceivedOn = s.today()
	}
	p, err := s.formPage(r, "contract.new", cf)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "contract_form", "", p)
}

// renewalForm prefills the contract that renews pred: same customer,
// kind, title, amount and scope; it starts the day after pred ends and
// runs as many whole months as pred did.
func renewalForm(pred *contracts.ContractDetail) contractForm {
	cf := formFromDetail(pred)
	cf.Number, cf.RenewedFrom, cf.SignedOn, cf.Installments = "", pred.ID, "", nil
	start, err1 := calendar.ParseDate(pred.StartOn)
	end, err2 := calendar.ParseDate(pred.EndOn)
	if err1 != nil || err2 != nil {
		return cf
	}
	next := end.AddDays(1)
	cf.StartOn = next.String()
	t0 := time.Date(start.Year, start.Month, start.Day, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, time.UTC)
	cf.EndOn = t1.Add(t1.Sub(t0)).AddDate(0, 0, -1).Format(time.DateOnly)
	for m := 1; m <= 120; m++ {
		if t0.AddDate(0, m, 0).Equal(t1) {
			cf.EndOn = t1.AddDate(0, m, -1).Format(time.DateOnly)
			break
		}
	}
	return cf
}

func (s *Server) contractCreate(w http.ResponseWriter, r *http.Request) error {
	cf := formFromRequest(r)
	in, err := cf.input()
	var c *contracts.Contract
	if err == nil {
		c, err = s.Contracts.CreateContract(r.Context(), in, cf.Activate)
	}
	if err != nil {
		p, perr := s.formPage(r, "contract.new", cf)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, err, &p.Page, "contract_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/contracts/"+c.ID)
}

func (s *Server) contractEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Contracts.GetContract(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !contracts.CanWrite(access.From(r.Context()), c.OwnerID) {
		return apperr.Forbidden("只能修改自己分管客户的合同")
	}
	p, err := s.formPage(r, "contract.edit", formFromDetail(c))
	if err != nil {
		return err
	}
	p.ID, p.Version = c.ID, c.Version
	return s.render(w, http.StatusOK, "contract_form", "", p)
}

func (s *Server) contractUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cf := formFromRequest(r)
	in, err := cf.input()
	if err == nil {
		_, err = s.Contracts.UpdateContract(r.Context(), id, version(r), in)
	}
	if err != nil {
		k := apperr.KindOf(err)
		if k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		c, gerr := s.Contracts.GetContract(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		// Paid and invoiced amounts of kept installments come from the record.
		for i, row := range cf.Installments {
			for _, it := range c.Installments {
				if row.ID != "" && it.ID == row.ID {
					cf.Installments[i].PaidFen, cf.Installments[i].InvoicedFen = it.PaidFen, it.InvoicedFen
				}
			}
		}
		p, perr := s.formPage(r, "contract.edit", cf)
		if perr != nil {
			return perr
		}
		p.ID, p.Version = id, version(r)
		if apperr.Is(err, apperr.KindConflict) {
			p.Version = c.Version
		}
		return s.formError(w, r, err, &p.Page, "contract_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/contracts/"+id)
}

// ---- renewal desk ----------------------------------------------------------

type renewalsPage struct {
	Page
	choices
	enums
	Filter contracts.RenewalFilter
	Items  []contracts.RenewalItem
}

// renewalFilter reads the renewal desk's filter; a specialist sees their
// own contracts unless they choose an owner.
func renewalFilter(r *http.Request) contracts.RenewalFilter {
	q := r.URL.Query()
	f := contracts.RenewalFilter{OwnerID: q.Get("owner"), Outcome: q.Get("outcome"), Flagged: q.Get("flagged") == "1"}
	if me := access.From(r.Context()); !me.IsManagerial() && me.Has(access.CSSpecialist) && !q.Has("owner") {
		f.OwnerID = me.StaffID
	}
	return f
}

func (s *Server) renewals(w http.ResponseWriter, r *http.Request) error {
	f := renewalFilter(r)
	items, err := s.Contracts.RenewalDesk(r.Context(), f)
	if err != nil {
		return err
	}
	p := renewalsPage{Page: s.page(r, "renewals", "renewals.title"), Filter: f, Items: items}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "renewals", "", &p)
}

// ---- receivables -----------------------------------------------------------

type receivablesPage struct {
	Page
	choices
	enums
	Filter contracts.ReceivableFilter
	R      *contracts.Receivables
}

// receivableFilter reads the receivables' filter; a specialist sees
// their own customers unless they choose an owner.
func receivableFilter(r *http.Request) contracts.ReceivableFilter {
	q := r.URL.Query()
	f := contracts.ReceivableFilter{OwnerID: q.Get("owner"), Bucket: q.Get("bucket"), CustomerID: q.Get("customer"), After: q.Get("after"), Limit: 100}
	if me := access.From(r.Context()); !me.IsManagerial() && me.Has(access.CSSpecialist) && !q.Has("owner") {
		f.OwnerID = me.StaffID
	}
	return f
}

func (s *Server) receivables(w http.ResponseWriter, r *http.Request) error {
	f := receivableFilter(r)
	rec, err := s.Contracts.Receivables(r.Context(), f)
	if err != nil {
		return err
	}
	p := receivablesPage{Page: s.page(r, "receivables", "receivables.title"), Filter: f, R: rec}
	if isHTMX(r) && f.After != "" {
		return s.render(w, http.StatusOK, "receivables", "receivable-rows", &p)
	}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "receivables", "", &p)
}

// ---- finance ---------------------------------------------------------------

type financePage struct {
	Page
	enums
	Today  string
	posted url.Values
	// Open are the open installments of the contract typed in the form.
	Open   []contracts.InstallmentView
	Recent []contracts.PaymentView
	// Import is the payment import (回款导入): its form, and after an
	// upload the dry run or the result.
	Import *contractImport
}

// F is the value posted in field name (kept after an error).
func (p *financePage) F(name string) string { return p.posted.Get(name) }

// resolveContract finds a contract by its number (any case) or id.
func (s *Server) resolveContract(ctx context.Context, ref string) (*contracts.ContractView, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, apperr.Invalid("contract", "请输入合同编号")
	}
	c, err := s.Contracts.ContractByNumber(ctx, ref)
	if err != nil && apperr.Is(err, apperr.KindNotFound) {
		c, err = s.Contracts.GetContract(ctx, ref)
	}
	if err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return nil, apperr.Invalid("contract", "找不到合同 "+ref)
		}
		return nil, err
	}
	return &c.ContractView, nil
}

func (s *Server) financeData(r *http.Request) (*financePage, error) {
	p := &financePage{Page: s.page(r, "finance", "finance.title"), Today: s.today(), posted: url.Values{}, Import: newPaymentImport()}
	p.FieldPrefixes = []string{"finance.field.", "contract.field."}
	var err error
	if p.Recent, err = s.Contracts.RecentPayments(r.Context(), 30); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) financePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.financeData(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "finance", "", p)
}

// financeInstallments answers the form's contract field (htmx): the
// select of that contract's open installments.
func (s *Server) financeInstallments(w http.ResponseWriter, r *http.Request) error {
	p := &financePage{Page: s.page(r, "finance", "finance.title"), posted: url.Values{}}
	if c, err := s.resolveContract(r.Context(), r.URL.Query().Get("contract")); err == nil {
		if d, err := s.Contracts.GetContract(r.Context(), c.ID); err == nil {
			for _, it := range d.Installments {
				if it.OpenFen > 0 {
					p.Open = append(p.Open, it)
				}
			}
		}
	}
	return s.render(w, http.StatusOK, "finance", "installment-select", map[string]any{"P": p, "Open": p.Open})
}

func (s *Server) financePayment(w http.ResponseWriter, r *http.Request) error {
	c, err := s.resolveContract(r.Context(), r.PostFormValue("contract"))
	var in contracts.PaymentInput
	if err == nil {
		in, err = paymentInput(r, c.ID)
	}
	if err == nil {
		_, err = s.Contracts.RecordPayment(r.Context(), in)
	}
	if err != nil {
		k := apperr.KindOf(err)
		if k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		p, perr := s.financeData(r)
		if perr != nil {
			return perr
		}
		p.posted = r.PostForm
		if c != nil {
			if d, gerr := s.Contracts.GetContract(r.Context(), c.ID); gerr == nil {
				for _, it := range d.Installments {
					if it.OpenFen > 0 {
						p.Open = append(p.Open, it)
					}
				}
			}
		}
		return s.formError(w, r, err, &p.Page, "finance", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "finance.recorded", "Number", c.Number))
	return redirect(w, r, "/finance")
}

// ---- policy ----------------------------------------------------------------

type contractPolicyPage struct {
	Page
	P contracts.Policy
}

func (s *Server) contractPolicy(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Contracts.Policy(r.Context())
	if err != nil {
		return err
	}
	p := contractPolicyPage{Page: s.page(r, "admin", "policy.title"), P: pol}
	return s.render(w, http.StatusOK, "contract_policy", "", &p)
}

func (s *Server) contractPolicySave(w http.ResponseWriter, r *http.Request) error {
	n := func(name string) int { v, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name))); return v }
	pol := contracts.Policy{RenewalWindowMonths: n("renewal_window_months"), RenewalContactDays: n("renewal_contact_days"),
		QuoteFollowupWorkingDays: n("quote_followup_working_days"), DueSoonDays: n("due_soon_days")}
	if err := s.Contracts.SavePolicy(r.Context(), pol); err != nil {
		p := contractPolicyPage{Page: s.page(r, "admin", "policy.title"), P: pol}
		p.FieldPrefixes = []string{"policy."}
		return s.formError(w, r, err, &p.Page, "contract_policy", &p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/contract-policy")
}

// Totals of the payment schedule.
func (d *contractPageData) ScheduleTotal() (n int64) {
	for _, it := range d.C.Installments {
		n += it.AmountFen
	}
	return n
}

func (d *contractPageData) PaidTotal() (n int64) {
	for _, it := range d.C.Installments {
		n += it.PaidFen
	}
	return n
}

func (d *contractPageData) InvoicedTotal() (n int64) {
	for _, it := range d.C.Installments {
		n += it.InvoicedFen
	}
	return n
}

func (d *contractPageData) OpenTotal() (n int64) {
	for _, it := range d.C.Installments {
		n += it.OpenFen
	}
	return n
}

// OpenInstallments are those with money still to pay.
func (d *contractPageData) OpenInstallments() []contracts.InstallmentView {
	var out []contracts.InstallmentView
	for _, it := range d.C.Installments {
		if it.OpenFen > 0 {
			out = append(out, it)
		}
	}
	return out
}

// contractFileUpload attaches a file (the scanned contract) to a contract
// or a quote; back to the contract or the need page.
func (s *Server) contractFileUpload(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
		var err error
		file, hdr, ferr := r.FormFile("file")
		switch {
		case ferr != nil && strings.Contains(ferr.Error(), "too large"):
			err = apperr.Invalid("file", "文件超过大小限制")
		case ferr != nil:
			err = apperr.Invalid("file", "请选择文件")
		default:
			defer file.Close()
			_, err = s.Contracts.AttachFile(r.Context(), kind, id, hdr.Filename, r.PostFormValue("category"), file, s.MaxUpload)
			if e, ok := apperr.As(err); ok && e.Kind == apperr.KindTooLarge {
				err = apperr.Invalid("file", e.Message)
			}
		}
		if kind == "contract" {
			return s.afterContractAction(w, r, id, "file", err)
		}
		needID := r.PostFormValue("need_id")
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.KindInvalid {
				return err
			}
			_, d := httpx.Detail(s.Log, r, err)
			s.flash(r.Context(), d.Message)
		} else {
			s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		}
		return redirect(w, r, "/needs/"+url.PathEscape(needID))
	}
}

// contractFileDownload sends a contract or quote attachment.
func (s *Server) contractFileDownload(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.Contracts.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return httpx.ServeAttachment(w, f.Name, f.ContentType, f.Size, rc)
}
