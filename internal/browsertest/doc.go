//go:build browser

// Package browsertest is the browser check of Inspraak. It grows with the
// product: every public page the site gets is added to its table.
//
// It starts the real application in-process, once for all its tests (the
// same app.New the binary uses, with demo content, on a fresh SQLite
// database, or on a fresh PostgreSQL schema when INSPRAAK_TEST_DATABASE_URL
// is set), drives a headless Chromium (one per test) through the DevTools
// protocol (chromedp), and for every page in the table, at a desktop
// (1280×900) and a phone (375×812, mobile emulation) viewport, it:
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
// Pages behind a login are checked logged in: the table's login field
// names who (a resident, a new resident at the name question, an admin, a
// staff member without a role), and the tab logs in through the UI first,
// as a person would: the login page, its button, the built-in test
// provider's form at /dev/idp (a fresh test BSN, or a work account with
// its groups), the name question, and back. The provider runs on an origin
// of its own (another port, INSPRAAK_DEV_IDP_ADDR), and its authorization
// and end-session endpoints on a third, a broker that sends the browser on
// to it, so every login and logout crosses origins the way it does in
// production; login_origin_test.go logs in and out with each means that way
// and fails on any CSP violation on the way. Pages that only a form leads
// to (the provider's login page, the page after logging out) name the
// button to press in the click field. A page keeps one tab and one login
// for both viewports, except a click page, which is a flow and runs in a
// fresh tab at each viewport.
//
// Three keyboard tests. One tabs from the top of the home page: the first Tab
// must focus the skip link and make it visible, Enter must move focus to
// #main. One logs in with DigiD using only Tab, Enter and typing, from
// /inloggen to /mijn-inspraak. One answers the demo questionnaire with
// Tab, Shift+Tab, arrow keys, Space and typing (type-ahead in the ranking
// selects) and submits it with Enter: it must end on the receipt with every
// answer, each Tab in the form must go to the next control in document
// order and never up or left on screen; then, on the empty form, Enter on
// the error summary's first link must move focus to its question. All three
// fail on every element on the way whose focus does not show (no outline
// and no box-shadow).
//
// # Running
//
// The files carry the build tag "browser", so a plain `go test ./...` never
// compiles them. Run:
//
//	go test -tags browser ./internal/browsertest/ -v
//
// Tabs mostly wait, so TestMain runs 2×GOMAXPROCS of them at once (at
// least 4, at most 8) unless -parallel says otherwise.
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
// <page>-<viewport>.jpg (full page), for example home-desktop.jpg and
// home-phone.jpg. When axe finds violations, <page>-<viewport>-axe.json
// sits next to them. INSPRAAK_SCREENSHOTS=failed (what .ci/run sets) takes
// the full-page pictures only of checks that failed.
//
// # Adding a page
//
// Add an entry to the pages table at the top of pages_test.go: a name
// (used for the subtest and the screenshot file), the path, the expected
// status and the expected h1; for a page behind a login, who logs in; for
// a page that a button leads to, the button's text. Routes that exist only for the test (such as
// the panicking /test/panic) go in testRoutes in site_test.go.
package browsertest
