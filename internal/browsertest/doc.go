//go:build browser

// Package browsertest is the browser check of Inspraak. It grows with the
// product: every public page the site gets is added to its table.
//
// It starts the real application in-process (the same app.New the binary
// uses, with demo content, on a fresh SQLite database, or on a fresh
// PostgreSQL schema when INSPRAAK_TEST_DATABASE_URL is set), drives a
// headless Chromium through the DevTools protocol (chromedp), and for every
// page in the table, at a desktop (1280×900) and a phone (375×812, mobile
// emulation) viewport, it:
//
//   - checks the HTTP status of the document and the text of its one h1
//     (and any other text the table expects);
//   - checks <html lang>, a non-empty <title>, exactly one h1, a skip link
//     as the first link that targets #main, and no horizontal scrolling;
//   - fails on any console error, uncaught exception, CSP violation or
//     failed subresource load;
//   - takes a full-page screenshot;
//   - injects the vendored axe-core (testdata/axe.min.js) through DevTools
//     and fails on every WCAG 2.0/2.1/2.2 A and AA violation it finds. Zero
//     violations are allowed.
//
// A keyboard test tabs from the top of the home page: the first Tab must
// focus the skip link and make it visible, Enter must move focus to #main.
//
// # Running
//
// The files carry the build tag "browser", so a plain `go test ./...` never
// compiles them. Run:
//
//	go test -tags browser ./internal/browsertest/ -v
//
// It needs Chromium: /usr/bin/chromium, or the binary that CHROMIUM_PATH
// names. With the tag on, a missing browser is a failure, not a skip
// (Debian/Ubuntu: `apt-get install -y chromium`). With -v the application's
// warnings and errors are printed; otherwise its log is discarded.
//
// # Screenshots
//
// Screenshots are written to $INSPRAAK_ARTIFACTS/browser/ when that is set,
// else to artifacts/browser/ in the repository root (gitignored), named
// <page>-<viewport>.png, for example home-desktop.png and home-phone.png.
// When axe finds violations, <page>-<viewport>-axe.json sits next to them.
//
// # Adding a page
//
// Add an entry to the pages table at the top of pages_test.go: a name
// (used for the subtest and the screenshot file), the path, the expected
// status and the expected h1. Routes that exist only for the test (such as
// the panicking /test/panic) go in testRoutes in site_test.go.
package browsertest
