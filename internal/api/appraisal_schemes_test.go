package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Schemes as data through the API: everyone reads the versions; the
// manager validates and drafts (every problem listed with its path), edits
// drafts only; the executive approves; a version in use is never edited.
// The scheme made here is a code of its own taking effect in 2099, so the
// cards of other tests keep the shipped schemes.
func TestAppraisalSchemesAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		list := e.must(t, 200, "lin.wen", "GET", "/api/v1/appraisal/schemes", nil).items(t)
		var baseID string
		for _, s := range list {
			if s["code"] == "cs_specialist" && s["version"] == float64(1) {
				baseID = s["id"].(string)
				if s["status"] != "approved" || s["in_force"] != true {
					t.Errorf("shipped version: %v", s)
				}
			}
		}
		if baseID == "" {
			t.Fatalf("no cs_specialist version 1 in %v", list)
		}
		base := e.must(t, 200, "lin.wen", "GET", "/api/v1/appraisal/schemes/"+baseID, nil).obj(t)
		doc, ok := base["document"].(map[string]any)
		if !ok || len(base["problems"].([]any)) != 0 || base["can_edit"] != false {
			t.Fatalf("version 1: %v", base)
		}
		e.must(t, 404, "lin.wen", "GET", "/api/v1/appraisal/schemes/nope", nil)

		code := "api_test_" + e.db
		doc["name"] = "接口测试方案"
		good, _ := json.Marshal(doc)
		bad := strings.Replace(string(good), `"points":15`, `"points":0`, 1)
		bad = strings.Replace(bad, `"method":"deduct"`, `"method":"guess"`, 1)

		// Validation lists every problem; specialists may not.
		e.must(t, 403, "lin.wen", "POST", "/api/v1/appraisal/schemes/validate", map[string]any{"code": code, "document": json.RawMessage(bad)})
		chk := e.must(t, 200, "manager", "POST", "/api/v1/appraisal/schemes/validate",
			map[string]any{"code": code, "document": json.RawMessage(bad), "effective_from": "2099-01-15"}).obj(t)
		fields := map[string]bool{}
		for _, p := range chk["problems"].([]any) {
			fields[p.(map[string]any)["field"].(string)] = true
		}
		for _, f := range []string{"categories[0].items[0].points", "categories[1].items[0].method", "effective_from"} {
			if !fields[f] || chk["valid"] != false {
				t.Errorf("validate: %v lacks %s", chk, f)
			}
		}
		r := e.do(t, "manager", "POST", "/api/v1/appraisal/schemes", map[string]any{"code": code, "document": json.RawMessage(bad), "effective_from": "2099-01-01"})
		if r.status != 400 || r.apiErr(t).Field != "categories[0].items[0].points" || !strings.Contains(r.apiErr(t).Message, "categories[1].items[0].method") {
			t.Fatalf("invalid draft: %v", r)
		}
		if r := e.do(t, "manager", "POST", "/api/v1/appraisal/schemes", `{"code": "x", "document": {"key": 1}}`); r.status != 400 {
			t.Errorf("ill-typed document: %v", r)
		}

		// Draft, edit, approve.
		e.must(t, 403, "lin.wen", "POST", "/api/v1/appraisal/schemes", map[string]any{"code": code, "document": json.RawMessage(good)})
		d := e.must(t, 201, "manager", "POST", "/api/v1/appraisal/schemes",
			map[string]any{"code": code, "document": json.RawMessage(good), "effective_from": "2099-01-01"}).obj(t)
		id := d["id"].(string)
		if d["version"] != float64(1) || d["status"] != "draft" || d["effective_from"] != "2099-01-01" || d["code"] != code {
			t.Fatalf("draft: %v", d)
		}
		e.must(t, 409, "manager", "PUT", "/api/v1/appraisal/schemes/"+id, map[string]any{"row_version": 7, "effective_from": "2099-02-01"})
		e.must(t, 404, "manager", "PUT", "/api/v1/appraisal/schemes/nope", map[string]any{"row_version": 1})
		d = e.must(t, 200, "manager", "PUT", "/api/v1/appraisal/schemes/"+id, map[string]any{"row_version": 1, "effective_from": "2099-02-01"}).obj(t)
		if d["effective_from"] != "2099-02-01" || d["row_version"] != float64(2) {
			t.Fatalf("update: %v", d)
		}
		view := e.must(t, 200, "gm", "GET", "/api/v1/appraisal/schemes/"+id, nil).obj(t)
		if view["can_approve"] != true || view["can_edit"] != false {
			t.Errorf("the executive's view: %v", view)
		}
		e.must(t, 403, "manager", "POST", "/api/v1/appraisal/schemes/"+id+"/approve", map[string]any{"row_version": 2})
		e.must(t, 403, "lin.wen", "POST", "/api/v1/appraisal/schemes/"+id+"/approve", map[string]any{"row_version": 2})
		e.must(t, 404, "gm", "POST", "/api/v1/appraisal/schemes/nope/approve", map[string]any{"row_version": 1})
		e.must(t, 409, "gm", "POST", "/api/v1/appraisal/schemes/"+id+"/approve", map[string]any{"row_version": 1})
		a := e.must(t, 200, "gm", "POST", "/api/v1/appraisal/schemes/"+id+"/approve", map[string]any{"row_version": 2}).obj(t)
		if a["status"] != "approved" || a["approved_by"] != e.staff["gm"] {
			t.Fatalf("approve: %v", a)
		}
		// A version in use is never edited: a new version continues it.
		e.must(t, 409, "manager", "PUT", "/api/v1/appraisal/schemes/"+id, map[string]any{"row_version": 3, "effective_from": "2099-03-01"})
		v2 := e.must(t, 201, "manager", "POST", "/api/v1/appraisal/schemes", map[string]any{"base_id": id, "effective_from": "2099-06-01"}).obj(t)
		if v2["version"] != float64(2) || v2["code"] != code {
			t.Fatalf("version 2: %v", v2)
		}
		e.must(t, 400, "manager", "POST", "/api/v1/appraisal/schemes/"+v2["id"].(string)+"/retire", map[string]any{"row_version": 1})
		if r := e.must(t, 200, "manager", "POST", "/api/v1/appraisal/schemes/"+v2["id"].(string)+"/retire",
			map[string]any{"row_version": 1, "reason": "不再需要"}).obj(t); r["status"] != "retired" {
			t.Errorf("retire: %v", r)
		}
		e.must(t, 403, "manager", "POST", "/api/v1/appraisal/schemes/"+id+"/retire", map[string]any{"row_version": 3, "reason": "停用"})
	})
}

// Rater flags: the direct supervisor or a manager flags with a reason; the
// person flagged neither flags themself nor withdraws; the flagger or a
// manager withdraws with a reason.
func TestEventFlagsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		at := e.today().Add(-time.Hour).Format(time.RFC3339)
		lin := e.staff["lin.wen"]
		in := map[string]any{"staff_id": lin, "type": "unregistered", "occurred_at": at, "reason": "电话报修未登记"}
		e.must(t, 403, "lin.wen", "POST", "/api/v1/events/flags", in)
		e.must(t, 403, "su.yue", "POST", "/api/v1/events/flags", in)
		if r := e.do(t, "manager", "POST", "/api/v1/events/flags", map[string]any{"staff_id": lin, "type": "bonus", "occurred_at": at, "reason": "表扬"}); r.status != 400 || r.apiErr(t).Field != "points" {
			t.Errorf("bonus without points: %v", r)
		}
		if r := e.do(t, "manager", "POST", "/api/v1/events/flags", map[string]any{"staff_id": lin, "type": "unregistered", "occurred_at": at}); r.status != 400 || r.apiErr(t).Field != "reason" {
			t.Errorf("without reason: %v", r)
		}
		ev := e.must(t, 201, "manager", "POST", "/api/v1/events/flags", in).obj(t)
		if ev["source"] != "flagged" || ev["flagged_by"] != e.staff["manager"] || ev["reason"] != "电话报修未登记" {
			t.Fatalf("flag: %v", ev)
		}
		id := ev["id"].(string)
		mine := e.must(t, 200, "lin.wen", "GET", "/api/v1/events?type=unregistered", nil).items(t)
		found := false
		for _, m := range mine {
			found = found || m["id"] == id
		}
		if !found {
			t.Errorf("lin.wen does not see the flag: %v", mine)
		}
		e.must(t, 403, "lin.wen", "POST", "/api/v1/events/"+id+"/withdraw", map[string]any{"reason": "不是我"})
		e.must(t, 400, "manager", "POST", "/api/v1/events/"+id+"/withdraw", map[string]any{"reason": ""})
		e.must(t, 404, "manager", "POST", "/api/v1/events/nope/withdraw", map[string]any{"reason": "x"})
		w := e.must(t, 200, "manager", "POST", "/api/v1/events/"+id+"/withdraw", map[string]any{"reason": "已补登记"}).obj(t)
		if w["withdrawn_at"] == nil || w["withdraw_reason"] != "已补登记" {
			t.Errorf("withdraw: %v", w)
		}
		e.must(t, 409, "manager", "POST", "/api/v1/events/"+id+"/withdraw", map[string]any{"reason": "again"})
	})
}
