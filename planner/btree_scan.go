package planner

import "github.com/vecgres/vecgres/storage"

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
	// Predicate is the predicate of a partial index (nil for none),
	// which the query's WHERE implies.
	Predicate Expr
}

func (n *BtreeScan) Schema() []OutCol { return n.Out }

// useBtreeIndex answers a WHERE clause over a table from a btree index
// when some of its conditions fix the index's leading keys (key = value)
// or bound the next one (key < value, key >= value, ...), where a key is
// a column or, for an expression index, the same bound expression. The
// conditions the index answers leave the filter; the rest stay above the
// index scan. A partial index is usable only when the WHERE clause
// implies its predicate (see predicateImplied); the conditions equal to
// its predicate's conjuncts then leave the filter too, so that such an
// index is worth scanning whole. Among usable indexes the one that
// answers the most conditions wins, a unique index breaking ties.
//
// Preconditions: a Filter directly over a Scan; values are constants or
// parameters of the key's own type.
func useBtreeIndex(n Node, ix *indexes) (Node, bool) {
	f, ok := n.(*Filter)
	if !ok || ix.cat == nil {
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
	for _, idx := range ix.cat.TableIndexes(scan.Table.OID) {
		if idx.Method != "btree" && idx.Method != "" {
			continue
		}
		def := ix.def(scan.Table, idx)
		if def == nil || def.Predicate != nil && !predicateImplied(conds, def.Predicate) {
			continue
		}
		bs, used := matchBtree(scan, idx, def, conds)
		score := 2*len(bs.Prefix) + boolInt(bs.Lo != nil) + boolInt(bs.Hi != nil)
		for i, implied := range impliedByPredicate(conds, def.Predicate) {
			if implied && !used[i] {
				used[i] = true
				score += 2
			}
		}
		if score == 0 {
			continue
		}
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
// leading keys, then bounds on the next key.
func matchBtree(scan *Scan, idx *storage.Index, def *IndexDef, conds []Expr) (*BtreeScan, []bool) {
	used := make([]bool, len(conds))
	bs := &BtreeScan{Table: scan.Table, Index: idx, Alias: scan.Alias, RowID: scan.RowID, Out: scan.Out,
		Predicate: def.Predicate}
	for _, key := range def.Keys {
		eq := -1
		for i, c := range conds {
			if op, v, ok := keyCondition(c, key); ok && !used[i] && op == "=" {
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
		// No equality on this key: bounds on it end the key.
		for i, c := range conds {
			op, v, ok := keyCondition(c, key)
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
	return bs, used
}

// keyCondition recognises "key op value" (or "value op key", turned
// around) for an index key (a column or an expression over the table's
// slots), where value is a constant or a parameter of the key's type.
func keyCondition(e Expr, key Expr) (op string, value Expr, ok bool) {
	f, isFunc := e.(*Func)
	if !isFunc || len(f.Args) != 2 {
		return "", nil, false
	}
	flip := map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
	if _, known := flip[f.Op]; !known {
		return "", nil, false
	}
	keyType := key.Type()
	isValue := func(x Expr) bool {
		switch x.(type) {
		case *Const, *Param:
			return x.Type().OID == keyType.OID
		}
		return false
	}
	if Equal(f.Args[0], key) && isValue(f.Args[1]) {
		return f.Op, f.Args[1], true
	}
	if Equal(f.Args[1], key) && isValue(f.Args[0]) {
		return flip[f.Op], f.Args[0], true
	}
	return "", nil, false
}
