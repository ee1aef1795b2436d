package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/scorecards"
)

// 检查考核 on the card page: the month's checks of the person shown (督办记录
// 表, chat sampling, weekly checks), the checks the viewer may open for
// them, and a sample item's day form on a check card.

// checksData fills the month's checks and what the viewer may open. A
// viewer who may not read the person's checks sees none.
func (s *Server) checksData(r *http.Request, p *appraisalPage) error {
	if p.StaffID == "" {
		return nil
	}
	ctx := r.Context()
	checks, err := s.Scorecards.Checks(ctx, p.StaffID, p.Month)
	if apperr.Is(err, apperr.KindForbidden) || apperr.Is(err, apperr.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	p.Checks = checks
	start, err := time.ParseInLocation("2006-01", p.Month, s.Loc)
	if err != nil {
		return nil
	}
	p.CheckOptions, err = s.Scorecards.CheckOptions(ctx, p.StaffID, start.AddDate(0, 1, -1).Format(time.DateOnly))
	return err
}

// CardStatus names a card's state.
func (p *appraisalPage) CardStatus(status string) string { return p.T("appraisal.status." + status) }

// CheckHref opens a check card.
func (p *appraisalPage) CheckHref(c scorecards.CheckCard) string {
	return "/appraisal?" + url.Values{"staff_id": {c.StaffID}, "month": {p.Month}, "card": {c.ID}}.Encode()
}

// Mondays are the Mondays of the page's month: the periods of a weekly check.
func (p *appraisalPage) Mondays() []string {
	start, err := time.Parse("2006-01", p.Month)
	if err != nil {
		return nil
	}
	var out []string
	for d := start; d.Month() == start.Month(); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			out = append(out, d.Format(time.DateOnly))
		}
	}
	return out
}

// SampleDays are the recorded days of a sample item of the card shown.
func (p *appraisalPage) SampleDays(item string) []appraisal.SampleDay {
	if p.Detail == nil {
		return nil
	}
	for _, it := range p.Detail.Items {
		if it.Item == item {
			return it.Days
		}
	}
	return nil
}

// SampleDefault is the posted value of a sample form's field, else def.
func (p *appraisalPage) SampleDefault(item, field, def string) string {
	if v := p.Posted("sample", item, field); v != "" {
		return v
	}
	return def
}

// appraisalOpenCheck opens a check of a person (staff_id, scheme, period)
// and shows it; a refusal is flashed on the month's card.
func (s *Server) appraisalOpenCheck(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	in := scorecards.CheckInput{StaffID: strings.TrimSpace(f.Get("staff_id")), Scheme: strings.TrimSpace(f.Get("scheme")), Period: strings.TrimSpace(f.Get("period"))}
	month := strings.TrimSpace(f.Get("month"))
	card, err := s.Scorecards.OpenCheck(r.Context(), in)
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict && k != apperr.KindForbidden {
			return err
		}
		s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.check_refused")+"："+errorMessage(err))
		return redirect(w, r, "/appraisal?"+url.Values{"staff_id": {in.StaffID}, "month": {month}}.Encode()+"#checks")
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.check_opened"))
	return redirect(w, r, cardHref(card.StaffID, card.Period, card.ID))
}

// appraisalSample records one day of a sample item (聊天记录抽查); a
// refusal re-shows the card with the form as posted.
func (s *Server) appraisalSample(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d, err := s.Scorecards.CardDetail(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := postForm(r)
	in := scorecards.SampleInput{Item: strings.TrimSpace(f.Get("item")), Date: strings.TrimSpace(f.Get("date")), Note: strings.TrimSpace(f.Get("note"))}
	num := func(field string) int64 {
		if err != nil {
			return 0
		}
		v, perr := strconv.ParseInt(strings.TrimSpace(f.Get(field)), 10, 64)
		if perr != nil {
			err = apperr.Invalid(field, "请填写整数条数")
		}
		return v
	}
	in.Checked, in.Failed = num("checked"), num("failed")
	for _, id := range strings.FieldsFunc(f.Get("evidence"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' }) {
		in.Evidence = append(in.Evidence, id)
	}
	var card *scorecards.Scorecard
	if err == nil {
		card, err = s.Scorecards.RecordSample(ctx, d.ID, version(r), in)
	}
	if err != nil {
		return s.cardRefused(w, r, d, err, "sample", in.Item, f)
	}
	s.flash(ctx, s.cat.translate(s.lang(r), "appraisal.sampled", "Date", in.Date, "Total", card.Final.String()))
	return redirect(w, r, cardHref(card.StaffID, card.Period, card.ID)+"#line-"+in.Item)
}
