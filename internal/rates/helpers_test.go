package rates

import (
	"testing"

	"kefu/internal/calendar"
)

// d parses a date or panics (test tables only).
func d(s string) calendar.Date {
	v, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// mon parses a month or panics (test tables only).
func mon(s string) Month {
	v, err := ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return v
}

// span is a shorthand OwnerSpan.
func span(customer, owner, from string) OwnerSpan {
	return OwnerSpan{CustomerID: customer, OwnerID: owner, From: d(from)}
}

// ratioOf returns the Ratio of a specialist in a result map, nothing due when absent.
func ratioOf[T Renewal | Collection](m map[string]T, who string) Ratio {
	v, ok := m[who]
	if !ok {
		return Ratio{}
	}
	switch x := any(v).(type) {
	case Renewal:
		return x.Ratio
	case Collection:
		return x.Ratio
	}
	panic("unreachable")
}

func fatalIf(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
