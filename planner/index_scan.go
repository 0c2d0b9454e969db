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

// distanceOpclasses maps each distance operator to the HNSW operator
// class that orders by it.
var distanceOpclasses = map[string]string{
	"<->": "vector_l2_ops",
	"<#>": "vector_ip_ops",
	"<=>": "vector_cosine_ops",
	"<+>": "vector_l1_ops",
}

// OpclassForOperator returns the HNSW operator class whose index orders by
// the distance operator op.
func OpclassForOperator(op string) (string, bool) {
	oc, ok := distanceOpclasses[op]
	return oc, ok
}

// useHNSWIndex answers ORDER BY <vector column> <op> <constant or
// parameter> LIMIT k from an HNSW index, replacing the top-k sort of the
// whole table by an index scan that produces rows nearest first.
//
// Preconditions: a TopK with exactly one ascending key; the key is a
// column of the Project under it computed as a distance operator applied
// to a column of the table and a Const or Param of the vector type; the
// Project reads a Scan of the table, possibly through a Filter; and the
// table has an HNSW index on that column whose operator class matches the
// operator. The Filter, if any, moves into the index scan.
func useHNSWIndex(n Node, cat *storage.Catalog) (Node, bool) {
	topk, ok := n.(*TopK)
	if !ok || len(topk.Keys) != 1 || topk.Keys[0].Desc || cat == nil {
		return n, false
	}
	proj, ok := topk.Input.(*Project)
	if !ok {
		return n, false
	}
	key, ok := topk.Keys[0].Expr.(*ColRef)
	if !ok || key.Idx >= len(proj.Exprs) {
		return n, false
	}
	dist, ok := proj.Exprs[key.Idx].(*Func)
	if !ok || len(dist.Args) != 2 {
		return n, false
	}
	opclass, ok := OpclassForOperator(dist.Op)
	if !ok {
		return n, false
	}
	col, query := distanceArgs(dist)
	if col == nil {
		return n, false
	}
	var filter Expr
	scanNode := proj.Input
	if f, ok := scanNode.(*Filter); ok {
		filter, scanNode = f.Cond, f.Input
	}
	scan, ok := scanNode.(*Scan)
	if !ok || scan.RowID {
		return n, false
	}
	idx := findHNSWIndex(cat, scan.Table, col.Idx, opclass)
	if idx == nil {
		return n, false
	}
	limit := topk.Count
	if topk.Offset != nil {
		limit = &Func{Op: "+", Name: "", Args: []Expr{topk.Count, topk.Offset}, T: types.TInt8,
			Impl: addInt8, Strict: true, Volatility: Immutable}
	}
	is := &IndexScan{Table: scan.Table, Index: idx, Alias: scan.Alias, Op: dist.Op, Query: query,
		Limit: limit, Filter: filter, Out: scan.Out}
	np := *proj
	np.Input = is
	return &Limit{Input: &np, Count: topk.Count, Offset: topk.Offset}, true
}

// distanceArgs returns the column and the query value of a distance
// operator call, in either order, or nil when it is not column-vs-value.
func distanceArgs(f *Func) (*ColRef, Expr) {
	isValue := func(e Expr) bool {
		switch e.(type) {
		case *Const, *Param:
			return e.Type().OID == types.VectorOID
		}
		return false
	}
	if c, ok := f.Args[0].(*ColRef); ok && isValue(f.Args[1]) {
		return c, f.Args[1]
	}
	if c, ok := f.Args[1].(*ColRef); ok && isValue(f.Args[0]) {
		return c, f.Args[0]
	}
	return nil, nil
}

// findHNSWIndex returns an HNSW index of table on the column in slot with
// the operator class, preferring the most recently created.
func findHNSWIndex(cat *storage.Catalog, t *storage.Table, slot int, opclass string) *storage.Index {
	var found *storage.Index
	for _, idx := range cat.TableIndexes(t.OID) {
		if idx.Method != "hnsw" || len(idx.Columns) != 1 || idx.Predicate != "" {
			continue
		}
		c := idx.Columns[0]
		if c.Slot == slot && c.Opclass == opclass {
			found = idx
		}
	}
	return found
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
