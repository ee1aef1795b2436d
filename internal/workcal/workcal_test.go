package workcal_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/workcal"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	db    *store.DB
	clock *clock
	svc   *workcal.Service
	ctx   context.Context
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	c := &clock{t: time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)}
	admin := &access.Principal{StaffID: "admin-id", Name: "管理员", Roles: []access.Role{access.Admin}}
	return &fixture{db: db, clock: c, svc: workcal.NewService(db, c.Now), ctx: access.With(context.Background(), admin)}
}

func (f *fixture) calendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := f.svc.Calendar(context.Background(), "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) auditCount(t *testing.T) int {
	t.Helper()
	n, err := f.db.R().NewSelect().Table("audit_log").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (f *fixture) holidays(t *testing.T, year int) []workcal.Holiday {
	t.Helper()
	hs, err := f.svc.Holidays(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func wantKind(t *testing.T, err error, kind apperr.Kind, field string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v is not an apperr (want %s/%s)", err, kind, field)
	}
	if e.Kind != kind || e.Field != field {
		t.Fatalf("got %s/%q (%s), want %s/%q", e.Kind, e.Field, e.Message, kind, field)
	}
	return e
}

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestSeedIfEmpty(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		want := calendar.PRCHolidays(workcal.SeedFrom, workcal.SeedTo)
		if len(want) < 50 {
			t.Fatalf("lunar-go gives only %d days for %d–%d", len(want), workcal.SeedFrom, workcal.SeedTo)
		}
		n, err := f.svc.SeedIfEmpty(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) {
			t.Errorf("seeded %d days, want %d", n, len(want))
		}
		n2, err := f.svc.SeedIfEmpty(f.ctx)
		if err != nil || n2 != 0 {
			t.Errorf("second seed = %d, %v; want 0", n2, err)
		}
		all := f.holidays(t, 0)
		if len(all) != len(want) {
			t.Fatalf("table holds %d days, want %d", len(all), len(want))
		}
		for i, h := range all {
			w := want[i]
			wantKind := "holiday"
			if w.Kind == calendar.KindWorkday {
				wantKind = "workday"
			}
			if h.Day != w.Date.String() || h.Name != w.Name || h.Kind != wantKind || h.Source != workcal.SeedSource {
				t.Errorf("row %d = %+v, want %v %s %s", i, h, w.Date, w.Name, wantKind)
			}
		}
		y25, y26 := f.holidays(t, 2025), f.holidays(t, 2026)
		if len(y25)+len(y26) != len(all) || len(y25) == 0 || len(y26) == 0 {
			t.Errorf("per-year lists %d + %d, all %d", len(y25), len(y26), len(all))
		}
		for _, h := range y25 {
			if !strings.HasPrefix(h.Day, "2025-") {
				t.Errorf("2025 list holds %s", h.Day)
			}
		}
		if len(f.holidays(t, 2027)) != 0 {
			t.Error("2027 seeded")
		}
		// Seeding is one audit entry, not one per day.
		es, _ := audit.List(context.Background(), db.R(), audit.Filter{Entity: "holiday"})
		if len(es) != 1 {
			t.Errorf("seeding wrote %d audit entries, want 1", len(es))
		}
	})
}

func TestSeedSkipsEditedTable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if err := f.svc.Put(f.ctx, "2027-01-01", "元旦", "holiday"); err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.SeedIfEmpty(f.ctx)
		if err != nil || n != 0 {
			t.Fatalf("SeedIfEmpty on an edited table = %d, %v", n, err)
		}
		if hs := f.holidays(t, 0); len(hs) != 1 {
			t.Errorf("table has %d rows, want the admin's 1", len(hs))
		}
	})
}

func TestCalendarFromSeed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if _, err := f.svc.SeedIfEmpty(f.ctx); err != nil {
			t.Fatal(err)
		}
		cal := f.calendar(t)
		tests := []struct {
			day  string
			want bool
			why  string
		}{
			{"2025-10-01", false, "National Day (Wednesday)"},
			{"2025-10-06", false, "holiday on a Monday"},
			{"2025-10-08", false, "last day of the 2025 National Day/Mid-Autumn break"},
			{"2025-10-09", true, "Thursday after the break"},
			{"2025-09-28", true, "调休 Sunday workday"},
			{"2025-10-11", true, "调休 Saturday workday"},
			{"2025-09-27", false, "ordinary Saturday"},
			{"2025-09-29", true, "ordinary Monday"},
			{"2025-01-01", false, "元旦"},
			{"2025-01-26", true, "Spring Festival 调休 Sunday"},
			{"2025-01-29", false, "Spring Festival"},
			{"2026-01-04", true, "2026 元旦 调休 Sunday"},
			{"2026-10-01", false, "2026 National Day"},
			{"2027-10-01", true, "2027 not seeded: a Friday is a working day"},
		}
		for _, tc := range tests {
			t.Run(tc.day, func(t *testing.T) {
				if got := cal.IsWorkingDay(day(tc.day)); got != tc.want {
					t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", tc.day, got, tc.want, tc.why)
				}
			})
		}
		// Default hours 08:30–17:30 in the company time zone.
		sh, _ := time.LoadLocation("Asia/Shanghai")
		for _, tc := range []struct {
			at   time.Time
			want bool
		}{
			{time.Date(2025, 9, 29, 8, 29, 59, 0, sh), false},
			{time.Date(2025, 9, 29, 8, 30, 0, 0, sh), true},
			{time.Date(2025, 9, 29, 12, 30, 0, 0, sh), true},
			{time.Date(2025, 9, 29, 17, 29, 59, 0, sh), true},
			{time.Date(2025, 9, 29, 17, 30, 0, 0, sh), false},
			{time.Date(2025, 9, 28, 10, 0, 0, 0, sh), true},  // 调休 Sunday
			{time.Date(2025, 10, 1, 10, 0, 0, 0, sh), false}, // holiday
			{time.Date(2025, 9, 29, 1, 0, 0, 0, time.UTC), true},
		} {
			if got := cal.IsWorkingTime(tc.at); got != tc.want {
				t.Errorf("IsWorkingTime(%v) = %v, want %v", tc.at, got, tc.want)
			}
		}
	})
}

func TestSettings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		def, err := f.svc.Settings(ctx, "Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		if def.TimeZone != "Asia/Tokyo" || !slices.Equal(def.Windows, []string{"08:30-17:30"}) || !slices.Equal(def.Weekdays, []int{1, 2, 3, 4, 5}) {
			t.Errorf("defaults %+v", def)
		}
		if d, _ := f.svc.Settings(ctx, ""); d.TimeZone != "Asia/Shanghai" {
			t.Errorf("default zone %q", d.TimeZone)
		}

		st := workcal.Settings{TimeZone: "Asia/Shanghai", Windows: []string{"08:30-12:00", "13:00-17:30"}, Weekdays: []int{1, 2, 3, 4, 5, 6}}
		if err := f.svc.SaveSettings(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Settings(ctx, "UTC")
		if err != nil {
			t.Fatal(err)
		}
		if got.TimeZone != st.TimeZone || !slices.Equal(got.Windows, st.Windows) || !slices.Equal(got.Weekdays, st.Weekdays) {
			t.Errorf("stored settings %+v, want %+v", got, st)
		}
		cal := f.calendar(t)
		sh := cal.Location()
		for _, tc := range []struct {
			at   time.Time
			want bool
		}{
			{time.Date(2025, 9, 29, 11, 59, 0, 0, sh), true},
			{time.Date(2025, 9, 29, 12, 0, 0, 0, sh), false}, // lunch
			{time.Date(2025, 9, 29, 12, 59, 59, 0, sh), false},
			{time.Date(2025, 9, 29, 13, 0, 0, 0, sh), true},
			{time.Date(2025, 9, 27, 9, 0, 0, 0, sh), true},  // Saturday is now a working weekday
			{time.Date(2025, 9, 21, 9, 0, 0, 0, sh), false}, // Sunday
		} {
			if g := cal.IsWorkingTime(tc.at); g != tc.want {
				t.Errorf("IsWorkingTime(%v) = %v, want %v", tc.at, g, tc.want)
			}
		}
		if es, _ := audit.List(ctx, db.R(), audit.Filter{Entity: "work_calendar"}); len(es) != 1 || es[0].AfterJSON == nil {
			t.Errorf("settings audit %+v", es)
		}

		// Saving again replaces (upsert).
		st2 := workcal.Settings{TimeZone: "Asia/Urumqi", Windows: []string{"10:00-19:00"}, Weekdays: []int{1, 2, 3, 4, 5}}
		if err := f.svc.SaveSettings(f.ctx, st2); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Settings(ctx, ""); got.TimeZone != "Asia/Urumqi" || !slices.Equal(got.Windows, st2.Windows) {
			t.Errorf("after second save %+v", got)
		}

		auditBefore := f.auditCount(t)
		tests := []struct {
			name  string
			st    workcal.Settings
			field string
		}{
			{"unknown zone", workcal.Settings{TimeZone: "Mars/Olympus", Windows: []string{"08:30-17:30"}, Weekdays: []int{1}}, "time_zone"},
			{"window without dash", workcal.Settings{TimeZone: "UTC", Windows: []string{"0830 1200"}, Weekdays: []int{1}}, "windows"},
			{"window hours only", workcal.Settings{TimeZone: "UTC", Windows: []string{"8-12"}, Weekdays: []int{1}}, "windows"},
			{"window reversed", workcal.Settings{TimeZone: "UTC", Windows: []string{"17:30-08:30"}, Weekdays: []int{1}}, "windows"},
			{"window empty span", workcal.Settings{TimeZone: "UTC", Windows: []string{"09:00-09:00"}, Weekdays: []int{1}}, "windows"},
			{"window past midnight", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:00-25:00"}, Weekdays: []int{1}}, "windows"},
			{"bad minutes", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:60-12:00"}, Weekdays: []int{1}}, "windows"},
			{"overlapping windows", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:00-12:00", "11:00-13:00"}, Weekdays: []int{1}}, "windows"},
			{"unsorted windows", workcal.Settings{TimeZone: "UTC", Windows: []string{"13:00-17:30", "08:30-12:00"}, Weekdays: []int{1}}, "windows"},
			{"weekday 7", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:30-17:30"}, Weekdays: []int{1, 7}}, "weekdays"},
			{"weekday negative", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:30-17:30"}, Weekdays: []int{-1}}, "weekdays"},
			{"weekday twice", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:30-17:30"}, Weekdays: []int{1, 1}}, "weekdays"},
			{"no weekdays", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:30-17:30"}, Weekdays: []int{}}, "weekdays"},
			{"nil weekdays", workcal.Settings{TimeZone: "UTC", Windows: []string{"08:30-17:30"}}, "weekdays"},
			{"no windows", workcal.Settings{TimeZone: "UTC", Weekdays: []int{1}}, "windows"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantKind(t, f.svc.SaveSettings(f.ctx, tc.st), apperr.KindInvalid, tc.field)
			})
		}
		if got, _ := f.svc.Settings(ctx, ""); got.TimeZone != "Asia/Urumqi" || !slices.Equal(got.Windows, st2.Windows) {
			t.Errorf("refused saves changed the settings: %+v", got)
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused saves audited")
		}
	})
}

func TestPutAndDelete(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if _, err := f.svc.SeedIfEmpty(f.ctx); err != nil {
			t.Fatal(err)
		}
		// A new year's day, a 调休 Saturday, and an override of a seeded day.
		if err := f.svc.Put(f.ctx, " 2027-01-01 ", " 元旦 ", "holiday"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Put(f.ctx, "2027-01-09", "调休", "workday"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Put(f.ctx, "2025-09-28", "公司活动", "holiday"); err != nil {
			t.Fatal(err)
		}
		cal := f.calendar(t)
		for d, want := range map[string]bool{"2027-01-01": false, "2027-01-09": true, "2025-09-28": false, "2025-10-11": true} {
			if got := cal.IsWorkingDay(day(d)); got != want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", d, got, want)
			}
		}
		y27 := f.holidays(t, 2027)
		if len(y27) != 2 || y27[0].Day != "2027-01-01" || y27[0].Name != "元旦" || y27[0].Source != "admin" || y27[1].Kind != "workday" {
			t.Errorf("2027 rows %+v", y27)
		}

		auditBefore := f.auditCount(t)
		totalBefore := len(f.holidays(t, 0))
		tests := []struct {
			name, day, hname, kind string
			field                  string
		}{
			{"bad date", "2027/13/01", "x", "holiday", "day"},
			{"impossible date", "2027-02-30", "x", "holiday", "day"},
			{"empty date", "", "x", "holiday", "day"},
			{"empty name", "2027-05-01", "  ", "holiday", "name"},
			{"long name", "2027-05-01", strings.Repeat("节", 31), "holiday", "name"},
			{"bad kind", "2027-05-01", "劳动节", "off", "kind"},
			{"chinese kind", "2027-05-01", "劳动节", "休", "kind"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantKind(t, f.svc.Put(f.ctx, tc.day, tc.hname, tc.kind), apperr.KindInvalid, tc.field)
			})
		}
		if n := len(f.holidays(t, 0)); n != totalBefore {
			t.Errorf("refused puts changed the table: %d rows, want %d", n, totalBefore)
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused puts audited")
		}

		// Delete makes the day ordinary again.
		if err := f.svc.Delete(f.ctx, "2025-10-01"); err != nil {
			t.Fatal(err)
		}
		if !f.calendar(t).IsWorkingDay(day("2025-10-01")) {
			t.Error("deleted holiday still off (2025-10-01 is a Wednesday)")
		}
		wantKind(t, f.svc.Delete(f.ctx, "2025-10-01"), apperr.KindNotFound, "")
		wantKind(t, f.svc.Delete(f.ctx, "2031-01-01"), apperr.KindNotFound, "")
		es, _ := audit.List(context.Background(), db.R(), audit.Filter{Entity: "holiday", Action: "delete"})
		if len(es) != 1 || es[0].EntityID != "2025-10-01" || es[0].ActorID == nil || *es[0].ActorID != "admin-id" {
			t.Errorf("delete audit %+v", es)
		}
	})
}

func TestImport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		good := "\uFEFFdate,name,kind\n2027-01-01,元旦,休\n2027/2/6,春节调休,班\n\n2027-02-10,春节,holiday\n"
		n, err := f.svc.Import(f.ctx, strings.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("imported %d, want 3", n)
		}
		y27 := f.holidays(t, 2027)
		var got []string
		for _, h := range y27 {
			got = append(got, h.Day+" "+h.Kind+" "+h.Source)
		}
		want := []string{"2027-01-01 holiday import", "2027-02-06 workday import", "2027-02-10 holiday import"}
		if !slices.Equal(got, want) {
			t.Errorf("rows %v, want %v", got, want)
		}
		cal := f.calendar(t)
		if cal.IsWorkingDay(day("2027-01-01")) || !cal.IsWorkingDay(day("2027-02-06")) {
			t.Error("imported days not in the calendar")
		}

		// Importing the same file again changes nothing but the timestamps.
		if n, err := f.svc.Import(f.ctx, strings.NewReader(good)); err != nil || n != 3 || len(f.holidays(t, 2027)) != 3 {
			t.Errorf("re-import = %d, %v", n, err)
		}

		// A file with a bad line is refused whole, naming the line.
		auditBefore := f.auditCount(t)
		tests := []struct {
			name, csv string
			inMsg     []string
		}{
			{"bad date on line 3", "date,name,kind\n2028-01-01,元旦,休\n2028-13-01,坏,休\n2028-01-02,x,休\n", []string{"第 3 行", "date"}},
			{"bad kind on line 2", "date,name,kind\n2028-01-01,元旦,放几天\n", []string{"第 2 行", "kind"}},
			{"duplicate date", "date,name,kind\n2028-01-01,元旦,休\n2028-01-01,元旦,休\n", []string{"第 3 行", "duplicate"}},
			{"missing field", "date,name,kind\n2028-01-01,元旦\n", []string{"第 2 行"}},
			{"no header", "2028-01-01,元旦,休\n", []string{"第 1 行", "header"}},
			{"empty file", "", []string{"第 1 行"}},
			{"header only", "date,name,kind\n", nil},
			{"not utf-8", "date,name,kind\n2028-01-01,\xd4\xaa\xb5\xa9,休\n", []string{"第 2 行", "UTF-8"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				n, err := f.svc.Import(f.ctx, strings.NewReader(tc.csv))
				if n != 0 {
					t.Errorf("n = %d", n)
				}
				e := wantKind(t, err, apperr.KindInvalid, "file")
				for _, s := range tc.inMsg {
					if !strings.Contains(e.Message, s) {
						t.Errorf("message %q lacks %q", e.Message, s)
					}
				}
			})
		}
		if n := len(f.holidays(t, 2028)); n != 0 {
			t.Errorf("refused imports wrote %d rows", n)
		}
		if n := f.auditCount(t); n != auditBefore {
			t.Errorf("refused imports audited")
		}
	})
}
