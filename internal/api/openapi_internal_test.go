package api

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/access"
)

// TestUndescribedRouteIsRefused: the document builder refuses a route
// whose description is missing or incomplete, so adding a route without
// describing it breaks the build of the document (and its tests).
func TestUndescribedRouteIsRefused(t *testing.T) {
	s := New(Deps{})
	good := s.table()
	if _, err := buildDocument(good); err != nil {
		t.Fatalf("the real table: %v", err)
	}
	for name, bad := range map[string]route{
		"no description":   {Pattern: "GET /api/v1/x", Perm: access.CustomerRead, Handle: s.me},
		"no english":       {Pattern: "GET /api/v1/x", Perm: access.CustomerRead, Handle: s.me, Doc: op{Tag: "me", Zh: "某", Resp: meResponse{}}},
		"no response":      {Pattern: "GET /api/v1/x", Perm: access.CustomerRead, Handle: s.me, Doc: op{Tag: "me", Zh: "某", En: "x"}},
		"unknown tag":      {Pattern: "GET /api/v1/x", Perm: access.CustomerRead, Handle: s.me, Doc: op{Tag: "nope", Zh: "某", En: "x", Resp: meResponse{}}},
		"undescribed body": {Pattern: "POST /api/v1/x", Perm: access.CustomerRead, Handle: s.me, Doc: op{Tag: "me", Zh: "某", En: "x", Body: meResponse{}, Status: http.StatusNoContent}},
		"undescribed wildcard": {Pattern: "GET /api/v1/x/{thing}", Perm: access.CustomerRead, Handle: s.me,
			Doc: op{Tag: "me", Zh: "某", En: "x", Resp: meResponse{}}},
		"undescribed query": {Pattern: "GET /api/v1/x", Perm: access.CustomerRead, Handle: s.me,
			Doc: op{Tag: "me", Zh: "某", En: "x", Resp: meResponse{}, Query: []param{{Name: "q"}}}},
	} {
		// Swap the route for one with the same handler so only the description differs.
		tbl := []route{}
		for _, rt := range good {
			if rt.Pattern != "GET /api/v1/me" {
				tbl = append(tbl, rt)
			}
		}
		tbl = append(tbl, bad)
		if _, err := buildDocument(tbl); err == nil || !strings.Contains(err.Error(), bad.Pattern) {
			t.Errorf("%s: buildDocument error = %v, want one naming %q", name, err, bad.Pattern)
		}
	}
}
