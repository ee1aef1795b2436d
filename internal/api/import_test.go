package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/tabular"
)

// gbk encodes s as Excel on Chinese Windows saves a CSV.
func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type importReport struct {
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Mode      string `json:"mode"`
	Encoding  string `json:"encoding"`
	Total     int    `json:"total"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	DryRun    bool   `json:"dry_run"`
	Applied   bool   `json:"applied"`
	Rejected  bool   `json:"rejected"`
	Errors    []struct {
		Row    int    `json:"row"`
		Column string `json:"column"`
		Value  string `json:"value"`
		Reason string `json:"reason"`
	} `json:"errors"`
	Rows []struct {
		Row    int    `json:"row"`
		Action string `json:"action"`
	} `json:"rows"`
}

// TestImportAPI: a GBK CSV of customers through the API — dry run, apply,
// the same file again, and a bad row in reject and skip mode.
func TestImportAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		prefix := unique("导入")
		var csv strings.Builder
		csv.WriteString("客户名称,客户等级,区域,地址,备注\n")
		for i, r := range []string{"国贸", "望京", "中关村"} {
			csv.WriteString(prefix + "大厦" + []string{"甲", "乙", "丙"}[i] + ",B," + r + ",北京市示例路" + string(rune('1'+i)) + "号,导入测试\n")
		}
		good := gbk(t, csv.String())
		mine := "/api/v1/customers?q=" + url.QueryEscape(prefix)
		count := func(t *testing.T) int { return len(e.must(t, 200, "manager", "GET", mine, nil).items(t)) }
		report := func(t *testing.T, r response) importReport {
			t.Helper()
			if r.status != 200 {
				t.Fatalf("import: %s", r)
			}
			var rep importReport
			r.decode(t, &rep)
			return rep
		}

		var key string
		t.Run("dry run reports and writes nothing", func(t *testing.T) {
			rep := report(t, e.upload(t, "manager", "/api/v1/imports", field("kind", "customers"), field("dry_run", "true"),
				file("file", "客户.csv", good)))
			if rep.Created != 3 || rep.Total != 3 || !rep.DryRun || rep.Applied || rep.Rejected || len(rep.Errors) != 0 || rep.Mode != "reject" {
				t.Errorf("dry run report %+v", rep)
			}
			if !strings.Contains(strings.ToLower(rep.Encoding), "gb") {
				t.Errorf("encoding %q, want GBK detected", rep.Encoding)
			}
			if n := count(t); n != 0 {
				t.Errorf("the dry run wrote %d customers", n)
			}
			key = rep.Key
		})
		t.Run("apply the staged file", func(t *testing.T) {
			rep := report(t, e.do(t, "manager", "POST", "/api/v1/imports/"+key+"/apply", map[string]any{"kind": "customers", "name": "客户.csv"}))
			if rep.Created != 3 || !rep.Applied || rep.DryRun {
				t.Errorf("apply report %+v", rep)
			}
			cs := e.must(t, 200, "manager", "GET", mine, nil).items(t)
			if len(cs) != 3 {
				t.Fatalf("%d customers after apply", len(cs))
			}
			for _, c := range cs {
				if c["region_name"] == "国贸" && c["owner_id"] != e.staff["lin.wen"] {
					t.Errorf("a new 国贸 customer goes to the region's specialist: %v", c)
				}
			}
		})
		t.Run("the same file again changes nothing", func(t *testing.T) {
			before := e.snapshot(t, mine)
			rep := report(t, e.upload(t, "manager", "/api/v1/imports", field("kind", "customers"), file("file", "客户.csv", good)))
			if rep.Unchanged != 3 || rep.Created != 0 || rep.Updated != 0 {
				t.Errorf("second import %+v", rep)
			}
			if after := e.snapshot(t, mine); !jsonEqual(before, after) {
				t.Errorf("customers changed by a repeated import")
			}
		})

		bad := gbk(t, "客户名称,客户等级,区域\n"+prefix+"新客户,A,国贸\n"+prefix+"火星客户,B,火星\n")
		t.Run("a bad row in reject mode changes nothing and is named", func(t *testing.T) {
			before := e.snapshot(t, mine)
			rep := report(t, e.upload(t, "manager", "/api/v1/imports", field("kind", "customers"), field("mode", "reject"),
				file("file", "bad.csv", bad)))
			if !rep.Rejected || rep.Applied || len(rep.Errors) != 1 {
				t.Fatalf("report %+v", rep)
			}
			if got := rep.Errors[0]; got.Row != 3 || got.Column != "区域" || got.Value != "火星" || got.Reason == "" {
				t.Errorf("error %+v, want row 3, column 区域, value 火星, a reason", got)
			}
			if after := e.snapshot(t, mine); !jsonEqual(before, after) {
				t.Errorf("a rejected file changed customers")
			}
		})
		t.Run("skip mode keeps the good rows", func(t *testing.T) {
			rep := report(t, e.upload(t, "manager", "/api/v1/imports", field("kind", "customers"), field("mode", "skip"),
				file("file", "bad.csv", bad)))
			if rep.Rejected || !rep.Applied || rep.Created != 1 || len(rep.Errors) != 1 {
				t.Errorf("report %+v", rep)
			}
			if n := count(t); n != 4 {
				t.Errorf("%d customers, want 4", n)
			}
		})
		t.Run("contacts from XLSX", func(t *testing.T) {
			var x bytes.Buffer
			if err := tabular.WriteXLSX(&x, []string{"客户名称", "联系人", "电话", "负责人"}, [][]string{
				{prefix + "大厦甲", "赵工", "13911112222", "是"},
				{prefix + "大厦乙", "钱工", "（010）6123-4567", "否"},
			}); err != nil {
				t.Fatal(err)
			}
			rep := report(t, e.upload(t, "manager", "/api/v1/imports", field("kind", "contacts"), file("file", "联系人.xlsx", x.Bytes())))
			if rep.Created != 2 || !rep.Applied {
				t.Errorf("report %+v", rep)
			}
		})
		t.Run("options are checked", func(t *testing.T) {
			for _, c := range []struct {
				parts []part
				field string
			}{
				{[]part{field("kind", "orders"), file("file", "a.csv", good)}, "kind"},
				{[]part{file("file", "a.csv", good)}, "kind"},
				{[]part{field("kind", "customers"), field("mode", "sometimes"), file("file", "a.csv", good)}, "mode"},
				{[]part{field("kind", "customers"), field("dry_run", "perhaps"), file("file", "a.csv", good)}, "dry_run"},
				{[]part{field("kind", "customers"), field("mapping", "{not json"), file("file", "a.csv", good)}, "mapping"},
				{[]part{field("kind", "customers")}, "file"},
			} {
				r := e.upload(t, "manager", "/api/v1/imports", c.parts...)
				if r.status != 400 || r.apiErr(t).Field != c.field {
					t.Errorf("want 400 naming %s, got %s", c.field, r)
				}
			}
			r := e.do(t, "manager", "POST", "/api/v1/imports/"+strings.Repeat("0", 64)+"/apply", map[string]any{"kind": "customers"})
			if r.status != 400 || r.apiErr(t).Field != "key" {
				t.Errorf("unknown staged key: %s", r)
			}
		})
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
