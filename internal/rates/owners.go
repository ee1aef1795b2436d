package rates

import (
	"cmp"
	"slices"
	"sort"

	"kefu/internal/calendar"
)

// OwnerSpan says that from day From on, customer CustomerID is owned by the
// specialist OwnerID (分管客服), until the customer's next span. OwnerID "" means
// nobody owns the customer.
type OwnerSpan struct {
	CustomerID string
	OwnerID    string
	From       calendar.Date
}

// Owners is the ownership history of customers. The zero Owners knows no
// customer. It is immutable after [NewOwners] and safe for concurrent use.
type Owners struct {
	by map[string][]OwnerSpan // per customer, sorted by From, one span per day
}

// NewOwners indexes spans by customer. The input order does not matter; when
// a customer has several spans from the same day, the one with the greatest
// OwnerID wins (an arbitrary but deterministic choice: such input is an error
// upstream). NewOwners does not keep or modify spans.
func NewOwners(spans []OwnerSpan) Owners {
	by := make(map[string][]OwnerSpan)
	for _, s := range spans {
		by[s.CustomerID] = append(by[s.CustomerID], s)
	}
	for id, ss := range by {
		slices.SortFunc(ss, func(a, b OwnerSpan) int {
			return cmp.Or(a.From.Compare(b.From), cmp.Compare(a.OwnerID, b.OwnerID))
		})
		out := ss[:0]
		for i, s := range ss {
			if i+1 < len(ss) && ss[i+1].From.Compare(s.From) == 0 {
				continue
			}
			out = append(out, s)
		}
		by[id] = slices.Clip(out)
	}
	return Owners{by: by}
}

// At returns the owner of customerID on day d: the span with the latest From on
// or before d. When d precedes all spans of the customer (the contract is older
// than the archive's history), the earliest span's owner. An unknown customer
// has owner "".
func (o Owners) At(customerID string, d calendar.Date) string {
	ss := o.by[customerID]
	if len(ss) == 0 {
		return ""
	}
	i := sort.Search(len(ss), func(i int) bool { return ss[i].From.After(d) })
	if i == 0 {
		return ss[0].OwnerID
	}
	return ss[i-1].OwnerID
}
