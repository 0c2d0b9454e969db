package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkSubqueryIn measures an IN over an uncorrelated subquery
// through the whole stack: 1,000 outer rows, each asked against the
// 20,000 rows of the subquery (3,000 distinct values; 142 outer rows
// match). ns/op is one query.
//
//	go test ./cmd/vecgres -run '^$' -bench SubqueryIn -benchtime 20x
func BenchmarkSubqueryIn(b *testing.B) {
	in := startTestInstance(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, in.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		"CREATE TABLE inner_rows (grp int, v int)",
		"INSERT INTO inner_rows SELECT i % 3000, i FROM generate_series(1, 20000) AS s(i)",
		"CREATE TABLE outer_rows (id int)",
		"INSERT INTO outer_rows SELECT i FROM generate_series(1, 1000) AS s(i)",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []struct{ name, sql string }{
		{"IN", "SELECT count(*) FROM outer_rows WHERE id IN (SELECT grp * 7 FROM inner_rows)"},
		{"NOT IN", "SELECT count(*) FROM outer_rows WHERE id NOT IN (SELECT grp * 7 FROM inner_rows)"},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				var n int64
				if err := conn.QueryRow(ctx, q.sql).Scan(&n); err != nil {
					b.Fatal(err)
				}
				if want := map[string]int64{"IN": 142, "NOT IN": 858}[q.name]; n != want {
					b.Fatalf("%d rows, want %d", n, want)
				}
			}
		})
	}
}
