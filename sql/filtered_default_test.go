package sql

import (
	"fmt"
	"slices"
	"strings"
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

// TestFilteredExactScan checks the answers of filtered vector queries
// selective enough to be ranked exactly (the rows the filter passes,
// found in the column cache, ordered by their distances from the graph's
// vectors): the same distances, in the same order, as the exact query
// that sorts every row, for filters the cache tests column by column
// (integer comparisons, NULLs among the values, a NULL operand) and row
// by row; and EXPLAIN ANALYZE names the strategy.
func TestFilteredExactScan(t *testing.T) {
	s := newTestSession(t)
	mustQuery(t, s, "CREATE TABLE items (id int PRIMARY KEY, grp int, small int2, tag text, embedding vector(3))")
	mustQuery(t, s, `INSERT INTO items SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 100 END, (i % 50)::int2,
		CASE WHEN i % 40 = 0 THEN 'rare' ELSE 'common' END,
		ARRAY[(i % 17)::real, (i % 23)::real, ((i * 7) % 31)::real]::vector
		FROM generate_series(1, 3000) AS s(i)`)
	mustQuery(t, s, "INSERT INTO items VALUES (5000, 5, 5, 'rare', NULL)") // no vector: not in the index
	mustQuery(t, s, "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
	const q = "'[3,4,5]'"
	for _, filter := range []string{
		"grp = 5",
		"grp < 3",
		"3 > grp",
		"grp BETWEEN 10 AND 12",
		"grp >= 97 AND small < 20",
		"small = 7",
		"grp < NULL",
		"grp = 1000",
		"tag = 'rare'",
		"id % 300 = 7",
	} {
		exact := mustQuery(t, s, fmt.Sprintf(
			"SELECT round((embedding <-> %s)::numeric, 5) FROM items WHERE %s AND embedding IS NOT NULL ORDER BY (embedding <-> %s) + 0 LIMIT 7", q, filter, q))
		indexed := mustQuery(t, s, fmt.Sprintf(
			"SELECT round((embedding <-> %s)::numeric, 5) FROM items WHERE %s ORDER BY embedding <-> %s LIMIT 7", q, filter, q))
		if !slices.Equal(indexed, exact) {
			t.Errorf("WHERE %s: distances %v, want %v", filter, indexed, exact)
		}
	}
	plan := strings.Join(mustQuery(t, s, "EXPLAIN ANALYZE SELECT id FROM items WHERE grp = 5 ORDER BY embedding <-> "+q+" LIMIT 7"), "\n")
	if !strings.Contains(plan, "Filter Strategy: exact scan of the matching rows") {
		t.Errorf("EXPLAIN ANALYZE:\n%s", plan)
	}
}
