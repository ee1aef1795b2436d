package httpx

import (
	"net/http"

	"kefu/internal/access"
)

// Route is one entry of a surface's route table: a net/http pattern, the
// permission a caller needs, and the handler. Ownership (e.g. a specialist
// editing only the customers they own) is checked by the domain on top.
type Route struct {
	Pattern string // "GET /customers/{id}"
	Perm    access.Permission
	Handle  func(w http.ResponseWriter, r *http.Request) error
}

// Guard checks the route's permission for the principal in the request
// and calls the handler; onErr renders any error (the surface decides:
// JSON for the API, a page or a redirect for the web).
func Guard(rt Route, onErr func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := Allow(r, rt.Perm); err != nil {
			onErr(w, r, err)
			return
		}
		if err := rt.Handle(w, r); err != nil {
			onErr(w, r, err)
		}
	})
}
