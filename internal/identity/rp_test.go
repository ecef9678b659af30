package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"inspraak/internal/config"
)

// A provider whose discovery lacks what the flow needs is refused, with
// the missing parts named.
func TestDiscoveryMustOfferCodeFlowAndPKCE(t *testing.T) {
	var doc map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(doc)
	}))
	defer srv.Close()
	full := func() map[string]any {
		return map[string]any{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/a", "token_endpoint": srv.URL + "/t",
			"jwks_uri": srv.URL + "/k", "response_types_supported": []string{"code"},
			"code_challenge_methods_supported": []string{"S256"},
		}
	}
	cases := map[string]struct {
		edit func(map[string]any)
		want string
	}{
		"complete":     {func(map[string]any) {}, ""},
		"no S256":      {func(m map[string]any) { m["code_challenge_methods_supported"] = []string{"plain"} }, "PKCE S256"},
		"no code flow": {func(m map[string]any) { m["response_types_supported"] = []string{"id_token"} }, "response type code"},
		"no jwks":      {func(m map[string]any) { delete(m, "jwks_uri") }, "jwks_uri"},
		"no token":     {func(m map[string]any) { delete(m, "token_endpoint") }, "token_endpoint"},
		"other issuer": {func(m map[string]any) { m["issuer"] = "https://elders.example" }, "issuer"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			doc = full()
			c.edit(doc)
			rp := NewRP(&config.Provider{Means: "digid", Issuer: srv.URL, ClientID: "x"}, "http://localhost/cb", srv.Client())
			err := rp.Discover(context.Background())
			if c.want == "" {
				if err != nil {
					t.Fatalf("complete discovery refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error naming %q, got %v", c.want, err)
			}
		})
	}
}
