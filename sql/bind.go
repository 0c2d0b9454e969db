package sql

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/exec/builtins"
	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// binder resolves one statement's names and types against a catalog.
type binder struct {
	cat   *storage.Catalog
	reg   *builtins.Registry
	query string
	// params holds the type of each $n seen so far: given by the client,
	// inferred from context, or UnknownOID while still open.
	params []types.T
	// agg collects aggregate calls while a SELECT list, HAVING or ORDER BY
	// is bound; nil where aggregates are not allowed.
	agg *aggContext
	// aggNotAllowed names the clause being bound when agg is nil, for the
	// error message ("aggregate functions are not allowed in WHERE").
	aggNotAllowed string
	// win collects window function calls while a SELECT list or ORDER BY
	// is bound; nil where they are not allowed, winNotAllowed then saying
	// why when aggNotAllowed does not (bind_window.go).
	win           *winContext
	winNotAllowed string
	// searchPath is the list of schemas unqualified names are looked up
	// in, in order.
	searchPath []string
	// noParams is set for statements of a simple Query, where $n has no
	// value to refer to.
	noParams bool
	// pgVersion is the parse tree's version, for deparsing.
	pgVersion int32
	// format holds the session settings that reading literals depends on
	// (TimeZone for timestamptz, the time 'now' means); nil means the
	// defaults.
	format *types.FormatOptions
	// levels are the enclosing queries of the query being bound (for a
	// subquery), innermost last.
	levels []*level
	// ctes are the WITH queries visible to the query being bound,
	// innermost last.
	ctes []map[string]*cte
	// acc checks the current role's privileges on the tables resolved;
	// nil allows everything (privileges.go).
	acc *access
}

// level is an enclosing query: its scope, and whether the subquery
// nested directly inside it refers to it or to a query further out.
type level struct {
	sc         *scope
	correlated bool
	// derived marks the level of a subquery in FROM: it is part of its
	// enclosing query's plan, so the executor keeps no outer row for it,
	// and an outer reference does not count it (see execDepth).
	derived bool
}

// execDepth converts the distance in query levels from the query being
// bound to an enclosing one into the executor's: how many rows back on
// its stack of outer rows, one per subquery expression being evaluated
// (subqueries in FROM run inside their query's plan and push none).
func (b *binder) execDepth(depth int) int {
	n := len(b.levels)
	d := depth
	for i := n - depth; i < n; i++ {
		if b.levels[i].derived {
			d--
		}
	}
	return d
}

// outerScopes returns the scopes of the enclosing queries, outermost
// first.
func (b *binder) outerScopes() []*scope {
	out := make([]*scope, len(b.levels))
	for i, l := range b.levels {
		out[i] = l.sc
	}
	return out
}

// markCorrelated records that the query being bound refers to the query
// depth levels out: it and every subquery between are correlated.
func (b *binder) markCorrelated(depth int) {
	n := len(b.levels)
	for i := n - depth; i < n; i++ {
		b.levels[i].correlated = true
	}
}

// inSubquery binds a subquery of the query whose scope is sc. It returns
// whether the subquery refers to sc or further out.
func (b *binder) inSubquery(sc *scope, bind func() error) (correlated bool, err error) {
	return b.inLevel(&level{sc: sc}, bind)
}

// inDerived binds a subquery in FROM, which sees no column of its own
// query (no LATERAL) but those of the queries around that one.
func (b *binder) inDerived(bind func() error) error {
	_, err := b.inLevel(&level{derived: true}, bind)
	return err
}

func (b *binder) inLevel(l *level, bind func() error) (correlated bool, err error) {
	if l.sc == nil {
		l.sc = &scope{}
	}
	b.levels = append(b.levels, l)
	savedAgg, savedNot := b.agg, b.aggNotAllowed
	savedWin, savedWinNot := b.win, b.winNotAllowed
	b.agg, b.aggNotAllowed = nil, "a subquery's enclosing clause"
	b.win, b.winNotAllowed = nil, ""
	err = bind()
	b.agg, b.aggNotAllowed = savedAgg, savedNot
	b.win, b.winNotAllowed = savedWin, savedWinNot
	b.levels = b.levels[:len(b.levels)-1]
	return l.correlated, err
}

func newBinder(cat *storage.Catalog, reg *builtins.Registry, query string, paramTypes []types.OID, searchPath []string) *binder {
	b := &binder{cat: cat, reg: reg, query: query, searchPath: searchPath, noParams: paramTypes == nil}
	for _, oid := range paramTypes {
		if oid == 0 {
			oid = types.UnknownOID
		}
		b.params = append(b.params, types.Of(oid))
	}
	return b
}

// errAt returns a pgerr with a position pointing at byte offset loc of the
// query (-1 for none).
func (b *binder) errAt(loc int32, code pgerr.Code, format string, args ...any) *pgerr.Error {
	e := pgerr.New(code, format, args...)
	if loc >= 0 {
		e.Position = charPosition(b.query, int(loc))
	}
	return e
}

// at attaches the position loc to err if it has none.
func (b *binder) at(loc int32, err error) error {
	if loc < 0 || err == nil {
		return err
	}
	return pgerr.AtPosition(err, charPosition(b.query, int(loc)))
}

// scopeCol is a column visible to expressions of a query.
type scopeCol struct {
	name string
	// table is the range entry's name (alias or table name) for qualified
	// references.
	table    string
	idx      int
	t        types.T
	tableOID types.OID
	attnum   int16
	// hidden columns (dropped ones, row ids) never match a name and are
	// left out of *.
	hidden bool
	// mergedAway marks the right-hand copy of a JOIN ... USING column: it
	// is reached only qualified, and * shows the merged column once.
	mergedAway bool
}

// scope is the set of columns an expression may name: the FROM clause's.
type scope struct {
	cols []scopeCol
	// tables lists the range entries' names in FROM order.
	tables []string
	// aliased maps the table name of each aliased entry to its alias, to
	// explain a reference to the hidden name.
	aliased map[string]string
}

// tableScope returns the scope of one table read by a Scan, whose rows
// have one column per slot (plus the row id when rowID is set).
func tableScope(t *storage.Table, alias string, rowID bool) *scope {
	name := t.Name
	if alias != "" {
		name = alias
	}
	sc := &scope{tables: []string{name}}
	if alias != "" && alias != t.Name {
		sc.aliased = map[string]string{t.Name: alias}
	}
	for i, c := range t.Columns {
		sc.cols = append(sc.cols, scopeCol{name: c.Name, table: name, idx: i, t: c.Type,
			tableOID: t.OID, attnum: c.Attnum, hidden: c.Dropped})
	}
	if rowID {
		sc.cols = append(sc.cols, scopeCol{name: "ctid", table: name, idx: len(t.Columns), t: types.TInt8, hidden: true})
	}
	return sc
}

func scanSchema(t *storage.Table, rowID bool) []planner.OutCol {
	out := make([]planner.OutCol, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		out = append(out, planner.OutCol{Name: c.Name, T: c.Type, TableOID: t.OID, Attnum: c.Attnum})
	}
	if rowID {
		out = append(out, planner.OutCol{Name: "ctid", T: types.TInt8})
	}
	return out
}

// findColumn looks a possibly qualified column up in one scope. It
// returns nil without an error when the scope has no such column (so outer
// scopes can be tried), and an error for ambiguity.
func (b *binder) findColumn(sc *scope, table, name string, loc int32) (*scopeCol, error) {
	if sc == nil {
		return nil, nil
	}
	var hit *scopeCol
	for i := range sc.cols {
		c := &sc.cols[i]
		if c.name != name || (table != "" && c.table != table) {
			continue
		}
		if (c.hidden && name != "ctid") || (c.mergedAway && table == "") {
			continue
		}
		if hit != nil {
			return nil, b.errAt(loc, pgerr.AmbiguousColumn, "column reference \"%s\" is ambiguous", name)
		}
		hit = c
	}
	return hit, nil
}

// hasTable reports whether a scope has a range entry called table.
func (sc *scope) hasTable(table string) bool {
	if sc == nil {
		return false
	}
	for _, t := range sc.tables {
		if t == table {
			return true
		}
	}
	return false
}

// lookupColumn resolves a possibly qualified column reference in the
// current scope, then in the scopes of the enclosing queries (which makes
// the query being bound correlated).
func (b *binder) lookupColumn(sc *scope, table, name string, loc int32) (planner.Expr, error) {
	scopes := append(append([]*scope{}, b.outerScopes()...), sc)
	for depth := 0; depth < len(scopes); depth++ {
		s := scopes[len(scopes)-1-depth]
		if table != "" && !s.hasTable(table) {
			continue
		}
		c, err := b.findColumn(s, table, name, loc)
		if err != nil {
			return nil, err
		}
		if c == nil {
			if table != "" {
				return nil, b.errAt(loc, pgerr.UndefinedColumn, "column %s.%s does not exist", table, name)
			}
			continue
		}
		ref := c.name
		if len(s.tables) > 0 {
			ref = c.table + "." + c.name
		}
		if depth == 0 {
			return &planner.ColRef{Idx: c.idx, T: c.t, Name: ref}, nil
		}
		b.markCorrelated(depth)
		return &planner.OuterRef{Depth: b.execDepth(depth), Idx: c.idx, T: c.t, Name: ref}, nil
	}
	if table != "" {
		for _, s := range scopes {
			if alias, ok := s.aliasFor(table); ok {
				return nil, b.errAt(loc, pgerr.UndefinedTable, "invalid reference to FROM-clause entry for table \"%s\"", table).
					WithHint("Perhaps you meant to reference the table alias \"%s\".", alias)
			}
		}
		return nil, b.errAt(loc, pgerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", table)
	}
	return nil, b.errAt(loc, pgerr.UndefinedColumn, "column \"%s\" does not exist", name)
}

func (sc *scope) aliasFor(table string) (string, bool) {
	if sc == nil {
		return "", false
	}
	a, ok := sc.aliased[table]
	return a, ok
}

// resolveTable finds the table a RangeVar names, in its schema or along the
// search path.
func (b *binder) resolveTable(rv *pg_query.RangeVar) (*storage.Table, error) {
	t, ok := b.lookupRelation(rv.Schemaname, rv.Relname)
	if !ok {
		return nil, b.errAt(rv.Location, pgerr.UndefinedTable, "relation \"%s\" does not exist", qualifiedName(rv.Schemaname, rv.Relname))
	}
	return t, nil
}

func (b *binder) lookupRelation(schema, name string) (*storage.Table, bool) {
	if schema != "" {
		return b.cat.TableByName(schema, name)
	}
	for _, s := range b.searchPath {
		if t, ok := b.cat.TableByName(s, name); ok {
			return t, true
		}
	}
	return nil, false
}

func qualifiedName(schema, name string) string {
	if schema == "" {
		return name
	}
	return schema + "." + name
}

// stringsOf returns the String values of a list of nodes (name lists).
func stringsOf(nodes []*pg_query.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

// funcName returns a function or operator name without a pg_catalog or
// public qualifier.
func funcName(nodes []*pg_query.Node) (string, error) {
	names := stringsOf(nodes)
	switch len(names) {
	case 1:
		return names[0], nil
	case 2:
		if names[0] == "pg_catalog" || names[0] == "public" {
			return names[1], nil
		}
		return "", pgerr.New(pgerr.UndefinedFunction, "schema \"%s\" does not exist", names[0])
	}
	return "", pgerr.New(pgerr.SyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(names, "."))
}

// resolveTypeName turns a TypeName into a T, with its modifiers checked.
func (b *binder) resolveTypeName(tn *pg_query.TypeName) (types.T, error) {
	names := stringsOf(tn.Names)
	name := names[len(names)-1]
	if len(names) == 2 && names[0] != "pg_catalog" && names[0] != "public" {
		return types.T{}, b.errAt(tn.Location, pgerr.UndefinedObject, "type \"%s\" does not exist", strings.Join(names, "."))
	}
	oid, ok := types.TypeByName(name)
	if !ok {
		return types.T{}, b.errAt(tn.Location, pgerr.UndefinedObject, "type \"%s\" does not exist", name)
	}
	var mods []int64
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil {
			return types.T{}, b.errAt(tn.Location, pgerr.SyntaxError, "type modifiers must be simple constants or identifiers")
		}
		switch v := c.Val.(type) {
		case *pg_query.A_Const_Ival:
			mods = append(mods, int64(v.Ival.Ival))
		default:
			return types.T{}, b.errAt(c.Location, pgerr.SyntaxError, "type modifiers must be simple constants or identifiers")
		}
	}
	t, err := types.WithTypmod(oid, mods)
	if err != nil {
		return types.T{}, b.at(tn.Location, err)
	}
	if len(tn.ArrayBounds) > 0 {
		arr, ok := types.ArrayOf(t.OID)
		if !ok {
			return types.T{}, b.errAt(tn.Location, pgerr.UndefinedObject, "type \"%s[]\" does not exist", name)
		}
		t = types.Of(arr)
	}
	return t, nil
}

// checkParams fails when a parameter's type could not be inferred, as
// PostgreSQL does, and returns the final parameter types.
func (b *binder) checkParams() ([]types.T, error) {
	for i, t := range b.params {
		if t.OID == types.UnknownOID {
			return nil, pgerr.New(pgerr.IndeterminateDatatype, "could not determine data type of parameter $%d", i+1)
		}
	}
	return b.params, nil
}

// unsupported is the error for SQL that parses but vecgres does not run.
func (b *binder) unsupported(loc int32, what string) error {
	return b.errAt(loc, pgerr.FeatureNotSupported, "%s is not supported by vecgres yet", what)
}

// nodeKind names a parse node's type for messages.
func nodeKind(n *pg_query.Node) string {
	if n == nil || n.Node == nil {
		return "empty"
	}
	s := fmt.Sprintf("%T", n.Node)
	s = strings.TrimPrefix(s, "*pg_query.Node_")
	return s
}
