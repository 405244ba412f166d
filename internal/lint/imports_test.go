// Package lint holds repository-wide checks that run with go test.
package lint

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/monotable/monotable"

// rule forbids packages under from importing anything under to: directly
// only, or through any chain of imports.
type rule struct {
	from, to string
	direct   bool
	why      string
}

var rules = []rule{
	{"orm", "internal/memstore", false, "orm talks to DynamoDB only through orm.Client"},
	{"orm", "lambda", false, "orm must not depend on the app layer"},
	{"internal/memstore", "orm", false, "the engine knows nothing of the orm"},
	{"internal/memstore", "lambda", false, "the engine knows nothing of the app layer"},
	{"lambda", "internal/memstore", false, "lambda reaches the store only through orm"},
	{"examples", "internal", true, "examples use only public packages"},
}

// allowed lists the only public doors into the engine.
var allowed = map[string]bool{
	module + "/orm/ormtest": true,
}

func TestForbiddenImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps,TestImports,XTestImports", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath                               string
			Imports, Deps, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		for _, r := range rules {
			from := module + "/" + r.from
			if !under(p.ImportPath, from) || allowed[p.ImportPath] {
				continue
			}
			deps := p.Deps
			if r.direct {
				deps = append(append(append([]string(nil), p.Imports...), p.TestImports...), p.XTestImports...)
			}
			for _, dep := range deps {
				if under(dep, module+"/"+r.to) {
					t.Errorf("%s imports %s: %s", p.ImportPath, dep, r.why)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("go list returned no packages")
	}
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
