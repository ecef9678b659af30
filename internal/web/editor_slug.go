package web

import (
	"context"
	"strings"

	"inspraak/internal/project"
)

// freeSlugFunc returns a free address near base (project.Service.FreeSlug,
// or instrument.Service.FreeSlug for one project).
type freeSlugFunc func(ctx context.Context, base string) (string, error)

// suggestSlug fills an empty address field from the title (the form
// works without JavaScript: the script only shows the same while typing).
// When the address the title gives is taken, it fills in a free one and
// returns the message for the address field, so the editor sees the
// suggestion before anything is stored; "" means the address can be used.
func suggestSlug(ctx context.Context, slug *string, title string, free freeSlugFunc) (string, error) {
	if strings.TrimSpace(*slug) != "" {
		return "", nil
	}
	base := project.SlugFrom(title)
	if base == "" {
		return "", nil // no title: its own message says so, and the address's
	}
	got, err := free(ctx, base)
	if err != nil {
		return "", err
	}
	*slug = got
	if got != base {
		return "editor.slug.suggested", nil
	}
	return "", nil
}

// offerFreeSlug answers "this address is taken" with a free one near it in
// the field and a message that says so. It changes nothing else.
func offerFreeSlug(ctx context.Context, slug *string, fields map[string]string, free freeSlugFunc) {
	switch fields["slug"] {
	case "project.error.slug_taken", "instrument.error.slug_taken":
	default:
		return
	}
	base := strings.ToLower(strings.TrimSpace(*slug))
	if !project.ValidSlug(base) {
		return
	}
	if got, err := free(ctx, base); err == nil && got != base {
		*slug = got
		fields["slug"] = "editor.slug.taken_suggested"
	}
}

// instrumentSlugs is FreeSlug for the instruments of one project.
func (s *Server) instrumentSlugs(projectID int64) freeSlugFunc {
	return func(ctx context.Context, base string) (string, error) {
		return s.instruments.FreeSlug(ctx, projectID, base)
	}
}
