package api

import (
	"net/http"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
)

// Contracts (SPEC §4). Who may read or change which contract — a
// specialist writes only the contracts of the customers they own — is
// checked by the contracts domain; the route table checks the role.

func (s *Server) listContracts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	kind, err := queryEnum(r, "kind", contracts.Kinds...)
	if err != nil {
		return err
	}
	status, err := queryEnum(r, "status", contracts.Statuses...)
	if err != nil {
		return err
	}
	endFrom, err := queryDate(r, "end_from")
	if err != nil {
		return err
	}
	endTo, err := queryDate(r, "end_to")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	pg, err := s.Contracts.ListContracts(r.Context(), contracts.ListFilter{Query: q.Get("q"), CustomerID: q.Get("customer_id"),
		OwnerID: q.Get("owner_id"), Kind: kind, Status: status, EndFrom: endFrom, EndTo: endTo, After: q.Get("after"), Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, paged(pg.Items, pg.Next))
}

func (s *Server) getContract(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Contracts.GetContract(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

// contractCreate is a new contract; activate=true enters it as active
// (in force) instead of as a draft.
type contractCreate struct {
	contracts.ContractInput
	Activate bool `json:"activate"`
}

func (s *Server) createContract(w http.ResponseWriter, r *http.Request) error {
	var in contractCreate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Contracts.CreateContract(r.Context(), in.ContractInput, in.Activate)
	if err != nil {
		return err
	}
	d, err := s.Contracts.GetContract(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return created(w, d)
}

type contractUpdate struct {
	Version *int64 `json:"version"`
	contracts.ContractInput
}

// contractInputOf is the input that leaves d unchanged, without its scope
// and schedule: see updateContract.
func contractInputOf(d *contracts.ContractDetail) contracts.ContractInput {
	return contracts.ContractInput{Number: d.Number, CustomerID: d.CustomerID, Kind: d.Kind, Title: d.Title,
		SignedOn: deref(d.SignedOn), ReceivedOn: deref(d.ReceivedOn), StartOn: d.StartOn, EndOn: d.EndOn, AmountFen: d.AmountFen,
		ScheduleDiffers: d.ScheduleDiffers, ScheduleNote: d.ScheduleNote, RenewedFrom: deref(d.RenewedFrom),
		EMCFeeFen: d.EMCFeeFen, EMCCycle: d.EMCCycle, Notes: d.Notes}
}

// scopeOf and scheduleOf are a contract's lists as input; the schedule
// names each installment by id, so its invoices and payments stay on it.
func scopeOf(d *contracts.ContractDetail) []contracts.ScopeItemInput {
	out := make([]contracts.ScopeItemInput, len(d.Scope))
	for i, it := range d.Scope {
		out[i] = contracts.ScopeItemInput{EquipmentID: deref(it.EquipmentID), Equipment: it.Equipment, ServiceType: it.ServiceType,
			Frequency: it.Frequency, Times: it.Times, Notes: it.Notes}
	}
	return out
}

func scheduleOf(d *contracts.ContractDetail) []contracts.InstallmentInput {
	out := make([]contracts.InstallmentInput, len(d.Installments))
	for i, it := range d.Installments {
		out[i] = contracts.InstallmentInput{ID: it.ID, DueOn: it.DueOn, AmountFen: it.AmountFen, Kind: it.Kind,
			PeriodFrom: deref(it.PeriodFrom), PeriodTo: deref(it.PeriodTo), Notes: it.Notes}
	}
	return out
}

func (s *Server) updateContract(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Contracts.GetContract(r.Context(), id)
	if err != nil {
		return err
	}
	// Scalar fields the body leaves out keep the values read here. The
	// lists are not pre-filled: encoding/json decodes an array into the
	// elements already in a slice, so a sent installment without "id"
	// would silently keep the id (and the money) of the one it overlays.
	// A list left out (or null) is kept as a whole; [] empties it.
	in := contractUpdate{ContractInput: contractInputOf(cur)}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if in.Scope == nil {
		in.Scope = scopeOf(cur)
	}
	if in.Installments == nil {
		in.Installments = scheduleOf(cur)
	}
	if _, err := s.Contracts.UpdateContract(r.Context(), id, v, in.ContractInput); err != nil {
		return err
	}
	d, err := s.Contracts.GetContract(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, d)
}

// contractStates are the states a caller may set: a draft is activated,
// an active contract terminated.
var contractStates = []string{"active", "terminated"}

// stateChange activates a draft or terminates an active contract.
type stateChange struct {
	Version      *int64 `json:"version"`
	State        string `json:"state"`
	TerminatedOn string `json:"terminated_on"`
	Reason       string `json:"reason"`
}

func (s *Server) setContractState(w http.ResponseWriter, r *http.Request) error {
	var in stateChange
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if err := bodyEnum("state", in.State, contractStates...); err != nil {
		return err
	}
	if _, err := s.Contracts.SetState(r.Context(), r.PathValue("id"), v, in.State, in.TerminatedOn, in.Reason); err != nil {
		return err
	}
	d, err := s.Contracts.GetContract(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

// renewalOutcomes are the outcomes a caller may set; renewed is set by
// entering the successor contract with renewed_from.
var renewalOutcomes = []string{"lost", "pending"}

// outcomeChange records a lost renewal (with the reason) or reopens it.
type outcomeChange struct {
	Version *int64 `json:"version"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (s *Server) setRenewalOutcome(w http.ResponseWriter, r *http.Request) error {
	var in outcomeChange
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Outcome) == "renewed" {
		return apperr.Invalid("outcome", "续签请录入新合同并在 renewed_from 选择被续签的合同 (enter the successor contract with renewed_from)")
	}
	if err := bodyEnum("outcome", in.Outcome, renewalOutcomes...); err != nil {
		return err
	}
	_, err = s.Contracts.SetRenewalOutcome(r.Context(), r.PathValue("id"), v, in.Outcome, in.Reason)
	// The domain names the stored column; the body calls it reason.
	if e, isErr := apperr.As(err); isErr && e.Field == "lost_reason" {
		return &apperr.Error{Kind: e.Kind, Field: "reason", Message: e.Message, Err: e.Err}
	}
	if err != nil {
		return err
	}
	d, err := s.Contracts.GetContract(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) listContractCommunications(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Contracts.ContractCommunications(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(cs))
}

// contactTags are the tags of a contact logged on a contract.
var contactTags = []string{contracts.TagRenewal, contracts.TagDunning}

// contractContact is a renewal contact (续约联系) or a dunning call (催款).
type contractContact struct {
	Tag string `json:"tag"`
	contracts.CommunicationInput
}

func (s *Server) logContractContact(w http.ResponseWriter, r *http.Request) error {
	var in contractContact
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := bodyEnum("tag", in.Tag, contactTags...); err != nil {
		return err
	}
	c, err := s.Contracts.LogContractContact(r.Context(), r.PathValue("id"), in.Tag, in.CommunicationInput)
	if err != nil {
		return err
	}
	return created(w, c)
}

// Money: payments received (回款) and invoices (开票), recorded by finance.

func (s *Server) recordPayment(w http.ResponseWriter, r *http.Request) error {
	var in contracts.PaymentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.Contracts.RecordPayment(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, p)
}

// paymentDelete says why a payment is deleted; the reason may also come
// as the query parameter reason (DELETE bodies are dropped by some clients).
type paymentDelete struct {
	Reason string `json:"reason"`
}

func (s *Server) deletePayment(w http.ResponseWriter, r *http.Request) error {
	var in paymentDelete
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		in.Reason = r.URL.Query().Get("reason")
	}
	if err := s.Contracts.DeletePayment(r.Context(), r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) recordInvoice(w http.ResponseWriter, r *http.Request) error {
	var in contracts.InvoiceInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	inv, err := s.Contracts.RecordInvoice(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, inv)
}

func (s *Server) receivables(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	bucket, err := queryEnum(r, "bucket", contracts.Buckets...)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	rep, err := s.Contracts.Receivables(r.Context(), contracts.ReceivableFilter{OwnerID: ownerFilter(r), CustomerID: q.Get("customer_id"),
		ContractID: q.Get("contract_id"), Bucket: bucket, After: q.Get("after"), Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, rep)
}

// Renewal desk and policy.

func (s *Server) renewalDesk(w http.ResponseWriter, r *http.Request) error {
	outcome, err := queryEnum(r, "outcome", "pending", "renewed", "lost")
	if err != nil {
		return err
	}
	flagged, err := queryBool(r, "flagged")
	if err != nil {
		return err
	}
	rs, err := s.Contracts.RenewalDesk(r.Context(), contracts.RenewalFilter{OwnerID: ownerFilter(r), Outcome: outcome,
		Flagged: flagged != nil && *flagged})
	if err != nil {
		return err
	}
	return ok(w, items(rs))
}

func (s *Server) contractsPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Contracts.Policy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, p)
}

// policyInput is the contracts policy as a request body (fields left out
// keep their stored values).
type policyInput contracts.Policy

func (s *Server) saveContractsPolicy(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.Contracts.Policy(r.Context())
	if err != nil {
		return err
	}
	in := policyInput(cur)
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Contracts.SavePolicy(r.Context(), contracts.Policy(in)); err != nil {
		return err
	}
	p, err := s.Contracts.Policy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, p)
}

// bodyEnum checks a required body field that must be one of allowed.
func bodyEnum(field, v string, allowed ...string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return required(field)
	}
	if !slices.Contains(allowed, v) {
		return apperr.Invalid(field, "取值须为 "+strings.Join(allowed, "、")+" (one of "+strings.Join(allowed, ", ")+")")
	}
	return nil
}

// listPayments lists the latest recorded payments, newest first.
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	ps, err := s.Contracts.RecentPayments(r.Context(), limit)
	if err != nil {
		return err
	}
	return ok(w, items(ps))
}

// contractByNumber looks a contract up by its number, as finance and
// machine clients know it from bank statements and paper.
func (s *Server) contractByNumber(w http.ResponseWriter, r *http.Request) error {
	number := strings.TrimSpace(r.URL.Query().Get("number"))
	if number == "" {
		return required("number")
	}
	d, err := s.Contracts.ContractByNumber(r.Context(), number)
	if err != nil {
		return err
	}
	return ok(w, d)
}
