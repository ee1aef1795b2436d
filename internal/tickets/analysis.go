package tickets

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

// Quarter is a calendar quarter (季度), written "2026Q1".
type Quarter struct {
	Year int
	Q    int // 1–4
}

// ParseQuarter reads "2026Q1" (also "2026-Q1", "2026q1").
func ParseQuarter(s string) (Quarter, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	y, q, ok := strings.Cut(s, "Q")
	y = strings.TrimSuffix(y, "-")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || n < 1 || n > 4 {
		return Quarter{}, fmt.Errorf("季度格式应为 2026Q1")
	}
	return Quarter{year, n}, nil
}

// QuarterOf returns the quarter containing d.
func QuarterOf(d calendar.Date) Quarter { return Quarter{d.Year, (int(d.Month)-1)/3 + 1} }

func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// First is the quarter's first day.
func (q Quarter) First() calendar.Date { return calendar.NewDate(q.Year, time.Month(3*q.Q-2), 1) }

// Last is the quarter's last day.
func (q Quarter) Last() calendar.Date { return calendar.NewDate(q.Year, time.Month(3*q.Q+1), 0) }

// Contains reports whether d is in q.
func (q Quarter) Contains(d calendar.Date) bool { return QuarterOf(d) == q }

// ComplaintFact is one complaint as the analysis counts it.
type ComplaintFact struct {
	TicketID       string        `json:"ticket_id"`
	Number         string        `json:"number"`
	ReceivedOn     calendar.Date `json:"received_on"`
	Nature         string        `json:"nature"`
	Severity       string        `json:"severity"`
	Justified      string        `json:"justified"`
	RegionID       string        `json:"region_id"`
	RegionName     string        `json:"region_name"`
	AgainstStaffID string        `json:"against_staff_id"`
	AgainstName    string        `json:"against_name"`
	AgainstText    string        `json:"against_text"`
}

// Count is one line of the analysis table.
type Count struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	Total     int    `json:"total"`
	Justified int    `json:"justified"`
	Major     int    `json:"major"`
}

// ComplaintAnalysis is the quarterly complaint analysis table (投诉分析).
type ComplaintAnalysis struct {
	Quarter   string  `json:"quarter"`
	Total     int     `json:"total"`
	Justified int     `json:"justified"`
	Major     int     `json:"major"`
	ByNature  []Count `json:"by_nature"`
	ByRegion  []Count `json:"by_region"`
	ByPerson  []Count `json:"by_person"`
}

var natureLabel = map[string]string{"quality": "服务质量", "attitude": "服务态度", "other": "其他"}

// AnalyseComplaints counts the complaints received in quarter q by nature
// (always the three natures, in their order), by region and by the person
// complained about (a staff member, else the free text, else 未指明), with
// how many of each were justified and major. Regions and persons are
// sorted by count, most first, then by label.
func AnalyseComplaints(facts []ComplaintFact, q Quarter) ComplaintAnalysis {
	a := ComplaintAnalysis{Quarter: q.String()}
	nature := map[string]*Count{}
	for _, n := range Natures {
		nature[n] = &Count{Key: n, Label: natureLabel[n]}
	}
	region, person := map[string]*Count{}, map[string]*Count{}
	add := func(m map[string]*Count, key, label string, f *ComplaintFact) {
		c := m[key]
		if c == nil {
			c = &Count{Key: key, Label: label}
			m[key] = c
		}
		c.Total++
		if f.Justified == "yes" {
			c.Justified++
		}
		if f.Severity == "major" {
			c.Major++
		}
	}
	for i := range facts {
		f := &facts[i]
		if !q.Contains(f.ReceivedOn) {
			continue
		}
		a.Total++
		if f.Justified == "yes" {
			a.Justified++
		}
		if f.Severity == "major" {
			a.Major++
		}
		n := f.Nature
		if nature[n] == nil {
			n = "other"
		}
		add(nature, n, natureLabel[n], f)
		rl := f.RegionName
		if f.RegionID == "" {
			rl = "未匹配客户"
		}
		add(region, f.RegionID, rl, f)
		switch {
		case f.AgainstStaffID != "":
			add(person, f.AgainstStaffID, f.AgainstName, f)
		case f.AgainstText != "":
			add(person, "text:"+f.AgainstText, f.AgainstText, f)
		default:
			add(person, "", "未指明", f)
		}
	}
	for _, n := range Natures {
		a.ByNature = append(a.ByNature, *nature[n])
	}
	a.ByRegion, a.ByPerson = sorted(region), sorted(person)
	return a
}

func sorted(m map[string]*Count) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(x, y Count) int {
		return cmp.Or(cmp.Compare(y.Total, x.Total), cmp.Compare(x.Label, y.Label), cmp.Compare(x.Key, y.Key))
	})
	return out
}

// ComplaintAnalysis returns the analysis of quarter ("2026Q1") for managers
// and executives.
func (s *Service) ComplaintAnalysis(ctx context.Context, quarter string) (*ComplaintAnalysis, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() && !p.Has(access.Executive) {
		return nil, apperr.Forbidden("投诉分析仅供客服经理和总经理查看")
	}
	q, err := ParseQuarter(quarter)
	if err != nil {
		return nil, apperr.Invalid("quarter", err.Error())
	}
	from, to := q.First().In(s.loc), q.Last().AddDays(1).In(s.loc)
	var rows []struct {
		TicketID       string    `bun:"ticket_id"`
		Number         string    `bun:"number"`
		ReceivedAt     time.Time `bun:"received_at"`
		Nature         string    `bun:"nature"`
		Severity       string    `bun:"severity"`
		Justified      string    `bun:"justified"`
		RegionID       *string   `bun:"region_id"`
		RegionName     *string   `bun:"region_name"`
		AgainstStaffID *string   `bun:"against_staff_id"`
		AgainstName    *string   `bun:"against_name"`
		AgainstText    string    `bun:"against_text"`
	}
	err = s.db.R().NewRaw(`SELECT t.id AS ticket_id, t.number, t.received_at, c.nature, c.severity, c.justified,
		r.id AS region_id, r.name AS region_name, c.against_staff_id, st.name AS against_name, c.against_text
		FROM tickets t JOIN ticket_complaints c ON c.ticket_id = t.id
		LEFT JOIN customers cu ON cu.id = t.customer_id
		LEFT JOIN regions r ON r.id = cu.region_id
		LEFT JOIN staff st ON st.id = c.against_staff_id
		WHERE t.type = 'complaint' AND t.received_at >= ? AND t.received_at < ?`, from.UTC(), to.UTC()).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	facts := make([]ComplaintFact, len(rows))
	for i, r := range rows {
		facts[i] = ComplaintFact{TicketID: r.TicketID, Number: r.Number, ReceivedOn: calendar.DateOf(r.ReceivedAt, s.loc),
			Nature: r.Nature, Severity: r.Severity, Justified: r.Justified, RegionID: deref(r.RegionID),
			RegionName: deref(r.RegionName), AgainstStaffID: deref(r.AgainstStaffID), AgainstName: deref(r.AgainstName),
			AgainstText: r.AgainstText}
	}
	a := AnalyseComplaints(facts, q)
	return &a, nil
}
