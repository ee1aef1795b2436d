package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/scorecards"
)

// 考核方案 (设置): the scheme versions; a scheme page with a form view
// (categories, items with points, methods and rules as a table; a draft's
// names, points and amounts editable) and a raw view (the JSON document,
// validated with every problem and its field path, saved as a draft); the
// executive approves.

type schemesPage struct {
	Page
	Items []scorecards.SchemeListItem
	// Latest is the id of each code's highest version (the base of a new draft).
	Latest map[string]string
}

// HasRole reports whether the viewer holds role r.
func (p *Page) HasRole(r string) bool { return p.User.Has(access.Role(r)) }

// RoleName translates a role given as text.
func (p *Page) RoleName(r string) string { return p.T("role." + r) }

// SchemeStatus translates a scheme version's status.
func (p *Page) SchemeStatus(st string) string { return p.T("scheme.status." + st) }

// PeriodName translates a scheme's period.
func (p *Page) PeriodName(pe string) string { return p.T("scheme.period." + pe) }

// MethodName translates an item's method.
func (p *Page) MethodName(m string) string { return p.T("scheme.method." + m) }

func (s *Server) appraisalSchemes(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Scorecards.SchemeVersions(r.Context())
	if err != nil {
		return err
	}
	p := schemesPage{Page: s.page(r, "admin", "scheme.title"), Items: items, Latest: map[string]string{}}
	for _, it := range items { // by code, then version: the last wins
		p.Latest[it.Code] = it.ID
	}
	return s.render(w, http.StatusOK, "appraisal_schemes", "", &p)
}

// schemePage is one version: the form view or the raw view.
type schemePage struct {
	Page
	V        *scorecards.SchemeView
	Raw      bool   // the raw view is shown
	Document string // the raw view's text (as typed, after a failed save)
	From     string // effective_from as typed
	Problems []scorecards.SchemeProblem
	Checked  bool // a validation ran (Problems is its answer)
}

// Invalid reports whether the error shown is about field.
func (p *schemePage) Invalid(field string) bool { return p.Error != nil && p.Error.Field == field }

// Path of an item's field in the document, for the form's names and errors.
func (p *schemePage) ItemPath(ci, ii int) string {
	return fmt.Sprintf("categories[%d].items[%d]", ci, ii)
}

// RuleText is a deduct rule in words: 派单逾期 每天 2 分.
func (p *schemePage) RuleText(r appraisal.Rule) string {
	label := r.Label
	if label == "" {
		ts := r.Events
		if r.Event != "" {
			ts = append([]string{r.Event}, ts...)
		}
		names := make([]string, len(ts))
		for i, t := range ts {
			names[i] = appraisal.KnownEventTypes[t]
		}
		label = strings.Join(names, "、")
	}
	per := p.T("scheme.per." + r.Per)
	if r.Per == appraisal.PerChoice {
		return fmt.Sprintf("%s：%s %s–%s", label, per, r.Min.Short(), r.Max.Short())
	}
	return fmt.Sprintf("%s：%s %s", label, per, r.Amount.Short())
}

func (s *Server) schemeView(r *http.Request, id string) (*schemePage, error) {
	v, err := s.Scorecards.SchemeVersion(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &schemePage{Page: s.page(r, "admin", "scheme.title"), V: v, Raw: r.URL.Query().Get("view") == "raw", Document: string(v.Document),
		From: v.EffectiveFrom, Problems: v.Problems}
	p.Title = fmt.Sprintf("%s · %s", v.Name, p.T("scheme.version_n", "N", v.Version))
	return p, nil
}

func (s *Server) appraisalScheme(w http.ResponseWriter, r *http.Request) error {
	p, err := s.schemeView(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "appraisal_scheme", "", p)
}

// appraisalSchemeDraft starts a new version from a base version.
func (s *Server) appraisalSchemeDraft(w http.ResponseWriter, r *http.Request) error {
	f := postForm(r)
	rec, err := s.Scorecards.DraftScheme(r.Context(), scorecards.SchemeDraft{BaseID: f.Get("base_id"), EffectiveFrom: strings.TrimSpace(f.Get("effective_from"))})
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		s.flash(r.Context(), errMessage(err))
		return redirect(w, r, "/admin/appraisal-schemes")
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "scheme.drafted", "N", rec.Version))
	return redirect(w, r, "/admin/appraisal-schemes/"+rec.ID)
}

// appraisalSchemeSave saves a draft from the form view (names, points,
// amounts) or the raw view (the document); action=validate only checks.
func (s *Server) appraisalSchemeSave(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	f := postForm(r)
	p, err := s.schemeView(r, id)
	if err != nil {
		return err
	}
	p.Raw = f.Get("view") == "raw"
	p.From = strings.TrimSpace(f.Get("effective_from"))
	var doc []byte
	if p.Raw {
		p.Document = f.Get("document")
		doc = []byte(p.Document)
	} else if doc, err = formDocument(p.V, f); err != nil {
		return s.formError(w, r, err, &p.Page, "appraisal_scheme", p)
	}
	in := scorecards.SchemeDraft{Document: doc, EffectiveFrom: p.From}
	if f.Get("action") == "validate" {
		chk, err := s.Scorecards.ValidateScheme(r.Context(), id, in)
		if err != nil {
			return s.formError(w, r, err, &p.Page, "appraisal_scheme", p)
		}
		p.Problems, p.Checked = chk.Problems, true
		return s.render(w, http.StatusOK, "appraisal_scheme", "", p)
	}
	rowVersion, _ := strconv.ParseInt(f.Get("row_version"), 10, 64)
	if _, err := s.Scorecards.UpdateDraft(r.Context(), id, rowVersion, in); err != nil {
		if apperr.KindOf(err) == apperr.KindInvalid && p.Raw {
			// Show every problem beside the text, not only the first.
			if chk, cerr := s.Scorecards.ValidateScheme(r.Context(), id, in); cerr == nil {
				p.Problems, p.Checked = chk.Problems, true
			}
		}
		return s.formError(w, r, err, &p.Page, "appraisal_scheme", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	target := "/admin/appraisal-schemes/" + id
	if p.Raw {
		target += "?view=raw"
	}
	return redirect(w, r, target)
}

// formDocument applies the form view's fields (name, total, category
// names and points, item names and points, rule labels and amounts) to the
// draft's scheme and returns the document.
func formDocument(v *scorecards.SchemeView, f url.Values) ([]byte, error) {
	if v.Scheme == nil {
		return nil, apperr.Invalid("document", "方案文档无法解析，请在原始视图中修改")
	}
	sc := *v.Scheme
	sc.Categories = append([]appraisal.Category(nil), sc.Categories...)
	points := func(field string, dst *appraisal.Points) error {
		raw, ok := f[field]
		if !ok {
			return nil
		}
		pt, err := appraisal.ParsePoints(strings.TrimSpace(raw[0]))
		if err != nil {
			return apperr.Invalid(field, err.Error())
		}
		*dst = pt
		return nil
	}
	text := func(field string, dst *string) {
		if raw, ok := f[field]; ok {
			*dst = strings.TrimSpace(raw[0])
		}
	}
	text("name", &sc.Name)
	if err := points("total", &sc.Total); err != nil {
		return nil, err
	}
	for ci := range sc.Categories {
		c := &sc.Categories[ci]
		cp := fmt.Sprintf("categories[%d]", ci)
		text(cp+".name", &c.Name)
		if c.Points != nil {
			pt := *c.Points
			if err := points(cp+".points", &pt); err != nil {
				return nil, err
			}
			c.Points = &pt
		}
		c.Items = append([]appraisal.Item(nil), c.Items...)
		for ii := range c.Items {
			it := &c.Items[ii]
			ip := fmt.Sprintf("%s.items[%d]", cp, ii)
			text(ip+".name", &it.Name)
			if err := points(ip+".points", &it.Points); err != nil {
				return nil, err
			}
			it.Rules = append([]appraisal.Rule(nil), it.Rules...)
			for ri := range it.Rules {
				rp := fmt.Sprintf("%s.rules[%d]", ip, ri)
				text(rp+".label", &it.Rules[ri].Label)
				if it.Rules[ri].Per != appraisal.PerChoice {
					if err := points(rp+".amount", &it.Rules[ri].Amount); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return json.Marshal(&sc)
}

func (s *Server) appraisalSchemeApprove(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	rowVersion, _ := strconv.ParseInt(postForm(r).Get("row_version"), 10, 64)
	if _, err := s.Scorecards.ApproveScheme(r.Context(), id, rowVersion); err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		s.flash(r.Context(), errMessage(err))
		return redirect(w, r, "/admin/appraisal-schemes/"+id)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "scheme.approved"))
	return redirect(w, r, "/admin/appraisal-schemes/"+id)
}

func (s *Server) appraisalSchemeRetire(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	f := postForm(r)
	rowVersion, _ := strconv.ParseInt(f.Get("row_version"), 10, 64)
	if _, err := s.Scorecards.RetireScheme(r.Context(), id, rowVersion, f.Get("reason")); err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		s.flash(r.Context(), errMessage(err))
		return redirect(w, r, "/admin/appraisal-schemes/"+id)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "scheme.retired"))
	return redirect(w, r, "/admin/appraisal-schemes/"+id)
}
