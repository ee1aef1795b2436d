package appraisal

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"kefu/internal/sla"
)

// Near-breach events of the response clocks (sla's *_timeout_near) are on
// record for the appraisal to read, but never scored: they are not known
// event types, so a scheme that counts one is refused, and every shipped
// scheme scores a month with them exactly as without them (they are only
// listed as unused).
func TestNearBreachesAreNeverScored(t *testing.T) {
	near := []string{sla.EventWeChatNear, sla.EventMissedCallNear, sla.EventChatNear}
	for _, typ := range near {
		if _, known := KnownEventTypes[typ]; known {
			t.Errorf("%s is a known (scorable) event type", typ)
		}
	}
	// A scheme counting a near-breach is refused, naming the rule.
	s := Default()
	path := ""
	for ci, c := range s.Categories {
		for ii, it := range c.Items {
			for ri := range it.Rules {
				if path == "" && it.Method == MethodDeduct {
					r := &s.Categories[ci].Items[ii].Rules[ri]
					r.Event, r.Events = sla.EventWeChatNear, nil
					path = fmt.Sprintf("categories[%d].items[%d].rules[%d].event", ci, ii, ri)
				}
			}
		}
	}
	if path == "" {
		t.Fatal("the default scheme has no deduct rule")
	}
	wantInvalid(t, s.Validate(), path, `未知事件类型 "wechat_timeout_near"`)

	// A month with one of every known event, and the same month with
	// near-breaches beside its breaches.
	var month []Event
	for _, typ := range slices.Sorted(maps.Keys(KnownEventTypes)) {
		month = append(month, evc("e-"+typ, typ, "c1", 3))
	}
	withNear := slices.Clone(month)
	var nearIDs []string
	for i, typ := range near {
		for j := range 3 {
			id := fmt.Sprintf("n-%d-%d", i, j)
			withNear = append(withNear, evc(id, typ, "c1", 1))
			nearIDs = append(nearIDs, id)
		}
	}
	for _, s := range Shipped() {
		in := Input{Scheme: s, Ratings: fullRatings(s), Rates: map[string]Rate{}, Samples: map[string][]SampleDay{}, Events: month}
		for _, c := range s.Categories {
			for _, it := range c.Items {
				if it.Method == MethodRate {
					in.Rates[it.Rate] = Rate{Num: 2, Den: 3}
				}
				if it.Method == MethodSample {
					in.Samples[it.Key] = days(20)
				}
			}
		}
		base := mustEval(t, in)
		if s.Key == DefaultKey && base.Total >= s.Total-P(10) {
			t.Fatalf("the month's breaches cost the default scheme only %s of %s: the test counts nothing", s.Total-base.Total, s.Total)
		}
		in.Events = withNear
		got := mustEval(t, in)
		if got.Total != base.Total || got.Final != base.Final || !reflect.DeepEqual(got.Lines, base.Lines) ||
			!reflect.DeepEqual(got.Categories, base.Categories) {
			t.Errorf("%s: near-breaches change the card: %s → %s", s.Key, base.Total, got.Total)
		}
		if want := append(slices.Clone(base.Unused), nearIDs...); !reflect.DeepEqual(got.Unused, want) {
			t.Errorf("%s: unused %v, want %v", s.Key, got.Unused, want)
		}
	}
}
