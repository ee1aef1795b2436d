package tabular

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
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
