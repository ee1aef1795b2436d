package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/customers"
)

// needStatuses are the states of a need (老客户新需求), each shown through
// the catalogue as need.status.*.
var needStatuses = []string{"open", "quoted", "won", "lost"}

// NeedStatuses offers the statuses to the pages.
func (enums) NeedStatuses() []string { return needStatuses }

// ---- list ------------------------------------------------------------------

type needListPage struct {
	Page
	choices
	enums
	Filter contracts.NeedFilter
	Items  []contracts.NeedView
}

func (s *Server) needList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := contracts.NeedFilter{OwnerID: q.Get("owner"), CustomerID: q.Get("customer"), Status: q.Get("status"), FollowUpOverdue: q.Get("overdue") == "1"}
	if me := access.From(r.Context()); !me.IsManagerial() && me.Has(access.CSSpecialist) && !q.Has("owner") && f.CustomerID == "" {
		f.OwnerID = me.StaffID
	}
	items, err := s.Contracts.ListNeeds(r.Context(), f)
	if err != nil {
		return err
	}
	p := needListPage{Page: s.page(r, "needs", "needs.title"), Filter: f, Items: items}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "needs", "", &p)
}

// ---- new need ----------------------------------------------------------------

type needFormPage struct {
	Page
	In        contracts.NeedInput
	Customers []customers.CustomerView
	Today     string
}

// writableCustomers are the active customers the viewer may write for
// (a specialist's own; everyone's for a manager), with selected first when
// it is not among them.
func (s *Server) writableCustomers(r *http.Request, selected string) ([]customers.CustomerView, error) {
	ctx := r.Context()
	me := access.From(ctx)
	f := customers.ListFilter{Status: "active", Limit: 200}
	if !me.IsManagerial() {
		f.OwnerID = me.StaffID
	}
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
	if selected != "" && !slices.ContainsFunc(out, func(c customers.CustomerView) bool { return c.ID == selected }) {
		if c, err := s.Customers.GetCustomer(ctx, selected); err == nil {
			out = append([]customers.CustomerView{*c}, out...)
		}
	}
	return out, nil
}

func (s *Server) needForm(r *http.Request, in contracts.NeedInput) (*needFormPage, error) {
	p := &needFormPage{Page: s.page(r, "needs", "need.new"), In: in, Today: s.today()}
	p.FieldPrefixes = []string{"need.field."}
	var err error
	p.Customers, err = s.writableCustomers(r, in.CustomerID)
	return p, err
}

func (s *Server) needNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.needForm(r, contracts.NeedInput{CustomerID: r.URL.Query().Get("customer_id"), RaisedOn: s.today()})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "need_form", "", p)
}

func (s *Server) needCreate(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := contracts.NeedInput{CustomerID: f("customer_id"), Title: f("title"), Description: f("description"), RaisedOn: f("raised_on")}
	n, err := s.Contracts.CreateNeed(r.Context(), in)
	if err != nil {
		p, perr := s.needForm(r, in)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, err, &p.Page, "need_form", p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/needs/"+n.ID)
}

// ---- one need ----------------------------------------------------------------

type needPageData struct {
	Page
	enums
	N         *contracts.NeedDetail
	CanWrite  bool
	Contacts  []customers.Contact
	Contracts []contracts.ContractView
	// QuoteFiles are the attachments of each quote, by quote id.
	QuoteFiles map[string][]contracts.File
	Now        string
	Today      string
	// Open names the action form to show open (after an error in it).
	Open   string
	posted url.Values
}

// F is the value the user posted in field name (kept after an error).
func (d *needPageData) F(name string) string { return d.posted.Get(name) }

// quoteRow is one quote line as typed.
type quoteRow struct{ Item, Quantity, Unit, UnitPrice string }

// QuoteRows are the lines of the quote form: what was posted, else one
// blank line.
func (d *needPageData) QuoteRows() []quoteRow {
	rows := quoteRowsOf(d.posted)
	if len(rows) == 0 {
		return []quoteRow{{Quantity: "1"}}
	}
	return rows
}

// Closed reports whether the need has its result.
func (d *needPageData) Closed() bool { return d.N.Status == "won" || d.N.Status == "lost" }

// WonContract names the contract a won need became.
func (d *needPageData) WonContract() string {
	if d.N.WonContractID == nil {
		return ""
	}
	for _, c := range d.Contracts {
		if c.ID == *d.N.WonContractID {
			return c.Number
		}
	}
	return *d.N.WonContractID
}

func quoteRowsOf(v url.Values) []quoteRow {
	col := func(name string, i int) string {
		if xs := v[name]; i < len(xs) {
			return strings.TrimSpace(xs[i])
		}
		return ""
	}
	var rows []quoteRow
	for i := range v["line_item"] {
		row := quoteRow{Item: col("line_item", i), Quantity: col("line_quantity", i), Unit: col("line_unit", i), UnitPrice: col("line_unit_price", i)}
		if row.Item == "" && row.Unit == "" && row.UnitPrice == "" && (row.Quantity == "" || row.Quantity == "1") {
			continue
		}
		rows = append(rows, row)
	}
	return rows
}

// quoteInput turns the posted quote form into the domain's input; a bad
// quantity or unit price is an Invalid error on the line's field.
func quoteInput(r *http.Request) (contracts.QuoteInput, error) {
	f := r.PostFormValue
	in := contracts.QuoteInput{Number: f("number"), ValidUntil: f("valid_until"), Notes: f("notes"), Send: f("send") == "on"}
	for i, row := range quoteRowsOf(r.PostForm) {
		field := func(n string) string { return "lines[" + strconv.Itoa(i) + "]." + n }
		qty, err := strconv.ParseInt(strings.ReplaceAll(row.Quantity, ",", ""), 10, 64)
		if err != nil {
			return in, apperr.Invalid(field("quantity"), "须为整数")
		}
		price, err := parseYuan(field("unit_price_fen"), row.UnitPrice, true)
		if err != nil {
			return in, err
		}
		in.Lines = append(in.Lines, contracts.QuoteLineInput{Item: row.Item, Quantity: qty, Unit: row.Unit, UnitPriceFen: price})
	}
	return in, nil
}

func (s *Server) needData(r *http.Request, id string) (*needPageData, error) {
	ctx := r.Context()
	n, err := s.Contracts.GetNeed(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Now().In(s.Loc)
	d := &needPageData{Page: s.page(r, "needs", "need.title"), N: n, Now: now.Format("2006-01-02T15:04"), Today: s.today(), posted: url.Values{}}
	d.Title = d.T("need.title") + " · " + n.Title
	d.FieldPrefixes = []string{"need.field.", "contract.field."}
	d.CanWrite = contracts.CanWrite(access.From(ctx), n.CustomerOwnerID)
	d.QuoteFiles = map[string][]contracts.File{}
	for _, q := range n.QuoteList {
		if d.QuoteFiles[q.ID], err = s.Contracts.Files(ctx, "quote", q.ID); err != nil {
			return nil, err
		}
	}
	if page, err := s.Contracts.ListContracts(ctx, contracts.ListFilter{CustomerID: n.CustomerID, Limit: 200}); err == nil {
		d.Contracts = page.Items
	}
	if d.CanWrite {
		if d.Contacts, err = s.Customers.Contacts(ctx, n.CustomerID); err != nil && !apperr.Is(err, apperr.KindForbidden) {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) needPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.needData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "need", "", d)
}

// afterNeedAction answers a form on the need page: back to the page with
// a message, or the page again with the error and the form open with
// what was typed.
func (s *Server) afterNeedAction(w http.ResponseWriter, r *http.Request, id, open string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/needs/"+id)
	}
	k := apperr.KindOf(err)
	if k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	d, derr := s.needData(r, id)
	if derr != nil {
		return derr
	}
	d.Open, d.posted = open, r.PostForm
	if open == "quote" {
		d.FieldPrefixes = []string{"quote.field.", "need.field."}
	}
	return s.formError(w, r, err, &d.Page, "need", d)
}

func (s *Server) quoteCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	in, err := quoteInput(r)
	if err == nil {
		_, err = s.Contracts.AddQuote(r.Context(), id, in)
	}
	return s.afterNeedAction(w, r, id, "quote", err)
}

func (s *Server) quoteSend(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Contracts.SendQuote(r.Context(), r.PathValue("id"))
	needID := r.PostFormValue("need_id")
	if q != nil {
		needID = q.NeedID
	}
	if needID == "" {
		if err != nil {
			return err
		}
		return redirect(w, r, "/needs")
	}
	return s.afterNeedAction(w, r, needID, "send", err)
}

func (s *Server) needFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	in := contracts.CommunicationInput{Channel: f("channel"), Direction: f("direction"), ContactID: f("contact_id"), Summary: f("summary")}
	var err error
	if at := strings.TrimSpace(f("occurred_at")); at != "" {
		t, perr := time.ParseInLocation("2006-01-02T15:04", at, s.Loc)
		if perr != nil {
			err = apperr.Invalid("occurred_at", "时间格式应为 YYYY-MM-DD HH:MM")
		}
		in.OccurredAt = &t
	}
	if err == nil {
		_, err = s.Contracts.LogFollowUp(r.Context(), id, in)
	}
	return s.afterNeedAction(w, r, id, "follow-up", err)
}

func (s *Server) needClose(w http.ResponseWriter, r *http.Request) error {
	id, f := r.PathValue("id"), r.PostFormValue
	_, err := s.Contracts.CloseNeed(r.Context(), id, version(r), f("outcome"), f("contract_id"), f("reason"))
	return s.afterNeedAction(w, r, id, "close-"+f("outcome"), err)
}
