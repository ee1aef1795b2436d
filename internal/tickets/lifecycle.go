package tickets

import (
	"slices"
	"strings"
)

// NeedsCallback reports whether tickets of type typ get a callback (回访)
// when resolved: every repair and every complaint (SPEC §5.2).
func NeedsCallback(typ string) bool { return typ == TypeRepair || typ == TypeComplaint }

// AllowedNext returns the states a ticket of type typ may move to from
// status from (SPEC §5.2):
//
//	new → acknowledged → in_progress ⇄ dispatched → resolved → callback_done → closed
//
// in_progress and dispatched both lead to resolved. A repair or complaint
// reaches callback_done only by recording its callback; the other types
// close straight from resolved. Reopen: resolved, callback_done and closed
// go back to in_progress (with a reason).
func AllowedNext(typ, from string) []string {
	switch from {
	case StatusNew:
		return []string{StatusAcknowledged}
	case StatusAcknowledged:
		return []string{StatusInProgress}
	case StatusInProgress:
		return []string{StatusDispatched, StatusResolved}
	case StatusDispatched:
		return []string{StatusInProgress, StatusResolved}
	case StatusResolved:
		if NeedsCallback(typ) {
			return []string{StatusCallbackDone, StatusInProgress}
		}
		return []string{StatusClosed, StatusInProgress}
	case StatusCallbackDone:
		return []string{StatusClosed, StatusInProgress}
	case StatusClosed:
		return []string{StatusInProgress}
	}
	return nil
}

// IsReopen reports whether moving from → to reopens a ticket.
func IsReopen(from, to string) bool {
	return to == StatusInProgress && (from == StatusResolved || from == StatusCallbackDone || from == StatusClosed)
}

// isOpen reports whether a ticket in status is still being worked.
func isOpen(status string) bool {
	return status != StatusResolved && status != StatusCallbackDone && status != StatusClosed
}

// Registration fields (登记要素) per type, from seed 001 接待记录 and 投诉处理:
// every request records the customer, the address and the time (received_at,
// always present) and what is asked; a repair adds the object with its
// model/spec, the appointment time and special needs; a help request adds
// the cause; a complaint adds who/what/when of the incident, the cause and
// the customer's demand (特殊需求/诉求).
var requiredFields = map[string][]string{
	TypeConsultation: {"customer_id", "address", "description"},
	TypeSuggestion:   {"customer_id", "address", "description"},
	TypeHelp:         {"customer_id", "address", "description", "cause"},
	TypeRepair:       {"customer_id", "address", "description", "repair_object", "model_spec", "appointment_at", "special_needs"},
	TypeComplaint:    {"customer_id", "address", "description", "incident_who", "incident_what", "incident_when", "cause", "demand"},
}

// RequiredFields returns the registration fields of type typ.
func RequiredFields(typ string) []string { return slices.Clone(requiredFields[typ]) }

// MissingFields returns the registration fields t lacks (登记不全), in the
// order of RequiredFields; none means the registration is complete.
func MissingFields(t *Ticket) []string {
	var out []string
	for _, f := range requiredFields[t.Type] {
		var ok bool
		switch f {
		case "customer_id":
			ok = t.CustomerID != nil
		case "address":
			ok = t.Address != ""
		case "description":
			ok = t.Description != ""
		case "repair_object":
			ok = t.RepairObject != ""
		case "model_spec":
			ok = t.ModelSpec != ""
		case "appointment_at":
			ok = t.AppointmentAt != nil
		case "special_needs":
			ok = t.SpecialNeeds != ""
		case "cause":
			ok = t.Cause != ""
		case "incident_who":
			ok = t.IncidentWho != ""
		case "incident_what":
			ok = t.IncidentWhat != ""
		case "incident_when":
			ok = t.IncidentWhen != ""
		case "demand":
			ok = t.Demand != ""
		}
		if !ok {
			out = append(out, f)
		}
	}
	return out
}

// markCompleteness stores the result of MissingFields on t.
func markCompleteness(t *Ticket) {
	m := MissingFields(t)
	t.Incomplete, t.Missing, t.MissingFields = len(m) > 0, strings.Join(m, ","), m
	if t.MissingFields == nil {
		t.MissingFields = []string{}
	}
}

// expand fills MissingFields from the stored column.
func (t *Ticket) expand() {
	t.MissingFields = []string{}
	if t.Missing != "" {
		t.MissingFields = strings.Split(t.Missing, ",")
	}
}
