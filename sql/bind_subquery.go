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
	var test planner.Expr
	if sl.Testexpr != nil {
		var err error
		if test, err = b.expr(sl.Testexpr, sc); err != nil {
			return nil, err
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
		if len(cols) != 1 {
			return nil, b.errAt(sl.Location, pgerr.SyntaxError, "subquery has too many columns")
		}
		op := "="
		if len(sl.OperName) > 0 {
			if op, err = funcName(sl.OperName); err != nil {
				return nil, b.at(sl.Location, err)
			}
		}
		// Resolve the operator as if between the test value and a value
		// of the subquery's column type; coerce the column to match.
		col := &planner.ColRef{Idx: 0, T: cols[0].T, Name: cols[0].Name}
		f, err := b.bindOperator(op, test, col, location(sl.Testexpr), -1, sl.Location)
		if err != nil {
			return nil, err
		}
		fn, ok := f.(*planner.Func)
		if !ok || fn.T.OID != types.BoolOID {
			return nil, b.errAt(sl.Location, pgerr.DatatypeMismatch, "op ANY/ALL (array) requires operator to yield boolean")
		}
		if !planner.Equal(fn.Args[1], col) {
			plan = &planner.Project{Input: plan, Exprs: []planner.Expr{fn.Args[1]},
				Out: []planner.OutCol{{Name: cols[0].Name, T: fn.Args[1].Type()}}}
		}
		sub.Plan, sub.Test, sub.Cmp, sub.T = plan, fn.Args[0], fn.Impl, types.TBool
		sub.Kind = planner.AnySubquery
		if sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK {
			sub.Kind = planner.AllSubquery
		}
		return sub, nil
	}
	return nil, b.unsupported(sl.Location, "this kind of subquery")
}
