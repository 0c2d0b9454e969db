package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// WITH RECURSIVE. A WITH query that names itself must be
// non-recursive-term UNION [ALL] recursive-term, the recursive term may
// name the query once, and not from a subquery, the nullable side of an
// outer join, or the right of EXCEPT (or INTERSECT): PostgreSQL's rules
// and messages (42P19). It becomes a planner.RecursiveUnion whose step
// reads the previous iteration's rows through a planner.WorkTableScan.

// recursiveRef is one place a WITH query names itself, and what it is
// inside of there.
type recursiveRef struct {
	loc int32
	// within names what the reference must not be within ("a subquery",
	// "an outer join", "INTERSECT", "EXCEPT"); empty when it may be there.
	within string
}

// recursiveRefs finds the references to the WITH query name in n (a
// subtree of pg_query's parse tree), walking it generically so that no
// kind of node is missed. A WITH clause inside that defines name again
// hides it, as in PostgreSQL.
func recursiveRefs(n protoreflect.ProtoMessage, name string) []recursiveRef {
	var out []recursiveRef
	var walk func(m protoreflect.Message, within string)
	walk = func(m protoreflect.Message, within string) {
		switch x := m.Interface().(type) {
		case *pg_query.RangeVar:
			if x.Schemaname == "" && x.Relname == name {
				out = append(out, recursiveRef{loc: x.Location, within: within})
			}
			return
		case *pg_query.SubLink:
			if within == "" {
				within = "a subquery"
			}
		case *pg_query.JoinExpr:
			left, right := within, within
			if within == "" {
				switch x.Jointype {
				case pg_query.JoinType_JOIN_LEFT:
					right = "an outer join"
				case pg_query.JoinType_JOIN_RIGHT:
					left = "an outer join"
				case pg_query.JoinType_JOIN_FULL:
					left, right = "an outer join", "an outer join"
				}
			}
			if x.Larg != nil {
				walk(x.Larg.ProtoReflect(), left)
			}
			if x.Rarg != nil {
				walk(x.Rarg.ProtoReflect(), right)
			}
			if x.Quals != nil {
				walk(x.Quals.ProtoReflect(), within)
			}
			return
		case *pg_query.SelectStmt:
			if x.WithClause != nil {
				for _, c := range x.WithClause.Ctes {
					if c.GetCommonTableExpr().GetCtename() == name {
						return
					}
				}
			}
			if within == "" && (x.Op == pg_query.SetOperation_SETOP_INTERSECT || x.Op == pg_query.SetOperation_SETOP_EXCEPT) {
				op := "INTERSECT"
				left := op
				if x.Op == pg_query.SetOperation_SETOP_EXCEPT {
					op, left = "EXCEPT", ""
				}
				if x.Larg != nil {
					walk(x.Larg.ProtoReflect(), left)
				}
				if x.Rarg != nil {
					walk(x.Rarg.ProtoReflect(), op)
				}
				return
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message(), within)
				}
			case fd.IsMap():
			case fd.Kind() == protoreflect.MessageKind:
				walk(v.Message(), within)
			}
			return true
		})
	}
	walk(n.ProtoReflect(), "")
	return out
}

// recursiveCTE binds a WITH RECURSIVE query that names itself; ok is
// false when it does not (it is then an ordinary WITH query).
func (b *binder) recursiveCTE(c *pg_query.CommonTableExpr, sel *pg_query.SelectStmt, ctes map[string]*cte) (*cte, bool, error) {
	name := c.Ctename
	if len(recursiveRefs(sel, name)) == 0 {
		return nil, false, nil
	}
	recErr := func(loc int32, format string, args ...any) error {
		return b.errAt(loc, pgerr.InvalidRecursion, format, args...)
	}
	if sel.Op != pg_query.SetOperation_SETOP_UNION {
		return nil, true, recErr(c.Location,
			"recursive query \"%s\" does not have the form non-recursive-term UNION [ALL] recursive-term", name)
	}
	if refs := recursiveRefs(sel.Larg, name); len(refs) > 0 {
		return nil, true, recErr(refs[0].loc, "recursive reference to query \"%s\" must not appear within its non-recursive term", name)
	}
	refs := recursiveRefs(sel.Rarg, name)
	for _, r := range refs {
		if r.within != "" {
			return nil, true, recErr(r.loc, "recursive reference to query \"%s\" must not appear within %s", name, r.within)
		}
	}
	if len(refs) > 1 {
		return nil, true, recErr(refs[1].loc, "recursive reference to query \"%s\" must not appear more than once", name)
	}
	for _, clause := range []struct {
		set  bool
		loc  int32
		what string
	}{
		{len(sel.SortClause) > 0, location(firstNode(sel.SortClause).GetSortBy().GetNode()), "ORDER BY"},
		{sel.LimitOffset != nil, location(sel.LimitOffset), "OFFSET"},
		{sel.LimitCount != nil, location(sel.LimitCount), "LIMIT"},
		{len(sel.LockingClause) > 0, -1, "FOR UPDATE/SHARE"},
	} {
		if clause.set {
			return nil, true, b.errAt(clause.loc, pgerr.FeatureNotSupported, "%s in a recursive query is not implemented", clause.what)
		}
	}

	// The non-recursive term gives the columns' types (unknown literals
	// are text) and names.
	init, err := b.selectStmt(sel.Larg)
	if err != nil {
		return nil, true, err
	}
	initOut := init.Schema()
	out := make([]planner.OutCol, len(initOut))
	initExprs := make([]planner.Expr, len(initOut))
	for i, col := range initOut {
		t := col.T
		if t.OID == types.UnknownOID {
			t = types.TText
		}
		ref := planner.Expr(&planner.ColRef{Idx: i, T: col.T, Name: col.Name})
		if initExprs[i], err = b.mustCoerce(ref, t, types.CastImplicit, -1); err != nil {
			return nil, true, err
		}
		out[i] = planner.OutCol{Name: col.Name, T: t}
	}
	aliases := stringsOf(c.Aliascolnames)
	if len(aliases) > len(out) {
		return nil, true, b.errAt(c.Location, pgerr.InvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified",
			name, len(out), len(aliases))
	}
	cols := make([]string, len(out))
	for i := range out {
		cols[i] = out[i].Name
		if i < len(aliases) {
			cols[i], out[i].Name = aliases[i], aliases[i]
		}
	}

	// The recursive term sees the query as its working table.
	id := int(c.Location)
	ctes[name] = &cte{plan: &planner.WorkTableScan{ID: id, Name: name, Out: out}, cols: cols}
	step, err := b.selectStmt(sel.Rarg)
	delete(ctes, name)
	if err != nil {
		return nil, true, err
	}
	if aggregateOver(step, id) {
		return nil, true, recErr(location(firstNode(sel.Rarg.GetTargetList())),
			"aggregate functions are not allowed in a recursive query's recursive term")
	}
	stepOut := step.Schema()
	if len(stepOut) != len(out) {
		return nil, true, b.errAt(-1, pgerr.SyntaxError, "each UNION query must have the same number of columns")
	}
	stepExprs := make([]planner.Expr, len(out))
	for i := range out {
		l := planner.Expr(&planner.ColRef{Idx: i, T: out[i].T})
		r := planner.Expr(&planner.ColRef{Idx: i, T: stepOut[i].T, Name: stepOut[i].Name})
		t, err := b.unifyTypes([]planner.Expr{l, r}, []int32{-1, -1}, "UNION", -1)
		if err != nil {
			return nil, true, err
		}
		if t != out[i].T && !(isUnknown(r) && t.OID == out[i].T.OID) {
			loc := int32(-1)
			if tl := sel.Larg.GetTargetList(); i < len(tl) {
				loc = location(tl[i])
			}
			return nil, true, b.errAt(loc, pgerr.DatatypeMismatch,
				"recursive query \"%s\" column %d has type %s in non-recursive term but type %s overall", name, i+1, out[i].T, t).
				WithHint("Cast the output of the non-recursive term to the correct type.")
		}
		if stepExprs[i], err = b.mustCoerce(r, out[i].T, types.CastImplicit, -1); err != nil {
			return nil, true, err
		}
	}
	node := &planner.RecursiveUnion{
		Init:     &planner.Project{Input: init, Exprs: initExprs, Out: out},
		Step:     &planner.Project{Input: step, Exprs: stepExprs, Out: out},
		ID:       id,
		Name:     name,
		Distinct: !sel.All,
		Out:      out,
	}
	return &cte{plan: node, cols: cols}, true, nil
}

// aggregateOver reports whether plan aggregates rows read from the working
// table id.
func aggregateOver(plan planner.Node, id int) bool {
	reads := func(n planner.Node) bool {
		found := false
		var walk func(planner.Node)
		walk = func(n planner.Node) {
			if w, ok := n.(*planner.WorkTableScan); ok && w.ID == id {
				found = true
			}
			for _, in := range planner.Inputs(n) {
				walk(in)
			}
		}
		walk(n)
		return found
	}
	found := false
	var walk func(planner.Node)
	walk = func(n planner.Node) {
		if a, ok := n.(*planner.Aggregate); ok && reads(a.Input) {
			found = true
		}
		for _, in := range planner.Inputs(n) {
			walk(in)
		}
	}
	walk(plan)
	return found
}

func firstNode(ns []*pg_query.Node) *pg_query.Node {
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}
