package pgcatalog

import (
	"fmt"
	"strconv"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// relation is one row of pg_class: a table, index or sequence of storage's
// catalog, or one of the virtual tables of this package.
type relation struct {
	oid       types.OID
	name      string
	schema    string
	namespace types.OID
	kind      byte // pg_class.relkind
	am        types.OID
	attrs     []attribute
	hasIndex  bool
	options   []string
	shared    bool

	table *storage.Table // for kind 'r' of storage
	index *storage.Index // for kind 'i'
}

// attribute is one row of pg_attribute.
type attribute struct {
	name      string
	t         types.T
	num       int16
	notNull   bool
	hasDef    bool
	dropped   bool
	collation types.OID
}

// relations returns every relation the session can see: storage's tables,
// indexes and sequences, then the virtual tables.
func relations(env planner.Env) []*relation {
	cat := env.Catalog()
	var out []*relation
	for _, t := range cat.Tables() {
		out = append(out, tableRelation(cat, t))
	}
	for _, idx := range cat.Indexes() {
		out = append(out, indexRelation(cat, idx))
	}
	for _, s := range cat.Sequences() {
		out = append(out, &relation{
			oid: s.OID, name: s.Name, schema: s.Schema, namespace: namespaceOID(cat, s.Schema), kind: 'S',
			attrs: []attribute{
				{name: "last_value", t: types.TInt8, num: 1, notNull: true},
				{name: "log_cnt", t: types.TInt8, num: 2, notNull: true},
				{name: "is_called", t: types.TBool, num: 3, notNull: true},
			},
		})
	}
	for _, vt := range Tables() {
		out = append(out, virtualRelation(cat, vt))
	}
	return out
}

// relationByOID finds one relation without building them all.
func relationByOID(env planner.Env, o types.OID) (*relation, bool) {
	cat := env.Catalog()
	if t, ok := cat.Table(o); ok {
		return tableRelation(cat, t), true
	}
	if idx, ok := cat.Index(o); ok {
		return indexRelation(cat, idx), true
	}
	if s, ok := cat.Sequence(o); ok {
		return &relation{oid: s.OID, name: s.Name, schema: s.Schema, namespace: namespaceOID(cat, s.Schema), kind: 'S'}, true
	}
	if vt, ok := LookupOID(o); ok {
		return virtualRelation(cat, vt), true
	}
	return nil, false
}

func tableRelation(cat *storage.Catalog, t *storage.Table) *relation {
	r := &relation{oid: t.OID, name: t.Name, schema: t.Schema, namespace: namespaceOID(cat, t.Schema), kind: 'r',
		am: HeapAM, table: t, hasIndex: len(cat.TableIndexes(t.OID)) > 0}
	for _, c := range t.Columns {
		a := attribute{name: c.Name, t: c.Type, num: c.Attnum, notNull: c.NotNull, dropped: c.Dropped,
			collation: typeCollation(c.Type.OID)}
		if c.Dropped {
			a.name = fmt.Sprintf("........pg.dropped.%d........", c.Attnum)
			a.t, a.notNull, a.collation = types.T{OID: 0, Mod: -1}, false, 0
		} else {
			a.hasDef = hasDefault(c)
		}
		r.attrs = append(r.attrs, a)
	}
	return r
}

func indexRelation(cat *storage.Catalog, idx *storage.Index) *relation {
	r := &relation{oid: idx.OID, name: idx.Name, schema: idx.Schema, namespace: namespaceOID(cat, idx.Schema), kind: 'i',
		am: accessMethodOID(idx.Method), index: idx, options: indexOptions(idx)}
	tbl, _ := cat.Table(idx.Table)
	exprs := 0
	for i, c := range idx.Columns {
		a := attribute{num: int16(i + 1)}
		if c.Slot >= 0 && tbl != nil && c.Slot < len(tbl.Columns) {
			col := tbl.Columns[c.Slot]
			a.name, a.t, a.collation = col.Name, col.Type, typeCollation(col.Type.OID)
		} else {
			// PostgreSQL names expression columns expr, expr1, expr2, ...
			a.name = "expr"
			if exprs > 0 {
				a.name += strconv.Itoa(exprs)
			}
			exprs++
			a.t, a.collation = types.TText, DefaultCollation
		}
		r.attrs = append(r.attrs, a)
	}
	return r
}

func virtualRelation(cat *storage.Catalog, vt *Table) *relation {
	r := &relation{oid: vt.OID, name: vt.Name, schema: vt.Schema, namespace: namespaceOID(cat, vt.Schema), kind: vt.Kind}
	if vt.Kind == 'r' {
		r.am = HeapAM
	}
	switch vt.Name {
	case "pg_database", "pg_authid", "pg_tablespace", "pg_shdescription", "pg_auth_members", "pg_shdepend":
		r.shared = true
	}
	for i, c := range vt.Columns {
		r.attrs = append(r.attrs, attribute{name: c.Name, t: c.T, num: int16(i + 1), collation: typeCollation(c.T.OID)})
	}
	return r
}

// accessMethodOID returns the pg_am OID of an index method.
func accessMethodOID(method string) types.OID {
	if method == "hnsw" {
		return HnswAM
	}
	return BtreeAM
}

// typeCollation is pg_type.typcollation: the default collation for the
// string types, C for name, none for the others.
func typeCollation(o types.OID) types.OID {
	if t, ok := builtinRows().typeByOID[o]; ok {
		return t.Collation
	}
	return 0
}

func pgClass() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_class", OID: 1259,
		Columns: []Column{
			col("oid", types.OidOID), col("relname", types.NameOID), col("relnamespace", types.OidOID),
			col("reltype", types.OidOID), col("reloftype", types.OidOID), col("relowner", types.OidOID),
			col("relam", types.OidOID), col("relfilenode", types.OidOID), col("reltablespace", types.OidOID),
			col("relpages", types.Int4OID), col("reltuples", types.Float4OID), col("relallvisible", types.Int4OID),
			col("reltoastrelid", types.OidOID), col("relhasindex", types.BoolOID), col("relisshared", types.BoolOID),
			col("relpersistence", types.CharOID), col("relkind", types.CharOID), col("relnatts", types.Int2OID),
			col("relchecks", types.Int2OID), col("relhasrules", types.BoolOID), col("relhastriggers", types.BoolOID),
			col("relhassubclass", types.BoolOID), col("relrowsecurity", types.BoolOID),
			col("relforcerowsecurity", types.BoolOID), col("relispopulated", types.BoolOID), col("relreplident", types.CharOID),
			col("relispartition", types.BoolOID), col("relrewrite", types.OidOID), col("relfrozenxid", types.XidOID),
			col("relminmxid", types.XidOID), col("relacl", types.AclitemArrayOID), col("reloptions", types.TextArrayOID),
			col("relpartbound", types.PgNodeTreeOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, r := range relations(env) {
				rows = append(rows, withAccess(env, r, classRow(r)))
			}
			return rows, nil
		},
	}
}

func classRow(r *relation) []types.Datum {
	pages, tuples, replident := int64(0), float64(-1), byte('d')
	switch r.kind {
	case 'i':
		pages, tuples, replident = 1, 0, 'n'
	case 'S':
		pages, tuples, replident = 1, 1, 'n'
	case 'v':
		tuples, replident = -1, 'n'
	}
	tablespace := types.OID(0)
	if r.shared {
		tablespace = GlobalTablespace
	}
	filenode := r.oid
	if r.kind == 'v' {
		filenode = 0
	}
	var options types.Datum
	if r.options != nil {
		options = textArray(r.options)
	}
	checks := int64(0)
	if r.table != nil {
		checks = int64(len(r.table.Checks))
	}
	return []types.Datum{
		oid(r.oid), r.name, oid(r.namespace), oid(0), oid(0), oid(BootstrapSuperuser),
		oid(r.am), oid(filenode), oid(tablespace), pages, tuples, int64(0),
		oid(0), r.hasIndex, r.shared, "p", char(r.kind), integer(len(r.attrs)),
		checks, false, false, false, false,
		false, true, char(replident), false, oid(0), int64(0),
		int64(0), nil, options, nil,
	}
}

func pgAttribute() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_attribute", OID: 1249,
		Columns: []Column{
			col("attrelid", types.OidOID), col("attname", types.NameOID), col("atttypid", types.OidOID),
			col("attstattarget", types.Int4OID), col("attlen", types.Int2OID), col("attnum", types.Int2OID),
			col("attndims", types.Int4OID), col("attcacheoff", types.Int4OID), col("atttypmod", types.Int4OID),
			col("attbyval", types.BoolOID), col("attalign", types.CharOID), col("attstorage", types.CharOID),
			col("attcompression", types.CharOID), col("attnotnull", types.BoolOID), col("atthasdef", types.BoolOID),
			col("atthasmissing", types.BoolOID), col("attidentity", types.CharOID), col("attgenerated", types.CharOID),
			col("attisdropped", types.BoolOID), col("attislocal", types.BoolOID), col("attinhcount", types.Int2OID),
			col("attcollation", types.OidOID), col("attacl", types.AclitemArrayOID), col("attoptions", types.TextArrayOID),
			col("attfdwoptions", types.TextArrayOID), col("attmissingval", types.AnyArrayOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, r := range relations(env) {
				for _, a := range r.attrs {
					rows = append(rows, attributeRow(r, a))
				}
			}
			return rows, nil
		},
	}
}

func attributeRow(r *relation, a attribute) []types.Datum {
	length, byVal, align, storage := int16(0), false, byte('i'), byte('p')
	if info, ok := types.Lookup(a.t.OID); ok {
		length, byVal, align = info.Len, info.ByValue, info.Align
	}
	if t, ok := builtinRows().typeByOID[a.t.OID]; ok && t.Storage != "" {
		storage = t.Storage[0]
	}
	ndims := 0
	if types.IsArray(a.t.OID) {
		ndims = 1
	}
	stattarget := int64(-1)
	if r.kind == 'i' || r.kind == 'S' {
		stattarget = 0
	}
	return []types.Datum{
		oid(r.oid), a.name, oid(a.t.OID), stattarget, integer(length), integer(a.num),
		integer(ndims), int64(-1), integer(a.t.Mod), byVal, char(align), char(storage),
		"", a.notNull, a.hasDef, false, "", "",
		a.dropped, true, int64(0), oid(a.collation), nil, nil,
		nil, nil,
	}
}
