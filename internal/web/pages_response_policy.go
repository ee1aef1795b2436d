package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/desk"
	"kefu/internal/rates"
)

// 响应时限: the response targets of the WeChat messages, the missed calls'
// call backs and the online chat — each a limit and a near-breach warning
// in minutes or seconds, and whether it counts working time only.

// responseRules are the targets in the order the form shows them; each
// key is the policy's JSON name, which the domain's errors use
// ("wechat.limit_s").
var responseRules = []string{"wechat", "missed_call", "chat"}

// durationField is a number of seconds as the form shows it: a whole
// number of minutes where it is one, else seconds.
type durationField struct {
	Value string
	Unit  string // "min" or "s"
}

func durationOf(s int64) durationField {
	if s > 0 && s%60 == 0 {
		return durationField{Value: strconv.FormatInt(s/60, 10), Unit: "min"}
	}
	return durationField{Value: strconv.FormatInt(s, 10), Unit: "s"}
}

// responseRule is one target as the form shows it.
type responseRule struct {
	Key         string
	Limit, Near durationField
	WorkingTime bool
}

type responsePolicyPage struct {
	Page
	Rules []responseRule
	// Month is the month the derive form offers (YYYY-MM): this one, or
	// the one typed.
	Month string
}

// Units are the units a limit may be typed in.
func (p *responsePolicyPage) Units() []string { return []string{"min", "s"} }

// Invalid reports whether the error shown is about field.
func (p *responsePolicyPage) Invalid(field string) bool {
	return p.Error != nil && p.Error.Field == field
}

func rulesOf(pol comms.Policy) []responseRule {
	out := make([]responseRule, len(responseRules))
	for i, k := range responseRules {
		r := map[string]comms.RulePolicy{"wechat": pol.WeChat, "missed_call": pol.MissedCall, "chat": pol.Chat}[k]
		out[i] = responseRule{Key: k, Limit: durationOf(r.LimitS), Near: durationOf(r.NearS), WorkingTime: r.WorkingTime}
	}
	return out
}

// policyForm reads the form: the rules as typed (for showing them again)
// and the policy, or the first field that is not a whole number.
func policyForm(v url.Values) ([]responseRule, comms.Policy, error) {
	rules := make([]responseRule, len(responseRules))
	var pol comms.Policy
	var first error
	seconds := func(field string, d durationField) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(d.Value), 10, 64)
		if err != nil || n < 0 {
			if first == nil {
				first = apperr.Invalid(field, "请填写不小于 0 的整数")
			}
			return 0
		}
		if d.Unit == "min" {
			return n * 60
		}
		return n
	}
	for i, k := range responseRules {
		r := responseRule{Key: k, WorkingTime: v.Get(k+".working_time") == "1",
			Limit: durationField{Value: v.Get(k + ".limit"), Unit: v.Get(k + ".limit_unit")},
			Near:  durationField{Value: v.Get(k + ".near"), Unit: v.Get(k + ".near_unit")}}
		rules[i] = r
		rp := comms.RulePolicy{LimitS: seconds(k+".limit_s", r.Limit), NearS: seconds(k+".near_s", r.Near), WorkingTime: r.WorkingTime}
		switch k {
		case "wechat":
			pol.WeChat = rp
		case "missed_call":
			pol.MissedCall = rp
		case "chat":
			pol.Chat = rp
		}
	}
	return rules, pol, first
}

func (s *Server) responsePolicy(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Comms.Policy(r.Context())
	if err != nil {
		return err
	}
	p := responsePolicyPage{Page: s.page(r, "admin", "response_policy.title"), Rules: rulesOf(pol), Month: s.Now().In(s.Loc).Format(rates.MonthLayout)}
	return s.render(w, http.StatusOK, "response_policy", "", &p)
}

func (s *Server) responsePolicySave(w http.ResponseWriter, r *http.Request) error {
	rules, pol, err := policyForm(postForm(r))
	if err == nil {
		err = s.Comms.SavePolicy(r.Context(), pol)
	}
	if err != nil {
		p := responsePolicyPage{Page: s.page(r, "admin", "response_policy.title"), Rules: rules, Month: s.Now().In(s.Loc).Format(rates.MonthLayout)}
		p.FieldPrefixes = []string{"response_policy.field."}
		return s.formError(w, r, err, &p.Page, "response_policy", &p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/response-policy")
}

// responsePolicyDerive derives a month's response clocks and the
// tickets' events again (desk.Derive: after a change of the targets, or
// an import of history) and says what it found.
func (s *Server) responsePolicyDerive(w http.ResponseWriter, r *http.Request) error {
	month := strings.TrimSpace(postForm(r).Get("month"))
	m, err := rates.ParseMonth(month)
	if err != nil {
		err = apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	var n desk.Counts
	if err == nil {
		from := time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, s.Loc)
		n, err = desk.Derive(r.Context(), s.Comms, s.Tickets, from, from.AddDate(0, 1, 0))
	}
	if err != nil {
		pol, perr := s.Comms.Policy(r.Context())
		if perr != nil {
			return perr
		}
		p := responsePolicyPage{Page: s.page(r, "admin", "response_policy.title"), Rules: rulesOf(pol), Month: month}
		p.FieldPrefixes = []string{"response_policy.field."}
		return s.formError(w, r, err, &p.Page, "response_policy", &p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "response_policy.derived", "Month", m.String(), "Clocks", n.Clocks.Clocks,
		"Breaches", n.Clocks.Breaches, "Near", n.Clocks.Near,
		"Tickets", n.Tickets.FirstResponse+n.Tickets.Solution+n.Tickets.Callback+n.Tickets.Reply,
		"Withdrawn", n.Clocks.Withdrawn+n.Tickets.Withdrawn+n.Registration.Withdrawn))
	return redirect(w, r, "/admin/response-policy")
}
