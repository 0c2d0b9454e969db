package sql

import (
	"context"
	"strings"
	"testing"
)

// TestRowsFromColumnCacheFollowSnapshot checks that an index scan that
// takes its result rows from the column cache returns them as its
// statement's snapshot sees them, also when another session commits a
// change to the cached columns while the scan is half read.
func TestRowsFromColumnCacheFollowSnapshot(t *testing.T) {
	a := newTestSession(t)
	b, err := a.e.NewSession(SessionParams{User: "test", Database: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	for _, q := range []string{
		"CREATE TABLE t (id int PRIMARY KEY, label text, v vector(2))",
		"INSERT INTO t SELECT g, 'old', ARRAY[g, 0]::real[]::vector FROM generate_series(1, 100) g",
		"CREATE INDEX ON t USING hnsw (v vector_l2_ops)",
	} {
		mustQuery(t, a, q)
	}
	// A LIMIT over 1024 makes the scan read its rows 16 at a time.
	const knn = "SELECT id, label FROM t ORDER BY v <-> '[0,0]' LIMIT 2000"
	if plan := strings.Join(mustQuery(t, a, "EXPLAIN "+knn), "\n"); !strings.Contains(plan, "Index Scan") {
		t.Fatalf("the query does not use the index:\n%s", plan)
	}
	if got := mustQuery(t, a, knn); len(got) != 100 || got[0] != "1|old" {
		t.Fatalf("first run: %d rows, first %q", len(got), got[0])
	}

	ctx := context.Background()
	mustQuery(t, a, "BEGIN")
	parsed, err := a.Parse(knn)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Prepare(ctx, parsed[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Execute(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var labels []string
	next := func() bool {
		row, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if row != nil {
			labels = append(labels, row[1].(string))
		}
		return row != nil
	}
	next()
	// Another session changes every row's label and commits while the
	// scan has read only its first rows.
	mustQuery(t, b, "UPDATE t SET label = 'new'")
	for next() {
	}
	if len(labels) != 100 {
		t.Fatalf("the scan returned %d rows, want 100", len(labels))
	}
	for i, l := range labels {
		if l != "old" {
			t.Fatalf("row %d of the scan has label %q, committed after the statement began; want %q", i+1, l, "old")
		}
	}
	c.Close()
	// The next statement sees the commit, from the cache brought up to
	// date.
	if got := mustQuery(t, a, knn); len(got) != 100 || got[99] != "100|new" {
		t.Fatalf("after the commit: %d rows, last %q", len(got), got[len(got)-1])
	}
	mustQuery(t, a, "COMMIT")
	mustQuery(t, a, "DELETE FROM t WHERE id <= 50")
	if got := mustQuery(t, a, knn); len(got) != 50 || got[0] != "51|new" {
		t.Fatalf("after DELETE: %d rows, first %q", len(got), got[0])
	}
}
