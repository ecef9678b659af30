// Package templates embeds the HTML templates: layouts/ (the page frame),
// partials/ (shared pieces) and pages/ (one file per page). Every page is
// parsed together with all layouts and partials into its own set.
package templates

import "embed"

// FS holds layouts/*.html, partials/*.html and pages/*.html.
//
//go:embed layouts/*.html partials/*.html pages/*.html
var FS embed.FS
