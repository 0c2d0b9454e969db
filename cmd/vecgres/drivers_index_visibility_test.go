package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestDriverIndexScanReadCommitted checks that hnsw index scans follow READ
// COMMITTED as PostgreSQL + pgvector does: while one session's transaction
// that deleted, updated and inserted indexed rows is open, another
// session's nearest-neighbour queries (a plain index scan, and a filtered
// one) return the rows as committed, ranked by their committed vectors,
// while the writer sees its own changes; after COMMIT everyone sees them,
// after ROLLBACK no one does. Runs against PostgreSQL too
// (VECGRES_DRIVERS_URL).
func TestDriverIndexScanReadCommitted(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	a := drvConnect(t, ctx, url)
	b := drvConnect(t, ctx, url)
	drvExec(t, ctx, a, "DROP TABLE IF EXISTS vis_items",
		"CREATE TABLE vis_items (id int PRIMARY KEY, grp int, tag int, embedding vector(3))")
	for i := 1; i <= 40; i++ {
		drvExec(t, ctx, a, fmt.Sprintf("INSERT INTO vis_items VALUES (%d, %d, %d, '[%d,0,0]')", i, i%2, i, i))
	}
	drvExec(t, ctx, a, "CREATE INDEX ON vis_items USING hnsw (embedding vector_l2_ops)")
	// PostgreSQL would scan a table this small: make it use the index.
	drvExec(t, ctx, a, "SET enable_seqscan = off")
	drvExec(t, ctx, b, "SET enable_seqscan = off")

	queries := map[string]string{
		"plain":    "SELECT id, embedding <-> '[0,0,0]' FROM vis_items ORDER BY embedding <-> '[0,0,0]' LIMIT 5",
		"filtered": "SELECT id, embedding <-> '[0,0,0]' FROM vis_items WHERE grp = 1 ORDER BY embedding <-> '[0,0,0]' LIMIT 3",
		// Selective: vecgres ranks the few matching rows exactly.
		"selective": "SELECT id, embedding <-> '[0,0,0]' FROM vis_items WHERE tag < 4 ORDER BY embedding <-> '[0,0,0]' LIMIT 3",
	}
	top := func(conn *pgx.Conn, which string) string {
		t.Helper()
		rows, err := conn.Query(ctx, queries[which])
		if err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		defer rows.Close()
		var out string
		for rows.Next() {
			var id int
			var d float64
			if err := rows.Scan(&id, &d); err != nil {
				t.Fatal(err)
			}
			out += fmt.Sprintf("%d:%g ", id, d)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		return out
	}
	want := func(stage string, conn *pgx.Conn, answers [3]string) {
		t.Helper()
		for i, which := range []string{"plain", "filtered", "selective"} {
			if got := top(conn, which); got != answers[i] {
				t.Errorf("%s, %s: %q, want %q", stage, which, got, answers[i])
			}
		}
	}
	committed := [3]string{"1:1 2:2 3:3 4:4 5:5 ", "1:1 3:3 5:5 ", "1:1 2:2 3:3 "}
	changed := [3]string{"41:0.5 2:2 4:4 5:5 6:6 ", "41:0.5 5:5 7:7 ", "2:2 3:10.5 "}
	change := []string{
		"BEGIN",
		"DELETE FROM vis_items WHERE id = 1",
		"UPDATE vis_items SET embedding = '[10.5,0,0]' WHERE id = 3",
		"INSERT INTO vis_items VALUES (41, 1, 41, '[0.5,0,0]')",
	}

	want("before", b, committed)
	drvExec(t, ctx, a, change...)
	want("open, writer", a, changed)
	want("open, other session", b, committed)
	drvExec(t, ctx, a, "ROLLBACK")
	want("rolled back, writer", a, committed)
	want("rolled back, other session", b, committed)

	drvExec(t, ctx, a, change...)
	want("open again, other session", b, committed)
	drvExec(t, ctx, a, "COMMIT")
	want("committed, writer", a, changed)
	want("committed, other session", b, changed)

	// VACUUM reclaims the deleted nodes; the answers stay.
	drvExec(t, ctx, a, "VACUUM vis_items")
	want("vacuumed", b, changed)
	// The queries ran on the index (on PostgreSQL too: every plan names
	// it), so the answers above are the index scan's.
	for which, q := range queries {
		rows, err := b.Query(ctx, "EXPLAIN "+q)
		if err != nil {
			t.Fatal(err)
		}
		plan := ""
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan += line + "\n"
		}
		rows.Close()
		if !strings.Contains(plan, "Index Scan using vis_items_embedding_idx") {
			t.Errorf("%s: the plan does not scan the hnsw index:\n%s", which, plan)
		}
	}
}
