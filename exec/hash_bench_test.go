package exec

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// hashBenchRows is the size of the hash benchmarks' table.
const hashBenchRows = 50_000

// hashBenchTables are big (id int8, grp int8, payload text) with
// hashBenchRows rows, grp = id % 5000, and small, its first tenth, made
// once for all hash benchmarks.
var hashBenchTables = sync.OnceValues(func() (*storage.DB, [2]*storage.Table) {
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		panic(err)
	}
	var tables [2]*storage.Table
	for ti, spec := range []struct {
		name string
		rows int
	}{{"big", hashBenchRows}, {"small", hashBenchRows / 10}} {
		txn := db.Begin()
		tbl := &storage.Table{Schema: "public", Name: spec.name, Columns: bigColumns()}
		if err := txn.CreateTable(bg, tbl); err != nil {
			panic(err)
		}
		for i := range spec.rows {
			row := []types.Datum{int64(i), int64(i % 5000), fmt.Sprintf("row %d %s", i, strings.Repeat("p", i%20))}
			if _, err := txn.Insert(bg, tbl, row); err != nil {
				panic(err)
			}
		}
		if err := txn.Commit(); err != nil {
			panic(err)
		}
		tables[ti], _ = db.Catalog().TableByName("public", spec.name)
	}
	return db, tables
})

// BenchmarkHashOps measures the hash operators on inputs that fit in
// work_mem (the default 64MB): GROUP BY, DISTINCT, a hash join, UNION
// and INTERSECT, each over a scan of 50,000 rows. It only measures;
// ns/op is one full query.
func BenchmarkHashOps(b *testing.B) {
	db, tables := hashBenchTables()
	big, small := scanOf(tables[0]), scanOf(tables[1])
	id, grp := col(0, types.TInt8), col(1, types.TInt8)
	joinOut := append(append([]planner.OutCol{}, big.Out...), small.Out...)
	for _, bc := range []struct {
		name string
		plan planner.Node
		rows int
	}{
		{"group by 5000 groups", aggregateOf(big, []planner.Expr{grp}, agg(b, "count"), agg(b, "sum", id)), 5000},
		{"group by 50000 groups", aggregateOf(big, []planner.Expr{id}, agg(b, "count")), hashBenchRows},
		{"distinct", &planner.Distinct{Input: &planner.Project{Input: big, Exprs: []planner.Expr{grp}, Out: big.Out[1:2]}}, 5000},
		{"hash join", &planner.Join{Left: big, Right: small, Kind: planner.InnerJoin, Cond: binop(b, "=", id, col(3, types.TInt8)),
			EqLeft: []planner.Expr{id}, EqRight: []planner.Expr{id}, Out: joinOut}, hashBenchRows / 10},
		{"left join", &planner.Join{Left: big, Right: small, Kind: planner.LeftJoin, Cond: binop(b, "=", id, col(3, types.TInt8)),
			EqLeft: []planner.Expr{id}, EqRight: []planner.Expr{id}, Out: joinOut}, hashBenchRows},
		{"union", &planner.SetOp{Op: planner.Union, Left: big, Right: small, Out: big.Out}, hashBenchRows},
		{"intersect", &planner.SetOp{Op: planner.Intersect, Left: big, Right: small, Out: big.Out}, hashBenchRows / 10},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				txn := db.Begin()
				res, err := Start(bg, bc.plan, rt(txn))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					row, err := res.Next(bg)
					if err != nil {
						b.Fatal(err)
					}
					if row == nil {
						break
					}
					n++
				}
				res.Close()
				txn.Rollback()
				if n != bc.rows {
					b.Fatalf("%d rows, want %d", n, bc.rows)
				}
			}
		})
	}
}
