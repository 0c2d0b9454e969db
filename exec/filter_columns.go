package exec

import (
	"container/heap"
	"math"
	"math/bits"

	"github.com/vecgres/vecgres/index/columns"
	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// intTerm is one comparison of an integer column with a value fixed for
// the statement: slot op value.
type intTerm struct {
	slot  int
	op    string // <, <=, >, >=, =, <>
	value int64
}

// bounds returns the comparison as the values it passes: those in
// [lo, hi], except ne when except is set (for <>).
func (t intTerm) bounds() (lo, hi int64, except bool, ne int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	switch t.op {
	case "<":
		if t.value == math.MinInt64 {
			return 1, 0, false, 0 // nothing passes
		}
		hi = t.value - 1
	case "<=":
		hi = t.value
	case ">":
		if t.value == math.MaxInt64 {
			return 1, 0, false, 0
		}
		lo = t.value + 1
	case ">=":
		lo = t.value
	case "=":
		lo, hi = t.value, t.value
	default:
		return lo, hi, true, t.value
	}
	return lo, hi, false, 0
}

// flipped is the operator with its operands swapped: 5 < col is col > 5.
var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>"}

// isIntType reports whether a column's values are int64 datums that
// compare as integers.
func isIntType(t types.T) bool {
	switch t.OID {
	case types.Int2OID, types.Int4OID, types.Int8OID:
		return true
	}
	return false
}

// intTerms recognises a filter that is an AND of comparisons between an
// integer column and a constant or parameter (the common filter of a
// vector search: tenant = $2, created > $3, attr < 1000), and returns
// its comparisons, which then run over the cached column directly. ok is
// false for any other filter, and the caller tests it row by row. none
// is true when a compared value is NULL: no row passes.
func (o *indexScanOp) intTerms(e planner.Expr) (terms []intTerm, none, ok bool) {
	switch e := e.(type) {
	case *planner.BoolOp:
		if e.Op != planner.And {
			return nil, false, false
		}
		for _, a := range e.Args {
			t, n, ok := o.intTerms(a)
			if !ok {
				return nil, false, false
			}
			terms, none = append(terms, t...), none || n
		}
		return terms, none, true
	case *planner.Func:
		if len(e.Args) != 2 || flipped[e.Op] == "" {
			return nil, false, false
		}
		op := e.Op
		col, ok := intColumn(e.Args[0])
		val := e.Args[1]
		if !ok {
			if col, ok = intColumn(e.Args[1]); !ok {
				return nil, false, false
			}
			val, op = e.Args[0], flipped[op]
		}
		v, fixed, err := o.fixedValue(val)
		if err != nil || !fixed {
			return nil, false, false
		}
		if v == nil {
			return nil, true, true
		}
		n, isInt := v.(int64)
		if !isInt {
			return nil, false, false
		}
		return []intTerm{{slot: col, op: op, value: n}}, false, true
	}
	return nil, false, false
}

// intColumn recognises an integer column, possibly widened by a cast to
// a wider integer type (which changes no comparison).
func intColumn(e planner.Expr) (slot int, ok bool) {
	switch e := e.(type) {
	case *planner.ColRef:
		return e.Idx, isIntType(e.T)
	case *planner.Cast:
		if c, isCol := e.Arg.(*planner.ColRef); isCol && isIntType(c.T) && isIntType(e.To) && intWidth(e.To) >= intWidth(c.T) {
			return c.Idx, true
		}
	}
	return 0, false
}

// intWidth orders the integer types by their range.
func intWidth(t types.T) int {
	switch t.OID {
	case types.Int2OID:
		return 2
	case types.Int4OID:
		return 4
	}
	return 8
}

// fixedValue evaluates an expression that is the same for every row: a
// constant or a parameter, possibly cast. fixed is false for any other
// expression.
func (o *indexScanOp) fixedValue(e planner.Expr) (v types.Datum, fixed bool, err error) {
	arg := e
	if c, ok := e.(*planner.Cast); ok {
		arg = c.Arg
	}
	switch arg.(type) {
	case *planner.Const, *planner.Param:
	default:
		return nil, false, nil
	}
	f, err := (&compiler{env: o.rt.Env, params: o.rt.Params}).compile(e)
	if err != nil {
		return nil, false, err
	}
	v, err = f(nil)
	return v, err == nil, err
}

// matchingIDs returns the ids of the cached rows the filter passes:
// with terms, by their comparisons over the integer columns (NULL passes
// none), slots being the cache's slots in order; otherwise by accept on
// each row.
func matchingIDs(r *columns.Reader, terms []intTerm, slots []int, accept func([]types.Datum) bool) []uint64 {
	var ids []uint64
	eachMatching(r, terms, slots, accept, func(id uint64) { ids = append(ids, id) })
	return ids
}

// matchingSet is matchingIDs as a set, and the number of ids in it.
func matchingSet(r *columns.Reader, terms []intTerm, slots []int, accept func([]types.Datum) bool) (idSet, int) {
	var b idSetBuilder
	b.limit = 8*uint64(r.Len()) + 512
	eachMatching(r, terms, slots, accept, b.add)
	return b.set, b.n
}

// eachMatching calls fn with the id of every cached row the filter passes
// (see matchingIDs).
func eachMatching(r *columns.Reader, terms []intTerm, slots []int, accept func([]types.Datum) bool, fn func(id uint64)) {
	if terms == nil {
		r.Each(func(id uint64, row []types.Datum) bool {
			if accept(row) {
				fn(id)
			}
			return true
		})
		return
	}
	col := make(map[int]int, len(slots)) // table slot -> cache column
	for i, s := range slots {
		col[s] = i
	}
	// Each term becomes a range test over a flat integer column; the
	// first term filters all rows, the others only those it passed.
	type rangeTest struct {
		values   []int64
		skip     []bool
		lo, hi   int64
		except   bool
		notEqual int64
	}
	r.ScanInts(func(rowIDs []uint64, ints [][]int64, notInt [][]bool) {
		tests := make([]rangeTest, len(terms))
		for i, t := range terms {
			tests[i].values, tests[i].skip = ints[col[t.slot]], notInt[col[t.slot]]
			tests[i].lo, tests[i].hi, tests[i].except, tests[i].notEqual = t.bounds()
		}
		first, rest := tests[0], tests[1:]
		values, skip := first.values[:len(rowIDs)], first.skip[:len(rowIDs)]
	rows:
		for p, v := range values {
			// A free position (id 0) keeps its old values: the id is
			// tested too.
			if v < first.lo || v > first.hi || skip[p] || first.except && v == first.notEqual || rowIDs[p] == 0 {
				continue
			}
			for _, t := range rest {
				w := t.values[p]
				if w < t.lo || w > t.hi || t.skip[p] || t.except && w == t.notEqual {
					continue rows // NULL, or a failed test
				}
			}
			fn(rowIDs[p])
		}
	})
}

// resultHeap orders exact-scan results nearest first; ties by row id.
type resultHeap []hnsw.Result

func (h resultHeap) Len() int { return len(h) }
func (h resultHeap) Less(i, j int) bool {
	if h[i].Distance != h[j].Distance {
		return h[i].Distance < h[j].Distance
	}
	return h[i].ID < h[j].ID
}
func (h resultHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *resultHeap) Push(x any)   { *h = append(*h, x.(hnsw.Result)) }
func (h *resultHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// popNearest removes up to n of the nearest results, nearest first, and
// appends their ids to dst.
func (h *resultHeap) popNearest(n int, dst []uint64) []uint64 {
	for ; n > 0 && h.Len() > 0; n-- {
		dst = append(dst, heap.Pop(h).(hnsw.Result).ID)
	}
	return dst
}

// idSet is a set of row ids that a graph search tests its candidates
// against: a bitmap when the ids are dense enough (a table's row ids
// count up from 1, so they usually are), a map otherwise.
type idSet struct {
	bits []uint64
	m    map[uint64]struct{}
}

// newIDSet returns the set of ids. The bitmap takes at most 64 bytes an id
// (beyond a few kilobytes): sparser ids go to a map.
func newIDSet(ids []uint64) idSet {
	b := idSetBuilder{limit: 8*uint64(len(ids)) + 512}
	for _, id := range ids {
		b.add(id)
	}
	return b.set
}

// idSetBuilder fills an idSet: a bitmap of at most limit words, a map
// once an id lies beyond it.
type idSetBuilder struct {
	set   idSet
	limit uint64
	n     int
}

func (b *idSetBuilder) add(id uint64) {
	b.n++
	s := &b.set
	if s.m == nil {
		w := id / 64
		if w < uint64(len(s.bits)) {
			s.bits[w] |= 1 << (id % 64)
			return
		}
		if w < b.limit {
			s.bits = append(s.bits, make([]uint64, int(w)+1-len(s.bits))...)
			s.bits = s.bits[:cap(s.bits)]
			s.bits[w] |= 1 << (id % 64)
			return
		}
		had := s.ids()
		s.m = make(map[uint64]struct{}, len(had)+1)
		for _, x := range had {
			s.m[x] = struct{}{}
		}
		s.bits = nil
	}
	s.m[id] = struct{}{}
}

// ids returns the set's ids, in increasing order for a bitmap.
func (s idSet) ids() []uint64 {
	ids := []uint64{} // not nil: exactScan takes nil as "not counted
	if s.m != nil {
		for id := range s.m {
			ids = append(ids, id)
		}
		return ids
	}
	for w, word := range s.bits {
		for word != 0 {
			ids = append(ids, uint64(w)*64+uint64(bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return ids
}

func (s idSet) has(id uint64) bool {
	if s.m != nil {
		_, ok := s.m[id]
		return ok
	}
	w := id / 64
	return w < uint64(len(s.bits)) && s.bits[w]&(1<<(id%64)) != 0
}
