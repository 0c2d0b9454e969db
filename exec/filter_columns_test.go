package exec

import (
	"container/heap"
	"slices"
	"testing"

	"github.com/vecgres/vecgres/index/columns"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

func TestIntTerms(t *testing.T) {
	grp := &planner.ColRef{Idx: 1, T: types.TInt4, Name: "grp"}
	small := &planner.ColRef{Idx: 2, T: types.TInt2, Name: "small"}
	big := &planner.ColRef{Idx: 3, T: types.TInt8, Name: "big"}
	name := &planner.ColRef{Idx: 4, T: types.TText, Name: "name"}
	cmp := func(op string, a, b planner.Expr) planner.Expr {
		return &planner.Func{Op: op, Name: op, Args: []planner.Expr{a, b}, T: types.TBool}
	}
	and := func(args ...planner.Expr) planner.Expr { return &planner.BoolOp{Op: planner.And, Args: args} }
	or := func(args ...planner.Expr) planner.Expr { return &planner.BoolOp{Op: planner.Or, Args: args} }
	widen := func(e planner.Expr, to types.T) planner.Expr { return &planner.Cast{Arg: e, To: to} }
	c4 := func(v int64) planner.Expr { return &planner.Const{Value: v, T: types.TInt4} }
	param := &planner.Param{Index: 0, T: types.TInt4}
	null := &planner.Const{Value: nil, T: types.TInt4}
	tests := []struct {
		name   string
		filter planner.Expr
		want   []intTerm
		none   bool
		ok     bool
	}{
		{"column < constant", cmp("<", grp, c4(10)), []intTerm{{1, "<", 10}}, false, true},
		{"constant > column", cmp(">", c4(10), grp), []intTerm{{1, "<", 10}}, false, true},
		{"parameter", cmp("=", grp, param), []intTerm{{1, "=", 42}}, false, true},
		{"BETWEEN as AND", and(cmp(">=", big, c4(3)), cmp("<=", big, c4(5))), []intTerm{{3, ">=", 3}, {3, "<=", 5}}, false, true},
		{"widened column", cmp("<>", widen(small, types.TInt4), c4(7)), []intTerm{{2, "<>", 7}}, false, true},
		{"narrowed column", cmp("=", widen(big, types.TInt4), c4(7)), nil, false, false},
		{"NULL", and(cmp("<", grp, null), cmp(">", grp, c4(1))), nil, true, true},
		{"OR", or(cmp("<", grp, c4(1)), cmp(">", grp, c4(5))), nil, false, false},
		{"text column", cmp("=", name, &planner.Const{Value: "x", T: types.TText}), nil, false, false},
		{"two columns", cmp("<", grp, big), nil, false, false},
		{"not a comparison", cmp("+", grp, c4(1)), nil, false, false},
	}
	o := &indexScanOp{rt: &Runtime{Params: []types.Datum{int64(42)}}}
	for _, tt := range tests {
		terms, none, ok := o.intTerms(tt.filter)
		if ok != tt.ok || none != tt.none || (!none && !slices.Equal(terms, tt.want)) {
			t.Errorf("%s: %v, none %v, ok %v; want %v, %v, %v", tt.name, terms, none, ok, tt.want, tt.none, tt.ok)
		}
	}
}

func TestMatchingIDs(t *testing.T) {
	// Slots 1 (grp) and 3 (tag) of a 4-slot table are cached.
	c := columns.New([]int{1, 3}, 4, 0)
	for id := uint64(1); id <= 20; id++ {
		var grp types.Datum = int64(id % 5)
		if id%7 == 0 {
			grp = nil
		}
		c.Put(id, []types.Datum{int64(id), grp, nil, "t"})
	}
	c.Delete(3)
	r := c.Reader()
	terms := []intTerm{{1, ">=", 2}, {1, "<", 4}} // grp in 2, 3
	got := matchingIDs(r, terms, c.Slots(), nil)
	slices.Sort(got)
	want := []uint64{2, 8, 12, 13, 17, 18} // 3 deleted, 7 NULL
	if !slices.Equal(got, want) {
		t.Errorf("by columns: %v, want %v", got, want)
	}
	byRow := matchingIDs(r, nil, c.Slots(), func(row []types.Datum) bool {
		g, ok := row[1].(int64)
		return ok && g >= 2 && g < 4
	})
	slices.Sort(byRow)
	if !slices.Equal(byRow, want) {
		t.Errorf("by rows: %v, want %v", byRow, want)
	}
	set, n := matchingSet(r, terms, c.Slots(), nil)
	if ids := set.ids(); n != len(want) || !slices.Equal(ids, want) {
		t.Errorf("as a set: %v (%d counted), want %v", ids, n, want)
	}
}

func TestExactCheaper(t *testing.T) {
	tests := []struct {
		total      int
		matching   float64
		columnTest bool
		want       bool
	}{
		{150000, 0, true, true},        // nothing matches: nothing to rank
		{150000, 150, true, true},      // 0.1%
		{150000, 1500, true, true},     // 1%
		{150000, 1500, false, true},    // 1%, the filter tested row by row
		{150000, 15000, true, false},   // 10%: the graph
		{150000, 75000, true, false},   // half the rows: the graph
		{150000, 150000, false, false}, // every row
	}
	for _, tt := range tests {
		if got := exactCheaper(tt.total, tt.matching, tt.columnTest, 40, 10); got != tt.want {
			t.Errorf("exactCheaper(%d, %v, %v) = %v, want %v", tt.total, tt.matching, tt.columnTest, got, tt.want)
		}
	}
}

func TestResultHeapOrder(t *testing.T) {
	h := resultHeap{{ID: 5, Distance: 3}, {ID: 2, Distance: 1}, {ID: 9, Distance: 2}, {ID: 1, Distance: 2}, {ID: 4, Distance: 0.5}}
	heap.Init(&h)
	got := h.popNearest(2, nil)
	got = h.popNearest(10, got)
	if want := []uint64{4, 2, 1, 9, 5}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v (ties by id)", got, want)
	}
	if more := h.popNearest(1, nil); len(more) != 0 {
		t.Errorf("after the end: %v", more)
	}
}

// compare applies a term's comparison to a value directly: the reference
// the range form is checked against.
func (t intTerm) compare(v int64) bool {
	switch t.op {
	case "<":
		return v < t.value
	case "<=":
		return v <= t.value
	case ">":
		return v > t.value
	case ">=":
		return v >= t.value
	case "=":
		return v == t.value
	}
	return v != t.value
}

// TestIntTermBounds checks that the range form of each comparison passes
// exactly the values the comparison passes, at the ends of int64 too.
func TestIntTermBounds(t *testing.T) {
	const minI, maxI = -1 << 63, 1<<63 - 1
	values := []int64{minI, minI + 1, -5, -1, 0, 1, 4, 5, 6, maxI - 1, maxI}
	for _, op := range []string{"<", "<=", ">", ">=", "=", "<>"} {
		for _, c := range values {
			term := intTerm{op: op, value: c}
			lo, hi, except, ne := term.bounds()
			for _, v := range values {
				got := v >= lo && v <= hi && !(except && v == ne)
				if want := term.compare(v); got != want {
					t.Errorf("%d %s %d: range [%d, %d] except %v %d passes %v, the test %v", v, op, c, lo, hi, except, ne, got, want)
				}
			}
		}
	}
}

// TestIDSet checks both forms of the set a filtered graph search tests
// its candidates against: dense ids in a bitmap, sparse ones in a map.
func TestIDSet(t *testing.T) {
	tests := []struct {
		name   string
		ids    []uint64
		bitmap bool
	}{
		{"empty", nil, true},
		{"dense", []uint64{1, 2, 3, 63, 64, 65, 1000}, true},
		{"zero and word edges", []uint64{0, 127, 128}, true},
		{"sparse", []uint64{5, 1 << 40, 1<<63 + 7}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newIDSet(tt.ids)
			if (s.m == nil) != tt.bitmap {
				t.Fatalf("bitmap %v, want %v", s.m == nil, tt.bitmap)
			}
			got := s.ids()
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.ids))
			if !slices.Equal(got, want) && len(want) > 0 {
				t.Errorf("ids %v, want %v", got, want)
			}
			in := map[uint64]bool{}
			for _, id := range tt.ids {
				in[id] = true
				if !s.has(id) {
					t.Errorf("id %d missing", id)
				}
			}
			for _, id := range []uint64{0, 4, 62, 66, 999, 1001, 1 << 20, 1 << 40, 1<<63 + 6, ^uint64(0)} {
				if !in[id] && s.has(id) {
					t.Errorf("id %d present, never added", id)
				}
			}
		})
	}
}
