// Package api serves kefu's JSON API under /api/v1: the same capabilities
// as the web pages, for machine clients (PBX, chat archive, finance) with
// Bearer tokens and for scripts. Errors are {"error":{"code","field",
// "message"}}. The route table in routes.go is the single list of
// endpoints, each with its permission, and openapi.json describes them
// (a golden test keeps the two in step).
package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"kefu/internal/auth"
	"kefu/internal/customers"
	"kefu/internal/httpx"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/workcal"
)

// Deps are the services the API uses.
type Deps struct {
	Log       *slog.Logger
	DB        *store.DB
	Auth      *auth.Service
	Org       *org.Service
	Customers *customers.Service
	Calendar  *workcal.Service
	Loc       *time.Location
	Now       func() time.Time
	MaxUpload int64
}

// Server is the JSON API.
type Server struct{ Deps }

// New returns the API server.
func New(d Deps) *Server { return &Server{Deps: d} }

// Mount registers every route behind its permission check.
func (s *Server) Mount(mux *http.ServeMux) {
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, httpx.Guard(rt, s.writeError))
	}
	// Unknown API paths answer in JSON, not with the web's 404 page.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusNotFound, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: "not_found", Message: "no such endpoint"}})
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteJSONError(s.Log, w, r, err)
}

// ok writes v as 200 JSON.
func ok(w http.ResponseWriter, v any) error {
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

// created writes v as 201 JSON.
func created(w http.ResponseWriter, v any) error {
	httpx.WriteJSON(w, http.StatusCreated, v)
	return nil
}

// intParam reads an integer query parameter with a default.
func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}
