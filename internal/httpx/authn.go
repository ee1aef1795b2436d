package httpx

import (
	"context"
	"net/http"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
)

// Authenticator resolves credentials to a principal.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*access.Principal, error)
	Principal(ctx context.Context, staffID string) (*access.Principal, error)
}

// SessionStaff reads the staff id stored in the web session.
type SessionStaff func(ctx context.Context) string

// Authenticate puts the principal for a Bearer token or the session into
// the request context. A bad token is rejected at once with 401 JSON;
// a session whose staff member left simply yields no principal.
func Authenticate(auth Authenticator, session SessionStaff, onErr func(http.ResponseWriter, *http.Request, error), h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Never trust a principal inherited from the server's base context.
		ctx := access.With(r.Context(), nil)
		if hdr := r.Header.Get("Authorization"); hdr != "" {
			scheme, tok, ok := strings.Cut(hdr, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") { // the scheme is case-insensitive (RFC 9110 §11.1)
				onErr(w, r, apperr.Unauthorized("Authorization 须为 Bearer 令牌"))
				return
			}
			p, err := auth.Authenticate(ctx, strings.TrimSpace(tok))
			if err != nil {
				onErr(w, r, err)
				return
			}
			h.ServeHTTP(w, r.WithContext(access.With(ctx, p)))
			return
		}
		if id := session(ctx); id != "" {
			if p, err := auth.Principal(ctx, id); err == nil {
				p.Via = "session"
				ctx = access.With(ctx, p)
			}
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Allow checks perm for the request's principal: no principal is
// Unauthorized, a principal without the permission is Forbidden.
func Allow(r *http.Request, perm access.Permission) error {
	if perm == access.Public {
		return nil
	}
	p := access.From(r.Context())
	if p == nil {
		return apperr.Unauthorized("请先登录")
	}
	if !p.Can(perm) {
		return apperr.Forbidden("没有权限执行此操作")
	}
	return nil
}
