package appraisal

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestShippedSchemes(t *testing.T) {
	ss := Shipped()
	keys := map[string]bool{}
	var got []string
	for _, s := range ss {
		if keys[s.Key] {
			t.Errorf("duplicate shipped key %s", s.Key)
		}
		keys[s.Key] = true
		got = append(got, s.Key)
		// Round trip: marshal and parse again gives the same scheme.
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseScheme(b)
		if err != nil {
			t.Fatalf("%s: round trip: %v", s.Key, err)
		}
		if !reflect.DeepEqual(s, back) {
			t.Errorf("%s: round trip differs", s.Key)
		}
		// Full marks everywhere give the scheme total.
		in := Input{Scheme: s, Ratings: fullRatings(s), Rates: map[string]Rate{}, Samples: map[string][]SampleDay{}}
		for _, c := range s.Categories {
			for _, it := range c.Items {
				if it.Method == MethodRate {
					in.Rates[it.Rate] = Rate{Num: 1, Den: 1}
					if it.Invert {
						in.Rates[it.Rate] = Rate{Num: 0, Den: 3}
					}
				}
				if it.Method == MethodSample {
					in.Samples[it.Key] = days(26)
				}
			}
		}
		c := mustEval(t, in)
		if !c.Complete || c.Total != s.Total || c.Final != s.Total {
			t.Errorf("%s: full marks give %s (complete %v), want %s", s.Key, c.Total, c.Complete, s.Total)
		}
		// Nothing rated: every rated line pending, card incomplete.
		c = mustEval(t, Input{Scheme: s})
		for _, l := range c.Lines {
			wantPending := l.Method != MethodDeduct
			if l.Pending != wantPending {
				t.Errorf("%s/%s: pending %v", s.Key, l.Item, l.Pending)
			}
		}
	}
	want := []string{"chat_sampling", "cs_manager", "cs_specialist", "supervision_checklist", "virtue_diligence"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shipped %v, want %v", got, want)
	}
	if d := Default(); d == nil || d.Key != DefaultKey || d.Name != "客服专员绩效考核评分标准" || d.Total != P(100) {
		t.Errorf("default %+v", d)
	}
	// Fresh copies: changing one does not change the next.
	Default().Categories[0].Items[0].Points = 1
	if Default().Categories[0].Items[0].Points != P(15) {
		t.Error("Default shares state")
	}
}

// TestDefaultSchemeTable pins the default scheme to SPEC §8.3's table.
func TestDefaultSchemeTable(t *testing.T) {
	s := Default()
	type rule struct {
		types  string
		per    string
		amount Points
	}
	want := []struct {
		cat, item string
		points    Points
		method    string
		rules     []rule
	}{
		{"business", "renewal_rate", P(15), MethodRate, nil},
		{"business", "collection_rate", P(15), MethodRate, nil},
		{"kpi", "dispatch", P(10), MethodDeduct, []rule{{"dispatch_overdue", PerDay, P(2)}, {"dispatch_error", PerChoice, 0}}},
		{"kpi", "service", P(15), MethodDeduct, []rule{
			{"wechat_timeout,missed_call_timeout,chat_timeout", PerOccurrence, P(1)}, {"solution_overdue", PerDay, P(2)},
			{"no_contact_month", PerCustomer, P(5)}, {"unregistered", PerOccurrence, P(2)},
			{"registration_incomplete", PerOccurrence, P(1)}, {"attitude_complaint", PerOccurrence, P(5)}}},
		{"kpi", "followup", P(15), MethodDeduct, []rule{{"followup_missing", PerOccurrence, P(1)}, {"summary_missing", PerOccurrence, P(1)},
			{"problem_not_forwarded", PerOccurrence, P(1)}, {"monthly_summary_late", PerDay, P(1)}}},
		{"kpi", "archive", P(10), MethodDeduct, []rule{{"archive_late", PerOccurrence, P(1)}}},
		{"kpi", "other", P(5), MethodManual, nil},
		{"attitude", "initiative", P(3), MethodRubric, nil},
		{"attitude", "enthusiasm", P(3), MethodRubric, nil},
		{"attitude", "execution", P(3), MethodRubric, nil},
		{"attitude", "dedication", P(3), MethodRubric, nil},
		{"attitude", "responsibility", P(3), MethodRubric, nil},
	}
	var i int
	for _, c := range s.Categories {
		for _, it := range c.Items {
			w := want[i]
			i++
			if c.Key != w.cat || it.Key != w.item || it.Points != w.points || it.Method != w.method || it.Floor != nil {
				t.Errorf("item %d = %s/%s %s %s", i, c.Key, it.Key, it.Points, it.Method)
			}
			var rules []rule
			for _, r := range it.Rules {
				ts := r.Event
				for j, e := range r.Events {
					if j > 0 {
						ts += ","
					}
					ts += e
				}
				rules = append(rules, rule{ts, r.Per, r.Amount})
				if r.Cap != nil {
					t.Errorf("%s: unexpected cap", it.Key)
				}
			}
			if !reflect.DeepEqual(rules, w.rules) {
				t.Errorf("%s rules %v, want %v", it.Key, rules, w.rules)
			}
			if it.Method == MethodRubric {
				if len(it.Levels) != 4 || it.Levels[0].Points != P(3) || it.Levels[3].Points != 0 {
					t.Errorf("%s levels %v", it.Key, it.Levels)
				}
			}
		}
	}
	if i != len(want) {
		t.Errorf("%d items, want %d", i, len(want))
	}
	if r := s.Categories[1].Items[0].Rules[1]; r.Min != P(1) || r.Max != P(2) {
		t.Errorf("dispatch_error range %s–%s", r.Min, r.Max)
	}
}

func TestRollUp(t *testing.T) {
	var s *Scheme
	for _, x := range Shipped() {
		if x.Key == "virtue_diligence" {
			s = x
		}
	}
	r := s.RollUp
	for _, tc := range []struct {
		name      string
		scores    map[string][]Points
		score     Points
		excellent bool
		detail    string
		field     string
		msg       string
	}{
		{"plain", map[string][]Points{"checks": {P(90), P(80)}, "monthly": {P(85)}, "year_end": {P(88)}}, 8650, false,
			"周检和月检（加权平均） 20% × 85 + 月考核（加权平均） 30% × 85 + 年终考评 50% × 88 = 86.50", "", ""},
		// 20%×(100/3) + 30%×(200/3) + 50%×90 = 6.666… + 20 + 45 = 71.666… → 71.67 (one rounding).
		{"exact thirds rounded once", map[string][]Points{"checks": {P(100), 0, 0}, "monthly": {P(100), P(100), 0}, "year_end": {P(90)}}, 7167, false,
			"周检和月检（加权平均） 20% × 33.33 + 月考核（加权平均） 30% × 66.67 + 年终考评 50% × 90 = 71.67", "", ""},
		{"over 100 after weighting → 优秀员工", map[string][]Points{"checks": {P(105)}, "monthly": {P(103)}, "year_end": {P(101)}}, 10240, true, "", "", ""},
		{"exactly 100 is not over", map[string][]Points{"checks": {P(100)}, "monthly": {P(100)}, "year_end": {P(100)}}, P(100), false, "", "", ""},
		{"missing component", map[string][]Points{"checks": {P(100)}, "monthly": {P(100)}}, 0, false, "", "scores.year_end", "“年终考评”没有分数，无法汇总"},
		{"unknown component", map[string][]Points{"weekly": {P(100)}}, 0, false, "", "scores.weekly", "汇总规则中没有此组成部分"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.RollUp(tc.scores)
			if tc.field != "" {
				wantInvalid(t, err, tc.field, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Score != tc.score || res.Excellent != tc.excellent || tc.detail != "" && res.Detail != tc.detail {
				t.Errorf("got %s excellent=%v %q", res.Score, res.Excellent, res.Detail)
			}
			if res.Excellent != (res.Note == "年终考评结果经加权平均后仍超过100分，公司按“优秀员工”进行奖励") {
				t.Errorf("note %q", res.Note)
			}
		})
	}
	if _, err := (*RollUp)(nil).RollUp(nil); err == nil {
		t.Error("nil roll-up")
	}
	if roundRat(bigRat(-1, 2)) != -1 || roundRat(bigRat(1, 2)) != 1 || roundRat(bigRat(49, 100)) != 0 || roundRat(bigRat(-49, 100)) != 0 {
		t.Error("roundRat half up")
	}
}
