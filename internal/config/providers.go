package config

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Provider is the configuration of one OpenID Provider: the DigiD broker,
// the eHerkenning broker, or the municipality's own IdP for staff.
type Provider struct {
	Means        string // digid, eherkenning or staff
	Issuer       string
	ClientID     string
	ClientSecret string
	Scopes       []string
	// ClaimSource is "id_token" or "userinfo".
	ClaimSource string
	IDClaim     []string // BSN (DigiD) or KVK number (eHerkenning)
	ActingClaim []string // eHerkenning: the acting person (opaque)
	BranchClaim []string // eHerkenning: branch number
	LoAClaim    []string
	// LoAMap translates provider-specific level values (e.g. "10", "20")
	// to the standard ones; values not in the map are taken as they are.
	LoAMap      map[string]string
	GroupsClaim []string            // staff
	RoleMap     map[string][]string // staff: group → roles
	NameClaim   []string            // staff: display name
	// Dev is true for the built-in development provider.
	Dev bool
}

// ProviderMeans are the provider names, in display order.
var ProviderMeans = []string{"digid", "eherkenning", "staff"}

// DevRoleMap maps the built-in provider's test groups to roles.
var DevRoleMap = map[string][]string{
	"inspraak-moderatoren": {"moderator"},
	"inspraak-redacteuren": {"editor"},
	"inspraak-analisten":   {"analyst"},
	"inspraak-beheerders":  {"admin"},
	"inspraak-stembureau":  {"stembureau"},
}

var defaultIDClaims = map[string][]string{
	"digid":       {"bsn"},
	"eherkenning": {"urn:etoegang:core:LegalSubjectID"},
	"staff":       {"sub"},
}

// DevClientSecret is the client secret the built-in provider and the
// relying party share for one means. It is derived from the session key,
// so it differs per run in development and is never configured by hand.
func (c *Config) DevClientSecret(means string) string {
	m := hmac.New(sha256.New, c.SessionKey)
	m.Write([]byte("dev-idp-client|" + means))
	return hex.EncodeToString(m.Sum(nil))
}

// DevIssuer is the issuer of the built-in provider: under the site's own
// address, or on its own address when INSPRAAK_DEV_IDP_ADDR is set (a host
// left out or 0.0.0.0 means the site's host name).
func (c *Config) DevIssuer() string {
	if c.DevIDPAddr == "" {
		return c.BaseURL.String() + "/dev/idp"
	}
	host, port, _ := net.SplitHostPort(c.DevIDPAddr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = c.BaseURL.Hostname()
	}
	return "http://" + net.JoinHostPort(host, port) + "/dev/idp"
}

// loadDevIDPAddr reads INSPRAAK_DEV_IDP_ADDR: where the built-in provider
// listens when it should have an origin of its own.
func (c *Config) loadDevIDPAddr(getenv Getenv, probs *Problems) {
	v := strings.TrimSpace(getenv("INSPRAAK_DEV_IDP_ADDR"))
	if v == "" {
		return
	}
	if !c.DevIDP {
		*probs = append(*probs, "INSPRAAK_DEV_IDP_ADDR is set, but the built-in provider is off (INSPRAAK_DEV_IDP)")
		return
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		*probs = append(*probs, fmt.Sprintf("INSPRAAK_DEV_IDP_ADDR %q must be a host:port address with a port number, such as 127.0.0.1:8081", v))
		return
	}
	if _, sitePort, err := net.SplitHostPort(c.Addr); err == nil && sitePort == port {
		*probs = append(*probs, fmt.Sprintf("INSPRAAK_DEV_IDP_ADDR %q must use another port than INSPRAAK_ADDR", v))
		return
	}
	c.DevIDPAddr = v
}

func (c *Config) loadProviders(getenv Getenv, probs *Problems) {
	c.Providers = map[string]*Provider{}
	for _, means := range ProviderMeans {
		pre := "INSPRAAK_" + strings.ToUpper(means) + "_"
		p := &Provider{Means: means, Issuer: strings.TrimRight(strings.TrimSpace(getenv(pre+"ISSUER")), "/")}
		if p.Issuer == "" {
			if !c.DevIDP {
				continue // not configured: this login option is not offered
			}
			p.Dev = true
			p.Issuer = c.DevIssuer()
			p.ClientID = "inspraak-" + means
			p.ClientSecret = c.DevClientSecret(means)
		} else {
			p.ClientID = strings.TrimSpace(getenv(pre + "CLIENT_ID"))
			p.ClientSecret = getenv(pre + "CLIENT_SECRET")
			if p.ClientID == "" {
				*probs = append(*probs, pre+"CLIENT_ID is required when "+pre+"ISSUER is set")
			}
			if p.ClientSecret == "" {
				*probs = append(*probs, pre+"CLIENT_SECRET is required when "+pre+"ISSUER is set")
			}
			if c.IsProduction() && !strings.HasPrefix(p.Issuer, "https://") {
				*probs = append(*probs, pre+"ISSUER must be an https:// URL in production")
			}
		}
		p.Scopes = strings.Fields(getenv(pre + "SCOPES"))
		if len(p.Scopes) == 0 {
			p.Scopes = []string{"openid"}
			if means == "staff" {
				p.Scopes = []string{"openid", "profile"}
			}
		}
		p.ClaimSource = orDefault(strings.TrimSpace(getenv(pre+"CLAIM_SOURCE")), "id_token")
		if p.ClaimSource != "id_token" && p.ClaimSource != "userinfo" {
			*probs = append(*probs, pre+"CLAIM_SOURCE must be id_token or userinfo")
		}
		p.IDClaim = claimPath(getenv, pre+"ID_CLAIM", defaultIDClaims[means], probs)
		p.LoAClaim = claimPath(getenv, pre+"LOA_CLAIM", []string{"acr"}, probs)
		p.LoAMap = map[string]string{}
		jsonSetting(getenv, pre+"LOA_MAP", &p.LoAMap, probs)
		switch means {
		case "eherkenning":
			p.ActingClaim = claimPath(getenv, pre+"ACTING_CLAIM", []string{"urn:etoegang:core:ActingSubjectID"}, probs)
			p.BranchClaim = claimPath(getenv, pre+"BRANCH_CLAIM", []string{"urn:etoegang:1.9:ServiceRestriction:Vestigingsnr"}, probs)
		case "staff":
			p.GroupsClaim = claimPath(getenv, pre+"GROUPS_CLAIM", []string{"groups"}, probs)
			p.NameClaim = claimPath(getenv, pre+"NAME_CLAIM", []string{"name"}, probs)
			p.RoleMap = map[string][]string{}
			if p.Dev && getenv(pre+"ROLE_MAP") == "" {
				p.RoleMap = DevRoleMap
			}
			jsonSetting(getenv, pre+"ROLE_MAP", &p.RoleMap, probs)
			for group, roles := range p.RoleMap {
				for _, r := range roles {
					switch r {
					case "moderator", "editor", "analyst", "stembureau", "admin":
					default:
						*probs = append(*probs, fmt.Sprintf("%sROLE_MAP: group %q maps to unknown role %q (use moderator, editor, analyst, stembureau, admin)", pre, group, r))
					}
				}
			}
		}
		c.Providers[means] = p
	}
}

// claimPath reads a claim path: a JSON array of segments, or one name.
func claimPath(getenv Getenv, name string, def []string, probs *Problems) []string {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	if strings.HasPrefix(v, "[") {
		var segs []string
		if err := json.Unmarshal([]byte(v), &segs); err != nil || len(segs) == 0 {
			*probs = append(*probs, name+` must be a claim name or a JSON list of segments such as ["address","postal_code"]`)
			return def
		}
		return segs
	}
	return []string{v}
}

func jsonSetting(getenv Getenv, name string, into any, probs *Problems) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return
	}
	if err := json.Unmarshal([]byte(v), into); err != nil {
		*probs = append(*probs, fmt.Sprintf("%s is not valid JSON of the expected shape: %v", name, err))
	}
}
