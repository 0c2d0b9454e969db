package planner

// pushFilterIntoJoin moves the conditions of a WHERE clause over an inner
// join to where they can be tested first: conjuncts that read only the
// left or only the right input become filters of that input, and those
// that read both become the join's condition (where hashJoinKeys can turn
// equalities into hash keys).
//
// Preconditions: a Filter directly over an inner Join. Conjuncts that hold
// a subquery stay where they are (its outer references are positions in
// the joined row).
func pushFilterIntoJoin(n Node) (Node, bool) {
	f, ok := n.(*Filter)
	if !ok {
		return n, false
	}
	j, ok := f.Input.(*Join)
	if !ok || j.Kind != InnerJoin {
		return n, false
	}
	leftWidth := len(j.Left.Schema())
	var leftConds, rightConds, joinConds, keep []Expr
	for _, c := range conjuncts(f.Cond) {
		lo, hi, pure := columnRange(c)
		switch {
		case !pure:
			keep = append(keep, c)
		case hi < 0: // no columns: a constant condition
			keep = append(keep, c)
		case hi < leftWidth:
			leftConds = append(leftConds, c)
		case lo >= leftWidth:
			rightConds = append(rightConds, shiftColumns(c, -leftWidth))
		default:
			joinConds = append(joinConds, c)
		}
	}
	if len(leftConds)+len(rightConds)+len(joinConds) == 0 {
		return n, false
	}
	nj := *j
	if len(leftConds) > 0 {
		nj.Left = &Filter{Input: j.Left, Cond: conjunction(leftConds)}
	}
	if len(rightConds) > 0 {
		nj.Right = &Filter{Input: j.Right, Cond: conjunction(rightConds)}
	}
	if len(joinConds) > 0 {
		if j.Cond != nil {
			joinConds = append([]Expr{j.Cond}, joinConds...)
		}
		nj.Cond = conjunction(joinConds)
		nj.EqLeft, nj.EqRight = nil, nil
	}
	if len(keep) == 0 {
		return &nj, true
	}
	return &Filter{Input: &nj, Cond: conjunction(keep)}, true
}

// hashJoinKeys finds the equalities between a left column expression and
// a right one in a join's condition, so the executor can hash the right
// input instead of comparing every pair. The condition stays as it is and
// is still tested on each candidate pair.
//
// Preconditions: a Join with a condition and no keys yet.
func hashJoinKeys(n Node) (Node, bool) {
	j, ok := n.(*Join)
	if !ok || j.Cond == nil || len(j.EqLeft) > 0 {
		return n, false
	}
	leftWidth := len(j.Left.Schema())
	var eqLeft, eqRight []Expr
	for _, c := range conjuncts(j.Cond) {
		f, ok := c.(*Func)
		if !ok || f.Op != "=" || len(f.Args) != 2 || f.Args[0].Type().OID != f.Args[1].Type().OID {
			continue
		}
		a, b := f.Args[0], f.Args[1]
		alo, ahi, apure := columnRange(a)
		blo, bhi, bpure := columnRange(b)
		if !apure || !bpure || ahi < 0 || bhi < 0 {
			continue
		}
		switch {
		case ahi < leftWidth && blo >= leftWidth:
			eqLeft, eqRight = append(eqLeft, a), append(eqRight, shiftColumns(b, -leftWidth))
		case bhi < leftWidth && alo >= leftWidth:
			eqLeft, eqRight = append(eqLeft, b), append(eqRight, shiftColumns(a, -leftWidth))
		}
	}
	if len(eqLeft) == 0 {
		return n, false
	}
	nj := *j
	nj.EqLeft, nj.EqRight = eqLeft, eqRight
	return &nj, true
}

// conjuncts splits an AND tree into its parts.
func conjuncts(e Expr) []Expr {
	if b, ok := e.(*BoolOp); ok && b.Op == And {
		var out []Expr
		for _, a := range b.Args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []Expr{e}
}

func conjunction(es []Expr) Expr {
	if len(es) == 1 {
		return es[0]
	}
	return &BoolOp{Op: And, Args: es}
}

// columnRange returns the lowest and highest input column an expression
// reads (-1, -1 for none). pure is false when it holds something whose
// column positions cannot be moved (a subquery, an outer reference).
func columnRange(e Expr) (lo, hi int, pure bool) {
	lo, hi, pure = -1, -1, true
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *ColRef:
			if lo < 0 || x.Idx < lo {
				lo = x.Idx
			}
			if x.Idx > hi {
				hi = x.Idx
			}
		case *Subquery, *OuterRef:
			pure = false
		case *Func:
			if x.Volatility == Volatile {
				pure = false
			}
		}
		return pure
	})
	return lo, hi, pure
}

// shiftColumns adds delta to every column reference of e.
func shiftColumns(e Expr, delta int) Expr {
	var shift func(Expr) (Expr, error)
	shift = func(x Expr) (Expr, error) {
		if c, ok := x.(*ColRef); ok {
			cc := *c
			cc.Idx += delta
			return &cc, nil
		}
		return MapChildren(x, shift)
	}
	out, _ := shift(e)
	return out
}
