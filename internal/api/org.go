package api

import (
	"net/http"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/org"
)

// meResponse is the caller.
type meResponse struct {
	StaffID string        `json:"staff_id"`
	Login   string        `json:"login"`
	Name    string        `json:"name"`
	Roles   []access.Role `json:"roles"`
	Locale  string        `json:"locale"`
	// Via is how the caller authenticated: token or session.
	Via string `json:"via"`
	// UnreadNotifications counts the caller's unread notifications.
	UnreadNotifications int `json:"unread_notifications"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := access.From(r.Context())
	roles := p.Roles
	if roles == nil {
		roles = []access.Role{}
	}
	unread := 0
	if s.Notify != nil && p.StaffID != "" {
		var err error
		if unread, err = s.Notify.Unread(r.Context()); err != nil {
			return err
		}
	}
	return ok(w, meResponse{StaffID: p.StaffID, Login: p.Login, Name: p.Name, Roles: roles, Locale: p.Locale, Via: p.Via,
		UnreadNotifications: unread})
}

type passwordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordChange
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.NewPassword == "" {
		return required("new_password")
	}
	if err := s.Auth.ChangePassword(r.Context(), access.From(r.Context()).StaffID, in.OldPassword, in.NewPassword); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	role, err := queryEnum(r, "role", roleNames()...)
	if err != nil {
		return err
	}
	active, err := queryBool(r, "active")
	if err != nil {
		return err
	}
	list, err := s.Org.ListStaff(r.Context(), org.StaffFilter{Role: access.Role(role), Active: active,
		Department: q.Get("department_id"), GroupID: q.Get("group_id"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	return ok(w, items(list))
}

// staffCreate is a new staff member, optionally with a first password.
type staffCreate struct {
	org.StaffInput
	// Password is optional; the person must change it at the next login
	// unless must_change is false.
	Password   string `json:"password,omitempty"`
	MustChange *bool  `json:"must_change,omitempty"`
}

func (s *Server) createStaff(w http.ResponseWriter, r *http.Request) error {
	var in staffCreate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Password != "" {
		// Check the password first, so a bad one creates nobody.
		if err := auth.ValidatePassword(strings.ToLower(strings.TrimSpace(in.Login)), in.Password); err != nil {
			return apperr.Invalid("password", err.Error())
		}
	}
	st, err := s.Org.CreateStaff(r.Context(), in.StaffInput)
	if err != nil {
		return err
	}
	if in.Password != "" {
		must := in.MustChange == nil || *in.MustChange
		if err := s.Auth.SetPassword(r.Context(), st.ID, in.Password, must); err != nil {
			return err
		}
	}
	return created(w, st)
}

func (s *Server) getStaff(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Org.GetStaff(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, st)
}

// staffInputOf is the input that leaves st unchanged.
func staffInputOf(st *org.Staff) org.StaffInput {
	return org.StaffInput{Login: st.Login, Name: st.Name, Phone: st.Phone, Email: st.Email, Title: st.Title,
		DepartmentID: deref(st.DepartmentID), SupervisorID: deref(st.SupervisorID), GroupID: deref(st.GroupID),
		Roles: st.Roles, Locale: st.Locale}
}

type staffUpdate struct {
	Version *int64 `json:"version"`
	org.StaffInput
}

func (s *Server) updateStaff(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Org.GetStaff(r.Context(), id)
	if err != nil {
		return err
	}
	in := staffUpdate{StaffInput: staffInputOf(cur)}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	st, err := s.Org.UpdateStaff(r.Context(), id, v, in.StaffInput)
	if err != nil {
		return err
	}
	return ok(w, st)
}

type rolesUpdate struct {
	Version *int64        `json:"version"`
	Roles   []access.Role `json:"roles"`
}

func (s *Server) setStaffRoles(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Org.GetStaff(r.Context(), id)
	if err != nil {
		return err
	}
	var in rolesUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if in.Roles == nil {
		return required("roles")
	}
	upd := staffInputOf(cur)
	upd.Roles = in.Roles
	st, err := s.Org.UpdateStaff(r.Context(), id, v, upd)
	if err != nil {
		return err
	}
	return ok(w, st)
}

type activeUpdate struct {
	Version *int64 `json:"version"`
	Active  *bool  `json:"active"`
	// LeftOn is the day the person left (YYYY-MM-DD, default today) when active is false.
	LeftOn string `json:"left_on,omitempty"`
}

func (s *Server) setStaffActive(w http.ResponseWriter, r *http.Request) error {
	var in activeUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if in.Active == nil {
		return required("active")
	}
	st, err := s.Org.SetActive(r.Context(), r.PathValue("id"), v, *in.Active, strings.TrimSpace(in.LeftOn))
	if err != nil {
		return err
	}
	return ok(w, st)
}

type passwordSet struct {
	Password string `json:"password"`
	// MustChange asks the person to change it at the next login (default true).
	MustChange *bool `json:"must_change,omitempty"`
}

func (s *Server) setStaffPassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordSet
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return required("password")
	}
	must := in.MustChange == nil || *in.MustChange
	if err := s.Auth.SetPassword(r.Context(), r.PathValue("id"), in.Password, must); err != nil {
		return err
	}
	return noContent(w)
}

// Departments, maintenance groups and regions.

type departmentInput struct {
	Name     string `json:"name"`
	ParentID string `json:"parent_id,omitempty"`
}

type departmentUpdate struct {
	Version *int64 `json:"version"`
	departmentInput
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.Org.Departments(r.Context())
	if err != nil {
		return err
	}
	return ok(w, items(ds))
}

func (s *Server) createDepartment(w http.ResponseWriter, r *http.Request) error {
	var in departmentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.Org.SaveDepartment(r.Context(), "", 0, org.UnitInput{Name: in.Name, ParentID: in.ParentID})
	if err != nil {
		return err
	}
	return created(w, d)
}

func (s *Server) updateDepartment(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	ds, err := s.Org.Departments(r.Context())
	if err != nil {
		return err
	}
	var in departmentUpdate
	found := false
	for _, d := range ds {
		if d.ID == id {
			in.departmentInput, found = departmentInput{Name: d.Name, ParentID: deref(d.ParentID)}, true
		}
	}
	if !found {
		return apperr.NotFound("department")
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Org.SaveDepartment(r.Context(), id, v, org.UnitInput{Name: in.Name, ParentID: in.ParentID})
	if err != nil {
		return err
	}
	return ok(w, d)
}

type groupInput struct {
	Name         string `json:"name"`
	SupervisorID string `json:"supervisor_id,omitempty"`
}

type groupUpdate struct {
	Version *int64 `json:"version"`
	groupInput
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.Org.Groups(r.Context())
	if err != nil {
		return err
	}
	return ok(w, items(gs))
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var in groupInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	g, err := s.Org.SaveGroup(r.Context(), "", 0, org.UnitInput{Name: in.Name, SupervisorID: in.SupervisorID})
	if err != nil {
		return err
	}
	return created(w, g)
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	gs, err := s.Org.Groups(r.Context())
	if err != nil {
		return err
	}
	var in groupUpdate
	found := false
	for _, g := range gs {
		if g.ID == id {
			in.groupInput, found = groupInput{Name: g.Name, SupervisorID: deref(g.SupervisorID)}, true
		}
	}
	if !found {
		return apperr.NotFound("group")
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	g, err := s.Org.SaveGroup(r.Context(), id, v, org.UnitInput{Name: in.Name, SupervisorID: in.SupervisorID})
	if err != nil {
		return err
	}
	return ok(w, g)
}

type regionInput struct {
	Name         string `json:"name"`
	Code         string `json:"code,omitempty"`
	GroupID      string `json:"group_id,omitempty"`
	SpecialistID string `json:"specialist_id,omitempty"`
}

type regionUpdate struct {
	Version *int64 `json:"version"`
	regionInput
}

func (in regionInput) unit() org.UnitInput {
	return org.UnitInput{Name: in.Name, Code: in.Code, GroupID: in.GroupID, SpecialistID: in.SpecialistID}
}

func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Org.Regions(r.Context())
	if err != nil {
		return err
	}
	return ok(w, items(rs))
}

func (s *Server) createRegion(w http.ResponseWriter, r *http.Request) error {
	var in regionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	reg, err := s.Org.SaveRegion(r.Context(), "", 0, in.unit())
	if err != nil {
		return err
	}
	return created(w, reg)
}

func (s *Server) updateRegion(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := s.Org.GetRegion(r.Context(), id)
	if err != nil {
		return err
	}
	in := regionUpdate{regionInput: regionInput{Name: cur.Name, Code: cur.Code, GroupID: deref(cur.GroupID), SpecialistID: deref(cur.SpecialistID)}}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	reg, err := s.Org.SaveRegion(r.Context(), id, v, in.unit())
	if err != nil {
		return err
	}
	return ok(w, reg)
}
