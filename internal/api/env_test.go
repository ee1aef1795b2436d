package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kefu/internal/access"
	"kefu/internal/app"
	"kefu/internal/config"
	"kefu/internal/demo"
	"kefu/internal/httpx"
	"kefu/internal/store/storetest"
)

// The whole package shares one app per database: loading the demo company
// costs seconds (password hashing), so every top-level test runs its
// scenarios as subtests against the same running kefu. Tests create their
// own records where they change things, so their order does not matter.

var (
	envMu    sync.Mutex
	envs     = map[string]*env{}
	envErrs  = map[string]error{}
	cleanups []func()
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// env is one running kefu with the demo company and a Bearer token per
// demo login.
type env struct {
	db     string // sqlite or postgres
	app    *app.App
	url    string
	tokens map[string]string // login → token
	staff  map[string]string // login → staff id
	demo   *demo.Summary
	client *http.Client
}

// eachDB runs fn on SQLite and, when KEFU_TEST_PG is set, on PostgreSQL.
func eachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, getEnv(t, "sqlite")) })
	if os.Getenv(storetest.EnvPG) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, getEnv(t, "postgres")) })
	}
}

func getEnv(t *testing.T, db string) *env {
	t.Helper()
	envMu.Lock()
	defer envMu.Unlock()
	if e := envs[db]; e != nil {
		return e
	}
	if err := envErrs[db]; err != nil {
		t.Fatalf("test app on %s: %v", db, err)
	}
	e, err := newEnv(db)
	if err != nil {
		envErrs[db] = err
		t.Fatalf("test app on %s: %v", db, err)
	}
	envs[db] = e
	return e
}

// clockBase is 10:00 company time today, or yesterday when that is still
// ahead: the app's clock must not run ahead of the real one, because scs
// computes session expiry from time.Now while the session store compares
// it with the app's clock.
func clockBase(loc *time.Location) time.Time {
	now := time.Now().In(loc)
	base := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, loc)
	if base.After(now) {
		base = base.AddDate(0, 0, -1)
	}
	return base
}

func newEnv(db string) (*env, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "kefu-api-test-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.DBURL = filepath.Join(dir, "kefu.db")
	cfg.SQLiteSync = "NORMAL"
	if db == "postgres" {
		if cfg.DBURL, err = freshSchema(os.Getenv(storetest.EnvPG)); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	base, start := clockBase(loc), time.Now()
	clock := func() time.Time { return base.Add(time.Since(start)) }
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(ctx, cfg, logger, app.WithClock(clock))
	if err != nil {
		return nil, err
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	cleanups = append(cleanups, func() { srv.Close(); a.Close() })

	sum, err := demo.Load(ctx, demo.Deps{Org: a.Org, Auth: a.Auth, Customers: a.Customers, Now: a.Now, Loc: a.Location()})
	if err != nil {
		return nil, err
	}
	e := &env{db: db, app: a, url: srv.URL, tokens: map[string]string{}, staff: map[string]string{}, demo: sum,
		client: &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	sys := access.With(ctx, access.System())
	for _, l := range sum.Logins {
		st, err := a.Org.StaffByLogin(sys, l.Login)
		if err != nil {
			return nil, err
		}
		e.staff[l.Login] = st.ID
		if !l.Active {
			continue
		}
		_, tok, err := a.Auth.CreateToken(sys, st.ID, "api test "+l.Login, nil)
		if err != nil {
			return nil, err
		}
		e.tokens[l.Login] = tok
	}
	return e, nil
}

// freshSchema creates a schema of its own and returns a DSN that uses it.
func freshSchema(dsn string) (string, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "api_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", err
	}
	cleanups = append(cleanups, func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// today is the app's current date in company time.
func (e *env) today() time.Time { return e.app.Now().In(e.app.Location()) }

func (e *env) daysAgo(n int) string { return e.today().AddDate(0, 0, -n).Format(time.DateOnly) }

// response is an HTTP response with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	b := string(r.body)
	if len(b) > 600 {
		b = b[:600] + "…"
	}
	return fmt.Sprintf("%d %s", r.status, b)
}

// decode unmarshals the body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r, err)
	}
}

// obj is the body as a JSON object.
func (r response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// items is the "items" array of a list body.
func (r response) items(t *testing.T) []map[string]any {
	t.Helper()
	var l struct {
		Items []map[string]any `json:"items"`
	}
	r.decode(t, &l)
	if l.Items == nil {
		t.Fatalf("no items in %s", r)
	}
	return l.Items
}

// apiErr is the JSON error of the body.
func (r response) apiErr(t *testing.T) httpx.ErrorDetail {
	t.Helper()
	var b httpx.ErrorBody
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error.Code == "" {
		t.Fatalf("not a JSON error: %s", r)
	}
	return b.Error
}

// send makes a request as login ("" is anonymous) with a raw body.
func (e *env) send(t *testing.T, login, method, path, contentType string, body io.Reader, header ...string) response {
	t.Helper()
	r, err := e.try(login, method, path, contentType, body, header...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// try is send for goroutines other than the test's: it returns errors.
func (e *env) try(login, method, path, contentType string, body io.Reader, header ...string) (response, error) {
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		return response{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if login != "" {
		tok, ok := e.tokens[login]
		if !ok {
			return response{}, fmt.Errorf("no token for login %q", login)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading: %w", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// do sends body as JSON: a string or []byte is sent as is, nil sends no
// body, anything else is marshalled.
func (e *env) do(t *testing.T, login, method, path string, body any) response {
	t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ct = strings.NewReader(b), "application/json"
	case []byte:
		r, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r, ct = bytes.NewReader(j), "application/json"
	}
	return e.send(t, login, method, path, ct, r)
}

// must makes a request that must answer want.
func (e *env) must(t *testing.T, want int, login, method, path string, body any) response {
	t.Helper()
	r := e.do(t, login, method, path, body)
	if r.status != want {
		t.Fatalf("%s %s as %s: got %s, want %d", method, path, login, r, want)
	}
	return r
}

// part is one multipart field; a file when fileName is set.
type part struct {
	name, fileName string
	content        io.Reader
}

func field(name, value string) part { return part{name: name, content: strings.NewReader(value)} }

func file(name, fileName string, content []byte) part {
	return part{name: name, fileName: fileName, content: bytes.NewReader(content)}
}

// multipartBody streams parts as multipart/form-data (large files are not
// held in memory).
func multipartBody(parts ...part) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, p := range parts {
			h := textproto.MIMEHeader{}
			if p.fileName != "" {
				// Written by hand: CreateFormFile would escape the name, and
				// the tests send hostile names on purpose.
				h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.fileName))
				h.Set("Content-Type", "application/octet-stream")
			} else {
				h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q`, p.name))
			}
			w, err := mw.CreatePart(h)
			if err == nil {
				_, err = io.Copy(w, p.content)
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}

func (e *env) upload(t *testing.T, login, path string, parts ...part) response {
	t.Helper()
	body, ct := multipartBody(parts...)
	return e.send(t, login, http.MethodPost, path, ct, body)
}

// scenario is one row of a surface's table.
type scenario struct {
	name   string
	as     string // demo login; "" is anonymous
	method string
	path   string // {{var}} are replaced from the table's vars
	body   any    // JSON body; strings are sent as is (after {{var}} replacement)
	form   []part // a multipart body instead (POST)
	status int
	code   string // expected error code, for errors
	field  string // expected error field, for errors
	// same lists GET paths (read as admin) whose JSON must be the same
	// after the request as before: nothing stored changed.
	same  []string
	check func(t *testing.T, r response)
}

func expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	if i := strings.Index(s, "{{"); i >= 0 {
		panic("unknown variable in " + s)
	}
	return s
}

// run executes the rows in order as subtests.
func (e *env) run(t *testing.T, vars map[string]string, rows []scenario) {
	t.Helper()
	for _, sc := range rows {
		t.Run(sc.name, func(t *testing.T) {
			path := expand(sc.path, vars)
			var body any = sc.body
			switch b := sc.body.(type) {
			case nil:
			case string:
				body = expand(b, vars)
			default:
				j, err := json.Marshal(b)
				if err != nil {
					t.Fatal(err)
				}
				body = expand(string(j), vars)
			}
			before := make([]any, len(sc.same))
			for i, p := range sc.same {
				before[i] = e.snapshot(t, expand(p, vars))
			}
			var r response
			if sc.form != nil {
				r = e.upload(t, sc.as, path, sc.form...)
			} else {
				r = e.do(t, sc.as, sc.method, path, body)
			}
			if r.status != sc.status {
				t.Fatalf("%s %s as %q: got %s, want status %d", sc.method, path, sc.as, r, sc.status)
			}
			if sc.code != "" || sc.field != "" {
				got := r.apiErr(t)
				if got.Code != sc.code || got.Field != sc.field {
					t.Errorf("error code/field = %q/%q, want %q/%q (message %q)", got.Code, got.Field, sc.code, sc.field, got.Message)
				}
				if got.Message == "" {
					t.Errorf("error without a message")
				}
			}
			for i, p := range sc.same {
				if diff := cmp.Diff(before[i], e.snapshot(t, expand(p, vars))); diff != "" {
					t.Errorf("%s changed (-before +after):\n%s", p, diff)
				}
			}
			if sc.check != nil {
				sc.check(t, r)
			}
		})
	}
}

// snapshot reads path as admin and returns its JSON.
func (e *env) snapshot(t *testing.T, path string) any {
	t.Helper()
	r := e.must(t, http.StatusOK, "admin", http.MethodGet, path, nil)
	var v any
	r.decode(t, &v)
	return v
}

// customersOf returns customers owned by a demo login.
func (e *env) customersOf(t *testing.T, login string) []map[string]any {
	t.Helper()
	r := e.must(t, http.StatusOK, "admin", http.MethodGet, "/api/v1/customers?limit=200&owner_id="+e.staff[login], nil)
	cs := r.items(t)
	if len(cs) < 2 {
		t.Fatalf("%s owns %d customers, want at least 2", login, len(cs))
	}
	return cs
}

// regionID returns the id of the region named name.
func (e *env) regionID(t *testing.T, name string) string {
	t.Helper()
	for _, r := range e.must(t, http.StatusOK, "admin", http.MethodGet, "/api/v1/regions", nil).items(t) {
		if r["name"] == name {
			return r["id"].(string)
		}
	}
	t.Fatalf("no region %s", name)
	return ""
}

// newCustomer creates a customer of 国贸 owned by lin.wen for one test.
func (e *env) newCustomer(t *testing.T, name string) map[string]any {
	t.Helper()
	return e.must(t, http.StatusCreated, "manager", http.MethodPost, "/api/v1/customers", map[string]any{
		"name": name, "class": "B", "region_id": e.regionID(t, "国贸"), "owner_id": e.staff["lin.wen"], "address": "北京市朝阳区测试路 1 号",
	}).obj(t)
}

// newCustomerWithPhone is newCustomer with a contact 赵经理 of a random
// mobile number, which calls are matched to the customer by.
func (e *env) newCustomerWithPhone(t *testing.T, name string) (id, phone string) {
	t.Helper()
	id = e.newCustomer(t, name)["id"].(string)
	phone = fmt.Sprintf("137%08d", mrand.IntN(100_000_000))
	e.must(t, http.StatusCreated, "manager", http.MethodPost, "/api/v1/customers/"+id+"/contacts", map[string]any{"name": "赵经理", "phone": phone})
	return id, phone
}

// unique returns a name unlikely to exist yet.
func unique(prefix string) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}
