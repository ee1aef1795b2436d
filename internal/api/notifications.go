package api

import (
	"net/http"
)

// In-app notifications (站内通知): each caller reads and marks only their
// own (the notify service scopes every call to the caller), and the
// reminder job that adds the contracts' reminders.

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	unread, err := queryBool(r, "unread_only")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	ns, err := s.Notify.List(r.Context(), unread != nil && *unread, limit)
	if err != nil {
		return err
	}
	return ok(w, items(ns))
}

// markNotificationRead marks one of the caller's notifications read. An
// id that is not the caller's (or is already read) changes nothing.
func (s *Server) markNotificationRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Notify.MarkRead(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) markAllNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Notify.MarkRead(r.Context(), ""); err != nil {
		return err
	}
	return noContent(w)
}

// runReminders adds the contracts' reminders now (renewal window,
// installment due and overdue, quote follow-up); each notice is added
// once, so running it again adds only what is new.
func (s *Server) runReminders(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Contracts.RunReminders(r.Context())
	if err != nil {
		return err
	}
	return ok(w, n)
}
