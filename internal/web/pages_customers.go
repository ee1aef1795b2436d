package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/httpx"
	"kefu/internal/org"
)

// choices are the select options forms and filters need.
type choices struct {
	Regions     []org.Region
	Specialists []org.Staff
	Staff       []org.Staff
	Classes     []string
}

func (s *Server) choices(r *http.Request) (choices, error) {
	regions, err := s.Org.Regions(r.Context())
	if err != nil {
		return choices{}, err
	}
	yes := true
	specialists, err := s.Org.ListStaff(r.Context(), org.StaffFilter{Role: access.CSSpecialist, Active: &yes})
	if err != nil {
		return choices{}, err
	}
	staff, err := s.Org.ListStaff(r.Context(), org.StaffFilter{})
	if err != nil {
		return choices{}, err
	}
	return choices{Regions: regions, Specialists: specialists, Staff: staff, Classes: customers.Classes}, nil
}

type customerListPage struct {
	Page
	choices
	Filter customers.ListFilter
	Items  []customers.CustomerView
	Next   string
}

func (s *Server) customerList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := customers.ListFilter{Query: q.Get("q"), RegionID: q.Get("region"), Class: q.Get("class"), OwnerID: q.Get("owner"),
		Status: q.Get("status"), Orphan: q.Get("orphan") == "1", After: q.Get("after"), Limit: 50}
	page, err := s.Customers.ListCustomers(r.Context(), f)
	if err != nil {
		return err
	}
	p := customerListPage{Page: s.page(r, "customers", "customers.title"), Filter: f, Items: page.Items, Next: page.Next}
	if isHTMX(r) {
		// Filters and "more" fetch only the rows.
		return s.render(w, http.StatusOK, "customers", "customer-rows", &p)
	}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "customers", "", &p)
}

type customerFormPage struct {
	Page
	choices
	Customer customers.Customer
	Today    string
}

func (s *Server) customerNew(w http.ResponseWriter, r *http.Request) error {
	p := customerFormPage{Page: s.page(r, "customers", "customer.new"), Customer: customers.Customer{Class: "B", Status: "active"}, Today: s.today()}
	if me := access.From(r.Context()); !me.IsManagerial() {
		p.Customer.OwnerID = &me.StaffID
	}
	var err error
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "customer_form", "", &p)
}

func (s *Server) today() string { return s.Now().In(s.Loc).Format("2006-01-02") }

func customerInput(r *http.Request) customers.CustomerInput {
	f := r.PostFormValue
	return customers.CustomerInput{
		Code: f("code"), Name: f("name"), Class: f("class"), RegionID: f("region_id"), OwnerID: f("owner_id"),
		SalesOwnerID: f("sales_owner_id"), Address: f("address"), Status: f("status"), Notes: f("notes"),
		PaperLocation: f("paper_location"), PaperReceivedBy: f("paper_received_by"), PaperReceivedOn: f("paper_received_on"),
		Since: f("since"), Change: change(r),
	}
}

func change(r *http.Request) customers.Change {
	return customers.Change{KnownOn: r.PostFormValue("known_on")}
}

// formError re-renders a form with the error when it is the user's to fix.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, p *Page, name string, data any) error {
	k := apperr.KindOf(err)
	if k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	_, d := httpx.Detail(s.Log, r, err)
	if d.Field != "" && d.Field != "version" {
		d.Message = p.fieldLabel(d.Field) + "：" + d.Message
	}
	p.Error = &d
	return s.render(w, httpx.Status(err), name, "", data)
}

func (s *Server) customerCreate(w http.ResponseWriter, r *http.Request) error {
	in := customerInput(r)
	c, err := s.Customers.CreateCustomer(r.Context(), in)
	if err != nil {
		p := customerFormPage{Page: s.page(r, "customers", "customer.new"), Today: s.today()}
		p.Customer = customers.Customer{Code: in.Code, Name: in.Name, Class: in.Class, RegionID: in.RegionID, Address: in.Address,
			Status: in.Status, Notes: in.Notes, OwnerID: &in.OwnerID, SalesOwnerID: &in.SalesOwnerID}
		var cerr error
		if p.choices, cerr = s.choices(r); cerr != nil {
			return cerr
		}
		return s.formError(w, r, err, &p.Page, "customer_form", &p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/customers/"+c.ID)
}

type customerPageData struct {
	Page
	enums
	C         *customers.CustomerView
	Contacts  []customers.Contact
	Equipment []customers.Equipment
	Groups    []customers.WeChatGroup
	Members   map[string][]customers.MemberView
	Files     []customers.File
	History   []customers.ArchiveChangeView
	CanWrite  bool
	Tab       string
	Today     string
	EditID    string
	// Staff are the active staff, for adding our side to a WeChat group.
	Staff []org.Staff
	// Comms are the customer's latest communication records (沟通记录);
	// CommsMore says there are older ones.
	Comms     []comms.View
	CommsMore bool
	// Now is the quick-log's default time (to the second).
	Now string
	// Open names the form to show open after an error in it.
	Open   string
	posted url.Values
	// names maps staff, region and contact ids to names for the history.
	names map[string]string
}

// F is the value the user posted in field name (kept after an error).
func (d *customerPageData) F(name string) string { return d.posted.Get(name) }

// Value shows a history value of field as a person reads it: coded
// values (status, side) in words, then as Label.
func (d *customerPageData) Value(field string, v any) string {
	if s, ok := v.(string); ok && s != "" {
		switch field {
		case "status", "side":
			return d.T(field + "." + s)
		}
	}
	return d.Label(v)
}

// Label shows a history value as a person reads it: a name instead of
// an id, 是/否 instead of true/false, — for empty.
func (d *customerPageData) Label(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return d.T("common.yes")
		}
		return d.T("common.no")
	case string:
		if x == "" {
			return "—"
		}
		if n, ok := d.names[x]; ok {
			return n
		}
		return x
	}
	return fmt.Sprint(v)
}

func (s *Server) customerData(r *http.Request, id string) (*customerPageData, error) {
	ctx := r.Context()
	c, err := s.Customers.GetCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &customerPageData{Page: s.page(r, "customers", "customer.title"), C: c, Today: s.today(), Tab: r.URL.Query().Get("tab")}
	d.Title, d.HideHeader = c.Name, true
	d.CanWrite = customers.CanWrite(access.From(ctx), &c.Customer)
	d.Now, d.posted = s.nowSecond(), url.Values{}
	if d.Can(string(access.CommRead)) {
		page, err := s.Comms.List(ctx, comms.Filter{CustomerID: id, Limit: 20})
		if err != nil {
			return nil, err
		}
		d.Comms, d.CommsMore = page.Items, page.Next != ""
	}
	if d.Contacts, err = s.Customers.Contacts(ctx, id); err != nil {
		return nil, err
	}
	if d.Equipment, err = s.Customers.EquipmentOf(ctx, id); err != nil {
		return nil, err
	}
	if d.Groups, d.Members, err = s.Customers.Groups(ctx, id); err != nil {
		return nil, err
	}
	if d.Files, err = s.Customers.Files(ctx, id); err != nil {
		return nil, err
	}
	if d.History, err = s.Customers.Changes(ctx, customers.ChangeFilter{CustomerID: id, Limit: 200}); err != nil {
		return nil, err
	}
	if d.names, err = s.Org.Names(ctx); err != nil {
		return nil, err
	}
	yes := true
	if d.Staff, err = s.Org.ListStaff(ctx, org.StaffFilter{Active: &yes}); err != nil {
		return nil, err
	}
	regions, err := s.Org.Regions(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range regions {
		d.names[r.ID] = r.Name
	}
	for _, ct := range d.Contacts {
		d.names[ct.ID] = ct.Name
	}
	return d, nil
}

// TabIs reports whether tab t is the open one (contacts by default).
func (d *customerPageData) TabIs(t string) bool {
	return d.Tab == t || (d.Tab == "" && t == "contacts")
}

func (s *Server) customerPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.customerData(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "customer", "", d)
}

func (s *Server) customerEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Customers.GetCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !customers.CanWrite(access.From(r.Context()), &c.Customer) {
		return apperr.Forbidden("只能修改自己分管的客户")
	}
	p := customerFormPage{Page: s.page(r, "customers", "customer.edit"), Customer: c.Customer, Today: s.today()}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "customer_form", "", &p)
}

func version(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

func (s *Server) customerUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	in := customerInput(r)
	if _, err := s.Customers.UpdateCustomer(r.Context(), id, version(r), in); err != nil {
		c, gerr := s.Customers.GetCustomer(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		p := customerFormPage{Page: s.page(r, "customers", "customer.edit"), Customer: c.Customer, Today: s.today()}
		if p.choices, gerr = s.choices(r); gerr != nil {
			return gerr
		}
		return s.formError(w, r, err, &p.Page, "customer_form", &p)
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
	return redirect(w, r, "/customers/"+id)
}

// afterArchiveEdit answers a form on the customer page: back to the page
// with a message, or the page re-rendered with the error.
func (s *Server) afterArchiveEdit(w http.ResponseWriter, r *http.Request, customerID, tab string, err error) error {
	return s.afterArchiveEditing(w, r, customerID, tab, "", err)
}

// afterArchiveEditing is afterArchiveEdit that, on an error, reopens the
// edit form of record editID (showing its current stored values).
func (s *Server) afterArchiveEditing(w http.ResponseWriter, r *http.Request, customerID, tab, editID string, err error) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "flash.saved"))
		return redirect(w, r, "/customers/"+customerID+"?tab="+tab)
	}
	k := apperr.KindOf(err)
	if k != apperr.KindInvalid && k != apperr.KindConflict {
		return err
	}
	d, derr := s.customerData(r, customerID)
	if derr != nil {
		return derr
	}
	d.Tab, d.EditID = tab, editID
	return s.formError(w, r, err, &d.Page, "customer", d)
}

func contactInput(r *http.Request) customers.ContactInput {
	f := r.PostFormValue
	in := customers.ContactInput{Name: f("name"), Title: f("title"), Phone: f("phone"), Phone2: f("phone2"), WeChat: f("wechat"),
		Email: f("email"), DecisionMaker: f("decision_maker") == "on", Notes: f("notes"), Change: change(r)}
	if _, ok := r.PostForm["active_present"]; ok {
		active := f("active") == "on"
		in.Active = &active
	}
	return in
}

func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Customers.AddContact(r.Context(), id, contactInput(r))
	return s.afterArchiveEdit(w, r, id, "contacts", err)
}

func (s *Server) contactEdit(w http.ResponseWriter, r *http.Request) error {
	ct, err := s.Customers.Contact(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.customerData(r, ct.CustomerID)
	if err != nil {
		return err
	}
	d.Tab, d.EditID = "contacts", ct.ID
	if isHTMX(r) {
		return s.render(w, http.StatusOK, "customer", "contact-form", map[string]any{"P": d, "Ct": *ct})
	}
	return s.render(w, http.StatusOK, "customer", "", d)
}

func (s *Server) contactUpdate(w http.ResponseWriter, r *http.Request) error {
	ct, err := s.Customers.Contact(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	_, err = s.Customers.UpdateContact(r.Context(), ct.ID, version(r), contactInput(r))
	return s.afterArchiveEditing(w, r, ct.CustomerID, "contacts", ct.ID, err)
}

func equipmentInput(r *http.Request) customers.EquipmentInput {
	f := r.PostFormValue
	in := customers.EquipmentInput{Kind: f("kind"), Brand: f("brand"), Model: f("model"), Serial: f("serial"),
		Location: f("location"), Params: f("params"), InstalledOn: f("installed_on"), Notes: f("notes"), Change: change(r)}
	if _, ok := r.PostForm["active_present"]; ok {
		active := f("active") == "on"
		in.Active = &active
	}
	return in
}

func (s *Server) equipmentCreate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Customers.AddEquipment(r.Context(), id, equipmentInput(r))
	return s.afterArchiveEdit(w, r, id, "equipment", err)
}

func (s *Server) equipmentUpdate(w http.ResponseWriter, r *http.Request) error {
	e, err := s.Customers.UpdateEquipment(r.Context(), r.PathValue("id"), version(r), equipmentInput(r))
	if err != nil && e == nil {
		if cid := r.PostFormValue("customer_id"); cid != "" {
			return s.afterArchiveEdit(w, r, cid, "equipment", err)
		}
		return err
	}
	return s.afterArchiveEdit(w, r, e.CustomerID, "equipment", nil)
}

func (s *Server) groupSave(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	f := r.PostFormValue
	in := customers.GroupInput{Name: f("name"), ExternalID: f("external_id"), CreatedOn: f("created_on"), Change: change(r)}
	if f("group_id") != "" {
		// The edit form's checkbox: unticked stops the group (no longer
		// served, its members leave the members-to-remove list).
		active := f("active") != ""
		in.Active = &active
	}
	_, err := s.Customers.SaveGroup(r.Context(), id, f("group_id"), version(r), in)
	return s.afterArchiveEdit(w, r, id, "wechat", err)
}

func (s *Server) memberAdd(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := customers.MemberInput{DisplayName: f("display_name"), Side: f("side"), ContactID: f("contact_id"), StaffID: f("staff_id"),
		JoinedOn: f("joined_on"), Change: change(r)}
	_, err := s.Customers.AddMember(r.Context(), r.PathValue("id"), in)
	return s.afterArchiveEdit(w, r, f("customer_id"), "wechat", err)
}

func (s *Server) memberRemove(w http.ResponseWriter, r *http.Request) error {
	err := s.Customers.RemoveMember(r.Context(), r.PathValue("id"), change(r))
	back := r.PostFormValue("customer_id")
	if back == "" {
		if err != nil {
			return err
		}
		return redirect(w, r, "/archive/members")
	}
	return s.afterArchiveEdit(w, r, back, "wechat", err)
}

func (s *Server) fileUpload(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return s.afterArchiveEdit(w, r, id, "files", apperr.Invalid("file", "文件超过大小限制"))
		}
		return s.afterArchiveEdit(w, r, id, "files", apperr.Invalid("file", "请选择文件"))
	}
	defer file.Close()
	_, err = s.Customers.AddFile(r.Context(), id, hdr.Filename, r.PostFormValue("category"), file, s.MaxUpload, change(r))
	if apperr.Is(err, apperr.KindTooLarge) {
		e, _ := apperr.As(err)
		err = apperr.Invalid("file", e.Message)
	}
	return s.afterArchiveEdit(w, r, id, "files", err)
}

func (s *Server) fileDownload(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.Customers.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return httpx.ServeAttachment(w, f.Name, f.ContentType, f.Size, rc)
}

type lateChangesPage struct {
	Page
	choices
	OwnerID string
	From    string
	To      string
	Items   []customers.ArchiveChangeView
}

func (s *Server) lateChanges(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := lateChangesPage{Page: s.page(r, "archive", "late.title"), OwnerID: q.Get("owner"), From: q.Get("from"), To: q.Get("to")}
	if me := access.From(r.Context()); !me.IsManagerial() && me.Has(access.CSSpecialist) && !q.Has("owner") {
		p.OwnerID = me.StaffID
	}
	var err error
	p.Items, err = s.Customers.Changes(r.Context(), customers.ChangeFilter{OwnerID: p.OwnerID, LateOnly: true, From: p.From, To: p.To, Limit: 500})
	if err != nil {
		return err
	}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "late", "", &p)
}

type membersPage struct {
	Page
	choices
	OwnerID string
	Items   []customers.MemberView
}

func (s *Server) membersToRemove(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := membersPage{Page: s.page(r, "archive", "members.title"), OwnerID: q.Get("owner")}
	if me := access.From(r.Context()); !me.IsManagerial() && me.Has(access.CSSpecialist) && !q.Has("owner") {
		p.OwnerID = me.StaffID
	}
	var err error
	if p.Items, err = s.Customers.MembersToRemove(r.Context(), p.OwnerID); err != nil {
		return err
	}
	if p.choices, err = s.choices(r); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "members", "", &p)
}
