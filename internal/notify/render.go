package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"gorm.io/gorm"
	"html/template"
	"net/url"
	"strings"
	"time"

	"inspraak/internal/i18n"
)

// mailBody is what both the plain-text and the HTML part of a mail say.
type mailBody struct {
	Lang        string
	Greeting    string
	Lines       []string
	LinkIntro   string
	Link        string
	Footer      []string
	Unsubscribe string
	UnsubIntro  string
	Settings    string
	SetIntro    string
	Regards     string
	Signature   string
}

var htmlMail = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a;">
<p>{{.Greeting}}</p>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Link}}<p>{{.LinkIntro}}<br><a href="{{.Link}}">{{.Link}}</a></p>
{{end}}<p>{{.Regards}}<br>{{.Signature}}</p>
<hr>
<p style="font-size: 14px; color: #4b4b4b;">{{range .Footer}}{{.}}<br>{{end}}{{if .Unsubscribe}}{{.UnsubIntro}} <a href="{{.Unsubscribe}}">{{.Unsubscribe}}</a><br>{{end}}{{if .Settings}}{{.SetIntro}} <a href="{{.Settings}}">{{.Settings}}</a>{{end}}</p>
</body>
</html>
`))

// text renders the plain-text part.
func (b mailBody) text() string {
	var w strings.Builder
	w.WriteString(b.Greeting + "\n\n")
	for _, l := range b.Lines {
		w.WriteString(l + "\n\n")
	}
	if b.Link != "" {
		w.WriteString(b.LinkIntro + "\n" + b.Link + "\n\n")
	}
	w.WriteString(b.Regards + "\n" + b.Signature + "\n\n-- \n")
	for _, l := range b.Footer {
		w.WriteString(l + "\n")
	}
	if b.Unsubscribe != "" {
		w.WriteString(b.UnsubIntro + "\n" + b.Unsubscribe + "\n")
	}
	if b.Settings != "" {
		w.WriteString(b.SetIntro + "\n" + b.Settings + "\n")
	}
	return w.String()
}

func (b mailBody) html() (string, error) {
	var buf bytes.Buffer
	if err := htmlMail.Execute(&buf, b); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// abs makes an absolute URL on this site from a path and a query.
func (s *Service) abs(path string, q url.Values) string {
	u := *s.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Service) newMessageID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("notify: no randomness: " + err.Error())
	}
	return "<" + hex.EncodeToString(b) + "@" + s.msgHost + ">"
}

// sentence ends a title with a full stop unless it has its own.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

func (s *Service) greeting(lang, name string) string {
	if name = oneLine(name, 60); name != "" {
		return s.cat.T(lang, "notify.mail.greeting", name)
	}
	return s.cat.T(lang, "notify.mail.greeting_anonymous")
}

// renderNotification renders one notification mail for one recipient in
// their language, with a one-click unsubscribe link for this kind.
func (s *Service) renderNotification(m Message, r recipient, now time.Time) (Mail, error) {
	lang := r.Lang
	if !i18n.Supported(lang) {
		lang = i18n.Languages[0]
	}
	args := make([]any, len(m.Params))
	for i, p := range m.Params {
		args[i] = p
	}
	title := oneLine(s.cat.T(lang, m.Key, args...), 180)
	link := m.Link
	if link == "" {
		link = "/mijn-inspraak/meldingen"
	}
	unsub := s.abs("/afmelden", url.Values{"token": {s.UnsubscribeToken(r.ParticipantID, string(m.Kind))}})
	b := mailBody{
		Lang:        lang,
		Greeting:    s.greeting(lang, r.DisplayName),
		Lines:       []string{sentence(title)},
		LinkIntro:   s.cat.T(lang, "notify.mail.view"),
		Link:        s.abs(link, nil),
		Footer:      []string{s.cat.T(lang, "notify.mail.why", s.muni, s.cat.T(lang, "notify.kind."+string(m.Kind)))},
		Unsubscribe: unsub,
		UnsubIntro:  s.cat.T(lang, "notify.mail.unsubscribe"),
		Settings:    s.abs("/mijn-inspraak/meldingen", nil),
		SetIntro:    s.cat.T(lang, "notify.mail.settings"),
		Regards:     s.cat.T(lang, "notify.mail.regards"),
		Signature:   s.muni,
	}
	return s.newMail(r.ParticipantID, string(m.Kind), r.Email, lang, title, b, unsub, now)
}

// renderConfirm renders the mail with the confirmation link.
func (s *Service) renderConfirm(participantID int64, email, lang, name, token string, now time.Time) (Mail, error) {
	b := mailBody{
		Lang:      lang,
		Greeting:  s.greeting(lang, name),
		Lines:     []string{s.cat.T(lang, "notify.confirm.text", s.muni)},
		LinkIntro: s.cat.T(lang, "notify.confirm.link"),
		Link:      s.abs("/mijn-inspraak/email/bevestigen", url.Values{"token": {token}}),
		Footer:    []string{s.cat.T(lang, "notify.confirm.ignore")},
		Regards:   s.cat.T(lang, "notify.mail.regards"),
		Signature: s.muni,
	}
	return s.newMail(participantID, kindConfirm, email, lang, s.cat.T(lang, "notify.confirm.subject"), b, "", now)
}

func (s *Service) newMail(participantID int64, kind, to, lang, subject string, b mailBody, unsub string, now time.Time) (Mail, error) {
	html, err := b.html()
	if err != nil {
		return Mail{}, err
	}
	var pid *int64
	if participantID != 0 {
		pid = &participantID
	}
	return Mail{ParticipantID: pid, Kind: kind, ToAddress: to, Lang: lang, Subject: subject,
		BodyText: b.text(), BodyHTML: html, UnsubscribeURL: unsub, MessageID: s.newMessageID(),
		Status: StatusPending, NextAttemptAt: now, CreatedAt: now}, nil
}

// kindStaffDigest marks the moderators' digest in the outbox.
const kindStaffDigest = "staff_digest"

// QueueModeratorDigest queues the mail that tells a moderator how much
// work waits. It goes to the address their staff login provider gave; it
// has no unsubscribe link (it is part of their role, and the interval is
// a moderation setting).
func (s *Service) QueueModeratorDigest(tx *gorm.DB, to, name string, waiting int64, oldest time.Time) error {
	lang := i18n.Languages[0]
	now := s.utcNow()
	title := s.cat.N(lang, "notify.digest.subject", waiting)
	b := mailBody{
		Lang:      lang,
		Greeting:  s.greeting(lang, name),
		Lines:     []string{s.cat.N(lang, "notify.digest.waiting", waiting), s.cat.T(lang, "notify.digest.oldest", s.cat.Date(lang, oldest)+" "+oldest.In(i18n.Location).Format("15:04"))},
		LinkIntro: s.cat.T(lang, "notify.digest.link"),
		Link:      s.abs("/beheer/moderatie", nil),
		Footer:    []string{s.cat.T(lang, "notify.digest.why", s.muni)},
		Regards:   s.cat.T(lang, "notify.mail.regards"),
		Signature: s.muni,
	}
	m, err := s.newMail(0, kindStaffDigest, to, lang, title, b, "", now)
	if err != nil {
		return err
	}
	return tx.Create(&m).Error
}
