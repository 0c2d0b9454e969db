package planner

import (
	"github.com/vecgres/vecgres/sql/types"
)

// FrameMode is how a window frame's bounds count: in rows, in peer
// groups, or in values of the ORDER BY key (RANGE).
type FrameMode int

// Frame modes.
const (
	FrameRange FrameMode = iota
	FrameRows
	FrameGroups
)

// BoundKind is where one end of a window frame lies.
type BoundKind int

// Frame bound kinds.
const (
	UnboundedPreceding BoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

// FrameBound is one end of a frame; Offset (int8, evaluated once per
// execution) is set for the offset kinds.
type FrameBound struct {
	Kind   BoundKind
	Offset Expr
}

// FrameExclusion names the rows a frame leaves out.
type FrameExclusion int

// Frame exclusions.
const (
	ExcludeNoOthers FrameExclusion = iota
	ExcludeCurrentRow
	ExcludeGroup
	ExcludeTies
)

// Frame is a window frame. The default is RANGE BETWEEN UNBOUNDED
// PRECEDING AND CURRENT ROW: the partition's rows up to the current row
// and its peers.
type Frame struct {
	Mode    FrameMode
	Start   FrameBound
	End     FrameBound
	Exclude FrameExclusion
	// Shift, for RANGE frames with an offset, adds an offset to the
	// ORDER BY key's value (or subtracts it); the offset has the type
	// the key's kind takes (int8 for integers, float8, numeric).
	Shift func(key, offset types.Datum, subtract bool) (types.Datum, error)
}

// WindowSpec is the window a window function runs over: its rows are
// partitioned by Partition (ascending sort keys, only equality matters)
// and ordered by Order within a partition; rows equal in Order are peers.
type WindowSpec struct {
	// Name is the window's name in a WINDOW clause, or "".
	Name      string
	Partition []SortKey
	Order     []SortKey
	Frame     Frame
}

// SameOrdering reports whether two windows partition and order rows
// alike (their frames may differ): they can share one sort.
func (w *WindowSpec) SameOrdering(o *WindowSpec) bool {
	return sortKeysEqual(w.Partition, o.Partition) && sortKeysEqual(w.Order, o.Order)
}

func sortKeysEqual(a, b []SortKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Desc != b[i].Desc || a[i].NullsFirst != b[i].NullsFirst || !Equal(a[i].Expr, b[i].Expr) {
			return false
		}
	}
	return true
}

// WindowFunc is one window function call: a built-in window function
// (Name, Args) or, with Agg set, an aggregate computed over the frame.
type WindowFunc struct {
	Name string
	Args []Expr
	T    types.T
	Agg  *AggCall
	Spec *WindowSpec
}

// Window computes window functions over all its input rows. It produces
// the input's columns followed by one column per function. Its rows come
// out in the order of the last function's window.
type Window struct {
	Input Node
	Funcs []*WindowFunc
	Out   []OutCol
	// InputOrdered is set when the input already comes in the windows'
	// order (an index scan), for EXPLAIN: the executor's stable sort
	// leaves such rows as they are.
	InputOrdered bool
}

// Schema is the input's columns and the functions' results.
func (n *Window) Schema() []OutCol { return n.Out }

// displayWindow shows a Window as PostgreSQL's WindowAgg over the Sort
// that orders its rows by partition and order keys (the last window's,
// which decides the output order).
func displayWindow(n *Window, fm exprFormatter) *explainNode {
	input := n.Input
	if lim, ok := input.(*Limit); ok && n.InputOrdered {
		// The index scan's own bound, which PostgreSQL's plan has in the
		// Limit above the WindowAgg.
		if _, isIndex := lim.Input.(*IndexScan); isIndex {
			input = lim.Input
		}
	}
	in := display(input, fm)
	spec := n.Funcs[len(n.Funcs)-1].Spec
	keys := append(append([]SortKey(nil), spec.Partition...), spec.Order...)
	if len(keys) > 0 && !n.InputOrdered {
		in = &explainNode{title: "Sort", details: []string{"Sort Key: " + sortKeys(keys, n.Input, fm)}, children: []*explainNode{in}}
	}
	return &explainNode{title: "WindowAgg", children: []*explainNode{in}, plan: n}
}

// windowBelowTopK computes the window functions of an ORDER BY ... LIMIT
// query over the rows the LIMIT keeps, when that gives the same values:
// the top-k rows can then come from an index scan (useHNSWIndex), as
// PostgreSQL's WindowAgg reads an ordered index scan and stops with the
// Limit above it.
//
// Preconditions: a TopK over a Project over a Window; the TopK's keys are
// expressions of the Window's input columns; every window function has no
// PARTITION BY, orders its window by exactly the TopK's keys, and gives a
// row a value that depends only on the rows before it in that order:
// row_number, rank, dense_rank, lag with a constant offset, and
// first_value, last_value, nth_value or an aggregate over a ROWS frame
// that ends at the current row or before it and excludes no peers.
func windowBelowTopK(n Node) (Node, bool) {
	topk, ok := n.(*TopK)
	if !ok {
		return n, false
	}
	proj, ok := topk.Input.(*Project)
	if !ok {
		return n, false
	}
	win, ok := proj.Input.(*Window)
	if !ok {
		return n, false
	}
	width := len(win.Input.Schema())
	keys := make([]SortKey, len(topk.Keys))
	for i, k := range topk.Keys {
		c, ok := k.Expr.(*ColRef)
		if !ok || c.Idx >= len(proj.Exprs) {
			return n, false
		}
		e := proj.Exprs[c.Idx]
		beyond := false
		Walk(e, func(x Expr) bool {
			if c, ok := x.(*ColRef); ok && c.Idx >= width {
				beyond = true
			}
			return !beyond
		})
		if beyond {
			return n, false
		}
		keys[i] = k
		keys[i].Expr = e
	}
	for _, f := range win.Funcs {
		if len(f.Spec.Partition) > 0 || !sortKeysEqual(f.Spec.Order, keys) || !dependsOnPrecedingRows(f) {
			return n, false
		}
	}
	count := topk.Count
	if topk.Offset != nil {
		count = &Func{Op: "+", Args: []Expr{topk.Count, topk.Offset}, T: types.TInt8,
			Impl: addInt8, Strict: true, Volatility: Immutable}
	}
	nw := *win
	nw.Input = &TopK{Input: win.Input, Keys: keys, Count: count}
	nw.InputOrdered = true
	np := *proj
	np.Input = &nw
	return &Limit{Input: &np, Count: topk.Count, Offset: topk.Offset}, true
}

// dependsOnPrecedingRows reports whether a window function's value for
// a row is determined by that row and the rows before it in the window's
// order (not by its later peers or following rows).
func dependsOnPrecedingRows(f *WindowFunc) bool {
	switch f.Name {
	case "row_number", "rank", "dense_rank":
		return f.Agg == nil
	case "lag":
		if f.Agg != nil {
			return false
		}
		if len(f.Args) < 2 {
			return true
		}
		c, ok := f.Args[1].(*Const)
		return ok && (c.Value == nil || c.Value.(int64) >= 0)
	case "percent_rank", "cume_dist", "ntile", "lead":
		if f.Agg == nil {
			return false
		}
	}
	fr := f.Spec.Frame
	if fr.Mode != FrameRows || fr.Exclude == ExcludeGroup || fr.Exclude == ExcludeTies {
		return false
	}
	startOK := fr.Start.Kind == UnboundedPreceding || fr.Start.Kind == OffsetPreceding || fr.Start.Kind == CurrentRow
	endOK := fr.End.Kind == CurrentRow || fr.End.Kind == OffsetPreceding
	return startOK && endOK
}
