package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func FuzzLocalPathNeverLeavesTheSite(f *testing.F) {
	for _, s := range []string{"/", "/projecten?x=1", "//evil.example", "/\\evil", "https://evil.example", "/%2F%2Fevil", "\t//evil", "/a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := LocalPath(in)
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\\\r\n\t\x00") {
			t.Fatalf("LocalPath(%q) = %q", in, out)
		}
		u, err := url.Parse(out)
		if err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("LocalPath(%q) = %q points off-site", in, out)
		}
	})
}

func TestAcceptsGzipReadsTheQualityValue(t *testing.T) {
	t.Parallel() // each test has its own site and database
	cases := map[string]bool{
		"gzip": true, "deflate, gzip": true, "gzip;q=0.5": true, "GZIP; q=1": true,
		"gzip;q=0": false, "gzip;q=0.0": false, "gzip;q=abc": false, "br": false, "": false,
	}
	for header, want := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("%q: %v, want %v", header, got, want)
		}
	}
}
