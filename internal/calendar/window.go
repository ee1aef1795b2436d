package calendar

import (
	"fmt"
	"strconv"
	"strings"
)

// MinutesPerDay is the number of minutes in a civil day; 24:00 is Window end 1440.
const MinutesPerDay = 24 * 60

// Window is a daily working-hours window (工作时段) in wall-clock minutes since
// midnight, half-open [Start, End): 08:30–12:00 is Window{510, 720}. 0 <= Start <
// End <= 1440. A window cannot cross midnight; write a night shift as 22:00–24:00
// plus 00:00–06:00.
type Window struct {
	Start, End int
}

// ParseWindow parses "HH:MM-HH:MM" (also with "–", "~" or "～" as the
// separator, spaces allowed); the end may be "24:00".
func ParseWindow(s string) (Window, error) {
	orig := s
	s = strings.TrimSpace(s)
	var a, b string
	for _, sep := range []string{"-", "–", "~", "～"} {
		if i := strings.Index(s, sep); i >= 0 {
			a, b = s[:i], s[i+len(sep):]
			break
		}
	}
	if a == "" && b == "" {
		return Window{}, fmt.Errorf("calendar: invalid window %q (want HH:MM-HH:MM)", orig)
	}
	start, err1 := parseClock(strings.TrimSpace(a))
	end, err2 := parseClock(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return Window{}, fmt.Errorf("calendar: invalid window %q (want HH:MM-HH:MM)", orig)
	}
	w := Window{start, end}
	if err := w.validate(); err != nil {
		return Window{}, fmt.Errorf("calendar: invalid window %q: %w", orig, err)
	}
	return w, nil
}

// ParseWindows parses a comma- or semicolon-separated list such as
// "08:30-12:00,13:00-17:30" and checks the list like [New] does.
func ParseWindows(s string) ([]Window, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '，' || r == '；' })
	if len(parts) == 0 {
		return nil, fmt.Errorf("calendar: no working-hours windows in %q", s)
	}
	ws := make([]Window, 0, len(parts))
	for _, p := range parts {
		w, err := ParseWindow(p)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	if err := validateWindows(ws); err != nil {
		return nil, err
	}
	return ws, nil
}

// parseClock parses "H:MM" or "HH:MM" (00:00..24:00) into minutes.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) || h[0] == '+' || m[0] == '+' {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	return hh*60 + mm, nil
}

// String returns "08:30-12:00".
func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

func (w Window) validate() error {
	if w.Start < 0 || w.End > MinutesPerDay || w.Start >= w.End {
		return fmt.Errorf("need 0 <= start < end <= 1440 minutes (00:00..24:00), got %d..%d", w.Start, w.End)
	}
	return nil
}

// validateWindows checks each window and that the list is sorted and
// non-overlapping (touching windows such as 08:00-12:00,12:00-13:00 are allowed).
func validateWindows(ws []Window) error {
	for i, w := range ws {
		if err := w.validate(); err != nil {
			return fmt.Errorf("calendar: invalid window %d: %w", i+1, err)
		}
		if i > 0 && w.Start < ws[i-1].End {
			if w.Start < ws[i-1].Start {
				return fmt.Errorf("calendar: windows not sorted: %s comes after %s", w, ws[i-1])
			}
			return fmt.Errorf("calendar: windows overlap: %s and %s", ws[i-1], w)
		}
	}
	return nil
}
