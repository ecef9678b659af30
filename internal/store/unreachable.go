package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unreachable reports whether err means that the database could not be
// reached or that the connection to it broke: the database is (for now)
// not there, which is no fault of the request or of the code. It is the
// one place that knows what such errors look like; the web layer answers
// them with 503 and a page that says to try again shortly.
//
// It recognises: a failed connect (pgconn.ConnectError, which also wraps
// a connect that ran out of time), the network's own errors (net.OpError,
// refused, reset, broken pipe), a connection that ended mid-conversation
// (io.EOF, io.ErrUnexpectedEOF), database/sql's driver.ErrBadConn and
// sql.ErrConnDone, PostgreSQL's connection-exception class (08xxx) and its
// shutdown and start-up codes (57P01, 57P02, 57P03), and the same causes
// when a layer in between kept only their text.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	var netErr *net.OpError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.As(err, &pgErr):
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The request's own deadline or a client that left: not the
		// database's absence (a connect that timed out is a ConnectError).
		return false
	}
	msg := err.Error()
	for _, s := range unreachableTexts {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// unreachableTexts are the messages of the errors above, for a cause that
// reached us flattened to text (fmt.Errorf with %v, a driver's own wording).
var unreachableTexts = []string{
	"failed to connect to",
	"connection refused",
	"connection reset by peer",
	"broken pipe",
	"conn closed",
	"driver: bad connection",
	"unexpected EOF",
	"server closed the connection unexpectedly",
	"the database system is shutting down",
	"the database system is starting up",
	"terminating connection due to administrator command",
}
