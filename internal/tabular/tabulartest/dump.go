// Package tabulartest renders an XLSX workbook as text for golden files
// and assertions: every cell with its stored type, its raw value and, for
// numbers, its number format and what Excel shows. A golden made from it
// fails when a number is written as text, a date loses its format or an
// amount changes by a cent, where one made from the cells' text would not.
package tabulartest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Cell is one cell as stored.
type Cell struct {
	// Type is "s" for text (shared or inline string), "n" for a number
	// (dates are numbers with a date format), or excelize's type name.
	Type string
	// Raw is the stored value: the text, or the number as written.
	Raw string
	// Format is a number cell's format code ("" for General).
	Format string
	// Shown is the value formatted as Excel shows it.
	Shown string
}

// String renders the cell for a golden: s:text, or n:raw [format] shown.
func (c Cell) String() string {
	switch {
	case c.Type == "" && c.Raw == "":
		return ""
	case c.Type == "s":
		return "s:" + c.Raw
	case c.Type == "n" && c.Format == "":
		return "n:" + c.Raw
	case c.Type == "n":
		return fmt.Sprintf("n:%s [%s] %s", c.Raw, c.Format, c.Shown)
	}
	return c.Type + ":" + c.Raw
}

// builtinFormats names the built-in number formats a kefu export uses.
var builtinFormats = map[int]string{0: "", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 14: "mm-dd-yy", 22: "m/d/yy h:mm", 49: "@"}

// Cells reads the first sheet of an XLSX workbook: rows of cells as stored.
func Cells(t testing.TB, xlsx []byte) [][]Cell {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("not an XLSX workbook: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]Cell, len(rows))
	for r, row := range rows {
		out[r] = make([]Cell, len(row))
		for c, raw := range row {
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			ct, err := f.GetCellType(sheet, name)
			if err != nil {
				t.Fatal(err)
			}
			cell := Cell{Raw: raw}
			switch ct {
			case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
				cell.Type = "s"
			case excelize.CellTypeUnset, excelize.CellTypeNumber:
				if raw != "" {
					cell.Type = "n"
				}
			default:
				cell.Type = fmt.Sprint(ct)
			}
			if cell.Type == "n" {
				id, err := f.GetCellStyle(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				st, err := f.GetStyle(id)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case st.CustomNumFmt != nil:
					cell.Format = *st.CustomNumFmt
				default:
					code, ok := builtinFormats[st.NumFmt]
					if !ok {
						code = fmt.Sprintf("numFmt %d", st.NumFmt)
					}
					cell.Format = code
				}
				if cell.Shown, err = f.GetCellValue(sheet, name); err != nil {
					t.Fatal(err)
				}
			}
			out[r][c] = cell
		}
	}
	return out
}

// Dump renders the first sheet as CSV of Cell.String, one line per row.
func Dump(t testing.TB, xlsx []byte) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, row := range Cells(t, xlsx) {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = c.String()
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.String()
}
