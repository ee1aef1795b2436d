package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/sla"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
)

func loadCatalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := catalogueFS.ReadFile("i18n/" + lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	zh, en := loadCatalogue(t, "zh-CN"), loadCatalogue(t, "en")
	for k, v := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q is in zh-CN but not in en", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("zh-CN %q is empty", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("key %q is in en but not in zh-CN", k)
		}
	}
}

var (
	// {{.T "key"}}, {{$.T "key" …}}, {{$p.T "key"}}
	templateKeyRE = regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	// translate(…, "key") and page(r, nav, "key") in Go code
	goKeyRE = regexp.MustCompile(`(?:translate\([^,]+,\s*|s\.page\(r,\s*"[a-z]*",\s*)"([a-z0-9_.]+)"`)
	// {{$.T (print "prefix." …)}}: dynamic keys, checked per prefix below
	dynamicRE = regexp.MustCompile(`\(print "([a-z_.]+)\."`)
)

// TestEveryUsedKeyExists fails when a template or handler uses a message
// id that the catalogue lacks (it would show the raw id to the user).
func TestEveryUsedKeyExists(t *testing.T) {
	zh := loadCatalogue(t, "zh-CN")
	used := map[string]string{}
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		for _, m := range templateKeyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range goKeyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys: the scanner is broken", len(used))
	}
	var missing []string
	for k, where := range used {
		if _, ok := zh[k]; !ok {
			missing = append(missing, k+" ("+where+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("message id used but not in the catalogue: %s", m)
	}
}

// TestDynamicKeysExist checks the key families built at run time.
func TestDynamicKeysExist(t *testing.T) {
	zh := loadCatalogue(t, "zh-CN")
	want := []string{"tab.contacts", "tab.equipment", "tab.wechat", "tab.files", "tab.history",
		"side.customer", "side.staff", "import.kind.customers", "import.kind.contacts", "import.kind.equipment",
		"import.action.create", "import.action.update", "import.action.unchanged"}
	for _, r := range access.AllRoles {
		want = append(want, "role."+string(r))
	}
	for d := range 7 {
		want = append(want, "weekday."+string(rune('0'+d)))
	}
	for _, e := range []string{"customer", "contact", "equipment", "wechat_group", "wechat_member", "file", "staff",
		"region", "group", "department", "api_token", "holiday", "work_calendar", "import",
		"contract", "payment", "invoice", "communication", "setting", "need", "quote",
		"project", "work_order", "work_order_return", "followup", "daily_summary", "monthly_summary", "problem"} {
		want = append(want, "entity."+e)
	}
	for _, a := range []string{"create", "update", "delete", "password", "lock", "revoke", "import", "delete_payment", "flag", "unflag",
		"accept", "callback", "cancel", "complete", "dispatch", "forward", "group_post", "override", "paper_received", "resolve",
		"return", "replan", "submit", "upload_evidence", "withdraw", "confirm_watermark", "remove_evidence", "report", "report_correct"} {
		want = append(want, "audit.action."+a)
	}
	// Every input field a domain can name in an error has a label.
	for _, f := range []string{"name", "code", "class", "region_id", "owner_id", "sales_owner_id", "address", "status", "notes",
		"paper_location", "paper_received_by", "paper_received_on", "known_on", "recorded_at", "title", "phone", "phone2",
		"wechat", "email", "kind", "brand", "model", "serial", "location", "params", "installed_on", "file", "category",
		"login", "roles", "department_id", "supervisor_id", "group_id", "specialist_id", "locale", "password",
		"new_password", "old_password", "confirm_password", "version", "display_name", "side", "contact_id", "staff_id",
		"joined_on", "removed_on", "created_on", "external_id", "parent_id", "left_on", "expires_on", "after", "day",
		"time_zone", "windows", "weekdays"} {
		want = append(want, "field."+f)
	}
	// The contract pages show every coded value of the contracts domain.
	for prefix, values := range map[string][]string{
		"contract.kind": contracts.Kinds, "contract.status": contracts.Statuses, "contract.service": contracts.ServiceTypes,
		"contract.freq": contracts.Frequencies, "contract.cycle": contracts.EMCCycles, "contract.method": contracts.PaymentMethods,
		"contract.channel": contracts.Channels, "receivables.bucket": contracts.Buckets,
		"contract.outcome":     {"pending", "renewed", "lost"},
		"contract.inst_kind":   {"regular", "emc_fee"},
		"contract.tag":         {contracts.TagRenewal, contracts.TagDunning, contracts.TagQuote},
		"contract.direction":   {"in", "out"},
		"need.status":          needStatuses,
		"comm.channel":         comms.Channels,
		"comm.direction":       {"in", "out"},
		"comm.source":          {comms.SourceUI, comms.SourceAPI, comms.SourceImport},
		"comm.tag":             {contracts.TagRenewal, contracts.TagDunning, contracts.TagQuote, "callback", "satisfaction", "greeting", "complaint"},
		"import.action":        {"create", "unchanged"},
		"ticket.type":          tickets.Types,
		"ticket.status":        tickets.Statuses,
		"ticket.channel":       tickets.Channels,
		"ticket.urgency":       ticketUrgencies,
		"ticket.level":         tickets.Levels,
		"complaint.nature":     tickets.Natures,
		"complaint.severity":   tickets.Severities,
		"complaint.justified":  tickets.Judgements,
		"callback.sat":         {"1", "2", "3", "4", "5"},
		"callback.view":        {"due", "done", "all"},
		"analysis.by":          {"nature", "region", "person"},
		"analysis.col":         {"nature", "region", "person"},
		"event.type":           {tickets.EventAttitudeComplaint},
		"queue.kind":           {sla.KindWeChat, sla.KindMissedCall, sla.KindChat},
		"comm_import.kind":     {comms.FilePBX, comms.FileWeChat},
		"import.mode":          {"skip", "reject"},
		"response_policy.rule": responseRules,
		"response_policy.unit": {"min", "s"},
		"survey.method":        surveys.Methods,
		"survey.status":        surveys.Statuses,
		"survey.outcome":       surveys.Outcomes,
		"survey.state":         surveys.TaskStates,
		"survey.kind":          {surveys.KindScore, surveys.KindText},
		"work.type":            workTypes,
		"work.status":          workStatuses,
		"work.verify_with":     verifyWiths,
		"work.verify_result":   verifyResults,
		"work.return_field":    fieldwork.ReturnFields,
	} {
		for _, v := range values {
			if v != "" { // the empty choice shows as —
				want = append(want, prefix+"."+v)
			}
		}
	}
	// Every field the contracts domain can name in an error has a label on
	// the contract pages (list fields like scope[0].times by their last part).
	for _, f := range []string{"number", "customer_id", "kind", "title", "signed_on", "received_on", "start_on", "end_on",
		"amount_fen", "schedule_differs", "schedule_note", "renewed_from", "emc_fee_fen", "emc_cycle", "scope", "installments",
		"equipment_id", "equipment", "service_type", "frequency", "times", "due_on", "period_from", "period_to", "id",
		"state", "outcome", "lost_reason", "terminated_on", "tag", "channel", "direction", "occurred_at", "contact_id",
		"issued_on", "installment_id", "contract_id", "method", "reference", "credit_reason"} {
		want = append(want, "contract.field."+f)
	}
	for _, f := range []string{"contract", "contract_id", "installment_id", "received_on", "amount_fen", "method", "reference", "credit_reason"} {
		want = append(want, "finance.field."+f)
	}
	// Every field the needs and quotes can name in an error has a label
	// (quote lines like lines[0].unit_price_fen by their parts).
	for _, f := range []string{"customer_id", "title", "description", "raised_on", "contract_id", "reason", "outcome"} {
		want = append(want, "need.field."+f)
	}
	for _, f := range []string{"number", "valid_until", "notes", "lines", "item", "quantity", "unit", "unit_price_fen", "sent_at"} {
		want = append(want, "quote.field."+f)
	}
	// Every field the comms domain can name in an error has a label on
	// the communication pages.
	for _, f := range []string{"customer_id", "contact_id", "staff_id", "staff_login", "channel", "direction", "occurred_at",
		"summary", "tags", "counterpart", "conversation", "duration_s", "external_id", "after", "records", "from", "to",
		"unregistered_at", "ticket_id", "reason"} {
		want = append(want, "comm.field."+f)
	}
	for _, f := range []string{"file", "key", "kind"} {
		want = append(want, "import.field."+f)
	}
	// The communication import names the columns of its mapping, and the
	// fields its errors can name.
	for _, cols := range commFileColumns {
		for _, c := range cols {
			want = append(want, "comm_import.col."+c)
		}
	}
	// The satisfaction summary's tables name their dimension.
	for _, d := range satisfactionDims {
		want = append(want, "satisfaction.col."+d)
	}
	for _, f := range []string{"kind", "source", "mapping"} {
		want = append(want, "comm_import.field."+f)
	}
	// The response targets' errors name a rule's limit or warning.
	for _, r := range responseRules {
		want = append(want, "response_policy.field."+r+".limit_s", "response_policy.field."+r+".near_s")
	}
	// Every field the tickets domain can name in an error has a label on
	// the ticket pages (registration fields also name what is missing).
	for _, typ := range tickets.Types {
		for _, f := range tickets.RequiredFields(typ) {
			want = append(want, "ticket.field."+f)
		}
	}
	for _, f := range []string{"customer_id", "contact_id", "caller", "type", "channel", "received_at", "first_owner_id",
		"assignee_id", "urgency", "description", "promised_at", "status", "to", "note", "at", "to_level", "to_staff_id",
		"to_text", "communication_id", "complaint", "version"} {
		want = append(want, "ticket.field."+f)
	}
	for _, f := range []string{"nature", "severity", "justified", "against_staff_id", "against_text", "reason", "root_cause",
		"responsibility", "corrective_action", "preventive_action", "note", "replied_at"} {
		want = append(want, "complaint.field."+f)
	}
	for _, f := range []string{"at", "result", "satisfaction", "communication_id", "done_at", "status", "quarter", "month"} {
		want = append(want, "callback.field."+f)
	}
	for _, f := range []string{"repair_callback_working_days", "complaint_callback_days", "major_reply_working_days", "resample_percent"} {
		want = append(want, "ticket_policy."+f)
	}
	// Every field the surveys domain can name in an error has a label
	// (questions[0].text and answers[0].question_id by their parts).
	for _, f := range []string{"title", "period", "due_on", "method", "scope_class", "scope_region_id", "scope_owner_id", "notes",
		"questions", "text", "kind", "overall", "scope", "status", "version", "outcome", "contact_name", "at", "channel", "answers",
		"note", "question_id", "state"} {
		want = append(want, "survey.field."+f)
	}
	for _, e := range []string{"ticket", "complaint", "callback", "callback_resample", "survey_plan", "survey_task"} {
		want = append(want, "entity."+e)
	}
	// Every field the fieldwork domain can name in an error has a label on
	// the field-work pages (items[0].times by its parts), and every rule a
	// label on the rules page.
	for _, f := range []string{"contract_id", "verified_with", "verified_at", "verify_result", "items", "service_type", "frequency",
		"times", "reason", "version", "type", "parts", "planned_on", "deadline_on", "content", "customer_id", "project_item_id",
		"ticket_id", "project_id", "status", "dispatched_at", "region_id", "site_address", "technician_ids", "fields", "points",
		"completed_at", "withdrawn_at", "from", "to"} {
		want = append(want, "work.field."+f)
	}
	for _, f := range append(slices.Clone(fieldworkRules), "seasons.cooling_start", "seasons.heating_start") {
		want = append(want, "fieldwork_policy.field."+f)
	}
	// 工作跟进 (pages_progress.go): the families its pages build, and
	// every field its domain calls can name in an error.
	for prefix, values := range map[string][]string{
		"problem.type": fieldwork.ProblemTypes, "report.status": {fieldwork.ReportInProgress, fieldwork.ReportDone, fieldwork.ReportBlocked},
		"stats.by": {"region", "group", "technician"}, "stats.col": {"region", "group", "technician"},
		"followups.record":   {fieldwork.FollowupReminder, fieldwork.FollowupGroupFeedback},
		"followups.recorded": {fieldwork.FollowupReminder, fieldwork.FollowupGroupFeedback},
		"progress.field": {"day", "kind", "at", "note", "customer_id", "type", "description", "evidence", "occurred_at", "technician_id",
			"to_party", "to_staff_id", "forwarded_at", "resolution", "resolved_at", "month", "to"},
		"fieldwork_policy.field": append(slices.Clone(progressRules), "track_from"),
		// The audit log names field work's records and actions.
		"entity": {"daily_summary", "followup", "monthly_summary", "problem", "project", "work_order", "work_order_return"},
		"audit.action": {"accept", "callback", "cancel", "complete", "dispatch", "forward", "group_post", "override", "paper_received",
			"replan", "report", "report_correct", "resolve", "return", "submit", "upload_evidence", "withdraw"},
	} {
		for _, v := range values {
			want = append(want, prefix+"."+v)
		}
	}
	for _, f := range []string{"renewal_window_months", "renewal_contact_days", "quote_followup_working_days", "due_soon_days"} {
		want = append(want, "policy."+f)
	}
	// The customer history shows changed fields by their JSON names.
	for _, v := range []any{customers.Customer{}, customers.Contact{}, customers.Equipment{}, customers.WeChatGroup{},
		customers.Member{}, customers.File{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				want = append(want, "field."+name)
			}
		}
	}
	for _, k := range want {
		if _, ok := zh[k]; !ok {
			t.Errorf("dynamic message id %q missing", k)
		}
	}
	// Every dynamic prefix used in templates is one the list above covers.
	covered := map[string]bool{}
	for _, k := range want {
		covered[k[:strings.LastIndex(k, ".")]] = true
	}
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		for _, m := range dynamicRE.FindAllStringSubmatch(string(b), -1) {
			if !covered[m[1]] {
				t.Errorf("%s builds message ids with prefix %q that no test checks", p, m[1])
			}
		}
		return nil
	})
}

func TestTemplatesParse(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "home", "customers", "customer", "customer_form", "late", "members", "import",
		"staff", "staff_form", "org", "calendar", "tokens", "audit", "error", "password",
		"contracts", "contract", "contract_form", "renewals", "receivables", "finance", "contract_policy",
		"needs", "need", "need_form", "rates", "rate", "orphans", "notifications", "contract_import",
		"communications", "comm_match", "tickets", "ticket", "ticket_form", "ticket_capa", "callbacks", "resamples",
		"complaint_analysis", "ticket_policy", "queue", "comm_import", "response_policy", "satisfaction", "no_contact",
		"surveys", "survey_form", "survey", "survey_tasks", "survey_task"} {
		if s.pages[name] == nil {
			t.Errorf("page template %q missing", name)
		}
	}
}

func TestMoneyAndDuration(t *testing.T) {
	for _, tt := range []struct {
		fen  int64
		want string
	}{{0, "¥0.00"}, {5, "¥0.05"}, {123456789, "¥1,234,567.89"}, {100000, "¥1,000.00"}, {-1250, "-¥12.50"}} {
		if got := Money(tt.fen); got != tt.want {
			t.Errorf("Money(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{0, "0秒"}, {59 * time.Second, "59秒"}, {3*time.Minute + 12*time.Second, "3分12秒"}, {time.Hour + 5*time.Minute, "1小时5分"}, {50 * time.Hour, "2天2小时"}} {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestCellsNeutraliseFormulas(t *testing.T) {
	got := cells("=SUM(A1)", "+86", "-1", "@x", "国贸", "", "a=b")
	want := []string{"'=SUM(A1)", "'+86", "'-1", "'@x", "国贸", "", "a=b"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cells[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}
