package api

import (
	"kefu/internal/access"
	"kefu/internal/httpx"
)

// Routes is the API's one route table.
func (s *Server) Routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /api/v1/openapi.json", Perm: access.Public, Handle: s.openAPI},
		{Pattern: "GET /api/v1/me", Perm: access.Authenticated, Handle: s.me},

		{Pattern: "GET /api/v1/customers", Perm: access.CustomerRead, Handle: s.listCustomers},
		{Pattern: "POST /api/v1/customers", Perm: access.CustomerWrite, Handle: s.createCustomer},
		{Pattern: "GET /api/v1/customers/{id}", Perm: access.CustomerRead, Handle: s.getCustomer},
		{Pattern: "PUT /api/v1/customers/{id}", Perm: access.CustomerWrite, Handle: s.updateCustomer},
		{Pattern: "GET /api/v1/customers/{id}/contacts", Perm: access.CustomerRead, Handle: s.listContacts},
		{Pattern: "POST /api/v1/customers/{id}/contacts", Perm: access.CustomerWrite, Handle: s.createContact},
		{Pattern: "PUT /api/v1/contacts/{id}", Perm: access.CustomerWrite, Handle: s.updateContact},
	}
}
