//go:build browser

package browsertest

import "net/http"

// page is one entry of the browser check.
type page struct {
	// name names the subtest and the screenshots (<name>-desktop.png).
	name string
	// path is what the browser opens. It may redirect; the checks apply to
	// the page the browser ends on.
	path string
	// status is the expected HTTP status of the final document.
	status int
	// h1 is the expected text of the page's only h1 (whitespace collapsed).
	h1 string
	// contains lists other texts that must be visible on the page.
	contains []string
	// lang is the expected <html lang>; empty means "nl".
	lang string
}

// pages is every page the browser check visits. ADD NEW PAGES HERE: one
// entry per public page (and per notable state of a page, such as a
// filtered list or a closed project). The demo content of internal/demo is
// in the database, so its slugs and titles can be used.
var pages = []page{
	{name: "home", path: "/", status: http.StatusOK,
		h1: "Denk mee met Gemeente Voorbeeld", contains: []string{"Een nieuw Marktplein"}},
	{name: "projects", path: "/projecten", status: http.StatusOK,
		h1: "Projecten", contains: []string{"Een nieuw Marktplein", "Afval scheiden: hoe kan het makkelijker?"}},
	{name: "projects-closed", path: "/projecten?status=afgerond", status: http.StatusOK,
		h1: "Projecten", contains: []string{"Afval scheiden: hoe kan het makkelijker?"}},
	{name: "project-open", path: "/projecten/herinrichting-marktplein", status: http.StatusOK,
		h1: "Een nieuw Marktplein", contains: []string{"Planning", "Vragenlijst over het schetsontwerp"}},
	{name: "project-closed", path: "/projecten/afval-scheiden", status: http.StatusOK,
		h1: "Afval scheiden: hoe kan het makkelijker?", contains: []string{"Afgerond"}},
	{name: "privacy", path: "/privacy", status: http.StatusOK, h1: "Privacyverklaring"},
	{name: "accessibility", path: "/toegankelijkheid", status: http.StatusOK, h1: "Toegankelijkheid"},
	{name: "not-found", path: "/bestaat-niet", status: http.StatusNotFound, h1: "Deze pagina bestaat niet"},
	{name: "server-error", path: "/test/panic", status: http.StatusInternalServerError, h1: "Er ging iets mis"},
	// The language switch sets a cookie and redirects back to the home page.
	{name: "home-en", path: "/taal/en?terug=/", status: http.StatusOK,
		h1: "Have your say in Gemeente Voorbeeld", lang: "en"},
}

// viewport is a screen size every page is checked at.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
	scale         float64
}

var viewports = []viewport{
	{name: "desktop", width: 1280, height: 900, scale: 1},
	{name: "phone", width: 375, height: 812, mobile: true, scale: 2},
}
