// Package config builds kefu's typed configuration from environment
// variables (KEFU_*) and command-line flags. Nothing here is global: the
// Config value is passed explicitly to app.New.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of one kefu process.
type Config struct {
	Addr          string        // KEFU_ADDR, listen address
	DBURL         string        // KEFU_DB_URL: sqlite path/URL or postgres://…
	DataDir       string        // KEFU_DATA_DIR: SQLite file and attachments
	BaseURL       string        // KEFU_BASE_URL: public URL, used for cross-origin checks
	TimeZone      string        // KEFU_TZ: company time zone
	CookieSecure  bool          // KEFU_COOKIE_SECURE
	SessionIdle   time.Duration // KEFU_SESSION_IDLE
	SessionMax    time.Duration // KEFU_SESSION_MAX (absolute lifetime)
	SQLiteSync    string        // KEFU_SQLITE_SYNC: FULL (default) or NORMAL
	Demo          bool          // KEFU_DEMO: load demo data on first start (empty database)
	LogLevel      string        // KEFU_LOG_LEVEL: debug|info|warn|error
	MaxUploadSize int64         // KEFU_MAX_UPLOAD_MB in bytes
	MaxPhotoSize  int64         // KEFU_MAX_PHOTO_MB in bytes: an acceptance photo or sheet (default 15 MB)
	// SpecialistReadAll lets specialists read customers they do not own
	// (KEFU_SPECIALIST_READ_ALL, default true); they edit only their own.
	SpecialistReadAll bool
	// WeComWebhook is a WeCom group robot's webhook URL
	// (KEFU_WECOM_WEBHOOK); near-breach and breach notices go there too.
	WeComWebhook string
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:          "127.0.0.1:8080",
		DataDir:       "./data",
		TimeZone:      "Asia/Shanghai",
		CookieSecure:  true,
		SessionIdle:   2 * time.Hour,
		SessionMax:    12 * time.Hour,
		SQLiteSync:    "FULL",
		LogLevel:      "info",
		MaxUploadSize: 20 << 20,
		MaxPhotoSize:  15 << 20,

		SpecialistReadAll: true,
		Demo:              true,
	}
}

// FromEnv overlays environment variables on c. getenv is os.Getenv in
// production and a map lookup in tests.
func (c *Config) FromEnv(getenv func(string) string) error {
	var errs []error
	str := func(key string, dst *string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	boolean := func(key string, dst *bool) {
		if v := getenv(key); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a boolean", key, v))
				return
			}
			*dst = b
		}
	}
	dur := func(key string, dst *time.Duration) {
		if v := getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration (e.g. 2h, 30m)", key, v))
				return
			}
			*dst = d
		}
	}
	str("KEFU_ADDR", &c.Addr)
	str("KEFU_DB_URL", &c.DBURL)
	str("KEFU_DATA_DIR", &c.DataDir)
	str("KEFU_BASE_URL", &c.BaseURL)
	str("KEFU_TZ", &c.TimeZone)
	boolean("KEFU_COOKIE_SECURE", &c.CookieSecure)
	dur("KEFU_SESSION_IDLE", &c.SessionIdle)
	dur("KEFU_SESSION_MAX", &c.SessionMax)
	str("KEFU_SQLITE_SYNC", &c.SQLiteSync)
	boolean("KEFU_DEMO", &c.Demo)
	boolean("KEFU_SPECIALIST_READ_ALL", &c.SpecialistReadAll)
	str("KEFU_LOG_LEVEL", &c.LogLevel)
	str("KEFU_WECOM_WEBHOOK", &c.WeComWebhook)
	megabytes := func(key string, dst *int64) {
		if v := getenv(key); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			// Bounded so that n << 20 cannot overflow into a zero or negative limit.
			if err != nil || n <= 0 || n > maxUploadMB {
				errs = append(errs, fmt.Errorf("%s: %q is not a positive integer up to %d", key, v, maxUploadMB))
			} else {
				*dst = n << 20
			}
		}
	}
	megabytes("KEFU_MAX_UPLOAD_MB", &c.MaxUploadSize)
	megabytes("KEFU_MAX_PHOTO_MB", &c.MaxPhotoSize)
	return errors.Join(errs...)
}

// maxUploadMB bounds KEFU_MAX_UPLOAD_MB (1 TiB).
const maxUploadMB = 1 << 20

// RegisterFlags binds the command-line flags that override the environment.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (KEFU_ADDR)")
	fs.StringVar(&c.DBURL, "db", c.DBURL, "database URL: a SQLite file path or postgres://… (KEFU_DB_URL)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory for SQLite and attachments (KEFU_DATA_DIR)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "on first start with an empty database, load the demo company (KEFU_DEMO, default true); false creates only an admin login")
}

// Load reads the environment, then the flags in args.
func Load(fs *flag.FlagSet, args []string) (Config, error) {
	c := Default()
	if err := c.FromEnv(os.Getenv); err != nil {
		return c, err
	}
	c.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate checks the values and fills derived defaults.
func (c *Config) Validate() error {
	var errs []error
	if c.DBURL == "" {
		c.DBURL = strings.TrimSuffix(c.DataDir, "/") + "/kefu.db"
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("KEFU_TZ: unknown time zone %q", c.TimeZone))
	}
	switch strings.ToUpper(c.SQLiteSync) {
	case "FULL", "NORMAL":
		c.SQLiteSync = strings.ToUpper(c.SQLiteSync)
	default:
		errs = append(errs, fmt.Errorf("KEFU_SQLITE_SYNC: must be FULL or NORMAL, not %q", c.SQLiteSync))
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 || c.SessionIdle > c.SessionMax {
		errs = append(errs, errors.New("KEFU_SESSION_IDLE must be positive and not longer than KEFU_SESSION_MAX"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.BaseURL); err != nil || u.Host == "" {
		errs = append(errs, fmt.Errorf("KEFU_BASE_URL: %q is not an absolute URL", c.BaseURL))
	}
	if c.WeComWebhook != "" {
		if u, err := url.Parse(c.WeComWebhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, errors.New("KEFU_WECOM_WEBHOOK: not an http(s) URL"))
		}
	}
	return errors.Join(errs...)
}

// Redacted returns key=value lines safe to log: passwords in the DB URL are hidden.
func (c Config) Redacted() []any {
	db := c.DBURL
	u, err := url.Parse(db)
	switch {
	case err != nil && strings.Contains(db, "@"):
		// Unparsable, so the password cannot be cut out: hide it all.
		db = "(unparsable URL hidden)"
	case err == nil && u.User != nil:
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			db = u.String()
		}
	}
	return []any{"addr", c.Addr, "db", db, "data", c.DataDir, "base_url", c.BaseURL, "tz", c.TimeZone,
		"cookie_secure", c.CookieSecure, "session_idle", c.SessionIdle, "session_max", c.SessionMax,
		"sqlite_sync", c.SQLiteSync, "demo", c.Demo, "specialist_read_all", c.SpecialistReadAll, "wecom_webhook", c.WeComWebhook != ""}
}
