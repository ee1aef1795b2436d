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
		{"empty file", "", ParseErrors{{Line: 1, Reason: "empty file: want a header row date,name,kind"}}},
		{"missing column", "date,kind\n2027-01-01,休\n", ParseErrors{{Line: 1, Reason: `header has no "name" column (want date,name,kind)`}}},
		{"unknown and duplicate columns", "date,name,kind,note,date\n", ParseErrors{
			{Line: 1, Reason: `unknown column "note" in header (want date,name,kind)`},
			{Line: 1, Reason: `column "date" appears twice in header`}}},
		{"no header", "2027-01-01,元旦,休\n", ParseErrors{{Line: 1, Reason: `missing header row: want date,name,kind, got "2027-01-01,元旦,休"`}}},
		{"bad date", hdr + "2027-13-01,x,休\n", ParseErrors{{Line: 2, Column: "date", Reason: `no such date "2027-13-01"`}}},
		{"impossible day", hdr + "2027-02-29,x,休\n", ParseErrors{{Line: 2, Column: "date", Reason: `no such date "2027-02-29"`}}},
		{"date format", hdr + "01.05.2027,x,休\n2027-05-01T00:00,x,休\n27-5-1,x,休\n2027-05-01/,x,休\n", ParseErrors{
			{Line: 2, Column: "date", Reason: `invalid date "01.05.2027" (want YYYY-MM-DD)`},
			{Line: 3, Column: "date", Reason: `invalid date "2027-05-01T00:00" (want YYYY-MM-DD)`},
			{Line: 4, Column: "date", Reason: `invalid date "27-5-1" (want YYYY-MM-DD)`},
			{Line: 5, Column: "date", Reason: `invalid date "2027-05-01/" (want YYYY-MM-DD)`}}},
		{"missing date", hdr + ",元旦,休\n", ParseErrors{{Line: 2, Column: "date", Reason: "missing date (want YYYY-MM-DD)"}}},
		{"bad kind", hdr + "2027-01-01,元旦,rest\n", ParseErrors{{Line: 2, Column: "kind", Reason: `unknown kind "rest" (want holiday, workday, 休 or 班)`}}},
		{"missing kind", hdr + "2027-01-01,元旦,\n", ParseErrors{{Line: 2, Column: "kind", Reason: "missing kind (want holiday, workday, 休 or 班)"}}},
		{"bad date and kind on one line", hdr + "2027-00-01,x,y\n", ParseErrors{
			{Line: 2, Column: "date", Reason: `no such date "2027-00-01"`},
			{Line: 2, Column: "kind", Reason: `unknown kind "y" (want holiday, workday, 休 or 班)`}}},
		{"duplicate date", hdr + "2027-01-01,元旦,休\n2027-01-02,x,休\n2027-1-1,again,班\n", ParseErrors{
			{Line: 4, Column: "date", Reason: "duplicate date 2027-01-01 (first on line 2)"}}},
		{"field count", hdr + "2027-01-01,元旦\n2027-01-02,a,休,extra\n", ParseErrors{
			{Line: 2, Reason: "has 2 fields, header has 3"},
			{Line: 3, Reason: "has 4 fields, header has 3"}}},
		{"all bad lines are listed, good ones ignored", hdr + "2027-01-01,ok,休\n2027-02-30,x,休\n2027-03-01,ok,班\n2027-04-01,x,?\n\n2027-05-01,x,休\n2027-05-01,y,休\n", ParseErrors{
			{Line: 3, Column: "date", Reason: `no such date "2027-02-30"`},
			{Line: 5, Column: "kind", Reason: `unknown kind "?" (want holiday, workday, 休 or 班)`},
			{Line: 8, Column: "date", Reason: "duplicate date 2027-05-01 (first on line 7)"}}},
		{"multi-line quoted name keeps line numbers", hdr + "2027-01-01,\"a\nb\",休\n2027-13-01,x,休\n", ParseErrors{
			{Line: 4, Column: "date", Reason: `no such date "2027-13-01"`}}},
		{"stray quote", hdr + "2027-01-01,a\"b,休\n", ParseErrors{{Line: 2, Reason: `malformed CSV: bare " in non-quoted-field`}}},
		{"GBK bytes", hdr + "2027-01-01,\xd4\xaa\xb5\xa9,\xd0\xdd\n", ParseErrors{
			{Line: 2, Reason: `not valid UTF-8 (save the file as "CSV UTF-8"; GBK/ANSI files must be converted)`}}},
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
	want := `calendar: 2 error(s) in holiday file: line 2, date: no such date "2027-13-01"; line 3, kind: unknown kind "rest" (want holiday, workday, 休 or 班)`
	if err == nil || err.Error() != want {
		t.Errorf("message:\n got %v\nwant %s", err, want)
	}
	var many strings.Builder
	many.WriteString("date,name,kind\n")
	for range 12 {
		many.WriteString("bad,x,休\n")
	}
	_, err = ParseHolidaysCSV(strings.NewReader(many.String()))
	if err == nil || !strings.HasSuffix(err.Error(), "; … and 2 more") || !strings.HasPrefix(err.Error(), "calendar: 12 error(s)") {
		t.Errorf("long message: %v", err)
	}
	if s := (ParseError{Line: 3, Reason: "x"}).Error(); s != "line 3: x" {
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
