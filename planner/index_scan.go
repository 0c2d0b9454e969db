package planner

import (
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// IndexScan reads a table's rows in the order of an HNSW index: nearest
// to Query first by the index's distance. Its rows have one column per
// table slot, as Scan's. Filter, when set, is a condition on those rows
// tested during the scan: rejected rows still guide the graph search but
// are never produced, and the scan goes on (within the iterative-scan
// settings) until its consumer has enough rows.
type IndexScan struct {
	Table *storage.Table
	Index *storage.Index
	Alias string
	// Op is the distance operator ("<->", "<#>", "<=>", "<+>"), Query the
	// constant or parameter whose neighbours are wanted.
	Op    string
	Query Expr
	// Key is what the index holds for a row, an expression over the
	// table's slots: the indexed column, or an expression index's
	// expression. Predicate is a partial index's (nil for none), which
	// the scan's WHERE implies.
	Key       Expr
	Predicate Expr
	// Limit is LIMIT + OFFSET of the query (an int8 expression), the
	// number of rows the consumer will take; nil when unknown.
	Limit  Expr
	Filter Expr
	// Need marks the table slots the consumer reads (nil: all of them);
	// the others read as NULL.
	Need []bool
	Out  []OutCol
}

func (n *IndexScan) Schema() []OutCol { return n.Out }

// useHNSWIndex answers ORDER BY <key> <op> <value> LIMIT k from an HNSW
// index, replacing the top-k sort of the whole table by an index scan
// that produces rows nearest first.
//
// Preconditions: a TopK with exactly one ascending key; the key is a
// column of the Project under it computed as a distance operator applied
// to an index's key and a value that is the same for every row (a
// constant, a parameter, or an expression of those); the Project reads a
// Scan of the table, possibly through a Filter; and the table has an HNSW
// index whose key is that expression (a column, or for an expression
// index the same bound expression, casts included) and whose operator
// class orders by the operator. A partial index is used only when the
// Filter implies its predicate (see predicateImplied), and is then
// preferred; otherwise the most recently created index wins. The Filter,
// if any, moves into the index scan, less the conditions the predicate
// already guarantees.
func useHNSWIndex(n Node, ix *indexes) (Node, bool) {
	topk, ok := n.(*TopK)
	if !ok || len(topk.Keys) != 1 || topk.Keys[0].Desc || ix.cat == nil {
		return n, false
	}
	// The key is a column of a Project, or (under a window, see
	// windowBelowTopK) an expression over the scan's own columns.
	keyExpr, input := topk.Keys[0].Expr, topk.Input
	proj, isProj := topk.Input.(*Project)
	if isProj {
		key, ok := keyExpr.(*ColRef)
		if !ok || key.Idx >= len(proj.Exprs) {
			return n, false
		}
		keyExpr, input = proj.Exprs[key.Idx], proj.Input
	}
	dist, ok := keyExpr.(*Func)
	if !ok || len(dist.Args) != 2 || !isDistanceOperator(dist.Op) {
		return n, false
	}
	scan, conds, viaBtree := scanConditions(input)
	if scan == nil || scan.RowID {
		return n, false
	}
	var best *IndexScan
	bestPartial := false
	for _, idx := range ix.cat.TableIndexes(scan.Table.OID) {
		if idx.Method != "hnsw" || len(idx.Columns) != 1 || viaBtree && idx.Predicate == "" {
			continue
		}
		def := ix.def(scan.Table, idx)
		if def == nil {
			continue
		}
		keyExpr := def.Keys[0]
		if !opclassOrders(idx.Columns[0].Opclass, keyExpr.Type(), dist.Op) {
			continue
		}
		query := distanceQuery(dist, keyExpr)
		if query == nil {
			continue
		}
		partial := def.Predicate != nil
		if partial && !predicateImplied(conds, def.Predicate) {
			continue
		}
		if best != nil && bestPartial && !partial {
			continue
		}
		best = &IndexScan{Table: scan.Table, Index: idx, Alias: scan.Alias, Op: dist.Op, Query: query,
			Key: keyExpr, Predicate: def.Predicate, Filter: andAll(conds), Out: scan.Out}
		bestPartial = partial
	}
	if best == nil {
		return n, false
	}
	best.Limit = topk.Count
	if topk.Offset != nil {
		best.Limit = &Func{Op: "+", Name: "", Args: []Expr{topk.Count, topk.Offset}, T: types.TInt8,
			Impl: addInt8, Strict: true, Volatility: Immutable}
	}
	if !isProj {
		return &Limit{Input: best, Count: topk.Count, Offset: topk.Offset}, true
	}
	np := *proj
	np.Input = best
	return &Limit{Input: &np, Count: topk.Count, Offset: topk.Offset}, true
}

// scanConditions returns the table scan under a Project and the
// conditions on its rows: a Scan, possibly under a Filter, or a btree
// index scan that useBtreeIndex made of them (viaBtree set), whose
// conditions are those it answers, those left above it and, for a
// partial btree index, its predicate (which stands for the conditions it
// made redundant).
func scanConditions(n Node) (scan *Scan, conds []Expr, viaBtree bool) {
	if f, ok := n.(*Filter); ok {
		conds, n = conjuncts(f.Cond), f.Input
	}
	switch s := n.(type) {
	case *Scan:
		return s, conds, false
	case *BtreeScan:
		conds = append(append([]Expr{}, s.Conds...), conds...)
		if s.Predicate != nil {
			conds = append(conds, conjuncts(s.Predicate)...)
		}
		return &Scan{Table: s.Table, Alias: s.Alias, RowID: s.RowID, Out: s.Out}, conds, true
	}
	return nil, nil, false
}

// isDistanceOperator reports whether op is one of pgvector's distance
// operators.
func isDistanceOperator(op string) bool {
	for _, o := range metricOperators {
		if o == op {
			return true
		}
	}
	return false
}

// distanceQuery returns the query value of a distance operator call whose
// other argument is the index key, in either order, or nil when the call
// is not key-vs-value: the value must be the same for every row and of
// the key's type.
func distanceQuery(f *Func, key Expr) Expr {
	isValue := func(e Expr) bool {
		return e.Type().OID == key.Type().OID && isRowConstant(e)
	}
	if Equal(f.Args[0], key) && isValue(f.Args[1]) {
		return f.Args[1]
	}
	if Equal(f.Args[1], key) && isValue(f.Args[0]) {
		return f.Args[0]
	}
	return nil
}

// andAll is the conjunction of conds (nil for none).
func andAll(conds []Expr) Expr {
	if len(conds) == 0 {
		return nil
	}
	return conjunction(conds)
}

// addInt8 adds LIMIT and OFFSET; both are non-negative int8 values (the
// executor rejects negative ones), so the sum is clamped at the maximum
// instead of overflowing.
func addInt8(_ Env, a []types.Datum) (types.Datum, error) {
	x, y := a[0].(int64), a[1].(int64)
	if x > 0 && y > (1<<63-1)-x {
		return int64(1<<63 - 1), nil
	}
	return x + y, nil
}
