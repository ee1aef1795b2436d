package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

// Frequencies of a scope line, as the contracts domain spells them.
const (
	FreqNone       = ""            // not stated: nothing planned
	FreqOnce       = "once"        // 一次性
	FreqWeekly     = "weekly"      // 每周
	FreqMonthly    = "monthly"     // 每月
	FreqQuarterly  = "quarterly"   // 每季度
	FreqHalfYearly = "half_yearly" // 每半年
	FreqYearly     = "yearly"      // 每年
	FreqSeasonal   = "seasonal"    // 换季: before the cooling and the heating season
	FreqOnDemand   = "on_demand"   // 按需: nothing planned
)

// Service types of a scope line, as the contracts domain spells them.
const (
	TypeInspection   = "inspection"   // 巡检
	TypeSeasonal     = "seasonal"     // 换季保养
	TypeRepair       = "repair"       // 维修: nothing planned (comes from tickets)
	TypeConstruction = "construction" // 施工
	TypeOther        = "other"        // 其他
)

// Limits on the input, so that a plan stays a plan and not a flood.
const (
	// MaxTimes is the most visits per period (per contract for "once").
	MaxTimes = 31
	// MaxWeeklyTimes is the most visits per week.
	MaxWeeklyTimes = 7
	// MaxYears is the longest contract period planned.
	MaxYears = 30
	// MaxLeadDays is the most days before a season a seasonal visit may be planned.
	MaxLeadDays = 90
)

// Contract is what a plan is made from: the contract period (both days
// inclusive) and its scope lines.
type Contract struct {
	Start, End calendar.Date
	Lines      []Line
}

// Line is one scope line (服务内容) of a contract.
type Line struct {
	// ID identifies the line across regenerations (the contracts domain's scope
	// item id); it starts every key, so it must be unique in the contract, not
	// empty, and free of "|" and "#".
	ID          string
	ServiceType string // inspection, seasonal, repair, construction, other
	Frequency   string // "", once, weekly, monthly, quarterly, half_yearly, yearly, seasonal, on_demand
	Times       int    // visits per period (in total for once); 0 means 1
	Equipment   string // the equipment label, copied to the occurrences
}

// Options are the company's settings for planning.
type Options struct {
	// Seasons for seasonal lines; the zero Seasons means [DefaultSeasons].
	Seasons Seasons
	// Calendar, when set, moves visits off non-working days (see the package
	// doc); nil plans on the nominal days.
	Calendar *calendar.Calendar
	// OnceAfterDays is how many days after the contract start a "once" visit
	// is planned (0: on the start).
	OnceAfterDays int
}

// Window is a span of days, both inclusive.
type Window struct {
	From, To calendar.Date
}

// Contains reports whether d lies in the window.
func (w Window) Contains(d calendar.Date) bool { return !d.Before(w.From) && !d.After(w.To) }

// Occurrence is one planned visit (计划派工).
type Occurrence struct {
	Key         string // LineID|Label, with "#k" for the k-th visit of the period (k ≥ 2)
	LineID      string
	Label       string // the period label: 2026-03, 2026-W09, 2026Q2, 2026H1, 2026, 2026-cooling, once
	Seq         int    // 1..Times within the period
	ServiceType string
	Equipment   string
	Date        calendar.Date // the planned day, after the calendar move
	Nominal     calendar.Date // the day the rules give, before the calendar move
	Window      Window        // the service period, cut to the contract; Date lies in it
}

// Generate plans the visits of c's whole period. The result is sorted by Date,
// then Key; every Date lies within the contract period and keys are unique.
func Generate(c Contract, opt Options) ([]Occurrence, error) {
	if err := validateContract(c); err != nil {
		return nil, err
	}
	seasons := opt.Seasons
	if seasons == (Seasons{}) {
		seasons = DefaultSeasons()
	}
	if err := seasons.Validate(); err != nil {
		return nil, err
	}
	if opt.OnceAfterDays < 0 || opt.OnceAfterDays > 366 {
		return nil, apperr.Invalid("once_after_days", "一次性服务的计划天数须在 0–366 之间")
	}
	g := generator{c: c, opt: opt, seasons: seasons, contract: Window{c.Start, c.End}}
	for i := range c.Lines {
		g.line(&c.Lines[i])
	}
	slices.SortFunc(g.out, compareOccurrence)
	return g.out, nil
}

func validateContract(c Contract) error {
	if !c.Start.IsValid() || c.Start.Year < 1 || c.Start.Year > 9999 {
		return apperr.Invalid("start_on", "合同开始日期无效")
	}
	if !c.End.IsValid() || c.End.Year < 1 || c.End.Year > 9999 {
		return apperr.Invalid("end_on", "合同结束日期无效")
	}
	if c.End.Before(c.Start) {
		return apperr.Invalid("end_on", "合同结束日期不能早于开始日期")
	}
	if !c.End.Before(addMonths(c.Start, 12*MaxYears, c.Start.Day)) {
		return apperr.Invalid("end_on", fmt.Sprintf("合同期限不能超过 %d 年", MaxYears))
	}
	seen := make(map[string]bool, len(c.Lines))
	for i, l := range c.Lines {
		field := func(name string) string { return fmt.Sprintf("scope[%d].%s", i, name) }
		n := i + 1
		switch {
		case l.ID == "":
			return apperr.Invalid(field("id"), fmt.Sprintf("第 %d 行服务内容缺少编号", n))
		case strings.ContainsAny(l.ID, "|#"):
			return apperr.Invalid(field("id"), fmt.Sprintf("第 %d 行服务内容的编号不能包含 | 或 #", n))
		case seen[l.ID]:
			return apperr.Invalid(field("id"), fmt.Sprintf("第 %d 行服务内容的编号重复", n))
		}
		seen[l.ID] = true
		switch l.ServiceType {
		case TypeInspection, TypeSeasonal, TypeRepair, TypeConstruction, TypeOther:
		default:
			return apperr.Invalid(field("service_type"), fmt.Sprintf("第 %d 行服务类型无效", n))
		}
		maxTimes := MaxTimes
		switch l.Frequency {
		case FreqWeekly:
			maxTimes = MaxWeeklyTimes
		case FreqNone, FreqOnce, FreqMonthly, FreqQuarterly, FreqHalfYearly, FreqYearly, FreqSeasonal, FreqOnDemand:
		default:
			return apperr.Invalid(field("frequency"), fmt.Sprintf("第 %d 行服务频次无效", n))
		}
		if l.Times < 0 || l.Times > maxTimes {
			return apperr.Invalid(field("times"), fmt.Sprintf("第 %d 行次数须在 0–%d 之间", n, maxTimes))
		}
	}
	return nil
}

type generator struct {
	c        Contract
	opt      Options
	seasons  Seasons
	contract Window
	out      []Occurrence
}

func (g *generator) line(l *Line) {
	if l.ServiceType == TypeRepair {
		return
	}
	times := max(l.Times, 1)
	start, end := g.c.Start, g.c.End
	switch l.Frequency {
	case FreqWeekly:
		for k := 0; ; k++ {
			ps := start.AddDays(7 * k)
			if ps.After(end) {
				return
			}
			g.period(l, isoWeekLabel(ps), Window{ps, ps.AddDays(6)}, times)
		}
	case FreqMonthly, FreqQuarterly, FreqHalfYearly, FreqYearly:
		step := monthsPerPeriod(l.Frequency)
		for k := 0; ; k++ {
			ps := addMonths(start, k*step, start.Day)
			if ps.After(end) {
				return
			}
			pe := addMonths(start, (k+1)*step, start.Day).AddDays(-1)
			g.period(l, monthsLabel(ps, step), Window{ps, pe}, times)
		}
	case FreqSeasonal:
		for y := start.Year; y <= end.Year; y++ {
			for _, s := range [...]struct {
				md   MonthDay
				name string
			}{{g.seasons.Cooling, "cooling"}, {g.seasons.Heating, "heating"}} {
				day := calendar.NewDate(y, s.md.Month, s.md.Day)
				if !g.contract.Contains(day) {
					continue
				}
				from := day.AddDays(-g.seasons.LeadDays)
				if from.Before(start) {
					from = start
				}
				g.period(l, year(y)+"-"+s.name, Window{from, day}, times)
			}
		}
	case FreqOnce:
		from := start.AddDays(g.opt.OnceAfterDays)
		if from.After(end) {
			from = end
		}
		g.period(l, "once", Window{from, end}, times)
	}
	// "", on_demand: nothing planned.
}

// period plans times visits spread over the service period w; visits after the
// contract end are dropped and the window is cut to the contract.
func (g *generator) period(l *Line, label string, w Window, times int) {
	// The spread is over the whole period: a period cut by the contract end
	// gets only the visits that fall in the contract.
	length := w.To.Sub(w.From) + 1
	cut := Window{w.From, w.To}
	if cut.To.After(g.c.End) {
		cut.To = g.c.End
	}
	for j := range times {
		nominal := w.From.AddDays(j * length / times)
		if nominal.After(g.c.End) {
			break
		}
		key := l.ID + "|" + label
		if j > 0 {
			key += "#" + strconv.Itoa(j+1)
		}
		g.out = append(g.out, Occurrence{
			Key:         key,
			LineID:      l.ID,
			Label:       label,
			Seq:         j + 1,
			ServiceType: l.ServiceType,
			Equipment:   l.Equipment,
			Date:        g.move(nominal, cut),
			Nominal:     nominal,
			Window:      cut,
		})
	}
}

// move returns d, or when d is not a working day the next working day in w, or
// else the previous working day in w, or else d.
func (g *generator) move(d calendar.Date, w Window) calendar.Date {
	cal := g.opt.Calendar
	if cal == nil || cal.IsWorkingDay(d) {
		return d
	}
	for x := d.AddDays(1); !x.After(w.To); x = x.AddDays(1) {
		if cal.IsWorkingDay(x) {
			return x
		}
	}
	for x := d.AddDays(-1); !x.Before(w.From); x = x.AddDays(-1) {
		if cal.IsWorkingDay(x) {
			return x
		}
	}
	return d
}

// addMonths returns the day n months after d's month, on day, clamped to the
// last day of that month.
func addMonths(d calendar.Date, n, day int) calendar.Date {
	m0 := int(d.Month) - 1 + n
	y := d.Year + floorDiv(m0, 12)
	m := time.Month(m0-floorDiv(m0, 12)*12) + 1
	return calendar.NewDate(y, m, min(day, daysIn(y, m)))
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func daysIn(y int, m time.Month) int {
	return calendar.NewDate(y, m+1, 0).Day
}

// monthsLabel names the calendar month, quarter, half-year or year of d.
func monthsLabel(d calendar.Date, step int) string {
	y, m := year(d.Year), int(d.Month)
	switch step {
	case 1:
		if m < 10 {
			return y + "-0" + strconv.Itoa(m)
		}
		return y + "-" + strconv.Itoa(m)
	case 3:
		return y + "Q" + strconv.Itoa((m-1)/3+1)
	case 6:
		return y + "H" + strconv.Itoa((m-1)/6+1)
	}
	return y
}

// year is y with at least four digits.
func year(y int) string {
	if y >= 1000 {
		return strconv.Itoa(y)
	}
	return fmt.Sprintf("%04d", y)
}

func monthsPerPeriod(freq string) int {
	switch freq {
	case FreqQuarterly:
		return 3
	case FreqHalfYearly:
		return 6
	case FreqYearly:
		return 12
	}
	return 1
}

// isoWeekLabel names the ISO week of d: 2026-W09.
func isoWeekLabel(d calendar.Date) string {
	y, w := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// compareOccurrence orders by Date, then Key.
func compareOccurrence(a, b Occurrence) int {
	return cmp.Or(a.Date.Compare(b.Date), strings.Compare(a.Key, b.Key))
}
