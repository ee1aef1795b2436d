package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Layers of docs/design.md's dependency rule. A package may import only
// packages of its own layer rank or lower, with the exceptions below.
var layer = map[string]int{
	"config": 0, "store": 0, "apperr": 0, "access": 0, "audit": 0, "notify": 0, "calendar": 0, "blob": 0, "photo": 0, "tabular": 0, "rates": 0, "sla": 0, "events": 0, "schedule": 0,
	"appraisal": 0, "cpumeter": 0,
	"org": 1, "auth": 1, "workcal": 1, "customers": 1, "contracts": 1, "comms": 1, "demo": 1, "tickets": 1, "surveys": 1, "fieldwork": 1, "scorecards": 1,
	"httpx": 2, "wecom": 2, "desk": 2,
	"web": 3, "api": 3,
	"app": 4,
}

// edges are packages no domain or platform package may import.
var edges = []string{"net/http", "kefu/internal/httpx", "kefu/internal/web", "kefu/internal/api", "kefu/internal/app"}

func TestDependencyRule(t *testing.T) {
	root := filepath.Join("..")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		pkg := e.Name()
		rank, known := layer[pkg]
		files, _ := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		if !known {
			// Test-only packages (e2e, bench) may import anything.
			if hasNonTestGo(files) && pkg != "e2e" && pkg != "bench" {
				t.Errorf("package internal/%s is not placed in a layer of the dependency rule (docs/design.md)", pkg)
			}
			continue
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				checked++
				if rank <= 1 {
					for _, edge := range edges {
						if path == edge {
							t.Errorf("%s imports %s: domains and platform must not depend on HTTP or the edges", f, path)
						}
					}
				}
				dep, ok := strings.CutPrefix(path, "kefu/internal/")
				if !ok {
					continue
				}
				dep, _, _ = strings.Cut(dep, "/")
				dr, ok := layer[dep]
				if ok && dr > rank {
					t.Errorf("%s (layer %d) imports internal/%s (layer %d): imports must point down", f, rank, dep, dr)
				}
				if ok && rank == 1 && dr == 1 && dep != pkg && pkg != "demo" {
					t.Errorf("%s imports domain internal/%s: a domain declares the small interface it needs and app passes the service", f, dep)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no imports checked: wrong root?")
	}
}

func hasNonTestGo(files []string) bool {
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			return true
		}
	}
	return false
}
