package tabular

import (
	"bytes"
	"testing"
)

func FuzzParseMoneyFen(f *testing.F) {
	for _, s := range []string{"12,345.67", "¥12345.6", "１２３", "1.005", "-0", "(1.00)", "0.1", ".5", "1,2", "1e5", "999999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, signed := range []bool{false, true} {
			v, err := parseMoney(s, signed)
			if err != nil {
				if _, ok := err.(*CellError); !ok {
					t.Fatalf("%q: error %T is not *CellError", s, err)
				}
				continue
			}
			if !signed && v < 0 {
				t.Fatalf("%q: negative %d accepted", s, v)
			}
			back, err := ParseSignedMoneyFen(FormatFen(v))
			if err != nil || back != v {
				t.Fatalf("%q → %d → %q → %d, %v", s, v, FormatFen(v), back, err)
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("客户名称,电话\n张三,13812345678\n"), "")
	f.Add([]byte("a\tb\n\"x\ny\"\t2\n\n3\n"), "")
	f.Add([]byte("sep=;\na;b\n1;2"), "")
	f.Add([]byte(utf8BOM+"\"unterminated,\n1,2"), "utf-8")
	f.Add([]byte("\xff\xfea\x00,\x00b\x00"), "")
	f.Add([]byte("\xc3\xfb\xb3\xc6\n\xd5\xc5\xc8\xfd\n"), "gbk")
	f.Fuzz(func(t *testing.T, data []byte, enc string) {
		tb, err := Read("f.csv", bytes.NewReader(data), Options{Encoding: enc, MaxRows: 1000})
		if err != nil {
			return
		}
		prev := tb.HeaderLine
		for _, r := range tb.Rows {
			if r.Line <= prev {
				t.Fatalf("line %d after %d", r.Line, prev)
			}
			prev = r.Line
			if len(r.Cells) < len(tb.Headers) {
				t.Fatalf("short row %d", r.Line)
			}
		}
	})
}
