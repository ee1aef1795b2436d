package api

import (
	"errors"
	"net/http"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/httpx"
	"kefu/internal/store"
)

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	class, err := queryEnum(r, "class", customers.Classes...)
	if err != nil {
		return err
	}
	status, err := queryEnum(r, "status", customers.Statuses...)
	if err != nil {
		return err
	}
	orphan, err := queryBool(r, "orphan")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	pg, err := s.Customers.ListCustomers(r.Context(), customers.ListFilter{Query: q.Get("q"), RegionID: q.Get("region_id"),
		Class: class, OwnerID: q.Get("owner_id"), Status: status, Orphan: orphan != nil && *orphan,
		After: q.Get("after"), Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, paged(pg.Items, pg.Next))
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Customers.GetCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customers.CustomerInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Customers.CreateCustomer(r.Context(), in)
	if err != nil {
		return err
	}
	v, err := s.Customers.GetCustomer(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return created(w, v)
}

type customerUpdate struct {
	Version *int64 `json:"version"`
	customers.CustomerInput
}

// customerInputOf is the input that leaves c unchanged.
func customerInputOf(c *customers.Customer) customers.CustomerInput {
	return customers.CustomerInput{Code: c.Code, Name: c.Name, Class: c.Class, RegionID: c.RegionID,
		OwnerID: deref(c.OwnerID), SalesOwnerID: deref(c.SalesOwnerID), Address: c.Address, Status: c.Status,
		Notes: c.Notes, PaperLocation: c.PaperLocation, PaperReceivedBy: c.PaperReceivedBy,
		PaperReceivedOn: deref(c.PaperReceivedOn), Since: deref(c.Since)}
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Customers.GetCustomer(r.Context(), id)
	if err != nil {
		return err
	}
	// Fields the body leaves out keep the values read here; the version
	// check makes the update fail if the row changed since.
	in := customerUpdate{CustomerInput: customerInputOf(&cur.Customer)}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if _, err := s.Customers.UpdateCustomer(r.Context(), id, v, in.CustomerInput); err != nil {
		return err
	}
	view, err := s.Customers.GetCustomer(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, view)
}

func (s *Server) customerChanges(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	limit, err := queryInt(r, "limit", 200, 1, 1000)
	if err != nil {
		return err
	}
	// The history is the customer's: only who may read the customer reads it.
	if _, err := s.Customers.GetCustomer(r.Context(), id); err != nil {
		return err
	}
	cs, err := s.Customers.Changes(r.Context(), customers.ChangeFilter{CustomerID: id, Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, items(cs))
}

// Contacts.

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Customers.Contacts(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(cs))
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var in customers.ContactInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Customers.AddContact(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, c)
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Customers.Contact(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, c)
}

type contactUpdate struct {
	Version *int64 `json:"version"`
	customers.ContactInput
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Customers.Contact(r.Context(), id)
	if err != nil {
		return err
	}
	in := contactUpdate{ContactInput: customers.ContactInput{Name: cur.Name, Title: cur.Title, Phone: cur.Phone, Phone2: cur.Phone2,
		WeChat: cur.WeChat, Email: cur.Email, DecisionMaker: cur.DecisionMaker, Active: boolPtr(cur.Active), Notes: cur.Notes}}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	c, err := s.Customers.UpdateContact(r.Context(), id, v, in.ContactInput)
	if err != nil {
		return err
	}
	return ok(w, c)
}

// Equipment.

func (s *Server) listEquipment(w http.ResponseWriter, r *http.Request) error {
	es, err := s.Customers.EquipmentOf(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(es))
}

func (s *Server) createEquipment(w http.ResponseWriter, r *http.Request) error {
	var in customers.EquipmentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.Customers.AddEquipment(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, e)
}

type equipmentUpdate struct {
	Version *int64 `json:"version"`
	customers.EquipmentInput
}

// current reads the row with id into model for pre-filling an update:
// the customers service has no single-record getter for equipment and
// WeChat groups. The write itself goes through the service, which checks
// the caller may change the customer.
func (s *Server) current(r *http.Request, model any, id, what string) error {
	err := s.DB.R().NewSelect().Model(model).Where("id = ?", id).Scan(r.Context())
	if errors.Is(err, store.ErrNoRows) {
		return apperr.NotFound(what)
	}
	return err
}

func (s *Server) updateEquipment(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur := new(customers.Equipment)
	if err := s.current(r, cur, id, "equipment"); err != nil {
		return err
	}
	in := equipmentUpdate{EquipmentInput: customers.EquipmentInput{Kind: cur.Kind, Brand: cur.Brand, Model: cur.Model, Serial: cur.Serial,
		Location: cur.Location, Params: cur.Params, InstalledOn: deref(cur.InstalledOn), Active: boolPtr(cur.Active), Notes: cur.Notes}}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	e, err := s.Customers.UpdateEquipment(r.Context(), id, v, in.EquipmentInput)
	if err != nil {
		return err
	}
	return ok(w, e)
}

// WeChat service groups.

// wechatGroupView is a group with its current and past members.
type wechatGroupView struct {
	customers.WeChatGroup
	Members []customers.MemberView `json:"members"`
}

func (s *Server) listWeChatGroups(w http.ResponseWriter, r *http.Request) error {
	groups, members, err := s.Customers.Groups(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]wechatGroupView, len(groups))
	for i, g := range groups {
		ms := members[g.ID]
		if ms == nil {
			ms = []customers.MemberView{}
		}
		out[i] = wechatGroupView{WeChatGroup: g, Members: ms}
	}
	return ok(w, items(out))
}

func (s *Server) createWeChatGroup(w http.ResponseWriter, r *http.Request) error {
	var in customers.GroupInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	g, err := s.Customers.SaveGroup(r.Context(), r.PathValue("id"), "", 0, in)
	if err != nil {
		return err
	}
	return created(w, g)
}

type groupUpdateBody struct {
	Version *int64 `json:"version"`
	customers.GroupInput
}

func (s *Server) updateWeChatGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur := new(customers.WeChatGroup)
	if err := s.current(r, cur, id, "wechat group"); err != nil {
		return err
	}
	in := groupUpdateBody{GroupInput: customers.GroupInput{Name: cur.Name, ExternalID: cur.ExternalID,
		CreatedOn: deref(cur.CreatedOn), Active: boolPtr(cur.Active)}}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	g, err := s.Customers.SaveGroup(r.Context(), cur.CustomerID, id, v, in.GroupInput)
	if err != nil {
		return err
	}
	return ok(w, g)
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	var in customers.MemberInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.Customers.AddMember(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, m)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	var ch customers.Change
	if err := decodeOptional(w, r, &ch); err != nil {
		return err
	}
	if err := s.Customers.RemoveMember(r.Context(), r.PathValue("id"), ch); err != nil {
		return err
	}
	return noContent(w)
}

// Electronic files.

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Customers.Files(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(fs))
}

func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, s.MaxUpload); err != nil {
		return err
	}
	at, err := formTime(r, "recorded_at")
	if err != nil {
		return err
	}
	file, name, err := formFile(r)
	if err != nil {
		return err
	}
	defer file.Close()
	f, err := s.Customers.AddFile(r.Context(), r.PathValue("id"), name, r.FormValue("category"), file, s.MaxUpload,
		customers.Change{KnownOn: r.FormValue("known_on"), RecordedAt: at})
	if err != nil {
		return err
	}
	return created(w, f)
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.Customers.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return httpx.ServeAttachment(w, f.Name, f.ContentType, f.Size, rc)
}

// Archive lists.

// ownerFilter is the owner_id a list is for: as given, or — for a
// specialist who did not say — their own customers, like the web page.
func ownerFilter(r *http.Request) string {
	q := r.URL.Query()
	if me := access.From(r.Context()); !q.Has("owner_id") && !me.IsManagerial() && me.Has(access.CSSpecialist) {
		return me.StaffID
	}
	return q.Get("owner_id")
}

func (s *Server) lateChanges(w http.ResponseWriter, r *http.Request) error {
	from, err := queryDate(r, "from")
	if err != nil {
		return err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 500, 1, 1000)
	if err != nil {
		return err
	}
	cs, err := s.Customers.Changes(r.Context(), customers.ChangeFilter{OwnerID: ownerFilter(r), LateOnly: true, From: from, To: to, Limit: limit})
	if err != nil {
		return err
	}
	return ok(w, items(cs))
}

func (s *Server) membersToRemove(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Customers.MembersToRemove(r.Context(), ownerFilter(r))
	if err != nil {
		return err
	}
	return ok(w, items(ms))
}
