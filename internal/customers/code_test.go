package customers

import (
	"strings"
	"testing"
)

// Generated customer numbers must not collide at archive sizes a company
// reaches: with six symbols, 200,000 codes collided almost surely.
func TestNewCodeDoesNotCollide(t *testing.T) {
	const n = 200_000
	seen := make(map[string]struct{}, n)
	for range n {
		c := newCode()
		if !strings.HasPrefix(c, "KH-") || len(c) != 13 {
			t.Fatalf("code %q: want KH- and ten symbols", c)
		}
		if strings.ContainsAny(c[3:], "01IO") {
			t.Fatalf("code %q uses an ambiguous symbol", c)
		}
		if _, dup := seen[c]; dup {
			t.Fatalf("duplicate code %q after %d codes", c, len(seen))
		}
		seen[c] = struct{}{}
	}
}
