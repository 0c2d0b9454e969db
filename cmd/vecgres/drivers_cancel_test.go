package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// drvEndlessQuery runs far longer than any test waits (a minute or
// more): it builds a 100 kB string for each of 100000 rows. Only a
// cancellation or a timeout ends it in a test.
const drvEndlessQuery = "SELECT count(*) FROM cancel_big WHERE length(repeat(i::text, 20000)) < 0"

// drvEndlessJoin never ends: a count over a cross join whose pairs are
// tested in memory, so only the join itself can notice a cancellation.
const drvEndlessJoin = "SELECT count(*) FROM cancel_big a, cancel_big b, cancel_big c"

// drvSetupEndless makes the table drvEndlessQuery reads.
func drvSetupEndless(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	var ten []string
	for i := 0; i < 10; i++ {
		ten = append(ten, fmt.Sprintf("(%d)", i))
	}
	drvExec(t, ctx, conn,
		"DROP TABLE IF EXISTS cancel_ten", "DROP TABLE IF EXISTS cancel_big",
		"CREATE TABLE cancel_ten (i int)", "CREATE TABLE cancel_big (i int)",
		"INSERT INTO cancel_ten VALUES "+strings.Join(ten, ", "),
		"INSERT INTO cancel_big SELECT a.i * 10000 + b.i * 1000 + c.i * 100 + d.i * 10 + e.i FROM cancel_ten a, cancel_ten b, cancel_ten c, cancel_ten d, cancel_ten e")
}

// drvCancelUntilDone sends CancelRequests for conn's session until done
// reports the statement's end. A CancelRequest that arrives before the
// statement starts cancels nothing, so one is not enough.
func drvCancelUntilDone(t *testing.T, ctx context.Context, conn *pgx.Conn, done <-chan error) error {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if err := conn.PgConn().CancelRequest(ctx); err != nil {
				t.Fatalf("CancelRequest: %v", err)
			}
		case <-ctx.Done():
			t.Fatal("the statement did not end")
		}
	}
}

// TestDriverCancelRequest cancels running statements with the key of
// BackendKeyData, in the simple and extended protocols and inside a
// transaction block, which the cancellation leaves failed.
func TestDriverCancelRequest(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	conn := drvConnect(t, ctx, url)
	drvSetupEndless(t, ctx, conn)

	for _, tc := range []struct {
		name   string
		mode   pgx.QueryExecMode
		inTxn  bool
		status byte
	}{
		{"simple protocol", pgx.QueryExecModeSimpleProtocol, false, 'I'},
		{"extended protocol", pgx.QueryExecModeCacheStatement, false, 'I'},
		{"in a transaction block", pgx.QueryExecModeExec, true, 'E'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.inTxn {
				drvExec(t, ctx, conn, "BEGIN")
			}
			done := make(chan error, 1)
			go func() {
				var n int64
				done <- conn.QueryRow(ctx, drvEndlessQuery, tc.mode).Scan(&n)
			}()
			err := drvCancelUntilDone(t, ctx, conn, done)
			if pe := drvWantCode(t, "cancelled query", err, "57014"); pe != nil && pe.Message != "canceling statement due to user request" {
				t.Errorf("message %q", pe.Message)
			}
			if got := drvTxStatus(conn); got != tc.status {
				t.Errorf("status after the cancellation %c, want %c", got, tc.status)
			}
			if tc.inTxn {
				drvExec(t, ctx, conn, "ROLLBACK")
			}
			var one int
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("session after the cancellation: %v", err)
			}
		})
	}

	// A key that names no session, or the wrong secret, cancels nothing.
	other := drvConnect(t, ctx, url)
	done := make(chan error, 1)
	go func() {
		var n int64
		done <- other.QueryRow(ctx, "SELECT count(*) FROM cancel_big a, cancel_ten b").Scan(&n)
	}()
	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("a cancel request for an idle session cancelled another's statement: %v", err)
	}
}

// TestDriverStatementTimeout bounds statements with statement_timeout,
// set with SET, as a startup option and with set_config, and checks that
// the timeout is per statement, not per session.
func TestDriverStatementTimeout(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	setup := drvConnect(t, ctx, url)
	drvSetupEndless(t, ctx, setup)

	for _, tc := range []struct {
		name    string
		connect func(*pgx.ConnConfig)
		set     string
	}{
		{"SET", nil, "SET statement_timeout = '500ms'"},
		{"SET as an integer of milliseconds", nil, "SET statement_timeout TO 500"},
		{"set_config", nil, "SELECT set_config('statement_timeout', '500', false)"},
		{"startup option", func(c *pgx.ConnConfig) { c.RuntimeParams["statement_timeout"] = "500" }, ""},
		{"options parameter", func(c *pgx.ConnConfig) { c.RuntimeParams["options"] = "-c statement_timeout=500ms" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var configure []func(*pgx.ConnConfig)
			if tc.connect != nil {
				configure = append(configure, tc.connect)
			}
			conn := drvConnect(t, ctx, url, configure...)
			if tc.set != "" {
				drvExec(t, ctx, conn, tc.set)
			}
			var n int64
			// Each way of setting it, in one protocol (the first in both).
			modes := []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement}
			if tc.name == "SET" {
				modes = append(modes, pgx.QueryExecModeSimpleProtocol)
			}
			for _, mode := range modes {
				for _, q := range []string{drvEndlessQuery, drvEndlessJoin} {
					err := conn.QueryRow(ctx, q, mode).Scan(&n)
					if pe := drvWantCode(t, mode.String(), err, "57014"); pe != nil && pe.Message != "canceling statement due to statement timeout" {
						t.Errorf("%v: message %q", mode, pe.Message)
					}
				}
			}
			// Short statements, one after another, are each within bounds.
			for i := 0; i < 5; i++ {
				if err := conn.QueryRow(ctx, "SELECT count(*) FROM cancel_ten").Scan(&n); err != nil || n != 10 {
					t.Fatalf("short statement: %d, %v", n, err)
				}
			}
			// In a transaction block the timeout fails the transaction.
			if tc.name == "SET" {
				drvExec(t, ctx, conn, "BEGIN")
				err := conn.QueryRow(ctx, drvEndlessQuery).Scan(&n)
				drvWantCode(t, "in a transaction", err, "57014")
				if got := drvTxStatus(conn); got != 'E' {
					t.Errorf("status %c, want E", got)
				}
				drvExec(t, ctx, conn, "ROLLBACK")
			}
			drvExec(t, ctx, conn, "RESET statement_timeout")
			// RESET goes back to the session's default: the startup value.
			want := "0"
			if tc.connect != nil {
				want = "500ms"
			}
			var v string
			if err := conn.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil || v != want {
				t.Errorf("after RESET: %q, %v, want %q", v, err, want)
			}
		})
	}
}
