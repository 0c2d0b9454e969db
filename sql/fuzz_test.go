package sql

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/pgerr"
)

// FuzzSQL feeds arbitrary query strings to a session over a small table:
// whatever the text, the session must answer with rows or a *pgerr.Error
// that is not an internal error, and never panic. Besides the seeds
// below, testdata/fuzz/FuzzSQL holds statements taken from the project's
// sqllogictest files and the crashers found so far.
func FuzzSQL(f *testing.F) {
	seeds := []string{
		"SELECT 1",
		"SELECT id, embedding <-> '[1,2,3]' FROM t ORDER BY 2 LIMIT 3",
		"INSERT INTO t (embedding, name) VALUES ('[1,2,3]', 'x') RETURNING *",
		"UPDATE t SET name = upper(name) WHERE id > 1",
		"DELETE FROM t WHERE embedding <#> '[1,1,1]' < 0",
		"SELECT name, count(*) FROM t GROUP BY name HAVING count(*) > 0 ORDER BY 1",
		"SELECT CASE WHEN id > 1 THEN 'a' ELSE NULL END, coalesce(name, 'z') FROM t",
		"BEGIN; SELECT 1/0; ROLLBACK",
		"SELECT '[1,2'::vector",
		"SELECT 9223372036854775807 + 1",
		"CREATE TABLE u (a int PRIMARY KEY, b text DEFAULT 'x'); DROP TABLE u",
		"SET application_name = 'x'; SHOW application_name",
		"EXPLAIN ANALYZE SELECT * FROM t WHERE id IN (1, 2, NULL)",
		"SELECT avg(embedding), sum(id) FROM t",
		"SELECT 1.5::numeric(3,1) * 2, 'abc' LIKE 'a%', 3 BETWEEN 1 AND 2",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		s := newTestSession(t)
		if _, _, err := runQuery(s, "CREATE TABLE t (id serial PRIMARY KEY, name text, embedding vector(3)); "+
			"INSERT INTO t (name, embedding) VALUES ('a', '[1,2,3]'), (NULL, '[0,0,0]'), ('c', NULL)"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := fuzzRun(ctx, s, query)
		if err != nil && pgerr.From(err).Code == pgerr.InternalError {
			t.Fatalf("%q: internal error: %v", query, err)
		}
		// The session must still work afterwards (after ROLLBACK, in case
		// the query left a transaction block open).
		if _, _, err := runQuery(s, "ROLLBACK"); err != nil {
			t.Fatalf("ROLLBACK after %q: %v", query, err)
		}
		if _, _, err := runQuery(s, "SELECT count(*) FROM t"); err != nil && pgerr.CodeOf(err) != pgerr.UndefinedTable {
			t.Fatalf("after %q: %v", query, err)
		}
	})
}

// fuzzRun runs a query string as the server would: each statement
// prepared and executed, COPY FROM STDIN fed two rows and COPY TO STDOUT
// read to the end, then the implicit transaction committed.
func fuzzRun(ctx context.Context, s *Session, query string) error {
	parsed, err := s.Parse(query)
	if err != nil {
		return err
	}
	for _, p := range parsed {
		st, err := s.Prepare(ctx, p, nil)
		if err != nil {
			s.fail()
			return err
		}
		switch dir, _, _ := st.Copy(); dir {
		case CopyIn:
			if _, err := s.CopyFrom(ctx, st, strings.NewReader("7\tx\t[1,2,3]\n8\t\\N\t\\N\n")); err != nil {
				return err
			}
			continue
		case CopyOut:
			if _, err := s.CopyTo(ctx, st, func([]byte) error { return nil }); err != nil {
				return err
			}
			continue
		}
		c, err := s.Execute(ctx, st, nil)
		if err != nil {
			return err
		}
		for {
			row, err := c.Next(ctx)
			if err != nil {
				return err
			}
			if row == nil {
				break
			}
		}
	}
	return s.CommitImplicit(ctx)
}
