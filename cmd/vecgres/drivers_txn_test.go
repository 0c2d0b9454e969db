package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// drvTxStatus is the transaction status of the connection's last
// ReadyForQuery: 'I' idle, 'T' in a transaction block, 'E' failed.
func drvTxStatus(conn *pgx.Conn) byte { return conn.PgConn().TxStatus() }

// TestDriverTransactions walks a session through transaction blocks: its
// status byte after each statement, the failed state and its way out,
// its own writes visible to it and to no one else until COMMIT, and
// savepoints, whose ROLLBACK TO leaves the failed state.
func TestDriverTransactions(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	a := drvConnect(t, ctx, url)
	b := drvConnect(t, ctx, url)
	drvExec(t, ctx, a, "DROP TABLE IF EXISTS txn_t", "CREATE TABLE txn_t (id int PRIMARY KEY, v text)", "INSERT INTO txn_t VALUES (1, 'one')")

	count := func(conn *pgx.Conn) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM txn_t").Scan(&n); err != nil {
			t.Fatalf("count: %v", err)
		}
		return n
	}

	type step struct {
		sql    string
		code   string // expected SQLSTATE, "" for success
		tag    string // expected command tag when it succeeds ("" to ignore)
		status byte   // expected status afterwards
		countA int    // rows that a and b see afterwards (-1: don't look)
		countB int
	}
	tests := []struct {
		name  string
		steps []step
	}{{
		name: "commit",
		steps: []step{
			{sql: "BEGIN", tag: "BEGIN", status: 'T', countA: 1, countB: 1},
			{sql: "INSERT INTO txn_t VALUES (2, 'two')", tag: "INSERT 0 1", status: 'T', countA: 2, countB: 1},
			{sql: "UPDATE txn_t SET v = 'uno' WHERE id = 1", tag: "UPDATE 1", status: 'T', countA: 2, countB: 1},
			{sql: "COMMIT", tag: "COMMIT", status: 'I', countA: 2, countB: 2},
		},
	}, {
		name: "rollback",
		steps: []step{
			{sql: "START TRANSACTION ISOLATION LEVEL READ COMMITTED", tag: "START TRANSACTION", status: 'T', countA: 2, countB: 2},
			{sql: "DELETE FROM txn_t", tag: "DELETE 2", status: 'T', countA: 0, countB: 2},
			{sql: "ROLLBACK", tag: "ROLLBACK", status: 'I', countA: 2, countB: 2},
		},
	}, {
		name: "failed state until ROLLBACK",
		steps: []step{
			{sql: "BEGIN", status: 'T', countA: -1},
			{sql: "INSERT INTO txn_t VALUES (3, 'three')", status: 'T', countA: 3, countB: 2},
			{sql: "INSERT INTO txn_t VALUES (1, 'dup')", code: "23505", status: 'E', countA: -1},
			{sql: "SELECT 1", code: "25P02", status: 'E', countA: -1},
			{sql: "INSERT INTO txn_t VALUES (4, 'four')", code: "25P02", status: 'E', countA: -1},
			{sql: "ROLLBACK", tag: "ROLLBACK", status: 'I', countA: 2, countB: 2},
		},
	}, {
		name: "COMMIT of a failed transaction rolls back",
		steps: []step{
			{sql: "BEGIN", status: 'T', countA: -1},
			{sql: "INSERT INTO txn_t VALUES (3, 'three')", status: 'T', countA: -1},
			{sql: "SELECT 1/0", code: "22012", status: 'E', countA: -1},
			{sql: "COMMIT", tag: "ROLLBACK", status: 'I', countA: 2, countB: 2},
		},
	}, {
		name: "savepoints: ROLLBACK TO leaves the failed state",
		steps: []step{
			{sql: "BEGIN", status: 'T', countA: -1},
			{sql: "INSERT INTO txn_t VALUES (3, 'three')", status: 'T', countA: 3, countB: 2},
			{sql: "SAVEPOINT s1", tag: "SAVEPOINT", status: 'T', countA: 3, countB: 2},
			{sql: "INSERT INTO txn_t VALUES (4, 'four')", status: 'T', countA: 4, countB: 2},
			{sql: "INSERT INTO txn_t VALUES (1, 'dup')", code: "23505", status: 'E', countA: -1},
			{sql: "SAVEPOINT s2", code: "25P02", status: 'E', countA: -1},
			{sql: "ROLLBACK TO SAVEPOINT nope", code: "3B001", status: 'E', countA: -1},
			{sql: "ROLLBACK TO SAVEPOINT s1", tag: "ROLLBACK", status: 'T', countA: 3, countB: 2},
			{sql: "INSERT INTO txn_t VALUES (5, 'five')", status: 'T', countA: 4, countB: 2},
			{sql: "RELEASE SAVEPOINT s1", tag: "RELEASE", status: 'T', countA: 4, countB: 2},
			{sql: "RELEASE SAVEPOINT s1", code: "3B001", status: 'E', countA: -1},
			{sql: "ROLLBACK", tag: "ROLLBACK", status: 'I', countA: 2, countB: 2},
			{sql: "SAVEPOINT s1", code: "25P01", status: 'I', countA: -1},
		},
	}, {
		name: "DDL in a transaction",
		steps: []step{
			{sql: "BEGIN", status: 'T', countA: -1},
			{sql: "CREATE TABLE txn_new (i int)", tag: "CREATE TABLE", status: 'T', countA: -1},
			{sql: "INSERT INTO txn_new VALUES (1)", status: 'T', countA: -1},
			{sql: "ROLLBACK", status: 'I', countA: -1},
			{sql: "SELECT * FROM txn_new", code: "42P01", status: 'I', countA: -1},
		},
	}, {
		name: "statements outside a block",
		steps: []step{
			{sql: "COMMIT", tag: "COMMIT", status: 'I', countA: -1},
			{sql: "ROLLBACK", tag: "ROLLBACK", status: 'I', countA: -1},
			{sql: "BEGIN", status: 'T', countA: -1},
			{sql: "BEGIN", tag: "BEGIN", status: 'T', countA: -1},
			{sql: "END", tag: "COMMIT", status: 'I', countA: 2, countB: 2},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.steps {
				tag, err := a.Exec(ctx, s.sql)
				if s.code != "" {
					drvWantCode(t, s.sql, err, s.code)
				} else if err != nil {
					t.Fatalf("%s: %v", s.sql, err)
				} else if s.tag != "" && tag.String() != s.tag {
					t.Errorf("%s: tag %q, want %q", s.sql, tag, s.tag)
				}
				if got := drvTxStatus(a); got != s.status {
					t.Errorf("after %s: status %c, want %c", s.sql, got, s.status)
				}
				if s.countA >= 0 {
					if got := count(a); got != s.countA {
						t.Errorf("after %s: the session sees %d rows, want %d", s.sql, got, s.countA)
					}
					if got := count(b); got != s.countB {
						t.Errorf("after %s: another session sees %d rows, want %d", s.sql, got, s.countB)
					}
				}
			}
		})
	}

	// A table created in an open transaction is invisible to others.
	drvExec(t, ctx, a, "BEGIN", "CREATE TABLE txn_hidden (i int)")
	_, err := b.Exec(ctx, "SELECT * FROM txn_hidden")
	drvWantCode(t, "other session's uncommitted table", err, "42P01")
	drvExec(t, ctx, a, "ROLLBACK")
}

// TestDriverConcurrentWriters checks the isolation of two sessions
// writing at once: READ COMMITTED with writers serialised. A second
// writer waits for the first's COMMIT or ROLLBACK and then sees its
// outcome (a unique key taken by the first fails the second only if the
// first committed); concurrent increments lose no update.
func TestDriverConcurrentWriters(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	a := drvConnect(t, ctx, url)
	b := drvConnect(t, ctx, url)
	drvExec(t, ctx, a, "DROP TABLE IF EXISTS txn_w", "CREATE TABLE txn_w (id int PRIMARY KEY, n int)", "INSERT INTO txn_w VALUES (0, 0)")

	for _, end := range []string{"COMMIT", "ROLLBACK"} {
		t.Run("first writer ends with "+end, func(t *testing.T) {
			drvExec(t, ctx, a, "DELETE FROM txn_w WHERE id = 1", "BEGIN", "INSERT INTO txn_w VALUES (1, 1)")
			second := make(chan error, 1)
			go func() {
				_, err := b.Exec(ctx, "INSERT INTO txn_w VALUES (1, 2)")
				second <- err
			}()
			// The second writer cannot finish while the first holds its
			// transaction open: if it does, it did not wait. (Waiting a
			// little can only miss a bug, never invent one.)
			select {
			case err := <-second:
				t.Fatalf("second writer finished while the first was open: %v", err)
			case <-time.After(200 * time.Millisecond):
			}
			// The first writer goes on while the second waits.
			var n int
			if err := a.QueryRow(ctx, "SELECT count(*) FROM txn_w").Scan(&n); err != nil || n != 2 {
				t.Errorf("first writer's own view: %d rows, %v", n, err)
			}
			drvExec(t, ctx, a, end)
			err := <-second
			if end == "COMMIT" {
				drvWantCode(t, "second writer after the first committed the key", err, "23505")
			} else if err != nil {
				t.Errorf("second writer after the first rolled back: %v", err)
			}
			var v int
			if err := b.QueryRow(ctx, "SELECT n FROM txn_w WHERE id = 1").Scan(&v); err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{"COMMIT": 1, "ROLLBACK": 2}[end]; v != want {
				t.Errorf("row 1 has n = %d, want %d", v, want)
			}
		})
	}

	t.Run("a reader does not wait for a writer", func(t *testing.T) {
		drvExec(t, ctx, a, "BEGIN", "UPDATE txn_w SET n = 100 WHERE id = 0")
		var n int
		if err := b.QueryRow(ctx, "SELECT n FROM txn_w WHERE id = 0").Scan(&n); err != nil || n != 0 {
			t.Errorf("reader during the write: n = %d, %v (want the committed 0)", n, err)
		}
		drvExec(t, ctx, a, "COMMIT")
		if err := b.QueryRow(ctx, "SELECT n FROM txn_w WHERE id = 0").Scan(&n); err != nil || n != 100 {
			t.Errorf("reader after the commit: n = %d, %v", n, err)
		}
	})

	t.Run("no lost updates", func(t *testing.T) {
		drvExec(t, ctx, a, "UPDATE txn_w SET n = 0 WHERE id = 0")
		const perSession = 50
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, conn := range []*pgx.Conn{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perSession; i++ {
					if _, err := conn.Exec(ctx, "UPDATE txn_w SET n = n + 1 WHERE id = $1", 0); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var n int
		if err := a.QueryRow(ctx, "SELECT n FROM txn_w WHERE id = 0").Scan(&n); err != nil || n != 2*perSession {
			t.Errorf("n = %d, %v, want %d", n, err, 2*perSession)
		}
	})

	t.Run("read committed: each statement sees the commits before it", func(t *testing.T) {
		drvExec(t, ctx, b, "BEGIN")
		var before, after int
		if err := b.QueryRow(ctx, "SELECT count(*) FROM txn_w").Scan(&before); err != nil {
			t.Fatal(err)
		}
		drvExec(t, ctx, a, "INSERT INTO txn_w VALUES (7, 7)")
		if err := b.QueryRow(ctx, "SELECT count(*) FROM txn_w").Scan(&after); err != nil {
			t.Fatal(err)
		}
		drvExec(t, ctx, b, "COMMIT")
		if after != before+1 {
			t.Errorf("a read-only transaction saw %d rows, then %d after another session's commit; want one more", before, after)
		}
	})
}

// TestDriverCommitIsDurable commits through a driver, stops the server
// and opens its data directory again: the committed rows are there, the
// rolled-back and uncommitted ones are not.
func TestDriverCommitIsDurable(t *testing.T) {
	if drvAgainstPostgres() {
		t.Log("restarts an in-process vecgres; nothing to compare with PostgreSQL")
		return
	}
	dir := t.TempDir()
	start := func() *instance {
		in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", DataDir: dir, Logger: drvLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	ctx := drvContext(t)
	in := start()
	conn, err := pgx.Connect(ctx, in.URL())
	if err != nil {
		t.Fatal(err)
	}
	drvExec(t, ctx, conn,
		"CREATE TABLE durable (id int PRIMARY KEY, v vector(2))",
		"BEGIN", "INSERT INTO durable VALUES (1, '[1,1]'), (2, '[2,2]')", "COMMIT",
		"BEGIN", "INSERT INTO durable VALUES (3, '[3,3]')", "ROLLBACK",
		"BEGIN", "INSERT INTO durable VALUES (4, '[4,4]')")
	// The session still has its transaction open when the server stops.
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := in.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	in = start()
	defer in.Stop(context.Background())
	conn = drvConnect(t, ctx, in.URL())
	rows, err := conn.Query(ctx, "SELECT id, v::text FROM durable ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s", id, v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 [1,1] 2 [2,2]]" {
		t.Errorf("rows after restart: %v", got)
	}
}

// TestDriverIdleInTransactionTimeout ends a session left idle inside a
// transaction block: its transaction is rolled back and a writer waiting
// for it (for its key in PostgreSQL, for the writer lock in vecgres) goes
// on.
func TestDriverIdleInTransactionTimeout(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	a := drvConnect(t, ctx, url)
	b := drvConnect(t, ctx, url)
	drvExec(t, ctx, a, "DROP TABLE IF EXISTS txn_idle", "CREATE TABLE txn_idle (id int PRIMARY KEY, who text)",
		"SET idle_in_transaction_session_timeout = '200ms'",
		// One message: the session is idle only once it has answered.
		"BEGIN; INSERT INTO txn_idle VALUES (1, 'a'); SELECT count(*) FROM txn_idle")
	// b waits until a's transaction ends, which only the timeout does.
	if _, err := b.Exec(ctx, "INSERT INTO txn_idle VALUES (1, 'b')"); err != nil {
		t.Fatalf("writer after the idle transaction: %v", err)
	}
	_, err := a.Exec(ctx, "SELECT 1")
	if code := drvCode(err); code != "25P03" && !a.PgConn().IsClosed() {
		t.Errorf("idle session: %v, want FATAL 25P03", err)
	}
	var who string
	if err := b.QueryRow(ctx, "SELECT string_agg(who, ',') FROM txn_idle").Scan(&who); err != nil || who != "b" {
		t.Errorf("rows: %q, %v (the idle transaction's row must be gone)", who, err)
	}
}
