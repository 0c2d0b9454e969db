package sql

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// insertStmt binds INSERT INTO ... VALUES | SELECT | DEFAULT VALUES.
func (b *binder) insertStmt(s *pg_query.InsertStmt) (planner.Node, error) {
	if s.WithClause != nil {
		return nil, b.unsupported(s.WithClause.Location, "WITH")
	}
	t, err := b.resolveTable(s.Relation)
	if err != nil {
		return nil, err
	}
	alias := ""
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	slots, err := b.insertColumns(t, s.Cols)
	if err != nil {
		return nil, err
	}

	var input planner.Node
	switch {
	case s.SelectStmt == nil: // DEFAULT VALUES
		row, err := b.fullRow(t, nil, nil, nil)
		if err != nil {
			return nil, err
		}
		input = &planner.Values{Rows: [][]planner.Expr{row}, Out: scanSchema(t, false)}
	case len(s.SelectStmt.GetSelectStmt().GetValuesLists()) > 0 && isPlainValues(s.SelectStmt.GetSelectStmt()):
		b.aggNotAllowed = "VALUES"
		lists := s.SelectStmt.GetSelectStmt().ValuesLists
		rows, err := b.valuesRows(lists, nil)
		if err != nil {
			return nil, err
		}
		if len(s.Cols) == 0 && len(rows) > 0 && len(rows[0]) < len(slots) {
			// Without a column list the values go to the first columns,
			// and the others take their defaults, as in PostgreSQL.
			slots = slots[:len(rows[0])]
		}
		full := make([][]planner.Expr, len(rows))
		for i, r := range rows {
			if err := b.checkInsertWidth(len(r), len(slots), lists[i]); err != nil {
				return nil, err
			}
			locs := make([]int32, len(r))
			for j, it := range lists[i].GetList().Items {
				locs[j] = location(it)
			}
			if full[i], err = b.fullRow(t, slots, r, locs); err != nil {
				return nil, err
			}
		}
		input = &planner.Values{Rows: full, Out: scanSchema(t, false)}
	default:
		sel := s.SelectStmt.GetSelectStmt()
		src, err := b.selectStmt(sel)
		if err != nil {
			return nil, err
		}
		cols := src.Schema()
		if len(s.Cols) == 0 && len(cols) < len(slots) {
			slots = slots[:len(cols)] // the first columns, as VALUES above
		}
		if err := b.checkInsertWidth(len(cols), len(slots), nil); err != nil {
			return nil, err
		}
		exprs := make([]planner.Expr, len(cols))
		for j, c := range cols {
			exprs[j] = &planner.ColRef{Idx: j, T: c.T, Name: c.Name}
		}
		row, err := b.fullRow(t, slots, exprs, nil)
		if err != nil {
			return nil, err
		}
		input = &planner.Project{Input: src, Exprs: row, Out: scanSchema(t, false)}
	}
	var conflict *planner.OnConflict
	if s.OnConflictClause != nil {
		if conflict, err = b.onConflict(s.OnConflictClause, t, alias); err != nil {
			return nil, err
		}
	}
	ret, out, err := b.returning(s.ReturningList, t, alias)
	if err != nil {
		return nil, err
	}
	need := storage.PrivInsert
	var setValues []planner.Expr
	if conflict != nil {
		if conflict.Update {
			need |= storage.PrivUpdate
			setValues = setExprs(conflict.Sets)
			if conflict.Where != nil {
				setValues = append(setValues, conflict.Where)
			}
		}
		if len(conflict.Arbiters) > 0 && s.OnConflictClause.Infer.Conname == "" {
			need |= storage.PrivSelect // the conflict target's columns are read
		}
	}
	if err := b.checkReads(t, need, nil, s.ReturningList, setValues); err != nil {
		return nil, err
	}
	checks, err := bindChecks(b.cat, b.reg, t, t.Checks)
	if err != nil {
		return nil, err
	}
	return &planner.Insert{Table: t, Input: input, Returning: ret, Out: out, OnConflict: conflict, Checks: checks}, nil
}

// onConflict binds INSERT's ON CONFLICT clause: the unique indexes it
// arbitrates (inferred from the conflict target, or named by ON
// CONSTRAINT) and DO UPDATE's SET list and WHERE, over the existing row
// (the table, or its alias) and the proposed one (EXCLUDED).
func (b *binder) onConflict(oc *pg_query.OnConflictClause, t *storage.Table, alias string) (*planner.OnConflict, error) {
	out := &planner.OnConflict{Update: oc.Action == pg_query.OnConflictAction_ONCONFLICT_UPDATE}
	if oc.Infer == nil {
		if out.Update {
			return nil, b.errAt(oc.Location, pgerr.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
				WithHint("For example, ON CONFLICT (column_name).")
		}
		return out, nil
	}
	var err error
	if out.Arbiters, err = b.conflictArbiters(oc.Infer, t); err != nil {
		return nil, err
	}
	if !out.Update {
		return out, nil
	}
	sc := tableScope(t, alias, false)
	n := len(t.Columns)
	sc.tables = append(sc.tables, "excluded")
	for i, c := range t.Columns {
		sc.cols = append(sc.cols, scopeCol{name: c.Name, table: "excluded", idx: n + i, t: c.Type, hidden: c.Dropped})
	}
	b.aggNotAllowed = "UPDATE"
	if out.Sets, err = b.setList(t, oc.TargetList, sc); err != nil {
		return nil, err
	}
	if oc.WhereClause != nil {
		b.aggNotAllowed = "WHERE"
		cond, err := b.expr(oc.WhereClause, sc)
		if err != nil {
			return nil, err
		}
		if out.Where, err = b.boolArg(cond, location(oc.WhereClause), "WHERE"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// conflictArbiters returns the unique indexes an ON CONFLICT target
// names: the one behind the constraint ON CONSTRAINT names, or every
// unique btree index whose key is exactly the listed columns and
// expressions (in any order) and that is not partial, or whose predicate is
// the target's WHERE (PostgreSQL accepts any WHERE that implies it; only
// the same predicate, as deparsed, is recognised here).
func (b *binder) conflictArbiters(infer *pg_query.InferClause, t *storage.Table) ([]*storage.Index, error) {
	indexes := b.cat.TableIndexes(t.OID)
	if infer.Conname != "" {
		for _, idx := range indexes {
			if idx.Name == infer.Conname && idx.Constraint && idx.Unique && isBtreeIndex(idx) {
				return []*storage.Index{idx}, nil
			}
		}
		return nil, pgerr.New(pgerr.UndefinedObject, "constraint \"%s\" for table \"%s\" does not exist", infer.Conname, t.Name)
	}
	var slots []int
	var exprs []string
	for _, n := range infer.IndexElems {
		el := n.GetIndexElem()
		if el == nil {
			return nil, b.unsupported(location(n), "this ON CONFLICT target")
		}
		if len(el.Collation) > 0 || len(el.Opclass) > 0 {
			return nil, b.unsupported(infer.Location, "a collation or operator class in an ON CONFLICT target")
		}
		if el.Expr == nil {
			slot := t.ColumnIndex(el.Name)
			if slot < 0 {
				return nil, b.errAt(infer.Location, pgerr.UndefinedColumn, "column \"%s\" does not exist", el.Name)
			}
			slots = append(slots, slot)
			continue
		}
		e, err := b.expr(el.Expr, tableScope(t, "", false))
		if err != nil {
			return nil, err
		}
		if c, ok := e.(*planner.ColRef); ok {
			slots = append(slots, c.Idx)
			continue
		}
		text, err := deparseExpr(el.Expr, b.pgVersion)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, text)
	}
	predicate := ""
	if infer.WhereClause != nil {
		if _, err := b.expr(infer.WhereClause, tableScope(t, "", false)); err != nil {
			return nil, err
		}
		var err error
		if predicate, err = deparseExpr(infer.WhereClause, b.pgVersion); err != nil {
			return nil, err
		}
	}
	var arbiters []*storage.Index
	for _, idx := range indexes {
		if !idx.Unique || !isBtreeIndex(idx) || len(idx.Columns) != len(slots)+len(exprs) {
			continue
		}
		if idx.Predicate != "" && idx.Predicate != predicate {
			continue
		}
		if keyMatches(idx, slots, exprs) {
			arbiters = append(arbiters, idx)
		}
	}
	if len(arbiters) == 0 {
		return nil, pgerr.New(pgerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
	}
	return arbiters, nil
}

// isBtreeIndex reports whether idx is a btree index (the only kind that
// can be unique).
func isBtreeIndex(idx *storage.Index) bool { return idx.Method == "" || idx.Method == "btree" }

// keyMatches reports whether idx's key columns are exactly the given
// table slots and expression texts, in any order.
func keyMatches(idx *storage.Index, slots []int, exprs []string) bool {
	for _, c := range idx.Columns {
		if c.Slot >= 0 && !slices.Contains(slots, c.Slot) || c.Slot < 0 && !slices.Contains(exprs, c.Expr) {
			return false
		}
	}
	for _, s := range slots {
		if !slices.ContainsFunc(idx.Columns, func(c storage.IndexColumn) bool { return c.Slot == s }) {
			return false
		}
	}
	for _, e := range exprs {
		if !slices.ContainsFunc(idx.Columns, func(c storage.IndexColumn) bool { return c.Slot < 0 && c.Expr == e }) {
			return false
		}
	}
	return true
}

// isPlainValues reports whether a SELECT is just a VALUES list, without
// ORDER BY or LIMIT, so INSERT can take its rows directly.
func isPlainValues(s *pg_query.SelectStmt) bool {
	return len(s.SortClause) == 0 && s.LimitCount == nil && s.LimitOffset == nil
}

func (b *binder) checkInsertWidth(values, columns int, at *pg_query.Node) error {
	loc := int32(-1)
	if at != nil {
		loc = location(at)
	}
	switch {
	case values > columns:
		return b.errAt(loc, pgerr.SyntaxError, "INSERT has more expressions than target columns")
	case values < columns:
		return b.errAt(loc, pgerr.SyntaxError, "INSERT has more target columns than expressions")
	}
	return nil
}

// insertColumns returns the table slots an INSERT's column list names, or
// every live column in order when there is no list.
func (b *binder) insertColumns(t *storage.Table, cols []*pg_query.Node) ([]int, error) {
	if len(cols) == 0 {
		return t.LiveColumns(), nil
	}
	seen := map[int]bool{}
	out := make([]int, 0, len(cols))
	for _, c := range cols {
		rt := c.GetResTarget()
		if len(rt.Indirection) > 0 {
			return nil, b.unsupported(rt.Location, "assigning to a part of a column")
		}
		slot := t.ColumnIndex(rt.Name)
		if slot < 0 {
			return nil, b.errAt(rt.Location, pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", rt.Name, t.Name)
		}
		if seen[slot] {
			return nil, b.errAt(rt.Location, pgerr.DuplicateColumn, "column \"%s\" specified more than once", rt.Name)
		}
		seen[slot] = true
		out = append(out, slot)
	}
	return out, nil
}

// fullRow builds the expressions of a whole table row: the given values
// for the named slots (coerced to the column types), defaults elsewhere.
func (b *binder) fullRow(t *storage.Table, slots []int, values []planner.Expr, locs []int32) ([]planner.Expr, error) {
	row := make([]planner.Expr, len(t.Columns))
	given := map[int]int{}
	for j, s := range slots {
		given[s] = j
	}
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Dropped {
			row[i] = &planner.Const{T: c.Type}
			continue
		}
		j, ok := given[i]
		if !ok || isDefaultMarker(values[j]) {
			d, err := b.columnDefault(t, i)
			if err != nil {
				return nil, err
			}
			row[i] = d
			continue
		}
		loc := int32(-1)
		if locs != nil {
			loc = locs[j]
		}
		e, err := b.assign(values[j], c, loc)
		if err != nil {
			return nil, err
		}
		row[i] = e
	}
	return row, nil
}

func isDefaultMarker(e planner.Expr) bool {
	_, ok := e.(defaultMarker)
	return ok
}

// assign coerces a value for storing into column c, with PostgreSQL's
// error when the types do not match.
func (b *binder) assign(e planner.Expr, c *storage.Column, loc int32) (planner.Expr, error) {
	out, ok, err := b.coerce(e, c.Type, types.CastAssignment, loc)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, b.errAt(loc, pgerr.DatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", c.Name, c.Type, e.Type()).
			WithHint("You will need to rewrite or cast the expression.")
	}
	return out, nil
}

// columnDefault binds a column's DEFAULT expression (NULL when it has
// none).
func (b *binder) columnDefault(t *storage.Table, slot int) (planner.Expr, error) {
	c := &t.Columns[slot]
	if c.Default == "" {
		return &planner.Const{T: c.Type}, nil
	}
	tree, err := pg_query.Parse("SELECT " + c.Default)
	if err != nil {
		return nil, pgerr.New(pgerr.DataCorrupted, "cannot parse the default of column \"%s\": %s", c.Name, err.Error())
	}
	val := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	sub := &binder{cat: b.cat, reg: b.reg, query: "SELECT " + c.Default, searchPath: b.searchPath, aggNotAllowed: "DEFAULT expressions"}
	e, err := sub.expr(val, nil)
	if err != nil {
		return nil, err
	}
	return sub.assign(e, c, -1)
}

// returning binds a RETURNING list over the written row.
func (b *binder) returning(list []*pg_query.Node, t *storage.Table, alias string) ([]planner.Expr, []planner.OutCol, error) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	b.aggNotAllowed = "RETURNING"
	targets, err := b.targetList(list, tableScope(t, alias, false))
	if err != nil {
		return nil, nil, err
	}
	exprs := make([]planner.Expr, len(targets))
	outs := make([]planner.OutCol, len(targets))
	for i, tg := range targets {
		exprs[i], outs[i] = tg.expr, tg.out
	}
	return exprs, outs, nil
}

// updateStmt binds UPDATE ... SET ... [WHERE] [RETURNING].
func (b *binder) updateStmt(s *pg_query.UpdateStmt) (planner.Node, error) {
	if s.WithClause != nil {
		return nil, b.unsupported(s.WithClause.Location, "WITH")
	}
	if len(s.FromClause) > 0 {
		return nil, b.unsupported(location(s.FromClause[0]), "UPDATE ... FROM")
	}
	t, err := b.resolveTable(s.Relation)
	if err != nil {
		return nil, err
	}
	alias := ""
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	sc := tableScope(t, alias, true)
	input, err := b.dmlInput(t, alias, s.WhereClause, sc)
	if err != nil {
		return nil, err
	}
	b.aggNotAllowed = "UPDATE"
	sets, err := b.setList(t, s.TargetList, sc)
	if err != nil {
		return nil, err
	}
	ret, out, err := b.returning(s.ReturningList, t, alias)
	if err != nil {
		return nil, err
	}
	if err := b.checkReads(t, storage.PrivUpdate, s.WhereClause, s.ReturningList, setExprs(sets)); err != nil {
		return nil, err
	}
	checks, err := bindChecks(b.cat, b.reg, t, t.Checks)
	if err != nil {
		return nil, err
	}
	return &planner.Update{Table: t, Input: input, Sets: sets, Returning: ret, Out: out, Checks: checks}, nil
}

// setList binds the SET list of UPDATE or of ON CONFLICT DO UPDATE, whose
// expressions are over scope sc.
func (b *binder) setList(t *storage.Table, list []*pg_query.Node, sc *scope) ([]planner.SetItem, error) {
	var sets []planner.SetItem
	seen := map[int]bool{}
	for _, n := range list {
		rt := n.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 {
			return nil, b.unsupported(location(n), "this form of SET")
		}
		if rt.Val.GetMultiAssignRef() != nil {
			return nil, b.unsupported(rt.Location, "SET (a, b) = (...)")
		}
		slot := t.ColumnIndex(rt.Name)
		if slot < 0 {
			return nil, b.errAt(rt.Location, pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", rt.Name, t.Name)
		}
		if seen[slot] {
			return nil, b.errAt(rt.Location, pgerr.DuplicateColumn, "multiple assignments to same column \"%s\"", rt.Name)
		}
		seen[slot] = true
		var e planner.Expr
		var err error
		if rt.Val.GetSetToDefault() != nil {
			if e, err = b.columnDefault(t, slot); err != nil {
				return nil, err
			}
		} else {
			if e, err = b.expr(rt.Val, sc); err != nil {
				return nil, err
			}
			if e, err = b.assign(e, &t.Columns[slot], location(rt.Val)); err != nil {
				return nil, err
			}
		}
		sets = append(sets, planner.SetItem{Slot: slot, Expr: e})
	}
	return sets, nil
}

// deleteStmt binds DELETE FROM ... [WHERE] [RETURNING].
func (b *binder) deleteStmt(s *pg_query.DeleteStmt) (planner.Node, error) {
	if s.WithClause != nil {
		return nil, b.unsupported(s.WithClause.Location, "WITH")
	}
	if len(s.UsingClause) > 0 {
		return nil, b.unsupported(location(s.UsingClause[0]), "DELETE ... USING")
	}
	t, err := b.resolveTable(s.Relation)
	if err != nil {
		return nil, err
	}
	alias := ""
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	input, err := b.dmlInput(t, alias, s.WhereClause, tableScope(t, alias, true))
	if err != nil {
		return nil, err
	}
	ret, out, err := b.returning(s.ReturningList, t, alias)
	if err != nil {
		return nil, err
	}
	if err := b.checkReads(t, storage.PrivDelete, s.WhereClause, s.ReturningList, nil); err != nil {
		return nil, err
	}
	return &planner.Delete{Table: t, Input: input, Returning: ret, Out: out}, nil
}

// dmlInput is the rows an UPDATE or DELETE changes: a scan with row ids,
// filtered by WHERE.
func (b *binder) dmlInput(t *storage.Table, alias string, where *pg_query.Node, sc *scope) (planner.Node, error) {
	var input planner.Node = &planner.Scan{Table: t, Alias: alias, RowID: true, Out: scanSchema(t, true)}
	if where == nil {
		return input, nil
	}
	b.aggNotAllowed = "WHERE"
	cond, err := b.expr(where, sc)
	if err != nil {
		return nil, err
	}
	if cond, err = b.boolArg(cond, location(where), "WHERE"); err != nil {
		return nil, err
	}
	return &planner.Filter{Input: input, Cond: cond}, nil
}
