package tabular

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDate parses a calendar date and returns midnight of that day in loc
// (nil means UTC). Accepted: "2026-03-05", "2026/3/5", "2026.3.5",
// "2026年3月5日", "20260305", Excel serial numbers ("45658" = 2025-01-01,
// 1900 date system) and any text ParseDateTime accepts (the time is dropped).
func ParseDate(orig string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	dt, _, err := parseDateTime(orig, loc)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := dt.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
}

// ParseDateTime parses a date and time of day in loc (nil means UTC).
// Accepted: "2026-03-05 21:07", "2026-03-05 21:07:33", "2026/3/5 9:07:33",
// "2026年3月5日 21时07分", "2026/3/5 下午 9:07", "20260305210733", Excel
// serials with a fraction ("45658.5" = 2025-01-01 12:00), RFC 3339 with a
// zone ("2026-03-05T21:07:33+08:00", converted to loc) and a date alone
// (midnight).
func ParseDateTime(orig string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, _, err := parseDateTime(orig, loc)
	return t, err
}

// ParseDateStrict parses a calendar day written in one of the forms a
// finance or contract import takes, and nothing else:
//
//   - "2026-03-01" or "2026-3-1";
//   - "2026/3/1" or "2026/03/01";
//   - an Excel serial day number, a whole number ("46082" = 2026-03-01, 1900
//     date system), as a date typed into a number cell reads;
//   - an XLSX date cell, which the reader renders as "2026-03-01" or, when
//     the cell is formatted with a time, "2026-03-01 00:00:00" (midnight only).
//
// The day must lie between min and max (inclusive; their times are
// ignored). It returns midnight UTC of the day. Anything else — "2026.3.1",
// "2026年3月1日", "20260301", a time of day, a fraction of a serial, a day
// out of range — is a *CellError saying why.
func ParseDateStrict(orig string, min, max time.Time) (time.Time, error) {
	s := fold(orig)
	if s == "" {
		return time.Time{}, cellErr(orig, "日期不能为空")
	}
	var t time.Time
	if isDigits(s) {
		n, err := strconv.Atoi(s)
		if err != nil || len(s) > 7 || n < 1 {
			return time.Time{}, cellErr(orig, reasonStrict)
		}
		if t, err = excelSerialTime(float64(n), false); err != nil {
			return time.Time{}, cellErr(orig, reasonStrict)
		}
	} else {
		day, clock, timed := strings.Cut(s, " ")
		sep := "-"
		if strings.Contains(day, "/") {
			sep = "/"
		}
		if timed && (sep != "-" || strings.TrimSpace(clock) != "00:00:00") {
			return time.Time{}, cellErr(orig, reasonStrict+"，不能带时间")
		}
		parts := strings.Split(day, sep)
		if len(parts) != 3 || len(parts[0]) != 4 || !isDigits(parts[0]) ||
			len(parts[1]) < 1 || len(parts[1]) > 2 || !isDigits(parts[1]) ||
			len(parts[2]) < 1 || len(parts[2]) > 2 || !isDigits(parts[2]) {
			return time.Time{}, cellErr(orig, reasonStrict)
		}
		y, _ := strconv.Atoi(parts[0])
		m, _ := strconv.Atoi(parts[1])
		d, _ := strconv.Atoi(parts[2])
		var err error
		if t, err = validDate(orig, y, m, d, 0, 0, 0, 0, time.UTC); err != nil {
			return time.Time{}, err
		}
	}
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	lo := time.Date(min.Year(), min.Month(), min.Day(), 0, 0, 0, 0, time.UTC)
	hi := time.Date(max.Year(), max.Month(), max.Day(), 0, 0, 0, 0, time.UTC)
	if t.Before(lo) || t.After(hi) {
		return time.Time{}, cellErr(orig, fmt.Sprintf("日期 %s 超出范围（%s 至 %s）", t.Format(LayoutDate), lo.Format(LayoutDate), hi.Format(LayoutDate)))
	}
	return t, nil
}

const (
	reasonStrict = "日期格式不正确, 应为 2026-03-01、2026/3/1 或 Excel 日期"
	reasonDate   = "日期格式不正确, 应为 2026-03-05 或 2026/3/5"
	reasonDay    = "日期不存在"
	reasonClock  = "时间格式不正确, 应为 21:07 或 21:07:33"
)

// parseDateTime reports whether a time of day was present.
func parseDateTime(orig string, loc *time.Location) (time.Time, bool, error) {
	s := fold(orig)
	if s == "" {
		return time.Time{}, false, cellErr(orig, "日期不能为空")
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1)); err == nil {
		return t.In(loc), true, nil
	}
	if intPart, frac, _ := strings.Cut(s, "."); isDigits(intPart) && (frac == "" || isDigits(frac)) {
		switch {
		case len(intPart) == 8 && frac == "":
			return compactDate(orig, s, loc)
		case len(intPart) == 14 && frac == "":
			return compactDate(orig, s, loc)
		case len(intPart) <= 7:
			serial, err := strconv.ParseFloat(s, 64)
			if err != nil || serial < 1 {
				return time.Time{}, false, cellErr(orig, reasonDate)
			}
			t, err := excelSerialTime(serial, false)
			if err != nil {
				return time.Time{}, false, cellErr(orig, reasonDate)
			}
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), frac != "", nil
		}
		return time.Time{}, false, cellErr(orig, reasonDate)
	}

	p := &scan{s: s}
	y, okY := p.num(4, 4)
	okY = okY && p.lit("-", "/", ".", "年")
	m, okM := p.num(1, 2)
	okM = okM && p.lit("-", "/", ".", "月")
	d, okD := p.num(1, 2)
	if !okY || !okM || !okD {
		return time.Time{}, false, cellErr(orig, reasonDate)
	}
	p.lit("日", "号")
	date, err := validDate(orig, y, m, d, 0, 0, 0, 0, loc)
	if err != nil {
		return time.Time{}, false, err
	}
	p.spaces()
	p.lit("T")
	p.spaces()
	if p.end() {
		return date, false, nil
	}

	pm := p.ampm()
	p.spaces()
	hh, ok1 := p.num(1, 2)
	ok2 := p.lit(":", "时", "点", "點")
	mm, ok3 := p.num(1, 2)
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false, cellErr(orig, reasonClock)
	}
	ss, nanos := 0, 0
	if p.lit(":", "分") && !p.end() && p.digit() {
		var ok bool
		if ss, ok = p.num(1, 2); !ok {
			return time.Time{}, false, cellErr(orig, reasonClock)
		}
		if p.lit(".") {
			f, ok := p.num(1, 9)
			if !ok {
				return time.Time{}, false, cellErr(orig, reasonClock)
			}
			nanos = f
			for n := p.lastLen; n < 9; n++ {
				nanos *= 10
			}
		}
		p.lit("秒")
	}
	p.spaces()
	if pm == 0 {
		pm = p.ampm()
	}
	if !p.end() {
		return time.Time{}, false, cellErr(orig, reasonClock)
	}
	if pm != 0 {
		if hh < 1 || hh > 12 {
			return time.Time{}, false, cellErr(orig, reasonClock)
		}
		hh %= 12
		if pm == 'P' {
			hh += 12
		}
	}
	if hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false, cellErr(orig, reasonClock)
	}
	t, err := validDate(orig, y, m, d, hh, mm, ss, nanos, loc)
	return t, true, err
}

// compactDate parses yyyymmdd or yyyymmddhhmmss.
func compactDate(orig, s string, loc *time.Location) (time.Time, bool, error) {
	n := func(i, j int) int { v, _ := strconv.Atoi(s[i:j]); return v }
	if len(s) == 8 {
		t, err := validDate(orig, n(0, 4), n(4, 6), n(6, 8), 0, 0, 0, 0, loc)
		return t, false, err
	}
	hh, mm, ss := n(8, 10), n(10, 12), n(12, 14)
	if hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false, cellErr(orig, reasonClock)
	}
	t, err := validDate(orig, n(0, 4), n(4, 6), n(6, 8), hh, mm, ss, 0, loc)
	return t, true, err
}

func validDate(orig string, y, m, d, hh, mm, ss, ns int, loc *time.Location) (time.Time, error) {
	if y < 1800 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, cellErr(orig, reasonDate)
	}
	t := time.Date(y, time.Month(m), d, hh, mm, ss, ns, loc)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, cellErr(orig, reasonDay)
	}
	return t, nil
}

// maxExcelSerial is 9999-12-31, the last day Excel knows.
const maxExcelSerial = 2958465

// excelSerialTime converts an Excel serial date (days since 1899-12-30 in
// the 1900 system, with Excel's fictitious 1900-02-29 as serial 60; days
// since 1904-01-01 in the 1904 system) to a wall-clock time in UTC, rounded
// to the second.
func excelSerialTime(serial float64, date1904 bool) (time.Time, error) {
	if math.IsNaN(serial) || serial < 0 || serial >= maxExcelSerial+1 {
		return time.Time{}, errors.New("excel serial out of range")
	}
	days := math.Floor(serial)
	secs := math.Round((serial - days) * 86400)
	if secs >= 86400 {
		days, secs = days+1, secs-86400
	}
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 60:
		return time.Time{}, errors.New("1900-02-29 does not exist")
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), nil
}

// scan is a tiny cursor over folded date text.
type scan struct {
	s       string
	i       int
	lastLen int // digits read by the last num
}

func (p *scan) end() bool   { return p.i >= len(p.s) }
func (p *scan) digit() bool { return !p.end() && p.s[p.i] >= '0' && p.s[p.i] <= '9' }

func (p *scan) spaces() {
	for !p.end() && p.s[p.i] == ' ' {
		p.i++
	}
}

// num reads min..max digits, surrounded by optional spaces.
func (p *scan) num(minDigits, maxDigits int) (int, bool) {
	p.spaces()
	start := p.i
	for p.digit() && p.i-start < maxDigits {
		p.i++
	}
	p.lastLen = p.i - start
	if p.lastLen < minDigits || p.digit() {
		return 0, false
	}
	v, _ := strconv.Atoi(p.s[start:p.i])
	p.spaces()
	return v, true
}

// lit consumes one of the literals (case-insensitive).
func (p *scan) lit(options ...string) bool {
	for _, o := range options {
		if len(p.s)-p.i >= len(o) && strings.EqualFold(p.s[p.i:p.i+len(o)], o) {
			p.i += len(o)
			return true
		}
	}
	return false
}

// ampm consumes 上午/下午/AM/PM and returns 'A', 'P' or 0.
func (p *scan) ampm() byte {
	switch {
	case p.lit("上午", "AM", "A.M."):
		return 'A'
	case p.lit("下午", "晚上", "PM", "P.M."):
		return 'P'
	}
	return 0
}
