package tabular

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func BenchmarkReadCSV10k(b *testing.B) {
	rows := make([][]string, 10_000)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("深圳市示例科技有限公司%05d", i),
			fmt.Sprintf("138%08d", i),
			fmt.Sprintf("广东省深圳市南山区科技园%d号", i),
			fmt.Sprintf("%d,%03d.%02d", i/1000+1, i%1000, i%100),
			"2026-03-05",
			"重要客户, \"VIP\"",
		}
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"客户名称", "联系电话", "地址", "欠款", "签约日期", "备注"}, rows, "gbk"); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		tb, err := Read("customers.csv", bytes.NewReader(data), Options{})
		if err != nil || len(tb.Rows) != 10_000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadXLSX10k(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	dt, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	money, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	_ = sw.SetRow("A1", []any{"主叫", "被叫", "开始时间", "费用", "备注"})
	start := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
	for i := range 10_000 {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{
			fmt.Sprintf("80%02d", i%100), 13800000000 + i,
			excelize.Cell{StyleID: dt, Value: start.Add(time.Duration(i) * time.Minute)},
			excelize.Cell{StyleID: money, Value: float64(i) / 7},
			"备注",
		})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		tb, err := Read("calls.xlsx", bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(tb.Rows) != 10_000 || tb.Rows[1].Cells[2] != "2026-03-05 09:01:00" {
			b.Fatal(tb.Rows[1].Cells)
		}
	}
}
