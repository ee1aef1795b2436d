package web

import (
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/rates"
)

// ---- 业务指标: renewal and collection rates ----------------------------------

type ratesPage struct {
	Page
	Month  string
	Prev   string
	Next   string
	Report *contracts.RatesReport
}

// noSpecialist stands in the evidence link for the customers nobody owned
// (the report's empty specialist id).
const noSpecialist = "none"

// EvidenceID is the path segment of a specialist's evidence page.
func (p *ratesPage) EvidenceID(id string) string {
	if id == "" {
		return noSpecialist
	}
	return id
}

// month reads ?month=YYYY-MM; empty means last month (the month an
// appraisal is computed for).
func (s *Server) month(r *http.Request) (rates.Month, error) {
	v := strings.TrimSpace(r.URL.Query().Get("month"))
	if v == "" {
		return rates.MonthOf(calendar.DateOf(s.Now(), s.Loc)).Prev(), nil
	}
	m, err := rates.ParseMonth(v)
	if err != nil {
		return m, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	return m, nil
}

func (s *Server) ratesData(r *http.Request, titleID string) (*ratesPage, error) {
	m, err := s.month(r)
	if err != nil {
		return nil, err
	}
	rep, err := s.Contracts.Rates(r.Context(), m, calendar.Date{})
	if err != nil {
		return nil, err
	}
	return &ratesPage{Page: s.page(r, "rates", titleID), Month: m.String(), Prev: m.Prev().String(), Next: m.Next().String(), Report: rep}, nil
}

func (s *Server) ratesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ratesData(r, "rates.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "rates", "", p)
}

type rateEvidencePage struct {
	*ratesPage
	S *contracts.SpecialistRates
}

// rateEvidence shows one specialist's rows behind both rates: the
// contracts ending in the month and the installments open at its start.
func (s *Server) rateEvidence(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ratesData(r, "rates.evidence")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == noSpecialist {
		id = ""
	}
	for i := range p.Report.Specialists {
		if sp := &p.Report.Specialists[i]; sp.SpecialistID == id {
			p.Title = sp.Name + " · " + p.T("rates.evidence") + " · " + p.Month
			return s.render(w, http.StatusOK, "rate", "", &rateEvidencePage{ratesPage: p, S: sp})
		}
	}
	return apperr.NotFound("specialist")
}

// ---- 孤儿客户 -------------------------------------------------------------------

type orphansPage struct {
	Page
	Items []contracts.OrphanCustomer
}

func (s *Server) orphansPage(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Contracts.Orphans(r.Context())
	if err != nil {
		return err
	}
	p := orphansPage{Page: s.page(r, "orphans", "orphans.title"), Items: items}
	return s.render(w, http.StatusOK, "orphans", "", &p)
}
