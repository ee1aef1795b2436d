// Package workcal keeps the company's work calendar (工作日历) in the
// database — working hours, working weekdays, and the holidays table of
// statutory holidays (法定节假日) and make-up working days (调休上班) — and
// builds the pure calendar.Calendar that SLA clocks and deadlines use.
// The holidays table is the source of truth: it is seeded from lunar-go
// for the years that library covers, and admins edit it or import later
// years from the State Council's notice.
package workcal

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// SeedSource names where the shipped holidays come from.
const SeedSource = "lunar-go v1.4.6 HolidayUtil"

// Seed years shipped pre-filled.
const SeedFrom, SeedTo = 2025, 2026

// Service reads and edits the work calendar.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the work-calendar service.
func NewService(db *store.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// Settings are the working hours of the company.
type Settings struct {
	TimeZone string   `json:"time_zone"`
	Windows  []string `json:"windows"`  // "08:30-12:00"
	Weekdays []int    `json:"weekdays"` // 0 = Sunday … 6 = Saturday
}

// DefaultSettings: Asia/Shanghai, 08:30–17:30, Monday to Friday (SPEC §2).
func DefaultSettings(tz string) Settings {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	return Settings{TimeZone: tz, Windows: []string{"08:30-17:30"}, Weekdays: []int{1, 2, 3, 4, 5}}
}

const settingsKey = "work_calendar"

// Holiday is one row of the holidays table.
type Holiday struct {
	Day       string    `bun:"day,pk" json:"day"`
	Name      string    `bun:"name" json:"name"`
	Kind      string    `bun:"kind" json:"kind"` // holiday | workday
	Source    string    `bun:"source" json:"source"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:holidays"`
}

// Settings returns the stored settings, or the defaults for tz.
func (s *Service) Settings(ctx context.Context, tz string) (Settings, error) {
	var st Settings
	found, err := store.GetSetting(ctx, s.db.R(), settingsKey, &st)
	if err != nil {
		return Settings{}, fmt.Errorf("workcal: settings: %w", err)
	}
	if !found {
		return DefaultSettings(tz), nil
	}
	return st, nil
}

// SaveSettings validates and stores the settings.
func (s *Service) SaveSettings(ctx context.Context, st Settings) error {
	if _, err := build(st, nil); err != nil {
		return err
	}
	now := store.Time(s.now())
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := store.PutSetting(ctx, tx, settingsKey, st, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "work_calendar", EntityID: settingsKey,
			Summary: "修改工作时间 " + strings.Join(st.Windows, ", "), After: st})
	})
}

func build(st Settings, hs []Holiday) (*calendar.Calendar, error) {
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return nil, apperr.Invalid("time_zone", "未知时区 "+st.TimeZone)
	}
	cfg := calendar.Config{Location: loc}
	// calendar.New would take empty lists as its defaults, so the stored
	// settings would say one thing and the calendar do another: refuse them.
	if len(st.Windows) == 0 {
		return nil, apperr.Invalid("windows", "至少需要一个工作时段")
	}
	if len(st.Weekdays) == 0 {
		return nil, apperr.Invalid("weekdays", "至少需要一个工作日")
	}
	for _, w := range st.Windows {
		win, err := calendar.ParseWindow(w)
		if err != nil {
			return nil, apperr.Invalid("windows", err.Error())
		}
		cfg.Windows = append(cfg.Windows, win)
	}
	for _, d := range st.Weekdays {
		if d < 0 || d > 6 {
			return nil, apperr.Invalid("weekdays", "星期须为 0–6")
		}
		if slices.Contains(cfg.WorkWeekdays, time.Weekday(d)) {
			return nil, apperr.Invalid("weekdays", fmt.Sprintf("星期 %d 重复", d))
		}
		cfg.WorkWeekdays = append(cfg.WorkWeekdays, time.Weekday(d))
	}
	for _, h := range hs {
		d, err := calendar.ParseDate(h.Day)
		if err != nil {
			return nil, fmt.Errorf("workcal: holiday %q: %w", h.Day, err)
		}
		kind := calendar.KindHoliday
		if h.Kind == "workday" {
			kind = calendar.KindWorkday
		}
		cfg.Overrides = append(cfg.Overrides, calendar.Holiday{Date: d, Name: h.Name, Kind: kind})
	}
	c, err := calendar.New(cfg)
	if err != nil {
		return nil, apperr.Invalid("windows", err.Error())
	}
	return c, nil
}

// Calendar builds the current business calendar from settings and holidays.
func (s *Service) Calendar(ctx context.Context, tz string) (*calendar.Calendar, error) {
	st, err := s.Settings(ctx, tz)
	if err != nil {
		return nil, err
	}
	var hs []Holiday
	if err := s.db.R().NewSelect().Model(&hs).Scan(ctx); err != nil {
		return nil, err
	}
	return build(st, hs)
}

// Holidays lists the rows of one year (0 = all years).
func (s *Service) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	q := s.db.R().NewSelect().Model((*Holiday)(nil))
	if year > 0 {
		q = q.Where("day >= ? AND day < ?", fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1))
	}
	var out []Holiday
	err := q.OrderExpr("day").Scan(ctx, &out)
	return out, err
}

// SeedIfEmpty fills an empty holidays table from lunar-go.
func (s *Service) SeedIfEmpty(ctx context.Context) (int, error) {
	n, err := s.db.R().NewSelect().Table("holidays").Count(ctx)
	if err != nil || n > 0 {
		return 0, err
	}
	return s.upsert(ctx, calendar.PRCHolidays(SeedFrom, SeedTo), SeedSource, "预置节假日")
}

// Put adds or changes one day.
func (s *Service) Put(ctx context.Context, day, name, kind string) error {
	d, err := calendar.ParseDate(strings.TrimSpace(day))
	if err != nil {
		return apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 30 {
		return apperr.Invalid("name", "名称不能为空且不超过 30 字")
	}
	k := calendar.KindHoliday
	switch kind {
	case "holiday":
	case "workday":
		k = calendar.KindWorkday
	default:
		return apperr.Invalid("kind", "类型须为 holiday（放假）或 workday（调休上班）")
	}
	_, err = s.upsert(ctx, []calendar.Holiday{{Date: d, Name: name, Kind: k}}, "admin", "设置节假日 "+day+" "+name)
	return err
}

// Delete removes one day (it becomes an ordinary day again).
func (s *Service) Delete(ctx context.Context, day string) error {
	now := store.Time(s.now())
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Table("holidays").Where("day = ?", day).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("holiday")
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "delete", Entity: "holiday", EntityID: day, Summary: "删除节假日 " + day})
	})
}

// Import reads a CSV of date,name,kind (see calendar.ParseHolidaysCSV)
// and upserts every row; a file with any bad line changes nothing.
func (s *Service) Import(ctx context.Context, r io.Reader) (int, error) {
	days, err := calendar.ParseHolidaysCSV(r)
	if err != nil {
		return 0, apperr.Invalid("file", err.Error())
	}
	if len(days) == 0 {
		return 0, apperr.Invalid("file", "文件中没有节假日")
	}
	return s.upsert(ctx, days, "import", fmt.Sprintf("导入节假日 %d 天", len(days)))
}

func (s *Service) upsert(ctx context.Context, days []calendar.Holiday, source, summary string) (int, error) {
	now := store.Time(s.now())
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, d := range days {
			kind := "holiday"
			if d.Kind == calendar.KindWorkday {
				kind = "workday"
			}
			_, err := tx.NewRaw(`INSERT INTO holidays (day, name, kind, source, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`,
				d.Date.String(), d.Name, kind, source, now).Exec(ctx)
			if err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "holiday", Summary: summary})
	})
	return len(days), err
}
