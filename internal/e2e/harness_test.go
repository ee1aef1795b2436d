package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/app"
	"kefu/internal/config"
	"kefu/internal/demo"
)

// demoPassword is the password of every demo login.
const demoPassword = demo.DefaultPassword

// Time limits. Every browser step runs under a session's deadline, so no
// test can hang.
const (
	setupTimeout   = 60 * time.Second // app.New + demo.Load + browser start
	sessionTimeout = 45 * time.Second // one login's whole walk
	// longSessionTimeout is the walk of a whole process (the appraisal
	// lifecycle: dozens of pages), which a busy CI machine needs longer for.
	longSessionTimeout = 150 * time.Second
	stepTimeout        = 10 * time.Second // one wait for the page to change
	browserLife        = 5 * time.Minute  // backstop: the browser never outlives this
)

// env is the application and the browser every test shares: building the
// demo company takes seconds, so it happens once per test binary.
type env struct {
	app  *app.App
	srv  *httptest.Server
	base string // http://127.0.0.1:port, also cfg.BaseURL
	log  *serverLog
	dir  string // data dir and browser profile, removed in TestMain

	allocCancel   context.CancelFunc
	browserCtx    context.Context // has a running browser; tabs are its children
	browserCancel context.CancelFunc
}

var (
	setupOnce sync.Once
	shared    *env
	setupErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.close()
	}
	os.Exit(code)
}

// chromiumPath is $KEFU_CHROMIUM or /usr/bin/chromium.
func chromiumPath() string {
	if p := os.Getenv("KEFU_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// browserEnv returns the shared environment, building it on first use. It
// skips the test when Chromium is missing, or fails it when
// KEFU_BROWSER_TESTS=required.
func browserEnv(t *testing.T) *env {
	t.Helper()
	path := chromiumPath()
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		if os.Getenv("KEFU_BROWSER_TESTS") == "required" {
			t.Fatalf("KEFU_BROWSER_TESTS=required but Chromium is not at %s (set KEFU_CHROMIUM): %v", path, err)
		}
		t.Skipf("browser test skipped: no Chromium at %s (install chromium or set KEFU_CHROMIUM; KEFU_BROWSER_TESTS=required makes this fail)", path)
	}
	setupOnce.Do(func() { shared, setupErr = setup(path) })
	if setupErr != nil {
		t.Fatalf("e2e setup: %v", setupErr)
	}
	return shared
}

func setup(chromium string) (_ *env, err error) {
	dir, err := os.MkdirTemp("", "kefu-e2e-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, log: &serverLog{}}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()

	// The listener comes first: cross-origin protection trusts BaseURL, so
	// it must be the real address before app.New.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		ln.Close()
		return nil, err
	}
	cfg.DBURL = filepath.Join(cfg.DataDir, "kefu.db")
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + ln.Addr().String()
	// CookieSecure stays true, as in production: Chromium treats
	// http://127.0.0.1 as a secure context and keeps the Secure session
	// cookie (TestLoginFailureAndLanguage checks it).
	if err := cfg.Validate(); err != nil {
		ln.Close()
		return nil, err
	}
	a, err := app.New(ctx, cfg, slog.New(e.log))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("app.New: %w", err)
	}
	e.app = a
	if _, err := demo.Load(access.With(ctx, access.System()), demo.Deps{Org: a.Org, Auth: a.Auth, Customers: a.Customers, Contracts: a.Contracts, Comms: a.Comms, Tickets: a.Tickets, Surveys: a.Surveys,
		Fieldwork: a.Fieldwork, Now: a.Now, Loc: a.Location()}); err != nil {
		ln.Close()
		return nil, fmt.Errorf("demo.Load: %w", err)
	}
	e.srv = httptest.NewUnstartedServer(a.Handler())
	e.srv.Listener = ln
	e.srv.Start()
	e.base = cfg.BaseURL

	profile := filepath.Join(dir, "chromium-profile")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1440, 900),
		// The staff's browsers are Chinese: the login page (no user yet)
		// follows Accept-Language.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.Env("LANGUAGE=zh_CN:zh", "LANG=zh_CN.UTF-8"),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	e.allocCancel = allocCancel
	// The first Run binds the browser's life to its context: give it the
	// backstop deadline, not the setup one.
	life, lifeCancel := context.WithTimeout(allocCtx, browserLife)
	bctx, bcancel := chromedp.NewContext(life)
	e.browserCtx = bctx
	e.browserCancel = func() { bcancel(); lifeCancel() }
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }()
	select {
	case err := <-started:
		if err != nil {
			return nil, fmt.Errorf("start Chromium %s: %w", chromium, err)
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("start Chromium %s: %w", chromium, ctx.Err())
	}
	return e, nil
}

func (e *env) close() {
	if e.browserCtx != nil {
		cctx, cancel := context.WithTimeout(e.browserCtx, 5*time.Second)
		_ = chromedp.Cancel(cctx)
		cancel()
		e.browserCancel()
	}
	if e.allocCancel != nil {
		e.allocCancel()
	}
	if e.srv != nil {
		e.srv.Close()
	}
	if e.app != nil {
		_ = e.app.Close()
	}
	// Chromium's helper processes can write to the profile for a moment
	// after the browser stops.
	for range 50 {
		if err := os.RemoveAll(e.dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serverLog is the application's slog handler: it keeps warnings and
// errors so that a test can fail on an internal error the page hid.
type serverLog struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	level slog.Level
	text  string
}

type logHandler struct {
	l     *serverLog
	attrs string
}

func (l *serverLog) Enabled(ctx context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *serverLog) Handle(ctx context.Context, r slog.Record) error {
	return logHandler{l: l}.Handle(ctx, r)
}
func (l *serverLog) WithAttrs(as []slog.Attr) slog.Handler { return logHandler{l: l}.WithAttrs(as) }
func (l *serverLog) WithGroup(string) slog.Handler         { return l }

func (h logHandler) Enabled(ctx context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (h logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.l.mu.Lock()
	h.l.lines = append(h.l.lines, logLine{r.Level, b.String()})
	h.l.mu.Unlock()
	return nil
}
func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range as {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	return logHandler{l: h.l, attrs: b.String()}
}
func (h logHandler) WithGroup(string) slog.Handler { return h }

func (l *serverLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// errorsSince returns the error records logged after mark.
func (l *serverLog) errorsSince(mark int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, ln := range l.lines[mark:] {
		if ln.level >= slog.LevelError {
			out = append(out, ln.text)
		}
	}
	return out
}

// session is one person at one browser: a tab in its own browser context
// (its own cookies, like an incognito window), bounded by a deadline.
type session struct {
	t    *testing.T
	e    *env
	ctx  context.Context
	name string

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	// expect are more error statuses this session's pages answer on
	// purpose (expectStatus), besides expectedStatus.
	expect []string
}

// expectStatus says that pages of this session answer code on purpose
// (a form refused with its message): the browser's console error for it
// does not fail the test; the test checks the status itself.
func (s *session) expectStatus(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expect = append(s.expect, fmt.Sprintf("status of %d ", code))
}

// expected reports whether a console line is about a status the session
// expects.
func (s *session) expected(text string) bool {
	for _, e := range s.expect {
		if strings.Contains(text, e) {
			return true
		}
	}
	return false
}

// newSession opens a fresh browser context. It fails the test, when the
// session ends, on JavaScript exceptions, console errors other than HTTP
// statuses the test expects, and internal errors in the server log.
func (e *env) newSession(t *testing.T, name string) *session {
	t.Helper()
	return e.newSessionFor(t, name, sessionTimeout)
}

// newLongSession is newSession for a walk through a whole process.
func (e *env) newLongSession(t *testing.T, name string) *session {
	t.Helper()
	return e.newSessionFor(t, name, longSessionTimeout)
}

func (e *env) newSessionFor(t *testing.T, name string, limit time.Duration) *session {
	t.Helper()
	tabCtx, tabCancel := chromedp.NewContext(e.browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tabCtx, limit)
	s := &session{t: t, e: e, ctx: ctx, name: name}
	mark := e.log.mark()
	// Console opens the tab and subscribes from its first message.
	msgs := chromedp.Console(ctx)
	// Intl dates and numbers as on a Chinese desktop (the placeholder of a
	// date input follows the browser's own UI language, English here).
	if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "zh_CN"}); err != nil {
		cancel()
		tabCancel()
		t.Fatalf("%s: open a browser tab: %v", name, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			s.mu.Lock()
			s.console = append(s.console, m)
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		tabCancel()
		<-done
		for _, line := range e.log.errorsSince(mark) {
			t.Errorf("%s: server logged an error: %s", name, line)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, m := range s.console {
			switch {
			case m.IsException():
				t.Errorf("%s: JavaScript exception: %s", name, m)
			case m.Type == chromedp.ConsoleError && m.Source == "network" && (expectedStatus.MatchString(m.Text) || s.expected(m.Text)):
				// A page answered 401/403/409 (or a status the session
				// expects) on purpose; the test checks it.
			case m.Type == chromedp.ConsoleError && strings.HasSuffix(m.URL, "/favicon.ico"):
				// Chromium asks for /favicon.ico on its own; kefu has none
				// (reported, cosmetic).
			case m.Type == chromedp.ConsoleError:
				t.Errorf("%s: console error at %s: %s", name, m.URL, m)
			}
		}
	})
	return s
}

// expectedStatus matches the browser's log line for error statuses the
// pages answer on purpose (wrong password, forbidden, edit conflict).
var expectedStatus = regexp.MustCompile(`status of (401|403|409)\b`)

// fatalf fails the test with the session's name and the page's address.
func (s *session) fatalf(format string, args ...any) {
	s.t.Helper()
	loc, _ := chromedp.Run(s.ctx, chromedp.Location())
	s.t.Fatalf("%s at %s: %s", s.name, loc, fmt.Sprintf(format, args...))
}

// do runs steps; what names the step for the failure message.
func (s *session) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.fatalf("%s: %v", what, err)
	}
}

// within runs steps with the shorter step deadline (waits for the page to
// change), so a missing element fails fast with a clear message.
func (s *session) within(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			s.fatalf("%s: timed out after %v", what, stepTimeout)
		}
		s.fatalf("%s: %v", what, err)
	}
}

// open navigates to path (relative to the server) and returns the status.
func (s *session) open(path string) int64 {
	s.t.Helper()
	resp, err := chromedp.Run(s.ctx, chromedp.NavigateResponse(s.e.base+path))
	if err != nil {
		s.fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// mustOpen navigates to path and fails unless the answer is 200.
func (s *session) mustOpen(path string) {
	s.t.Helper()
	if st := s.open(path); st != 200 {
		s.fatalf("open %s: HTTP %d, want 200; page says: %.300q", path, st, s.text("body"))
	}
}

// submit runs steps that submit a form (a click), waits for the page that
// answers, and returns its response.
func (s *session) submit(what string, steps ...chromedp.Action[chromedp.Void]) *network.Response {
	s.t.Helper()
	// A click that navigates nowhere (a form the browser refuses to send,
	// a click that missed) fails here, not at the session's deadline.
	ctx, cancel := context.WithTimeout(s.ctx, 3*stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		s.fatalf("%s: %v (no page loaded within %v)", what, err, 3*stepTimeout)
	}
	if resp == nil {
		s.fatalf("%s: no page was loaded (the click navigated nowhere)", what)
	}
	return resp
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](s *session, expr string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		s.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text is the visible text (innerText) of the first element matching the
// CSS selector, or "" when there is none.
func (s *session) text(css string) string {
	s.t.Helper()
	return eval[string](s, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css))
}

// texts is the visible text of every element matching the CSS selector.
func (s *session) texts(css string) []string {
	s.t.Helper()
	return eval[[]string](s, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.innerText.trim())`, css))
}

// waitJS waits until the JavaScript expression is truthy.
func (s *session) waitJS(what, expr string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		s.fatalf("waiting until %s: %v", what, err)
	}
}

// login signs in through the login page and checks the home page.
func (s *session) login(login, password string) {
	s.t.Helper()
	s.mustOpen("/login")
	s.within("fill in the login form",
		chromedp.SetValue(chromedp.ID("login"), login),
		chromedp.SetValue(chromedp.ID("password"), password))
	resp := s.submit("log in", chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	if resp.Status != 200 {
		s.fatalf("log in as %s: HTTP %d; page says %.300q", login, resp.Status, s.text("body"))
	}
	s.within("home page after login", chromedp.WaitVisible(chromedp.CSS(`[data-testid=whoami]`)))
}

// uuidRE matches a UUID; one shown as text is an id where a name belongs.
var uuidRE = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// i18nKeyRE matches a message id of the catalogue shown instead of its
// translation (translate falls back to the id when one is missing).
var i18nKeyRE = regexp.MustCompile(`(?:^|[^@.\w])((?:action|audit|bucket|calendar|common|contact|contracts?|customers?|entity|equipment|error|field|filter|finance|flash|form|history|home|import|invoice|late|list|login|members|nav|needs?|notifications?|org|orphans?|password|policy|quotes?|rates?|receivables|renewals?|role|side|staff|status|tab|tokens|wechat|weekday)\.[a-z][a-z_]*(?:\.[a-z_0-9]+)*)`)

// checkPageText fails on "TODO" anywhere in the page, and on raw UUIDs and
// raw message ids in the visible text of the page's content. innerText
// leaves out closed <details> and hidden elements; the innerText of a tab
// pane that is not shown is its whole text, so every tab of the customer
// page is checked as if opened.
func (s *session) checkPageText(path string) {
	s.t.Helper()
	body := eval[string](s, `document.body.textContent`)
	if strings.Contains(body, "TODO") {
		s.t.Errorf("%s: %s shows TODO: %q", s.name, path, around(body, strings.Index(body, "TODO")))
	}
	content := eval[string](s, `[document.querySelector('.page-body') || document.body, ...document.querySelectorAll('.tab-pane')].map(e => e.innerText).join('\n')`)
	for _, m := range uuidRE.FindAllStringIndex(content, 3) {
		s.t.Errorf("%s: %s shows a raw id where a name belongs: %q", s.name, path, around(content, m[0]))
	}
	for _, m := range i18nKeyRE.FindAllStringSubmatchIndex(content, 3) {
		s.t.Errorf("%s: %s shows an untranslated message id %q", s.name, path, content[m[2]:m[3]])
	}
}

// around returns the text near byte offset i, for messages.
func around(s string, i int) string {
	from, to := max(0, i-60), min(len(s), i+80)
	for from > 0 && !isRuneStart(s[from]) {
		from--
	}
	for to < len(s) && !isRuneStart(s[to]) {
		to++
	}
	return strings.Join(strings.Fields(s[from:to]), " ")
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// saveShot writes a PNG to the test's temp dir and, when KEFU_E2E_SHOTS is
// set, to that directory too.
func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("KEFU_E2E_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("KEFU_E2E_SHOTS: %v", err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatalf("write screenshot: %v", err)
		}
		t.Logf("screenshot %s (%d KB)", p, len(png)/1024)
	}
}
