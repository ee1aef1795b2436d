package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/httpx"
	"kefu/internal/store/storetest"
)

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{apperr.NotFound("customer"), http.StatusNotFound},
		{apperr.Invalid("name", "bad"), http.StatusBadRequest},
		{apperr.Conflict("version", "stale"), http.StatusConflict},
		{apperr.Forbidden("no"), http.StatusForbidden},
		{apperr.Unauthorized("who"), http.StatusUnauthorized},
		{apperr.TooLarge("file", "big"), http.StatusRequestEntityTooLarge},
		{apperr.RateLimited("wait"), http.StatusTooManyRequests},
		{fmt.Errorf("wrapped: %w", apperr.Conflict("", "x")), http.StatusConflict},
		{&apperr.Error{Kind: "mystery"}, http.StatusInternalServerError},
		{errors.New("disk on fire"), http.StatusInternalServerError},
		{nil, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		if got := httpx.Status(tc.err); got != tc.want {
			t.Errorf("Status(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

type payload struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Inner struct {
		N int `json:"n"`
	} `json:"inner"`
}

func TestDecodeJSON(t *testing.T) {
	big := `{"name":"` + strings.Repeat("a", httpx.MaxJSONBody) + `"}`
	tests := []struct {
		name      string
		ct        string
		body      string
		kind      apperr.Kind // "" = success
		field     string
		wantName  string
		wantCount int
	}{
		{name: "ok", ct: "application/json", body: `{"name":"张三","count":2}`, wantName: "张三", wantCount: 2},
		{name: "ok with charset", ct: "application/json; charset=utf-8", body: `{"name":"a"}`, wantName: "a"},
		{name: "ok without content type", body: `{"count":7}`, wantCount: 7},
		{name: "ok trailing whitespace", ct: "application/json", body: "{\"name\":\"a\"}\n\t ", wantName: "a"},
		{name: "malformed", ct: "application/json", body: `{"name" "a"}`, kind: apperr.KindInvalid},
		{name: "truncated", ct: "application/json", body: `{"name":`, kind: apperr.KindInvalid},
		{name: "not json", ct: "application/json", body: `name=a`, kind: apperr.KindInvalid},
		{name: "wrong type", ct: "application/json", body: `{"count":"three"}`, kind: apperr.KindInvalid, field: "count"},
		{name: "wrong type nested", ct: "application/json", body: `{"inner":{"n":true}}`, kind: apperr.KindInvalid, field: "inner.n"},
		{name: "wrong top-level type", ct: "application/json", body: `[1,2]`, kind: apperr.KindInvalid},
		{name: "unknown field", ct: "application/json", body: `{"name":"a","nmae":"b"}`, kind: apperr.KindInvalid, field: "nmae"},
		{name: "trailing value", ct: "application/json", body: `{"name":"a"}{"name":"b"}`, kind: apperr.KindInvalid},
		{name: "trailing garbage", ct: "application/json", body: `{"name":"a"} x`, kind: apperr.KindInvalid},
		{name: "empty body", ct: "application/json", body: ``, kind: apperr.KindInvalid},
		{name: "whitespace body", ct: "application/json", body: "  \n", kind: apperr.KindInvalid},
		{name: "oversize", ct: "application/json", body: big, kind: apperr.KindTooLarge},
		{name: "oversize trailing padding", ct: "application/json", body: `{"name":"a"}` + strings.Repeat(" ", httpx.MaxJSONBody), kind: apperr.KindTooLarge},
		{name: "form content type", ct: "application/x-www-form-urlencoded", body: `{"name":"a"}`, kind: apperr.KindInvalid},
		{name: "text content type", ct: "text/plain", body: `{"name":"a"}`, kind: apperr.KindInvalid},
		{name: "json-ish content type", ct: "application/jsonx", body: `{"name":"a"}`, kind: apperr.KindInvalid},
		{name: "malformed content type", ct: "application/json;;;=", body: `{"name":"a"}`, kind: apperr.KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tc.body))
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			var dst payload
			err := httpx.DecodeJSON(httptest.NewRecorder(), r, &dst)
			if tc.kind == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if dst.Name != tc.wantName || dst.Count != tc.wantCount {
					t.Errorf("decoded %+v", dst)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("error %v is not an apperr", err)
			}
			if e.Kind != tc.kind || e.Field != tc.field {
				t.Errorf("got kind %q field %q (%s), want kind %q field %q", e.Kind, e.Field, e.Message, tc.kind, tc.field)
			}
			if e.Message == "" {
				t.Error("empty message")
			}
			if len(e.Message) > 500 {
				t.Errorf("message echoes the body: %d bytes", len(e.Message))
			}
		})
	}
}

// Embedded structs, as API inputs compose them.
type ContactPart struct {
	DecisionMaker bool `json:"decision_maker"`
	Sub           struct {
		N int `json:"n"`
	} `json:"sub"`
}

type ChangePart struct {
	KnownOn string `json:"known_on"`
}

type composed struct {
	ContactPart
	*ChangePart
	Name  string        `json:"name"`
	Items []ContactPart `json:"items"`
	Named ContactPart   `json:"named"`
	NoTag int
}

// TestDecodeJSONFieldPath checks that a wrong type is reported under the
// JSON name the client sent, never a Go type name of an embedded struct.
func TestDecodeJSONFieldPath(t *testing.T) {
	tests := []struct{ body, field string }{
		{`{"decision_maker":"yes"}`, "decision_maker"},
		{`{"sub":{"n":"x"}}`, "sub.n"},
		{`{"known_on":20250101}`, "known_on"},
		{`{"name":1}`, "name"},
		{`{"items":[{"decision_maker":1}]}`, "items.decision_maker"},
		{`{"named":{"decision_maker":1}}`, "named.decision_maker"},
		{`{"named":{"sub":{"n":true}}}`, "named.sub.n"},
		{`{"NoTag":"x"}`, "NoTag"},
		{`"just a string"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tc.body))
			var dst composed
			err := httpx.DecodeJSON(httptest.NewRecorder(), r, &dst)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Field != tc.field {
				t.Fatalf("err = %v, want invalid field %q", err, tc.field)
			}
		})
	}
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) httpx.ErrorBody {
	t.Helper()
	var b httpx.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return b
}

func TestWriteJSONError(t *testing.T) {
	t.Run("classified error", func(t *testing.T) {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/api/v1/x", nil)
		httpx.WriteJSONError(log, rec, r, apperr.Invalid("phone", "电话号码格式不正确"))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("status %d", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", ct)
		}
		want := `{"error":{"code":"invalid","field":"phone","message":"电话号码格式不正确"}}`
		if got := strings.TrimSpace(rec.Body.String()); got != want {
			t.Errorf("body %s, want %s", got, want)
		}
		if logs.Len() != 0 {
			t.Errorf("a user error was logged: %s", logs.String())
		}
	})
	t.Run("no field omits it", func(t *testing.T) {
		rec := httptest.NewRecorder()
		httpx.WriteJSONError(slog.New(slog.DiscardHandler), rec, httptest.NewRequest("GET", "/", nil), apperr.NotFound("customer"))
		want := `{"error":{"code":"not_found","message":"customer not found"}}`
		if got := strings.TrimSpace(rec.Body.String()); got != want || rec.Code != 404 {
			t.Errorf("%d %s, want 404 %s", rec.Code, got, want)
		}
	})
	t.Run("an unknown id in the path names its wildcard", func(t *testing.T) {
		for pattern, field := range map[string]string{
			"GET /api/v1/customers/{id}":           "id",
			"POST /api/v1/customers/{id}/contacts": "id",
			"GET /api/v1/files/{key...}":           "key",
			"GET /api/v1/x/{kind}/items/{day}":     "day",
		} {
			mux := http.NewServeMux()
			mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				httpx.WriteJSONError(slog.New(slog.DiscardHandler), w, r, apperr.NotFound("thing"))
			})
			path := strings.NewReplacer("{id}", "nope", "{key...}", "a/b", "{kind}", "k", "{day}", "2026-03-01").Replace(pattern[strings.IndexByte(pattern, ' ')+1:])
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(pattern[:strings.IndexByte(pattern, ' ')], path, nil))
			if b := decodeBody(t, rec); rec.Code != 404 || b.Error.Field != field {
				t.Errorf("%s: %d field %q, want 404 field %q", pattern, rec.Code, b.Error.Field, field)
			}
		}
	})
	t.Run("internal error is logged, not shown", func(t *testing.T) {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		var rid string
		h := httpx.Base(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rid = httpx.RequestID(r.Context())
			httpx.WriteJSONError(log, w, r, fmt.Errorf("pq: password authentication failed for user kefu"))
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/customers", nil))
		if rec.Code != 500 {
			t.Errorf("status %d", rec.Code)
		}
		b := decodeBody(t, rec)
		if b.Error.Code != "internal" || strings.Contains(b.Error.Message, "password") {
			t.Errorf("body %+v", b)
		}
		if rid == "" || !strings.Contains(b.Error.Message, rid) {
			t.Errorf("message %q does not carry request id %q", b.Error.Message, rid)
		}
		if !strings.Contains(logs.String(), "password authentication failed") || !strings.Contains(logs.String(), rid) {
			t.Errorf("internal error not logged with its request id: %s", logs.String())
		}
	})
	t.Run("canceled request writes nothing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		httpx.WriteJSONError(slog.New(slog.DiscardHandler), rec, r, fmt.Errorf("query: %w", context.Canceled))
		if rec.Body.Len() != 0 || rec.Code != 200 /* recorder default: nothing written */ {
			t.Errorf("wrote %d %q", rec.Code, rec.Body.String())
		}
	})
}

// jsonErr renders errors as the API does, for the Guard and Authenticate tests.
func jsonErr(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteJSONError(slog.New(slog.DiscardHandler), w, r, err)
}

func TestGuard(t *testing.T) {
	tests := []struct {
		name       string
		perm       access.Permission
		p          *access.Principal
		handlerErr error
		wantStatus int
		wantCode   string
		wantCalled bool
	}{
		{"public without principal", access.Public, nil, nil, 200, "", true},
		{"authenticated without principal", access.Authenticated, nil, nil, 401, "unauthorized", false},
		{"authenticated with principal", access.Authenticated, &access.Principal{StaffID: "s"}, nil, 200, "", true},
		{"no principal", access.CustomerWrite, nil, nil, 401, "unauthorized", false},
		{"no permission", access.CustomerWrite, &access.Principal{StaffID: "s", Roles: []access.Role{access.Technician}}, nil, 403, "forbidden", false},
		{"no permission audit", access.AuditRead, &access.Principal{StaffID: "s", Roles: []access.Role{access.CSSpecialist}}, nil, 403, "forbidden", false},
		{"permitted", access.CustomerWrite, &access.Principal{StaffID: "s", Roles: []access.Role{access.CSSpecialist}}, nil, 200, "", true},
		{"handler not found", access.CustomerRead, &access.Principal{StaffID: "s", Roles: []access.Role{access.Technician}}, apperr.NotFound("customer"), 404, "not_found", true},
		{"handler conflict", access.CustomerWrite, &access.Principal{StaffID: "s", Roles: []access.Role{access.Admin}}, apperr.Conflict("version", "stale"), 409, "conflict", true},
		{"handler internal", access.CustomerRead, &access.Principal{StaffID: "s", Roles: []access.Role{access.Admin}}, errors.New("boom"), 500, "internal", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			h := httpx.Guard(httpx.Route{Pattern: "POST /x", Perm: tc.perm, Handle: func(w http.ResponseWriter, r *http.Request) error {
				called = true
				if access.From(r.Context()) != tc.p {
					t.Error("handler does not see the principal")
				}
				if tc.handlerErr != nil {
					return tc.handlerErr
				}
				w.WriteHeader(200)
				return nil
			}}, jsonErr)
			r := httptest.NewRequest("POST", "/x", nil)
			if tc.p != nil {
				r = r.WithContext(access.With(r.Context(), tc.p))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			if called != tc.wantCalled {
				t.Errorf("handler called = %v, want %v", called, tc.wantCalled)
			}
			if tc.wantCode != "" {
				if b := decodeBody(t, rec); b.Error.Code != tc.wantCode {
					t.Errorf("code %q, want %q", b.Error.Code, tc.wantCode)
				}
			}
		})
	}
}

// fakeAuth accepts the token "good" and the session staff id "s-active".
type fakeAuth struct{ tokenCalls int }

func (f *fakeAuth) Authenticate(_ context.Context, token string) (*access.Principal, error) {
	f.tokenCalls++
	if token == "good" {
		return &access.Principal{StaffID: "s-token", Roles: []access.Role{access.Admin}, Via: "token"}, nil
	}
	return nil, apperr.Unauthorized("API 令牌无效")
}

func (f *fakeAuth) Principal(_ context.Context, staffID string) (*access.Principal, error) {
	if staffID == "s-active" {
		return &access.Principal{StaffID: staffID, Roles: []access.Role{access.CSSpecialist}}, nil
	}
	return nil, apperr.Unauthorized("账号不存在或已停用")
}

func TestAuthenticate(t *testing.T) {
	stale := &access.Principal{StaffID: "from-base-context", Roles: []access.Role{access.Admin}}
	tests := []struct {
		name       string
		header     string
		session    string
		inherit    bool // request context already carries a principal
		wantStatus int
		wantStaff  string // principal the handler sees; "" = none
		wantVia    string
	}{
		{name: "good bearer", header: "Bearer good", wantStatus: 200, wantStaff: "s-token", wantVia: "token"},
		{name: "bearer with spaces", header: "Bearer   good  ", wantStatus: 200, wantStaff: "s-token", wantVia: "token"},
		{name: "bad bearer", header: "Bearer kf_nope", wantStatus: 401},
		{name: "bad bearer beats a good session", header: "Bearer bad", session: "s-active", wantStatus: 401},
		{name: "empty bearer", header: "Bearer ", wantStatus: 401},
		{name: "basic auth", header: "Basic dXNlcjpwYXNz", wantStatus: 401},
		{name: "token without scheme", header: "good", wantStatus: 401},
		{name: "session", session: "s-active", wantStatus: 200, wantStaff: "s-active", wantVia: "session"},
		{name: "session of a left staff member", session: "s-left", wantStatus: 200},
		{name: "anonymous", wantStatus: 200},
		{name: "inherited principal is dropped", inherit: true, wantStatus: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fa := &fakeAuth{}
			var seen *access.Principal
			called := false
			h := httpx.Authenticate(fa, func(context.Context) string { return tc.session }, jsonErr,
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					called = true
					seen = access.From(r.Context())
				}))
			r := httptest.NewRequest("GET", "/api/v1/x", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if tc.inherit {
				r = r.WithContext(access.With(r.Context(), stale))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				if called {
					t.Error("handler ran after an authentication error")
				}
				if b := decodeBody(t, rec); b.Error.Code != "unauthorized" {
					t.Errorf("code %q", b.Error.Code)
				}
				return
			}
			switch {
			case tc.wantStaff == "" && seen != nil:
				t.Errorf("handler sees principal %+v, want none", seen)
			case tc.wantStaff != "" && (seen == nil || seen.StaffID != tc.wantStaff || seen.Via != tc.wantVia):
				t.Errorf("handler sees %+v, want %s via %s", seen, tc.wantStaff, tc.wantVia)
			}
		})
	}
}

func TestAllow(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if err := httpx.Allow(r, access.Public); err != nil {
		t.Errorf("public: %v", err)
	}
	if err := httpx.Allow(r, access.StaffRead); !apperr.Is(err, apperr.KindUnauthorized) {
		t.Errorf("anonymous staff.read: %v", err)
	}
	r = r.WithContext(access.With(r.Context(), &access.Principal{Roles: []access.Role{access.Technician}}))
	if err := httpx.Allow(r, access.StaffRead); !apperr.Is(err, apperr.KindForbidden) {
		t.Errorf("technician staff.read: %v", err)
	}
	if err := httpx.Allow(r, access.CustomerRead); err != nil {
		t.Errorf("technician customer.read: %v", err)
	}
}

var ridRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestBaseRequestID(t *testing.T) {
	var inside []string
	h := httpx.Base(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside = append(inside, httpx.RequestID(r.Context()))
		_, _ = io.WriteString(w, "ok")
	}))
	var ids []string
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		id := rec.Header().Get("X-Request-Id")
		if !ridRE.MatchString(id) {
			t.Fatalf("X-Request-Id %q", id)
		}
		for _, k := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
			if rec.Header().Get(k) == "" {
				t.Errorf("missing %s", k)
			}
		}
		if rec.Code != 200 || rec.Body.String() != "ok" {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
		ids = append(ids, id)
	}
	for i, id := range ids {
		if inside[i] != id {
			t.Errorf("handler saw request id %q, header says %q", inside[i], id)
		}
		for j := range i {
			if ids[j] == id {
				t.Errorf("request id %q reused", id)
			}
		}
	}
	if httpx.RequestID(context.Background()) != "" {
		t.Error("request id outside a request")
	}
}

// TestBaseFeedsAudit checks that audit entries written while serving a
// request carry its request id and remote address.
func TestBaseFeedsAudit(t *testing.T) {
	db := storetest.SQLite(t)
	h := httpx.Base(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := db.Transact(r.Context(), func(ctx context.Context, tx bun.Tx) error {
			return audit.Record(ctx, tx, time.Now(), audit.Change{Action: "update", Entity: "thing", EntityID: "t1"})
		})
		if err != nil {
			t.Error(err)
		}
	}))
	r := httptest.NewRequest("POST", "/x", nil)
	r.RemoteAddr = "192.0.2.7:4321"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	es, err := audit.List(context.Background(), db.R(), audit.Filter{EntityID: "t1"})
	if err != nil || len(es) != 1 {
		t.Fatalf("entries %+v, %v", es, err)
	}
	if es[0].RequestID != rec.Header().Get("X-Request-Id") || es[0].RemoteAddr != "192.0.2.7:4321" {
		t.Errorf("entry request %q remote %q, response id %q", es[0].RequestID, es[0].RemoteAddr, rec.Header().Get("X-Request-Id"))
	}
}

func TestBaseRecoversPanics(t *testing.T) {
	t.Run("before writing", func(t *testing.T) {
		var logs bytes.Buffer
		h := httpx.Base(slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			panic("nil map somewhere")
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("status %d", rec.Code)
		}
		if strings.Contains(rec.Body.String(), "nil map") {
			t.Errorf("panic value shown to the client: %q", rec.Body.String())
		}
		rid := rec.Header().Get("X-Request-Id")
		if rid == "" || !strings.Contains(logs.String(), rid) || !strings.Contains(logs.String(), "nil map somewhere") {
			t.Errorf("panic not logged with request id %q: %s", rid, logs.String())
		}
	})
	t.Run("after writing keeps the status", func(t *testing.T) {
		h := httpx.Base(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, "partial")
			panic("late")
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != http.StatusAccepted || rec.Body.String() != "partial" {
			t.Errorf("%d %q", rec.Code, rec.Body.String())
		}
	})
	t.Run("abort handler propagates", func(t *testing.T) {
		h := httpx.Base(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			panic(http.ErrAbortHandler)
		}))
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		t.Error("ErrAbortHandler was swallowed")
	})
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	httpx.WriteJSON(rec, http.StatusCreated, map[string]string{"html": "<b>&</b>"})
	if rec.Code != 201 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%d %v", rec.Code, rec.Header())
	}
	if strings.Contains(rec.Body.String(), "<b>") {
		t.Errorf("HTML not escaped: %s", rec.Body.String())
	}
}
