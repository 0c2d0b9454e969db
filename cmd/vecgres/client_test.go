package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
)

func connectInstance(t *testing.T, in *instance) (*pgx.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	conn, err := pgx.Connect(ctx, in.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn, ctx
}

// TestPgxAgainstVecgres drives the whole stack with a real driver through
// the extended protocol: parameters, binary results, errors, vectors.
func TestPgxAgainstVecgres(t *testing.T) {
	in := startTestInstance(t)
	conn, ctx := connectInstance(t, in)

	var pid int32
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if uint32(pid) != conn.PgConn().PID() {
		t.Errorf("pg_backend_pid() = %d, BackendKeyData said %d", pid, conn.PgConn().PID())
	}

	for _, stmt := range []string{
		"CREATE TABLE items (id bigint PRIMARY KEY, name text, embedding vector(3))",
		"INSERT INTO items VALUES (1, 'a', '[1,1,1]'), (2, 'b', '[2,2,2]'), (3, NULL, '[1,2,3]')",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}

	rows, err := conn.Query(ctx, "SELECT id, name FROM items ORDER BY embedding <-> $1 LIMIT $2", "[1,2,3]", 2)
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		ID   int64
		Name *string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[item])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != 3 || got[0].Name != nil || got[1].ID != 2 {
		t.Errorf("nearest neighbours = %+v", got)
	}

	_, err = conn.Exec(ctx, "INSERT INTO items (id, name) VALUES ($1, $2)", 1, "dup")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.ConstraintName == "" {
		t.Errorf("duplicate key: %#v", err)
	}

	_, err = conn.Exec(ctx, "SELECT nosuchcolumn FROM items")
	if !errors.As(err, &pgErr) || pgErr.Code != "42703" || pgErr.Position == 0 {
		t.Errorf("undefined column: %#v", err)
	}

	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM items WHERE id > $1", 1).Scan(&n); err != nil || n != 2 {
		t.Errorf("count = %d, %v", n, err)
	}
}

// TestSLTCommand runs "vecgres slt FILE" as a user would, against its own
// temporary in-process server.
func TestSLTCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	file := filepath.Join("..", "..", "testdata", "basics.slt")
	code := run([]string{"slt", "--log-level", "error", file}, &stdout, &stderr, envMap(nil))
	if code != exitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !regexp.MustCompile(`(?m)^[1-9][0-9]* passed, 0 failed$`).Match(stdout.Bytes()) {
		t.Errorf("no summary line in:\n%s", stdout.String())
	}
}

// TestCopyAgainstVecgres moves rows in and out with COPY, in pgx's binary
// format and in text.
func TestCopyAgainstVecgres(t *testing.T) {
	in := startTestInstance(t)
	conn, ctx := connectInstance(t, in)
	if _, err := conn.Exec(ctx, "CREATE TABLE c (id bigint PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"c"}, []string{"id", "name"}, pgx.CopyFromRows([][]any{{1, "one"}, {2, nil}}))
	if err != nil || n != 2 {
		t.Fatalf("binary COPY FROM: %d, %v", n, err)
	}
	tag, err := conn.PgConn().CopyFrom(ctx, strings.NewReader("3\tthree\n4\t\\N\n"), "COPY c FROM STDIN")
	if err != nil || tag.String() != "COPY 2" {
		t.Fatalf("text COPY FROM: %v, %v", tag, err)
	}
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("5\tfive\nnot a number\tx\n"), "COPY c FROM STDIN")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "22P02" {
		t.Errorf("bad COPY row: %v", err)
	}
	var out bytes.Buffer
	tag, err = conn.PgConn().CopyTo(ctx, &out, "COPY c TO STDOUT")
	if err != nil || tag.String() != "COPY 4" {
		t.Fatalf("COPY TO: %v, %v", tag, err)
	}
	if want := "1\tone\n2\t\\N\n3\tthree\n4\t\\N\n"; out.String() != want {
		t.Errorf("COPY TO wrote %q, want %q", out.String(), want)
	}
}

// shortTempDir makes a directory with a path short enough for a Unix
// socket inside it.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestUnixSocket(t *testing.T) {
	sockDir := shortTempDir(t)
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	in, err := startInstance(instanceConfig{Listen: "127.0.0.1:0", SocketDir: sockDir, DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop(context.Background())
	_, port, _ := net.SplitHostPort(in.Addr)
	if want := filepath.Join(sockDir, ".s.PGSQL."+port); in.Socket != want {
		t.Errorf("socket %q, want %q", in.Socket, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=vecgres dbname=vecgres", sockDir, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("SELECT 1 over the socket: %d, %v", one, err)
	}
}

func TestListenUnixReplacesOnlyStaleSockets(t *testing.T) {
	path := filepath.Join(shortTempDir(t), ".s.PGSQL.1")
	live, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := listenUnix(path); err == nil {
		t.Fatal("listenUnix took over a live server's socket")
	}
	live.(*net.UnixListener).SetUnlinkOnClose(false)
	live.Close()
	ln, err := listenUnix(path)
	if err != nil {
		t.Fatalf("listenUnix over a stale socket: %v", err)
	}
	ln.Close()
}
