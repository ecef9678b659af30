// Package richtext renders the Markdown that editors write into safe HTML:
// goldmark converts, bluemonday removes anything that could run script or
// break the page. Residents' text is never Markdown; it is escaped as typed.
package richtext

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md     = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	policy = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.RequireNoReferrerOnLinks(true)
	p.AllowURLSchemes("https", "http", "mailto", "tel")
	return p
}

// Render converts Markdown to sanitised HTML.
func Render(source string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := md.Convert([]byte(source), &buf); err != nil {
		return "", err
	}
	// #nosec: the output of the sanitiser is what makes this safe.
	return template.HTML(policy.SanitizeBytes(buf.Bytes())), nil
}
