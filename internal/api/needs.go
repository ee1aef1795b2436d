package api

import (
	"net/http"

	"kefu/internal/contracts"
)

// New business from existing customers (老客户新需求, SPEC §4): needs,
// quotes with lines, follow-ups and the result. Who may change which need
// — a specialist only those of the customers they own — is checked by the
// contracts domain; the route table checks the role.

// needStatuses are the states of a need.
var needStatuses = []string{"open", "quoted", "won", "lost"}

// needOutcomes are the results a need is closed with.
var needOutcomes = []string{"won", "lost"}

func (s *Server) listNeeds(w http.ResponseWriter, r *http.Request) error {
	status, err := queryEnum(r, "status", needStatuses...)
	if err != nil {
		return err
	}
	overdue, err := queryBool(r, "follow_up_overdue")
	if err != nil {
		return err
	}
	ns, err := s.Contracts.ListNeeds(r.Context(), contracts.NeedFilter{OwnerID: ownerFilter(r), CustomerID: r.URL.Query().Get("customer_id"),
		Status: status, FollowUpOverdue: overdue != nil && *overdue})
	if err != nil {
		return err
	}
	return ok(w, items(ns))
}

func (s *Server) createNeed(w http.ResponseWriter, r *http.Request) error {
	var in contracts.NeedInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.Contracts.CreateNeed(r.Context(), in)
	if err != nil {
		return err
	}
	d, err := s.Contracts.GetNeed(r.Context(), n.ID)
	if err != nil {
		return err
	}
	return created(w, d)
}

func (s *Server) getNeed(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Contracts.GetNeed(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) addQuote(w http.ResponseWriter, r *http.Request) error {
	var in contracts.QuoteInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	q, err := s.Contracts.AddQuote(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, q)
}

func (s *Server) sendQuote(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Contracts.SendQuote(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, q)
}

func (s *Server) logFollowUp(w http.ResponseWriter, r *http.Request) error {
	var in contracts.CommunicationInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Contracts.LogFollowUp(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, c)
}

// needClose records a need's result: won with the new contract of the
// same customer, or lost with the reason.
type needClose struct {
	Version    *int64 `json:"version"`
	Outcome    string `json:"outcome"`
	ContractID string `json:"contract_id"`
	Reason     string `json:"reason"`
}

func (s *Server) closeNeed(w http.ResponseWriter, r *http.Request) error {
	var in needClose
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if err := bodyEnum("outcome", in.Outcome, needOutcomes...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.Contracts.CloseNeed(r.Context(), id, v, in.Outcome, in.ContractID, in.Reason); err != nil {
		return err
	}
	d, err := s.Contracts.GetNeed(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, d)
}
