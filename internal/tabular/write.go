package tabular

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// WriteXLSX writes a one-sheet workbook ("Sheet1") with a bold header row.
// Every cell is stored as text and the columns are formatted as text, so
// phone numbers and IDs typed into a template stay intact.
func WriteXLSX(w io.Writer, headers []string, rows [][]string) error {
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
	width := len(headers)
	for _, r := range rows {
		width = max(width, len(r))
	}
	if width > 0 {
		last, err := excelize.ColumnNumberToName(width)
		if err != nil {
			return err
		}
		if err := f.SetColStyle(sheet, "A:"+last, text); err != nil {
			return err
		}
		for i, h := range headers {
			col, _ := excelize.ColumnNumberToName(i + 1)
			if err := f.SetColWidth(sheet, col, col, float64(min(50, max(12, 2*utf8.RuneCountInString(h)+4)))); err != nil {
				return err
			}
		}
	}
	put := func(line int, cells []string, style int) error {
		for i, v := range cells {
			cell, err := excelize.CoordinatesToCellName(i+1, line)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
			if style == 0 {
				continue // data cells inherit the column's text style
			}
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				return err
			}
		}
		return nil
	}
	if err := put(1, headers, bold); err != nil {
		return err
	}
	for i, r := range rows {
		if err := put(i+2, r, 0); err != nil {
			return err
		}
	}
	return f.Write(w)
}

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
