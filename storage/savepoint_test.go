package storage

import (
	"fmt"
	"testing"

	"github.com/vecgres/vecgres/sql/types"
)

func TestRollbackToSavepointUndoesLaterWrites(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)

	tx := db.Begin()
	_, err := tx.Insert(bg, f.tbl, item(1, "kept"))
	must(t, err)
	sp := tx.Savepoint()
	_, err = tx.Insert(bg, f.tbl, item(2, "gone"))
	must(t, err)
	other := &Table{Schema: "public", Name: "other", Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, other))
	_, err = tx.Insert(bg, other, []types.Datum{int64(5)})
	must(t, err)
	if n := tx.RowCount(f.tbl); n != 2 {
		t.Fatalf("row count before ROLLBACK TO = %d, want 2", n)
	}

	must(t, tx.RollbackTo(sp))
	if rows := scanAll(t, tx, f.tbl); len(rows) != 1 {
		t.Fatalf("after ROLLBACK TO the txn sees %d rows, want 1", len(rows))
	}
	if got := lookup(t, tx, f.pkey, int64(2)); len(got) != 0 {
		t.Fatalf("index entry of a rolled back row still there: %v", got)
	}
	if got := lookup(t, tx, f.pkey, int64(1)); len(got) != 1 {
		t.Fatalf("index entry of the row before the savepoint: %v", got)
	}
	if _, ok := tx.Catalog().TableByName("public", "other"); ok {
		t.Fatal("table created after the savepoint survives ROLLBACK TO")
	}
	if n := tx.RowCount(f.tbl); n != 1 {
		t.Fatalf("row count after ROLLBACK TO = %d, want 1", n)
	}

	// The savepoint can be returned to again, and the key reused.
	_, err = tx.Insert(bg, f.tbl, item(2, "again"))
	must(t, err)
	must(t, tx.RollbackTo(sp))
	_, err = tx.Insert(bg, f.tbl, item(3, "last"))
	must(t, err)
	must(t, tx.Commit())

	r := db.Begin()
	defer r.Rollback()
	rows := scanAll(t, r, f.tbl)
	got := map[int64]string{}
	for _, row := range rows {
		got[row[0].(int64)] = row[1].(string)
	}
	if len(got) != 2 || got[1] != "kept" || got[3] != "last" {
		t.Fatalf("committed rows %v, want 1 kept and 3 last", got)
	}
	if n := r.RowCount(f.tbl); n != 2 {
		t.Fatalf("committed row count %d, want 2", n)
	}
	if _, ok := r.Catalog().TableByName("public", "other"); ok {
		t.Fatal("rolled back table committed")
	}
}

func TestSavepointFreezesCatalog(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	defer tx.Rollback()
	must(t, tx.CreateTable(bg, &Table{Schema: "public", Name: "first", Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}))
	sp := tx.Savepoint()
	atSavepoint := tx.Catalog()
	must(t, tx.CreateTable(bg, &Table{Schema: "public", Name: "second", Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}))
	if _, ok := atSavepoint.TableByName("public", "second"); ok {
		t.Fatal("a schema change after the savepoint changed the savepoint's catalog")
	}
	must(t, tx.DropTable(bg, f.tbl.OID))
	must(t, tx.RollbackTo(sp))
	if tx.Catalog() != atSavepoint {
		t.Fatal("ROLLBACK TO did not return to the savepoint's catalog")
	}
	if _, ok := tx.Catalog().Table(f.tbl.OID); !ok {
		t.Fatal("table dropped after the savepoint is gone after ROLLBACK TO")
	}
	if rows := scanAll(t, tx, f.tbl); len(rows) != 0 {
		t.Fatalf("rows %v", rows)
	}
}

func TestSavepointBeforeFirstWriteReleasesLock(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	sp := tx.Savepoint()
	_, err := tx.Insert(bg, f.tbl, item(1, "x"))
	must(t, err)
	must(t, tx.RollbackTo(sp))
	if tx.Writing() {
		t.Fatal("ROLLBACK TO a savepoint taken before any write keeps the writer lock")
	}
	other := db.Begin()
	_, err = other.Insert(bg, f.tbl, item(1, "y"))
	must(t, err)
	must(t, other.Commit())
	must(t, tx.Commit())
}

func TestRollbackToKeepsSequenceValuesTaken(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	seq := &Sequence{Schema: "public", Name: "s", Start: 1, Min: 1, Max: 1 << 40, Increment: 1}
	must(t, tx.CreateSequence(bg, seq))
	sp := tx.Savepoint()
	for range 3 {
		_, err := tx.NextVal(bg, seq)
		must(t, err)
	}
	must(t, tx.RollbackTo(sp))
	v, err := tx.NextVal(bg, seq)
	must(t, err)
	if v != 4 {
		t.Fatalf("nextval after ROLLBACK TO = %d, want 4 (sequences are not rolled back)", v)
	}
	must(t, tx.Commit())
}

// BenchmarkSavepointPerInsert is psql's ON_ERROR_ROLLBACK: a savepoint
// before every insert of one transaction of 10,000, and every k-th insert
// rolled back to its savepoint (as psql does after an error).
func BenchmarkSavepointPerInsert(b *testing.B) {
	const n = 10000
	for _, every := range []int{0, 1000, 100, 10} {
		b.Run(fmt.Sprintf("rollback-every-%d", every), func(b *testing.B) {
			db := openMem(b)
			f := newFixture(b, db)
			for b.Loop() {
				tx := db.Begin()
				for i := range n {
					sp := tx.Savepoint()
					if _, err := tx.Insert(bg, f.tbl, item(int64(i), "x")); err != nil {
						b.Fatal(err)
					}
					if every > 0 && i%every == every-1 {
						if err := tx.RollbackTo(sp); err != nil {
							b.Fatal(err)
						}
					}
				}
				tx.Rollback()
			}
		})
	}
}
