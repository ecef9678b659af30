package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCataloguesHaveTheSameKeysAndNoEmptyMessages(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	nl, en := c.Keys("nl"), c.Keys("en")
	if len(nl) < 100 {
		t.Fatalf("only %d Dutch messages", len(nl))
	}
	for _, k := range nl {
		if !c.Has("en", k) {
			t.Errorf("%s missing in English", k)
		}
		if strings.TrimSpace(c.T("nl", k)) == "" && k != "loa." {
			t.Errorf("%s is empty in Dutch", k)
		}
	}
	for _, k := range en {
		if !c.Has("nl", k) {
			t.Errorf("%s missing in Dutch", k)
		}
	}
}

// Every literal key a template asks for must exist.
func TestTemplatesOnlyUseExistingKeys(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	root := filepath.Join("..", "..", "templates")
	found := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found++
			if !c.Has("nl", m[1]) {
				t.Errorf("%s uses unknown key %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Fatalf("only %d keys found in templates; is the pattern still right?", found)
	}
}

func TestDatesInBothLanguages(t *testing.T) {
	c, _ := Load()
	d := time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC) // 00:30 on the 29th in Amsterdam
	if got := c.Date("nl", d); got != "29 november 2026" {
		t.Errorf("nl: %q", got)
	}
	if got := c.Date("en", d); got != "29 November 2026" {
		t.Errorf("en: %q", got)
	}
	if c.N("nl", "projects.count", 1) != "1 project" || c.N("nl", "projects.count", 2) != "2 projecten" {
		t.Error("plural forms")
	}
}
