package planner

// pruneUnusedColumns stops a projection from computing columns that the
// projection above it throws away: an ORDER BY key kept as a hidden column
// for a sort that an index scan replaced, above all.
//
// Preconditions: a Project whose input is a Project, directly or through
// a Limit (which passes rows unchanged). Unused columns become NULL
// constants of the same type.
func pruneUnusedColumns(n Node) (Node, bool) {
	outer, ok := n.(*Project)
	if !ok {
		return n, false
	}
	var lim *Limit
	inner, ok := outer.Input.(*Project)
	if !ok {
		if lim, ok = outer.Input.(*Limit); !ok {
			return n, false
		}
		if inner, ok = lim.Input.(*Project); !ok {
			return n, false
		}
	}
	used := make([]bool, len(inner.Exprs))
	for _, e := range outer.Exprs {
		Walk(e, func(x Expr) bool {
			if c, ok := x.(*ColRef); ok && c.Idx < len(used) {
				used[c.Idx] = true
			}
			return true
		})
	}
	changed := false
	exprs := make([]Expr, len(inner.Exprs))
	for i, e := range inner.Exprs {
		exprs[i] = e
		if _, isConst := e.(*Const); !used[i] && !isConst {
			exprs[i] = &Const{T: e.Type()}
			changed = true
		}
	}
	if !changed {
		return n, false
	}
	ni := *inner
	ni.Exprs = exprs
	no := *outer
	if lim != nil {
		nl := *lim
		nl.Input = &ni
		no.Input = &nl
	} else {
		no.Input = &ni
	}
	return &no, true
}

// indexScanColumns tells an index scan which table columns its consumer
// reads, so it decodes only those of each row it fetches.
//
// Preconditions: a Project directly over an IndexScan whose Need is not
// set yet.
func indexScanColumns(n Node) (Node, bool) {
	p, ok := n.(*Project)
	if !ok {
		return n, false
	}
	is, ok := p.Input.(*IndexScan)
	if !ok || is.Need != nil {
		return n, false
	}
	need := make([]bool, len(is.Table.Columns))
	mark := func(e Expr) {
		Walk(e, func(x Expr) bool {
			if c, ok := x.(*ColRef); ok && c.Idx < len(need) {
				need[c.Idx] = true
			}
			return true
		})
	}
	for _, e := range p.Exprs {
		mark(e)
	}
	if is.Filter != nil {
		mark(is.Filter)
	}
	nis := *is
	nis.Need = need
	np := *p
	np.Input = &nis
	return &np, true
}
