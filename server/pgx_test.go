package server

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectPgx connects a real client; sslmode=prefer makes pgx send an
// SSLRequest first, which must be refused with 'N'.
func connectPgx(t *testing.T, addr string, configure ...func(*pgx.ConnConfig)) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://alice@%s/db?sslmode=prefer&application_name=tests", addr))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range configure {
		f(cfg)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestPgxQueries(t *testing.T) {
	eng := &fakeEngine{}
	_, addr := startServer(t, eng)
	conn := connectPgx(t, addr)
	ctx := testContext(t)

	if got := conn.PgConn().ParameterStatus("application_name"); got != "tests" {
		t.Errorf("application_name = %q, want tests", got)
	}

	rows, err := conn.Query(ctx, "series 3")
	if err != nil {
		t.Fatal(err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ns) != 3 || ns[2] != 3 {
		t.Errorf("series 3 = %v, %v", ns, err)
	}

	var n int64
	var s string
	var null *int64
	if err := conn.QueryRow(ctx, "echo int8 text int4", 7, "seven", nil).Scan(&n, &s, &null); err != nil {
		t.Fatal(err)
	}
	if n != 7 || s != "seven" || null != nil {
		t.Errorf("echo = %d, %q, %v", n, s, null)
	}

	tag, err := conn.Exec(ctx, "insert a")
	if err != nil || tag.String() != "INSERT 0 1" {
		t.Errorf("insert: %v, %v", tag, err)
	}

	_, err = conn.Exec(ctx, "fail 23505 duplicate key value violates unique constraint")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.Severity != "ERROR" || pgErr.SeverityUnlocalized != "ERROR" {
		t.Errorf("fail: %#v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Errorf("ping after error: %v", err)
	}

	results, err := conn.PgConn().Exec(ctx, "series 2; insert b").ReadAll()
	if err != nil || len(results) != 2 || len(results[0].Rows) != 2 || results[1].CommandTag.String() != "INSERT 0 1" {
		t.Errorf("multi-statement: %v, %v", results, err)
	}
	if got := eng.committedRows(); len(got) != 2 {
		t.Errorf("committed %q, want a and b", got)
	}
}

func TestPgxBatch(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{})
	conn := connectPgx(t, addr)
	ctx := testContext(t)
	b := &pgx.Batch{}
	b.Queue("series 2")
	b.Queue("echo int8", 5)
	b.Queue("insert z")
	br := conn.SendBatch(ctx, b)
	rows, err := br.Query()
	if err != nil {
		t.Fatal(err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ns) != 2 {
		t.Errorf("series: %v, %v", ns, err)
	}
	var n int64
	if err := br.QueryRow().Scan(&n); err != nil || n != 5 {
		t.Errorf("echo: %d, %v", n, err)
	}
	if tag, err := br.Exec(); err != nil || tag.String() != "INSERT 0 1" {
		t.Errorf("insert: %v, %v", tag, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPgxNoticesAndSettings(t *testing.T) {
	_, addr := startServer(t, &fakeEngine{})
	var notices []string
	conn := connectPgx(t, addr, func(c *pgx.ConnConfig) {
		c.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
			notices = append(notices, n.Severity+" "+n.Message)
		}
	})
	ctx := testContext(t)
	if _, err := conn.Exec(ctx, "notice careful"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "set search_path s"); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0] != "NOTICE careful" {
		t.Errorf("notices = %q", notices)
	}
	if got := conn.PgConn().ParameterStatus("search_path"); got != "s" {
		t.Errorf("search_path = %q, want s", got)
	}
}

func TestPgxCancel(t *testing.T) {
	eng := &fakeEngine{started: make(chan struct{}, 1)}
	_, addr := startServer(t, eng)
	conn := connectPgx(t, addr)
	ctx := testContext(t)
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "sleep")
		done <- err
	}()
	<-eng.started
	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("cancelled statement: %v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Errorf("ping after cancel: %v", err)
	}
}
