package sla

import (
	"cmp"
	"slices"
	"time"
)

// Breaches returns one [Event] for every breached clock, sorted by OccurredAt
// and Key. Clocks of an unknown Kind are skipped.
func Breaches(clocks []Clock) []Event {
	n := 0
	for _, c := range clocks {
		if c.State == StateBreached {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Event, 0, n)
	for _, c := range clocks {
		if c.State != StateBreached {
			continue
		}
		typ := eventType(c.Kind)
		if typ == "" {
			continue
		}
		ev := Event{
			Key: c.Key, Type: typ, OccurredAt: c.Deadline, Quantity: lateMinutes(c.Late),
			Evidence:   []string{c.StartID},
			CustomerID: c.CustomerID, Channel: c.Channel, Conversation: c.Conversation,
			StartedAt: c.StartedAt, StoppedAt: c.StoppedAt, Open: c.Running(), Late: c.Late, Responder: c.Responder,
		}
		if c.StopID != "" {
			ev.Evidence = append(ev.Evidence, c.StopID)
		}
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b Event) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// NearBreaches returns one near-breach [Event] for every clock that was
// still unanswered at its near-breach moment (Clock.NearAt), sorted by
// OccurredAt and Key: a clock running past it (as of the derivation), a
// breached one, and one stopped after it, even on time. A clock stopped
// at or before its near moment has none (a reply at 2:00 into 3 minutes
// comes in time for the notice, as a reply at 3:00 is on time), nor has a
// rule without a near threshold. The event is dated at the near moment,
// its Quantity is 1, its evidence is the start record and the stop record
// when there is one. Clocks of an unknown Kind are skipped.
func NearBreaches(clocks []Clock) []Event {
	var out []Event
	for _, c := range clocks {
		typ := eventType(c.Kind)
		if typ == "" || !wasNear(c) {
			continue
		}
		ev := Event{
			Key: c.Key + NearKeySuffix, Type: typ + NearSuffix, OccurredAt: c.NearAt, Quantity: 1,
			Evidence:   []string{c.StartID},
			CustomerID: c.CustomerID, Channel: c.Channel, Conversation: c.Conversation,
			StartedAt: c.StartedAt, StoppedAt: c.StoppedAt, Open: c.Running(), Responder: c.Responder,
		}
		if c.StopID != "" {
			ev.Evidence = append(ev.Evidence, c.StopID)
		}
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b Event) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// wasNear says whether c was unanswered at its near-breach moment.
func wasNear(c Clock) bool {
	switch {
	case c.NearAt.IsZero():
		return false
	case c.State == StateBreached:
		return true
	case c.Running():
		return c.Near
	default:
		return c.StoppedAt.After(c.NearAt)
	}
}

func eventType(kind string) string {
	switch kind {
	case KindWeChat:
		return EventWeChatTimeout
	case KindMissedCall:
		return EventMissedCallTimeout
	case KindChat:
		return EventChatTimeout
	}
	return ""
}

// lateMinutes is late in started minutes, at least 1 (1 s late is 1 minute,
// 60 s is 1, 61 s is 2).
func lateMinutes(late time.Duration) int64 {
	if late <= 0 {
		return 1
	}
	return int64((late-1)/time.Minute) + 1
}
