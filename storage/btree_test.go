package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

func TestUniqueViolation(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	tx := db.Begin()
	_, err := tx.Insert(bg, f.tbl, item(1, "a"))
	must(t, err)
	must(t, tx.Commit())

	tests := []struct {
		name string
		run  func(tx *Txn) error
	}{
		{"against committed", func(tx *Txn) error {
			_, err := tx.Insert(bg, f.tbl, item(1, "b"))
			return err
		}},
		{"within the transaction", func(tx *Txn) error {
			if _, err := tx.Insert(bg, f.tbl, item(7, "b")); err != nil {
				return err
			}
			_, err := tx.Insert(bg, f.tbl, item(7, "c"))
			return err
		}},
		{"update onto an existing key", func(tx *Txn) error {
			id, err := tx.Insert(bg, f.tbl, item(8, "b"))
			if err != nil {
				return err
			}
			return tx.Update(bg, f.tbl, id, item(8, "b"), item(1, "b"))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := db.Begin()
			defer tx.Rollback()
			pe := wantCode(t, tc.run(tx), pgerr.UniqueViolation)
			if pe.Message != `duplicate key value violates unique constraint "items_pkey"` {
				t.Errorf("message %q", pe.Message)
			}
			if pe.Detail != "Key (id)=(1) already exists." && pe.Detail != "Key (id)=(7) already exists." {
				t.Errorf("detail %q", pe.Detail)
			}
			if pe.Constraint != "items_pkey" || pe.Table != "items" || pe.Schema != "public" {
				t.Errorf("fields %q %q %q", pe.Constraint, pe.Table, pe.Schema)
			}
		})
	}
}

// A failed insert leaves nothing behind, so a statement may carry on (ON
// CONFLICT DO NOTHING).
func TestUniqueViolationWritesNothing(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{
		{Name: "a", Type: types.TInt4, Attnum: 1}, {Name: "b", Type: types.TInt4, Attnum: 2}}}
	must(t, tx.CreateTable(bg, tbl))
	ia := &Index{Schema: "public", Name: "t_a_key", Table: tbl.OID, Unique: true, Columns: []IndexColumn{{Slot: 0}}}
	ib := &Index{Schema: "public", Name: "t_b_key", Table: tbl.OID, Unique: true, Columns: []IndexColumn{{Slot: 1}}}
	must(t, tx.CreateIndex(bg, ia))
	must(t, tx.CreateIndex(bg, ib))
	_, err := tx.Insert(bg, tbl, []types.Datum{int64(1), int64(1)})
	must(t, err)
	// a is new, b collides: the a entry must not be written.
	_, err = tx.Insert(bg, tbl, []types.Datum{int64(2), int64(1)})
	pe := wantCode(t, err, pgerr.UniqueViolation)
	if pe.Constraint != "t_b_key" || pe.Detail != "Key (b)=(1) already exists." {
		t.Fatalf("%q %q", pe.Constraint, pe.Detail)
	}
	if ids := lookup(t, tx, ia, int64(2)); len(ids) != 0 {
		t.Fatalf("entry of the failed insert remains: %v", ids)
	}
	if n := len(scanAll(t, tx, tbl)); n != 1 {
		t.Fatalf("%d rows", n)
	}
	_, err = tx.Insert(bg, tbl, []types.Datum{int64(2), int64(2)})
	must(t, err)
	must(t, tx.Commit())
}

func TestUniqueNullsDistinct(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{
		{Name: "a", Type: types.TInt4, Attnum: 1}, {Name: "B", Type: types.TText, Attnum: 2}}}
	must(t, tx.CreateTable(bg, tbl))
	idx := &Index{Schema: "public", Name: "t_a_b_key", Table: tbl.OID, Unique: true, Columns: []IndexColumn{{Slot: 0}, {Slot: 1}}}
	must(t, tx.CreateIndex(bg, idx))
	for range 3 {
		_, err := tx.Insert(bg, tbl, []types.Datum{nil, "x"})
		must(t, err)
		_, err = tx.Insert(bg, tbl, []types.Datum{int64(1), nil})
		must(t, err)
	}
	_, err := tx.Insert(bg, tbl, []types.Datum{int64(1), "x"})
	must(t, err)
	_, err = tx.Insert(bg, tbl, []types.Datum{int64(1), "x"})
	pe := wantCode(t, err, pgerr.UniqueViolation)
	if pe.Detail != `Key (a, "B")=(1, x) already exists.` {
		t.Fatalf("detail %q", pe.Detail)
	}
	// IS NULL scans find NULL keys; "=" lookups with NULL find nothing.
	it, err := tx.IndexScan(idx, IndexSpan{Prefix: []types.Datum{nil}})
	must(t, err)
	n := 0
	for it.Next() {
		n++
	}
	must(t, it.Close())
	if n != 3 {
		t.Fatalf("IS NULL prefix scan found %d, want 3", n)
	}
	if ids := lookup(t, tx, idx, nil); len(ids) != 0 {
		t.Fatalf("lookup with NULL found %v", ids)
	}
	if ids := lookup(t, tx, idx, int64(1)); len(ids) != 4 {
		t.Fatalf("prefix lookup found %v, want 4", ids)
	}
	must(t, tx.Commit())
}

func TestCreateIndexBackfill(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{{Name: "a", Type: types.TInt4, Attnum: 1}}}
	must(t, tx.CreateTable(bg, tbl))
	for _, v := range []types.Datum{int64(3), int64(1), nil, int64(2), nil} {
		_, err := tx.Insert(bg, tbl, []types.Datum{v})
		must(t, err)
	}
	must(t, tx.Commit())

	tx = db.Begin()
	idx := &Index{Schema: "public", Name: "t_a_key", Table: tbl.OID, Unique: true, Columns: []IndexColumn{{Slot: 0}}}
	must(t, tx.CreateIndex(bg, idx))
	if ids := lookup(t, tx, idx, int64(2)); len(ids) != 1 || ids[0] != 4 {
		t.Fatalf("backfilled lookup = %v", ids)
	}
	must(t, tx.Commit())

	tx = db.Begin()
	must(t, tx.DropIndex(bg, idx.OID))
	_, err := tx.Insert(bg, tbl, []types.Datum{int64(1)})
	must(t, err)
	dup := &Index{Schema: "public", Name: "t_a_key2", Table: tbl.OID, Unique: true, Columns: []IndexColumn{{Slot: 0}}}
	pe := wantCode(t, tx.CreateIndex(bg, dup), pgerr.UniqueViolation)
	if pe.Message != `could not create unique index "t_a_key2"` || pe.Detail != "Key (a)=(1) is duplicated." {
		t.Fatalf("%q %q", pe.Message, pe.Detail)
	}
	tx.Rollback()

	tx = db.Begin()
	defer tx.Rollback()
	if ids := lookup(t, tx, idx, int64(3)); len(ids) != 1 {
		t.Fatalf("rollback of DROP INDEX lost entries: %v", ids)
	}
	wantCode(t, tx.CreateIndex(bg, &Index{Schema: "public", Name: "t_a_key", Table: tbl.OID, Columns: []IndexColumn{{Slot: 0}}}), pgerr.DuplicateTable)
	// An expression column needs its result type.
	wantCode(t, tx.CreateIndex(bg, &Index{Schema: "public", Name: "e", Table: tbl.OID, Columns: []IndexColumn{{Slot: -1, Expr: "a+1"}}}), pgerr.InternalError)
	// Derived indexes need a keyer (index_keys_test.go tests them).
	wantCode(t, tx.CreateIndex(bg, &Index{Schema: "public", Name: "p", Table: tbl.OID, Predicate: "a > 0", Columns: []IndexColumn{{Slot: 0}}}), pgerr.InternalError)
	// hnsw indexes get only a descriptor.
	must(t, tx.CreateIndex(bg, &Index{Schema: "public", Name: "h", Table: tbl.OID, Method: "hnsw", Columns: []IndexColumn{{Slot: 0, Opclass: "vector_l2_ops"}}}))
}

// TestIndexScanRanges compares range scans against a filter over the rows,
// for ascending and descending columns, NULL placement, and both
// directions.
func TestIndexScanRanges(t *testing.T) {
	db := openMem(t)
	tx := db.Begin()
	tbl := &Table{Schema: "public", Name: "t", Columns: []Column{
		{Name: "g", Type: types.TInt4, Attnum: 1}, {Name: "x", Type: types.TInt4, Attnum: 2}}}
	must(t, tx.CreateTable(bg, tbl))
	type shape struct{ desc, nullsFirst bool }
	shapes := []shape{{false, false}, {false, true}, {true, false}, {true, true}}
	idxs := make([]*Index, len(shapes))
	for i, s := range shapes {
		idxs[i] = &Index{Schema: "public", Name: fmt.Sprintf("t_idx%d", i), Table: tbl.OID,
			Columns: []IndexColumn{{Slot: 0}, {Slot: 1, Desc: s.desc, NullsFirst: s.nullsFirst}}}
		must(t, tx.CreateIndex(bg, idxs[i]))
	}
	r := rand.New(rand.NewPCG(2, 9))
	rows := map[RowID][]types.Datum{}
	for range 300 {
		row := []types.Datum{int64(r.IntN(3)), int64(r.IntN(20))}
		if r.IntN(6) == 0 {
			row[1] = nil
		}
		id, err := tx.Insert(bg, tbl, row)
		must(t, err)
		rows[id] = row
	}
	must(t, tx.Commit())

	tx = db.Begin()
	defer tx.Rollback()
	for round := range 400 {
		g := int64(r.IntN(3))
		var span IndexSpan
		span.Prefix = []types.Datum{g}
		if r.IntN(4) > 0 {
			span.Lo = &Bound{Value: int64(r.IntN(22) - 1), Inclusive: r.IntN(2) == 0}
		}
		if r.IntN(4) > 0 {
			span.Hi = &Bound{Value: int64(r.IntN(22) - 1), Inclusive: r.IntN(2) == 0}
		}
		span.Reverse = r.IntN(2) == 0
		for i, s := range shapes {
			// Expected: the rows that match, in the index's order.
			type ent struct {
				x    types.Datum
				id   RowID
				null bool
			}
			var want []ent
			for id, row := range rows {
				if row[0] != g {
					continue
				}
				if row[1] == nil {
					if span.Lo == nil && span.Hi == nil {
						want = append(want, ent{nil, id, true})
					}
					continue
				}
				x := row[1].(int64)
				if lo := span.Lo; lo != nil && (x < lo.Value.(int64) || x == lo.Value.(int64) && !lo.Inclusive) {
					continue
				}
				if hi := span.Hi; hi != nil && (x > hi.Value.(int64) || x == hi.Value.(int64) && !hi.Inclusive) {
					continue
				}
				want = append(want, ent{x, id, false})
			}
			sort.Slice(want, func(a, b int) bool {
				ea, eb := want[a], want[b]
				if ea.null != eb.null {
					return ea.null == s.nullsFirst
				}
				if !ea.null && ea.x != eb.x {
					return (ea.x.(int64) < eb.x.(int64)) != s.desc
				}
				return ea.id < eb.id
			})
			wantIDs := make([]RowID, len(want))
			for j, e := range want {
				wantIDs[j] = e.id
			}
			if span.Reverse {
				slices.Reverse(wantIDs)
			}
			it, err := tx.IndexScan(idxs[i], span)
			must(t, err)
			var got []RowID
			for it.Next() {
				got = append(got, it.RowID())
			}
			must(t, it.Err())
			must(t, it.Close())
			if !slices.Equal(got, wantIDs) {
				t.Fatalf("round %d shape %+v span g=%d lo=%+v hi=%+v rev=%v:\n got %v\nwant %v",
					round, s, g, span.Lo, span.Hi, span.Reverse, got, wantIDs)
			}
		}
	}
	if _, err := tx.IndexScan(idxs[0], IndexSpan{Prefix: []types.Datum{int64(1), int64(1), int64(1)}}); err == nil {
		t.Fatal("span longer than the index accepted")
	}
}

func TestIndexMaintenanceRandom(t *testing.T) {
	db := openMem(t)
	f := newFixture(t, db)
	r := rand.New(rand.NewPCG(4, 4))
	live := map[RowID][]types.Datum{}
	usedKeys := map[int64]RowID{}
	for round := range 30 {
		tx := db.Begin()
		for range 40 {
			switch op := r.IntN(3); {
			case op == 0 || len(live) == 0:
				k := int64(r.IntN(200))
				row := item(k, fmt.Sprint(r.IntN(5)))
				id, err := tx.Insert(bg, f.tbl, row)
				if _, dup := usedKeys[k]; dup {
					wantCode(t, err, pgerr.UniqueViolation)
					continue
				}
				must(t, err)
				live[id], usedKeys[k] = row, id
			case op == 1:
				for id, old := range live {
					k := int64(r.IntN(200))
					row := item(k, fmt.Sprint(r.IntN(5)))
					err := tx.Update(bg, f.tbl, id, old, row)
					if other, dup := usedKeys[k]; dup && other != id {
						wantCode(t, err, pgerr.UniqueViolation)
						break
					}
					must(t, err)
					delete(usedKeys, old[0].(int64))
					live[id], usedKeys[k] = row, id
					break
				}
			default:
				for id, old := range live {
					must(t, tx.Delete(bg, f.tbl, id, old))
					delete(live, id)
					delete(usedKeys, old[0].(int64))
					break
				}
			}
		}
		must(t, tx.Commit())
		_ = round
	}
	tx := db.Begin()
	defer tx.Rollback()
	// Every index agrees with the table.
	for k, id := range usedKeys {
		if got := lookup(t, tx, f.pkey, k); len(got) != 1 || got[0] != id {
			t.Fatalf("pkey %d -> %v, want %d", k, got, id)
		}
	}
	countEntries := func(idx *Index) int {
		it, err := tx.IndexScan(idx, IndexSpan{})
		must(t, err)
		defer it.Close()
		n := 0
		for it.Next() {
			if _, ok := live[it.RowID()]; !ok {
				t.Fatalf("%s has an entry for dead row %d", idx.Name, it.RowID())
			}
			n++
		}
		return n
	}
	if n := countEntries(f.pkey); n != len(live) {
		t.Fatalf("pkey has %d entries for %d rows", n, len(live))
	}
	if n := countEntries(f.byNam); n != len(live) {
		t.Fatalf("name index has %d entries for %d rows", n, len(live))
	}
	for name := range 5 {
		var want []RowID
		for id, row := range live {
			if row[1] == fmt.Sprint(name) {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if got := lookup(t, tx, f.byNam, fmt.Sprint(name)); !slices.Equal(got, want) {
			t.Fatalf("name %d: %v, want %v", name, got, want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{"id": "id", "a_1": "a_1", "Id": `"Id"`, "1a": `"1a"`, `a"b`: `"a""b"`, "": `""`, "a b": `"a b"`} {
		if got := quoteIdent(in); got != want {
			t.Errorf("quoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}
