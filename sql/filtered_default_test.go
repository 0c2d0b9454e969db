package sql

import (
	"fmt"
	"slices"
	"testing"
)

// TestFilteredSearchDefaultIterative checks that, without any SET, a
// filtered vector query keeps searching until it has its LIMIT rows
// (hnsw.iterative_scan defaults to strict_order, unlike pgvector's off):
// with a filter that admits a quarter of the rows and LIMIT 30 above
// the quarter of ef_search's 40 candidates that pass, a search that
// stopped after its first batch would return about 10 rows. A filter
// that admits a few rows is answered exactly.
func TestFilteredSearchDefaultIterative(t *testing.T) {
	s := newTestSession(t)
	mustQuery(t, s, "CREATE TABLE items (id int PRIMARY KEY, grp int, embedding vector(3))")
	mustQuery(t, s, `INSERT INTO items SELECT i, i % 4, ARRAY[(i % 17)::real, (i % 23)::real, ((i * 7) % 31)::real]::vector
		FROM generate_series(1, 3000) AS s(i)`)
	mustQuery(t, s, "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
	if got := mustQuery(t, s, "SHOW hnsw.iterative_scan"); !slices.Equal(got, []string{"strict_order"}) {
		t.Fatalf("SHOW hnsw.iterative_scan = %v, want strict_order", got)
	}
	const q = "'[3,4,5]'"
	got := mustQuery(t, s, "SELECT grp FROM items WHERE grp = 1 ORDER BY embedding <-> "+q+" LIMIT 30")
	if len(got) != 30 {
		t.Errorf("a quarter of the rows pass: %d rows, want 30", len(got))
	}
	for _, g := range got {
		if g != "1" {
			t.Fatalf("a row of group %s passed grp = 1", g)
		}
	}
	// 10 rows pass id % 300 = 7; the answer is the exact query's.
	filter := "WHERE id % 300 = 7"
	exact := mustQuery(t, s, fmt.Sprintf("SELECT id FROM items %s ORDER BY (embedding <-> %s) + 0, id LIMIT 5", filter, q))
	indexed := mustQuery(t, s, fmt.Sprintf("SELECT id FROM items %s ORDER BY embedding <-> %s LIMIT 5", filter, q))
	if !slices.Equal(indexed, exact) {
		t.Errorf("10 rows pass: %v, want the exact answer %v", indexed, exact)
	}
	mustQuery(t, s, "SET hnsw.iterative_scan = off")
	if got := mustQuery(t, s, "SHOW hnsw.iterative_scan"); !slices.Equal(got, []string{"off"}) {
		t.Errorf("after SET: %v", got)
	}
}
