// Package app is kefu's composition root: it opens the store, builds the
// domain services and the HTTP surfaces, and owns the startup and shutdown
// order. Tests build the whole application from here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"kefu/internal/access"
	"kefu/internal/api"
	"kefu/internal/auth"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/config"
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
	"kefu/internal/web"
	"kefu/internal/wecom"
	"kefu/internal/workcal"
)

// App is one running kefu: its database, services and HTTP handler.
type App struct {
	cfg config.Config
	log *slog.Logger
	db  *store.DB
	loc *time.Location
	now func() time.Time

	handler http.Handler

	Blobs        *blob.Disk
	Org          *org.Service
	Auth         *auth.Service
	Calendar     *workcal.Service
	Customers    *customers.Service
	Contracts    *contracts.Service
	Comms        *comms.Service
	Tickets      *tickets.Service
	Surveys      *surveys.Service
	Fieldwork    *fieldwork.Service
	Scorecards   *scorecards.Service
	Notify       *notify.Service
	sessionStore *auth.SessionStore
	web          *web.Server
	api          *api.Server
}

// Option adjusts New (tests inject a clock).
type Option func(*App)

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option { return func(a *App) { a.now = now } }

// New opens and migrates the database and builds every service.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("app: time zone: %w", err)
	}
	a := &App{cfg: cfg, log: logger, loc: loc, now: time.Now}
	for _, o := range opts {
		o(a)
	}
	db, err := store.Open(ctx, cfg.DBURL, store.Options{SQLiteSync: cfg.SQLiteSync})
	if err != nil {
		return nil, err
	}
	a.db = db
	if err := db.Migrate(ctx, logger); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.build(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// DB exposes the store (CLI subcommands and tests).
func (a *App) DB() *store.DB { return a.db }

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Close releases the database and the blob store.
func (a *App) Close() error {
	var err error
	if a.Blobs != nil {
		err = a.Blobs.Close()
	}
	return errors.Join(err, a.db.Close())
}

// Now is the application clock.
func (a *App) Now() time.Time { return a.now() }

// Location is the company time zone.
func (a *App) Location() *time.Location { return a.loc }

// Serve listens on cfg.Addr until ctx is cancelled, then shuts down
// gracefully: in-flight requests get up to 15 seconds to finish.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("app: listen: %w", err)
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener serves on ln until ctx is cancelled.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.sweepSessions(ctx)
	go a.runReminders(ctx)
	go a.runClockSweeper(ctx)
	a.log.Info("kefu listening", "addr", ln.Addr().String(), "url", a.cfg.BaseURL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sweepSessions deletes expired sessions every 10 minutes until ctx ends.
func (a *App) sweepSessions(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.sessionStore.DeleteExpired(ctx); err != nil {
				a.log.Warn("session sweep", "err", err)
			} else if n > 0 {
				a.log.Debug("expired sessions deleted", "count", n)
			}
		}
	}
}

// runReminders adds due reminders (renewal windows, installments, quote
// follow-ups) at start and every 10 minutes until ctx ends. Each notice
// carries a dedup key, so a run never repeats one.
func (a *App) runReminders(ctx context.Context) {
	sys := access.With(ctx, access.System())
	run := func() {
		if a.Tickets != nil {
			if n, err := a.Tickets.DeriveBreaches(sys); err != nil {
				a.log.Warn("ticket deadlines", "err", err)
			} else if n.Withdrawn > 0 {
				a.log.Info("ticket deadline events withdrawn", "count", n.Withdrawn)
			}
			if n, err := a.Tickets.DeriveRegistrationEvents(sys); err != nil {
				a.log.Warn("ticket registration events", "err", err)
			} else if n.Withdrawn > 0 {
				a.log.Info("ticket registration events withdrawn", "count", n.Withdrawn)
			}
		}
		if a.Comms != nil {
			if n, err := a.Comms.DeriveNoContactEvents(sys); err != nil {
				a.log.Warn("no-contact events", "err", err)
			} else if n.Withdrawn > 0 {
				a.log.Info("no-contact events withdrawn", "count", n.Withdrawn)
			}
		}
		if a.Customers != nil {
			if n, err := a.Customers.DeriveArchiveLate(sys); err != nil {
				a.log.Warn("archive-late events", "err", err)
			} else if n.Withdrawn > 0 {
				a.log.Info("archive-late events withdrawn", "count", n.Withdrawn)
			}
		}
		if a.Fieldwork != nil {
			if n, err := a.Fieldwork.DeriveEvents(sys); err != nil {
				a.log.Warn("field work events", "err", err)
			} else if n.Withdrawn > 0 {
				a.log.Info("field work events withdrawn", "count", n.Withdrawn)
			}
			if n, err := a.Fieldwork.DeriveProgressEvents(sys); err != nil {
				a.log.Warn("field work progress events", "err", err)
			} else if n.Withdrawn > 0 {
				a.log.Info("field work progress events withdrawn", "count", n.Withdrawn)
			}
		}
		if a.Surveys != nil {
			if n, err := a.Surveys.RunReminders(sys); err != nil {
				a.log.Warn("survey reminders", "err", err)
			} else if n != (surveys.ReminderCounts{}) {
				a.log.Info("survey reminders added", "due_soon", n.DueSoon, "overdue", n.Overdue)
			}
		}
		if a.Scorecards != nil {
			if n, err := a.Scorecards.FinalizeDue(sys); err != nil {
				a.log.Warn("scorecards finalize", "err", err)
			} else if n > 0 {
				a.log.Info("scorecards finalized", "count", n)
			}
		}
		if n, err := a.Contracts.RunReminders(sys); err != nil {
			a.log.Warn("reminders", "err", err)
		} else if n != (contracts.ReminderCounts{}) {
			a.log.Info("reminders added", "renewal_window", n.RenewalWindow, "installment_due", n.InstallmentDue,
				"overdue", n.Overdue, "quote_follow_up", n.QuoteFollowUp)
		}
	}
	run()
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}

// clockSweeper is the response clocks' sweeper, posting its notices to
// the WeCom group robot of KEFU_WECOM_WEBHOOK too when it is set.
func (a *App) clockSweeper() *comms.Sweeper {
	var robot comms.Pusher
	if a.cfg.WeComWebhook != "" {
		robot = wecom.New(a.cfg.WeComWebhook, nil)
	}
	return a.Comms.NewSweeper(robot)
}

// runClockSweeper turns running response clocks into near-breach and
// breach notices and events every second until ctx ends.
func (a *App) runClockSweeper(ctx context.Context) {
	sys := access.With(ctx, access.System())
	sw := a.clockSweeper()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := sw.Sweep(sys); err != nil && ctx.Err() == nil {
				a.log.Warn("response clock sweep", "err", err)
			}
		}
	}
}

// Routes lists every route of the web and API surfaces, each with its
// permission (the permission test walks them).
func (a *App) Routes() []httpx.Route {
	return append(a.web.Routes(), a.api.Routes()...)
}
