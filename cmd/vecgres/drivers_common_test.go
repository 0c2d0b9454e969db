package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
)

// The driver tests (drivers_*_test.go) run real client libraries against
// a vecgres started in the test process: pgx, lib/pq, pgvector-go, GORM
// and bun, each through the scenario an application runs (create a table
// with a vector column, insert, nearest-neighbour query with a parameter,
// update, delete), and the protocol behaviours drivers rely on:
// transactions and isolation, cancellation, statement_timeout, settings,
// COPY, many connections and slow clients.
//
// With VECGRES_DRIVERS_URL set to a PostgreSQL with pgvector (say
// postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable), the same
// tests run against it instead, to check that what they expect is what
// PostgreSQL does. Every test names its own tables and drops them first,
// so that they can share that server.
const drvURLEnv = "VECGRES_DRIVERS_URL"

// drvTimeout bounds every driver test, so that a hang fails the test
// instead of the whole run. Nothing is timed against it.
const drvTimeout = 2 * time.Minute

// drvTarget returns the URL the test's clients connect to: a fresh
// in-process vecgres, or the server VECGRES_DRIVERS_URL names.
func drvTarget(t *testing.T) string {
	t.Helper()
	if url := os.Getenv(drvURLEnv); url != "" {
		return url
	}
	return startTestInstance(t).URL()
}

// drvAgainstPostgres reports whether the driver tests run against the
// reference server rather than vecgres.
func drvAgainstPostgres() bool { return os.Getenv(drvURLEnv) != "" }

// drvContext is the test's context, ended when the test ends or after
// drvTimeout.
func drvContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), drvTimeout)
	t.Cleanup(cancel)
	return ctx
}

// drvConnect opens a pgx connection closed at the end of the test.
func drvConnect(t *testing.T, ctx context.Context, url string, configure ...func(*pgx.ConnConfig)) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range configure {
		f(cfg)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.Close(ctx)
	})
	return conn
}

// drvExec runs statements through the simple protocol, failing the test
// at the first error.
func drvExec(t *testing.T, ctx context.Context, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// drvCode returns the SQLSTATE of err, or "" when it has none.
func drvCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// drvWantCode fails the test unless err carries SQLSTATE code.
func drvWantCode(t *testing.T, what string, err error, code string) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Errorf("%s: got error %v, want SQLSTATE %s", what, err, code)
		return nil
	}
	return pe
}

// items is the scenario's data: three vectors whose nearest neighbours of
// [1,1,1] are, in order, ids 1, 3, 2.
var drvItems = []struct {
	id   int64
	name string
	vec  []float32
}{
	{1, "one", []float32{1, 1, 1}},
	{2, "two", []float32{2, 2, 2}},
	{3, "three", []float32{1, 1, 2}},
}

// drvVectorText is pgvector's text form of v.
func drvVectorText(v []float32) string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = fmt.Sprint(f)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// drvWantIDs compares the ids a query returned with the expected ones.
func drvWantIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: ids %v, want %v", what, got, want)
	}
}

// drvLogger logs warnings and errors of an instance to the test's log.
func drvLogger(t *testing.T) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}
