package web

import (
	"net/http"

	"kefu/internal/access"
	"kefu/internal/customers"
)

// homePage is the 工作台 of the signed-in person: panels by role.
type homePage struct {
	Page
	MyCustomers     int
	MyCustomersMore bool
	Late            []customers.ArchiveChangeView
	Members         []customers.MemberView
	Orphans         []customers.CustomerView
	Managerial      bool
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := access.From(ctx)
	p := homePage{Page: s.page(r, "home", "home.title"), Managerial: me.IsManagerial()}
	if me.Can(access.CustomerRead) {
		owner := ""
		if !p.Managerial && me.Has(access.CSSpecialist) {
			owner = me.StaffID
			page, err := s.Customers.ListCustomers(ctx, customers.ListFilter{OwnerID: owner, Status: "active", Limit: 200})
			if err != nil {
				return err
			}
			p.MyCustomers, p.MyCustomersMore = len(page.Items), page.Next != ""
		}
		if me.Has(access.CSSpecialist) || p.Managerial {
			var err error
			if p.Late, err = s.Customers.Changes(ctx, customers.ChangeFilter{OwnerID: owner, LateOnly: true, Limit: 10}); err != nil {
				return err
			}
			if p.Members, err = s.Customers.MembersToRemove(ctx, owner); err != nil {
				return err
			}
			orphans, err := s.Customers.ListCustomers(ctx, customers.ListFilter{Orphan: true, OwnerID: owner, Limit: 10})
			if err != nil {
				return err
			}
			p.Orphans = orphans.Items
		}
	}
	return s.render(w, http.StatusOK, "home", "", &p)
}
