package api

import (
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/rates"
)

// The renewal rate (续约率) and collection rate (回款率) of a month with the
// rows behind them (SPEC §4, §8.3). The rates package has no JSON names
// of its own, so the report is turned into the views below: snake_case
// fields, dates as YYYY-MM-DD and each ratio with its percentage.

// rateRatio is an exact rate num/den with its percentage.
type rateRatio struct {
	Num        int64  `json:"num"`
	Den        int64  `json:"den"`
	Percent    string `json:"percent"`
	NothingDue bool   `json:"nothing_due"`
}

func ratioOf(r rates.Ratio) rateRatio {
	return rateRatio{Num: r.Num, Den: r.Den, Percent: r.Percent(), NothingDue: r.NothingDue()}
}

// ratesReport is every visible specialist's rates for one month.
type ratesReport struct {
	Month       string            `json:"month"`
	AsOf        string            `json:"as_of"`
	Specialists []specialistRates `json:"specialists"`
}

// specialistRates is one specialist's two rates; specialist_id "" holds
// the customers nobody owned.
type specialistRates struct {
	SpecialistID string         `json:"specialist_id"`
	Name         string         `json:"name"`
	Renewal      renewalRate    `json:"renewal"`
	Collection   collectionRate `json:"collection"`
}

// renewalRate is the renewal rate: den contracts ended in the month, num
// of them renewed by as_of; rows are those contracts.
type renewalRate struct {
	rateRatio
	Rows []renewalRateRow `json:"rows"`
}

// renewalRateRow is one contract that ended in the month.
type renewalRateRow struct {
	ContractID   string `json:"contract_id"`
	Number       string `json:"number"`
	CustomerID   string `json:"customer_id"`
	CustomerName string `json:"customer_name"`
	State        string `json:"state"`
	SignedOn     string `json:"signed_on"`
	EndOn        string `json:"end_on"`
	Outcome      string `json:"outcome"`
	LostReason   string `json:"lost_reason"`
	OwnerID      string `json:"owner_id"`
	Renewed      bool   `json:"renewed"`
	// The successor counted as the renewal (absent when not renewed).
	SuccessorID       *string `json:"successor_id"`
	SuccessorNumber   *string `json:"successor_number"`
	SuccessorSignedOn *string `json:"successor_signed_on"`
}

// collectionRate is the collection rate: den is what the installments due
// by the month's end still owed at its start, num what was received
// against them in the month (fen); rows are those installments.
type collectionRate struct {
	rateRatio
	Rows []collectionRateRow `json:"rows"`
}

// collectionRateRow is one installment due by the month's end and open at
// its start.
type collectionRateRow struct {
	InstallmentID  string              `json:"installment_id"`
	ContractID     string              `json:"contract_id"`
	ContractNumber string              `json:"contract_number"`
	CustomerID     string              `json:"customer_id"`
	CustomerName   string              `json:"customer_name"`
	Seq            int                 `json:"seq"`
	DueOn          string              `json:"due_on"`
	AmountFen      int64               `json:"amount_fen"`
	OwnerID        string              `json:"owner_id"`
	OpenAtStartFen int64               `json:"open_at_start_fen"`
	CollectedFen   int64               `json:"collected_fen"`
	CarriedIn      bool                `json:"carried_in"`
	Payments       []collectionPayment `json:"payments"`
}

// collectionPayment is the part of a payment received in the month that
// went to the installment.
type collectionPayment struct {
	PaymentID  string `json:"payment_id"`
	ReceivedOn string `json:"received_on"`
	AmountFen  int64  `json:"amount_fen"`
}

func dateText(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func renewalRateOf(r rates.Renewal) renewalRate {
	out := renewalRate{rateRatio: ratioOf(r.Ratio), Rows: []renewalRateRow{}}
	for _, row := range r.Rows {
		c := row.Contract
		v := renewalRateRow{ContractID: c.ID, Number: c.Number, CustomerID: c.CustomerID, CustomerName: c.CustomerName, State: c.State,
			SignedOn: dateText(c.Signed), EndOn: dateText(c.End), Outcome: c.Outcome, LostReason: c.LostReason, OwnerID: row.Owner, Renewed: row.Renewed}
		if sc := row.Successor; sc != nil {
			id, number, signed := sc.ID, sc.Number, dateText(sc.Signed)
			v.SuccessorID, v.SuccessorNumber, v.SuccessorSignedOn = &id, &number, &signed
		}
		out.Rows = append(out.Rows, v)
	}
	return out
}

func collectionRateOf(c rates.Collection) collectionRate {
	out := collectionRate{rateRatio: ratioOf(c.Ratio), Rows: []collectionRateRow{}}
	for _, row := range c.Rows {
		in := row.Installment
		v := collectionRateRow{InstallmentID: in.ID, ContractID: in.ContractID, ContractNumber: in.ContractNumber, CustomerID: in.CustomerID,
			CustomerName: in.CustomerName, Seq: in.Seq, DueOn: dateText(in.Due), AmountFen: in.Amount, OwnerID: row.Owner,
			OpenAtStartFen: row.OpenAtStart, CollectedFen: row.Collected, CarriedIn: row.CarriedIn, Payments: []collectionPayment{}}
		for _, a := range row.Payments {
			v.Payments = append(v.Payments, collectionPayment{PaymentID: a.PaymentID, ReceivedOn: dateText(a.Received), AmountFen: a.Amount})
		}
		out.Rows = append(out.Rows, v)
	}
	return out
}

// queryMonth is the month query parameter (YYYY-MM), this month (company
// time zone) when it is absent.
func (s *Server) queryMonth(r *http.Request) (rates.Month, error) {
	v := strings.TrimSpace(r.URL.Query().Get("month"))
	if v == "" {
		return rates.MonthOf(calendar.DateOf(s.Now(), s.Loc)), nil
	}
	m, err := rates.ParseMonth(v)
	if err != nil {
		return m, apperr.Invalid("month", "月份格式应为 YYYY-MM，月份 01–12 (a month as YYYY-MM, 01–12)")
	}
	return m, nil
}

func (s *Server) rates(w http.ResponseWriter, r *http.Request) error {
	m, err := s.queryMonth(r)
	if err != nil {
		return err
	}
	var asOf calendar.Date
	v, err := queryDate(r, "as_of")
	if err != nil {
		return err
	}
	if v != "" {
		if asOf, err = calendar.ParseDate(v); err != nil {
			return apperr.Invalid("as_of", "日期格式应为 YYYY-MM-DD (date as YYYY-MM-DD)")
		}
	}
	rep, err := s.Contracts.Rates(r.Context(), m, asOf)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	out := ratesReport{Month: rep.Month.String(), AsOf: dateText(rep.AsOf), Specialists: []specialistRates{}}
	for _, sp := range rep.Specialists {
		if q.Has("specialist_id") && sp.SpecialistID != q.Get("specialist_id") {
			continue
		}
		out.Specialists = append(out.Specialists, specialistRates{SpecialistID: sp.SpecialistID, Name: sp.Name,
			Renewal: renewalRateOf(sp.Renewal), Collection: collectionRateOf(sp.Collection)})
	}
	return ok(w, out)
}

// orphans lists the customers whose sales owner has left, with their
// running contracts and money owed (managers assign them).
func (s *Server) orphans(w http.ResponseWriter, r *http.Request) error {
	os, err := s.Contracts.Orphans(r.Context())
	if err != nil {
		return err
	}
	return ok(w, items(os))
}
