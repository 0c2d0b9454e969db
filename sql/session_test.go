package sql

import (
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// newTestSession opens an in-memory store and a session on it.
func newTestSession(t *testing.T) *Session {
	t.Helper()
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e, err := NewEngine(EngineConfig{DB: db, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSession(SessionParams{User: "test", Database: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// runQuery runs a simple-protocol query string and returns each row of the
// last statement as text values joined by "|", or the error.
func runQuery(s *Session, query string) ([]string, string, error) {
	return runQueryCtx(context.Background(), s, query)
}

func runQueryCtx(ctx context.Context, s *Session, query string) ([]string, string, error) {
	parsed, err := s.Parse(query)
	if err != nil {
		return nil, "", err
	}
	var rows []string
	var tag string
	for _, p := range parsed {
		st, err := s.Prepare(ctx, p, nil)
		if err != nil {
			s.fail()
			return nil, "", err
		}
		c, err := s.Execute(ctx, st, nil)
		if err != nil {
			return nil, "", err
		}
		rows = nil
		for {
			row, err := c.Next(ctx)
			if err != nil {
				return nil, "", err
			}
			if row == nil {
				break
			}
			vals := make([]string, len(row))
			for i, d := range row {
				if d == nil {
					vals[i] = "NULL"
				} else {
					vals[i] = string(types.AppendText(nil, st.Columns()[i].Type, d, s.Format()))
				}
			}
			rows = append(rows, strings.Join(vals, "|"))
		}
		tag = c.Tag()
	}
	if err := s.CommitImplicit(ctx); err != nil {
		return nil, "", err
	}
	return rows, tag, nil
}

func TestSessionBasics(t *testing.T) {
	s := newTestSession(t)
	steps := []struct {
		sql     string
		want    string // rows joined by "\n", or the tag when wantTag
		wantTag bool
		code    pgerr.Code
	}{
		{sql: "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL, embedding vector(3))", want: "CREATE TABLE", wantTag: true},
		{sql: "INSERT INTO items (name, embedding) VALUES ('a', '[1,2,3]'), ('b', '[4,5,6]'), ('c', NULL)", want: "INSERT 0 3", wantTag: true},
		{sql: "SELECT id, name, embedding FROM items ORDER BY id", want: "1|a|[1,2,3]\n2|b|[4,5,6]\n3|c|NULL"},
		{sql: "SELECT name FROM items ORDER BY embedding <-> '[3,3,3]' LIMIT 2", want: "a\nb"},
		{sql: "SELECT name, embedding <-> '[1,2,3]' AS d FROM items WHERE embedding IS NOT NULL ORDER BY d", want: "a|0\nb|5.196152422706632"},
		{sql: "SELECT count(*), sum(id), avg(id), min(name), max(name) FROM items", want: "3|6|2.0000000000000000|a|c"},
		{sql: "UPDATE items SET name = upper(name) WHERE id >= 2 RETURNING id, name", want: "2|B\n3|C"},
		{sql: "DELETE FROM items WHERE name = 'C'", want: "DELETE 1", wantTag: true},
		{sql: "SELECT name FROM items WHERE embedding <#> '[1,1,1]' < -10", want: "B"},
		{sql: "INSERT INTO items (name, embedding) VALUES ('d', '[1,2]')", code: "22000"},
		{sql: "INSERT INTO items (id, name) VALUES (1, 'dup')", code: pgerr.UniqueViolation},
		{sql: "INSERT INTO items (name) VALUES (NULL)", code: pgerr.NotNullViolation},
		{sql: "SELECT nope FROM items", code: pgerr.UndefinedColumn},
		{sql: "SELECT 1/0", code: pgerr.DivisionByZero},
		{sql: "SELECT '[1,2]'::vector <-> '[1,2,3]'", code: pgerr.DataException},
		{sql: "SELECT vector_dims('[1,2,3]'::vector), vector_norm('[3,4]'), l2_normalize('[3,4]'::vector)", want: "3|5|[0.6,0.8]"},
		{sql: "SELECT 1 + 1, 2.5 * 2, 'x' || 'y', 7 / 2, 7.0 / 2", want: "2|5.0|xy|3|3.5000000000000000"},
		{sql: "SELECT name, count(*) FROM items GROUP BY name ORDER BY name", want: "B|1\na|1"},
	}
	for _, st := range steps {
		rows, tag, err := runQuery(s, st.sql)
		if st.code != "" {
			if pgerr.CodeOf(err) != st.code {
				t.Errorf("%s: got error %v, want SQLSTATE %s", st.sql, err, st.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", st.sql, err)
			continue
		}
		got := strings.Join(rows, "\n")
		if st.wantTag {
			got = tag
		}
		if got != st.want {
			t.Errorf("%s:\n got %q\nwant %q", st.sql, got, st.want)
		}
	}
}
