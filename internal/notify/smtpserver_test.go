package notify_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the in-process server got it.
type received struct {
	From  string
	To    []string
	Data  []byte
	TLS   bool
	User  string
	MsgID string
}

// mailServer is a real SMTP server (github.com/emersion/go-smtp) running
// in the test process. It can be stopped and started on the same address
// to play a mail server that is down for a while.
type mailServer struct {
	t    testing.TB
	addr string

	mu          sync.Mutex
	got         []received
	srv         *smtp.Server
	reject      map[string]string // recipient → 550 message
	tls         *tls.Config
	users       map[string]string
	implicitTLS bool
}

func newMailServer(t testing.TB) *mailServer {
	t.Helper()
	ms := &mailServer{t: t, reject: map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = ln.Addr().String()
	ms.serve(ln)
	t.Cleanup(ms.stop)
	return ms
}

// newDownAddress is an address where no server listens yet.
func newDownMailServer(t testing.TB) *mailServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms := &mailServer{t: t, reject: map[string]string{}, addr: ln.Addr().String()}
	_ = ln.Close()
	t.Cleanup(ms.stop)
	return ms
}

func (ms *mailServer) serve(ln net.Listener) {
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{ms: ms, conn: c}, nil })
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.MaxMessageBytes = 1 << 20
	s.TLSConfig = ms.tls
	if ms.implicitTLS {
		ln = tls.NewListener(ln, ms.tls)
	}
	ms.mu.Lock()
	ms.srv = s
	ms.mu.Unlock()
	go func() { _ = s.Serve(ln) }()
}

// start brings a stopped server back on the same address.
func (ms *mailServer) start() {
	ms.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger for a moment
		if ln, err = net.Listen("tcp", ms.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		ms.t.Fatal(err)
	}
	ms.serve(ln)
}

func (ms *mailServer) stop() {
	ms.mu.Lock()
	s := ms.srv
	ms.srv = nil
	ms.mu.Unlock()
	if s != nil {
		_ = s.Close()
	}
}

func (ms *mailServer) messages() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.got...)
}

// countByID counts the received messages per Message-ID.
func (ms *mailServer) countByID() map[string]int {
	n := map[string]int{}
	for _, r := range ms.messages() {
		n[r.MsgID]++
	}
	return n
}

type session struct {
	ms   *mailServer
	conn *smtp.Conn
	cur  received
}

func (s *session) AuthMechanisms() []string {
	if s.ms.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if s.ms.users[user] != pass || pass == "" {
			return errors.New("bad credentials")
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.ms.users != nil && s.cur.User == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ms.mu.Lock()
	msg, bad := s.ms.reject[to]
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
	s.cur = received{User: s.cur.User}
	return nil
}

func (s *session) Reset()        { s.cur = received{User: s.cur.User} }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func hostOf(addr string) string {
	h, _, _ := strings.Cut(addr, ":")
	return h
}

// newSilentListener accepts connections and never says a word, like a
// mail server that hangs.
func newSilentListener(t testing.TB) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String(), nil
}
