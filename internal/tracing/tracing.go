// Package tracing records OpenTelemetry traces of HTTP requests and
// database queries and sends them to an OTLP/HTTP collector, when
// INSPRAAK_OTEL_ENDPOINT names one. Without it nothing here runs: no
// exporter, no span processor, no middleware, no database callbacks.
//
// Spans never carry personal data: a request span holds the method, the
// route template and the status code; a query span the operation, the
// table and the statement with its placeholders (literals blanked as
// well), never the bound values. See docs/operations.md ("Traces").
package tracing

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"inspraak/internal/buildinfo"
)

// ServiceName is the service.name of every span's resource.
const ServiceName = "inspraak"

// Scope names the instrumentation that makes the spans.
const Scope = "inspraak"

// Options configure New.
type Options struct {
	// Endpoint is the collector's base URL (INSPRAAK_OTEL_ENDPOINT);
	// spans are posted to Endpoint + "/v1/traces". Empty: no exporter.
	Endpoint string
	// Getenv reads OTEL_EXPORTER_OTLP_HEADERS and
	// OTEL_EXPORTER_OTLP_TRACES_HEADERS (extra request headers, such
	// as a collector's token); nil reads none.
	Getenv func(string) string
	// Processors receive every span besides the exporter (tests record
	// spans in memory with one).
	Processors []sdktrace.SpanProcessor
	// Log receives export failures.
	Log *slog.Logger
}

// Tracing is a running trace pipeline. A nil *Tracing is tracing off: its
// methods are safe to call and do nothing.
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// New builds the pipeline: the resource (service name and version), a
// batching exporter to the endpoint, and any extra processors. With no
// endpoint and no processor it returns nil: tracing is off.
func New(o Options) (*Tracing, error) {
	if o.Endpoint == "" && len(o.Processors) == 0 {
		return nil, nil
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	// WithResource adds OTEL_RESOURCE_ATTRIBUTES (the operator's labels,
	// such as deployment.environment); the name and version stay ours.
	res := sdkresource.NewSchemaless(
		attribute.String("service.name", ServiceName),
		attribute.String("service.version", buildinfo.Version),
	)
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if o.Endpoint != "" {
		exp, err := NewExporter(o.Endpoint, Headers(o.Getenv))
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
		// The batcher reports failed exports to OpenTelemetry's one error
		// handler for the process; they go to this log.
		log := o.Log
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("sending traces failed", "error", err)
		}))
	}
	for _, p := range o.Processors {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	return &Tracing{tp: sdktrace.NewTracerProvider(opts...)}, nil
}

// Tracer is the tracer for this application's spans; nil when off.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil {
		return nil
	}
	return t.tp.Tracer(Scope, trace.WithInstrumentationVersion(buildinfo.Version))
}

// Shutdown sends the spans still waiting in the batch and stops. Spans
// ended after it are dropped.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// ShutdownTimeout bounds how long Close waits for the last batch.
const ShutdownTimeout = 5 * time.Second

// Close is Shutdown with ShutdownTimeout.
func (t *Tracing) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := t.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("traces: the last batch did not reach the collector in time")
	}
	return err
}

// Propagator reads an incoming W3C traceparent (and tracestate), so a
// proxy's trace goes on in ours. Baggage is not read: it may carry
// anything.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}
