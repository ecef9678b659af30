// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) in
// a test process, so tests can send mail the way production does and read
// what arrived. Only tests import it.
package mailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message as the in-process server got it.
type Received struct {
	From  string
	To    []string
	Data  []byte
	TLS   bool
	User  string
	MsgID string
}

// Server is a real SMTP server (github.com/emersion/go-smtp) running
// in the test process. It can be stopped and started on the same address
// to play a mail server that is down for a while.
type Server struct {
	t    testing.TB
	Addr string

	mu          sync.Mutex
	got         []Received
	srv         *smtp.Server
	Reject      map[string]string // recipient → 550 message
	TLS         *tls.Config
	Users       map[string]string
	ImplicitTLS bool
}

// New starts a server on a free loopback port; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	ms := &Server{t: t, Reject: map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.Addr = ln.Addr().String()
	ms.serve(ln)
	t.Cleanup(ms.Stop)
	return ms
}

// NewDown is a server that is down: nothing listens on its address until Start.
func NewDown(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms := &Server{t: t, Reject: map[string]string{}, Addr: ln.Addr().String()}
	_ = ln.Close()
	t.Cleanup(ms.Stop)
	return ms
}

func (ms *Server) serve(ln net.Listener) {
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{ms: ms, conn: c}, nil })
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.MaxMessageBytes = 1 << 20
	s.TLSConfig = ms.TLS
	if ms.ImplicitTLS {
		ln = tls.NewListener(ln, ms.TLS)
	}
	ms.mu.Lock()
	ms.srv = s
	ms.mu.Unlock()
	go func() { _ = s.Serve(ln) }()
}

// Start brings a stopped server back on the same address.
func (ms *Server) Start() {
	ms.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger for a moment
		if ln, err = net.Listen("tcp", ms.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		ms.t.Fatal(err)
	}
	ms.serve(ln)
}

// Stop takes the server down.
func (ms *Server) Stop() {
	ms.mu.Lock()
	s := ms.srv
	ms.srv = nil
	ms.mu.Unlock()
	if s != nil {
		_ = s.Close()
	}
}

// Messages returns what arrived so far.
func (ms *Server) Messages() []Received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]Received(nil), ms.got...)
}

// CountByID counts the received messages per Message-ID.
func (ms *Server) CountByID() map[string]int {
	n := map[string]int{}
	for _, r := range ms.Messages() {
		n[r.MsgID]++
	}
	return n
}

type session struct {
	ms   *Server
	conn *smtp.Conn
	cur  Received
}

func (s *session) AuthMechanisms() []string {
	if s.ms.Users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if s.ms.Users[user] != pass || pass == "" {
			return errors.New("bad credentials")
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.ms.Users != nil && s.cur.User == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ms.mu.Lock()
	msg, bad := s.ms.Reject[to]
	s.ms.mu.Unlock()
	if bad {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: msg}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec := s.cur
	rec.Data = b
	_, rec.TLS = s.conn.TLSConnectionState()
	if m, err := mail.ReadMessage(bytes.NewReader(b)); err == nil {
		rec.MsgID = m.Header.Get("Message-Id")
	}
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, rec)
	s.ms.mu.Unlock()
	s.cur = Received{User: s.cur.User}
	return nil
}

func (s *session) Reset()        { s.cur = Received{User: s.cur.User} }
func (s *session) Logout() error { return nil }
