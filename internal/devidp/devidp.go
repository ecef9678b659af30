// Package devidp is the built-in OpenID Provider for development and
// tests. It is a real provider — discovery, authorize, token, JWKS,
// userinfo, end-session and back-channel logout — so the production login
// code runs unchanged against it. Its login page lets a developer pick a
// test DigiD, eHerkenning or staff identity. It checks PKCE, single-use
// codes, redirect URIs and client authentication like a real one, and
// tests can make it send bad tokens on purpose. It is refused in
// production by the configuration.
package devidp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Client is a relying party registered at the provider.
type Client struct {
	ID     string
	Secret string
	// Means decides which login form the provider shows: digid,
	// eherkenning or staff.
	Means                  string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackChannelLogoutURI   string
}

// Identity is what the login form produces.
type Identity struct {
	// DigiD
	BSN string
	// eHerkenning
	KVK, Branch, ActingSubject string
	// staff
	Name   string
	Groups []string
	// all
	LoA string
}

// LoginPage is what the provider's login page shows.
type LoginPage struct {
	Client      Client
	Params      url.Values // the authorize request, echoed as hidden fields
	Error       string     // a message key
	Action      string
	CancelURL   string
	DigiDLoAs   []string
	EHLoAs      []string
	StaffGroups []string
}

// Renderer draws the login page; the web layer supplies it so the page
// has the site's look and message catalogues.
type Renderer func(w http.ResponseWriter, r *http.Request, status int, page LoginPage)

// Signing selects how a tampered token is signed (tests only).
type Signing int

// Signing modes.
const (
	SignNormal     Signing = iota
	SignNone               // "alg": "none"
	SignHS256              // HMAC with the client secret as key
	SignUnknownKey         // a valid signature by a key not in the JWKS
)

// Tamper changes the next ID token (tests only).
type Tamper struct {
	Claims  func(map[string]any)
	Signing Signing
}

// Provider is the built-in OpenID Provider.
type Provider struct {
	issuer  string
	key     *ecdsa.PrivateKey
	kid     string
	other   *ecdsa.PrivateKey
	clients map[string]Client
	render  Renderer
	now     func() time.Time
	http    *http.Client

	mu      sync.Mutex
	codes   map[string]*grant
	access  map[string]*grant
	tampers []Tamper
}

type grant struct {
	client    string
	redirect  string
	nonce     string
	challenge string
	claims    map[string]any
	sid       string
	expires   time.Time
}

// DigiDLoAs and EHLoAs are offered on the login page.
var (
	DigiDLoAs = []string{
		"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
		"urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
		"urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
		"urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
	}
	EHLoAs = []string{
		"urn:etoegang:core:assurance-class:loa1",
		"urn:etoegang:core:assurance-class:loa2",
		"urn:etoegang:core:assurance-class:loa2plus",
		"urn:etoegang:core:assurance-class:loa3",
		"urn:etoegang:core:assurance-class:loa4",
	}
	StaffGroups = []string{"inspraak-moderatoren", "inspraak-redacteuren", "inspraak-analisten", "inspraak-stembureau", "inspraak-beheerders"}
)

// New makes a provider with a fresh signing key.
func New(issuer string, clients []Client, render Renderer) (*Provider, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		issuer: issuer, key: key, kid: randomString(8), other: other,
		clients: map[string]Client{}, render: render, now: time.Now,
		http:  &http.Client{Timeout: 5 * time.Second},
		codes: map[string]*grant{}, access: map[string]*grant{},
	}
	for _, c := range clients {
		p.clients[c.ID] = c
	}
	return p, nil
}

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// TamperNext makes the next ID token bad in the given way (tests only).
func (p *Provider) TamperNext(t Tamper) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tampers = append(p.tampers, t)
}

// Handler serves the provider under its issuer path; mount it at the
// issuer's path with the prefix stripped.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.login)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /end-session", p.endSession)
	return mux
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"jwks_uri":                              p.issuer + "/jwks",
		"userinfo_endpoint":                     p.issuer + "/userinfo",
		"end_session_endpoint":                  p.issuer + "/end-session",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "profile"},
		"acr_values_supported":                  append(append([]string{}, DigiDLoAs...), EHLoAs...),
		"backchannel_logout_supported":          true,
		"backchannel_logout_session_supported":  true,
	})
}

// checkAuthorize validates an authorize request. It returns the client and
// a message key when the request is bad in a way the RP must not be told
// about through a redirect (unknown client or redirect URI).
func (p *Provider) checkAuthorize(q url.Values) (Client, string) {
	c, ok := p.clients[q.Get("client_id")]
	if !ok {
		return c, "devidp.error.client"
	}
	exact := false
	for _, u := range c.RedirectURIs {
		if u == q.Get("redirect_uri") {
			exact = true
		}
	}
	if !exact {
		return c, "devidp.error.redirect"
	}
	switch {
	case q.Get("response_type") != "code",
		!strings.Contains(" "+q.Get("scope")+" ", " openid "),
		len(q.Get("state")) < 16, len(q.Get("nonce")) < 16,
		q.Get("code_challenge_method") != "S256", len(q.Get("code_challenge")) < 43:
		return c, "devidp.error.request"
	}
	return c, ""
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, bad := p.checkAuthorize(q)
	page := p.page(c, q, bad)
	if bad != "" {
		p.render(w, r, http.StatusBadRequest, page)
		return
	}
	p.render(w, r, http.StatusOK, page)
}

func (p *Provider) page(c Client, q url.Values, errKey string) LoginPage {
	cancel := ""
	if errKey == "" {
		v := url.Values{"error": {"access_denied"}, "error_description": {"De gebruiker heeft het inloggen geannuleerd"}, "state": {q.Get("state")}}
		cancel = q.Get("redirect_uri") + "?" + v.Encode()
	}
	return LoginPage{Client: c, Params: q, Error: errKey, Action: p.issuer + "/authorize", CancelURL: cancel,
		DigiDLoAs: DigiDLoAs, EHLoAs: EHLoAs, StaffGroups: StaffGroups}
}

// login handles the submitted login form and redirects back with a code.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	q := url.Values{}
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "acr_values"} {
		q.Set(k, r.PostForm.Get(k))
	}
	c, bad := p.checkAuthorize(q)
	if bad != "" {
		p.render(w, r, http.StatusBadRequest, p.page(c, q, bad))
		return
	}
	if r.PostForm.Get("cancel") != "" {
		http.Redirect(w, r, p.page(c, q, "").CancelURL, http.StatusSeeOther)
		return
	}
	claims := map[string]any{}
	loa := r.PostForm.Get("loa")
	switch c.Means {
	case "digid":
		bsn := strings.TrimSpace(r.PostForm.Get("bsn"))
		if bsn == "" {
			p.render(w, r, http.StatusUnprocessableEntity, p.page(c, q, "devidp.error.bsn"))
			return
		}
		claims["bsn"] = bsn
		claims["sub"] = opaqueSubject("digid|" + bsn)
	case "eherkenning":
		kvk := strings.TrimSpace(r.PostForm.Get("kvk"))
		if kvk == "" {
			p.render(w, r, http.StatusUnprocessableEntity, p.page(c, q, "devidp.error.kvk"))
			return
		}
		claims["urn:etoegang:core:LegalSubjectID"] = kvk
		if b := strings.TrimSpace(r.PostForm.Get("branch")); b != "" {
			claims["urn:etoegang:1.9:ServiceRestriction:Vestigingsnr"] = b
		}
		acting := strings.TrimSpace(r.PostForm.Get("acting"))
		if acting == "" {
			acting = "medewerker-1"
		}
		claims["urn:etoegang:core:ActingSubjectID"] = opaqueSubject("acting|" + kvk + "|" + acting)
		claims["sub"] = opaqueSubject("eh|" + kvk + "|" + acting)
	case "staff":
		name := strings.TrimSpace(r.PostForm.Get("name"))
		if name == "" {
			p.render(w, r, http.StatusUnprocessableEntity, p.page(c, q, "devidp.error.name"))
			return
		}
		claims["name"] = name
		claims["sub"] = opaqueSubject("staff|" + strings.ToLower(name))
		claims["email"] = devEmail(name)
		groups := r.PostForm["groups"]
		if len(groups) > 0 {
			claims["groups"] = groups
		}
	}
	if loa != "" {
		claims["acr"] = loa
	}
	code := randomString(32)
	p.mu.Lock()
	p.codes[code] = &grant{client: c.ID, redirect: q.Get("redirect_uri"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), claims: claims, sid: randomString(16), expires: p.now().Add(time.Minute)}
	p.mu.Unlock()
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+v.Encode(), http.StatusSeeOther)
}

func (p *Provider) clientAuth(r *http.Request) (Client, bool) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, known := p.clients[id]
	if !known || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return Client{}, false
	}
	return c, true
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	c, ok := p.clientAuth(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="devidp"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code) // single use, whatever happens next
	var tamper *Tamper
	if found && len(p.tampers) > 0 {
		tamper = &p.tampers[0]
		p.tampers = p.tampers[1:]
	}
	p.mu.Unlock()
	if !found || p.now().After(g.expires) || g.client != c.ID || g.redirect != r.PostForm.Get("redirect_uri") {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	now := p.now()
	claims := map[string]any{
		"iss": p.issuer, "aud": c.ID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"auth_time": now.Unix(), "nonce": g.nonce, "sid": g.sid,
	}
	for k, v := range g.claims {
		claims[k] = v
	}
	signing := SignNormal
	if tamper != nil {
		if tamper.Claims != nil {
			tamper.Claims(claims)
		}
		signing = tamper.Signing
	}
	idToken, err := p.sign(claims, signing, c.Secret)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	access := randomString(32)
	p.mu.Lock()
	p.access[access] = &grant{client: c.ID, claims: g.claims, expires: now.Add(5 * time.Minute)}
	p.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

func (p *Provider) sign(claims map[string]any, how Signing, clientSecret string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	switch how {
	case SignNone:
		head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		return head + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", nil
	case SignHS256:
		return signWith(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(clientSecret)}, payload)
	case SignUnknownKey:
		return signWith(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: p.other, KeyID: "onbekend"}}, payload)
	}
	return signWith(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: p.key, KeyID: p.kid}}, payload)
}

func signWith(k jose.SigningKey, payload []byte) (string, error) {
	s, err := jose.NewSigner(k, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: "ES256", Use: "sig"}}})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	g, found := p.access[tok]
	p.mu.Unlock()
	if !ok || !found || p.now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid_token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, http.StatusOK, g.claims)
}

// endSession ends the provider's session and returns to a registered URI.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("post_logout_redirect_uri")
	for _, c := range p.clients {
		for _, u := range c.PostLogoutRedirectURIs {
			if u == target && target != "" {
				if s := q.Get("state"); s != "" {
					target += "?state=" + url.QueryEscape(s)
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("U bent uitgelogd bij de testprovider.\n"))
}

// LogoutToken makes a back-channel logout token for a client (tests).
func (p *Provider) LogoutToken(clientID, sub, sid string, edit func(map[string]any)) (string, error) {
	now := p.now()
	claims := map[string]any{
		"iss": p.issuer, "aud": clientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": randomString(16),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if sub != "" {
		claims["sub"] = sub
	}
	if sid != "" {
		claims["sid"] = sid
	}
	if edit != nil {
		edit(claims)
	}
	return p.sign(claims, SignNormal, "")
}

// SendBackChannelLogout posts a logout token to the client's back-channel
// URI, as a provider does when a staff member logs out elsewhere.
func (p *Provider) SendBackChannelLogout(clientID, sub, sid string) error {
	c, ok := p.clients[clientID]
	if !ok || c.BackChannelLogoutURI == "" {
		return errors.New("devidp: client has no back-channel logout URI")
	}
	tok, err := p.LogoutToken(clientID, sub, sid, nil)
	if err != nil {
		return err
	}
	resp, err := p.http.PostForm(c.BackChannelLogoutURI, url.Values{"logout_token": {tok}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("devidp: back-channel logout answered " + resp.Status)
	}
	return nil
}

// opaqueSubject makes a stable, meaningless subject like a broker does.
func opaqueSubject(s string) string {
	sum := sha256.Sum256([]byte("devidp-subject|" + s))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// devEmail makes up an address for a development staff member, so the
// moderators' digest has somewhere to go (it shows at /dev/outbox).
func devEmail(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "."):
			b.WriteByte('.')
		}
	}
	local := strings.Trim(b.String(), ".")
	if local == "" {
		local = "medewerker"
	}
	return local + "@gemeente.example"
}
