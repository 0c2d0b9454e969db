package sql

import (
	"context"
	"slices"
	"sync"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vecgres/vecgres/exec"
	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// Expression and partial indexes.
//
// An index key that is an expression, and a partial index's predicate,
// are stored in the index descriptor as SQL text (pg_query's deparse of
// what CREATE INDEX was given, as column defaults are) with the key's
// result type, and bound again against the table when used: by the
// planner, to match a query's expressions with the index's (structural
// equality of bound expressions, see planner.Equal), and by storage and
// the executor, to compute a row's entry on every write and when the
// index is built. CREATE INDEX checks what PostgreSQL checks: only
// immutable functions, no aggregates, window functions, set-returning
// functions or subqueries, and a boolean predicate.
//
// indexDefs caches the bound and compiled definitions by index, for the
// engine's lifetime: descriptors are immutable, so an entry is valid as
// long as the index and its table have the descriptors it was made from.

// indexDefs binds and compiles the definitions of derived indexes. It
// implements planner.IndexDefs and storage.IndexKeyer.
type indexDefs struct {
	db  *storage.DB
	reg *builtins.Registry
	mu  sync.Mutex
	m   map[types.OID]*boundIndex
}

// boundIndex is one index's definition bound against one version of its
// table's descriptor.
type boundIndex struct {
	idx *storage.Index
	tbl *storage.Table
	def *planner.IndexDef
	key exec.IndexKeyFunc
	err error
}

func newIndexDefs(db *storage.DB, reg *builtins.Registry) *indexDefs {
	return &indexDefs{db: db, reg: reg, m: map[types.OID]*boundIndex{}}
}

// get returns the bound definition of idx on t, binding it on first use.
func (d *indexDefs) get(t *storage.Table, idx *storage.Index) *boundIndex {
	d.mu.Lock()
	defer d.mu.Unlock()
	if bi, ok := d.m[idx.OID]; ok && bi.idx == idx && bi.tbl == t {
		return bi
	}
	bi := &boundIndex{idx: idx, tbl: t}
	bi.def, bi.err = bindIndexDef(d.db.Catalog(), d.reg, t, idx)
	if bi.err == nil {
		bi.key, bi.err = exec.CompileIndexDef(bi.def, indexEnv{db: d.db})
	}
	d.m[idx.OID] = bi
	return bi
}

// IndexDef implements planner.IndexDefs.
func (d *indexDefs) IndexDef(t *storage.Table, idx *storage.Index) (*planner.IndexDef, error) {
	bi := d.get(t, idx)
	return bi.def, bi.err
}

// IndexKey implements storage.IndexKeyer.
func (d *indexDefs) IndexKey(t *storage.Table, idx *storage.Index, row []types.Datum) ([]types.Datum, bool, error) {
	bi := d.get(t, idx)
	if bi.err != nil {
		return nil, false, bi.err
	}
	return bi.key(row)
}

// bindIndexDef binds the stored definition of idx against its table.
func bindIndexDef(cat *storage.Catalog, reg *builtins.Registry, t *storage.Table, idx *storage.Index) (*planner.IndexDef, error) {
	def := &planner.IndexDef{Keys: make([]planner.Expr, len(idx.Columns))}
	for i, c := range idx.Columns {
		if c.Slot >= 0 {
			if c.Slot >= len(t.Columns) {
				return nil, pgerr.New(pgerr.DataCorrupted, "index \"%s\" refers to column slot %d of \"%s\"", idx.Name, c.Slot, t.Name)
			}
			col := t.Columns[c.Slot]
			def.Keys[i] = &planner.ColRef{Idx: c.Slot, T: col.Type, Name: col.Name}
			continue
		}
		e, err := bindStoredExpr(cat, reg, t, c.Expr)
		if err != nil {
			return nil, pgerr.New(pgerr.DataCorrupted, "cannot bind expression %s of index \"%s\": %s", c.Expr, idx.Name, pgerr.From(err).Message)
		}
		def.Keys[i] = e
	}
	if idx.Predicate != "" {
		e, err := bindStoredExpr(cat, reg, t, idx.Predicate)
		if err != nil {
			return nil, pgerr.New(pgerr.DataCorrupted, "cannot bind the predicate of index \"%s\": %s", idx.Name, pgerr.From(err).Message)
		}
		def.Predicate = e
	}
	return def, nil
}

// bindStoredExpr binds SQL text kept in a descriptor over the table's
// slots.
func bindStoredExpr(cat *storage.Catalog, reg *builtins.Registry, t *storage.Table, text string) (planner.Expr, error) {
	query := "SELECT " + text
	tree, err := pg_query.Parse(query)
	if err != nil {
		return nil, pgerr.New(pgerr.DataCorrupted, "%s", err.Error())
	}
	val := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	b := newBinder(cat, reg, query, nil, []string{"public"})
	b.aggNotAllowed = "index expressions"
	return b.expr(val, tableScope(t, "", false))
}

// indexKeySpec is one key of CREATE INDEX's column list, checked and
// bound.
type indexKeySpec struct {
	col storage.IndexColumn
	// name is the key's part of a generated index name (PostgreSQL's
	// FigureIndexColname); t its type.
	name string
	t    types.T
	// slots are the table slots an expression reads.
	slots []int
}

// indexKey checks and binds one element of CREATE INDEX's column list: a
// column, or an expression (which reads as a column when it is only one,
// as "((x))" or a cast of a column to its own type).
func (s *Session) indexKey(b *binder, t *storage.Table, el *pg_query.IndexElem) (indexKeySpec, error) {
	if el.Expr == nil {
		slot := t.ColumnIndex(el.Name)
		if slot < 0 {
			return indexKeySpec{}, b.errAt(-1, pgerr.UndefinedColumn, "column \"%s\" does not exist", el.Name)
		}
		return indexKeySpec{col: storage.IndexColumn{Slot: slot}, name: el.Name, t: t.Columns[slot].Type}, nil
	}
	e, err := s.bindIndexExpr(b, t, el.Expr, "index expression", "index expressions")
	if err != nil {
		return indexKeySpec{}, err
	}
	if c, ok := e.(*planner.ColRef); ok {
		return indexKeySpec{col: storage.IndexColumn{Slot: c.Idx}, name: t.Columns[c.Idx].Name, t: c.T}, nil
	}
	text, err := deparseExpr(el.Expr, b.pgVersion)
	if err != nil {
		return indexKeySpec{}, err
	}
	typ := e.Type()
	return indexKeySpec{col: storage.IndexColumn{Slot: -1, Expr: text, Type: &typ}, name: indexColName(el.Expr),
		t: typ, slots: exprSlots(e)}, nil
}

// indexPredicate checks and binds a partial index's WHERE clause and
// returns its text and the slots it reads.
func (s *Session) indexPredicate(b *binder, t *storage.Table, where *pg_query.Node) (string, []int, error) {
	e, err := s.bindIndexExpr(b, t, where, "index predicate", "index predicates")
	if err != nil {
		return "", nil, err
	}
	if _, err := b.boolArg(e, location(where), "WHERE"); err != nil {
		return "", nil, err
	}
	text, err := deparseExpr(where, b.pgVersion)
	if err != nil {
		return "", nil, err
	}
	return text, exprSlots(e), nil
}

// bindIndexExpr binds an index expression or predicate over the table,
// with PostgreSQL's errors for what such an expression may not hold; what
// names it in the singular ("index expression"), whats in the plural.
func (s *Session) bindIndexExpr(b *binder, t *storage.Table, n *pg_query.Node, what, whats string) (planner.Expr, error) {
	if err := checkIndexExprTree(b, n, what, whats); err != nil {
		return nil, err
	}
	saved := b.aggNotAllowed
	b.aggNotAllowed = whats
	e, err := b.expr(n, tableScope(t, "", false))
	b.aggNotAllowed = saved
	if err != nil {
		return nil, err
	}
	if !isImmutable(e) {
		return nil, pgerr.New(pgerr.Code("42P17"), "functions in %s must be marked IMMUTABLE", what)
	}
	return e, nil
}

// checkIndexExprTree rejects, before binding, what PostgreSQL rejects in
// index expressions and predicates: subqueries, window functions and
// set-returning functions.
func checkIndexExprTree(b *binder, n *pg_query.Node, what, whats string) error {
	var err error
	walkParseTree(n.ProtoReflect(), func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg_query.SubLink:
			err = b.errAt(x.Location, pgerr.FeatureNotSupported, "cannot use subquery in %s", what)
		case *pg_query.FuncCall:
			if x.Over != nil {
				err = b.errAt(x.Location, pgerr.Code("42P20"), "window functions are not allowed in %s", whats)
				break
			}
			names := stringsOf(x.Funcname)
			name := names[len(names)-1]
			if len(builtins.SetFunctions(name)) > 0 && len(b.reg.Function(name)) == 0 {
				err = b.errAt(x.Location, pgerr.FeatureNotSupported, "set-returning functions are not allowed in %s", whats)
			}
		}
		return err == nil
	})
	return err
}

// walkParseTree calls fn for m and every message under it, depth first,
// until fn returns false.
func walkParseTree(m protoreflect.Message, fn func(protoreflect.Message) bool) bool {
	if !fn(m) {
		return false
	}
	ok := true
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && ok; i++ {
				ok = walkParseTree(l.Get(i).Message(), fn)
			}
		case fd.Message() != nil && !fd.IsMap():
			ok = walkParseTree(v.Message(), fn)
		}
		return ok
	})
	return ok
}

// isImmutable reports whether a bound expression's value depends only on
// its inputs: every function immutable, and no cast that reads a session
// setting (those between text and the date and time types, which follow
// DateStyle and TimeZone, and to or from timestamptz).
func isImmutable(e planner.Expr) bool {
	ok := true
	planner.Walk(e, func(x planner.Expr) bool {
		switch x := x.(type) {
		case *planner.Func:
			ok = x.Volatility == planner.Immutable
		case *planner.Cast:
			ok = !castReadsSettings(x.Arg.Type(), x.To)
		case *planner.Param, *planner.Subquery, *planner.OuterRef:
			ok = false
		}
		return ok
	})
	return ok
}

// castReadsSettings reports whether a cast's result depends on session
// settings, which makes it stable rather than immutable in PostgreSQL.
func castReadsSettings(from, to types.T) bool {
	if from.OID == to.OID {
		return false
	}
	dateTime := func(t types.T) bool {
		switch t.OID {
		case types.DateOID, types.TimestampOID, types.TimestampTZOID:
			return true
		}
		return false
	}
	settingTypes := func(t types.T) bool {
		return t.OID == types.TimestampTZOID || t.OID == types.RegclassOID || t.OID == types.RegtypeOID
	}
	return settingTypes(from) || settingTypes(to) || dateTime(from) != dateTime(to)
}

// exprSlots returns the table slots an expression reads, in order.
func exprSlots(e planner.Expr) []int {
	var out []int
	planner.Walk(e, func(x planner.Expr) bool {
		if c, ok := x.(*planner.ColRef); ok && !slices.Contains(out, c.Idx) {
			out = append(out, c.Idx)
		}
		return true
	})
	slices.Sort(out)
	return out
}

// uniqueSlots returns slots sorted without repeats (nil for none).
func uniqueSlots(slots []int) []int {
	if len(slots) == 0 {
		return nil
	}
	out := slices.Clone(slots)
	slices.Sort(out)
	return slices.Compact(out)
}

// indexColName is the part of a generated index name that an expression
// contributes, as PostgreSQL's FigureIndexColname: a function's name, a
// column's (also under a cast), else "expr".
func indexColName(n *pg_query.Node) string {
	switch x := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		if names := stringsOf(x.ColumnRef.Fields); len(names) > 0 {
			return names[len(names)-1]
		}
	case *pg_query.Node_FuncCall:
		if names := stringsOf(x.FuncCall.Funcname); len(names) > 0 {
			return names[len(names)-1]
		}
	case *pg_query.Node_TypeCast:
		return indexColName(x.TypeCast.Arg)
	}
	return "expr"
}

// indexEnv is the environment index expressions are evaluated in. They
// are immutable, so they read no setting and no session state; the
// methods that would answer with the defaults.
type indexEnv struct{ db *storage.DB }

func (indexEnv) StatementTime() time.Time   { return time.Time{} }
func (indexEnv) TransactionTime() time.Time { return time.Time{} }
func (indexEnv) Setting(name string) (string, error) {
	return "", pgerr.New(pgerr.InternalError, "index expressions read no setting (%s)", name)
}
func (indexEnv) SetSetting(name, _ string, _ bool) (string, error) {
	return "", pgerr.New(pgerr.InternalError, "index expressions change no setting (%s)", name)
}
func (indexEnv) NextVal(types.OID) (int64, error) { return 0, errNotInIndex("nextval") }
func (indexEnv) CurrVal(types.OID) (int64, error) { return 0, errNotInIndex("currval") }
func (indexEnv) SetVal(types.OID, int64, bool) (int64, error) {
	return 0, errNotInIndex("setval")
}
func (indexEnv) RelationOID(string) (types.OID, error) { return 0, errNotInIndex("regclass") }
func (indexEnv) Format() *types.FormatOptions          { return nil }
func (indexEnv) Database() string                      { return "" }
func (indexEnv) User() string                          { return "" }
func (indexEnv) BackendPID() int32                     { return 0 }
func (e indexEnv) Catalog() *storage.Catalog           { return e.db.Catalog() }
func (indexEnv) SearchPath() []string                  { return []string{"public"} }

func errNotInIndex(what string) error {
	return pgerr.New(pgerr.InternalError, "%s is not immutable and cannot run in an index expression", what)
}

// renameIndexColumns rewrites the stored expressions and predicates of
// the table's indexes that read the column in slot, now called newName,
// so that they bind again (PostgreSQL keeps attribute numbers in its
// trees, so its definitions follow a rename by themselves).
func (s *Session) renameIndexColumns(ctx context.Context, t *storage.Table, slot int, oldName, newName string, version int32) error {
	for _, idx := range s.txn.Catalog().TableIndexes(t.OID) {
		if !idx.Derived() || !slices.Contains(idx.ExprSlots, slot) {
			continue
		}
		c := *idx
		c.Columns = slices.Clone(idx.Columns)
		var err error
		for i := range c.Columns {
			if c.Columns[i].Slot < 0 {
				if c.Columns[i].Expr, err = renameColumnRefs(c.Columns[i].Expr, oldName, newName, version); err != nil {
					return err
				}
			}
		}
		if c.Predicate != "" {
			if c.Predicate, err = renameColumnRefs(c.Predicate, oldName, newName, version); err != nil {
				return err
			}
		}
		if err := s.txn.AlterIndex(ctx, &c); err != nil {
			return err
		}
	}
	return nil
}

// renameColumnRefs returns the SQL text of an expression with its
// references to column oldName renamed to newName.
func renameColumnRefs(text, oldName, newName string, version int32) (string, error) {
	tree, err := pg_query.Parse("SELECT " + text)
	if err != nil {
		return "", pgerr.New(pgerr.DataCorrupted, "cannot parse stored expression %s: %s", text, err.Error())
	}
	val := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	walkParseTree(val.ProtoReflect(), func(m protoreflect.Message) bool {
		if cr, ok := m.Interface().(*pg_query.ColumnRef); ok && len(cr.Fields) > 0 {
			if s := cr.Fields[len(cr.Fields)-1].GetString_(); s != nil && s.Sval == oldName {
				s.Sval = newName
			}
		}
		return true
	})
	return deparseExpr(val, version)
}

// indexesUsing returns the table's indexes that read the column in slot:
// as a key column, in a key expression or in a predicate.
func indexesUsing(cat *storage.Catalog, t *storage.Table, slot int) []*storage.Index {
	var out []*storage.Index
	for _, idx := range cat.TableIndexes(t.OID) {
		if idx.Uses(slot) {
			out = append(out, idx)
		}
	}
	return out
}
