package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func mustGBK(t testing.TB, s string) string {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustUTF16LE(t testing.TB, s string) string {
	t.Helper()
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadCSV(t *testing.T) {
	const body = "客户名称,联系电话,备注\r\n张三,13812345678,老客户\r\n李四,010-12345678,\r\n"
	want := &Table{
		Format:     FormatCSV,
		Encoding:   EncodingUTF8,
		Headers:    []string{"客户名称", "联系电话", "备注"},
		HeaderLine: 1,
		Rows: []Row{
			{Line: 2, Cells: []string{"张三", "13812345678", "老客户"}},
			{Line: 3, Cells: []string{"李四", "010-12345678", ""}},
		},
	}
	gb := *want
	gb.Encoding = EncodingGB18030
	u16 := *want
	u16.Encoding = EncodingUTF16LE

	tests := []struct {
		name string
		in   string
		opts Options
		want *Table
	}{
		{"utf-8", body, Options{}, want},
		{"utf-8 BOM", utf8BOM + body, Options{}, want},
		{"gbk detected", mustGBK(t, body), Options{}, &gb},
		{"gbk forced", mustGBK(t, body), Options{Encoding: "GBK"}, &gb},
		{"utf-8 forced", utf8BOM + body, Options{Encoding: "utf-8"}, want},
		{"utf-16 with BOM", mustUTF16LE(t, body), Options{}, &u16},
		{"tab", strings.ReplaceAll(body, ",", "\t"), Options{}, want},
		{"semicolon", strings.ReplaceAll(body, ",", ";"), Options{}, want},
		{"forced delimiter", strings.ReplaceAll(body, ",", "|"), Options{Delimiter: '|'}, want},
		{"LF only", strings.ReplaceAll(body, "\r\n", "\n"), Options{}, want},
		{"no final newline", strings.TrimSuffix(body, "\r\n"), Options{}, want},
		{"spaces trimmed", "  客户名称 ,\u3000联系电话\u3000, 备注\n 张三 ,\t13812345678 ,老客户\u3000\n李四,010-12345678\n", Options{}, want},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read("x.csv", strings.NewReader(tc.in), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadCSVLineNumbers(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		opts       Options
		headerLine int
		headers    []string
		lines      []int
	}{
		{
			name:       "leading and inner empty rows",
			in:         "\n,,\n名称,电话\n\na,1\n , \nb,2\n",
			headerLine: 3, headers: []string{"名称", "电话"}, lines: []int{5, 7},
		},
		{
			name:       "quoted newline is one Excel row",
			in:         "名称,备注\n\"a\",\"line1\nline2\nline3\"\nb,x\n",
			headerLine: 1, headers: []string{"名称", "备注"}, lines: []int{2, 3},
		},
		{
			name:       "sep= line hidden by Excel",
			in:         "sep=;\n名称;电话\na;1\n",
			headerLine: 1, headers: []string{"名称", "电话"}, lines: []int{2},
		},
		{
			name:       "explicit header row skips a title",
			in:         "通话记录导出 2026-03-05\n\n主叫,被叫\n1001,13812345678\n",
			opts:       Options{HeaderRow: 3},
			headerLine: 3, headers: []string{"主叫", "被叫"}, lines: []int{4},
		},
		{
			name:       "trailing empty header cells dropped",
			in:         "名称,电话,,\na,1,,\n",
			headerLine: 1, headers: []string{"名称", "电话"}, lines: []int{2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read("x.csv", strings.NewReader(tc.in), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got.HeaderLine != tc.headerLine || !reflect.DeepEqual(got.Headers, tc.headers) {
				t.Errorf("header line %d %q, want %d %q", got.HeaderLine, got.Headers, tc.headerLine, tc.headers)
			}
			var lines []int
			for _, r := range got.Rows {
				lines = append(lines, r.Line)
				if len(r.Cells) < len(got.Headers) {
					t.Errorf("row %d has %d cells < %d headers", r.Line, len(r.Cells), len(got.Headers))
				}
			}
			if !reflect.DeepEqual(lines, tc.lines) {
				t.Errorf("lines %v, want %v", lines, tc.lines)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		in      []byte
		opts    Options
		wantErr error
		msg     string
	}{
		{"png", "a.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), Options{}, ErrUnsupportedFormat, "不是 XLSX 或 CSV 文件"},
		{"pdf", "a.pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Options{}, ErrUnsupportedFormat, "PDF"},
		{"xls", "a.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), Options{}, ErrUnsupportedFormat, ".xls"},
		{"html posing as xls", "a.xls", []byte("<html><table><tr><td>名称</td></tr></table></html>"), Options{}, ErrUnsupportedFormat, "HTML"},
		{"binary", "a.csv", []byte("abc\x00\x01\x02def"), Options{}, ErrUnsupportedFormat, "不是文本"},
		{"broken zip", "a.xlsx", []byte("PK\x03\x04garbage"), Options{}, ErrUnsupportedFormat, "XLSX"},
		{"docx", "a.docx", zipOf(t, "word/document.xml"), Options{}, ErrUnsupportedFormat, "XLSX"},
		{"zip archive", "a.zip", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), Options{}, ErrUnsupportedFormat, "压缩包"},
		{"empty", "a.csv", []byte(" \r\n"), Options{}, ErrNoHeader, "空"},
		{"only empty rows", "a.csv", []byte(",,\n,\n"), Options{}, ErrNoHeader, "没有"},
		{"too large", "a.csv", bytes.Repeat([]byte("a,b\n"), 300), Options{MaxBytes: 1 << 10}, ErrTooLarge, "1 KiB"},
		{"too many rows", "a.csv", []byte("a\n1\n2\n3\n"), Options{MaxRows: 2}, ErrTooManyRows, "2 行"},
		{"not gbk either", "a.csv", []byte("名称\n\xff\xff\xff\n"), Options{}, ErrEncoding, "GBK"},
		{"forced utf-8 on gbk", "a.csv", []byte(mustGBK(t, "名称\n张三\n")), Options{Encoding: "utf-8"}, ErrEncoding, "UTF-8"},
		{"unknown encoding", "a.csv", []byte("a\n"), Options{Encoding: "big5"}, ErrEncoding, "big5"},
		{"empty header row", "a.csv", []byte("title\n\nA\n"), Options{HeaderRow: 2}, ErrNoHeader, "第 2 行"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.file, bytes.NewReader(tc.in), tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func zipOf(t *testing.T, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if _, err := zw.Create(name); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadSizeLimitExact(t *testing.T) {
	in := "a\n" + strings.Repeat("x", 1022) // exactly 1 KiB
	if _, err := Read("a.csv", strings.NewReader(in), Options{MaxBytes: 1 << 10}); err != nil {
		t.Fatalf("file of exactly the limit rejected: %v", err)
	}
	if _, err := Read("a.csv", strings.NewReader(in+"y"), Options{MaxBytes: 1 << 10}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte over: err = %v", err)
	}
}

func TestReadDefaultLimitMessage(t *testing.T) {
	r := io0{n: DefaultMaxBytes + 1}
	_, err := Read("big.csv", &r, Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "20 MiB") {
		t.Fatalf("err = %v", err)
	}
	if r.read > DefaultMaxBytes+1 {
		t.Errorf("read %d bytes, more than the limit + 1", r.read)
	}
}

// io0 yields n bytes of "a,b\n" without allocating them up front.
type io0 struct{ n, read int64 }

func (r *io0) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, errors.New("EOF expected earlier")
	}
	k := min(int64(len(p)), r.n-r.read)
	for i := range k {
		p[i] = "a,b\n"[(r.read+i)%4]
	}
	r.read += k
	return int(k), nil
}
