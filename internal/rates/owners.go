package rates

import (
	"cmp"
	"slices"
	"sort"
	"time"

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

// OwnerChange says that from the instant At on, customer CustomerID is
// owned by OwnerID ("" = nobody), until the customer's next change. It is
// the history at the precision it is recorded (the archive's recorded_at),
// for rules that charge the owner at a moment rather than on a day: a
// response clock started at 09:00 belongs to the owner at 09:00, not to
// whoever took the customer over at 14:00 that day.
type OwnerChange struct {
	CustomerID string
	OwnerID    string
	At         time.Time
}

// OwnerTimeline is the ownership history of customers to the instant. The
// zero OwnerTimeline knows no customer. It is immutable after
// [NewOwnerTimeline] and safe for concurrent use.
type OwnerTimeline struct {
	by map[string][]OwnerChange // per customer, sorted by At
}

// NewOwnerTimeline indexes changes by customer. Changes may come in any
// order of time; of changes of one customer at the same instant, the one
// given last wins (callers pass them in the order they were recorded). It
// does not keep or modify changes.
func NewOwnerTimeline(changes []OwnerChange) OwnerTimeline {
	by := make(map[string][]OwnerChange)
	for _, c := range changes {
		by[c.CustomerID] = append(by[c.CustomerID], c)
	}
	for id, cs := range by {
		slices.SortStableFunc(cs, func(a, b OwnerChange) int { return a.At.Compare(b.At) })
		out := cs[:0]
		for i, c := range cs {
			if i+1 < len(cs) && cs[i+1].At.Equal(c.At) {
				continue
			}
			out = append(out, c)
		}
		by[id] = slices.Clip(out)
	}
	return OwnerTimeline{by: by}
}

// At returns the owner of customerID at instant t: the latest change at or
// before t. Before all changes of the customer (a record older than the
// archive's history), the earliest change's owner. An unknown customer has
// owner "".
func (o OwnerTimeline) At(customerID string, t time.Time) string {
	cs := o.by[customerID]
	if len(cs) == 0 {
		return ""
	}
	i := sort.Search(len(cs), func(i int) bool { return cs[i].At.After(t) })
	if i == 0 {
		return cs[0].OwnerID
	}
	return cs[i-1].OwnerID
}
