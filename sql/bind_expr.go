package sql

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// location returns the byte offset a parse node points at, or -1.
func location(n *pg_query.Node) int32 {
	if n == nil {
		return -1
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_AConst:
		return x.AConst.Location
	case *pg_query.Node_ColumnRef:
		return x.ColumnRef.Location
	case *pg_query.Node_ParamRef:
		return x.ParamRef.Location
	case *pg_query.Node_AExpr:
		return x.AExpr.Location
	case *pg_query.Node_FuncCall:
		return x.FuncCall.Location
	case *pg_query.Node_TypeCast:
		return x.TypeCast.Location
	case *pg_query.Node_BoolExpr:
		return x.BoolExpr.Location
	case *pg_query.Node_NullTest:
		return x.NullTest.Location
	case *pg_query.Node_BooleanTest:
		return x.BooleanTest.Location
	case *pg_query.Node_CaseExpr:
		return x.CaseExpr.Location
	case *pg_query.Node_CoalesceExpr:
		return x.CoalesceExpr.Location
	case *pg_query.Node_MinMaxExpr:
		return x.MinMaxExpr.Location
	case *pg_query.Node_AArrayExpr:
		return x.AArrayExpr.Location
	case *pg_query.Node_SqlvalueFunction:
		return x.SqlvalueFunction.Location
	case *pg_query.Node_SubLink:
		return x.SubLink.Location
	case *pg_query.Node_CollateClause:
		return x.CollateClause.Location
	case *pg_query.Node_ResTarget:
		return x.ResTarget.Location
	case *pg_query.Node_SetToDefault:
		return x.SetToDefault.Location
	case *pg_query.Node_RowExpr:
		return x.RowExpr.Location
	}
	return -1
}

// expr binds a scalar expression against a scope.
func (b *binder) expr(n *pg_query.Node, sc *scope) (planner.Expr, error) {
	switch x := n.Node.(type) {
	case *pg_query.Node_AConst:
		return b.constant(x.AConst)
	case *pg_query.Node_ColumnRef:
		return b.columnRef(x.ColumnRef, sc)
	case *pg_query.Node_ParamRef:
		return b.param(x.ParamRef)
	case *pg_query.Node_AExpr:
		return b.aExpr(x.AExpr, sc)
	case *pg_query.Node_BoolExpr:
		return b.boolExpr(x.BoolExpr, sc)
	case *pg_query.Node_NullTest:
		arg, err := b.expr(x.NullTest.Arg, sc)
		if err != nil {
			return nil, err
		}
		return &planner.IsNull{Arg: arg, Negate: x.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL}, nil
	case *pg_query.Node_BooleanTest:
		return b.booleanTest(x.BooleanTest, sc)
	case *pg_query.Node_TypeCast:
		return b.typeCast(x.TypeCast, sc)
	case *pg_query.Node_FuncCall:
		return b.funcCall(x.FuncCall, sc)
	case *pg_query.Node_CaseExpr:
		return b.caseExpr(x.CaseExpr, sc)
	case *pg_query.Node_CoalesceExpr:
		return b.coalesce(x.CoalesceExpr, sc)
	case *pg_query.Node_MinMaxExpr:
		return b.minMax(x.MinMaxExpr, sc)
	case *pg_query.Node_AArrayExpr:
		return b.arrayExpr(x.AArrayExpr, sc)
	case *pg_query.Node_SqlvalueFunction:
		return b.sqlValueFunction(x.SqlvalueFunction)
	case *pg_query.Node_CollateClause:
		// vecgres compares text bytewise (the C collation) whatever the
		// clause names; accept the clause for the collations that mean
		// that, and refuse the others rather than sort differently.
		coll := strings.Join(stringsOf(x.CollateClause.Collname), ".")
		switch strings.TrimPrefix(coll, "pg_catalog.") {
		case "C", "POSIX", "default", "ucs_basic":
		default:
			return nil, b.errAt(x.CollateClause.Location, pgerr.UndefinedObject, "collation \"%s\" for encoding \"UTF8\" does not exist", coll)
		}
		return b.expr(x.CollateClause.Arg, sc)
	case *pg_query.Node_SubLink:
		return b.subLink(x.SubLink, sc)
	case *pg_query.Node_SetToDefault:
		return nil, b.errAt(x.SetToDefault.Location, pgerr.FeatureNotSupported, "DEFAULT is not allowed in this context")
	case *pg_query.Node_AIndirection:
		return b.indirection(x.AIndirection, sc)
	}
	return nil, b.errAt(location(n), pgerr.FeatureNotSupported, "expression of kind %s is not supported by vecgres yet", nodeKind(n))
}

// constant binds a literal. Integers are int4 when they fit, else int8,
// else numeric; decimals are numeric; strings stay unknown until context
// gives them a type, as in PostgreSQL.
func (b *binder) constant(c *pg_query.A_Const) (planner.Expr, error) {
	if c.Isnull {
		return &planner.Const{T: types.TUnknown}, nil
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return &planner.Const{Value: int64(v.Ival.Ival), T: types.TInt4}, nil
	case *pg_query.A_Const_Fval:
		s := v.Fval.Fval
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return &planner.Const{Value: i, T: types.TInt4}, nil
			}
			return &planner.Const{Value: i, T: types.TInt8}, nil
		}
		d, err := types.ParseText(types.TNumeric, s)
		if err != nil {
			return nil, b.at(c.Location, err)
		}
		return &planner.Const{Value: d, T: types.TNumeric}, nil
	case *pg_query.A_Const_Sval:
		return &planner.Const{Value: v.Sval.Sval, T: types.TUnknown}, nil
	case *pg_query.A_Const_Boolval:
		return &planner.Const{Value: v.Boolval.Boolval, T: types.TBool}, nil
	case *pg_query.A_Const_Bsval:
		// B'1010' and X'1F' arrive as "b1010" and "x1F": bit_in reads
		// them, and the constant is a bit without length, as in
		// PostgreSQL's make_const.
		d, err := types.ParseText(types.TBit, v.Bsval.Bsval)
		if err != nil {
			return nil, b.at(c.Location, err)
		}
		return &planner.Const{Value: d, T: types.TBit}, nil
	}
	return nil, b.errAt(c.Location, pgerr.SyntaxError, "unrecognized constant")
}

func (b *binder) columnRef(cr *pg_query.ColumnRef, sc *scope) (planner.Expr, error) {
	var parts []string
	for _, f := range cr.Fields {
		switch v := f.Node.(type) {
		case *pg_query.Node_String_:
			parts = append(parts, v.String_.Sval)
		case *pg_query.Node_AStar:
			return nil, b.errAt(cr.Location, pgerr.SyntaxError, "row expansion via \"*\" is not supported here")
		}
	}
	var table, name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		table, name = parts[0], parts[1]
	case 3:
		// schema.table.column: the schema must be the table's.
		table, name = parts[1], parts[2]
	default:
		return nil, b.errAt(cr.Location, pgerr.SyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(parts, "."))
	}
	return b.lookupColumn(sc, table, name, cr.Location)
}

func (b *binder) param(p *pg_query.ParamRef) (planner.Expr, error) {
	n := int(p.Number)
	if n < 1 || n > 65535 || b.noParams {
		return nil, b.errAt(p.Location, pgerr.UndefinedParameter, "there is no parameter $%d", n)
	}
	for len(b.params) < n {
		b.params = append(b.params, types.TUnknown)
	}
	return &planner.Param{Index: n - 1, T: b.params[n-1]}, nil
}

func (b *binder) aExpr(a *pg_query.A_Expr, sc *scope) (planner.Expr, error) {
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		name, err := funcName(a.Name)
		if err != nil {
			return nil, b.at(a.Location, err)
		}
		var left planner.Expr
		if a.Lexpr != nil {
			if left, err = b.expr(a.Lexpr, sc); err != nil {
				return nil, err
			}
		}
		right, err := b.expr(a.Rexpr, sc)
		if err != nil {
			return nil, err
		}
		return b.folded(b.bindOperator(name, left, right, location(a.Lexpr), location(a.Rexpr), a.Location))
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		name, _ := funcName(a.Name)
		left, err := b.expr(a.Lexpr, sc)
		if err != nil {
			return nil, err
		}
		right, err := b.expr(a.Rexpr, sc)
		if err != nil {
			return nil, err
		}
		return b.bindOperator(name, left, right, location(a.Lexpr), location(a.Rexpr), a.Location)
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		return b.distinctFrom(a, sc)
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return b.nullIf(a, sc)
	case pg_query.A_Expr_Kind_AEXPR_IN:
		return b.inList(a, sc)
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		return b.between(a, sc)
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		return b.arrayComparison(a, sc)
	}
	return nil, b.unsupported(a.Location, "this operator form")
}

// distinctFrom binds a IS [NOT] DISTINCT FROM b as a null-aware equality.
func (b *binder) distinctFrom(a *pg_query.A_Expr, sc *scope) (planner.Expr, error) {
	left, err := b.expr(a.Lexpr, sc)
	if err != nil {
		return nil, err
	}
	right, err := b.expr(a.Rexpr, sc)
	if err != nil {
		return nil, err
	}
	eq, err := b.bindOperator("=", left, right, location(a.Lexpr), location(a.Rexpr), a.Location)
	if err != nil {
		return nil, err
	}
	f := eq.(*planner.Func)
	l, r := f.Args[0], f.Args[1]
	// DISTINCT: (l IS NULL) <> (r IS NULL) OR (both not NULL AND NOT l = r)
	notDistinct := &planner.Case{T: types.TBool, Whens: []planner.When{
		{Cond: &planner.BoolOp{Op: planner.And, Args: []planner.Expr{&planner.IsNull{Arg: l}, &planner.IsNull{Arg: r}}},
			Result: &planner.Const{Value: true, T: types.TBool}},
		{Cond: &planner.BoolOp{Op: planner.Or, Args: []planner.Expr{&planner.IsNull{Arg: l}, &planner.IsNull{Arg: r}}},
			Result: &planner.Const{Value: false, T: types.TBool}},
	}, Else: f}
	if a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT {
		return notDistinct, nil
	}
	return &planner.BoolOp{Op: planner.Not, Args: []planner.Expr{notDistinct}}, nil
}

// nullIf binds NULLIF(a, b): NULL when a = b, else a.
func (b *binder) nullIf(a *pg_query.A_Expr, sc *scope) (planner.Expr, error) {
	left, err := b.expr(a.Lexpr, sc)
	if err != nil {
		return nil, err
	}
	right, err := b.expr(a.Rexpr, sc)
	if err != nil {
		return nil, err
	}
	eq, err := b.bindOperator("=", left, right, location(a.Lexpr), location(a.Rexpr), a.Location)
	if err != nil {
		return nil, err
	}
	f := eq.(*planner.Func)
	return &planner.Case{T: f.Args[0].Type(), Whens: []planner.When{{Cond: f, Result: &planner.Const{T: f.Args[0].Type()}}},
		Else: f.Args[0]}, nil
}

func (b *binder) inList(a *pg_query.A_Expr, sc *scope) (planner.Expr, error) {
	name, _ := funcName(a.Name)
	list := a.Rexpr.GetList()
	if list == nil {
		return nil, b.unsupported(a.Location, "IN with a subquery")
	}
	left, err := b.expr(a.Lexpr, sc)
	if err != nil {
		return nil, err
	}
	items := make([]planner.Expr, len(list.Items))
	all := []planner.Expr{left}
	for i, it := range list.Items {
		if items[i], err = b.expr(it, sc); err != nil {
			return nil, err
		}
		all = append(all, items[i])
	}
	t, ok := commonType(all)
	if !ok {
		// Mixed categories: compare item by item with the operator.
		t = left.Type()
	}
	if left, err = b.mustCoerce(left, t, types.CastImplicit, location(a.Lexpr)); err != nil {
		return nil, err
	}
	for i := range items {
		if items[i], err = b.mustCoerce(items[i], t, types.CastImplicit, location(list.Items[i])); err != nil {
			return nil, err
		}
	}
	eq, err := b.bindOperator("=", &planner.Const{T: t}, &planner.Const{T: t}, -1, -1, a.Location)
	if err != nil {
		return nil, err
	}
	return &planner.InList{Arg: left, List: items, Eq: eq.(*planner.Func).Impl, Negate: name == "<>"}, nil
}

func (b *binder) between(a *pg_query.A_Expr, sc *scope) (planner.Expr, error) {
	bounds := a.Rexpr.GetList()
	if bounds == nil || len(bounds.Items) != 2 {
		return nil, b.errAt(a.Location, pgerr.SyntaxError, "syntax error in BETWEEN")
	}
	x, err := b.expr(a.Lexpr, sc)
	if err != nil {
		return nil, err
	}
	lo, err := b.expr(bounds.Items[0], sc)
	if err != nil {
		return nil, err
	}
	hi, err := b.expr(bounds.Items[1], sc)
	if err != nil {
		return nil, err
	}
	ge, err := b.bindOperator(">=", x, lo, location(a.Lexpr), location(bounds.Items[0]), a.Location)
	if err != nil {
		return nil, err
	}
	le, err := b.bindOperator("<=", x, hi, location(a.Lexpr), location(bounds.Items[1]), a.Location)
	if err != nil {
		return nil, err
	}
	both := &planner.BoolOp{Op: planner.And, Args: []planner.Expr{ge, le}}
	if a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN {
		return &planner.BoolOp{Op: planner.Not, Args: []planner.Expr{both}}, nil
	}
	return both, nil
}

func (b *binder) boolExpr(be *pg_query.BoolExpr, sc *scope) (planner.Expr, error) {
	args := make([]planner.Expr, len(be.Args))
	for i, a := range be.Args {
		e, err := b.expr(a, sc)
		if err != nil {
			return nil, err
		}
		if args[i], err = b.boolArg(e, location(a), boolOpName(be.Boolop)); err != nil {
			return nil, err
		}
	}
	switch be.Boolop {
	case pg_query.BoolExprType_AND_EXPR:
		return &planner.BoolOp{Op: planner.And, Args: args}, nil
	case pg_query.BoolExprType_OR_EXPR:
		return &planner.BoolOp{Op: planner.Or, Args: args}, nil
	}
	return &planner.BoolOp{Op: planner.Not, Args: args}, nil
}

func boolOpName(t pg_query.BoolExprType) string {
	switch t {
	case pg_query.BoolExprType_AND_EXPR:
		return "AND"
	case pg_query.BoolExprType_OR_EXPR:
		return "OR"
	}
	return "NOT"
}

// boolArg coerces an operand of AND/OR/NOT or a WHERE clause to boolean
// with PostgreSQL's message when it is not one.
func (b *binder) boolArg(e planner.Expr, loc int32, construct string) (planner.Expr, error) {
	out, ok, err := b.coerce(e, types.TBool, types.CastImplicit, loc)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, b.errAt(loc, pgerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", construct, e.Type())
	}
	return out, nil
}

func (b *binder) booleanTest(t *pg_query.BooleanTest, sc *scope) (planner.Expr, error) {
	arg, err := b.expr(t.Arg, sc)
	if err != nil {
		return nil, err
	}
	construct := "IS TRUE"
	switch t.Booltesttype {
	case pg_query.BoolTestType_IS_NOT_TRUE:
		construct = "IS NOT TRUE"
	case pg_query.BoolTestType_IS_FALSE:
		construct = "IS FALSE"
	case pg_query.BoolTestType_IS_NOT_FALSE:
		construct = "IS NOT FALSE"
	case pg_query.BoolTestType_IS_UNKNOWN:
		construct = "IS UNKNOWN"
	case pg_query.BoolTestType_IS_NOT_UNKNOWN:
		construct = "IS NOT UNKNOWN"
	}
	if arg, err = b.boolArg(arg, location(t.Arg), construct); err != nil {
		return nil, err
	}
	tr, fa := &planner.Const{Value: true, T: types.TBool}, &planner.Const{Value: false, T: types.TBool}
	isNull := &planner.IsNull{Arg: arg}
	// value when arg is true / false / NULL:
	var whenTrue, whenFalse, whenNull planner.Expr
	switch t.Booltesttype {
	case pg_query.BoolTestType_IS_TRUE:
		whenTrue, whenFalse, whenNull = tr, fa, fa
	case pg_query.BoolTestType_IS_NOT_TRUE:
		whenTrue, whenFalse, whenNull = fa, tr, tr
	case pg_query.BoolTestType_IS_FALSE:
		whenTrue, whenFalse, whenNull = fa, tr, fa
	case pg_query.BoolTestType_IS_NOT_FALSE:
		whenTrue, whenFalse, whenNull = tr, fa, tr
	case pg_query.BoolTestType_IS_UNKNOWN:
		return isNull, nil
	default:
		return &planner.IsNull{Arg: arg, Negate: true}, nil
	}
	return &planner.Case{T: types.TBool, Whens: []planner.When{
		{Cond: isNull, Result: whenNull},
		{Cond: arg, Result: whenTrue},
	}, Else: whenFalse}, nil
}

func (b *binder) typeCast(tc *pg_query.TypeCast, sc *scope) (planner.Expr, error) {
	to, err := b.resolveTypeName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	// An array literal cast (ARRAY[...]::real[]) types its elements.
	arg, err := b.expr(tc.Arg, sc)
	if err != nil {
		return nil, err
	}
	if c, ok := arg.(*planner.Const); ok && to.OID == types.RegclassOID && c.Value != nil {
		return b.regclass(arg, tc)
	}
	loc := location(tc.Arg)
	if loc < 0 {
		loc = tc.Location
	}
	out, ok, err := b.coerce(arg, to, types.CastExplicit, loc)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, b.errAt(tc.Location, pgerr.CannotCoerce, "cannot cast type %s to %s", arg.Type(), to)
	}
	return out, nil
}

// regclass resolves 'name'::regclass to the relation's OID at bind time.
func (b *binder) regclass(arg planner.Expr, tc *pg_query.TypeCast) (planner.Expr, error) {
	c, ok := arg.(*planner.Const)
	if !ok {
		return nil, b.unsupported(tc.Location, "a non-constant cast to regclass")
	}
	switch v := c.Value.(type) {
	case string:
		e, _, err := b.regclassConst(v, location(tc.Arg))
		return e, err
	case int64:
		return &planner.Const{Value: v, T: types.Of(types.RegclassOID)}, nil
	}
	return nil, b.errAt(tc.Location, pgerr.CannotCoerce, "cannot cast type %s to regclass", arg.Type())
}

// regclassConst resolves a relation name, as the regclass input function
// does, to a constant of type regclass holding the relation's OID.
func (b *binder) regclassConst(v string, loc int32) (planner.Expr, bool, error) {
	if b.format != nil && b.format.Namer != nil {
		// The session's Namer knows the system catalogs too.
		d, err := types.ParseTextWith(types.Of(types.RegclassOID), v, b.format)
		if err != nil {
			return nil, true, b.at(loc, err)
		}
		return &planner.Const{Value: d, T: types.Of(types.RegclassOID)}, true, nil
	}
	schema, name := "", v
	if i := strings.IndexByte(v, '.'); i >= 0 {
		schema, name = v[:i], v[i+1:]
	}
	schema, name = strings.Trim(schema, `"`), strings.Trim(name, `"`)
	oid, ok := b.relationOID(schema, name)
	if !ok {
		return nil, true, b.errAt(loc, pgerr.UndefinedTable, "relation \"%s\" does not exist", v)
	}
	return &planner.Const{Value: int64(oid), T: types.Of(types.RegclassOID)}, true, nil
}

func (b *binder) relationOID(schema, name string) (types.OID, bool) {
	schemas := b.searchPath
	if schema != "" {
		schemas = []string{schema}
	}
	for _, s := range schemas {
		if oid, _, ok := b.cat.RelationOID(s, name); ok {
			return oid, true
		}
	}
	return 0, false
}

func (b *binder) caseExpr(ce *pg_query.CaseExpr, sc *scope) (planner.Expr, error) {
	var subject planner.Expr
	var err error
	if ce.Arg != nil {
		if subject, err = b.expr(ce.Arg, sc); err != nil {
			return nil, err
		}
	}
	whens := make([]planner.When, len(ce.Args))
	results := make([]planner.Expr, 0, len(ce.Args)+1)
	resultLocs := make([]int32, 0, len(ce.Args)+1)
	for i, w := range ce.Args {
		cw := w.GetCaseWhen()
		cond, err := b.expr(cw.Expr, sc)
		if err != nil {
			return nil, err
		}
		if subject != nil {
			if cond, err = b.bindOperator("=", subject, cond, location(ce.Arg), location(cw.Expr), cw.Location); err != nil {
				return nil, err
			}
		} else if cond, err = b.boolArg(cond, location(cw.Expr), "CASE/WHEN"); err != nil {
			return nil, err
		}
		res, err := b.expr(cw.Result, sc)
		if err != nil {
			return nil, err
		}
		whens[i] = planner.When{Cond: cond, Result: res}
		results = append(results, res)
		resultLocs = append(resultLocs, location(cw.Result))
	}
	var elseExpr planner.Expr
	if ce.Defresult != nil {
		if elseExpr, err = b.expr(ce.Defresult, sc); err != nil {
			return nil, err
		}
		results = append(results, elseExpr)
		resultLocs = append(resultLocs, location(ce.Defresult))
	}
	t, err := b.unifyTypes(results, resultLocs, "CASE", ce.Location)
	if err != nil {
		return nil, err
	}
	for i := range whens {
		if whens[i].Result, err = b.mustCoerce(whens[i].Result, t, types.CastImplicit, resultLocs[i]); err != nil {
			return nil, err
		}
	}
	if elseExpr != nil {
		if elseExpr, err = b.mustCoerce(elseExpr, t, types.CastImplicit, resultLocs[len(resultLocs)-1]); err != nil {
			return nil, err
		}
	}
	return &planner.Case{Whens: whens, Else: elseExpr, T: t}, nil
}

// unifyTypes finds the common type of a construct's branches, failing as
// PostgreSQL does ("CASE types integer and text cannot be matched").
func (b *binder) unifyTypes(exprs []planner.Expr, locs []int32, construct string, loc int32) (types.T, error) {
	t, ok := commonType(exprs)
	if ok {
		// Every branch must reach t implicitly.
		for i, e := range exprs {
			if isUnknown(e) || e.Type().OID == t.OID {
				continue
			}
			if cc, ok := types.CastContextOf(e.Type().OID, t.OID); !ok || cc != types.CastImplicit {
				return types.T{}, b.errAt(locs[i], pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", construct, t, e.Type())
			}
		}
		return t, nil
	}
	var first types.T
	for i, e := range exprs {
		if isUnknown(e) {
			continue
		}
		if first.OID == 0 {
			first = e.Type()
			continue
		}
		if e.Type().OID != first.OID {
			return types.T{}, b.errAt(locs[i], pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", construct, first, e.Type())
		}
	}
	return types.T{}, b.errAt(loc, pgerr.DatatypeMismatch, "%s types cannot be matched", construct)
}

func (b *binder) coalesce(ce *pg_query.CoalesceExpr, sc *scope) (planner.Expr, error) {
	args, locs, err := b.exprList(ce.Args, sc)
	if err != nil {
		return nil, err
	}
	t, err := b.unifyTypes(args, locs, "COALESCE", ce.Location)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if args[i], err = b.mustCoerce(args[i], t, types.CastImplicit, locs[i]); err != nil {
			return nil, err
		}
	}
	return &planner.Coalesce{Args: args, T: t}, nil
}

func (b *binder) minMax(mm *pg_query.MinMaxExpr, sc *scope) (planner.Expr, error) {
	name := "GREATEST"
	if mm.Op == pg_query.MinMaxOp_IS_LEAST {
		name = "LEAST"
	}
	args, locs, err := b.exprList(mm.Args, sc)
	if err != nil {
		return nil, err
	}
	t, err := b.unifyTypes(args, locs, name, mm.Location)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if args[i], err = b.mustCoerce(args[i], t, types.CastImplicit, locs[i]); err != nil {
			return nil, err
		}
	}
	op := ">"
	if name == "LEAST" {
		op = "<"
	}
	better, err := b.bindOperator(op, &planner.Const{T: t}, &planner.Const{T: t}, -1, -1, mm.Location)
	if err != nil {
		return nil, err
	}
	impl := better.(*planner.Func).Impl
	return &planner.Func{Name: strings.ToLower(name), Args: args, T: t, Volatility: planner.Immutable,
		Impl: func(env planner.Env, vals []types.Datum) (types.Datum, error) {
			var best types.Datum
			for _, v := range vals {
				if v == nil {
					continue
				}
				if best == nil {
					best = v
					continue
				}
				r, err := impl(env, []types.Datum{v, best})
				if err != nil {
					return nil, err
				}
				if r == true {
					best = v
				}
			}
			return best, nil
		}}, nil
}

func (b *binder) exprList(nodes []*pg_query.Node, sc *scope) ([]planner.Expr, []int32, error) {
	out := make([]planner.Expr, len(nodes))
	locs := make([]int32, len(nodes))
	for i, n := range nodes {
		e, err := b.expr(n, sc)
		if err != nil {
			return nil, nil, err
		}
		out[i], locs[i] = e, location(n)
	}
	return out, locs, nil
}

func (b *binder) arrayExpr(ae *pg_query.A_ArrayExpr, sc *scope) (planner.Expr, error) {
	elems, locs, err := b.exprList(ae.Elements, sc)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, b.errAt(ae.Location, pgerr.IndeterminateDatatype, "cannot determine type of empty array").
			WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
	}
	t, err := b.unifyTypes(elems, locs, "ARRAY", ae.Location)
	if err != nil {
		return nil, err
	}
	arr, ok := types.ArrayOf(t.OID)
	if !ok {
		return nil, b.errAt(ae.Location, pgerr.UndefinedObject, "could not find array type for data type %s", t)
	}
	for i := range elems {
		if elems[i], err = b.mustCoerce(elems[i], t, types.CastImplicit, locs[i]); err != nil {
			return nil, err
		}
	}
	return &planner.ArrayExpr{Elems: elems, T: types.Of(arr)}, nil
}

func (b *binder) sqlValueFunction(f *pg_query.SQLValueFunction) (planner.Expr, error) {
	var name string
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N,
		pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N,
		pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		name = "now"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER,
		pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		name = "current_user"
	case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
		name = "session_user"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		name = "current_database"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		name = "current_schema"
	default:
		return nil, b.unsupported(f.Location, "this SQL value function")
	}
	e, err := b.bindFunction(name, nil, nil, f.Location)
	if err != nil {
		return nil, err
	}
	if f.Op == pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP || f.Op == pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N {
		return &planner.Cast{Arg: e, To: types.TTimestamp}, nil
	}
	if f.Op == pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE {
		// The date of the transaction's start in the session's time zone.
		return &planner.Cast{Arg: e, To: types.TDate}, nil
	}
	return e, nil
}

// funcCall binds a function or aggregate call.
func (b *binder) funcCall(fc *pg_query.FuncCall, sc *scope) (planner.Expr, error) {
	name, err := funcName(fc.Funcname)
	if err != nil {
		return nil, b.at(fc.Location, err)
	}
	name = strings.ToLower(name)
	if fc.Over != nil {
		return b.windowCall(name, fc, sc)
	}
	if isWindowFunction(name) {
		return nil, b.errAt(fc.Location, pgerr.WrongObjectType, "window function %s requires an OVER clause", name)
	}
	if aggs := b.reg.Aggregate(name); len(aggs) > 0 {
		return b.aggregateCall(name, fc, sc)
	}
	if fc.AggStar || fc.AggDistinct || fc.AggFilter != nil || len(fc.AggOrder) > 0 {
		return nil, b.errAt(fc.Location, pgerr.WrongObjectType, "%s is not an aggregate function", name)
	}
	args, locs, err := b.exprList(fc.Args, sc)
	if err != nil {
		return nil, err
	}
	switch name {
	case "concat", "concat_ws", "format":
		return b.variadicText(name, args, locs, fc.Location)
	}
	return b.folded(b.bindFunction(name, args, locs, fc.Location))
}

// folded evaluates an immutable function of constants at bind time, as
// PostgreSQL's planner does: the plan then carries the value, and an
// error such as division by zero is raised before any row is sent.
func (b *binder) folded(e planner.Expr, err error) (planner.Expr, error) {
	if err != nil {
		return nil, err
	}
	f, ok := e.(*planner.Func)
	if !ok || f.Volatility != planner.Immutable {
		return e, nil
	}
	args := make([]types.Datum, len(f.Args))
	for i, a := range f.Args {
		c, ok := a.(*planner.Const)
		if !ok {
			return e, nil
		}
		if c.Value == nil && f.Strict {
			return &planner.Const{T: f.T}, nil
		}
		args[i] = c.Value
	}
	v, err := f.Impl(nil, args)
	if err != nil {
		return nil, err
	}
	return &planner.Const{Value: v, T: f.T}, nil
}

// variadicText binds concat and concat_ws, which take any arguments and
// use their text forms, skipping NULLs.
func (b *binder) variadicText(name string, args []planner.Expr, locs []int32, loc int32) (planner.Expr, error) {
	for i := range args {
		var err error
		if args[i], err = b.resolveUnknownAsText(args[i], locs[i]); err != nil {
			return nil, err
		}
		if args[i].Type().OID != types.TextOID {
			args[i] = &planner.Cast{Arg: args[i], To: types.TText, Explicit: true}
		}
	}
	switch name {
	case "concat":
		return &planner.Func{Name: name, Args: args, T: types.TText, Volatility: planner.Stable,
			Impl: func(_ planner.Env, vals []types.Datum) (types.Datum, error) {
				var sb strings.Builder
				for _, v := range vals {
					if v != nil {
						sb.WriteString(v.(string))
					}
				}
				return sb.String(), nil
			}}, nil
	case "concat_ws":
		if len(args) == 0 {
			return nil, b.errAt(loc, pgerr.UndefinedFunction, "function concat_ws() does not exist")
		}
		return &planner.Func{Name: name, Args: args, T: types.TText, Volatility: planner.Stable,
			Impl: func(_ planner.Env, vals []types.Datum) (types.Datum, error) {
				if vals[0] == nil {
					return nil, nil
				}
				var parts []string
				for _, v := range vals[1:] {
					if v != nil {
						parts = append(parts, v.(string))
					}
				}
				return strings.Join(parts, vals[0].(string)), nil
			}}, nil
	}
	return nil, b.unsupported(loc, "format()")
}

// decimalConst makes a numeric constant (for tests and defaults).
func decimalConst(s string) *planner.Const {
	d, _, _ := apd.NewFromString(s)
	return &planner.Const{Value: d, T: types.TNumeric}
}

// arrayComparison binds x op ANY (array) and x op ALL (array): the
// operator applied to x and each element, the results combined with SQL's
// three-valued OR (ANY) or AND (ALL). An empty array gives false (ANY) or
// true (ALL) whatever x is.
func (b *binder) arrayComparison(a *pg_query.A_Expr, sc *scope) (planner.Expr, error) {
	op, err := funcName(a.Name)
	if err != nil {
		return nil, b.at(a.Location, err)
	}
	left, err := b.expr(a.Lexpr, sc)
	if err != nil {
		return nil, err
	}
	right, err := b.expr(a.Rexpr, sc)
	if err != nil {
		return nil, err
	}
	any := a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY
	if isUnknown(right) {
		// An untyped literal is an array of the left side's type.
		lt := left.Type()
		if isUnknown(left) {
			lt = types.TText
		}
		arr, ok := types.ArrayOf(lt.OID)
		if !ok {
			return nil, b.errAt(location(a.Rexpr), pgerr.UndefinedObject, "could not find array type for data type %s", lt)
		}
		if right, err = b.mustCoerce(right, types.Of(arr), types.CastImplicit, location(a.Rexpr)); err != nil {
			return nil, err
		}
	}
	elem, ok := types.ElementType(right.Type().OID)
	if !ok {
		return nil, b.errAt(a.Location, pgerr.WrongObjectType, "op ANY/ALL (array) requires array on right side")
	}
	f, err := b.bindOperator(op, left, &planner.Const{T: types.Of(elem)}, location(a.Lexpr), location(a.Rexpr), a.Location)
	if err != nil {
		return nil, err
	}
	fn, ok := f.(*planner.Func)
	if !ok || fn.T.OID != types.BoolOID {
		return nil, b.errAt(a.Location, pgerr.WrongObjectType, "op ANY/ALL (array) requires operator to yield boolean")
	}
	// The elements take the operator's right argument type.
	if want := fn.Args[1].Type(); want.OID != elem {
		arr, ok := types.ArrayOf(want.OID)
		if !ok {
			return nil, b.errAt(location(a.Rexpr), pgerr.UndefinedObject, "could not find array type for data type %s", want)
		}
		if right, err = b.mustCoerce(right, types.Of(arr), types.CastImplicit, location(a.Rexpr)); err != nil {
			return nil, err
		}
	}
	cmp, strict := fn.Impl, fn.Strict
	name := op + " ANY"
	if !any {
		name = op + " ALL"
	}
	return &planner.Func{Name: name, Op: name, Args: []planner.Expr{fn.Args[0], right}, T: types.TBool, Volatility: fn.Volatility,
		Impl: func(env planner.Env, vals []types.Datum) (types.Datum, error) {
			arr, _ := vals[1].(*types.Array)
			if arr == nil {
				return nil, nil
			}
			if len(arr.Elems) == 0 {
				return !any, nil
			}
			x := vals[0]
			if x == nil && strict {
				return nil, nil
			}
			sawNull := false
			for _, e := range arr.Elems {
				if e == nil && strict {
					sawNull = true
					continue
				}
				r, err := cmp(env, []types.Datum{x, e})
				if err != nil {
					return nil, err
				}
				switch {
				case r == nil:
					sawNull = true
				case r.(bool) == any:
					return any, nil
				}
			}
			if sawNull {
				return nil, nil
			}
			return !any, nil
		}}, nil
}

// indirection binds array subscripts, arr[i]: NULL when i is outside
// the array. int2vector and oidvector count from 0, as in PostgreSQL.
func (b *binder) indirection(ind *pg_query.A_Indirection, sc *scope) (planner.Expr, error) {
	arg, err := b.expr(ind.Arg, sc)
	if err != nil {
		return nil, err
	}
	for _, in := range ind.Indirection {
		idx := in.GetAIndices()
		if idx == nil {
			return nil, b.unsupported(location(ind.Arg), "field selection")
		}
		if idx.IsSlice {
			return nil, b.unsupported(location(ind.Arg), "array slices")
		}
		t := arg.Type()
		elem, ok := types.ElementType(t.OID)
		if !ok {
			return nil, b.errAt(location(ind.Arg), pgerr.DatatypeMismatch,
				"cannot subscript type %s because it does not support subscripting", t)
		}
		sub, err := b.expr(idx.Uidx, sc)
		if err != nil {
			return nil, err
		}
		if sub, err = b.mustCoerce(sub, types.TInt4, types.CastImplicit, location(idx.Uidx)); err != nil {
			if pgerr.CodeOf(err) == pgerr.DatatypeMismatch {
				return nil, b.errAt(location(idx.Uidx), pgerr.DatatypeMismatch, "array subscript must have type integer")
			}
			return nil, err
		}
		zeroBased := t.OID == types.Int2VectorOID || t.OID == types.OidVectorOID
		arg = &planner.Func{Name: "subscript", Args: []planner.Expr{arg, sub}, T: types.T{OID: elem, Mod: t.Mod},
			Strict: true, Volatility: planner.Immutable,
			Impl: func(_ planner.Env, vals []types.Datum) (types.Datum, error) {
				arr := vals[0].(*types.Array)
				lower := int64(arr.LowerBound)
				switch {
				case zeroBased:
					lower = 0
				case lower == 0:
					lower = 1
				}
				i := vals[1].(int64) - lower
				if i < 0 || i >= int64(len(arr.Elems)) {
					return nil, nil
				}
				return arr.Elems[i], nil
			}}
	}
	return arg, nil
}
