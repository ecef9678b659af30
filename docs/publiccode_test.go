package docs

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"golang.org/x/text/language"
)

// publiccode.yml (the standard for public software catalogues, version
// 0.4) is checked here against the standard's rules: every key known
// (a misspelt key fails), the required ones present, values from the
// standard's vocabularies, the lengths the catalogues enforce. The
// standard's own Go parser is not served by the module proxy this project
// builds from, so the rules are written out below from the standard's
// text; the list of what is checked is the parser's.

// publicCode is the part of the standard this file may use.
type publicCode struct {
	PubliccodeYmlVersion string `yaml:"publiccodeYmlVersion"`
	Name                 string `yaml:"name"`
	ApplicationSuite     string `yaml:"applicationSuite"`
	URL                  string `yaml:"url"`
	LandingURL           string `yaml:"landingURL"`
	IsBasedOn            any    `yaml:"isBasedOn"`
	SoftwareVersion      string `yaml:"softwareVersion"`
	ReleaseDate          string `yaml:"releaseDate"`
	Logo                 string `yaml:"logo"`
	Platforms            []string
	Categories           []string
	UsedBy               []string `yaml:"usedBy"`
	Roadmap              string   `yaml:"roadmap"`
	DevelopmentStatus    string   `yaml:"developmentStatus"`
	SoftwareType         string   `yaml:"softwareType"`
	IntendedAudience     struct {
		Countries            []string `yaml:"countries"`
		UnsupportedCountries []string `yaml:"unsupportedCountries"`
		Scope                []string `yaml:"scope"`
	} `yaml:"intendedAudience"`
	Description map[string]struct {
		LocalisedName    string   `yaml:"localisedName"`
		GenericName      string   `yaml:"genericName"`
		ShortDescription string   `yaml:"shortDescription"`
		LongDescription  string   `yaml:"longDescription"`
		Documentation    string   `yaml:"documentation"`
		APIDocumentation string   `yaml:"apiDocumentation"`
		Features         []string `yaml:"features"`
		Screenshots      []string `yaml:"screenshots"`
		Videos           []string `yaml:"videos"`
		Awards           []string `yaml:"awards"`
	} `yaml:"description"`
	Legal struct {
		License            string `yaml:"license"`
		MainCopyrightOwner string `yaml:"mainCopyrightOwner"`
		RepoOwner          string `yaml:"repoOwner"`
		AuthorsFile        string `yaml:"authorsFile"`
	} `yaml:"legal"`
	Maintenance struct {
		Type        string `yaml:"type"`
		Contractors []struct {
			Name    string `yaml:"name"`
			Until   string `yaml:"until"`
			Email   string `yaml:"email"`
			Website string `yaml:"website"`
		} `yaml:"contractors"`
		Contacts []struct {
			Name        string `yaml:"name"`
			Email       string `yaml:"email"`
			Phone       string `yaml:"phone"`
			Affiliation string `yaml:"affiliation"`
		} `yaml:"contacts"`
	} `yaml:"maintenance"`
	Localisation struct {
		LocalisationReady  *bool    `yaml:"localisationReady"`
		AvailableLanguages []string `yaml:"availableLanguages"`
	} `yaml:"localisation"`
	DependsOn map[string][]struct {
		Name       string `yaml:"name"`
		VersionMin string `yaml:"versionMin"`
		VersionMax string `yaml:"versionMax"`
		Version    string `yaml:"version"`
		Optional   bool   `yaml:"optional"`
	} `yaml:"dependsOn"`
}

// The standard's vocabularies (version 0.4).
var (
	pcVersions          = []string{"0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0"}
	pcDevelopmentStatus = []string{"concept", "development", "beta", "stable", "obsolete"}
	pcSoftwareTypes     = []string{"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
	pcMaintenance       = []string{"internal", "contract", "community", "none"}
	pcDependsOn         = []string{"open", "proprietary", "hardware"}
	pcScopes            = []string{"agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy", "environment", "finance-and-economic-development", "foreign-affairs", "government", "healthcare", "infrastructures", "justice", "local-authorities", "manufacturing", "research", "science-and-technology", "security", "society", "sport", "tourism", "transportation", "welfare"}
	pcCategories        = strings.Fields(`accounting agile-project-management applicant-tracking application-development
		appointment-scheduling backup billing-and-invoicing blog budgeting business-intelligence
		business-process-management cad call-center-management cloud-management collaboration communications
		compliance-management contact-management content-management crm customer-service-and-support
		data-analytics data-collection data-visualization digital-asset-management digital-citizenship
		document-management donor-management e-commerce e-signature email-management email-marketing
		employee-management enterprise-project-management enterprise-social-networking erp event-management
		facility-management feedback-and-reviews-management financial-reporting fleet-management fundraising
		gamification geographic-information-systems grant-management graphic-design help-desk hr ide
		identity-management instant-messaging inventory-management it-asset-management it-development
		it-management it-security it-service-management knowledge-management learning-management-system
		marketing mind-mapping mobile-marketing mobile-payment network-management office online-booking
		online-community payment-gateway payroll predictive-analysis procurement productivity-suite
		project-collaboration project-management property-management real-estate-management remote-support
		resource-management sales-management seo service-desk social-media-management survey
		talent-management task-management taxes-management test-management time-management time-tracking
		translation video-conferencing video-editing visitor-management voip warehouse-management
		web-collaboration web-conferencing website-builder workflow-management`)
	// Licences this project may name (SPDX identifiers); the standard
	// accepts any SPDX expression, this check only the ones we use.
	pcLicences = []string{"EUPL-1.2", "AGPL-3.0-or-later", "MPL-2.0", "Apache-2.0", "MIT"}
)

// checkPublicCode returns every rule the file breaks (none: it is valid).
func checkPublicCode(src []byte, today time.Time) []string {
	var pc publicCode
	if err := yaml.UnmarshalWithOptions(src, &pc, yaml.Strict()); err != nil {
		return []string{"not the standard's shape: " + err.Error()}
	}
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	oneOf := func(key, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			fail("%s: %q is not one of the standard's values", key, v)
		}
	}
	httpURL := func(key, v string, required bool) {
		if v == "" {
			if required {
				fail("%s is required", key)
			}
			return
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fail("%s: %q is not a web address", key, v)
		}
	}
	date := func(key, v string) {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fail("%s: %q is not a date (YYYY-MM-DD)", key, v)
		} else if d.After(today) {
			fail("%s: %s lies in the future", key, v)
		}
	}
	runes := func(key, v string, lo, hi int) {
		if n := utf8.RuneCountInString(strings.TrimSpace(v)); n < lo || n > hi {
			fail("%s: %d characters, the standard allows %d to %d", key, n, lo, hi)
		}
	}
	lang := func(key, v string) {
		if _, err := language.Parse(v); err != nil {
			fail("%s: %q is not a language tag (BCP 47)", key, v)
		}
	}

	oneOf("publiccodeYmlVersion", pc.PubliccodeYmlVersion, pcVersions)
	if strings.TrimSpace(pc.Name) == "" {
		fail("name is required")
	}
	httpURL("url", pc.URL, true)
	httpURL("landingURL", pc.LandingURL, false)
	httpURL("roadmap", pc.Roadmap, false)
	date("releaseDate", pc.ReleaseDate)
	if len(pc.Platforms) == 0 {
		fail("platforms: at least one is required")
	}
	if len(pc.Categories) == 0 {
		fail("categories: at least one is required")
	}
	for _, c := range pc.Categories {
		oneOf("categories", c, pcCategories)
	}
	oneOf("developmentStatus", pc.DevelopmentStatus, pcDevelopmentStatus)
	oneOf("softwareType", pc.SoftwareType, pcSoftwareTypes)
	for _, s := range pc.IntendedAudience.Scope {
		oneOf("intendedAudience.scope", s, pcScopes)
	}
	for _, c := range append(slices.Clone(pc.IntendedAudience.Countries), pc.IntendedAudience.UnsupportedCountries...) {
		if r, err := language.ParseRegion(c); err != nil || len(c) != 2 || c != strings.ToLower(c) || !r.IsCountry() {
			fail("intendedAudience: %q is not a country code (ISO 3166-1 alpha-2, lower case)", c)
		}
	}
	if len(pc.Description) == 0 {
		fail("description: at least one language is required")
	}
	for tag, d := range pc.Description {
		key := "description." + tag
		lang(key, tag)
		runes(key+".shortDescription", d.ShortDescription, 1, 150)
		runes(key+".longDescription", d.LongDescription, 150, 10000)
		if d.GenericName != "" {
			runes(key+".genericName", d.GenericName, 1, 35)
		}
		httpURL(key+".documentation", d.Documentation, false)
		httpURL(key+".apiDocumentation", d.APIDocumentation, false)
		if len(d.Features) == 0 {
			fail("%s.features: at least one is required", key)
		}
		for i, f := range d.Features {
			runes(fmt.Sprintf("%s.features[%d]", key, i), f, 1, 100)
		}
	}
	if pc.Legal.License == "" {
		fail("legal.license is required")
	} else {
		oneOf("legal.license", pc.Legal.License, pcLicences)
	}
	oneOf("maintenance.type", pc.Maintenance.Type, pcMaintenance)
	switch pc.Maintenance.Type {
	case "internal", "community":
		if len(pc.Maintenance.Contacts) == 0 {
			fail("maintenance.contacts: required for type %s", pc.Maintenance.Type)
		}
	case "contract":
		if len(pc.Maintenance.Contractors) == 0 {
			fail("maintenance.contractors: required for type contract")
		}
	}
	for i, c := range pc.Maintenance.Contacts {
		if strings.TrimSpace(c.Name) == "" {
			fail("maintenance.contacts[%d].name is required", i)
		}
		if c.Email != "" {
			if _, err := mail.ParseAddress(c.Email); err != nil {
				fail("maintenance.contacts[%d].email: %q is not an e-mail address", i, c.Email)
			}
		}
	}
	for i, c := range pc.Maintenance.Contractors {
		if strings.TrimSpace(c.Name) == "" {
			fail("maintenance.contractors[%d].name is required", i)
		}
		date(fmt.Sprintf("maintenance.contractors[%d].until", i), c.Until)
	}
	if pc.Localisation.LocalisationReady == nil {
		fail("localisation.localisationReady is required")
	}
	if len(pc.Localisation.AvailableLanguages) == 0 {
		fail("localisation.availableLanguages: at least one is required")
	}
	for _, l := range pc.Localisation.AvailableLanguages {
		lang("localisation.availableLanguages", l)
	}
	for kind, deps := range pc.DependsOn {
		oneOf("dependsOn", kind, pcDependsOn)
		for i, d := range deps {
			if strings.TrimSpace(d.Name) == "" {
				fail("dependsOn.%s[%d].name is required", kind, i)
			}
		}
	}
	return bad
}

func readPublicCode(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("../publiccode.yml")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// The project's publiccode.yml follows the standard.
func TestPubliccodeYmlFollowsTheStandard(t *testing.T) {
	for _, p := range checkPublicCode(readPublicCode(t), time.Now()) {
		t.Error("publiccode.yml: " + p)
	}
}

// The check refuses what a catalogue would: a misspelt key, a missing
// required key, a value outside the vocabulary, text too long or too
// short, a release date in the future.
func TestPubliccodeCheckRefusesBrokenFiles(t *testing.T) {
	good := readPublicCode(t)
	replace := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("publiccode.yml no longer holds %q: update this test", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	cases := map[string][]byte{
		"misspelt key":          replace("developmentStatus:", "developmentStatuss:"),
		"unknown category":      replace("  - survey\n", "  - surveys\n"),
		"no name":               replace("name: Inspraak\n", ""),
		"unknown status":        replace("developmentStatus: development", "developmentStatus: alpha"),
		"future release":        replace(`releaseDate: "`, `releaseDate: "2999-01-01" # was "`),
		"short description":     replace("shortDescription: >-", "shortDescription: >-\n      "+strings.Repeat("lang ", 40)),
		"long description":      shortLong(t, good),
		"unknown scope":         replace("    - local-authorities\n", "    - municipalities\n"),
		"bad language tag":      replace("    - nl\n    - en\n", "    - nl\n    - english!\n"),
		"bad country":           replace("    - nl\n  scope:", "    - NLD\n  scope:"),
		"unknown licence":       replace("license: EUPL-1.2", "license: Public-Domain-ish"),
		"no contacts":           replace("  contacts:\n    - name: Inspraak maintainers\n", ""),
		"localisation missing":  replace("  localisationReady: true\n", ""),
		"not a web address url": replace(`url: "https://github.com/inspraak/inspraak"`, `url: "github.com/inspraak"`),
	}
	for name, src := range cases {
		if p := checkPublicCode(src, time.Now()); len(p) == 0 {
			t.Errorf("%s: let through", name)
		} else {
			t.Logf("%s: %v", name, p)
		}
	}
}

// shortLong is the file with its first long description cut to a line.
func shortLong(t *testing.T, good []byte) []byte {
	t.Helper()
	start := bytes.Index(good, []byte("    longDescription: >\n"))
	end := bytes.Index(good, []byte("    features:\n"))
	if start < 0 || end < start {
		t.Fatal("publiccode.yml no longer holds a long description before its features: update this test")
	}
	return slices.Concat(good[:start], []byte("    longDescription: Te kort.\n"), good[end:])
}
