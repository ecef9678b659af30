// Package i18n holds the message catalogues (Dutch first, English second)
// and formats dates and numbers the way each language expects. Templates
// and handlers never hard-code interface text: they ask for a key.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed locales/*.json
var localeFS embed.FS

// Languages are the supported languages; the first is the fallback.
var Languages = []string{"nl", "en"}

// Catalog maps language → key → message.
type Catalog struct {
	msgs map[string]map[string]string
	// Missing receives keys asked for but absent, so tests and logs see them.
	Missing func(lang, key string)
}

// Load reads the embedded catalogues.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range Languages {
		b, err := localeFS.ReadFile("locales/" + lang + ".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s.json: %w", lang, err)
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys returns the sorted keys of lang.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T returns the message for key in lang, formatted with args (fmt verbs).
// A missing key falls back to Dutch, then to the key itself.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		if c.Missing != nil {
			c.Missing(lang, key)
		}
		if msg, ok = c.msgs[Languages[0]][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// N picks key+".one" or key+".other" by n and formats n into it.
func (c *Catalog) N(lang, key string, n int64) string {
	if n == 1 {
		return c.T(lang, key+".one", n)
	}
	return c.T(lang, key+".other", n)
}

// Date formats a date as people write it: "28 november 2026".
func (c *Catalog) Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Location)
	month := c.T(lang, "month."+strconv.Itoa(int(t.Month())))
	if lang == "en" {
		return fmt.Sprintf("%d %s %d", t.Day(), month, t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), strings.ToLower(month), t.Year())
}

// Location is the time zone dates are shown in: the municipality's.
var Location = loadLocation()

func loadLocation() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		// The binary embeds tzdata (cmd/inspraak imports time/tzdata), so
		// this only happens in odd test setups.
		return time.UTC
	}
	return loc
}
