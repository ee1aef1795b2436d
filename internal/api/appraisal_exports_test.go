package api_test

import (
	"bytes"
	"context"
	"testing"

	"kefu/internal/access"
)

// TestAppraisalRecordsSurface: the record and statistics workbooks, the
// year tables, the year-end review, the department view and the purge —
// who may do what.
func TestAppraisalRecordsSurface(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		const month = "2025-06"
		sys := access.With(context.Background(), access.System())
		for _, login := range []string{"lin.wen", "su.yue"} {
			if _, err := e.app.Scorecards.Compute(sys, month, e.staff[login]); err != nil {
				t.Fatal(err)
			}
		}
		xlsx := func(t *testing.T, r response) {
			if !bytes.HasPrefix(r.body, []byte("PK")) || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Fatalf("not an XLSX download: %s", r.header)
			}
		}
		rows := func(n int) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				if got := len(objects(t, r.obj(t)["rows"])); got != n {
					t.Fatalf("%d rows, want %d: %s", got, n, r)
				}
			}
		}
		vars := map[string]string{"lin": e.staff["lin.wen"], "su": e.staff["su.yue"], "month": month}
		e.run(t, vars, []scenario{
			{name: "the manager exports the records", as: "manager", method: "GET", path: "/api/v1/scorecards/export?month={{month}}", status: 200, check: xlsx},
			{name: "a specialist exports their own", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/export?month={{month}}", status: 200, check: xlsx},
			{name: "but not another's", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/export?month={{month}}&staff_id={{su}}", status: 403, code: "forbidden"},
			{name: "a bad month", as: "manager", method: "GET", path: "/api/v1/scorecards/export?month=六月", status: 400, code: "invalid", field: "month"},
			{name: "the executive reads the statistics", as: "gm", method: "GET", path: "/api/v1/scorecards/statistics?month={{month}}", status: 200, check: rows(2)},
			{name: "a specialist their own row", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/statistics?month={{month}}", status: 200, check: rows(1)},
			{name: "the statistics workbook", as: "manager", method: "GET", path: "/api/v1/scorecards/statistics/export?month={{month}}", status: 200, check: xlsx},
			{name: "the year's table", as: "manager", method: "GET", path: "/api/v1/scorecards/year?year=2025", status: 200, check: rows(2)},
			{name: "a bad year", as: "manager", method: "GET", path: "/api/v1/scorecards/year?year=25", status: 400, code: "invalid", field: "year"},
			{name: "the year's workbook", as: "gm", method: "GET", path: "/api/v1/scorecards/year/export?year=2025", status: 200, check: xlsx},
			{name: "a specialist cannot enter a review", as: "lin.wen", method: "PUT", path: "/api/v1/scorecards/year-end",
				body: `{"staff_id":"{{su}}","year":2025,"score":90,"reason":"良好"}`, status: 403, code: "forbidden"},
			{name: "a review below 100 needs a reason", as: "manager", method: "PUT", path: "/api/v1/scorecards/year-end",
				body: `{"staff_id":"{{lin}}","year":2025,"score":90}`, status: 400, code: "invalid", field: "reason"},
			{name: "the manager enters the review", as: "manager", method: "PUT", path: "/api/v1/scorecards/year-end",
				body: `{"staff_id":"{{lin}}","year":2025,"score":92.5,"reason":"年度表现良好"}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["score"] != 92.5 || d["version"] != float64(1) {
						t.Fatalf("review %v", d)
					}
				}},
			{name: "the specialist reads their year-end", as: "lin.wen", method: "GET", path: "/api/v1/scorecards/year-end?year=2025", status: 200,
				check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["staff_id"] != vars["lin"] || d["result"] != nil || len(d["missing"].([]any)) != 1 || len(d["monthly"].([]any)) != 1 {
						t.Fatalf("year-end %v", d)
					}
				}},
			{name: "not another's", as: "su.yue", method: "GET", path: "/api/v1/scorecards/year-end?year=2025&staff_id={{lin}}", status: 403, code: "forbidden"},
			{name: "the department view", as: "gm", method: "GET", path: "/api/v1/scorecards/departments?month={{month}}", status: 200,
				check: func(t *testing.T, r response) {
					deps := objects(t, r.obj(t)["departments"])
					if len(deps) != 1 || deps[0]["count"] != float64(2) || len(objects(t, deps[0]["distribution"])) != 5 {
						t.Fatalf("departments %v", deps)
					}
				}},
			{name: "a manager cannot purge", as: "manager", method: "POST", path: "/api/v1/scorecards/purge", body: `{"cutoff":"2020-01"}`, status: 403, code: "forbidden"},
			{name: "purge needs a cutoff", as: "admin", method: "POST", path: "/api/v1/scorecards/purge", body: `{}`, status: 400, code: "invalid", field: "cutoff"},
			{name: "records are kept two years", as: "admin", method: "POST", path: "/api/v1/scorecards/purge", body: `{"cutoff":"{{month}}"}`, status: 400, code: "invalid", field: "cutoff"},
			{name: "the admin purges older records", as: "admin", method: "POST", path: "/api/v1/scorecards/purge", body: `{"cutoff":"2020-01"}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["cards"] != float64(0) || d["cutoff"] != "2020-01" {
						t.Fatalf("purge %v", d)
					}
				}},
		})
	})
}
