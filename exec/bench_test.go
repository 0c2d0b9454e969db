package exec

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

const (
	benchRows = 100_000
	benchDim  = 128
)

// benchTable is (id int4, v vector(128)) with benchRows seeded random
// rows, made once for all benchmarks (and never closed: it lives as long
// as the test binary).
var benchTable = sync.OnceValues(func() (*storage.DB, *storage.Table) {
	db, err := storage.Open(storage.Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		panic(err)
	}
	cols := []storage.Column{
		{Name: "id", Type: types.TInt4, Attnum: 1},
		{Name: "v", Type: types.VectorOf(benchDim), Attnum: 2},
	}
	txn := db.Begin()
	tbl := &storage.Table{Schema: "public", Name: "vecs", Columns: cols}
	if err := txn.CreateTable(bg, tbl); err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range benchRows {
		v := make(types.Vector, benchDim)
		for j := range v {
			v[j] = rng.Float32()
		}
		if _, err := txn.Insert(bg, tbl, []types.Datum{int64(i), v}); err != nil {
			panic(err)
		}
	}
	if err := txn.Commit(); err != nil {
		panic(err)
	}
	tbl, _ = db.Catalog().TableByName("public", "vecs")
	return db, tbl
})

// BenchmarkTopKScan measures the exact nearest-neighbour path:
//
//	SELECT id FROM vecs ORDER BY v <-> $1 LIMIT 10
//
// planned as TopK over Project(id, v <-> $1) over Scan, over 100k rows of
// 128-dimensional vectors. It only measures; ns/op is one full query.
func BenchmarkTopKScan(b *testing.B) {
	db, tbl := benchTable()
	rng := rand.New(rand.NewPCG(2, 2))
	q := make(types.Vector, benchDim)
	for j := range q {
		q[j] = rng.Float32()
	}
	dist := binop(b, "<->", col(1, types.VectorOf(benchDim)), &planner.Param{Index: 0, T: types.VectorOf(benchDim)})
	proj := &planner.Project{Input: scanOf(tbl), Exprs: []planner.Expr{col(0, types.TInt4), dist},
		Out: []planner.OutCol{{Name: "id", T: types.TInt4}, {Name: "?column?", T: types.TFloat8}}}
	plan := &planner.TopK{Input: proj, Keys: []planner.SortKey{key(1, types.TFloat8, false, false)}, Count: i8(10)}
	r := rt(nil)
	r.Params = []types.Datum{q}
	b.ReportAllocs()
	b.SetBytes(benchRows * benchDim * 4)
	for b.Loop() {
		txn := db.Begin()
		r.Txn = txn
		res, err := Start(bg, plan, r)
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
		if n != 10 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}
