package web

import (
	"net/http"
	"net/netip"
	"strconv"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"inspraak/internal/tracing"
)

// traceRequests makes a server span for each request, named by method and
// route template ("GET /projecten/:slug"), never the path itself (slugs,
// codes, tokens) nor the query string. It records the method, the route,
// the status and the site's own host name, and nothing about the person:
// no address, no user agent, no cookie, no form value.
//
// A traceparent header continues the caller's trace only when it comes
// from a trusted proxy (INSPRAAK_TRUSTED_PROXIES), as with X-Request-Id:
// from anyone else it could choose trace ids, switch sampling off for its
// own requests or carry its own text in tracestate.
func traceRequests(tracer trace.Tracer, trusted []netip.Prefix, host string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		if fromProxy(c.Request, trusted) {
			ctx = tracing.Propagator.Extract(ctx, propagation.HeaderCarrier(c.Request.Header))
		}
		method := methodLabel(c.Request.Method)
		if method == "other" {
			method = "_OTHER"
		}
		ctx, span := tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", method), attribute.String("server.address", host)))
		defer span.End()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
		status := c.Writer.Status()
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if route := c.FullPath(); route != "" {
			span.SetName(method + " " + route)
			span.SetAttributes(attribute.String("http.route", route))
		}
		if status >= http.StatusInternalServerError && !c.GetBool(expectedUnavailableKey) {
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(status)))
			span.SetStatus(codes.Error, "")
		}
	}
}
