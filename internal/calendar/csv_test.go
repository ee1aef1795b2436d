package calendar

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseHolidaysCSVGood(t *testing.T) {
	nd := func(s, name string, k DayKind) Holiday { return Holiday{Date: date(t, s), Name: name, Kind: k} }
	tests := []struct {
		name string
		in   string
		want []Holiday
	}{
		{"plain", "date,name,kind\n2027-01-01,元旦,休\n2027-02-06,春节调休,班\n",
			[]Holiday{nd("2027-01-01", "元旦", KindHoliday), nd("2027-02-06", "春节调休", KindWorkday)}},
		{"BOM, CRLF, English kinds, no final newline", "\uFEFFdate,name,kind\r\n2027-10-01,国庆节,holiday\r\n2027-09-26,国庆调休,WORKDAY",
			[]Holiday{nd("2027-09-26", "国庆调休", KindWorkday), nd("2027-10-01", "国庆节", KindHoliday)}},
		{"columns reordered, Chinese header, spaces", " 类型 , 日期 ,名称\n 休 , 2027-05-01 , 劳动节 \n",
			[]Holiday{nd("2027-05-01", "劳动节", KindHoliday)}},
		{"Excel date form, empty name, quoted comma", "Date,Name,Kind\n2027/5/3,,休\n2027-5-4,\"劳动节,补\",休\n",
			[]Holiday{nd("2027-05-03", "", KindHoliday), nd("2027-05-04", "劳动节,补", KindHoliday)}},
		{"blank and empty rows skipped", "date,name,kind\n\n,,\n2027-01-01,元旦,休\n , , \n",
			[]Holiday{nd("2027-01-01", "元旦", KindHoliday)}},
		{"kinds in words", "date,name,kind\n2027-10-01,国庆节,放假\n2027-10-09,国庆调休,调休上班\n2027-10-10,国庆调休,上班\n",
			[]Holiday{nd("2027-10-01", "国庆节", KindHoliday), nd("2027-10-09", "国庆调休", KindWorkday), nd("2027-10-10", "国庆调休", KindWorkday)}},
		{"header only", "date,name,kind\n", nil},
	}
	for _, tc := range tests {
		got, err := ParseHolidaysCSV(strings.NewReader(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	// An export round-trips: PRC data as CSV parses back to the same list.
	var b strings.Builder
	b.WriteString("date,name,kind\n")
	src := PRCHolidays(2025, 2026)
	for _, h := range src {
		b.WriteString(h.Date.String() + "," + h.Name + "," + h.Kind.String() + "\n")
	}
	back, err := ParseHolidaysCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(src, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestParseHolidaysCSVBad(t *testing.T) {
	const hdr = "date,name,kind\n"
	tests := []struct {
		name string
		in   string
		want ParseErrors
	}{
		{"empty file", "", ParseErrors{{Line: 1, Reason: "空文件，需要表头 date,name,kind (empty file: want a header row date,name,kind)"}}},
		{"missing column", "date,kind\n2027-01-01,休\n", ParseErrors{{Line: 1, Reason: `表头缺少 "name" 列 (header has no such column)`}}},
		{"unknown and duplicate columns", "date,name,kind,note,date\n", ParseErrors{
			{Line: 1, Reason: `表头有未知列 "note"，需要 date,name,kind (unknown column in header)`},
			{Line: 1, Reason: `表头中 "date" 列出现两次 (column appears twice in header)`}}},
		{"no header", "2027-01-01,元旦,休\n", ParseErrors{{Line: 1, Reason: `缺少表头，需要 date,name,kind (missing header row: want date,name,kind), got "2027-01-01,元旦,休"`}}},
		{"bad date", hdr + "2027-13-01,x,休\n", ParseErrors{{Line: 2, Column: "date", Reason: `没有这一天 "2027-13-01" (no such date)`}}},
		{"impossible day", hdr + "2027-02-29,x,休\n", ParseErrors{{Line: 2, Column: "date", Reason: `没有这一天 "2027-02-29" (no such date)`}}},
		{"date format", hdr + "01.05.2027,x,休\n2027-05-01T00:00,x,休\n27-5-1,x,休\n2027-05-01/,x,休\n", ParseErrors{
			{Line: 2, Column: "date", Reason: `日期 "01.05.2027" 格式不对，应为 YYYY-MM-DD (invalid date)`},
			{Line: 3, Column: "date", Reason: `日期 "2027-05-01T00:00" 格式不对，应为 YYYY-MM-DD (invalid date)`},
			{Line: 4, Column: "date", Reason: `日期 "27-5-1" 格式不对，应为 YYYY-MM-DD (invalid date)`},
			{Line: 5, Column: "date", Reason: `日期 "2027-05-01/" 格式不对，应为 YYYY-MM-DD (invalid date)`}}},
		{"missing date", hdr + ",元旦,休\n", ParseErrors{{Line: 2, Column: "date", Reason: "缺少日期，格式为 YYYY-MM-DD (missing date)"}}},
		{"bad kind", hdr + "2027-01-01,元旦,rest\n", ParseErrors{{Line: 2, Column: "kind", Reason: `未知类型 "rest"，应为 休/班 或 holiday/workday (unknown kind)`}}},
		{"missing kind", hdr + "2027-01-01,元旦,\n", ParseErrors{{Line: 2, Column: "kind", Reason: "缺少类型，应为 休/班 或 holiday/workday (missing kind)"}}},
		{"bad date and kind on one line", hdr + "2027-00-01,x,y\n", ParseErrors{
			{Line: 2, Column: "date", Reason: `没有这一天 "2027-00-01" (no such date)`},
			{Line: 2, Column: "kind", Reason: `未知类型 "y"，应为 休/班 或 holiday/workday (unknown kind)`}}},
		{"duplicate date", hdr + "2027-01-01,元旦,休\n2027-01-02,x,休\n2027-1-1,again,班\n", ParseErrors{
			{Line: 4, Column: "date", Reason: "日期 2027-01-01 重复，首次出现在第 2 行 (duplicate date, first on line 2)"}}},
		{"field count", hdr + "2027-01-01,元旦\n2027-01-02,a,休,extra\n", ParseErrors{
			{Line: 2, Reason: "有 2 个字段，表头有 3 个 (has 2 fields, header has 3)"},
			{Line: 3, Reason: "有 4 个字段，表头有 3 个 (has 4 fields, header has 3)"}}},
		{"all bad lines are listed, good ones ignored", hdr + "2027-01-01,ok,休\n2027-02-30,x,休\n2027-03-01,ok,班\n2027-04-01,x,?\n\n2027-05-01,x,休\n2027-05-01,y,休\n", ParseErrors{
			{Line: 3, Column: "date", Reason: `没有这一天 "2027-02-30" (no such date)`},
			{Line: 5, Column: "kind", Reason: `未知类型 "?"，应为 休/班 或 holiday/workday (unknown kind)`},
			{Line: 8, Column: "date", Reason: "日期 2027-05-01 重复，首次出现在第 7 行 (duplicate date, first on line 7)"}}},
		{"multi-line quoted name keeps line numbers", hdr + "2027-01-01,\"a\nb\",休\n2027-13-01,x,休\n", ParseErrors{
			{Line: 4, Column: "date", Reason: `没有这一天 "2027-13-01" (no such date)`}}},
		{"stray quote", hdr + "2027-01-01,a\"b,休\n", ParseErrors{{Line: 2, Reason: `CSV 格式错误 (malformed CSV): bare " in non-quoted-field`}}},
		{"GBK bytes", hdr + "2027-01-01,\xd4\xaa\xb5\xa9,\xd0\xdd\n", ParseErrors{
			{Line: 2, Reason: `不是 UTF-8 编码，请另存为“CSV UTF-8” (not valid UTF-8: save the file as "CSV UTF-8")`}}},
	}
	for _, tc := range tests {
		got, err := ParseHolidaysCSV(strings.NewReader(tc.in))
		if got != nil {
			t.Errorf("%s: returned %d holidays with an error", tc.name, len(got))
		}
		var pes ParseErrors
		if !errors.As(err, &pes) {
			t.Errorf("%s: error %v is not ParseErrors", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, pes); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestParseErrorsMessage(t *testing.T) {
	_, err := ParseHolidaysCSV(strings.NewReader("date,name,kind\n2027-13-01,x,休\n2027-01-01,x,rest\n"))
	want := `节假日文件有 2 处错误 (2 error(s) in the holiday file)：第 2 行 date 列：没有这一天 "2027-13-01" (no such date)；第 3 行 kind 列：未知类型 "rest"，应为 休/班 或 holiday/workday (unknown kind)`
	if err == nil || err.Error() != want {
		t.Errorf("message:\n got %v\nwant %s", err, want)
	}
	var many strings.Builder
	many.WriteString("date,name,kind\n")
	for range 12 {
		many.WriteString("bad,x,休\n")
	}
	_, err = ParseHolidaysCSV(strings.NewReader(many.String()))
	if err == nil || !strings.HasSuffix(err.Error(), "；……另有 2 处 (and 2 more)") || !strings.HasPrefix(err.Error(), "节假日文件有 12 处错误") {
		t.Errorf("long message: %v", err)
	}
	if s := (ParseError{Line: 3, Reason: "x"}).Error(); s != "第 3 行：x" {
		t.Errorf("ParseError without column: %q", s)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestParseHolidaysCSVReadError(t *testing.T) {
	_, err := ParseHolidaysCSV(failingReader{})
	var pes ParseErrors
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &pes) {
		t.Errorf("read error = %v", err)
	}
}
