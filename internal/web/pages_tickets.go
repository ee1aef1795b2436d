package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/tickets"
)

// 工单: the ticket list, registration (登记) with the fields of each type,
// the ticket page with its lifecycle, escalation, linked communication
// records, the complaint (三不放过) and its callbacks, and the printable
// corrective and preventive action report of a complaint.

// The coded values of the ticket pages, each shown through the catalogue
// (ticket.type.repair, ticket.status.new, complaint.nature.attitude, …).
func (enums) TicketTypes() []string    { return tickets.Types }
func (enums) TicketStatuses() []string { return tickets.Statuses }
func (enums) TicketChannels() []string { return tickets.Channels }
func (enums) Urgencies() []string      { return ticketUrgencies }
func (enums) Natures() []string        { return tickets.Natures }
func (enums) Severities() []string     { return tickets.Severities }
func (enums) Judgements() []string     { return tickets.Judgements }

// Satisfactions are the customer's satisfaction scores, 5 the best.
func (enums) Satisfactions() []int { return []int{5, 4, 3, 2, 1} }

var ticketUrgencies = []string{"urgent", "normal"}

// ticketFieldGroups are the registration fields (登记要素) the form shows
// beyond the common ones, with the types that ask for them.
var ticketFieldGroups = map[string][]string{
	"repair_object": {tickets.TypeRepair}, "model_spec": {tickets.TypeRepair}, "appointment_at": {tickets.TypeRepair},
	"special_needs": {tickets.TypeRepair}, "incident_who": {tickets.TypeComplaint}, "incident_what": {tickets.TypeComplaint},
	"incident_when": {tickets.TypeComplaint}, "cause": {tickets.TypeComplaint, tickets.TypeHelp}, "demand": {tickets.TypeComplaint},
}

// Shows reports whether the form shows registration field f for type typ.
func (enums) Shows(typ, f string) bool { return slices.Contains(ticketFieldGroups[f], typ) }

// Required reports whether field f is a registration field of type typ
// (the form marks it; the ticket is saved without it as 登记不全).
func (enums) Required(typ, f string) bool { return slices.Contains(tickets.RequiredFields(typ), f) }

// Missing lists missing registration fields as a person reads them.
func (p *Page) Missing(fields []string) string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = p.fieldLabel(f)
	}
	return strings.Join(out, "、")
}

// Late reports whether the promised deadline of an open ticket has passed.
func (p *Page) Late(at *time.Time, status string) bool {
	return at != nil && ticketOpen(status) && p.srv.Now().After(*at)
}

// Past reports whether t has passed.
func (p *Page) Past(t *time.Time) bool { return t != nil && p.srv.Now().After(*t) }

func ticketOpen(status string) bool {
	return status != tickets.StatusResolved && status != tickets.StatusCallbackDone && status != tickets.StatusClosed
}

// localTime shows t as a datetime-local value in the company's zone.
func (s *Server) localTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(s.Loc).Format("2006-01-02T15:04:05")
}

// ---- list --------------------------------------------------------------------

type ticketFilter struct {
	Status, Type, Customer, Staff, Query, From, To string
	Open, Incomplete                               bool
	Offset                                         int
}

type ticketListPage struct {
	Page
	choices
	enums
	Filter    ticketFilter
	Items     []tickets.View
	Next      int
	Customers []customers.CustomerView
}

// ExportQuery is the filter as a query string, for the export.
func (p *ticketListPage) ExportQuery() string {
	v, _ := url.ParseQuery(p.Query(0))
	v.Del("offset")
	return v.Encode()
}

// Query is the filter as a query string with offset, for the "more" button.
func (p *ticketListPage) Query(offset int) string {
	f := p.Filter
	v := url.Values{}
	for k, x := range map[string]string{"status": f.Status, "type": f.Type, "customer": f.Customer, "staff": f.Staff,
		"q": f.Query, "from": f.From, "to": f.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if f.Open {
		v.Set("open", "1")
	}
	if f.Incomplete {
		v.Set("incomplete", "1")
	}
	v.Set("offset", strconv.Itoa(offset))
	return v.Encode()
}

const ticketPageSize = 50

// ticketFilterOf reads the list's filter from a query.
func ticketFilterOf(q url.Values) ticketFilter {
	tf := ticketFilter{Status: q.Get("status"), Type: q.Get("type"), Customer: q.Get("customer"), Staff: q.Get("staff"),
		Query: q.Get("q"), From: q.Get("from"), To: q.Get("to"), Open: q.Get("open") == "1", Incomplete: q.Get("incomplete") == "1"}
	tf.Offset, _ = strconv.Atoi(q.Get("offset"))
	return tf
}

// ticketDomainFilter turns the typed filter into the domain's (a page of
// the list from its offset).
func (s *Server) ticketDomainFilter(tf ticketFilter) (tickets.Filter, error) {
	f := tickets.Filter{Status: tf.Status, Type: tf.Type, CustomerID: tf.Customer, StaffID: tf.Staff, Open: tf.Open,
		Incomplete: tf.Incomplete, Query: tf.Query, Limit: ticketPageSize + 1, Offset: max(tf.Offset, 0)}
	// The dates are whole days in the company's zone; to is inclusive.
	cf, err := s.domainFilter(commFilter{From: tf.From, To: tf.To})
	if err != nil {
		return f, err
	}
	f.From, f.To = cf.From, cf.To
	return f, nil
}

func (s *Server) ticketList(w http.ResponseWriter, r *http.Request) error {
	tf := ticketFilterOf(r.URL.Query())
	f, err := s.ticketDomainFilter(tf)
	if err != nil {
		return err
	}
	items, err := s.Tickets.List(r.Context(), f)
	if err != nil {
		return err
	}
	p := &ticketListPage{Page: s.page(r, "tickets", "tickets.title"), Filter: tf, Items: items}
	p.FieldPrefixes = []string{"ticket.field."}
	if len(items) > ticketPageSize {
		p.Items, p.Next = items[:ticketPageSize], f.Offset+ticketPageSize
	}
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "tickets", "ticket-rows", p)
	}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	if p.Customers, err = s.readableCustomers(r, tf.Customer); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "tickets", "", p)
}

// ---- new / edit ------------------------------------------------------------------

type ticketFormPage struct {
	Page
	enums
	In tickets.TicketInput
	// CommunicationID is the record a ticket is registered from (转工单):
	// linked to the new ticket once it is saved.
	CommunicationID string
	ID              string
	Version         int64
	Number          string
	Customers       []customers.CustomerView
	Contacts        []customers.Contact
	Staff           []org.Staff
	Now             string
}

// ticketInput reads the ticket form (a post, or the query when the form
// is reloaded for another type or customer).
func ticketInput(v url.Values) tickets.TicketInput {
	f := v.Get
	return tickets.TicketInput{CustomerID: f("customer_id"), ContactID: f("contact_id"), Caller: f("caller"), Type: f("type"),
		Channel: f("channel"), ReceivedAt: f("received_at"), FirstOwnerID: f("first_owner_id"), AssigneeID: f("assignee_id"),
		Urgency: f("urgency"), Description: f("description"), PromisedAt: f("promised_at"), Address: f("address"),
		RepairObject: f("repair_object"), ModelSpec: f("model_spec"), AppointmentAt: f("appointment_at"),
		SpecialNeeds: f("special_needs"), Cause: f("cause"), IncidentWho: f("incident_who"), IncidentWhat: f("incident_what"),
		IncidentWhen: f("incident_when"), Demand: f("demand")}
}

func (s *Server) ticketForm(r *http.Request, titleID string, in tickets.TicketInput) (*ticketFormPage, error) {
	ctx := r.Context()
	p := &ticketFormPage{Page: s.page(r, "tickets", titleID), In: in, Now: s.nowSecond()}
	p.FieldPrefixes = []string{"ticket.field."}
	var err error
	if p.Customers, err = s.readableCustomers(r, in.CustomerID); err != nil {
		return nil, err
	}
	if in.CustomerID != "" {
		p.Contacts, err = s.Customers.Contacts(ctx, in.CustomerID)
		if err != nil && !apperr.Is(err, apperr.KindNotFound) && !apperr.Is(err, apperr.KindForbidden) {
			return nil, err
		}
	}
	yes := true
	if p.Staff, err = s.Org.ListStaff(ctx, org.StaffFilter{Active: &yes}); err != nil {
		return nil, err
	}
	return p, nil
}

// ticketNew shows the registration form: from the customer page
// (?customer_id=), from a communication record (转工单,
// ?communication_id=, its customer, channel, time and summary taken
// over), or reloaded (htmx) when the type or the customer changes.
func (s *Server) ticketNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := ticketInput(q)
	commID := q.Get("communication_id")
	if commID != "" && !q.Has("type") {
		rec, err := s.Comms.Get(r.Context(), commID)
		if err != nil {
			return err
		}
		in.CustomerID, in.ContactID, in.Description = deref(rec.CustomerID), deref(rec.ContactID), rec.Summary
		in.ReceivedAt = s.localTime(&rec.OccurredAt)
		if slices.Contains(tickets.Channels, rec.Channel) {
			in.Channel = rec.Channel
		}
		if rec.CustomerID == nil {
			in.Caller = rec.Counterpart
		}
	}
	if in.Type == "" {
		in.Type = tickets.TypeRepair
	}
	if in.Channel == "" {
		in.Channel = "phone_in"
	}
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
	if in.ReceivedAt == "" {
		in.ReceivedAt = s.nowSecond()
	}
	p, err := s.ticketForm(r, "ticket.new", in)
	if err != nil {
		return err
	}
	p.CommunicationID = commID
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "ticket_form", "ticket-form", p)
	}
	return s.render(w, http.StatusOK, "ticket_form", "", p)
}

func (s *Server) ticketCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in := ticketInput(postForm(r))
	commID := strings.TrimSpace(r.PostFormValue("communication_id"))
	t, err := s.Tickets.CreateTicket(ctx, in)
	if err != nil {
		p, perr := s.ticketForm(r, "ticket.new", in)
		if perr != nil {
			return perr
		}
		p.CommunicationID = commID
		return s.formError(w, r, err, &p.Page, "ticket_form", p)
	}
	msg := s.cat.translate(s.lang(r), "ticket.created", "Number", t.Number)
	if commID != "" {
		// The ticket stands; a record that cannot be linked is said so.
		if lerr := s.Tickets.LinkCommunication(ctx, t.ID, commID); lerr != nil {
			if k := apperr.KindOf(lerr); k != apperr.KindInvalid && k != apperr.KindConflict && k != apperr.KindForbidden {
				return lerr
			}
			msg = "✗ " + msg + "；" + s.cat.translate(s.lang(r), "ticket.link_failed") + errMessage(lerr)
		}
	}
	s.flash(ctx, msg)
	return redirect(w, r, "/tickets/"+t.ID)
}

// postForm is the posted form (parsed on first use; a body that does not
// parse reads as an empty form, which the domain refuses field by field).
func postForm(r *http.Request) url.Values {
	_ = r.ParseForm()
	return r.PostForm
}

// errMessage is the message of a domain error as a person reads it.
func errMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return err.Error()
}

// formFromTicket is the registration of a stored ticket as the form shows it.
func (s *Server) formFromTicket(t *tickets.Ticket) tickets.TicketInput {
	return tickets.TicketInput{CustomerID: deref(t.CustomerID), ContactID: deref(t.ContactID), Caller: t.Caller, Type: t.Type,
		Channel: t.Channel, ReceivedAt: s.localTime(&t.ReceivedAt), FirstOwnerID: t.FirstOwnerID, AssigneeID: deref(t.AssigneeID),
		Urgency: t.Urgency, Description: t.Description, PromisedAt: s.localTime(t.PromisedAt), Address: t.Address,
		RepairObject: t.RepairObject, ModelSpec: t.ModelSpec, AppointmentAt: s.localTime(t.AppointmentAt),
		SpecialNeeds: t.SpecialNeeds, Cause: t.Cause, IncidentWho: t.IncidentWho, IncidentWhat: t.IncidentWhat,
		IncidentWhen: t.IncidentWhen, Demand: t.Demand}
}

func (s *Server) ticketEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Tickets.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !d.CanWork {
		return apperr.Forbidden("只能处理自己分管客户的工单，或自己首问、被指派的工单")
	}
	in := s.formFromTicket(&d.Ticket)
	if q := r.URL.Query(); q.Has("type") { // reloaded for another type or customer
		in = ticketInput(q)
	}
	p, err := s.ticketForm(r, "ticket.edit", in)
	if err != nil {
		return err
	}
	p.ID, p.Version, p.Number = d.ID, d.Version, d.Number
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "ticket_form", "ticket-form", p)
	}
	return s.render(w, http.StatusOK, "ticket_form", "", p)
}

func (s *Server) ticketUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	in := ticketInput(postForm(r))
	_, err := s.Tickets.UpdateTicket(r.Context(), id, version(r), in)
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/tickets/"+id)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	d, gerr := s.Tickets.Get(r.Context(), id)
	if gerr != nil {
		return gerr
	}
	p, perr := s.ticketForm(r, "ticket.edit", in)
	if perr != nil {
		return perr
	}
	p.ID, p.Version, p.Number = id, version(r), d.Number
	if apperr.Is(err, apperr.KindConflict) {
		p.Version = d.Version
	}
	return s.formError(w, r, err, &p.Page, "ticket_form", p)
}

// ---- one ticket --------------------------------------------------------------------

type ticketPageData struct {
	Page
	enums
	Tk     *tickets.Detail
	Events []tickets.Event
	// Linkable are the customer's recent records not linked to a ticket.
	Linkable []comms.View
	Staff    []org.Staff
	Now      string
	// Open names the action form to show open (after an error in it).
	Open   string
	posted url.Values
	names  map[string]string
}

// F is the value the user posted in field name (kept after an error).
func (d *ticketPageData) F(name string) string { return d.posted.Get(name) }

// Posted reports whether the page shows a form posted back with an error.
func (d *ticketPageData) Posted() bool { return len(d.posted) > 0 }

// Name shows a staff member by name ("—" for none).
func (d *ticketPageData) Name(id *string) string {
	if id == nil || *id == "" {
		return "—"
	}
	if n, ok := d.names[*id]; ok {
		return n
	}
	return "—"
}

// CloseMissing lists what the complaint lacks before it may be closed.
func (d *ticketPageData) CloseMissing() []string {
	if d.Tk.Complaint == nil {
		return nil
	}
	return tickets.CloseMissing(d.Tk.Complaint)
}

// Reopens reports whether moving to state to reopens the ticket.
func (d *ticketPageData) Reopens(to string) bool { return tickets.IsReopen(d.Tk.Status, to) }

// Moves are the allowed next states that are a plain move (not the
// callback, not a reopen).
func (d *ticketPageData) Moves() []string {
	var out []string
	for _, to := range d.Tk.AllowedNext {
		if to != tickets.StatusCallbackDone && !tickets.IsReopen(d.Tk.Status, to) {
			out = append(out, to)
		}
	}
	return out
}

// CanReopen reports whether the ticket may be reopened now.
func (d *ticketPageData) CanReopen() bool {
	return slices.ContainsFunc(d.Tk.AllowedNext, func(to string) bool { return tickets.IsReopen(d.Tk.Status, to) })
}

// AwaitsCallback reports whether callback_done is a next state (reached by
// recording the callback).
func (d *ticketPageData) AwaitsCallback() bool {
	return slices.Contains(d.Tk.AllowedNext, tickets.StatusCallbackDone)
}

// NextLevel is the escalation level after the current one ("" at the top).
func (d *ticketPageData) NextLevel() string {
	i := slices.Index(tickets.Levels, d.Tk.EscalationLevel)
	if i+1 < len(tickets.Levels) {
		return tickets.Levels[i+1]
	}
	return ""
}

// IsOpen reports whether the ticket is still being worked.
func (d *ticketPageData) IsOpen() bool { return ticketOpen(d.Tk.Status) }

// Major reports whether the complaint is major (重大投诉).
func (d *ticketPageData) Major() bool {
	return d.Tk.Complaint != nil && d.Tk.Complaint.Severity == "major"
}

// Manager reports whether the viewer acts for the department.
func (d *ticketPageData) Manager() bool { return d.User.IsManagerial() }

// Sat shows a satisfaction score.
func (d *ticketPageData) Sat(n *int) string {
	if n == nil {
		return "—"
	}
	return strconv.Itoa(*n)
}

func (s *Server) ticketData(r *http.Request, id string) (*ticketPageData, error) {
	ctx := r.Context()
	t, err := s.Tickets.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &ticketPageData{Page: s.page(r, "tickets", "ticket.title"), Tk: t, Now: s.nowSecond(), posted: url.Values{}}
	d.Title = d.T("ticket.title") + " " + t.Number
	d.FieldPrefixes = []string{"ticket.field.", "complaint.field.", "callback.field.", "comm.field."}
	if d.Events, err = s.Tickets.Events(ctx, id); err != nil {
		return nil, err
	}
	if d.names, err = s.Org.Names(ctx); err != nil {
		return nil, err
	}
	if t.CanWork {
		yes := true
		if d.Staff, err = s.Org.ListStaff(ctx, org.StaffFilter{Active: &yes}); err != nil {
			return nil, err
		}
		if t.CustomerID != nil {
			page, err := s.Comms.List(ctx, comms.Filter{CustomerID: *t.CustomerID, Limit: 50})
			if err != nil && !apperr.Is(err, apperr.KindForbidden) {
				return nil, err
			}
			if page != nil {
				for _, c := range page.Items {
					if c.TicketID == nil {
						d.Linkable = append(d.Linkable, c)
					}
				}
			}
		}
	}
	return d, nil
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.ticketData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "ticket", "", d)
}

// afterTicketAction answers a form on the ticket page: back to the page
// with a message, or the page again with the error and the form open with
// what was typed.
func (s *Server) afterTicketAction(w http.ResponseWriter, r *http.Request, id, open string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/tickets/"+id)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	d, derr := s.ticketData(r, id)
	if derr != nil {
		return derr
	}
	d.Open, d.posted = open, r.PostForm
	return s.formError(w, r, err, &d.Page, "ticket", d)
}

func (s *Server) ticketTransition(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Tickets.Transition(r.Context(), id, version(r), tickets.TransitionInput{To: f("to"), Note: f("note"), At: f("at")})
	return s.afterTicketAction(w, r, id, "transition", err)
}

func (s *Server) ticketReopen(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Tickets.Reopen(r.Context(), id, version(r), f("reason"), f("at"))
	return s.afterTicketAction(w, r, id, "reopen", err)
}

func (s *Server) ticketPause(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Tickets.Pause(r.Context(), id, version(r), r.PostFormValue("reason"))
	return s.afterTicketAction(w, r, id, "pause", err)
}

func (s *Server) ticketResume(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Tickets.Resume(r.Context(), id, version(r))
	return s.afterTicketAction(w, r, id, "pause", err)
}

func (s *Server) ticketEscalate(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Tickets.Escalate(r.Context(), id, version(r), tickets.EscalationInput{ToLevel: f("to_level"),
		ToStaffID: f("to_staff_id"), ToText: f("to_text"), Note: f("note")})
	return s.afterTicketAction(w, r, id, "escalate", err)
}

func (s *Server) ticketLink(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	ref := strings.TrimSpace(r.PostFormValue("communication_id"))
	var err error
	if ref == "" {
		err = apperr.Invalid("communication_id", "请选择沟通记录")
	} else {
		err = s.Tickets.LinkCommunication(r.Context(), id, ref)
	}
	return s.afterTicketAction(w, r, id, "link", err)
}

func (s *Server) ticketUnlink(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := s.Tickets.UnlinkCommunication(r.Context(), id, r.PathValue("comm"))
	return s.afterTicketAction(w, r, id, "link", err)
}

func (s *Server) ticketComplaint(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Tickets.SaveComplaint(r.Context(), id, version(r), tickets.ComplaintInput{Nature: f("nature"),
		AgainstStaffID: f("against_staff_id"), AgainstText: f("against_text"), Severity: f("severity"), Justified: f("justified"),
		Reason: f("reason"), RootCause: f("root_cause"), Responsibility: f("responsibility"),
		CorrectiveAction: f("corrective_action"), PreventiveAction: f("preventive_action")})
	return s.afterTicketAction(w, r, id, "complaint", err)
}

func (s *Server) ticketReply(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Tickets.ReplyMajor(r.Context(), id, version(r), tickets.ReplyInput{Note: r.PostFormValue("note"), At: r.PostFormValue("at")})
	return s.afterTicketAction(w, r, id, "reply", err)
}

// ---- 纠正与预防措施报告 ----------------------------------------------------------

// ticketCAPA is the printable corrective and preventive action report of
// a complaint, from what its ticket stores.
func (s *Server) ticketCAPA(w http.ResponseWriter, r *http.Request) error {
	d, err := s.ticketData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if d.Tk.Complaint == nil {
		return apperr.NotFound("complaint")
	}
	d.Title, d.HideHeader = d.T("capa.title")+" "+d.Tk.Number, true
	return s.render(w, http.StatusOK, "ticket_capa", "", d)
}
