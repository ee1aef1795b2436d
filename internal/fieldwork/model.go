package fieldwork

import (
	"time"

	"github.com/uptrace/bun"
)

// Project is a 立项: the work of one contract, verified with the region
// head or the technical department (核实方案) and handed to the region's
// maintenance group.
type Project struct {
	ID                     string     `bun:"id,pk" json:"id"`
	ContractID             string     `bun:"contract_id" json:"contract_id"`
	CustomerID             string     `bun:"customer_id" json:"customer_id"`
	OwnerID                *string    `bun:"owner_id" json:"owner_id"`
	ReceivedOn             string     `bun:"received_on" json:"received_on"`
	DispatchDue            time.Time  `bun:"dispatch_due" json:"dispatch_due"`
	VerifiedWith           string     `bun:"verified_with" json:"verified_with"` // region_head / tech_department
	VerifierName           string     `bun:"verifier_name" json:"verifier_name"`
	VerifiedAt             *time.Time `bun:"verified_at" json:"verified_at"`
	VerifyResult           string     `bun:"verify_result" json:"verify_result"` // confirmed / changed / rejected
	VerifyNote             string     `bun:"verify_note" json:"verify_note"`
	CoverageOverrideBy     *string    `bun:"coverage_override_by" json:"coverage_override_by"`
	CoverageOverrideAt     *time.Time `bun:"coverage_override_at" json:"coverage_override_at"`
	CoverageOverrideReason string     `bun:"coverage_override_reason" json:"coverage_override_reason"`
	DispatchedAt           *time.Time `bun:"dispatched_at" json:"dispatched_at"`
	CreatedBy              *string    `bun:"created_by" json:"created_by"`
	Version                int64      `bun:"version" json:"version"`
	CreatedAt              time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt              time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:projects,alias:p"`
}

// Verification results (核实结果).
const (
	VerifyConfirmed = "confirmed" // 方案无误
	VerifyChanged   = "changed"   // 方案调整后确认
	VerifyRejected  = "rejected"  // 方案有误, 待合同更正
)

// ProjectItem is one line of work of a project (立项内容).
type ProjectItem struct {
	ID          string `bun:"id,pk" json:"id"`
	ProjectID   string `bun:"project_id" json:"-"`
	Seq         int    `bun:"seq" json:"seq"`
	ServiceType string `bun:"service_type" json:"service_type"`
	Equipment   string `bun:"equipment" json:"equipment"`
	Frequency   string `bun:"frequency" json:"frequency"`
	Times       int    `bun:"times" json:"times"`
	Notes       string `bun:"notes" json:"notes"`

	bun.BaseModel `bun:"table:project_items"`
}

func (it ProjectItem) line() ScopeLine {
	return ScopeLine{ID: it.ID, ServiceType: it.ServiceType, Equipment: it.Equipment, Frequency: it.Frequency, Times: it.Times}
}

// ProjectDetail is a project with its contract, items, coverage and
// work orders.
type ProjectDetail struct {
	Project
	ContractNumber string        `json:"contract_number"`
	ContractStart  string        `json:"contract_start"`
	ContractEnd    string        `json:"contract_end"`
	CustomerName   string        `json:"customer_name"`
	OwnerName      string        `json:"owner_name"`
	Items          []ProjectItem `json:"items"`
	ContractScope  []ScopeLine   `json:"contract_scope"`
	Coverage       Coverage      `json:"coverage"`
	// CoverageOK: the items cover the contract, or a manager overrode.
	CoverageOK bool `json:"coverage_ok"`
	// DaysLate: working days the dispatch is (or was) late (派单逾期).
	DaysLate   int            `json:"days_late"`
	WorkOrders []WorkOrderRow `json:"work_orders"`
}

// Work order statuses.
const (
	StatusPlanned    = "planned"    // 计划 (not yet dispatched)
	StatusDispatched = "dispatched" // 已派工
	StatusReturned   = "returned"   // 退回更正
	StatusCompleted  = "completed"  // 已完工
	StatusAccepted   = "accepted"   // 已验收
	StatusCancelled  = "cancelled"  // 已取消
)

// WorkOrder is a 派工单.
type WorkOrder struct {
	ID              string     `bun:"id,pk" json:"id"`
	Number          string     `bun:"number" json:"number"`
	Type            string     `bun:"type" json:"type"`
	ProjectID       *string    `bun:"project_id" json:"project_id"`
	ProjectItemID   *string    `bun:"project_item_id" json:"project_item_id"`
	ScheduleKey     *string    `bun:"schedule_key" json:"schedule_key"`
	TicketID        *string    `bun:"ticket_id" json:"ticket_id"`
	CustomerID      string     `bun:"customer_id" json:"customer_id"`
	OwnerID         *string    `bun:"owner_id" json:"owner_id"`
	RegionID        *string    `bun:"region_id" json:"region_id"`
	GroupID         *string    `bun:"group_id" json:"group_id"`
	SupervisorID    *string    `bun:"supervisor_id" json:"supervisor_id"`
	SiteAddress     string     `bun:"site_address" json:"site_address"`
	ContactName     string     `bun:"contact_name" json:"contact_name"`
	ContactPhone    string     `bun:"contact_phone" json:"contact_phone"`
	Equipment       string     `bun:"equipment" json:"equipment"`
	Parts           []string   `bun:"parts,type:text" json:"parts"`
	Content         string     `bun:"content" json:"content"`
	PlannedOn       *string    `bun:"planned_on" json:"planned_on"`
	DeadlineOn      *string    `bun:"deadline_on" json:"deadline_on"`
	RequestedAt     *time.Time `bun:"requested_at" json:"requested_at"`
	DispatchDue     *time.Time `bun:"dispatch_due" json:"dispatch_due"`
	Status          string     `bun:"status" json:"status"`
	DispatchedBy    *string    `bun:"dispatched_by" json:"dispatched_by"`
	DispatchedAt    *time.Time `bun:"dispatched_at" json:"dispatched_at"`
	CompletedAt     *time.Time `bun:"completed_at" json:"completed_at"`
	CompletedBy     *string    `bun:"completed_by" json:"completed_by"`
	GroupPostedAt   *time.Time `bun:"group_posted_at" json:"group_posted_at"`
	GroupPostedBy   *string    `bun:"group_posted_by" json:"group_posted_by"`
	PaperReceivedOn *string    `bun:"paper_received_on" json:"paper_received_on"`
	PaperReceivedBy *string    `bun:"paper_received_by" json:"paper_received_by"`
	CallbackAt      *time.Time `bun:"callback_at" json:"callback_at"`
	CallbackBy      *string    `bun:"callback_by" json:"callback_by"`
	CallbackResult  string     `bun:"callback_result" json:"callback_result"`
	Satisfaction    int        `bun:"satisfaction" json:"satisfaction"`
	AcceptedAt      *time.Time `bun:"accepted_at" json:"accepted_at"`
	AcceptedBy      *string    `bun:"accepted_by" json:"accepted_by"`
	CancelReason    string     `bun:"cancel_reason" json:"cancel_reason"`
	CreatedBy       *string    `bun:"created_by" json:"created_by"`
	Version         int64      `bun:"version" json:"version"`
	CreatedAt       time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:work_orders,alias:w"`
}

// WorkOrderRow is a work order with the names a person reads (lists, the
// dispatch board).
type WorkOrderRow struct {
	WorkOrder      `bun:",extend"`
	CustomerName   string   `bun:"customer_name" json:"customer_name"`
	RegionName     string   `bun:"region_name" json:"region_name"`
	GroupName      string   `bun:"group_name" json:"group_name"`
	SupervisorName string   `bun:"supervisor_name" json:"supervisor_name"`
	OwnerName      string   `bun:"owner_name" json:"owner_name"`
	Technicians    []Person `bun:"-" json:"technicians"`
}

// Person names a staff member.
type Person struct {
	ID   string `bun:"id" json:"id"`
	Name string `bun:"name" json:"name"`
}

// Return is a dispatch sent back for correction (派单错误): the wrong
// fields, 1 or 2 points chosen by the one who returned it, and why.
type Return struct {
	ID             string     `bun:"id,pk" json:"id"`
	WorkOrderID    string     `bun:"work_order_id" json:"work_order_id"`
	DispatcherID   *string    `bun:"dispatcher_id" json:"dispatcher_id"`
	ReturnedBy     string     `bun:"returned_by" json:"returned_by"`
	ReturnedAt     time.Time  `bun:"returned_at" json:"returned_at"`
	Fields         []string   `bun:"fields,type:text" json:"fields"`
	Points         int        `bun:"points" json:"points"`
	Reason         string     `bun:"reason" json:"reason"`
	ResolvedAt     *time.Time `bun:"resolved_at" json:"resolved_at"`
	WithdrawnAt    *time.Time `bun:"withdrawn_at" json:"withdrawn_at"`
	WithdrawnBy    *string    `bun:"withdrawn_by" json:"withdrawn_by"`
	WithdrawReason string     `bun:"withdraw_reason" json:"withdraw_reason"`

	bun.BaseModel `bun:"table:work_order_returns"`
}

// ReturnFields are the fields of a dispatch a return may mark wrong.
var ReturnFields = []string{"site_address", "contact", "equipment", "content", "scope", "planned_on", "type", "other"}

// WorkOrderDetail is everything on a work order's page.
type WorkOrderDetail struct {
	WorkOrderRow
	ProjectContract string   `json:"project_contract"`
	TicketNumber    string   `json:"ticket_number"`
	Returns         []Return `json:"returns"`
}
