package tabular

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var customerCols = []Column{
	{Key: "name", Aliases: []string{"客户名称", "客户", "公司名称", "name"}, Required: true},
	{Key: "phone", Aliases: []string{"联系电话", "电话", "手机", "phone"}, Required: true},
	{Key: "email", Aliases: []string{"邮箱", "电子邮件", "email"}},
	{Key: "note", Aliases: []string{"备注"}},
}

func table(headers ...string) *Table {
	return &Table{Headers: headers, Rows: []Row{{Line: 2, Cells: make([]string, len(headers))}}}
}

func TestMap(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		user    map[string]string
		index   map[string]int
		unknown []string
		errMsg  string // substring of the error, "" = ok
	}{
		{
			name:    "aliases, unknown reported",
			headers: []string{"客户名称", "联系电话", "所属行业", "", "备注"},
			index:   map[string]int{"name": 0, "phone": 1, "note": 4},
			unknown: []string{"所属行业"},
		},
		{
			name:    "case, width, spaces, required markers",
			headers: []string{"NAME", "*联系 电话", "ＥＭＡＩＬ", "备注（选填）", "phone_x"},
			index:   map[string]int{"name": 0, "phone": 1, "email": 2, "note": 3},
			unknown: []string{"phone_x"},
		},
		{
			name:    "key itself matches",
			headers: []string{"name", "phone"},
			index:   map[string]int{"name": 0, "phone": 1},
		},
		{
			name:    "missing required listed by first alias",
			headers: []string{"邮箱"},
			errMsg:  "缺少必填列: 客户名称、联系电话",
		},
		{
			name:    "duplicate columns",
			headers: []string{"客户名称", "电话", "手机", "客户"},
			errMsg:  "列 “客户名称”、“客户” 重复, 都对应 客户名称",
		},
		{
			name:    "same header twice",
			headers: []string{"客户", "电话", "电话"},
			errMsg:  "“电话”、“电话” 重复",
		},
		{
			name:    "user mapping overrides aliases",
			headers: []string{"单位", "客户", "手机号码", "电话"},
			user:    map[string]string{"单位": "name", "手机号码": "phone", "电话": "-"},
			index:   map[string]int{"name": 0, "phone": 2},
			unknown: []string{"客户"},
		},
		{
			name:    "user mapping for absent header ignored",
			headers: []string{"客户", "电话"},
			user:    map[string]string{"旧列": "note"},
			index:   map[string]int{"name": 0, "phone": 1},
		},
		{
			name:    "user mapping to unknown key",
			headers: []string{"客户", "电话", "地区"},
			user:    map[string]string{"地区": "region"},
			errMsg:  `列 “地区” 映射到未知字段 "region"`,
		},
		{
			name:    "user mapping duplicates",
			headers: []string{"A", "B"},
			user:    map[string]string{"a": "name", "b": "name", "A": "name"},
			errMsg:  "重复",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := table(tc.headers...).MapWith(customerCols, tc.user)
			if tc.errMsg != "" {
				var me *MappingError
				if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.errMsg) {
					t.Fatalf("err = %v, want %q", err, tc.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range customerCols {
				i, ok := m.Index(c.Key)
				want, wantOK := tc.index[c.Key]
				if ok != wantOK || i != want || m.Has(c.Key) != wantOK {
					t.Errorf("Index(%s) = %d, %v; want %d, %v", c.Key, i, ok, want, wantOK)
				}
			}
			if !reflect.DeepEqual(m.Unknown, tc.unknown) {
				t.Errorf("Unknown = %q, want %q", m.Unknown, tc.unknown)
			}
		})
	}
}

func TestMappingGet(t *testing.T) {
	tb := &Table{
		Headers: []string{"客户", "电话", "备注"},
		Rows: []Row{
			{Line: 2, Cells: []string{"甲", "13812345678", "x"}},
			{Line: 3, Cells: []string{"乙", "010-12345678"}}, // short row
		},
	}
	m, err := tb.Map(customerCols)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Get(tb.Rows[0], "phone"); got != "13812345678" {
		t.Errorf("phone = %q", got)
	}
	if got := m.Get(tb.Rows[1], "note"); got != "" {
		t.Errorf("short row note = %q", got)
	}
	if got := m.Get(tb.Rows[0], "email"); got != "" {
		t.Errorf("absent optional column = %q", got)
	}
	if m.Header("phone") != "电话" || m.Header("email") != "邮箱" {
		t.Errorf("Header: %q %q", m.Header("phone"), m.Header("email"))
	}
	if want := map[string]string{"客户": "name", "电话": "phone", "备注": "note"}; !reflect.DeepEqual(m.Assigned(), want) {
		t.Errorf("Assigned = %v", m.Assigned())
	}
	defer func() {
		if recover() == nil {
			t.Error("Get of undeclared key did not panic")
		}
	}()
	m.Get(tb.Rows[0], "nmae")
}

func TestMapAliasConflict(t *testing.T) {
	cols := []Column{{Key: "a", Aliases: []string{"电话"}}, {Key: "b", Aliases: []string{"电话"}}}
	if _, err := table("电话").Map(cols); err == nil || !strings.Contains(err.Error(), "同时属于") {
		t.Errorf("err = %v", err)
	}
}
