package web

import (
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/httpx"
)

// 沟通记录: the list of communication records with its filters, the
// quick-log (快速登记) and the matching of records that found no customer.

// CommChannels are the channels a record may have (comm.channel.*).
func (enums) CommChannels() []string { return comms.Channels }

// CommMaxFiles is how many files one quick-log may carry.
func (p *Page) CommMaxFiles() int { return comms.MaxFilesPerUpload }

// CommDirections are in (客户→我方) and out (我方→客户).
func (enums) CommDirections() []string { return []string{"in", "out"} }

// CommTag shows a tag in words when the catalogue knows it (续约, 催款, …),
// else as typed.
func (p *Page) CommTag(tag string) string {
	if l := p.T("comm.tag." + tag); l != "comm.tag."+tag {
		return l
	}
	return tag
}

// splitTags reads tags typed as "续约, callback，投诉、x".
func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// commInput is the quick-log form as posted. The time comes from a
// datetime-local field ("2026-03-05T10:00:05", seconds left out when
// zero), read in the company's time zone by the domain.
func commInput(r *http.Request, customerID string) comms.Input {
	f := r.PostFormValue
	if customerID == "" {
		customerID = f("customer_id")
	}
	return comms.Input{CustomerID: customerID, ContactID: f("contact_id"), Channel: f("channel"), Direction: f("direction"),
		OccurredAt: f("occurred_at"), Summary: f("summary"), Tags: splitTags(f("tags"))}
}

// commUploads reads the files of a quick-log form (multipart, field
// "file", several allowed; an empty file input sends none). A form posted
// url-encoded has none. done removes what the parsing spooled to disk.
func (s *Server) commUploads(w http.ResponseWriter, r *http.Request) (ups []comms.Upload, done func(), err error) {
	done = func() {}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, done, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, (s.MaxUpload+1<<20)*comms.MaxFilesPerUpload)
	perr := r.ParseMultipartForm(8 << 20)
	if r.MultipartForm != nil {
		done = func() { _ = r.MultipartForm.RemoveAll() }
	}
	if perr != nil {
		if strings.Contains(perr.Error(), "too large") {
			return nil, done, apperr.Invalid("file", fmt.Sprintf("文件超过 %d MB", s.MaxUpload>>20))
		}
		return nil, done, apperr.Invalid("file", "上传不完整，请重试")
	}
	var closers []io.Closer
	for _, fh := range r.MultipartForm.File["file"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, done, err
		}
		closers = append(closers, f)
		ups = append(ups, comms.Upload{Name: fh.Filename, Body: f})
	}
	rm := done
	done = func() {
		for _, c := range closers {
			_ = c.Close()
		}
		rm()
	}
	return ups, done, nil
}

// addComm logs the quick-log's record with its files; a file too large is
// said on the form like a bad value.
func (s *Server) addComm(w http.ResponseWriter, r *http.Request, customerID string) error {
	ups, done, err := s.commUploads(w, r)
	defer done()
	if err != nil {
		return err
	}
	_, err = s.Comms.AddWithFiles(r.Context(), commInput(r, customerID), ups, s.MaxUpload)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.KindTooLarge {
		err = apperr.Invalid("file", e.Message)
	}
	return err
}

// nowSecond is now in the company's zone as a datetime-local value.
func (s *Server) nowSecond() string { return s.Now().In(s.Loc).Format("2006-01-02T15:04:05") }

// ---- list --------------------------------------------------------------------

// commFilter is the list's filter as typed (dates stay text for the form).
type commFilter struct {
	Customer, Staff, Channel, Tag, From, To string
	Unmatched                               bool
	After                                   string
}

type commListPage struct {
	Page
	choices
	enums
	Filter commFilter
	Items  []comms.View
	Next   string
	// Customers are the customers to filter by; Writable those the viewer
	// may log for (the quick-log's choice).
	Customers []customers.CustomerView
	Writable  []customers.CustomerView
	Now       string
	// Open names the form to show open after an error in it.
	Open   string
	posted url.Values
}

// F is the value the user posted in field name (kept after an error).
func (p *commListPage) F(name string) string { return p.posted.Get(name) }

// Back is the list with its filter, where a row's action returns to.
func (p *commListPage) Back() string {
	if q := p.Query(""); q != "" {
		return "/communications?" + string(q)
	}
	return "/communications"
}

// ExportQuery is the filter as a query string, for the export.
func (p *commListPage) ExportQuery() template.URL { return p.Query("") }

// Query is the filter as a query string, for the "more" button.
func (p *commListPage) Query(after string) template.URL {
	v := url.Values{}
	for k, x := range map[string]string{"customer": p.Filter.Customer, "staff": p.Filter.Staff, "channel": p.Filter.Channel,
		"tag": p.Filter.Tag, "from": p.Filter.From, "to": p.Filter.To, "after": after} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if p.Filter.Unmatched {
		v.Set("unmatched", "1")
	}
	return template.URL(v.Encode())
}

// domainFilter turns the typed filter into the domain's; to is inclusive.
func (s *Server) domainFilter(cf commFilter) (comms.Filter, error) {
	f := comms.Filter{CustomerID: cf.Customer, StaffID: cf.Staff, Channel: cf.Channel, Tag: strings.TrimSpace(cf.Tag),
		Unmatched: cf.Unmatched, After: cf.After, Limit: 50}
	day := func(field, v string) (time.Time, error) {
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, s.Loc)
		if err != nil {
			return t, apperr.Invalid(field, "日期格式应为 YYYY-MM-DD")
		}
		return t, nil
	}
	var err error
	if f.From, err = day("from", cf.From); err != nil {
		return f, err
	}
	if f.To, err = day("to", cf.To); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	return f, nil
}

// commListData loads the list page (not the rows' htmx partial).
func (s *Server) commListData(r *http.Request, cf commFilter) (*commListPage, error) {
	f, err := s.domainFilter(cf)
	if err != nil {
		return nil, err
	}
	page, err := s.Comms.List(r.Context(), f)
	if err != nil {
		return nil, err
	}
	p := &commListPage{Page: s.page(r, "comms", "comms.title"), Filter: cf, Items: page.Items, Next: page.Next, Now: s.nowSecond(),
		posted: url.Values{}}
	p.FieldPrefixes = []string{"comm.field."}
	if isHTMX(r) {
		return p, nil
	}
	if p.choices, err = s.choices(r); err != nil {
		return nil, err
	}
	if p.Customers, err = s.readableCustomers(r, cf.Customer); err != nil {
		return nil, err
	}
	if p.Can(string(access.CommWrite)) {
		if p.Writable, err = s.writableCustomers(r, ""); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// readableCustomers are the active customers the viewer may read (for
// the customer filter), with selected first when it is not among them.
func (s *Server) readableCustomers(r *http.Request, selected string) ([]customers.CustomerView, error) {
	ctx := r.Context()
	f := customers.ListFilter{Status: "active", Limit: 200}
	var out []customers.CustomerView
	for range 5 {
		page, err := s.Customers.ListCustomers(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	if selected != "" {
		for _, c := range out {
			if c.ID == selected {
				return out, nil
			}
		}
		if c, err := s.Customers.GetCustomer(ctx, selected); err == nil {
			out = append([]customers.CustomerView{*c}, out...)
		}
	}
	return out, nil
}

// commFilterOf reads the list's filter from a query.
func commFilterOf(q url.Values) commFilter {
	return commFilter{Customer: q.Get("customer"), Staff: q.Get("staff"), Channel: q.Get("channel"), Tag: q.Get("tag"),
		From: q.Get("from"), To: q.Get("to"), Unmatched: q.Get("unmatched") == "1", After: q.Get("after")}
}

func (s *Server) commList(w http.ResponseWriter, r *http.Request) error {
	p, err := s.commListData(r, commFilterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "communications", "comm-rows", p)
	}
	return s.render(w, http.StatusOK, "communications", "", p)
}

// commCreate is the quick-log on the list page: the customer is chosen
// in the form.
func (s *Server) commCreate(w http.ResponseWriter, r *http.Request) error {
	err := s.addComm(w, r, "")
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "comms.logged"))
		return redirect(w, r, "/communications")
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.commListData(r, commFilter{})
	if perr != nil {
		return perr
	}
	p.Open, p.posted = "log", r.PostForm
	return s.formError(w, r, err, &p.Page, "communications", p)
}

// customerCommCreate is the quick-log on the customer page.
func (s *Server) customerCommCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := s.addComm(w, r, id)
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "comms.logged"))
		return redirect(w, r, "/customers/"+id+"?tab=comms")
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	d, derr := s.customerData(r, id)
	if derr != nil {
		return derr
	}
	d.Tab, d.Open, d.posted = "comms", "comm", r.PostForm
	d.FieldPrefixes = []string{"comm.field."}
	return s.formError(w, r, err, &d.Page, "customer", d)
}

// ---- matching ------------------------------------------------------------------

type commMatchPage struct {
	Page
	enums
	R *comms.Record
	// Customers are those the viewer may match to; Contacts those of the
	// chosen customer.
	Customers []customers.CustomerView
	Contacts  []customers.Contact
	Customer  string
	Contact   string
}

func (s *Server) commMatchData(r *http.Request, id, customerID, contactID string) (*commMatchPage, error) {
	rec, err := s.Comms.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &commMatchPage{Page: s.page(r, "comms", "comms.match"), R: rec, Customer: customerID, Contact: contactID}
	p.FieldPrefixes = []string{"comm.field."}
	if p.Customers, err = s.writableCustomers(r, customerID); err != nil {
		return nil, err
	}
	if customerID != "" {
		p.Contacts, err = s.Customers.Contacts(r.Context(), customerID)
		if err != nil && !apperr.Is(err, apperr.KindNotFound) && !apperr.Is(err, apperr.KindForbidden) {
			return nil, err
		}
	}
	return p, nil
}

// commMatchForm shows the match form of one record: in its list row
// (htmx, reloaded with the contacts when a customer is chosen) or as a
// page of its own.
func (s *Server) commMatchForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := s.commMatchData(r, r.PathValue("id"), q.Get("customer_id"), q.Get("contact_id"))
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "comm_match", "comm-match-form", p)
	}
	return s.render(w, http.StatusOK, "comm_match", "", p)
}

func (s *Server) commMatch(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Comms.Match(r.Context(), id, f("customer_id"), f("contact_id"))
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "comms.matched"))
		return redirect(w, r, "/communications?unmatched=1")
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	p, perr := s.commMatchData(r, id, f("customer_id"), f("contact_id"))
	if perr != nil {
		return perr
	}
	return s.formError(w, r, err, &p.Page, "comm_match", p)
}

// ---- 相关事项未登记 ------------------------------------------------------------

// commFlag flags the request in a record as never registered (a
// manager's flag with a reason: an appraisal event for the owning
// specialist).
func (s *Server) commFlag(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := s.Comms.FlagUnregistered(r.Context(), id, r.PostFormValue("reason"))
	return s.afterCommFlag(w, r, "flag-"+id, "comms.unreg_flagged", err)
}

// commUnflag takes the flag back with a reason (the event is withdrawn).
func (s *Server) commUnflag(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := s.Comms.UnflagUnregistered(r.Context(), id, r.PostFormValue("reason"))
	return s.afterCommFlag(w, r, "unflag-"+id, "comms.unreg_unflagged", err)
}

// afterCommFlag answers a row's flag form: back to the list as it was
// filtered, or the list again with the error and the row's form open
// with what was typed.
func (s *Server) afterCommFlag(w http.ResponseWriter, r *http.Request, open, doneID string, err error) error {
	back := safeNext(r.PostFormValue("back"))
	if back != "/communications" && !strings.HasPrefix(back, "/communications?") {
		back = "/communications"
	}
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), doneID))
		return redirect(w, r, back)
	}
	if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	u, perr := url.Parse(back)
	if perr != nil {
		return err
	}
	cf := commFilterOf(u.Query())
	cf.After = ""
	p, perr := s.commListData(r, cf)
	if perr != nil {
		return perr
	}
	p.Open, p.posted = open, r.PostForm
	return s.formError(w, r, err, &p.Page, "communications", p)
}

// ---- attachments -----------------------------------------------------------------

// commFileUpload adds files to a record from its page; back to the page,
// with the error said there.
func (s *Server) commFileUpload(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	ups, done, err := s.commUploads(w, r)
	defer done()
	if err == nil && len(ups) == 0 {
		err = apperr.Invalid("file", "请选择文件")
	}
	if err == nil && len(ups) > comms.MaxFilesPerUpload {
		err = apperr.Invalid("file", fmt.Sprintf("一次最多上传 %d 个文件", comms.MaxFilesPerUpload))
	}
	for i := 0; err == nil && i < len(ups); i++ {
		_, err = s.Comms.AttachFile(r.Context(), id, ups[i].Name, ups[i].Body, s.MaxUpload)
	}
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "comms.file_added"))
		return redirect(w, r, "/communications/"+id)
	}
	switch apperr.KindOf(err) {
	case apperr.KindInvalid, apperr.KindTooLarge:
	default:
		return err
	}
	_, d := httpx.Detail(s.Log, r, err)
	s.flash(r.Context(), d.Message)
	return redirect(w, r, "/communications/"+id)
}

// commFileDownload sends a record's attachment.
func (s *Server) commFileDownload(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.Comms.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return httpx.ServeAttachment(w, f.Name, f.ContentType, f.Size, rc)
}
