package web

import (
	"strconv"
	"strings"
	"time"

	"inspraak/internal/i18n"
)

// clock is the server's time.
func (s *Server) clock() time.Time { return s.now().UTC() }

// DurationText writes a waiting time as people say it: "3 uur", "2 dagen".
func (p *Page) DurationText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return p.T("duration.less_than_minute")
	case d < time.Hour:
		return p.N("duration.minutes", int64(d/time.Minute))
	case d < 48*time.Hour:
		return p.N("duration.hours", int64(d/time.Hour))
	default:
		return p.N("duration.days", int64(d/(24*time.Hour)))
	}
}

// Since is how long ago t was, as DurationText.
func (p *Page) Since(t time.Time) string { return p.DurationText(p.now.Sub(t)) }

// WeekLabel names a week by its Monday, short: "5 okt".
func (p *Page) WeekLabel(t time.Time) string {
	t = t.In(i18n.Location)
	month := []rune(p.T("month." + strconv.Itoa(int(t.Month()))))
	if len(month) > 3 {
		month = month[:3]
	}
	if p.Lang != "en" {
		return strconv.Itoa(t.Day()) + " " + strings.ToLower(string(month))
	}
	return strconv.Itoa(t.Day()) + " " + string(month)
}

// ModRadioData is one radio button of the decision form.
type ModRadioData struct {
	Name, Value, Label string
	Checked            bool
}

// ModRadio builds a radio button with a translated label.
func (p *Page) ModRadio(name, value, key string, checked bool) ModRadioData {
	return ModRadioData{Name: name, Value: value, Label: p.T(key), Checked: checked}
}

// TextAreaLabelled is TextArea with a label that is already translated.
func (p *Page) TextAreaLabelled(id, name, label, value string, rows int, errs map[string]string) Field {
	f := p.TextLabelled(id, name, label, value, errs)
	f.Multiline, f.Rows, f.Type = true, rows, ""
	return f
}

// Excerpt is the start of a text, at most n characters, cut at a word.
func (p *Page) Excerpt(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
