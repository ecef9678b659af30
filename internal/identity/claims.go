package identity

import (
	"fmt"
	"strings"
)

// ClaimPath locates a claim: a list of segments, because real claim names
// contain dots and colons ("urn:etoegang:core:LegalSubjectID").
type ClaimPath []string

func (p ClaimPath) String() string { return strings.Join(p, " › ") }

// Lookup follows a path through nested JSON objects.
func Lookup(claims map[string]any, path ClaimPath) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	var cur any = claims
	for _, seg := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// LookupString returns a claim that must be a non-empty string (numbers
// are accepted and formatted, since some brokers send a KVK as a number).
func LookupString(claims map[string]any, path ClaimPath) (string, bool) {
	v, ok := Lookup(claims, path)
	if !ok {
		return "", false
	}
	switch t := v.(type) {
	case string:
		return t, t != ""
	case float64:
		return fmt.Sprintf("%.0f", t), true
	}
	return "", false
}

// LookupStrings returns a claim that is a list of strings, or one string.
func LookupStrings(claims map[string]any, path ClaimPath) []string {
	v, ok := Lookup(claims, path)
	if !ok {
		return nil
	}
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
