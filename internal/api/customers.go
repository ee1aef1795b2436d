package api

import (
	"net/http"

	"kefu/internal/access"
	"kefu/internal/customers"
	"kefu/internal/httpx"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	return ok(w, access.From(r.Context()))
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := s.Customers.ListCustomers(r.Context(), customers.ListFilter{Query: q.Get("q"), RegionID: q.Get("region_id"),
		Class: q.Get("class"), OwnerID: q.Get("owner_id"), Status: q.Get("status"), Orphan: q.Get("orphan") == "true",
		After: q.Get("after"), Limit: intParam(r, "limit", 50)})
	if err != nil {
		return err
	}
	return ok(w, page)
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
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Customers.CreateCustomer(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, c)
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Version int64 `json:"version"`
		customers.CustomerInput
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Customers.UpdateCustomer(r.Context(), r.PathValue("id"), in.Version, in.CustomerInput)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Customers.Contacts(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": cs})
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var in customers.ContactInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Customers.AddContact(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, c)
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Version int64 `json:"version"`
		customers.ContactInput
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Customers.UpdateContact(r.Context(), r.PathValue("id"), in.Version, in.ContactInput)
	if err != nil {
		return err
	}
	return ok(w, c)
}
