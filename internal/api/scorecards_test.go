package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/store"
)

// TestScorecardLifecycleAPI walks lin.wen's card of a past month through
// the lifecycle over the API: the manager computes it and opens the
// self-review; lin.wen comments and submits; the manager (her direct
// supervisor) rates the rubric and manual items and submits for
// approval; the executive cannot approve; the manager approves and the
// card is published; lin.wen appeals a line, the manager upholds it with
// +2, visible as an explicit adjustment; after the window no appeal is
// taken and the card is finalized. Out-of-order moves, someone else's
// rating, a frozen card and bad input are refused with nothing changed.
func TestScorecardLifecycleAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		const month = "2024-05"
		t.Cleanup(func() {
			e.do(t, "manager", http.MethodPut, "/api/v1/scorecards/settings", `{"appeal_days":5}`)
		})
		vars := map[string]string{"lin": e.staff["lin.wen"], "month": month}
		keep := func(t *testing.T, r response) {
			t.Helper()
			vars["v"] = fmt.Sprint(num(r.obj(t)["version"]))
		}
		cp := "/api/v1/scorecards/{{card}}"
		moveTo := func(to string) string { return `{"version":{{v}},"to":"` + to + `"}` }
		rate := func(item string, points int) string {
			return fmt.Sprintf(`{"version":{{v}},"item":%q,"points":%d}`, item, points)
		}
		rows := []scenario{
			{name: "a specialist cannot compute", as: "lin.wen", method: "POST", path: "/api/v1/scorecards/compute?month={{month}}", status: 403, code: "forbidden"},
			{name: "compute needs a month", as: "manager", method: "POST", path: "/api/v1/scorecards/compute", status: 400, code: "invalid", field: "month"},
			{name: "compute a bad month", as: "manager", method: "POST", path: "/api/v1/scorecards/compute?month=2024-5月", status: 400, code: "invalid", field: "month"},
			{name: "the manager computes lin.wen's card", as: "manager", method: "POST", path: "/api/v1/scorecards/compute?month={{month}}&staff_id={{lin}}", status: 200,
				check: func(t *testing.T, r response) {
					if n := r.obj(t); num(n["computed"]) != 1 {
						t.Fatalf("computed %v", n)
					}
				}},
			{name: "lin.wen lists her cards", as: "lin.wen", method: "GET", path: "/api/v1/scorecards?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					items := r.items(t)
					if len(items) != 1 || items[0]["status"] != "draft" || items[0]["staff_id"] != vars["lin"] {
						t.Fatalf("cards %v", items)
					}
					vars["card"] = items[0]["id"].(string)
					vars["v"] = fmt.Sprint(num(items[0]["version"]))
				}},
			{name: "another specialist cannot list lin.wen's", as: "su.yue", method: "GET", path: "/api/v1/scorecards?staff_id={{lin}}", status: 403, code: "forbidden"},
			{name: "a bad status filter", as: "manager", method: "GET", path: "/api/v1/scorecards?status=done", status: 400, code: "invalid", field: "status"},
			{name: "another specialist cannot read the card", as: "su.yue", method: "GET", path: cp, status: 403, code: "forbidden"},
			{name: "an unknown card", as: "manager", method: "GET", path: "/api/v1/scorecards/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found", field: "id"},
			{name: "lin.wen's month so far", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/preview?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); len(objects(t, c["lines"])) != 12 || c["complete"] != false {
						t.Fatalf("preview %v", c)
					}
				}},
			{name: "another's preview", as: "su.yue", method: "GET", path: "/api/v1/scorecards/preview?month={{month}}&staff_id={{lin}}", status: 403, code: "forbidden"},

			// Draft → self-review: the manager only, in order.
			{name: "lin.wen cannot open her own card", as: "lin.wen", method: "POST", path: cp + "/transitions", body: moveTo("self_review"), status: 403, code: "forbidden", same: []string{cp}},
			{name: "draft → rating is out of order", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("rating"), status: 400, code: "invalid", field: "to", same: []string{cp}},
			{name: "a move needs a version", as: "manager", method: "POST", path: cp + "/transitions", body: `{"to":"self_review"}`, status: 400, code: "invalid", field: "version", same: []string{cp}},
			{name: "a stale version", as: "manager", method: "POST", path: cp + "/transitions", body: `{"version":99,"to":"self_review"}`, status: 409, code: "conflict", field: "version", same: []string{cp}},
			{name: "a comment before the self-review", as: "lin.wen", method: "POST", path: cp + "/comments", body: `{"item":"service","text":"x"}`, status: 400, code: "invalid", field: "status", same: []string{cp}},
			{name: "the manager opens the self-review", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("self_review"), status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "self_review" || d["status_name"] != "员工自评" {
						t.Fatalf("opened %v", d["status"])
					}
					keep(t, r)
				}},
			{name: "opening the month again opens nothing", as: "manager", method: "POST", path: "/api/v1/scorecards/open-self-review?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					if n := r.obj(t); num(n["opened"]) != 0 {
						t.Fatalf("opened %v", n)
					}
				}},

			// 自评: lin.wen sees the lines and the items with their level texts, comments, submits.
			{name: "lin.wen reads her card", as: "lin.wen", method: "GET", path: cp, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					items := objects(t, d["items"])
					card := d["card"].(map[string]any)
					acts := d["actions"].(map[string]any)
					if len(objects(t, card["lines"])) != 12 || len(items) != 6 || d["events"] == nil || d["not_counted"] == nil {
						t.Fatalf("detail %v", d)
					}
					if lv := objects(t, items[1]["levels"]); len(lv) != 4 || lv[0]["text"] == "" {
						t.Errorf("rubric levels %v", items[1])
					}
					if fmt.Sprint(acts["transitions"]) != "[rating]" || acts["comment"] != true || acts["appeal"] != true || acts["rate"] != false {
						t.Errorf("lin.wen's actions %v", acts)
					}
				}},
			{name: "a comment on no line", as: "lin.wen", method: "POST", path: cp + "/comments", body: `{"item":"nope","text":"x"}`, status: 400, code: "invalid", field: "item", same: []string{cp}},
			{name: "an empty comment", as: "lin.wen", method: "POST", path: cp + "/comments", body: `{"item":"service","text":" "}`, status: 400, code: "invalid", field: "text", same: []string{cp}},
			{name: "an unknown body field", as: "lin.wen", method: "POST", path: cp + "/comments", body: `{"item":"service","text":"x","extra":1}`, status: 400, code: "invalid", field: "extra", same: []string{cp}},
			{name: "the manager cannot comment for lin.wen", as: "manager", method: "POST", path: cp + "/comments", body: `{"item":"service","text":"x"}`, status: 403, code: "forbidden", same: []string{cp}},
			{name: "lin.wen comments on a line", as: "lin.wen", method: "POST", path: cp + "/comments", body: `{"item":"service","text":"本月响应均在时限内"}`, status: 201,
				check: func(t *testing.T, r response) {
					if c := r.obj(t); c["kind"] != "comment" || c["item"] != "service" {
						t.Fatalf("comment %v", c)
					}
				}},
			{name: "the manager cannot submit lin.wen's self-review", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("rating"), status: 403, code: "forbidden", same: []string{cp}},
			{name: "lin.wen submits her self-review", as: "lin.wen", method: "POST", path: cp + "/transitions", body: `{"version":{{v}},"to":"rating","note":"本月按时完成各项工作"}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["status"] != "rating" || d["self_comment"] != "本月按时完成各项工作" || len(objects(t, d["comments"])) != 1 {
						t.Fatalf("self-review %v", d)
					}
					keep(t, r)
				}},

			// 上级评价: not lin.wen, not another specialist; the items must all be rated.
			{name: "lin.wen cannot rate her own card", as: "lin.wen", method: "POST", path: cp + "/ratings", body: rate("other", 5), status: 403, code: "forbidden", same: []string{cp}},
			{name: "another specialist cannot rate", as: "su.yue", method: "POST", path: cp + "/ratings", body: rate("other", 5), status: 403, code: "forbidden", same: []string{cp}},
			{name: "a level the rubric lacks", as: "manager", method: "POST", path: cp + "/ratings", body: rate("initiative", 7), status: 400, code: "invalid", field: "ratings.initiative.points", same: []string{cp}},
			{name: "a rating needs an item", as: "manager", method: "POST", path: cp + "/ratings", body: `{"version":{{v}},"points":5}`, status: 400, code: "invalid", field: "item", same: []string{cp}},
			{name: "an incomplete card is not submitted", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("approval"), status: 400, code: "invalid", field: "pending", same: []string{cp}},
		}
		for _, it := range []struct {
			item   string
			points int
		}{{"other", 5}, {"initiative", 3}, {"enthusiasm", 3}, {"execution", 2}, {"dedication", 3}, {"responsibility", 3}} {
			rows = append(rows, scenario{name: "the manager rates " + it.item, as: "manager", method: "POST", path: cp + "/ratings", body: rate(it.item, it.points), status: 200, check: keep})
		}
		rows = append(rows, []scenario{
			{name: "the manager submits for approval", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("approval"), status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "approval" || d["complete"] != true {
						t.Fatalf("submitted %v", d)
					}
					keep(t, r)
				}},
			{name: "rating a frozen card", as: "manager", method: "POST", path: cp + "/ratings", body: rate("execution", 3), status: 400, code: "invalid", field: "status", same: []string{cp}},
			{name: "a comment on a frozen card", as: "lin.wen", method: "POST", path: cp + "/comments", body: `{"item":"service","text":"x"}`, status: 400, code: "invalid", field: "status", same: []string{cp}},
			{name: "recomputing leaves a frozen card", as: "manager", method: "POST", path: "/api/v1/scorecards/compute?month={{month}}&staff_id={{lin}}", status: 200, same: []string{cp},
				check: func(t *testing.T, r response) {
					if n := r.obj(t); num(n["frozen"]) != 1 {
						t.Fatalf("recomputed %v", n)
					}
				}},
			{name: "the executive cannot approve", as: "gm", method: "POST", path: cp + "/transitions", body: moveTo("published"), status: 403, code: "forbidden", same: []string{cp}},
			{name: "approval → final is out of order", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("final"), status: 400, code: "invalid", field: "to", same: []string{cp}},
			{name: "the manager approves: published", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("published"), status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["status"] != "published" || d["appeal_until"] == nil || d["approved_by"] != e.staff["manager"] || d["appeal_open"] != true {
						t.Fatalf("published %v", d)
					}
					keep(t, r)
				}},

			// 申诉: lin.wen appeals a line; the manager upholds it with +2.
			{name: "another specialist cannot appeal lin.wen's card", as: "su.yue", method: "POST", path: cp + "/appeals", body: `{"item":"service","reason":"x"}`, status: 403, code: "forbidden", same: []string{cp}},
			{name: "an appeal needs a reason", as: "lin.wen", method: "POST", path: cp + "/appeals", body: `{"item":"service","reason":""}`, status: 400, code: "invalid", field: "reason", same: []string{cp}},
			{name: "lin.wen appeals a line", as: "lin.wen", method: "POST", path: cp + "/appeals", body: `{"item":"execution","reason":"本月执行的三项督办均按期完成，附督办记录"}`, status: 201,
				check: func(t *testing.T, r response) {
					a := r.obj(t)
					if a["kind"] != "appeal" || a["decision"] != "" {
						t.Fatalf("appeal %v", a)
					}
					vars["appeal"] = a["id"].(string)
				}},
			{name: "lin.wen cannot decide her appeal", as: "lin.wen", method: "POST", path: "/api/v1/scorecard-appeals/{{appeal}}/decision", body: `{"decision":"upheld","adjustment":2,"note":"x"}`, status: 403, code: "forbidden", same: []string{cp}},
			{name: "a decision needs a note", as: "manager", method: "POST", path: "/api/v1/scorecard-appeals/{{appeal}}/decision", body: `{"decision":"upheld","adjustment":2,"note":""}`, status: 400, code: "invalid", field: "note", same: []string{cp}},
			{name: "an unknown decision", as: "manager", method: "POST", path: "/api/v1/scorecard-appeals/{{appeal}}/decision", body: `{"decision":"maybe","note":"x"}`, status: 400, code: "invalid", field: "decision", same: []string{cp}},
			{name: "a rejected appeal moves no points", as: "manager", method: "POST", path: "/api/v1/scorecard-appeals/{{appeal}}/decision", body: `{"decision":"rejected","adjustment":2,"note":"x"}`, status: 400, code: "invalid", field: "adjustment", same: []string{cp}},
			{name: "the manager upholds the appeal with +2", as: "manager", method: "POST", path: "/api/v1/scorecard-appeals/{{appeal}}/decision", body: `{"decision":"upheld","adjustment":2,"note":"督办记录属实，补 2 分"}`, status: 200,
				check: func(t *testing.T, r response) {
					if a := r.obj(t); a["decision"] != "upheld" || a["adjustment"] != 2.0 || a["decided_by"] != e.staff["manager"] {
						t.Fatalf("decision %v", a)
					}
				}},
			{name: "the adjustment is visible on the card", as: "lin.wen", method: "GET", path: cp, status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					card := d["card"].(map[string]any)
					appeals := objects(t, d["appeals"])
					if d["adjustment"] != 2.0 || d["final"].(float64) != card["final"].(float64)+2 || len(appeals) != 1 || appeals[0]["adjustment"] != 2.0 {
						t.Fatalf("after the decision: final %v lines %v adjustment %v appeals %v", d["final"], card["final"], d["adjustment"], appeals)
					}
					keep(t, r)
				}},
			{name: "deciding twice", as: "manager", method: "POST", path: "/api/v1/scorecard-appeals/{{appeal}}/decision", body: `{"decision":"rejected","note":"x"}`, status: 409, code: "conflict", field: "decision", same: []string{cp}},
			{name: "finalizing within the window", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("final"), status: 400, code: "invalid", field: "to", same: []string{cp}},

			// The window setting: managers only.
			{name: "a specialist cannot change the window", as: "lin.wen", method: "PUT", path: "/api/v1/scorecards/settings", body: `{"appeal_days":3}`, status: 403, code: "forbidden"},
			{name: "a window too long", as: "manager", method: "PUT", path: "/api/v1/scorecards/settings", body: `{"appeal_days":61}`, status: 400, code: "invalid", field: "appeal_days",
				same: []string{"/api/v1/scorecards/settings"}},
			{name: "the manager sets a 7-day window", as: "manager", method: "PUT", path: "/api/v1/scorecards/settings", body: `{"appeal_days":7}`, status: 200,
				check: func(t *testing.T, r response) {
					if p := r.obj(t); num(p["appeal_days"]) != 7 {
						t.Fatalf("settings %v", p)
					}
				}},
		}...)
		e.run(t, vars, rows)

		// The window passes (its end moved to yesterday: the app's clock
		// follows the real one).
		if err := e.app.DB().Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("UPDATE scorecards SET appeal_until = ? WHERE id = ?", store.Time(e.app.Now().Add(-24*time.Hour)), vars["card"]).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		e.run(t, vars, []scenario{
			{name: "an appeal after the window", as: "lin.wen", method: "POST", path: cp + "/appeals", body: `{"item":"other","reason":"late"}`, status: 400, code: "invalid", field: "status", same: []string{cp}},
			{name: "the manager finalizes", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("final"), status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["status"] != "final" || d["finalized_at"] == nil || d["adjustment"] != 2.0 {
						t.Fatalf("final %v", d)
					}
					keep(t, r)
				}},
			{name: "rating a final card", as: "manager", method: "POST", path: cp + "/ratings", body: rate("execution", 3), status: 400, code: "invalid", field: "status", same: []string{cp}},
			{name: "final → published", as: "manager", method: "POST", path: cp + "/transitions", body: moveTo("published"), status: 400, code: "invalid", field: "to", same: []string{cp}},
			{name: "lin.wen was told at each step", as: "lin.wen", method: "GET", path: "/api/v1/notifications?limit=200", status: 200,
				check: func(t *testing.T, r response) {
					kinds := map[string]bool{}
					for _, n := range r.items(t) {
						if n["subject_id"] == vars["card"] {
							kinds[n["kind"].(string)] = true
						}
					}
					for _, k := range []string{"scorecard_open", "scorecard_approve", "scorecard_appeal_decided", "scorecard_finalize"} {
						if !kinds[k] {
							t.Errorf("lin.wen has no %s notice: %v", k, kinds)
						}
					}
				}},
		})
	})
}
