package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"inspraak/internal/testdb"
	"inspraak/internal/tracing"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// A value that found its way into the SQL text itself is blanked; what
// the statement is stays readable.
func TestQueryTextKeepsPlaceholdersAndBlanksLiterals(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT * FROM "ideas" WHERE instrument_id = $1 AND "ideas"."deleted_at" IS NULL LIMIT 20`: `SELECT * FROM "ideas" WHERE instrument_id = $1 AND "ideas"."deleted_at" IS NULL LIMIT ?`,
		"SELECT * FROM `participants` WHERE subject = ? AND bsn = '999993653'":                     "SELECT * FROM `participants` WHERE subject = ? AND bsn = ?",
		`UPDATE x SET name = 'O''Brien', n = 999993653, f = 1.5e3 WHERE t1.id = ?`:                 `UPDATE x SET name = ?, n = ?, f = ? WHERE t1.id = ?`,
		"SELECT 1 -- jan@voorbeeld.example\nFROM y /* 999993653 */ WHERE z = E'geheim'":            "SELECT ? \nFROM y   WHERE z = E?",
		`SELECT "unterminated`:    `SELECT ?`,
		`WHERE a = 'unterminated`: `WHERE a = ?`,
	} {
		if got := tracing.Query(in); got != want {
			t.Errorf("Query(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	long := "SELECT " + strings.Repeat("ë", tracing.MaxQueryText)
	got := tracing.Query(long)
	if len(got) > tracing.MaxQueryText+len("…") || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("a long statement: %d bytes, valid %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-5:])
	}
}

// collector is an OTLP/HTTP endpoint that keeps what it is sent.
type collector struct {
	mu      sync.Mutex
	fail    int // answer 503 to this many posts first
	posts   int
	bodies  [][]byte
	headers []http.Header
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts++
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "not OTLP", http.StatusNotFound)
		return
	}
	if c.fail > 0 {
		c.fail--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	b, _ := io.ReadAll(r.Body)
	c.bodies = append(c.bodies, b)
	c.headers = append(c.headers, r.Header.Clone())
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// The exporter's message is what a collector decodes: resource, scope,
// ids, parent, kind, attributes and status (whose numbers OTLP orders
// differently from OpenTelemetry Go), after a busy answer and a retry.
func TestExporterSendsOTLPProtobufAndRetriesABusyCollector(t *testing.T) {
	col := &collector{fail: 1}
	srv := httptest.NewServer(col)
	defer srv.Close()
	tr, err := tracing.New(tracing.Options{Endpoint: srv.URL + "/",
		Getenv: func(k string) string {
			return map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20abc,x-tenant = gemeente"}[k]
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tr.Tracer().Start(context.Background(), "GET /projecten/:slug", trace.WithSpanKind(trace.SpanKindServer))
	_, child := tr.Tracer().Start(ctx, "SELECT ideas", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "sqlite"), attribute.Int("n", 3),
			attribute.StringSlice("s", []string{"a", "b"}), attribute.Bool("b", true)))
	child.SetStatus(codes.Error, "query failed")
	child.End()
	parent.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if col.posts != 2 || len(col.bodies) != 1 {
		t.Fatalf("%d posts, %d accepted; want a retry after the 503 and one batch", col.posts, len(col.bodies))
	}
	if h := col.headers[0]; h.Get("Authorization") != "Bearer abc" || h.Get("X-Tenant") != "gemeente" {
		t.Errorf("headers from OTEL_EXPORTER_OTLP_HEADERS: %v", h)
	}
	var msg tracepb.TracesData
	if err := proto.Unmarshal(col.bodies[0], &msg); err != nil {
		t.Fatal(err)
	}
	if len(msg.ResourceSpans) != 1 || len(msg.ResourceSpans[0].ScopeSpans) != 1 {
		t.Fatalf("want one resource and one scope: %v", &msg)
	}
	res := map[string]string{}
	for _, kv := range msg.ResourceSpans[0].Resource.Attributes {
		res[kv.Key] = kv.Value.GetStringValue()
	}
	if res["service.name"] != "inspraak" || res["service.version"] == "" {
		t.Errorf("resource: %v", res)
	}
	ss := msg.ResourceSpans[0].ScopeSpans[0]
	if ss.Scope.Name != tracing.Scope || len(ss.Spans) != 2 {
		t.Fatalf("scope %q with %d spans", ss.Scope.Name, len(ss.Spans))
	}
	byName := map[string]*tracepb.Span{}
	for _, s := range ss.Spans {
		byName[s.Name] = s
	}
	p, c := byName["GET /projecten/:slug"], byName["SELECT ideas"]
	if p == nil || c == nil {
		t.Fatalf("spans: %v", byName)
	}
	psc := parent.SpanContext()
	if string(c.TraceId) != string(p.TraceId) || string(c.ParentSpanId) != string(p.SpanId) || len(p.ParentSpanId) != 0 {
		t.Errorf("child not under parent: %x/%x under %x", c.TraceId, c.ParentSpanId, p.SpanId)
	}
	if tid := psc.TraceID(); string(p.TraceId) != string(tid[:]) {
		t.Errorf("trace id %x, want %x", p.TraceId, tid)
	}
	if p.Kind != tracepb.Span_SPAN_KIND_SERVER || c.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("kinds %v %v", p.Kind, c.Kind)
	}
	if c.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || p.Status.GetCode() != tracepb.Status_STATUS_CODE_UNSET {
		t.Errorf("status %v / %v", c.Status, p.Status)
	}
	if p.EndTimeUnixNano < p.StartTimeUnixNano || p.StartTimeUnixNano == 0 || p.Flags&1 != 1 {
		t.Errorf("times %d-%d, flags %x", p.StartTimeUnixNano, p.EndTimeUnixNano, p.Flags)
	}
	attrs := map[string]string{}
	for _, kv := range c.Attributes {
		attrs[kv.Key] = kv.Value.String()
	}
	if !strings.Contains(attrs["db.system.name"], "sqlite") || !strings.Contains(attrs["n"], "int_value:3") ||
		!strings.Contains(attrs["s"], `string_value:"b"`) || !strings.Contains(attrs["b"], "bool_value:true") {
		t.Errorf("attributes: %v", attrs)
	}
}

// A collector that refuses gives up the batch without a retry loop; one
// that never answers gets three tries at most.
func TestExporterGivesUp(t *testing.T) {
	col := &collector{fail: 100}
	srv := httptest.NewServer(col)
	defer srv.Close()
	exp, err := tracing.NewExporter(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, s := tp.Tracer("t").Start(context.Background(), "x")
	s.End()
	err = exp.ExportSpans(context.Background(), rec.Ended())
	if err == nil || col.posts != 3 {
		t.Errorf("busy collector: %v after %d posts; want an error after 3", err, col.posts)
	}
	bad, err := tracing.NewExporter(srv.URL+"/elders", nil)
	if err != nil {
		t.Fatal(err)
	}
	col.posts = 0
	if err := bad.ExportSpans(context.Background(), rec.Ended()); err == nil || col.posts != 1 {
		t.Errorf("404: %v after %d posts", err, col.posts)
	}
	if _, err := tracing.NewExporter("ftp://x", nil); err == nil {
		t.Error("an ftp endpoint accepted")
	}
}

// Off is nothing: no provider, and a nil Tracing is safe to use.
func TestNoEndpointNoTracing(t *testing.T) {
	tr, err := tracing.New(tracing.Options{})
	if err != nil || tr != nil {
		t.Fatalf("tracing without an endpoint: %v %v", tr, err)
	}
	if tr.Tracer() != nil || tr.Close() != nil {
		t.Error("a nil Tracing is not inert")
	}
}

// Query spans hang under the request's span, also when one statement is
// run twice (gorm reuses it: its context must not stay the first query's
// ended span), and queries outside a request make none.
func TestQuerySpansAreChildrenOfTheRequest(t *testing.T) {
	db := testdb.Open(t)
	rec := tracetest.NewSpanRecorder()
	tr, err := tracing.New(tracing.Options{Processors: []sdktrace.SpanProcessor{rec}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Use(tracing.Queries{Tracer: tr.Tracer()}); err != nil {
		t.Fatal(err)
	}
	var n int64
	testdb.NoError(t, db.Table("schema_migrations").Count(&n).Error)
	if got := len(rec.Ended()); got != 0 {
		t.Fatalf("%d spans for a query outside any request", got)
	}
	ctx, req := tr.Tracer().Start(context.Background(), "GET /x")
	q := db.WithContext(ctx).Table("schema_migrations").Where("version > ?", 999993653)
	testdb.NoError(t, q.Count(&n).Error)
	var versions []int64
	testdb.NoError(t, q.Pluck("version", &versions).Error)
	err = db.WithContext(ctx).Exec("SELECT no_such_column FROM schema_migrations WHERE version = ?", 999993653).Error
	if err == nil {
		t.Fatal("a bad query ran")
	}
	req.End()
	want := "sqlite"
	if testdb.Postgres() {
		want = "postgresql"
	}
	spans := rec.Ended()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want 3 queries and the request", len(spans))
	}
	for _, s := range spans[:3] {
		if s.Parent().SpanID() != req.SpanContext().SpanID() || s.SpanContext().TraceID() != req.SpanContext().TraceID() {
			t.Errorf("%s is not a child of the request", s.Name())
		}
		a := map[attribute.Key]string{}
		for _, kv := range s.Attributes() {
			a[kv.Key] = kv.Value.Emit()
		}
		if a["db.system.name"] != want || a["db.operation.name"] != "SELECT" || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: %v", s.Name(), a)
		}
		if strings.Contains(a["db.query.text"], "999993653") || !strings.ContainsAny(a["db.query.text"], "?$") {
			t.Errorf("%s: statement %q", s.Name(), a["db.query.text"])
		}
	}
	if spans[0].Name() != "SELECT schema_migrations" || spans[0].Attributes() == nil {
		t.Errorf("first query span: %q", spans[0].Name())
	}
	if bad := spans[2]; bad.Status().Code != codes.Error || bad.Status().Description != "query failed" {
		t.Errorf("failed query: %v", bad.Status())
	}
}

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkSpan is what one request span costs on its own (start, the
// attributes the middleware sets, end, into the batch), and one query's
// statement cleaning. It reports; it asserts nothing.
func BenchmarkSpan(b *testing.B) {
	tr, err := tracing.New(tracing.Options{Processors: []sdktrace.SpanProcessor{sdktrace.NewBatchSpanProcessor(discard{})}})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	tracer := tr.Tracer()
	b.Run("request", func(b *testing.B) {
		for b.Loop() {
			_, s := tracer.Start(context.Background(), "GET", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("server.address", "inspraak.gemeente.example")))
			s.SetAttributes(attribute.Int("http.response.status_code", 200), attribute.String("http.route", "/projecten/:slug"))
			s.SetName("GET /projecten/:slug")
			s.End()
		}
	})
	b.Run("statement", func(b *testing.B) {
		const q = `SELECT "ideas"."id","ideas"."title","ideas"."status" FROM "ideas" WHERE instrument_id = $1 AND status IN ($2,$3) ORDER BY created_at DESC LIMIT 20`
		for b.Loop() {
			_ = tracing.Query(q)
		}
	})
}
