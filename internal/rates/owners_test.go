package rates

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
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

func TestOwnerTimelineAt(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.DateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	changes := []OwnerChange{
		{"c1", "s2", at("2026-03-16 14:00:00")}, // a handover in the afternoon; out of order on purpose
		{"c1", "s1", at("2025-01-01 09:00:00")},
		{"c1", "", at("2026-06-01 00:00:00")},
		{"c1", "s3", at("2026-07-01 08:30:00")},
		{"same", "s9", at("2026-01-01 10:00:00")},
		{"same", "s1", at("2026-01-01 10:00:00")}, // same instant: the one given last wins
	}
	tests := []struct {
		customer, at, want string
	}{
		{"c1", "2024-06-30 12:00:00", "s1"}, // before all changes: the earliest owner
		{"c1", "2025-01-01 09:00:00", "s1"},
		{"c1", "2026-03-16 09:00:00", "s1"}, // the morning of the handover day: the old owner
		{"c1", "2026-03-16 13:59:59", "s1"},
		{"c1", "2026-03-16 14:00:00", "s2"}, // at the handover
		{"c1", "2026-03-16 18:00:00", "s2"},
		{"c1", "2026-06-15 00:00:00", ""},
		{"c1", "2026-07-01 08:30:00", "s3"},
		{"same", "2026-02-01 00:00:00", "s1"},
		{"unknown", "2026-03-01 00:00:00", ""},
	}
	orig := slices.Clone(changes)
	o := NewOwnerTimeline(changes)
	if !slices.Equal(changes, orig) {
		t.Fatal("NewOwnerTimeline modified its input")
	}
	// The order of time of the input does not matter (ties keep theirs).
	rev := slices.Clone(changes[:4])
	slices.Reverse(rev)
	o2 := NewOwnerTimeline(append(rev, changes[4:]...))
	for _, tt := range tests {
		if got := o.At(tt.customer, at(tt.at)); got != tt.want {
			t.Errorf("At(%s, %s) = %q, want %q", tt.customer, tt.at, got, tt.want)
		}
		if got := o2.At(tt.customer, at(tt.at)); got != tt.want {
			t.Errorf("reordered: At(%s, %s) = %q, want %q", tt.customer, tt.at, got, tt.want)
		}
	}
	var zero OwnerTimeline
	if got := zero.At("c1", at("2026-03-01 00:00:00")); got != "" {
		t.Errorf("zero OwnerTimeline.At = %q", got)
	}
}
