package devidp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The provider must behave like a strict real one, or tests against it
// would prove nothing: PKCE, single-use codes, exact redirect URIs and
// client authentication are all checked.
func TestTokenEndpointIsStrict(t *testing.T) {
	var p *Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.StripPrefix("/dev/idp", p.Handler()).ServeHTTP(w, r)
	}))
	defer srv.Close()
	redirect := "https://inspraak.test/inloggen/digid/terug"
	var err error
	p, err = New(srv.URL+"/dev/idp", []Client{{ID: "rp", Secret: "geheim", Means: "digid", RedirectURIs: []string{redirect}}},
		func(w http.ResponseWriter, r *http.Request, status int, page LoginPage) { w.WriteHeader(status) })
	if err != nil {
		t.Fatal(err)
	}
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	code := func(redirectURI string) string {
		form := url.Values{"client_id": {"rp"}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid"},
			"state": {strings.Repeat("s", 22)}, "nonce": {strings.Repeat("n", 22)}, "code_challenge": {challenge},
			"code_challenge_method": {"S256"}, "bsn": {"999993653"}}
		resp, err := noRedirect.PostForm(srv.URL+"/dev/idp/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return ""
		}
		loc, _ := resp.Location()
		return loc.Query().Get("code")
	}
	exchange := func(c, secret, redirectURI, v string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dev/idp/token", strings.NewReader(url.Values{
			"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {redirectURI}, "code_verifier": {v}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("rp", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}

	if c := code("https://elders.test/terug"); c != "" {
		t.Fatal("a code was issued for an unregistered redirect URI")
	}
	c := code(redirect)
	if status, _ := exchange(c, "fout", redirect, verifier); status != 401 {
		t.Errorf("wrong client secret: %d", status)
	}
	c = code(redirect)
	if status, body := exchange(c, "geheim", redirect, strings.Repeat("x", 50)); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("wrong PKCE verifier: %d %v", status, body)
	}
	c = code(redirect)
	if status, _ := exchange(c, "geheim", redirect+"/anders", verifier); status != 400 {
		t.Errorf("redirect URI changed at the token endpoint: %d", status)
	}
	c = code(redirect)
	status, body := exchange(c, "geheim", redirect, verifier)
	if status != 200 || body["id_token"] == nil {
		t.Fatalf("good exchange: %d %v", status, body)
	}
	if status, _ := exchange(c, "geheim", redirect, verifier); status != 400 {
		t.Errorf("code used twice: %d", status)
	}
}
