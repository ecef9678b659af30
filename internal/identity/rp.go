package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"inspraak/internal/config"
)

// allowedAlgs are the only signature algorithms accepted on ID tokens.
var allowedAlgs = []string{oidc.RS256, oidc.PS256, oidc.ES256}

// RP is the relying party for one provider. Discovery is done at start-up
// where possible and retried lazily, so a provider that was down at start
// (or the built-in provider, which is served by this very process) becomes
// usable as soon as it answers.
type RP struct {
	cfg         *config.Provider
	means       Means
	redirectURL string
	client      *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	endpoint endpoints
	lastErr  error
	lastTry  time.Time
}

type endpoints struct {
	EndSession   string   `json:"end_session_endpoint"`
	Issuer       string   `json:"issuer"`
	Auth         string   `json:"authorization_endpoint"`
	Token        string   `json:"token_endpoint"`
	JWKS         string   `json:"jwks_uri"`
	Responses    []string `json:"response_types_supported"`
	Challenges   []string `json:"code_challenge_methods_supported"`
	ACRSupported []string `json:"acr_values_supported"`
}

// ErrProviderUnavailable means discovery failed or was unusable.
var ErrProviderUnavailable = errors.New("identity: login provider unavailable")

// NewRP makes a relying party; it does not contact the provider yet.
func NewRP(cfg *config.Provider, redirectURL string, client *http.Client) *RP {
	return &RP{cfg: cfg, means: Means(cfg.Means), redirectURL: redirectURL, client: client}
}

// Discover fetches and checks the provider's discovery document. It
// refuses a document that lacks what the login flow needs.
func (r *RP) Discover(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.discoverLocked(ctx)
}

func (r *RP) discoverLocked(ctx context.Context) error {
	if r.provider != nil {
		return nil
	}
	if r.lastErr != nil && time.Since(r.lastTry) < 5*time.Second {
		return r.lastErr
	}
	r.lastTry = time.Now()
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, r.client), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, r.cfg.Issuer)
	if err != nil {
		r.lastErr = fmt.Errorf("%w: %s discovery: %v", ErrProviderUnavailable, r.means, err)
		return r.lastErr
	}
	var ep endpoints
	if err := p.Claims(&ep); err != nil {
		r.lastErr = fmt.Errorf("%w: %s discovery: %v", ErrProviderUnavailable, r.means, err)
		return r.lastErr
	}
	var missing []string
	if ep.Issuer == "" {
		missing = append(missing, "issuer")
	}
	if ep.Auth == "" {
		missing = append(missing, "authorization_endpoint")
	}
	if ep.Token == "" {
		missing = append(missing, "token_endpoint")
	}
	if ep.JWKS == "" {
		missing = append(missing, "jwks_uri")
	}
	if !slices.Contains(ep.Responses, "code") {
		missing = append(missing, "response type code")
	}
	if !slices.Contains(ep.Challenges, "S256") {
		missing = append(missing, "PKCE S256")
	}
	if len(missing) > 0 {
		r.lastErr = fmt.Errorf("%w: %s discovery lacks %v", ErrProviderUnavailable, r.means, missing)
		return r.lastErr
	}
	r.provider, r.endpoint, r.lastErr = p, ep, nil
	return nil
}

// Available reports whether the provider can be used now.
func (r *RP) Available(ctx context.Context) bool { return r.Discover(ctx) == nil }

func (r *RP) oauth2Config() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     r.cfg.ClientID,
		ClientSecret: r.cfg.ClientSecret,
		Endpoint:     r.provider.Endpoint(),
		RedirectURL:  r.redirectURL,
		Scopes:       r.cfg.Scopes,
	}
}

// AuthURL returns where to send the browser to log in.
func (r *RP) AuthURL(ctx context.Context, state, nonce, verifier, minLoA string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.discoverLocked(ctx); err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	// Ask for the level where the provider supports it; the answer is
	// checked at the callback all the same.
	if minLoA != "" && slices.Contains(r.endpoint.ACRSupported, minLoA) {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", minLoA))
	}
	return r.oauth2Config().AuthCodeURL(state, opts...), nil
}

// Tokens is what a successful code exchange yields.
type Tokens struct {
	Claims  map[string]any
	Subject string
	SID     string
	RawID   string
}

// Exchange redeems the code, verifies the ID token (signature, iss, aud,
// exp, algorithm) and the nonce, and returns the claims from the ID token
// or from userinfo, as configured.
func (r *RP) Exchange(ctx context.Context, code, verifier, nonce string) (*Tokens, error) {
	r.mu.Lock()
	err := r.discoverLocked(ctx)
	p := r.provider
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	cctx := oidc.ClientContext(ctx, r.client)
	tok, err := r.oauth2Config().Exchange(cctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, loginFailure(ReasonTokenExchange, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, loginFailure(ReasonTokenInvalid, errors.New("no id_token in token response"))
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: r.cfg.ClientID, SupportedSigningAlgs: allowedAlgs}).Verify(cctx, raw)
	if err != nil {
		return nil, classifyVerifyError(err)
	}
	// go-oidc does not check the nonce: compare it here, in constant time.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 || nonce == "" {
		return nil, loginFailure(ReasonNonce, errors.New("nonce mismatch"))
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, loginFailure(ReasonTokenInvalid, err)
	}
	if r.cfg.ClaimSource == "userinfo" {
		ui, err := p.UserInfo(cctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, loginFailure(ReasonUserinfo, err)
		}
		if ui.Subject != idt.Subject {
			return nil, loginFailure(ReasonUserinfo, errors.New("userinfo sub differs from id_token sub"))
		}
		uclaims := map[string]any{}
		if err := ui.Claims(&uclaims); err != nil {
			return nil, loginFailure(ReasonUserinfo, err)
		}
		// The ID token's own claims (acr, sid) stay; identity claims come
		// from userinfo.
		for k, v := range uclaims {
			claims[k] = v
		}
	}
	sid, _ := claims["sid"].(string)
	return &Tokens{Claims: claims, Subject: idt.Subject, SID: sid, RawID: raw}, nil
}

// EndSessionURL returns the provider's logout address for this session.
func (r *RP) EndSessionURL(ctx context.Context, idTokenHint, postLogout string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.discoverLocked(ctx); err != nil || r.endpoint.EndSession == "" {
		return ""
	}
	q := "?post_logout_redirect_uri=" + urlEscape(postLogout)
	if idTokenHint != "" {
		q += "&id_token_hint=" + urlEscape(idTokenHint)
	} else {
		// Residents: the ID token holds the BSN and is not kept, so the
		// provider learns which client is logging out from client_id.
		q += "&client_id=" + urlEscape(r.cfg.ClientID)
	}
	return r.endpoint.EndSession + q
}

// Verifier returns an ID token verifier for logout tokens (staff).
func (r *RP) verifierFor(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.discoverLocked(ctx); err != nil {
		return nil, err
	}
	// Logout tokens have no nonce and are not ID tokens for a login:
	// audience and issuer are still checked, expiry by iat below.
	return r.provider.Verifier(&oidc.Config{ClientID: r.cfg.ClientID, SupportedSigningAlgs: allowedAlgs}), nil
}

func classifyVerifyError(err error) error {
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return loginFailure(ReasonExpired, err)
	case containsAny(err.Error(), "issuer", "different provider"):
		return loginFailure(ReasonIssuer, err)
	case containsAny(err.Error(), "audience", "aud"):
		return loginFailure(ReasonAudience, err)
	case containsAny(err.Error(), "signing algorithm", "unexpected signature algorithm", "alg"):
		return loginFailure(ReasonAlgorithm, err)
	case containsAny(err.Error(), "signature", "key"):
		return loginFailure(ReasonSignature, err)
	}
	return loginFailure(ReasonTokenInvalid, err)
}
