package web

import (
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/consultation"
	"inspraak/internal/ratelimit"
)

// Limits on abuse (docs/architecture.md, "Limits on abuse"). A handler
// calls limited or apiLimited once, before it changes anything; a refusal
// is a 429 with Retry-After and, on pages, everything the resident typed
// in a form they can copy or send again.

// retryField is a posted field that the 429 page shows back as a text field.
type retryField struct {
	Name      string
	Label     string // a catalogue key, or the label itself when Raw
	Raw       bool
	Multiline bool
}

// limitedParty is the counted party of a page request: the logged-in resident, if
// any, and the client address. ClientIP reads X-Forwarded-For only from
// INSPRAAK_TRUSTED_PROXIES; from anyone else it is the connection's own
// address.
func limitedParty(c *gin.Context) ratelimit.Who {
	w := ratelimit.Who{Address: c.ClientIP()}
	if cur := residentOf(c); cur != nil {
		w.Participant = cur.Participant.ID
	}
	return w
}

// limited counts one request of action a and, when it is one too many,
// answers 429 with the waiting page and returns true. fields name the
// posted fields to show back as text; every other posted value goes along
// hidden, so "Opnieuw versturen" sends the same request again.
func (s *Server) limited(c *gin.Context, a ratelimit.Action, fields ...retryField) bool {
	d, ok := s.take(c, a, limitedParty(c))
	if ok {
		return false
	}
	s.renderLimited(c, a, d, fields)
	return true
}

// apiLimited counts one API call, by key when a bearer token is sent and
// by client address always, and answers a 429 problem when it is too much.
func (s *Server) apiLimited(c *gin.Context, key string) bool {
	d, ok := s.take(c, ratelimit.API, ratelimit.Who{Address: c.ClientIP(), APIKey: key})
	if ok {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(d.Seconds()))
	pd := s.problemOf(c, http.StatusTooManyRequests, "ratelimit.api", nil)
	pd.RetryAfter = d.Seconds()
	s.writeProblem(c, pd)
	return true
}

// take asks the limiter. A limiter that fails lets the request through:
// the limits guard against floods, and must not turn a database hiccup
// into refusing residents (the request's own work meets the same
// database and reports it).
func (s *Server) take(c *gin.Context, a ratelimit.Action, w ratelimit.Who) (ratelimit.Decision, bool) {
	d, err := s.limits.Take(c.Request.Context(), a, w)
	if err != nil {
		s.log.WarnContext(c.Request.Context(), "rate limit not counted", slog.String("action", string(a)), slog.String("error", err.Error()))
		return d, true
	}
	if !d.Allowed {
		// Which limit, not who: operators see floods and limits set too low.
		s.log.InfoContext(c.Request.Context(), "rate limit reached", slog.String("action", string(a)), slog.String("request_id", RequestIDOf(c)))
	}
	return d, d.Allowed
}

type limitedData struct {
	Lead    string
	Wait    string
	Action  string
	Fields  []Field
	Hidden  [][2]string
	Resend  bool
	Seconds int
}

func (s *Server) renderLimited(c *gin.Context, a ratelimit.Action, d ratelimit.Decision, fields []retryField) {
	p := s.page(c, "ratelimit.heading", nil)
	lead := "ratelimit.lead.default"
	switch a {
	case ratelimit.Login, ratelimit.Email:
		lead = "ratelimit.lead." + string(a)
	}
	ld := limitedData{Lead: p.T(lead), Wait: p.N("ratelimit.wait", d.Minutes()), Action: c.Request.URL.Path, Seconds: d.Seconds()}
	// The form as it was posted (already parsed by the handler or parsed
	// here within the body limit).
	_ = c.Request.ParseForm()
	form := c.Request.PostForm
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
		label := f.Label
		if !f.Raw {
			label = p.T(f.Label)
		}
		fd := Field{ID: "terug-" + f.Name, Name: f.Name, Label: label, Value: form.Get(f.Name), Type: "text", Multiline: f.Multiline}
		if f.Multiline {
			fd.Rows = 6
		}
		ld.Fields = append(ld.Fields, fd)
	}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(names, k) {
			continue
		}
		for _, v := range form[k] {
			ld.Hidden = append(ld.Hidden, [2]string{k, v})
		}
	}
	ld.Resend = c.Request.Method == http.MethodPost
	p.Data = ld
	c.Header("Retry-After", strconv.Itoa(d.Seconds()))
	s.html(c, http.StatusTooManyRequests, "rate_limited", p)
}

// What the 429 page shows back, per form.
var (
	retryIdeaFields = []retryField{{Name: "titel", Label: "idea.field.title.label"}, {Name: "beschrijving", Label: "idea.field.description.label", Multiline: true},
		{Name: "wijk", Label: "idea.field.wijk_input.label"}, {Name: "plek", Label: "idea.field.location_input.label"}}
	retryCommentFields = []retryField{{Name: "reactie", Label: "idea.comment.field.label", Multiline: true}}
	retryReportFields  = []retryField{{Name: "toelichting", Label: "moderation.report.note.label", Multiline: true}}
	retryEmailFields   = []retryField{{Name: "email", Label: "notifications.email.label"}}
)

// retryAnswerFields shows back the written answers of a questionnaire screen,
// under their questions; choices go along hidden.
func retryAnswerFields(qs []consultation.Question) []retryField {
	var out []retryField
	for _, q := range qs {
		if q.Kind == consultation.ShortText || q.Kind == consultation.LongText {
			out = append(out, retryField{Name: consultation.FieldName(q.ID), Label: q.Text, Raw: true, Multiline: q.Kind == consultation.LongText})
		}
	}
	return out
}

// apiKeyOf is the key an API call is counted by: the bearer token, when
// one was sent.
func apiKeyOf(tok string, found bool) string {
	if !found {
		return ""
	}
	return strings.TrimSpace(tok)
}
