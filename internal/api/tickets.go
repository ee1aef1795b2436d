package api

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/tickets"
)

// Tickets (工单, SPEC §5.2): registration, the lifecycle, escalation,
// linked communication records, complaints, callbacks (回访) with their
// rate and the manager's quarterly re-call sample. Who may work which
// ticket — a specialist the tickets of the customers they own and those
// they are first-contact owner or assignee of — is checked by the
// tickets domain; the route table checks the role.

// ticketDetail is a ticket with its history and the appraisal events
// that cite it (a justified attitude complaint, withdrawn or in force).
type ticketDetail struct {
	tickets.Detail
	Events []tickets.Event `json:"events"`
}

func (s *Server) ticketDetail(r *http.Request, id string) (*ticketDetail, error) {
	d, err := s.Tickets.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	evs, err := s.Tickets.Events(r.Context(), id)
	if err != nil {
		return nil, err
	}
	// Lists are [] when empty, as the document describes them.
	if d.Transitions == nil {
		d.Transitions = []tickets.Transition{}
	}
	if d.Escalations == nil {
		d.Escalations = []tickets.Escalation{}
	}
	if d.Callbacks == nil {
		d.Callbacks = []tickets.Callback{}
	}
	if d.AllowedNext == nil {
		d.AllowedNext = []string{}
	}
	return &ticketDetail{Detail: *d, Events: evs}, nil
}

// answerTicket answers a change of ticket id with the ticket as it is now.
func (s *Server) answerTicket(w http.ResponseWriter, r *http.Request, id string) error {
	d, err := s.ticketDetail(r, id)
	if err != nil {
		return err
	}
	return ok(w, d)
}

// ticketFilter reads the list's filters from the query.
func (s *Server) ticketFilter(r *http.Request) (tickets.Filter, error) {
	q := r.URL.Query()
	status, err := queryEnum(r, "status", tickets.Statuses...)
	if err != nil {
		return tickets.Filter{}, err
	}
	typ, err := queryEnum(r, "type", tickets.Types...)
	if err != nil {
		return tickets.Filter{}, err
	}
	open, err := queryBool(r, "open")
	if err != nil {
		return tickets.Filter{}, err
	}
	incomplete, err := queryBool(r, "incomplete")
	if err != nil {
		return tickets.Filter{}, err
	}
	f := tickets.Filter{Status: status, Type: typ, CustomerID: q.Get("customer_id"), StaffID: q.Get("staff_id"),
		Open: open != nil && *open, Incomplete: incomplete != nil && *incomplete, Query: q.Get("q")}
	if f.From, err = s.auditTime(r, "from"); err != nil {
		return f, err
	}
	if f.To, err = s.auditTime(r, "to"); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) exportTickets(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ticketFilter(r)
	if err != nil {
		return err
	}
	sh, err := s.Tickets.TicketsSheet(r.Context(), f)
	if err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("tickets-%s.xlsx", s.today().Format("2006-01-02")), sh.Headers, sh.Rows)
}

func (s *Server) satisfaction(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.Tickets.SatisfactionMonth(r.Context(), s.monthParam(r))
	if err != nil {
		return err
	}
	return ok(w, sum)
}

func (s *Server) exportSatisfaction(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.Tickets.SatisfactionMonth(r.Context(), s.monthParam(r))
	if err != nil {
		return err
	}
	sh := tickets.SatisfactionSheet(sum)
	return writeXLSX(w, fmt.Sprintf("satisfaction-%s.xlsx", sum.Month), sh.Headers, sh.Rows)
}

// monthParam is ?month=, or the current month.
func (s *Server) monthParam(r *http.Request) string {
	if v := strings.TrimSpace(r.URL.Query().Get("month")); v != "" {
		return v
	}
	return s.today().Format("2006-01")
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ticketFilter(r)
	if err != nil {
		return err
	}
	if f.Limit, err = queryInt(r, "limit", 100, 1, 500); err != nil {
		return err
	}
	if f.Offset, err = queryInt(r, "offset", 0, 0, 1_000_000); err != nil {
		return err
	}
	ts, err := s.Tickets.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, items(ts))
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var in tickets.TicketInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.Tickets.CreateTicket(r.Context(), in)
	if err != nil {
		return err
	}
	d, err := s.ticketDetail(r, t.ID)
	if err != nil {
		return err
	}
	return created(w, d)
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	return s.answerTicket(w, r, r.PathValue("id"))
}

// ticketUpdate replaces a ticket's registration; fields left out keep
// the values read.
type ticketUpdate struct {
	Version *int64 `json:"version"`
	tickets.TicketInput
}

// timeText writes a stored time back as input: RFC 3339 in the company's
// zone ("" for none).
func (s *Server) timeText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(s.Loc).Format(time.RFC3339Nano)
}

// ticketInputOf is the input that leaves ticket d as it is.
func (s *Server) ticketInputOf(d *tickets.Detail) tickets.TicketInput {
	return tickets.TicketInput{CustomerID: deref(d.CustomerID), ContactID: deref(d.ContactID), Caller: d.Caller, Type: d.Type,
		Channel: d.Channel, ReceivedAt: s.timeText(&d.ReceivedAt), FirstOwnerID: d.FirstOwnerID, AssigneeID: deref(d.AssigneeID),
		Urgency: d.Urgency, Description: d.Description, PromisedAt: s.timeText(d.PromisedAt), Address: d.Address,
		RepairObject: d.RepairObject, ModelSpec: d.ModelSpec, AppointmentAt: s.timeText(d.AppointmentAt), SpecialNeeds: d.SpecialNeeds,
		Cause: d.Cause, IncidentWho: d.IncidentWho, IncidentWhat: d.IncidentWhat, IncidentWhen: d.IncidentWhen, Demand: d.Demand}
}

func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Tickets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	in := ticketUpdate{TicketInput: s.ticketInputOf(cur)}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if _, err := s.Tickets.UpdateTicket(r.Context(), id, v, in.TicketInput); err != nil {
		return err
	}
	return s.answerTicket(w, r, id)
}

// transitionInput moves a ticket to another status.
type transitionInput struct {
	Version *int64 `json:"version"`
	tickets.TransitionInput
}

func (s *Server) transitionTicket(w http.ResponseWriter, r *http.Request) error {
	var in transitionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.To) == "" {
		return required("to")
	}
	if _, err := s.Tickets.Transition(r.Context(), r.PathValue("id"), v, in.TransitionInput); err != nil {
		return err
	}
	return s.answerTicket(w, r, r.PathValue("id"))
}

// reopenInput reopens a resolved, called-back or closed ticket.
type reopenInput struct {
	Version *int64 `json:"version"`
	Reason  string `json:"reason"`
	At      string `json:"at"`
}

// reopenable are the states a ticket is reopened from.
var reopenable = []string{tickets.StatusResolved, tickets.StatusCallbackDone, tickets.StatusClosed}

func (s *Server) reopenTicket(w http.ResponseWriter, r *http.Request) error {
	var in reopenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	// tickets.Reopen is a transition to in_progress, which a dispatched
	// ticket may also take without being reopened: refuse an open ticket
	// here. At the version read the status is the one the domain will
	// lock; at another version the domain answers 409 anyway.
	cur, err := s.Tickets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if cur.Version == v && !slices.Contains(reopenable, cur.Status) {
		return apperr.Invalid("status", "只有已解决、已回访或已关闭的工单可以重新打开；当前状态为 "+cur.Status+
			" (only resolved, called-back or closed tickets are reopened)")
	}
	_, err = s.Tickets.Reopen(r.Context(), id, v, in.Reason, in.At)
	// The domain names the transition's note; the body calls it reason.
	if e, isErr := apperr.As(err); isErr && e.Field == "note" {
		return &apperr.Error{Kind: e.Kind, Field: "reason", Message: e.Message, Err: e.Err}
	}
	if err != nil {
		return err
	}
	return s.answerTicket(w, r, id)
}

// pauseInput pauses a ticket while waiting on the customer (等待客户).
type pauseInput struct {
	Version *int64 `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) pauseTicket(w http.ResponseWriter, r *http.Request) error {
	var in pauseInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.Tickets.Pause(r.Context(), id, v, in.Reason); err != nil {
		return err
	}
	return s.answerTicket(w, r, id)
}

// versionInput names the version a change was made at.
type versionInput struct {
	Version *int64 `json:"version"`
}

func (s *Server) resumeTicket(w http.ResponseWriter, r *http.Request) error {
	var in versionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.Tickets.Resume(r.Context(), id, v); err != nil {
		return err
	}
	return s.answerTicket(w, r, id)
}

// escalationInput escalates a ticket one level up the path.
type escalationInput struct {
	Version *int64 `json:"version"`
	tickets.EscalationInput
}

func (s *Server) escalateTicket(w http.ResponseWriter, r *http.Request) error {
	var in escalationInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if err := bodyEnum("to_level", in.ToLevel, tickets.Levels[1:]...); err != nil {
		return err
	}
	if _, err := s.Tickets.Escalate(r.Context(), r.PathValue("id"), v, in.EscalationInput); err != nil {
		return err
	}
	return s.answerTicket(w, r, r.PathValue("id"))
}

// ticketLink links a communication record to a ticket.
type ticketLink struct {
	CommunicationID string `json:"communication_id"`
}

func (s *Server) linkTicketCommunication(w http.ResponseWriter, r *http.Request) error {
	var in ticketLink
	if err := decode(w, r, &in); err != nil {
		return err
	}
	in.CommunicationID = strings.TrimSpace(in.CommunicationID)
	if in.CommunicationID == "" {
		return required("communication_id")
	}
	if err := s.Tickets.LinkCommunication(r.Context(), r.PathValue("id"), in.CommunicationID); err != nil {
		return err
	}
	return s.answerTicket(w, r, r.PathValue("id"))
}

func (s *Server) unlinkTicketCommunication(w http.ResponseWriter, r *http.Request) error {
	if err := s.Tickets.UnlinkCommunication(r.Context(), r.PathValue("id"), r.PathValue("comm")); err != nil {
		return err
	}
	return noContent(w)
}

// complaintUpdate replaces the complaint part of a complaint ticket;
// fields left out keep the values read (reason is never stored).
type complaintUpdate struct {
	Version *int64 `json:"version"`
	tickets.ComplaintInput
}

func (s *Server) saveComplaint(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Tickets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	in := complaintUpdate{}
	if c := cur.Complaint; c != nil {
		in.ComplaintInput = tickets.ComplaintInput{Nature: c.Nature, AgainstStaffID: deref(c.AgainstStaffID), AgainstText: c.AgainstText,
			Severity: c.Severity, Justified: c.Justified, RootCause: c.RootCause, Responsibility: c.Responsibility,
			CorrectiveAction: c.CorrectiveAction, PreventiveAction: c.PreventiveAction}
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if _, err := s.Tickets.SaveComplaint(r.Context(), id, v, in.ComplaintInput); err != nil {
		return err
	}
	return s.answerTicket(w, r, id)
}

// complaintReply is the manager's reply to a major complaint.
type complaintReply struct {
	Version *int64 `json:"version"`
	tickets.ReplyInput
}

func (s *Server) replyComplaint(w http.ResponseWriter, r *http.Request) error {
	var in complaintReply
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if _, err := s.Tickets.ReplyMajor(r.Context(), r.PathValue("id"), v, in.ReplyInput); err != nil {
		return err
	}
	return s.answerTicket(w, r, r.PathValue("id"))
}

// thisQuarter is the company's current quarter.
func (s *Server) thisQuarter() string {
	return tickets.QuarterOf(calendar.DateOf(s.Now(), s.Loc)).String()
}

func (s *Server) complaintAnalysis(w http.ResponseWriter, r *http.Request) error {
	quarter := strings.TrimSpace(r.URL.Query().Get("quarter"))
	if quarter == "" {
		quarter = s.thisQuarter()
	}
	a, err := s.Tickets.ComplaintAnalysis(r.Context(), quarter)
	if err != nil {
		return err
	}
	return ok(w, a)
}

// Callbacks (回访).

func (s *Server) listCallbacks(w http.ResponseWriter, r *http.Request) error {
	open, err := queryBool(r, "open")
	if err != nil {
		return err
	}
	f := tickets.CallbackFilter{StaffID: r.URL.Query().Get("staff_id"), Open: open != nil && *open}
	if v := strings.TrimSpace(r.URL.Query().Get("due_to")); v != "" {
		if d, err := time.ParseInLocation(time.DateOnly, v, s.Loc); err == nil {
			// A callback is due by the end of its last day: its due_at is
			// the next midnight. The domain lists due_at < due_to at
			// microsecond precision, so the day's own deadline is in.
			f.DueTo = d.AddDate(0, 0, 1).Add(time.Microsecond)
		} else if f.DueTo, err = time.Parse(time.RFC3339, v); err != nil {
			return apperr.Invalid("due_to", "须为日期 YYYY-MM-DD 或 RFC 3339 时间 (a date or an RFC 3339 time)")
		}
	}
	if f.Limit, err = queryInt(r, "limit", 100, 1, 500); err != nil {
		return err
	}
	cbs, err := s.Tickets.Callbacks(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, items(cbs))
}

// callbackRecord records a due callback as done.
type callbackRecord struct {
	Version *int64 `json:"version"`
	tickets.CallbackInput
}

func (s *Server) recordCallback(w http.ResponseWriter, r *http.Request) error {
	var in callbackRecord
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	cb, err := s.Tickets.RecordCallback(r.Context(), r.PathValue("id"), v, in.CallbackInput)
	if err != nil {
		return err
	}
	return ok(w, cb)
}

// callbackRates is every charged staff member's callback rate of a month.
type callbackRates struct {
	Month string         `json:"month"`
	Staff []callbackRate `json:"staff"`
}

// callbackRate is one staff member's callback rate (回访率): num callbacks
// done by their deadline of den due; rows are the callbacks counted.
type callbackRate struct {
	StaffID    string                 `json:"staff_id"`
	Num        int64                  `json:"num"`
	Den        int64                  `json:"den"`
	Percent    string                 `json:"percent"`
	NothingDue bool                   `json:"nothing_due"`
	Late       int                    `json:"late"`
	Missed     int                    `json:"missed"`
	Pending    int                    `json:"pending"`
	Rows       []tickets.CallbackFact `json:"rows"`
}

func (s *Server) callbackRates(w http.ResponseWriter, r *http.Request) error {
	m, err := s.queryMonth(r)
	if err != nil {
		return err
	}
	rs, err := s.Tickets.CallbackRates(r.Context(), m.String())
	if err != nil {
		return err
	}
	out := callbackRates{Month: m.String(), Staff: []callbackRate{}}
	for _, cr := range rs {
		rows := cr.Rows
		if rows == nil {
			rows = []tickets.CallbackFact{}
		}
		out.Staff = append(out.Staff, callbackRate{StaffID: cr.StaffID, Num: cr.Ratio.Num, Den: cr.Ratio.Den, Percent: cr.Ratio.Percent(),
			NothingDue: cr.Ratio.NothingDue(), Late: cr.Late, Missed: cr.Missed, Pending: cr.Pending, Rows: rows})
	}
	slices.SortFunc(out.Staff, func(a, b callbackRate) int { return cmp.Compare(a.StaffID, b.StaffID) })
	return ok(w, out)
}

// The manager's quarterly re-call sample (经理季度回访抽查).

func (s *Server) generateResample(w http.ResponseWriter, r *http.Request) error {
	set, err := s.Tickets.GenerateResample(r.Context(), r.PathValue("quarter"))
	if err != nil {
		return err
	}
	return ok(w, set)
}

func (s *Server) getResample(w http.ResponseWriter, r *http.Request) error {
	set, err := s.Tickets.ResampleSet(r.Context(), r.PathValue("quarter"))
	if err != nil {
		return err
	}
	return ok(w, set)
}

// resampleRecord records the manager's re-call of a sampled callback.
type resampleRecord struct {
	Version *int64 `json:"version"`
	tickets.ResampleInput
}

func (s *Server) recordResample(w http.ResponseWriter, r *http.Request) error {
	var in resampleRecord
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	rs, err := s.Tickets.RecordResample(r.Context(), r.PathValue("id"), v, in.ResampleInput)
	if err != nil {
		return err
	}
	return ok(w, rs)
}

// Policy.

func (s *Server) ticketsPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Tickets.Policy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, p)
}

// ticketsPolicyInput is the tickets policy as a request body (fields left
// out keep their stored values).
type ticketsPolicyInput tickets.Policy

func (s *Server) saveTicketsPolicy(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.Tickets.Policy(r.Context())
	if err != nil {
		return err
	}
	in := ticketsPolicyInput(cur)
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Tickets.SavePolicy(r.Context(), tickets.Policy(in)); err != nil {
		return err
	}
	p, err := s.Tickets.Policy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, p)
}
