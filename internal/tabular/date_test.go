package tabular

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	tests := []struct {
		in     string
		want   string // yyyy-mm-dd, "" = error
		reason string
	}{
		{"2026-03-05", "2026-03-05", ""},
		{"2026/3/5", "2026-03-05", ""},
		{"2026.3.5", "2026-03-05", ""},
		{"2026年3月5日", "2026-03-05", ""},
		{"2026 年 3 月 5 日", "2026-03-05", ""},
		{"2026年03月05号", "2026-03-05", ""},
		{"２０２６－０３－０５", "2026-03-05", ""},
		{"20260305", "2026-03-05", ""},
		{"45658", "2025-01-01", ""},
		{"45000", "2023-03-15", ""},
		{"45658.75", "2025-01-01", ""},
		{"1", "1900-01-01", ""},
		{"59", "1900-02-28", ""},
		{"61", "1900-03-01", ""},
		{"2026-03-05 21:07:33", "2026-03-05", ""},
		{"2026-03-05 00:00:00", "2026-03-05", ""},
		{"2026-03-04T23:30:00Z", "2026-03-05", ""}, // 07:30 in Shanghai
		{"2024-02-29", "2024-02-29", ""},
		{"2025-02-29", "", "日期不存在"},
		{"2026-13-01", "", "日期格式不正确"},
		{"20261301", "", "日期格式不正确"},
		{"60", "", "日期格式不正确"}, // Excel's fictitious 1900-02-29
		{"0", "", "日期格式不正确"},
		{"3/5/2026", "", "日期格式不正确"},
		{"26-3-5", "", "日期格式不正确"},
		{"2026-3", "", "日期格式不正确"},
		{"明天", "", "日期格式不正确"},
		{"", "", "为空"},
		{"2026-03-05 25:00", "", "时间格式不正确"},
		{"99999999", "", "日期格式不正确"},
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in, sh)
		if tc.want != "" {
			if err != nil || got.Format(LayoutDateTime) != tc.want+" 00:00:00" || got.Location() != sh {
				t.Errorf("ParseDate(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
			continue
		}
		var ce *CellError
		if !errors.As(err, &ce) || !strings.Contains(ce.Reason, tc.reason) {
			t.Errorf("ParseDate(%q) = %v, %v; want error %q", tc.in, got, err, tc.reason)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	tests := []struct {
		in   string
		want string // LayoutDateTime in sh, "" = error
	}{
		{"2026-03-05 21:07", "2026-03-05 21:07:00"},
		{"2026-03-05 21:07:33", "2026-03-05 21:07:33"},
		{"2026/3/5 9:07:33", "2026-03-05 09:07:33"},
		{"2026/3/5 9:07", "2026-03-05 09:07:00"},
		{"2026-03-05T21:07:33", "2026-03-05 21:07:33"},
		{"2026-03-05 21:07:33.250", "2026-03-05 21:07:33"},
		{"2026年3月5日 21时07分33秒", "2026-03-05 21:07:33"},
		{"2026年3月5日21时07分", "2026-03-05 21:07:00"},
		{"2026/3/5 下午 9:07", "2026-03-05 21:07:00"},
		{"2026/3/5 上午12:30", "2026-03-05 00:30:00"},
		{"2026/3/5 9:07 PM", "2026-03-05 21:07:00"},
		{"20260305210733", "2026-03-05 21:07:33"},
		{"45658.5", "2025-01-01 12:00:00"},
		{"45658.99999", "2025-01-01 23:59:59"},
		{"45658.9999999", "2025-01-02 00:00:00"}, // rounds to the second
		{"2026-03-05T21:07:33+08:00", "2026-03-05 21:07:33"},
		{"2026-03-05T13:07:33Z", "2026-03-05 21:07:33"},
		{"2026-03-05", "2026-03-05 00:00:00"},
		{"2026-03-05 24:00", ""},
		{"2026-03-05 21:60", ""},
		{"2026-03-05 下午 13:00", ""},
		{"2026-03-05 21", ""},
		{"2026-03-05 21:07 xyz", ""},
		{"20260305250000", ""},
	}
	for _, tc := range tests {
		got, err := ParseDateTime(tc.in, sh)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseDateTime(%q) = %v, want error", tc.in, got)
			}
			continue
		}
		if err != nil || got.Format(LayoutDateTime) != tc.want || got.Location() != sh {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if got, err := ParseDateTime("2026-03-05 21:07:33.25", nil); err != nil || got.Nanosecond() != 250e6 || got.Location() != time.UTC {
		t.Errorf("nil loc / fraction: %v %v", got, err)
	}
}

func TestExcelSerialTime(t *testing.T) {
	tests := []struct {
		serial float64
		d1904  bool
		want   string
	}{
		{45658, false, "2025-01-01 00:00:00"},
		{1, false, "1900-01-01 00:00:00"},
		{61, false, "1900-03-01 00:00:00"},
		{0.25, false, "1899-12-31 06:00:00"},
		{0, true, "1904-01-01 00:00:00"},
		{44196, true, "2025-01-01 00:00:00"},
		{2958465, false, "9999-12-31 00:00:00"},
	}
	for _, tc := range tests {
		got, err := excelSerialTime(tc.serial, tc.d1904)
		if err != nil || got.Format(LayoutDateTime) != tc.want {
			t.Errorf("excelSerialTime(%v, %v) = %v, %v; want %s", tc.serial, tc.d1904, got, err, tc.want)
		}
	}
	for _, bad := range []float64{-1, 60, 2958466} {
		if _, err := excelSerialTime(bad, false); err == nil {
			t.Errorf("excelSerialTime(%v) accepted", bad)
		}
	}
}

func TestParseDateStrict(t *testing.T) {
	lo, hi := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   string // yyyy-mm-dd, "" = error
		reason string
	}{
		{"2026-03-01", "2026-03-01", ""},
		{"2026-3-1", "2026-03-01", ""},
		{"2026/3/1", "2026-03-01", ""},
		{"2026/03/01", "2026-03-01", ""},
		{" 2026/3/1 ", "2026-03-01", ""},
		{"２０２６－０３－０１", "2026-03-01", ""},          // full-width, as typed in a Chinese input mode
		{"46082", "2026-03-01", ""},               // Excel serial in a number cell
		{"2026-03-01 00:00:00", "2026-03-01", ""}, // an XLSX date cell formatted with a time
		{"2024-02-29", "2024-02-29", ""},
		{"2000-01-01", "2000-01-01", ""},
		{"36526", "2000-01-01", ""},
		{"2099-12-31", "2099-12-31", ""},
		{"73050", "2099-12-31", ""},
		// What ParseDate takes but the imports do not.
		{"2026.3.1", "", "日期格式不正确"},
		{"2026年3月1日", "", "日期格式不正确"},
		{"20260301", "", "日期格式不正确"},
		{"2026-03-01 09:30", "", "不能带时间"},
		{"2026-03-01 09:30:00", "", "不能带时间"},
		{"2026/3/1 00:00:00", "", "不能带时间"},
		{"2026-03-01T00:00:00Z", "", "日期格式不正确"},
		{"46082.5", "", "日期格式不正确"},
		{"2026-03/01", "", "日期格式不正确"},
		{"2026--3-1", "", "日期格式不正确"},
		{"26-3-1", "", "日期格式不正确"},
		{"2026-003-01", "", "日期格式不正确"},
		{"3/1/2026", "", "日期格式不正确"},
		{"-46082", "", "日期格式不正确"},
		// Real forms, impossible or implausible days.
		{"2025-02-29", "", "日期不存在"},
		{"2026-13-01", "", "日期格式不正确"},
		{"60", "", "日期格式不正确"}, // Excel's fictitious 1900-02-29
		{"1", "", "超出范围"},     // 1900-01-01
		{"0", "", "日期格式不正确"},
		{"1999-12-31", "", "超出范围"},
		{"36525", "", "超出范围"},
		{"2100-01-01", "", "超出范围"},
		{"73051", "", "超出范围"},
		{"9999999", "", "日期格式不正确"}, // beyond Excel
		{"", "", "为空"},
	}
	for _, tc := range tests {
		got, err := ParseDateStrict(tc.in, lo, hi)
		if tc.want != "" {
			if err != nil || got.Format(LayoutDateTime) != tc.want+" 00:00:00" || got.Location() != time.UTC {
				t.Errorf("ParseDateStrict(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
			continue
		}
		var ce *CellError
		if !errors.As(err, &ce) || !strings.Contains(ce.Reason, tc.reason) || ce.Value != tc.in {
			t.Errorf("ParseDateStrict(%q) = %v, %v; want error %q", tc.in, got, err, tc.reason)
		}
	}
}
