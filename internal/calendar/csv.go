package calendar

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseError is one problem in an imported holiday file.
type ParseError struct {
	Line   int    // 1-based line in the file (the header is line 1)
	Column string // "date", "name", "kind", "" for the whole line/file
	Reason string
}

func (e ParseError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("第 %d 行：%s", e.Line, e.Reason)
	}
	return fmt.Sprintf("第 %d 行 %s 列：%s", e.Line, e.Column, e.Reason)
}

// ParseErrors lists every bad line of an import, in file order. It is returned
// as an error only when non-empty.
type ParseErrors []ParseError

func (es ParseErrors) Error() string {
	const maxShown = 10
	var b strings.Builder
	fmt.Fprintf(&b, "节假日文件有 %d 处错误 (%d error(s) in the holiday file)：", len(es), len(es))
	for i, e := range es {
		if i == maxShown {
			fmt.Fprintf(&b, "；……另有 %d 处 (and %d more)", len(es)-maxShown, len(es)-maxShown)
			break
		}
		if i > 0 {
			b.WriteString("；")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

var headerAliases = map[string]string{
	"date": "date", "日期": "date",
	"name": "name", "名称": "name",
	"kind": "kind", "类型": "kind",
}

// ParseHolidaysCSV reads an administrator's holiday file for years the bundled
// data does not cover (from the State Council's notice). Format: UTF-8 (an
// optional BOM is skipped; GBK must be converted by the caller), comma separated,
// a header row naming the columns date,name,kind (in any order; 日期,名称,类型
// also accepted), then one row per day:
//
//	date,name,kind
//	2027-01-01,元旦,休
//	2027-02-06,春节调休,班
//
// date is YYYY-MM-DD (also YYYY/M/D as Excel writes it); kind is holiday, workday,
// 休 or 班; name may be empty. Blank rows are skipped. A date may appear only once.
// The result is sorted by date. On any problem it returns nil and a [ParseErrors]
// listing every bad line with the column and the reason.
func ParseHolidaysCSV(r io.Reader) ([]Holiday, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("calendar: reading holiday file: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	var errs ParseErrors
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidUTF8At(data)], []byte("\n"))
		return nil, ParseErrors{{Line: line, Reason: "不是 UTF-8 编码，请另存为“CSV UTF-8” (not valid UTF-8: save the file as \"CSV UTF-8\")"}}
	}

	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ParseErrors{{Line: 1, Reason: "空文件，需要表头 date,name,kind (empty file: want a header row date,name,kind)"}}
	}
	if err != nil {
		return nil, ParseErrors{csvError(err)}
	}
	col := map[string]int{}
	known := 0
	for _, h := range header {
		if _, ok := headerAliases[strings.ToLower(strings.TrimSpace(h))]; ok {
			known++
		}
	}
	if known == 0 {
		return nil, ParseErrors{{Line: 1, Reason: fmt.Sprintf("缺少表头，需要 date,name,kind (missing header row: want date,name,kind), got %q", strings.Join(header, ","))}}
	}
	for i, h := range header {
		key, ok := headerAliases[strings.ToLower(strings.TrimSpace(h))]
		switch {
		case !ok:
			errs = append(errs, ParseError{Line: 1, Reason: fmt.Sprintf("表头有未知列 %q，需要 date,name,kind (unknown column in header)", h)})
		case col[key] != 0:
			errs = append(errs, ParseError{Line: 1, Reason: fmt.Sprintf("表头中 %q 列出现两次 (column appears twice in header)", key)})
		default:
			col[key] = i + 1 // 1-based so that 0 means missing
		}
	}
	for _, k := range []string{"date", "name", "kind"} {
		if col[k] == 0 {
			errs = append(errs, ParseError{Line: 1, Reason: fmt.Sprintf("表头缺少 %q 列 (header has no such column)", k)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	var out []Holiday
	firstLine := map[Date]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The CSV syntax is broken (e.g. a stray quote); what follows cannot be
			// trusted, so report it and stop.
			errs = append(errs, csvError(err))
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(header) {
			errs = append(errs, ParseError{Line: line, Reason: fmt.Sprintf("有 %d 个字段，表头有 %d 个 (has %d fields, header has %d)", len(rec), len(header), len(rec), len(header))})
			continue
		}
		field := func(k string) string { return strings.TrimSpace(rec[col[k]-1]) }
		h := Holiday{Name: field("name")}
		bad := false
		d, err := parseDateLoose(field("date"))
		if err != nil {
			errs = append(errs, ParseError{Line: line, Column: "date", Reason: err.Error()})
			bad = true
		}
		h.Date = d
		if h.Kind, err = ParseDayKind(field("kind")); err != nil {
			reason := fmt.Sprintf("未知类型 %q，应为 休/班 或 holiday/workday (unknown kind)", field("kind"))
			if field("kind") == "" {
				reason = "缺少类型，应为 休/班 或 holiday/workday (missing kind)"
			}
			errs = append(errs, ParseError{Line: line, Column: "kind", Reason: reason})
			bad = true
		}
		if !h.Date.IsZero() {
			if first, dup := firstLine[h.Date]; dup {
				errs = append(errs, ParseError{Line: line, Column: "date", Reason: fmt.Sprintf("日期 %v 重复，首次出现在第 %d 行 (duplicate date, first on line %d)", h.Date, first, first)})
				bad = true
			} else {
				firstLine[h.Date] = line
			}
		}
		if !bad {
			out = append(out, h)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out, nil
}

func csvError(err error) ParseError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return ParseError{Line: pe.Line, Reason: "CSV 格式错误 (malformed CSV): " + pe.Err.Error()}
	}
	return ParseError{Reason: "CSV 格式错误 (malformed CSV): " + err.Error()}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// parseDateLoose accepts YYYY-MM-DD and the Excel forms YYYY/M/D and YYYY-M-D.
func parseDateLoose(s string) (Date, error) {
	if s == "" {
		return Date{}, errors.New("缺少日期，格式为 YYYY-MM-DD (missing date)")
	}
	sep := "-"
	if strings.Contains(s, "/") {
		sep = "/"
	}
	parts := strings.Split(s, sep)
	bad := fmt.Errorf("日期 %q 格式不对，应为 YYYY-MM-DD (invalid date)", s)
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) > 2 || len(parts[2]) > 2 {
		return Date{}, bad
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return Date{}, bad
		}
		n[i], _ = strconv.Atoi(p)
	}
	d := Date{n[0], time.Month(n[1]), n[2]}
	if !d.IsValid() || d.Year < 1 {
		return Date{}, fmt.Errorf("没有这一天 %q (no such date)", s)
	}
	return d, nil
}
