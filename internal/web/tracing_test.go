package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"inspraak/internal/app"
	"inspraak/internal/buildinfo"
	"inspraak/internal/testdb"
	"inspraak/internal/tracing"
)

// attrs is a span's attributes as text.
func attrs(s sdktrace.ReadOnlySpan) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

// serverSpans are the request spans, by name (the last of each name).
func serverSpans(spans []sdktrace.ReadOnlySpan) map[string]sdktrace.ReadOnlySpan {
	m := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		if s.SpanKind() == trace.SpanKindServer {
			m[s.Name()] = s
		}
	}
	return m
}

// waitForSpans returns the ended spans once every named request span is
// among them. A response can reach the client a moment before the
// server's middleware ends its span, so the test waits for it (for at
// most 10 s) rather than look too early.
func waitForSpans(t *testing.T, rec *tracetest.SpanRecorder, names ...string) []sdktrace.ReadOnlySpan {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		spans := rec.Ended()
		have := serverSpans(spans)
		missing := []string{}
		for _, n := range names {
			if have[n] == nil {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return spans
		}
		if time.Now().After(deadline) {
			got := []string{}
			for n := range have {
				got = append(got, n)
			}
			t.Fatalf("no request span named %q; have %q", missing, got)
		}
	}
}

// everything writes out all a span holds that could reach a collector:
// names, attributes, events, links, status, trace state, scope, resource.
func everything(t *testing.T, spans []sdktrace.ReadOnlySpan) string {
	t.Helper()
	var b strings.Builder
	kvs := func(l []attribute.KeyValue) {
		for _, kv := range l {
			fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value.Emit())
		}
	}
	for _, s := range spans {
		fmt.Fprintf(&b, "\n%s %s %q %q", s.Name(), s.SpanContext().TraceState(), s.Status().Description, s.InstrumentationScope().Name)
		kvs(s.Attributes())
		for _, e := range s.Events() {
			b.WriteString(" event " + e.Name)
			kvs(e.Attributes)
		}
		for _, l := range s.Links() {
			b.WriteString(" link " + l.SpanContext.TraceState().String())
			kvs(l.Attributes)
		}
		kvs(s.Resource().Attributes())
	}
	// And the bytes the exporter would send.
	wire, err := proto.Marshal(tracing.Encode(spans))
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(tracing.Encode(spans))
	if err != nil {
		t.Fatal(err)
	}
	return b.String() + "\n" + string(wire) + "\n" + string(js)
}

// A resident logs in, sets an e-mail address, sends an idea, searches the
// board; a page breaks. The trace shows each request under its route
// template with its queries beneath it, the break as an error, and
// nothing of the person: no BSN, pseudonym, name, address, form text,
// session cookie or query string.
func TestTracesShowRoutesAndQueriesButNoPerson(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	s := newSiteWith(t, nil, app.Options{TraceProcessor: rec})
	bd := newBoard(t, s, nil)
	const (
		name   = "Traceerbaar Kwartelkoning"
		title  = "Zebrapad Merelstraat Xq7Vw"
		text   = "Overstekende kinderen bij Kievitlaan Jz4Pk."
		search = "Zoekwoord Roerdomp Hm3Lt"
		email  = "traces.roerdomp@voorbeeld.example"
	)
	author := resident(t, s, testBSN, name)
	wantStatus(t, author.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {email}, "toestemming": {"ja"}}), 303)
	sent := author.post(board+"/ideeen", url.Values{"titel": {title}, "beschrijving": {text}, "thema": {itoa(bd.Themes[1].ID)}, "plek": {"Merelstraat 12"}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", sent.StatusCode, sent.Body)
	}
	wantStatus(t, author.get(board+"?zoek="+url.QueryEscape(search)), 200)
	wantStatus(t, newBrowser(t, s).get("/test/panic"), 500)
	wantStatus(t, newBrowser(t, s).get("/bestaat-niet-"+url.PathEscape(search)), 404)
	session := author.cookie("inspraak_sessie")
	var pseudonym string
	testdb.NoError(t, s.App.DB.Raw("SELECT subject FROM participants WHERE display_name = ?", name).Scan(&pseudonym).Error)
	if session == "" || pseudonym == "" {
		t.Fatalf("session %q, pseudonym %q", session, pseudonym)
	}

	spans := waitForSpans(t, rec, "POST /projecten/:slug/:instrument/ideeen", "GET /projecten/:slug/:instrument", "GET /test/panic", "GET")
	byName := serverSpans(spans)
	submit := byName["POST /projecten/:slug/:instrument/ideeen"]
	boardSpan := byName["GET /projecten/:slug/:instrument"]
	broken := byName["GET /test/panic"]
	missing := byName["GET"]
	if a := attrs(submit); a["http.route"] != "/projecten/:slug/:instrument/ideeen" || a["http.request.method"] != "POST" ||
		a["http.response.status_code"] != "303" || submit.Status().Code == codes.Error {
		t.Errorf("submit span: %v %v", a, submit.Status())
	}
	if a := attrs(boardSpan); a["http.response.status_code"] != "200" {
		t.Errorf("board span: %v", a)
	}
	if a := attrs(broken); a["http.response.status_code"] != "500" || broken.Status().Code != codes.Error {
		t.Errorf("a 500 is not an error: %v %v", a, broken.Status())
	}
	if a := attrs(missing); a["http.response.status_code"] != "404" || a["http.route"] != "" || missing.Status().Code == codes.Error {
		t.Errorf("unmatched path: %v %v", a, missing.Status())
	}

	// The idea's INSERT is a child of the submit, in its trace.
	system := "sqlite"
	if testdb.Postgres() {
		system = "postgresql"
	}
	var inserted bool
	children := 0
	for _, sp := range spans {
		if sp.Parent().SpanID() != submit.SpanContext().SpanID() {
			continue
		}
		children++
		a := attrs(sp)
		if sp.SpanContext().TraceID() != submit.SpanContext().TraceID() || sp.SpanKind() != trace.SpanKindClient || a["db.system.name"] != system {
			t.Errorf("child %q: %v", sp.Name(), a)
		}
		if sp.Name() == "INSERT ideas" && a["db.collection.name"] == "ideas" && a["db.operation.name"] == "INSERT" &&
			strings.Contains(a["db.query.text"], "INSERT INTO") {
			inserted = true
		}
	}
	if !inserted || children < 3 {
		t.Errorf("the submit has %d query spans and inserted=%v", children, inserted)
	}

	all := everything(t, spans)
	for what, secret := range map[string]string{"BSN": testBSN, "pseudonym": pseudonym, "name": name, "title": title,
		"description": text, "place": "Merelstraat 12", "search": "Roerdomp", "e-mail address": email, "session cookie": session, "slug": "veilig-naar-school"} {
		if strings.Contains(all, secret) {
			t.Errorf("the %s (%q) is in the trace", what, secret)
		}
	}
	for _, never := range []string{"client.address", "user_agent", "url.query", "url.full", "http.request.header", "enduser"} {
		if strings.Contains(all, never) {
			t.Errorf("%s is recorded", never)
		}
	}
}

// A trusted proxy's traceparent continues its trace; anyone else's
// starts a new one.
func TestTraceparentFromATrustedProxyOnly(t *testing.T) {
	t.Parallel()
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, trusted := range []bool{true, false} {
		rec := tracetest.NewSpanRecorder()
		env := map[string]string{}
		if trusted {
			env["INSPRAAK_TRUSTED_PROXIES"] = "127.0.0.1, ::1"
		}
		s := newSiteWith(t, env, app.Options{TraceProcessor: rec})
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/projecten", nil)
		req.Header.Set("traceparent", parent)
		req.Header.Set("tracestate", "proxy=Xq7Vw")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		sp := serverSpans(waitForSpans(t, rec, "GET /projecten"))["GET /projecten"]
		continued := sp.SpanContext().TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736" &&
			sp.Parent().SpanID().String() == "00f067aa0ba902b7" && sp.Parent().IsRemote()
		if continued != trusted {
			t.Errorf("trusted proxy %v: trace %s under %s", trusted, sp.SpanContext().TraceID(), sp.Parent().SpanID())
		}
	}
}

// With INSPRAAK_OTEL_ENDPOINT unset nothing is installed: no pipeline,
// no query callbacks, no request middleware; the standard variable, set
// for other applications, does not switch it on.
func TestNoEndpointInstallsNothing(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:1")
	s := newSite(t, nil)
	if s.App.Tracing != nil {
		t.Fatal("tracing on without INSPRAAK_OTEL_ENDPOINT")
	}
	if s.App.DB.Callback().Query().Get("tracing:before_query") != nil {
		t.Error("query callbacks installed")
	}
	wantStatus(t, s.get(t, "/projecten"), 200)
}

// otlpCollector accepts OTLP/HTTP posts and keeps the decoded messages.
type otlpCollector struct {
	mu   sync.Mutex
	msgs []*tracepb.TracesData
	bad  []string
}

func (c *otlpCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	body := make([]byte, 0, 4096)
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err != nil {
			break
		}
	}
	var m tracepb.TracesData
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v1/traces":
		c.bad = append(c.bad, r.Method+" "+r.URL.Path)
	case r.Header.Get("Content-Type") != "application/x-protobuf":
		c.bad = append(c.bad, "content type "+r.Header.Get("Content-Type"))
	case len(body) == 0 || proto.Unmarshal(body, &m) != nil:
		c.bad = append(c.bad, "body not OTLP")
	default:
		c.msgs = append(c.msgs, &m)
		return
	}
	w.WriteHeader(http.StatusBadRequest)
}

// With INSPRAAK_OTEL_ENDPOINT pointing at a collector, the site's spans
// arrive there as OTLP protobuf, under service "inspraak" and this
// version, at the latest when the application closes.
func TestSpansReachTheCollectorAtTheEndpoint(t *testing.T) {
	t.Parallel()
	col := &otlpCollector{}
	cs := httptest.NewServer(col)
	defer cs.Close()
	// A recorder beside the exporter tells when the spans have ended.
	rec := tracetest.NewSpanRecorder()
	s := newSiteWith(t, map[string]string{"INSPRAAK_OTEL_ENDPOINT": cs.URL}, app.Options{TraceProcessor: rec})
	if s.App.Tracing == nil {
		t.Fatal("no tracing with an endpoint")
	}
	wantStatus(t, s.get(t, "/projecten"), 200)
	wantStatus(t, s.get(t, "/projecten/veilig-naar-school"), 200)
	waitForSpans(t, rec, "GET /projecten", "GET /projecten/:slug")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.App.Tracing.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.bad) > 0 || len(col.msgs) == 0 {
		t.Fatalf("collector: %d batches, refused %q", len(col.msgs), col.bad)
	}
	names := map[string]int{}
	for _, m := range col.msgs {
		for _, rs := range m.ResourceSpans {
			res := map[string]string{}
			for _, kv := range rs.Resource.Attributes {
				res[kv.Key] = kv.Value.GetStringValue()
			}
			if res["service.name"] != "inspraak" || res["service.version"] != buildinfo.Version {
				t.Errorf("resource %v", res)
			}
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					names[sp.Name]++
				}
			}
		}
	}
	if names["GET /projecten"] != 1 || names["GET /projecten/:slug"] != 1 || len(names) < 3 {
		t.Errorf("spans at the collector: %v", names)
	}
}

// discard is an exporter that drops every batch.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkTracing measures what tracing costs a page with queries (the
// project list), in process: off (nothing installed), and on with the
// batching pipeline exporting to nowhere. It reports; it asserts nothing.
//
//	go test ./internal/web -run '^$' -bench Tracing -benchmem
func BenchmarkTracing(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			var opts app.Options
			if on {
				opts.TraceProcessor = sdktrace.NewBatchSpanProcessor(discard{})
			}
			s := newSiteWith(b, map[string]string{"INSPRAAK_RATE_LIMITS": "off", "INSPRAAK_LOG_LEVEL": "warn"}, opts)
			h := s.App.Handler()
			spans := 0
			if on {
				rec := tracetest.NewSpanRecorder()
				s2 := newSiteWith(b, nil, app.Options{TraceProcessor: rec})
				rw := httptest.NewRecorder()
				s2.App.Handler().ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "/projecten", nil))
				spans = len(rec.Ended())
			}
			b.ResetTimer()
			for b.Loop() {
				rw := httptest.NewRecorder()
				h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "/projecten", nil))
				if rw.Code != http.StatusOK {
					b.Fatalf("status %d", rw.Code)
				}
			}
			if on {
				b.ReportMetric(float64(spans), "spans/op")
			}
		})
	}
}
