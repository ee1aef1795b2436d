package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/calendar"
	"kefu/internal/httpx"
	"kefu/internal/rates"
	"kefu/internal/scorecards"
)

// The scorecard lifecycle on the card page (SPEC §8.4): the card's steps
// with who and when; the staff member's 自评 (a comment per line, an
// overall comment, 提交自评) and 申诉; the rater's 提交审批; the manager's
// 批准发布 / 退回, appeal decisions and 定稿 — each offered as the domain's
// CardDetail.Actions says. A refusal re-shows the card with the message
// and the form as posted; nothing changes.

// apStep is one step of the lifecycle as the card page shows it.
type apStep struct {
	Status  string
	Done    bool
	Current bool
	Who     string
	When    *time.Time
}

// lifecycle fills the page's lifecycle part from the card's detail.
func (s *Server) lifecycle(r *http.Request, p *appraisalPage) error {
	d, err := s.Scorecards.CardDetail(r.Context(), p.Stored.ID)
	if err != nil {
		return err
	}
	p.Detail = d
	ids := []string{d.StaffID}
	for _, id := range []*string{d.RatedBy, d.ApprovedBy} {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	names := map[string]string{}
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	if err := s.DB.R().NewRaw("SELECT id, name FROM staff WHERE id IN (?)", bun.In(ids)).Scan(r.Context(), &rows); err != nil {
		return err
	}
	for _, row := range rows {
		names[row.ID] = row.Name
	}
	name := func(id *string) string {
		if id == nil {
			return ""
		}
		return names[*id]
	}
	computed := d.ComputedAt
	steps := []apStep{
		{Status: scorecards.StatusDraft, When: &computed},
		{Status: scorecards.StatusSelfReview, When: d.SelfAt},
		{Status: scorecards.StatusRating, Who: name(d.RatedBy), When: d.RatedAt},
		{Status: scorecards.StatusApproval, Who: name(d.ApprovedBy), When: d.ApprovedAt},
		{Status: scorecards.StatusPublished, When: d.PublishedAt},
		{Status: scorecards.StatusFinal, When: d.FinalizedAt},
	}
	if d.SelfAt != nil {
		steps[1].Who = names[d.StaffID]
	}
	at := slices.Index(scorecards.Statuses, d.Status)
	for i := range steps {
		steps[i].Done = i < at || (i == at && d.Status == scorecards.StatusFinal)
		steps[i].Current = i == at
	}
	p.Steps = steps
	return nil
}

// May: the caller may move the card to state to now.
func (p *appraisalPage) May(to string) bool {
	return p.Detail != nil && slices.Contains(p.Detail.Actions.Transitions, to)
}

// SelfForms: the staff member may comment on or appeal the lines now.
func (p *appraisalPage) SelfForms() bool {
	return p.Detail != nil && (p.Detail.Actions.Comment || p.Detail.Actions.Appeal)
}

// LineRecords are the comments and appeals of a line, oldest first.
func (p *appraisalPage) LineRecords(item string) []scorecards.AppealRecord {
	if p.Detail == nil {
		return nil
	}
	var out []scorecards.AppealRecord
	for _, a := range append(slices.Clone(p.Detail.Comments), p.Detail.Appeals...) {
		if a.Item == item {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b scorecards.AppealRecord) int { return a.FiledAt.Compare(b.FiledAt) })
	return out
}

// LineName is the name of the card's line item.
func (p *appraisalPage) LineName(item string) string {
	if p.Card != nil {
		for _, l := range p.Card.Lines {
			if l.Item == item {
				return l.Name
			}
		}
	}
	return item
}

// Total is the card's final score: the stored one includes the
// adjustments of upheld appeals.
func (p *appraisalPage) Total() appraisal.Points {
	if p.Stored != nil {
		return p.Stored.Final
	}
	if p.Card != nil {
		return p.Card.Final
	}
	return 0
}

// Frozen: the card no longer changes but through an appeal decision.
func (p *appraisalPage) Frozen() bool {
	return p.Stored != nil && (p.Stored.Status == scorecards.StatusApproval || p.Stored.Status == scorecards.StatusPublished ||
		p.Stored.Status == scorecards.StatusFinal)
}

// StepName names a step of the lifecycle (appraisal.step.*).
func (p *appraisalPage) StepName(status string) string { return p.T("appraisal.step." + status) }

// DecisionName names an appeal's decision (appraisal.decision.*).
func (p *appraisalPage) DecisionName(decision string) string {
	return p.T("appraisal.decision." + decision)
}

// Signed shows an adjustment with its sign.
func (p *appraisalPage) Signed(v appraisal.Points) string {
	if v > 0 {
		return "+" + v.String()
	}
	return v.String()
}

// Posted is a field of the lifecycle form posted (action, item), re-shown
// after a refusal.
func (p *appraisalPage) Posted(action, item, field string) string {
	if p.PostAction == action && p.PostItem == item && p.Form != nil {
		return p.Form.Get(field)
	}
	return ""
}

// cardHref is the card page of a stored card: its staff member, the month
// of its period (a weekly check's period is its Monday) and the card.
func cardHref(staffID, period, cardID string) string {
	return "/appraisal?" + url.Values{"staff_id": {staffID}, "month": {monthOf(period)}, "card": {cardID}}.Encode()
}

// monthOf is the month YYYY-MM of a card period (YYYY-MM or YYYY-MM-DD).
func monthOf(period string) string {
	if len(period) > len("2006-01") {
		return period[:len("2006-01")]
	}
	return period
}

// cardRefused re-shows the card d with err when the domain refused the
// step (invalid, conflict, forbidden), the form as posted; other errors
// go to the error page.
func (s *Server) cardRefused(w http.ResponseWriter, r *http.Request, d *scorecards.Detail, err error, action, item string, f url.Values) error {
	switch apperr.KindOf(err) {
	case apperr.KindInvalid, apperr.KindConflict, apperr.KindForbidden:
	default:
		return err
	}
	q := r.URL.Query()
	q.Set("month", monthOf(d.Period))
	q.Set("card", d.ID)
	r.URL.RawQuery = q.Encode()
	p, perr := s.appraisalData(r, d.StaffID)
	if perr != nil {
		return perr
	}
	p.PostAction, p.PostItem, p.Form = action, item, f
	_, ed := httpx.Detail(s.Log, r, err)
	p.Error = &ed
	return s.render(w, httpx.Status(err), "appraisal_card", "", p)
}

// appraisalTransition moves a card along the lifecycle (to, version,
// note: the overall self-review comment, the reason of a return).
func (s *Server) appraisalTransition(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d, err := s.Scorecards.CardDetail(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := postForm(r)
	to := strings.TrimSpace(f.Get("to"))
	card, err := s.Scorecards.Transition(ctx, d.ID, version(r), to, f.Get("note"))
	if err != nil {
		return s.cardRefused(w, r, d, err, "transition", to, f)
	}
	status := "appraisal.status." + card.Status
	s.flash(ctx, s.cat.translate(s.lang(r), "appraisal.moved", "Status", s.cat.translate(s.lang(r), status)))
	return redirect(w, r, cardHref(card.StaffID, card.Period, card.ID))
}

// appraisalComment files the staff member's comment on a line (自评意见).
func (s *Server) appraisalComment(w http.ResponseWriter, r *http.Request) error {
	return s.appraisalFile(w, r, "comment")
}

// appraisalAppeal files the staff member's appeal of a line (申诉).
func (s *Server) appraisalAppeal(w http.ResponseWriter, r *http.Request) error {
	return s.appraisalFile(w, r, "appeal")
}

func (s *Server) appraisalFile(w http.ResponseWriter, r *http.Request, kind string) error {
	ctx := r.Context()
	d, err := s.Scorecards.CardDetail(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := postForm(r)
	item := strings.TrimSpace(f.Get("item"))
	if kind == "comment" {
		_, err = s.Scorecards.Comment(ctx, d.ID, item, f.Get("text"))
	} else {
		_, err = s.Scorecards.Appeal(ctx, d.ID, item, f.Get("reason"))
	}
	if err != nil {
		return s.cardRefused(w, r, d, err, kind, item, f)
	}
	msg := "appraisal.filed.comment"
	if kind == "appeal" {
		msg = "appraisal.filed.appeal"
	}
	s.flash(ctx, s.cat.translate(s.lang(r), msg))
	return redirect(w, r, cardHref(d.StaffID, d.Period, d.ID)+"#line-"+item)
}

// appraisalDecide records a manager's decision on an appeal: upheld with
// an optional ± adjustment, or rejected, with a note.
func (s *Server) appraisalDecide(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	var cardIDs []string
	if err := s.DB.R().NewRaw("SELECT scorecard_id FROM scorecard_appeals WHERE id = ? AND kind = ?", id, scorecards.KindAppeal).Scan(ctx, &cardIDs); err != nil {
		return err
	}
	if len(cardIDs) == 0 {
		return apperr.NotFound("appeal")
	}
	d, err := s.Scorecards.CardDetail(ctx, cardIDs[0])
	if err != nil {
		return err
	}
	f := postForm(r)
	var adj appraisal.Points
	if v := strings.TrimPrefix(strings.TrimSpace(f.Get("adjustment")), "+"); v != "" {
		if adj, err = appraisal.ParsePoints(v); err != nil {
			err = apperr.Invalid("adjustment", "调整分格式不正确："+v)
		}
	}
	if err == nil {
		_, err = s.Scorecards.DecideAppeal(ctx, id, strings.TrimSpace(f.Get("decision")), adj, f.Get("note"))
	}
	if err != nil {
		return s.cardRefused(w, r, d, err, "decide", id, f)
	}
	s.flash(ctx, s.cat.translate(s.lang(r), "appraisal.decided"))
	return redirect(w, r, cardHref(d.StaffID, d.Period, d.ID)+"#ap-appeals")
}

// appraisalOpenSelfReview opens the month's draft cards for the
// self-review (managers).
func (s *Server) appraisalOpenSelfReview(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	month := strings.TrimSpace(f.Get("month"))
	if month == "" {
		month = rates.MonthOf(calendar.DateOf(s.Now(), s.Loc)).String()
	}
	n, err := s.Scorecards.OpenSelfReview(r.Context(), month)
	if err != nil {
		return err
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.opened", "Month", month, "N", n))
	return redirect(w, r, "/appraisal/team?"+url.Values{"month": {month}}.Encode())
}

// scorecardLink opens a card from a notification (/scorecards/{id}).
func (s *Server) scorecardLink(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Scorecards.CardDetail(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, cardHref(d.StaffID, d.Period, d.ID))
}

// ---- the records: XLSX ----------------------------------------------------------

// apMonth is the month asked for (?month=), this month by default.
func (s *Server) apMonth(r *http.Request) string {
	if m := strings.TrimSpace(r.URL.Query().Get("month")); m != "" {
		return m
	}
	return rates.MonthOf(calendar.DateOf(s.Now(), s.Loc)).String()
}

// appraisalExport downloads 员工月绩效考核记录表 (a sheet per person) of
// the month: the staff given (?staff_id=, repeatable), else everyone the
// caller may read.
func (s *Server) appraisalExport(w http.ResponseWriter, r *http.Request) error {
	month := s.apMonth(r)
	return sendXLSX(w, "appraisal-records-"+month, func(b *bytes.Buffer) error {
		return s.Scorecards.ExportMonthRecords(r.Context(), b, month, r.URL.Query()["staff_id"])
	})
}

// appraisalStatisticsExport downloads 员工月绩效考核情况统计表 of the month.
func (s *Server) appraisalStatisticsExport(w http.ResponseWriter, r *http.Request) error {
	month := s.apMonth(r)
	return sendXLSX(w, "appraisal-statistics-"+month, func(b *bytes.Buffer) error {
		return s.Scorecards.ExportMonthStatistics(r.Context(), b, month)
	})
}

// ---- the printable record ---------------------------------------------------------

// apPrintRow is a line of the printable record; Span > 0 on a category's
// first line (the category cell spans its lines).
type apPrintRow struct {
	appraisal.Line
	Category string
	Span     int
	Source   string
}

type appraisalPrintPage struct {
	monthPage
	Detail *scorecards.Detail
	Rows   []apPrintRow
}

// appraisalPrint is 员工月绩效考核记录表 of one person and month as a
// printable page, in the layout of the workbook: 考核类别 | 考核项目 |
// 考核标准 | 数据来源 | 分值 | 得分 | 考评人 | 说明, totals and signatures.
func (s *Server) appraisalPrint(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.monthPage(r, "appraisal", "appraisal.print_title")
	if err != nil {
		return err
	}
	ctx := r.Context()
	stored, err := s.Scorecards.Card(ctx, apStaff(r, r.URL.Query().Get("staff_id")), mp.Month)
	if err != nil {
		return err
	}
	p := &appraisalPrintPage{monthPage: mp}
	if p.Detail, err = s.Scorecards.CardDetail(ctx, stored.ID); err != nil {
		return err
	}
	sc, err := s.Scorecards.CardScheme(ctx, stored.ID)
	if err != nil {
		return err
	}
	sources := map[string]string{}
	for _, c := range sc.Categories {
		for _, it := range c.Items {
			sources[it.Key] = it.Source
		}
	}
	for _, cat := range stored.Card.Categories {
		first := len(p.Rows)
		for _, l := range stored.Card.Lines {
			if l.Category != cat.Key {
				continue
			}
			label := cat.Name
			if cat.Weight != "" {
				label += " " + cat.Weight
			}
			p.Rows = append(p.Rows, apPrintRow{Line: l, Category: label, Source: sources[l.Item]})
		}
		if len(p.Rows) > first {
			p.Rows[first].Span = len(p.Rows) - first
		}
	}
	return s.render(w, http.StatusOK, "appraisal_print", "", p)
}

// Signed shows an adjustment with its sign.
func (p *appraisalPrintPage) Signed(v appraisal.Points) string {
	if v > 0 {
		return "+" + v.String()
	}
	return v.String()
}

// StatusName names the card's state.
func (p *appraisalPrintPage) StatusName() string { return p.T("appraisal.status." + p.Detail.Status) }
