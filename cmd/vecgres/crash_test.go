package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var crashSeed = flag.Uint64("crash.seed", 1, "seed of the crash test's kill times")

// childServer is a vecgres running as a child process: the test binary
// itself, re-executed with childEnv set.
type childServer struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{}
	logs   *syncBuffer
}

// startChild starts a vecgres child on a free port over dataDir and waits
// until it logs that it is ready.
func startChild(t *testing.T, dataDir string) *childServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childEnv+"=serve",
		"VECGRES_LISTEN=127.0.0.1:0",
		"VECGRES_DATA_DIR="+dataDir,
		"VECGRES_LOG_LEVEL=info",
	)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childServer{cmd: cmd, exited: make(chan struct{}), logs: &syncBuffer{}}
	ready := make(chan string, 1)
	go c.readLogs(stderr, ready)
	go func() {
		cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.kill)
	select {
	case c.addr = <-ready:
	case <-c.exited:
		t.Fatalf("child exited before it was ready:\n%s", c.logs.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("child not ready:\n%s", c.logs.String())
	}
	return c
}

// readLogs keeps the child's JSON log lines and reports the address of
// its "vecgres ready" line.
func (c *childServer) readLogs(r io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		c.logs.Write(append(line, '\n'))
		var entry struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal(line, &entry) == nil && entry.Message == "vecgres ready" {
			ready <- entry.Addr
		}
	}
}

// kill sends SIGKILL and waits for the child to be gone.
func (c *childServer) kill() {
	c.cmd.Process.Kill()
	<-c.exited
}

func (c *childServer) url() string {
	return fmt.Sprintf("postgres://vecgres@%s/vecgres?sslmode=disable", c.addr)
}

// payload is the deterministic content of row id, of varying length, so
// that a torn or misplaced value cannot go unnoticed.
func payload(id int) string {
	sum := sha256.Sum256([]byte(fmt.Sprint(id)))
	return strings.Repeat(hex.EncodeToString(sum[:]), 1+id%7)
}

// embedding is the deterministic vector of row id, exact in float32 and
// in text.
func embedding(id int) string {
	return fmt.Sprintf("[%d,%g,%d]", id, float64(id)/2, -id)
}

// crashLedger is what the clients know about the rows they wrote.
type crashLedger struct {
	mu       sync.Mutex
	acked    map[int]bool // committed: the server acknowledged them
	inFlight map[int]bool // sent when the server died; either outcome is fine
	nextID   atomic.Int64
}

// crashWriters is how many clients insert concurrently.
const crashWriters = 3

// TestCrashRecovery inserts rows in autocommit statements from several
// clients into a vecgres child process, kills it with SIGKILL at a random
// moment, restarts it on the same data directory, and checks that every
// acknowledged row is there intact and that no row appears beyond those
// in flight at the kill.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs child processes")
	}
	const rounds = 5
	rng := rand.New(rand.NewPCG(*crashSeed, 0xc4a5))
	t.Logf("seed %d (-crash.seed)", *crashSeed)
	dir := t.TempDir()
	ledger := &crashLedger{acked: map[int]bool{}, inFlight: map[int]bool{}}
	for round := range rounds {
		child := startChild(t, dir)
		if round == 0 {
			mustExec(t, connectChild(t, child), "CREATE TABLE crash (id integer PRIMARY KEY, payload text NOT NULL, embedding vector(3))")
		} else {
			ledger.verify(t, connectChild(t, child))
		}
		killAfter := time.Duration(50+rng.IntN(400)) * time.Millisecond
		ledger.insertUntilKilled(t, child, killAfter)
		t.Logf("round %d: killed after %v, %d rows acknowledged so far", round, killAfter, len(ledger.acked))
	}
	ledger.verify(t, connectChild(t, startChild(t, dir)))
	if len(ledger.acked) < rounds {
		t.Errorf("only %d rows acknowledged in %d rounds: the test did not exercise much", len(ledger.acked), rounds)
	}
}

func connectChild(t *testing.T, c *childServer) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url())
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, c.logs.String())
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// insertUntilKilled runs the writers while a timer kills the child, and
// waits for all of them to see the connection go.
func (l *crashLedger) insertUntilKilled(t *testing.T, child *childServer, killAfter time.Duration) {
	t.Helper()
	conns := make([]*pgx.Conn, crashWriters)
	for i := range conns {
		conns[i] = connectChild(t, child)
	}
	var killed atomic.Bool
	timer := time.AfterFunc(killAfter, func() {
		killed.Store(true)
		child.kill()
	})
	defer timer.Stop()
	errs := make(chan error, crashWriters)
	for _, conn := range conns {
		go func() { errs <- l.write(conn, &killed) }()
	}
	var failures []error
	for range conns {
		if err := <-errs; err != nil {
			failures = append(failures, err)
		}
	}
	if len(failures) > 0 {
		child.kill()
		t.Fatal(errors.Join(failures...))
	}
}

// write inserts rows one autocommit statement at a time until the server
// goes away; the insert that fails then is in flight. An error before the
// kill is returned.
func (l *crashLedger) write(conn *pgx.Conn, killed *atomic.Bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		id := int(l.nextID.Add(1))
		_, err := conn.Exec(ctx, "INSERT INTO crash (id, payload, embedding) VALUES ($1, $2, $3)", id, payload(id), embedding(id))
		l.mu.Lock()
		if err == nil {
			l.acked[id] = true
		} else {
			l.inFlight[id] = true
		}
		l.mu.Unlock()
		if err != nil {
			if !killed.Load() {
				return fmt.Errorf("insert %d failed before the kill: %w", id, err)
			}
			return nil
		}
	}
}

// verify checks the table against the ledger. A row that was in flight
// and turns out committed counts as acknowledged from now on; one that is
// missing must never appear later.
func (l *crashLedger) verify(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, "SELECT id, payload, embedding::text FROM crash ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	present := map[int]bool{}
	var errs []error
	for rows.Next() {
		var id int
		var p, e string
		if err := rows.Scan(&id, &p, &e); err != nil {
			t.Fatal(err)
		}
		present[id] = true
		switch {
		case p != payload(id):
			errs = append(errs, fmt.Errorf("row %d has a payload of %d bytes %.16q..., want %d bytes", id, len(p), p, len(payload(id))))
		case e != embedding(id):
			errs = append(errs, fmt.Errorf("row %d has embedding %s, want %s", id, e, embedding(id)))
		case l.acked[id]:
		case l.inFlight[id]:
			l.acked[id] = true
		default:
			errs = append(errs, fmt.Errorf("row %d was never acknowledged nor in flight", id))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range l.acked {
		if !present[id] {
			errs = append(errs, fmt.Errorf("acknowledged row %d is missing", id))
		}
	}
	clear(l.inFlight)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}
