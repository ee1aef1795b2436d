package appraisal

import (
	"math/big"
	"testing"
	"time"

	"kefu/internal/apperr"
)

var day0 = time.Date(2024, 5, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func ev(id, typ string, q int64) Event {
	return Event{ID: id, Type: typ, StaffID: "jia", OccurredAt: day0, Quantity: q, Source: "computed"}
}

func evc(id, typ, customer string, q int64) Event {
	e := ev(id, typ, q)
	e.CustomerID = customer
	return e
}

func mustEval(t *testing.T, in Input) Card {
	t.Helper()
	c, err := Evaluate(in)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return c
}

func line(t *testing.T, c Card, item string) Line {
	t.Helper()
	for _, l := range c.Lines {
		if l.Item == item {
			return l
		}
	}
	t.Fatalf("no line %q", item)
	return Line{}
}

// wantInvalid asserts err is apperr.Invalid on field with message msg.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("err = %v, want invalid %s: %s", err, field, msg)
	}
	if e.Field != field || e.Message != msg {
		t.Fatalf("err = %q: %q, want %q: %q", e.Field, e.Message, field, msg)
	}
}

// fullRatings rates every rubric at its top level and every manual item full.
func fullRatings(s *Scheme) map[string]Rating {
	r := map[string]Rating{}
	for _, c := range s.Categories {
		for _, it := range c.Items {
			switch it.Method {
			case MethodRubric, MethodManual:
				r[it.Key] = Rating{Points: it.Points}
			case MethodChecklist:
				g := map[string]string{}
				for _, s := range it.SubItems {
					g[s.Key] = GradeFull
				}
				r[it.Key] = Rating{Grades: g}
			}
		}
	}
	return r
}

func bigRat(a, b int64) *big.Rat { return big.NewRat(a, b) }
