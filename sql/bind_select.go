package sql

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// target is one bound SELECT-list entry.
type target struct {
	expr planner.Expr
	out  planner.OutCol
	loc  int32
}

// selectStmt binds a SELECT into a plan.
func (b *binder) selectStmt(s *pg_query.SelectStmt) (planner.Node, error) {
	if s.WithClause != nil {
		if err := b.withClause(s.WithClause); err != nil {
			return nil, err
		}
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
	}
	if s.Op != pg_query.SetOperation_SETOP_NONE {
		return b.setOperation(s)
	}
	if s.IntoClause != nil {
		return nil, b.unsupported(-1, "SELECT INTO")
	}
	// FOR UPDATE/SHARE (LockingClause) needs nothing: writers are
	// serialised, so no other transaction can change the rows meanwhile.
	if len(s.ValuesLists) > 0 {
		return b.valuesSelect(s)
	}

	input, sc, err := b.fromClause(s.FromClause)
	if err != nil {
		return nil, err
	}
	if s.WhereClause != nil {
		b.aggNotAllowed = "WHERE"
		cond, err := b.expr(s.WhereClause, sc)
		if err != nil {
			return nil, err
		}
		if cond, err = b.boolArg(cond, location(s.WhereClause), "WHERE"); err != nil {
			return nil, err
		}
		input = &planner.Filter{Input: input, Cond: cond}
	}

	// Bind the SELECT list with aggregates and window functions allowed.
	win, err := b.windowClause(s.WindowClause)
	if err != nil {
		return nil, err
	}
	savedWin, savedWinNot := b.win, b.winNotAllowed
	defer func() { b.win, b.winNotAllowed = savedWin, savedWinNot }()
	b.agg, b.win = &aggContext{}, win
	targets, err := b.targetList(s.TargetList, sc)
	if err != nil {
		return nil, err
	}
	var having planner.Expr
	if s.HavingClause != nil {
		b.win, b.winNotAllowed = nil, "HAVING"
		h, err := b.expr(s.HavingClause, sc)
		if err != nil {
			return nil, err
		}
		if having, err = b.boolArg(h, location(s.HavingClause), "HAVING"); err != nil {
			return nil, err
		}
	}
	// ORDER BY keys, bound against the input (or naming SELECT-list
	// entries).
	b.win, b.winNotAllowed = win, ""
	keys, keyTargets, err := b.orderBy(s.SortClause, targets, sc)
	if err != nil {
		return nil, err
	}
	aggs := b.agg
	b.agg, b.win = nil, nil

	// GROUP BY.
	var groups []planner.Expr
	if len(s.GroupClause) > 0 {
		b.aggNotAllowed = "GROUP BY"
		for _, g := range s.GroupClause {
			e, err := b.groupItem(g, targets, sc)
			if err != nil {
				return nil, err
			}
			groups = append(groups, e)
		}
	}

	if len(aggs.calls) > 0 || len(groups) > 0 || having != nil {
		outCols := make([]planner.OutCol, 0, len(groups)+len(aggs.calls))
		for _, g := range groups {
			outCols = append(outCols, planner.OutCol{Name: colRefName(g), T: g.Type()})
		}
		for _, a := range aggs.calls {
			outCols = append(outCols, planner.OutCol{Name: a.Name, T: a.T})
		}
		input = &planner.Aggregate{Input: input, Groups: groups, Aggs: aggs.calls, Out: outCols}
		for i := range targets {
			if targets[i].expr, err = b.overGroups(targets[i].expr, groups, targets[i].loc); err != nil {
				return nil, err
			}
		}
		if having != nil {
			if having, err = b.overGroups(having, groups, location(s.HavingClause)); err != nil {
				return nil, err
			}
			input = &planner.Filter{Input: input, Cond: having}
		}
		for i := range keyTargets {
			if keyTargets[i].expr, err = b.overGroups(keyTargets[i].expr, groups, keyTargets[i].loc); err != nil {
				return nil, err
			}
		}
		for _, f := range win.funcs {
			if err := b.windowOverGroups(f, groups, -1); err != nil {
				return nil, err
			}
		}
	}
	if len(win.funcs) > 0 {
		input = b.windowNode(input, win, targets, keyTargets)
	}

	// SELECT DISTINCT is a DistinctClause of one empty node; DISTINCT ON
	// lists its expressions.
	distinct := len(s.DistinctClause) > 0
	for _, d := range s.DistinctClause {
		if d != nil && d.Node != nil {
			return nil, b.unsupported(location(d), "DISTINCT ON")
		}
	}
	if distinct && len(keyTargets) > 0 {
		return nil, b.errAt(keyTargets[0].loc, pgerr.InvalidColumnReference,
			"for SELECT DISTINCT, ORDER BY expressions must appear in select list")
	}
	return b.finishSelect(input, targets, keys, keyTargets, distinct, s.LimitCount, s.LimitOffset, s.LimitOption)
}

// finishSelect stacks projection, DISTINCT, ORDER BY and LIMIT on input.
// ORDER BY keys that are not in the SELECT list are computed as extra
// (junk) columns and projected away at the end.
func (b *binder) finishSelect(input planner.Node, targets []target, keys []planner.SortKey, junk []target,
	distinct bool, limitCount, limitOffset *pg_query.Node, limitOpt pg_query.LimitOption) (planner.Node, error) {
	if limitOpt == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, b.unsupported(-1, "FETCH ... WITH TIES")
	}
	exprs := make([]planner.Expr, 0, len(targets)+len(junk))
	outs := make([]planner.OutCol, 0, len(targets)+len(junk))
	for _, t := range targets {
		exprs = append(exprs, t.expr)
		outs = append(outs, t.out)
	}
	for _, t := range junk {
		exprs = append(exprs, t.expr)
		outs = append(outs, t.out)
	}
	var node planner.Node = &planner.Project{Input: input, Exprs: exprs, Out: outs}
	if distinct {
		node = &planner.Distinct{Input: node}
	}
	if len(keys) > 0 {
		node = &planner.Sort{Input: node, Keys: keys}
	}
	count, offset, err := b.limits(limitCount, limitOffset)
	if err != nil {
		return nil, err
	}
	if count != nil || offset != nil {
		node = &planner.Limit{Input: node, Count: count, Offset: offset}
	}
	if len(junk) > 0 {
		trim := make([]planner.Expr, len(targets))
		for i, t := range targets {
			trim[i] = &planner.ColRef{Idx: i, T: t.out.T, Name: t.out.Name}
		}
		node = &planner.Project{Input: node, Exprs: trim, Out: outs[:len(targets)]}
	}
	return node, nil
}

// limits binds LIMIT and OFFSET as int8 expressions. LIMIT NULL and LIMIT
// ALL mean no limit.
func (b *binder) limits(count, offset *pg_query.Node) (planner.Expr, planner.Expr, error) {
	bind := func(n *pg_query.Node, clause string) (planner.Expr, error) {
		if n == nil {
			return nil, nil
		}
		if c := n.GetAConst(); c != nil && c.Isnull {
			return nil, nil
		}
		b.aggNotAllowed = clause
		e, err := b.expr(n, nil)
		if err != nil {
			return nil, err
		}
		out, ok, err := b.coerce(e, types.TInt8, types.CastAssignment, location(n))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, b.errAt(location(n), pgerr.DatatypeMismatch, "argument of %s must be type bigint, not type %s", clause, e.Type())
		}
		return out, nil
	}
	c, err := bind(count, "LIMIT")
	if err != nil {
		return nil, nil, err
	}
	o, err := bind(offset, "OFFSET")
	return c, o, err
}

// targetList binds the SELECT list, expanding * and naming each column as
// PostgreSQL does.
func (b *binder) targetList(list []*pg_query.Node, sc *scope) ([]target, error) {
	var out []target
	for _, n := range list {
		rt := n.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil {
			if star, table := isStar(cr); star {
				cols, err := b.expandStar(sc, table, cr.Location)
				if err != nil {
					return nil, err
				}
				out = append(out, cols...)
				continue
			}
		}
		e, err := b.expr(rt.Val, sc)
		if err != nil {
			return nil, err
		}
		if e, err = b.resolveUnknownAsText(e, location(rt.Val)); err != nil {
			return nil, err
		}
		name := rt.Name
		if name == "" {
			name = figureColname(rt.Val)
		}
		oc := planner.OutCol{Name: name, T: e.Type()}
		if c, ok := e.(*planner.ColRef); ok && sc != nil {
			for _, sc := range sc.cols {
				if sc.idx == c.Idx {
					oc.TableOID, oc.Attnum = sc.tableOID, sc.attnum
				}
			}
		}
		out = append(out, target{expr: e, out: oc, loc: location(rt.Val)})
	}
	return out, nil
}

func isStar(cr *pg_query.ColumnRef) (bool, string) {
	last := cr.Fields[len(cr.Fields)-1]
	if last.GetAStar() == nil {
		return false, ""
	}
	if len(cr.Fields) >= 2 {
		return true, cr.Fields[len(cr.Fields)-2].GetString_().GetSval()
	}
	return true, ""
}

func (b *binder) expandStar(sc *scope, table string, loc int32) ([]target, error) {
	if len(sc.tables) == 0 {
		return nil, b.errAt(loc, pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
	}
	if table != "" {
		found := false
		for _, t := range sc.tables {
			found = found || t == table
		}
		if !found {
			return nil, b.errAt(loc, pgerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", table)
		}
	}
	var out []target
	for _, c := range sc.cols {
		if c.hidden || (table != "" && c.table != table) || (table == "" && c.mergedAway) {
			continue
		}
		out = append(out, target{
			expr: &planner.ColRef{Idx: c.idx, T: c.t, Name: c.table + "." + c.name},
			out:  planner.OutCol{Name: c.name, T: c.t, TableOID: c.tableOID, Attnum: c.attnum},
			loc:  loc,
		})
	}
	return out, nil
}

// figureColname names an unnamed SELECT-list column as PostgreSQL's
// FigureColname does.
func figureColname(n *pg_query.Node) string {
	name, _ := figureColnameStrength(n)
	if name == "" {
		return "?column?"
	}
	return name
}

func figureColnameStrength(n *pg_query.Node) (string, int) {
	if n == nil {
		return "", 0
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		f := x.ColumnRef.Fields
		if s := f[len(f)-1].GetString_(); s != nil {
			return s.Sval, 2
		}
	case *pg_query.Node_FuncCall:
		names := stringsOf(x.FuncCall.Funcname)
		return names[len(names)-1], 2
	case *pg_query.Node_AExpr:
		if x.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", 2
		}
	case *pg_query.Node_TypeCast:
		if name, s := figureColnameStrength(x.TypeCast.Arg); s > 1 {
			return name, s
		}
		names := stringsOf(x.TypeCast.TypeName.Names)
		return names[len(names)-1], 1
	case *pg_query.Node_CaseExpr:
		if name, s := figureColnameStrength(x.CaseExpr.Defresult); s > 1 {
			return name, s
		}
		return "case", 1
	case *pg_query.Node_AArrayExpr:
		return "array", 2
	case *pg_query.Node_CoalesceExpr:
		return "coalesce", 2
	case *pg_query.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest", 2
		}
		return "least", 2
	case *pg_query.Node_SqlvalueFunction:
		return sqlValueFunctionName(x.SqlvalueFunction.Op), 2
	case *pg_query.Node_CollateClause:
		return figureColnameStrength(x.CollateClause.Arg)
	case *pg_query.Node_AIndirection:
		ind := x.AIndirection.Indirection
		if s := ind[len(ind)-1].GetString_(); s != nil {
			return s.Sval, 2
		}
		return figureColnameStrength(x.AIndirection.Arg)
	case *pg_query.Node_RowExpr:
		return "row", 2
	case *pg_query.Node_SubLink:
		switch x.SubLink.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists", 2
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array", 2
		case pg_query.SubLinkType_EXPR_SUBLINK:
			// A scalar subquery is named after its one column.
			if sel := x.SubLink.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name, 2
				}
				return figureColnameStrength(rt.Val)
			}
		}
	}
	return "", 0
}

func sqlValueFunctionName(op pg_query.SQLValueFunctionOp) string {
	switch op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		return "current_date"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:
		return "current_time"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return "current_timestamp"
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
		return "localtime"
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		return "localtimestamp"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return "current_role"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER:
		return "current_user"
	case pg_query.SQLValueFunctionOp_SVFOP_USER:
		return "user"
	case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
		return "session_user"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return "current_catalog"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return "current_schema"
	}
	return ""
}

// orderBy binds ORDER BY. A key naming a SELECT-list column (by output
// name or position) sorts by that column; any other expression is bound
// against the input and computed as a junk column after the targets.
func (b *binder) orderBy(items []*pg_query.Node, targets []target, sc *scope) ([]planner.SortKey, []target, error) {
	var keys []planner.SortKey
	var junk []target
	for _, it := range items {
		sb := it.GetSortBy()
		if sb.SortbyDir == pg_query.SortByDir_SORTBY_USING {
			return nil, nil, b.unsupported(sb.Location, "ORDER BY ... USING")
		}
		idx, err := b.findTarget(sb.Node, targets, "ORDER BY")
		if err != nil {
			return nil, nil, err
		}
		var t types.T
		if idx < 0 {
			e, err := b.expr(sb.Node, sc)
			if err != nil {
				return nil, nil, err
			}
			if e, err = b.resolveUnknownAsText(e, location(sb.Node)); err != nil {
				return nil, nil, err
			}
			// Reuse an equal SELECT-list expression.
			for i, tg := range targets {
				if planner.Equal(tg.expr, e) {
					idx = i
				}
			}
			if idx < 0 {
				junk = append(junk, target{expr: e, out: planner.OutCol{Name: "?column?", T: e.Type()}, loc: location(sb.Node)})
				idx = len(targets) + len(junk) - 1
			}
			t = e.Type()
		} else {
			t = targets[idx].expr.Type()
		}
		cmp, err := b.sortCompare(t, location(sb.Node))
		if err != nil {
			return nil, nil, err
		}
		desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
		nullsFirst := desc
		switch sb.SortbyNulls {
		case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
			nullsFirst = true
		case pg_query.SortByNulls_SORTBY_NULLS_LAST:
			nullsFirst = false
		}
		keys = append(keys, planner.SortKey{
			Expr: &planner.ColRef{Idx: idx, T: t}, Desc: desc, NullsFirst: nullsFirst, Cmp: cmp,
		})
	}
	return keys, junk, nil
}

// sortCompare returns the ordering of a type, failing as PostgreSQL does
// for a type without one. varchar and name sort as text.
func (b *binder) sortCompare(t types.T, loc int32) (func(a, c types.Datum) int, error) {
	oid := t.OID
	if oid == types.VarcharOID || oid == types.NameOID {
		oid = types.TextOID
	}
	for _, o := range b.reg.BinaryOperator("<") {
		if len(o.Args) == 2 && o.Args[0] == oid && o.Args[1] == oid {
			return builtins.CompareFunc(types.Of(oid)), nil
		}
	}
	if _, isArray := types.ElemOf(oid); isArray {
		return builtins.CompareFunc(t), nil
	}
	return nil, b.errAt(loc, pgerr.UndefinedFunction, "could not identify an ordering operator for type %s", t).
		WithHint("Use an explicit ordering operator or modify the query.")
}

// findTarget resolves an ORDER BY or GROUP BY item that names a SELECT-list
// entry: a bare name equal to an output column name, or a position. It
// returns -1 when the item is an ordinary expression.
func (b *binder) findTarget(n *pg_query.Node, targets []target, clause string) (int, error) {
	if c := n.GetAConst(); c != nil {
		if iv, ok := c.Val.(*pg_query.A_Const_Ival); ok {
			pos := int(iv.Ival.Ival)
			if pos < 1 || pos > len(targets) {
				return 0, b.errAt(c.Location, pgerr.InvalidColumnReference, "%s position %d is not in select list", clause, pos)
			}
			return pos - 1, nil
		}
		return -1, nil
	}
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) != 1 || cr.Fields[0].GetString_() == nil {
		return -1, nil
	}
	name := cr.Fields[0].GetString_().Sval
	found := -1
	for i, t := range targets {
		if t.out.Name != name {
			continue
		}
		if found >= 0 && !planner.Equal(targets[found].expr, t.expr) {
			return 0, b.errAt(cr.Location, pgerr.AmbiguousColumn, "%s \"%s\" is ambiguous", clause, name)
		}
		if found < 0 {
			found = i
		}
	}
	return found, nil
}

// groupItem binds a GROUP BY item: a position or output name refers to a
// SELECT-list expression (when the name is not an input column, which
// wins in GROUP BY as in PostgreSQL); anything else is an expression over
// the input.
func (b *binder) groupItem(n *pg_query.Node, targets []target, sc *scope) (planner.Expr, error) {
	if c := n.GetAConst(); c != nil {
		if _, ok := c.Val.(*pg_query.A_Const_Ival); ok {
			idx, err := b.findTarget(n, targets, "GROUP BY")
			if err != nil {
				return nil, err
			}
			if containsAggRef(targets[idx].expr) {
				return nil, b.errAt(c.Location, pgerr.GroupingError, "aggregate functions are not allowed in GROUP BY")
			}
			return targets[idx].expr, nil
		}
	}
	e, err := b.expr(n, sc)
	if err != nil {
		if pgerr.CodeOf(err) == pgerr.UndefinedColumn {
			if idx, ferr := b.findTarget(n, targets, "GROUP BY"); ferr == nil && idx >= 0 {
				return targets[idx].expr, nil
			}
		}
		return nil, err
	}
	return e, nil
}

// valuesSelect binds a VALUES list (possibly with ORDER BY and LIMIT).
func (b *binder) valuesSelect(s *pg_query.SelectStmt) (planner.Node, error) {
	b.aggNotAllowed = "VALUES"
	rows, err := b.valuesRows(s.ValuesLists, nil)
	if err != nil {
		return nil, err
	}
	width := len(rows[0])
	cols := make([]planner.OutCol, width)
	for j := 0; j < width; j++ {
		column := make([]planner.Expr, len(rows))
		locs := make([]int32, len(rows))
		for i := range rows {
			column[i] = rows[i][j]
			locs[i] = -1
		}
		t, err := b.unifyTypes(column, locs, "VALUES", -1)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			if rows[i][j], err = b.mustCoerce(rows[i][j], t, types.CastImplicit, -1); err != nil {
				return nil, err
			}
		}
		cols[j] = planner.OutCol{Name: fmt.Sprintf("column%d", j+1), T: t}
	}
	var node planner.Node = &planner.Values{Rows: rows, Out: cols}
	if len(s.SortClause) == 0 && s.LimitCount == nil && s.LimitOffset == nil {
		return node, nil
	}
	sc := &scope{tables: []string{"*VALUES*"}}
	targets := make([]target, width)
	for j, c := range cols {
		sc.cols = append(sc.cols, scopeCol{name: c.Name, table: "*VALUES*", idx: j, t: c.T})
		targets[j] = target{expr: &planner.ColRef{Idx: j, T: c.T, Name: c.Name}, out: c}
	}
	keys, junk, err := b.orderBy(s.SortClause, targets, sc)
	if err != nil {
		return nil, err
	}
	return b.finishSelect(node, targets, keys, junk, false, s.LimitCount, s.LimitOffset, s.LimitOption)
}

// valuesRows binds the rows of a VALUES list; all must have one width.
func (b *binder) valuesRows(lists []*pg_query.Node, sc *scope) ([][]planner.Expr, error) {
	rows := make([][]planner.Expr, len(lists))
	for i, l := range lists {
		items := l.GetList().Items
		if i > 0 && len(items) != len(rows[0]) {
			return nil, b.errAt(location(items[0]), pgerr.SyntaxError, "VALUES lists must all be the same length")
		}
		row := make([]planner.Expr, len(items))
		for j, it := range items {
			if it.GetSetToDefault() != nil {
				row[j] = defaultMarker{}
				continue
			}
			e, err := b.expr(it, sc)
			if err != nil {
				return nil, err
			}
			row[j] = e
		}
		rows[i] = row
	}
	return rows, nil
}

// defaultMarker stands for the DEFAULT keyword in an INSERT's VALUES list
// until the column's default expression replaces it.
type defaultMarker struct{}

func (defaultMarker) Type() types.T { return types.TUnknown }
