package testdb_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A database read in a test whose error nobody looks at passes when the
// query fails: a count of 0 from a misspelt table looks like "nothing was
// stored". Every test file in the module is read here, and each gorm read
// (a chain ending in Count, Take, First, Find, Scan, Pluck or Last) must
// have its .Error used, and each Row().Scan its returned error.
func TestEveryDatabaseReadInTestsChecksItsError(t *testing.T) {
	root := moduleRoot(t)
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		problems, err := uncheckedReads(rel, src)
		if err != nil {
			return err
		}
		found = append(found, problems...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range found {
		t.Errorf("%s", p)
	}
	if len(found) > 0 {
		t.Errorf("%d database reads in tests ignore their error: check it, e.g. testdb.NoError(t, db.Table(...).Count(&n).Error)", len(found))
	}
}

// The checker finds what it is meant to find, and only that.
func TestUncheckedReadsFindsIgnoredErrorsOnly(t *testing.T) {
	src := `package x_test

func f(t *testing.T) {
	var n int64
	s.App.DB.Table("ideas").Where("a = ?", 1).Count(&n)          // bad 1
	f.db.Find(&rows)                                              // bad 2
	db.Raw("SELECT 1").Scan(&n)                                   // bad 3
	_ = db.Model(&X{}).Pluck("id", &ids)                          // bad 4
	db.Table("x").Select("a").Row().Scan(&n)                      // bad 5
	res := db.Where("x").Take(&v)                                 // bad 6
	_ = res
	rows, _ := db.Table("x").Rows()                               // bad 7
	_ = rows
	_ = f.db.Table("x").Count(&n).Error                           // bad 8

	if err := db.Table("x").Count(&n).Error; err != nil {         // good
		t.Fatal(err)
	}
	testdb.NoError(t, f.db.Order("id").Find(&rows).Error)         // good
	if err := db.Table("x").Row().Scan(&n); err != nil {          // good
		t.Fatal(err)
	}
	q := db.Where("y").First(&v)                                  // good
	if q.Error != nil {
		t.Fatal(q.Error)
	}
	strings.Count(s, "a")                                         // not a read
	rows.Scan(&a, &b)                                             // a sql.Rows scan, not a gorm read
	l.Take(ctx, who)                                              // not gorm
}
`
	got, err := uncheckedReads("x_test.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 8 {
		t.Fatalf("found %d unchecked reads, want 8:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, p := range got {
		want := "bad " + string(rune('1'+i))
		line := strings.Split(src, "\n")[lineOf(t, p)-1]
		if !strings.Contains(line, want) {
			t.Errorf("finding %d is %q, on a line without %q", i+1, p, want)
		}
	}
}

func lineOf(t *testing.T, finding string) int {
	t.Helper()
	parts := strings.SplitN(finding, ":", 3)
	if len(parts) < 3 {
		t.Fatalf("finding %q has no position", finding)
	}
	line, err := strconv.Atoi(parts[1])
	if err != nil {
		t.Fatalf("finding %q: %v", finding, err)
	}
	return line
}

// gormBuilders are the gorm methods that start or extend a query; a
// chain through one of them is a gorm query.
var gormBuilders = map[string]bool{
	"Table": true, "Model": true, "Where": true, "Raw": true, "Select": true,
	"Order": true, "Limit": true, "Offset": true, "Joins": true, "InnerJoins": true,
	"Group": true, "Having": true, "Preload": true, "Unscoped": true,
	"Distinct": true, "Not": true, "Or": true, "Session": true,
	"WithContext": true, "Debug": true, "Clauses": true, "Omit": true, "Scopes": true,
}

// gormReads end a chain and leave their error in the result's .Error.
var gormReads = map[string]bool{
	"Count": true, "Take": true, "First": true, "Find": true, "Scan": true, "Pluck": true, "Last": true,
}

// dbNames are the names tests give a gorm handle (f.db, s.App.DB, tx).
var dbNames = map[string]bool{"db": true, "DB": true, "tx": true, "gdb": true}

// uncheckedReads returns "file:line: chain" for every read in src whose
// error is not used.
func uncheckedReads(name string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	report := func(n ast.Node) {
		var b bytes.Buffer
		_ = printer.Fprint(&b, fset, n)
		text := strings.Join(strings.Fields(b.String()), " ")
		if len(text) > 120 {
			text = text[:117] + "..."
		}
		p := fset.Position(n.Pos())
		out = append(out, p.Filename+":"+strconv.Itoa(p.Line)+": "+text)
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		defer func() { stack = append(stack, n) }()
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		parent := stack[len(stack)-1]
		switch {
		case sel.Sel.Name == "Scan" && isCallTo(sel.X, "Row", "QueryRow", "QueryRowContext"):
			// database/sql's Row.Scan returns the error itself.
			if discarded(call, parent) {
				report(call)
			}
		case sel.Sel.Name == "Rows" && isGorm(sel.X):
			if as, ok := parent.(*ast.AssignStmt); ok && len(as.Lhs) == 2 && isBlank(as.Lhs[1]) {
				report(call)
			} else if _, ok := parent.(*ast.ExprStmt); ok {
				report(call)
			}
		case gormReads[sel.Sel.Name] && isGorm(sel.X):
			if !errorUsed(call, parent, stack) {
				report(call)
			}
		}
		return true
	})
	return out, nil
}

// isGorm reports whether x is a gorm handle or a query built on one.
func isGorm(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return dbNames[x.Name]
	case *ast.SelectorExpr:
		return dbNames[x.Sel.Name]
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			return gormBuilders[sel.Sel.Name]
		}
	case *ast.ParenExpr:
		return isGorm(x.X)
	}
	return false
}

func isCallTo(x ast.Expr, names ...string) bool {
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	for _, n := range names {
		if sel.Sel.Name == n {
			return true
		}
	}
	return false
}

func isBlank(x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	return ok && id.Name == "_"
}

// discarded reports whether the error x (a call, or a .Error selector)
// gives is thrown away by its parent.
func discarded(x ast.Expr, parent ast.Node) bool {
	switch p := parent.(type) {
	case *ast.ExprStmt:
		return true
	case *ast.AssignStmt:
		for i, r := range p.Rhs {
			if r == x && i < len(p.Lhs) {
				return isBlank(p.Lhs[i])
			}
		}
	}
	return false
}

// errorUsed reports whether the *gorm.DB call returns has its .Error
// read: directly, or through a variable it is assigned to.
func errorUsed(call *ast.CallExpr, parent ast.Node, stack []ast.Node) bool {
	switch p := parent.(type) {
	case *ast.SelectorExpr:
		if p.Sel.Name != "Error" || len(stack) < 2 {
			return false
		}
		// _ = q.Count(&n).Error reads .Error only to throw it away.
		return !discarded(p, stack[len(stack)-2])
	case *ast.AssignStmt:
		if len(p.Lhs) != len(p.Rhs) {
			return false
		}
		for i, r := range p.Rhs {
			if r != call {
				continue
			}
			v, ok := p.Lhs[i].(*ast.Ident)
			if !ok || v.Name == "_" {
				return false
			}
			return selectsError(enclosingFunc(stack), v.Name)
		}
	}
	return false
}

func enclosingFunc(stack []ast.Node) ast.Node {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return stack[i]
		}
	}
	return nil
}

func selectsError(scope ast.Node, name string) bool {
	if scope == nil {
		return false
	}
	used := false
	ast.Inspect(scope, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
				used = true
			}
		}
		return !used
	})
	return used
}

// moduleRoot is the folder holding go.mod, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = up
	}
}
