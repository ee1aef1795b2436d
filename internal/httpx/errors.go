// Package httpx is kefu's HTTP plumbing shared by the web pages and the
// JSON API: the one place errors become status codes, request decoding,
// middleware (request id, recovery, access log, cross-origin protection,
// authentication) and the route type whose every entry names its
// permission.
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"kefu/internal/apperr"
)

// Status maps an error to its HTTP status. This is the only such map.
func Status(err error) int {
	switch apperr.KindOf(err) {
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindUnauthorized:
		return http.StatusUnauthorized
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON error shape: {"error":{"code","field","message"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Detail returns the user-facing description of err. Internal errors are
// logged once here and shown as a generic message.
func Detail(log *slog.Logger, r *http.Request, err error) (int, ErrorDetail) {
	status := Status(err)
	if e, ok := apperr.As(err); ok {
		return status, ErrorDetail{Code: string(e.Kind), Field: e.Field, Message: e.Message}
	}
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		return 499, ErrorDetail{Code: "canceled", Message: "请求已取消"}
	}
	log.Error("internal error", "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()), "err", err)
	return status, ErrorDetail{Code: "internal", Message: "服务器内部错误，请稍后重试 (request " + RequestID(r.Context()) + ")"}
}

// WriteJSONError writes err as a JSON error body.
func WriteJSONError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	status, d := Detail(log, r, err)
	if status == 499 {
		return
	}
	if status == http.StatusNotFound && d.Field == "" {
		d.Field = lastWildcard(r.Pattern)
	}
	WriteJSON(w, status, ErrorBody{Error: d})
}

// lastWildcard names the last path wildcard of a route pattern
// ("GET /api/v1/customers/{id}/contacts" → "id"): an unknown id in the path
// is a not-found that names its field like any other bad input.
func lastWildcard(pattern string) string {
	open := strings.LastIndexByte(pattern, '{')
	if open < 0 {
		return ""
	}
	end := strings.IndexByte(pattern[open:], '}')
	if end < 0 {
		return ""
	}
	return strings.TrimSuffix(pattern[open+1:open+end], "...")
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
