package pgcatalog

import (
	"slices"
	"strings"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// optionOrder is the order reloptions are listed in. storage keeps WITH
// (...) parameters in a map, so the order they were written in is lost;
// pgvector's are listed in the order its documentation writes them, the
// others by name.
var optionOrder = []string{"m", "ef_construction", "lists", "fillfactor"}

// indexOptions returns an index's storage parameters as reloptions
// ("name=value"), or nil.
func indexOptions(idx *storage.Index) []string {
	if len(idx.Options) == 0 {
		return nil
	}
	keys := make([]string, 0, len(idx.Options))
	for k := range idx.Options {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(optionOrder, a), slices.Index(optionOrder, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + idx.Options[k]
	}
	return out
}

// indexColumnType returns the type of an index key column: the table
// column's, or text for an expression.
func indexColumnType(tbl *storage.Table, c storage.IndexColumn) types.T {
	if tbl != nil && c.Slot >= 0 && c.Slot < len(tbl.Columns) {
		return tbl.Columns[c.Slot].Type
	}
	return types.TText
}

// opclassOf returns the operator class of an index key column: the one
// named, or the method's default for the column's type. ok is false when
// there is none (hnsw has no default operator class).
func opclassOf(method types.OID, t types.T, named string) (*opclassRow, bool) {
	data := builtinRows()
	if named != "" {
		for _, c := range data.classes {
			if c.Method == method && c.Name == named {
				return c, true
			}
		}
		return nil, false
	}
	return defaultOpclass(method, t.OID)
}

// defaultOpclass finds the default operator class of a method for a type,
// as GetDefaultOpClass does: the one declared for the type, else one for
// a type it converts to without a function (varchar and name use
// text_ops' family, arrays array_ops).
func defaultOpclass(method, typ types.OID) (*opclassRow, bool) {
	data := builtinRows()
	want := []types.OID{typ}
	switch {
	case types.IsArray(typ):
		want = append(want, types.AnyArrayOID)
	case typ == types.VarcharOID:
		want = append(want, types.TextOID)
	}
	for _, w := range want {
		for _, c := range data.classes {
			if c.Method == method && c.Default && c.InType == w {
				return c, true
			}
		}
	}
	return nil, false
}

func pgIndex() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_index", OID: 2610,
		Columns: []Column{
			col("indexrelid", types.OidOID), col("indrelid", types.OidOID), col("indnatts", types.Int2OID),
			col("indnkeyatts", types.Int2OID), col("indisunique", types.BoolOID), col("indnullsnotdistinct", types.BoolOID),
			col("indisprimary", types.BoolOID), col("indisexclusion", types.BoolOID), col("indimmediate", types.BoolOID),
			col("indisclustered", types.BoolOID), col("indisvalid", types.BoolOID), col("indcheckxmin", types.BoolOID),
			col("indisready", types.BoolOID), col("indislive", types.BoolOID), col("indisreplident", types.BoolOID),
			col("indkey", types.Int2VectorOID), col("indcollation", types.OidVectorOID), col("indclass", types.OidVectorOID),
			col("indoption", types.Int2VectorOID), col("indexprs", types.PgNodeTreeOID), col("indpred", types.PgNodeTreeOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			cat := env.Catalog()
			var rows [][]types.Datum
			for _, idx := range cat.Indexes() {
				rows = append(rows, indexRow(env, cat, idx))
			}
			return rows, nil
		},
	}
}

func indexRow(env planner.Env, cat *storage.Catalog, idx *storage.Index) []types.Datum {
	tbl, _ := cat.Table(idx.Table)
	method := accessMethodOID(idx.Method)
	var keys, options []int16
	var collations, classes []types.OID
	var exprs []string
	for _, c := range idx.Columns {
		t := indexColumnType(tbl, c)
		if c.Slot >= 0 && tbl != nil && c.Slot < len(tbl.Columns) {
			keys = append(keys, tbl.Columns[c.Slot].Attnum)
		} else {
			keys = append(keys, 0)
			exprs = append(exprs, deparseSQL(env, c.Expr, tbl, types.T{}, false))
		}
		collations = append(collations, typeCollation(t.OID))
		cls := types.OID(0)
		if oc, ok := opclassOf(method, t, c.Opclass); ok {
			cls = oc.OID
		}
		classes = append(classes, cls)
		var opt int16
		if c.Desc {
			opt |= 1
		}
		if c.NullsFirst {
			opt |= 2
		}
		options = append(options, opt)
	}
	var indexprs, indpred types.Datum
	if len(exprs) > 0 {
		indexprs = strings.Join(exprs, " ")
	}
	if idx.Predicate != "" {
		indpred = deparseSQL(env, idx.Predicate, tbl, types.TBool, false)
	}
	n := integer(len(idx.Columns))
	return []types.Datum{
		oid(idx.OID), oid(idx.Table), n,
		n, idx.Unique || idx.Primary, false,
		idx.Primary, false, true,
		false, true, false,
		true, true, false,
		vectorOf(types.Int2VectorOID, keys), vectorOf(types.OidVectorOID, collations), vectorOf(types.OidVectorOID, classes),
		vectorOf(types.Int2VectorOID, options), indexprs, indpred,
	}
}

// vectorOf makes an int2vector or oidvector value.
func vectorOf[I ~int16 | ~uint32](t types.OID, vs []I) types.Datum {
	elem, _ := types.ElementType(t)
	return intArray(elem, vs)
}

// isConstraintIndex reports whether an index enforces a constraint: a
// primary key, or a UNIQUE constraint (storage.Index.Constraint; indexes
// described before that field existed are recognised by the ..._key name
// CREATE TABLE gives them).
func isConstraintIndex(idx *storage.Index) bool {
	return idx.Primary || idx.Unique && idx.Predicate == "" && (idx.Constraint || strings.HasSuffix(idx.Name, "_key"))
}

// indexDef is pg_get_indexdef: the CREATE INDEX statement of an index, or
// with column > 0 the definition of that key column alone.
func indexDef(env planner.Env, idx *storage.Index, column int, pretty bool) string {
	cat := env.Catalog()
	tbl, _ := cat.Table(idx.Table)
	method := accessMethodOID(idx.Method)
	var cols []string
	for i, c := range idx.Columns {
		if column > 0 && i+1 != column {
			continue
		}
		var s string
		if c.Slot >= 0 && tbl != nil && c.Slot < len(tbl.Columns) {
			s = quoteIdent(tbl.Columns[c.Slot].Name)
		} else {
			s = deparseSQL(env, c.Expr, tbl, types.T{}, pretty)
			if !isFunctionCallSQL(c.Expr) {
				s = "(" + s + ")"
			}
		}
		if column == 0 {
			t := indexColumnType(tbl, c)
			if c.Opclass != "" {
				if def, ok := defaultOpclass(method, t.OID); !ok || def.Name != c.Opclass {
					s += " " + c.Opclass
				}
			}
			if c.Desc {
				s += " DESC"
				if !c.NullsFirst {
					s += " NULLS LAST"
				}
			} else if c.NullsFirst {
				s += " NULLS FIRST"
			}
		}
		cols = append(cols, s)
	}
	if column > 0 {
		return strings.Join(cols, ", ")
	}
	var b strings.Builder
	b.WriteString("CREATE ")
	if idx.Unique || idx.Primary {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX ")
	b.WriteString(quoteIdent(idx.Name))
	b.WriteString(" ON ")
	if tbl != nil {
		// The pretty form qualifies the table only when the search path
		// would not find it, as generate_relation_name does.
		if pretty && relationVisible(env, tbl.Schema, tbl.Name) {
			b.WriteString(quoteIdent(tbl.Name))
		} else {
			b.WriteString(quoteIdent(tbl.Schema) + "." + quoteIdent(tbl.Name))
		}
	}
	b.WriteString(" USING " + idx.Method + " (" + strings.Join(cols, ", ") + ")")
	if opts := indexOptions(idx); len(opts) > 0 {
		parts := make([]string, len(opts))
		for i, o := range opts {
			k, v, _ := strings.Cut(o, "=")
			parts[i] = k + "=" + quoteLiteral(v)
		}
		b.WriteString(" WITH (" + strings.Join(parts, ", ") + ")")
	}
	if idx.Predicate != "" {
		b.WriteString(" WHERE ")
		b.WriteString(deparseSQL(env, idx.Predicate, tbl, types.TBool, pretty))
	}
	return b.String()
}
