package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
)

// StartWithChartEnv starts the inspraak binary with exactly the
// environment the chart's Deployment gives it for the values in file, the
// secrets filled in as the Secret would (random keys, the database URL
// given), and waits for /readyz 200: production mode refuses any setting
// it cannot use at start, so this proves the chart's names and values are
// ones Inspraak accepts. Then SIGTERM, and a clean exit.
func StartWithChartEnv(chartDir, file, binary, databaseURL string) (string, error) {
	vals, err := Values(file)
	if err != nil {
		return "", err
	}
	ms, err := Render(chartDir, vals)
	if err != nil {
		return "", err
	}
	objs, err := DecodeAll(ms)
	if err != nil {
		return "", err
	}
	var dep *appsv1.Deployment
	for _, o := range objs {
		if d, ok := o.Typed.(*appsv1.Deployment); ok {
			dep = d
		}
	}
	if dep == nil {
		return "", errors.New("no Deployment rendered")
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return "", err
	}
	var env []string
	for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
		v := e.Value
		switch {
		case e.Name == "INSPRAAK_ADDR":
			v = addr // the container's :8080, here on loopback
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			switch e.Name {
			case "INSPRAAK_DATABASE_URL":
				v = databaseURL
			case "INSPRAAK_SMTP_URL":
				v = "smtp://inspraak:unused@127.0.0.1:2525" // contacted only when there is mail
			default:
				v = randomSecret()
			}
		case e.ValueFrom != nil:
			return "", fmt.Errorf("env %s: a valueFrom the check cannot fill in", e.Name)
		}
		env = append(env, e.Name+"="+v)
	}
	cmd := exec.Command(binary, dep.Spec.Template.Spec.Containers[0].Args...)
	cmd.Env = env
	cmd.Dir = os.TempDir()
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	fail := func(err error) (string, error) {
		_ = cmd.Process.Kill()
		<-exited
		return "", fmt.Errorf("%w\ninspraak's output:\n%s", err, log.String())
	}
	body, err := waitReady("http://"+addr+"/readyz", exited)
	if err != nil {
		return fail(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fail(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			return "", fmt.Errorf("after SIGTERM: %v\ninspraak's output:\n%s", waitErr, log.String())
		}
	case <-time.After(20 * time.Second):
		return fail(errors.New("still running 20 s after SIGTERM"))
	}
	return fmt.Sprintf("%d settings from the chart, /readyz 200 %s, stopped cleanly on SIGTERM", len(env), strings.TrimSpace(body)), nil
}

func waitReady(url string, exited <-chan struct{}) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b), nil
			}
		}
		select {
		case <-exited:
			return "", errors.New("inspraak exited before it was ready")
		case <-ctx.Done():
			return "", errors.New("no /readyz 200 within 60 s")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomSecret() string {
	b := make([]byte, 36)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
