package planner

import (
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Bound is one end of a BtreeScan's range: a value (an expression without
// columns) and whether it is included.
type Bound struct {
	Expr      Expr
	Inclusive bool
}

// BtreeScan reads the rows of a table whose key in a btree index has the
// values Prefix on its leading columns and, on the next column, lies
// between Lo and Hi (either may be nil). Its rows are the table's slots
// (and the row id when RowID is set), as Scan's, in index order.
type BtreeScan struct {
	Table  *storage.Table
	Index  *storage.Index
	Alias  string
	Prefix []Expr
	Lo, Hi *Bound
	RowID  bool
	Out    []OutCol
	// Conds are the conditions the index answers, for EXPLAIN.
	Conds []Expr
}

func (n *BtreeScan) Schema() []OutCol { return n.Out }

// useBtreeIndex answers a WHERE clause over a table from a btree index
// when some of its conditions fix the index's leading columns (col =
// value) or bound the next one (col < value, col >= value, ...). The
// conditions the index answers leave the filter; the rest stay above the
// index scan. Among usable indexes the one that answers the most
// conditions wins, a unique index breaking ties.
//
// Preconditions: a Filter directly over a Scan; values are constants or
// parameters of the column's own type.
func useBtreeIndex(n Node, cat *storage.Catalog) (Node, bool) {
	f, ok := n.(*Filter)
	if !ok || cat == nil {
		return n, false
	}
	scan, ok := f.Input.(*Scan)
	if !ok {
		return n, false
	}
	conds := conjuncts(f.Cond)
	var best *BtreeScan
	var bestUsed []bool
	bestScore := 0
	for _, idx := range cat.TableIndexes(scan.Table.OID) {
		if idx.Method != "btree" && idx.Method != "" || idx.Predicate != "" {
			continue
		}
		bs, used := matchBtree(scan, idx, conds)
		if bs == nil {
			continue
		}
		score := 2*len(bs.Prefix) + boolInt(bs.Lo != nil) + boolInt(bs.Hi != nil)
		if idx.Unique && len(bs.Prefix) == len(idx.Columns) {
			score += 100
		}
		if score > bestScore {
			best, bestUsed, bestScore = bs, used, score
		}
	}
	if best == nil {
		return n, false
	}
	var rest []Expr
	for i, c := range conds {
		if !bestUsed[i] {
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		return best, true
	}
	return &Filter{Input: best, Cond: conjunction(rest)}, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// matchBtree finds the conditions an index can answer: equalities on its
// leading columns, then bounds on the next column.
func matchBtree(scan *Scan, idx *storage.Index, conds []Expr) (*BtreeScan, []bool) {
	used := make([]bool, len(conds))
	bs := &BtreeScan{Table: scan.Table, Index: idx, Alias: scan.Alias, RowID: scan.RowID, Out: scan.Out}
	for _, col := range idx.Columns {
		if col.Slot < 0 {
			break
		}
		colType := scan.Table.Columns[col.Slot].Type
		eq := -1
		for i, c := range conds {
			if op, v, ok := columnCondition(c, col.Slot, colType); ok && !used[i] && op == "=" {
				eq = i
				bs.Prefix = append(bs.Prefix, v)
				break
			}
		}
		if eq >= 0 {
			used[eq] = true
			bs.Conds = append(bs.Conds, conds[eq])
			continue
		}
		// No equality on this column: bounds on it end the key.
		for i, c := range conds {
			op, v, ok := columnCondition(c, col.Slot, colType)
			if !ok || used[i] {
				continue
			}
			switch op {
			case "<", "<=":
				if bs.Hi == nil {
					bs.Hi, used[i] = &Bound{Expr: v, Inclusive: op == "<="}, true
					bs.Conds = append(bs.Conds, c)
				}
			case ">", ">=":
				if bs.Lo == nil {
					bs.Lo, used[i] = &Bound{Expr: v, Inclusive: op == ">="}, true
					bs.Conds = append(bs.Conds, c)
				}
			}
		}
		break
	}
	if len(bs.Prefix) == 0 && bs.Lo == nil && bs.Hi == nil {
		return nil, nil
	}
	return bs, used
}

// columnCondition recognises "column op value" (or "value op column",
// turned around) for the column in slot, where value is a constant or a
// parameter of the column's type.
func columnCondition(e Expr, slot int, colType types.T) (op string, value Expr, ok bool) {
	f, isFunc := e.(*Func)
	if !isFunc || len(f.Args) != 2 {
		return "", nil, false
	}
	flip := map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
	if _, known := flip[f.Op]; !known {
		return "", nil, false
	}
	isValue := func(x Expr) bool {
		switch x.(type) {
		case *Const, *Param:
			return x.Type().OID == colType.OID
		}
		return false
	}
	if c, ok := f.Args[0].(*ColRef); ok && c.Idx == slot && isValue(f.Args[1]) {
		return f.Op, f.Args[1], true
	}
	if c, ok := f.Args[1].(*ColRef); ok && c.Idx == slot && isValue(f.Args[0]) {
		return flip[f.Op], f.Args[0], true
	}
	return "", nil, false
}
