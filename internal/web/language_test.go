package web

import (
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
