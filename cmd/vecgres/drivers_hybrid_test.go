package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// hybridSearchQuery is pgvector's hybrid search example (Reciprocal Rank
// Fusion of a semantic and a keyword ranking), its keyword side written
// with ILIKE and strpos instead of full-text search.
const hybridSearchQuery = `WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> $1) AS rank
    FROM pgx_hybrid ORDER BY embedding <=> $1 LIMIT 4
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY strpos(content, $2) DESC) AS rank
    FROM pgx_hybrid
    WHERE content ILIKE '%' || $2 || '%'
    ORDER BY strpos(content, $2) DESC LIMIT 4
)
SELECT COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) + COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id LIMIT 5`

// TestDriverPgxHybridSearch runs pgvector's hybrid search with a vector
// and a text parameter in every pgx query mode (prepared, described,
// simple) and checks the fused ranking; on vecgres it also checks that the
// semantic side's window reads the hnsw index scan.
func TestDriverPgxHybridSearch(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	for _, mode := range drvPgxModes {
		t.Run(mode.String(), func(t *testing.T) {
			conn := drvConnect(t, ctx, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = mode })
			drvRegisterVector(t, ctx, conn)
			drvExec(t, ctx, conn, "DROP TABLE IF EXISTS pgx_hybrid",
				"CREATE TABLE pgx_hybrid (id bigint PRIMARY KEY, content text, embedding vector(3))",
				`INSERT INTO pgx_hybrid VALUES (1, 'the cat sat on the mat', '[1,0,0]'), (2, 'dogs chase cats', '[0.9,0.1,0]'),
					(3, 'a quick brown fox', '[0,1,0]'), (4, 'the lazy dog sleeps', '[0,0.9,0.2]'),
					(5, 'cats and dogs living together', '[0.5,0.5,0]'), (6, 'nothing to see here', '[0,0,1]'),
					(7, 'my cat likes fish', '[0.8,0,0.3]'), (8, 'fish swim in the sea', '[0.1,0.1,0.9]'),
					(9, 'concatenate the catalog', '[0.2,0.8,0.1]')`,
				"CREATE INDEX pgx_hybrid_hnsw ON pgx_hybrid USING hnsw (embedding vector_cosine_ops)",
				"SET enable_seqscan = off")
			query := pgvector.NewVector([]float32{1, 0.1, 0})
			rows, err := conn.Query(ctx, hybridSearchQuery, query, "cat")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var id int64
				var score float64
				if err := rows.Scan(&id, &score); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%d:%.6f", id, score))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			// Semantic ranks 2, 1, 7, 5; keyword ranks 2, 1, then 7 and 9
			// tied third.
			want := []string{
				fmt.Sprintf("2:%.6f", 2.0/61), fmt.Sprintf("1:%.6f", 2.0/62), fmt.Sprintf("7:%.6f", 2.0/63),
				fmt.Sprintf("9:%.6f", 1.0/63), fmt.Sprintf("5:%.6f", 1.0/64),
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("hybrid search: got %v, want %v", got, want)
			}
			if drvAgainstPostgres() || mode == pgx.QueryExecModeSimpleProtocol {
				return
			}
			plan, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) SELECT id, RANK () OVER (ORDER BY embedding <=> $1) AS rank FROM pgx_hybrid ORDER BY embedding <=> $1 LIMIT 4", query)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := pgx.CollectRows(plan, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(lines, "\n")
			if !strings.Contains(text, "WindowAgg\n        ->  Index Scan using pgx_hybrid_hnsw") {
				t.Errorf("semantic side is not answered from the hnsw index under the window:\n%s", text)
			}
		})
	}
}
