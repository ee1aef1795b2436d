package rates

import (
	"slices"
	"strings"

	"kefu/internal/calendar"
)

// Contract states, as stored by the contracts domain.
const (
	StateDraft      = "draft"
	StateActive     = "active"
	StateTerminated = "terminated"
)

// Contract is what the renewal rate needs of a contract (合同).
type Contract struct {
	ID           string
	Number       string // 合同编号
	CustomerID   string
	CustomerName string
	State        string        // StateDraft, StateActive or StateTerminated
	Signed       calendar.Date // 签订日期; zero when not signed
	// Recorded is the day the contract was entered (录入). It stands in for
	// Signed when that is zero (records from before a signed date was
	// required of renewals), so a successor that shows as a renewal counts
	// as one from the day it was entered.
	Recorded     calendar.Date
	End          calendar.Date // 到期日
	TerminatedOn calendar.Date // 终止日期 of a terminated contract
	RenewedFrom  string        // ID of the contract this one renews (续签自)
	Outcome      string        // renewal outcome recorded by the specialist (pending / renewed / lost); evidence only
	LostReason   string        // evidence only
}

// upForRenewal reports whether c counts in the renewal rate of the month
// [first, last]: it ends in the month and is not a draft. A terminated
// contract counts when it was terminated on or after the month's first
// day: terminating a contract that is due (or over) cannot take it out of
// its month's denominator. One terminated before the month was ended early
// and never came up for renewal; so was one terminated on an unknown day.
func (c *Contract) upForRenewal(first, last calendar.Date) bool {
	switch c.State {
	case StateDraft:
		return false
	case StateTerminated:
		if c.TerminatedOn.IsZero() || c.TerminatedOn.Before(first) {
			return false
		}
	}
	return !c.End.Before(first) && !c.End.After(last)
}

// signedOn is the day c counts as signed: Signed, else Recorded; zero when
// neither is known.
func (c *Contract) signedOn() calendar.Date {
	if c.Signed.IsZero() {
		return c.Recorded
	}
	return c.Signed
}

// renews reports whether c is a successor that counts by asOf: it renews
// another contract, is not a draft, and was signed (or, without a signed
// date, entered) on or before asOf. A successor terminated later still
// counts: the renewal happened.
func (c *Contract) renews(asOf calendar.Date) bool {
	signed := c.signedOn()
	return c.RenewedFrom != "" && c.RenewedFrom != c.ID && c.State != StateDraft &&
		!signed.IsZero() && !signed.After(asOf)
}

// compareContract is a total order on all fields (the final tie-break).
func compareContract(a, b *Contract) int {
	for _, c := range [...][2]string{
		{a.ID, b.ID}, {a.Number, b.Number}, {a.CustomerID, b.CustomerID}, {a.CustomerName, b.CustomerName},
		{a.State, b.State}, {a.RenewedFrom, b.RenewedFrom}, {a.Outcome, b.Outcome}, {a.LostReason, b.LostReason},
	} {
		if c := strings.Compare(c[0], c[1]); c != 0 {
			return c
		}
	}
	for _, c := range [...][2]calendar.Date{
		{a.Signed, b.Signed}, {a.Recorded, b.Recorded}, {a.End, b.End}, {a.TerminatedOn, b.TerminatedOn},
	} {
		if c := c[0].Compare(c[1]); c != 0 {
			return c
		}
	}
	return 0
}

// betterSuccessor orders candidate successors: earliest signed (Signed,
// else Recorded), then Number.
func betterSuccessor(a, b *Contract) int {
	if c := a.signedOn().Compare(b.signedOn()); c != 0 {
		return c
	}
	if c := strings.Compare(a.Number, b.Number); c != 0 {
		return c
	}
	return compareContract(a, b)
}

// compareRenewalRow is the order of [Renewal.Rows]: End, then Number.
func compareRenewalRow(a, b *RenewalRow) int {
	if c := a.Contract.End.Compare(b.Contract.End); c != 0 {
		return c
	}
	if c := strings.Compare(a.Contract.Number, b.Contract.Number); c != 0 {
		return c
	}
	if c := compareContract(&a.Contract, &b.Contract); c != 0 {
		return c
	}
	return compareSuccessor(a.Successor, b.Successor)
}

// RenewalRow is one contract ending in the month: the evidence of one unit of
// the denominator, and of the numerator when Renewed.
type RenewalRow struct {
	Contract  Contract
	Owner     string    // owner of the customer on the contract's end date
	Renewed   bool      // a successor was signed by AsOf
	Successor *Contract // the successor (earliest signed, then lowest number); nil when not renewed
}

// Renewal is the renewal rate (续约率) of one specialist for one month.
// Ratio.Den is len(Rows), Ratio.Num the number of renewed rows.
type Renewal struct {
	Specialist string // owner id; "" = customers nobody owned
	Month      Month
	AsOf       calendar.Date
	Ratio      Ratio
	Rows       []RenewalRow // sorted by End, then Number
}

// RenewalRates computes the renewal rate of month m for every specialist at
// once, keyed by owner id ("" collects customers nobody owned). A specialist
// with no contract ending in m is absent from the map: use [RenewalRate], or
// treat absence as nothing due.
//
// A contract counts when its End is in m and it is not a draft; a terminated
// one counts only when it was terminated on or after m's first day. It is
// charged to owners.At(customer, End). It is renewed when some contract in cs
// has RenewedFrom equal to its ID, is not a draft and was signed (without a
// signed date: recorded) on or before asOf — even if signed after the end
// date.
func RenewalRates(cs []Contract, owners Owners, m Month, asOf calendar.Date) map[string]Renewal {
	return renewal(cs, owners, m, asOf, nil)
}

// RenewalRate is [RenewalRates] for one specialist; with no contract ending in
// m it returns an empty Renewal whose Ratio is nothing due.
func RenewalRate(specialist string, cs []Contract, owners Owners, m Month, asOf calendar.Date) Renewal {
	r, ok := renewal(cs, owners, m, asOf, &specialist)[specialist]
	if !ok {
		r = Renewal{Specialist: specialist, Month: m, AsOf: asOf}
	}
	return r
}

func renewal(cs []Contract, owners Owners, m Month, asOf calendar.Date, only *string) map[string]Renewal {
	first, last := m.First(), m.Last()

	// The contracts up for renewal, and their owners.
	type cand struct {
		i     int
		owner string
		succ  int // index of the best successor in cs, or -1
	}
	var cands []cand
	byID := make(map[string][]int32) // contract id → indices into cands
	for i := range cs {
		c := &cs[i]
		if !c.upForRenewal(first, last) {
			continue
		}
		owner := owners.At(c.CustomerID, c.End)
		if only != nil && owner != *only {
			continue
		}
		byID[c.ID] = append(byID[c.ID], int32(len(cands)))
		cands = append(cands, cand{i: i, owner: owner, succ: -1})
	}
	if len(cands) == 0 {
		return map[string]Renewal{}
	}

	// Their successors.
	for j := range cs {
		s := &cs[j]
		if !s.renews(asOf) {
			continue
		}
		for _, k := range byID[s.RenewedFrom] {
			c := &cands[k]
			if c.succ < 0 || betterSuccessor(s, &cs[c.succ]) < 0 {
				c.succ = j
			}
		}
	}

	// Rows per owner.
	out := make(map[string]Renewal)
	rows := make([]RenewalRow, len(cands))
	for k, c := range cands {
		row := RenewalRow{Contract: cs[c.i], Owner: c.owner}
		if c.succ >= 0 {
			s := cs[c.succ]
			row.Renewed, row.Successor = true, &s
		}
		rows[k] = row
	}
	slices.SortFunc(rows, func(a, b RenewalRow) int { return compareRenewalRow(&a, &b) })
	for _, row := range rows {
		r := out[row.Owner]
		r.Rows = append(r.Rows, row)
		r.Ratio.Den++
		if row.Renewed {
			r.Ratio.Num++
		}
		out[row.Owner] = r
	}
	for owner, r := range out {
		r.Specialist, r.Month, r.AsOf = owner, m, asOf
		r.Rows = slices.Clip(r.Rows)
		out[owner] = r
	}
	return out
}

// compareSuccessor breaks ties between rows of identical contracts (duplicate
// input) so that even then the order does not depend on the input order.
func compareSuccessor(a, b *Contract) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return compareContract(a, b)
}
