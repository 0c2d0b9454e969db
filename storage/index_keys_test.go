package storage

import (
	"slices"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// plusOneKeyer computes every derived index of the tests as the key
// (a + 1), with the predicate a > 0 when the index has one.
type plusOneKeyer struct{}

func (plusOneKeyer) IndexKey(_ *Table, idx *Index, row []types.Datum) ([]types.Datum, bool, error) {
	a, _ := row[0].(int64)
	if idx.Predicate != "" && (row[0] == nil || a <= 0) {
		return nil, false, nil
	}
	if row[0] == nil {
		return []types.Datum{nil}, true, nil
	}
	return []types.Datum{a + 1}, true, nil
}

// TestDerivedBtreeIndex checks that expression and partial btree indexes
// hold exactly the entries the keyer gives, through backfill, INSERT,
// UPDATE (in, out of and within the predicate) and DELETE.
func TestDerivedBtreeIndex(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	tx.SetIndexKeyer(plusOneKeyer{})
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{{Name: "a", Type: types.TInt8, Attnum: 1}}}
	must(t, tx.CreateTable(bg, tbl))
	id1, err := tx.Insert(bg, tbl, []types.Datum{int64(-5)})
	must(t, err)
	id2, err := tx.Insert(bg, tbl, []types.Datum{int64(7)})
	must(t, err)
	typ := types.TInt8
	expr := &Index{Schema: "public", Name: "t_expr", Table: tbl.OID, Unique: true,
		Columns: []IndexColumn{{Slot: -1, Expr: "(a + 1)", Type: &typ}}, ExprSlots: []int{0}}
	must(t, tx.CreateIndex(bg, expr))
	part := &Index{Schema: "public", Name: "t_part", Table: tbl.OID,
		Columns: []IndexColumn{{Slot: -1, Expr: "(a + 1)", Type: &typ}}, Predicate: "a > 0", ExprSlots: []int{0}}
	must(t, tx.CreateIndex(bg, part))
	cat := tx.Catalog()
	expr, _ = cat.Index(expr.OID)
	part, _ = cat.Index(part.OID)

	check := func(idx *Index, key int64, want ...RowID) {
		t.Helper()
		if got := lookup(t, tx, idx, key); !slices.Equal(got, want) {
			t.Fatalf("%s[%d] = %v, want %v", idx.Name, key, got, want)
		}
	}
	check(expr, -4, id1)
	check(expr, 8, id2)
	check(part, -4)
	check(part, 8, id2)

	// A duplicate of the expression's value violates the unique index,
	// reported with the expression.
	_, err = tx.Insert(bg, tbl, []types.Datum{int64(7)})
	pe := wantCode(t, err, pgerr.UniqueViolation)
	if pe.Detail != "Key ((a + 1))=(8) already exists." {
		t.Fatalf("detail %q", pe.Detail)
	}

	// Entering the predicate adds the entry, leaving it removes it.
	must(t, tx.Update(bg, tbl, id1, []types.Datum{int64(-5)}, []types.Datum{int64(3)}))
	must(t, tx.Update(bg, tbl, id2, []types.Datum{int64(7)}, []types.Datum{int64(0)}))
	check(expr, -4)
	check(expr, 4, id1)
	check(expr, 1, id2)
	check(part, 4, id1)
	check(part, 8)
	check(part, 1)
	// Within the predicate the entry moves.
	must(t, tx.Update(bg, tbl, id1, []types.Datum{int64(3)}, []types.Datum{int64(10)}))
	check(part, 4)
	check(part, 11, id1)
	must(t, tx.Delete(bg, tbl, id1, []types.Datum{int64(10)}))
	check(part, 11)
	check(expr, 11)
	must(t, tx.Commit())

	// Without a keyer a write to a table with a derived index fails
	// rather than skipping the index.
	tx = db.Begin()
	defer tx.Rollback()
	_, err = tx.Insert(bg, tbl, []types.Datum{int64(1)})
	wantCode(t, err, pgerr.InternalError)
}
