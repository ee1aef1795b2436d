package tabular

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// buildXLSX makes a workbook with typed cells, the way Excel stores them.
func buildXLSX(t *testing.T, fill func(f *excelize.File, style func(excelize.Style) int)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	style := func(s excelize.Style) int {
		id, err := f.NewStyle(&s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	fill(f, style)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

func TestReadXLSX(t *testing.T) {
	data := buildXLSX(t, func(f *excelize.File, style func(excelize.Style) int) {
		const s = "Sheet1"
		set := func(cell string, v any, st int) {
			if err := f.SetCellValue(s, cell, v); err != nil {
				t.Fatal(err)
			}
			if st != 0 {
				if err := f.SetCellStyle(s, cell, cell, st); err != nil {
					t.Fatal(err)
				}
			}
		}
		dateStyle := style(excelize.Style{NumFmt: 14})
		cnDate := style(excelize.Style{CustomNumFmt: ptr(`yyyy"年"m"月"d"日"`)})
		dtStyle := style(excelize.Style{NumFmt: 22})
		money := style(excelize.Style{CustomNumFmt: ptr(`#,##0.00`)})
		dur := style(excelize.Style{NumFmt: 46}) // [h]:mm:ss
		clock := style(excelize.Style{CustomNumFmt: ptr(`hh:mm:ss`)})
		general := style(excelize.Style{NumFmt: 0, Font: &excelize.Font{Bold: true}})

		for i, h := range []string{" 客户名称 ", "签约日期", "金额", "来电时间", "手机", "时长", "开始", "合计", "累计", "文本日期", "负日期"} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			set(cell, h, 0)
		}
		set("A2", "张三", 0)
		set("B2", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), dateStyle)
		set("C2", 12345.6, money)
		set("D2", time.Date(2026, 3, 5, 21, 7, 33, 0, time.UTC), dtStyle)
		set("E2", 13812345678, general)
		set("F2", 0.0034, dur)
		set("G2", 0.5, clock)
		set("H2", 0.30000000000000004, 0)
		set("I2", 1.5, dur)
		set("J2", "2026.3.5", dateStyle)
		set("K2", -1, dateStyle)
		// row 3 left empty; row 4:
		set("A4", "\u3000李四\u3000", 0)
		set("B4", 45658, cnDate)
		set("C4", "1,234.5", 0)
		set("D4", 45658.75, dtStyle)
		set("E4", "010-12345678", 0)
	})

	got, err := Read("客户.xlsx", bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{
		Format:     FormatXLSX,
		Sheet:      "Sheet1",
		Headers:    []string{"客户名称", "签约日期", "金额", "来电时间", "手机", "时长", "开始", "合计", "累计", "文本日期", "负日期"},
		HeaderLine: 1,
		Rows: []Row{
			{Line: 2, Cells: []string{"张三", "2026-03-05", "12,345.60", "2026-03-05 21:07:33", "13812345678", "00:04:54", "12:00:00", "0.3", "36:00:00", "2026.3.5", "-1"}},
			{Line: 4, Cells: []string{"李四", "2025-01-01", "1,234.5", "2025-01-01 18:00:00", "010-12345678", "", "", "", "", "", ""}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got.Rows, want.Rows)
		if !reflect.DeepEqual(got.Headers, want.Headers) {
			t.Errorf("headers %q", got.Headers)
		}
	}

	// The converted cells parse with the typed parsers.
	if d, err := ParseDate(got.Rows[0].Cells[1], time.UTC); err != nil || d.Format(LayoutDate) != "2026-03-05" {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	if d, err := ParseDateTime(got.Rows[0].Cells[3], time.UTC); err != nil || d.Second() != 33 {
		t.Errorf("ParseDateTime = %v, %v", d, err)
	}
	if fen, err := ParseMoneyFen(got.Rows[0].Cells[2]); err != nil || fen != 1234560 {
		t.Errorf("ParseMoneyFen = %v, %v", fen, err)
	}
}

func TestReadXLSXSheets(t *testing.T) {
	data := buildXLSX(t, func(f *excelize.File, _ func(excelize.Style) int) {
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(f.SetSheetName("Sheet1", "说明"))
		must(f.SetCellValue("说明", "A1", "请勿修改此页"))
		_, err := f.NewSheet("客户")
		must(err)
		must(f.SetSheetRow("客户", "A1", &[]string{"名称"}))
		must(f.SetSheetRow("客户", "A2", &[]string{"甲"}))
		_, err = f.NewSheet("设备")
		must(err)
		must(f.SetSheetRow("设备", "A3", &[]string{"序列号"}))
		must(f.SetSheetRow("设备", "A5", &[]string{"SN-1"}))
		f.SetActiveSheet(1)
		must(f.SetSheetVisible("说明", false))
	})
	tests := []struct {
		sheet   string
		want    string
		line    int
		wantErr string
	}{
		{sheet: "", want: "客户", line: 2},
		{sheet: "设备", want: "设备", line: 5},
		{sheet: "说明", want: "说明"},
		{sheet: "不存在", wantErr: "可选: 说明, 客户, 设备"},
	}
	for _, tc := range tests {
		got, err := Read("a.xlsx", bytes.NewReader(data), Options{Sheet: tc.sheet})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("sheet %q: err = %v", tc.sheet, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("sheet %q: %v", tc.sheet, err)
		}
		if got.Sheet != tc.want {
			t.Errorf("sheet %q: read %q", tc.sheet, got.Sheet)
		}
		if tc.line != 0 && (len(got.Rows) != 1 || got.Rows[0].Line != tc.line) {
			t.Errorf("sheet %q: rows %+v", tc.sheet, got.Rows)
		}
	}
}

func TestReadXLSXLimits(t *testing.T) {
	var buf bytes.Buffer
	rows := make([][]string, 50)
	for i := range rows {
		rows[i] = []string{"x"}
	}
	if err := WriteXLSX(&buf, []string{"h"}, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := Read("a.xlsx", bytes.NewReader(buf.Bytes()), Options{MaxRows: 49}); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("MaxRows: err = %v", err)
	}
	if tb, err := Read("a.xlsx", bytes.NewReader(buf.Bytes()), Options{MaxRows: 50}); err != nil || len(tb.Rows) != 50 {
		t.Errorf("MaxRows exact: err = %v", err)
	}
	if _, err := Read("a.xlsx", bytes.NewReader(buf.Bytes()), Options{MaxBytes: 1024}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes: err = %v", err)
	}
}

func TestClassifyNumFmt(t *testing.T) {
	tests := map[string]fmtKind{
		"yyyy-mm-dd":                    fmtDate,
		`yyyy"年"m"月"d"日"`:               fmtDate,
		"m/d/yy h:mm":                   fmtDateTime,
		"yyyy/m/d h:mm:ss;@":            fmtDateTime,
		"[$-F800]dddd, mmmm dd, yyyy":   fmtDate,
		"h:mm AM/PM":                    fmtTime,
		"[h]:mm:ss":                     fmtTime,
		"mm:ss.0":                       fmtTime,
		"#,##0.00":                      fmtOther,
		`"¥"#,##0.00;[Red]-"¥"#,##0.00`: fmtOther,
		"[$¥-804]#,##0.00":              fmtOther,
		"0.00E+00":                      fmtOther,
		"General":                       fmtOther,
		"@":                             fmtOther,
		`0"天"`:                          fmtOther,
	}
	for code, want := range tests {
		if got := classifyNumFmt(code); got != want {
			t.Errorf("classifyNumFmt(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestConvertMarked(t *testing.T) {
	m := func(num string, kind byte) string { return num + markerPrefix + string(kind) }
	tests := []struct {
		in    string
		d1904 bool
		want  string
	}{
		{m("45658.000000000", 'D'), false, "2025-01-01"},
		{m("45658.500000000", 'D'), false, "2025-01-01 12:00:00"},
		{m("44196.000000000", 'D'), true, "2025-01-01"},
		{m("45658.000000000", 'X'), false, "2025-01-01 00:00:00"},
		{m("0.880243056", 'T'), false, "21:07:33"},
		{m("2.000000000", 'T'), false, "48:00:00"},
		{m("-3.500000000", 'D'), false, "-3.5"},
		{m("60.000000000", 'D'), false, "60"},
	}
	for _, tc := range tests {
		if got := convertMarked(tc.in, tc.d1904); got != tc.want {
			t.Errorf("convertMarked(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
