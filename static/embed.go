// Package static embeds the files served under /static/: our own CSS,
// scripts and images, and the vendored NL Design System CSS and htmx
// (see vendor/README.md for how to reproduce them).
package static

import "embed"

// FS holds css/, js/, img/ and vendor/.
//
//go:embed css img js vendor/utrecht/*.css vendor/voorbeeld/*.css vendor/htmx/*.js vendor/fonts/*.woff2
var FS embed.FS
