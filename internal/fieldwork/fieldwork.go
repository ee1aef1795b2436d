// Package fieldwork is field work (SPEC §6, 立项 · 派工 · 验收): projects
// made from contracts and checked against their scope, work orders
// dispatched to the maintenance group of the customer's region, the
// maintenance schedule, and the appraisal events of late or wrong
// dispatch. The rules themselves (coverage, timeliness, the acceptance
// checklist) are pure functions in this package; the Service keeps the
// records.
package fieldwork

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/calendar"
	"kefu/internal/schedule"
	"kefu/internal/store"
)

// Calendars gives the company's work calendar.
type Calendars interface {
	Calendar(ctx context.Context, tz string) (*calendar.Calendar, error)
}

// Service is field work.
type Service struct {
	db                *store.DB
	now               func() time.Time
	loc               *time.Location
	cals              Calendars
	blobs             blob.Store
	maxPhotoBytes     int64
	specialistReadAll bool
}

// Options configure the service.
type Options struct {
	Location *time.Location
	// SpecialistReadAll lets specialists read the work of customers they
	// do not own (the company's archive setting).
	SpecialistReadAll bool
	// Blobs keeps evidence photos, sheets and their thumbnails.
	Blobs blob.Store
	// MaxPhotoBytes refuses larger uploads (0: DefaultMaxPhotoBytes).
	MaxPhotoBytes int64
}

// DefaultMaxPhotoBytes is the upload limit of an evidence photo: 15 MB.
const DefaultMaxPhotoBytes = 15 << 20

// NewService returns the service.
func NewService(db *store.DB, cals Calendars, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	limit := opts.MaxPhotoBytes
	if limit <= 0 {
		limit = DefaultMaxPhotoBytes
	}
	return &Service{db: db, now: now, loc: loc, cals: cals, blobs: opts.Blobs, maxPhotoBytes: limit, specialistReadAll: opts.SpecialistReadAll}
}

func (s *Service) calendar(ctx context.Context) (*calendar.Calendar, error) {
	if s.cals == nil {
		return calendar.New(calendar.Config{Location: s.loc})
	}
	return s.cals.Calendar(ctx, s.loc.String())
}

// Settings are the company's field-work rules (设置 · 现场工作).
type Settings struct {
	Dispatch   DispatchPolicy   `json:"dispatch"`
	Acceptance Policy           `json:"acceptance"`
	Seasons    schedule.Seasons `json:"seasons"`
}

// DefaultSettings are SPEC §6's defaults.
func DefaultSettings() Settings {
	return Settings{Dispatch: DefaultDispatchPolicy(), Acceptance: DefaultPolicy(), Seasons: schedule.DefaultSeasons()}
}

const settingsKey = "fieldwork.settings"

// Settings reads the company's field-work rules.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	return readSettings(ctx, s.db.R())
}

func readSettings(ctx context.Context, db bun.IDB) (Settings, error) {
	st := DefaultSettings()
	if _, err := store.GetSetting(ctx, db, settingsKey, &st); err != nil {
		return st, err
	}
	return st, nil
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
