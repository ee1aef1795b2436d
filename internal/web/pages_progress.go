package web

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
	"kefu/internal/rates"
)

// 工作跟进 (SPEC §6.3, §6.5, §6.6): the day's follow-ups of a specialist's
// customers (施工提醒, 微信群反馈) with the missing end-of-day reports, the
// daily summary (当日施工/维保汇总), problems passed to the party
// concerned, the 25th's monthly summary to the general manager and the
// monthly problem statistics whose every count opens to its records.

func (enums) ProblemTypes() []string { return fieldwork.ProblemTypes }

// progressFieldPrefixes label the fields the progress forms' errors name.
var progressFieldPrefixes = []string{"progress.field.", "work.field."}

// pickStaff reports whether the viewer reads other people's summaries
// (managers and the general manager) and so is offered the choice.
func pickStaff(p *access.Principal) bool { return p.IsManagerial() || p.Has(access.Executive) }

// staffOf is whose summary the page shows: ?staff_id= for those who may
// choose, the viewer otherwise.
func staffOf(r *http.Request) string {
	me := access.From(r.Context())
	if v := strings.TrimSpace(r.URL.Query().Get("staff_id")); v != "" && pickStaff(me) {
		return v
	}
	return me.StaffID
}

// specialists are the active specialists for a manager's choice.
func (s *Server) specialists(r *http.Request) ([]org.Staff, error) {
	yes := true
	return s.Org.ListStaff(r.Context(), org.StaffFilter{Role: access.CSSpecialist, Active: &yes})
}

// dayOf is ?day= (YYYY-MM-DD), or today.
// withStaff adds the one shown to a choice of specialists when missing
// (a manager's own summary).
func withStaff(list []org.Staff, id, name string) []org.Staff {
	if id == "" || slices.ContainsFunc(list, func(st org.Staff) bool { return st.ID == id }) {
		return list
	}
	return append(list, org.Staff{ID: id, Name: name})
}

func (s *Server) dayOf(v string) (calendar.Date, error) {
	if v = strings.TrimSpace(v); v == "" {
		return calendar.DateOf(s.Now(), s.Loc), nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return d, apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	return d, nil
}

// idsParam reads a comma-separated id list.
func idsParam(v string) []string {
	var out []string
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// ProblemsLink is the problems list of a statistics cell ("" when empty).
func (p *Page) ProblemsLink(c *fieldwork.StatCell) string {
	if c == nil || len(c.ProblemIDs) == 0 {
		return ""
	}
	return "/problems?" + url.Values{"ids": {strings.Join(c.ProblemIDs, ",")}}.Encode()
}

// ProblemLabel names a problem type (逾期问题).
func (p *Page) ProblemLabel(typ string) string { return p.T("problem.type." + typ) }

// ---- 工作跟进 ----------------------------------------------------------------------

// followupCustomer is one customer with work on the day.
type followupCustomer struct {
	CustomerID, CustomerName string
	OwnerID, OwnerName       string
	Lines                    []fieldwork.SummaryLine
	Reminders, Feedbacks     []fieldwork.Followup
	// ReminderOK / FeedbackOK: a reminder by the end of the day, a group
	// post on the day itself (the rule of the followup_missing event).
	ReminderOK, FeedbackOK bool
}

type followupsPage struct {
	Page
	Day, Prev, Next, Today string
	StaffID                string
	Specialists            []org.Staff
	Customers              []followupCustomer
	Missing                []fieldwork.MissingReport
	Now                    string
	// Open is the form shown with the error: customer id + "|" + kind.
	Open   string
	posted url.Values
}

// F is the value posted in field name (after an error in form key).
func (p *followupsPage) F(key, name string) string {
	if p.Open != key {
		return ""
	}
	return p.posted.Get(name)
}

// CanRecord reports whether the viewer records the customer's follow-ups.
func (p *followupsPage) CanRecord(c followupCustomer) bool {
	return p.Can(string(access.WorkDispatch)) && (p.User.IsManagerial() || c.OwnerID == p.User.StaffID)
}

// PickStaff reports whether the viewer chooses a specialist.
func (p *Page) PickStaff() bool { return pickStaff(p.User) }

func (s *Server) followupsData(r *http.Request, dayText string) (*followupsPage, error) {
	ctx := r.Context()
	p := &followupsPage{Page: s.page(r, "followups", "followups.title"), Today: s.today(), Now: s.nowSecond(), posted: url.Values{}}
	p.FieldPrefixes = progressFieldPrefixes
	d, err := s.dayOf(dayText)
	if err != nil {
		p.Day = dayText
		return p, err
	}
	p.Day, p.Prev, p.Next = d.String(), d.AddDays(-1).String(), d.AddDays(1).String()
	me := p.User
	var staff []string
	if pickStaff(me) {
		if p.Specialists, err = s.specialists(r); err != nil {
			return nil, err
		}
		p.StaffID = strings.TrimSpace(r.URL.Query().Get("staff_id"))
		if p.StaffID != "" {
			staff = []string{p.StaffID}
		} else {
			for _, st := range p.Specialists {
				staff = append(staff, st.ID)
			}
			if me.StaffID != "" && !slices.Contains(staff, me.StaffID) {
				staff = append(staff, me.StaffID)
			}
		}
	} else if me.StaffID != "" {
		staff = []string{me.StaffID}
	}
	names, err := s.Org.Names(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range staff {
		sum, err := s.Fieldwork.DailySummary(ctx, id, p.Day)
		if err != nil {
			return nil, err
		}
		for _, ln := range sum.Lines {
			i := slices.IndexFunc(p.Customers, func(c followupCustomer) bool { return c.CustomerID == ln.CustomerID })
			if i < 0 {
				p.Customers = append(p.Customers, followupCustomer{CustomerID: ln.CustomerID, CustomerName: ln.CustomerName,
					OwnerID: id, OwnerName: names[id]})
				i = len(p.Customers) - 1
			}
			p.Customers[i].Lines = append(p.Customers[i].Lines, ln)
		}
	}
	for i := range p.Customers {
		c := &p.Customers[i]
		fs, err := s.Fieldwork.Followups(ctx, c.CustomerID, p.Day, p.Day)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			on := calendar.DateOf(f.At, s.Loc).String()
			switch f.Kind {
			case fieldwork.FollowupReminder:
				c.Reminders = append(c.Reminders, f)
				c.ReminderOK = c.ReminderOK || on <= p.Day
			case fieldwork.FollowupGroupFeedback:
				c.Feedbacks = append(c.Feedbacks, f)
				c.FeedbackOK = c.FeedbackOK || on == p.Day
			}
		}
	}
	slices.SortStableFunc(p.Customers, func(a, b followupCustomer) int {
		return cmp.Or(cmp.Compare(a.OwnerName, b.OwnerName), cmp.Compare(a.CustomerName, b.CustomerName))
	})
	if p.Missing, err = s.Fieldwork.MissingReports(ctx, p.Day); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) followupsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.followupsData(r, r.URL.Query().Get("day"))
	if err != nil {
		if p == nil {
			return err
		}
		return s.formError(w, r, err, &p.Page, "followups", p)
	}
	return s.render(w, http.StatusOK, "followups", "", p)
}

// followupRecord records a reminder or a group feedback from the page.
func (s *Server) followupRecord(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	in := fieldwork.FollowupInput{CustomerID: v.Get("customer_id"), WorkOrderID: v.Get("work_order_id"), Day: v.Get("day"),
		Kind: v.Get("kind"), At: v.Get("at"), Note: v.Get("note")}
	_, err := s.Fieldwork.RecordFollowup(r.Context(), in)
	back := "/followups?" + url.Values{"day": {in.Day}}.Encode()
	if sid := v.Get("staff_id"); sid != "" {
		back += "&" + url.Values{"staff_id": {sid}}.Encode()
	}
	if err == nil {
		msg := "followups.recorded.reminder"
		if in.Kind == fieldwork.FollowupGroupFeedback {
			msg = "followups.recorded.group_feedback"
		}
		s.flash(r.Context(), s.cat.translate(s.lang(r), msg))
		return redirect(w, r, back)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.followupsData(r, in.Day)
	if p == nil {
		return perr
	}
	p.Open, p.posted = in.CustomerID+"|"+in.Kind, v
	return s.formError(w, r, err, &p.Page, "followups", p)
}

// ---- 当日汇总 -------------------------------------------------------------------------

type dailySummaryPage struct {
	Page
	Day, Prev, Next, Today string
	StaffID, StaffName     string
	Specialists            []org.Staff
	S                      *fieldwork.DailySummary
	Note                   string
}

// Mine reports whether the summary is the viewer's to submit.
func (p *dailySummaryPage) Mine() bool {
	return p.Can(string(access.WorkDispatch)) && p.User.StaffID != "" && p.StaffID == p.User.StaffID
}

// ReportStatus names an end-of-day report's status.
func (p *Page) ReportStatus(st string) string { return p.T("report.status." + st) }

// dailySummaryIndex opens the summary of ?day= (today by default).
func (s *Server) dailySummaryIndex(w http.ResponseWriter, r *http.Request) error {
	day := strings.TrimSpace(r.URL.Query().Get("day"))
	if day == "" {
		day = s.today()
	}
	target := "/daily-summaries/" + url.PathEscape(day)
	if q := r.URL.Query().Get("staff_id"); q != "" {
		target += "?" + url.Values{"staff_id": {q}}.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) dailySummaryData(r *http.Request, day string) (*dailySummaryPage, error) {
	ctx := r.Context()
	p := &dailySummaryPage{Page: s.page(r, "daily", "daily.title"), Day: day, Today: s.today(), StaffID: staffOf(r)}
	p.FieldPrefixes = progressFieldPrefixes
	if pickStaff(p.User) {
		var err error
		if p.Specialists, err = s.specialists(r); err != nil {
			return nil, err
		}
	}
	d, err := calendar.ParseDate(day)
	if err != nil {
		return p, apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	p.Prev, p.Next = d.AddDays(-1).String(), d.AddDays(1).String()
	names, err := s.Org.Names(ctx)
	if err != nil {
		return nil, err
	}
	p.StaffName = names[p.StaffID]
	p.Specialists = withStaff(p.Specialists, p.StaffID, p.StaffName)
	if p.S, err = s.Fieldwork.DailySummary(ctx, p.StaffID, day); err != nil {
		if apperr.KindOf(err) == apperr.KindInvalid {
			return p, err
		}
		return nil, err
	}
	if p.S.Submitted != nil {
		p.Note = p.S.Submitted.Note
	}
	p.Title = p.T("daily.title") + " · " + day
	return p, nil
}

func (s *Server) dailySummaryPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.dailySummaryData(r, r.PathValue("day"))
	if err != nil {
		if p == nil {
			return err
		}
		return s.formError(w, r, err, &p.Page, "daily_summary", p)
	}
	return s.render(w, http.StatusOK, "daily_summary", "", p)
}

func (s *Server) dailySummarySubmit(w http.ResponseWriter, r *http.Request) error {
	day := r.PathValue("day")
	note := postForm(r).Get("note")
	_, err := s.Fieldwork.SubmitDailySummary(r.Context(), day, version(r), note)
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "daily.submitted"))
		return redirect(w, r, "/daily-summaries/"+url.PathEscape(day))
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.dailySummaryData(r, day)
	if p == nil {
		return perr
	}
	p.Note = note
	return s.formError(w, r, err, &p.Page, "daily_summary", p)
}

// ---- 问题 ------------------------------------------------------------------------------

// problemRef names what a problem is about: its customer and work order.
type problemRef struct {
	CustomerName, WorkOrderNumber string
}

type problemsPage struct {
	Page
	enums
	Type        string
	Unforwarded bool
	IDs         []string
	Items       []fieldwork.Problem
	refs        map[string]problemRef
	names       map[string]string
}

// Ref names a problem's customer and work order.
func (p *problemsPage) Ref(pb fieldwork.Problem) problemRef { return p.refs[pb.ID] }

// Name shows a staff member by id ("—" for none).
func (p *problemsPage) Name(id *string) string { return nameOf(p.names, id) }

func nameOf(names map[string]string, id *string) string {
	if id == nil || names[*id] == "" {
		return "—"
	}
	return names[*id]
}

// ForwardLate reports whether a problem's forwarding is (or was) late.
func (p *Page) ForwardLate(pb fieldwork.Problem) bool { return pb.ForwardedLate(p.srv.Now()) }

// problemRefs names the problems' customers and work orders.
func problemRefs(pbs []fieldwork.Problem) map[string]problemRef {
	out := make(map[string]problemRef, len(pbs))
	for _, pb := range pbs {
		out[pb.ID] = problemRef{CustomerName: pb.CustomerName, WorkOrderNumber: pb.WorkOrderNumber}
	}
	return out
}

func (s *Server) problemList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &problemsPage{Page: s.page(r, "problems", "problems.title"), Type: q.Get("type"), Unforwarded: q.Get("unforwarded") == "1",
		IDs: idsParam(q.Get("ids"))}
	p.FieldPrefixes = progressFieldPrefixes
	if p.Type != "" && !slices.Contains(fieldwork.ProblemTypes, p.Type) {
		return s.formError(w, r, apperr.Invalid("type", "问题类型只能是 逾期、投诉、质量、验收 或 质保"), &p.Page, "problems", p)
	}
	ctx := r.Context()
	f := fieldwork.ProblemFilter{Type: p.Type, Unforwarded: p.Unforwarded, IDs: p.IDs, WorkOrderID: q.Get("work_order_id")}
	var err error
	if p.Items, err = s.Fieldwork.ListProblems(ctx, f); err != nil {
		return err
	}
	p.refs = problemRefs(p.Items)
	if p.names, err = s.Org.Names(ctx); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "problems", "", p)
}

type problemFormPage struct {
	Page
	enums
	In        fieldwork.ProblemInput
	WorkOrder *fieldwork.WorkOrderDetail
	Customers []customerChoice
	Now       string
}

// customerChoice is a customer in a select.
type customerChoice struct{ ID, Name string }

func (s *Server) problemForm(r *http.Request, in fieldwork.ProblemInput) (*problemFormPage, error) {
	p := &problemFormPage{Page: s.page(r, "problems", "problem.new"), In: in, Now: s.nowSecond()}
	p.FieldPrefixes = progressFieldPrefixes
	if in.WorkOrderID != "" {
		d, err := s.Fieldwork.GetWorkOrder(r.Context(), in.WorkOrderID)
		if err != nil {
			return nil, err
		}
		p.WorkOrder = d
		return p, nil
	}
	cs, err := s.writableCustomers(r, in.CustomerID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		p.Customers = append(p.Customers, customerChoice{ID: c.ID, Name: c.Name})
	}
	return p, nil
}

func (s *Server) problemNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := fieldwork.ProblemInput{WorkOrderID: q.Get("work_order_id"), CustomerID: q.Get("customer_id"), Type: q.Get("type")}
	p, err := s.problemForm(r, in)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "problem_form", "", p)
}

func (s *Server) problemCreate(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	in := fieldwork.ProblemInput{WorkOrderID: v.Get("work_order_id"), CustomerID: v.Get("customer_id"), Type: v.Get("type"),
		TechnicianID: v.Get("technician_id"), Description: v.Get("description"), Evidence: v.Get("evidence"), OccurredAt: v.Get("occurred_at")}
	pb, err := s.Fieldwork.RecordProblem(r.Context(), in)
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		p, perr := s.problemForm(r, in)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, err, &p.Page, "problem_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "problem.recorded"))
	return redirect(w, r, "/problems/"+pb.ID)
}

type problemPage struct {
	Page
	P         *fieldwork.Problem
	Ref       problemRef
	WorkOrder string // the work order's number
	Staff     []org.Staff
	Now       string
	Open      string
	posted    url.Values
	names     map[string]string
}

// F is the value posted in field name (kept after an error).
func (p *problemPage) F(name string) string { return p.posted.Get(name) }

// Name shows a staff member by id.
func (p *problemPage) Name(id *string) string { return nameOf(p.names, id) }

// CanWork reports whether the viewer forwards and resolves the problem
// (the customer's specialist or a manager).
func (p *problemPage) CanWork() bool {
	if !p.Can(string(access.WorkDispatch)) {
		return false
	}
	return p.User.IsManagerial() || (p.P.StaffID != nil && *p.P.StaffID == p.User.StaffID)
}

// Selected reports whether staff id is the forward form's choice: what
// was posted, else the technician concerned.
func (p *problemPage) Selected(id string) bool {
	if p.Open == "forward" {
		return p.F("to_staff_id") == id
	}
	return p.P.TechnicianID != nil && *p.P.TechnicianID == id
}

func (s *Server) problemData(r *http.Request, id string) (*problemPage, error) {
	ctx := r.Context()
	pb, err := s.Fieldwork.GetProblem(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &problemPage{Page: s.page(r, "problems", "problem.title"), P: pb, Now: s.nowSecond(), posted: url.Values{}}
	p.FieldPrefixes = progressFieldPrefixes
	p.Title = p.T("problem.title") + " · " + p.ProblemLabel(pb.Type)
	p.Ref = problemRefs([]fieldwork.Problem{*pb})[pb.ID]
	if p.names, err = s.Org.Names(ctx); err != nil {
		return nil, err
	}
	if p.CanWork() && pb.ForwardedAt == nil {
		yes := true
		if p.Staff, err = s.Org.ListStaff(ctx, org.StaffFilter{Active: &yes}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) problemPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.problemData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "problem", "", p)
}

func (s *Server) afterProblemAction(w http.ResponseWriter, r *http.Request, id, open, msg string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), msg))
		return redirect(w, r, "/problems/"+url.PathEscape(id))
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, derr := s.problemData(r, id)
	if derr != nil {
		return derr
	}
	p.Open, p.posted = open, r.PostForm
	return s.formError(w, r, err, &p.Page, "problem", p)
}

func (s *Server) problemForward(w http.ResponseWriter, r *http.Request) error {
	id, v := r.PathValue("id"), postForm(r)
	_, err := s.Fieldwork.ForwardProblem(r.Context(), id, version(r), fieldwork.ForwardInput{ToStaffID: v.Get("to_staff_id"),
		ToParty: v.Get("to_party"), Note: v.Get("note"), At: v.Get("at")})
	return s.afterProblemAction(w, r, id, "forward", "problem.forwarded", err)
}

func (s *Server) problemResolve(w http.ResponseWriter, r *http.Request) error {
	id, v := r.PathValue("id"), postForm(r)
	_, err := s.Fieldwork.ResolveProblem(r.Context(), id, version(r), fieldwork.ResolveInput{Resolution: v.Get("resolution"), At: v.Get("at")})
	return s.afterProblemAction(w, r, id, "resolve", "problem.resolved", err)
}

// ---- 月度汇总 (the 25th) ----------------------------------------------------------------

type monthlySummaryPage struct {
	Page
	enums
	Month, Prev, Next string
	StaffID           string
	Specialists       []org.Staff
	S                 *fieldwork.MonthlySummary
	To                string
}

// Mine reports whether the summary is the viewer's to submit.
func (p *monthlySummaryPage) Mine() bool {
	return p.Can(string(access.WorkDispatch)) && p.User.StaffID != "" && p.StaffID == p.User.StaffID
}

// ExportLink downloads the summary shown.
func (p *monthlySummaryPage) ExportLink() string {
	link := "/monthly-summaries/" + url.PathEscape(p.Month) + "/export"
	if p.StaffID != p.User.StaffID {
		link += "?" + url.Values{"staff_id": {p.StaffID}}.Encode()
	}
	return link
}

func (s *Server) thisMonth() string { return rates.MonthOf(calendar.DateOf(s.Now(), s.Loc)).String() }

// monthlySummaryIndex opens the summary of ?month= (this month by default).
func (s *Server) monthlySummaryIndex(w http.ResponseWriter, r *http.Request) error {
	month := strings.TrimSpace(r.URL.Query().Get("month"))
	if month == "" {
		month = s.thisMonth()
	}
	target := "/monthly-summaries/" + url.PathEscape(month)
	if q := r.URL.Query().Get("staff_id"); q != "" {
		target += "?" + url.Values{"staff_id": {q}}.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) monthlySummaryData(r *http.Request, month string) (*monthlySummaryPage, error) {
	p := &monthlySummaryPage{Page: s.page(r, "monthly", "monthly.title"), Month: month, StaffID: staffOf(r), To: "总经理"}
	p.FieldPrefixes = progressFieldPrefixes
	if pickStaff(p.User) {
		var err error
		if p.Specialists, err = s.specialists(r); err != nil {
			return nil, err
		}
	}
	m, err := rates.ParseMonth(month)
	if err != nil || len(month) != 7 {
		return p, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	p.Prev, p.Next = m.Prev().String(), m.Next().String()
	if p.S, err = s.Fieldwork.MonthlySummary(r.Context(), p.StaffID, month); err != nil {
		if apperr.KindOf(err) == apperr.KindInvalid {
			return p, err
		}
		return nil, err
	}
	p.Specialists = withStaff(p.Specialists, p.StaffID, p.S.StaffName)
	if p.S.Submitted != nil && p.S.Submitted.SubmittedTo != "" {
		p.To = p.S.Submitted.SubmittedTo
	}
	p.Title = p.T("monthly.title") + " · " + month
	return p, nil
}

func (s *Server) monthlySummaryPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.monthlySummaryData(r, r.PathValue("month"))
	if err != nil {
		if p == nil {
			return err
		}
		return s.formError(w, r, err, &p.Page, "monthly_summary", p)
	}
	return s.render(w, http.StatusOK, "monthly_summary", "", p)
}

func (s *Server) monthlySummarySubmit(w http.ResponseWriter, r *http.Request) error {
	month := r.PathValue("month")
	to := postForm(r).Get("to")
	_, err := s.Fieldwork.SubmitMonthlySummary(r.Context(), month, version(r), to)
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "monthly.submitted"))
		return redirect(w, r, "/monthly-summaries/"+url.PathEscape(month))
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.monthlySummaryData(r, month)
	if p == nil {
		return perr
	}
	p.To = to
	return s.formError(w, r, err, &p.Page, "monthly_summary", p)
}

// sendXLSX sends a workbook written by the domain as a download.
func sendXLSX(w http.ResponseWriter, name string, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *Server) monthlySummaryExport(w http.ResponseWriter, r *http.Request) error {
	month := r.PathValue("month")
	return sendXLSX(w, "monthly-summary-"+month, func(b *bytes.Buffer) error {
		return s.Fieldwork.ExportMonthlySummary(r.Context(), b, staffOf(r), month)
	})
}

// ---- 月度问题统计 ------------------------------------------------------------------------

type statisticsPage struct {
	monthPage
	enums
	S *fieldwork.MonthlyStatistics
}

// Tables are the statistics' three tables: dimension and rows.
func (p *statisticsPage) Tables() []statTable {
	return []statTable{{"region", p.S.ByRegion}, {"group", p.S.ByGroup}, {"technician", p.S.ByTechnician}}
}

// TotalOf is a row's total cell.
func (p *statisticsPage) TotalOf(r fieldwork.StatRow) *fieldwork.StatCell { return &r.Total }

type statTable struct {
	Dim  string
	Rows []fieldwork.StatRow
}

func (s *Server) statisticsPage(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.monthPage(r, "stats", "stats.title")
	if err != nil {
		return err
	}
	p := &statisticsPage{monthPage: mp}
	if p.S, err = s.Fieldwork.MonthlyStatistics(r.Context(), p.Month); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "fieldwork_statistics", "", p)
}

func (s *Server) statisticsExport(w http.ResponseWriter, r *http.Request) error {
	m, err := s.monthOf(r)
	if err != nil {
		return err
	}
	return sendXLSX(w, "problem-statistics-"+m.String(), func(b *bytes.Buffer) error {
		return s.Fieldwork.ExportMonthlyStatistics(r.Context(), b, m.String())
	})
}

// ---- the progress rules (on 现场工作规则) ---------------------------------------------------

// progressRules are the progress form's fields, as the domain's errors
// name them.
var progressRules = []string{"summary_due_hour", "problem_forward_working_days", "monthly_summary_day"}

// progressForm is the progress rules form as shown.
type progressForm struct {
	Values map[string]string
	Error  *string // the field in error
}

// ProgressNumbers are the number fields of the progress form.
func (p *fieldworkPolicyPage) ProgressNumbers() []string { return progressRules }

// PV is a progress rule's value as shown: what was posted after an
// error, the stored rule otherwise.
func (p *fieldworkPolicyPage) PV(field string) string {
	if p.progress == nil {
		p.progress = &progressForm{Values: map[string]string{}}
		if pol, err := p.srv.Fieldwork.ProgressPolicy(p.req.Context()); err == nil {
			p.progress.Values = progressValues(pol)
		}
	}
	return p.progress.Values[field]
}

// PInvalid reports whether the error shown is the progress form's field.
func (p *fieldworkPolicyPage) PInvalid(field string) bool {
	return p.progress != nil && p.progress.Error != nil && *p.progress.Error == field
}

func progressValues(pol fieldwork.ProgressPolicy) map[string]string {
	return map[string]string{"summary_due_hour": fmt.Sprint(pol.SummaryDueHour),
		"problem_forward_working_days": fmt.Sprint(pol.ProblemForwardWorkingDays),
		"monthly_summary_day":          fmt.Sprint(pol.MonthlySummaryDay), "track_from": pol.TrackFrom}
}

func (s *Server) progressPolicySave(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	pol, err := s.Fieldwork.ProgressPolicy(r.Context())
	if err != nil {
		return err
	}
	values := map[string]string{}
	var first error
	for _, f := range progressRules {
		values[f] = strings.TrimSpace(v.Get(f))
		n, err := strconv.Atoi(values[f])
		if err != nil {
			if first == nil {
				first = apperr.Invalid(f, "请填写整数")
			}
			continue
		}
		switch f {
		case "summary_due_hour":
			pol.SummaryDueHour = n
		case "problem_forward_working_days":
			pol.ProblemForwardWorkingDays = n
		case "monthly_summary_day":
			pol.MonthlySummaryDay = n
		}
	}
	values["track_from"] = strings.TrimSpace(v.Get("track_from"))
	pol.TrackFrom = values["track_from"]
	if first == nil {
		_, first = s.Fieldwork.SaveProgressPolicy(r.Context(), pol)
	}
	if first != nil {
		st, err := s.Fieldwork.Settings(r.Context())
		if err != nil {
			return err
		}
		p := &fieldworkPolicyPage{Page: s.page(r, "admin", "fieldwork_policy.title"), Values: settingsValues(st)}
		p.FieldPrefixes = []string{"fieldwork_policy.field."}
		p.progress = &progressForm{Values: values}
		if e, ok := apperr.As(first); ok {
			p.progress.Error = &e.Field
		}
		return s.formError(w, r, first, &p.Page, "fieldwork_policy", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/fieldwork#progress")
}
