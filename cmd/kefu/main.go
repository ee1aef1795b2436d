// Command kefu runs the kefu customer-service platform: the web UI and
// JSON API on one port, over embedded SQLite (default) or PostgreSQL.
//
//	kefu [serve]                 start the server (default)
//	kefu migrate                 apply database migrations and exit
//	kefu demo                    load the demo company into an empty database
//	kefu user add|passwd|list    manage logins
//	kefu token create|revoke|list  API tokens for machine clients
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"kefu/internal/access"
	"kefu/internal/app"
	"kefu/internal/config"
	"kefu/internal/demo"
	"kefu/internal/org"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefu:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "migrate", "demo", "user", "token", "appraise":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	sub := ""
	if (cmd == "user" || cmd == "token") && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("kefu "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts cliOptions
	opts.register(fs, cmd, sub)
	cfg, err := config.Load(fs, args)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	// Subcommands act as the system; the server never does (each request
	// gets the principal of its own session or token).
	sys := access.With(ctx, access.System())

	switch cmd {
	case "migrate":
		v, err := a.DB().MigrationVersion(ctx)
		fmt.Fprintf(stdout, "database migrated to version %d\n", v)
		return err
	case "demo":
		return loadDemo(sys, a, stdout)
	case "user":
		return userCmd(sys, a, sub, opts, stdout)
	case "token":
		return tokenCmd(sys, a, sub, opts, stdout)
	case "appraise":
		return appraiseCmd(sys, a, opts, stdout)
	}
	logger.Info("starting kefu", cfg.Redacted()...)
	if err := firstStart(sys, a, cfg.Demo, stdout); err != nil {
		return err
	}
	return a.Serve(ctx)
}

const usage = `usage: kefu [command] [flags]

commands:
  serve                       start the web UI and API (default)
  migrate                     apply database migrations and exit
  demo                        load the demo company into an empty database
  user add -login L -name N -roles r1,r2 [-password P]
  user passwd -login L -password P
  user list
  token create -login L -name N [-days D]
  token revoke -id ID_OR_PREFIX
  token list
  appraise -month 2026-03 [-staff LOGIN] [-format table|json]
                              compute the month's scorecards from the records and print them

common flags: -addr, -db, -data, -demo (see README for KEFU_* variables)
`

type cliOptions struct {
	login, name, roles, password, id string
	days                             int
	month, format                    string
}

func (o *cliOptions) register(fs *flag.FlagSet, cmd, sub string) {
	switch cmd + " " + sub {
	case "user add":
		fs.StringVar(&o.login, "login", "", "login name")
		fs.StringVar(&o.name, "name", "", "full name")
		fs.StringVar(&o.roles, "roles", "", "comma-separated roles: "+roleList())
		fs.StringVar(&o.password, "password", "", "initial password (must be changed at first login)")
	case "user passwd":
		fs.StringVar(&o.login, "login", "", "login name")
		fs.StringVar(&o.password, "password", "", "new password")
	case "token create":
		fs.StringVar(&o.login, "login", "", "the staff member the token acts as")
		fs.StringVar(&o.name, "name", "", "what the token is for, e.g. PBX")
		fs.IntVar(&o.days, "days", 0, "expire after this many days (0: never)")
	case "token revoke":
		fs.StringVar(&o.id, "id", "", "token id or prefix")
	case "appraise ":
		fs.StringVar(&o.month, "month", "", "the month, YYYY-MM (default: last month)")
		fs.StringVar(&o.login, "staff", "", "one staff member's login (default: everyone with a scheme)")
		fs.StringVar(&o.format, "format", "table", "table or json")
	}
}

func roleList() string {
	var s []string
	for _, r := range access.AllRoles {
		s = append(s, string(r))
	}
	return strings.Join(s, ",")
}

func loadDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	sum, err := demo.Load(ctx, demo.Deps{Org: a.Org, Auth: a.Auth, Customers: a.Customers, Contracts: a.Contracts, Comms: a.Comms, Tickets: a.Tickets, Surveys: a.Surveys, Fieldwork: a.Fieldwork,
		Scorecards: a.Scorecards, Now: a.Now, Loc: a.Location()})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, sum.String())
	return nil
}

// firstStart makes an empty database usable: the demo company, or a
// single admin login with a generated password printed once.
func firstStart(ctx context.Context, a *app.App, withDemo bool, out io.Writer) error {
	staff, err := a.Org.ListStaff(ctx, org.StaffFilter{})
	if err != nil || len(staff) > 0 {
		return err
	}
	if withDemo {
		err := loadDemo(ctx, a, out)
		if errors.Is(err, demo.ErrNotEmpty) {
			return nil
		}
		return err
	}
	st, err := a.Org.CreateStaff(ctx, org.StaffInput{Login: "admin", Name: "系统管理员", Roles: []access.Role{access.Admin}})
	if err != nil {
		return err
	}
	password := "Kf-" + strings.ToLower(rand.Text()[:12])
	if err := a.Auth.SetPassword(ctx, st.ID, password, true); err != nil {
		return err
	}
	fmt.Fprintf(out, "first start: created login admin with password %s (change it at first login)\n", password)
	return nil
}

func userCmd(ctx context.Context, a *app.App, sub string, o cliOptions, out io.Writer) error {
	switch sub {
	case "add":
		in := org.StaffInput{Login: o.login, Name: o.name}
		for _, r := range strings.Split(o.roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				in.Roles = append(in.Roles, access.Role(r))
			}
		}
		st, err := a.Org.CreateStaff(ctx, in)
		if err != nil {
			return err
		}
		if o.password != "" {
			if err := a.Auth.SetPassword(ctx, st.ID, o.password, true); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "created %s (%s)\n", st.Login, st.ID)
		return nil
	case "passwd":
		st, err := a.Org.StaffByLogin(ctx, o.login)
		if err != nil {
			return err
		}
		if err := a.Auth.SetPassword(ctx, st.ID, o.password, false); err != nil {
			return err
		}
		fmt.Fprintf(out, "password set for %s\n", st.Login)
		return nil
	case "list":
		list, err := a.Org.ListStaff(ctx, org.StaffFilter{})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tNAME\tROLES\tACTIVE")
		for _, st := range list {
			var roles []string
			for _, r := range st.Roles {
				roles = append(roles, string(r))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", st.Login, st.Name, strings.Join(roles, ","), st.Active)
		}
		return tw.Flush()
	}
	return fmt.Errorf("user: want add, passwd or list\n%s", usage)
}

func tokenCmd(ctx context.Context, a *app.App, sub string, o cliOptions, out io.Writer) error {
	switch sub {
	case "create":
		st, err := a.Org.StaffByLogin(ctx, o.login)
		if err != nil {
			return err
		}
		var expires *time.Time
		if o.days > 0 {
			t := a.Now().AddDate(0, 0, o.days)
			expires = &t
		}
		t, secret, err := a.Auth.CreateToken(ctx, st.ID, o.name, expires)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "token %s created for %s; it is shown only now:\n%s\n", t.ID, st.Login, secret)
		return nil
	case "revoke":
		if err := a.Auth.RevokeToken(ctx, o.id); err != nil {
			return err
		}
		fmt.Fprintln(out, "revoked")
		return nil
	case "list":
		list, err := a.Auth.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tNAME\tCREATED\tREVOKED")
		for _, t := range list {
			fmt.Fprintf(tw, "%s\tkf_%s\t%s\t%s\t%v\n", t.ID, t.Prefix, t.Name, t.CreatedAt.Format(time.DateTime), t.RevokedAt != nil)
		}
		return tw.Flush()
	}
	return fmt.Errorf("token: want create, revoke or list\n%s", usage)
}
