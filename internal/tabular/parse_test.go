package tabular

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseMoneyFen(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		reason string // "" = valid
	}{
		{"12345", 1234500, ""},
		{"12,345.67", 1234567, ""},
		{"1,234.5", 123450, ""},
		{"¥12345.6", 1234560, ""},
		{"￥1,234.50元", 123450, ""},
		{"RMB 100", 10000, ""},
		{"１２３", 12300, ""},
		{"１，２３４．５６", 123456, ""},
		{" 0.1 ", 10, ""},
		{"0.2", 20, ""},
		{"0.3", 30, ""}, // 0.1 + 0.2: exact in fen
		{"0.30", 30, ""},
		{"1.500", 150, ""}, // trailing zeros lose nothing
		{".5", 50, ""},
		{"7.", 700, ""},
		{"0", 0, ""},
		{"-0", 0, ""},
		{"00012.34", 1234, ""},
		{"999999999999999.99", 99999999999999999, ""},
		{"1.005", 0, "两位小数"},
		{"0.001", 0, "两位小数"},
		{"-12.5", 0, "负数"},
		{"(12.50)", 0, "负数"},
		{"", 0, "为空"},
		{"   ", 0, "为空"},
		{"abc", 0, "格式不正确"},
		{"12.3.4", 0, "格式不正确"},
		{"12,34", 0, "千分位"},
		{"1,2345", 0, "千分位"},
		{",123", 0, "千分位"},
		{"1.2E+05", 0, "科学计数法"},
		{"1000000000000000", 0, "超出范围"},
		{"12 345", 0, "格式不正确"},
		{"--5", 0, "格式不正确"},
		{"¥", 0, "格式不正确"},
		{".", 0, "格式不正确"},
	}
	for _, tc := range tests {
		got, err := ParseMoneyFen(tc.in)
		if tc.reason == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseMoneyFen(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
			continue
		}
		var ce *CellError
		if !errors.As(err, &ce) || !strings.Contains(ce.Reason, tc.reason) || ce.Value != tc.in {
			t.Errorf("ParseMoneyFen(%q) = %d, %v; want *CellError with %q", tc.in, got, err, tc.reason)
		}
	}
}

func TestParseSignedMoneyFen(t *testing.T) {
	tests := map[string]int64{
		"-12.5": -1250, "¥-12.5": -1250, "-¥12.5": -1250, "(1,234.00)": -123400,
		"+3": 300, "−0.01": -1, "－１": -100,
	}
	for in, want := range tests {
		if got, err := ParseSignedMoneyFen(in); err != nil || got != want {
			t.Errorf("ParseSignedMoneyFen(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestMoneyAddsWithoutRounding(t *testing.T) {
	// 0.1 + 0.2 != 0.3 in float64; in fen it is exact.
	a, _ := ParseMoneyFen("0.1")
	b, _ := ParseMoneyFen("0.2")
	c, _ := ParseMoneyFen("0.3")
	if a+b != c {
		t.Fatalf("%d + %d != %d", a, b, c)
	}
	var sum int64
	for range 1000 {
		v, _ := ParseMoneyFen("0.01")
		sum += v
	}
	if FormatFen(sum) != "10.00" {
		t.Fatalf("sum = %s", FormatFen(sum))
	}
}

func TestFormatFen(t *testing.T) {
	tests := map[int64]string{0: "0.00", 5: "0.05", 123450: "1234.50", -1: "-0.01", -123456: "-1234.56"}
	for in, want := range tests {
		if got := FormatFen(in); got != want {
			t.Errorf("FormatFen(%d) = %q, want %q", in, got, want)
		}
	}
	if got := FormatFen(-1 << 63); got != "-92233720368547758.08" {
		t.Errorf("FormatFen(min) = %q", got)
	}
}

func TestParseInt(t *testing.T) {
	valid := map[string]int64{"12": 12, "1,234": 1234, "１２": 12, "-3": -3, "12.00": 12, " 7 ": 7}
	for in, want := range valid {
		if got, err := ParseInt(in); err != nil || got != want {
			t.Errorf("ParseInt(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1.5", "abc", "12,34", "99999999999999999999", "1E+3"} {
		if _, err := ParseInt(in); err == nil {
			t.Errorf("ParseInt(%q) accepted", in)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, in := range []string{"是", "Y", "y", "yes", "YES", "true", "TRUE", "1", "√", "✓", "对", " 是 "} {
		if v, err := ParseBool(in); err != nil || !v {
			t.Errorf("ParseBool(%q) = %v, %v", in, v, err)
		}
	}
	for _, in := range []string{"否", "N", "no", "false", "FALSE", "0", "×", "错", " 否 "} {
		if v, err := ParseBool(in); err != nil || v {
			t.Errorf("ParseBool(%q) = %v, %v", in, v, err)
		}
	}
	for _, in := range []string{"", "maybe", "2", "是的吧"} {
		if _, err := ParseBool(in); err == nil {
			t.Errorf("ParseBool(%q) accepted", in)
		}
	}
}

func TestCellError(t *testing.T) {
	tests := []struct {
		e    CellError
		want string
	}{
		{CellError{Line: 5, Column: "联系电话", Value: "123", Reason: "手机号格式不正确"}, `第 5 行 “联系电话”: 手机号格式不正确 (value "123")`},
		{CellError{Reason: "金额不能为空"}, "金额不能为空"},
		{CellError{Line: 3, Reason: "x"}, "第 3 行: x"},
		{CellError{Column: "金额", Value: "张三", Reason: "金额格式不正确"}, `“金额”: 金额格式不正确 (value "张三")`},
	}
	for _, tc := range tests {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	_, err := ParsePhone("123")
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("not a *CellError: %T", err)
	}
	if got := ce.At(5, "联系电话").Error(); got != `第 5 行 “联系电话”: 手机号/电话号码格式不正确 (value "123")` {
		t.Errorf("At: %q", got)
	}
}

func TestErrors(t *testing.T) {
	var errs Errors
	if errs.Err() != nil {
		t.Fatal("empty Errors is not nil")
	}
	errs.Add(2, "金额", nil)
	_, err := ParseMoneyFen("1.005")
	errs.Add(2, "金额", err)
	errs.Add(3, "客户", fmt.Errorf("客户不存在"))
	if len(errs) != 2 {
		t.Fatalf("len = %d", len(errs))
	}
	want := "第 2 行 “金额”: 金额最多保留两位小数 (精确到分) (value \"1.005\")\n第 3 行 “客户”: 客户不存在"
	if got := errs.Err().Error(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	for i := range 30 {
		errs.Add(i, "x", errors.New("bad"))
	}
	if msg := errs.Error(); !strings.Contains(msg, "共 32 个错误") || strings.Count(msg, "\n") != 20 {
		t.Errorf("long list: %q", msg)
	}
}
