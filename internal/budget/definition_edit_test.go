package budget_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// Cast and the pages keep a budget's definition by its instrument's
// updated_at (definition.go), which only instrument.Touch moves. So every
// method in edit.go that changes a budget must run through s.edit (which
// touches first, in the change's transaction); a new method that writes
// the plans, areas or settings some other way would leave every instance
// judging ballots by the old definition. Read from the source, as the
// poll's edit test does.
func TestEveryBudgetEditGoesThroughTouch(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "edit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Methods that change nothing that exists yet, or read only.
	exempt := map[string]bool{"Create": true, "Get": true}
	seen := 0
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || !fn.Name.IsExported() || exempt[fn.Name.Name] {
			continue
		}
		star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
		if !ok || star.X.(*ast.Ident).Name != "Service" {
			continue
		}
		seen++
		touches := false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "edit" {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == fn.Recv.List[0].Names[0].Name {
						touches = true
					}
				}
			}
			return true
		})
		if !touches {
			t.Errorf("%s (edit.go:%d) does not run through s.edit: an edit that does not move updated_at leaves the kept definition stale",
				fn.Name.Name, fset.Position(fn.Pos()).Line)
		}
	}
	if seen < 8 {
		t.Fatalf("found %d editor methods in edit.go, expected at least 8: has the file moved?", seen)
	}
}
