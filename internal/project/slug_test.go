package project_test

import (
	"strings"
	"testing"

	"inspraak/internal/project"
)

func TestSlugFromTitle(t *testing.T) {
	t.Parallel()
	for title, want := range map[string]string{
		"Een nieuw Marktplein":                 "een-nieuw-marktplein",
		"Café ‘De Brug’ & Ĳsbaan Zuid":         "cafe-de-brug-en-ijsbaan-zuid",
		"Zoë's speeltuin: wat vindt ú?":        "zoes-speeltuin-wat-vindt-u",
		"  --Omgevingsvisie 2040 (concept)-- ": "omgevingsvisie-2040-concept",
		"Één, twee... drie!":                   "een-twee-drie",
		"Straße für Fußgänger":                 "strasse-fur-fussganger",
		"?!":                                   "",
		"":                                     "",
	} {
		if got := project.SlugFrom(title); got != want {
			t.Errorf("SlugFrom(%q) = %q, want %q", title, got, want)
		}
		if want != "" && !project.ValidSlug(project.SlugFrom(title)) {
			t.Errorf("SlugFrom(%q) is not a valid address", title)
		}
	}
	long := project.SlugFrom(strings.Repeat("herinrichting ", 20))
	if len(long) > project.MaxSlug || !project.ValidSlug(long) || strings.HasSuffix(long, "-") {
		t.Errorf("long title: %q (%d)", long, len(long))
	}
}

func TestFirstFreeSlug(t *testing.T) {
	t.Parallel()
	if got := project.FirstFree("plein", nil); got != "plein" {
		t.Errorf("free: %q", got)
	}
	if got := project.FirstFree("plein", []string{"plein", "plein-2", "plein-zuid"}); got != "plein-3" {
		t.Errorf("taken: %q", got)
	}
	base := strings.Repeat("a", project.MaxSlug)
	if got := project.FirstFree(base, []string{base}); len(got) > project.MaxSlug || !strings.HasSuffix(got, "-2") || !project.ValidSlug(got) {
		t.Errorf("at the length limit: %q", got)
	}
}
