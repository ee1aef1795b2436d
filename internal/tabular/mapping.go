package tabular

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Column describes a field an importer wants.
type Column struct {
	Key string // e.g. "name"; used with Mapping.Get
	// Aliases are header texts that mean this column, e.g. "客户名称", "客户",
	// "name". The first one is the display name used in error messages.
	Aliases  []string
	Required bool
}

// Name is the column's display name: its first alias, or its key.
func (c Column) Name() string {
	if len(c.Aliases) > 0 {
		return c.Aliases[0]
	}
	return c.Key
}

// Mapping assigns file columns to keys.
type Mapping struct {
	// Unknown lists non-empty headers no column matched, in file order.
	Unknown []string
	// Ignored lists headers the user mapping explicitly skipped.
	Ignored []string

	index   map[string]int    // key → column index
	header  map[string]string // key → header text in the file
	columns map[string]Column // by key
}

// MappingError lists everything wrong with a mapping at once.
type MappingError struct {
	Missing    []string            // display names of required columns not found
	Duplicates []DuplicateColumn   // several file columns for one key
	BadKeys    map[string]string   // user mapping header → key that is not a Column
	Conflicts  []string            // programming errors: one alias on two columns
	byKey      map[string]struct{} // internal: dedupe duplicates
}

// DuplicateColumn reports file headers that all map to the same key.
type DuplicateColumn struct {
	Key     string
	Name    string   // display name of the column
	Headers []string // as in the file
}

func (e *MappingError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "缺少必填列: "+strings.Join(e.Missing, "、"))
	}
	for _, d := range e.Duplicates {
		parts = append(parts, fmt.Sprintf("列 “%s” 重复, 都对应 %s", strings.Join(d.Headers, "”、“"), d.Name))
	}
	for _, h := range slices.Sorted(maps.Keys(e.BadKeys)) {
		parts = append(parts, fmt.Sprintf("列 “%s” 映射到未知字段 %q", h, e.BadKeys[h]))
	}
	parts = append(parts, e.Conflicts...)
	return strings.Join(parts, "; ")
}

// Map matches the table's headers to cols by Key and Aliases, ignoring
// case, spaces, full-width forms, "*" markers and "(必填)"/"(选填)" suffixes.
func (t *Table) Map(cols []Column) (*Mapping, error) {
	return t.MapWith(cols, nil)
}

// MapWith is Map with a user mapping (header text → key, e.g. chosen in the
// UI and remembered per source) that takes precedence over aliases. A key of
// "" or "-" means "do not import this column". Entries for headers absent
// from the file are ignored.
func (t *Table) MapWith(cols []Column, user map[string]string) (*Mapping, error) {
	m := &Mapping{
		index:   map[string]int{},
		header:  map[string]string{},
		columns: map[string]Column{},
	}
	merr := &MappingError{byKey: map[string]struct{}{}}
	alias := map[string]string{} // normalised alias → key
	for _, c := range cols {
		m.columns[c.Key] = c
		for _, a := range append([]string{c.Key}, c.Aliases...) {
			n := normHeader(a)
			if prev, ok := alias[n]; ok && prev != c.Key {
				merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("别名 %q 同时属于 %s 和 %s", a, prev, c.Key))
				continue
			}
			alias[n] = c.Key
		}
	}
	userKey := map[string]string{}
	for h, k := range user {
		userKey[normHeader(h)] = strings.TrimSpace(k)
	}

	// First the user's choices, then aliases for keys the user did not assign.
	byUser := map[string]bool{}
	var pending []int
	for i, h := range t.Headers {
		if h == "" {
			continue
		}
		k, ok := userKey[normHeader(h)]
		switch {
		case !ok:
			pending = append(pending, i)
		case k == "" || k == "-":
			m.Ignored = append(m.Ignored, h)
		case m.columns[k].Key != k:
			if merr.BadKeys == nil {
				merr.BadKeys = map[string]string{}
			}
			merr.BadKeys[h] = k
		default:
			m.assign(k, i, h, merr)
			byUser[k] = true
		}
	}
	for _, i := range pending {
		h := t.Headers[i]
		k, ok := alias[normHeader(h)]
		if !ok || byUser[k] {
			m.Unknown = append(m.Unknown, h)
			continue
		}
		m.assign(k, i, h, merr)
	}
	for _, c := range cols {
		if _, ok := m.index[c.Key]; c.Required && !ok {
			merr.Missing = append(merr.Missing, c.Name())
		}
	}
	if len(merr.Missing)+len(merr.Duplicates)+len(merr.BadKeys)+len(merr.Conflicts) > 0 {
		return nil, merr
	}
	return m, nil
}

func (m *Mapping) assign(key string, i int, h string, merr *MappingError) {
	if _, dup := m.index[key]; !dup {
		m.index[key], m.header[key] = i, h
		return
	}
	if _, seen := merr.byKey[key]; !seen {
		merr.byKey[key] = struct{}{}
		merr.Duplicates = append(merr.Duplicates, DuplicateColumn{
			Key: key, Name: m.columns[key].Name(), Headers: []string{m.header[key]},
		})
	}
	for j := range merr.Duplicates {
		if merr.Duplicates[j].Key == key {
			merr.Duplicates[j].Headers = append(merr.Duplicates[j].Headers, h)
		}
	}
}

// Get returns the cell of row for key, "" when the column is absent from
// the file. It panics if key is not one of the Columns given to Map: that is
// a programming error.
func (m *Mapping) Get(row Row, key string) string {
	i, ok := m.index[key]
	if !ok {
		if _, known := m.columns[key]; !known {
			panic(fmt.Sprintf("tabular: Mapping.Get of undeclared key %q", key))
		}
		return ""
	}
	if i < len(row.Cells) {
		return row.Cells[i]
	}
	return ""
}

// Has reports whether the file has a column for key.
func (m *Mapping) Has(key string) bool {
	_, ok := m.index[key]
	return ok
}

// Index returns the column index of key in Table.Headers / Row.Cells.
func (m *Mapping) Index(key string) (int, bool) {
	i, ok := m.index[key]
	return i, ok
}

// Header returns the header text the file uses for key (for CellError.Column),
// or the column's display name when the file lacks it.
func (m *Mapping) Header(key string) string {
	if h, ok := m.header[key]; ok {
		return h
	}
	return m.columns[key].Name()
}

// Assigned returns header text → key for every mapped column, e.g. to show
// or remember the mapping that was used.
func (m *Mapping) Assigned() map[string]string {
	out := make(map[string]string, len(m.header))
	for k, h := range m.header {
		out[h] = k
	}
	return out
}

// normHeader folds a header for matching.
func normHeader(s string) string {
	s = strings.ToLower(fold(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == ':' {
			return -1
		}
		return r
	}, s)
	for _, suf := range []string{"(必填)", "(选填)", "(可选)", "(必须)", "[必填]", "[选填]"} {
		s = strings.TrimSuffix(s, suf)
	}
	return s
}
