package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// buildMessage writes an outbox row as an RFC 5322 message:
// multipart/alternative with a plain-text and an HTML part, both UTF-8 in
// quoted-printable, and for notifications the List-Unsubscribe headers of
// RFC 2369 and RFC 8058 (one click: the mail client POSTs
// "List-Unsubscribe=One-Click" to the URL; no login, no cookie).
func buildMessage(from *mail.Address, m *Mail, date time.Time) ([]byte, error) {
	boundary, err := newBoundary()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", "<"+m.ToAddress+">")
	h("Subject", encodeHeader(oneLine(m.Subject, 200)))
	h("Date", date.Format(time.RFC1123Z))
	h("Message-ID", m.MessageID)
	h("MIME-Version", "1.0")
	h("Content-Language", m.Lang)
	h("Auto-Submitted", "auto-generated")
	if m.UnsubscribeURL != "" {
		h("List-Unsubscribe", "<"+m.UnsubscribeURL+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	h("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", m.BodyText},
		{"text/html; charset=utf-8", m.BodyHTML},
	} {
		b.WriteString("--" + boundary + "\r\n")
		h("Content-Type", part.ctype)
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		qp := quotedprintable.NewWriter(&b)
		if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(part.body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// encodeHeader encodes non-ASCII text as RFC 2047 words, folded so no
// header line grows past what SMTP allows.
func encodeHeader(s string) string {
	enc := mime.QEncoding.Encode("utf-8", s)
	if enc == s {
		return s
	}
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func newBoundary() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("notify: boundary: %w", err)
	}
	return "inspraak-" + hex.EncodeToString(b), nil
}
