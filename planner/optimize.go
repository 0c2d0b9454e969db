package planner

import "github.com/vecgres/vecgres/storage"

// Rule rewrites a plan node. It returns the node to use instead and whether
// it changed anything; a rule that does not apply returns n, false. Rules
// that choose indexes read the catalog the statement was bound against.
type Rule func(n Node, ix *indexes) (Node, bool)

// rules are applied bottom-up, in order, until none changes the tree.
var rules = []Rule{
	ignoreCatalog(sortLimitToTopK),
	ignoreCatalog(windowBelowTopK),
	ignoreCatalog(pushFilterIntoJoin),
	ignoreCatalog(hashJoinKeys),
	useHNSWIndex,
	useBtreeIndex,
	ignoreCatalog(pruneUnusedColumns),
	ignoreCatalog(indexScanColumns),
}

func ignoreCatalog(r func(Node) (Node, bool)) Rule {
	return func(n Node, _ *indexes) (Node, bool) { return r(n) }
}

// Optimize applies the planner's rules to a bound plan. cat is the catalog
// the plan was bound against (nil: no index is used). Indexes with key
// expressions or predicates are not used; OptimizeWith binds them.
func Optimize(n Node, cat *storage.Catalog) Node {
	return OptimizeWith(n, cat, nil)
}

// OptimizeWith is Optimize that also uses the indexes with key
// expressions or predicates, whose definitions defs binds.
func OptimizeWith(n Node, cat *storage.Catalog, defs IndexDefs) Node {
	ix := &indexes{cat: cat, defs: defs}
	for {
		out, changed := rewrite(n, ix)
		if !changed {
			return out
		}
		n = out
	}
}

// rewrite applies every rule to n's inputs, then to n.
func rewrite(n Node, ix *indexes) (Node, bool) {
	changed := false
	n = withInputs(n, func(in Node) Node {
		out, c := rewrite(in, ix)
		changed = changed || c
		return out
	})
	for _, r := range rules {
		if out, c := r(n, ix); c {
			n, changed = out, true
		}
	}
	return n, changed
}

// withInputs returns n with each input replaced by f(input). Nodes are
// immutable, so a changed node is a copy.
func withInputs(n Node, f func(Node) Node) Node {
	switch n := n.(type) {
	case *Join:
		c := *n
		c.Left, c.Right = f(n.Left), f(n.Right)
		return &c
	case *SetOp:
		c := *n
		c.Left, c.Right = f(n.Left), f(n.Right)
		return &c
	case *RecursiveUnion:
		c := *n
		c.Init, c.Step = f(n.Init), f(n.Step)
		return &c
	case *Filter:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Project:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Sort:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Limit:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *TopK:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Aggregate:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Window:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Distinct:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Insert:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Update:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Delete:
		c := *n
		c.Input = f(n.Input)
		return &c
	}
	return n
}
