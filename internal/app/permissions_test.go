package app_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kefu/internal/access"
	"kefu/internal/app/apptest"
	"kefu/internal/org"
)

var paramRE = regexp.MustCompile(`\{([a-z]+)\$?\}`)

// pathFor fills a route pattern's wildcards with values that name no record.
func pathFor(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	path = paramRE.ReplaceAllStringFunc(path, func(m string) string {
		switch strings.Trim(m, "{}$") {
		case "kind":
			if strings.HasPrefix(path, "/admin/org/") {
				return "regions"
			}
			return "customers"
		case "day":
			return "2099-01-01"
		case "key":
			return strings.Repeat("0", 64)
		}
		return "01900000-0000-7000-8000-000000000000"
	})
	return method, path
}

// TestEveryRouteDeclaresAndEnforcesItsPermission walks both route tables,
// on SQLite and PostgreSQL:
// every route names a permission; an anonymous caller is sent to log in
// (401 for the API); every role without the permission is refused with
// 403; every role with it gets past the check.
func TestEveryRouteDeclaresAndEnforcesItsPermission(t *testing.T) {
	apptest.Each(t, everyRouteEnforcesItsPermission)
}

func everyRouteEnforcesItsPermission(t *testing.T, in *apptest.Instance) {
	ctx := access.With(context.Background(), access.System())
	tokens := map[access.Role]string{}
	for _, role := range access.AllRoles {
		st, err := in.App.Org.CreateStaff(ctx, org.StaffInput{Login: "u-" + strings.ReplaceAll(string(role), "_", "-"), Name: string(role), Roles: []access.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := in.App.Auth.CreateToken(ctx, st.ID, "perm test", nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens[role] = tok
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(t *testing.T, method, path, token string) int {
		t.Helper()
		req, err := http.NewRequest(method, in.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if method == http.MethodPost || method == http.MethodPut {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Content-Type", "application/json")
			}
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	routes := in.App.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes: route tables not walked?", len(routes))
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		if rt.Perm == "" {
			t.Errorf("route %q declares no permission", rt.Pattern)
			continue
		}
		if seen[rt.Pattern] {
			t.Errorf("route %q declared twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		if rt.Perm == access.Public {
			continue
		}
		method, path := pathFor(rt.Pattern)
		api := strings.HasPrefix(path, "/api/")
		t.Run(rt.Pattern, func(t *testing.T) {
			got := do(t, method, path, "")
			switch {
			case api && got != http.StatusUnauthorized:
				t.Errorf("anonymous: status %d, want 401", got)
			case !api && method == http.MethodGet && got != http.StatusSeeOther:
				t.Errorf("anonymous: status %d, want 303 to the login page", got)
			case !api && method != http.MethodGet && got != http.StatusUnauthorized:
				t.Errorf("anonymous: status %d, want 401", got)
			}
			for _, role := range access.AllRoles {
				got := do(t, method, path, tokens[role])
				allowed := (&access.Principal{Roles: []access.Role{role}}).Can(rt.Perm)
				if !allowed && got != http.StatusForbidden {
					t.Errorf("%s lacks %s: status %d, want 403", role, rt.Perm, got)
				}
				if allowed && (got == http.StatusForbidden || got == http.StatusUnauthorized) {
					t.Errorf("%s holds %s: status %d, want past the permission check", role, rt.Perm, got)
				}
			}
		})
	}
}
