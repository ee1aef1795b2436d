package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/workcal"
)

type staffListPage struct {
	Page
	Items       []org.Staff
	Names       map[string]string
	Departments map[string]string
	RoleFilter  string
	Query       string
	Roles       []access.Role
}

func (s *Server) staffList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := staffListPage{Page: s.page(r, "admin", "staff.title"), RoleFilter: q.Get("role"), Query: q.Get("q"), Roles: access.AllRoles}
	var err error
	if p.Items, err = s.Org.ListStaff(r.Context(), org.StaffFilter{Role: access.Role(p.RoleFilter), Query: p.Query}); err != nil {
		return err
	}
	if p.Names, err = s.Org.Names(r.Context()); err != nil {
		return err
	}
	deps, err := s.Org.Departments(r.Context())
	if err != nil {
		return err
	}
	p.Departments = map[string]string{}
	for _, d := range deps {
		p.Departments[d.ID] = d.Name
	}
	return s.render(w, http.StatusOK, "staff", "", &p)
}

type staffFormPage struct {
	Page
	S           org.Staff
	Roles       []access.Role
	HasRole     map[access.Role]bool
	Departments []org.Department
	Groups      []org.Group
	All         []org.Staff
}

func (s *Server) staffForm(r *http.Request, st org.Staff, titleID string) (*staffFormPage, error) {
	p := &staffFormPage{Page: s.page(r, "admin", titleID), S: st, Roles: access.AllRoles, HasRole: map[access.Role]bool{}}
	for _, role := range st.Roles {
		p.HasRole[role] = true
	}
	var err error
	if p.Departments, err = s.Org.Departments(r.Context()); err != nil {
		return nil, err
	}
	if p.Groups, err = s.Org.Groups(r.Context()); err != nil {
		return nil, err
	}
	yes := true
	if p.All, err = s.Org.ListStaff(r.Context(), org.StaffFilter{Active: &yes}); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) staffNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.staffForm(r, org.Staff{Active: true, Locale: "zh-CN"}, "staff.new")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "staff_form", "", p)
}

func staffInput(r *http.Request) org.StaffInput {
	_ = r.ParseForm()
	f := r.PostFormValue
	in := org.StaffInput{Login: f("login"), Name: f("name"), Phone: f("phone"), Email: f("email"), Title: f("title"),
		DepartmentID: f("department_id"), SupervisorID: f("supervisor_id"), GroupID: f("group_id"), Locale: f("locale")}
	for _, v := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(v))
	}
	return in
}

func (s *Server) staffCreate(w http.ResponseWriter, r *http.Request) error {
	in := staffInput(r)
	st, err := s.Org.CreateStaff(r.Context(), in)
	if err == nil && r.PostFormValue("password") != "" {
		err = s.Auth.SetPassword(r.Context(), st.ID, r.PostFormValue("password"), true)
		if err != nil {
			// The staff record exists; let the admin set the password on its page.
			s.flash(r.Context(), s.cat.translate(s.lang(r), "staff.password_failed"))
			return redirect(w, r, "/admin/staff/"+st.ID)
		}
	}
	if err != nil {
		// The form again as typed, with the department, supervisor, group
		// and language chosen (not only the text fields).
		chosen := func(id string) *string {
			if id == "" {
				return nil
			}
			return &id
		}
		p, ferr := s.staffForm(r, org.Staff{Login: in.Login, Name: in.Name, Phone: in.Phone, Email: in.Email, Title: in.Title, Roles: in.Roles,
			DepartmentID: chosen(in.DepartmentID), SupervisorID: chosen(in.SupervisorID), GroupID: chosen(in.GroupID), Locale: in.Locale, Active: true}, "staff.new")
		if ferr != nil {
			return ferr
		}
		return s.formError(w, r, err, &p.Page, "staff_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/staff")
}

func (s *Server) staffEdit(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Org.GetStaff(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := s.staffForm(r, *st, "staff.edit")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "staff_form", "", p)
}

func (s *Server) staffUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Org.UpdateStaff(r.Context(), id, version(r), staffInput(r))
	return s.afterStaffEdit(w, r, id, err)
}

func (s *Server) afterStaffEdit(w http.ResponseWriter, r *http.Request, id string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/admin/staff/"+id)
	}
	st, gerr := s.Org.GetStaff(r.Context(), id)
	if gerr != nil {
		return gerr
	}
	p, ferr := s.staffForm(r, *st, "staff.edit")
	if ferr != nil {
		return ferr
	}
	return s.formError(w, r, err, &p.Page, "staff_form", p)
}

func (s *Server) staffPassword(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := s.Auth.SetPassword(r.Context(), id, r.PostFormValue("password"), true)
	return s.afterStaffEdit(w, r, id, err)
}

func (s *Server) staffActive(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Org.SetActive(r.Context(), id, version(r), r.PostFormValue("active") == "1", r.PostFormValue("left_on"))
	return s.afterStaffEdit(w, r, id, err)
}

type orgPage struct {
	Page
	Departments []org.Department
	Groups      []org.Group
	Regions     []org.Region
	Names       map[string]string
	GroupNames  map[string]string
	Supervisors []org.Staff
	Specialists []org.Staff
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := orgPage{Page: s.page(r, "admin", "org.title"), GroupNames: map[string]string{}}
	var err error
	if p.Departments, err = s.Org.Departments(ctx); err != nil {
		return err
	}
	if p.Groups, err = s.Org.Groups(ctx); err != nil {
		return err
	}
	for _, g := range p.Groups {
		p.GroupNames[g.ID] = g.Name
	}
	if p.Regions, err = s.Org.Regions(ctx); err != nil {
		return err
	}
	if p.Names, err = s.Org.Names(ctx); err != nil {
		return err
	}
	yes := true
	if p.Supervisors, err = s.Org.ListStaff(ctx, org.StaffFilter{Role: access.MaintSupervisor, Active: &yes}); err != nil {
		return err
	}
	if p.Specialists, err = s.Org.ListStaff(ctx, org.StaffFilter{Role: access.CSSpecialist, Active: &yes}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "org", "", &p)
}

func (s *Server) orgSave(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := org.UnitInput{Name: f("name"), Code: f("code"), ParentID: f("parent_id"), SupervisorID: f("supervisor_id"),
		GroupID: f("group_id"), SpecialistID: f("specialist_id")}
	var err error
	switch r.PathValue("kind") {
	case "departments":
		_, err = s.Org.SaveDepartment(r.Context(), f("id"), version(r), in)
	case "groups":
		_, err = s.Org.SaveGroup(r.Context(), f("id"), version(r), in)
	case "regions":
		_, err = s.Org.SaveRegion(r.Context(), f("id"), version(r), in)
	default:
		return apperr.NotFound("page")
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		e, _ := apperr.As(err)
		s.flash(r.Context(), "✗ "+e.Message)
		return redirect(w, r, "/admin/org")
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/admin/org")
}

type calendarPage struct {
	Page
	Settings workcal.Settings
	Year     int
	Years    []int
	Days     []workcal.Holiday
	Windows  string
	Weekdays map[int]bool
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year == 0 {
		year = s.Now().In(s.Loc).Year()
	}
	p := calendarPage{Page: s.page(r, "admin", "calendar.title"), Year: year, Weekdays: map[int]bool{}}
	for y := year - 2; y <= year+1; y++ {
		p.Years = append(p.Years, y)
	}
	var err error
	if p.Settings, err = s.Calendar.Settings(r.Context(), s.Loc.String()); err != nil {
		return err
	}
	p.Windows = strings.Join(p.Settings.Windows, ", ")
	for _, d := range p.Settings.Weekdays {
		p.Weekdays[d] = true
	}
	if p.Days, err = s.Calendar.Holidays(r.Context(), year); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "calendar", "", &p)
}

func (s *Server) calendarBack(w http.ResponseWriter, r *http.Request, err error) error {
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict && k != apperr.KindNotFound {
			return err
		}
		e, _ := apperr.As(err)
		s.flash(r.Context(), "✗ "+e.Message)
	} else {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	}
	return redirect(w, r, "/admin/calendar?year="+r.PostFormValue("year"))
}

func (s *Server) calendarSettings(w http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	st := workcal.Settings{TimeZone: strings.TrimSpace(r.PostFormValue("time_zone"))}
	for _, w := range strings.Split(r.PostFormValue("windows"), ",") {
		if w = strings.TrimSpace(w); w != "" {
			st.Windows = append(st.Windows, w)
		}
	}
	for _, v := range r.PostForm["weekdays"] {
		d, _ := strconv.Atoi(v)
		st.Weekdays = append(st.Weekdays, d)
	}
	return s.calendarBack(w, r, s.Calendar.SaveSettings(r.Context(), st))
}

func (s *Server) holidayPut(w http.ResponseWriter, r *http.Request) error {
	return s.calendarBack(w, r, s.Calendar.Put(r.Context(), r.PostFormValue("day"), r.PostFormValue("name"), r.PostFormValue("kind")))
}

func (s *Server) holidayDelete(w http.ResponseWriter, r *http.Request) error {
	return s.calendarBack(w, r, s.Calendar.Delete(r.Context(), r.PathValue("day")))
}

func (s *Server) holidayImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.calendarBack(w, r, apperr.Invalid("file", "请选择 CSV 文件（不超过 1 MB）"))
	}
	defer file.Close()
	_, err = s.Calendar.Import(r.Context(), file)
	return s.calendarBack(w, r, err)
}

type tokensPage struct {
	Page
	Items    []auth.Token
	Names    map[string]string
	Staff    []org.Staff
	NewToken string
}

func (s *Server) tokensData(r *http.Request) (*tokensPage, error) {
	p := &tokensPage{Page: s.page(r, "admin", "tokens.title")}
	var err error
	if p.Items, err = s.Auth.Tokens(r.Context()); err != nil {
		return nil, err
	}
	if p.Names, err = s.Org.Names(r.Context()); err != nil {
		return nil, err
	}
	yes := true
	if p.Staff, err = s.Org.ListStaff(r.Context(), org.StaffFilter{Active: &yes}); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) error {
	p, err := s.tokensData(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "tokens", "", p)
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	var expires *time.Time
	var err error
	if d := r.PostFormValue("expires_on"); d != "" {
		t, perr := time.ParseInLocation("2006-01-02", d, s.Loc)
		if perr != nil {
			err = apperr.Invalid("expires_on", "日期格式应为 YYYY-MM-DD")
		}
		expires = &t
	}
	var secret string
	if err == nil {
		_, secret, err = s.Auth.CreateToken(r.Context(), r.PostFormValue("staff_id"), r.PostFormValue("name"), expires)
	}
	p, derr := s.tokensData(r)
	if derr != nil {
		return derr
	}
	if err != nil {
		return s.formError(w, r, err, &p.Page, "tokens", p)
	}
	// The secret is shown once, on this response only.
	p.NewToken = secret
	return s.render(w, http.StatusOK, "tokens", "", p)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := s.Auth.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "tokens.revoked"))
	return redirect(w, r, "/admin/tokens")
}

type auditPage struct {
	Page
	names  map[string]string
	Filter audit.Filter
	From   string
	To     string
	Items  []audit.Entry
	Staff  []org.Staff
	More   string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := auditPage{Page: s.page(r, "admin", "audit.title"), From: q.Get("from"), To: q.Get("to")}
	p.Filter = audit.Filter{Entity: q.Get("entity"), ActorID: q.Get("actor"), Action: q.Get("action"), Query: q.Get("q"), Limit: 100}
	if t, err := time.ParseInLocation("2006-01-02", p.From, s.Loc); err == nil {
		p.Filter.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", p.To, s.Loc); err == nil {
		p.Filter.To = t.AddDate(0, 0, 1)
	}
	if b := q.Get("before"); b != "" {
		at, id, _ := strings.Cut(b, "_")
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			p.Filter.BeforeAt, p.Filter.BeforeID = t, id
		}
	}
	var err error
	if p.Items, err = audit.List(r.Context(), s.DB.R(), p.Filter); err != nil {
		return err
	}
	if len(p.Items) == p.Filter.Limit {
		last := p.Items[len(p.Items)-1]
		p.More = last.At.Format(time.RFC3339Nano) + "_" + last.ID
	}
	if p.Staff, err = s.Org.ListStaff(r.Context(), org.StaffFilter{}); err != nil {
		return err
	}
	if p.names, err = s.Org.Names(r.Context()); err != nil {
		return err
	}
	regions, err := s.Org.Regions(r.Context())
	if err != nil {
		return err
	}
	for _, rg := range regions {
		p.names[rg.ID] = rg.Name
	}
	return s.render(w, http.StatusOK, "audit", "", &p)
}

// GroupSupervisor names the supervisor of a region's maintenance group.
func (p *orgPage) GroupSupervisor(groupID *string) string {
	if groupID == nil {
		return ""
	}
	for _, g := range p.Groups {
		if g.ID == *groupID && g.SupervisorID != nil {
			return p.Names[*g.SupervisorID]
		}
	}
	return ""
}

// SourceLabel names where a holiday row came from.
func (p *calendarPage) SourceLabel(src string) string {
	switch src {
	case workcal.SeedSource:
		return p.T("calendar.source.seed")
	case "admin", "import":
		return p.T("calendar.source." + src)
	}
	return src
}

// WeekdayOn reports whether weekday d ("0"–"6") is a working weekday.
func (p *calendarPage) WeekdayOn(d string) bool {
	n, _ := strconv.Atoi(d)
	return p.Weekdays[n]
}

// auditChange is one field of an audit entry, as a person reads it.
type auditChange struct{ Field, Before, After string }

// Changes lists the fields an audit entry changed (all fields of a
// creation), with labels and names instead of ids.
func (p *auditPage) Changes(e audit.Entry) []auditChange {
	return (&auditLabels{p: &p.Page, names: p.names}).changes(e)
}

// auditLabels shows audit entries on a page: field labels from the
// catalogue, names instead of ids.
type auditLabels struct {
	p     *Page
	names map[string]string
}

// entityFieldPrefixes label the fields of an audit entry by what it is
// about, as that record's form labels them.
var entityFieldPrefixes = map[string][]string{
	"contract":      {"contract.field."},
	"payment":       {"finance.field.", "contract.field."},
	"invoice":       {"invoice.field.", "contract.field."},
	"communication": {"contract.field."},
	"need":          {"need.field.", "contract.field."},
	"quote":         {"quote.field.", "contract.field."},
	"setting":       {"policy."},
}

// entityEnums name the i18n prefix of a field's coded values, per entity,
// so an audit entry shows 银行转账 rather than transfer.
var entityEnums = map[string]map[string]string{
	"contract": {"kind": "contract.kind.", "state": "contract.status.", "outcome": "contract.outcome.", "emc_cycle": "contract.cycle."},
	"payment":  {"method": "contract.method."},
}

func (l *auditLabels) changes(e audit.Entry) []auditChange {
	p := l.p
	if pre, ok := entityFieldPrefixes[e.Entity]; ok {
		cp := *l.p
		cp.FieldPrefixes = pre
		p = &cp
	}
	l = &auditLabels{p: p, names: l.names}
	enums := entityEnums[e.Entity]
	var before, after map[string]any
	if e.BeforeJSON != nil {
		_ = json.Unmarshal([]byte(*e.BeforeJSON), &before)
	}
	if e.AfterJSON != nil {
		_ = json.Unmarshal([]byte(*e.AfterJSON), &after)
	}
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []auditChange
	for k := range keys {
		if k == "id" || k == "version" || k == "created_at" || k == "updated_at" {
			continue
		}
		b, a := l.value(k, before[k], enums), l.value(k, after[k], enums)
		if b == a {
			continue
		}
		out = append(out, auditChange{Field: p.fieldLabel(k), Before: b, After: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// value shows field k's value: an amount in fen as money, a coded value
// by its name when enums has a prefix for k, a list item by item and a
// nested record (an allocation, an installment) as object does;
// otherwise as show does.
func (l *auditLabels) value(k string, v any, enums map[string]string) string {
	switch x := v.(type) {
	case string:
		if enums[k] != "" {
			if t := l.p.T(enums[k] + x); t != enums[k]+x {
				return t
			}
		}
	case []any:
		if len(x) > 0 {
			if _, nested := x[0].(map[string]any); nested {
				parts := make([]string, len(x))
				for i, e := range x {
					parts[i] = l.value(k, e, enums)
				}
				return strings.Join(parts, "；")
			}
		}
	case map[string]any:
		return l.object(k, x)
	}
	if strings.HasSuffix(k, "_fen") {
		return l.money(v)
	}
	return l.show(v)
}

// money shows an amount in fen (a JSON number) as ¥12,345.00.
func (l *auditLabels) money(v any) string {
	if f, ok := v.(float64); ok {
		return Money(int64(f))
	}
	return l.show(v)
}

func (l *auditLabels) show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return l.p.T("common.yes")
		}
		return l.p.T("common.no")
	case string:
		if n, ok := l.names[x]; ok {
			return n
		}
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok && access.Role(s).Valid() {
				parts[i] = l.p.Role(access.Role(s))
			} else {
				parts[i] = l.show(e)
			}
		}
		return strings.Join(parts, "、")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// nestedEnums name the i18n prefix of coded values in the records a
// field holds (a contract's installments and scope lines).
var nestedEnums = map[string]map[string]string{
	"installments": {"kind": "contract.inst_kind."},
	"scope":        {"service_type": "contract.service.", "frequency": "contract.freq."},
}

// object shows a record nested in field parent (a payment's allocation,
// a contract's installment): one that is a reference and an amount as
// "name：¥amount", as the contract page lists allocations; any other as
// its fields, references first, a coded value by its name alone, the
// others labelled. The record's id, position and the contract it belongs
// to are left out: the entry is about that contract.
func (l *auditLabels) object(parent string, m map[string]any) string {
	var ids, rest []string
	for k := range m {
		switch k {
		case "id", "version", "created_at", "updated_at", "seq", "contract_id", "quote_id", "need_id":
			continue
		}
		if strings.HasSuffix(k, "_id") {
			ids = append(ids, k)
		} else {
			rest = append(rest, k)
		}
	}
	sort.Strings(ids)
	sort.Strings(rest)
	if len(ids) == 1 && len(rest) == 1 && strings.HasSuffix(rest[0], "_fen") {
		return l.show(m[ids[0]]) + "：" + l.money(m[rest[0]])
	}
	enums := nestedEnums[parent]
	var parts []string
	for _, k := range append(ids, rest...) {
		v := l.value(k, m[k], enums)
		switch {
		case v == "":
		case enums[k] != "":
			parts = append(parts, v)
		default:
			parts = append(parts, l.p.fieldLabel(k)+"："+v)
		}
	}
	return strings.Join(parts, "，")
}
