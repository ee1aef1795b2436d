package fieldwork

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/internal/calendar"
)

// 不得有漏项: the project's items against the contract's scope.
func TestCover(t *testing.T) {
	l := func(typ, eq, freq string, times int) ScopeLine {
		return ScopeLine{ServiceType: typ, Equipment: eq, Frequency: freq, Times: times}
	}
	contract := []ScopeLine{
		l("inspection", "冷水机组 1#", "monthly", 1),
		l("seasonal", "冷水机组 1#", "seasonal", 2),
		l("inspection", "冷却塔", "quarterly", 0),
	}
	gaps := func(gs []Gap) string {
		out := ""
		for _, g := range gs {
			out += fmt.Sprintf("[%s %s %s ×%d]", g.Line.ServiceType, g.Line.Equipment, g.Line.Frequency, g.Times)
		}
		return out
	}
	for _, c := range []struct {
		name           string
		project        []ScopeLine
		missing, extra string
	}{
		{"the same lines", ItemsFromScope(contract), "", ""},
		{"spacing, case and full-width aside", []ScopeLine{l("inspection", " 冷水机组  １# ", "monthly", 1), l("seasonal", "冷水机组 1#", "seasonal", 2), l("inspection", "冷却塔", "quarterly", 1)}, "", ""},
		{"one line split in two", []ScopeLine{l("inspection", "冷水机组 1#", "monthly", 1), l("seasonal", "冷水机组 1#", "seasonal", 1), l("seasonal", "冷水机组 1#", "seasonal", 1), l("inspection", "冷却塔", "quarterly", 1)}, "", ""},
		{"a line left out", []ScopeLine{l("inspection", "冷水机组 1#", "monthly", 1), l("seasonal", "冷水机组 1#", "seasonal", 2)}, "[inspection 冷却塔 quarterly ×1]", ""},
		{"fewer times", []ScopeLine{l("inspection", "冷水机组 1#", "monthly", 1), l("seasonal", "冷水机组 1#", "seasonal", 1), l("inspection", "冷却塔", "quarterly", 1)}, "[seasonal 冷水机组 1# seasonal ×1]", ""},
		{"another frequency is other work", []ScopeLine{l("inspection", "冷水机组 1#", "quarterly", 1), l("seasonal", "冷水机组 1#", "seasonal", 2), l("inspection", "冷却塔", "quarterly", 1)},
			"[inspection 冷水机组 1# monthly ×1]", "[inspection 冷水机组 1# quarterly ×1]"},
		{"work the contract does not have", append(ItemsFromScope(contract), l("repair", "水泵", "on_demand", 1)), "", "[repair 水泵 on_demand ×1]"},
		{"an empty project", nil, "[inspection 冷水机组 1# monthly ×1][seasonal 冷水机组 1# seasonal ×2][inspection 冷却塔 quarterly ×1]", ""},
	} {
		cov := Cover(contract, c.project)
		if got := gaps(cov.Missing); got != c.missing {
			t.Errorf("%s: missing %s, want %s", c.name, got, c.missing)
		}
		if got := gaps(cov.Extra); got != c.extra {
			t.Errorf("%s: extra %s, want %s", c.name, got, c.extra)
		}
		if cov.OK() != (c.missing == "" && c.extra == "") {
			t.Errorf("%s: OK %v", c.name, cov.OK())
		}
	}
	if items := ItemsFromScope([]ScopeLine{{ID: "s1", ServiceType: "inspection"}}); items[0].ID != "" {
		t.Fatal("items from scope keep the scope line's id")
	}
}

func prcCalendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.New(calendar.Config{Location: shanghai, Overrides: calendar.PRCHolidays(2026, 2026)})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// 派单及时: the deadlines and the days late of each kind of dispatch.
func TestDispatchTimeliness(t *testing.T) {
	cal := prcCalendar(t)
	p := DefaultDispatchPolicy()
	d := func(y int, m time.Month, day int) calendar.Date { return calendar.NewDate(y, m, day) }
	for _, c := range []struct {
		name       string
		due        time.Time
		want       string
		dispatched string
		late       int
	}{
		{"contract received Thursday → end of Friday", p.ProjectDue(cal, d(2026, 3, 5)), "2026-03-07 00:00:00", "2026-03-06 17:00:00", 0},
		{"received Friday → end of Monday", p.ProjectDue(cal, d(2026, 3, 6)), "2026-03-10 00:00:00", "2026-03-10 00:00:00", 0},
		{"received Friday, dispatched Tuesday", p.ProjectDue(cal, d(2026, 3, 6)), "2026-03-10 00:00:00", "2026-03-10 09:00:00", 1},
		{"received Friday 10-09 after 国庆, the 调休 Saturday is the next working day", p.ProjectDue(cal, d(2026, 10, 9)), "2026-10-11 00:00:00", "2026-10-12 09:00:00", 1},
		{"received the day before 国庆 → the first working day after it", p.ProjectDue(cal, d(2026, 9, 30)), "2026-10-09 00:00:00", "2026-10-08 16:00:00", 0},
		{"planned for the 12th → by the end of the 10th", p.PlannedDue(cal, d(2026, 3, 12)), "2026-03-11 00:00:00", "2026-03-10 23:59:59", 0},
		{"planned for the 12th, dispatched the 11th", p.PlannedDue(cal, d(2026, 3, 12)), "2026-03-11 00:00:00", "2026-03-11 08:00:00", 1},
		{"planned for the 12th, dispatched on the day", p.PlannedDue(cal, d(2026, 3, 12)), "2026-03-11 00:00:00", "2026-03-12 08:00:00", 2},
		{"repair at 22:10 → 22:40 the same night", p.RepairDue(at("2026-03-07 22:10:00")), "2026-03-07 22:40:00", "2026-03-07 22:40:00", 0},
		{"repair dispatched the next morning", p.RepairDue(at("2026-03-07 22:10:00")), "2026-03-07 22:40:00", "2026-03-08 08:30:00", 1},
	} {
		if got := c.due.In(shanghai).Format(time.DateTime); got != c.want {
			t.Errorf("%s: due %s, want %s", c.name, got, c.want)
		}
		late := DaysLate(c.due, at(c.dispatched))
		if strings.HasPrefix(c.name, "contract") || strings.HasPrefix(c.name, "received") {
			late = ProjectDaysLate(cal, c.due, at(c.dispatched))
		}
		if late != c.late {
			t.Errorf("%s: %d days late, want %d", c.name, late, c.late)
		}
	}
}
