package web

import (
	"net/http"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/httpx"
)

type loginPage struct {
	Page
	Login string
	Next  string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if access.From(r.Context()) != nil {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")))
	}
	p := loginPage{Page: s.page(r, "", "login.title"), Next: safeNext(r.URL.Query().Get("next"))}
	return s.render(w, http.StatusOK, "login", "", &p)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	login, password := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	principal, err := s.Auth.Login(r.Context(), login, password)
	if err != nil {
		kind := apperr.KindOf(err)
		if kind != apperr.KindUnauthorized && kind != apperr.KindRateLimited {
			return err
		}
		p := loginPage{Page: s.page(r, "", "login.title"), Login: login, Next: next}
		_, d := httpx.Detail(s.Log, r, err)
		p.Error = &d
		return s.render(w, httpx.Status(err), "login", "", &p)
	}
	// A new token on login prevents session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.Sessions.Put(r.Context(), "staff_id", principal.StaffID)
	if must, _ := s.Auth.MustChangePassword(r.Context(), principal.StaffID); must {
		s.flash(r.Context(), s.cat.translate(s.lang(r), "password.must_change"))
		next = "/account/password"
	}
	return redirect(w, r, next)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		return err
	}
	return redirect(w, r, "/login")
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	for _, l := range Languages {
		if l == lang {
			s.Sessions.Put(r.Context(), "lang", lang)
		}
	}
	back := r.PostFormValue("back")
	return redirect(w, r, safeNext(back))
}

type passwordPage struct{ Page }

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	p := passwordPage{s.page(r, "", "password.title")}
	return s.render(w, http.StatusOK, "password", "", &p)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	me := access.From(r.Context())
	var err error
	if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
		err = apperr.Invalid("confirm_password", "")
	} else {
		err = s.Auth.ChangePassword(r.Context(), me.StaffID, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	}
	if apperr.Is(err, apperr.KindInvalid) {
		p := passwordPage{s.page(r, "", "password.title")}
		_, d := httpx.Detail(s.Log, r, err)
		if d.Field == "confirm_password" {
			d.Message = p.T("password.mismatch")
		}
		p.Error = &d
		return s.render(w, http.StatusBadRequest, "password", "", &p)
	}
	if err != nil {
		return err
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "password.changed"))
	return redirect(w, r, "/")
}
