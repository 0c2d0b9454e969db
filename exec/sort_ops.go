package exec

import (
	"container/heap"
	"context"
	"slices"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
)

// sortKey is a compiled ORDER BY key.
type sortKey struct {
	eval       evalFn
	cmp        func(a, b types.Datum) int
	desc       bool
	nullsFirst bool
}

func (b *builder) sortKeys(keys []planner.SortKey) ([]sortKey, error) {
	out := make([]sortKey, len(keys))
	for i, k := range keys {
		f, err := b.c.compile(k.Expr)
		if err != nil {
			return nil, err
		}
		out[i] = sortKey{eval: f, cmp: k.Cmp, desc: k.Desc, nullsFirst: k.NullsFirst}
	}
	return out, nil
}

// keyedRow is a row with its sort key values computed once.
type keyedRow struct {
	keys []types.Datum
	row  Row
	seq  int64 // arrival order, to keep the sort stable
}

func evalKeys(keys []sortKey, row Row) ([]types.Datum, error) {
	out := make([]types.Datum, len(keys))
	for i, k := range keys {
		v, err := k.eval(row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// compareKeyed orders two rows by the keys, with PostgreSQL's NULL
// placement (NULLS LAST for ASC, NULLS FIRST for DESC unless told), then by
// arrival.
func compareKeyed(keys []sortKey, a, b *keyedRow) int {
	for i, k := range keys {
		x, y := a.keys[i], b.keys[i]
		var c int
		switch {
		case x == nil && y == nil:
			c = 0
		case x == nil:
			c = 1
			if k.nullsFirst {
				c = -1
			}
		case y == nil:
			c = -1
			if k.nullsFirst {
				c = 1
			}
		default:
			c = k.cmp(x, y)
			if k.desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

// sortOp sorts all its input, spilling to temporary files beyond
// work_mem (memory_sort.go).
type sortOp struct {
	in   Operator
	keys []sortKey
	mem  *memAccount
	out  Operator
}

func (s *sortOp) Next(ctx context.Context) (Row, error) {
	if s.out == nil {
		out, err := sortAll(ctx, s.in, s.keys, s.mem)
		if err != nil {
			return nil, err
		}
		s.out = out
	}
	return s.out.Next(ctx)
}

func (s *sortOp) Close() {
	if s.out != nil {
		s.out.Close()
	}
	s.in.Close()
}

// topKOp keeps the best count+offset rows in a bounded max-heap, so that
// ORDER BY ... LIMIT k costs O(n log k) time and O(k) memory; a heap that
// outgrows work_mem becomes an external sort (memory_sort.go).
type topKOp struct {
	in            Operator
	keys          []sortKey
	count, offset int64
	hasCount      bool
	out           Operator
	heap          keyedHeap
	mem           *memAccount
}

func (b *builder) buildTopK(n *planner.TopK) (Operator, error) {
	count, hasCount, offset, err := b.limits(n.Count, n.Offset)
	if err != nil {
		return nil, err
	}
	in, err := b.build(n.Input)
	if err != nil {
		return nil, err
	}
	keys, err := b.sortKeys(n.Keys)
	if err != nil {
		in.Close()
		return nil, err
	}
	mem := b.memLimits().account("Sort", false)
	if !hasCount {
		return &limitOp{in: &sortOp{in: in, keys: keys, mem: mem}, offset: offset}, nil
	}
	return &topKOp{in: in, keys: keys, count: count, offset: offset, hasCount: hasCount,
		heap: keyedHeap{keys: keys}, mem: mem}, nil
}

func (t *topKOp) Next(ctx context.Context) (Row, error) {
	if t.out == nil {
		if err := t.fill(ctx); err != nil {
			return nil, err
		}
	}
	return t.out.Next(ctx)
}

func (t *topKOp) fill(ctx context.Context) error {
	limit := t.count + t.offset
	if limit < t.count { // overflow: LIMIT near the int8 maximum
		limit = 1<<63 - 1
	}
	var seq int64
	for limit > 0 {
		row, err := t.in.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		k, err := evalKeys(t.keys, row)
		if err != nil {
			return err
		}
		kr := &keyedRow{keys: k, row: row, seq: seq}
		seq++
		if int64(t.heap.Len()) < limit {
			heap.Push(&t.heap, kr)
			if t.mem.used += keyedRowSize(kr); t.mem.over() {
				return t.sortRest(ctx, seq)
			}
		} else if compareKeyed(t.keys, kr, t.heap.rows[0]) < 0 {
			t.mem.used += keyedRowSize(kr) - keyedRowSize(t.heap.rows[0])
			t.heap.rows[0] = kr
			heap.Fix(&t.heap, 0)
		}
	}
	all := t.heap.rows
	slices.SortFunc(all, func(a, b *keyedRow) int { return compareKeyed(t.keys, a, b) })
	var rows []Row
	for i := t.offset; i < int64(len(all)); i++ {
		rows = append(rows, all[i].row)
	}
	t.out = &sliceOp{rows: rows}
	return nil
}

func (t *topKOp) Close() {
	if t.out != nil {
		t.out.Close()
	}
	t.in.Close()
}

// keyedHeap is a max-heap: the worst kept row is at the top.
type keyedHeap struct {
	keys []sortKey
	rows []*keyedRow
}

func (h *keyedHeap) Len() int           { return len(h.rows) }
func (h *keyedHeap) Less(i, j int) bool { return compareKeyed(h.keys, h.rows[i], h.rows[j]) > 0 }
func (h *keyedHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *keyedHeap) Push(x any)         { h.rows = append(h.rows, x.(*keyedRow)) }
func (h *keyedHeap) Pop() any {
	last := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return last
}
