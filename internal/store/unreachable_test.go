package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/store"
)

// A database that is not there (or whose connection broke) is told apart
// from every other failure, so the site can say "try again shortly" (503)
// instead of "our fault" (500).
func TestUnreachableTellsALostDatabaseFromOtherErrors(t *testing.T) {
	// A port where nothing listens: what a stopped PostgreSQL looks like.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, openErr := store.Open(context.Background(), store.Options{URL: "postgres://inspraak@" + addr + "/inspraak?sslmode=disable&connect_timeout=5"})
	if openErr == nil {
		t.Fatal("opened a database where nothing listens")
	}

	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused on open", openErr, true},
		{"connect error", &pgconn.ConnectError{}, true},
		{"network error", fmt.Errorf("query: %w", &net.OpError{Op: "read", Err: errors.New("reset")}), true},
		{"connection ended", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"connection exception class", &pgconn.PgError{Code: "08006"}, true},
		{"flattened to text", errors.New("store: failed to connect to `user=postgres database=x`: dial error"), true},
		{"mapped to a domain error", store.MapError(fmt.Errorf("x: %w", io.EOF)), true},
		{"no row", gorm.ErrRecordNotFound, false},
		{"duplicate", gorm.ErrDuplicatedKey, false},
		{"bad text", &pgconn.PgError{Code: "22021"}, false},
		{"serialisation failure", &pgconn.PgError{Code: "40001"}, false},
		{"client went away", fmt.Errorf("query: %w", context.Canceled), false},
		{"request deadline", context.DeadlineExceeded, false},
		{"domain error", apperror.New(apperror.Invalid, "x"), false},
		{"nil", nil, false},
	} {
		if got := store.Unreachable(c.err); got != c.want {
			t.Errorf("%s (%v): Unreachable = %v, want %v", c.name, c.err, got, c.want)
		}
	}
	if apperror.CodeOf(store.MapError(openErr)) != apperror.Unavailable {
		t.Error("MapError does not make a lost database Unavailable")
	}
}
