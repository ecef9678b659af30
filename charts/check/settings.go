package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
)

// SourceDirs hold Inspraak's Go code (relative to charts/check), where the
// settings it reads are named; ConfigDir is the package that puts names
// together from parts.
var (
	SourceDirs = []string{"../../internal", "../../cmd"}
	ConfigDir  = "../../internal/config"
)

// settingNames gathers the string literals of Inspraak's code (tests
// left out). A setting is read by name, as one literal
// ("INSPRAAK_SMTP_URL") or put together from literals: a prefix and a
// suffix (pre + "CLIENT_ID", with pre = "INSPRAAK_" + upper(means) + "_",
// means one of "digid", ...), or a prefix and a name ("INSPRAAK_RATE_" +
// upper("comment")).
type settingNames struct {
	exact map[string]bool // INSPRAAK_* literals anywhere in the code
	parts map[string]bool // every literal of ConfigDir
}

func loadSettingNames() (*settingNames, error) {
	s := &settingNames{exact: map[string]bool{}, parts: map[string]bool{}}
	configDir := filepath.Clean(ConfigDir)
	fset := token.NewFileSet()
	for _, dir := range SourceDirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if v, err := strconv.Unquote(lit.Value); err == nil {
						if strings.HasPrefix(v, "INSPRAAK_") {
							s.exact[v] = true
						}
						if filepath.Dir(p) == configDir {
							s.parts[v] = true
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if !s.exact["INSPRAAK_DATABASE_URL"] || !s.parts["INSPRAAK_DATABASE_URL"] {
		return nil, fmt.Errorf("no INSPRAAK_DATABASE_URL in %v: the settings' source is not where the checker looks", SourceDirs)
	}
	return s, nil
}

// known tells whether Inspraak reads the setting name.
func (s *settingNames) known(name string) bool {
	if s.exact[name] {
		return true
	}
	lit := func(x string) bool { return x != "" && (s.parts[x] || s.parts[strings.ToLower(x)]) }
	for p := range s.parts {
		rest, ok := strings.CutPrefix(name, p)
		if !ok || !strings.HasPrefix(p, "INSPRAAK_") || !strings.HasSuffix(p, "_") {
			continue
		}
		if lit(rest) {
			return true
		}
		for i := strings.Index(rest, "_"); i > 0; i = next(rest, i) {
			if lit(rest[:i]) && lit(rest[i+1:]) {
				return true
			}
		}
	}
	return false
}

func next(s string, i int) int {
	j := strings.Index(s[i+1:], "_")
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// UnknownSettings lists the INSPRAAK_* variables the Deployment sets that
// Inspraak does not read: a misspelt name is ignored at start, so the
// setting silently keeps its default.
func UnknownSettings(objs []Object) ([]string, error) {
	names, err := loadSettingNames()
	if err != nil {
		return nil, err
	}
	var probs []string
	for _, o := range objs {
		d, ok := o.Typed.(*appsv1.Deployment)
		if !ok {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, e := range c.Env {
				if strings.HasPrefix(e.Name, "INSPRAAK_") && !names.known(e.Name) {
					probs = append(probs, fmt.Sprintf("Deployment %s: env %s is no setting Inspraak reads (internal/config)", d.Name, e.Name))
				}
			}
		}
	}
	return probs, nil
}
