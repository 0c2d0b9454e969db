package main

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// BenchmarkKNNQuery measures one nearest-neighbour query through the whole
// stack: pgx over loopback, the extended protocol with a prepared
// statement and a vector parameter, the binder's cached plan, the HNSW
// index scan and the row reads. It loads the first 20,000 GloVe vectors
// from ../shared/data and searches with hnsw.ef_search = 100 (recall about
// 0.97 at this size). Run it with -cpuprofile to see where a query's time
// goes outside the graph search.
func BenchmarkKNNQuery(b *testing.B) {
	const rows = 20000
	const efSearch = 100
	base := readF32(b, filepath.Join("..", "..", "..", "shared", "data", "glove-6b-100-cosine.base.f32"), 100, rows)
	queries := readF32(b, filepath.Join("..", "..", "..", "shared", "data", "glove-6b-100-cosine.query.f32"), 100, 1000)
	in := startTestInstance(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, in.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE items (id int PRIMARY KEY, embedding vector(100))"); err != nil {
		b.Fatal(err)
	}
	var data strings.Builder
	for i, v := range base {
		data.WriteString(strconv.Itoa(i) + "\t" + vectorText(v) + "\n")
	}
	if _, err := conn.PgConn().CopyFrom(ctx, strings.NewReader(data.String()), "COPY items FROM STDIN"); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)"); err != nil {
		b.Fatal(err)
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SET hnsw.ef_search = "+strconv.Itoa(efSearch)); err != nil {
		b.Fatal(err)
	}
	const query = "SELECT id FROM items ORDER BY embedding <=> $1 LIMIT 10"
	if _, err := conn.Prepare(ctx, "knn", query); err != nil {
		b.Fatal(err)
	}
	// Vectors go in pgvector's binary format, as pgvector-go sends them.
	params := make([]pgvector.Vector, len(queries))
	for i, q := range queries {
		params[i] = pgvector.NewVector(q)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs, err := conn.Query(ctx, "knn", params[i%len(params)])
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rs.Next() {
			n++
		}
		if rs.Err() != nil || n != 10 {
			b.Fatalf("got %d rows, %v", n, rs.Err())
		}
	}
}

func readF32(b *testing.B, path string, dim, n int) [][]float32 {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("reading the dataset: %v", err)
	}
	out := make([][]float32, n)
	for i := range out {
		v := make([]float32, dim)
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[(i*dim+j)*4:]))
		}
		out[i] = v
	}
	return out
}

func vectorText(v []float32) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
	sb.WriteByte(']')
	return sb.String()
}
