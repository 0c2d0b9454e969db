package sql

import (
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/storage"
)

// openSessionAt opens the store in dir and a session on it; close undoes
// both.
func openSessionAt(t *testing.T, dir string) (s *Session, close func()) {
	t.Helper()
	db, err := storage.Open(storage.Options{Dir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(EngineConfig{DB: db, Logger: zerolog.Nop()})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	s, err = e.NewSession(SessionParams{User: "test", Database: "test"})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return s, func() { s.Close(); db.Close() }
}

func queryRows(t *testing.T, s *Session, q string) []string {
	t.Helper()
	rows, _, err := runQuery(s, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows
}

// TestDerivedIndexesPersist checks that expression and partial indexes,
// btree and hnsw, survive a restart: their definitions are bound again
// from the stored text, the planner still chooses them, their entries
// answer queries, and writes after the restart keep them in step.
func TestDerivedIndexesPersist(t *testing.T) {
	dir := t.TempDir()
	setup := []string{
		"CREATE TABLE p (id int PRIMARY KEY, name text, category text, embedding vector(3))",
		"INSERT INTO p VALUES (1, 'Ann', 'x', '[1,0,0]'), (2, 'bob', 'y', '[0,1,0]'), (3, 'CAT', 'x', '[0,0,1]'), (4, 'ann', 'x', '[1,1,0]')",
		"CREATE INDEX p_lower ON p (lower(name))",
		"CREATE INDEX p_part ON p (id) WHERE category = 'x'",
		"CREATE INDEX p_sub ON p USING hnsw ((subvector(embedding, 1, 2)::vector(2)) vector_l2_ops)",
		"CREATE INDEX p_hnsw_x ON p USING hnsw (embedding vector_l2_ops) WHERE category = 'x'",
	}
	s, closeAll := openSessionAt(t, dir)
	for _, q := range setup {
		queryRows(t, s, q)
	}
	closeAll()

	s, closeAll = openSessionAt(t, dir)
	defer closeAll()
	queryRows(t, s, "SET hnsw.ef_search = 100")
	tests := []struct {
		query string
		plan  string // a line EXPLAIN must show
		want  []string
	}{
		{"SELECT id FROM p WHERE lower(name) = 'ann' ORDER BY id", "Index Scan using p_lower on p", []string{"1", "4"}},
		{"SELECT id FROM p WHERE category = 'x' AND id > 1", "Index Scan using p_part on p", []string{"3", "4"}},
		{"SELECT id FROM p ORDER BY subvector(embedding, 1, 2)::vector(2) <-> '[1,0.9]' LIMIT 2", "Index Scan using p_sub on p", []string{"4", "1"}},
		{"SELECT id FROM p WHERE category = 'x' ORDER BY embedding <-> '[0,1,0]' LIMIT 2", "Index Scan using p_hnsw_x on p", []string{"4", "1"}},
	}
	check := func() {
		t.Helper()
		for _, tc := range tests {
			plan := strings.Join(queryRows(t, s, "EXPLAIN (COSTS OFF) "+tc.query), "\n")
			if !strings.Contains(plan, tc.plan) {
				t.Errorf("%s: plan\n%s\nlacks %q", tc.query, plan, tc.plan)
			}
			if got := queryRows(t, s, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.query, got, tc.want)
			}
		}
	}
	check()
	// Writes after the restart go through the re-bound definitions.
	queryRows(t, s, "INSERT INTO p VALUES (5, 'ANN', 'x', '[0,1,0]')")
	queryRows(t, s, "UPDATE p SET category = 'y' WHERE id = 1")
	tests[0].want = []string{"1", "4", "5"}
	tests[1].want = []string{"3", "4", "5"}
	tests[2].want = []string{"4", "1"}
	tests[3].want = []string{"5", "4"}
	check()
}
