package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kefu/internal/access"
	"kefu/internal/api"
	"kefu/internal/web"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json")

// golden is the API description in docs/, kept equal to what the code
// serves at /api/v1/openapi.json.
const golden = "../../docs/openapi.json"

// TestOpenAPIGolden keeps the OpenAPI document under review: any change to
// a route, a parameter or a schema shows up as a diff of the golden file.
// Regenerate with: go test ./internal/api -run TestOpenAPIGolden -update
func TestOpenAPIGolden(t *testing.T) {
	got, err := api.New(api.Deps{}).OpenAPI()
	if err != nil {
		t.Fatalf("building the OpenAPI document: %v", err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the OpenAPI document differs from %s (-want +got):\n%s\nrun: go test ./internal/api -run TestOpenAPIGolden -update",
			golden, cmp.Diff(string(want), string(got)))
	}
}

var wildcardRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// TestOpenAPIDescribesEveryRoute: the document is built from the route
// table and building fails on a route without a description; here every
// route must appear with a bilingual summary, its permission and its
// path parameters, and the security schemes and error shape must exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	srv := api.New(api.Deps{})
	b, err := srv.OpenAPI()
	if err != nil {
		t.Fatalf("a route lacks its description: %v", err)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas         map[string]any `json:"schemas"`
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	for _, s := range []string{"bearer", "session"} {
		if doc.Components.SecuritySchemes[s] == nil {
			t.Errorf("no security scheme %s", s)
		}
	}
	if doc.Components.Schemas["Error"] == nil {
		t.Errorf("no Error schema")
	}
	n := 0
	for _, rt := range srv.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		o := doc.Paths[path][strings.ToLower(method)]
		if o == nil {
			t.Errorf("%s: not in the OpenAPI document", rt.Pattern)
			continue
		}
		n++
		zh, en, ok := strings.Cut(o["summary"].(string), " · ")
		if !ok || zh == "" || en == "" {
			t.Errorf("%s: summary %q is not Chinese · English", rt.Pattern, o["summary"])
		}
		if o["x-permission"] != string(rt.Perm) || rt.Perm == "" {
			t.Errorf("%s: x-permission %v, route permission %q", rt.Pattern, o["x-permission"], rt.Perm)
		}
		if o["operationId"] == "" {
			t.Errorf("%s: no operationId", rt.Pattern)
		}
		params, _ := o["parameters"].([]any)
		for _, m := range wildcardRE.FindAllStringSubmatch(path, -1) {
			found := false
			for _, p := range params {
				pm := p.(map[string]any)
				found = found || (pm["name"] == m[1] && pm["in"] == "path")
			}
			if !found {
				t.Errorf("%s: path parameter %s not described", rt.Pattern, m[1])
			}
		}
		resps, _ := o["responses"].(map[string]any)
		if len(resps) == 0 {
			t.Errorf("%s: no responses", rt.Pattern)
		}
		if rt.Perm != access.Public && resps["401"] == nil {
			t.Errorf("%s: 401 not described", rt.Pattern)
		}
	}
	total := 0
	for _, ops := range doc.Paths {
		total += len(ops)
	}
	if total != n {
		t.Errorf("the document has %d operations, the route table %d routes", total, n)
	}
}

// TestServedOpenAPIIsTheGolden: GET /api/v1/openapi.json (no login needed)
// serves exactly the built document.
func TestServedOpenAPIIsTheGolden(t *testing.T) {
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	eachDB(t, func(t *testing.T, e *env) {
		r := e.must(t, http.StatusOK, "", http.MethodGet, "/api/v1/openapi.json", nil)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", ct)
		}
		if !bytes.Equal(r.body, want) {
			t.Errorf("served document differs from %s", golden)
		}
	})
}

// webToAPI maps every web route to the API route doing the same thing
// ("" for pages that only render a form or set a browser preference). A
// web route added without an entry here fails the test: the API must keep
// up with the UI.
var webToAPI = map[string]string{
	"POST /appraisal/flags":                      "POST /api/v1/events/flags",
	"POST /appraisal/flags/{id}/withdraw":        "POST /api/v1/events/{id}/withdraw",
	"GET /admin/appraisal-schemes":               "GET /api/v1/appraisal/schemes",
	"POST /admin/appraisal-schemes":              "POST /api/v1/appraisal/schemes",
	"GET /admin/appraisal-schemes/{id}":          "GET /api/v1/appraisal/schemes/{id}",
	"POST /admin/appraisal-schemes/{id}":         "PUT /api/v1/appraisal/schemes/{id}",
	"POST /admin/appraisal-schemes/{id}/approve": "POST /api/v1/appraisal/schemes/{id}/approve",
	"POST /admin/appraisal-schemes/{id}/retire":  "POST /api/v1/appraisal/schemes/{id}/retire",

	"GET /login":                                      "",
	"POST /login":                                     "",
	"POST /logout":                                    "",
	"POST /lang":                                      "",
	"GET /{$}":                                        "GET /api/v1/me",
	"GET /account/password":                           "",
	"POST /account/password":                          "POST /api/v1/me/password",
	"GET /customers":                                  "GET /api/v1/customers",
	"GET /customers/export":                           "GET /api/v1/customers", // the same rows, as paged JSON
	"GET /customers/new":                              "",
	"POST /customers":                                 "POST /api/v1/customers",
	"GET /customers/{id}":                             "GET /api/v1/customers/{id}",
	"GET /customers/{id}/edit":                        "",
	"POST /customers/{id}":                            "PUT /api/v1/customers/{id}",
	"POST /customers/{id}/contacts":                   "POST /api/v1/customers/{id}/contacts",
	"GET /contacts/{id}/edit":                         "GET /api/v1/contacts/{id}",
	"POST /contacts/{id}":                             "PUT /api/v1/contacts/{id}",
	"POST /customers/{id}/equipment":                  "POST /api/v1/customers/{id}/equipment",
	"POST /equipment/{id}":                            "PUT /api/v1/equipment/{id}",
	"POST /customers/{id}/groups":                     "POST /api/v1/customers/{id}/wechat-groups",
	"POST /groups/{id}/members":                       "POST /api/v1/wechat-groups/{id}/members",
	"POST /members/{id}/remove":                       "POST /api/v1/wechat-members/{id}/remove",
	"POST /customers/{id}/files":                      "POST /api/v1/customers/{id}/files",
	"POST /contracts/{id}/files":                      "POST /api/v1/contracts/{id}/files",
	"POST /quotes/{id}/files":                         "POST /api/v1/quotes/{id}/files",
	"GET /contract-files/{id}":                        "GET /api/v1/contract-files/{id}",
	"GET /files/{id}":                                 "GET /api/v1/files/{id}",
	"GET /archive/late":                               "GET /api/v1/archive/late",
	"GET /archive/members":                            "GET /api/v1/archive/members-to-remove",
	"GET /communications":                             "GET /api/v1/communications",
	"GET /communications/export":                      "GET /api/v1/communications/export",
	"POST /communications":                            "POST /api/v1/communications/log",
	"POST /customers/{id}/communications":             "POST /api/v1/communications/log", // customer_id in the body
	"GET /communications/{id}/match":                  "GET /api/v1/communications/{id}", // the record, with the match form
	"POST /communications/{id}/match":                 "POST /api/v1/communications/{id}/match",
	"POST /communications/{id}/files":                 "POST /api/v1/communications/{id}/files",
	"GET /communication-files/{id}":                   "GET /api/v1/communication-files/{id}",
	"GET /queue":                                      "GET /api/v1/queue",
	"POST /queue/reply":                               "POST /api/v1/communications/log", // the clock's conversation or number in the body
	"POST /communications/{id}/unregistered":          "POST /api/v1/communications/{id}/unregistered",
	"POST /communications/{id}/unregistered/delete":   "DELETE /api/v1/communications/{id}/unregistered",
	"GET /communications/import":                      "",
	"POST /communications/import":                     "POST /api/v1/imports/communications", // the apply step: POST /api/v1/imports/communications/{key}/apply
	"GET /communications/import/template/{kind}":      "GET /api/v1/imports/communications/template/{kind}",
	"GET /admin/response-policy":                      "GET /api/v1/settings/response-policy",
	"POST /admin/response-policy":                     "PUT /api/v1/settings/response-policy",
	"POST /admin/response-policy/derive":              "POST /api/v1/desk/derive",
	"GET /admin/fieldwork":                            "GET /api/v1/fieldwork/settings",
	"POST /admin/fieldwork":                           "PUT /api/v1/fieldwork/settings",
	"GET /projects":                                   "GET /api/v1/projects",
	"GET /projects/new":                               "", // the form, from a contract
	"POST /projects":                                  "POST /api/v1/projects",
	"GET /projects/{id}":                              "GET /api/v1/projects/{id}",
	"POST /projects/{id}":                             "PUT /api/v1/projects/{id}",
	"POST /projects/{id}/override":                    "POST /api/v1/projects/{id}/override",
	"POST /projects/{id}/dispatch":                    "POST /api/v1/projects/{id}/dispatch",
	"GET /work-orders":                                "GET /api/v1/work-orders",
	"GET /work-orders/new":                            "",
	"POST /work-orders":                               "POST /api/v1/work-orders",
	"GET /work-orders/{id}":                           "GET /api/v1/work-orders/{id}",
	"GET /work-orders/{id}/edit":                      "GET /api/v1/work-orders/{id}",
	"POST /work-orders/{id}":                          "PUT /api/v1/work-orders/{id}",
	"POST /work-orders/{id}/dispatch":                 "POST /api/v1/work-orders/{id}/dispatch",
	"POST /work-orders/{id}/return":                   "POST /api/v1/work-orders/{id}/return",
	"POST /work-orders/{id}/complete":                 "POST /api/v1/work-orders/{id}/complete",
	"POST /work-orders/{id}/cancel":                   "POST /api/v1/work-orders/{id}/cancel",
	"POST /work-orders/{id}/evidence":                 "POST /api/v1/work-orders/{id}/evidence",
	"GET /evidence/{id}":                              "GET /api/v1/evidence/{id}",
	"GET /evidence/{id}/thumbnail":                    "GET /api/v1/evidence/{id}/thumbnail",
	"POST /evidence/{id}/confirm-watermark":           "POST /api/v1/evidence/{id}/confirm-watermark",
	"POST /evidence/{id}/remove":                      "POST /api/v1/evidence/{id}/remove",
	"POST /work-orders/{id}/group-post":               "POST /api/v1/work-orders/{id}/group-post",
	"POST /work-orders/{id}/paper":                    "POST /api/v1/work-orders/{id}/paper",
	"POST /work-orders/{id}/callback":                 "POST /api/v1/work-orders/{id}/callback",
	"POST /work-orders/{id}/accept":                   "POST /api/v1/work-orders/{id}/accept",
	"GET /my-work":                                    "GET /api/v1/work-orders", // technician_id = me, open
	"POST /work-orders/{id}/reports":                  "POST /api/v1/work-orders/{id}/reports",
	"POST /work-order-returns/{id}/withdraw":          "POST /api/v1/work-order-returns/{id}/withdraw",
	"GET /dispatch-board":                             "GET /api/v1/dispatch-board",
	"GET /followups":                                  "GET /api/v1/followups",
	"POST /followups":                                 "POST /api/v1/followups",
	"GET /daily-summaries":                            "", // to today's
	"GET /daily-summaries/{day}":                      "GET /api/v1/daily-summaries/{day}",
	"POST /daily-summaries/{day}/submit":              "POST /api/v1/daily-summaries/{day}/submit",
	"GET /problems":                                   "GET /api/v1/problems",
	"GET /problems/new":                               "", // the form
	"POST /problems":                                  "POST /api/v1/problems",
	"GET /problems/{id}":                              "GET /api/v1/problems/{id}",
	"POST /problems/{id}/forward":                     "POST /api/v1/problems/{id}/forward",
	"POST /problems/{id}/resolve":                     "POST /api/v1/problems/{id}/resolve",
	"GET /monthly-summaries":                          "", // to this month's
	"GET /monthly-summaries/{month}":                  "GET /api/v1/monthly-summaries/{month}",
	"GET /monthly-summaries/{month}/export":           "GET /api/v1/monthly-summaries/{month}/export",
	"POST /monthly-summaries/{month}/submit":          "POST /api/v1/monthly-summaries/{month}/submit",
	"GET /fieldwork/statistics":                       "GET /api/v1/fieldwork/statistics",
	"GET /fieldwork/statistics/export":                "GET /api/v1/fieldwork/statistics/export",
	"POST /admin/fieldwork/progress":                  "PUT /api/v1/fieldwork/progress-policy",
	"GET /import":                                     "",
	"POST /import":                                    "POST /api/v1/imports",
	"GET /import/template/{kind}":                     "GET /api/v1/imports/{kind}/template",
	"GET /admin/staff":                                "GET /api/v1/staff",
	"GET /admin/staff/new":                            "",
	"POST /admin/staff":                               "POST /api/v1/staff",
	"GET /admin/staff/{id}":                           "GET /api/v1/staff/{id}",
	"POST /admin/staff/{id}":                          "PUT /api/v1/staff/{id}",
	"POST /admin/staff/{id}/password":                 "PUT /api/v1/staff/{id}/password",
	"POST /admin/staff/{id}/active":                   "PUT /api/v1/staff/{id}/active",
	"GET /admin/org":                                  "GET /api/v1/regions",
	"POST /admin/org/{kind}":                          "POST /api/v1/regions",
	"GET /admin/calendar":                             "GET /api/v1/calendar/holidays",
	"POST /admin/calendar/settings":                   "PUT /api/v1/calendar/settings",
	"POST /admin/calendar/holidays":                   "PUT /api/v1/calendar/holidays/{day}",
	"POST /admin/calendar/import":                     "POST /api/v1/calendar/holidays/import",
	"POST /admin/calendar/holidays/{day}/delete":      "DELETE /api/v1/calendar/holidays/{day}",
	"GET /admin/tokens":                               "GET /api/v1/tokens",
	"POST /admin/tokens":                              "POST /api/v1/tokens",
	"POST /admin/tokens/{id}/revoke":                  "POST /api/v1/tokens/{id}/revoke",
	"GET /admin/audit":                                "GET /api/v1/audit",
	"GET /contracts":                                  "GET /api/v1/contracts",
	"GET /contracts/new":                              "",
	"POST /contracts":                                 "POST /api/v1/contracts",
	"GET /contracts/{id}":                             "GET /api/v1/contracts/{id}",
	"GET /contracts/{id}/edit":                        "",
	"POST /contracts/{id}":                            "PUT /api/v1/contracts/{id}",
	"POST /contracts/{id}/state":                      "POST /api/v1/contracts/{id}/state",
	"POST /contracts/{id}/outcome":                    "POST /api/v1/contracts/{id}/outcome",
	"POST /contracts/{id}/contacts":                   "POST /api/v1/contracts/{id}/communications",
	"POST /contracts/{id}/invoices":                   "POST /api/v1/invoices",
	"POST /contracts/{id}/payments":                   "POST /api/v1/payments",
	"POST /payments/{id}/delete":                      "DELETE /api/v1/payments/{id}",
	"GET /renewals":                                   "GET /api/v1/renewals",
	"GET /receivables":                                "GET /api/v1/receivables",
	"GET /finance":                                    "GET /api/v1/payments",       // the payment form and the recent payments
	"GET /finance/installments":                       "GET /api/v1/contracts/{id}", // a contract's open installments
	"POST /finance/payments":                          "POST /api/v1/payments",
	"GET /admin/contract-policy":                      "GET /api/v1/settings/contracts-policy",
	"POST /admin/contract-policy":                     "PUT /api/v1/settings/contracts-policy",
	"GET /contracts/import":                           "",
	"POST /contracts/import":                          "POST /api/v1/imports/contracts",
	"GET /contracts/import/template":                  "GET /api/v1/imports/contracts/template",
	"GET /renewals/export":                            "GET /api/v1/renewals/export",
	"GET /receivables/export":                         "GET /api/v1/receivables/export",
	"POST /finance/import":                            "POST /api/v1/imports/payments",
	"GET /finance/import/template":                    "GET /api/v1/imports/payments/template",
	"GET /needs":                                      "GET /api/v1/needs",
	"GET /needs/new":                                  "",
	"POST /needs":                                     "POST /api/v1/needs",
	"GET /needs/{id}":                                 "GET /api/v1/needs/{id}",
	"POST /needs/{id}/quotes":                         "POST /api/v1/needs/{id}/quotes",
	"POST /needs/{id}/follow-ups":                     "POST /api/v1/needs/{id}/follow-ups",
	"POST /needs/{id}/close":                          "POST /api/v1/needs/{id}/close",
	"POST /quotes/{id}/send":                          "POST /api/v1/quotes/{id}/send",
	"GET /rates":                                      "GET /api/v1/rates",
	"GET /rates/{id}":                                 "GET /api/v1/rates", // one specialist's evidence: specialist_id
	"GET /orphans":                                    "GET /api/v1/orphans",
	"GET /notifications":                              "GET /api/v1/notifications",
	"POST /notifications/read":                        "POST /api/v1/notifications/read-all",
	"POST /notifications/{id}/read":                   "POST /api/v1/notifications/{id}/read",
	"GET /tickets":                                    "GET /api/v1/tickets",
	"GET /tickets/export":                             "GET /api/v1/tickets/export",
	"GET /reports/satisfaction":                       "GET /api/v1/reports/satisfaction",
	"GET /reports/satisfaction/export":                "GET /api/v1/reports/satisfaction/export",
	"GET /reports/no-contact":                         "GET /api/v1/reports/no-contact",
	"GET /tickets/new":                                "",
	"POST /tickets":                                   "POST /api/v1/tickets",
	"GET /tickets/{id}":                               "GET /api/v1/tickets/{id}",
	"GET /tickets/{id}/edit":                          "",
	"POST /tickets/{id}":                              "PUT /api/v1/tickets/{id}",
	"POST /tickets/{id}/transitions":                  "POST /api/v1/tickets/{id}/transitions",
	"POST /tickets/{id}/reopen":                       "POST /api/v1/tickets/{id}/reopen",
	"POST /tickets/{id}/pause":                        "POST /api/v1/tickets/{id}/pause",
	"POST /tickets/{id}/resume":                       "POST /api/v1/tickets/{id}/resume",
	"POST /tickets/{id}/escalations":                  "POST /api/v1/tickets/{id}/escalations",
	"POST /tickets/{id}/communications":               "POST /api/v1/tickets/{id}/communications",
	"POST /tickets/{id}/communications/{comm}/unlink": "DELETE /api/v1/tickets/{id}/communications/{comm}",
	"POST /tickets/{id}/complaint":                    "PUT /api/v1/tickets/{id}/complaint",
	"POST /tickets/{id}/complaint/reply":              "POST /api/v1/tickets/{id}/complaint/reply",
	"GET /tickets/{id}/capa":                          "GET /api/v1/tickets/{id}", // the complaint's 三不放过 form, from the ticket's complaint
	"GET /callbacks":                                  "GET /api/v1/callbacks",
	"POST /callbacks/{id}":                            "POST /api/v1/callbacks/{id}",
	"GET /surveys":                                    "GET /api/v1/survey-plans",
	"GET /surveys/new":                                "",
	"POST /surveys":                                   "POST /api/v1/survey-plans",
	"GET /surveys/{id}":                               "GET /api/v1/survey-plans/{id}",
	"GET /surveys/{id}/edit":                          "",
	"POST /surveys/{id}":                              "PUT /api/v1/survey-plans/{id}",
	"POST /surveys/{id}/issue":                        "POST /api/v1/survey-plans/{id}/issue",
	"POST /surveys/{id}/close":                        "POST /api/v1/survey-plans/{id}/close",
	"GET /surveys/{id}/export":                        "GET /api/v1/survey-plans/{id}/export",
	"GET /survey-tasks":                               "GET /api/v1/survey-tasks",
	"GET /survey-tasks/{id}":                          "GET /api/v1/survey-tasks/{id}",
	"POST /survey-tasks/{id}":                         "POST /api/v1/survey-tasks/{id}/response",
	"GET /complaints/analysis":                        "GET /api/v1/complaints/analysis",
	"GET /resamples/{quarter}":                        "GET /api/v1/resamples/{quarter}",
	"POST /resamples/{quarter}":                       "POST /api/v1/resamples/{quarter}",
	"POST /resamples/items/{id}":                      "POST /api/v1/resamples/items/{id}",
	"GET /admin/tickets-policy":                       "GET /api/v1/settings/tickets-policy",
	"POST /admin/tickets-policy":                      "PUT /api/v1/settings/tickets-policy",
	// 绩效考核: the card page (the stored card or the month so far), a
	// line's occurrences, the scoreboard, computing, rating, checks.
	"GET /appraisal":                     "GET /api/v1/scorecards/preview",
	"GET /appraisal/lines":               "GET /api/v1/events",
	"GET /appraisal/team":                "GET /api/v1/scorecards",
	"POST /appraisal/compute":            "POST /api/v1/scorecards/compute",
	"POST /appraisal/cards/{id}/ratings": "POST /api/v1/scorecards/{id}/ratings",
	"POST /appraisal/cards/{id}/samples": "POST /api/v1/scorecards/{id}/samples",
	"POST /appraisal/checks":             "POST /api/v1/scorecards/checks",
	"GET /communications/{id}":           "GET /api/v1/communications/{id}",
	// The scorecard lifecycle and the records (SPEC §8.4).
	"POST /appraisal/cards/{id}/transitions": "POST /api/v1/scorecards/{id}/transitions",
	"POST /appraisal/cards/{id}/comments":    "POST /api/v1/scorecards/{id}/comments",
	"POST /appraisal/cards/{id}/appeals":     "POST /api/v1/scorecards/{id}/appeals",
	"POST /appraisal/appeals/{id}/decision":  "POST /api/v1/scorecard-appeals/{id}/decision",
	"POST /appraisal/open-self-review":       "POST /api/v1/scorecards/open-self-review",
	"GET /scorecards/{id}":                   "GET /api/v1/scorecards/{id}",
	"GET /appraisal/print":                   "GET /api/v1/scorecards/{id}",
	"GET /appraisal/export":                  "GET /api/v1/scorecards/export",
	"GET /appraisal/statistics/export":       "GET /api/v1/scorecards/statistics/export",
}

// TestAPICoversTheWebUI: everything the web UI does has an API route,
// and a write needs the same permission on both surfaces.
func TestAPICoversTheWebUI(t *testing.T) {
	apiRoutes := map[string]access.Permission{}
	for _, rt := range api.New(api.Deps{}).Routes() {
		apiRoutes[rt.Pattern] = rt.Perm
	}
	for _, rt := range (&web.Server{}).Routes() {
		target, ok := webToAPI[rt.Pattern]
		if !ok {
			t.Errorf("web route %q has no API equivalent listed in webToAPI", rt.Pattern)
			continue
		}
		if target == "" {
			continue
		}
		perm, ok := apiRoutes[target]
		if !ok {
			t.Errorf("web route %q maps to %q, which is not an API route", rt.Pattern, target)
			continue
		}
		if !strings.HasPrefix(rt.Pattern, "GET ") && perm != rt.Perm {
			t.Errorf("%q needs %s on the web but %q needs %s", rt.Pattern, rt.Perm, target, perm)
		}
	}
}
