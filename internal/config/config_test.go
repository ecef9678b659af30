package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const goodKey = "q8Yv2mZr7LkP1xWn4sTe9bHd3cFg6jUa"
const goodKey2 = "Zt5Rw1Qy8Nb3Mx7Vc2Lk9Jh4Gf6Ds0Ap"

func envMap(m map[string]string) Getenv {
	return func(k string) string { return m[k] }
}

func safeProduction() map[string]string {
	return map[string]string{
		"INSPRAAK_ENV":             "production",
		"INSPRAAK_BASE_URL":        "https://inspraak.gemeente.example",
		"INSPRAAK_DATABASE_URL":    "postgres://inspraak@db/inspraak?sslmode=require",
		"INSPRAAK_SESSION_KEY":     goodKey,
		"INSPRAAK_PSEUDONYM_KEY":   goodKey2,
		"INSPRAAK_DEV_IDP":         "",
		"INSPRAAK_SEED_DEMO":       "",
		"INSPRAAK_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1",
		"INSPRAAK_SMTP_URL":        "smtp://inspraak:" + goodKey + "@mail.gemeente.example:587",
		"INSPRAAK_MAIL_FROM":       "Gemeente Voorbeeld <inspraak@gemeente.example>",
		"INSPRAAK_METRICS_TOKEN":   goodMetricsToken,
	}
}

func TestDevelopmentDefaultsRunWithNoSetup(t *testing.T) {
	c, err := Load(envMap(nil))
	if err != nil {
		t.Fatalf("development with no settings must start: %v", err)
	}
	if c.IsProduction() || !c.DevIDP || !c.SeedDemo || c.Addr != ":8080" {
		t.Errorf("unexpected development defaults: %+v", c)
	}
	if c.DatabaseURL != "sqlite:"+DefaultSQLiteFile || c.DatabaseExplicit {
		t.Errorf("default database = %q (explicit %v), want sqlite:%s", c.DatabaseURL, c.DatabaseExplicit, DefaultSQLiteFile)
	}
	if len(c.SessionKey) < MinKeyLength || len(c.PseudonymKey) < MinKeyLength {
		t.Error("development must generate keys for the run")
	}
	if c.KeysFile != "./inspraak.keys" || len(c.GeneratedKeys) != 0 {
		t.Errorf("keys file = %q, generated for this run only = %v; want both kept in ./inspraak.keys", c.KeysFile, c.GeneratedKeys)
	}
}

func TestSafeProductionStarts(t *testing.T) {
	c, err := Load(envMap(safeProduction()))
	if err != nil {
		t.Fatalf("safe production config refused: %v", err)
	}
	if !c.IsProduction() || c.DevIDP || c.SeedDemo || len(c.GeneratedKeys) != 0 {
		t.Errorf("unexpected production config: %+v", c)
	}
	if len(c.TrustedProxies) != 2 {
		t.Errorf("trusted proxies = %v", c.TrustedProxies)
	}
}

// Each production refusal the issue names, one by one, and all at once.
func TestProductionRefusals(t *testing.T) {
	cases := []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"base URL not https", map[string]string{"INSPRAAK_BASE_URL": "http://inspraak.gemeente.example"}, "INSPRAAK_BASE_URL must start with https://"},
		{"session key missing", map[string]string{"INSPRAAK_SESSION_KEY": ""}, "INSPRAAK_SESSION_KEY is missing"},
		{"pseudonym key missing", map[string]string{"INSPRAAK_PSEUDONYM_KEY": ""}, "INSPRAAK_PSEUDONYM_KEY is missing"},
		{"session key short", map[string]string{"INSPRAAK_SESSION_KEY": "tooshort"}, "INSPRAAK_SESSION_KEY is too weak"},
		{"pseudonym key repetitive", map[string]string{"INSPRAAK_PSEUDONYM_KEY": strings.Repeat("ab", 20)}, "INSPRAAK_PSEUDONYM_KEY is too weak"},
		{"key is a placeholder", map[string]string{"INSPRAAK_SESSION_KEY": "changeme-0123456789-abcdefghijklmnop"}, "placeholder"},
		{"default sqlite file", map[string]string{"INSPRAAK_DATABASE_URL": ""}, "INSPRAAK_DATABASE_URL is not set"},
		{"dev idp on", map[string]string{"INSPRAAK_DEV_IDP": "true"}, "INSPRAAK_DEV_IDP"},
		{"demo seed on", map[string]string{"INSPRAAK_SEED_DEMO": "true"}, "INSPRAAK_SEED_DEMO"},
		{"no mail server", map[string]string{"INSPRAAK_SMTP_URL": ""}, "INSPRAAK_SMTP_URL is not set"},
		{"no mail sender", map[string]string{"INSPRAAK_MAIL_FROM": ""}, "INSPRAAK_MAIL_FROM is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := safeProduction()
			for k, v := range tc.change {
				m[k] = v
			}
			_, err := Load(envMap(m))
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("want refusal, got %v", err)
			}
			if len(probs) != 1 || !strings.Contains(probs[0], tc.want) {
				t.Fatalf("want exactly one problem mentioning %q, got %q", tc.want, probs)
			}
		})
	}

	t.Run("all at once in one message", func(t *testing.T) {
		_, err := Load(envMap(map[string]string{
			"INSPRAAK_ENV":      "production",
			"INSPRAAK_BASE_URL": "http://x.example",
			"INSPRAAK_DEV_IDP":  "on",
		}))
		var probs Problems
		if !errors.As(err, &probs) {
			t.Fatalf("want refusal, got %v", err)
		}
		msg := err.Error()
		for _, want := range []string{"https://", "INSPRAAK_SESSION_KEY", "INSPRAAK_PSEUDONYM_KEY", "INSPRAAK_DATABASE_URL", "INSPRAAK_DEV_IDP", "INSPRAAK_SMTP_URL", "INSPRAAK_MAIL_FROM", "INSPRAAK_METRICS_TOKEN"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q:\n%s", want, msg)
			}
		}
		if len(probs) != 8 {
			t.Errorf("want 8 problems, got %d: %q", len(probs), probs)
		}
	})

	t.Run("explicit sqlite file is allowed", func(t *testing.T) {
		m := safeProduction()
		m["INSPRAAK_DATABASE_URL"] = "sqlite:/data/inspraak.db"
		c, err := Load(envMap(m))
		if err != nil {
			t.Fatal(err)
		}
		if c.DatabaseURL != "sqlite:/data/inspraak.db" || !c.DatabaseExplicit {
			t.Errorf("database = %q", c.DatabaseURL)
		}
	})
}

func TestMalformedSettingsAreReported(t *testing.T) {
	_, err := Load(envMap(map[string]string{
		"INSPRAAK_ENV":                  "staging",
		"INSPRAAK_ADDR":                 "8080",
		"INSPRAAK_DB_MAX_OPEN_CONNS":    "many",
		"INSPRAAK_DB_MAX_IDLE_CONNS":    "0", // none kept: every statement would open a connection
		"INSPRAAK_DB_CONN_MAX_LIFETIME": "soon",
		"INSPRAAK_AUTO_MIGRATE":         "maybe",
		"INSPRAAK_DEFAULT_LANGUAGE":     "fr",
		"INSPRAAK_LOG_LEVEL":            "loud",
		"INSPRAAK_TRUSTED_PROXIES":      "not-an-ip",
		"INSPRAAK_DATABASE_URL":         "mysql://x",
		"INSPRAAK_MUNICIPALITY_LOGO":    "logo.gif",
	}))
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("want problems, got %v", err)
	}
	for _, want := range []string{"INSPRAAK_ENV", "INSPRAAK_ADDR", "INSPRAAK_DB_MAX_OPEN_CONNS", "INSPRAAK_DB_MAX_IDLE_CONNS must be a whole number from 1", "INSPRAAK_DB_CONN_MAX_LIFETIME", "INSPRAAK_AUTO_MIGRATE", "INSPRAAK_DEFAULT_LANGUAGE", "INSPRAAK_LOG_LEVEL", "INSPRAAK_TRUSTED_PROXIES", "INSPRAAK_DATABASE_URL", "INSPRAAK_MUNICIPALITY_LOGO"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem reported for %s:\n%s", want, err)
		}
	}
}

func TestWeakKeyInDevelopmentIsRefusedNotReplaced(t *testing.T) {
	_, err := Load(envMap(map[string]string{"INSPRAAK_SESSION_KEY": "short"}))
	if err == nil || !strings.Contains(err.Error(), "INSPRAAK_SESSION_KEY is too weak") {
		t.Fatalf("a weak explicit key must not be silently replaced, got %v", err)
	}
}

func TestLoginProvidersFromEnvironment(t *testing.T) {
	m := safeProduction()
	m["INSPRAAK_DIGID_ISSUER"] = "https://broker.example/digid/"
	m["INSPRAAK_DIGID_CLIENT_ID"] = "inspraak"
	m["INSPRAAK_DIGID_CLIENT_SECRET"] = "s3cr3t-value"
	m["INSPRAAK_DIGID_ID_CLAIM"] = "nin"
	m["INSPRAAK_DIGID_LOA_CLAIM"] = `["extra","authsp_level"]`
	m["INSPRAAK_DIGID_LOA_MAP"] = `{"20":"urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"}`
	m["INSPRAAK_STAFF_ISSUER"] = "https://login.gemeente.example/v2.0"
	m["INSPRAAK_STAFF_CLIENT_ID"] = "inspraak-staff"
	m["INSPRAAK_STAFF_CLIENT_SECRET"] = "x"
	m["INSPRAAK_STAFF_ROLE_MAP"] = `{"GG-Moderatie":["moderator"],"GG-Beheer":["admin","editor"]}`
	c, err := Load(envMap(m))
	if err != nil {
		t.Fatal(err)
	}
	d := c.Providers["digid"]
	if d == nil || d.Issuer != "https://broker.example/digid" || d.IDClaim[0] != "nin" || len(d.LoAClaim) != 2 || d.LoAMap["20"] == "" || d.Dev {
		t.Fatalf("digid = %+v", d)
	}
	if _, ok := c.Providers["eherkenning"]; ok {
		t.Error("an unconfigured provider must not be offered in production")
	}
	if s := c.Providers["staff"]; s == nil || len(s.RoleMap["GG-Beheer"]) != 2 || s.GroupsClaim[0] != "groups" {
		t.Fatalf("staff = %+v", s)
	}
}

func TestLoginProviderProblems(t *testing.T) {
	m := safeProduction()
	m["INSPRAAK_DIGID_ISSUER"] = "http://broker.example"
	m["INSPRAAK_STAFF_ISSUER"] = "https://login.example"
	m["INSPRAAK_STAFF_CLIENT_ID"] = "x"
	m["INSPRAAK_STAFF_CLIENT_SECRET"] = "y"
	m["INSPRAAK_STAFF_ROLE_MAP"] = `{"g":["superuser"]}`
	m["INSPRAAK_STAFF_GROUPS_CLAIM"] = `["unclosed"`
	_, err := Load(envMap(m))
	if err == nil {
		t.Fatal("want problems")
	}
	for _, want := range []string{"INSPRAAK_DIGID_CLIENT_ID is required", "INSPRAAK_DIGID_CLIENT_SECRET is required", "INSPRAAK_DIGID_ISSUER must be an https", "unknown role \"superuser\"", "INSPRAAK_STAFF_GROUPS_CLAIM"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%s", want, err)
		}
	}
}

func TestDevelopmentUsesTheBuiltInProviderForAllThree(t *testing.T) {
	c, err := Load(envMap(map[string]string{"INSPRAAK_BASE_URL": "http://localhost:9000"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ProviderMeans {
		p := c.Providers[m]
		if p == nil || !p.Dev || p.Issuer != "http://localhost:9000/dev/idp" || p.ClientSecret == "" {
			t.Fatalf("%s = %+v", m, p)
		}
	}
	if c.Providers["staff"].RoleMap["inspraak-beheerders"][0] != "admin" {
		t.Error("dev role map missing")
	}
}

func TestVerificationSettings(t *testing.T) {
	_, err := Load(envMap(map[string]string{"INSPRAAK_VERIFICATION": "brp", "INSPRAAK_GEMEENTECODE": "907"}))
	if err == nil || !strings.Contains(err.Error(), "INSPRAAK_BRP_URL") || !strings.Contains(err.Error(), "INSPRAAK_GEMEENTECODE") {
		t.Fatalf("got %v", err)
	}
	c, err := Load(envMap(map[string]string{"INSPRAAK_VERIFICATION": "brp", "INSPRAAK_GEMEENTECODE": "0907", "INSPRAAK_BRP_URL": "http://brp.test/api/"}))
	if err != nil || c.BRPURL != "http://brp.test/api" {
		t.Fatalf("%v %+v", err, c)
	}
}

func TestMailSettings(t *testing.T) {
	c, err := Load(envMap(nil))
	if err != nil || c.SMTPURL != "" || c.MailFrom == nil || c.MailFrom.Address != "inspraak@localhost" {
		t.Fatalf("development mail defaults: %+v, %v", c, err)
	}
	m := safeProduction()
	c, err = Load(envMap(m))
	if err != nil || c.MailFrom.Name != "Gemeente Voorbeeld" || c.MailFrom.Address != "inspraak@gemeente.example" || c.SMTPURL != m["INSPRAAK_SMTP_URL"] {
		t.Fatalf("production mail: %+v, %v", c, err)
	}
	for _, bad := range []string{"mail.gemeente.example", "http://mail.gemeente.example", "smtp://", "smtp://u:geheim-wachtwoord@host/pad"} {
		_, err := Load(envMap(map[string]string{"INSPRAAK_SMTP_URL": bad}))
		if err == nil || !strings.Contains(err.Error(), "INSPRAAK_SMTP_URL must look like") {
			t.Errorf("%q: %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "geheim") {
			t.Errorf("the problem repeats the password: %v", err)
		}
	}
	if _, err := Load(envMap(map[string]string{"INSPRAAK_MAIL_FROM": "geen adres"})); err == nil || !strings.Contains(err.Error(), "INSPRAAK_MAIL_FROM") {
		t.Errorf("bad sender accepted: %v", err)
	}
}

// The profiler shows the server's internals, so it may only listen on a
// loopback address.
func TestProfilerOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:6060": true, "[::1]:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "10.0.0.5:6060": false, "localhost": false} {
		c, err := Load(envMap(map[string]string{"INSPRAAK_PPROF_ADDR": addr}))
		if ok && (err != nil || c.PprofAddr != addr) {
			t.Errorf("%s refused: %v", addr, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "INSPRAAK_PPROF_ADDR")) {
			t.Errorf("%s accepted", addr)
		}
	}
}

func TestDevIDPOnItsOwnOrigin(t *testing.T) {
	c, err := Load(envMap(map[string]string{"INSPRAAK_BASE_URL": "http://localhost:8080"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.DevIssuer(); got != "http://localhost:8080/dev/idp" {
		t.Errorf("default issuer %q, want the site's own /dev/idp", got)
	}
	for addr, want := range map[string]string{
		"127.0.0.1:8081": "http://127.0.0.1:8081/dev/idp",
		":8081":          "http://localhost:8081/dev/idp",
		"0.0.0.0:8081":   "http://localhost:8081/dev/idp",
	} {
		c, err := Load(envMap(map[string]string{"INSPRAAK_BASE_URL": "http://localhost:8080", "INSPRAAK_DEV_IDP_ADDR": addr}))
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		if got := c.DevIssuer(); got != want || c.Providers["digid"].Issuer != want || c.Providers["staff"].Issuer != want {
			t.Errorf("INSPRAAK_DEV_IDP_ADDR=%s: issuer %q (digid %q), want %q", addr, got, c.Providers["digid"].Issuer, want)
		}
	}
	for _, bad := range []map[string]string{
		{"INSPRAAK_DEV_IDP_ADDR": "8081"},
		{"INSPRAAK_DEV_IDP_ADDR": "127.0.0.1:0"},
		{"INSPRAAK_DEV_IDP_ADDR": "127.0.0.1:8080"}, // the site's own port
		{"INSPRAAK_DEV_IDP_ADDR": "127.0.0.1:8081", "INSPRAAK_DEV_IDP": "false"},
	} {
		_, err := Load(envMap(bad))
		if err == nil || !strings.Contains(err.Error(), "INSPRAAK_DEV_IDP_ADDR") {
			t.Errorf("%v: error %v, want one about INSPRAAK_DEV_IDP_ADDR", bad, err)
		}
	}
}

func TestRateLimitSettings(t *testing.T) {
	c, err := Load(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.RateLimitsOn || c.RateLimits["comment"] != (RateLimit{20, 10 * time.Minute}) || c.RateAddressFactor != 20 {
		t.Fatalf("defaults: on=%v comment=%v factor=%d", c.RateLimitsOn, c.RateLimits["comment"], c.RateAddressFactor)
	}
	if len(c.RateLimits) != len(RateActions) {
		t.Fatalf("%d limits, want one per action", len(c.RateLimits))
	}
	c, err = Load(envMap(map[string]string{"INSPRAAK_RATE_LIMITS": "off", "INSPRAAK_RATE_IDEA": "3/90s", "INSPRAAK_RATE_ADDRESS_FACTOR": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RateLimitsOn || c.RateLimits["idea"] != (RateLimit{3, 90 * time.Second}) || c.RateAddressFactor != 0 {
		t.Fatalf("set: on=%v idea=%v factor=%d", c.RateLimitsOn, c.RateLimits["idea"], c.RateAddressFactor)
	}
	_, err = Load(envMap(map[string]string{"INSPRAAK_RATE_VOTE": "veel", "INSPRAAK_RATE_API": "10/0s", "INSPRAAK_RATE_EMAIL": "0/1h", "INSPRAAK_RATE_LOGIN": "5/1.5s"}))
	for _, want := range []string{"INSPRAAK_RATE_VOTE", "INSPRAAK_RATE_API", "INSPRAAK_RATE_EMAIL", "INSPRAAK_RATE_LOGIN", "such as 5/1h"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no problem reported for %s: %v", want, err)
		}
	}
}

func TestTracesOffUnlessAnEndpointIsSet(t *testing.T) {
	c, err := Load(envMap(safeProduction()))
	if err != nil {
		t.Fatal(err)
	}
	if c.OTelEndpoint != "" {
		t.Fatalf("traces on without a setting: %q", c.OTelEndpoint)
	}
	env := safeProduction()
	env["INSPRAAK_OTEL_ENDPOINT"] = " http://otel-collector:4318/ "
	if c, err = Load(envMap(env)); err != nil || c.OTelEndpoint != "http://otel-collector:4318" {
		t.Fatalf("endpoint: %v %+v", err, c)
	}
	for _, bad := range []string{"otel-collector:4318", "grpc://otel-collector:4317", "http://user:geheim-wachtwoord@/x", "http://otel-collector:4318/?token=geheim-wachtwoord"} {
		env["INSPRAAK_OTEL_ENDPOINT"] = bad
		_, err := Load(envMap(env))
		if err == nil || !strings.Contains(err.Error(), "INSPRAAK_OTEL_ENDPOINT") {
			t.Errorf("%q accepted: %v", bad, err)
		} else if strings.Contains(err.Error(), "geheim") {
			t.Errorf("the problem repeats the URL's secret: %v", err)
		}
	}
}

// Production keeps serving a moment after SIGTERM so load balancers see
// /readyz fail first; development stops at once; an operator sets it.
func TestDrainDelay(t *testing.T) {
	dev, err := Load(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := Load(envMap(safeProduction()))
	if err != nil {
		t.Fatal(err)
	}
	if dev.DrainDelay != 0 || prod.DrainDelay != 5*time.Second {
		t.Errorf("drain delay: development %s, production %s; want 0s and 5s", dev.DrainDelay, prod.DrainDelay)
	}
	env := safeProduction()
	env["INSPRAAK_DRAIN_DELAY"] = "12s"
	if c, err := Load(envMap(env)); err != nil || c.DrainDelay != 12*time.Second {
		t.Errorf("INSPRAAK_DRAIN_DELAY=12s: %v, %v", c, err)
	}
	for _, bad := range []string{"soon", "-1s", "2m"} {
		env["INSPRAAK_DRAIN_DELAY"] = bad
		if _, err := Load(envMap(env)); err == nil || !strings.Contains(err.Error(), "INSPRAAK_DRAIN_DELAY") {
			t.Errorf("INSPRAAK_DRAIN_DELAY=%s: want a problem, got %v", bad, err)
		}
	}
}
