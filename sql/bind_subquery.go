package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// subLink binds a subquery used in an expression: scalar, EXISTS, IN /
// ANY / ALL, or ARRAY.
func (b *binder) subLink(sl *pg_query.SubLink, sc *scope) (planner.Expr, error) {
	// The left-hand side of ANY and ALL: one value, or the fields of a
	// row constructor, (a, b) IN (SELECT c, d ...).
	var tests []planner.Expr
	var testNodes []*pg_query.Node
	if sl.Testexpr != nil {
		testNodes = []*pg_query.Node{sl.Testexpr}
		if row := sl.Testexpr.GetRowExpr(); row != nil {
			testNodes = row.Args
		}
		for _, n := range testNodes {
			t, err := b.expr(n, sc)
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
		}
	}
	var plan planner.Node
	correlated, err := b.inSubquery(sc, func() error {
		var err error
		plan, err = b.selectStmt(sl.Subselect.GetSelectStmt())
		return err
	})
	if err != nil {
		return nil, err
	}
	cols := plan.Schema()
	sub := &planner.Subquery{Plan: plan, Correlated: correlated}
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		sub.Kind, sub.T = planner.ExistsSubquery, types.TBool
		return sub, nil
	case pg_query.SubLinkType_EXPR_SUBLINK, pg_query.SubLinkType_ARRAY_SUBLINK:
		if len(cols) != 1 {
			return nil, b.errAt(sl.Location, pgerr.SyntaxError, "subquery must return only one column")
		}
		sub.Kind, sub.T = planner.ScalarSubquery, cols[0].T
		if sl.SubLinkType == pg_query.SubLinkType_ARRAY_SUBLINK {
			arr, ok := types.ArrayOf(cols[0].T.OID)
			if !ok {
				return nil, b.errAt(sl.Location, pgerr.UndefinedObject, "could not find array type for data type %s", cols[0].T)
			}
			sub.Kind, sub.T = planner.ArraySubquery, types.Of(arr)
		}
		return sub, nil
	case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
		if len(cols) > len(tests) {
			return nil, b.errAt(sl.Location, pgerr.SyntaxError, "subquery has too many columns")
		}
		if len(cols) < len(tests) {
			return nil, b.errAt(sl.Location, pgerr.SyntaxError, "subquery has too few columns")
		}
		op := "="
		if len(sl.OperName) > 0 {
			if op, err = funcName(sl.OperName); err != nil {
				return nil, b.at(sl.Location, err)
			}
		}
		if op == "!=" {
			op = "<>"
		}
		if len(tests) > 1 && op != "=" && op != "<>" {
			return nil, b.unsupported(sl.Location, "a row comparison with operator "+op+" against a subquery")
		}
		// Resolve the operator of each column as if between the test value
		// and a value of the subquery's column type; coerce the column to
		// match.
		sub.Tests, sub.Cmps = make([]planner.Expr, len(tests)), make([]planner.FuncImpl, len(tests))
		coerced := make([]planner.Expr, len(tests))
		projected := false
		for i, test := range tests {
			col := &planner.ColRef{Idx: i, T: cols[i].T, Name: cols[i].Name}
			f, err := b.bindOperator(op, test, col, location(testNodes[i]), -1, sl.Location)
			if err != nil {
				return nil, err
			}
			fn, ok := f.(*planner.Func)
			if !ok || fn.T.OID != types.BoolOID {
				if len(tests) > 1 {
					return nil, b.errAt(sl.Location, pgerr.DatatypeMismatch, "row comparison operator must yield type boolean, not type %s", f.Type())
				}
				return nil, b.errAt(sl.Location, pgerr.DatatypeMismatch, "op ANY/ALL (array) requires operator to yield boolean")
			}
			sub.Tests[i], sub.Cmps[i], coerced[i] = fn.Args[0], fn.Impl, fn.Args[1]
			if !planner.Equal(fn.Args[1], col) {
				projected = true
			}
		}
		if projected {
			out := make([]planner.OutCol, len(coerced))
			for i, e := range coerced {
				out[i] = planner.OutCol{Name: cols[i].Name, T: e.Type()}
			}
			plan = &planner.Project{Input: plan, Exprs: coerced, Out: out}
		}
		sub.Plan, sub.Op, sub.T = plan, op, types.TBool
		sub.Kind = planner.AnySubquery
		if sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK {
			sub.Kind = planner.AllSubquery
		}
		return sub, nil
	}
	return nil, b.unsupported(sl.Location, "this kind of subquery")
}
