package api_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestChecksAPI: the manager (lin.wen's direct supervisor) opens a
// 督办记录表 check and a chat sampling of lin.wen's month, records a
// sample day and corrects it; lin.wen reads her checks but opens and
// records nothing; another specialist sees none of it; bad input is
// refused with its field and nothing changed.
func TestChecksAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		vars := map[string]string{"lin": e.staff["lin.wen"], "month": "2024-06"}
		open := func(scheme, period string) string {
			return `{"staff_id":"{{lin}}","scheme":"` + scheme + `","period":"` + period + `"}`
		}
		sample := func(date string, checked, failed int) string {
			return `{"version":{{v}},"item":"chat_records","date":"` + date + `","checked":` + itoa(checked) + `,"failed":` + itoa(failed) + `}`
		}
		cp := "/api/v1/scorecards/{{sampling}}"
		rows := []scenario{
			{name: "what the manager may open", as: "manager", method: "GET", path: "/api/v1/scorecards/check-options?staff_id={{lin}}", status: 200,
				check: func(t *testing.T, r response) {
					var codes []string
					for _, o := range r.items(t) {
						codes = append(codes, o["code"].(string))
					}
					if strings.Join(codes, " ") != "chat_sampling supervision_checklist" {
						t.Fatalf("options %v", codes)
					}
				}},
			{name: "options need a staff member", as: "manager", method: "GET", path: "/api/v1/scorecards/check-options", status: 400, code: "invalid", field: "staff_id"},
			{name: "options on a bad day", as: "manager", method: "GET", path: "/api/v1/scorecards/check-options?staff_id={{lin}}&day=6月", status: 400, code: "invalid", field: "day"},
			{name: "lin.wen may open none on herself", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/check-options?staff_id={{lin}}", status: 200,
				check: func(t *testing.T, r response) {
					if items := r.items(t); len(items) != 0 {
						t.Fatalf("options %v", items)
					}
				}},
			{name: "lin.wen checks herself", as: "lin.wen", method: "POST", path: "/api/v1/scorecards/checks", body: open("chat_sampling", "2024-06"), status: 403, code: "forbidden"},
			{name: "another specialist checks lin.wen", as: "su.yue", method: "POST", path: "/api/v1/scorecards/checks", body: open("chat_sampling", "2024-06"), status: 403, code: "forbidden"},
			{name: "the monthly scheme is no check", as: "manager", method: "POST", path: "/api/v1/scorecards/checks", body: open("cs_specialist", "2024-06"), status: 400, code: "invalid", field: "scheme"},
			{name: "a week for a monthly check", as: "manager", method: "POST", path: "/api/v1/scorecards/checks", body: open("chat_sampling", "2024-06-03"), status: 400, code: "invalid", field: "period"},
			{name: "an unknown field", as: "manager", method: "POST", path: "/api/v1/scorecards/checks", body: `{"staff_id":"{{lin}}","scheme":"chat_sampling","period":"2024-06","x":1}`, status: 400, code: "invalid", field: "x"},
			{name: "the manager opens the 督办记录表", as: "manager", method: "POST", path: "/api/v1/scorecards/checks", body: open("supervision_checklist", "2024-06"), status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "draft" || len(objects(t, d["items"])) != 3 || d["actions"].(map[string]any)["rate"] != true {
						t.Fatalf("opened %v", d)
					}
				}},
			{name: "the same check twice", as: "manager", method: "POST", path: "/api/v1/scorecards/checks", body: open("supervision_checklist", "2024-06"), status: 409, code: "conflict", field: "period"},
			{name: "the manager opens the chat sampling", as: "manager", method: "POST", path: "/api/v1/scorecards/checks", body: open("chat_sampling", "2024-06"), status: 201,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					vars["sampling"], vars["v"] = d["id"].(string), itoa(int(num(d["version"])))
				}},
			{name: "lin.wen records her own sample", as: "lin.wen", method: "POST", path: cp + "/samples", body: sample("2024-06-03", 20, 0), status: 403, code: "forbidden", same: []string{cp}},
			{name: "more failing than checked", as: "manager", method: "POST", path: cp + "/samples", body: sample("2024-06-03", 20, 21), status: 400, code: "invalid", field: "failed", same: []string{cp}},
			{name: "a day outside the month", as: "manager", method: "POST", path: cp + "/samples", body: sample("2024-07-01", 20, 0), status: 400, code: "invalid", field: "date", same: []string{cp}},
			{name: "a sample needs a version", as: "manager", method: "POST", path: cp + "/samples", body: `{"item":"chat_records","date":"2024-06-03","checked":20}`, status: 400, code: "invalid", field: "version", same: []string{cp}},
			{name: "a sample needs an item", as: "manager", method: "POST", path: cp + "/samples", body: `{"version":{{v}},"date":"2024-06-03","checked":20}`, status: 400, code: "invalid", field: "item", same: []string{cp}},
			{name: "the manager records a failing day", as: "manager", method: "POST", path: cp + "/samples", body: sample("2024-06-03", 20, 5), status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					items := objects(t, d["items"])
					if d["final"] != 25.0 || d["complete"] != true || len(items) != 1 || len(objects(t, items[0]["days"])) != 1 {
						t.Fatalf("sampled %v %v", d["final"], items)
					}
					vars["v"] = itoa(int(num(d["version"])))
				}},
			{name: "a stale version", as: "manager", method: "POST", path: cp + "/samples", body: `{"version":1,"item":"chat_records","date":"2024-06-03","checked":20}`, status: 409, code: "conflict", field: "version", same: []string{cp}},
			{name: "the manager corrects the day", as: "manager", method: "POST", path: cp + "/samples", body: sample("2024-06-03", 20, 3), status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["final"] != 26.0 || len(objects(t, objects(t, d["items"])[0]["days"])) != 1 {
						t.Fatalf("corrected %v", d)
					}
				}},
			{name: "lin.wen lists her checks", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/checks?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					var got []string
					for _, c := range r.items(t) {
						got = append(got, c["scheme_code"].(string)+"="+itoa(int(num(c["final"]))))
					}
					if strings.Join(got, " ") != "chat_sampling=26 supervision_checklist=0" {
						t.Fatalf("checks %v", got)
					}
				}},
			{name: "another specialist lists lin.wen's checks", as: "su.yue", method: "GET", path: "/api/v1/scorecards/checks?month={{month}}&staff_id={{lin}}", status: 403, code: "forbidden"},
			{name: "checks of a bad month", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/checks?month=6月", status: 400, code: "invalid", field: "month"},
			{name: "lin.wen has no monthly card yet", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/preview?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["scheme"] != "cs_specialist" {
						t.Fatalf("the month so far is not the monthly scheme: %v", c["scheme"])
					}
				}},
		}
		e.run(t, vars, rows)
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
