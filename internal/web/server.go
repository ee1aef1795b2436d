// Package web serves kefu's server-rendered pages (html/template + htmx,
// Tabler styles), Simplified Chinese first. Every route is declared in
// routes.go with the permission it needs.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"kefu/internal/access"
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

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the services the pages use.
type Deps struct {
	Log       *slog.Logger
	DB        *store.DB
	Sessions  *scs.SessionManager
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

	// Scorecards keeps the appraisal (绩效考核): scheme versions, cards, rater flags.
	Scorecards *scorecards.Service
}

// Server renders the pages.
type Server struct {
	Deps
	cat   *catalogue
	pages map[string]*template.Template
}

// New parses every template and loads the catalogue; an error here is a
// programming error caught by tests.
func New(d Deps) (*Server, error) {
	cat, err := newCatalogue()
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, cat: cat}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"time": func(t any) string { return formatTime(s.Loc, t) },
		"due":  func(t *time.Time) string { return formatDue(s.Loc, t) },
		// ticketStatus, ticketUrgency: the badges (value, its word).
		"ticketStatus":  badge(ticketStatusBadge),
		"ticketUrgency": badge(ticketUrgencyBadge),
		// timeSec shows a time to the second (communication records).
		"timeSec": func(t time.Time) string { return t.In(s.Loc).Format(time.DateTime) },
		// secs shows a call's duration in seconds as 3分12秒.
		"secs": func(n *int64) string {
			if n == nil {
				return ""
			}
			return Duration(time.Duration(*n) * time.Second)
		},
		"money":     Money,
		"size":      formatSize,
		"deref":     deref,
		"join":      strings.Join,
		"hasPrefix": strings.HasPrefix,
		// followedUp: the need's last sent quote has a follow-up after it.
		"followedUp": func(n contracts.NeedView) bool {
			return n.LastSentAt != nil && n.LastFollowUp != nil && n.LastFollowUp.After(*n.LastSentAt)
		},
		"list": func(v ...string) []string { return v },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"qs": func(kv ...string) template.URL {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			return template.URL(v.Encode())
		},
	}
}

func (s *Server) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		// Partials (_name.html) hold blocks several pages share.
		t, err := template.New(base).Funcs(s.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return err
		}
		s.pages[base] = t
	}
	return nil
}

// Page is what every page template receives (embedded in typed page structs).
type Page struct {
	Title string
	Nav   string
	User  *access.Principal
	Lang  string
	Flash string
	Error *httpx.ErrorDetail
	Path  string
	// HideHeader drops the page title bar where the page shows its own heading.
	HideHeader bool
	// FieldPrefixes are tried in order before "field." to label the field
	// a form error names (contract.field.title is 合同名称, field.title 职务).
	FieldPrefixes []string
	srv           *Server
	req           *http.Request
	unread        *int
}

// T translates a message id for the page's language.
func (p *Page) T(id string, args ...any) string { return p.srv.cat.translate(p.Lang, id, args...) }

// Can reports whether the viewer holds a permission (for showing actions).
func (p *Page) Can(perm string) bool { return p.User.Can(access.Permission(perm)) }

// Unread counts the viewer's unread notifications for the bell in the
// top bar. It is asked only by the full layout, so an htmx partial or a
// download costs no query; the count is taken once per render.
func (p *Page) Unread() int {
	if p.unread != nil {
		return *p.unread
	}
	n := 0
	p.unread = &n
	if p.srv == nil || p.srv.Notify == nil || p.req == nil || p.User == nil || p.User.StaffID == "" || isHTMX(p.req) {
		return 0
	}
	n, err := p.srv.Notify.Unread(p.req.Context())
	if err != nil {
		p.srv.Log.Warn("unread notifications", "err", err)
		return 0
	}
	p.unread = &n
	return n
}

// Role translates a role name.
func (p *Page) Role(r access.Role) string { return p.T("role." + string(r)) }

// page builds the common part of a page for this request.
func (s *Server) page(r *http.Request, nav, titleID string) Page {
	p := Page{Nav: nav, User: access.From(r.Context()), Lang: s.lang(r), Path: r.URL.Path, srv: s, req: r}
	p.Title = p.T(titleID)
	if s.Sessions != nil {
		p.Flash = s.Sessions.PopString(r.Context(), "flash")
	}
	return p
}

func (s *Server) lang(r *http.Request) string {
	if s.Sessions != nil {
		if l := s.Sessions.GetString(r.Context(), "lang"); l != "" {
			return l
		}
	}
	if p := access.From(r.Context()); p != nil && p.Locale != "" {
		return p.Locale
	}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return "en"
	}
	return Languages[0]
}

// render executes template name (a page, or a block of it for htmx).
func (s *Server) render(w http.ResponseWriter, status int, name, block string, data any) error {
	t, ok := s.pages[name]
	if !ok {
		return errors.New("web: no template " + name)
	}
	if block == "" {
		block = "layout"
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write([]byte(buf.String()))
	return err
}

func (s *Server) flash(ctx context.Context, msg string) {
	if s.Sessions != nil {
		s.Sessions.Put(ctx, "flash", msg)
	}
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// redirect sends the browser to target after a successful form post (htmx
// follows HX-Redirect).
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

type errorPage struct {
	Page
	Status int
}

// Error renders err for a browser: not logged in → the login page; other
// kinds → an error page with the right status.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.Is(err, apperr.KindUnauthorized) && r.Method == http.MethodGet && !isHTMX(r) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status, d := httpx.Detail(s.Log, r, err)
	if status == 499 {
		return
	}
	if isHTMX(r) {
		// htmx swaps only 2xx by default; show the message in the error slot.
		w.Header().Set("HX-Retarget", "#htmx-error")
		w.Header().Set("HX-Reswap", "innerHTML")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`<div class="alert alert-danger">` + template.HTMLEscapeString(d.Message) + `</div>`))
		return
	}
	p := errorPage{Page: s.page(r, "", "error.title"), Status: status}
	p.Error = &d
	if rerr := s.render(w, status, "error", "", &p); rerr != nil {
		s.Log.Error("render error page", "err", rerr)
	}
}

// StaticHandler serves the embedded assets with long caching.
func StaticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

// SessionStaff reads the logged-in staff id from the session.
func (s *Server) SessionStaff(ctx context.Context) string {
	if s.Sessions == nil {
		return ""
	}
	return s.Sessions.GetString(ctx, "staff_id")
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

// listFieldRE matches a field inside a list: scope[2].times.
var listFieldRE = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]\.([a-z_]+)$`)

// fieldLabel names the field a domain error points at, as the form labels
// it: "times" → 次数; "scope[2].times" → 服务内容 第 3 行 · 次数.
func (p *Page) fieldLabel(field string) string {
	if m := listFieldRE.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[2])
		return p.fieldLabel(m[1]) + " " + p.T("form.row", "N", n+1) + " · " + p.fieldLabel(m[3])
	}
	for _, pre := range p.FieldPrefixes {
		if l := p.T(pre + field); l != pre+field {
			return l
		}
	}
	if l := p.T("field." + field); l != "field."+field {
		return l
	}
	return field
}
