package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestDriverManyConnections holds 200 connections open at once, each
// running queries and writes of its own while all the others are
// connected.
func TestDriverManyConnections(t *testing.T) {
	const clients = 200
	target := drvTarget(t)
	ctx := drvContext(t)
	setup := drvConnect(t, ctx, target)
	drvExec(t, ctx, setup, "DROP TABLE IF EXISTS many_t", "CREATE TABLE many_t (id int PRIMARY KEY, v vector(2))")

	conns := make([]*pgx.Conn, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pgx.Connect(ctx, target)
			if err != nil {
				errs <- fmt.Errorf("client %d: connect: %w", i, err)
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close(context.Background())
			}
		}
	})
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every client is connected now; all work at once.
	errs = make(chan error, clients)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Exec(ctx, "INSERT INTO many_t VALUES ($1, $2)", i, fmt.Sprintf("[%d,0]", i)); err != nil {
				errs <- fmt.Errorf("client %d: insert: %w", i, err)
				return
			}
			var id int
			if err := c.QueryRow(ctx, "SELECT id FROM many_t ORDER BY v <-> $1 LIMIT 1", fmt.Sprintf("[%d,0.1]", i)).Scan(&id); err != nil || id != i {
				errs <- fmt.Errorf("client %d: nearest row %d, %v", i, id, err)
				return
			}
			var pid uint32
			if err := c.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil || pid != c.PgConn().PID() {
				errs <- fmt.Errorf("client %d: backend pid %d, %v", i, pid, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := setup.QueryRow(ctx, "SELECT count(*) FROM many_t").Scan(&n); err != nil || n != clients {
		t.Errorf("rows: %d, %v", n, err)
	}
}

// slowClient is a client that sends a request and then never reads:
// the server's writes to it block once the socket's buffers are full.
type slowClient struct {
	conn net.Conn
	fe   *pgproto3.Frontend
}

// dialSlow connects to the server at rawURL and completes startup.
func dialSlow(t *testing.T, rawURL string) *slowClient {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	// A small receive buffer, set before the handshake so that the
	// window is small from the start: the server's writes block sooner.
	d := net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(drvTimeout))
	fe := pgproto3.NewFrontend(conn, conn)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": u.User.Username(), "database": strings.TrimPrefix(u.Path, "/")}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("slow client's startup: %v", err)
		}
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			t.Fatalf("slow client's startup: %s", m.Message)
		case *pgproto3.ReadyForQuery:
			return &slowClient{conn: conn, fe: fe}
		}
	}
}

// sendOnly sends msgs and does not read the answers.
func (c *slowClient) sendOnly(t *testing.T, msgs ...pgproto3.FrontendMessage) {
	t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestDriverSlowClients leaves clients stuck with megabytes of results
// they do not read (a query, a COPY TO, a pipeline of queries) and checks
// that everybody else is served meanwhile: reads, writes to the table
// the slow ones read, DDL, new connections.
func TestDriverSlowClients(t *testing.T) {
	target := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, target)
	var rows []string
	for i := 0; i < 100; i++ {
		rows = append(rows, fmt.Sprintf("(%d)", i))
	}
	drvExec(t, ctx, conn, "DROP TABLE IF EXISTS slow_t", "DROP TABLE IF EXISTS slow_other",
		"CREATE TABLE slow_t (i int, pad text)",
		"INSERT INTO slow_t SELECT a.i * 100 + b.i, repeat('x', 500) FROM (VALUES "+strings.Join(rows, ", ")+") a(i), (VALUES "+strings.Join(rows, ", ")+") b(i)")

	// Each result is about 5 MB, far more than socket buffers hold.
	slowQuery := dialSlow(t, target)
	slowQuery.sendOnly(t, &pgproto3.Query{String: "SELECT * FROM slow_t"})
	slowCopy := dialSlow(t, target)
	slowCopy.sendOnly(t, &pgproto3.Query{String: "COPY slow_t TO STDOUT"})
	slowExtended := dialSlow(t, target)
	slowExtended.sendOnly(t, &pgproto3.Parse{Query: "SELECT pad FROM slow_t WHERE i >= $1"},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("0")}}, &pgproto3.Execute{}, &pgproto3.Sync{})
	slowPipeline := dialSlow(t, target)
	for i := 0; i < 200; i++ {
		slowPipeline.fe.Send(&pgproto3.Query{String: "SELECT pad FROM slow_t WHERE i < 100"})
	}
	slowPipeline.sendOnly(t)

	for _, stmt := range []string{
		"SELECT count(*) FROM slow_t",
		"INSERT INTO slow_t VALUES (-1, 'written while others read')",
		"UPDATE slow_t SET pad = 'updated' WHERE i = 0",
		"CREATE TABLE slow_other (i int)",
		"INSERT INTO slow_other VALUES (1)",
		"DELETE FROM slow_t WHERE i = -1",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	// New sessions start, and run COPY and transactions.
	other := drvConnect(t, ctx, target)
	if _, err := other.PgConn().CopyFrom(ctx, strings.NewReader("2\n3\n"), "COPY slow_other FROM STDIN"); err != nil {
		t.Error(err)
	}
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "UPDATE slow_t SET pad = 'in a transaction' WHERE i = 1"); err != nil {
		t.Error(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Error(err)
	}
	var n int
	if err := other.QueryRow(ctx, "SELECT count(*) FROM slow_other").Scan(&n); err != nil || n != 3 {
		t.Errorf("count: %d, %v", n, err)
	}

	// The slow clients were answered all along: reading now, they get
	// their whole results.
	for name, c := range map[string]*slowClient{"query": slowQuery, "copy": slowCopy, "extended": slowExtended} {
		var got int
		for done := false; !done; {
			msg, err := c.fe.Receive()
			if err != nil {
				t.Fatalf("slow %s client: %v", name, err)
			}
			switch m := msg.(type) {
			case *pgproto3.DataRow, *pgproto3.CopyData:
				got++
			case *pgproto3.ErrorResponse:
				t.Errorf("slow %s client: %s", name, m.Message)
			case *pgproto3.ReadyForQuery:
				done = true
			}
		}
		if got != 10000 {
			t.Errorf("slow %s client got %d rows, want 10000", name, got)
		}
	}
}
