package richtext

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRenderKeepsFormattingAndDropsScript(t *testing.T) {
	cases := []struct {
		in      string
		want    []string
		notWant []string
	}{
		{"## Kop\n\nTekst met **nadruk** en een [link](https://example.org).", []string{"<h2", "<strong>nadruk</strong>", `href="https://example.org"`}, nil},
		{"Hallo\n\n<script>alert(1)</script>", []string{"Hallo"}, []string{"<script", "alert(1)</script>"}},
		{"[klik](javascript:alert(1))", nil, []string{"javascript:"}},
		{`<img src=x onerror="alert(1)">`, nil, []string{"onerror"}},
		{"<iframe src=\"https://evil.example\"></iframe>", nil, []string{"<iframe"}},
		{"| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
	}
	for _, c := range cases {
		got, err := Render(c.in)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(got), w) {
				t.Errorf("Render(%q) = %q, want it to contain %q", c.in, got, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(string(got), w) {
				t.Errorf("Render(%q) = %q, must not contain %q", c.in, got, w)
			}
		}
	}
}

func FuzzRenderNeverEmitsScript(f *testing.F) {
	for _, s := range []string{"# a", "<script>x</script>", "[a](javascript:b)", "<a href=\"java\tscript:x\">y</a>", "<svg onload=x>", "a onerror=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Render(in)
		if err != nil {
			return
		}
		doc, err := html.Parse(strings.NewReader(string(out)))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "iframe", "style", "object", "embed", "form":
					t.Fatalf("Render(%q) produced element <%s>: %q", in, n.Data, out)
				}
				for _, a := range n.Attr {
					v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
					if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") {
						t.Fatalf("Render(%q) produced attribute %s=%q", in, a.Key, a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	})
}
