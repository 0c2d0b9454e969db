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
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
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

// payload is the deterministic content of version v of row id, of
// varying length, so that a torn, stale or misplaced value cannot go
// unnoticed.
func payload(id, v int) string {
	sum := sha256.Sum256([]byte(fmt.Sprint(id, "/", v)))
	return strings.Repeat(hex.EncodeToString(sum[:]), 1+(id+v)%7)
}

// crashDim is the dimension of the crash test's vectors.
const crashDim = 8

// embedding is the deterministic vector of version v of row id, exact in
// float32 and in text.
func embedding(id, v int) string {
	sum := sha256.Sum256([]byte(fmt.Sprint("e", id, "/", v)))
	parts := make([]string, crashDim)
	for i := range parts {
		parts[i] = fmt.Sprint((float64(sum[i]) - 128) / 4)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

var crashRounds = flag.Int("crash.rounds", 5, "rounds (kill and restart) of the crash test")

// crashWriters is how many clients write concurrently.
const crashWriters = 3

// deleted marks a row a transaction deletes, in a writer's pending
// changes.
const deleted = -1

// crashWriter is what one client knows of the rows it owns: those whose
// id is its number modulo crashWriters. Each of its transactions inserts,
// updates and deletes some of them.
type crashWriter struct {
	num       int
	committed map[int]int // id -> version, of the rows its acknowledged transactions left
	// inFlight are the changes (id -> version or deleted) of the
	// transaction that was committing when the server died: after the
	// restart they are all there or none is.
	inFlight map[int]int
	nextID   int
	rng      *rand.Rand
	txns     int // acknowledged
}

// crashIndexes is what the DDL client knows of the indexes it creates
// and drops: whether each exists after its acknowledged statements, and
// the statement in flight at the kill.
type crashIndexes struct {
	exists   map[string]bool
	inFlight string // index whose CREATE or DROP was in flight
	done     int    // acknowledged statements
	vacuums  int    // acknowledged VACUUMs
	rng      *rand.Rand
}

// crashIndexDDL is how the DDL client creates each index.
var crashIndexDDL = map[string]string{
	"crash_emb_idx": "CREATE INDEX crash_emb_idx ON crash USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32)",
	"crash_grp_idx": "CREATE INDEX crash_grp_idx ON crash (grp, id)",
}

// TestCrashRecovery runs transactions that insert, update and delete rows
// from several clients, and a client that creates and drops a btree and
// an hnsw index, against a vecgres child process; kills it with SIGKILL
// at a random moment; restarts it on the same data directory and checks
// that every acknowledged transaction is there intact, that none that
// was not is (a transaction in flight at the kill is there entirely or
// not at all), that each index exists as the acknowledged DDL left it,
// that the hnsw index was loaded rather than rebuilt and answers as an
// exact scan does. -crash.rounds sets the number of kills (5; the soak
// of the README runs more).
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs child processes")
	}
	rng := rand.New(rand.NewPCG(*crashSeed, 0xc4a5))
	t.Logf("seed %d (-crash.seed), %d rounds (-crash.rounds)", *crashSeed, *crashRounds)
	dir := t.TempDir()
	writers := make([]*crashWriter, crashWriters)
	for i := range writers {
		writers[i] = &crashWriter{num: i, committed: map[int]int{}, nextID: i, rng: rand.New(rand.NewPCG(*crashSeed, uint64(i)))}
	}
	ddl := &crashIndexes{exists: map[string]bool{}, rng: rand.New(rand.NewPCG(*crashSeed, 99))}
	for round := range *crashRounds {
		start := time.Now()
		child := startChild(t, dir)
		t.Logf("round %d: ready in %v", round, time.Since(start))
		conn := connectChild(t, child)
		if round == 0 {
			mustExec(t, conn, "CREATE TABLE crash (id integer PRIMARY KEY, grp integer NOT NULL, version integer NOT NULL, payload text NOT NULL, embedding vector(8))")
		} else {
			verifyCrash(t, child, conn, writers, ddl)
		}
		conn.Close(context.Background())
		killAfter := time.Duration(200+rng.IntN(1000)) * time.Millisecond
		runUntilKilled(t, child, killAfter, writers, ddl)
		txns := 0
		for _, w := range writers {
			txns += w.txns
		}
		t.Logf("round %d: killed after %v; %d transactions, %d index statements and %d VACUUMs acknowledged so far", round, killAfter, txns, ddl.done, ddl.vacuums)
	}
	child := startChild(t, dir)
	verifyCrash(t, child, connectChild(t, child), writers, ddl)
	for _, w := range writers {
		if w.txns < *crashRounds {
			t.Errorf("writer %d had only %d transactions acknowledged in %d rounds: the test did not exercise much", w.num, w.txns, *crashRounds)
		}
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

// runUntilKilled runs the writers and the DDL client while a timer kills
// the child, and waits for all of them to see the connection go.
func runUntilKilled(t *testing.T, child *childServer, killAfter time.Duration, writers []*crashWriter, ddl *crashIndexes) {
	t.Helper()
	var killed atomic.Bool
	errs := make(chan error, len(writers)+1)
	for _, w := range writers {
		conn := connectChild(t, child)
		go func() { errs <- w.run(conn, &killed) }()
	}
	ddlConn := connectChild(t, child)
	go func() { errs <- ddl.run(ddlConn, &killed) }()
	timer := time.AfterFunc(killAfter, func() {
		killed.Store(true)
		child.kill()
	})
	defer timer.Stop()
	var failures []error
	for range len(writers) + 1 {
		if err := <-errs; err != nil {
			failures = append(failures, err)
		}
	}
	if len(failures) > 0 {
		child.kill()
		t.Fatalf("%v\n%s", errors.Join(failures...), child.logs.String())
	}
}

// run runs transactions until the server goes away; the one that fails
// then is in flight. An error before the kill is returned.
func (w *crashWriter) run(conn *pgx.Conn, killed *atomic.Bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		changes, stmts := w.nextTxn()
		rollback := w.rng.IntN(20) == 0
		err := w.exec(ctx, conn, stmts, rollback)
		switch {
		case err == nil && !rollback:
			maps.Copy(w.committed, changes)
			maps.DeleteFunc(w.committed, func(_ int, v int) bool { return v == deleted })
			w.txns++
		case err == nil:
		case killed.Load():
			if !rollback {
				w.inFlight = changes
			}
			return nil
		default:
			return fmt.Errorf("writer %d: %v before the kill: %w", w.num, stmts, err)
		}
	}
}

// crashStmt is one statement of a transaction.
type crashStmt struct {
	sql  string
	args []any
}

// nextTxn chooses a transaction of one to four statements: inserts of
// new rows, updates and deletes of rows the writer owns (not changed by
// the transaction already). It returns its changes and statements.
func (w *crashWriter) nextTxn() (map[int]int, []crashStmt) {
	changes := map[int]int{}
	var stmts []crashStmt
	owned := slices.Sorted(maps.Keys(w.committed))
	for range 1 + w.rng.IntN(4) {
		op := w.rng.IntN(10)
		var id int
		if op >= 5 && len(owned) > 0 {
			id = owned[w.rng.IntN(len(owned))]
			if _, ok := changes[id]; ok {
				op = 0
			}
		} else {
			op = 0
		}
		switch {
		case op < 5:
			w.nextID += crashWriters
			id = w.nextID
			changes[id] = 0
			stmts = append(stmts, crashStmt{"INSERT INTO crash (id, grp, version, payload, embedding) VALUES ($1, $2, 0, $3, $4)",
				[]any{id, id % 10, payload(id, 0), embedding(id, 0)}})
		case op < 8:
			v := w.committed[id] + 1
			changes[id] = v
			stmts = append(stmts, crashStmt{"UPDATE crash SET version = $2, payload = $3, embedding = $4 WHERE id = $1",
				[]any{id, v, payload(id, v), embedding(id, v)}})
		default:
			changes[id] = deleted
			stmts = append(stmts, crashStmt{"DELETE FROM crash WHERE id = $1", []any{id}})
		}
	}
	return changes, stmts
}

// exec runs stmts in a transaction block (or alone, in autocommit, when
// it is one statement), ending with ROLLBACK if rollback.
func (w *crashWriter) exec(ctx context.Context, conn *pgx.Conn, stmts []crashStmt, rollback bool) error {
	if len(stmts) == 1 && !rollback {
		_, err := conn.Exec(ctx, stmts[0].sql, stmts[0].args...)
		return err
	}
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := conn.Exec(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	end := "COMMIT"
	if rollback {
		end = "ROLLBACK"
	}
	_, err := conn.Exec(ctx, end)
	return err
}

// run creates the index that is missing or drops one that exists, the
// hnsw index mostly kept, or vacuums the table, with pauses, until the
// server goes away.
func (d *crashIndexes) run(conn *pgx.Conn, killed *atomic.Bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		time.Sleep(time.Duration(20+d.rng.IntN(150)) * time.Millisecond)
		if d.exists["crash_emb_idx"] && d.rng.IntN(3) == 0 {
			// VACUUM repairs the hnsw graph (planned without the writer
			// lock, applied under it) and changes nothing the clients
			// know: a kill during it must leave a graph that loads and
			// finds the nearest rows.
			_, err := conn.Exec(ctx, "VACUUM crash")
			if err != nil && !killed.Load() {
				return fmt.Errorf("VACUUM before the kill: %w", err)
			}
			if err == nil {
				d.vacuums++
			}
			if killed.Load() {
				return nil
			}
			continue
		}
		name := "crash_grp_idx"
		if !d.exists["crash_emb_idx"] || d.rng.IntN(8) == 0 {
			name = "crash_emb_idx"
		}
		sql := crashIndexDDL[name]
		if d.exists[name] {
			sql = "DROP INDEX " + name
		}
		_, err := conn.Exec(ctx, sql)
		switch {
		case err == nil:
			d.exists[name] = !d.exists[name]
			d.done++
		case killed.Load():
			d.inFlight = name
			return nil
		default:
			return fmt.Errorf("%s before the kill: %w", sql, err)
		}
	}
}

// verifyCrash checks what a restarted child holds against what the
// clients know. In-flight changes found applied count as acknowledged
// from then on; those not found are forgotten.
func verifyCrash(t *testing.T, child *childServer, conn *pgx.Conn, writers []*crashWriter, ddl *crashIndexes) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, "SELECT id, version, grp, payload, embedding::text FROM crash ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	found := make([]map[int]int, len(writers))
	for i := range found {
		found[i] = map[int]int{}
	}
	var errs []error
	for rows.Next() {
		var id, v, grp int
		var p, e string
		if err := rows.Scan(&id, &v, &grp, &p, &e); err != nil {
			t.Fatal(err)
		}
		found[id%crashWriters][id] = v
		if grp != id%10 || p != payload(id, v) || e != embedding(id, v) {
			errs = append(errs, fmt.Errorf("row %d version %d is torn: grp %d, payload of %d bytes, embedding %s", id, v, grp, len(p), e))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for i, w := range writers {
		applied := maps.Clone(w.committed)
		maps.Copy(applied, w.inFlight)
		maps.DeleteFunc(applied, func(_ int, v int) bool { return v == deleted })
		switch {
		case maps.Equal(found[i], w.committed):
		case w.inFlight != nil && maps.Equal(found[i], applied):
			w.committed = applied
			w.txns++
		default:
			errs = append(errs, fmt.Errorf("writer %d: rows after the restart are neither its acknowledged transactions (%d rows) nor those and the one in flight %v; %s",
				i, len(w.committed), w.inFlight, diffRows(found[i], w.committed)))
		}
		w.inFlight = nil
	}
	for name := range crashIndexDDL {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_indexes WHERE indexname = $1", name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists != ddl.exists[name] {
			if ddl.inFlight != name {
				errs = append(errs, fmt.Errorf("index %s exists = %v, want %v", name, exists, ddl.exists[name]))
			}
			ddl.exists[name] = exists
		}
	}
	ddl.inFlight = ""
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if ddl.exists["crash_emb_idx"] {
		verifyHNSW(t, ctx, child, conn)
	}
}

// diffRows describes how found differs from want (a few ids).
func diffRows(found, want map[int]int) string {
	var out []string
	for id, v := range want {
		if f, ok := found[id]; !ok || f != v {
			out = append(out, fmt.Sprintf("%d: want version %d, found %d (present %v)", id, v, f, ok))
		}
	}
	for id, v := range found {
		if _, ok := want[id]; !ok {
			out = append(out, fmt.Sprintf("%d: unexpected version %d", id, v))
		}
	}
	slices.Sort(out)
	return strings.Join(out[:min(len(out), 8)], "; ")
}

// verifyHNSW checks that the hnsw index was loaded at start-up, not
// rebuilt, and that its nearest neighbours, searched with a large
// ef_search, are those of an exact scan for a sample of queries.
func verifyHNSW(t *testing.T, ctx context.Context, child *childServer, conn *pgx.Conn) {
	t.Helper()
	logs := child.logs.String()
	if !strings.Contains(logs, `"index":"crash_emb_idx"`) || !strings.Contains(logs, "hnsw index loaded") {
		t.Fatalf("the hnsw index was not loaded at start-up:\n%s", logs)
	}
	if strings.Contains(logs, "hnsw index built") {
		t.Fatalf("an hnsw index was built at start-up:\n%s", logs)
	}
	mustExec(t, conn, "SET hnsw.ef_search = 1000")
	const k = 10
	for q := range 20 {
		vec := embedding(-1-q, 0)
		var plan strings.Builder
		rows, err := conn.Query(ctx, "EXPLAIN SELECT id FROM crash ORDER BY embedding <-> $1 LIMIT 10", vec)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan.WriteString(line + "\n")
		}
		if !strings.Contains(plan.String(), "Index Scan using crash_emb_idx") {
			t.Fatalf("the nearest-neighbour query does not use the index:\n%s", plan.String())
		}
		index := nearest(t, ctx, conn, "SELECT embedding <-> $1 FROM crash ORDER BY embedding <-> $1 LIMIT 10", vec)
		exact := nearest(t, ctx, conn, "SELECT embedding <-> $1 FROM crash ORDER BY (embedding <-> $1) + 0 LIMIT 10", vec)
		if !slices.Equal(index, exact) {
			var missed []string
			for _, d := range exact {
				if !slices.Contains(index, d) {
					var id, v int
					conn.QueryRow(ctx, "SELECT id, version FROM crash WHERE embedding <-> $1 = $2", vec, d).Scan(&id, &v)
					self := nearest(t, ctx, conn, "SELECT embedding <-> $1 FROM crash ORDER BY embedding <-> $1 LIMIT 1", embedding(id, v))
					missed = append(missed, fmt.Sprintf("row %d version %d (its own vector finds distance %v through the index)", id, v, self))
				}
			}
			t.Fatalf("query %d: the index finds distances %v, an exact scan %v; the index misses %s", q, index, exact, strings.Join(missed, ", "))
		}
		if len(exact) > 0 && len(exact) < k {
			var n int
			conn.QueryRow(ctx, "SELECT count(embedding) FROM crash").Scan(&n)
			if n >= k {
				t.Fatalf("query %d: %d neighbours of %d rows", q, len(exact), n)
			}
		}
	}
}

// nearest runs a query of one float8 column and returns its values.
func nearest(t *testing.T, ctx context.Context, conn *pgx.Conn, sql string, args ...any) []float64 {
	t.Helper()
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil {
		t.Fatal(err)
	}
	return out
}
