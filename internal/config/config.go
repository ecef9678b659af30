// Package config turns INSPRAAK_* environment variables into a Config and
// decides whether that configuration is safe to run with. Production mode
// refuses every unsafe setting at once, so an operator fixes them in one go.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// DefaultSQLiteFile is used when no database URL is configured.
const DefaultSQLiteFile = "./inspraak.db"

// MinKeyLength is the shortest secret accepted for session and pseudonym keys.
const MinKeyLength = 32

// Config is the complete runtime configuration.
type Config struct {
	Env     string
	Addr    string
	BaseURL *url.URL

	// DatabaseURL is the raw setting; DatabaseExplicit tells whether the
	// operator set it (production must not silently fall back to a file).
	DatabaseURL      string
	DatabaseExplicit bool
	DBMaxOpenConns   int
	DBMaxIdleConns   int
	DBConnMaxLife    time.Duration
	AutoMigrate      bool
	// PageCacheTTL is how long an idea board page rendered for visitors
	// without a session is kept (0: not kept); any write on this instance
	// drops it sooner.
	PageCacheTTL time.Duration
	// DrainDelay is how long the server keeps serving after SIGTERM with
	// /readyz answering 503, so load balancers stop sending it requests
	// before it closes its listener.
	DrainDelay time.Duration

	SessionKey          []byte
	PseudonymKey        []byte
	PseudonymKeyVersion int
	// GeneratedKeys lists keys made up for this run only (development
	// without a file to keep them in, such as on PostgreSQL).
	GeneratedKeys []string
	// KeysFile is where development keeps the keys it made up, beside the
	// SQLite database, so a restart keeps sessions and pseudonyms (and a
	// person stays the same person). Empty when no key came from it.
	KeysFile string

	MunicipalityName string
	MunicipalityLogo string
	DefaultLanguage  string
	LogLevel         string

	DevIDP bool
	// DevIDPAddr, when set, serves the built-in provider on a listener of
	// its own (another origin, like a real broker) instead of under the
	// site's /dev/idp.
	DevIDPAddr     string
	SeedDemo       bool
	TrustedProxies []string
	MaxBodyBytes   int64
	MetricsToken   string
	// PprofAddr, when set, serves Go's profiler on this loopback address
	// (for measuring; never public).
	PprofAddr string
	// OTelEndpoint, when set, is the OTLP/HTTP collector (its base URL,
	// such as http://collector:4318) that traces of requests and queries
	// go to; empty means no tracing at all.
	OTelEndpoint string

	// Providers holds the configured login providers by means (digid,
	// eherkenning, staff); a means without configuration is absent.
	Providers map[string]*Provider
	// BRP verification: "none" or "brp".
	Verification string
	BRPURL       string
	BRPAPIKey    string
	Gemeentecode string
	// WijkTable is a CSV file mapping postcode (4 digits or 6 characters)
	// to wijk.
	WijkTable string

	// SMTPURL is where notification mail goes (smtp:// with STARTTLS when
	// offered, smtps:// for implicit TLS). Empty in development: mail only
	// shows on /dev/outbox.
	SMTPURL string
	// MailFrom is the sender of notification mail, "Name <address>".
	MailFrom *mail.Address

	// RateLimitsOn switches the limits on abuse (INSPRAAK_RATE_LIMITS);
	// off only for load tests.
	RateLimitsOn bool
	// RateLimits holds per action (see RateActions) how many requests
	// one participant, client address or API key may make in a window.
	RateLimits map[string]RateLimit
	// RateAddressFactor multiplies a participant's or API key's limit for
	// all requests from one client address together; 0 counts addresses
	// only where nobody is known (login starts, anonymous API calls).
	RateAddressFactor int
}

// RateLimit is at most Limit requests per Window.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// String writes the limit the way INSPRAAK_RATE_* takes it.
func (r RateLimit) String() string {
	w := strconv.Itoa(int(r.Window/time.Second)) + "s"
	switch {
	case r.Window%time.Hour == 0:
		w = strconv.Itoa(int(r.Window/time.Hour)) + "h"
	case r.Window%time.Minute == 0:
		w = strconv.Itoa(int(r.Window/time.Minute)) + "m"
	}
	return strconv.Itoa(r.Limit) + "/" + w
}

// RateActions are the limited actions, with their defaults: a setting
// INSPRAAK_RATE_<ACTION> (e.g. INSPRAAK_RATE_COMMENT=20/10m) overrides one.
var RateActions = []struct {
	Name    string
	Default RateLimit
}{
	{"login", RateLimit{60, 10 * time.Minute}},   // login starts per client address
	{"idea", RateLimit{10, time.Hour}},           // new ideas per participant
	{"comment", RateLimit{20, 10 * time.Minute}}, // comments and replies per participant
	{"report", RateLimit{20, time.Hour}},         // reports per participant
	{"support", RateLimit{120, 10 * time.Minute}},
	{"vote", RateLimit{120, 10 * time.Minute}}, // poll ballots and questionnaire screens
	{"email", RateLimit{5, time.Hour}},         // confirmation mails per participant, whatever the address
	{"api", RateLimit{600, time.Minute}},       // API calls per key, or per address without one
}

// Problems collects every reason a configuration cannot be used.
type Problems []string

func (p Problems) Error() string {
	var b strings.Builder
	b.WriteString("Inspraak cannot start; fix these settings:")
	for _, s := range p {
		b.WriteString("\n  - ")
		b.WriteString(s)
	}
	return b.String()
}

// Getenv is the signature of os.Getenv, so tests pass a map instead.
type Getenv func(string) string

// Load reads the configuration and validates it. On failure the error is a
// Problems value that lists everything wrong, not just the first thing.
func Load(getenv Getenv) (*Config, error) {
	var probs Problems
	env := strings.ToLower(strings.TrimSpace(getenv("INSPRAAK_ENV")))
	if env == "" {
		env = Development
	}
	if env != Development && env != Production {
		probs = append(probs, fmt.Sprintf("INSPRAAK_ENV must be %q or %q, not %q", Development, Production, env))
		env = Production // judge the rest strictly
	}
	prod := env == Production
	c := &Config{Env: env}

	c.Addr = orDefault(getenv("INSPRAAK_ADDR"), ":8080")
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		probs = append(probs, fmt.Sprintf("INSPRAAK_ADDR %q is not a host:port address", c.Addr))
	}

	rawBase := orDefault(getenv("INSPRAAK_BASE_URL"), "http://localhost:8080")
	u, err := url.Parse(strings.TrimRight(rawBase, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		probs = append(probs, fmt.Sprintf("INSPRAAK_BASE_URL %q is not an absolute http(s) URL", rawBase))
		u = &url.URL{Scheme: "http", Host: "localhost:8080"}
	} else if prod && u.Scheme != "https" {
		probs = append(probs, "INSPRAAK_BASE_URL must start with https:// in production")
	}
	c.BaseURL = u

	c.DatabaseURL = strings.TrimSpace(getenv("INSPRAAK_DATABASE_URL"))
	c.DatabaseExplicit = c.DatabaseURL != ""
	if !c.DatabaseExplicit {
		c.DatabaseURL = "sqlite:" + DefaultSQLiteFile
		if prod {
			probs = append(probs, "INSPRAAK_DATABASE_URL is not set; production does not fall back to the default SQLite file (set postgres://... or sqlite:/path/inspraak.db explicitly)")
		}
	} else if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		probs = append(probs, "INSPRAAK_DATABASE_URL must start with postgres://, postgresql:// or sqlite:")
	}
	c.DBMaxOpenConns = intSetting(getenv, "INSPRAAK_DB_MAX_OPEN_CONNS", 20, 1, 1000, &probs)
	// As many idle as open connections: a burst then does not close and
	// reopen PostgreSQL connections (measured in bench/).
	c.DBMaxIdleConns = intSetting(getenv, "INSPRAAK_DB_MAX_IDLE_CONNS", 20, 1, 1000, &probs)
	c.DBConnMaxLife = durationSetting(getenv, "INSPRAAK_DB_CONN_MAX_LIFETIME", 30*time.Minute, &probs)
	c.AutoMigrate = boolSetting(getenv, "INSPRAAK_AUTO_MIGRATE", true, &probs)
	c.PageCacheTTL = durationSetting(getenv, "INSPRAAK_PAGE_CACHE", time.Second, &probs)
	if c.PageCacheTTL < 0 || c.PageCacheTTL > 10*time.Second {
		probs = append(probs, "INSPRAAK_PAGE_CACHE must be between 0s (off) and 10s")
	}

	// Production waits for load balancers to notice /readyz; development
	// and demo runs stop at once on Ctrl-C.
	var drain time.Duration
	if prod {
		drain = 5 * time.Second
	}
	c.DrainDelay = durationSetting(getenv, "INSPRAAK_DRAIN_DELAY", drain, &probs)
	if c.DrainDelay > time.Minute {
		probs = append(probs, "INSPRAAK_DRAIN_DELAY must be between 0s and 1m: the supervisor kills the process after its grace period (Kubernetes: 30 s by default)")
	}

	var devKeys []string // development keys not set: from the keys file or made up
	c.SessionKey = c.key(getenv, "INSPRAAK_SESSION_KEY", prod, &devKeys, &probs)
	c.PseudonymKey = c.key(getenv, "INSPRAAK_PSEUDONYM_KEY", prod, &devKeys, &probs)
	c.PseudonymKeyVersion = intSetting(getenv, "INSPRAAK_PSEUDONYM_KEY_VERSION", 1, 1, 1<<20, &probs)
	if c.SessionKey != nil && string(c.SessionKey) == string(c.PseudonymKey) {
		// One leaked value would then both forge sessions and link
		// pseudonyms back to BSNs.
		probs = append(probs, "INSPRAAK_SESSION_KEY and INSPRAAK_PSEUDONYM_KEY are the same; each needs its own random value")
	}

	c.MunicipalityName = orDefault(strings.TrimSpace(getenv("INSPRAAK_MUNICIPALITY_NAME")), "Gemeente Voorbeeld")
	c.MunicipalityLogo = strings.TrimSpace(getenv("INSPRAAK_MUNICIPALITY_LOGO"))
	if c.MunicipalityLogo != "" && !strings.HasSuffix(strings.ToLower(c.MunicipalityLogo), ".svg") && !strings.HasSuffix(strings.ToLower(c.MunicipalityLogo), ".png") {
		probs = append(probs, "INSPRAAK_MUNICIPALITY_LOGO must be a .svg or .png file")
	}
	c.DefaultLanguage = strings.ToLower(orDefault(getenv("INSPRAAK_DEFAULT_LANGUAGE"), "nl"))
	if c.DefaultLanguage != "nl" && c.DefaultLanguage != "en" {
		probs = append(probs, fmt.Sprintf("INSPRAAK_DEFAULT_LANGUAGE must be nl or en, not %q", c.DefaultLanguage))
		c.DefaultLanguage = "nl"
	}
	c.LogLevel = strings.ToLower(orDefault(getenv("INSPRAAK_LOG_LEVEL"), "info"))
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		probs = append(probs, fmt.Sprintf("INSPRAAK_LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel))
		c.LogLevel = "info"
	}

	c.DevIDP = boolSetting(getenv, "INSPRAAK_DEV_IDP", !prod, &probs)
	if prod && c.DevIDP {
		probs = append(probs, "INSPRAAK_DEV_IDP: the built-in test login provider can never be enabled in production")
	}
	c.loadDevIDPAddr(getenv, &probs)
	c.SeedDemo = boolSetting(getenv, "INSPRAAK_SEED_DEMO", !prod, &probs)
	if prod && c.SeedDemo {
		probs = append(probs, "INSPRAAK_SEED_DEMO: demo content is not allowed in production")
	}

	for _, p := range strings.Split(getenv("INSPRAAK_TRUSTED_PROXIES"), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				probs = append(probs, fmt.Sprintf("INSPRAAK_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p))
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	c.MaxBodyBytes = int64(intSetting(getenv, "INSPRAAK_MAX_BODY_BYTES", 1<<20, 1024, 1<<30, &probs))
	c.MetricsToken = strings.TrimSpace(getenv("INSPRAAK_METRICS_TOKEN"))
	if prod {
		// Without a token /metrics answers anyone who asks: request
		// counts, paths, timings. Production needs the token.
		if c.MetricsToken == "" {
			probs = append(probs, "INSPRAAK_METRICS_TOKEN is missing; production does not serve /metrics to anyone: set a random token of at least 32 characters and give it to the Prometheus scrape job")
		} else if reason := weakness(c.MetricsToken); reason != "" {
			probs = append(probs, "INSPRAAK_METRICS_TOKEN is too weak: "+reason)
		}
	}
	if v := strings.TrimSpace(getenv("INSPRAAK_PPROF_ADDR")); v != "" {
		host, _, err := net.SplitHostPort(v)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			probs = append(probs, fmt.Sprintf("INSPRAAK_PPROF_ADDR: %q must be a loopback address with a port, such as 127.0.0.1:6060", v))
		} else {
			c.PprofAddr = v
		}
	}

	c.loadOTel(getenv, &probs)

	c.loadProviders(getenv, &probs)
	c.loadVerification(getenv, &probs)
	c.loadMail(getenv, &probs)
	c.loadRateLimits(getenv, &probs)

	if len(probs) == 0 && len(devKeys) > 0 {
		// Only a configuration that will run keeps keys on disk.
		c.devKeys(devKeys, &probs)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return c, nil
}

// IsProduction reports whether the stricter production rules apply.
func (c *Config) IsProduction() bool { return c.Env == Production }

// key reads a secret. In development a missing key is left for devKeys
// (listed in dev); in production a missing or weak key is a problem.
func (c *Config) key(getenv Getenv, name string, prod bool, dev *[]string, probs *Problems) []byte {
	v := getenv(name)
	if v == "" {
		if prod {
			*probs = append(*probs, name+" is missing; set a random secret of at least 32 characters")
			return nil
		}
		*dev = append(*dev, name)
		return nil
	}
	if reason := weakness(v); reason != "" {
		if prod {
			*probs = append(*probs, name+" is too weak: "+reason)
			return nil
		}
		*probs = append(*probs, name+" is too weak: "+reason+" (leave it empty in development to generate one)")
		return nil
	}
	return []byte(v)
}

// weakness explains why a secret is unsafe, or returns "".
func weakness(v string) string {
	if len(v) < MinKeyLength {
		return fmt.Sprintf("it has %d characters, at least %d are needed", len(v), MinKeyLength)
	}
	distinct := map[rune]bool{}
	for _, r := range v {
		distinct[r] = true
	}
	if len(distinct) < 12 {
		return "it repeats too few different characters to be random"
	}
	lower := strings.ToLower(v)
	for _, bad := range []string{"changeme", "secret", "password", "example", "wachtwoord"} {
		if strings.Contains(lower, bad) {
			return fmt.Sprintf("it contains the placeholder word %q", bad)
		}
	}
	return ""
}

func randomKey() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("config: no randomness: " + err.Error())
	}
	return []byte(base64.RawURLEncoding.EncodeToString(b))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func intSetting(getenv Getenv, name string, def, min, max int, probs *Problems) int {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		*probs = append(*probs, fmt.Sprintf("%s must be a whole number from %d to %d, not %q", name, min, max, v))
		return def
	}
	return n
}

func durationSetting(getenv Getenv, name string, def time.Duration, probs *Problems) time.Duration {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		*probs = append(*probs, fmt.Sprintf("%s must be a duration such as 30m or 1h, not %q", name, v))
		return def
	}
	return d
}

func boolSetting(getenv Getenv, name string, def bool, probs *Problems) bool {
	v := strings.ToLower(strings.TrimSpace(getenv(name)))
	switch v {
	case "":
		return def
	case "1", "true", "yes", "on", "ja":
		return true
	case "0", "false", "no", "off", "nee":
		return false
	}
	*probs = append(*probs, fmt.Sprintf("%s must be true or false, not %q", name, v))
	return def
}

func (c *Config) loadVerification(getenv Getenv, probs *Problems) {
	c.Verification = strings.ToLower(orDefault(strings.TrimSpace(getenv("INSPRAAK_VERIFICATION")), "none"))
	// The wijk table also serves without BRP: a budget's uploaded register
	// finds its wijken by postcode (package budget).
	c.WijkTable = strings.TrimSpace(getenv("INSPRAAK_WIJK_TABLE"))
	switch c.Verification {
	case "none":
	case "brp":
		c.BRPURL = strings.TrimRight(strings.TrimSpace(getenv("INSPRAAK_BRP_URL")), "/")
		c.BRPAPIKey = getenv("INSPRAAK_BRP_API_KEY")
		c.Gemeentecode = strings.TrimSpace(getenv("INSPRAAK_GEMEENTECODE"))
		if c.BRPURL == "" {
			*probs = append(*probs, "INSPRAAK_BRP_URL is required when INSPRAAK_VERIFICATION=brp")
		} else if c.IsProduction() && !strings.HasPrefix(c.BRPURL, "https://") {
			*probs = append(*probs, "INSPRAAK_BRP_URL must be an https:// URL in production")
		}
		if len(c.Gemeentecode) != 4 {
			*probs = append(*probs, "INSPRAAK_GEMEENTECODE must be the four-digit CBS code of the municipality, e.g. 0907")
		}
	default:
		*probs = append(*probs, fmt.Sprintf("INSPRAAK_VERIFICATION must be none or brp, not %q", c.Verification))
	}
}

// loadOTel reads INSPRAAK_OTEL_ENDPOINT: the base URL of an OTLP/HTTP
// collector; traces go to its /v1/traces. A path of its own is kept (a
// collector behind a prefix). The URL may carry a password, so a problem
// never repeats it.
func (c *Config) loadOTel(getenv Getenv, probs *Problems) {
	v := strings.TrimSpace(getenv("INSPRAAK_OTEL_ENDPOINT"))
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.RawQuery != "" || u.Fragment != "" {
		*probs = append(*probs, "INSPRAAK_OTEL_ENDPOINT must be the http(s) address of an OTLP/HTTP collector, such as http://otel-collector:4318, without a query")
		return
	}
	c.OTelEndpoint = strings.TrimRight(v, "/")
}

// DevMailFrom is the sender in development when none is configured.
const DevMailFrom = "Inspraak (test) <inspraak@localhost>"

func (c *Config) loadMail(getenv Getenv, probs *Problems) {
	c.SMTPURL = strings.TrimSpace(getenv("INSPRAAK_SMTP_URL"))
	if c.SMTPURL == "" {
		if c.IsProduction() {
			*probs = append(*probs, "INSPRAAK_SMTP_URL is not set; production sends notification mail through a mail server (smtp://user:password@host:587 or smtps://…)")
		}
	} else if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		// The URL may hold a password: never repeat it.
		*probs = append(*probs, "INSPRAAK_SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	raw := strings.TrimSpace(getenv("INSPRAAK_MAIL_FROM"))
	if raw == "" {
		if c.IsProduction() {
			*probs = append(*probs, "INSPRAAK_MAIL_FROM is not set; give the sender of notification mail, e.g. Gemeente Voorbeeld <inspraak@gemeente.example>")
			return
		}
		raw = DevMailFrom
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || !strings.Contains(a.Address, "@") {
		*probs = append(*probs, fmt.Sprintf("INSPRAAK_MAIL_FROM %q is not an e-mail address such as Gemeente Voorbeeld <inspraak@gemeente.example>", raw))
		return
	}
	c.MailFrom = a
}

// loadRateLimits reads INSPRAAK_RATE_LIMITS, INSPRAAK_RATE_ADDRESS_FACTOR and
// one INSPRAAK_RATE_<ACTION> per action, written as count/window (10/1h).
func (c *Config) loadRateLimits(getenv Getenv, probs *Problems) {
	c.RateLimitsOn = boolSetting(getenv, "INSPRAAK_RATE_LIMITS", true, probs)
	c.RateAddressFactor = intSetting(getenv, "INSPRAAK_RATE_ADDRESS_FACTOR", 20, 0, 10000, probs)
	c.RateLimits = map[string]RateLimit{}
	for _, a := range RateActions {
		name := "INSPRAAK_RATE_" + strings.ToUpper(a.Name)
		r := a.Default
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, w, ok := strings.Cut(v, "/")
			limit, err := strconv.Atoi(strings.TrimSpace(n))
			window, werr := time.ParseDuration(strings.TrimSpace(w))
			if !ok || err != nil || werr != nil || limit < 1 || limit > 1_000_000 || window < time.Second || window > 24*time.Hour || window%time.Second != 0 {
				*probs = append(*probs, fmt.Sprintf("%s must be a number of requests per time, such as %s (1 to 1000000 per 1s to 24h), not %q", name, a.Default, v))
			} else {
				r = RateLimit{Limit: limit, Window: window}
			}
		}
		c.RateLimits[a.Name] = r
	}
}
