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

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
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

// Validate reports the first setting out of range.
func (st Settings) Validate() error {
	d := st.Dispatch
	switch {
	case d.ProjectWorkingDays < 0 || d.ProjectWorkingDays > 30:
		return apperr.Invalid("dispatch.project_working_days", "立项派工期限须在 0–30 个工作日之间")
	case d.PlannedLeadDays < 0 || d.PlannedLeadDays > 60:
		return apperr.Invalid("dispatch.planned_lead_days", "计划工作提前派工天数须在 0–60 之间")
	case d.RepairMinutes < 1 || d.RepairMinutes > 24*60:
		return apperr.Invalid("dispatch.repair_minutes", "报修派工时限须在 1–1440 分钟之间")
	case st.Acceptance.UploadDays < 0 || st.Acceptance.UploadDays > 60:
		return apperr.Invalid("acceptance.upload_days", "上传平台期限须在 0–60 天之间")
	case st.Acceptance.PaperDay < 1 || st.Acceptance.PaperDay > 28:
		return apperr.Invalid("acceptance.paper_day", "原件上交日须在每月 1–28 日之间")
	}
	return st.Seasons.Validate()
}

// SaveSettings changes the company's field-work rules (managers). New
// deadlines apply to projects and work orders created or edited after.
func (s *Service) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() {
		return st, apperr.Forbidden("只有客服经理可以修改现场工作规则")
	}
	if err := st.Validate(); err != nil {
		return st, err
	}
	now := store.Time(s.now())
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := store.PutSetting(ctx, tx, settingsKey, st, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "setting", EntityID: settingsKey,
			Summary: "修改现场工作规则", Before: before, After: st})
	})
	return st, err
}
