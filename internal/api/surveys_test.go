package api_test

import (
	"slices"
	"strings"
	"testing"
)

// TestSurveysAPI: the manager drafts, changes, issues and closes a plan;
// each specialist records only the tasks assigned to them (the manager
// any); the response stores a satisfaction communication record; the
// plan shows its completion and results and exports its responses; roles,
// bad input, stale versions and wrong states are refused without change.
func TestSurveysAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		vars := map[string]string{"lin": e.staff["lin.wen"], "su": e.staff["su.yue"], "gm": e.regionID(t, "国贸"),
			"none": "01900000-0000-7000-8000-000000000000", "today": e.today().Format("2006-01-02"),
			"due": e.today().AddDate(0, 0, 10).Format("2006-01-02")}
		title := unique("API 满意度调查")
		draft := map[string]any{"title": title, "period": e.today().Format("2006-01"), "due_on": "{{due}}", "method": "phone"}
		plan, task := "/api/v1/survey-plans/{{plan}}", "/api/v1/survey-tasks/{{lin_task}}"
		answer := func(score int) map[string]any {
			return map[string]any{"version": 1, "outcome": "answered", "contact_name": "王经理", "answers": []map[string]any{
				{"question_id": "{{q1}}", "score": score}, {"question_id": "{{q2}}", "score": score}, {"question_id": "{{q3}}", "score": score},
				{"question_id": "{{q4}}", "score": score}, {"question_id": "{{q5}}", "text": "希望夜间响应更快"}}}
		}
		firstTask := func(staff string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				items := r.items(t)
				if len(items) == 0 {
					t.Fatalf("no tasks for %s", staff)
				}
				for _, it := range items {
					if it["staff_id"] != vars[staff] || it["outcome"] != "" || it["plan_title"] != title {
						t.Fatalf("task %v", it)
					}
				}
				vars[staff+"_task"] = items[0]["id"].(string)
			}
		}

		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "GET", path: "/api/v1/survey-plans", status: 401, code: "unauthorized"},
			{name: "a technician cannot read plans", as: "ma.tao", method: "GET", path: "/api/v1/survey-plans", status: 403, code: "forbidden"},
			{name: "a specialist cannot draft a plan", as: "lin.wen", method: "POST", path: "/api/v1/survey-plans", body: draft, status: 403, code: "forbidden"},
			{name: "the general manager cannot draft a plan", as: "gm", method: "POST", path: "/api/v1/survey-plans", body: draft, status: 403, code: "forbidden"},
			{name: "a bad period", as: "manager", method: "POST", path: "/api/v1/survey-plans", body: with(draft, "period", "三月"), status: 400, code: "invalid", field: "period"},
			{name: "an unknown method", as: "manager", method: "POST", path: "/api/v1/survey-plans", body: with(draft, "method", "fax"), status: 400, code: "invalid", field: "method"},
			{name: "an unknown field", as: "manager", method: "POST", path: "/api/v1/survey-plans", body: with(draft, "owner", "x"), status: 400, code: "invalid", field: "owner"},
			{name: "the manager drafts a plan with the default questions", as: "manager", method: "POST", path: "/api/v1/survey-plans", body: draft, status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					qs := objects(t, d["questions"])
					if d["status"] != "draft" || num(d["version"]) != 1 || len(qs) != 5 || qs[3]["text"] != "总体满意度" || qs[3]["overall"] != true {
						t.Fatalf("draft %v", d)
					}
					vars["plan"] = d["id"].(string)
					for i, q := range qs {
						vars["q"+string(rune('1'+i))] = q["id"].(string)
					}
				}},
			{name: "a specialist cannot change it", as: "lin.wen", method: "PUT", path: plan, body: with(draft, "version", 1), status: 403, code: "forbidden", same: []string{plan}},
			{name: "a change without version", as: "manager", method: "PUT", path: plan, body: draft, status: 400, code: "invalid", field: "version", same: []string{plan}},
			{name: "a stale version", as: "manager", method: "PUT", path: plan, body: with(draft, "version", 9), status: 409, code: "conflict", field: "version", same: []string{plan}},
			{name: "the manager narrows it to 国贸; the questions are kept as default", as: "manager", method: "PUT", path: plan,
				body: with(with(draft, "version", 1), "scope_region_id", "{{gm}}"), status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					qs := objects(t, d["questions"])
					if num(d["version"]) != 2 || d["scope_region_name"] != "国贸" || len(qs) != 5 {
						t.Fatalf("updated %v", d)
					}
					for i, q := range qs {
						vars["q"+string(rune('1'+i))] = q["id"].(string)
					}
				}},
			{name: "a specialist cannot issue it", as: "lin.wen", method: "POST", path: plan + "/issue", body: `{"version":2}`, status: 403, code: "forbidden", same: []string{plan}},
			{name: "the manager issues it", as: "manager", method: "POST", path: plan + "/issue", body: `{"version":2}`, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "open" || num(d["total"]) == 0 || num(d["done"]) != 0 {
						t.Fatalf("issued %v", d)
					}
				}},
			{name: "issuing again is a conflict", as: "manager", method: "POST", path: plan + "/issue", body: `{"version":3}`, status: 409, code: "conflict", field: "status"},
			{name: "an issued plan cannot be changed", as: "manager", method: "PUT", path: plan, body: with(draft, "version", 3), status: 409, code: "conflict", field: "status"},
			{name: "lin.wen's tasks", as: "lin.wen", method: "GET", path: "/api/v1/survey-tasks?plan_id={{plan}}", status: 200, check: firstTask("lin")},
			{name: "a bad state filter", as: "lin.wen", method: "GET", path: "/api/v1/survey-tasks?state=late", status: 400, code: "invalid", field: "state"},
			{name: "the manager reads lin.wen's task", as: "manager", method: "GET", path: task, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["staff_id"] != vars["lin"] || d["can_record"] != true || len(objects(t, d["questions"])) != 5 {
						t.Fatalf("task %v", d)
					}
				}},
			{name: "su.yue cannot record lin.wen's task", as: "su.yue", method: "POST", path: task + "/response", body: answer(4), status: 403, code: "forbidden", same: []string{task}},
			{name: "the information centre cannot record", as: "jiang.xin", method: "POST", path: task + "/response", body: answer(4), status: 403, code: "forbidden", same: []string{task}},
			{name: "a score of 0", as: "lin.wen", method: "POST", path: task + "/response", body: answer(0), status: 400, code: "invalid", field: "answers", same: []string{task}},
			{name: "unreachable without a note", as: "lin.wen", method: "POST", path: task + "/response", body: `{"version":1,"outcome":"unreachable"}`,
				status: 400, code: "invalid", field: "note", same: []string{task}},
			{name: "in the future", as: "lin.wen", method: "POST", path: task + "/response", body: with(answer(4), "at", "2099-01-01 10:00:00"),
				status: 400, code: "invalid", field: "at", same: []string{task}},
			{name: "an unknown task", as: "lin.wen", method: "POST", path: "/api/v1/survey-tasks/{{none}}/response", body: answer(4), status: 404, code: "not_found", field: "id"},
			{name: "lin.wen records her customer's answer", as: "lin.wen", method: "POST", path: task + "/response", body: answer(2), status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["outcome"] != "answered" || num(d["version"]) != 2 || num(d["overall_score"]) != 2 || d["communication_id"] == nil || d["can_record"] != false {
						t.Fatalf("recorded %v", d)
					}
					vars["comm"] = d["communication_id"].(string)
				}},
			{name: "its communication record is tagged satisfaction", as: "manager", method: "GET", path: "/api/v1/communications/{{comm}}", status: 200,
				check: func(t *testing.T, r response) {
					c := r.obj(t)
					if c["channel"] != "phone_out" || c["staff_id"] != vars["lin"] || !strings.Contains(c["summary"].(string), title) || !slices.Contains(strs(c["tags"]), "satisfaction") {
						t.Fatalf("communication %v", c)
					}
				}},
			{name: "recording twice is a conflict", as: "lin.wen", method: "POST", path: task + "/response", body: with(answer(4), "version", 2), status: 409, code: "conflict", field: "outcome"},
			{name: "the plan shows the completion and the low score", as: "gm", method: "GET", path: plan, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					pr := d["progress"].(map[string]any)
					tot := pr["total"].(map[string]any)
					res := d["results"].(map[string]any)
					lows := objects(t, res["low_scores"])
					if num(d["done"]) != 1 || num(tot["done"]) != 1 || tot["percent"] == "" || len(lows) != 4 || lows[0]["remarks"] != "希望夜间响应更快" {
						t.Fatalf("progress %v results %v", pr, res)
					}
					if qs := objects(t, res["questions"]); qs[3]["average"] != "2.00" {
						t.Fatalf("question results %v", qs)
					}
				}},
			{name: "the monthly summary counts it among the surveys", as: "manager", method: "GET", path: "/api/v1/reports/satisfaction", status: 200,
				check: func(t *testing.T, r response) {
					sv := r.obj(t)["surveys"].(map[string]any)
					if num(sv["total"].(map[string]any)["count"]) < 1 {
						t.Fatalf("surveys section %v", sv)
					}
				}},
			{name: "the responses export", as: "su.yue", method: "GET", path: plan + "/export", status: 200,
				check: func(t *testing.T, r response) {
					if !strings.HasPrefix(r.header.Get("Content-Type"), "application/vnd.openxmlformats") {
						t.Fatalf("export %s", r)
					}
				}},
			{name: "a technician cannot export", as: "ma.tao", method: "GET", path: plan + "/export", status: 403, code: "forbidden"},
			{name: "a specialist cannot run the reminders", as: "lin.wen", method: "POST", path: "/api/v1/survey-reminders/run", status: 403, code: "forbidden"},
			{name: "the manager runs the reminders", as: "manager", method: "POST", path: "/api/v1/survey-reminders/run", status: 200},
			{name: "a specialist cannot close it", as: "lin.wen", method: "POST", path: plan + "/close", body: `{"version":3}`, status: 403, code: "forbidden", same: []string{plan}},
			{name: "the manager closes it", as: "manager", method: "POST", path: plan + "/close", body: `{"version":3}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["status"] != "closed" {
						t.Fatalf("closed %v", d)
					}
				}},
			{name: "a pending task is left", as: "manager", method: "GET", path: "/api/v1/survey-tasks?plan_id={{plan}}&state=pending&staff_id=", status: 200,
				check: func(t *testing.T, r response) {
					items := r.items(t)
					if len(items) == 0 {
						t.Fatal("no pending task left")
					}
					vars["open_task"] = items[0]["id"].(string)
				}},
			{name: "recording on a closed plan is a conflict", as: "manager", method: "POST", path: "/api/v1/survey-tasks/{{open_task}}/response",
				body: `{"version":1,"outcome":"refused","note":"不愿意"}`, status: 409, code: "conflict", field: "status"},
		})
	})
}
