package tabular

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"kefu/internal/tabular/tabulartest"
)

func TestWriteRoundTrip(t *testing.T) {
	headers := []string{"客户名称", "手机", "金额", "备注"}
	rows := [][]string{
		{"张三", "13812345678", "12345.67", "含,逗号"},
		{"李四", "010-12345678", "0.10", "含\"引号\"\n和换行"},
		{"王五", "00123", "1", ""},
	}
	want := []Row{
		{Line: 2, Cells: rows[0]},
		{Line: 3, Cells: rows[1]},
		{Line: 4, Cells: rows[2]},
	}
	for _, format := range []string{"xlsx", "utf-8", "gbk", "gb18030"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if format == "xlsx" {
				err = WriteXLSX(&buf, headers, rows)
			} else {
				err = WriteCSV(&buf, headers, rows, format)
			}
			if err != nil {
				t.Fatal(err)
			}
			if format == "utf-8" && !bytes.HasPrefix(buf.Bytes(), []byte(utf8BOM)) {
				t.Error("no BOM")
			}
			if format == "gbk" && !bytes.Contains(buf.Bytes(), []byte(mustGBK(t, "客户名称"))) {
				t.Error("not GBK")
			}
			got, err := Read("x", &buf, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Headers, headers) || !reflect.DeepEqual(got.Rows, want) {
				t.Errorf("got %q %+v", got.Headers, got.Rows)
			}
		})
	}
}

func TestWriteCSVErrors(t *testing.T) {
	var buf bytes.Buffer
	err := WriteCSV(&buf, []string{"名称"}, [][]string{{"ok"}, {"表情😀"}}, "gbk")
	if err == nil || !strings.Contains(err.Error(), "第 3 行") {
		t.Errorf("err = %v", err)
	}
	if err := WriteCSV(&buf, []string{"a"}, nil, "big5"); err == nil {
		t.Error("unknown encoding accepted")
	}
}

// TestWriteTypedXLSX: money, counts, dates and date-times are stored as
// numbers with their formats (the money's decimal text exactly as
// given), text columns as text, blanks as blanks; reading the file back
// gives the dates as ISO text.
func TestWriteTypedXLSX(t *testing.T) {
	headers := []string{"合同", "金额", "期次", "应收日期", "最近沟通", "备注"}
	kinds := []Kind{KindText, KindMoney, KindCount, KindDate, KindDateTime} // 备注: text (kinds is shorter)
	rows := [][]string{
		{"HT-1", "1234567.89", "2", "2026-03-05", "2026-02-21 14:30", "00123"},
		{"合计", "0.10", "", "", "", ""},
		{"HT-2", "-3.5", "-15", "1900-03-01", "2026-02-21 14:30:15", "=1+1"},
		{"HT-3", "99999999999.99", "0", "2099-12-31", "2026-02-21 00:00"},
	}
	var buf bytes.Buffer
	if err := WriteTypedXLSX(&buf, headers, kinds, rows); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"s:合同", "s:金额", "s:期次", "s:应收日期", "s:最近沟通", "s:备注"},
		{"s:HT-1", "n:1234567.89 [#,##0.00] 1,234,567.89", "n:2 [0] 2", "n:46086 [yyyy-mm-dd] 2026-03-05",
			"n:46074.604166666664 [yyyy-mm-dd hh:mm] 2026-02-21 14:30", "s:00123"},
		{"s:合计", "n:0.10 [#,##0.00] 0.10"}, // blanks at the end are not stored
		{"s:HT-2", "n:-3.5 [#,##0.00] -3.50", "n:-15 [0] -15", "n:61 [yyyy-mm-dd] 1900-03-01",
			"n:46074.60434027778 [yyyy-mm-dd hh:mm] 2026-02-21 14:30", "s:=1+1"},
		{"s:HT-3", "n:99999999999.99 [#,##0.00] 99,999,999,999.99", "n:0 [0] 0", "n:73050 [yyyy-mm-dd] 2099-12-31",
			"n:46074 [yyyy-mm-dd hh:mm] 2026-02-21 00:00"},
	}
	got := tabulartest.Cells(t, buf.Bytes())
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for r := range want {
		var line []string
		for _, c := range got[r] {
			line = append(line, c.String())
		}
		if !reflect.DeepEqual(line, want[r]) {
			t.Errorf("row %d:\n got %q\nwant %q", r+1, line, want[r])
		}
	}
	// The importer reads the typed cells back as it reads a user's file.
	tab, err := Read("x.xlsx", bytes.NewReader(buf.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Rows[0].Cells; c[1] != "1,234,567.89" || c[2] != "2" || c[3] != "2026-03-05" || c[4] != "2026-02-21 14:30:00" || c[5] != "00123" {
		t.Errorf("read back %q", c)
	}
}

func TestWriteTypedXLSXRejectsCellsOfAnotherKind(t *testing.T) {
	valid := map[Kind]string{KindMoney: "1.00", KindCount: "1", KindDate: "2026-03-05", KindDateTime: "2026-03-05 10:00"}
	for _, tc := range []struct {
		kind Kind
		v    string
	}{
		{KindMoney, "12,345.60"}, {KindMoney, "1.234"}, {KindMoney, "¥1.00"}, {KindMoney, "1e3"},
		{KindCount, "1.5"}, {KindCount, "三"},
		{KindDate, "2026/3/5"}, {KindDate, "2026-02-30"}, {KindDate, "1900-02-28"},
		{KindDateTime, "2026-03-05T10:00"}, {KindDateTime, "2026-03-05"},
	} {
		var buf bytes.Buffer
		err := WriteTypedXLSX(&buf, []string{"a", "b"}, []Kind{KindText, tc.kind}, [][]string{{"x", valid[tc.kind]}, {"y", tc.v}})
		if err == nil || !strings.Contains(err.Error(), "row 3 column 2") {
			t.Errorf("%s %q: err = %v", kindNames[tc.kind], tc.v, err)
		}
	}
}
