package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// openAPI is docs/openapi.json, read once.
type openAPI struct {
	Info struct {
		Version string `json:"version"`
	} `json:"info"`
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type schema struct {
	Ref        string            `json:"$ref"`
	Type       string            `json:"type"`
	Format     string            `json:"format"`
	Required   []string          `json:"required"`
	Properties map[string]schema `json:"properties"`
	Items      *schema           `json:"items"`
	Enum       []string          `json:"enum"`
	Additional any               `json:"additionalProperties"` // keys beyond Properties allowed
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.json: %v", err)
	}
	return &doc
}

// check validates a decoded JSON value against a schema of the document.
func (d *openAPI) check(t *testing.T, where string, v any, s schema) {
	t.Helper()
	if s.Ref != "" {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %T, want an object", where, v)
			return
		}
		for _, r := range s.Required {
			if _, ok := m[r]; !ok {
				t.Errorf("%s: %q missing", where, r)
			}
		}
		for k, val := range m {
			if ps, ok := s.Properties[k]; ok {
				d.check(t, where+"."+k, val, ps)
			} else if len(s.Properties) > 0 && s.Additional == nil {
				t.Errorf("%s: %q is not in the API description", where, k)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %T, want an array", where, v)
			return
		}
		for i, x := range a {
			if s.Items != nil {
				d.check(t, fmt.Sprintf("%s[%d]", where, i), x, *s.Items)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			t.Errorf("%s: %T, want a string", where, v)
		} else if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			t.Errorf("%s: %q not one of %v", where, str, s.Enum)
		} else if _, err := time.Parse(time.RFC3339, str); s.Format == "date-time" && err != nil {
			t.Errorf("%s: %q is no ISO 8601 date-time with a time zone", where, str)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			t.Errorf("%s: %v, want an integer", where, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s: %T, want a boolean", where, v)
		}
	}
}

// conforms fetches a path and checks the JSON answer against the
// description of that path and status, and the headers every API answer
// carries: the full API-Version of the document, and no caching.
func (d *openAPI) conforms(t *testing.T, s *testSite, template, path string, status int, header ...string) response {
	t.Helper()
	r := s.get(t, path, header...)
	if r.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, r.StatusCode, status, r.Body)
	}
	if got := r.Header.Get("API-Version"); got != d.Info.Version {
		t.Errorf("GET %s: API-Version %q, want %q", path, got, d.Info.Version)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("GET %s: Cache-Control %q, want no-store", path, got)
	}
	op, ok := d.Paths[template]["get"]
	if !ok {
		t.Fatalf("%s is not in docs/openapi.json", template)
	}
	resp, ok := op.Responses[fmt.Sprint(status)]
	if !ok {
		t.Fatalf("%s %d is not in docs/openapi.json", template, status)
	}
	media := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	content, ok := resp.Content[media]
	if !ok {
		t.Fatalf("%s %d: content type %q is not in docs/openapi.json", template, status, media)
	}
	if media == "application/json" || media == "application/problem+json" {
		var v any
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		d.check(t, path, v, content.Schema)
	}
	return r
}

// The API answers as docs/openapi.json says, for every path and status it
// describes: projects, public results (only once published), exports only
// with a valid, unrevoked analyst's key.
func TestAPIMatchesItsDescription(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	doc := loadOpenAPI(t)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	id := itoa(in.ID)
	doc.conforms(t, s, "/api/v1/openapi.json", "/api/v1/openapi.json", 200)
	projects := doc.conforms(t, s, "/api/v1/projects", "/api/v1/projects", 200)
	if !strings.Contains(projects.Body, `"slug":"herinrichting-marktplein"`) || strings.Contains(projects.Body, "concept") {
		t.Fatalf("projects: %.300s", projects.Body)
	}
	doc.conforms(t, s, "/api/v1/instruments/{id}/results", "/api/v1/instruments/"+id+"/results", 404)
	doc.conforms(t, s, "/api/v1/instruments/{id}/results", "/api/v1/instruments/999999/results", 404)
	doc.conforms(t, s, "/api/v1/instruments/{id}/results", "/api/v1/instruments/elf/results", 400)

	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	wantStatus(t, editor.post("/beheer/projecten/"+itoa(in.ProjectID)+"/instrumenten/"+id+"/resultaten", url.Values{"openbaar": {"ja"}}), 303)
	results := doc.conforms(t, s, "/api/v1/instruments/{id}/results", "/api/v1/instruments/"+id+"/results", 200)
	wantContains(t, results, `"min_cell":5`, `"count":"x"`) // a hidden count
	if !strings.Contains(projects.Body, `"results_published":false`) {
		t.Fatal("projects did not say the results were unpublished")
	}

	const responses = "/api/v1/instruments/{id}/responses"
	export := "/api/v1/instruments/" + id + "/responses"
	doc.conforms(t, s, responses, export, 401)
	doc.conforms(t, s, responses, export, 401, "Authorization", "Bearer insp_vervalst")

	// An analyst makes a key on their profile page; it shows once.
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	wantStatus(t, analyst.post("/beheer/profiel/tokens", url.Values{"naam": {""}}), 422)
	made := analyst.post("/beheer/profiel/tokens", url.Values{"naam": {"dashboard onderzoek"}})
	wantStatus(t, made, 200)
	key := regexp.MustCompile(`insp_[A-Za-z0-9_-]{40,}`).FindString(made.Body)
	if key == "" {
		t.Fatal("no key shown")
	}
	if strings.Contains(analyst.get("/beheer/profiel").Body, key) {
		t.Fatal("the key shows a second time")
	}
	var stored int64
	testdb.NoError(t, s.App.DB.Table("api_tokens").Where("hash = ?", key).Count(&stored).Error)
	if stored != 0 {
		t.Fatal("the key itself is stored")
	}
	doc.conforms(t, s, responses, export+"?format=pdf", 400, "Authorization", "Bearer "+key)
	doc.conforms(t, s, responses, "/api/v1/instruments/999999/responses", 404, "Authorization", "Bearer "+key)
	csvExport := doc.conforms(t, s, responses, export, 200, "Authorization", "Bearer "+key)
	if !strings.HasPrefix(csvExport.Body, "\uFEFFrespondent,") {
		t.Fatalf("csv export: %.100s", csvExport.Body)
	}
	doc.conforms(t, s, responses, export+"?format=json", 200, "Authorization", "Bearer "+key)
	// The first address of the responses still answers (deprecated).
	doc.conforms(t, s, "/api/v1/instruments/{id}/export", "/api/v1/instruments/"+id+"/export?format=json", 200, "Authorization", "Bearer "+key)
	var logged int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND detail LIKE ?", "results.export", "%api%").Count(&logged).Error)
	if logged != 3 {
		t.Fatalf("%d API exports in the audit log, want 3", logged)
	}
	// Older than 90 days (identity.APIKeyLifetime): refused, and the profile
	// says it expired.
	if err := s.App.DB.Exec("UPDATE api_tokens SET created_at = ?", time.Now().Add(-90*24*time.Hour-time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	doc.conforms(t, s, responses, export, 401, "Authorization", "Bearer "+key)
	wantContains(t, analyst.get("/beheer/profiel"), "Verlopen")
	if err := s.App.DB.Exec("UPDATE api_tokens SET created_at = ?", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	wantContains(t, analyst.get("/beheer/profiel"), "Werkt tot ")
	// Revoked: refused.
	tid := regexp.MustCompile(`/beheer/profiel/tokens/(\d+)/intrekken`).FindStringSubmatch(analyst.get("/beheer/profiel").Body)
	wantStatus(t, analyst.post("/beheer/profiel/tokens/"+tid[1]+"/intrekken", nil), 303)
	doc.conforms(t, s, responses, export, 401, "Authorization", "Bearer "+key)
	// Editors cannot make keys.
	wantStatus(t, editor.post("/beheer/profiel/tokens", url.Values{"naam": {"x"}}), http.StatusForbidden)
}

// An administrator sees every API key that still works, with its owner,
// and can revoke one (a person left, a key leaked); the key stops working
// and the revocation is in the audit log. Analysts and editors cannot.
func TestAdministratorRevokesSomeonesKey(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	made := analyst.post("/beheer/profiel/tokens", url.Values{"naam": {"koppeling dashboard"}})
	key := regexp.MustCompile(`insp_[A-Za-z0-9_-]{40,}`).FindString(made.Body)
	if key == "" {
		t.Fatal("no key shown")
	}
	export := "/api/v1/instruments/3/responses"
	get := func() int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+export, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != 200 {
		t.Fatalf("the new key: %d", code)
	}
	admin := newBrowser(t, s)
	admin.loginStaff("Ad Min", "inspraak-beheerders")
	members := admin.get("/beheer/medewerkers")
	wantContains(t, members, "API-sleutels die werken", "Ana List", "koppeling dashboard")
	tid := regexp.MustCompile(`/beheer/medewerkers/sleutels/(\d+)/intrekken`).FindStringSubmatch(members.Body)
	if tid == nil {
		t.Fatal("no revoke button")
	}
	wantStatus(t, analyst.post("/beheer/medewerkers/sleutels/"+tid[1]+"/intrekken", nil), http.StatusForbidden)
	if code := get(); code != 200 {
		t.Fatalf("after the analyst's refused attempt: %d", code)
	}
	wantStatus(t, admin.post("/beheer/medewerkers/sleutels/"+tid[1]+"/intrekken", nil), 303)
	if code := get(); code != 401 {
		t.Fatalf("a revoked key: %d", code)
	}
	wantNotContains(t, admin.get("/beheer/medewerkers"), "koppeling dashboard")
	wantContains(t, analyst.get("/beheer/profiel"), "Ingetrokken")
	var logged int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "api.token.revoke").Count(&logged).Error)
	if logged != 1 {
		t.Fatalf("%d revocations in the audit log", logged)
	}
}
