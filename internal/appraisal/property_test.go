package appraisal

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var eventTypes = sortedKeys(KnownEventTypes)

// genInput is a random input for s: standing events of every known type,
// rates, ratings (some missing), samples and bonuses.
func genInput(r *rand.Rand, s *Scheme) Input {
	in := Input{Scheme: s, Rates: map[string]Rate{}, Ratings: map[string]Rating{}, Samples: map[string][]SampleDay{}}
	for i := range r.IntN(40) {
		e := Event{
			ID:         fmt.Sprintf("e%03d", i),
			Type:       eventTypes[r.IntN(len(eventTypes))],
			OccurredAt: day0.Add(time.Duration(r.IntN(30*24)) * time.Hour),
			Quantity:   int64(r.IntN(6)) - 1,
		}
		if r.IntN(3) > 0 {
			e.CustomerID = fmt.Sprintf("c%d", r.IntN(5))
		}
		in.Events = append(in.Events, e)
	}
	for _, c := range s.Categories {
		for _, it := range c.Items {
			switch it.Method {
			case MethodRate:
				if r.IntN(8) > 0 {
					in.Rates[it.Rate] = Rate{Num: int64(r.IntN(12)) - 1, Den: int64(r.IntN(10))}
				}
			case MethodRubric:
				if r.IntN(6) > 0 {
					in.Ratings[it.Key] = Rating{Points: it.Levels[r.IntN(len(it.Levels))].Points}
				}
			case MethodManual:
				if r.IntN(6) > 0 {
					in.Ratings[it.Key] = Rating{Points: Points(r.Int64N(int64(it.Points) + 1)), Reason: "理由"}
				}
			case MethodChecklist:
				g := map[string]string{}
				grades := []string{GradeFull, GradeMostly, GradePartly, GradeNone}
				for _, sub := range it.SubItems {
					if r.IntN(10) > 0 {
						g[sub.Key] = grades[r.IntN(4)]
					}
				}
				in.Ratings[it.Key] = Rating{Grades: g}
			case MethodSample:
				var ds []SampleDay
				for d := range r.IntN(28) {
					ds = append(ds, SampleDay{Date: day0.AddDate(0, 0, d).Format(time.DateOnly), Checked: 20, Failed: int64(r.IntN(8))})
				}
				in.Samples[it.Key] = ds
			}
		}
	}
	if s.Bonus != nil {
		for i := range r.IntN(3) {
			in.Bonuses = append(in.Bonuses, Bonus{ID: fmt.Sprintf("b%d", i), Points: s.Bonus.Min + Points(r.Int64N(int64(s.Bonus.Max-s.Bonus.Min)+1)), Reason: "嘉奖"})
		}
	}
	// Carried lines (上期补记) of up to three earlier months, signed, to the cent.
	for i := range r.IntN(4) {
		p := Points(r.Int64N(2001)) - 1000
		if p == 0 {
			p = 1
		}
		in.Carried = append(in.Carried, Carry{From: fmt.Sprintf("2024-%02d", 2+i), Item: "i", Name: "项", Points: p, Change: "新增 事件 1 次"})
	}
	return in
}

func floorOf(s *Scheme, item string) Points {
	for _, c := range s.Categories {
		for _, it := range c.Items {
			if it.Key == item && it.Floor != nil {
				return *it.Floor
			}
		}
	}
	return 0
}

// TestProperties: for random inputs on every shipped scheme — the same
// input (in any event order) gives the same card; adding a violation never
// raises a line, the total or the final score; every line stays within
// [floor, max]; the total never exceeds the scheme total; the final score
// is the total plus the bonus plus the carried lines (上期补记), exactly.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range append(Shipped(), oneItem(Item{Key: "d", Name: "扣分", Points: P(10), Method: MethodDeduct, Floor: pp(P(-5)),
		Rules: []Rule{{Event: "archive_late", Per: PerOccurrence, Amount: 150, Cap: pp(P(12))}, {Event: "dispatch_error", Per: PerChoice, Min: 50, Max: P(3)},
			{Event: "wechat_timeout", Per: PerQuantity, Amount: 25}, {Event: "no_contact_month", Per: PerCustomer, Amount: P(4)}}})) {
		for n := range 300 {
			in := genInput(r, s)
			c1, err := Evaluate(in)
			if err != nil {
				t.Fatalf("%s #%d: %v", s.Key, n, err)
			}
			// Deterministic, whatever the event order.
			shuffled := in
			shuffled.Events = append([]Event(nil), in.Events...)
			r.Shuffle(len(shuffled.Events), func(i, j int) { shuffled.Events[i], shuffled.Events[j] = shuffled.Events[j], shuffled.Events[i] })
			shuffled.Carried = append([]Carry(nil), in.Carried...)
			r.Shuffle(len(shuffled.Carried), func(i, j int) { shuffled.Carried[i], shuffled.Carried[j] = shuffled.Carried[j], shuffled.Carried[i] })
			c2, _ := Evaluate(shuffled)
			if !reflect.DeepEqual(c1, c2) {
				t.Fatalf("%s #%d: not deterministic", s.Key, n)
			}
			// Bounds.
			var sum Points
			for _, l := range c1.Lines {
				if l.Score > l.Max || l.Score < min(floorOf(s, l.Item), 0) || l.Pending && l.Score != 0 {
					t.Fatalf("%s #%d: line %s score %s max %s", s.Key, n, l.Item, l.Score, l.Max)
				}
				sum += l.Score
			}
			var carried Points
			for _, l := range c1.Carried {
				carried += l.Points
			}
			if sum != c1.Total || c1.Total > s.Total || carried != c1.Carry || c1.Final != c1.Total+c1.Bonus+carried {
				t.Fatalf("%s #%d: total %s sum %s", s.Key, n, c1.Total, sum)
			}
			// Adding a violation never raises a score.
			more := in
			e := Event{ID: "zz-new", Type: eventTypes[r.IntN(len(eventTypes))], OccurredAt: day0, Quantity: int64(r.IntN(5)) - 1, CustomerID: fmt.Sprintf("c%d", r.IntN(7))}
			more.Events = append(append([]Event(nil), in.Events...), e)
			c3, err := Evaluate(more)
			if err != nil {
				t.Fatal(err)
			}
			for i := range c1.Lines {
				if c3.Lines[i].Score > c1.Lines[i].Score {
					t.Fatalf("%s #%d: adding %+v raised %s from %s to %s", s.Key, n, e, c1.Lines[i].Item, c1.Lines[i].Score, c3.Lines[i].Score)
				}
			}
			if c3.Total > c1.Total || c3.Final > c1.Final {
				t.Fatalf("%s #%d: adding an event raised the total", s.Key, n)
			}
		}
	}
}

// TestNoFloatingPoint keeps floating point out of the package by
// construction: no non-test source mentions it.
func TestNoFloatingPoint(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(b)), "float") {
			t.Errorf("%s mentions floating point; points are integer hundredths", f)
		}
	}
}

func FuzzParseScheme(f *testing.F) {
	files, _ := filepath.Glob("schemes/*.json")
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		f.Add(b)
	}
	f.Add([]byte(`{"key":"x","version":1,"name":"n","role":"cs_specialist","period":"monthly","total":0.01,"categories":[{"key":"c","name":"c","items":[{"key":"i","name":"i","points":0.01,"method":"manual"}]}]}`))
	f.Add([]byte(`{"total":-0.5}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseScheme(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseScheme(out)
		if err != nil {
			t.Fatalf("valid scheme does not round-trip: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(s, back) {
			t.Fatalf("round trip differs\n%s", out)
		}
		// A valid scheme evaluates without panicking, with nothing rated.
		if _, err := Evaluate(Input{Scheme: s}); err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(99))
	ss := Shipped()
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		s := ss[r.IntN(len(ss))]
		in := genInput(r, s)
		c1, err := Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := Evaluate(in)
		if !reflect.DeepEqual(c1, c2) || c1.Total > s.Total {
			t.Fatal("not deterministic or over the total")
		}
	})
}
