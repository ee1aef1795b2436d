package app

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/alexedwards/scs/v2"

	"kefu/internal/api"
	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/httpx"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
	"kefu/internal/web"
	"kefu/internal/wecom"
	"kefu/internal/workcal"
)

// build creates the services and the HTTP surfaces, in dependency order.
func (a *App) build(ctx context.Context) error {
	blobs, err := blob.OpenDisk(filepath.Join(a.cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	a.Blobs = blobs
	a.Org = org.NewService(a.db, a.now, org.WithLocation(a.loc))
	a.Auth = auth.NewService(a.db, a.now)
	a.Calendar = workcal.NewService(a.db, a.now)
	a.Customers = customers.NewService(a.db, blobs, a.now, customers.Options{Location: a.loc, SpecialistReadAll: a.cfg.SpecialistReadAll})
	a.Notify = notify.NewService(a.db, a.now)
	a.Comms = comms.NewService(a.db, a.now, comms.Options{Location: a.loc, SpecialistReadAll: a.cfg.SpecialistReadAll, Owners: a.Customers, Blobs: blobs, Calendars: a.Calendar})
	a.Fieldwork = fieldwork.NewService(a.db, a.Calendar, a.now, fieldwork.Options{Location: a.loc, SpecialistReadAll: a.cfg.SpecialistReadAll,
		Blobs: blobs, MaxPhotoBytes: a.cfg.MaxPhotoSize})
	// Contact records logged through contracts take part in the response
	// clocks: contracts asks comms to re-derive the customer's after each,
	// and field work to re-plan a changed contract's project.
	a.Contracts = contracts.NewService(a.db, a.Calendar, a.now, contracts.Options{Location: a.loc, Blobs: blobs, SpecialistReadAll: a.cfg.SpecialistReadAll,
		Clocks: contractClocks{a.Comms}, Work: a.Fieldwork, Log: a.log})
	a.Surveys = surveys.NewService(a.db, surveyCustomers{a.Customers}, surveyComms{a.Comms}, a.now,
		surveys.Options{Location: a.loc, SpecialistReadAll: a.cfg.SpecialistReadAll})
	// The ticket deadlines' near-breach and breach notices also go to the
	// group robot, when one is configured.
	var robot notify.Pusher
	if a.cfg.WeComWebhook != "" {
		robot = wecom.New(a.cfg.WeComWebhook, nil)
	}
	a.Tickets = tickets.NewService(a.db, a.Calendar, a.now, tickets.Options{Location: a.loc, SpecialistReadAll: a.cfg.SpecialistReadAll,
		Surveys: surveyScores{a.Surveys}, Pusher: robot})
	a.Scorecards = scorecards.NewService(a.db, a.now, scorecards.Options{Location: a.loc, Rates: contracts.AppraisalRates{Contracts: a.Contracts}})
	if n, err := a.Scorecards.EnsureShipped(ctx); err != nil {
		return err
	} else if n > 0 {
		a.log.Info("appraisal schemes stored", "count", n)
	}
	if n, err := a.Calendar.SeedIfEmpty(ctx); err != nil {
		return err
	} else if n > 0 {
		a.log.Info("holidays seeded", "days", n, "source", workcal.SeedSource)
	}
	a.sessionStore = auth.NewSessionStore(a.db, a.now)

	sessions := scs.New()
	sessions.Store = a.sessionStore
	sessions.IdleTimeout = a.cfg.SessionIdle
	sessions.Lifetime = a.cfg.SessionMax
	sessions.Cookie.Name = "kefu_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.Secure = a.cfg.CookieSecure
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Persist = false

	w, err := web.New(web.Deps{Log: a.log, DB: a.db, Sessions: sessions, Auth: a.Auth, Org: a.Org, Customers: a.Customers,
		Contracts: a.Contracts, Comms: a.Comms, Tickets: a.Tickets, Surveys: a.Surveys, Fieldwork: a.Fieldwork, Calendar: a.Calendar, Notify: a.Notify, Loc: a.loc, Now: a.now, MaxUpload: a.cfg.MaxUploadSize,
		Scorecards: a.Scorecards})
	if err != nil {
		return err
	}
	apiSrv := api.New(api.Deps{Log: a.log, DB: a.db, Auth: a.Auth, Org: a.Org, Customers: a.Customers, Contracts: a.Contracts, Comms: a.Comms, Tickets: a.Tickets, Surveys: a.Surveys,
		Fieldwork: a.Fieldwork, Scorecards: a.Scorecards, Calendar: a.Calendar, Notify: a.Notify, Loc: a.loc, Now: a.now, MaxUpload: a.cfg.MaxUploadSize})
	a.web, a.api = w, apiSrv

	mux := http.NewServeMux()
	w.Mount(mux)
	apiSrv.Mount(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.db.SQLDB().PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})

	// Errors before routing (a bad Bearer token) are answered as JSON for
	// the API and as pages elsewhere.
	onAuthErr := func(rw http.ResponseWriter, r *http.Request, err error) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			httpx.WriteJSONError(a.log, rw, r, err)
			return
		}
		w.Error(rw, r, err)
	}
	var h http.Handler = mux
	h = httpx.Authenticate(a.Auth, w.SessionStaff, onAuthErr, h)
	h = sessions.LoadAndSave(h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		onAuthErr(rw, r, apperr.Forbidden("请求来源不被允许：请从本系统的页面操作 (cross-origin request refused)"))
	}))
	if err := cop.AddTrustedOrigin(strings.TrimSuffix(a.cfg.BaseURL, "/")); err != nil {
		return err
	}
	h = cop.Handler(h)
	a.handler = httpx.Base(a.log, h)
	return nil
}
