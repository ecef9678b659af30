package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// Transport delivers one finished message to a mail server.
type Transport interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// ErrPermanent marks a failure that retrying will not fix (the server
// answered 5xx, e.g. "no such mailbox"); the mail is marked failed at once.
var ErrPermanent = errors.New("permanent mail failure")

// DevTransport is used in development without INSPRAAK_SMTP_URL: it
// accepts every mail, so the row is marked sent and shows on /dev/outbox.
type DevTransport struct{}

// Send accepts the message and does nothing with it.
func (DevTransport) Send(context.Context, string, []string, []byte) error { return nil }

// SMTPTransport sends over SMTP: smtp:// uses STARTTLS whenever the
// server offers it, smtps:// speaks TLS from the first byte.
type SMTPTransport struct {
	// Addr is host:port.
	Addr string
	// Host is the name the server's certificate must carry.
	Host     string
	Implicit bool
	Username string
	Password string
	// Timeout bounds the whole conversation for one mail.
	Timeout time.Duration
	// HelloName is sent in EHLO.
	HelloName string
	// TLSConfig, if set, replaces the default (system roots, ServerName Host).
	TLSConfig *tls.Config
}

// DefaultSMTPTimeout bounds one mail's conversation with the server.
const DefaultSMTPTimeout = 30 * time.Second

// ParseSMTPURL reads smtp://user:pass@host:port or smtps://… . The port
// defaults to 587 for smtp and 465 for smtps.
func ParseSMTPURL(raw string) (*SMTPTransport, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	t := &SMTPTransport{Timeout: DefaultSMTPTimeout, HelloName: "localhost"}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		t.Implicit, port = true, "465"
	default:
		return nil, errors.New("the scheme must be smtp:// or smtps://")
	}
	t.Host = u.Hostname()
	if t.Host == "" {
		return nil, errors.New("the URL has no host")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	t.Addr = net.JoinHostPort(t.Host, port)
	if u.User != nil {
		t.Username = u.User.Username()
		t.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("the URL must not have a path")
	}
	return t, nil
}

func (t *SMTPTransport) tlsConfig() *tls.Config {
	if t.TLSConfig != nil {
		return t.TLSConfig.Clone()
	}
	return &tls.Config{ServerName: t.Host, MinVersion: tls.VersionTLS12}
}

// Send delivers msg. Connection, TLS and every command share one deadline,
// and a cancelled ctx closes the connection at once.
func (t *SMTPTransport) Send(ctx context.Context, from string, to []string, msg []byte) (err error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := &net.Dialer{Deadline: deadline}
	var conn net.Conn
	if t.Implicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: t.tlsConfig()}).DialContext(ctx, "tcp", t.Addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", t.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: connect: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if err := conn.SetDeadline(deadline); err != nil {
		_ = conn.Close()
		return err
	}
	c, err := smtp.NewClient(conn, t.Host)
	if err != nil {
		_ = conn.Close()
		return classify("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(t.HelloName); err != nil {
		return classify("EHLO", err)
	}
	if !t.Implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(t.tlsConfig()); err != nil {
				return classify("STARTTLS", err)
			}
		}
	}
	if t.Username != "" {
		// net/smtp refuses PLAIN over an unencrypted connection to anything
		// but localhost, so a password never crosses the network in clear.
		if err := c.Auth(smtp.PlainAuth("", t.Username, t.Password, t.Host)); err != nil {
			return classify("AUTH", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return classify("MAIL FROM", err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return classify("RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("DATA", err)
	}
	_ = c.Quit()
	return nil
}

// classify wraps a 5xx answer as permanent; everything else (4xx, network
// trouble, timeouts) is worth another try later.
func classify(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return fmt.Errorf("smtp: %s: %w: %w", step, ErrPermanent, err)
	}
	return fmt.Errorf("smtp: %s: %w", step, err)
}

// redactAddresses removes e-mail addresses from text meant for logs and
// the outbox's last_error: servers like to quote the recipient.
func redactAddresses(s string) string {
	var b strings.Builder
	for i, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }) {
		if i > 0 {
			b.WriteByte(' ')
		}
		if strings.Contains(f, "@") {
			b.WriteString("[adres]")
			continue
		}
		b.WriteString(f)
	}
	return b.String()
}
