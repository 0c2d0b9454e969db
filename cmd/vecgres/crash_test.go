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

// crashLedger is what the client knows about the rows it wrote.
type crashLedger struct {
	acked    map[int]bool // committed: the server acknowledged them
	inFlight map[int]bool // sent when the server died; either outcome is fine
	nextID   int
}

// TestCrashRecovery inserts rows in autocommit statements into a vecgres
// child process, kills it with SIGKILL at a random moment, restarts it on
// the same data directory, and checks that every acknowledged row is
// there intact and that no row appears that was never sent.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs child processes")
	}
	const rounds = 4
	rng := rand.New(rand.NewPCG(*crashSeed, 0xc4a5))
	t.Logf("seed %d (-crash.seed)", *crashSeed)
	dir := t.TempDir()
	ledger := &crashLedger{acked: map[int]bool{}, inFlight: map[int]bool{}, nextID: 1}
	for round := range rounds {
		child := startChild(t, dir)
		conn := connectChild(t, child)
		if round == 0 {
			mustExec(t, conn, "CREATE TABLE crash (id integer PRIMARY KEY, payload text NOT NULL)")
		} else {
			ledger.verify(t, conn)
		}
		killAfter := time.Duration(50+rng.IntN(400)) * time.Millisecond
		ledger.insertUntilKilled(t, conn, child, killAfter)
		t.Logf("round %d: killed after %v, %d rows acknowledged so far", round, killAfter, len(ledger.acked))
	}
	child := startChild(t, dir)
	ledger.verify(t, connectChild(t, child))
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

// insertUntilKilled inserts rows one autocommit statement at a time while
// a timer kills the child; the insert that fails with the connection is
// the one in flight.
func (l *crashLedger) insertUntilKilled(t *testing.T, conn *pgx.Conn, child *childServer, killAfter time.Duration) {
	t.Helper()
	var killed atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	timer := time.AfterFunc(killAfter, func() {
		defer wg.Done()
		killed.Store(true)
		child.kill()
	})
	defer wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		id := l.nextID
		l.nextID++
		_, err := conn.Exec(ctx, "INSERT INTO crash (id, payload) VALUES ($1, $2)", id, payload(id))
		if err == nil {
			l.acked[id] = true
			continue
		}
		if !killed.Load() {
			if timer.Stop() {
				wg.Done()
			}
			t.Fatalf("insert %d failed before the kill: %v", id, err)
		}
		l.inFlight[id] = true
		return
	}
}

// verify checks the table against the ledger. A row that was in flight
// and turns out committed counts as acknowledged from now on; one that is
// missing must never appear later.
func (l *crashLedger) verify(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, "SELECT id, payload FROM crash ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	present := map[int]bool{}
	var errs []error
	for rows.Next() {
		var id int
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		present[id] = true
		switch {
		case p != payload(id):
			errs = append(errs, fmt.Errorf("row %d has payload of %d bytes %.16q..., want %d bytes", id, len(p), p, len(payload(id))))
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
