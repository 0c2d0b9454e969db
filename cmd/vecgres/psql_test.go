package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var psqlRecord = flag.String("psql.record", "", "`URL` of a PostgreSQL with pgvector (superuser postgres, trust) to record testdata/psql/*.golden from")

// TestPsql runs psql's describe commands against vecgres and compares
// their output with golden files recorded from PostgreSQL + pgvector for
// the same schema (psqlSchema): what psql prints is what its users see,
// and it comes from psql's own catalog queries, so this checks pg_catalog
// and the catalog functions the way psql uses them.
//
// The psql binary must be installed (it is on the machines vecgres is
// developed and tested on): the test fails when it is missing. To record
// the golden files again, against a server where the database psql_golden
// may be dropped and made again:
//
//	go test ./cmd/vecgres -run TestPsql -psql.record 'postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable'
func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("the psql client is needed for this test and was not found: %v (install postgresql-client)", err)
	}
	if *psqlRecord != "" {
		recordPsql(t, psql, *psqlRecord)
		return
	}
	in := startTestInstance(t)
	host, port, err := net.SplitHostPort(in.Addr)
	if err != nil {
		t.Fatal(err)
	}
	conn := fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", net.JoinHostPort(host, port), psqlDatabase)
	if out, err := runPsql(psql, conn, "-v", "ON_ERROR_STOP=1", "-c", psqlSchema); err != nil {
		t.Fatalf("creating the schema: %v\n%s", err, out)
	}
	for _, c := range psqlCommands {
		t.Run(c.name, func(t *testing.T) { checkPsqlGolden(t, psql, conn, c) })
	}
	// The commands that show an HNSW index.
	if out, err := runPsql(psql, conn, "-v", "ON_ERROR_STOP=1", "-c", psqlHNSW); err != nil {
		t.Fatalf("creating the hnsw index: %v\n%s", err, out)
	}
	for _, c := range psqlHNSWCommands {
		t.Run(c.name, func(t *testing.T) { checkPsqlGolden(t, psql, conn, c) })
	}
	if out, err := runPsql(psql, conn, "-v", "ON_ERROR_STOP=1", "-c", psqlChecks); err != nil {
		t.Fatalf("creating the table with checks: %v\n%s", err, out)
	}
	for _, c := range psqlChecksCommands {
		t.Run(c.name, func(t *testing.T) { checkPsqlGolden(t, psql, conn, c) })
	}
}

// psqlDatabase is the database the commands run in, on both servers.
const psqlDatabase = "psql_golden"

// psqlSchema is what the describe commands describe.
const psqlSchema = `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE items (
	id bigserial PRIMARY KEY,
	embedding vector(3),
	name text NOT NULL DEFAULT 'x',
	price numeric(10,2) DEFAULT 0,
	qty integer DEFAULT -1,
	created_at timestamptz DEFAULT now(),
	tags text[],
	code varchar(20) UNIQUE,
	flag boolean DEFAULT true
);
CREATE INDEX ON items (name);
CREATE INDEX items_price_idx ON items (price DESC);
CREATE TABLE notes (id integer PRIMARY KEY, item_id bigint NOT NULL, body text, UNIQUE (item_id, body));
CREATE SCHEMA app;
CREATE TABLE app.events (id integer PRIMARY KEY, at date DEFAULT CURRENT_DATE, payload jsonb);
`

// psqlHNSW adds an HNSW index for psqlHNSWCommands.
const psqlHNSW = `CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);`

type psqlCommand struct {
	name string   // golden file name
	args []string // psql arguments after the connection
	note string   // how vecgres's answer may differ, for the golden file's header
}

var psqlCommands = []psqlCommand{
	{name: "l", args: []string{"-c", `\l`},
		note: "vecgres lists a new cluster's databases (postgres, template0, template1) and the session's."},
	{name: "dn", args: []string{"-c", `\dn`}},
	{name: "dn_plus", args: []string{"-c", `\dn+`}},
	{name: "du", args: []string{"-c", `\du`}},
	{name: "dT", args: []string{"-c", `\dT`}},
	{name: "dv", args: []string{"-c", `\dv`}},
	{name: "dt", args: []string{"-c", `\dt`}},
	{name: "dt_app", args: []string{"-c", `\dt app.*`}},
	{name: "d", args: []string{"-c", `\d`}},
	{name: "d_items", args: []string{"-c", `\d items`}},
	{name: "d_plus_items", args: []string{"-c", `\d+ items`}},
	{name: "d_notes", args: []string{"-c", `\d notes`}},
	{name: "d_app_events", args: []string{"-c", `\d app.events`}},
	{name: "d_items_id_seq", args: []string{"-c", `\d items_id_seq`}},
	{name: "d_items_pkey", args: []string{"-c", `\d items_pkey`}},
	{name: "di", args: []string{"-c", `\di`}},
	{name: "ds", args: []string{"-c", `\ds`}},
	{name: "dx", args: []string{"-c", `\dx`},
		note: "vecgres reports the pgvector version its behaviour is recorded from."},
	{name: "df", args: []string{"-c", `\df`},
		note: "pgvector's functions, created in public by CREATE EXTENSION vector."},
	{name: "timing", args: []string{"-c", `\timing on`, "-c", `SELECT 1 AS one`},
		note: "The elapsed time is replaced by <elapsed> on both sides."},
}

// psqlChecks adds a table with CHECK constraints for psqlChecksCommands
// (after the others, which list every relation).
const psqlChecks = `CREATE TABLE checked (id integer PRIMARY KEY, qty integer NOT NULL CHECK (qty >= 0), lo integer, hi integer,
	CONSTRAINT lo_below_hi CHECK (lo < hi), CHECK (lo > -10 AND name <> ''), name text);`

var psqlChecksCommands = []psqlCommand{
	{name: "d_checked", args: []string{"-c", `\d checked`}},
}

var psqlHNSWCommands = []psqlCommand{
	{name: "hnsw_d_items", args: []string{"-c", `\d items`}},
	{name: "hnsw_di", args: []string{"-c", `\di`}},
	{name: "hnsw_d_index", args: []string{"-c", `\d items_embedding_idx`}},
	{name: "hnsw_d_plus_items", args: []string{"-c", `\d+ items`}},
}

// runPsql runs psql without a psqlrc, pager or locale of the caller's.
func runPsql(psql, conn string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, append([]string{"-X", "-P", "pager=off", "-d", conn}, args...)...)
	env := []string{"LC_ALL=C", "PGCLIENTENCODING=UTF8", "PGTZ=UTC"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "PSQL") && !strings.HasPrefix(kv, "LC_") &&
			!strings.HasPrefix(kv, "LANG") && !strings.HasPrefix(kv, "PAGER") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return normalizePsql(out), err
}

var elapsed = regexp.MustCompile(`Time: [0-9.]+ ms`)

func normalizePsql(out []byte) []byte { return elapsed.ReplaceAll(out, []byte("Time: <elapsed>")) }

func goldenPath(name string) string { return filepath.Join("testdata", "psql", name+".golden") }

// readGolden returns a golden file's psql output, without its header of
// "# " lines.
func readGolden(t *testing.T, name string) []byte {
	b, err := os.ReadFile(goldenPath(name))
	if err != nil {
		t.Fatalf("%v (record the golden files with -psql.record)", err)
	}
	for bytes.HasPrefix(b, []byte("# ")) || bytes.HasPrefix(b, []byte("#\n")) {
		i := bytes.IndexByte(b, '\n')
		b = b[i+1:]
	}
	return b
}

func checkPsqlGolden(t *testing.T, psql, conn string, c psqlCommand) {
	got, err := runPsql(psql, conn, c.args...)
	want := readGolden(t, c.name)
	if err != nil && !bytes.Contains(want, []byte("ERROR")) {
		t.Errorf("psql %s: %v", strings.Join(c.args, " "), err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("psql %s: output differs from %s\n--- got\n%s--- want\n%s", strings.Join(c.args, " "), goldenPath(c.name), got, want)
	}
}

// recordPsql makes the schema in a new database psql_golden on the server
// at rawURL and records every command's output there.
func recordPsql(t *testing.T, psql, rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	run := func(conn string, args ...string) string {
		t.Helper()
		out, err := runPsql(psql, conn, args...)
		if err != nil {
			t.Fatalf("psql %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	admin := u.String()
	run(admin, "-c", "DROP DATABASE IF EXISTS "+psqlDatabase)
	run(admin, "-c", "CREATE DATABASE "+psqlDatabase)
	dbs := strings.Fields(run(admin, "-At", "-c", "SELECT datname FROM pg_database ORDER BY 1"))
	if !slices.Equal(dbs, []string{"postgres", psqlDatabase, "template0", "template1"}) {
		t.Fatalf("the server has databases %v: \\l would list databases vecgres does not have", dbs)
	}
	u.Path = "/" + psqlDatabase
	conn := u.String()
	run(conn, "-v", "ON_ERROR_STOP=1", "-c", psqlSchema)
	version := strings.TrimSpace(run(conn, "-At", "-c", "SELECT split_part(version(), ' ', 2) || ', pgvector ' || extversion FROM pg_extension WHERE extname = 'vector'"))
	client := strings.TrimSpace(run(conn, "--version"))
	write := func(c psqlCommand) {
		out, err := runPsql(psql, conn, c.args...)
		if err != nil {
			t.Logf("psql %s: %v (recorded as it is)", strings.Join(c.args, " "), err)
		}
		var hdr strings.Builder
		fmt.Fprintf(&hdr, "# psql %s\n", strings.Join(c.args, " "))
		fmt.Fprintf(&hdr, "# Recorded from PostgreSQL %s with %s, in a database made by psqlSchema.\n", version, client)
		hdr.WriteString("# psql 15 sends the same catalog queries to PostgreSQL 15 and 16 (vecgres reports 16.4),\n")
		hdr.WriteString("# so the output is compared as it is.\n")
		if c.note != "" {
			fmt.Fprintf(&hdr, "# %s\n", c.note)
		}
		if err := os.MkdirAll(filepath.Dir(goldenPath(c.name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath(c.name), append([]byte(hdr.String()), out...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range psqlCommands {
		write(c)
	}
	run(conn, "-v", "ON_ERROR_STOP=1", "-c", psqlHNSW)
	for _, c := range psqlHNSWCommands {
		write(c)
	}
	run(conn, "-v", "ON_ERROR_STOP=1", "-c", psqlChecks)
	for _, c := range psqlChecksCommands {
		write(c)
	}
	run(admin, "-c", "DROP DATABASE "+psqlDatabase)
}
