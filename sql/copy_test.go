package sql

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// copyIn runs a COPY FROM STDIN statement with data and commits.
func copyIn(s *Session, stmt, data string) (string, error) {
	ctx := context.Background()
	parsed, err := s.Parse(stmt)
	if err != nil {
		return "", err
	}
	st, err := s.Prepare(ctx, parsed[0], nil)
	if err != nil {
		return "", err
	}
	tag, err := s.CopyFrom(ctx, st, strings.NewReader(data))
	if err != nil {
		return "", err
	}
	return tag, s.CommitImplicit(ctx)
}

func copyOut(s *Session, stmt string) (string, error) {
	ctx := context.Background()
	parsed, err := s.Parse(stmt)
	if err != nil {
		return "", err
	}
	st, err := s.Prepare(ctx, parsed[0], nil)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if _, err := s.CopyTo(ctx, st, func(b []byte) error { out.Write(b); return nil }); err != nil {
		return "", err
	}
	return out.String(), s.CommitImplicit(ctx)
}

func TestCopy(t *testing.T) {
	s := newTestSession(t)
	if _, _, err := runQuery(s, "CREATE TABLE c (id serial PRIMARY KEY, name text, v vector(2), n int DEFAULT 7)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stmt, data string
		wantTag          string
		wantErr          pgerr.Code
		wantWhere        string
	}{
		{name: "text", stmt: "COPY c (name, v) FROM STDIN", data: "a\t[1,2]\n\\N\t[3,4]\nback\\\\slash\\ttab\t\\N\n", wantTag: "COPY 3"},
		{name: "text end marker", stmt: "COPY c (name, v) FROM STDIN", data: "b\t[5,6]\n\\.\n", wantTag: "COPY 1"},
		{name: "csv header", stmt: "COPY c (name, v) FROM STDIN (FORMAT csv, HEADER)", data: "name,v\n\"q,uo\"\"te\",\"[7,8]\"\n,\n", wantTag: "COPY 2"},
		{name: "bad value", stmt: "COPY c (name, v) FROM STDIN", data: "ok\t[1,1]\nbad\t[1,2,3]\n", wantErr: "22000",
			wantWhere: `COPY c, line 2, column v: "[1,2,3]"`},
		{name: "extra column", stmt: "COPY c (name) FROM STDIN", data: "x\ty\n", wantErr: pgerr.BadCopyFileFormat, wantWhere: "COPY c, line 1: \"x\ty\""},
		{name: "unique violation", stmt: "COPY c (id, name) FROM STDIN (FORMAT csv)", data: "1000,a\n1000,b\n", wantErr: pgerr.UniqueViolation,
			wantWhere: "COPY c, line 2"},
	}
	for _, tc := range tests {
		tag, err := copyIn(s, tc.stmt, tc.data)
		if tc.wantErr != "" {
			pe := pgerr.From(err)
			if err == nil || pe.Code != tc.wantErr || pe.Where != tc.wantWhere {
				t.Errorf("%s: got %v (where %q), want %s (where %q)", tc.name, err, pe.Where, tc.wantErr, tc.wantWhere)
			}
			continue
		}
		if err != nil || tag != tc.wantTag {
			t.Errorf("%s: got %q, %v; want %q", tc.name, tag, err, tc.wantTag)
		}
	}
	// Failed COPYs kept nothing.
	rows, _, err := runQuery(s, "SELECT id, name, v, n FROM c ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	want := "1|a|[1,2]|7\n2|NULL|[3,4]|7\n3|back\\slash\ttab|NULL|7\n4|b|[5,6]|7\n5|q,uo\"te|[7,8]|7\n6|NULL|NULL|7"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	out, err := copyOut(s, "COPY c (id, name, v) TO STDOUT")
	if err != nil {
		t.Fatal(err)
	}
	if want := "1\ta\t[1,2]\n2\t\\N\t[3,4]\n3\tback\\\\slash\\ttab\t\\N\n4\tb\t[5,6]\n5\tq,uo\"te\t[7,8]\n6\t\\N\t\\N\n"; out != want {
		t.Errorf("COPY TO text:\n%q\nwant\n%q", out, want)
	}
	out, err = copyOut(s, "COPY (SELECT name FROM c WHERE id IN (3, 5, 6) ORDER BY id) TO STDOUT (FORMAT csv, HEADER)")
	if err != nil {
		t.Fatal(err)
	}
	if want := "name\nback\\slash\ttab\n\"q,uo\"\"te\"\n\n"; out != want {
		t.Errorf("COPY TO csv:\n%q\nwant\n%q", out, want)
	}
	// Binary round trip: what COPY TO writes, COPY FROM reads.
	bin, err := copyOut(s, "COPY c (name, v) TO STDOUT (FORMAT binary)")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := runQuery(s, "CREATE TABLE c2 (name text, v vector(2))"); err != nil {
		t.Fatal(err)
	}
	if tag, err := copyIn(s, "COPY c2 FROM STDIN (FORMAT binary)", bin); err != nil || tag != "COPY 6" {
		t.Fatalf("binary COPY FROM: %q, %v", tag, err)
	}
	rows, _, err = runQuery(s, "SELECT count(*), count(v), count(name) FROM c2")
	if err != nil || rows[0] != "6|4|4" {
		t.Errorf("binary copy rows: %v %v", rows, err)
	}
}

func TestCopyFailFromClient(t *testing.T) {
	s := newTestSession(t)
	if _, _, err := runQuery(s, "CREATE TABLE f (a int)"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	parsed, _ := s.Parse("COPY f FROM STDIN")
	st, err := s.Prepare(ctx, parsed[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	failing := &failingReader{data: "1\n2\n", err: pgerr.New(pgerr.QueryCanceled, "COPY from stdin failed: client gave up")}
	if _, err := s.CopyFrom(ctx, st, failing); pgerr.CodeOf(err) != pgerr.QueryCanceled {
		t.Fatalf("got %v", err)
	}
	rows, _, err := runQuery(s, "SELECT count(*) FROM f")
	if err != nil || rows[0] != "0" {
		t.Fatalf("rows after CopyFail: %v %v", rows, err)
	}
}

type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestCopyToBinaryMessages checks how binary COPY TO cuts its data into
// messages: the header with the first row, then one row each, then the
// trailer, as PostgreSQL sends them (psycopg parses each message as rows
// once it has skipped the header of the first).
func TestCopyToBinaryMessages(t *testing.T) {
	s := newTestSession(t)
	ctx := context.Background()
	if _, _, err := runQuery(s, "CREATE TABLE cb (i int)"); err != nil {
		t.Fatal(err)
	}
	chunks := func() []int {
		t.Helper()
		parsed, err := s.Parse("COPY cb TO STDOUT (FORMAT binary)")
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Prepare(ctx, parsed[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int
		if _, err := s.CopyTo(ctx, st, func(b []byte) error { sizes = append(sizes, len(b)); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitImplicit(ctx); err != nil {
			t.Fatal(err)
		}
		return sizes
	}
	const header, row, trailer = 19, 2 + 4 + 4, 2
	if got, want := chunks(), []int{header + trailer}; !slices.Equal(got, want) {
		t.Errorf("empty table: messages of %v bytes, want %v", got, want)
	}
	if _, _, err := runQuery(s, "INSERT INTO cb VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	if got, want := chunks(), []int{header + row, row, trailer}; !slices.Equal(got, want) {
		t.Errorf("two rows: messages of %v bytes, want %v", got, want)
	}
}
