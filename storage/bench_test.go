package storage

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vecgres/vecgres/sql/types"
)

const benchRows, benchDim = 100_000, 128

// benchTable fills an in-memory DB with benchRows rows of (id int8, v
// vector(128), note text).
func benchTable(b *testing.B) (*DB, *Table) {
	b.Helper()
	db := openMem(b)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "vecs", Columns: []Column{
		{Name: "id", Type: types.TInt8, Attnum: 1},
		{Name: "v", Type: types.VectorOf(benchDim), Attnum: 2},
		{Name: "note", Type: types.TText, Attnum: 3},
	}}
	must(b, tx.CreateTable(bg, tbl))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range benchRows {
		v := make(types.Vector, benchDim)
		for j := range v {
			v[j] = r.Float32()
		}
		_, err := tx.Insert(bg, tbl, []types.Datum{int64(i), v, "some note"})
		must(b, err)
	}
	must(b, tx.Commit())
	// Measure reads from sstables with no background work pending, as in a
	// data directory that has settled.
	must(b, db.pebble.Flush())
	must(b, db.pebble.Compact(bg, []byte{0}, []byte{0xff}, true))
	return db, tbl
}

// BenchmarkScanVectorColumn is the storage side of an exact top-k scan:
// walk every row and view its vector in place. (The distance itself is the
// kernels' business; touching the first and last element keeps the view
// honest without measuring a naive distance loop.)
func BenchmarkScanVectorColumn(b *testing.B) {
	db, tbl := benchTable(b)
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	var sink float32
	for b.Loop() {
		tx := db.Begin()
		tx.StartStatement()
		it, err := tx.Scan(tbl)
		must(b, err)
		n := 0
		for it.Next() {
			v, null, err := VectorColumn(it.Raw(), 1, len(tbl.Columns))
			if err != nil || null {
				b.Fatal(err)
			}
			sink += v[0] + v[len(v)-1]
			n++
		}
		must(b, it.Err())
		must(b, it.Close())
		must(b, tx.Commit())
		if n != benchRows {
			b.Fatalf("scanned %d rows", n)
		}
	}
	reportPerRow(b, start, cpu)
	b.SetBytes(benchRows * benchDim * 4)
	_ = sink
}

// BenchmarkScanDecode decodes every row fully, for comparison.
func BenchmarkScanDecode(b *testing.B) {
	db, tbl := benchTable(b)
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	for b.Loop() {
		tx := db.Begin()
		it, err := tx.Scan(tbl)
		must(b, err)
		for it.Next() {
			if _, err := it.Row(); err != nil {
				b.Fatal(err)
			}
		}
		must(b, it.Close())
		must(b, tx.Commit())
	}
	reportPerRow(b, start, cpu)
}

// reportPerRow reports wall-clock and CPU nanoseconds per scanned row.
func reportPerRow(b *testing.B, start time.Time, cpu time.Duration) {
	rows := float64(b.N) * benchRows
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/rows, "ns/row")
	b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/rows, "cpu-ns/row")
}

func BenchmarkInsert(b *testing.B) {
	db := openMem(b)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{
		{Name: "id", Type: types.TInt8, Attnum: 1},
		{Name: "v", Type: types.VectorOf(benchDim), Attnum: 2},
	}}
	must(b, tx.CreateTable(bg, tbl))
	must(b, tx.CreateIndex(bg, &Index{Schema: "public", Name: "t_pkey", Table: tbl.OID, Unique: true, Columns: []IndexColumn{{Slot: 0}}}))
	must(b, tx.Commit())
	v := make(types.Vector, benchDim)
	tx = db.Begin()
	i := int64(0)
	for b.Loop() {
		if _, err := tx.Insert(bg, tbl, []types.Datum{i, v}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	must(b, tx.Commit())
}
