package fieldwork

import (
	"slices"
	"strings"
)

// ScopeLine is a line of work: a contract's scope line (服务内容) or a
// project's item (立项内容).
type ScopeLine struct {
	ID          string `json:"id"`
	ServiceType string `json:"service_type"` // inspection / seasonal / repair / construction / other
	Equipment   string `json:"equipment"`
	Frequency   string `json:"frequency"`
	Times       int    `json:"times"` // 0 counts as 1
}

// key is what makes two lines the same work: the service type, the
// equipment (case, width and spacing aside) and the frequency.
func (l ScopeLine) key() string {
	eq := strings.Join(strings.Fields(strings.ToLower(toHalfWidth(l.Equipment))), " ")
	return l.ServiceType + "|" + eq + "|" + l.Frequency
}

func (l ScopeLine) times() int { return max(l.Times, 1) }

// Gap is contract work the project lacks, or project work the contract
// does not have: the line and how many times of it.
type Gap struct {
	Line  ScopeLine `json:"line"`
	Times int       `json:"times"`
}

// Coverage is the check 立项严格按照合同, 不得有漏项 (SPEC §6.1): Missing
// lists the contract's work the project lacks, Extra the project's work
// the contract does not have. Dispatch waits until both are empty, or a
// manager overrides with a reason.
type Coverage struct {
	Missing []Gap `json:"missing"`
	Extra   []Gap `json:"extra"`
}

// OK reports whether the project covers the contract exactly.
func (c Coverage) OK() bool { return len(c.Missing) == 0 && len(c.Extra) == 0 }

// Cover compares a contract's scope with a project's items. Lines are the
// same work when their service type, equipment and frequency agree;
// their times add up, so one contract line of 4 may be two project items
// of 2. The gaps come in the order of the lines that show them.
func Cover(contract, project []ScopeLine) Coverage {
	need, have := map[string]int{}, map[string]int{}
	for _, l := range contract {
		need[l.key()] += l.times()
	}
	for _, l := range project {
		have[l.key()] += l.times()
	}
	var out Coverage
	gaps := func(lines []ScopeLine, mine, other map[string]int) []Gap {
		var gs []Gap
		seen := map[string]bool{}
		for _, l := range lines {
			k := l.key()
			if seen[k] {
				continue
			}
			seen[k] = true
			if short := mine[k] - other[k]; short > 0 {
				gs = append(gs, Gap{Line: l, Times: short})
			}
		}
		return gs
	}
	out.Missing = gaps(contract, need, have)
	out.Extra = gaps(project, have, need)
	return out
}

// toHalfWidth folds full-width ASCII (Ｃ３, １＃) to half width, as people
// type equipment names both ways.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		}
		return r
	}, s)
}

// ItemsFromScope are the project items a contract's scope gives, one per
// line (the project starts as the contract says).
func ItemsFromScope(scope []ScopeLine) []ScopeLine {
	out := slices.Clone(scope)
	for i := range out {
		out[i].ID = ""
	}
	return out
}
