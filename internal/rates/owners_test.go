package rates

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestOwnersAt(t *testing.T) {
	spans := []OwnerSpan{
		span("c1", "s2", "2026-03-16"), // out of order on purpose
		span("c1", "s1", "2025-01-01"),
		span("c1", "", "2026-06-01"), // nobody from June
		span("c1", "s3", "2026-07-01"),
		span("c2", "s1", "2026-03-31"),
		span("dup", "s1", "2026-01-01"),
		span("dup", "s9", "2026-01-01"), // same day: greatest OwnerID wins
		span("dup", "s5", "2026-01-01"),
	}
	tests := []struct {
		customer, day, want string
	}{
		{"c1", "2024-06-30", "s1"}, // before all spans: the earliest owner
		{"c1", "2025-01-01", "s1"}, // exactly on From
		{"c1", "2026-03-15", "s1"}, // the day before the change
		{"c1", "2026-03-16", "s2"}, // the day of the change
		{"c1", "2026-05-31", "s2"},
		{"c1", "2026-06-01", ""}, // nobody
		{"c1", "2026-06-30", ""},
		{"c1", "2026-07-01", "s3"},
		{"c1", "2099-01-01", "s3"},
		{"c2", "2026-03-01", "s1"}, // before its only span
		{"c2", "2026-04-01", "s1"},
		{"dup", "2026-02-01", "s9"},
		{"unknown", "2026-03-01", ""},
		{"", "2026-03-01", ""},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 20 {
		o := NewOwners(spans)
		for _, tt := range tests {
			if got := o.At(tt.customer, d(tt.day)); got != tt.want {
				t.Errorf("round %d: At(%s, %s) = %q, want %q", round, tt.customer, tt.day, got, tt.want)
			}
		}
		spans = slices.Clone(spans)
		rng.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	}
	var zero Owners
	if got := zero.At("c1", d("2026-03-01")); got != "" {
		t.Errorf("zero Owners.At = %q", got)
	}
}

func TestNewOwnersDoesNotModifyInput(t *testing.T) {
	spans := []OwnerSpan{span("c1", "s2", "2026-03-16"), span("c1", "s1", "2025-01-01")}
	orig := slices.Clone(spans)
	NewOwners(spans)
	if !slices.Equal(spans, orig) {
		t.Errorf("NewOwners modified its input: %v", spans)
	}
}
