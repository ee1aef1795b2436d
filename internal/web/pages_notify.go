package web

import (
	"net/http"

	"kefu/internal/notify"
)

// ---- 站内通知 -------------------------------------------------------------------

type notificationsPage struct {
	Page
	Items      []notify.Notification
	UnreadOnly bool
}

func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) error {
	p := notificationsPage{Page: s.page(r, "notifications", "notify.title"), UnreadOnly: r.URL.Query().Get("unread") == "1"}
	var err error
	if p.Items, err = s.Notify.List(r.Context(), p.UnreadOnly, 200); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "notifications", "", &p)
}

// notificationRead marks one notification read and goes on to what it is
// about (next), or back to the list.
func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Notify.MarkRead(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	next := r.PostFormValue("next")
	if next == "" {
		next = "/notifications"
	}
	return redirect(w, r, safeNext(next))
}

func (s *Server) notificationsReadAll(w http.ResponseWriter, r *http.Request) error {
	if err := s.Notify.MarkRead(r.Context(), ""); err != nil {
		return err
	}
	s.flash(r.Context(), s.cat.translate(s.lang(r), "notify.all_read"))
	return redirect(w, r, "/notifications")
}
