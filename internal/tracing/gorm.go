package tracing

import (
	"context"
	"errors"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// Queries is a gorm plugin that makes a span for each query run inside a
// traced request: its operation, its table and its statement with
// placeholders (Query blanks any literal), never the bound values.
//
// A query whose context holds no recording span gets none: the
// background work (the mail outbox polled every few seconds, cleaning,
// migrations at start) would otherwise send a stream of one-query traces.
type Queries struct {
	Tracer trace.Tracer
}

// Name is the plugin's name for gorm.
func (Queries) Name() string { return "inspraak:tracing" }

// Initialize registers the callbacks around each kind of statement.
func (q Queries) Initialize(db *gorm.DB) error {
	system := "other_sql"
	switch db.Dialector.Name() {
	case "postgres":
		system = "postgresql"
	case "sqlite":
		system = "sqlite"
	}
	cb := db.Callback()
	// gorm's processors have unexported types: each is written out.
	return errors.Join(
		cb.Create().Before("gorm:create").Register("tracing:before_create", q.before(system, "INSERT")),
		cb.Create().After("gorm:create").Register("tracing:after_create", q.after),
		cb.Query().Before("gorm:query").Register("tracing:before_query", q.before(system, "SELECT")),
		cb.Query().After("gorm:query").Register("tracing:after_query", q.after),
		cb.Update().Before("gorm:update").Register("tracing:before_update", q.before(system, "UPDATE")),
		cb.Update().After("gorm:update").Register("tracing:after_update", q.after),
		cb.Delete().Before("gorm:delete").Register("tracing:before_delete", q.before(system, "DELETE")),
		cb.Delete().After("gorm:delete").Register("tracing:after_delete", q.after),
		cb.Row().Before("gorm:row").Register("tracing:before_row", q.before(system, "")),
		cb.Row().After("gorm:row").Register("tracing:after_row", q.after),
		cb.Raw().Before("gorm:raw").Register("tracing:before_raw", q.before(system, "")),
		cb.Raw().After("gorm:raw").Register("tracing:after_raw", q.after),
	)
}

// parentKey holds, in a query span's context, the context it replaced in
// the statement: after the query the statement gets it back, so the next
// query on a reused statement is not the child of an ended span.
type parentKey struct{}

func (q Queries) before(system, op string) func(*gorm.DB) {
	return func(db *gorm.DB) {
		parent := db.Statement.Context
		if parent == nil || !trace.SpanFromContext(parent).IsRecording() {
			return
		}
		ctx, _ := q.Tracer.Start(parent, "db", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system.name", system)))
		ctx = context.WithValue(ctx, parentKey{}, parent)
		if op != "" {
			ctx = context.WithValue(ctx, opKey{}, op)
		}
		db.Statement.Context = ctx
	}
}

type opKey struct{}

func (q Queries) after(db *gorm.DB) {
	ctx := db.Statement.Context
	parent, ok := ctx.Value(parentKey{}).(context.Context)
	if !ok {
		return
	}
	db.Statement.Context = parent
	span := trace.SpanFromContext(ctx)
	text := Query(db.Statement.SQL.String())
	op, _ := ctx.Value(opKey{}).(string)
	if op == "" {
		op = operation(text)
	}
	table := db.Statement.Table
	name := op
	attrs := []attribute.KeyValue{attribute.String("db.operation.name", op)}
	if table != "" && safeName(table) {
		name += " " + table
		attrs = append(attrs, attribute.String("db.collection.name", table))
	}
	if text != "" {
		attrs = append(attrs, attribute.String("db.query.text", text))
	}
	span.SetName(name)
	span.SetAttributes(attrs...)
	if err := db.Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		// The driver's message may quote a value (PostgreSQL's "invalid
		// input syntax for type integer: ..."): only its class is kept.
		span.SetAttributes(attribute.String("error.type", errorType(err)))
		span.SetStatus(codes.Error, "query failed")
	}
	span.End()
}

// errorType is a fixed class for a failed query, never its message.
func errorType(err error) string {
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return "duplicate_key"
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return "foreign_key_violated"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "_OTHER"
}

// operation is the statement's first keyword, upper-cased, when it is a
// plain word (SELECT, WITH, INSERT…); otherwise "raw".
func operation(text string) string {
	w, _, _ := strings.Cut(strings.TrimLeft(text, " \t\r\n("), " ")
	w = strings.ToUpper(strings.TrimSpace(w))
	if w == "" || len(w) > 16 || strings.IndexFunc(w, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "raw"
	}
	return w
}

// safeName says whether a table name is a plain identifier (a Table()
// call may hold an alias or a subquery).
func safeName(s string) bool {
	return len(s) <= 64 && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0
}

// MaxQueryText is the longest statement recorded, in bytes; longer ones
// are cut (at a character boundary) and end in "…".
const MaxQueryText = 2048

// Query is a statement as recorded: with its placeholders ($1, ?) as
// they are, and every literal the statement itself holds (a quoted
// string, a number) replaced by "?". Our code binds every value, so this
// is a second line: a value someone one day writes into the SQL text
// still does not reach a trace. Identifiers, quoted ones too, are kept.
func Query(sql string) string {
	var b strings.Builder
	b.Grow(min(len(sql), MaxQueryText))
	i := 0
	identChar := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
	}
	for i < len(sql) && b.Len() < MaxQueryText {
		c := sql[i]
		switch {
		case c == '\'':
			// A string literal, '' inside it being a quote.
			i++
			for i < len(sql) {
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
			b.WriteByte('?')
		case c == '"' || c == '`':
			// A quoted identifier: kept.
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				b.WriteString("?")
				i = len(sql)
				continue
			}
			b.WriteString(sql[i : i+j+2])
			i += j + 2
		case c == '$' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			// A PostgreSQL placeholder.
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			b.WriteString(sql[i:j])
			i = j
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			// A comment: dropped.
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
			} else {
				i += j
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			// A block comment: dropped.
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				i = len(sql)
			} else {
				i += j + 4
			}
			b.WriteByte(' ')
		case c >= '0' && c <= '9':
			j := i
			for j < len(sql) && (identChar(sql[j]) || sql[j] == '.') {
				j++
			}
			b.WriteByte('?')
			i = j
		case identChar(c):
			j := i
			for j < len(sql) && identChar(sql[j]) {
				j++
			}
			b.WriteString(sql[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	out := b.String()
	if i < len(sql) || len(out) > MaxQueryText {
		out = strings.ToValidUTF8(out[:min(len(out), MaxQueryText)], "") + "…"
	}
	return out
}
