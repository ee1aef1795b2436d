package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/scorecards"
)

// 考核标记: on a staff member's card, their direct supervisor or a manager
// flags a bonus (嘉奖加分), a penalty, a wrong dispatch, an unregistered
// request or an attitude complaint with a reason, and withdraws a flag
// with a reason. The domain checks who may and when (not after the month's
// card went for approval; never one's own).

// FlagTypes on the card page.
func (p *appraisalPage) FlagTypes() []string { return scorecards.FlagTypeKeys }

// FlagName names a flag type.
func (p *appraisalPage) FlagName(typ string) string { return scorecards.FlagTypes[typ] }

// flagsData fills the card page's flags: the month's flags of the staff
// member (for those who may read them), and whether the viewer may add
// one — a manager or the direct supervisor, on someone else's card.
func (s *Server) flagsData(r *http.Request, p *appraisalPage) error {
	if p.StaffID == "" {
		return nil
	}
	flags, err := s.Scorecards.Flags(r.Context(), p.StaffID, p.Month)
	if apperr.Is(err, apperr.KindForbidden) || apperr.Is(err, apperr.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	p.Flags = flags
	if p.Own() {
		return nil
	}
	if p.Can(string(access.AppraisalManage)) {
		p.MayFlag = true
		return nil
	}
	st, err := s.Org.GetStaff(r.Context(), p.StaffID)
	if err != nil {
		return err
	}
	p.MayFlag = st.SupervisorID != nil && *st.SupervisorID == p.User.StaffID
	return nil
}

// back returns to the card the form came from.
func (s *Server) backToCard(w http.ResponseWriter, r *http.Request, staffID, month string) error {
	return redirect(w, r, "/appraisal?"+url.Values{"staff_id": {staffID}, "month": {month}}.Encode()+"#flags")
}

func (s *Server) appraisalFlag(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	staffID, month := strings.TrimSpace(f.Get("staff_id")), strings.TrimSpace(f.Get("month"))
	in := scorecards.FlagInput{StaffID: staffID, Type: f.Get("type"), Reason: f.Get("reason")}
	var err error
	if v := strings.TrimSpace(f.Get("points")); v != "" {
		if in.Points, err = strconv.ParseInt(v, 10, 64); err != nil {
			err = apperr.Invalid("points", "分值须为整数")
		}
	}
	if err == nil {
		at := strings.TrimSpace(f.Get("occurred_at"))
		if at == "" {
			in.OccurredAt = s.Now()
		} else if in.OccurredAt, err = time.ParseInLocation("2006-01-02T15:04", at, s.Loc); err != nil {
			err = apperr.Invalid("occurred_at", "时间格式应为 YYYY-MM-DD HH:MM")
		}
	}
	if err == nil {
		_, err = s.Scorecards.Flag(r.Context(), in)
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict && k != apperr.KindForbidden {
			return err
		}
		s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.flag_refused")+"："+errorMessage(err))
		return s.backToCard(w, r, staffID, month)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.flagged"))
	return s.backToCard(w, r, staffID, month)
}

func (s *Server) appraisalWithdrawFlag(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	e, err := s.Scorecards.Withdraw(r.Context(), r.PathValue("id"), f.Get("reason"))
	if apperr.Is(err, apperr.KindNotFound) {
		return err
	}
	staffID, month := strings.TrimSpace(f.Get("staff_id")), strings.TrimSpace(f.Get("month"))
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict && k != apperr.KindForbidden {
			return err
		}
		s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.flag_refused")+"："+errorMessage(err))
		return s.backToCard(w, r, staffID, month)
	}
	if e.StaffID != nil {
		staffID = *e.StaffID
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "appraisal.flag_withdrawn"))
	return s.backToCard(w, r, staffID, month)
}

// errorMessage is the user-facing message of a classified error.
func errorMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return err.Error()
}
