// Package api serves kefu's JSON API under /api/v1: the same capabilities
// as the web pages, for machine clients (PBX, chat archive, finance) with
// Bearer tokens and for scripts. Errors are {"error":{"code","field",
// "message"}}. The route table in routes.go is the single list of
// endpoints, each with its permission and its description; the OpenAPI
// document served at /api/v1/openapi.json is built from that table
// (openapi_doc.go), so no route can exist undescribed.
package api

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/httpx"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

// Deps are the services the API uses.
type Deps struct {
	Log       *slog.Logger
	DB        *store.DB
	Auth      *auth.Service
	Org       *org.Service
	Customers *customers.Service
	Contracts *contracts.Service
	Comms     *comms.Service
	Tickets   *tickets.Service
	Surveys   *surveys.Service
	Fieldwork *fieldwork.Service
	Calendar  *workcal.Service
	Notify    *notify.Service
	Loc       *time.Location
	Now       func() time.Time
	MaxUpload int64

	// Scorecards keeps the appraisal (绩效考核): scheme versions, cards and their lifecycle, flags, exports, year-end.
	Scorecards *scorecards.Service
}

// Server is the JSON API.
type Server struct {
	Deps

	docOnce sync.Once
	doc     []byte
	docErr  error
}

// New returns the API server.
func New(d Deps) *Server { return &Server{Deps: d} }

// Mount registers every route behind its permission check.
func (s *Server) Mount(mux *http.ServeMux) {
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, httpx.Guard(rt, s.writeError))
	}
	// Unknown API paths answer in JSON, not with the web's 404 page; a
	// known path with the wrong method is 405 with the methods it allows.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); m != r.Method && pattern != "/api/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if allow != nil {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			httpx.WriteJSON(w, http.StatusMethodNotAllowed, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: "method_not_allowed",
				Message: "该路径只支持 " + strings.Join(allow, ", ") + " (allowed: " + strings.Join(allow, ", ") + ")"}})
			return
		}
		httpx.WriteJSON(w, http.StatusNotFound, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: "not_found", Message: "没有这个接口 (no such endpoint)"}})
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

// noContent answers 204.
func noContent(w http.ResponseWriter) error {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// list is an unpaged list response: {"items":[…]}.
type list[T any] struct {
	Items []T `json:"items"`
}

// page is a keyset-paged list response: {"items":[…],"next":"cursor"};
// next is "" on the last page.
type page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

func items[T any](xs []T) list[T] {
	if xs == nil {
		xs = []T{}
	}
	return list[T]{Items: xs}
}

func paged[T any](xs []T, next string) page[T] {
	if xs == nil {
		xs = []T{}
	}
	return page[T]{Items: xs, Next: next}
}

// decode reads a JSON body into dst (which may be pre-filled: fields the
// body leaves out keep their values). A problem with the body as a whole
// (malformed JSON, empty, too large) names the field "body".
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return bodyField(httpx.DecodeJSON(w, r, dst))
}

// decodeOptional is decode for bodies that may be absent or empty.
func decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.ContentLength == 0 {
		return nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxJSONBody))
	if err != nil {
		return bodyField(apperr.TooLarge("", fmt.Sprintf("请求体超过 %d MB (the body exceeds %d MB)", httpx.MaxJSONBody>>20, httpx.MaxJSONBody>>20)))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decode(w, r, dst)
}

func bodyField(err error) error {
	if e, ok := apperr.As(err); ok && e.Field == "" {
		return &apperr.Error{Kind: e.Kind, Field: "body", Message: e.Message, Err: e.Err}
	}
	return err
}

// required reports a missing field.
func required(field string) error { return apperr.Invalid(field, "必填 (required)") }

// needVersion checks that an update names the version it read.
func needVersion(v *int64) (int64, error) {
	if v == nil {
		return 0, required("version")
	}
	return *v, nil
}

// queryInt reads an integer query parameter in [lo, hi] with a default.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, apperr.Invalid(name, fmt.Sprintf("须为 %d–%d 的整数 (an integer from %d to %d)", lo, hi, lo, hi))
	}
	return n, nil
}

// queryBool reads a boolean query parameter; absent is nil.
func queryBool(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, apperr.Invalid(name, "须为 true 或 false (true or false)")
	}
	return &b, nil
}

// queryDate reads a YYYY-MM-DD query parameter.
func queryDate(r *http.Request, name string) (string, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", apperr.Invalid(name, "日期格式应为 YYYY-MM-DD (date as YYYY-MM-DD)")
	}
	return v, nil
}

// queryEnum reads a query parameter that must be one of allowed (or empty).
func queryEnum(r *http.Request, name string, allowed ...string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return "", nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", apperr.Invalid(name, "取值须为 "+strings.Join(allowed, "、")+" (one of "+strings.Join(allowed, ", ")+")")
}

// parseForm parses a multipart/form-data request whose whole body may be
// at most limit bytes (plus room for the other fields). Files above the
// memory threshold go to temporary files, removed when the request ends.
func parseForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return apperr.Invalid("body", "请求体须为 multipart/form-data (the body must be multipart/form-data)")
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || strings.Contains(err.Error(), "too large") {
			return apperr.TooLarge("file", fmt.Sprintf("文件超过 %d MB (the file exceeds %d MB)", limit>>20, limit>>20))
		}
		return apperr.Invalid("body", "multipart 请求体无法解析 (malformed multipart body)")
	}
	return nil
}

// formFile returns the uploaded file of field "file" and the file name
// exactly as the client sent it: multipart's FileHeader.Filename keeps
// only the base name, which would hide a path-traversal attempt that the
// domain must see and refuse.
func formFile(r *http.Request) (multipart.File, string, error) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "", apperr.Invalid("file", "请选择文件 (the file part is missing)")
	}
	name := hdr.Filename
	if _, params, err := mime.ParseMediaType(hdr.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		name = params["filename"]
	}
	return f, name, nil
}

// formTime reads an optional RFC 3339 form field.
func formTime(r *http.Request, name string) (*time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, apperr.Invalid(name, "时间格式应为 RFC 3339，例如 2026-03-05T21:07:00+08:00 (an RFC 3339 time)")
	}
	return &t, nil
}

// formBool reads an optional boolean form field.
func formBool(r *http.Request, name string, def bool) (bool, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Invalid(name, "须为 true 或 false (true or false)")
	}
	return b, nil
}

// encodeCursor and decodeCursor carry a keyset position (a time and an
// id) in an opaque URL-safe string.
func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "\x00" + id))
}

func decodeCursor(s string) (time.Time, string, error) {
	bad := apperr.Invalid("after", "分页游标无效 (invalid cursor)")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", bad
	}
	at, id, found := strings.Cut(string(b), "\x00")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !found || err != nil || id == "" {
		return time.Time{}, "", bad
	}
	return t, id, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func boolPtr(b bool) *bool { return &b }

// today is the company's current date.
func (s *Server) today() time.Time { return s.Now().In(s.Loc) }
