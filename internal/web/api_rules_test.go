package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// problemBody is an RFC 9457 answer as a client reads it.
type problemBody struct {
	Type          string `json:"type"`
	Title         string `json:"title"`
	Status        int    `json:"status"`
	Detail        string `json:"detail"`
	Reference     string `json:"reference"`
	InvalidParams []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"invalid-params"`
}

// wantProblem checks that r is a problem+json answer of status, with the
// API's headers, and returns it.
func wantProblem(t *testing.T, r response, status int) problemBody {
	t.Helper()
	wantStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s: Content-Type %q, want application/problem+json\n%s", r.Request.URL, ct, r.Body)
	}
	if v := r.Header.Get("API-Version"); v != "1.0.0" {
		t.Errorf("%s: API-Version %q on an error", r.Request.URL, v)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q on an error", r.Request.URL, cc)
	}
	var p problemBody
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatalf("%s: %v\n%s", r.Request.URL, err, r.Body)
	}
	if p.Type != "about:blank" || p.Title != http.StatusText(status) || p.Status != status || p.Detail == "" {
		t.Errorf("%s: problem %+v, want type about:blank, title %q, status %d and a detail", r.Request.URL, p, http.StatusText(status), status)
	}
	return p
}

// The API answers as the NL GOV API Design Rules ask: every answer (an
// error too) says the full version and is not cached; errors are
// problem+json with the parameter at fault for malformed input (400) and
// the log reference for a server error; a trailing slash is 404, not a
// redirect (the HTML pages still redirect); the OpenAPI document is
// public with CORS, and only it.
func TestAPIFollowsTheDesignRules(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)

	ok := s.get(t, "/api/v1/projects")
	wantStatus(t, ok, 200)
	if v := ok.Header.Get("API-Version"); v != "1.0.0" {
		t.Errorf("API-Version %q on a success", v)
	}
	if cc := ok.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on a success", cc)
	}
	if a := ok.Header.Get("Access-Control-Allow-Origin"); a != "" {
		t.Errorf("the project list allows origin %q: CORS is for the OpenAPI document only", a)
	}

	// The description: anyone, any origin, exactly the file in docs/.
	doc := s.get(t, "/api/v1/openapi.json", "Origin", "https://architect.example")
	wantStatus(t, doc, 200)
	if a := doc.Header.Get("Access-Control-Allow-Origin"); a != "*" {
		t.Errorf("openapi.json: Access-Control-Allow-Origin %q, want *", a)
	}
	if v := doc.Header.Get("API-Version"); v != "1.0.0" {
		t.Errorf("openapi.json: API-Version %q", v)
	}
	file, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Body != string(file) {
		t.Error("/api/v1/openapi.json is not docs/openapi.json")
	}

	// Malformed input: 400, naming the parameter.
	p := wantProblem(t, s.get(t, "/api/v1/instruments/drie/results"), 400)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "id" || p.InvalidParams[0].Reason == "" {
		t.Errorf("invalid-params %+v, want id with a reason", p.InvalidParams)
	}
	// Unknown things: 404 problems, from the handler and from the router.
	wantProblem(t, s.get(t, "/api/v1/instruments/999999/results"), 404)
	wantProblem(t, s.get(t, "/api/v1/bestaat-niet"), 404)
	wantProblem(t, s.get(t, "/api"), 404)
	del, _ := http.NewRequest(http.MethodDelete, s.URL+"/api/v1/projects", nil)
	wantProblem(t, s.do(t, del), 405)

	// A trailing slash is another address: 404, no redirect.
	for _, path := range []string{"/api/v1/projects/", "/api/v1/instruments/3/results/", "/api/v1/openapi.json/"} {
		r := s.get(t, path)
		wantProblem(t, r, 404)
		if loc := r.Header.Get("Location"); loc != "" {
			t.Errorf("%s redirects to %s", path, loc)
		}
	}
	// The pages keep their redirect.
	if r := s.get(t, "/projecten/"); r.StatusCode/100 != 3 || r.Header.Get("Location") != "/projecten" {
		t.Errorf("/projecten/: %d to %q, want a redirect to /projecten", r.StatusCode, r.Header.Get("Location"))
	}

	// A server error shows the reference under which it is logged, and
	// nothing of the error itself.
	p = wantProblem(t, s.get(t, "/api/v1/test/panic"), 500)
	if p.Reference == "" || !strings.Contains(p.Detail, p.Reference) {
		t.Errorf("500 problem %+v: want its reference, also in the detail", p)
	}
	if strings.Contains(p.Detail, "secret") {
		t.Errorf("500 problem shows the error: %q", p.Detail)
	}
}

// With an API key, a bad format is a 400 naming the format parameter.
func TestAPIBadFormatNamesTheParameter(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	made := analyst.post("/beheer/profiel/tokens", url.Values{"naam": {"koppeling"}})
	key := regexp.MustCompile(`insp_[A-Za-z0-9_-]{40,}`).FindString(made.Body)
	if key == "" {
		t.Fatal("no key shown")
	}
	p := wantProblem(t, s.get(t, "/api/v1/instruments/3/responses?format=pdf", "Authorization", "Bearer "+key), 400)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "format" || p.InvalidParams[0].Reason == "" {
		t.Errorf("invalid-params %+v, want format with a reason", p.InvalidParams)
	}
	// Without a key: 401, also a problem.
	wantProblem(t, s.get(t, "/api/v1/instruments/3/responses"), 401)
}

// The project list costs the same few queries however many projects and
// instruments there are (it did two per project and one per
// questionnaire).
func TestAPIProjectsUseAFixedNumberOfQueries(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_RATE_LIMITS": "off"})
	var mu sync.Mutex
	count := 0
	counter := func(*gorm.DB) { mu.Lock(); count++; mu.Unlock() }
	if err := s.App.DB.Callback().Query().After("gorm:query").Register("test:count", counter); err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.Callback().Row().After("gorm:row").Register("test:count_row", counter); err != nil {
		t.Fatal(err)
	}
	r := s.get(t, "/api/v1/projects")
	wantStatus(t, r, 200)
	var body struct {
		Projects []struct {
			Instruments []json.RawMessage `json:"instruments"`
		} `json:"projects"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Projects) < 2 {
		t.Fatalf("the demo has %d public projects; the test needs several", len(body.Projects))
	}
	mu.Lock()
	defer mu.Unlock()
	// The projects, their instruments, which results are published.
	if count != 3 {
		t.Errorf("/api/v1/projects ran %d queries for %d projects, want 3", count, len(body.Projects))
	}
}

// The OpenAPI document is linted against the design rules the API
// follows, so a new path or a changed answer cannot quietly break them.
func TestOpenAPIDocumentFollowsTheDesignRules(t *testing.T) {
	b, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range lintOpenAPI(doc) {
		t.Error(p)
	}
}

// A document that breaks each rule is caught: the lint can fail.
func TestOpenAPILintCatchesEachRule(t *testing.T) {
	bad := `{"openapi": "2.0", "info": {"version": "1"},
 "paths": {"/api/v1/project/{id}/": {"get": {"parameters": [{"name": "id", "in": "path"}], "responses": {
   "200": {"description": "x", "content": {"application/json": {"schema": {"type": "object", "properties": {"created_at": {"type": "string"}}}}}},
   "404": {"description": "x", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}}`
	var doc map[string]any
	if err := json.Unmarshal([]byte(bad), &doc); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lintOpenAPI(doc), "\n")
	for _, want := range []string{"OpenAPI 3", "major.minor.patch", "trailing slash", "plural", "problem+json",
		"API-Version", "date-time", "400", "429", "500"} {
		if !strings.Contains(got, want) {
			t.Errorf("the lint did not catch %q; it said:\n%s", want, got)
		}
	}
}

// lintOpenAPI checks an OpenAPI document against the NL GOV API Design
// Rules this API follows, and returns what breaks them:
//   - OpenAPI 3, and info.version is the full major.minor.patch version;
//   - every path under /api/v<major>, lower case, without a trailing
//     slash, every collection named in the plural (deprecated operations
//     keep the name they had);
//   - every response documents the API-Version header;
//   - every error response (4xx, 5xx) is application/problem+json;
//   - every operation documents 429 and 500, and one with parameters 400;
//   - every property that holds a moment (…_at, …date…) is a string of
//     format date-time (ISO 8601 with a time zone).
func lintOpenAPI(doc map[string]any) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		bad("openapi %q: want an OpenAPI 3 document", v)
	}
	info, _ := doc["info"].(map[string]any)
	if v, _ := info["version"].(string); !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(v) {
		bad("info.version %q: want the full version, major.minor.patch", v)
	}
	paths, _ := doc["paths"].(map[string]any)
	names := make([]string, 0, len(paths))
	for p := range paths {
		names = append(names, p)
	}
	sort.Strings(names)
	segment := regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	for _, path := range names {
		ops, _ := paths[path].(map[string]any)
		deprecated := true
		for _, o := range ops {
			if op, ok := o.(map[string]any); ok && op["deprecated"] != true {
				deprecated = false
			}
		}
		if strings.HasSuffix(path, "/") {
			bad("%s: ends with a trailing slash", path)
		}
		if !regexp.MustCompile(`^/api/v\d+/`).MatchString(path) {
			bad("%s: not under /api/v<major>", path)
		}
		for i, seg := range strings.Split(strings.Trim(path, "/"), "/") {
			switch {
			case i < 2, strings.HasPrefix(seg, "{"), seg == "openapi.json":
			case !segment.MatchString(seg):
				bad("%s: segment %q is not lower case", path, seg)
			case !strings.HasSuffix(seg, "s") && !deprecated:
				bad("%s: resource %q is not plural", path, seg)
			}
		}
		for method, o := range ops {
			op, ok := o.(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(method) + " " + path
			responses, _ := op["responses"].(map[string]any)
			need := []string{"500"}
			if !strings.HasSuffix(path, "/openapi.json") { // the document is not rate limited
				need = append(need, "429")
			}
			for _, code := range need {
				if responses[code] == nil {
					bad("%s: does not document %s", where, code)
				}
			}
			if params, _ := op["parameters"].([]any); len(params) > 0 && responses["400"] == nil {
				bad("%s: has parameters but documents no 400 for malformed ones", where)
			}
			for code, r := range responses {
				resp := resolve(doc, r)
				headers, _ := resp["headers"].(map[string]any)
				if headers["API-Version"] == nil {
					bad("%s %s: does not document the API-Version header", where, code)
				}
				content, _ := resp["content"].(map[string]any)
				if code[0] == '4' || code[0] == '5' {
					for media := range content {
						if media != "application/problem+json" {
							bad("%s %s: an error as %s, want application/problem+json", where, code, media)
						}
					}
					if content["application/problem+json"] == nil {
						bad("%s %s: an error without application/problem+json", where, code)
					}
				}
				for media, c := range content {
					cm, _ := c.(map[string]any)
					lintDates(doc, where+" "+code+" "+media, cm["schema"], map[string]bool{}, bad)
				}
			}
		}
	}
	return out
}

var moment = regexp.MustCompile(`(_at|_on|date|time)$`)

// lintDates finds properties that hold a moment but are not date-time.
func lintDates(doc map[string]any, where string, s any, seen map[string]bool, bad func(string, ...any)) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	if ref, _ := m["$ref"].(string); ref != "" {
		if seen[ref] {
			return
		}
		seen[ref] = true
		lintDates(doc, where, resolve(doc, m), seen, bad)
		return
	}
	props, _ := m["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, _ := props[k].(map[string]any)
		if moment.MatchString(k) && (p["type"] != "string" || p["format"] != "date-time") {
			bad("%s: %s holds a moment: want type string, format date-time", where, k)
		}
		lintDates(doc, where+"."+k, p, seen, bad)
	}
	lintDates(doc, where+"[]", m["items"], seen, bad)
}

// resolve follows a local $ref.
func resolve(doc map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	ref, _ := m["$ref"].(string)
	if ref == "" {
		return m
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cm, _ := cur.(map[string]any)
		cur = cm[part]
	}
	out, _ := cur.(map[string]any)
	return out
}
