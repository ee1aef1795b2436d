package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/rates"
	"kefu/internal/tickets"
)

// 回访: the callbacks due and done with the record form, the callback
// rate of a month per specialist; the manager's quarterly re-call sample
// (回访抽查), the quarterly complaint analysis (投诉分析) and the rules of
// tickets and callbacks (工单与回访规则).

// CallbackViews are the callback list's views: due (not done), done, all.
func (enums) CallbackViews() []string { return []string{"due", "done", "all"} }

type callbackFilter struct{ View, Staff string }

// callbackRate is one staff member's callback rate with their name.
type callbackRate struct {
	Name string
	tickets.CallbackRate
}

type callbacksPage struct {
	Page
	choices
	enums
	Filter callbackFilter
	Items  []tickets.CallbackView
	// Month is the month of the rates, with the months around it.
	Month, Prev, Next string
	Rates             []callbackRate
	Now               string
	// Open names the record form to show open after an error in it.
	Open   string
	posted url.Values
}

// F is the value the user posted in field name (kept after an error).
func (p *callbacksPage) F(name string) string { return p.posted.Get(name) }

// CanRecord reports whether the viewer records callback cb on this page:
// managers any, a specialist those charged to them (the ticket page offers
// the form to everyone who works the ticket).
func (p *callbacksPage) CanRecord(cb tickets.CallbackView) bool {
	if !p.Can(string(access.CommWrite)) || cb.DoneAt != nil || cb.CancelledAt != nil {
		return false
	}
	return p.User.IsManagerial() || cb.StaffID != nil && *cb.StaffID == p.User.StaffID
}

// LateDone reports whether cb was done after its deadline.
func (p *callbacksPage) LateDone(cb tickets.CallbackView) bool {
	return cb.DoneAt != nil && cb.DueAt != nil && cb.DoneAt.After(*cb.DueAt)
}

// Percent shows a callback rate; — when nothing was due.
func (p *callbacksPage) Percent(r callbackRate) string {
	if r.Ratio.NothingDue() {
		return "—"
	}
	return r.Ratio.Percent()
}

// Sat shows a satisfaction score.
func (p *callbacksPage) Sat(n *int) string {
	if n == nil {
		return "—"
	}
	return strconv.Itoa(*n)
}

func (s *Server) callbacksData(r *http.Request) (*callbacksPage, error) {
	ctx := r.Context()
	q := r.URL.Query()
	cf := callbackFilter{View: q.Get("view"), Staff: q.Get("staff")}
	if !slices.Contains([]string{"due", "done", "all"}, cf.View) {
		cf.View = "due"
	}
	m := rates.MonthOf(calendar.DateOf(s.Now(), s.Loc))
	if v := strings.TrimSpace(q.Get("month")); v != "" {
		var err error
		if m, err = rates.ParseMonth(v); err != nil {
			return nil, apperr.Invalid("month", "月份格式应为 YYYY-MM")
		}
	}
	f := tickets.CallbackFilter{StaffID: cf.Staff, Open: cf.View == "due", Limit: 500}
	items, err := s.Tickets.Callbacks(ctx, f)
	if err != nil {
		return nil, err
	}
	if cf.View == "done" {
		items = slices.DeleteFunc(items, func(c tickets.CallbackView) bool { return c.DoneAt == nil })
		slices.SortStableFunc(items, func(a, b tickets.CallbackView) int { return b.DoneAt.Compare(*a.DoneAt) })
	}
	p := &callbacksPage{Page: s.page(r, "callbacks", "callbacks.title"), Filter: cf, Items: items, Month: m.String(),
		Prev: m.Prev().String(), Next: m.Next().String(), Now: s.nowSecond(), posted: url.Values{}}
	p.FieldPrefixes = []string{"callback.field."}
	if p.choices, err = s.choices(r); err != nil {
		return nil, err
	}
	rs, err := s.Tickets.CallbackRates(ctx, m.String())
	if err != nil {
		return nil, err
	}
	names, err := s.Org.Names(ctx)
	if err != nil {
		return nil, err
	}
	for id, rt := range rs {
		p.Rates = append(p.Rates, callbackRate{Name: cmp.Or(names[id], "—"), CallbackRate: rt})
	}
	slices.SortFunc(p.Rates, func(a, b callbackRate) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.StaffID, b.StaffID))
	})
	return p, nil
}

func (s *Server) callbackList(w http.ResponseWriter, r *http.Request) error {
	p, err := s.callbacksData(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "callbacks", "", p)
}

// callbackRecord records a callback from the callbacks page or from the
// ticket page (back=/tickets/{id}), and answers on the page it came from.
func (s *Server) callbackRecord(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	in := tickets.CallbackInput{At: f("at"), Result: f("result"), CommunicationID: f("communication_id")}
	var err error
	if sat := strings.TrimSpace(f("satisfaction")); sat != "" {
		if in.Satisfaction, err = strconv.Atoi(sat); err != nil {
			err = apperr.Invalid("satisfaction", "满意度须为 1 到 5")
		}
	}
	if err == nil {
		_, err = s.Tickets.RecordCallback(r.Context(), id, version(r), in)
	}
	if ticketID, ok := strings.CutPrefix(f("back"), "/tickets/"); ok && ticketID != "" && !strings.Contains(ticketID, "/") {
		return s.afterTicketAction(w, r, ticketID, "callback-"+id, err)
	}
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "callback.recorded"))
		return redirect(w, r, "/callbacks")
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.callbacksData(r)
	if perr != nil {
		return perr
	}
	p.Open, p.posted = "callback-"+id, r.PostForm
	return s.formError(w, r, err, &p.Page, "callbacks", p)
}

// ---- 回访抽查 ---------------------------------------------------------------------

// quarterOf is the quarter of t in the company's zone.
func (s *Server) quarterOf(t time.Time) tickets.Quarter {
	return tickets.QuarterOf(calendar.DateOf(t, s.Loc))
}

// stepQuarter is q moved by n quarters.
func stepQuarter(q tickets.Quarter, n int) tickets.Quarter {
	i := q.Year*4 + q.Q - 1 + n
	return tickets.Quarter{Year: i / 4, Q: i%4 + 1}
}

type resamplePage struct {
	Page
	enums
	Set                 *tickets.ResampleSet
	Quarter, Prev, Next string
	Now                 string
	// Open names the record form to show open after an error in it.
	Open            string
	posted          url.Values
	names           map[string]string
	ResamplePercent int
}

// F is the value the user posted in field name (kept after an error).
func (p *resamplePage) F(name string) string { return p.posted.Get(name) }

// Name shows a staff member by name.
func (p *resamplePage) Name(id *string) string {
	if id == nil {
		return "—"
	}
	return cmp.Or(p.names[*id], "—")
}

// Sat shows a satisfaction score.
func (p *resamplePage) Sat(n *int) string {
	if n == nil {
		return "—"
	}
	return strconv.Itoa(*n)
}

func (s *Server) resampleData(r *http.Request, quarter string) (*resamplePage, error) {
	ctx := r.Context()
	q, err := tickets.ParseQuarter(quarter)
	if err != nil {
		return nil, apperr.Invalid("quarter", err.Error())
	}
	set, err := s.Tickets.ResampleSet(ctx, q.String())
	if err != nil {
		return nil, err
	}
	p := &resamplePage{Page: s.page(r, "callbacks", "resample.title"), Set: set, Quarter: q.String(),
		Prev: stepQuarter(q, -1).String(), Next: stepQuarter(q, 1).String(), Now: s.nowSecond(), posted: url.Values{}}
	p.Title = p.T("resample.title") + " · " + q.String()
	p.FieldPrefixes = []string{"callback.field."}
	if p.names, err = s.Org.Names(ctx); err != nil {
		return nil, err
	}
	pol, err := s.Tickets.Policy(ctx)
	if err != nil {
		return nil, err
	}
	p.ResamplePercent = pol.ResamplePercent
	return p, nil
}

func (s *Server) resamplePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.resampleData(r, r.PathValue("quarter"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "resamples", "", p)
}

func (s *Server) resampleGenerate(w http.ResponseWriter, r *http.Request) error {
	set, err := s.Tickets.GenerateResample(r.Context(), r.PathValue("quarter"))
	if err != nil {
		return err
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "resample.generated", "N", len(set.Items)))
	return redirect(w, r, "/resamples/"+set.Quarter)
}

func (s *Server) resampleRecord(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	in := tickets.ResampleInput{At: f("at"), Result: f("result")}
	var err error
	if sat := strings.TrimSpace(f("satisfaction")); sat != "" {
		if in.Satisfaction, err = strconv.Atoi(sat); err != nil {
			err = apperr.Invalid("satisfaction", "满意度须为 1 到 5")
		}
	}
	var rs *tickets.Resample
	if err == nil {
		rs, err = s.Tickets.RecordResample(r.Context(), id, version(r), in)
	}
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/resamples/"+rs.Quarter)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.resampleData(r, f("quarter"))
	if perr != nil {
		return perr
	}
	p.Open, p.posted = id, r.PostForm
	return s.formError(w, r, err, &p.Page, "resamples", p)
}

// ---- 投诉分析 ----------------------------------------------------------------------

type analysisPage struct {
	Page
	A                   *tickets.ComplaintAnalysis
	Quarter, Prev, Next string
}

func (s *Server) complaintAnalysis(w http.ResponseWriter, r *http.Request) error {
	q := s.quarterOf(s.Now())
	if v := strings.TrimSpace(r.URL.Query().Get("quarter")); v != "" {
		var err error
		if q, err = tickets.ParseQuarter(v); err != nil {
			return apperr.Invalid("quarter", err.Error())
		}
	}
	a, err := s.Tickets.ComplaintAnalysis(r.Context(), q.String())
	if err != nil {
		return err
	}
	p := &analysisPage{Page: s.page(r, "tickets", "analysis.title"), A: a, Quarter: q.String(),
		Prev: stepQuarter(q, -1).String(), Next: stepQuarter(q, 1).String()}
	p.Title = p.T("analysis.title") + " · " + q.String()
	return s.render(w, http.StatusOK, "complaint_analysis", "", p)
}

// ---- 工单与回访规则 ---------------------------------------------------------------

type ticketPolicyPage struct {
	Page
	enums
	P tickets.Policy
	// Rules are the SLA rule rows as shown: the saved rules, or the rows
	// as posted (the targets as typed) when the save was refused.
	Rules []slaRow
}

// slaRow is a row of the SLA rules table; First and Solution are the
// targets as typed.
type slaRow struct {
	tickets.SLARule
	First, Solution, Callback string
}

func slaRowsOf(rules []tickets.SLARule) []slaRow {
	out := make([]slaRow, len(rules))
	for i, r := range rules {
		out[i] = slaRow{SLARule: r, First: strconv.Itoa(r.FirstResponseMinutes), Solution: strconv.Itoa(r.SolutionHours), Callback: strconv.Itoa(r.CallbackDays)}
	}
	return out
}

// Classes are the customer classes a rule may match.
func (ticketPolicyPage) Classes() []string { return []string{"A", "B", "C", "D"} }

// slaRules reads the SLA rule rows of the policy form (parallel arrays),
// leaving out rows added and left empty. A target left empty is 0 (no
// target); one that is not a whole number is an error on its row (the
// row's index among the rules read, as the domain's errors count), and
// the rows keep what was typed.
func slaRules(r *http.Request) ([]slaRow, []tickets.SLARule, error) {
	f := r.PostForm
	at := func(key string, i int) string {
		if v := f[key]; i < len(v) {
			return strings.TrimSpace(v[i])
		}
		return ""
	}
	var rows []slaRow
	var rules []tickets.SLARule
	var bad error
	for i := range f["sla_name"] {
		row := slaRow{SLARule: tickets.SLARule{Name: at("sla_name", i), Type: at("sla_type", i), Urgency: at("sla_urgency", i), Class: at("sla_class", i),
			Channel: at("sla_channel", i), WorkingTime: at("sla_clock", i) == "working"}, First: at("sla_first", i), Solution: at("sla_solution", i),
			Callback: at("sla_callback", i)}
		if row == (slaRow{}) {
			continue // an empty added row
		}
		for _, t := range []struct {
			typed, field, msg string
			into              *int
		}{
			{row.First, "first_response_minutes", "请填写整数分钟，不考核填 0", &row.FirstResponseMinutes},
			{row.Solution, "solution_hours", "请填写整数小时，不考核填 0", &row.SolutionHours},
			{row.Callback, "callback_days", "请填写整数天数，按工单类型默认填 0", &row.CallbackDays},
		} {
			if t.typed == "" {
				continue
			}
			n, err := strconv.Atoi(t.typed)
			if err != nil && bad == nil {
				bad = apperr.Invalid(fmt.Sprintf("sla[%d].%s", len(rows), t.field), fmt.Sprintf("“%s”不是整数：%s", t.typed, t.msg))
			}
			*t.into = n
		}
		rows = append(rows, row)
		rules = append(rules, row.SLARule)
	}
	return rows, rules, bad
}

func (s *Server) ticketPolicy(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Tickets.Policy(r.Context())
	if err != nil {
		return err
	}
	p := ticketPolicyPage{Page: s.page(r, "admin", "ticket_policy.title"), P: pol, Rules: slaRowsOf(pol.SLA)}
	return s.render(w, http.StatusOK, "ticket_policy", "", &p)
}

func (s *Server) ticketPolicySave(w http.ResponseWriter, r *http.Request) error {
	n := func(name string) int { v, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name))); return v }
	if err := r.ParseForm(); err != nil {
		return err
	}
	rows, rules, err := slaRules(r)
	pol := tickets.Policy{RepairCallbackWorkingDays: n("repair_callback_working_days"), ComplaintCallbackDays: n("complaint_callback_days"),
		MajorReplyWorkingDays: n("major_reply_working_days"), ResamplePercent: n("resample_percent"), SLA: rules}
	if len(pol.SLA) == 0 && r.PostFormValue("sla_present") == "1" {
		pol.SLA = []tickets.SLARule{} // every row removed: refused by the domain with its message
	}
	if err == nil {
		err = s.Tickets.SavePolicy(r.Context(), pol)
	}
	if err != nil {
		p := ticketPolicyPage{Page: s.page(r, "admin", "ticket_policy.title"), P: pol, Rules: rows}
		if pol.SLA == nil { // a form without the rules table
			p.Rules = slaRowsOf(nil)
			if cur, cerr := s.Tickets.Policy(r.Context()); cerr == nil {
				p.Rules = slaRowsOf(cur.SLA)
			}
		}
		p.FieldPrefixes = []string{"ticket_policy."}
		return s.formError(w, r, err, &p.Page, "ticket_policy", &p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/tickets-policy")
}

// CurrentQuarter is this quarter ("2026Q1"), for the link to its sample.
func (p *Page) CurrentQuarter() string { return p.srv.quarterOf(p.srv.Now()).String() }
