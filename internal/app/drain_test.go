package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/app"
	"inspraak/internal/web"
)

// SIGTERM with a drain delay: the instance first tells the load balancer
// it is going (/readyz 503 "draining") while it still answers every other
// page on new connections; only when the delay is over does it stop
// accepting; a request in flight all along still gets its answer.
func TestSIGTERMDrainsBeforeItStopsAccepting(t *testing.T) {
	cfg := testConfig(t, map[string]string{"INSPRAAK_DRAIN_DELAY": "7s"})
	started, release := make(chan struct{}), make(chan struct{})
	delayOver := make(chan time.Time)
	asked := make(chan time.Duration, 1)
	logs := &lockedBuffer{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), app.Options{
		WebRoutes: func(d web.Deps) web.Deps {
			d.Routes = func(r gin.IRouter) {
				r.GET("/test/slow", func(c *gin.Context) {
					close(started)
					<-release
					c.String(http.StatusOK, "klaar")
				})
			}
			return d
		},
		DrainTimer: func(d time.Duration) <-chan time.Time { asked <- d; return delayOver },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	// Every check opens a new connection, as a new client would.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	get := func(path string) (int, string, error) {
		resp, err := fresh.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	if code, _, err := get("/readyz"); err != nil || code != http.StatusOK {
		t.Fatalf("before SIGTERM /readyz: %d %v", code, err)
	}
	// Whether the server asks a kept-alive client to close its connection.
	kept := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	asksToClose := func() bool {
		t.Helper()
		resp, err := kept.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Close
	}
	if asksToClose() {
		t.Fatal("before SIGTERM the server closes kept-alive connections")
	}

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		code, body, err := get("/test/slow")
		got <- result{code, body, err}
	}()
	<-started
	cancel() // what SIGTERM does in main

	var ready struct{ Status string }
	for deadline := time.Now().Add(10 * time.Second); ; {
		code, body, err := get("/readyz")
		if err != nil {
			t.Fatalf("/readyz while draining: %v (the listener must stay open during the delay)", err)
		}
		if code == http.StatusServiceUnavailable {
			if err := json.Unmarshal([]byte(body), &ready); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after SIGTERM", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ready.Status != "draining" {
		t.Errorf("/readyz while draining says %q, want draining", ready.Status)
	}
	if d := <-asked; d != 7*time.Second {
		t.Errorf("drain waited for %s, want INSPRAAK_DRAIN_DELAY (7s)", d)
	}
	for _, path := range []string{"/healthz", "/", "/projecten"} {
		if code, _, err := get(path); err != nil || code != http.StatusOK {
			t.Errorf("%s while draining: %d %v, want 200", path, code, err)
		}
	}
	if !asksToClose() {
		t.Error("while draining, responses do not ask kept-alive clients to close (and come back through the load balancer)")
	}
	select {
	case r := <-got:
		t.Fatalf("the slow request ended before it was let go: %+v", r)
	default:
	}

	close(delayOver) // the delay is over
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			break // refused: the listener is closed
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted after the drain delay")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if r := <-got; r.err != nil || r.status != http.StatusOK || r.body != "klaar" {
		t.Fatalf("request in flight through the drain: %+v", r)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(app.ShutdownTimeout + time.Second):
		t.Fatal("Serve did not return")
	}
	// A rolling update is no error: the load balancer's look at a
	// draining /readyz is logged as a probe.
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("logged as an error: %s", line)
		}
	}
	for _, phase := range []string{"draining: /readyz answers 503", "shutting down: no new connections", "shut down: every request answered"} {
		if !strings.Contains(logs.String(), phase) {
			t.Errorf("no log line %q", phase)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
