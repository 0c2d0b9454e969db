package storage

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/vecgres/vecgres/sql/pgerr"
	"github.com/vecgres/vecgres/sql/types"
)

// Schema changes. Each takes the writer lock, changes the transaction's
// copy of the catalog (published at commit) and writes the descriptor
// (JSON, under the object's OID) and any data changes into the batch.
// Descriptors are copied when stored: the caller may keep and reuse its
// values. An OID of zero is replaced by a newly allocated one, written back
// into the caller's value.

// dependentObjectsStillExist is SQLSTATE 2BP01.
const dependentObjectsStillExist pgerr.Code = "2BP01"

func (t *Txn) mutableCatalog() *Catalog {
	switch {
	case t.cat == nil:
		t.cat = t.db.Catalog().Clone()
	case t.catShared:
		t.cat = t.cat.Clone()
		t.catShared = false
	}
	return t.cat
}

func (t *Txn) putDescriptor(oid types.OID, d descriptor) error {
	v, err := json.Marshal(d)
	if err != nil {
		return pgerr.New(pgerr.InternalError, "storage: encode descriptor: %v", err)
	}
	if err := t.batch.Set(catalogKey(oid), v, nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

func (t *Txn) deleteDescriptor(oid types.OID) error {
	if err := t.batch.Delete(catalogKey(oid), nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

// deletePrefix deletes every key that starts with p.
func (t *Txn) deletePrefix(p []byte) error {
	if err := t.batch.DeleteRange(p, prefixEnd(p), nil); err != nil {
		return ioError("write", err)
	}
	return nil
}

func (t *Txn) ensureOID(ctx context.Context, oid *types.OID) error {
	if *oid != 0 {
		return nil
	}
	n, err := t.AllocOID(ctx)
	if err != nil {
		return err
	}
	*oid = n
	return nil
}

// checkNewRelation verifies that schema exists and that name is free in it.
func checkNewRelation(c *Catalog, schema, name string) error {
	if _, ok := c.Schema(schema); !ok {
		return pgerr.New(pgerr.InvalidSchemaName, "schema \"%s\" does not exist", schema)
	}
	if _, _, ok := c.RelationOID(schema, name); ok {
		return pgerr.New(pgerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	return nil
}

// CreateSchema creates a schema (42P06 if the name is taken).
func (t *Txn) CreateSchema(ctx context.Context, s *Schema) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	if _, ok := c.Schema(s.Name); ok {
		return pgerr.New(pgerr.DuplicateSchema, "schema \"%s\" already exists", s.Name)
	}
	if err := t.ensureOID(ctx, &s.OID); err != nil {
		return err
	}
	cp := *s
	if err := t.putDescriptor(cp.OID, descriptor{Schema: &cp}); err != nil {
		return err
	}
	c.putSchema(&cp)
	return nil
}

// DropSchema drops an empty schema (3F000 if it does not exist, 2BP01 if
// it still holds relations: CASCADE drops them first).
func (t *Txn) DropSchema(ctx context.Context, name string) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	s, ok := c.Schema(name)
	if !ok {
		return pgerr.New(pgerr.InvalidSchemaName, "schema \"%s\" does not exist", name)
	}
	if name == "pg_catalog" || name == "information_schema" {
		return pgerr.New(dependentObjectsStillExist, "cannot drop schema %s because it is required by the database system", name)
	}
	for _, tbl := range c.Tables() {
		if tbl.Schema == name {
			return errSchemaInUse(name, "table", tbl.Name)
		}
	}
	for _, seq := range c.Sequences() {
		if seq.Schema == name {
			return errSchemaInUse(name, "sequence", seq.Name)
		}
	}
	for _, idx := range c.Indexes() {
		if idx.Schema == name {
			return errSchemaInUse(name, "index", idx.Name)
		}
	}
	if err := t.deleteDescriptor(s.OID); err != nil {
		return err
	}
	c.deleteSchema(name)
	return nil
}

func errSchemaInUse(schema, kind, name string) error {
	return pgerr.New(dependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", schema).
		WithDetail("%s %s.%s depends on schema %s", kind, schema, name, schema).
		WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
}

func copyTable(tbl *Table) *Table {
	cp := *tbl
	cp.Columns = slices.Clone(tbl.Columns)
	cp.Checks = slices.Clone(tbl.Checks)
	return &cp
}

func copyIndex(idx *Index) *Index {
	cp := *idx
	cp.Columns = slices.Clone(idx.Columns)
	cp.Options = maps.Clone(idx.Options)
	cp.ExprSlots = slices.Clone(idx.ExprSlots)
	return &cp
}

// CreateTable creates a table (3F000 for a missing schema, 42P07 if the
// name is taken). Its indexes, including the primary key, are created
// separately with CreateIndex.
func (t *Txn) CreateTable(ctx context.Context, tbl *Table) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	if err := checkNewRelation(c, tbl.Schema, tbl.Name); err != nil {
		return err
	}
	if err := t.ensureOID(ctx, &tbl.OID); err != nil {
		return err
	}
	cp := copyTable(tbl)
	if err := t.putDescriptor(cp.OID, descriptor{Table: cp}); err != nil {
		return err
	}
	c.putTable(cp)
	return nil
}

// AlterTable replaces the descriptor of an existing table (same OID):
// renames, added or dropped columns, defaults. Rows are not rewritten:
// slots added at the end read as NULL in older rows, so new columns must
// be appended, and a dropped column keeps its slot (Column.Dropped).
func (t *Txn) AlterTable(ctx context.Context, tbl *Table) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	old, ok := c.Table(tbl.OID)
	if !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", tbl.OID)
	}
	if len(tbl.Columns) < len(old.Columns) {
		return pgerr.New(pgerr.InternalError, "storage: ALTER TABLE %s would remove column slots", old.Name)
	}
	if old.Schema != tbl.Schema || old.Name != tbl.Name {
		if err := checkNewRelation(c, tbl.Schema, tbl.Name); err != nil {
			return err
		}
	}
	cp := copyTable(tbl)
	if err := t.putDescriptor(cp.OID, descriptor{Table: cp}); err != nil {
		return err
	}
	c.putTable(cp)
	return nil
}

// DropTable drops a table with its rows, its indexes (and their data) and
// the sequences it owns.
func (t *Txn) DropTable(ctx context.Context, oid types.OID) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	if _, ok := c.Table(oid); !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", oid)
	}
	for _, idx := range c.TableIndexes(oid) {
		if err := t.dropIndex(c, idx); err != nil {
			return err
		}
	}
	for _, seq := range c.Sequences() {
		if seq.OwnedByTable == oid {
			if err := t.dropSequence(c, seq); err != nil {
				return err
			}
		}
	}
	if err := t.deletePrefix(tablePrefix(oid)); err != nil {
		return err
	}
	if err := t.batch.Delete(rowCountKey(oid), nil); err != nil {
		return ioError("write", err)
	}
	t.countChange(oid).dropped = true
	if err := t.deleteDescriptor(oid); err != nil {
		return err
	}
	c.deleteRelation(oid)
	return nil
}

// Truncate removes every row of a table and every entry of its indexes
// (btree entries and the index data space: in-memory index structures are
// their owners' to reset, e.g. in an OnCommit hook). Row ids keep growing.
func (t *Txn) Truncate(ctx context.Context, oid types.OID) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.writeCatalog()
	if _, ok := c.Table(oid); !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", oid)
	}
	for _, idx := range c.TableIndexes(oid) {
		if err := t.deletePrefix(btreePrefix(idx.OID)); err != nil {
			return err
		}
		if err := t.deletePrefix(indexDataPrefix(idx.OID)); err != nil {
			return err
		}
	}
	if err := t.deletePrefix(tablePrefix(oid)); err != nil {
		return err
	}
	cc := t.countChange(oid)
	cc.reset, cc.delta = true, 0
	return nil
}

// CreateIndex creates an index on an existing table (42P01 if it does not
// exist, 42P07 if the name is taken). For a btree index it also writes the
// entries of the existing rows, failing with 23505 if a unique index finds
// a duplicate. Other methods (hnsw) get only their descriptor: the index
// package builds them, writing through PutRaw.
//
// Btree indexes on expressions or with a predicate are not supported yet
// (0A000): storage cannot evaluate expressions.
func (t *Txn) CreateIndex(ctx context.Context, idx *Index) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	tbl, ok := c.Table(idx.Table)
	if !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", idx.Table)
	}
	if err := checkNewRelation(c, idx.Schema, idx.Name); err != nil {
		return err
	}
	if len(idx.Columns) == 0 {
		return pgerr.New(pgerr.InternalError, "storage: index %s has no columns", idx.Name)
	}
	for _, col := range idx.Columns {
		if col.Slot < 0 {
			if col.Expr == "" || col.Type == nil {
				return pgerr.New(pgerr.InternalError, "storage: expression column of index %s without its expression or type", idx.Name)
			}
			continue
		}
		if col.Slot >= len(tbl.Columns) || tbl.Columns[col.Slot].Dropped {
			return pgerr.New(pgerr.InternalError, "storage: index %s refers to column slot %d of %s", idx.Name, col.Slot, tbl.Name)
		}
	}
	if err := t.ensureOID(ctx, &idx.OID); err != nil {
		return err
	}
	cp := copyIndex(idx)
	if isBtree(cp) {
		if err := t.backfill(ctx, tbl, cp); err != nil {
			return err
		}
	}
	if err := t.putDescriptor(cp.OID, descriptor{Index: cp}); err != nil {
		return err
	}
	c.putIndex(cp)
	return nil
}

// backfill writes the entries of idx for every existing row of tbl.
func (t *Txn) backfill(ctx context.Context, tbl *Table, idx *Index) error {
	it, err := t.Scan(tbl)
	if err != nil {
		return err
	}
	defer it.Close()
	var ops indexOps
	var key []byte
	for n := 0; it.Next(); n++ {
		if n%1024 == 0 {
			if ctx.Err() != nil {
				return canceled(ctx)
			}
			if err := t.checkSize(); err != nil {
				return err
			}
		}
		row, err := it.Row()
		if err != nil {
			return err
		}
		var unique, in bool
		key, unique, in, err = t.indexKey(key[:0], tbl, idx, row, it.ID())
		if err != nil {
			return err
		}
		if !in {
			continue
		}
		if unique {
			found, err := t.get(key, nil)
			if err != nil {
				return err
			}
			if found {
				e := pgerr.From(t.uniqueViolation(tbl, idx, row, "is duplicated"))
				e.Message = "could not create unique index \"" + idx.Name + "\""
				return e
			}
		}
		ops.set = append(ops.set[:0], key)
		if err := t.applyIndexOps(&ops, it.ID()); err != nil {
			return err
		}
	}
	return it.Err()
}

// AlterIndex replaces the descriptor of an existing index (same OID, same
// table and key columns): renames, storage parameters, and the text of
// expressions and predicates whose columns were renamed. Renaming the
// index of a primary key renames Table.PrimaryKey too.
func (t *Txn) AlterIndex(ctx context.Context, idx *Index) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	old, ok := c.Index(idx.OID)
	if !ok {
		return pgerr.New(pgerr.UndefinedObject, "index with OID %d does not exist", idx.OID)
	}
	if old.Table != idx.Table || !slices.EqualFunc(old.Columns, idx.Columns, sameKeyColumn) || old.Unique != idx.Unique || old.Method != idx.Method {
		return pgerr.New(pgerr.InternalError, "storage: AlterIndex cannot change the key of %s", old.Name)
	}
	if old.Schema != idx.Schema || old.Name != idx.Name {
		if err := checkNewRelation(c, idx.Schema, idx.Name); err != nil {
			return err
		}
	}
	cp := copyIndex(idx)
	if err := t.putDescriptor(cp.OID, descriptor{Index: cp}); err != nil {
		return err
	}
	c.putIndex(cp)
	if tbl, ok := c.Table(idx.Table); ok && tbl.PrimaryKey == old.Name && old.Name != cp.Name {
		tc := copyTable(tbl)
		tc.PrimaryKey = cp.Name
		if err := t.putDescriptor(tc.OID, descriptor{Table: tc}); err != nil {
			return err
		}
		c.putTable(tc)
	}
	return nil
}

// sameKeyColumn reports whether two key columns index the same values in
// the same order: an expression's text may differ (a column it reads was
// renamed), its type may not.
func sameKeyColumn(a, b IndexColumn) bool {
	if a.Slot != b.Slot || a.Opclass != b.Opclass || a.Desc != b.Desc || a.NullsFirst != b.NullsFirst || (a.Type == nil) != (b.Type == nil) {
		return false
	}
	return a.Type == nil || *a.Type == *b.Type
}

// DropIndex drops an index and its data (btree entries and the raw space).
// If it enforced the table's primary key, the table no longer has one.
func (t *Txn) DropIndex(ctx context.Context, oid types.OID) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	idx, ok := c.Index(oid)
	if !ok {
		return pgerr.New(pgerr.UndefinedObject, "index with OID %d does not exist", oid)
	}
	if err := t.dropIndex(c, idx); err != nil {
		return err
	}
	if tbl, ok := c.Table(idx.Table); ok && tbl.PrimaryKey == idx.Name {
		cp := copyTable(tbl)
		cp.PrimaryKey = ""
		if err := t.putDescriptor(cp.OID, descriptor{Table: cp}); err != nil {
			return err
		}
		c.putTable(cp)
	}
	return nil
}

func (t *Txn) dropIndex(c *Catalog, idx *Index) error {
	if err := t.deletePrefix(btreePrefix(idx.OID)); err != nil {
		return err
	}
	if err := t.deletePrefix(indexDataPrefix(idx.OID)); err != nil {
		return err
	}
	if err := t.deleteDescriptor(idx.OID); err != nil {
		return err
	}
	c.deleteRelation(idx.OID)
	return nil
}

// CreateSequence creates a sequence positioned at its Start (42P07 if
// the name is taken).
func (t *Txn) CreateSequence(ctx context.Context, seq *Sequence) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	if err := checkNewRelation(c, seq.Schema, seq.Name); err != nil {
		return err
	}
	if seq.Min > seq.Max || seq.Start < seq.Min || seq.Start > seq.Max || seq.Increment == 0 {
		return pgerr.New(pgerr.InvalidParameterValue, "storage: invalid sequence parameters for %s", seq.Name)
	}
	if err := t.ensureOID(ctx, &seq.OID); err != nil {
		return err
	}
	cp := *seq
	if err := t.putDescriptor(cp.OID, descriptor{Sequence: &cp}); err != nil {
		return err
	}
	st := &seqState{last: cp.Start}
	if err := t.batch.Set(sequenceKey(cp.OID), st.record(cp.Start, false), nil); err != nil {
		return ioError("write", err)
	}
	if t.newSeqs == nil {
		t.newSeqs = map[types.OID]*seqState{}
	}
	t.newSeqs[cp.OID] = st
	c.putSequence(&cp)
	return nil
}

// AlterSequence replaces the descriptor of an existing sequence (same
// OID): rename, OWNED BY, increment and limits. Its position is kept; use
// SetVal for RESTART.
func (t *Txn) AlterSequence(ctx context.Context, seq *Sequence) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	old, ok := c.Sequence(seq.OID)
	if !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", seq.OID)
	}
	if seq.Min > seq.Max || seq.Increment == 0 {
		return pgerr.New(pgerr.InvalidParameterValue, "storage: invalid sequence parameters for %s", seq.Name)
	}
	if old.Schema != seq.Schema || old.Name != seq.Name {
		if err := checkNewRelation(c, seq.Schema, seq.Name); err != nil {
			return err
		}
	}
	cp := *seq
	if err := t.putDescriptor(cp.OID, descriptor{Sequence: &cp}); err != nil {
		return err
	}
	c.putSequence(&cp)
	return nil
}

// DropSequence drops a sequence.
func (t *Txn) DropSequence(ctx context.Context, oid types.OID) error {
	if err := t.LockForWrite(ctx); err != nil {
		return err
	}
	c := t.mutableCatalog()
	seq, ok := c.Sequence(oid)
	if !ok {
		return pgerr.New(pgerr.UndefinedTable, "relation with OID %d does not exist", oid)
	}
	return t.dropSequence(c, seq)
}

func (t *Txn) dropSequence(c *Catalog, seq *Sequence) error {
	if err := t.deleteDescriptor(seq.OID); err != nil {
		return err
	}
	if err := t.batch.Delete(sequenceKey(seq.OID), nil); err != nil {
		return ioError("write", err)
	}
	if _, ok := t.newSeqs[seq.OID]; ok {
		delete(t.newSeqs, seq.OID)
	} else {
		t.droppedSeqs = append(t.droppedSeqs, seq.OID)
	}
	c.deleteRelation(seq.OID)
	return nil
}
