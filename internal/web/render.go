package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/project"
)

// Renderer holds one parsed template set per page: the page file together
// with every layout and partial, so pages cannot see each other's blocks.
type Renderer struct {
	pages map[string]*template.Template
	pool  sync.Pool
}

// NewRenderer parses templates from fsys (layouts/, partials/, pages/).
func NewRenderer(fsys fs.FS, assets *Assets, cat *i18n.Catalog) (*Renderer, error) {
	funcs := template.FuncMap{
		"asset": assets.URL,
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"mul":   func(a, b float64) float64 { return a * b },
		"add2":  func(a, b float64) float64 { return a + b },
		"ptr":   func(f float64) *float64 { return &f },
		"deref64": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"max1": func(n int) int { return max(n, 1) },
		"list": func(xs ...string) []string { return xs },
		"deref": func(v any) any {
			switch t := v.(type) {
			case *bool:
				if t != nil {
					return *t
				}
				return false
			case *time.Time:
				if t != nil {
					return *t
				}
				return time.Time{}
			case *float64:
				if t != nil {
					return *t
				}
				return 0.0
			}
			return v
		},
		"loaChoice": func(p *Page, means string, levels []string, def int) LoAChoice {
			return LoAChoice{P: p, Means: means, Levels: levels, Default: def}
		},
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i + 1
			}
			return s
		},
	}
	shared, err := fs.Glob(fsys, "layouts/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	pages, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, err
	}
	key, err := rendererKey(fsys, append(append([]string{}, shared...), pages...), assets)
	if err != nil {
		return nil, err
	}
	if r, ok := renderers.Load(key); ok {
		return r.(*Renderer), nil
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	r.pool.New = func() any { return new(bytes.Buffer) }
	// The layouts and partials are parsed once; each page gets a clone of
	// them with its own file parsed in (a clone copies the parsed trees,
	// which costs a fraction of parsing them again for every page).
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, shared...)
	if err != nil {
		return nil, fmt.Errorf("web: parse layouts and partials: %w", err)
	}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(fsys, p)
		}
		if err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		r.pages[name] = t
	}
	renderers.Store(key, r)
	return r, nil
}

// renderers keeps the parsed page templates for the life of the process,
// by what they were made from: the template files and the asset URLs they
// call (the only thing their functions depend on). Parsing every page is
// most of what starting a server costs, and tests start hundreds; parsed
// templates are safe to execute from many servers at once.
var renderers sync.Map // string → *Renderer

func rendererKey(fsys fs.FS, files []string, assets *Assets) (string, error) {
	h := sha256.New()
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	names := make([]string, 0, len(assets.urls))
	for n := range assets.urls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%s\x00", n, assets.urls[n])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// execute renders a page into a new byte slice (for pages that are kept,
// pagecache.go).
func (r *Renderer) execute(page string, data *Page) ([]byte, error) {
	t, ok := r.pages[page]
	if !ok {
		return nil, fmt.Errorf("web: no template for page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (r *Renderer) render(w http.ResponseWriter, status int, page string, data *Page) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("web: no template for page %q", page)
	}
	buf := r.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.pool.Put(buf)
	if err := t.ExecuteTemplate(buf, "base", data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Page is what every template receives: the frame's data plus the page's
// own in Data. Methods give templates translations and formatting.
type Page struct {
	Lang         string
	Title        string
	Municipality string
	LogoURL      string
	BaseURL      string
	DevBanner    bool
	Path         string
	RequestID    string
	// LangSwitch links to the page in the other language.
	LangSwitch []LangLink
	// Nav marks the current main navigation item.
	Nav  string
	Data any
	// Resident is the logged-in resident or business, if any.
	Resident *identity.Current
	// Staff is the logged-in staff member on /beheer pages, if any.
	Staff *identity.Current
	// StaffArea switches the frame to the staff navigation.
	StaffArea bool
	// ModWaiting is the length of the moderation queue, shown to
	// moderators in the staff navigation.
	ModWaiting int64
	// Flash is a one-time message from the previous step.
	Flash *Flash
	// HideAccount hides the login state (the built-in provider's page is
	// "another site" and should not show it).
	HideAccount bool
	// Refresh, when set, sends the browser on to this address at once
	// (a meta refresh: a navigation of its own, which form-action does
	// not govern; used after logout to reach the provider).
	Refresh string
	// Preview, when set, marks a resident page an editor sees before it is
	// published: a banner says so, and search engines are asked to skip it.
	Preview *PreviewBar

	cat *i18n.Catalog
	now time.Time
}

// PreviewBar is the banner above a preview: what it is and the way back.
type PreviewBar struct {
	Note string // message key
	Back string // address of the editor's page
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang    string
	Label   string
	URL     string
	Current bool
}

// T translates a catalogue key.
func (p *Page) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// N translates a key with a count (key.one / key.other).
func (p *Page) N(key string, n any) string {
	switch v := n.(type) {
	case int:
		return p.cat.N(p.Lang, key, int64(v))
	case int64:
		return p.cat.N(p.Lang, key, v)
	}
	return key
}

// Date formats a time as a date in the page's language.
func (p *Page) Date(t any) string {
	switch v := t.(type) {
	case time.Time:
		return p.cat.Date(p.Lang, v)
	case *time.Time:
		if v == nil {
			return ""
		}
		return p.cat.Date(p.Lang, *v)
	}
	return ""
}

// ISODate formats a time for a <time datetime> attribute.
func (p *Page) ISODate(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.In(i18n.Location).Format("2006-01-02")
	case *time.Time:
		if v != nil {
			return v.In(i18n.Location).Format("2006-01-02")
		}
	}
	return ""
}

// page builds the frame data for a request.
func (s *Server) page(c *gin.Context, titleKey string, data any) *Page {
	lang := langOf(c)
	p := &Page{
		Lang:         lang,
		Municipality: s.cfg.MunicipalityName,
		LogoURL:      s.assets.URL(LogoName),
		BaseURL:      s.cfg.BaseURL.String(),
		DevBanner:    !s.cfg.IsProduction(),
		Path:         c.Request.URL.Path,
		RequestID:    RequestIDOf(c),
		Data:         data,
		cat:          s.cat,
		now:          s.now(),
		Resident:     residentOf(c),
		Staff:        staffOf(c),
		Flash:        s.takeFlash(c),
	}
	if titleKey != "" {
		p.Title = p.T(titleKey)
	}
	back := c.Request.URL.RequestURI()
	for _, l := range i18n.Languages {
		p.LangSwitch = append(p.LangSwitch, LangLink{
			Lang:    l,
			Label:   s.cat.T(l, "lang.name"),
			URL:     "/taal/" + l + "?terug=" + urlQueryEscape(back),
			Current: l == lang,
		})
	}
	return p
}

// html renders a page with status 200 or the given one.
func (s *Server) html(c *gin.Context, status int, name string, p *Page) {
	if p.StaffArea && p.Staff.Can(identity.PermModerate) && s.moderation != nil {
		if n, err := s.moderation.Waiting(c.Request.Context()); err == nil {
			p.ModWaiting = n
		}
	}
	if err := s.renderer.render(c.Writer, status, name, p); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render failed", slog.String("request_id", RequestIDOf(c)), slog.String("error", err.Error()))
		if !c.Writer.Written() {
			s.renderStatus(c, http.StatusInternalServerError, "")
		}
	}
}

// CardData is what the project-card partial receives.
type CardData struct {
	P *Page
	S project.Summary
}

// Card pairs a project summary with the page, for the card partial.
func (p *Page) Card(s project.Summary) CardData { return CardData{P: p, S: s} }

// Badge is a status badge: its Utrecht variant and its text.
type Badge struct {
	Variant string
	Label   string
}

// StatusBadge describes a project status for residents.
func (p *Page) StatusBadge(s project.Status) Badge {
	switch s {
	case project.StatusPublished:
		return Badge{"active", p.T("project.status.published")}
	case project.StatusClosed:
		return Badge{"inactive", p.T("project.status.closed")}
	case project.StatusArchived:
		return Badge{"neutral", p.T("project.status.archived")}
	}
	return Badge{"neutral", p.T("project.status.draft")}
}

// Can reports whether the logged-in staff member holds a permission, for
// showing only the staff links someone may follow.
func (p *Page) Can(perm string) bool { return p.Staff.Can(identity.Permission(perm)) }

// Time formats a time as hours and minutes in the municipality's zone.
func (p *Page) Time(t time.Time) string { return t.In(i18n.Location).Format("15:04") }

// DateTime formats a date and time.
func (p *Page) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.cat.Date(p.Lang, t) + " " + p.Time(t)
}

// RFC3339 formats a time for machine-readable attributes.
func (p *Page) RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// LoAChoice is what the level-of-assurance radio group partial receives.
type LoAChoice struct {
	P       *Page
	Means   string
	Levels  []string
	Default int
}

// InstrumentCardData pairs an instrument view with the page.
type InstrumentCardData struct {
	P  *Page
	In instrumentView
}

// InstrumentCard is what the instrument partials receive.
func (p *Page) InstrumentCard(in instrumentView) InstrumentCardData {
	return InstrumentCardData{P: p, In: in}
}

// Badge makes a status badge with a variant and text.
func (p *Page) Badge(variant, label string) Badge { return Badge{Variant: variant, Label: label} }

// Percent formats a percentage with one decimal, a decimal comma in Dutch.
func (p *Page) Percent(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if p.Lang == "nl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "%"
}

// Field is what the text-field partial draws: a labelled input with help
// text and its error, wired with aria-describedby as NL Design System asks.
type Field struct {
	ID, Name, Label, Help, Error, Value, Type string
	Multiline                                 bool
	Rows                                      int
}

// FieldError is one entry of the error summary.
type FieldError struct{ Field, Key string }

// FormErrors is what the error-summary partial receives.
type FormErrors struct {
	P      *Page
	Errors []FieldError
}

// Summary orders field errors by the order of the fields on the form.
func (p *Page) Summary(errs map[string]string, order ...string) FormErrors {
	fe := FormErrors{P: p}
	for _, f := range order {
		if k, ok := errs[f]; ok {
			fe.Errors = append(fe.Errors, FieldError{Field: f, Key: k})
		}
	}
	for f, k := range errs {
		if !slices.Contains(order, f) {
			fe.Errors = append(fe.Errors, FieldError{Field: f, Key: k})
		}
	}
	return fe
}

// Text builds a single-line field; key is the catalogue prefix for its
// label and help ("<key>.label", "<key>.help" when present).
func (p *Page) Text(id, name, key, value string, errs map[string]string) Field {
	f := Field{ID: id, Name: name, Label: p.T(key + ".label"), Value: value, Type: "text"}
	if p.cat.Has(p.Lang, key+".help") {
		f.Help = p.T(key + ".help")
	}
	if e, ok := errs[id]; ok {
		f.Error = p.T(e)
	}
	return f
}

// TextArea builds a multi-line field.
func (p *Page) TextArea(id, name, key, value string, rows int, errs map[string]string) Field {
	f := p.Text(id, name, key, value, errs)
	f.Multiline, f.Rows = true, rows
	return f
}

// TextLabelled builds a single-line field whose label is already
// translated, for rows that number their fields ("Antwoord 3").
func (p *Page) TextLabelled(id, name, label, value string, errs map[string]string) Field {
	f := Field{ID: id, Name: name, Label: label, Value: value, Type: "text"}
	if e, ok := errs[id]; ok {
		f.Error = p.T(e)
	}
	return f
}

// Described sets a field's help text, already translated.
func (f Field) Described(help string) Field { f.Help = help; return f }

// Typed changes an input's type (date, datetime-local, number).
func (f Field) Typed(t string) Field { f.Type = t; return f }

// QuestionData is what the question partial receives.
type QuestionData struct {
	P *Page
	D consultationPageData
	Q consultation.Question
}

// Question pairs a question with the page and its data.
func (p *Page) Question(d consultationPageData, q consultation.Question) QuestionData {
	return QuestionData{P: p, D: d, Q: q}
}

// SummaryList is Summary with the field order as a list.
func (p *Page) SummaryList(errs map[string]string, order []string) FormErrors {
	return p.Summary(errs, order...)
}

// UnreadLink is what the notifications-link partial receives.
type UnreadLink struct {
	P *Page
	N int64
}

// Unread pairs an unread count with the page, for the link to Meldingen.
func (p *Page) Unread(n int64) UnreadLink { return UnreadLink{P: p, N: n} }
