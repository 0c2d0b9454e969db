package pgcatalog

import (
	"strings"

	"github.com/vecgres/vecgres/planner"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// pg_class OIDs of the catalogs that pg_depend and pg_description name.
const (
	classPgClass      types.OID = 1259
	classPgType       types.OID = 1247
	classPgProc       types.OID = 1255
	classPgNamespace  types.OID = 2615
	classPgConstraint types.OID = 2606
	classPgAttrdef    types.OID = 2604
	classPgOperator   types.OID = 2617
	classPgOpclass    types.OID = 2616
	classPgOpfamily   types.OID = 2753
	classPgAm         types.OID = 2601
	classPgExtension  types.OID = 3079
	classPgDatabase   types.OID = 1262
	classPgTablespace types.OID = 1213
)

// constraint is a pg_constraint row, derived from the index that enforces
// it.
type constraint struct {
	oid   types.OID
	index *storage.Index
	table *storage.Table
	kind  byte // 'p' or 'u'
}

// constraints returns the constraints of every table (or of one table
// when table is not 0).
func constraints(cat *storage.Catalog, table types.OID) []constraint {
	var out []constraint
	for _, idx := range cat.Indexes() {
		if (table != 0 && idx.Table != table) || !isConstraintIndex(idx) {
			continue
		}
		tbl, ok := cat.Table(idx.Table)
		if !ok {
			continue
		}
		kind := byte('u')
		if idx.Primary {
			kind = 'p'
		}
		out = append(out, constraint{oid: idx.OID + ConstraintOIDOffset, index: idx, table: tbl, kind: kind})
	}
	return out
}

// constraintByOID finds the constraint with OID o.
func constraintByOID(cat *storage.Catalog, o types.OID) (constraint, bool) {
	if o < ConstraintOIDOffset {
		return constraint{}, false
	}
	idx, ok := cat.Index(o - ConstraintOIDOffset)
	if !ok || !isConstraintIndex(idx) {
		return constraint{}, false
	}
	for _, c := range constraints(cat, idx.Table) {
		if c.oid == o {
			return c, true
		}
	}
	return constraint{}, false
}

// checkConstraint is the pg_constraint row of a CHECK constraint, which
// storage keeps in its table's descriptor.
type checkConstraint struct {
	check *storage.Check
	table *storage.Table
}

// checkConstraints returns the CHECK constraints of every table (or of
// one table when table is not 0).
func checkConstraints(cat *storage.Catalog, table types.OID) []checkConstraint {
	var out []checkConstraint
	for _, t := range cat.Tables() {
		if table != 0 && t.OID != table {
			continue
		}
		for i := range t.Checks {
			out = append(out, checkConstraint{check: &t.Checks[i], table: t})
		}
	}
	return out
}

// checkByOID finds the CHECK constraint with OID o.
func checkByOID(cat *storage.Catalog, o types.OID) (checkConstraint, bool) {
	for _, c := range checkConstraints(cat, 0) {
		if c.check.OID == o {
			return c, true
		}
	}
	return checkConstraint{}, false
}

// attnums returns the attnums of the columns the check reads.
func (c checkConstraint) attnums() []int16 {
	out := make([]int16, 0, len(c.check.Slots))
	for _, s := range c.check.Slots {
		if s < len(c.table.Columns) {
			out = append(out, c.table.Columns[s].Attnum)
		}
	}
	return out
}

// def is pg_get_constraintdef of a CHECK constraint: CHECK ((n > 0)), or
// CHECK (n > 0) in the pretty form, followed by NOT VALID until it is
// validated.
func (c checkConstraint) def(env planner.Env, pretty bool) string {
	def := "CHECK (" + deparseSQL(env, c.check.Expr, c.table, types.T{}, pretty) + ")"
	if c.check.NotValid {
		def += " NOT VALID"
	}
	return def
}

// keyAttnums returns the attnums of an index's key columns (0 for
// expressions).
func keyAttnums(tbl *storage.Table, idx *storage.Index) []int16 {
	out := make([]int16, len(idx.Columns))
	for i, c := range idx.Columns {
		if c.Slot >= 0 && c.Slot < len(tbl.Columns) {
			out[i] = tbl.Columns[c.Slot].Attnum
		}
	}
	return out
}

// constraintDef is pg_get_constraintdef: PRIMARY KEY (id), UNIQUE (a, b).
func constraintDef(c constraint) string {
	var cols []string
	for _, ic := range c.index.Columns {
		if ic.Slot >= 0 && ic.Slot < len(c.table.Columns) {
			cols = append(cols, quoteIdent(c.table.Columns[ic.Slot].Name))
		}
	}
	kind := "UNIQUE"
	if c.kind == 'p' {
		kind = "PRIMARY KEY"
	}
	return kind + " (" + strings.Join(cols, ", ") + ")"
}

func pgConstraint() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_constraint", OID: 2606,
		Columns: []Column{
			col("oid", types.OidOID), col("conname", types.NameOID), col("connamespace", types.OidOID),
			col("contype", types.CharOID), col("condeferrable", types.BoolOID), col("condeferred", types.BoolOID),
			col("convalidated", types.BoolOID), col("conrelid", types.OidOID), col("contypid", types.OidOID),
			col("conindid", types.OidOID), col("conparentid", types.OidOID), col("confrelid", types.OidOID),
			col("confupdtype", types.CharOID), col("confdeltype", types.CharOID), col("confmatchtype", types.CharOID),
			col("conislocal", types.BoolOID), col("coninhcount", types.Int2OID), col("connoinherit", types.BoolOID),
			col("conkey", types.Int2ArrayOID), col("confkey", types.Int2ArrayOID), col("conpfeqop", types.OidArrayOID),
			col("conppeqop", types.OidArrayOID), col("conffeqop", types.OidArrayOID), col("confdelsetcols", types.Int2ArrayOID),
			col("conexclop", types.OidArrayOID), col("conbin", types.PgNodeTreeOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			cat := env.Catalog()
			var rows [][]types.Datum
			for _, c := range constraints(cat, 0) {
				rows = append(rows, []types.Datum{
					oid(c.oid), c.index.Name, oid(namespaceOID(cat, c.table.Schema)),
					char(c.kind), false, false,
					true, oid(c.table.OID), oid(0),
					oid(c.index.OID), oid(0), oid(0),
					" ", " ", " ",
					true, int64(0), true,
					intArray(types.Int2OID, keyAttnums(c.table, c.index)), nil, nil,
					nil, nil, nil,
					nil, nil,
				})
			}
			for _, c := range checkConstraints(cat, 0) {
				rows = append(rows, []types.Datum{
					oid(c.check.OID), c.check.Name, oid(namespaceOID(cat, c.table.Schema)),
					char('c'), false, false,
					!c.check.NotValid, oid(c.table.OID), oid(0),
					oid(0), oid(0), oid(0),
					" ", " ", " ",
					true, int64(0), false,
					intArray(types.Int2OID, c.attnums()), nil, nil,
					nil, nil, nil,
					nil, deparseSQL(env, c.check.Expr, c.table, types.T{}, false),
				})
			}
			return rows, nil
		},
	}
}

// attrdefOID numbers pg_attrdef rows, which storage does not keep as
// objects: a block above the constraints', by table and column.
func attrdefOID(table types.OID, attnum int16) types.OID {
	return 1<<31 + (table-types.FirstUserOID)*1601 + types.OID(attnum)
}

func pgAttrdef() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_attrdef", OID: 2604,
		Columns: []Column{
			col("oid", types.OidOID), col("adrelid", types.OidOID), col("adnum", types.Int2OID),
			col("adbin", types.PgNodeTreeOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, t := range env.Catalog().Tables() {
				for _, c := range t.Columns {
					if c.Dropped {
						continue
					}
					if def, ok := columnDefault(env, t, c); ok {
						rows = append(rows, []types.Datum{oid(attrdefOID(t.OID, c.Attnum)), oid(t.OID), integer(c.Attnum), def})
					}
				}
			}
			return rows, nil
		},
	}
}

func pgDepend() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_depend", OID: 2608,
		Columns: []Column{
			col("classid", types.OidOID), col("objid", types.OidOID), col("objsubid", types.Int4OID),
			col("refclassid", types.OidOID), col("refobjid", types.OidOID), col("refobjsubid", types.Int4OID),
			col("deptype", types.CharOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			cat := env.Catalog()
			var rows [][]types.Datum
			dep := func(class, obj types.OID, ref, refObj types.OID, refSub int16, kind byte) {
				rows = append(rows, []types.Datum{oid(class), oid(obj), int64(0), oid(ref), oid(refObj), integer(refSub), char(kind)})
			}
			for _, s := range cat.Sequences() {
				if s.OwnedByTable == 0 {
					continue
				}
				if t, ok := cat.Table(s.OwnedByTable); ok && s.OwnedBySlot < len(t.Columns) {
					dep(classPgClass, s.OID, classPgClass, t.OID, t.Columns[s.OwnedBySlot].Attnum, 'a')
				}
			}
			for _, t := range cat.Tables() {
				for _, c := range t.Columns {
					if !c.Dropped && hasDefault(c) {
						dep(classPgAttrdef, attrdefOID(t.OID, c.Attnum), classPgClass, t.OID, c.Attnum, 'a')
					}
				}
			}
			for _, idx := range cat.Indexes() {
				tbl, ok := cat.Table(idx.Table)
				if !ok {
					continue
				}
				if isConstraintIndex(idx) {
					con := idx.OID + ConstraintOIDOffset
					dep(classPgClass, idx.OID, classPgConstraint, con, 0, 'i')
					for _, a := range keyAttnums(tbl, idx) {
						dep(classPgConstraint, con, classPgClass, tbl.OID, a, 'a')
					}
					continue
				}
				for _, a := range keyAttnums(tbl, idx) {
					dep(classPgClass, idx.OID, classPgClass, tbl.OID, a, 'a')
				}
			}
			// pgvector's objects belong to its extension.
			data := builtinRows()
			for _, p := range data.procs {
				if p.Namespace == PublicNamespace {
					dep(classPgProc, p.OID, classPgExtension, VectorExtension, 0, 'e')
				}
			}
			for _, t := range data.types {
				if t.Namespace == PublicNamespace && t.Elem == 0 {
					dep(classPgType, t.OID, classPgExtension, VectorExtension, 0, 'e')
				}
			}
			for _, o := range data.operators {
				if o.Namespace == PublicNamespace {
					dep(classPgOperator, o.OID, classPgExtension, VectorExtension, 0, 'e')
				}
			}
			for _, f := range data.families {
				if f.Namespace == PublicNamespace {
					dep(classPgOpfamily, f.OID, classPgExtension, VectorExtension, 0, 'e')
				}
			}
			for _, c := range data.classes {
				if c.Namespace == PublicNamespace {
					dep(classPgOpclass, c.OID, classPgExtension, VectorExtension, 0, 'e')
				}
			}
			dep(classPgAm, HnswAM, classPgExtension, VectorExtension, 0, 'e')
			return rows, nil
		},
	}
}

func pgSequence() *Table {
	return &Table{
		Schema: "pg_catalog", Name: "pg_sequence", OID: 2224,
		Columns: []Column{
			col("seqrelid", types.OidOID), col("seqtypid", types.OidOID), col("seqstart", types.Int8OID),
			col("seqincrement", types.Int8OID), col("seqmax", types.Int8OID), col("seqmin", types.Int8OID),
			col("seqcache", types.Int8OID), col("seqcycle", types.BoolOID),
		},
		Rows: func(env planner.Env) ([][]types.Datum, error) {
			var rows [][]types.Datum
			for _, s := range env.Catalog().Sequences() {
				rows = append(rows, []types.Datum{oid(s.OID), oid(s.Type.OID), s.Start, s.Increment, s.Max, s.Min, sequenceCache(s), s.Cycle})
			}
			return rows, nil
		},
	}
}

// SequenceStater reads a sequence's position: its last value and whether
// nextval has returned it. The session's Env implements it.
type SequenceStater interface {
	SequenceState(seq types.OID) (last int64, isCalled bool, err error)
}

// sequenceCache is a sequence's CACHE setting (1 when never set).
func sequenceCache(s *storage.Sequence) int64 {
	if s.Cache <= 0 {
		return 1
	}
	return s.Cache
}
