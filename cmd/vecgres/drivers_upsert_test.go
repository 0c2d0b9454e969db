package main

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// TestDriverPgxBatchUpsert upserts embeddings as LangChain's PGVector and
// llama-index do (INSERT ... ON CONFLICT (id) DO UPDATE SET embedding =
// EXCLUDED.embedding), in a pgx batch with vector parameters, in every pgx
// query mode, and checks the command tags, RETURNING and that the hnsw
// search finds the upserted vectors.
func TestDriverPgxBatchUpsert(t *testing.T) {
	url := drvTarget(t)
	ctx := drvContext(t)
	const upsert = `INSERT INTO pgx_upsert (id, doc, embedding) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, embedding = EXCLUDED.embedding
		WHERE pgx_upsert.doc IS DISTINCT FROM EXCLUDED.doc RETURNING id, doc`
	for _, mode := range drvPgxModes {
		t.Run(mode.String(), func(t *testing.T) {
			conn := drvConnect(t, ctx, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = mode })
			drvRegisterVector(t, ctx, conn)
			drvExec(t, ctx, conn, "DROP TABLE IF EXISTS pgx_upsert",
				"CREATE TABLE pgx_upsert (id bigint PRIMARY KEY, doc text, embedding vector(3))",
				"CREATE INDEX pgx_upsert_hnsw ON pgx_upsert USING hnsw (embedding vector_l2_ops)")

			// First load: ids 1..5 along the x axis.
			b := &pgx.Batch{}
			for i := int64(1); i <= 5; i++ {
				b.Queue(upsert, i, fmt.Sprintf("doc %d", i), pgvector.NewVector([]float32{float32(i), 0, 0}))
			}
			if err := conn.SendBatch(ctx, b).Close(); err != nil {
				t.Fatal(err)
			}

			// Second load: 5 moves next to the origin, 2 is unchanged (WHERE
			// skips it: no row returned, tag INSERT 0 0), 6 is new.
			b = &pgx.Batch{}
			b.Queue(upsert, int64(5), "doc 5 v2", pgvector.NewVector([]float32{0, 0.1, 0}))
			b.Queue(upsert, int64(2), "doc 2", pgvector.NewVector([]float32{2, 0, 0}))
			b.Queue(upsert, int64(6), "doc 6", pgvector.NewVector([]float32{9, 9, 9}))
			b.Queue("SELECT id FROM pgx_upsert ORDER BY embedding <-> $1 LIMIT 3", pgvector.NewVector([]float32{0, 0, 0}))
			br := conn.SendBatch(ctx, b)
			var returned []string
			for i := 0; i < 3; i++ {
				rows, err := br.Query()
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id int64
					var doc string
					if err := rows.Scan(&id, &doc); err != nil {
						t.Fatal(err)
					}
					returned = append(returned, fmt.Sprintf("%d:%s", id, doc))
				}
				if rows.Err() != nil {
					t.Fatal(rows.Err())
				}
				want := []string{"INSERT 0 1", "INSERT 0 0", "INSERT 0 1"}[i]
				if tag := rows.CommandTag().String(); tag != want {
					t.Errorf("upsert %d: tag %q, want %q", i, tag, want)
				}
			}
			if fmt.Sprint(returned) != "[5:doc 5 v2 6:doc 6]" {
				t.Errorf("RETURNING rows %v, want [5:doc 5 v2 6:doc 6]", returned)
			}
			rows, err := br.Query()
			if err != nil {
				t.Fatal(err)
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				t.Fatal(err)
			}
			drvWantIDs(t, "nearest after the upserts", ids, 5, 1, 2)
			if err := br.Close(); err != nil {
				t.Fatal(err)
			}

			var n int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM pgx_upsert").Scan(&n); err != nil || n != 6 {
				t.Errorf("rows: %d, %v, want 6", n, err)
			}
			drvExec(t, ctx, conn, "DROP TABLE pgx_upsert")
		})
	}
}
