package tickets

import (
	"time"

	"github.com/uptrace/bun"
)

// Ticket is one row of tickets.
type Ticket struct {
	ID            string     `bun:"id,pk" json:"id"`
	Number        string     `bun:"number" json:"number"`
	CustomerID    *string    `bun:"customer_id" json:"customer_id"`
	ContactID     *string    `bun:"contact_id" json:"contact_id"`
	Caller        string     `bun:"caller" json:"caller"`
	Type          string     `bun:"type" json:"type"`
	Channel       string     `bun:"channel" json:"channel"`
	ReceivedAt    time.Time  `bun:"received_at" json:"received_at"`
	FirstOwnerID  string     `bun:"first_owner_id" json:"first_owner_id"`
	AssigneeID    *string    `bun:"assignee_id" json:"assignee_id"`
	Urgency       string     `bun:"urgency" json:"urgency"`
	Description   string     `bun:"description" json:"description"`
	Address       string     `bun:"address" json:"address"`
	RepairObject  string     `bun:"repair_object" json:"repair_object"`
	ModelSpec     string     `bun:"model_spec" json:"model_spec"`
	AppointmentAt *time.Time `bun:"appointment_at" json:"appointment_at"`
	SpecialNeeds  string     `bun:"special_needs" json:"special_needs"`
	Cause         string     `bun:"cause" json:"cause"`
	IncidentWho   string     `bun:"incident_who" json:"incident_who"`
	IncidentWhat  string     `bun:"incident_what" json:"incident_what"`
	IncidentWhen  string     `bun:"incident_when" json:"incident_when"`
	Demand        string     `bun:"demand" json:"demand"`
	Incomplete    bool       `bun:"incomplete" json:"incomplete"`
	Missing       string     `bun:"missing" json:"-"`
	MissingFields []string   `bun:"-" json:"missing"`
	PromisedAt    *time.Time `bun:"promised_at" json:"promised_at"`
	// FirstResponseDue: acknowledge by then (the SLA rule's first-response
	// target from received_at).
	FirstResponseDue *time.Time `bun:"first_response_due" json:"first_response_due"`
	// SLARule and SLACalendar: the matching SLA rule's name and clock
	// ("24x7" or "working"; "" when no rule matched).
	SLARule     string `bun:"sla_rule" json:"sla_rule"`
	SLACalendar string `bun:"sla_calendar" json:"sla_calendar"`
	// PausedAt: waiting on the customer since (等待客户); PausedTotalS the
	// time of earlier pauses on the rule's clock, in seconds.
	PausedAt        *time.Time `bun:"paused_at" json:"paused_at"`
	PausedTotalS    int64      `bun:"paused_total_s" json:"paused_total_s"`
	Status          string     `bun:"status" json:"status"`
	ResolvedAt      *time.Time `bun:"resolved_at" json:"resolved_at"`
	ClosedAt        *time.Time `bun:"closed_at" json:"closed_at"`
	EscalationLevel string     `bun:"escalation_level" json:"escalation_level"`
	CreatedBy       *string    `bun:"created_by" json:"created_by"`
	Version         int64      `bun:"version" json:"version"`
	CreatedAt       time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:tickets"`
}

// Transition is one status change of a ticket.
type Transition struct {
	ID         string `bun:"id,pk" json:"id"`
	TicketID   string `bun:"ticket_id" json:"ticket_id"`
	FromStatus string `bun:"from_status" json:"from"` // "" for the creation
	ToStatus   string `bun:"to_status" json:"to"`
	Reopen     bool   `bun:"reopen" json:"reopen"`
	// Kind: "" a status change; "pause" / "resume" the start and end of
	// waiting on the customer (from = to).
	Kind       string    `bun:"kind" json:"kind"`
	At         time.Time `bun:"at" json:"at"`
	ByID       *string   `bun:"by_id" json:"by_id"`
	ByName     string    `bun:"by_name,scanonly" json:"by_name"`
	Note       string    `bun:"note" json:"note"`
	RecordedAt time.Time `bun:"recorded_at" json:"recorded_at"`

	bun.BaseModel `bun:"table:ticket_transitions,alias:tt"`
}

// Escalation is one step up the escalation path.
type Escalation struct {
	ID        string    `bun:"id,pk" json:"id"`
	TicketID  string    `bun:"ticket_id" json:"ticket_id"`
	FromLevel string    `bun:"from_level" json:"from_level"`
	ToLevel   string    `bun:"to_level" json:"to_level"`
	ToStaffID *string   `bun:"to_staff_id" json:"to_staff_id"`
	ToText    string    `bun:"to_text" json:"to_text"`
	At        time.Time `bun:"at" json:"at"`
	ByID      *string   `bun:"by_id" json:"by_id"`
	Note      string    `bun:"note" json:"note"`

	bun.BaseModel `bun:"table:ticket_escalations"`
}

// Complaint is the complaint part of a complaint ticket.
type Complaint struct {
	TicketID         string     `bun:"ticket_id,pk" json:"ticket_id"`
	Nature           string     `bun:"nature" json:"nature"` // quality 服务质量 / attitude 服务态度 / other
	AgainstStaffID   *string    `bun:"against_staff_id" json:"against_staff_id"`
	AgainstText      string     `bun:"against_text" json:"against_text"`
	Severity         string     `bun:"severity" json:"severity"`   // general 一般 / major 重大
	Justified        string     `bun:"justified" json:"justified"` // yes 合理 / no 不合理 / undecided
	JudgedBy         *string    `bun:"judged_by" json:"judged_by"`
	JudgedAt         *time.Time `bun:"judged_at" json:"judged_at"`
	EscalatedTo      *string    `bun:"escalated_to" json:"escalated_to"`
	EscalatedAt      *time.Time `bun:"escalated_at" json:"escalated_at"`
	ReplyDueAt       *time.Time `bun:"reply_due_at" json:"reply_due_at"`
	RepliedAt        *time.Time `bun:"replied_at" json:"replied_at"`
	RepliedBy        *string    `bun:"replied_by" json:"replied_by"`
	ReplyNote        string     `bun:"reply_note" json:"reply_note"`
	RootCause        string     `bun:"root_cause" json:"root_cause"`
	Responsibility   string     `bun:"responsibility" json:"responsibility"`
	CorrectiveAction string     `bun:"corrective_action" json:"corrective_action"`
	PreventiveAction string     `bun:"preventive_action" json:"preventive_action"`
	EventID          *string    `bun:"event_id" json:"event_id"`
	UpdatedAt        time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:ticket_complaints"`
}

// Callback is one callback (回访) due after a resolution.
type Callback struct {
	ID              string     `bun:"id,pk" json:"id"`
	TicketID        string     `bun:"ticket_id" json:"ticket_id"`
	Kind            string     `bun:"kind" json:"kind"`
	StaffID         *string    `bun:"staff_id" json:"staff_id"`
	ResolvedAt      time.Time  `bun:"resolved_at" json:"resolved_at"`
	DueAt           *time.Time `bun:"due_at" json:"due_at"`
	DoneAt          *time.Time `bun:"done_at" json:"done_at"`
	DoneBy          *string    `bun:"done_by" json:"done_by"`
	Result          string     `bun:"result" json:"result"`
	Satisfaction    *int       `bun:"satisfaction" json:"satisfaction"`
	CommunicationID *string    `bun:"communication_id" json:"communication_id"`
	CancelledAt     *time.Time `bun:"cancelled_at" json:"cancelled_at"`
	CancelReason    string     `bun:"cancel_reason" json:"cancel_reason"`
	Version         int64      `bun:"version" json:"version"`
	CreatedAt       time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:callbacks"`
}

// Resample is one callback of the manager's quarterly re-call sample.
type Resample struct {
	ID           string     `bun:"id,pk" json:"id"`
	Quarter      string     `bun:"quarter" json:"quarter"`
	CallbackID   string     `bun:"callback_id" json:"callback_id"`
	DoneAt       *time.Time `bun:"done_at" json:"done_at"`
	DoneBy       *string    `bun:"done_by" json:"done_by"`
	Result       string     `bun:"result" json:"result"`
	Satisfaction *int       `bun:"satisfaction" json:"satisfaction"`
	CreatedBy    *string    `bun:"created_by" json:"created_by"`
	CreatedAt    time.Time  `bun:"created_at" json:"created_at"`
	Version      int64      `bun:"version" json:"version"`

	bun.BaseModel `bun:"table:callback_resamples"`
}
