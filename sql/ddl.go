package sql

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/vecgres/vecgres/index/hnsw"
	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
	"github.com/vecgres/vecgres/storage"
)

// maxColumns is PostgreSQL's MaxHeapAttributeNumber.
const maxColumns = 1600

// serialTypes maps the serial pseudo-types to their integer type.
var serialTypes = map[string]types.T{
	"smallserial": types.TInt2, "serial2": types.TInt2,
	"serial": types.TInt4, "serial4": types.TInt4,
	"bigserial": types.TInt8, "serial8": types.TInt8,
}

// indexSpec is a UNIQUE or PRIMARY KEY constraint to create with a table.
type indexSpec struct {
	name    string
	columns []string
	primary bool
	loc     int32
}

// createTable runs CREATE TABLE.
func (s *Session) createTable(ctx context.Context, b *binder, cs *pg_query.CreateStmt) error {
	rv := cs.Relation
	if rv.Relpersistence == "t" {
		return b.unsupported(rv.Location, "CREATE TEMPORARY TABLE")
	}
	if len(cs.InhRelations) > 0 || cs.Partspec != nil || cs.OfTypename != nil {
		return b.unsupported(rv.Location, "table inheritance and partitioning")
	}
	schema, err := s.schemaToCreateIn(b, rv)
	if err != nil {
		return err
	}
	cat := s.txn.Catalog()
	if _, _, exists := cat.RelationOID(schema, rv.Relname); exists {
		if cs.IfNotExists {
			s.notice(pgerr.DuplicateTable, "relation \"%s\" already exists, skipping", rv.Relname)
			return nil
		}
		return b.errAt(rv.Location, pgerr.DuplicateTable, "relation \"%s\" already exists", rv.Relname)
	}
	tbl := &storage.Table{Schema: schema, Name: rv.Relname, Owner: s.currentRoleOID()}
	var specs []indexSpec
	var checks []checkSpec
	var serials []int
	for _, elt := range cs.TableElts {
		switch x := elt.Node.(type) {
		case *pg_query.Node_ColumnDef:
			col, serial, colSpecs, colChecks, err := s.columnDef(b, tbl, x.ColumnDef)
			if err != nil {
				return err
			}
			if tbl.ColumnIndex(col.Name) >= 0 {
				return b.errAt(x.ColumnDef.Location, pgerr.DuplicateColumn, "column \"%s\" specified more than once", col.Name)
			}
			col.Attnum = int16(len(tbl.Columns) + 1)
			tbl.Columns = append(tbl.Columns, col)
			if serial {
				serials = append(serials, len(tbl.Columns)-1)
			}
			specs = append(specs, colSpecs...)
			checks = append(checks, colChecks...)
		case *pg_query.Node_Constraint:
			if x.Constraint.Contype == pg_query.ConstrType_CONSTR_CHECK {
				checks = append(checks, newCheckSpec(x.Constraint))
				continue
			}
			spec, err := tableConstraint(b, x.Constraint)
			if err != nil {
				return err
			}
			specs = append(specs, spec)
		default:
			return b.unsupported(location(elt), "this table element")
		}
	}
	if len(tbl.Columns) > maxColumns {
		return b.errAt(rv.Location, pgerr.TooManyColumns, "tables can have at most %d columns", maxColumns)
	}
	// Primary key columns are NOT NULL.
	primaries := 0
	for _, sp := range specs {
		if !sp.primary {
			continue
		}
		primaries++
		if primaries > 1 {
			return b.errAt(sp.loc, pgerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", tbl.Name)
		}
		for _, c := range sp.columns {
			i := tbl.ColumnIndex(c)
			if i < 0 {
				return b.errAt(sp.loc, pgerr.UndefinedColumn, "column \"%s\" named in key does not exist", c)
			}
			tbl.Columns[i].NotNull = true
		}
	}
	// Sequences of serial columns.
	taken := map[string]bool{}
	var seqs []*storage.Sequence
	for _, slot := range serials {
		col := &tbl.Columns[slot]
		seqName := chooseName(cat, schema, taken, tbl.Name, col.Name, "seq")
		max := int64(math.MaxInt32)
		switch col.Type.OID {
		case types.Int2OID:
			max = math.MaxInt16
		case types.Int8OID:
			max = math.MaxInt64
		}
		seqs = append(seqs, &storage.Sequence{Schema: schema, Name: seqName, Type: col.Type, Start: 1, Increment: 1,
			Min: 1, Max: max, OwnedBySlot: slot})
		// The default names the sequence with its schema, so that it
		// binds whatever the search path; the catalog prints it without
		// the schema when the path would find it, as PostgreSQL does.
		col.Default = fmt.Sprintf("nextval('%s.%s'::regclass)", quoteLiteralName(schema), quoteLiteralName(seqName))
		col.NotNull = true
	}
	for _, seq := range seqs {
		if err := s.txn.CreateSequence(ctx, seq); err != nil {
			return err
		}
	}
	// Check defaults bind against the new table's column types.
	if err := s.txn.CreateTable(ctx, tbl); err != nil {
		return err
	}
	for _, seq := range seqs {
		owned := *seq
		owned.OwnedByTable = tbl.OID
		if err := s.txn.AlterSequence(ctx, &owned); err != nil {
			return err
		}
	}
	db := newBinder(s.txn.Catalog(), s.e.reg, b.query, nil, s.searchPath())
	for i := range tbl.Columns {
		if _, err := db.columnDefault(tbl, i); err != nil {
			return err
		}
	}
	for _, sp := range specs {
		if err := s.createConstraintIndex(ctx, b, tbl, sp, taken); err != nil {
			return err
		}
	}
	cur, _ := s.txn.Catalog().Table(tbl.OID)
	return s.addChecks(ctx, b, cur, checks, false)
}

// columnDef turns a column definition into a Column, with the UNIQUE,
// PRIMARY KEY and CHECK constraints written on it.
func (s *Session) columnDef(b *binder, tbl *storage.Table, cd *pg_query.ColumnDef) (storage.Column, bool, []indexSpec, []checkSpec, error) {
	col := storage.Column{Name: cd.Colname}
	serial := false
	names := stringsOf(cd.TypeName.Names)
	if t, ok := serialTypes[names[len(names)-1]]; ok && len(names) == 1 && len(cd.TypeName.ArrayBounds) == 0 {
		col.Type, serial = t, true
	} else {
		t, err := b.resolveTypeName(cd.TypeName)
		if err != nil {
			return col, false, nil, nil, err
		}
		col.Type = t
	}
	if col.Type.OID == types.UnknownOID || col.Type.OID == types.VoidOID || col.Type.OID == types.RecordOID {
		return col, false, nil, nil, b.errAt(cd.TypeName.Location, pgerr.WrongObjectType, "column \"%s\" has pseudo-type %s", col.Name, col.Type)
	}
	if cd.IsNotNull {
		col.NotNull = true
	}
	if cd.CollClause != nil {
		coll := strings.Join(stringsOf(cd.CollClause.Collname), ".")
		if coll != "C" && coll != "default" && coll != "POSIX" && coll != "pg_catalog.default" && coll != "pg_catalog.C" {
			return col, false, nil, nil, b.errAt(cd.CollClause.Location, pgerr.UndefinedObject, "collation \"%s\" for encoding \"UTF8\" does not exist", coll)
		}
	}
	var specs []indexSpec
	var checks []checkSpec
	for _, cn := range cd.Constraints {
		c := cn.GetConstraint()
		switch c.Contype {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			col.NotNull = true
		case pg_query.ConstrType_CONSTR_NULL:
			col.NotNull = false
		case pg_query.ConstrType_CONSTR_DEFAULT:
			if serial {
				return col, false, nil, nil, b.errAt(c.Location, pgerr.SyntaxError,
					"multiple default values specified for column \"%s\" of table \"%s\"", col.Name, tbl.Name)
			}
			text, err := deparseExpr(c.RawExpr, b.pgVersion)
			if err != nil {
				return col, false, nil, nil, err
			}
			col.Default = text
		case pg_query.ConstrType_CONSTR_PRIMARY:
			specs = append(specs, indexSpec{name: c.Conname, columns: []string{col.Name}, primary: true, loc: c.Location})
		case pg_query.ConstrType_CONSTR_UNIQUE:
			specs = append(specs, indexSpec{name: c.Conname, columns: []string{col.Name}, loc: c.Location})
		case pg_query.ConstrType_CONSTR_CHECK:
			checks = append(checks, newCheckSpec(c))
		case pg_query.ConstrType_CONSTR_FOREIGN:
			return col, false, nil, nil, b.unsupported(c.Location, "FOREIGN KEY constraints")
		case pg_query.ConstrType_CONSTR_IDENTITY, pg_query.ConstrType_CONSTR_GENERATED:
			return col, false, nil, nil, b.unsupported(c.Location, "identity and generated columns")
		default:
			return col, false, nil, nil, b.unsupported(c.Location, "this column constraint")
		}
	}
	return col, serial, specs, checks, nil
}

func tableConstraint(b *binder, c *pg_query.Constraint) (indexSpec, error) {
	switch c.Contype {
	case pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_UNIQUE:
		return indexSpec{name: c.Conname, columns: stringsOf(c.Keys), primary: c.Contype == pg_query.ConstrType_CONSTR_PRIMARY, loc: c.Location}, nil
	case pg_query.ConstrType_CONSTR_FOREIGN:
		return indexSpec{}, b.unsupported(c.Location, "FOREIGN KEY constraints")
	}
	return indexSpec{}, b.unsupported(c.Location, "this table constraint")
}

// createConstraintIndex makes the unique index behind a PRIMARY KEY or
// UNIQUE constraint, named as PostgreSQL names it.
func (s *Session) createConstraintIndex(ctx context.Context, b *binder, tbl *storage.Table, sp indexSpec, taken map[string]bool) error {
	cat := s.txn.Catalog()
	name := sp.name
	if name == "" {
		// The name must be free among the schema's relations and, as
		// PostgreSQL's ChooseRelationName for a constraint, among its
		// CHECK constraints too.
		for name == "" || constraintNameTaken(cat, tbl.Schema, name) {
			if sp.primary {
				name = chooseName(cat, tbl.Schema, taken, tbl.Name, "", "pkey")
			} else {
				name = chooseName(cat, tbl.Schema, taken, tbl.Name, strings.Join(sp.columns, "_"), "key")
			}
		}
	} else if _, _, exists := cat.RelationOID(tbl.Schema, name); exists {
		return b.errAt(sp.loc, pgerr.DuplicateTable, "relation \"%s\" already exists", name)
	} else if slices.ContainsFunc(tbl.Checks, func(c storage.Check) bool { return c.Name == name }) {
		return pgerr.New(pgerr.DuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, tbl.Name)
	}
	taken[name] = true
	idx := &storage.Index{Schema: tbl.Schema, Name: name, Table: tbl.OID, Method: "btree", Unique: true, Primary: sp.primary,
		Constraint: true}
	for _, c := range sp.columns {
		slot := tbl.ColumnIndex(c)
		if slot < 0 {
			return b.errAt(sp.loc, pgerr.UndefinedColumn, "column \"%s\" named in key does not exist", c)
		}
		idx.Columns = append(idx.Columns, storage.IndexColumn{Slot: slot})
	}
	if err := s.txn.CreateIndex(ctx, idx); err != nil {
		return err
	}
	if sp.primary {
		cur, _ := s.txn.Catalog().Table(tbl.OID)
		withPK := *cur
		withPK.PrimaryKey = name
		return s.txn.AlterTable(ctx, &withPK)
	}
	return nil
}

// chooseName picks a relation name as PostgreSQL's ChooseRelationName:
// table_column_suffix, truncated to fit 63 bytes, with a number appended
// until it is free.
func chooseName(cat *storage.Catalog, schema string, taken map[string]bool, table, column, suffix string) string {
	for n := 0; ; n++ {
		sfx := suffix
		if n > 0 {
			sfx = fmt.Sprintf("%s%d", suffix, n)
		}
		parts := []string{table}
		if column != "" {
			parts = append(parts, column)
		}
		name := truncateName(parts, sfx)
		if _, _, exists := cat.RelationOID(schema, name); !exists && !taken[name] {
			taken[name] = true
			return name
		}
	}
}

// truncateName joins parts and suffix with underscores, shortening the
// longer of the first two parts until the whole fits in 63 bytes.
func truncateName(parts []string, suffix string) string {
	const maxLen = 63
	p := append([]string(nil), parts...)
	total := func() int {
		n := len(suffix) + len(p)
		for _, s := range p {
			n += len(s)
		}
		return n
	}
	for total() > maxLen {
		longest := 0
		for i := range p {
			if len(p[i]) > len(p[longest]) {
				longest = i
			}
		}
		p[longest] = p[longest][:len(p[longest])-1]
	}
	return strings.Join(append(p, suffix), "_")
}

// quoteLiteralName renders a relation name inside a regclass literal,
// quoting it when it needs quotes as an identifier.
func quoteLiteralName(name string) string {
	if needsQuotes(name) {
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	return name
}

func needsQuotes(name string) bool {
	if name == "" {
		return true
	}
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c == '_' || (i > 0 && (c >= '0' && c <= '9' || c == '$'))) {
			return true
		}
	}
	return false
}

// deparseExpr renders an expression back to SQL text, for storing
// defaults.
func deparseExpr(n *pg_query.Node, version int32) (string, error) {
	stmt := &pg_query.SelectStmt{TargetList: []*pg_query.Node{
		{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: n}}},
	}}
	tree := &pg_query.ParseResult{Version: version, Stmts: []*pg_query.RawStmt{{Stmt: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: stmt}}}}}
	out, err := pg_query.Deparse(tree)
	if err != nil {
		return "", pgerr.New(pgerr.InternalError, "cannot deparse expression: %s", err.Error())
	}
	return strings.TrimPrefix(out, "SELECT "), nil
}

// dropTag returns DROP's command tag.
func dropTag(ds *pg_query.DropStmt) (string, error) {
	switch ds.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE:
		return "DROP TABLE", nil
	case pg_query.ObjectType_OBJECT_INDEX:
		return "DROP INDEX", nil
	case pg_query.ObjectType_OBJECT_SEQUENCE:
		return "DROP SEQUENCE", nil
	case pg_query.ObjectType_OBJECT_SCHEMA:
		return "DROP SCHEMA", nil
	case pg_query.ObjectType_OBJECT_EXTENSION:
		return "DROP EXTENSION", nil
	}
	return "", pgerr.New(pgerr.FeatureNotSupported, "this kind of DROP is not supported by vecgres yet")
}

// drop runs DROP TABLE / INDEX / SEQUENCE / SCHEMA / EXTENSION.
func (s *Session) drop(ctx context.Context, b *binder, ds *pg_query.DropStmt) error {
	kindName := map[pg_query.ObjectType]string{
		pg_query.ObjectType_OBJECT_TABLE: "table", pg_query.ObjectType_OBJECT_INDEX: "index",
		pg_query.ObjectType_OBJECT_SEQUENCE: "sequence", pg_query.ObjectType_OBJECT_SCHEMA: "schema",
		pg_query.ObjectType_OBJECT_EXTENSION: "extension",
	}[ds.RemoveType]
	for _, obj := range ds.Objects {
		var names []string
		if l := obj.GetList(); l != nil {
			names = stringsOf(l.Items)
		} else if str := obj.GetString_(); str != nil {
			names = []string{str.Sval}
		}
		if len(names) == 0 || len(names) > 2 {
			return b.errAt(-1, pgerr.SyntaxError, "improper qualified name")
		}
		switch ds.RemoveType {
		case pg_query.ObjectType_OBJECT_SCHEMA:
			if err := s.dropSchema(ctx, names[0], ds); err != nil {
				return err
			}
			continue
		case pg_query.ObjectType_OBJECT_EXTENSION:
			if names[0] != "vector" && !ds.MissingOk {
				return pgerr.New(pgerr.UndefinedObject, "extension \"%s\" does not exist", names[0])
			}
			if names[0] == "vector" {
				return pgerr.New(pgerr.FeatureNotSupported, "extension \"vector\" is built into vecgres and cannot be dropped")
			}
			s.notice(pgerr.SuccessfulCompletion, "extension \"%s\" does not exist, skipping", names[0])
			continue
		}
		schema, name := "", names[len(names)-1]
		if len(names) == 2 {
			schema = names[0]
		}
		if err := s.dropRelation(ctx, ds, kindName, schema, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) dropRelation(ctx context.Context, ds *pg_query.DropStmt, kindName, schema, name string) error {
	cat := s.txn.Catalog()
	schemas := s.searchPath()
	if schema != "" {
		schemas = []string{schema}
	}
	var oid types.OID
	var kind storage.RelKind
	found := false
	for _, sc := range schemas {
		if oid, kind, found = cat.RelationOID(sc, name); found {
			break
		}
	}
	want := map[string]storage.RelKind{"table": storage.KindTable, "index": storage.KindIndex, "sequence": storage.KindSequence}[kindName]
	if !found {
		if ds.MissingOk {
			s.notice(pgerr.SuccessfulCompletion, "%s \"%s\" does not exist, skipping", kindName, name)
			return nil
		}
		return pgerr.New(pgerr.UndefinedTable, "%s \"%s\" does not exist", kindName, name)
	}
	if kind != want {
		hint := map[storage.RelKind]string{storage.KindTable: "DROP TABLE", storage.KindIndex: "DROP INDEX", storage.KindSequence: "DROP SEQUENCE"}[kind]
		return pgerr.New(pgerr.WrongObjectType, "\"%s\" is not a%s %s", name, article(kindName), kindName).
			WithHint("Use %s to remove a%s %s.", hint, article(kindWord(kind)), kindWord(kind))
	}
	if err := s.checkRelationOwner(cat, oid); err != nil {
		return err
	}
	switch kind {
	case storage.KindTable:
		for _, idx := range cat.TableIndexes(oid) {
			if idx.Method == "hnsw" {
				s.indexes().dropped[idx.OID] = true
			}
		}
		s.indexes().schemaChanged(oid)
		return s.txn.DropTable(ctx, oid)
	case storage.KindIndex:
		idx, _ := cat.Index(oid)
		if idx.Method == "hnsw" {
			s.indexes().dropped[oid] = true
		}
		if idx.Primary || idx.Unique && isConstraintIndex(cat, idx) {
			t, _ := cat.Table(idx.Table)
			return pgerr.New(pgerr.DependentObjectsStillExist,
				"cannot drop index %s because constraint %s on table %s requires it", name, name, t.Name).
				WithHint("You can drop constraint %s on table %s instead.", name, t.Name)
		}
		return s.txn.DropIndex(ctx, oid)
	default:
		return s.dropSequence(ctx, cat, oid, name, ds.Behavior == pg_query.DropBehavior_DROP_CASCADE)
	}
}

// isConstraintIndex reports whether a unique index was made by a UNIQUE
// constraint rather than CREATE UNIQUE INDEX. Descriptors written before
// Index.Constraint existed are recognised by the *_key name CREATE TABLE
// gives such indexes.
func isConstraintIndex(cat *storage.Catalog, idx *storage.Index) bool {
	return idx.Constraint || idx.Primary || strings.HasSuffix(idx.Name, "_key")
}

func kindWord(k storage.RelKind) string {
	switch k {
	case storage.KindIndex:
		return "index"
	case storage.KindSequence:
		return "sequence"
	}
	return "table"
}

func article(word string) string {
	if strings.IndexByte("aeiou", word[0]) >= 0 {
		return "n"
	}
	return ""
}

func (s *Session) dropSchema(ctx context.Context, name string, ds *pg_query.DropStmt) error {
	if _, ok := s.txn.Catalog().Schema(name); !ok {
		if ds.MissingOk {
			s.notice(pgerr.SuccessfulCompletion, "schema \"%s\" does not exist, skipping", name)
			return nil
		}
		return pgerr.New(pgerr.InvalidSchemaName, "schema \"%s\" does not exist", name)
	}
	if ds.Behavior == pg_query.DropBehavior_DROP_CASCADE {
		cat := s.txn.Catalog()
		for _, t := range cat.Tables() {
			if t.Schema == name {
				for _, idx := range cat.TableIndexes(t.OID) {
					if idx.Method == "hnsw" {
						s.indexes().dropped[idx.OID] = true
					}
				}
				if err := s.txn.DropTable(ctx, t.OID); err != nil {
					return err
				}
			}
		}
		for _, seq := range s.txn.Catalog().Sequences() {
			if seq.Schema == name {
				if err := s.txn.DropSequence(ctx, seq.OID); err != nil {
					return err
				}
			}
		}
	}
	return s.txn.DropSchema(ctx, name)
}

// createSchema runs CREATE SCHEMA.
func (s *Session) createSchema(ctx context.Context, cs *pg_query.CreateSchemaStmt) error {
	if len(cs.SchemaElts) > 0 {
		return pgerr.New(pgerr.FeatureNotSupported, "CREATE SCHEMA with elements is not supported by vecgres yet")
	}
	name := cs.Schemaname
	if name == "" && cs.Authrole != nil {
		name = cs.Authrole.Rolename
	}
	if _, ok := s.txn.Catalog().Schema(name); ok {
		if cs.IfNotExists {
			s.notice(pgerr.DuplicateSchema, "schema \"%s\" already exists, skipping", name)
			return nil
		}
		return pgerr.New(pgerr.DuplicateSchema, "schema \"%s\" already exists", name)
	}
	if strings.HasPrefix(name, "pg_") {
		return pgerr.New(pgerr.ReservedName, "unacceptable schema name \"%s\"", name).
			WithDetail("The prefix \"pg_\" is reserved for system schemas.")
	}
	return s.txn.CreateSchema(ctx, &storage.Schema{Name: name})
}

// createIndex runs CREATE [UNIQUE] INDEX.
func (s *Session) createIndex(ctx context.Context, b *binder, is *pg_query.IndexStmt) error {
	t, err := b.resolveTable(is.Relation)
	if err != nil {
		return err
	}
	if err := b.checkOwner(t); err != nil {
		return err
	}
	method := strings.ToLower(is.AccessMethod)
	if method == "" {
		method = "btree"
	}
	switch method {
	case "btree":
	case "hnsw":
		return s.createHNSWIndex(ctx, b, is, t)
	case "ivfflat", "hash", "gist", "gin", "brin", "spgist":
		return b.errAt(is.Relation.Location, pgerr.FeatureNotSupported, "index method \"%s\" is not supported by vecgres", method).
			WithHint("vecgres has btree and hnsw indexes.")
	default:
		return b.errAt(is.Relation.Location, pgerr.UndefinedObject, "access method \"%s\" does not exist", method)
	}
	if len(is.Options) > 0 {
		return b.errAt(-1, pgerr.InvalidParameterValue, "unrecognized parameter \"%s\"", is.Options[0].GetDefElem().GetDefname())
	}
	cat := s.txn.Catalog()
	name := is.Idxname
	var cols []storage.IndexColumn
	var colNames []string
	var exprSlots []int
	for _, p := range is.IndexParams {
		el := p.GetIndexElem()
		key, err := s.indexKey(b, t, el)
		if err != nil {
			return err
		}
		c := key.col
		c.Desc = el.Ordering == pg_query.SortByDir_SORTBY_DESC
		c.NullsFirst = el.NullsOrdering == pg_query.SortByNulls_SORTBY_NULLS_FIRST ||
			(el.Ordering == pg_query.SortByDir_SORTBY_DESC && el.NullsOrdering != pg_query.SortByNulls_SORTBY_NULLS_LAST)
		cols = append(cols, c)
		colNames = append(colNames, key.name)
		exprSlots = append(exprSlots, key.slots...)
	}
	var predicate string
	if is.WhereClause != nil {
		text, slots, err := s.indexPredicate(b, t, is.WhereClause)
		if err != nil {
			return err
		}
		predicate = text
		exprSlots = append(exprSlots, slots...)
	}
	if name == "" {
		name = chooseName(cat, t.Schema, map[string]bool{}, t.Name, strings.Join(colNames, "_"), "idx")
	} else if _, _, exists := cat.RelationOID(t.Schema, name); exists {
		if is.IfNotExists {
			s.notice(pgerr.DuplicateTable, "relation \"%s\" already exists, skipping", name)
			return nil
		}
		return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	idx := &storage.Index{Schema: t.Schema, Name: name, Table: t.OID, Method: method, Columns: cols, Unique: is.Unique,
		Predicate: predicate, ExprSlots: uniqueSlots(exprSlots)}
	return s.txn.CreateIndex(ctx, idx)
}

// createHNSWIndex runs CREATE INDEX ... USING hnsw (col opclass) WITH (m,
// ef_construction): it checks the definition as pgvector does, builds the
// graph from the table's rows on every core, persists it in the
// transaction, and publishes it when the transaction commits.
func (s *Session) createHNSWIndex(ctx context.Context, b *binder, is *pg_query.IndexStmt, t *storage.Table) error {
	if is.Unique {
		return b.errAt(-1, pgerr.FeatureNotSupported, "access method \"hnsw\" does not support unique indexes")
	}
	if len(is.IndexParams) != 1 {
		return b.errAt(-1, pgerr.FeatureNotSupported, "access method \"hnsw\" does not support multicolumn indexes")
	}
	el := is.IndexParams[0].GetIndexElem()
	key, err := s.indexKey(b, t, el)
	if err != nil {
		return err
	}
	var predicate string
	exprSlots := key.slots
	if is.WhereClause != nil {
		text, slots, err := s.indexPredicate(b, t, is.WhereClause)
		if err != nil {
			return err
		}
		predicate = text
		exprSlots = append(exprSlots, slots...)
	}
	// What the index holds: a column, or an expression's value.
	col := storage.Column{Name: key.name, Type: key.t}
	opclass := strings.Join(stringsOf(el.Opclass), ".")
	opclass = strings.TrimPrefix(strings.TrimPrefix(opclass, "public."), "pg_catalog.")
	if err := checkHNSWOpclass(col, opclass); err != nil {
		return err
	}
	if col.Type.Mod < 0 {
		return pgerr.New(pgerr.InvalidParameterValue, "column does not have dimensions")
	}
	if el.Ordering != pg_query.SortByDir_SORTBY_DEFAULT || el.NullsOrdering != pg_query.SortByNulls_SORTBY_NULLS_DEFAULT {
		return pgerr.New(pgerr.FeatureNotSupported, "access method \"hnsw\" does not support ASC/DESC options")
	}
	options := map[string]string{}
	var probe hnsw.Config
	for _, o := range is.Options {
		d := o.GetDefElem()
		value := defElemString(d)
		if err := probe.SetOption(d.Defname, value); err != nil {
			return err
		}
		options[d.Defname] = value
	}
	cat := s.txn.Catalog()
	name := is.Idxname
	if name == "" {
		name = chooseName(cat, t.Schema, map[string]bool{}, t.Name, key.name, "idx")
	} else if _, _, exists := cat.RelationOID(t.Schema, name); exists {
		if is.IfNotExists {
			s.notice(pgerr.DuplicateTable, "relation \"%s\" already exists, skipping", name)
			return nil
		}
		return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	keyCol := key.col
	keyCol.Opclass = opclass
	idx := &storage.Index{Schema: t.Schema, Name: name, Table: t.OID, Method: "hnsw",
		Columns: []storage.IndexColumn{keyCol}, Options: options, Predicate: predicate, ExprSlots: uniqueSlots(exprSlots)}
	if len(options) == 0 {
		idx.Options = nil
	}
	if err := s.txn.CreateIndex(ctx, idx); err != nil {
		return err
	}
	cfg, err := graphConfig(t, idx)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	progress := &hnswBuildProgress{log: s.e.log, name: name, start: time.Now()}
	build := &indexBuild{pid: s.pid, table: t.OID, index: idx.OID}
	s.e.builds.Store(idx.OID, build)
	defer s.e.builds.Delete(idx.OID)
	budget := s.hnswBuildBudget(name, cfg)
	if err := budget.checkRows(s.txn.RowCount(t)); err != nil {
		return err
	}
	g, err := hnsw.BuildValues(ctx, cfg, func(yield func(id uint64, v hnsw.Value) error) error {
		return s.scanHNSWValues(t, idx, chargeValues(budget, yield))
	}, hnsw.BuildOptions{Rows: int(s.txn.RowCount(t)), Progress: func(done, total int) {
		build.done.Store(int64(done))
		build.total.Store(int64(total))
		progress.report(done, total)
	}})
	if err != nil {
		return err
	}
	if n := budget.passedNotice(); n != nil {
		s.notices = append(s.notices, n)
	}
	if err := g.WriteAll(rawStore{txn: s.txn, index: idx.OID}); err != nil {
		return err
	}
	s.e.log.Info().Str("index", name).Int("rows", g.Len()).Dur("took", time.Since(progress.start)).Msg("hnsw index built")
	s.indexes().created[idx.OID] = g
	return nil
}

// schemaToCreateIn returns the schema a CREATE of rv makes its object in:
// rv's own, which must exist, or the first of the search path that does.
func (s *Session) schemaToCreateIn(b *binder, rv *pg_query.RangeVar) (string, error) {
	if rv.Schemaname == "" {
		return s.creationSchema()
	}
	if _, ok := s.txn.Catalog().Schema(rv.Schemaname); !ok {
		return "", b.errAt(rv.Location, pgerr.InvalidSchemaName, "schema \"%s\" does not exist", rv.Schemaname)
	}
	return rv.Schemaname, nil
}
