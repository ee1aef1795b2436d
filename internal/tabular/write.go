package tabular

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Kind says how WriteTypedXLSX stores the cells of a column.
type Kind uint8

const (
	// KindText is a text cell (the default): phone numbers and IDs stay
	// as typed.
	KindText Kind = iota
	// KindMoney is yuan as a plain decimal ("12345.60", "-3.5": digits,
	// at most two decimals, no separators — as rendered from integer fen),
	// stored as a number cell with exactly that decimal text and shown
	// as #,##0.00, so a spreadsheet can sum it.
	KindMoney
	// KindCount is an integer, stored as a number cell shown as 0.
	KindCount
	// KindDate is a calendar date YYYY-MM-DD, stored as a date cell (the
	// whole day's serial number) shown as yyyy-mm-dd.
	KindDate
	// KindDateTime is YYYY-MM-DD HH:MM[:SS], stored as a date-time cell
	// shown as yyyy-mm-dd hh:mm.
	KindDateTime
)

// Number formats of the typed columns.
const (
	FormatMoney    = "#,##0.00"
	FormatDate     = "yyyy-mm-dd"
	FormatDateTime = "yyyy-mm-dd hh:mm"
)

var (
	moneyText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]{1,2})?$`)
	countText = regexp.MustCompile(`^-?[0-9]+$`)
	// excelEpoch is day 0 of Excel's 1900 date system for dates from
	// 1900-03-01 on (Excel counts a 1900-02-29 that never was).
	excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	firstDate  = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
)

// WriteXLSX writes a one-sheet workbook ("Sheet1") with a bold header row.
// Every cell is stored as text and the columns are formatted as text, so
// phone numbers and IDs typed into a template stay intact.
func WriteXLSX(w io.Writer, headers []string, rows [][]string) error {
	return WriteTypedXLSX(w, headers, nil, rows)
}

// WriteTypedXLSX writes a one-sheet workbook ("Sheet1") with a bold header
// row, storing column i's cells as kinds[i] says (KindText where kinds is
// shorter) and formatting the column to match. An empty cell of a typed
// column stays blank; a cell that is not of its column's kind is an error
// naming the row and column (the caller built the table, so it is a bug).
func WriteTypedXLSX(w io.Writer, headers []string, kinds []Kind, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	styles := map[Kind]int{KindText: text}
	for k, st := range map[Kind]excelize.Style{
		KindMoney:    {CustomNumFmt: numFmt(FormatMoney)},
		KindCount:    {NumFmt: 1},
		KindDate:     {CustomNumFmt: numFmt(FormatDate)},
		KindDateTime: {CustomNumFmt: numFmt(FormatDateTime)},
	} {
		if styles[k], err = f.NewStyle(&st); err != nil {
			return err
		}
	}
	kindOf := func(i int) Kind {
		if i < len(kinds) {
			return kinds[i]
		}
		return KindText
	}
	width := len(headers)
	for _, r := range rows {
		width = max(width, len(r))
	}
	for i := range width {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		st, ok := styles[kindOf(i)]
		if !ok {
			return fmt.Errorf("tabular: column %d has an unknown kind %d", i+1, kindOf(i))
		}
		if err := f.SetColStyle(sheet, col, st); err != nil {
			return err
		}
		wide := 12
		if i < len(headers) {
			wide = min(50, max(12, 2*utf8.RuneCountInString(headers[i])+4))
		}
		if err := f.SetColWidth(sheet, col, col, float64(wide)); err != nil {
			return err
		}
	}
	for i, h := range headers {
		cell, err := excelize.CoordinatesToCellName(i+1, 1)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell, cell, bold); err != nil {
			return err
		}
	}
	// Data cells take their column's style.
	for n, r := range rows {
		line := n + 2
		for i, v := range r {
			cell, err := excelize.CoordinatesToCellName(i+1, line)
			if err != nil {
				return err
			}
			k := kindOf(i)
			if k == KindText {
				if err := f.SetCellStr(sheet, cell, v); err != nil {
					return err
				}
				continue
			}
			if v == "" {
				continue
			}
			num, ok := typedNumber(k, v)
			if !ok {
				return fmt.Errorf("tabular: row %d column %d: %q is not a %s", line, i+1, v, kindNames[k])
			}
			// The number's text goes into the file as is: no float
			// round trip between the caller's decimal and the cell.
			if err := f.SetCellDefault(sheet, cell, num); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}

var kindNames = map[Kind]string{KindMoney: "money amount", KindCount: "count", KindDate: "date (YYYY-MM-DD)", KindDateTime: "date-time (YYYY-MM-DD HH:MM)"}

// typedNumber is the number a typed cell stores: the decimal itself for
// money and counts, the serial day number (and fraction of a day) for
// dates and date-times.
func typedNumber(k Kind, v string) (string, bool) {
	switch k {
	case KindMoney:
		return v, moneyText.MatchString(v)
	case KindCount:
		return v, countText.MatchString(v)
	case KindDate:
		d, err := time.Parse(LayoutDate, v)
		if err != nil || d.Before(firstDate) {
			return "", false
		}
		return strconv.Itoa(int(d.Sub(excelEpoch).Hours()) / 24), true
	case KindDateTime:
		t, err := time.Parse(LayoutDateTime, v)
		if err != nil {
			t, err = time.Parse("2006-01-02 15:04", v)
		}
		if err != nil || t.Before(firstDate) {
			return "", false
		}
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		secs := t.Sub(day).Seconds()
		days := int(day.Sub(excelEpoch).Hours()) / 24
		return strconv.FormatFloat(float64(days)+secs/86400, 'f', -1, 64), true
	}
	return "", false
}

func numFmt(code string) *string { return &code }

// WriteCSV writes CSV with CRLF line ends, as Excel does. encoding is
// "utf-8" (the default; written with a BOM so Excel detects it), "gbk" or
// "gb18030". Text GBK cannot represent is an error naming the row.
func WriteCSV(w io.Writer, headers []string, rows [][]string, enc string) error {
	var encoder *encoding.Encoder
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "utf-8", "utf8":
		if _, err := io.WriteString(w, utf8BOM); err != nil {
			return err
		}
	case "gbk", "gb2312", "cp936":
		encoder = simplifiedchinese.GBK.NewEncoder()
	case "gb18030":
		encoder = simplifiedchinese.GB18030.NewEncoder()
	default:
		return fmt.Errorf("%w: 不支持的编码 %q (supported: utf-8, gbk, gb18030)", ErrEncoding, enc)
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	write := func(line int, rec []string) error {
		buf.Reset()
		if err := cw.Write(rec); err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		out := buf.Bytes()
		if encoder != nil {
			var err error
			if out, err = encoder.Bytes(out); err != nil {
				return fmt.Errorf("第 %d 行含有 %s 编码无法表示的字符, 请改用 UTF-8: %w", line, enc, err)
			}
		}
		_, err := w.Write(out)
		return err
	}
	if err := write(1, headers); err != nil {
		return err
	}
	for i, r := range rows {
		if err := write(i+2, r); err != nil {
			return err
		}
	}
	return nil
}
