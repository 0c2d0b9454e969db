package sql

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgcatalog"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// cte is a WITH query, bound once and planned wherever it is referenced.
type cte struct {
	plan planner.Node
	cols []string
}

// withClause binds the WITH queries of a statement into a new CTE scope;
// the caller pops it when the statement is bound.
func (b *binder) withClause(w *pg_query.WithClause) error {
	ctes := map[string]*cte{}
	b.ctes = append(b.ctes, ctes)
	for _, n := range w.Ctes {
		c := n.GetCommonTableExpr()
		if _, dup := ctes[c.Ctename]; dup {
			b.ctes = b.ctes[:len(b.ctes)-1]
			return b.errAt(c.Location, pgerr.DuplicateAlias, "WITH query name \"%s\" specified more than once", c.Ctename)
		}
		sel := c.Ctequery.GetSelectStmt()
		if sel == nil {
			b.ctes = b.ctes[:len(b.ctes)-1]
			return b.unsupported(c.Location, "data-modifying statements in WITH")
		}
		if w.Recursive {
			entry, ok, err := b.recursiveCTE(c, sel, ctes)
			if err != nil {
				b.ctes = b.ctes[:len(b.ctes)-1]
				return err
			}
			if ok {
				ctes[c.Ctename] = entry
				continue
			}
		}
		plan, err := b.selectStmt(sel)
		if err != nil {
			b.ctes = b.ctes[:len(b.ctes)-1]
			return err
		}
		entry := &cte{plan: plan}
		for _, col := range plan.Schema() {
			entry.cols = append(entry.cols, col.Name)
		}
		aliases := stringsOf(c.Aliascolnames)
		if len(aliases) > len(entry.cols) {
			b.ctes = b.ctes[:len(b.ctes)-1]
			return b.errAt(c.Location, pgerr.InvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified",
				c.Ctename, len(entry.cols), len(aliases))
		}
		copy(entry.cols, aliases)
		ctes[c.Ctename] = entry
	}
	return nil
}

func (b *binder) lookupCTE(name string) (*cte, bool) {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if c, ok := b.ctes[i][name]; ok {
			return c, true
		}
	}
	return nil, false
}

// fromClause binds FROM: its items joined left to right (a comma is a
// cross join). No FROM is a single row without columns.
func (b *binder) fromClause(from []*pg_query.Node) (planner.Node, *scope, error) {
	if len(from) == 0 {
		return &planner.Values{Rows: [][]planner.Expr{{}}}, &scope{}, nil
	}
	var node planner.Node
	var sc *scope
	for _, item := range from {
		n, s, err := b.fromItem(item)
		if err != nil {
			return nil, nil, err
		}
		if node == nil {
			node, sc = n, s
			continue
		}
		merged, err := b.mergeScopes(sc, s, location(item))
		if err != nil {
			return nil, nil, err
		}
		node = &planner.Join{Left: node, Right: n, Kind: planner.InnerJoin, Out: append(append([]planner.OutCol{}, node.Schema()...), n.Schema()...)}
		sc = merged
	}
	return node, sc, nil
}

// mergeScopes puts right's columns after left's, as a join's rows are.
func (b *binder) mergeScopes(left, right *scope, loc int32) (*scope, error) {
	for _, t := range right.tables {
		if left.hasTable(t) {
			return nil, b.errAt(loc, pgerr.DuplicateAlias, "table name \"%s\" specified more than once", t)
		}
	}
	width := scopeWidth(left)
	out := &scope{tables: append(append([]string{}, left.tables...), right.tables...)}
	out.cols = append(out.cols, left.cols...)
	for _, c := range right.cols {
		c.idx += width
		out.cols = append(out.cols, c)
	}
	for _, m := range []map[string]string{left.aliased, right.aliased} {
		for k, v := range m {
			if out.aliased == nil {
				out.aliased = map[string]string{}
			}
			out.aliased[k] = v
		}
	}
	return out, nil
}

// scopeWidth is the number of columns in the rows a scope describes.
func scopeWidth(sc *scope) int {
	w := 0
	for _, c := range sc.cols {
		if c.idx+1 > w {
			w = c.idx + 1
		}
	}
	return w
}

// fromItem binds one FROM item: a table, a WITH query, a join, or a
// subquery.
func (b *binder) fromItem(n *pg_query.Node) (planner.Node, *scope, error) {
	switch x := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		return b.rangeVar(x.RangeVar)
	case *pg_query.Node_JoinExpr:
		return b.joinExpr(x.JoinExpr)
	case *pg_query.Node_RangeSubselect:
		rs := x.RangeSubselect
		if rs.Lateral {
			return nil, nil, b.unsupported(-1, "LATERAL")
		}
		var plan planner.Node
		err := b.inDerived(func() error {
			var err error
			plan, err = b.selectStmt(rs.Subquery.GetSelectStmt())
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		name := ""
		var colAliases []string
		if rs.Alias != nil {
			name, colAliases = rs.Alias.Aliasname, stringsOf(rs.Alias.Colnames)
		}
		return b.derivedScope(plan, name, colAliases, -1)
	case *pg_query.Node_RangeFunction:
		return b.rangeFunction(x.RangeFunction)
	}
	return nil, nil, b.unsupported(location(n), "this FROM item")
}

// rangeVar binds a table or WITH query named in FROM.
func (b *binder) rangeVar(rv *pg_query.RangeVar) (planner.Node, *scope, error) {
	alias := ""
	var colAliases []string
	if rv.Alias != nil {
		alias, colAliases = rv.Alias.Aliasname, stringsOf(rv.Alias.Colnames)
	}
	if rv.Schemaname == "" {
		if c, ok := b.lookupCTE(rv.Relname); ok {
			name := rv.Relname
			if alias != "" {
				name = alias
			}
			if len(colAliases) == 0 {
				colAliases = c.cols
			}
			return b.derivedScope(c.plan, name, colAliases, rv.Location)
		}
	}
	if vt, ok := b.lookupVirtual(rv); ok {
		if err := b.checkVirtual(vt); err != nil {
			return nil, nil, err
		}
		return b.virtualScan(vt, alias, colAliases, rv.Location)
	}
	if node, sc, ok, err := b.sequenceScan(rv, alias, colAliases); ok || err != nil {
		return node, sc, err
	}
	t, err := b.resolveTable(rv)
	if err != nil {
		return nil, nil, err
	}
	if err := b.checkSelect(t); err != nil {
		return nil, nil, err
	}
	sc := tableScope(t, alias, false)
	live := 0
	for i := range sc.cols {
		if sc.cols[i].hidden {
			continue
		}
		if live < len(colAliases) {
			sc.cols[i].name = colAliases[live]
		}
		live++
	}
	if len(colAliases) > live {
		return nil, nil, b.errAt(rv.Location, pgerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			sc.tables[0], live, len(colAliases))
	}
	return &planner.Scan{Table: t, Alias: alias, Out: scanSchema(t, false)}, sc, nil
}

// derivedScope makes the scope of a subquery or WITH query used in FROM.
func (b *binder) derivedScope(plan planner.Node, name string, colAliases []string, loc int32) (planner.Node, *scope, error) {
	out := plan.Schema()
	if len(colAliases) > len(out) {
		return nil, nil, b.errAt(loc, pgerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			name, len(out), len(colAliases))
	}
	sc := &scope{}
	if name != "" {
		sc.tables = []string{name}
	} else {
		sc.tables = []string{fmt.Sprintf("unnamed_subquery_%p", plan)}
	}
	for i, c := range out {
		colName := c.Name
		if i < len(colAliases) {
			colName = colAliases[i]
		}
		sc.cols = append(sc.cols, scopeCol{name: colName, table: sc.tables[0], idx: i, t: c.T})
	}
	return plan, sc, nil
}

// joinExpr binds JOIN ... ON / USING / NATURAL.
func (b *binder) joinExpr(j *pg_query.JoinExpr) (planner.Node, *scope, error) {
	left, lsc, err := b.fromItem(j.Larg)
	if err != nil {
		return nil, nil, err
	}
	right, rsc, err := b.fromItem(j.Rarg)
	if err != nil {
		return nil, nil, err
	}
	sc, err := b.mergeScopes(lsc, rsc, -1)
	if err != nil {
		return nil, nil, err
	}
	width := scopeWidth(lsc)
	var cond planner.Expr
	var using []string
	switch {
	case j.IsNatural:
		for _, lc := range lsc.cols {
			if lc.hidden {
				continue
			}
			for _, rc := range rsc.cols {
				if !rc.hidden && rc.name == lc.name {
					using = append(using, lc.name)
				}
			}
		}
	case len(j.UsingClause) > 0:
		using = stringsOf(j.UsingClause)
	}
	for _, name := range using {
		l, err := b.findColumn(lsc, "", name, -1)
		if err == nil && l == nil {
			err = b.errAt(-1, pgerr.UndefinedColumn, "column \"%s\" specified in USING clause does not exist in left table", name)
		}
		if err != nil {
			return nil, nil, err
		}
		r, err := b.findColumn(rsc, "", name, -1)
		if err == nil && r == nil {
			err = b.errAt(-1, pgerr.UndefinedColumn, "column \"%s\" specified in USING clause does not exist in right table", name)
		}
		if err != nil {
			return nil, nil, err
		}
		eq, err := b.bindOperator("=", &planner.ColRef{Idx: l.idx, T: l.t, Name: l.table + "." + name},
			&planner.ColRef{Idx: r.idx + width, T: r.t, Name: r.table + "." + name}, -1, -1, -1)
		if err != nil {
			return nil, nil, err
		}
		cond = andExpr(cond, eq)
		for i := range sc.cols {
			if sc.cols[i].idx == r.idx+width {
				sc.cols[i].mergedAway = true
			}
		}
	}
	if j.Quals != nil {
		b.aggNotAllowed = "JOIN conditions"
		q, err := b.expr(j.Quals, sc)
		if err != nil {
			return nil, nil, err
		}
		if q, err = b.boolArg(q, location(j.Quals), "JOIN/ON"); err != nil {
			return nil, nil, err
		}
		cond = andExpr(cond, q)
	}
	kind := planner.InnerJoin
	switch j.Jointype {
	case pg_query.JoinType_JOIN_LEFT:
		kind = planner.LeftJoin
	case pg_query.JoinType_JOIN_FULL:
		kind = planner.FullJoin
	case pg_query.JoinType_JOIN_RIGHT:
		// A right join is the left join of the swapped inputs, with the
		// columns put back in order.
		swapped := &planner.Join{Left: right, Right: left, Kind: planner.LeftJoin,
			Cond: remapJoinSides(cond, width, scopeWidth(rsc)),
			Out:  append(append([]planner.OutCol{}, right.Schema()...), left.Schema()...)}
		exprs, outs := reorderColumns(swapped.Out, scopeWidth(rsc), width)
		node := &planner.Project{Input: swapped, Exprs: exprs, Out: outs}
		return b.aliasJoin(node, sc, j.Alias)
	}
	node := &planner.Join{Left: left, Right: right, Kind: kind, Cond: cond,
		Out: append(append([]planner.OutCol{}, left.Schema()...), right.Schema()...)}
	return b.aliasJoin(node, sc, j.Alias)
}

// aliasJoin applies "JOIN ... AS alias": the join's columns are then
// reached through that one name.
func (b *binder) aliasJoin(node planner.Node, sc *scope, alias *pg_query.Alias) (planner.Node, *scope, error) {
	if alias == nil {
		return node, sc, nil
	}
	out := &scope{tables: []string{alias.Aliasname}}
	names := stringsOf(alias.Colnames)
	i := 0
	for _, c := range sc.cols {
		if c.hidden || c.mergedAway {
			continue
		}
		c.table = alias.Aliasname
		if i < len(names) {
			c.name = names[i]
		}
		i++
		out.cols = append(out.cols, c)
	}
	return node, out, nil
}

func andExpr(a, b planner.Expr) planner.Expr {
	if a == nil {
		return b
	}
	return &planner.BoolOp{Op: planner.And, Args: []planner.Expr{a, b}}
}

// remapJoinSides rewrites an expression over (left, right) rows into one
// over (right, left) rows.
func remapJoinSides(e planner.Expr, leftWidth, rightWidth int) planner.Expr {
	if e == nil {
		return nil
	}
	var remap func(planner.Expr) (planner.Expr, error)
	remap = func(x planner.Expr) (planner.Expr, error) {
		if c, ok := x.(*planner.ColRef); ok {
			cc := *c
			if c.Idx < leftWidth {
				cc.Idx = c.Idx + rightWidth
			} else {
				cc.Idx = c.Idx - leftWidth
			}
			return &cc, nil
		}
		return planner.MapChildren(x, remap)
	}
	out, _ := remap(e)
	return out
}

// reorderColumns projects (right, left) join rows back to (left, right).
func reorderColumns(swapped []planner.OutCol, rightWidth, leftWidth int) ([]planner.Expr, []planner.OutCol) {
	exprs := make([]planner.Expr, 0, len(swapped))
	outs := make([]planner.OutCol, 0, len(swapped))
	for i := 0; i < leftWidth; i++ {
		c := swapped[rightWidth+i]
		exprs = append(exprs, &planner.ColRef{Idx: rightWidth + i, T: c.T, Name: c.Name})
		outs = append(outs, c)
	}
	for i := 0; i < rightWidth; i++ {
		c := swapped[i]
		exprs = append(exprs, &planner.ColRef{Idx: i, T: c.T, Name: c.Name})
		outs = append(outs, c)
	}
	return exprs, outs
}

// setOperation binds UNION / INTERSECT / EXCEPT [ALL], with ORDER BY and
// LIMIT applying to the combined rows.
func (b *binder) setOperation(s *pg_query.SelectStmt) (planner.Node, error) {
	left, err := b.setOperand(s.Larg)
	if err != nil {
		return nil, err
	}
	right, err := b.setOperand(s.Rarg)
	if err != nil {
		return nil, err
	}
	opName := map[pg_query.SetOperation]string{pg_query.SetOperation_SETOP_UNION: "UNION",
		pg_query.SetOperation_SETOP_INTERSECT: "INTERSECT", pg_query.SetOperation_SETOP_EXCEPT: "EXCEPT"}[s.Op]
	lo, ro := left.Schema(), right.Schema()
	if len(lo) != len(ro) {
		return nil, b.errAt(-1, pgerr.SyntaxError, "each %s query must have the same number of columns", opName)
	}
	out := make([]planner.OutCol, len(lo))
	lexprs := make([]planner.Expr, len(lo))
	rexprs := make([]planner.Expr, len(lo))
	for i := range lo {
		l := planner.Expr(&planner.ColRef{Idx: i, T: lo[i].T, Name: lo[i].Name})
		r := planner.Expr(&planner.ColRef{Idx: i, T: ro[i].T, Name: ro[i].Name})
		t, err := b.unifyTypes([]planner.Expr{l, r}, []int32{-1, -1}, opName, -1)
		if err != nil {
			return nil, err
		}
		if isUnknown(l) && isUnknown(r) {
			t = types.TText
		}
		if lexprs[i], err = b.mustCoerce(l, t, types.CastImplicit, -1); err != nil {
			return nil, err
		}
		if rexprs[i], err = b.mustCoerce(r, t, types.CastImplicit, -1); err != nil {
			return nil, err
		}
		out[i] = planner.OutCol{Name: lo[i].Name, T: t}
	}
	node := &planner.SetOp{
		Op:    map[pg_query.SetOperation]planner.SetOpKind{pg_query.SetOperation_SETOP_UNION: planner.Union, pg_query.SetOperation_SETOP_INTERSECT: planner.Intersect, pg_query.SetOperation_SETOP_EXCEPT: planner.Except}[s.Op],
		All:   s.All,
		Left:  &planner.Project{Input: left, Exprs: lexprs, Out: out},
		Right: &planner.Project{Input: right, Exprs: rexprs, Out: out},
		Out:   out,
	}
	if len(s.SortClause) == 0 && s.LimitCount == nil && s.LimitOffset == nil {
		return node, nil
	}
	targets := make([]target, len(out))
	sc := &scope{}
	for i, c := range out {
		targets[i] = target{expr: &planner.ColRef{Idx: i, T: c.T, Name: c.Name}, out: c}
		sc.cols = append(sc.cols, scopeCol{name: c.Name, idx: i, t: c.T})
	}
	keys, junk, err := b.orderBy(s.SortClause, targets, sc)
	if err != nil {
		return nil, err
	}
	if len(junk) > 0 {
		return nil, b.errAt(junk[0].loc, pgerr.FeatureNotSupported,
			"invalid UNION/INTERSECT/EXCEPT ORDER BY clause").WithDetail("Only result column names can be used, not expressions or functions.")
	}
	return b.finishSelect(node, targets, keys, nil, false, s.LimitCount, s.LimitOffset, s.LimitOption)
}

// setOperand binds one side of a set operation.
func (b *binder) setOperand(s *pg_query.SelectStmt) (planner.Node, error) {
	return b.selectStmt(s)
}

// rangeFunction binds a function in FROM: a set-returning one
// (generate_series, unnest) scans its rows, any other function is one row.
// The column is named after the alias, or else the function. Arguments
// may refer to enclosing queries, not to other FROM items (no LATERAL).
func (b *binder) rangeFunction(rf *pg_query.RangeFunction) (planner.Node, *scope, error) {
	switch {
	case rf.Lateral:
		return nil, nil, b.unsupported(-1, "LATERAL")
	case rf.Ordinality:
		return nil, nil, b.unsupported(-1, "WITH ORDINALITY")
	case rf.IsRowsfrom || len(rf.Functions) != 1:
		return nil, nil, b.unsupported(-1, "ROWS FROM")
	case len(rf.Coldeflist) > 0:
		return nil, nil, b.unsupported(-1, "a column definition list")
	}
	items := rf.Functions[0].GetList().GetItems()
	var fc *pg_query.FuncCall
	if len(items) > 0 {
		fc = items[0].GetFuncCall()
	}
	if fc == nil {
		return nil, nil, b.unsupported(-1, "this function in FROM")
	}
	name, err := funcName(fc.Funcname)
	if err != nil {
		return nil, nil, b.at(fc.Location, err)
	}
	name = strings.ToLower(name)
	alias, colName := "", name
	var colAliases []string
	if rf.Alias != nil {
		alias, colAliases = rf.Alias.Aliasname, stringsOf(rf.Alias.Colnames)
		colName = alias
	}
	table := name
	if alias != "" {
		table = alias
	}
	b.aggNotAllowed = "functions in FROM"
	if sfs := builtins.SetFunctions(name); len(sfs) > 0 {
		args, locs, err := b.exprList(fc.Args, &scope{})
		if err != nil {
			return nil, nil, err
		}
		overloads := make([]builtins.Overload, len(sfs))
		for i := range sfs {
			overloads[i] = sfs[i].Overload
		}
		c, _ := pickOverload(overloads, args)
		if c == nil {
			return nil, nil, b.errAt(fc.Location, pgerr.UndefinedFunction, "function %s(%s) does not exist", name, typeList(args)).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
		}
		call, err := b.applyOverload(c, name, "", args, locs)
		if err != nil {
			return nil, nil, err
		}
		var sf builtins.SetFunction
		for i := range overloads {
			if c.o == &overloads[i] {
				sf = sfs[i]
			}
		}
		node := &planner.VirtualScan{Name: name, Alias: alias, Out: []planner.OutCol{{Name: colName, T: call.T}},
			Args: call.Args, RowsOf: sf.Rows}
		return b.derivedScope(node, table, colAliases, fc.Location)
	}
	e, err := b.funcCall(fc, &scope{})
	if err != nil {
		return nil, nil, err
	}
	node := &planner.Values{Rows: [][]planner.Expr{{e}}, Out: []planner.OutCol{{Name: colName, T: e.Type()}}}
	return b.derivedScope(node, table, colAliases, fc.Location)
}

// lookupVirtual finds a pg_catalog or information_schema table. pg_catalog
// is searched before the search path, as in PostgreSQL.
func (b *binder) lookupVirtual(rv *pg_query.RangeVar) (*pgcatalog.Table, bool) {
	switch rv.Schemaname {
	case "":
		return pgcatalog.Lookup("pg_catalog", rv.Relname)
	case "pg_catalog", "information_schema":
		return pgcatalog.Lookup(rv.Schemaname, rv.Relname)
	}
	return nil, false
}

func (b *binder) virtualScan(vt *pgcatalog.Table, alias string, colAliases []string, loc int32) (planner.Node, *scope, error) {
	name := vt.Name
	if alias != "" {
		name = alias
	}
	if len(colAliases) > len(vt.Columns) {
		return nil, nil, b.errAt(loc, pgerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			name, len(vt.Columns), len(colAliases))
	}
	sc := &scope{tables: []string{name}}
	out := make([]planner.OutCol, len(vt.Columns))
	for i, c := range vt.Columns {
		colName := c.Name
		if i < len(colAliases) {
			colName = colAliases[i]
		}
		sc.cols = append(sc.cols, scopeCol{name: colName, table: name, idx: i, t: c.T})
		out[i] = planner.OutCol{Name: c.Name, T: c.T}
	}
	if alias != "" && alias != vt.Name {
		sc.aliased = map[string]string{vt.Name: alias}
	}
	return &planner.VirtualScan{Name: vt.Schema + "." + vt.Name, Alias: alias, Out: out, Rows: vt.Rows}, sc, nil
}
