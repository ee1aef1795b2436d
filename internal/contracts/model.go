package contracts

import (
	"time"

	"github.com/uptrace/bun"
)

// Kinds of contract: 维保 maintenance, 工程 project, EMC 合同能源管理, other.
var Kinds = []string{"maintenance", "project", "emc", "other"}

// ServiceTypes of a scope item: 巡检, 换季保养, 维修, 施工, other.
var ServiceTypes = []string{"inspection", "seasonal", "repair", "construction", "other"}

// Frequencies of a scope item. "seasonal" is before each cooling and
// heating season (换季); "times" says how often per period (or in total for
// once/on_demand).
var Frequencies = []string{"", "once", "weekly", "monthly", "quarterly", "half_yearly", "yearly", "seasonal", "on_demand"}

// EMCCycles of EMC owner fees (业主收费).
var EMCCycles = []string{"", "monthly", "quarterly"}

// Contract is one contract (合同).
type Contract struct {
	ID              string    `bun:"id,pk" json:"id"`
	Number          string    `bun:"number" json:"number"`
	CustomerID      string    `bun:"customer_id" json:"customer_id"`
	Kind            string    `bun:"kind" json:"kind"`
	Title           string    `bun:"title" json:"title"`
	State           string    `bun:"state" json:"state"` // draft / active / terminated (stored)
	SignedOn        *string   `bun:"signed_on" json:"signed_on"`
	ReceivedOn      *string   `bun:"received_on" json:"received_on"` // 接到立项合同
	StartOn         string    `bun:"start_on" json:"start_on"`
	EndOn           string    `bun:"end_on" json:"end_on"`
	AmountFen       int64     `bun:"amount_fen" json:"amount_fen"`
	ScheduleDiffers bool      `bun:"schedule_differs" json:"schedule_differs"`
	ScheduleNote    string    `bun:"schedule_note" json:"schedule_note"`
	RenewedFrom     *string   `bun:"renewed_from" json:"renewed_from"`
	Outcome         string    `bun:"outcome" json:"outcome"` // renewal outcome: pending / renewed / lost
	LostReason      string    `bun:"lost_reason" json:"lost_reason"`
	TerminatedOn    *string   `bun:"terminated_on" json:"terminated_on"`
	TerminateReason string    `bun:"terminate_reason" json:"terminate_reason"`
	EMCFeeFen       int64     `bun:"emc_fee_fen" json:"emc_fee_fen"`
	EMCCycle        string    `bun:"emc_cycle" json:"emc_cycle"`
	Notes           string    `bun:"notes" json:"notes"`
	CreatedBy       *string   `bun:"created_by" json:"created_by"`
	Version         int64     `bun:"version" json:"version"`
	CreatedAt       time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:contracts"`
}

// ScopeItem is one line of the contract's scope (服务内容).
type ScopeItem struct {
	ID          string  `bun:"id,pk" json:"id"`
	ContractID  string  `bun:"contract_id" json:"-"`
	Seq         int     `bun:"seq" json:"seq"`
	EquipmentID *string `bun:"equipment_id" json:"equipment_id"`
	Equipment   string  `bun:"equipment" json:"equipment"`
	ServiceType string  `bun:"service_type" json:"service_type"`
	Frequency   string  `bun:"frequency" json:"frequency"`
	Times       int     `bun:"times" json:"times"`
	Notes       string  `bun:"notes" json:"notes"`

	bun.BaseModel `bun:"table:contract_scope_items"`
}

// Installment is one payment due (付款计划的一期); EMC owner fees are
// installments of kind emc_fee with the period they pay for.
type Installment struct {
	ID         string  `bun:"id,pk" json:"id"`
	ContractID string  `bun:"contract_id" json:"contract_id"`
	Seq        int     `bun:"seq" json:"seq"`
	DueOn      string  `bun:"due_on" json:"due_on"`
	AmountFen  int64   `bun:"amount_fen" json:"amount_fen"`
	PaidFen    int64   `bun:"paid_fen" json:"paid_fen"` // sum of allocations
	Kind       string  `bun:"kind" json:"kind"`         // regular / emc_fee
	PeriodFrom *string `bun:"period_from" json:"period_from"`
	PeriodTo   *string `bun:"period_to" json:"period_to"`
	Notes      string  `bun:"notes" json:"notes"`

	bun.BaseModel `bun:"table:installments"`
}

// InstallmentView is an installment with what was paid and invoiced.
type InstallmentView struct {
	Installment `bun:",extend"`
	InvoicedFen int64 `bun:"invoiced_fen" json:"invoiced_fen"`
	OpenFen     int64 `bun:"-" json:"open_fen"`
	// DaysOverdue is how many days past due the open amount is (0 when not
	// due or paid).
	DaysOverdue int `bun:"-" json:"days_overdue"`
}

// Invoice is one invoice issued (开票).
type Invoice struct {
	ID            string    `bun:"id,pk" json:"id"`
	ContractID    string    `bun:"contract_id" json:"contract_id"`
	InstallmentID string    `bun:"installment_id" json:"installment_id"`
	Number        string    `bun:"number" json:"number"`
	IssuedOn      string    `bun:"issued_on" json:"issued_on"`
	AmountFen     int64     `bun:"amount_fen" json:"amount_fen"`
	Notes         string    `bun:"notes" json:"notes"`
	RecordedBy    *string   `bun:"recorded_by" json:"recorded_by"`
	RecordedAt    time.Time `bun:"recorded_at" json:"recorded_at"`

	bun.BaseModel `bun:"table:invoices"`
}

// PaymentMethods of a payment: bank transfer, cash, cheque, 承兑汇票, other.
var PaymentMethods = []string{"transfer", "cash", "cheque", "acceptance", "other"}

// Payment is money received (回款) on a contract.
type Payment struct {
	ID           string       `bun:"id,pk" json:"id"`
	ContractID   string       `bun:"contract_id" json:"contract_id"`
	ReceivedOn   string       `bun:"received_on" json:"received_on"`
	AmountFen    int64        `bun:"amount_fen" json:"amount_fen"`
	Method       string       `bun:"method" json:"method"`
	Reference    string       `bun:"reference" json:"reference"`
	CreditFen    int64        `bun:"credit_fen" json:"credit_fen"` // overpayment kept as credit
	CreditReason string       `bun:"credit_reason" json:"credit_reason"`
	Source       string       `bun:"source" json:"source"` // manual / import / api
	DedupKey     *string      `bun:"dedup_key" json:"-"`
	Notes        string       `bun:"notes" json:"notes"`
	RecordedBy   *string      `bun:"recorded_by" json:"recorded_by"`
	RecordedAt   time.Time    `bun:"recorded_at" json:"recorded_at"`
	Allocations  []Allocation `bun:"-" json:"allocations"`

	bun.BaseModel `bun:"table:payments"`
}

// Allocation is the part of a payment applied to one installment.
type Allocation struct {
	PaymentID     string `bun:"payment_id,pk" json:"-"`
	InstallmentID string `bun:"installment_id,pk" json:"installment_id"`
	AmountFen     int64  `bun:"amount_fen" json:"amount_fen"`

	bun.BaseModel `bun:"table:payment_allocations"`
}

// ContractView is a contract with the names a person reads and its
// derived status.
type ContractView struct {
	Contract     `bun:",extend"`
	CustomerName string  `bun:"customer_name" json:"customer_name"`
	CustomerCode string  `bun:"customer_code" json:"customer_code"`
	OwnerID      *string `bun:"owner_id" json:"owner_id"`
	OwnerName    string  `bun:"owner_name" json:"owner_name"`
	RegionName   string  `bun:"region_name" json:"region_name"`
	SuccessorID  *string `bun:"successor_id" json:"successor_id"`
	SuccessorNo  *string `bun:"successor_number" json:"successor_number"`
	PaidFen      int64   `bun:"paid_fen" json:"paid_fen"`
	// Status is derived: draft, active, expired (ended, not renewed),
	// renewed (has a successor), terminated.
	Status string `bun:"-" json:"status"`
}

// ContractDetail is everything on one contract's page.
type ContractDetail struct {
	ContractView
	Scope        []ScopeItem       `json:"scope"`
	Installments []InstallmentView `json:"installments"`
	Invoices     []Invoice         `json:"invoices"`
	Payments     []Payment         `json:"payments"`
	Predecessor  *ContractRef      `json:"predecessor"`
}

// ContractRef names a contract.
type ContractRef struct {
	ID     string `bun:"id" json:"id"`
	Number string `bun:"number" json:"number"`
}

// status derives the displayed status on day today.
func status(c *Contract, hasSuccessor bool, today string) string {
	switch {
	case c.State == "draft":
		return "draft"
	case c.State == "terminated":
		return "terminated"
	case hasSuccessor:
		return "renewed"
	case c.EndOn < today:
		return "expired"
	default:
		return "active"
	}
}

// Statuses are the derived statuses, in lifecycle order.
var Statuses = []string{"draft", "active", "expired", "renewed", "terminated"}
