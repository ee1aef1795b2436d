package config_test

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"kefu/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultIsValid(t *testing.T) {
	c := config.Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Addr != "127.0.0.1:8080" || c.TimeZone != "Asia/Shanghai" || !c.CookieSecure || c.SQLiteSync != "FULL" {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if c.MaxUploadSize != 20<<20 || !c.SpecialistReadAll {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestFromEnvSetsEveryField(t *testing.T) {
	c := config.Default()
	err := c.FromEnv(env(map[string]string{
		"KEFU_ADDR":                ":9000",
		"KEFU_DB_URL":              "postgres://kefu@db/kefu",
		"KEFU_DATA_DIR":            "/srv/kefu",
		"KEFU_BASE_URL":            "https://kefu.example.com",
		"KEFU_TZ":                  "Asia/Urumqi",
		"KEFU_COOKIE_SECURE":       "false",
		"KEFU_SESSION_IDLE":        "45m",
		"KEFU_SESSION_MAX":         "8h",
		"KEFU_SQLITE_SYNC":         "normal",
		"KEFU_DEMO":                "0",
		"KEFU_SPECIALIST_READ_ALL": "FALSE",
		"KEFU_LOG_LEVEL":           "debug",
		"KEFU_MAX_UPLOAD_MB":       "50",
		"KEFU_MAX_PHOTO_MB":        "8",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{
		Addr: ":9000", DBURL: "postgres://kefu@db/kefu", DataDir: "/srv/kefu", BaseURL: "https://kefu.example.com",
		TimeZone: "Asia/Urumqi", CookieSecure: false, SessionIdle: 45 * time.Minute, SessionMax: 8 * time.Hour,
		SQLiteSync: "normal", Demo: false, LogLevel: "debug", MaxUploadSize: 50 << 20, MaxPhotoSize: 8 << 20, SpecialistReadAll: false,
	}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestFromEnvEmptyKeepsDefaults(t *testing.T) {
	c := config.Default()
	if err := c.FromEnv(env(nil)); err != nil {
		t.Fatal(err)
	}
	if c != config.Default() {
		t.Errorf("empty environment changed the config: %+v", c)
	}
}

func TestFromEnvErrors(t *testing.T) {
	tests := []struct {
		key, value string
		wantInErr  string
	}{
		{"KEFU_COOKIE_SECURE", "yes", "KEFU_COOKIE_SECURE"},
		{"KEFU_DEMO", "maybe", "KEFU_DEMO"},
		{"KEFU_SPECIALIST_READ_ALL", "2", "KEFU_SPECIALIST_READ_ALL"},
		{"KEFU_SESSION_IDLE", "2 hours", "KEFU_SESSION_IDLE"},
		{"KEFU_SESSION_MAX", "12", "KEFU_SESSION_MAX"},
		{"KEFU_MAX_UPLOAD_MB", "abc", "KEFU_MAX_UPLOAD_MB"},
		{"KEFU_MAX_UPLOAD_MB", "20MB", "KEFU_MAX_UPLOAD_MB"},
		{"KEFU_MAX_UPLOAD_MB", "0", "KEFU_MAX_UPLOAD_MB"},
		{"KEFU_MAX_UPLOAD_MB", "-5", "KEFU_MAX_UPLOAD_MB"},
		{"KEFU_MAX_UPLOAD_MB", "1.5", "KEFU_MAX_UPLOAD_MB"},
		// n << 20 must not overflow into a zero or negative limit.
		{"KEFU_MAX_UPLOAD_MB", "17592186044416", "KEFU_MAX_UPLOAD_MB"},
		{"KEFU_MAX_UPLOAD_MB", "99999999999999999999", "KEFU_MAX_UPLOAD_MB"},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			c := config.Default()
			err := c.FromEnv(env(map[string]string{tc.key: tc.value}))
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			if !strings.Contains(err.Error(), tc.wantInErr) || !strings.Contains(err.Error(), tc.value) {
				t.Errorf("error %q does not name %s and the value", err, tc.wantInErr)
			}
			if c != config.Default() {
				t.Errorf("a bad value changed the config: %+v", c)
			}
		})
	}
}

func TestFromEnvReportsEveryError(t *testing.T) {
	c := config.Default()
	err := c.FromEnv(env(map[string]string{
		"KEFU_COOKIE_SECURE": "nope", "KEFU_SESSION_IDLE": "x", "KEFU_MAX_UPLOAD_MB": "y", "KEFU_ADDR": ":1",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, k := range []string{"KEFU_COOKIE_SECURE", "KEFU_SESSION_IDLE", "KEFU_MAX_UPLOAD_MB"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error %q misses %s", err, k)
		}
	}
	if c.Addr != ":1" {
		t.Errorf("good values are still applied: Addr = %q", c.Addr)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(c *config.Config)
		wantErr string // substring; "" = valid
		check   func(t *testing.T, c config.Config)
	}{
		{name: "defaults derive db url and base url", edit: func(*config.Config) {}, check: func(t *testing.T, c config.Config) {
			if c.DBURL != "./data/kefu.db" {
				t.Errorf("DBURL = %q", c.DBURL)
			}
			if c.BaseURL != "http://127.0.0.1:8080" {
				t.Errorf("BaseURL = %q", c.BaseURL)
			}
		}},
		{name: "data dir with trailing slash", edit: func(c *config.Config) { c.DataDir = "/var/lib/kefu/" }, check: func(t *testing.T, c config.Config) {
			if c.DBURL != "/var/lib/kefu/kefu.db" {
				t.Errorf("DBURL = %q", c.DBURL)
			}
		}},
		{name: "explicit db url kept", edit: func(c *config.Config) { c.DBURL = "postgres://u@h/db" }, check: func(t *testing.T, c config.Config) {
			if c.DBURL != "postgres://u@h/db" {
				t.Errorf("DBURL = %q", c.DBURL)
			}
		}},
		{name: "base url from addr", edit: func(c *config.Config) { c.Addr = "0.0.0.0:9000" }, check: func(t *testing.T, c config.Config) {
			if c.BaseURL != "http://0.0.0.0:9000" {
				t.Errorf("BaseURL = %q", c.BaseURL)
			}
		}},
		{name: "explicit base url kept", edit: func(c *config.Config) { c.BaseURL = "https://kefu.example.com" }, check: func(t *testing.T, c config.Config) {
			if c.BaseURL != "https://kefu.example.com" {
				t.Errorf("BaseURL = %q", c.BaseURL)
			}
		}},
		{name: "sqlite sync normalised", edit: func(c *config.Config) { c.SQLiteSync = "normal" }, check: func(t *testing.T, c config.Config) {
			if c.SQLiteSync != "NORMAL" {
				t.Errorf("SQLiteSync = %q", c.SQLiteSync)
			}
		}},
		{name: "idle equal to max", edit: func(c *config.Config) { c.SessionIdle, c.SessionMax = time.Hour, time.Hour }},
		{name: "utc", edit: func(c *config.Config) { c.TimeZone = "UTC" }},
		{name: "bad time zone", edit: func(c *config.Config) { c.TimeZone = "Mars/Olympus" }, wantErr: "KEFU_TZ"},
		{name: "empty time zone is UTC", edit: func(c *config.Config) { c.TimeZone = "" }},
		{name: "bad sqlite sync", edit: func(c *config.Config) { c.SQLiteSync = "OFF" }, wantErr: "KEFU_SQLITE_SYNC"},
		{name: "empty sqlite sync", edit: func(c *config.Config) { c.SQLiteSync = "" }, wantErr: "KEFU_SQLITE_SYNC"},
		{name: "idle longer than max", edit: func(c *config.Config) { c.SessionIdle, c.SessionMax = 3*time.Hour, 2*time.Hour }, wantErr: "KEFU_SESSION_IDLE"},
		{name: "zero idle", edit: func(c *config.Config) { c.SessionIdle = 0 }, wantErr: "KEFU_SESSION_IDLE"},
		{name: "negative max", edit: func(c *config.Config) { c.SessionMax = -time.Hour }, wantErr: "KEFU_SESSION_MAX"},
		{name: "relative base url", edit: func(c *config.Config) { c.BaseURL = "kefu.example.com" }, wantErr: "KEFU_BASE_URL"},
		{name: "unparsable base url", edit: func(c *config.Config) { c.BaseURL = "http://[::1" }, wantErr: "KEFU_BASE_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("no error, want one naming %s", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not name %s", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	c := config.Default()
	c.TimeZone, c.SQLiteSync, c.SessionIdle = "Nowhere/Land", "fast", 0
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, k := range []string{"KEFU_TZ", "KEFU_SQLITE_SYNC", "KEFU_SESSION_IDLE"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error %q misses %s", err, k)
		}
	}
}

func TestRedacted(t *testing.T) {
	tests := []struct {
		name, db string
		hidden   string // must not appear
		want     string // the redacted db value; "" = unchanged
	}{
		{name: "postgres password", db: "postgres://kefu:s3cret@db.internal:5432/kefu?sslmode=disable", hidden: "s3cret",
			want: "postgres://kefu:xxxxx@db.internal:5432/kefu?sslmode=disable"},
		{name: "postgresql scheme", db: "postgresql://admin:hunter2@10.0.0.1/kefu", hidden: "hunter2", want: "postgresql://admin:xxxxx@10.0.0.1/kefu"},
		{name: "escaped password", db: "postgres://kefu:p%40ss%2Fw0rd@db/kefu", hidden: "p%40ss"},
		{name: "user without password", db: "postgres://kefu@db/kefu"},
		{name: "sqlite path", db: "./data/kefu.db"},
		// A URL that does not parse must not be logged verbatim.
		{name: "unparsable with password", db: "postgres://kefu:top%zzsecret@db/kefu", hidden: "secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			c.DBURL = tc.db
			kv := c.Redacted()
			if len(kv)%2 != 0 {
				t.Fatalf("odd key/value list: %v", kv)
			}
			var db string
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == "db" {
					db = fmt.Sprint(kv[i+1])
				}
			}
			all := fmt.Sprint(kv...)
			if tc.hidden != "" && strings.Contains(all, tc.hidden) {
				t.Errorf("password %q visible: %s", tc.hidden, all)
			}
			want := tc.want
			if want == "" && tc.hidden == "" {
				want = tc.db
			}
			if want != "" && db != want {
				t.Errorf("db = %q, want %q", db, want)
			}
		})
	}
}

func TestLoadFlagsOverrideEnv(t *testing.T) {
	t.Setenv("KEFU_ADDR", "10.0.0.1:1")
	t.Setenv("KEFU_TZ", "Asia/Tokyo")
	t.Setenv("KEFU_DEMO", "true")
	fs := flag.NewFlagSet("kefu", flag.ContinueOnError)
	c, err := config.Load(fs, []string{"-addr", "127.0.0.1:9999", "-demo=false", "-data", "/tmp/kefu-data"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.Demo || c.TimeZone != "Asia/Tokyo" {
		t.Errorf("config = %+v", c)
	}
	if c.DBURL != "/tmp/kefu-data/kefu.db" || c.BaseURL != "http://127.0.0.1:9999" {
		t.Errorf("derived values from flags: DBURL %q BaseURL %q", c.DBURL, c.BaseURL)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Run("bad env", func(t *testing.T) {
		t.Setenv("KEFU_SESSION_MAX", "forever")
		fs := flag.NewFlagSet("kefu", flag.ContinueOnError)
		if _, err := config.Load(fs, nil); err == nil || !strings.Contains(err.Error(), "KEFU_SESSION_MAX") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad flag", func(t *testing.T) {
		fs := flag.NewFlagSet("kefu", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if _, err := config.Load(fs, []string{"-nosuchflag"}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("invalid after flags", func(t *testing.T) {
		t.Setenv("KEFU_TZ", "Bad/Zone")
		fs := flag.NewFlagSet("kefu", flag.ContinueOnError)
		if _, err := config.Load(fs, nil); err == nil || !strings.Contains(err.Error(), "KEFU_TZ") {
			t.Fatalf("err = %v", err)
		}
	})
}
