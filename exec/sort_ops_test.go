package exec

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// key makes an ORDER BY key on a column of type t. PostgreSQL's default
// puts NULLs last ascending and first descending; the binder makes that
// explicit in NullsFirst, and so do these tests.
func key(idx int, t types.T, desc, nullsFirst bool) planner.SortKey {
	return planner.SortKey{Expr: col(idx, t), Desc: desc, NullsFirst: nullsFirst, Cmp: builtins.CompareFunc(t)}
}

// pairsTable is (k int4, seq int4) where seq is the insertion order, for
// checking that sorts are stable.
func pairsColumns() []storage.Column {
	return []storage.Column{
		{Name: "k", Type: types.TInt4, Attnum: 1},
		{Name: "seq", Type: types.TInt4, Attnum: 2},
	}
}

func TestSort(t *testing.T) {
	db := openDB(t)
	tbl := createTable(t, db, "pairs", pairsColumns(),
		[]string{"2", "1"}, []string{"NULL", "2"}, []string{"1", "3"}, []string{"2", "4"},
		[]string{"NULL", "5"}, []string{"3", "6"}, []string{"1", "7"})
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)
	k := types.TInt4
	for _, tc := range []struct {
		name string
		keys []planner.SortKey
		want string
	}{
		// Equal keys keep their input order (seq).
		{"asc, nulls last", []planner.SortKey{key(0, k, false, false)}, "1/3 1/7 2/1 2/4 3/6 NULL/2 NULL/5"},
		{"asc nulls first", []planner.SortKey{key(0, k, false, true)}, "NULL/2 NULL/5 1/3 1/7 2/1 2/4 3/6"},
		{"desc, nulls first", []planner.SortKey{key(0, k, true, true)}, "NULL/2 NULL/5 3/6 2/1 2/4 1/3 1/7"},
		{"desc nulls last", []planner.SortKey{key(0, k, true, false)}, "3/6 2/1 2/4 1/3 1/7 NULL/2 NULL/5"},
		{"two keys", []planner.SortKey{key(0, k, false, true), key(1, k, true, false)}, "NULL/5 NULL/2 1/7 1/3 2/4 2/1 3/6"},
		{"second key breaks ties only", []planner.SortKey{key(1, k, true, false), key(0, k, false, false)},
			"1/7 3/6 NULL/5 2/4 1/3 NULL/2 2/1"},
	} {
		got := mustRun(t, &planner.Sort{Input: scan, Keys: tc.keys}, rt(txn))
		if s := pairs(got); s != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, s, tc.want)
		}
	}

	// A key computed from the row: ORDER BY seq % 3, k.
	mod := planner.SortKey{Expr: binop(t, "%", col(1, k), i4("3")), Cmp: builtins.CompareFunc(k)}
	got := mustRun(t, &planner.Sort{Input: scan, Keys: []planner.SortKey{mod, key(0, k, false, false)}}, rt(txn))
	if s, want := pairs(got), "1/3 3/6 1/7 2/1 2/4 NULL/2 NULL/5"; s != want {
		t.Errorf("computed key: got %s, want %s", s, want)
	}
}

// TestSortTypes checks orderings that come from the types: NaN after
// every float, numeric by value, text by bytes (C collation), vectors as
// pgvector compares them.
func TestSortTypes(t *testing.T) {
	for _, tc := range []struct {
		t      types.T
		values []string
		want   string
	}{
		{types.TFloat8, []string{"1", "NaN", "-Infinity", "Infinity", "-0", "0.5"}, "-Infinity -0 0.5 1 Infinity NaN"},
		{types.TNumeric, []string{"1.50", "NaN", "-2", "1.5", "Infinity", "0.001"}, "-2 0.001 1.50 1.5 Infinity NaN"},
		{types.TText, []string{"b", "B", "é", "a", "", "ab"}, " B a ab b é"},
		{types.TVector, []string{"[1,2]", "[1,2,3]", "[0,5]", "[1,1,9]"}, "[0,5] [1,1,9] [1,2] [1,2,3]"},
		{types.TBool, []string{"true", "false"}, "f t"},
	} {
		var rows [][]planner.Expr
		for _, v := range tc.values {
			rows = append(rows, []planner.Expr{lit(tc.t, v)})
		}
		vals := &planner.Values{Rows: rows, Out: []planner.OutCol{{T: tc.t}}}
		got := mustRun(t, &planner.Sort{Input: vals, Keys: []planner.SortKey{key(0, tc.t, false, false)}}, rt(nil))
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: got %q, want %q", tc.t, s, tc.want)
		}
	}
}

func pairs(rows []string) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Replace(r, " ", "/", 1)
	}
	return strings.Join(out, " ")
}

// TestTopKMatchesSortLimit runs ORDER BY ... LIMIT ... OFFSET as a TopK and
// as a Limit over a full Sort on seeded random data, with many ties and
// NULLs, and wants the same rows in the same order.
func TestTopKMatchesSortLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	db := openDB(t)
	cols := []storage.Column{
		{Name: "a", Type: types.TInt4, Attnum: 1},
		{Name: "b", Type: types.TFloat8, Attnum: 2},
		{Name: "seq", Type: types.TInt4, Attnum: 3},
	}
	var rows [][]string
	for i := range 500 {
		a, b := fmt.Sprint(rng.IntN(20)), fmt.Sprint(float64(rng.IntN(50))/4)
		if rng.IntN(10) == 0 {
			a = "NULL"
		}
		if rng.IntN(10) == 0 {
			b = "NULL"
		}
		rows = append(rows, []string{a, b, fmt.Sprint(i)})
	}
	tbl := createTable(t, db, "r", cols, rows...)
	txn := db.Begin()
	defer txn.Rollback()
	scan := scanOf(tbl)
	for trial := range 300 {
		var keys []planner.SortKey
		for range 1 + rng.IntN(2) {
			c := rng.IntN(2)
			keys = append(keys, key(c, cols[c].Type, rng.IntN(2) == 0, rng.IntN(2) == 0))
		}
		count := i8(int64(rng.IntN(40)))
		var offset planner.Expr
		if rng.IntN(2) == 0 {
			offset = i8(int64(rng.IntN(30)))
		}
		if trial%50 == 0 {
			count = i8(int64(490 + rng.IntN(20))) // around the input size
		}
		sorted := mustRun(t, &planner.Limit{Input: &planner.Sort{Input: scan, Keys: keys}, Count: count, Offset: offset}, rt(txn))
		topk := mustRun(t, &planner.TopK{Input: scan, Keys: keys, Count: count, Offset: offset}, rt(txn))
		if !slices.Equal(sorted, topk) {
			t.Fatalf("trial %d: keys %+v count %v offset %v:\nsort+limit %q\ntop-k      %q", trial, keys, count.Value, offset, sorted, topk)
		}
		// And what Optimize makes of the Limit over Sort is a TopK.
		opt := planner.Optimize(&planner.Limit{Input: &planner.Sort{Input: scan, Keys: keys}, Count: count, Offset: offset}, nil)
		if _, ok := opt.(*planner.TopK); !ok {
			t.Fatalf("Optimize gave %T", opt)
		}
	}
}

func TestTopKWithoutCount(t *testing.T) {
	// A TopK without a count (never made by the planner, but valid) sorts
	// everything and applies the offset.
	vals := &planner.Values{Out: []planner.OutCol{{T: types.TInt4}}}
	for _, v := range []string{"3", "1", "2"} {
		vals.Rows = append(vals.Rows, []planner.Expr{i4(v)})
	}
	got := mustRun(t, &planner.TopK{Input: vals, Keys: []planner.SortKey{key(0, types.TInt4, false, false)}, Offset: i8(1)}, rt(nil))
	wantRows(t, "top-k without count", got, "2", "3")
}
