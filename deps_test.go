// Package vecgres_test holds repository-wide checks, such as the import
// graph rules of DESIGN.md §2.
package vecgres_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/vecgres/vecgres/"

// allowed lists, for each package, the project packages its non-test
// files may import. Imports point down the pipeline: cmd → server → sql →
// planner/exec → index/storage → kernels, with sql/types and sql/pgerr at
// the bottom for everyone. exec imports planner (plans are the planner's
// data); the planner never imports exec; index and storage never import
// each other; server never reaches below sql.
var allowed = map[string][]string{
	"kernels":       {},
	"sql/pgerr":     {},
	"sql/types":     {"sql/pgerr"},
	"storage":       {"sql/types", "sql/pgerr"},
	"index":         {"kernels", "sql/types", "sql/pgerr"},
	"index/hnsw":    {"kernels", "sql/types", "sql/pgerr"},
	"index/columns": {"sql/types"},
	"planner":       {"storage", "sql/types", "sql/pgerr"},
	"exec/builtins": {"planner", "kernels", "sql/types", "sql/pgerr"},
	"exec":          {"planner", "exec/builtins", "storage", "index", "index/hnsw", "index/columns", "kernels", "sql/types", "sql/pgerr"},
	"sql":           {"planner", "exec", "exec/builtins", "storage", "index", "index/hnsw", "index/columns", "sql/pgcatalog", "sql/types", "sql/pgerr"},
	"sql/pgcatalog": {"planner", "exec/builtins", "storage", "sql/types", "sql/pgerr"},
	"server":        {"sql", "sql/types", "sql/pgerr"},
	"slt":           {},
	"bench":         {},
	"cmd/vecgres":   {"*"},
}

// thirdParty lists modules only some packages may import (their tests
// excepted).
var thirdParty = map[string][]string{
	"github.com/cockroachdb/pebble":       {"storage"},
	"github.com/jackc/pgx/v5/pgproto3":    {"server"},
	"github.com/pganalyze/pg_query_go/v6": {"sql"},
}

func TestImportGraph(t *testing.T) {
	pkgs := map[string]map[string]bool{} // package dir -> imports
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vecgres-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if isIgnored(f.Comments) {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if pkgs[dir] == nil {
			pkgs[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			pkgs[dir][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(pkgs))
	for d := range pkgs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		rules, known := allowedFor(dir)
		if !known {
			t.Errorf("package %s has no entry in the import rules of deps_test.go: add one", dir)
			continue
		}
		for imp := range pkgs[dir] {
			if strings.HasPrefix(imp, module) {
				target := strings.TrimPrefix(imp, module)
				if !contains(rules, target) && !contains(rules, "*") && !strings.HasPrefix(target, dir+"/internal") {
					t.Errorf("%s imports %s, which DESIGN.md's import rules forbid", dir, target)
				}
				continue
			}
			for mod, owners := range thirdParty {
				if strings.HasPrefix(imp, mod) && !ownedBy(dir, owners) {
					t.Errorf("%s imports %s, which only %v may import", dir, imp, owners)
				}
			}
		}
	}
}

// allowedFor returns the rules of dir, or of its nearest listed parent for
// packages under an internal/ directory.
func allowedFor(dir string) ([]string, bool) {
	for d := dir; d != "." && d != "/"; d = filepath.ToSlash(filepath.Dir(d)) {
		if r, ok := allowed[d]; ok {
			return r, true
		}
		if !strings.Contains(dir, "/internal") {
			break
		}
	}
	return nil, false
}

func ownedBy(dir string, owners []string) bool {
	for _, o := range owners {
		if dir == o || strings.HasPrefix(dir, o+"/") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isIgnored reports whether a file is excluded from builds with
// "//go:build ignore" (generators run by go generate).
func isIgnored(groups []*ast.CommentGroup) bool {
	for _, g := range groups {
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return true
			}
		}
	}
	return false
}
