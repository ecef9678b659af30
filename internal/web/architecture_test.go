package web_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Web translates between HTTP and the domains; it holds no SQL. Its own
// files (not its tests, which may look into the database) import neither
// gorm nor database/sql: a query belongs in the service of its domain,
// where the domain's tests call it.
func TestWebImportsNoDatabase(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if path == "gorm.io/gorm" || strings.HasPrefix(path, "gorm.io/") || path == "database/sql" || strings.HasPrefix(path, "database/sql/") {
				t.Errorf("%s imports %s: web holds no SQL; move the query into its domain's service", name, path)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d files of package web found: is the test in the right directory?", checked)
	}
}
