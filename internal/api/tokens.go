package api

import (
	"net/http"
	"time"

	"kefu/internal/access"
	"kefu/internal/auth"
)

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Auth.Tokens(r.Context())
	if err != nil {
		return err
	}
	return ok(w, items(ts))
}

type tokenInput struct {
	// StaffID is the staff member the token acts as (default: the caller).
	StaffID string `json:"staff_id,omitempty"`
	Name    string `json:"name"`
	// ExpiresAt is optional; without it the token lasts until revoked.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// tokenCreated is a new token with its secret, shown only in this response.
type tokenCreated struct {
	auth.Token
	Secret string `json:"secret"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.StaffID == "" {
		in.StaffID = access.From(r.Context()).StaffID
	}
	t, secret, err := s.Auth.CreateToken(r.Context(), in.StaffID, in.Name, in.ExpiresAt)
	if err != nil {
		return err
	}
	return created(w, tokenCreated{Token: *t, Secret: secret})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.Auth.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
