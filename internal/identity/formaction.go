package identity

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// safeOrigin is an origin that may stand in a CSP source list as it is:
// a scheme, a host and maybe a port, nothing that could end a directive.
var safeOrigin = regexp.MustCompile(`^https?://[a-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?$`)

// originOf returns scheme://host[:port] of an absolute http(s) URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	o := strings.ToLower(u.Scheme + "://" + u.Host)
	if !safeOrigin.MatchString(o) {
		return ""
	}
	return o
}

func browserOrigins(endpoints ...string) *[]string {
	var out []string
	for _, e := range endpoints {
		if o := originOf(e); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return &out
}

// FormActionOrigins are the origins a page's form may lead the browser to
// besides the site itself: where a login form's redirect goes (the
// providers' authorization endpoints) and where a logout form's goes
// (their end-session endpoints), as discovery gave them. A provider not
// yet discovered counts with its issuer's origin: that is exact for the
// built-in provider, whose discovery waits for this process to listen;
// production refuses to start until every provider is discovered. The
// list is sorted, so the header it goes into stays the same.
func (s *Service) FormActionOrigins() []string {
	var out []string
	for m, rp := range s.rps {
		list := rp.origins.Load()
		if list == nil {
			list = browserOrigins(s.cfgs[m].Issuer)
		}
		for _, o := range *list {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	slices.Sort(out)
	return out
}
