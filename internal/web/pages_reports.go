package web

import (
	"cmp"
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/comms"
	"kefu/internal/rates"
	"kefu/internal/tickets"
)

// The desk's monthly reports: 客户满意度汇总表 (the callbacks' scores by
// specialist, region and customer class, with its XLSX) and 当月无沟通客户
// (the active customers nobody of ours contacted this month, by owning
// specialist); and the XLSX exports of the ticket and communication lists
// with their filters.

// monthOf is ?month= (YYYY-MM), or this month in the company's zone.
func (s *Server) monthOf(r *http.Request) (rates.Month, error) {
	m := rates.MonthOf(calendar.DateOf(s.Now(), s.Loc))
	if v := strings.TrimSpace(r.URL.Query().Get("month")); v != "" {
		var err error
		if m, err = rates.ParseMonth(v); err != nil {
			return m, apperr.Invalid("month", "月份格式应为 YYYY-MM")
		}
	}
	return m, nil
}

// monthPage is a report of one month with the months around it.
type monthPage struct {
	Page
	Month, Prev, Next string
}

func (s *Server) monthPage(r *http.Request, nav, titleID string) (monthPage, error) {
	m, err := s.monthOf(r)
	if err != nil {
		return monthPage{}, err
	}
	return monthPage{Page: s.page(r, nav, titleID), Month: m.String(), Prev: m.Prev().String(), Next: m.Next().String()}, nil
}

// ---- 客户满意度汇总表 ----------------------------------------------------------

// satisfactionDims are the summary's tables (satisfaction.col.*).
var satisfactionDims = []string{"total", "specialist", "region", "class"}

type satisfactionPage struct {
	monthPage
	Summary *tickets.SatisfactionSummary
}

// Score is the count of callbacks of a group with score n (1–5).
func (p *satisfactionPage) Score(g tickets.SatisfactionGroup, n int) int { return g.Scores[n-1] }

// Scores are the scores shown, best first.
func (p *satisfactionPage) Scores() []int { return []int{5, 4, 3, 2, 1} }

func (s *Server) satisfactionReport(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.monthPage(r, "callbacks", "satisfaction.title")
	if err != nil {
		return err
	}
	p := &satisfactionPage{monthPage: mp}
	if p.Summary, err = s.Tickets.SatisfactionMonth(r.Context(), p.Month); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "satisfaction", "", p)
}

// satisfactionExport downloads the month's summary as XLSX.
func (s *Server) satisfactionExport(w http.ResponseWriter, r *http.Request) error {
	m, err := s.monthOf(r)
	if err != nil {
		return err
	}
	sum, err := s.Tickets.SatisfactionMonth(r.Context(), m.String())
	if err != nil {
		return err
	}
	sh := tickets.SatisfactionSheet(sum)
	return s.writeTable(w, "satisfaction-"+sum.Month, sh.Headers, sh.Rows)
}

// ---- 当月无沟通客户 ------------------------------------------------------------

// noContactGroup is one owning specialist's customers without a contact.
type noContactGroup struct {
	OwnerID, OwnerName string
	Items              []comms.NoContact
}

type noContactPage struct {
	monthPage
	choices
	Owner  string
	Total  int
	Groups []noContactGroup
}

func (s *Server) noContactReport(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.monthPage(r, "comms", "no_contact.title")
	if err != nil {
		return err
	}
	m, _ := rates.ParseMonth(mp.Month)
	p := &noContactPage{monthPage: mp}
	// A specialist sees their own customers, whatever the read-all
	// setting (it is their work list, like the queue); a manager everyone's
	// or one specialist's.
	p.Owner, _ = queueStaff(p.User, r.URL.Query().Get("owner"))
	list, err := s.Comms.NoContactMonth(r.Context(), m, p.Owner)
	if err != nil {
		return err
	}
	p.Total = len(list)
	for _, c := range list {
		owner := ""
		if c.OwnerID != nil {
			owner = *c.OwnerID
		}
		if n := len(p.Groups); n == 0 || p.Groups[n-1].OwnerID != owner {
			p.Groups = append(p.Groups, noContactGroup{OwnerID: owner, OwnerName: cmp.Or(c.OwnerName, p.T("no_contact.no_owner"))})
		}
		g := &p.Groups[len(p.Groups)-1]
		g.Items = append(g.Items, c)
	}
	// A manager may narrow the list to one specialist.
	if p.User.IsManagerial() {
		if p.choices, err = s.choices(r); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "no_contact", "", p)
}

// ---- list exports ----------------------------------------------------------

// ticketsExport downloads the ticket list with its filter (up to 10,000).
func (s *Server) ticketsExport(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ticketDomainFilter(ticketFilterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	sh, err := s.Tickets.TicketsSheet(r.Context(), f)
	if err != nil {
		return err
	}
	return s.writeTable(w, "tickets-"+s.today(), sh.Headers, sh.Rows)
}

// commsExport downloads the communication records with the list's filter
// (up to 100,000, newest first).
func (s *Server) commsExport(w http.ResponseWriter, r *http.Request) error {
	cf := commFilterOf(r.URL.Query())
	cf.After = ""
	f, err := s.domainFilter(cf)
	if err != nil {
		return err
	}
	sh, err := s.Comms.RecordsSheet(r.Context(), f)
	if err != nil {
		return err
	}
	return s.writeTable(w, "communications-"+s.today(), sh.Headers, sh.Rows)
}
