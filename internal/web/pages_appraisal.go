package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/calendar"
	"kefu/internal/comms"
	"kefu/internal/events"
	"kefu/internal/httpx"
	"kefu/internal/org"
	"kefu/internal/rates"
	"kefu/internal/scorecards"
)

// 绩效考核 (SPEC §8): my card of the month (the stored card, or 本月至今 —
// the preview — until the month is computed), a line's occurrences with
// the records that prove them (§8.5: the number → the line → the event →
// the record, three clicks), the rater's form on someone else's card, and
// the team's scoreboard with its charts (ECharts 5.6.0, Apache-2.0,
// vendored as static/vendor/echarts.min.js).

// SeesTeam: managers and executives see the team's cards.
func (p *Page) SeesTeam() bool {
	return p.User.Can(access.AppraisalRead) && (p.User.IsManagerial() || p.User.Has(access.Executive))
}

// apStaff is the staff member whose card a page shows: the one asked for
// (?staff_id=; the domain refuses someone else's card to all but managers
// and executives), else the viewer.
func apStaff(r *http.Request, v string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return access.From(r.Context()).StaffID
}

// loadCard is the staff member's card of the month: the stored one, else
// the preview (本月至今); both nil when no scheme applies to them.
// A card asked for by id (?card=: a check, or the card a form was posted
// from) is that card.
func (s *Server) loadCard(r *http.Request, staffID, month string) (*appraisal.Card, *scorecards.Scorecard, error) {
	if id := strings.TrimSpace(r.URL.Query().Get("card")); id != "" {
		stored, err := s.Scorecards.CardByID(r.Context(), id)
		if err != nil {
			return nil, nil, err
		}
		return &stored.Card, stored, nil
	}
	if staffID == "" {
		return nil, nil, nil
	}
	stored, err := s.Scorecards.Card(r.Context(), staffID, month)
	if err == nil {
		return &stored.Card, stored, nil
	}
	if !apperr.Is(err, apperr.KindNotFound) {
		return nil, nil, err
	}
	c, err := s.Scorecards.Preview(r.Context(), staffID, month)
	if apperr.Is(err, apperr.KindNotFound) {
		return nil, nil, nil
	}
	return c, nil, err
}

// ---- my card ----------------------------------------------------------------

type appraisalPage struct {
	monthPage
	StaffID   string
	StaffName string
	Staff     []org.Staff // the picker (managers, executives)
	Card      *appraisal.Card
	Stored    *scorecards.Scorecard
	MayRate   bool // the viewer rates some item of the card
	items     map[string]*appraisal.Item
	rateable  map[string]bool // the items the viewer may rate (their 考评人)
	// The rating form posted, re-shown after an error.
	FormItem string
	Form     url.Values
	// The lifecycle (pages_appraisal_lifecycle.go): the card's detail and
	// steps, and the lifecycle form posted (action, item) on a refusal.
	Detail     *scorecards.Detail
	Steps      []apStep
	PostAction string
	PostItem   string
	// Flags are the rater flags of the month (pages_appraisal_flags.go);
	// MayFlag: the viewer may flag this staff member.
	Flags   []scorecards.FlaggedEvent
	MayFlag bool
	// Checks are the person's checks of the month; CheckOptions the check
	// schemes the viewer may open for them (pages_appraisal_checks.go).
	Checks       []scorecards.CheckCard
	CheckOptions []scorecards.CheckOption
}

// Own: the viewer's own card.
func (p *appraisalPage) Own() bool { return p.StaffID == p.User.StaffID }

// StaffQ is the staff_id of month links: none for one's own card.
func (p *appraisalPage) StaffQ() string {
	if p.Own() {
		return ""
	}
	return p.StaffID
}

// LineHref opens a line's occurrences.
func (p *appraisalPage) LineHref(item string) string {
	q := url.Values{"staff_id": {p.StaffID}, "month": {p.Month}, "item": {item}}
	if id := p.CheckID(); id != "" {
		q.Set("card", id)
	}
	return "/appraisal/lines?" + q.Encode()
}

// CheckID is the id of the card shown when it is a check (检查考核), else "".
func (p *appraisalPage) CheckID() string {
	if p.Detail != nil && p.Detail.Check {
		return p.Detail.ID
	}
	return ""
}

// Item is the scheme's item of a line for the rater's form: the item when the viewer may rate it, else nil.
func (p *appraisalPage) Item(key string) *appraisal.Item {
	if !p.rateable[key] {
		return nil
	}
	return p.items[key]
}

// Checked: level pts is the line's current rating (or the one posted).
func (p *appraisalPage) Checked(l appraisal.Line, pts appraisal.Points) bool {
	if p.FormItem == l.Item && p.Form != nil {
		v, err := appraisal.ParsePoints(p.Form.Get("points"))
		return err == nil && v == pts
	}
	return !l.Pending && l.Score == pts
}

// FormValue is a posted value of the item's form, else def.
func (p *appraisalPage) FormValue(item, field, def string) string {
	if p.FormItem == item && p.Form != nil {
		return p.Form.Get(field)
	}
	return def
}

// Grade is a checklist sub-item's grade as posted, or "".
func (p *appraisalPage) Grade(item, sub string) string { return p.FormValue(item, "grade."+sub, "") }

// Grades are a checklist's grades, best first.
func (p *appraisalPage) Grades() []string {
	return []string{appraisal.GradeFull, appraisal.GradeMostly, appraisal.GradePartly, appraisal.GradeNone}
}

// Status names a card's state.
func (p *appraisalPage) Status() string {
	if p.Stored == nil {
		return p.T("appraisal.status.preview")
	}
	return p.T("appraisal.status." + p.Stored.Status)
}

// Pct is score/max as a percentage for a progress bar.
func pct(score, maxP appraisal.Points) int {
	if maxP <= 0 {
		return 0
	}
	return int(min(max(int64(score)*100/int64(maxP), 0), 100))
}

// Pct is score/max as a percentage for a progress bar.
func (p *appraisalPage) Pct(score, maxP appraisal.Points) int { return pct(score, maxP) }

func (s *Server) appraisalData(r *http.Request, staffID string) (*appraisalPage, error) {
	mp, err := s.monthPage(r, "appraisal", "appraisal.title")
	if err != nil {
		return nil, err
	}
	p := &appraisalPage{monthPage: mp, StaffID: staffID}
	ctx := r.Context()
	if p.SeesTeam() {
		yes := true
		if p.Staff, err = s.Org.ListStaff(ctx, org.StaffFilter{Active: &yes}); err != nil {
			return nil, err
		}
	}
	if p.Card, p.Stored, err = s.loadCard(r, staffID, p.Month); err != nil {
		return nil, err
	}
	if p.Stored != nil && p.Stored.StaffID != staffID { // a card asked for by id
		p.StaffID, staffID = p.Stored.StaffID, p.Stored.StaffID
	}
	p.StaffName = p.User.Name
	if !p.Own() {
		p.Title = p.T("appraisal.title_of")
		p.StaffName = ""
		for _, st := range p.Staff {
			if st.ID == staffID {
				p.StaffName = st.Name
			}
		}
		if p.StaffName == "" && staffID != "" {
			if st, err := s.Org.GetStaff(ctx, staffID); err == nil {
				p.StaffName = st.Name
			}
		}
	}
	if err := s.flagsData(r, p); err != nil {
		return nil, err
	}
	if err := s.checksData(r, p); err != nil {
		return nil, err
	}
	if p.Stored != nil {
		if err := s.lifecycle(r, p); err != nil {
			return nil, err
		}
		if p.rateable, err = s.Scorecards.RateableItems(ctx, p.Stored); err != nil {
			return nil, err
		}
		if p.MayRate = len(p.rateable) > 0; p.MayRate {
			sc, err := s.Scorecards.CardScheme(ctx, p.Stored.ID)
			if err != nil {
				return nil, err
			}
			p.items = map[string]*appraisal.Item{}
			for ci := range sc.Categories {
				for ii := range sc.Categories[ci].Items {
					it := &sc.Categories[ci].Items[ii]
					p.items[it.Key] = it
				}
			}
		}
	}
	return p, nil
}

func (s *Server) appraisalCard(w http.ResponseWriter, r *http.Request) error {
	p, err := s.appraisalData(r, apStaff(r, r.URL.Query().Get("staff_id")))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "appraisal_card", "", p)
}

// appraisalRate records a rater's rating of one item (上级评价): a rubric
// level, a manual score with its reason, or checklist grades. The domain
// checks who rates and what the scheme allows; an error re-shows the card
// with the form as posted.
func (s *Server) appraisalRate(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	id, item := r.PathValue("id"), strings.TrimSpace(f.Get("item"))
	rt := appraisal.Rating{Reason: strings.TrimSpace(f.Get("reason"))}
	var err error
	if v := strings.TrimSpace(f.Get("points")); v != "" {
		if rt.Points, err = appraisal.ParsePoints(v); err != nil {
			err = apperr.Invalid("points", "分值格式不正确："+v)
		}
	} else if !hasGrades(f) {
		err = apperr.Invalid("points", "请选择等级或填写分值")
	}
	if err == nil && hasGrades(f) {
		rt.Grades = map[string]string{}
		for k, v := range f {
			if sub, ok := strings.CutPrefix(k, "grade."); ok && len(v) > 0 && v[0] != "" {
				rt.Grades[sub] = v[0]
			}
		}
	}
	var card *scorecards.Scorecard
	if err == nil {
		card, err = s.Scorecards.Rate(r.Context(), id, version(r), item, rt)
	}
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.rated", "Total", card.Final.String()))
		return redirect(w, r, cardHref(card.StaffID, card.Period, card.ID)+"#line-"+item)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	// Re-show the card of the form's staff member and month.
	q := r.URL.Query()
	q.Set("month", f.Get("month"))
	q.Set("card", id)
	r.URL.RawQuery = q.Encode()
	p, perr := s.appraisalData(r, apStaff(r, f.Get("staff_id")))
	if perr != nil {
		return perr
	}
	p.FormItem, p.Form = item, f
	_, d := httpx.Detail(s.Log, r, err)
	p.Error = &d
	return s.render(w, httpx.Status(err), "appraisal_card", "", p)
}

func hasGrades(f url.Values) bool {
	for k := range f {
		if strings.HasPrefix(k, "grade.") {
			return true
		}
	}
	return false
}

// appraisalCompute computes the month's cards (of everyone, or of the
// staff member given) and says how many.
func (s *Server) appraisalCompute(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	month := strings.TrimSpace(f.Get("month"))
	if month == "" {
		month = rates.MonthOf(calendar.DateOf(s.Now(), s.Loc)).String()
	}
	staffID := strings.TrimSpace(f.Get("staff_id"))
	n, err := s.Scorecards.Compute(r.Context(), month, staffID)
	if err != nil {
		return err
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.computed", "Month", month, "Computed", n.Computed, "Frozen", n.Frozen, "NoScheme", n.NoScheme))
	if staffID != "" {
		return redirect(w, r, "/appraisal?"+url.Values{"staff_id": {staffID}, "month": {month}}.Encode())
	}
	return redirect(w, r, "/appraisal/team?"+url.Values{"month": {month}}.Encode())
}

// ---- a line's occurrences ----------------------------------------------------

// apRef is a record that proves an event, with the page that shows it.
type apRef struct {
	Kind, Role, Href string
}

// apEvent is one occurrence of a line with its evidence.
type apEvent struct {
	events.Event
	TypeName string
	Refs     []apRef
}

// apDeduction is one rule's deduction with its occurrences.
type apDeduction struct {
	appraisal.Deduction
	Events  []apEvent
	Records []apRef // a sample day's failing records
}

type appraisalLinePage struct {
	monthPage
	CardID     string // the card asked for by id (a check)
	StaffID    string
	StaffName  string
	Item       string
	Line       *appraisal.Line
	Stored     bool
	Deductions []apDeduction
	Evidence   []apRef // a rate line's rows
}

// CardHref is the card the line belongs to.
func (p *appraisalLinePage) CardHref() string {
	q := url.Values{"staff_id": {p.StaffID}, "month": {p.Month}}
	if p.CardID != "" {
		q.Set("card", p.CardID)
	}
	return "/appraisal?" + q.Encode() + "#line-" + p.Item
}

// KindText names a kind of record.
func (p *Page) KindText(kind string) string { return p.T("appraisal.kind." + kind) }

// RoleText names the part a record plays in an event.
func (p *Page) RoleText(role string) string {
	if l := p.T("appraisal.role." + role); l != "appraisal.role."+role {
		return l
	}
	return ""
}

func (s *Server) appraisalLine(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.monthPage(r, "appraisal", "appraisal.line_title")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := &appraisalLinePage{monthPage: mp, StaffID: apStaff(r, q.Get("staff_id")), Item: strings.TrimSpace(q.Get("item"))}
	card, stored, err := s.loadCard(r, p.StaffID, p.Month)
	if err != nil {
		return err
	}
	if card == nil {
		return apperr.NotFound("scorecard")
	}
	p.Stored = stored != nil
	if stored != nil && strings.TrimSpace(q.Get("card")) != "" {
		p.CardID, p.StaffID = stored.ID, stored.StaffID
	}
	for i := range card.Lines {
		if card.Lines[i].Item == p.Item {
			p.Line = &card.Lines[i]
		}
	}
	if p.Line == nil {
		return apperr.Invalid("item", "考核表没有这一项："+p.Item)
	}
	p.Title = p.Line.Name
	p.StaffName = p.User.Name
	if p.StaffID != p.User.StaffID {
		if st, err := s.Org.GetStaff(r.Context(), p.StaffID); err == nil {
			p.StaffName = st.Name
		}
	}
	var ids []string
	for _, d := range p.Line.Deductions {
		ids = append(ids, d.EventIDs...)
	}
	byID := map[string]*apEvent{}
	if len(ids) > 0 {
		start, err := time.ParseInLocation("2006-01", p.Month, s.Loc)
		if err != nil {
			return apperr.Invalid("month", "月份格式应为 YYYY-MM")
		}
		evs, err := events.List(r.Context(), s.DB.R(), events.Filter{StaffID: p.StaffID, From: start, To: start.AddDate(0, 1, 0), Withdrawn: true, Limit: 5000})
		if err != nil {
			return err
		}
		var refs []events.Ref
		for _, e := range evs {
			refs = append(refs, e.Evidence...)
		}
		hrefs, err := s.evidenceHrefs(r, refs)
		if err != nil {
			return err
		}
		for _, e := range evs {
			ae := &apEvent{Event: e, TypeName: cmp.Or(appraisal.KnownEventTypes[e.Type], e.Type)}
			for _, ref := range e.Evidence {
				ae.Refs = append(ae.Refs, apRef{Kind: ref.Kind, Role: ref.Role, Href: hrefs[ref.Kind+":"+ref.ID]})
			}
			byID[e.ID] = ae
		}
	}
	for _, d := range p.Line.Deductions {
		ad := apDeduction{Deduction: d}
		for _, id := range d.EventIDs {
			switch e := byID[id]; {
			case e != nil:
				ad.Events = append(ad.Events, *e)
			case p.Line.Method == appraisal.MethodSample:
				// A sample day's evidence: the failing chat records.
				ad.Records = append(ad.Records, apRef{Kind: "communication", Role: "failed_sample", Href: "/communications/" + id})
			}
		}
		p.Deductions = append(p.Deductions, ad)
	}
	// A rate line's rows: the contracts behind 续约率 and 回款率.
	for _, ev := range p.Line.Evidence {
		kind, id, ok := strings.Cut(ev, ":")
		if !ok {
			continue
		}
		switch kind {
		case "contract":
			p.Evidence = append(p.Evidence, apRef{Kind: kind, Href: "/contracts/" + id})
		case "installment":
			p.Evidence = append(p.Evidence, apRef{Kind: kind, Href: "/rates?" + url.Values{"month": {p.Month}}.Encode()})
		}
	}
	return s.render(w, http.StatusOK, "appraisal_line", "", p)
}

// evidenceHrefs gives each evidence record (kind:id) the page that shows
// it; a record with no page of its own opens the page it belongs to.
func (s *Server) evidenceHrefs(r *http.Request, refs []events.Ref) (map[string]string, error) {
	out := map[string]string{}
	byKind := map[string][]string{}
	for _, ref := range refs {
		k := ref.Kind + ":" + ref.ID
		switch ref.Kind {
		case "communication":
			out[k] = "/communications/" + ref.ID
		case "ticket":
			out[k] = "/tickets/" + ref.ID
		case "work_order":
			out[k] = "/work-orders/" + ref.ID
		case "customer":
			out[k] = "/customers/" + ref.ID
		case "contract":
			out[k] = "/contracts/" + ref.ID
		case "project":
			out[k] = "/projects/" + ref.ID
		case "problem":
			out[k] = "/problems/" + ref.ID
		default:
			byKind[ref.Kind] = append(byKind[ref.Kind], ref.ID)
		}
	}
	db := s.DB.R()
	ctx := r.Context()
	lookup := func(kind, query string, href func(a, b string) string) error {
		ids := byKind[kind]
		if len(ids) == 0 {
			return nil
		}
		var rows []struct {
			ID string `bun:"id"`
			A  string `bun:"a"`
			B  string `bun:"b"`
		}
		if err := db.NewRaw(query, bun.In(ids)).Scan(ctx, &rows); err != nil {
			return err
		}
		for _, row := range rows {
			out[kind+":"+row.ID] = href(row.A, row.B)
		}
		return nil
	}
	staffQ := func(path, staff string) string {
		if staff == access.From(ctx).StaffID {
			return path
		}
		return path + "?" + url.Values{"staff_id": {staff}}.Encode()
	}
	for _, l := range []struct {
		kind, query string
		href        func(a, b string) string
	}{
		{"daily_summary", "SELECT id, day AS a, staff_id AS b FROM daily_summaries WHERE id IN (?)",
			func(day, staff string) string { return staffQ("/daily-summaries/"+day, staff) }},
		{"monthly_summary", "SELECT id, month AS a, staff_id AS b FROM monthly_summaries WHERE id IN (?)",
			func(month, staff string) string { return staffQ("/monthly-summaries/"+month, staff) }},
		{"callback", "SELECT id, ticket_id AS a, '' AS b FROM callbacks WHERE id IN (?)",
			func(ticket, _ string) string { return "/tickets/" + ticket }},
		{"work_order_return", "SELECT id, work_order_id AS a, '' AS b FROM work_order_returns WHERE id IN (?)",
			func(order, _ string) string { return "/work-orders/" + order }},
		{"archive_change", "SELECT id, customer_id AS a, '' AS b FROM archive_changes WHERE id IN (?)",
			func(customer, _ string) string { return "/customers/" + customer }},
	} {
		if err := lookup(l.kind, l.query, l.href); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- a communication record ---------------------------------------------------

type commRecordPage struct {
	Page
	Record *comms.View
	Thread []comms.View
}

// commRecordPage shows one communication record (the evidence of a
// response timeout: the customer's message and our reply) with the
// conversation around it.
func (s *Server) commRecord(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rec, err := s.Comms.Get(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := &commRecordPage{Page: s.page(r, "comms", "appraisal.comm_title")}
	f := comms.Filter{From: rec.OccurredAt.Add(-24 * time.Hour), To: rec.OccurredAt.Add(24 * time.Hour), Limit: 50}
	switch {
	case rec.Conversation != "":
		f.Conversation = rec.Conversation
	case rec.CustomerID != nil:
		f.CustomerID = *rec.CustomerID
	default:
		f.From, f.To = rec.OccurredAt, rec.OccurredAt.Add(time.Second)
	}
	page, err := s.Comms.List(ctx, f)
	if err != nil {
		return err
	}
	for i := range page.Items {
		if page.Items[i].ID == rec.ID {
			v := page.Items[i]
			p.Record = &v
		}
	}
	if p.Record == nil {
		p.Record = &comms.View{Record: *rec}
		page.Items = append(page.Items, *p.Record)
	}
	// Oldest first: the message, then the reply.
	p.Thread = page.Items
	slices.SortStableFunc(p.Thread, func(a, b comms.View) int { return a.OccurredAt.Compare(b.OccurredAt) })
	return s.render(w, http.StatusOK, "appraisal_communication", "", p)
}

// ---- the team's scoreboard -------------------------------------------------------

type apTeamRow struct {
	scorecards.BoardCard
	Cells []string // category scores, by the page's Categories
}

type apReason struct {
	Rule   string
	Count  int64
	Points appraisal.Points
	People int
}

type appraisalTeamPage struct {
	monthPage
	Categories []string
	Rows       []apTeamRow
	Reasons    []apReason
	Chart      string // JSON for static/appraisal.js
}

// CardHref opens a person's card of the month.
func (p *appraisalTeamPage) CardHref(staffID string) string {
	return "/appraisal?" + url.Values{"staff_id": {staffID}, "month": {p.Month}}.Encode()
}

// StatusText names a card's state.
func (p *appraisalTeamPage) StatusText(status string) string {
	return p.T("appraisal.status." + status)
}

type apSeries struct {
	Name string    `json:"name"`
	Data []float64 `json:"data"`
}

type apTrend struct {
	Name string     `json:"name"`
	Data []*float64 `json:"data"`
}

type apChart struct {
	People     []string   `json:"people"`
	Categories []apSeries `json:"categories"` // stacked bars: a series per category over People
	Months     []string   `json:"months"`
	Trend      []apTrend  `json:"trend"` // a line per person over Months (null: no card)
	TotalLabel string     `json:"total_label"`
	TrendLabel string     `json:"trend_label"`
}

func points(p appraisal.Points) float64 { return float64(p) / 100 }

func (s *Server) appraisalTeam(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.monthPage(r, "appraisal_team", "appraisal.team_title")
	if err != nil {
		return err
	}
	if !mp.SeesTeam() {
		return redirect(w, r, "/appraisal?"+url.Values{"month": {mp.Month}}.Encode())
	}
	p := &appraisalTeamPage{monthPage: mp}
	m, _ := rates.ParseMonth(p.Month)
	from := m
	for range 11 {
		from = from.Prev()
	}
	cards, err := s.Scorecards.BoardCards(r.Context(), from.String(), p.Month)
	if err != nil {
		return err
	}
	// This month's table and reasons.
	catAt := map[string]int{}
	reasons := map[string]*apReason{}
	people := map[string]map[string]bool{}
	for _, c := range cards {
		if c.Period != p.Month {
			continue
		}
		for _, cr := range c.Card.Categories {
			if _, ok := catAt[cr.Name]; !ok {
				catAt[cr.Name] = len(p.Categories)
				p.Categories = append(p.Categories, cr.Name)
			}
		}
		for _, l := range c.Card.Lines {
			for _, d := range l.Deductions {
				if d.Points == 0 {
					continue
				}
				rs := reasons[d.Rule]
				if rs == nil {
					rs = &apReason{Rule: d.Rule}
					reasons[d.Rule], people[d.Rule] = rs, map[string]bool{}
				}
				rs.Count += d.Count
				rs.Points += d.Points
				people[d.Rule][c.StaffID] = true
			}
		}
	}
	ch := apChart{TotalLabel: p.T("appraisal.chart_total"), TrendLabel: p.T("appraisal.chart_trend")}
	for range p.Categories {
		ch.Categories = append(ch.Categories, apSeries{})
	}
	for i, name := range p.Categories {
		ch.Categories[i].Name = name
	}
	for _, c := range cards {
		if c.Period != p.Month {
			continue
		}
		row := apTeamRow{BoardCard: c, Cells: make([]string, len(p.Categories))}
		for i := range ch.Categories {
			ch.Categories[i].Data = append(ch.Categories[i].Data, 0)
		}
		for _, cr := range c.Card.Categories {
			i := catAt[cr.Name]
			row.Cells[i] = cr.Score.String()
			ch.Categories[i].Data[len(ch.People)] += points(cr.Score)
		}
		ch.People = append(ch.People, c.StaffName)
		p.Rows = append(p.Rows, row)
	}
	for rule, rs := range reasons {
		rs.People = len(people[rule])
		p.Reasons = append(p.Reasons, *rs)
	}
	slices.SortFunc(p.Reasons, func(a, b apReason) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(b.Count, a.Count), strings.Compare(a.Rule, b.Rule))
	})
	if len(p.Reasons) > 10 {
		p.Reasons = p.Reasons[:10]
	}
	// The 12 months' trend, a line per person with a card in any of them.
	at := map[string]int{}
	for mo := from; ; mo = mo.Next() {
		at[mo.String()] = len(ch.Months)
		ch.Months = append(ch.Months, mo.String())
		if mo.String() == p.Month {
			break
		}
	}
	line := map[string]int{}
	for _, c := range cards {
		i, ok := line[c.StaffID]
		if !ok {
			i = len(ch.Trend)
			line[c.StaffID] = i
			ch.Trend = append(ch.Trend, apTrend{Name: c.StaffName, Data: make([]*float64, len(ch.Months))})
		}
		v := points(c.Final)
		ch.Trend[i].Data[at[c.Period]] = &v
	}
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	p.Chart = string(b)
	return s.render(w, http.StatusOK, "appraisal_team", "", p)
}

// Cols is the table's column count.
func (p *appraisalTeamPage) Cols() int { return len(p.Categories) + 3 }

// Score shows a category cell.
func (p *appraisalTeamPage) Score(v string) string { return cmp.Or(v, "—") }
