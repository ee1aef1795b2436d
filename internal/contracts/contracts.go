// Package contracts holds contracts (合同) and the money around them
// (SPEC §4): scope (服务内容), payment schedule (付款计划, including EMC
// owner fees 业主收费), invoices (开票), payments received (回款) and their
// allocation to installments, the renewal desk (合同续签), new business
// from existing customers (老客户新需求 → 报价方案), and the facts the pure
// rates package turns into 续约率 and 回款率.
//
// Contracts belong to customers; a specialist writes the contracts of the
// customers they own (分管客户). The package reads the customers, staff and
// archive-change tables in joins (read-only) and writes only its own.
package contracts

import (
	"context"
	"log/slog"
	"time"

	"kefu/internal/access"
	"kefu/internal/blob"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Service reads and changes contracts and receivables.
type Service struct {
	db                *store.DB
	now               func() time.Time
	loc               *time.Location
	cal               Calendars
	blobs             blob.Store
	specialistReadAll bool
	clocks            ClockDeriver
	work              WorkPlanner
	log               *slog.Logger
}

// Calendars gives the company work calendar (for "3 working days" rules).
type Calendars interface {
	Calendar(ctx context.Context, tz string) (*calendar.Calendar, error)
}

// Options configure the service.
type Options struct {
	Location *time.Location
	// Blobs stages uploaded import files.
	Blobs             blob.Store
	SpecialistReadAll bool
	// Clocks re-derives the response clocks of a customer after a contact
	// record is logged here (the comms domain); nil derives none.
	Clocks ClockDeriver
	// Work re-plans a contract's field work after the contract changed
	// (the fieldwork domain); nil re-plans nothing.
	Work WorkPlanner
	// Log receives what fails after a change committed (nil: slog.Default()).
	Log *slog.Logger
}

// NewService returns the contracts service.
func NewService(db *store.DB, cal Calendars, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, cal: cal, now: now, loc: loc, blobs: opts.Blobs, specialistReadAll: opts.SpecialistReadAll,
		clocks: opts.Clocks, work: opts.Work, log: log}
}

// today is the company date now.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.now(), s.loc) }

// readScope returns the owner a caller's reads are limited to ("" = all),
// or ok=false when the caller may read no contract at all.
func (s *Service) readScope(p *access.Principal) (owner string, ok bool) {
	if !p.Can(access.ContractRead) {
		return "", false
	}
	if p.OnlySpecialist() && !s.specialistReadAll {
		return p.StaffID, true
	}
	return "", true
}

// CanWrite reports whether p may change contracts (and needs, quotes,
// contacts) of a customer owned by ownerID: managers and admins always, a
// specialist for the customers they own. Pages use it to decide which
// actions to show; every write checks it again.
func CanWrite(p *access.Principal, ownerID *string) bool { return canWriteFor(p, ownerID) }

func canWriteFor(p *access.Principal, ownerID *string) bool {
	if p == nil || !p.Can(access.ContractWrite) {
		return false
	}
	if p.IsManagerial() {
		return true
	}
	return p.Has(access.CSSpecialist) && ownerID != nil && *ownerID == p.StaffID
}

// canReadFor reports whether p may read contracts of a customer owned by
// ownerID.
func (s *Service) canReadFor(p *access.Principal, ownerID *string) bool {
	scope, ok := s.readScope(p)
	if !ok {
		return false
	}
	return scope == "" || (ownerID != nil && *ownerID == scope)
}
