package tabular

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Layouts of date-formatted XLSX cells in Row.Cells.
const (
	LayoutDate     = "2006-01-02"
	LayoutDateTime = "2006-01-02 15:04:05"
)

func readXLSX(data []byte, opts Options) (*Table, error) {
	unzipLimit := 16 * opts.maxBytes()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: unzipLimit,
		// Keep every part in memory: no temporary files.
		UnzipXMLSizeLimit: unzipLimit,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: 无法读取 XLSX 文件, 文件可能已损坏 (%v)", ErrUnsupportedFormat, err)
	}
	defer f.Close()

	sheet, err := pickSheet(f, opts.Sheet)
	if err != nil {
		return nil, err
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	if err := markDateStyles(f); err != nil {
		return nil, fmt.Errorf("%w: 无法读取 XLSX 样式 (%v)", ErrUnsupportedFormat, err)
	}

	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("读取工作表 “%s” 失败: %w", sheet, err)
	}
	defer rows.Close()
	b := newTableBuilder(FormatXLSX, "", opts)
	b.t.Sheet = sheet
	// Rows.Next visits row numbers in order, including gaps, so line is the
	// Excel row number.
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("读取工作表 “%s” 第 %d 行失败: %w", sheet, line, err)
		}
		for j, c := range cells {
			if strings.HasSuffix(c, markerPrefix+"D") || strings.HasSuffix(c, markerPrefix+"T") || strings.HasSuffix(c, markerPrefix+"X") {
				cells[j] = convertMarked(c, date1904)
			}
		}
		if err := b.add(line, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("读取工作表 “%s” 失败: %w", sheet, err)
	}
	return b.finish()
}

// Date cells are the slow part of excelize's display formatting, and their
// display text (often "m/d/yy h:mm", seconds hidden) is not what an import
// wants. So before reading, every date/time cell style is re-pointed at a
// cheap number format that prints the serial number with a marker naming
// its kind; convertMarked turns that into ISO text. This edits only the
// in-memory copy of the style sheet (File.Styles) of a file we opened.
const markerPrefix = "\u2063" // INVISIBLE SEPARATOR: never typed by users

func markDateStyles(f *excelize.File) error {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return nil
	}
	n := len(f.Styles.CellXfs.Xf)
	kinds := make([]fmtKind, n)
	found := false
	for i := range n {
		kinds[i] = styleKind(f, i)
		found = found || kinds[i] != fmtOther
	}
	if !found {
		return nil
	}
	markers := map[fmtKind]*int{}
	for kind, letter := range map[fmtKind]string{fmtDate: "D", fmtTime: "T", fmtDateTime: "X"} {
		code := `0.000000000"` + markerPrefix + letter + `"`
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		markers[kind] = f.Styles.CellXfs.Xf[id].NumFmtID
	}
	for i, k := range kinds {
		if k != fmtOther {
			f.Styles.CellXfs.Xf[i].NumFmtID = markers[k]
		}
	}
	return nil
}

// convertMarked renders a marked serial: dates as LayoutDate (or
// LayoutDateTime when the value has a time of day), date-times as
// LayoutDateTime, times as hh:mm:ss (hours may exceed 23 for durations).
func convertMarked(c string, date1904 bool) string {
	num, kind := c[:len(c)-len(markerPrefix)-1], c[len(c)-1]
	serial, err := strconv.ParseFloat(num, 64)
	if err != nil || serial < 0 {
		return trimZeros(num)
	}
	if kind == 'T' {
		secs := int64(math.Round(serial * 86400))
		return fmt.Sprintf("%02d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	}
	t, err := excelSerialTime(serial, date1904)
	if err != nil {
		return trimZeros(num)
	}
	if kind == 'D' && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format(LayoutDate)
	}
	return t.Format(LayoutDateTime)
}

// trimZeros turns "-3.500000000" into "-3.5".
func trimZeros(num string) string {
	if strings.Contains(num, ".") {
		num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	}
	return num
}

func pickSheet(f *excelize.File, want string) (string, error) {
	list := f.GetSheetList()
	if want != "" {
		for _, s := range list {
			if s == want {
				return s, nil
			}
		}
		for _, s := range list {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(want)) {
				return s, nil
			}
		}
		return "", fmt.Errorf("工作表 “%s” 不存在 (sheet not found), 可选: %s", want, strings.Join(list, ", "))
	}
	for _, s := range list {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			return s, nil
		}
	}
	if len(list) > 0 {
		return list[0], nil
	}
	return "", fmt.Errorf("%w: 工作簿中没有工作表 (no worksheet)", ErrNoHeader)
}

// fmtKind classifies a cell's number format.
type fmtKind uint8

const (
	fmtOther fmtKind = iota
	fmtDate
	fmtTime
	fmtDateTime
)

func styleKind(f *excelize.File, id int) fmtKind {
	st, err := f.GetStyle(id)
	if err != nil || st == nil {
		return fmtOther
	}
	if st.CustomNumFmt != nil {
		return classifyNumFmt(*st.CustomNumFmt)
	}
	switch st.NumFmt {
	case 14, 15, 16, 17, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58:
		return fmtDate
	case 18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47, 55, 56:
		return fmtTime
	case 22:
		return fmtDateTime
	}
	return fmtOther
}

// classifyNumFmt inspects a custom number format code: y/d (and e, the CJK
// year) mean a date, h/s a time. Quoted text, escapes and [..] are ignored,
// except elapsed-time markers like [h].
func classifyNumFmt(code string) fmtKind {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i] // the positive section decides
	}
	if strings.EqualFold(strings.TrimSpace(code), "general") {
		return fmtOther
	}
	var hasDate, hasTime bool
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
				break
			}
			inner := strings.ToLower(code[i+1 : i+j])
			if strings.Trim(inner, "hms") == "" && inner != "" {
				hasTime = true
			}
			i += j
		case 'y', 'Y', 'd', 'D', 'e', 'E':
			hasDate = true
		case 'h', 'H', 's', 'S':
			hasTime = true
		case '0', '#', '?', '@':
			if !hasDate && !hasTime { // a number or text format
				return fmtOther
			}
		}
	}
	switch {
	case hasDate && hasTime:
		return fmtDateTime
	case hasDate:
		return fmtDate
	case hasTime:
		return fmtTime
	}
	return fmtOther
}
