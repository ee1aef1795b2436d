// Package surveys runs the satisfaction surveys by plan (满意度调查，按计划
// 进行, SPEC §7, seed 003 客户关系管理): the customer-service manager drafts a
// plan (调查计划) — title, period, due date, method, the customers in scope
// and the questions — and issues it; issuing makes one survey task per
// customer in scope, assigned to the customer's owning specialist (分管客服)
// at that moment. The specialist records each customer's response (scores,
// remarks, or 无法联系/拒绝 with a note), which also stores a communication
// record tagged satisfaction. The plan page shows completion per
// specialist, the overdue tasks, the average per question and the results
// by specialist, region and customer class, with the low scores to follow
// up; the monthly 客户满意度汇总表 counts the responses' overall scores.
//
// The package owns the survey_* tables. It reads the customers, regions and
// staff tables for names only; the customers in scope come through the
// Customers interface and the communication records go through the Comms
// interface (both wired by app). It writes no other domain's rows.
package surveys

import (
	"context"
	"errors"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// Methods of a survey and channels of a response.
var Methods = []string{MethodPhone, MethodWeChat, MethodVisit, MethodQuestionnaire}

const (
	MethodPhone         = "phone"         // 电话
	MethodWeChat        = "wechat"        // 微信
	MethodVisit         = "visit"         // 上门
	MethodQuestionnaire = "questionnaire" // 问卷
)

// Statuses of a plan, in order.
var Statuses = []string{StatusDraft, StatusOpen, StatusClosed}

const (
	StatusDraft  = "draft"  // 草稿
	StatusOpen   = "open"   // 已下发
	StatusClosed = "closed" // 已结束
)

// Outcomes of a task.
var Outcomes = []string{OutcomeAnswered, OutcomeUnreachable, OutcomeRefused}

const (
	OutcomeAnswered    = "answered"    // 已答复
	OutcomeUnreachable = "unreachable" // 无法联系
	OutcomeRefused     = "refused"     // 拒绝
)

// Question kinds.
const (
	KindScore = "score" // 1–5 分
	KindText  = "text"  // 文字
)

// Classes are the customer classes a plan may be limited to.
var Classes = []string{"A", "B", "C", "D"}

// Customer is a customer in a plan's scope, with its owning specialist.
type Customer struct {
	ID       string
	OwnerID  string // "" when nobody owns it
	RegionID string
	Class    string
}

// Scope selects the active customers of a plan ("" = any).
type Scope struct {
	Class    string
	RegionID string
	OwnerID  string
}

// Customers lists the active customers in a scope with their current
// owning specialist; the customers domain owns the archive.
type Customers interface {
	SurveyCustomers(ctx context.Context, sc Scope) ([]Customer, error)
}

// Contact is the communication record of a survey call or visit.
type Contact struct {
	CustomerID string
	Channel    string // a method: phone, wechat, visit, questionnaire
	At         time.Time
	Summary    string
}

// Comms stores the communication record of a response (tagged
// satisfaction) and returns its id; the comms domain owns the table.
type Comms interface {
	RecordSurveyContact(ctx context.Context, c Contact) (string, error)
}

// Service reads and changes survey plans, tasks and responses.
type Service struct {
	db                *store.DB
	now               func() time.Time
	loc               *time.Location
	customers         Customers
	comms             Comms
	specialistReadAll bool
}

// Options configure the service.
type Options struct {
	Location          *time.Location
	SpecialistReadAll bool
}

// NewService returns the surveys service.
func NewService(db *store.DB, customers Customers, comms Comms, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, now: now, loc: loc, customers: customers, comms: comms, specialistReadAll: opts.SpecialistReadAll}
}

// CanRecord reports whether p records the response of a task assigned to
// staffID: managers and admins any, a specialist their own. Pages use it
// to show the form; RecordResponse checks it again.
func CanRecord(p *access.Principal, staffID *string) bool {
	if p == nil || !p.Can(access.CommWrite) {
		return false
	}
	if p.IsManagerial() {
		return true
	}
	return p.Has(access.CSSpecialist) && p.StaffID != "" && staffID != nil && *staffID == p.StaffID
}

func notFoundAs(err, as error) error {
	if errors.Is(err, store.ErrNoRows) {
		return as
	}
	return err
}

func staleVersion() error {
	return apperr.Conflict("version", "记录已被他人修改，请刷新后重试")
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// actor is the caller's staff id (nil for the system).
func actor(p *access.Principal) *string { return optional(p.StaffID) }
